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

# wait_exit SECONDS: waits for the topology to exit by itself, its status
# in $TOPOLOGY_STATUS.  One still running then (it restarts what it should
# not, or waits out a grace it should not) is killed, and the test fails.
wait_exit() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		kill -0 "$CAPWRAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$CAPWRAP_PID" 2>/dev/null; then
		kill -KILL "$CAPWRAP_PID"
		wait "$CAPWRAP_PID" || true
		CAPWRAP_PID=
		fail "capwrap still running after $1 s"
	fi
	wait_topology
}

@test "restart on-failure: a service killed by a signal is restarted" {
	write_policy <<EOF
service flaky {
	exec sh -c "echo start; [ -e $T/again ] && exit 0; touch $T/again; kill -USR1 \$\$"
	restart on-failure
}
EOF
	run --separate-stderr "$CAPWRAP" run "$T/policy"
	assert_success
	assert_output 'flaky | start
flaky | start'
	assert_equal "${stderr_lines[0]}" 'capwrap: flaky killed by signal 10 (User defined signal 1)'
	assert_equal "${stderr_lines[1]}" 'capwrap: flaky: restarting in 100 ms'
	assert_equal "${stderr_lines[2]}" 'capwrap: flaky exited with status 0'
	assert_equal "${#stderr_lines[@]}" 3
}

@test "no restart while capwrap is stopping, though the service says restart always" {
	write_policy <<EOF
service keeper {
	exec sh -c "echo start; exec sleep 300"
	restart always
}
EOF
	start_topology
	wait_for "$T/out" '^keeper +\| start$'
	kill -TERM "$CAPWRAP_PID"
	wait_exit 20
	assert_equal "$TOPOLOGY_STATUS" 143
	run cat "$T/err"
	assert_output "capwrap: Terminated: stopping all services
capwrap: keeper killed by signal 15 (Terminated)"
	run grep -c 'start' "$T/out"
	assert_output 1
}

@test "no restart for the --exit-with service, though it says restart always" {
	write_policy <<EOF
service job {
	exec sh -c "echo start; exit 5"
	restart always
}
service idle {
	exec sleep 300
}
EOF
	start_topology --exit-with job
	wait_exit 20
	assert_equal "$TOPOLOGY_STATUS" 5
	run cat "$T/out"
	assert_output 'job  | start'
	run cat "$T/err"
	assert_output 'capwrap: job exited with status 5
capwrap: idle killed by signal 15 (Terminated)'
}

# Not tested: the 30 s cap on the restart delay, and its reset to 100 ms
# after a run of 10 s or more; each takes tens of seconds of real time.

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

# A service that reports each SIGTERM and SIGHUP it gets, and then exits
# (or, with "stay", goes on).  Its stderr goes nowhere: the shell reports
# there the sleeps the signals end.
write_reporter() {
	cat > "$T/reporter.sh" <<'EOF'
exec 2> /dev/null
trap 'echo got TERM; [ "$1" = stay ] || exit 0' TERM
trap 'echo got HUP; exit 0' HUP
echo ready
while :; do sleep 300 & wait $!; done
EOF
}

@test "SIGINT stops the run as SIGTERM does: each service gets SIGTERM, exit 130" {
	write_reporter
	write_policy <<EOF
service one {
	exec sh $T/reporter.sh
}
service two {
	exec sh $T/reporter.sh
}
EOF
	start_topology
	wait_for "$T/out" '^one +\| ready$'
	wait_for "$T/out" '^two +\| ready$'
	kill -INT "$CAPWRAP_PID"
	wait_exit 20
	assert_equal "$TOPOLOGY_STATUS" 130
	run cat "$T/out"
	assert_line 'one | got TERM'
	assert_line 'two | got TERM'
	refute_line --partial 'got HUP'
	run cat "$T/err"
	assert_line --index 0 'capwrap: Interrupt: stopping all services'
	assert_line 'capwrap: one exited with status 0'
	assert_line 'capwrap: two exited with status 0'
	assert_equal "${#lines[@]}" 3
}

@test "a service that ignores SIGTERM gets SIGKILL once --grace is over" {
	write_reporter
	write_policy <<EOF
service stubborn {
	exec sh $T/reporter.sh stay
}
EOF
	start_topology --grace 2
	wait_for "$T/out" '^stubborn +\| ready$'
	t0=$(date +%s%N)
	kill -TERM "$CAPWRAP_PID"
	wait_exit 30
	t1=$(date +%s%N)
	assert_equal "$TOPOLOGY_STATUS" 143
	run cat "$T/out"
	assert_line 'stubborn | got TERM'
	run cat "$T/err"
	assert_output "capwrap: Terminated: stopping all services
capwrap: stubborn killed by signal 9 (Killed)"
	# Not before the grace period: a lower bound only, which load cannot break.
	elapsed_ms=$(( (t1 - t0) / 1000000 ))
	[ "$elapsed_ms" -ge 2000 ] || fail "killed after $elapsed_ms ms, before --grace 2"
}

