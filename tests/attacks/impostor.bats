#!/usr/bin/env bats
# Impostors: whoever takes the place of a process that held authority
# (its minted address, or its very pid) gets nothing from it.

load attack

@test "death then rebind: the client's cached capability refuses the impostor at the freed address" {
	# The shim's own check, as on a kernel without Landlock's scope: the
	# fence refuses an impostor outside the topology before it is even
	# connected (landlock.bats).
	export CAPWRAP_PROBE_DISABLE=landlock
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec ax-twice -w $T/ready $U.db $T/go
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --dial-timeout 0
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/ready"
	wait_for "$T/out" '^web +\| waiting$'
	run cat "$T/out"
	assert_line --regexp '^web +\| first: reply echo first$'
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	kill -KILL "$(listener_pid db)"
	wait_for "$T/err" 'db killed by signal 9'
	# The attacker binds the exact address the provider held.
	attacker "$T/impostor" ax-squat "$addr"
	impostor=$LAST_ATTACKER
	wait_for "$T/impostor" '^listening pid='
	touch "$T/go"
	wait_for "$T/out" '^web +\| second: '
	run cat "$T/out"
	assert_line --regexp '^web +\| second: connect: ECONNREFUSED$'
	# It was connected to, and was sent nothing at all.
	wait_for "$T/impostor" '^got '
	run cat "$T/impostor"
	assert_line 'got nothing'
	refute_output --partial bytes
	run grep "\"peer_pid\":$impostor," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"connect"'
	assert_output --partial '"service":"web"'
	assert_output --partial "\"name\":\"@$U.db\""
	assert_output --partial 'is not the one the capability names'
}

# Two datagram programs in Python, whose socket module calls the C
# library, so that the shim sees every call when they run wrapped.
#
# dgram-twice.py NAME READY GO MODE: a client that sends to NAME twice
# from one process, so that the second send uses the capability the shim
# cached for the first.  It autobinds (to be answered), waits for READY,
# sends "first" and prints "first: reply LINE"; prints "waiting", waits
# for GO, sends "second" and prints "second: reply LINE", "second: sent,
# no answer" or "second: MODE: ERRNO".  MODE sendto sends with sendto(2);
# MODE connect connects the socket to NAME before each send(2).
#
# dgram-once.py NAME: a provider that binds NAME, prints "listening
# pid=PID", answers one datagram ("served LINE", answer "echo LINE"),
# closes its socket, prints "closed" and lives on until killed.
write_dgram_programs() {
	command -v python3 > /dev/null || skip "needs python3"
	cat > "$T/dgram-twice.py" <<'EOF'
import errno, os, select, socket, sys, time
name, ready, go, mode = sys.argv[1:5]
addr = b"\0" + name.encode()

def say(line):
    print(line, flush=True)

def wait_file(path):
    for _ in range(1200):
        if os.path.exists(path):
            return
        time.sleep(0.05)
    say("timeout")
    sys.exit(4)

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(b"")

def exchange(which):
    try:
        if mode == "connect":
            s.connect(addr)
            s.send(which.encode() + b"\n")
        else:
            s.sendto(which.encode() + b"\n", addr)
    except OSError as e:
        say(f"{which}: {mode}: {errno.errorcode[e.errno]}")
        return
    if not select.select([s], [], [], 5)[0]:
        say(f"{which}: sent, no answer")
        return
    say(f"{which}: reply {s.recv(600).decode().strip()}")

wait_file(ready)
exchange("first")
say("waiting")
wait_file(go)
exchange("second")
EOF
	cat > "$T/dgram-once.py" <<'EOF'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(b"\0" + sys.argv[1].encode())
print(f"listening pid={os.getpid()}", flush=True)
data, sender = s.recvfrom(512)
line = data.decode().strip()
print(f"served {line}", flush=True)
s.sendto(f"echo {line}\n".encode(), sender)
s.close()
print("closed", flush=True)
time.sleep(600)
EOF
}

