#!/usr/bin/env bats
# Prefork servers: listen() once, then fork workers that all accept() on
# the inherited listener.  The capability names the pid that called
# listen(); every worker's accept gate still admits the dialers.

load habits

@test "prefork: workers forked after listen() serve every dialer, several workers answer" {
	write_policy <<EOF
service db {
	exec timeout 60 hx-prefork $U.db 4 3
	provides @$U.db
}
service web {
	exec sh -c "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do fx-client $U.db hello\$i & done; wait"
	dials db
}
audit $T/audit.jsonl
EOF
	# Both exit on their own: no --exit-with, whose stop could cut the
	# other service short before it printed its last line.
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines db
	assert_line "workers done, 0 failed"
	parent=$(listener_pid db)
	# Every one of the twelve dialers got its own answer.
	run service_lines web
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		assert_line --regexp "^reply echo hello$i by [0-9]+$"
	done
	# Each worker serves three, so all four answered; none is the parent.
	workers=$(service_lines db | sed -nE 's/^served hello[0-9]+ by ([0-9]+)$/\1/p' | sort -u)
	assert_equal "$(echo "$workers" | wc -l)" 4
	run grep -x "$parent" <<< "$workers"
	assert_failure
	[ ! -s "$T/audit.jsonl" ]
}

@test "prefork: an outsider dialing the minted address is refused by whichever worker accepts it" {
	write_policy <<EOF
service db {
	exec hx-prefork $U.db 3 1
	provides @$U.db
}
service web {
	exec $(after go "fx-client $U.db friend")
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	outsider "$addr" "$T/outsider" &
	wait $! || true
	run cat "$T/outsider"
	assert_line connected
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	refute_output --partial reply
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run service_lines web
	assert_line --regexp '^reply echo friend by [0-9]+$'
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run cat "$T/audit.jsonl"
	assert_output --partial '"service":"db"'
	assert_output --partial "holds no capability to service db"
	assert_equal "$(grep -c . "$T/audit.jsonl")" 1
}
