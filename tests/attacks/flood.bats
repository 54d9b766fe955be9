#!/usr/bin/env bats
# Attacks by numbers: every autobind name dialed, one listener dialed
# thousands of times, and a wrapped service flooding its own channel.
# The first two run in a private network namespace, so they reach only
# this test's topology, never another suite's.

load attack

@test "brute force: all 2^20 autobind names dialed, none admitted" {
	private_netns
	friend_policy "$T/audit.jsonl"
	start_topology_in_netns
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(listening_addresses_in_netns "$(listener_pid db)")
	assert_regex "$addr" '^[0-9a-f]{5}$'
	# Up to a minute for the gate to decide the connections it reached
	# (-w): an undecided one then counts against the test.
	run in_netns ax-brute -w 60 brute
	assert_success
	echo "$output" | tail -n 1 >&3
	assert_line --regexp '^tried 1048576 connected [1-9][0-9]* admitted 0 refused [1-9][0-9]* undecided 0 ms [0-9]+$'
	# The provider's minted address was among those reached and refused.
	assert_line "reached @$addr"
	assert_line "refused @$addr"
	refute_output --partial admitted\ @
	run cat "$T/out"
	refute_line --regexp '^db +\| served brute'
	# Every refusal was audited as the attacker's.
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run cat "$T/audit.jsonl"
	assert_output --partial '"peer_cmdline":"'
	assert_output --partial 'ax-brute -w 60 brute'
	# The friend is served afterwards.
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo friend$'
}

@test "flood: thousands of refusals, a bounded audit log with exact counts, friends served" {
	private_netns
	friend_policy "$T/audit.jsonl"
	start_topology_in_netns
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(listening_addresses_in_netns "$(listener_pid db)")
	# nsenter execs the attacker: $! is its pid.
	nsenter --target "$NETNS_HOLDER" --net -- \
		ax-flood "$addr" 3000 "$T/stop" > "$T/flood" 2>&1 &
	flood=$!
	ATTACKER_PIDS="$flood"
	wait_for "$T/flood" '^flooding$'
	# While the flood goes on, a friend dials and is served.
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)' 60
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo friend$'
	touch "$T/stop"
	wait "$flood"
	ATTACKER_PIDS=
	run cat "$T/flood"
	assert_line --regexp '^refused [0-9]+ admitted 0$'
	refused=$(sed -nE 's/^refused ([0-9]+) admitted 0$/\1/p' "$T/flood")
	[ "$refused" -ge 3000 ]
	# Stopping the launcher writes the last summary.
	stop_topology
	key="\"peer_pid\":$flood,"
	lines=$(grep -c -- "$key" "$T/audit.jsonl")
	counted=$(audited_refusals "$key")
	echo "# flood: $refused connections refused, $counted audited in $lines lines" >&3
	# Nothing lost, nothing counted twice...
	assert_equal "$counted" "$refused"
	# ...and one line a second at most, not one a refusal.
	[ "$lines" -lt $((refused / 10)) ]
	run grep -- "$key" "$T/audit.jsonl"
	assert_line --index 0 --regexp '"gate":"accept".*"reason":"pid [0-9]+ holds no capability to service db"\}$'
	assert_line --index 1 --regexp '"count":[0-9]+,"since":"[0-9T:.-]+Z"\}$'
}

# The sockets the launcher holds: its channels, and a reply socket for each
# request it has read and not yet answered.
launcher_sockets() {
	ls -l "/proc/$CAPWRAP_PID/fd" 2>/dev/null | grep -c 'socket:\['
}

@test "flood: a service that floods its own channel with refusals to judge does not stop the launcher: another service is served meanwhile, and what the launcher holds stays bounded" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "for i in 1 2 3 4 5; do while [ ! -e $T/go\$i ]; do sleep 0.05; done; fx-client $U.db friend\$i; done"
	dials db
}
service h {
	exec sh -c "while [ ! -e $T/flood ]; do sleep 0.05; done; exec ax-claim flood $U.h 4"
	provides @$U.h
	dials h
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/flood"
	# Well under way: the launcher has refused a good many already.
	wait_for "$T/err" 'denied accept @'"$U"'\.h .* more times'
	most=0
	for i in 1 2 3 4 5; do
		# A fresh process of web asks the launcher for a grant each time.
		touch "$T/go$i"
		wait_for "$T/out" "^web +\\| reply echo friend$i\$"
		n=$(launcher_sockets)
		((n > most)) && most=$n
	done
	# At most 2 x 1024 refusals wait for a catch-up, each with its socket.
	(( most < 2300 )) || fail "the launcher held $most sockets"
	kill -0 "$CAPWRAP_PID"
	run grep -c "served friend" "$T/out"
	assert_output 5
}