# dgram_rebind MODE HOW: a datagram provider serves the client once and
# then, HOW, dies (death) or closes its socket and lives on (close); an
# unwrapped attacker binds the freed minted address; the client sends
# again with the capability it cached.  The attacker must receive nothing.
dgram_rebind() {
	local provider="fx-server -t dgram $U.db"

	write_dgram_programs
	[ "$2" = close ] && provider="python3 $T/dgram-once.py $U.db"
	write_policy <<EOF
service db {
	exec $provider
	provides @$U.db
}
service web {
	exec python3 $T/dgram-twice.py $U.db $T/ready $T/go $1
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --dial-timeout 0
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	touch "$T/ready"
	wait_for "$T/out" '^web +\| waiting$'
	run cat "$T/out"
	assert_line --regexp '^web +\| first: reply echo first$'
	assert_line --regexp '^db +\| served first$'
	if [ "$2" = close ]; then
		wait_for "$T/out" '^db +\| closed$'
		run name_is_bound "$addr"
		assert_failure
	else
		kill -KILL "$(listener_pid db)"
		wait_for "$T/err" 'db killed by signal 9'
	fi
	# The attacker binds the exact address the provider held, as a
	# datagram socket, and prints every datagram it receives.
	attacker "$T/impostor" fx-dgram recv recv "$addr" 10
	wait_for "$T/impostor" '^listening pid='
	touch "$T/go"
	wait_for "$T/out" '^web +\| second: '
	run cat "$T/out"
	assert_line --regexp "^web +\\| second: $1: ECONNREFUSED\$"
	refute_line --regexp '^db +\| served second$'
	# A marker sent to the attacker after the client's send returned: a
	# socket's datagrams queue in order, so whatever the client's send
	# delivered would come out ahead of it.
	run fx-dgram sendmmsg "$addr" marker
	assert_success
	wait_for "$T/impostor" '^got '
	run grep '^got ' "$T/impostor"
	assert_output 'got marker'
}

@test "datagram death then rebind: sendto with the cached capability never reaches the impostor" {
	dgram_rebind sendto death
}

@test "datagram death then rebind: connect with the cached capability never reaches the impostor, audited" {
	dgram_rebind connect death
	wait_for "$T/audit.jsonl" '"service":"web"'
	run cat "$T/audit.jsonl"
	assert_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$U.db\""
	assert_output --partial 'the provider the capability names has exited'
}

@test "datagram socket closed then rebind: the living provider's address never reaches the impostor" {
	dgram_rebind sendto close
}

@test "replacement provider: a cached capability reaches it only through a fresh grant" {
	# The provider serves once, exits, and a new one takes the name.
	write_policy <<EOF
service db {
	exec sh -c "fx-server -n 1 $U.db; exec fx-server $U.db"
	provides @$U.db
}
service web {
	exec ax-twice $U.db $T/go
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^web +\| waiting$'
	wait_for "$T/out" '^db +\| listening pid=.*'
	for ((i = 0; i < 1200; i++)); do
		[ "$(grep -c '^db .*listening pid=' "$T/out")" -ge 2 ] && break
		sleep 0.05
	done
	run grep -c '^db .*listening pid=' "$T/out"
	assert_output 2
	touch "$T/go"
	wait_for "$T/out" '^web +\| second: '
	run cat "$T/out"
	assert_line --regexp '^web +\| second: reply echo second$'
	# The old capability named a provider that is gone; the grant was
	# fresh, so nothing was refused.
	[ ! -s "$T/audit.jsonl" ]
}

run_pidreuse() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private pid namespace"
	command -v unshare > /dev/null || skip "needs unshare(1)"
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "no writable ns_last_pid"
	# SIGPIPE ignored, as it stays across fork and exec: an attacker the
	# gate cut off before its write then says "write: EPIPE".
	run bash -c 'trap "" PIPE; exec "$@"' pidreuse \
		unshare --pid --fork --mount-proc --net \
		env PATH="$PATH" CAPWRAP="$CAPWRAP" \
		bash "$BATS_TEST_DIRNAME/pidreuse.sh" "$1" "$T" "$U"
	echo "$output" >&2
	assert_line done=yes
	assert_line victim_served=yes
	victim=$(sed -nE 's/^victim=([0-9]+)$/\1/p' <<< "$output")
	[ -n "$victim" ]
	# The attacker really runs under the dead process's pid.
	assert_line "attacker=$victim"
}

@test "pid reuse: an attacker with a dead client's pid is not admitted" {
	run_pidreuse client
	# Connected, then cut off: EOF, a reset, or EPIPE on its write;
	# never a reply, and never a connection held open unanswered (the
	# fixture's "timeout").
	assert_line --regexp '^attacker_said=connected (eof|read: ECONNRESET|write: EPIPE) $'
	refute_line --regexp '^attacker_said=.*(reply|timeout)'
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
	assert_output --partial "pid $victim holds no capability to service db"
}

@test "pid reuse: a datagram from an attacker with a dead client's pid and 253 descriptors attached is refused by its pidfd, audited, and its descriptors closed" {
	run_pidreuse dgram
	assert_line stolen=0
	assert_line 'attacker_said=eof '
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
	assert_output --partial "pid $victim holds no capability to service db"
}

@test "pid reuse: an attacker with the pid of a dead client that db's gate knew by pid (it had connected twice) is not admitted" {
	run_pidreuse regular
	assert_line --regexp '^attacker_said=connected (eof|read: ECONNRESET|write: EPIPE) $'
	refute_line --regexp '^attacker_said=.*(reply|timeout)'
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
	assert_output --partial "pid $victim holds no capability to service db"
}

@test "pid reuse: an attacker with the pid of a dead forked worker that db's gate knew by pid, reaped by its parent and not the launcher, is not admitted" {
	run_pidreuse worker
	assert_line --regexp '^attacker_said=connected (eof|read: ECONNRESET|write: EPIPE) $'
	refute_line --regexp '^attacker_said=.*(reply|timeout)'
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
	assert_output --partial "pid $victim holds no capability to service db"
}

@test "pid reuse: a thread that took a dead outsider's connection before a granted client with its pid became known by pid still refuses it" {
	run_pidreuse threads
	assert_line stolen=0
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
	assert_output --partial 'peer reuses the pid of a process that held a capability'
	refute_output --partial 'holds no capability'
}

@test "pid reuse: a claim read after its worker exited counts for that worker, not for the process of another service that took its pid" {
	run_pidreuse claim
	assert_line stolen=0
	assert_line 'rogue_said=rogue: connect: EACCES rogue: connect: OK rogue: EOF '
	# The rogue's own requests and its connection are refused.
	run grep -c "\"service\":\"rogue\".*\"reason\":\"service rogue does not dial service db\"" "$T/audit.jsonl"
	assert_output 2
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial "pid $victim holds no capability to service db"
}

@test "pid reuse: an attacker with a dead provider's pid at its address gets nothing" {
	# The shim's own check, as on a kernel without Landlock's scope: the
	# fence refuses an impostor outside the topology before it is even
	# connected (landlock.bats).
	export CAPWRAP_PROBE_DISABLE=landlock
	run_pidreuse provider
	assert_line 'client_said=second: connect: ECONNREFUSED'
	assert_line 'attacker_said=got nothing '
	# Same pid, same uid as the stamp: only the pidfs inode tells them apart.
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"connect"'
	assert_output --partial 'is not the one the capability names'
}

@test "pid reuse: with the launcher killed, a worker that outlives it never takes the impostor with its dead provider's pid for the provider" {
	# The shim's own check, as on a kernel without Landlock's scope (the
	# fence refuses the impostor outside the topology first).
	export CAPWRAP_PROBE_DISABLE=landlock
	run_pidreuse orphaned
	# Its full check finds no provider, and no launcher to ask again.
	assert_line 'client_said=second: connect: EACCES'
	assert_line 'attacker_said=got nothing '
}

# ax_reap_runs [MODE]: web runs `ax-reap DB [MODE]` dialing db, to its
# end; web's lines in $output.
ax_reap_runs() {
	write_policy <<EOF2
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec ax-reap $U.db $*
	dials db
}
audit $T/audit.jsonl
EOF2
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
}

