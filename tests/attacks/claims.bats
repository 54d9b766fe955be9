#!/usr/bin/env bats
# Claims: a forked worker takes up a capability of the process it was
# forked from with one message the launcher does not answer (WIRE_CLAIM),
# and dials at once.  The provider's gate must never refuse a worker
# whose claim is still unread, and a claim must never get a process more
# than a dial of the name would (docs/SECURITY.md, "Forked workers").

load attack

@test "claims: 50 workers whose claims sit behind 200 queued requests dial at once; the gate reads every claim before it refuses: all served, nothing refused" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec ax-claim busy $U.db 50 200
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run sed -nE 's/^web +\| //p' "$T/out"
	assert_line "parent: reply echo parent"
	for ((k = 1; k <= 50; k++)); do
		assert_line "worker $k: reply echo worker $k"
	done
	# The queued requests were well-formed: the launcher answered each.
	assert_line "queued: 200 answered"
	run grep -c '^db *| served ' "$T/out"
	assert_output 51
	[ ! -s "$T/audit.jsonl" ]
	run cat "$T/err"
	refute_output --partial malformed
}

@test "claims: a service that may not dial db claims a capability to it: refused and audited, and its own connection to db's minted address is refused at db's gate" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service rogue {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.02; done; exec ax-claim forge $U.db \$(cat $T/addr)"
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with rogue
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	echo "$addr" > "$T/addr"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run sed -nE 's/^rogue +\| //p' "$T/out"
	# The kernel queues the connection; db's gate cuts it unanswered.
	assert_line "forged claim: connect: OK"
	assert_line "forged claim: EOF"
	run grep -c '^db *| served' "$T/out"
	assert_output 0
	run grep -c . "$T/audit.jsonl"
	assert_output 2
	run cat "$T/audit.jsonl"
	assert_line --regexp "\"gate\":\"connect\",\"service\":\"rogue\",\"name\":\"@$U\\.db\",.*\"reason\":\"service rogue does not dial service db\""
	assert_line --regexp "\"gate\":\"accept\",\"service\":\"db\",\"name\":\"@$U\\.db\",.*\"reason\":\"pid [0-9]+ holds no capability to service db\""
}
