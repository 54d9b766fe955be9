#!/usr/bin/env bats
# Forged capabilities and a hostile service's attacks on its own lineage
# channel: malformed requests are dropped and change nothing, and
# capability-looking bytes anywhere but a channel reply never become one.

load attack

@test "channel garbage is dropped unanswered, forged grants are ignored, the launcher still serves" {
	attacker "$T/squatter" ax-squat "$U.bait"
	wait_for "$T/squatter" '^listening pid='
	bait=$(listening_addresses "$LAST_ATTACKER" | head -n 1)
	# The bait listens on a fixed name; the forger aims at its address.
	[ "$bait" = "$U.bait" ]
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service forger {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; cd $T && exec ax-forge $U.db $U.bait"
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/go"
	wait_for "$T/out" '^forger +\| legit: ' 60
	run cat "$T/out"
	for what in garbage truncated 'header only' oversized 'bad magic' \
	    'bad version' 'reserved set' 'name too long' \
	    'bytes past the name' 'reply as request' 'empty packet' \
	    'two reply sockets' 'pipe as reply' 'stream as reply' \
	    'claim with a reply socket'; do
		assert_line --regexp "^forger +\\| $what: no reply\$"
	done
	refute_output --partial REPLY
	# Capability-looking bytes in a packet, a file and the environment
	# gave no way to the bait: the name is not one the forger may dial.
	assert_line --regexp '^forger +\| forged: connect: EACCES$'
	[ -s "$T/forged-capability" ]
	# And the channel still works: a real dial is granted and served.
	assert_line --regexp '^forger +\| legit: reply echo legit$'
	assert_line --regexp '^db +\| served legit$'
	kill -0 "$CAPWRAP_PID"
	run cat "$T/squatter"
	refute_output --partial got
	# Malformed packets are said on stderr, not audited as refusals.
	run cat "$T/err"
	assert_output --partial 'forger: malformed channel message from pid'
	run grep -c '"service":"forger"' "$T/audit.jsonl"
	assert_output 1
	run cat "$T/audit.jsonl"
	assert_output --partial "\"name\":\"@$U.bait\""
}

@test "a registration that claims an address its socket is not bound at is refused and audited" {
	write_policy <<EOF
service forger {
	exec ax-forge --register $U.db
	provides @$U.db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with forger
	wait_topology
	run cat "$T/out"
	assert_line --regexp '^forger +\| forged registration: denied EACCES$'
	run cat "$T/audit.jsonl"
	assert_output --regexp "\"gate\":\"bind\",\"service\":\"forger\",\"name\":\"@$U.db\".*\"reason\":\"the registered socket is not bound at the address claimed\""
}