@test "reap page: a descriptor put behind the shim's back at the number of the page it holds unmapped is never mapped as the page, nor closed" {
	ax_reap_runs forge
	# Held after the first dial, not mapped: the first dial pays no mapping.
	assert_line 'held: yes'
	assert_line 'dials: ok'
	assert_line 'number: open'
	assert_line 'forged: not mapped'
}

@test "reap page: a service cannot move the launcher's reap epoch: the mapping stays read-only, and a read-write reopen can neither map it writable nor write it" {
	ax_reap_runs
	assert_line 'mprotect: EACCES'
	# Root may reopen a mapped file by its map_files link; the seal
	# (F_SEAL_FUTURE_WRITE) holds for root too.
	if [[ $(id -u) == 0 ]]; then
		assert_line 'reopen: OK'
		assert_line 'mmap: EPERM'
		assert_line 'write: EPERM'
	else
		assert_line --regexp '^reopen: E'
	fi
	assert_line 'epoch: unchanged'
}

# dial.py NAME GO: once GO exists, dial NAME, send "secret" and print
# "dial: reply LINE", or "dial: refused ERRNO"; its dial() is imported by
# a test's own script.
write_dial_py() {
	cat > "$T/dial.py" <<'PY'
import os, socket, sys, time

def dial(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(b"\0" + name.encode())
    except OSError as e:
        print(f"dial: refused {e.errno}", flush=True)
        return
    s.sendall(b"secret\n")
    print(f"dial: reply {s.makefile().readline().strip()}", flush=True)

if __name__ == "__main__":
    name, go = sys.argv[1:3]
    while not os.path.exists(go):
        time.sleep(0.05)
    dial(name)
PY
}

# nsimp_runs WEB: db, and web running WEB, which starts the impostor
# (ax-nsimp $T/target) in a pid and network namespace and, once $T/go
# exists, dials db from one.  The impostor is told db's address and pid;
# the dial must be refused before a byte is sent, and audited without
# naming db, whose pid is not the dialer's number for anybody.
nsimp_runs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a pid namespace"
	command -v python3 > /dev/null || skip "needs python3"
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec $1
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	pid=$(listener_pid db)
	echo "$addr $pid" > "$T/target.new"
	mv "$T/target.new" "$T/target"
	# The impostor holds db's number in its pid namespace, at db's
	# address in its network namespace.
	wait_for "$T/out" "^web +\\| impostor pid=$pid listening$"
	touch "$T/go"
	wait_topology
	run cat "$T/out"
	assert_line --regexp '^web +\| dial: refused 111$'
	refute_line --partial 'impostor got: secret'
	run audit_lines
	assert_line --partial '"gate":"connect"'
	assert_line --partial 'not the one the capability names'
	refute_output --partial '"peer_exe"'
}

