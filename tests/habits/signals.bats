#!/usr/bin/env bats
# Signals: a SIGALRM handler without SA_RESTART fires every millisecond
# while a server accepts and a client dials, binds and is refused.  No
# connection is lost, and EINTR only ever comes from a call that did not
# complete.

load habits

@test "signals: 1 ms SIGALRM without SA_RESTART loses no connection and never returns EINTR after success" {
	write_policy <<EOF
service db {
	exec $(after go "timeout 60 hx-signals server $U.db 1000")
	provides @$U.db
	dials web # a dial cycle starts together: web before db registers
}
service web {
	exec timeout 60 hx-signals client $U.db $U.nope 1000
	dials db
}
EOF
	# Both exit on their own: no --exit-with, whose stop could cut the
	# other service short before it printed its last line.
	start_topology
	# The client dials before the server exists: its first connect()
	# waits for the provider, inside the round trip, under the alarms.
	wait_for "$T/out" '^web +\| dialing$'
	touch "$T/go"
	wait_for "$T/out" '^web +\| dialed ' 60
	wait_topology
	run cat "$T/out"
	refute_output --partial FAIL
	assert_line --regexp '^web +\| dialed 1000 ok 1000 \(connect EINTR [0-9]+, alarms [0-9]+\)$'
	assert_line --regexp '^db +\| served 1000 \(accept EINTR [0-9]+, alarms [0-9]+\)$'
	assert_equal "$TOPOLOGY_STATUS" 0
}
