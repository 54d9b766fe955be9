#!/usr/bin/env bats
# Clients that fork: a child inherits the lineage channel and dials as its
# service; parent and child asking the launcher at once never get each
# other's answers, and the launcher sees which of them asked.

load habits

@test "fork: a forked child dials as its service; parent and child dial concurrently without crossed replies" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service other {
	exec fx-server $U.other
	provides @$U.other
}
service web {
	exec timeout 60 hx-forkdial $U.db $U.other 20
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	refute_output --partial FAIL
	assert_line "child dialed"
	assert_line "all done: ok"
	pids=$(service_lines web | sed -nE 's/^([0-9]+) rounds 20 ok$/\1/p')
	assert_equal "$(echo "$pids" | wc -l)" 2
	# The server admitted the child on its own credentials.
	run service_lines db
	assert_line --regexp '^served child [0-9]+$'
	# Every refusal (a dial and a bind of @other a round) is audited
	# under the pid that made it: 40 for each process.
	# (Repeats are summarised: audit_total adds up the counts.)
	for pid in $pids; do
		assert_equal "$(audit_total "\"pid\":$pid,")" 40
		assert_equal "$(audit_total "\"gate\":\"bind\".*\"pid\":$pid,")" 20
	done
	assert_equal "$(audit_total .)" 80
}
