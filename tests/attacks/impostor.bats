#!/usr/bin/env bats
# Impostors: whoever takes the place of a process that held authority
# (its minted address, or its very pid) gets nothing from it.

load attack

@test "death then rebind: the client's cached capability refuses the impostor at the freed address" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec ax-twice -w $T/ready $U.db $T/go
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --dial-timeout 0
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/ready"
	wait_for "$T/out" '^web +\| waiting$'
	run cat "$T/out"
	assert_line --regexp '^web +\| first: reply echo first$'
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	kill -KILL "$(listener_pid db)"
	wait_for "$T/err" 'db killed by signal 9'
	# The attacker binds the exact address the provider held.
	attacker "$T/impostor" ax-squat "$addr"
	impostor=$LAST_ATTACKER
	wait_for "$T/impostor" '^listening pid='
	touch "$T/go"
	wait_for "$T/out" '^web +\| second: '
	run cat "$T/out"
	assert_line --regexp '^web +\| second: connect: ECONNREFUSED$'
	# It was connected to, and was sent nothing at all.
	wait_for "$T/impostor" '^got '
	run cat "$T/impostor"
	assert_line 'got nothing'
	refute_output --partial bytes
	run grep "\"peer_pid\":$impostor," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"connect"'
	assert_output --partial '"service":"web"'
	assert_output --partial "\"name\":\"@$U.db\""
	assert_output --partial 'is not the one the capability names'
}

@test "replacement provider: a cached capability reaches it only through a fresh grant" {
	# The provider serves once, exits, and a new one takes the name.
	write_policy <<EOF
service db {
	exec sh -c "fx-server -n 1 $U.db; exec fx-server $U.db"
	provides @$U.db
}
service web {
	exec ax-twice $U.db $T/go
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^web +\| waiting$'
	wait_for "$T/out" '^db +\| listening pid=.*'
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^db .*listening pid=' "$T/out")" -ge 2 ] && break
		sleep 0.05
	done
	run grep -c '^db .*listening pid=' "$T/out"
	assert_output 2
	touch "$T/go"
	wait_for "$T/out" '^web +\| second: '
	run cat "$T/out"
	assert_line --regexp '^web +\| second: reply echo second$'
	# The old capability named a provider that is gone; the grant was
	# fresh, so nothing was refused.
	[ ! -s "$T/audit.jsonl" ]
}

run_pidreuse() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private pid namespace"
	command -v unshare > /dev/null || skip "needs unshare(1)"
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "no writable ns_last_pid"
	run unshare --pid --fork --mount-proc --net \
		env PATH="$PATH" CAPWRAP="$CAPWRAP" \
		bash "$BATS_TEST_DIRNAME/pidreuse.sh" "$1" "$T" "$U"
	echo "$output" >&2
	assert_line done=yes
	assert_line victim_served=yes
	victim=$(sed -nE 's/^victim=([0-9]+)$/\1/p' <<< "$output")
	[ -n "$victim" ]
	# The attacker really runs under the dead process's pid.
	assert_line "attacker=$victim"
}

@test "pid reuse: an attacker with a dead client's pid is not admitted" {
	run_pidreuse client
	# Connected, then cut off (EOF, a reset, or SIGPIPE on its write).
	assert_line --regexp '^attacker_said=connected '
	refute_line --regexp '^attacker_said=.*reply'
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
	assert_output --partial "pid $victim holds no capability to service db"
}

@test "pid reuse: an attacker with a dead provider's pid at its address gets nothing" {
	run_pidreuse provider
	assert_line 'client_said=second: connect: ECONNREFUSED'
	assert_line 'attacker_said=got nothing '
	# Same pid, same uid as the stamp: only the pidfs inode tells them apart.
	run grep "\"peer_pid\":$victim," "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"connect"'
	assert_output --partial 'is not the one the capability names'
}
