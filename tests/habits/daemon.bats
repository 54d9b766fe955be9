#!/usr/bin/env bats
# Daemons: double fork, setsid, and every descriptor closed; the daemon
# still binds its provided name and serves a wrapped client.  If the
# channel is lost anyway, the gates fail closed and say so once, and an
# image exec'd after that is not told of the lost number.
#
# The service's main process exits as soon as the daemon has detached:
# the launcher counts the service as running while the daemon, which
# still holds its lineage channel, lives (see "Daemons" in capwrap(1)).

load habits

# daemonise HOW: the daemon closes everything HOW says, then serves web.
daemonise() {
	write_policy <<EOF
service db {
	exec hx-daemon $1 $U.db $T/daemon.log
	provides @$U.db
}
service web {
	exec $(after go "fx-client $U.db hello")
	dials db
}
audit $T/audit.jsonl
EOF
	DAEMON_LOGS="$T/daemon.log"
	start_topology
	wait_for "$T/daemon.log" '^(listening pid=|bind: )'
	run cat "$T/daemon.log"
	assert_line --regexp '^listening pid=[0-9]+$'
	# The fixed name is never bound: the daemon holds a minted address.
	pid=$(sed -nE 's/^listening pid=([0-9]+)$/\1/p' "$T/daemon.log")
	run listening_addresses "$pid"
	assert_output --regexp '^[0-9a-f]{5}$'
	run name_is_bound "$U.db"
	assert_failure
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run service_lines web
	assert_line "reply echo hello"
	wait_for "$T/daemon.log" '^served '
	run cat "$T/daemon.log"
	assert_line "served hello"
	[ ! -s "$T/audit.jsonl" ]
}

@test "daemon: close() of every descriptor 0..1023" {
	daemonise loop
}

@test "daemon: close_range(3, ~0U, 0)" {
	daemonise close_range
}

@test "daemon: closefrom(3)" {
	daemonise closefrom
}

@test "daemon: dup2 onto the channel's number, then close it" {
	daemonise dup2
}

@test "daemon: all of them in turn" {
	daemonise all
}

@test "daemon: a channel closed by an inline syscall fails closed with EACCES, said once" {
	[ "$(uname -m)" = x86_64 ] || skip "the inline close is written for x86_64"
	# hx-daemon closes each socket it tried to bind at once, so whether
	# the fixed name was bound shows only while a process that keeps its
	# socket runs: $T/held.py loses its channel the same way, tries the
	# bind, and waits for the go-file (or $T to go, at teardown).
	cat > "$T/held.py" <<'PY'
import ctypes, errno, mmap, os, socket, sys, time
name, go = sys.argv[1], sys.argv[2]
print('held pid=%d' % os.getpid(), flush=True)
# A system call by an instruction of its own, which no preload library
# sees: mov %rdi,%rax; mov %rsi,%rdi; mov %rdx,%rsi; mov %rcx,%rdx;
# syscall; ret
page = mmap.mmap(-1, mmap.PAGESIZE,
    prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(bytes.fromhex('4889f8' '4889f7' '4889d6' '4889ca' '0f05' 'c3'))
inline = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_long,
    ctypes.c_long, ctypes.c_long)(
    ctypes.addressof(ctypes.c_char.from_buffer(page)))
channel = int(os.environ['CAPWRAP_CHANNEL'])
print('held raw close: %d' % inline(3, channel, 0, 0), flush=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.bind(b'\0' + os.fsencode(name))
    s.listen()
    print('held bind: OK', flush=True)
except OSError as e:
    print('held bind: %s' % errno.errorcode.get(e.errno, e.errno), flush=True)
for _ in range(1200):
    if os.path.exists(go) or not os.path.isdir(os.path.dirname(go)):
        break
    time.sleep(0.05)
PY
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "hx-daemon lose $U.web $U.db && exec python3 $T/held.py $U.web $T/go"
	provides @$U.web
	dials db
}
EOF
	start_topology --exit-with web
	wait_for "$T/out" '^web +\| held bind: '
	run name_is_bound "$U.web"
	assert_failure
	kill -0 "$(service_lines web | sed -nE 's/^held pid=([0-9]+)$/\1/p')"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "raw close: 0"
	assert_equal "$(service_lines web | grep -cx 'bind: EACCES')" 2
	assert_equal "$(service_lines web | grep -cx 'dial: EACCES')" 2
	assert_line "held raw close: 0"
	assert_line "held bind: EACCES"
	# One line on stderr for each process, however many calls it made.
	assert_equal "$(cat "$T/out" "$T/err" | grep 'no capwrap lineage channel' | grep -c ' hx-daemon\[')" 1
	assert_equal "$(cat "$T/out" "$T/err" | grep 'no capwrap lineage channel' | grep -c ' python3\[')" 1
}

@test "daemon: an image exec'd after the channel was lost gets no CAPWRAP_CHANNEL and fails closed with EACCES" {
	[ "$(uname -m)" = x86_64 ] || skip "the inline close is written for x86_64"
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec hx-daemon lose $U.web $U.db hx-daemon image $U.web
	provides @$U.web
	dials db
}
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	# The image before the exec lost its channel to the inline close.
	assert_line "raw close: 0"
	assert_line "bind: EACCES"
	# CAPWRAP_CHANNEL still names the lost number in that image's
	# environment: the exec'd image is not told of it (the number may be
	# reused by then), and its gates fail closed.
	assert_line "image: CAPWRAP_CHANNEL absent"
	refute_line --partial "image: CAPWRAP_CHANNEL="
	assert_line "image bind: EACCES"
	# And it says why: lost, not a program started outside capwrap.
	run grep -c "hx-daemon\\[.*no capwrap lineage channel (the lineage channel was lost before this program started)" "$T/err"
	assert_output 1
}
