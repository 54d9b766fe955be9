#!/usr/bin/env bats
# The core path: a policy, two unmodified programs meeting through a
# capability, and the refusals the gates make.

load helpers

@test "a wrapped client reaches a wrapped server through the fixed name" {
	write_policy <<EOF
service db {
	exec fx-server -n 1 $U.db
	provides @$U.db
}
service web {
	exec fx-client $U.db hello
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	assert_line --regexp '^db +\| served hello$'
	# Nothing was refused, so nothing was audited.
	[ ! -s "$T/audit.jsonl" ]
}

@test "the fixed name is never bound: the provider holds an autobind address" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
EOF
	start_topology
	wait_for "$T/out" 'listening pid='
	pid=$(listener_pid db)
	run listening_addresses "$pid"
	assert_success
	assert_output --regexp '^[0-9a-f]{5}$'
	run name_is_bound "$U.db"
	assert_failure
}