@test "a second stop signal a second or more after the first sends SIGKILL at once, without waiting out --grace" {
	write_reporter
	write_policy <<EOF
service stubborn {
	exec sh $T/reporter.sh stay
}
EOF
	start_topology --grace 3600
	wait_for "$T/out" '^stubborn +\| ready$'
	kill -TERM "$CAPWRAP_PID"
	wait_for "$T/out" '^stubborn +\| got TERM$'
	wait_for "$T/err" 'stopping all services'
	# The one-second rule is what is tested: this wait is its subject.
	sleep 1.1
	kill -TERM "$CAPWRAP_PID"
	# Without the SIGKILL, the run would last the whole hour of grace.
	wait_exit 30
	assert_equal "$TOPOLOGY_STATUS" 143
	run cat "$T/err"
	assert_output "capwrap: Terminated: stopping all services
capwrap: Terminated again: killing all services
capwrap: stubborn killed by signal 9 (Killed)"
}

@test "while stopping, a child that outlives its main process is waited for and killed, without a daemon notice" {
	# The child ignores SIGTERM, so it is certain to outlive the main
	# process, which exits on it.  Their stderr goes nowhere: the shell
	# reports there the sleep the signal ends.
	write_policy <<EOF
service parent {
	exec sh -c "exec 2> /dev/null; (trap '' TERM; exec sh -c 'echo child \$\$; exec sleep 300') & trap 'exit 0' TERM; echo ready; while :; do sleep 300 & wait \$!; done"
}
EOF
	start_topology --grace 2
	wait_for "$T/out" '^parent +\| ready$'
	wait_for "$T/out" '^parent +\| child [0-9]+$'
	child=$(sed -nE 's/^parent +\| child ([0-9]+)$/\1/p' "$T/out")
	kill -TERM "$CAPWRAP_PID"
	wait_exit 30
	assert_equal "$TOPOLOGY_STATUS" 143
	run kill -0 "$child"
	assert_failure
	run cat "$T/err"
	assert_output "capwrap: Terminated: stopping all services
capwrap: parent exited with status 0"
}

@test "a service's standard input is /dev/null" {
	write_policy <<EOF
service reader {
	exec sh -c "readlink /proc/self/fd/0; stat -L -c %t:%T /proc/self/fd/0; cat; echo eof"
}
EOF
	# capwrap's own input has something to read: the service must not see it.
	run --separate-stderr "$CAPWRAP" run "$T/policy" <<< "typed at capwrap"
	assert_success
	assert_output 'reader | /dev/null
reader | 1:3
reader | eof'
}

