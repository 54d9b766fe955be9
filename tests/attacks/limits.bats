#!/usr/bin/env bats
# What one service can cost the launcher, and what a process that has
# exited leaves behind (docs/SECURITY.md, "Limits on what one service can
# cost the launcher" and "Revocation"): blocking dials to a provider that
# is not listening yet wait in the launcher, each holding a descriptor
# there, at most 64 per process and 1024 per service; the waits of a
# process that exits go with it; a connection made by a granted process
# that exited before the accept is still its own.

load attack

# The lines service SVC printed, without the "svc | " prefix.
service_lines() {
	sed -nE "s/^$1 +\\| //p" "$T/out"
}

need_python() {
	command -v python3 > /dev/null || skip "needs python3"
}

# dialer.py NAME DIR OWN [CHILDREN EACH]: blocking dials of NAME, from a
# thread each (Python's connect() is the C library's, so the shim asks
# the launcher and waits for its answer).  It forks CHILDREN processes
# and prints "child K pid=P" for each, then "ready".  Once DIR/dial
# exists, the process itself dials OWN times at once and each child EACH
# times; a dial prints "dial K.I: ERRNO", or "dial K.I: reply LINE" once
# it was served (K is 0 for the process itself).  Once DIR/more exists,
# the process dials once more ("more: ..."), and once DIR/again exists,
# again ("again: ...").  Then it waits for its threads and children.
write_dialer() {
	need_python
	cat > "$T/dialer.py" <<'EOF'
import errno, os, socket, sys, threading, time
name, where, own = sys.argv[1], sys.argv[2], int(sys.argv[3])
children, each = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 4 else (0, 0)
threading.stack_size(256 * 1024)

def say(line):
    os.write(1, (line + "\n").encode())

def wait_file(f):
    while not os.path.exists(os.path.join(where, f)):
        time.sleep(0.02)

def dial(label):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(b"\0" + name.encode())
    except OSError as e:
        say(f"{label}: {errno.errorcode[e.errno]}")
        return
    s.sendall(label.encode() + b"\n")
    say(f"{label}: reply {s.makefile().readline().strip()}")

def dial_all(k, n):
    wait_file("dial")
    threads = [threading.Thread(target=dial, args=(f"dial {k}.{i}",))
               for i in range(1, n + 1)]
    for t in threads:
        t.start()
    return threads

pids = []
for k in range(1, children + 1):
    pid = os.fork()
    if pid == 0:
        for t in dial_all(k, each):
            t.join()
        os._exit(0)
    pids.append(pid)
    say(f"child {k} pid={pid}")
say("ready")
threads = dial_all(0, own)
wait_file("more")
dial("more")
wait_file("again")
dial("again")
for t in threads:
    t.join()
for pid in pids:
    os.waitpid(pid, 0)
EOF
}

# A provider that comes only once $T/go exists, and a service of dialers.
dialer_policy() {
	write_dialer
	write_policy <<EOF
service db {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.02; done; exec fx-server $U.db"
	provides @$U.db
	dials web # a dial cycle starts together: web before db registers
}
service web {
	exec python3 $T/dialer.py $U.db $T $*
	dials db
}
audit $T/audit.jsonl
EOF
}

# How many sockets the launcher holds open: its channels, and one for
# each dial waiting there.
launcher_sockets() {
	ls -l "/proc/$CAPWRAP_PID/fd" 2>/dev/null | grep -c 'socket:\['
}

# wait_launcher_sockets N: until the launcher holds exactly N sockets.
wait_launcher_sockets() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[ "$(launcher_sockets)" -eq "$1" ] && return 0
		sleep 0.05
	done
	echo "the launcher holds $(launcher_sockets) sockets, not $1" >&2
	return 1
}

# wait_lines PATTERN N: until N lines of $T/out match PATTERN (grep -E).
wait_lines() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[ "$(grep -cE -- "$1" "$T/out")" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "fewer than $2 lines match /$1/ in $T/out" >&2
	return 1
}

# The pid the dialer printed for child K.
child_pid() {
	sed -nE "s/^web +\\| child $1 pid=([0-9]+)\$/\\1/p" "$T/out"
}

@test "limits: a process may have 64 dials waiting; its 65th is refused at once with ECONNREFUSED, and the 64 are served" {
	dialer_policy 64
	# No wait ever times out in this test: only the limit refuses.
	start_topology --exit-with web --dial-timeout 3600
	wait_for "$T/out" '^web +\| ready$'
	base=$(launcher_sockets)
	touch "$T/dial"
	wait_launcher_sockets $((base + 64))
	touch "$T/more"
	wait_for "$T/out" '^web +\| more: '
	run service_lines web
	assert_line "more: ECONNREFUSED"
	# The 64 are still waiting, each with its descriptor in the launcher
	# (the refused one's goes once its answer is sent).
	refute_line --regexp '^dial '
	wait_launcher_sockets $((base + 64))
	# The provider comes: every waiting dial is served; then a new one.
	touch "$T/go"
	wait_lines '^web +\| dial 0\.[0-9]+: ' 64
	touch "$T/again"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	for ((i = 1; i <= 64; i++)); do
		assert_line "dial 0.$i: reply echo dial 0.$i"
	done
	assert_line "again: reply echo again"
	assert_equal "$(grep -c ': reply echo ' <<< "$output")" 65
	assert_equal "$(grep -c ': ECONNREFUSED$' <<< "$output")" 1
	run service_lines db
	assert_equal "$(grep -c '^served ' <<< "$output")" 65
	refute_line "served more"
	# Refused as the kernel refuses a dial with no listener: no audit.
	[ ! -s "$T/audit.jsonl" ]
}