@test "pid namespace: an impostor in the dialer's own pid and network namespaces, holding the provider's pid number there, is refused on the first dial, audited" {
	command -v unshare > /dev/null || skip "needs unshare(1)"
	write_dial_py
	nsimp_runs "unshare --pid --net --fork sh -c \"ax-nsimp $T/target & exec python3 $T/dial.py $U.db $T/go\""
}

# forked_dialer_runs HOW: web (pid P) makes pid and network namespaces
# for its children, with unshare() through the C library (HOW "libc") or
# through syscall() (HOW "syscall"); their init starts the impostor, then
# hands P to the next child, the dialer, which must be refused.
forked_dialer_runs() {
	write_dial_py
	cat > "$T/web.py" <<'PY'
import ctypes, os, sys, time
name, T, how = sys.argv[1:4]
sys.path.insert(0, T)
from dial import dial
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
SYS_unshare = {"x86_64": 272, "aarch64": 97}

def wait_file(path):
    while not os.path.exists(path):
        time.sleep(0.05)

P = os.getpid()
libc = ctypes.CDLL(None, use_errno=True)
if how == "syscall":
    rc = libc.syscall(SYS_unshare[os.uname().machine], CLONE_NEWPID | CLONE_NEWNET)
else:
    rc = libc.unshare(CLONE_NEWPID | CLONE_NEWNET)
if rc != 0:
    print(f"unshare: {ctypes.get_errno()}", flush=True)
    sys.exit(1)
init = os.fork()
if init == 0:
    if os.fork() == 0:
        os.execvp("ax-nsimp", ["ax-nsimp", T + "/target"])
    # Try k: set the namespace's next pid to P, then let web fork.
    for k in range(100):
        wait_file(f"{T}/go.{k}")
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(P - 1))
        open(f"{T}/next.{k}", "w").close()
    time.sleep(600)
    os._exit(0)
wait_file(T + "/go")
for k in range(100):
    open(f"{T}/go.{k}", "w").close()
    wait_file(f"{T}/next.{k}")
    dialer = os.fork()
    if dialer == 0:
        if os.getpid() != P:
            os._exit(3)  # another process took the number first
        print(f"dialer pid={os.getpid()} parent={P}", flush=True)
        dial(name)
        os._exit(0)
    if os.waitpid(dialer, 0)[1] == 0:
        break
os.kill(init, 9)
PY
	nsimp_runs "python3 $T/web.py $U.db $T $1"
	run cat "$T/out"
	# The dialer held its parent's number in the new namespace.
	assert_line --regexp '^web +\| dialer pid=([0-9]+) parent=\1$'
}

@test "pid namespace: a dialer forked into a pid namespace its service made (unshare through the C library), holding there its parent's number, is refused the impostor there" {
	forked_dialer_runs libc
}

@test "pid namespace: the same with the namespace made through syscall(SYS_unshare)" {
	case $(uname -m) in
	x86_64 | aarch64) ;;
	*) skip "SYS_unshare's number is known here for x86_64 and aarch64 only" ;;
	esac
	forked_dialer_runs syscall
}
