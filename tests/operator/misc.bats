#!/usr/bin/env bats
# Promises of the manual and the README that no other suite holds: the
# shim's CAPWRAP_DEBUG trace, readiness that does not wait for unprotected
# providers, a bind refused with EADDRINUSE that may be retried, and the
# demo policy passing capwrap check.

load operator

# The notification socket's reader outlives a failed test otherwise, and
# bats waits for it.
MANAGER_PID=
teardown() {
	if [ -n "$MANAGER_PID" ]; then
		kill "$MANAGER_PID" 2>/dev/null || true
	fi
	stop_topology
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		rm -rf "$T"
	fi
}

# db serves one client, web is that client.
write_pair_policy() {
	write_policy <<EOF
service db {
	exec fx-server -n 1 $U.db
	provides @$U.db
}
service web {
	exec fx-client $U.db hello
	dials db
}
EOF
}

@test "CAPWRAP_DEBUG=1: the shim traces to each service's standard error, naming program, pid and function" {
	write_pair_policy
	CAPWRAP_DEBUG=1 start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	# Standard output is the program's own.
	refute_output --partial 'capwrap-shim:'
	pid=$(listener_pid db)
	[ -n "$pid" ]
	run cat "$T/err"
	# Both services, each process image from its start...
	assert_line --regexp "^db +\\| capwrap-shim: fx-server\\[$pid\\] [a-z_]+: channel on fd [0-9]+\$"
	assert_line --regexp '^web +\| capwrap-shim: fx-client\[[0-9]+\] [a-z_]+: channel on fd [0-9]+$'
	# ...and what the shim did for the program's calls.
	assert_line --regexp "^db +\\| capwrap-shim: fx-server\\[$pid\\] [a-z_]*bind: bound fd [0-9]+ as autobind for a virtual name\$"
	# Every line of the shim carries the same prefix.
	run grep -v -E '^(db|web) +\| capwrap-shim: [^[ ]+\[[0-9]+\] [a-z_0-9]+: .' <(grep 'capwrap-shim:' "$T/err")
	assert_output ''
}

@test "CAPWRAP_DEBUG unset, empty or 0: the shim is silent" {
	write_pair_policy
	for value in unset '' 0; do
		echo "CAPWRAP_DEBUG: '$value'"	# shown if the test fails
		if [ "$value" = unset ]; then
			run env -u CAPWRAP_DEBUG "$CAPWRAP" run --exit-with web "$T/policy"
		else
			CAPWRAP_DEBUG=$value run "$CAPWRAP" run --exit-with web "$T/policy"
		fi
		assert_success
		# The run happened (and the shim was there to be silent)...
		assert_line --regexp '^web +\| reply echo hello$'
		# ...and nothing of the shim's was written, on either stream.
		refute_output --partial 'capwrap-shim'
	done
}

@test "NOTIFY_SOCKET: READY=1 does not wait for an unprotected service's names" {
	command -v socat >/dev/null || skip "socat is not installed"
	# squat provides a name it never binds: being unprotected, it has no
	# channel to register one with, so readiness must not wait for it.
	write_policy <<EOF
service db {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.02; done; exec fx-server $U.db"
	provides @$U.db
}
service squat {
	exec sh -c "echo up; exec sleep 300"
	provides @$U.squat
	unprotected
}
EOF
	socat -u "UNIX-RECV:$T/notify.sock" - > "$T/notes" &
	MANAGER_PID=$!
	for _ in $(seq 1200); do [ -S "$T/notify.sock" ] && break; sleep 0.05; done
	NOTIFY_SOCKET="$T/notify.sock" start_topology
	wait_for "$T/out" '^squat +\| up$'
	# The protected provider has not registered yet: not ready.
	run grep -c 'READY=1' "$T/notes"
	assert_output 0
	touch "$T/go"
	wait_for "$T/notes" 'READY=1'
	wait_for "$T/out" '^db +\| listening pid='
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	wait_for "$T/notes" 'STOPPING=1'
	kill "$MANAGER_PID"
	MANAGER_PID=
	run cat "$T/notes"
	assert_line --index 0 'READY=1'
	assert_line --index 1 --regexp '^STATUS=2 services running'
}

@test "bind: EADDRINUSE leaves the socket unbound, and the same socket's bind succeeds once the name is free" {
	command -v python3 >/dev/null || skip "needs python3"
	cat > "$T/retry.py" <<'PY'
import errno, os, re, socket, sys
name, go = sys.argv[1], sys.argv[2]
addr = b'\0' + os.fsencode(name)

def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))

# What the kernel, not getsockname(), says the socket is bound to.
def kernel_address(s):
    ino = os.fstat(s.fileno()).st_ino
    with open('/proc/net/unix') as f:
        next(f)
        for line in f:
            fields = line.split()
            if int(fields[6]) == ino:
                if len(fields) < 8:
                    return 'unbound'
                if re.fullmatch('@[0-9a-f]{5}', fields[7]):
                    return 'autobind'
                return fields[7]
    return 'not listed'

first = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
first.bind(addr)
first.listen()
second = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    second.bind(addr)
    print('second bind: OK', flush=True)
except OSError as e:
    print('second bind: %s' % err(e), flush=True)
print('second after refusal: %s' % kernel_address(second), flush=True)
first.close()
try:
    second.bind(addr)
    second.listen()
    print('retry: OK', flush=True)
except OSError as e:
    print('retry: %s' % err(e), flush=True)
    sys.exit(3)
print('second after retry: %s' % kernel_address(second), flush=True)
# web dials only now, to the socket whose bind was retried.
open(go, 'w').close()
try:
    conn, _ = second.accept()
except OSError as e:
    print('accept: %s' % err(e), flush=True)
    sys.exit(3)
line = conn.makefile('rb').readline().decode().strip()
conn.sendall(('echo %s\n' % line).encode())
print('served %s' % line, flush=True)
PY
	write_policy <<EOF
service db {
	exec python3 $T/retry.py $U.db $T/go
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.02; done; exec fx-client $U.db hello"
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with db
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^db +\| second bind: EADDRINUSE$'
	assert_line --regexp '^db +\| second after refusal: unbound$'
	assert_line --regexp '^db +\| retry: OK$'
	assert_line --regexp '^db +\| second after retry: autobind$'
	assert_line --regexp '^db +\| served hello$'
	# A name in use is no policy refusal: nothing audited.
	[ ! -s "$T/audit.jsonl" ]
}

@test "check: the README's demo policy passes" {
	command -v socat >/dev/null || skip "socat is not installed"
	run "$CAPWRAP" check "$EXAMPLES/demo.policy"
	assert_success
	assert_output "$EXAMPLES/demo.policy: OK"
}

@test "a service's output line longer than a pipe takes whole is split into prefixed pieces, never cut" {
	write_policy <<EOF
service long {
	exec python3 -c "print('a' * 10000 + 'z', flush=True)"
	unprotected
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	# Every piece carries the prefix and fits one pipe write; together
	# they are the line, every byte of it.
	run awk '/^long +\| / { sub(/^long +\| /, ""); printf "%s", $0; n++ } END { print ""; print n }' "$T/out"
	assert_line --index 0 "$(printf 'a%.0s' $(seq 10000))z"
	(( ${lines[1]} >= 3 ))
	run awk 'length($0) >= 4096' "$T/out"
	assert_output ""
}