# A datagram socket standing in for the service manager's.
start_manager() {
	socat -u "UNIX-RECV:$T/notify.sock" - > "$T/notes" &
	MANAGER_PID=$!
	BACKGROUND_PIDS+=" $MANAGER_PID"
	for _ in $(seq 1200); do [ -S "$T/notify.sock" ] && return; sleep 0.05; done
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
	# READY came after the provider registered, not before: db's socket
	# already holds its minted address (bound before it is registered).
	# Not its "listening" line, which may still be on its way through
	# the launcher's pipe when READY is read.
	db=$(pgrep -P "$CAPWRAP_PID" -f "^fx-server $U\.db\$") || fail "db does not run fx-server yet"
	run listening_addresses "$db"
	assert_output --regexp '^[0-9a-f]{5}$'
	# web's line comes in its own time, READY or not.
	wait_for "$T/out" '^web +\| env='
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
	BACKGROUND_PIDS+=" $MANAGER_PID"
	for _ in $(seq 1200); do name_is_bound "$U.notify" && break; sleep 0.05; done
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

# run_with_dev_log CAPWRAP-RUN-ARGS...: runs $T/policy with a /dev/log of
# our own, in a private mount namespace, until the cron service has
# finished; what reached syslog lands in $T/syslog.
run_with_dev_log() {
	cat > "$T/inner.sh" <<EOF
socat -u UNIX-RECV:$T/log.sock - > $T/syslog &
m=\$!
while [ ! -S $T/log.sock ]; do sleep 0.05; done
[ -e /dev/log ] || touch /dev/log
mount --bind $T/log.sock /dev/log
"$CAPWRAP" run $* --exit-with cron $T/policy > $T/out 2> $T/err
for i in \$(seq 1200); do grep -q deny $T/syslog && break; sleep 0.05; done
kill \$m
EOF
	timeout 120 unshare -m --propagation private sh "$T/inner.sh"
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
	run_with_dev_log --syslog
	# <85> is LOG_AUTHPRIV (10 << 3) | LOG_NOTICE (5).
	run cat "$T/syslog"
	assert_output --regexp '^<85>'
	assert_output --partial '"gate":"connect","service":"cron"'
}

@test "the policy's syslog directive sends each refusal to syslog without --syslog" {
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
syslog
EOF
	run_with_dev_log
	run cat "$T/out"
	assert_line --regexp '^cron +\| connect: EACCES$'
	run cat "$T/syslog"
	assert_output --regexp '^<85>'
	assert_output --partial "\"gate\":\"connect\",\"service\":\"cron\",\"name\":\"@$U.db\""
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

@test "restart on-failure: a crash loop fails after 5 starts within 10 s (the default); alone, the run ends with exit 1" {
	write_policy <<EOF
service flaky {
	exec sh -c "echo start; exit 3"
	restart on-failure
}
EOF
	run --separate-stderr "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_equal "$(grep -c '^flaky | start$' <<< "$output")" 5
	assert_equal "$stderr" "capwrap: flaky exited with status 3
capwrap: flaky: restarting in 100 ms
capwrap: flaky exited with status 3
capwrap: flaky: restarting in 200 ms
capwrap: flaky exited with status 3
capwrap: flaky: restarting in 400 ms
capwrap: flaky exited with status 3
capwrap: flaky: restarting in 800 ms
capwrap: flaky exited with status 3
capwrap: flaky: failed: started 5 times within 10 s, not restarted again"
}

@test "restart always N Ss: a service that keeps exiting 0 fails too, and the run exits 1" {
	write_policy <<EOF
service quick {
	exec sh -c "echo start"
	restart always 2 3600s
}
EOF
	run --separate-stderr "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_equal "$(grep -c '^quick | start$' <<< "$output")" 2
	assert_equal "$stderr" "capwrap: quick exited with status 0
capwrap: quick: restarting in 100 ms
capwrap: quick exited with status 0
capwrap: quick: failed: started 2 times within 3600 s, not restarted again"
}

@test "a failed service leaves the others running without --exit-on-failed" {
	write_reporter
	write_policy <<EOF
service flaky {
	exec sh -c "exit 3"
	restart on-failure 2 3600s
}
service stay {
	exec sh $T/reporter.sh
}
EOF
	start_topology
	wait_for "$T/err" '^capwrap: flaky: failed: started 2 times within 3600 s, not restarted again$'
	wait_for "$T/out" '^stay +\| ready$'
	run kill -0 "$CAPWRAP_PID"
	assert_success
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 143
	run cat "$T/out"
	assert_line --regexp '^stay +\| got TERM$'
}

@test "--exit-on-failed: a service over its start limit stops the run, which exits 1" {
	write_reporter
	write_policy <<EOF
service flaky {
	exec sh -c "[ -e $T/up ] && exit 3; exec sleep 300"
	restart on-failure 2 3600s
}
service stay {
	exec sh $T/reporter.sh
}
EOF
	start_topology --exit-on-failed
	wait_for "$T/out" '^stay +\| ready$'
	touch "$T/up"
	pkill -TERM -P "$CAPWRAP_PID" -x sleep
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 1
	run cat "$T/out"
	assert_line --regexp '^stay +\| got TERM$'
	run cat "$T/err"
	assert_line 'capwrap: flaky: failed: started 2 times within 3600 s, not restarted again'
	assert_line --regexp '^capwrap: stay exited with status 0$'
}

@test "NOTIFY_SOCKET: STATUS counts the services running, not those declared, and those failed" {
	command -v socat >/dev/null || skip "socat is not installed"
	write_policy <<EOF
service once {
	exec true
}
service db {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-server $U.db"
	provides @$U.db
}
service flaky {
	exec sh -c "[ -e $T/crash ] || exec sleep 300; exit 3"
	restart on-failure 1 3600s
}
service late {
	exec sh -c "while [ ! -e $T/end ]; do sleep 0.05; done"
}
EOF
	start_manager
	NOTIFY_SOCKET="$T/notify.sock" start_topology
	wait_for "$T/err" '^capwrap: once exited with status 0$'
	touch "$T/go"
	wait_for "$T/notes" '^STATUS='
	touch "$T/crash"
	pkill -TERM -P "$CAPWRAP_PID" -x sleep
	wait_for "$T/notes" 'failed'
	touch "$T/end"
	wait_for "$T/err" '^capwrap: late exited with status 0$'
	wait_for "$T/notes" '^STATUS=1 service running'
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	wait_for "$T/notes" 'STOPPING=1'
	kill "$MANAGER_PID"
	run cat "$T/notes"
	assert_line --index 0 'READY=1'
	assert_line --index 1 'STATUS=3 services running'
	assert_line --index 2 'STATUS=2 services running, 1 failed'
	assert_line --index 3 'STATUS=1 service running, 1 failed'
	assert_line --index 4 'STOPPING=1'
}
