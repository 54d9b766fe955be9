#!/usr/bin/env bats
# The signals of `capwrap run`: a stop asked twice at once is one stop;
# every signal that would end the launcher by default is either an
# orderly stop or ignored with a line, never a silent end.

load operator

# A service that says when it is ready and when it gets SIGTERM, and on
# SIGTERM exits only once $T/go exists (or at once, given "quit").
write_trapper() {
	cat > "$T/trapper.sh" <<'EOF'
exec 2> /dev/null
trap 'echo got TERM; [ "$1" = quit ] && exit 0; while [ ! -e "$2" ]; do sleep 0.05; done; echo leaving; exit 0' TERM
echo ready
while :; do sleep 300 & wait $!; done
EOF
}

@test "two SIGTERMs at once (as timeout(1) sends them) are one stop: the services get their grace period" {
	write_trapper
	write_policy <<EOF
service slow {
	exec sh $T/trapper.sh wait $T/go
}
EOF
	start_topology --grace 3600
	wait_for "$T/out" '^slow +\| ready$'
	# One kill(1), two signals: the second comes well within a second.
	kill -TERM "$CAPWRAP_PID" "$CAPWRAP_PID"
	wait_for "$T/out" '^slow +\| got TERM$'
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 143
	run cat "$T/out"
	assert_line 'slow | leaving'
	run cat "$T/err"
	assert_output "capwrap: Terminated: stopping all services
capwrap: slow exited with status 0"
}

@test "SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPIPE, SIGXFSZ, SIGSTKFLT and real-time signals are ignored, each with a line" {
	write_trapper
	write_policy <<EOF
service one {
	exec sh $T/trapper.sh quit
}
EOF
	start_topology
	wait_for "$T/out" '^one +\| ready$'
	for sig in USR1 USR2 ALRM VTALRM PROF IO XFSZ STKFLT RTMIN RTMAX; do
		kill -s "$sig" "$CAPWRAP_PID"
		n=$(kill -l "$sig")
		wait_for "$T/err" "^capwrap: signal $n \\(.*\\) ignored$"
	done
	# SIGPIPE is ignored without a word: EPIPE tells where it matters.
	kill -PIPE "$CAPWRAP_PID"
	run kill -0 "$CAPWRAP_PID"
	assert_success
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 143
	run cat "$T/err"
	assert_output "capwrap: signal 10 (User defined signal 1) ignored
capwrap: signal 12 (User defined signal 2) ignored
capwrap: signal 14 (Alarm clock) ignored
capwrap: signal 26 (Virtual timer expired) ignored
capwrap: signal 27 (Profiling timer expired) ignored
capwrap: signal 29 (I/O possible) ignored
capwrap: signal 25 (File size limit exceeded) ignored
capwrap: signal 16 (Stack fault) ignored
capwrap: signal $(kill -l RTMIN) (Real-time signal 0) ignored
capwrap: signal $(kill -l RTMAX) (Real-time signal $(( $(kill -l RTMAX) - $(kill -l RTMIN) ))) ignored
capwrap: Terminated: stopping all services
capwrap: one exited with status 0"
	run cat "$T/out"
	assert_output 'one | ready
one | got TERM'
}

@test "SIGUSR1 leaves no daemon behind: the launcher and a daemonized child both keep running" {
	write_policy <<EOF
service d {
	exec sh -c "setsid sh -c 'echo daemon \$\$; exec sleep 300' & wait"
}
EOF
	start_topology
	wait_for "$T/out" '^d +\| daemon [0-9]+$'
	daemon=$(sed -nE 's/^d +\| daemon ([0-9]+)$/\1/p' "$T/out")
	kill -USR1 "$CAPWRAP_PID"
	wait_for "$T/err" '^capwrap: signal 10 \(User defined signal 1\) ignored$'
	run kill -0 "$CAPWRAP_PID"
	assert_success
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 143
	# The stop reached the daemon too.
	run kill -0 "$daemon"
	assert_failure
}

@test "SIGQUIT, SIGPWR and SIGXCPU stop the run in order, as SIGTERM does: exit 128+N" {
	write_trapper
	write_policy <<EOF
service one {
	exec sh $T/trapper.sh quit
}
EOF
	declare -A name=([QUIT]=Quit [PWR]='Power failure' [XCPU]='CPU time limit exceeded')
	for sig in QUIT PWR XCPU; do
		# Emptied here, not by the background start, which may open them
		# only after wait_for has read the last round's "ready".
		: > "$T/err"
		: > "$T/out"
		start_topology
		wait_for "$T/out" '^one +\| ready$'
		kill -s "$sig" "$CAPWRAP_PID"
		wait_topology
		n=$(kill -l "$sig")
		assert_equal "$TOPOLOGY_STATUS" "$(( 128 + n ))"
		run cat "$T/out"
		assert_output 'one | ready
one | got TERM'
		run cat "$T/err"
		assert_output "capwrap: ${name[$sig]}: stopping all services
capwrap: one exited with status 0"
	done
}
