#!/usr/bin/env bats
# Threads: many threads dialing and accepting at once, and a thread that
# forks while others are inside the shim's calls.  Both run under
# timeout(1): a deadlock is a failure, not a hung suite.

load habits

@test "threads: 8 threads x 50 dials against an 8-thread server are all served" {
	write_policy <<EOF
service db {
	exec hx-threads server $U.db 8
	provides @$U.db
}
service web {
	exec timeout 60 hx-threads client $U.db 8 50
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	run service_lines web
	assert_line "dialed 400 ok 400 refused 0 other 0"
	assert_equal "$TOPOLOGY_STATUS" 0
	[ ! -s "$T/audit.jsonl" ]
}

@test "threads: forking while other threads are inside shim calls never deadlocks the child" {
	write_policy <<EOF
service db {
	exec hx-threads server $U.db 4
	provides @$U.db
}
service web {
	exec timeout 60 hx-threads forkstorm $U.db $U.nope 4 40
	dials db
}
EOF
	start_topology --exit-with web
	wait_topology
	run service_lines web
	assert_line "forks 40 ok 40"
	assert_equal "$TOPOLOGY_STATUS" 0
}
