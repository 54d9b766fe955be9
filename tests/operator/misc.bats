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

@test "a service's output line of 200 kB stays one prefixed line, every byte of it" {
	write_policy <<EOF
service long {
	exec python3 -c "print('a' * 200000 + 'z', flush=True); print('next', flush=True)"
	unprotected
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 "long | $(head -c 200000 /dev/zero | tr '\0' a)z"
	assert_line --index 1 'long | next'
}

@test "a line over 1 MiB is cut there with a marker; the rest of it is dropped, the next line kept" {
	write_policy <<EOF
service long {
	exec python3 -c "print('a' * 1048576 + 'b' * 5000, flush=True); print('next', flush=True)"
	unprotected
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 "long | $(head -c 1048576 /dev/zero | tr '\0' a) [capwrap: line cut at 1048576 bytes]"
	assert_line --index 1 'long | next'
}

@test "--timestamps: each prefixed line begins with its UTC time, RFC 3339 to the millisecond" {
	write_policy <<EOF
service one {
	exec sh -c "echo out; echo err >&2"
}
EOF
	run --separate-stderr "$CAPWRAP" run --timestamps "$T/policy"
	assert_success
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z one \| out$'
	assert_equal "${#stderr_lines[@]}" 2
	[[ ${stderr_lines[0]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\ one\ \|\ err$ ]]
	# capwrap's own lines are not a service's: no time.
	assert_equal "${stderr_lines[1]}" 'capwrap: one exited with status 0'
	# The date is today's (or, just past midnight, yesterday's) in UTC.
	[[ $output == "$(date -u +%Y-%m-%d)"* ]] || [[ $output == "$(date -u -d yesterday +%Y-%m-%d)"* ]]
}

@test "a reader that stops reading: long lines of two services stay whole and apart, what the queue cannot hold is dropped and told" {
	write_policy <<EOF
service a {
	exec python3 -c "[print(str(i) + 'a' * 300000, flush=True) for i in range(20)]"
	unprotected
}
service b {
	exec python3 -c "[print('b' * 100, flush=True) for i in range(3000)]"
	unprotected
}
EOF
	# The reader starts only once both services have said everything.
	"$CAPWRAP" run "$T/policy" 2> "$T/err" | {
		while ! grep -q '^capwrap: a exited' "$T/err" || ! grep -q '^capwrap: b exited' "$T/err"; do sleep 0.05; done
		cat
	} > "$T/out"
	assert_equal "${PIPESTATUS[0]}" 0
	# Every line whole: a's, b's, or the launcher's count of lines dropped.
	run awk '
		/^a \| [0-9]+a+$/ && match($3, /^[0-9]+/) && length($3) - RLENGTH == 300000 { next }
		/^b \| b+$/ && length($0) == 104 { next }
		/^capwrap: [0-9]+ lines of output dropped: their reader was not keeping up$/ { next }
		{ bad++ } END { print bad + 0 }' "$T/out"
	assert_output 0
	# Nothing is lost unannounced: each line is written or counted.
	kept=$(grep -cE '^(a|b) ' "$T/out")
	told=$(sed -nE 's/^capwrap: ([0-9]+) lines of output dropped.*/\1/p' "$T/out" | awk '{ n += $1 } END { print n + 0 }')
	assert_equal "$(( kept + told ))" 3020
}

@test "stdout and stderr on one slow pipe: service lines and capwrap's own stay whole, one queue for both" {
	write_policy <<EOF
service a {
	exec python3 -c "[print(str(i) + 'a' * 300000, flush=True) for i in range(20)]; open('$T/a.done', 'w')"
	unprotected
}
service b {
	exec python3 -c "import sys; [print('b' * 100, file=sys.stderr, flush=True) for i in range(3000)]; open('$T/b.done', 'w')"
	unprotected
}
EOF
	# The reader starts only once both services have said everything.
	"$CAPWRAP" run "$T/policy" 2>&1 | {
		while [ ! -e "$T/a.done" ] || [ ! -e "$T/b.done" ]; do sleep 0.05; done
		cat
	} > "$T/out"
	assert_equal "${PIPESTATUS[0]}" 0
	run awk '
		/^a \| [0-9]+a+$/ && match($3, /^[0-9]+/) && length($3) - RLENGTH == 300000 { next }
		/^b \| b+$/ && length($0) == 104 { next }
		/^capwrap: [ab] exited with status 0$/ { next }
		/^capwrap: [0-9]+ lines of output dropped: their reader was not keeping up$/ { next }
		{ bad++ } END { print bad + 0 }' "$T/out"
	assert_output 0
	kept=$(grep -cE '^(a|b) |^capwrap: [ab] exited' "$T/out")
	told=$(sed -nE 's/^capwrap: ([0-9]+) lines of output dropped.*/\1/p' "$T/out" | awk '{ n += $1 } END { print n + 0 }')
	assert_equal "$(( kept + told ))" 3022
}
