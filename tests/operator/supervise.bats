#!/usr/bin/env bats
# Supervision: restarts with backoff and fresh registrations, daemons that
# outlive their main process, readiness for a service manager, the syslog
# sink, and coloured prefixes.

load operator

@test "restart on-failure: restarted with growing delays, not after success" {
	write_policy <<EOF
service flaky {
	exec sh -c "echo start; [ -e $T/fixed ] || exit 3"
	restart on-failure
}
EOF
	start_topology
	wait_for "$T/err" 'restarting in 400 ms'
	touch "$T/fixed"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/err"
	assert_line --index 0 'capwrap: flaky exited with status 3'
	assert_line --index 1 'capwrap: flaky: restarting in 100 ms'
	assert_line --index 3 'capwrap: flaky: restarting in 200 ms'
	assert_line --index 5 'capwrap: flaky: restarting in 400 ms'
	assert_line --index "$(( ${#lines[@]} - 1 ))" 'capwrap: flaky exited with status 0'
}

@test "restart no (the default): a failed service stays down" {
	write_policy <<EOF
service once {
	exec sh -c "echo start; exit 3"
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	refute_line --partial 'restarting'
	[ "$(grep -c 'once .*| start' <<< "$output")" -eq 1 ]
}

@test "restart always: the new instance registers anew, clients reach it through a fresh check" {
	write_policy <<EOF
service db {
	exec fx-server -n 1 $U.db
	provides @$U.db
	restart always
}
service web {
	exec sh -c "fx-client $U.db one && until fx-client $U.db two; do sleep 0.1; done"
	dials db
}
audit audit.jsonl
EOF
	# A dial that lands while the old instance is still on its way out
	# meets a listener that will never answer, as it would without
	# capwrap: the client tries again, as clients of a restarting
	# service do, and reaches the new instance.
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^db +\| served one$'
	assert_line --regexp '^db +\| served two$'
	assert_line --regexp '^web +\| reply echo two$'
	# Two instances, two pids: the second dial went to the new one.
	first=$(sed -nE 's/^db +\| listening pid=([0-9]+).*/\1/p' "$T/out" | sed -n 1p)
	second=$(sed -nE 's/^db +\| listening pid=([0-9]+).*/\1/p' "$T/out" | sed -n 2p)
	assert [ -n "$first" ]
	assert [ -n "$second" ]
	assert_not_equal "$first" "$second"
	run cat "$T/err"
	assert_line 'capwrap: db: restarting in 100 ms'
	# Nobody was refused at db's gate; at most a dial that met the old
	# instance exiting was refused by the client's own check.
	run grep -c '"gate":"accept"' "$T/audit.jsonl"
	assert_output 0
}

@test "a daemon that double-forks keeps its service running until it exits" {
	write_policy <<EOF
service daemon {
	exec sh -c "setsid sh -c 'echo daemon \$\$; exec sleep 300' & exit 0"
}
EOF
	start_topology
	wait_for "$T/err" 'holds the service.s channel after its main process exited'
	wait_for "$T/out" 'daemon [0-9]+'
	pid=$(sed -nE 's/^daemon +\| daemon ([0-9]+)$/\1/p' "$T/out")
	[ -n "$pid" ]
	# The main process is gone, but the topology is not finished.
	kill -0 "$CAPWRAP_PID"
	run cat "$T/err"
	assert_line "capwrap: daemon: pid $pid holds the service's channel after its main process exited; the service runs until it exits"
	refute_line --partial 'daemon exited'
	kill -TERM "$pid"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/err"
	assert_line 'capwrap: daemon exited with status 0'
}

@test "at shutdown the daemon is signalled too, though it left the process group" {
	write_policy <<EOF
service daemon {
	exec sh -c "setsid sh -c 'echo daemon \$\$; exec sleep 300' & exit 0"
}
EOF
	start_topology
	wait_for "$T/err" 'holds the service.s channel'
	wait_for "$T/out" 'daemon [0-9]+'
	pid=$(sed -nE 's/^daemon +\| daemon ([0-9]+)$/\1/p' "$T/out")
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 143
	run kill -0 "$pid"
	assert_failure
}

# A datagram socket standing in for the service manager's.
start_manager() {
	socat -u "UNIX-RECV:$T/notify.sock" - > "$T/notes" &
	MANAGER_PID=$!
	for _ in $(seq 200); do [ -S "$T/notify.sock" ] && return; sleep 0.05; done
	return 1
}

@test "NOTIFY_SOCKET: READY=1 once every provider registered, STOPPING=1 at the end" {
	command -v socat >/dev/null || skip "socat is not installed"
	write_policy <<EOF
service db {
	exec sh -c "sleep 0.2; exec fx-server $U.db"
	provides @$U.db
}
service web {
	exec sh -c "echo env=\$NOTIFY_SOCKET; exec sleep 300"
}
EOF
	start_manager
	NOTIFY_SOCKET="$T/notify.sock" start_topology
	wait_for "$T/notes" 'READY=1'
	# READY came after the provider registered, not before.
	grep -q 'listening pid=' "$T/out"
	run cat "$T/out"
	assert_line --regexp '^web +\| env=$'
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	wait_for "$T/notes" 'STOPPING=1'
	kill "$MANAGER_PID"
	run cat "$T/notes"
	assert_line --index 0 'READY=1'
	assert_line --index 1 --regexp '^STATUS=2 services running'
}

@test "NOTIFY_SOCKET may be an abstract name" {
	command -v socat >/dev/null || skip "socat is not installed"
	write_policy <<EOF
service idle {
	exec sleep 300
}
EOF
	socat -u "ABSTRACT-RECV:$U.notify" - > "$T/notes" &
	MANAGER_PID=$!
	for _ in $(seq 200); do name_is_bound "$U.notify" && break; sleep 0.05; done
	NOTIFY_SOCKET="@$U.notify" start_topology
	wait_for "$T/notes" 'READY=1'
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	kill "$MANAGER_PID"
}

@test "a NOTIFY_SOCKET that is not a socket address is reported and run goes on" {
	write_policy <<EOF
service once {
	exec true
}
EOF
	NOTIFY_SOCKET=relative/path run "$CAPWRAP" run "$T/policy"
	assert_success
	assert_line 'capwrap: NOTIFY_SOCKET relative/path: not an absolute path or @abstract name that fits a socket address'
}

@test "--syslog sends each refusal to syslog with LOG_AUTHPRIV" {
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null || skip "needs root and unshare"
	command -v socat >/dev/null || skip "socat is not installed"
	write_policy <<EOF
service cron {
	exec fx-client $U.db hi
}
service db {
	exec fx-server $U.db
	provides @$U.db
}
EOF
	# A /dev/log of our own, in a private mount namespace.
	cat > "$T/inner.sh" <<EOF
socat -u UNIX-RECV:$T/log.sock - > $T/syslog &
m=\$!
while [ ! -S $T/log.sock ]; do sleep 0.05; done
[ -e /dev/log ] || touch /dev/log
mount --bind $T/log.sock /dev/log
"$CAPWRAP" run --syslog --exit-with cron $T/policy > $T/out 2> $T/err
while ! grep -q deny $T/syslog; do sleep 0.05; done
kill \$m
EOF
	timeout 30 unshare -m --propagation private sh "$T/inner.sh"
	# <85> is LOG_AUTHPRIV (10 << 3) | LOG_NOTICE (5).
	run cat "$T/syslog"
	assert_output --regexp '^<85>'
	assert_output --partial '"gate":"connect","service":"cron"'
}

@test "service output is prefixed, coloured on a terminal, plain with NO_COLOR" {
	command -v script >/dev/null || skip "script is not installed"
	write_policy <<EOF
service hello {
	exec echo hi
}
EOF
	TERM=xterm script -qec "'$CAPWRAP' run '$T/policy'" /dev/null > "$T/tty"
	grep -q $'\033\\[36mhello |\033\\[0m hi' "$T/tty"
	NO_COLOR=1 TERM=xterm script -qec "'$CAPWRAP' run '$T/policy'" /dev/null > "$T/tty"
	grep -q '^hello | hi' "$T/tty"
	run grep -c $'\033' "$T/tty"
	assert_output 0
	# Not a terminal: plain.
	run "$CAPWRAP" run "$T/policy"
	assert_line 'hello | hi'
}