@test "limits: a service may have 1024 dials waiting; past that a dial is refused at once; a process that dies takes its waits with it" {
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1100 ] ||
		skip "the launcher may not open 1024 descriptors here"
	# 16 processes with 64 waits each (the most one process may have).
	dialer_policy 0 16 64
	start_topology --exit-with web --dial-timeout 3600
	wait_for "$T/out" '^web +\| ready$'
	base=$(launcher_sockets)
	touch "$T/dial"
	wait_launcher_sockets $((base + 1024))
	# A 17th process, with no dial of its own waiting: refused at once.
	touch "$T/more"
	wait_for "$T/out" '^web +\| more: '
	run service_lines web
	assert_line "more: ECONNREFUSED"
	refute_line --regexp '^dial '
	wait_launcher_sockets $((base + 1024))
	# One of the 16 dies: its 64 waits go, descriptors and all ...
	kill -KILL "$(child_pid 1)"
	wait_launcher_sockets $((base + 960))
	# ... and the service may wait again: the next dial waits.
	touch "$T/again"
	wait_launcher_sockets $((base + 961))
	run service_lines web
	refute_line --regexp '^again: '
	# The other 15 die too; only the last dial is left, and is served.
	for ((k = 2; k <= 16; k++)); do
		kill -KILL "$(child_pid $k)"
	done
	wait_launcher_sockets $((base + 1))
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "again: reply echo again"
	refute_line --regexp '^dial '
	assert_equal "$(grep -c ': ECONNREFUSED$' <<< "$output")" 1
	run service_lines db
	assert_equal "$(grep -c '^served ' <<< "$output")" 1
	assert_line "served again"
	[ ! -s "$T/audit.jsonl" ]
}

@test "revocation: the dials a process had waiting are dropped when it exits; the launcher serves on" {
	# One child with 64 waits; the dialer itself has none.
	dialer_policy 0 1 64
	start_topology --exit-with web --dial-timeout 3600
	wait_for "$T/out" '^web +\| ready$'
	base=$(launcher_sockets)
	touch "$T/dial"
	wait_launcher_sockets $((base + 64))
	kill -KILL "$(child_pid 1)"
	# Its waits are gone with their descriptors, before any provider.
	wait_launcher_sockets "$base"
	# A dial of the same service made now waits, and is served.
	touch "$T/more"
	wait_launcher_sockets $((base + 1))
	touch "$T/go"
	wait_for "$T/out" '^web +\| more: '
	touch "$T/again"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "more: reply echo more"
	assert_line "again: reply echo again"
	refute_line --regexp '^dial '
	# Nothing was answered for the dead process: db served the two others.
	run service_lines db
	assert_equal "$(grep -c '^served ' <<< "$output")" 2
	[ ! -s "$T/audit.jsonl" ]
}

# late.py NAME DIR: a stream provider that listens at NAME, prints
# "listening pid=P", and accepts only once DIR/accept exists; it prints
# "served LINE" for the first connection that brings a line and exits,
# "hung up" for one that reads end of file at once (the place of a
# connection the gate refused), or "accept: ERRNO" for an accept that
# fails, and exits once the queue is empty.
write_late_provider() {
	need_python
	cat > "$T/late.py" <<'EOF'
import errno, os, socket, sys, time
name, where = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(b"\0" + name.encode())
s.listen(8)
print(f"listening pid={os.getpid()}", flush=True)
while not os.path.exists(os.path.join(where, "accept")):
    time.sleep(0.02)
while True:
    try:
        c, _ = s.accept()
    except OSError as e:
        print(f"accept: {errno.errorcode[e.errno]}", flush=True)
        if e.errno != errno.ECONNABORTED:
            break
        # Whatever is left in the queue, then stop.
        s.setblocking(False)
        continue
    c.setblocking(True)
    line = c.makefile().readline()
    if not line:
        print("hung up", flush=True)
        continue
    print("served", line.strip(), flush=True)
    break
EOF
}

# parting.py NAME MESSAGE: connect to the abstract NAME, send MESSAGE and
# a newline, print "sent pid=P" and exit at once, before any accept.
write_parting() {
	cat > "$T/parting.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(b"\0" + sys.argv[1].encode())
s.sendall(sys.argv[2].encode() + b"\n")
print(f"sent pid={os.getpid()}", flush=True)
EOF
}

@test "a stream connection from a granted client that has exited before the accept is admitted; an outsider's that has exited is not" {
	write_late_provider
	write_parting
	write_policy <<EOF
service db {
	exec python3 $T/late.py $U.db $T
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.02; done; exec python3 $T/parting.py $U.db parting"
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with db
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	# An outsider queues a connection first, and exits.
	run python3 "$T/parting.py" "$addr" intruder
	assert_success
	outsider=$(sed -nE 's/^sent pid=([0-9]+)$/\1/p' <<< "$output")
	# Then the granted client, and it exits too, all before any accept.
	touch "$T/go"
	wait_for "$T/err" '^capwrap: web exited with status 0$'
	run service_lines web
	assert_line --regexp '^sent pid=[0-9]+$'
	touch "$T/accept"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines db
	assert_line "hung up"
	assert_line "served parting"
	refute_line --partial intruder
	# Only the outsider was refused, and audited as itself.
	run cat "$T/audit.jsonl"
	[ "${#lines[@]}" -eq 1 ] || { printf '%s\n' "$output"; return 1; }
	assert_output --regexp "\"gate\":\"accept\",\"service\":\"db\",\"name\":\"@$U\.db\",.*\"peer_pid\":$outsider,.*\"reason\":\"pid $outsider holds no capability to service db\""
}
