#!/usr/bin/env bats
# Claims: a forked worker takes up a capability of the process it was
# forked from with one message the launcher does not answer (WIRE_CLAIM),
# and dials at once.  The message goes to the service's claim queue,
# which the launcher reads only before a provider's gate would refuse,
# or to the channel where the queue is full or gone.  The provider's gate must never refuse a worker
# whose claim is still unread, and a claim must never get a process more
# than a dial of the name would (docs/SECURITY.md, "Forked workers").

load attack

# web_dials_db [--cache] ARG...: the policy of most tests here: db, web
# running `ax-claim ARG...` and dialing db, the audit; with --cache, a
# second provider, cache, that web may not dial.
web_dials_db() {
	local cache=
	if [[ $1 == --cache ]]; then
		cache=$'service cache {\n\texec fx-server '"$U.cache"$'\n\tprovides @'"$U.cache"$'\n}\n'
		shift
	fi
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
${cache}service web {
	exec ax-claim $*
	dials db
}
audit $T/audit.jsonl
EOF
}

# rogue_forges: run the topology, hand rogue db's minted address once db
# listens, and wait for rogue's end.
rogue_forges() {
	start_topology --exit-with rogue
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	echo "$addr" > "$T/addr"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
}

@test "claims: with the claim queue full, 50 workers claim on the channel behind 200 queued requests and dial at once; the gate reads every claim before it refuses: all served, nothing refused" {
	web_dials_db busy $U.db 50 200
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run sed -nE 's/^web +\| //p' "$T/out"
	assert_line "parent: reply echo parent"
	assert_line "claim queue: full"
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
	rogue_forges
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

@test "claims: a worker's claim waits unread on the claim queue while its provider is stopped, and is read when the provider's gate asks: served, nothing refused" {
	web_dials_db queue $U.db $T/fork $T/go
	start_topology --exit-with web
	wait_for "$T/out" '^web +\| claim queue: found'
	db=$(listener_pid db)
	[ -n "$db" ]
	kill -STOP "$db"
	touch "$T/fork"
	wait_for "$T/out" '^web +\| claim queue: (holds|empty)'
	kill -CONT "$db"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "parent: reply echo parent"
	# Nothing read the claim while no gate asked: no one was woken.
	assert_line --index 2 "claim queue: holds the worker's claim"
	assert_line "worker: reply echo worker"
	assert_line --index 4 "claim queue: empty"
	[ ! -s "$T/audit.jsonl" ]
}

@test "claims: a program that dup2s its own socket onto the claim queue's number never gets a claim there; its worker claims on the channel and is served" {
	web_dials_db taken $U.db
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "parent: reply echo parent"
	assert_line "worker: reply echo worker"
	assert_line "own socket: EAGAIN"
	[ ! -s "$T/audit.jsonl" ]
}

@test "claims: a dial and bytes that are no message sent on the claim queue are dropped unanswered, each said once; the launcher serves the next worker" {
	web_dials_db junk $U.db
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "worker: reply echo worker"
	assert_line "junk dial: EOF"
	run grep -c "capwrap: web: malformed claim queue message from pid [0-9]* dropped" "$T/err"
	assert_output 2
	[ ! -s "$T/audit.jsonl" ]
}

@test "claims: a claim queued for a name the service may not dial is refused and audited when the queue is read, and its connection to the minted address is refused at the provider's gate" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service cache {
	exec fx-server $U.cache
	provides @$U.cache
}
service rogue {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.02; done; exec ax-claim forgeq $U.cache $U.db \$(cat $T/addr)"
	dials cache
}
audit $T/audit.jsonl
EOF
	rogue_forges
	run service_lines rogue
	assert_line "parent: reply echo parent"
	assert_line "worker: reply echo worker"
	assert_line "forged claim: connect: OK"
	assert_line "forged claim: EOF"
	run grep -c '^db *| served' "$T/out"
	assert_output 0
	run cat "$T/audit.jsonl"
	assert_line --regexp "\"gate\":\"connect\",\"service\":\"rogue\",\"name\":\"@$U\\.db\",.*\"reason\":\"service rogue does not dial service db\""
	assert_line --regexp "\"gate\":\"accept\",\"service\":\"db\",\"name\":\"@$U\\.db\",.*\"reason\":\"pid [0-9]+ holds no capability to service db\""
	run grep -c . "$T/audit.jsonl"
	assert_output 2
}

@test "claims: a worker whose claim sits behind 3000 others on its claim queue is served: the gate waits for the queue to be read; the forged claim among them is refused and audited" {
	web_dials_db --cache deep $U.db 3000 $U.cache 1
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "parent: reply echo parent"
	assert_line "deep: queued 3000"
	assert_line "worker: reply echo worker"
	run cat "$T/audit.jsonl"
	assert_line --regexp "\"gate\":\"connect\",\"service\":\"web\",\"name\":\"@$U\\.cache\",.*\"reason\":\"service web does not dial service cache\""
	refute_line --partial '"gate":"accept"'
}

@test "claims: what a service left on its claim queue is judged when its channel closes: a forged claim behind 3000 others is refused and audited" {
	web_dials_db --cache deep $U.db 3000 $U.cache 0
	start_topology
	wait_for "$T/audit.jsonl" '"service":"web","name":"@[^"]*\.cache"'
	stop_topology
	run service_lines web
	assert_line "deep: queued 3000"
	run cat "$T/audit.jsonl"
	assert_line --regexp "\"gate\":\"connect\",\"service\":\"web\",\"name\":\"@$U\\.cache\",.*\"reason\":\"service web does not dial service cache\""
	run cat "$T/err"
	refute_output --partial "dropped unread"
}

@test "claims: while another service keeps 1024 refusals waiting at the launcher, 50 forked workers whose claims are queued are all served" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec ax-claim workers $U.db 50 $T/go
	dials db
}
service h {
	exec ax-claim flood $U.h 4 deferred
	provides @$U.h
	dials h
}
EOF
	start_topology --exit-with web
	wait_for "$T/out" '^h +\| flood: 4096 sent'
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "parent: reply echo parent"
	assert_line "workers: 50 of 50 served"
}
