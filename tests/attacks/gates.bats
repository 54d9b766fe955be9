#!/usr/bin/env bats
# Attacks on the two gates from outside the topology and from inside it:
# the squatter, the outsider dialer, the channel-less shim, and a wrapped
# service that breaks its own policy.  Each test asserts what the
# attacker got: nothing.

load attack

# db serves forever; web waits for $T/go, then dials once.
policy_db_web() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-client $U.db hello"
	dials db
}
audit $T/audit.jsonl
EOF
}

@test "squatter: a fixed name bound before the topology starts is never reached" {
	# An unwrapped fx-server is a squatter: it really binds the fixed name.
	attacker "$T/squatter" fx-server "$U.db"
	wait_for "$T/squatter" 'listening pid='
	run name_is_bound "$U.db"
	assert_success
	policy_db_web
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	assert_line --regexp '^db +\| served hello$'
	# The squatter got nothing at all, and the provider was not disturbed.
	run cat "$T/squatter"
	refute_output --partial served
	[ ! -s "$T/audit.jsonl" ]
}

@test "squatter: a fixed name bound while the topology runs is never reached" {
	policy_db_web
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	attacker "$T/squatter" fx-server "$U.db"
	# The name was free for the squatter: capwrap never binds it.
	wait_for "$T/squatter" 'listening pid='
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	run cat "$T/squatter"
	refute_output --partial served
}

@test "outsider of the same uid dials the minted address: refused and audited" {
	policy_db_web
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	fx-client "$addr" steal > "$T/outsider" &
	outsider=$!
	wait "$outsider" || true
	# Connected, then cut off: EOF, a reset, or SIGPIPE on its write
	# when the refusal came first; never a reply.
	run cat "$T/outsider"
	assert_line connected
	refute_output --partial reply
	wait_for "$T/audit.jsonl" "\"peer_pid\":$outsider,"
	run grep "\"peer_pid\":$outsider," "$T/audit.jsonl"
	assert_output --partial '"gate":"accept"'
	assert_output --partial '"service":"db"'
	assert_output --partial "\"name\":\"@$U.db\""
	assert_output --partial "\"peer_uid\":$(id -u)"
	assert_output --partial "holds no capability to service db"
	run cat "$T/out"
	refute_line --regexp '^db +\| served steal'
}

@test "outsider of another uid dials the minted address: refused and audited" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to change uid"
	command -v setpriv > /dev/null || skip "needs setpriv(1)"
	nobody=$(id -u nobody) || skip "no user nobody"
	policy_db_web
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$FIXTURES/fx-client" "$addr" steal > "$T/outsider" &
	outsider=$!
	wait "$outsider" || true
	# It was connected and then cut off: EOF, a reset, or SIGPIPE on
	# its write; never a reply.
	run cat "$T/outsider"
	assert_line connected
	refute_output --partial reply
	wait_for "$T/audit.jsonl" "\"peer_pid\":$outsider,"
	run grep "\"peer_pid\":$outsider," "$T/audit.jsonl"
	assert_output --partial '"gate":"accept"'
	assert_output --partial "\"peer_uid\":$nobody,"
	# The friend is still served after the refusal.
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
}

@test "channel-less shim: preloaded by hand with the launcher's variables, it fails closed" {
	for chan in 1000 3 banana; do
		run env LD_PRELOAD="$CAPWRAP_SHIM_SO" CAPWRAP_CHANNEL=$chan \
			CAPWRAP_SERVICE=db fx-server "$U.db"
		assert_equal "$status" 3
		assert_line 'bind: EACCES'
		assert_line --regexp '^capwrap-shim: .*no capwrap lineage channel'
		run name_is_bound "$U.db"
		assert_failure
		run env LD_PRELOAD="$CAPWRAP_SHIM_SO" CAPWRAP_CHANNEL=$chan \
			fx-client "$U.db" hello
		assert_equal "$status" 3
		assert_line 'connect: EACCES'
	done
	# A descriptor 1000 that is open but is no seqpacket channel.
	touch "$T/file"
	run env LD_PRELOAD="$CAPWRAP_SHIM_SO" CAPWRAP_CHANNEL=1000 \
		bash -c "exec 1000<$T/file; exec fx-server $U.db"
	assert_equal "$status" 3
	assert_line 'bind: EACCES'
	run name_is_bound "$U.db"
	assert_failure
}

@test "from inside: binding a name the service does not provide is EACCES, audited" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service rogue {
	exec fx-server $U.stolen
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^rogue +\| bind: '
	run cat "$T/out"
	assert_line --regexp '^rogue +\| bind: EACCES$'
	run name_is_bound "$U.stolen"
	assert_failure
	wait_for "$T/audit.jsonl" '"service":"rogue"'
	run cat "$T/audit.jsonl"
	assert_output --partial '"gate":"bind"'
	assert_output --partial "\"name\":\"@$U.stolen\""
	assert_output --partial "does not provide this name"
}

@test "from inside: dialing a service not in dials is EACCES, audited" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service rogue {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-client $U.db hello"
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/go"
	wait_for "$T/out" '^rogue +\| connect: '
	run cat "$T/out"
	assert_line --regexp '^rogue +\| connect: EACCES$'
	refute_line --regexp '^db +\| served'
	wait_for "$T/audit.jsonl" '"service":"rogue"'
	run cat "$T/audit.jsonl"
	assert_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$U.db\""
	assert_output --partial "service rogue does not dial service db"
}

@test "from inside: dialing a raw minted address never granted is EACCES, audited" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service rogue {
	exec sh -c "while [ ! -s $T/addr ]; do sleep 0.05; done; exec fx-client \$(cat $T/addr) hello"
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	# Even a service that may dial db may not skip the capability.
	echo "$addr" > "$T/addr.tmp" && mv "$T/addr.tmp" "$T/addr"
	wait_for "$T/out" '^rogue +\| connect: '
	run cat "$T/out"
	assert_line --regexp '^rogue +\| connect: EACCES$'
	refute_line --regexp '^db +\| served'
	wait_for "$T/audit.jsonl" '"service":"rogue"'
	run cat "$T/audit.jsonl"
	assert_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$addr\""
	assert_output --partial "no service provides this name"
}

# The pids of the processes the launcher holds a pidfd for.
launcher_pidfd_pids() {
	local fd
	for fd in /proc/"$CAPWRAP_PID"/fdinfo/*; do
		sed -nE 's/^Pid:[[:space:]]+(-?[0-9]+)$/\1/p' "$fd" 2>/dev/null
	done
}

@test "revocation: a dead grantee's record goes at its exit, by pidfd, unasked" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
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
	web=$(pgrep -f "ax-twice $U.db") || fail "no web process"
	# The launcher watches the grantee with a pidfd...
	run launcher_pidfd_pids
	assert_line "$web"
	kill -KILL "$web"
	wait_for "$T/err" 'web killed by signal 9'
	# ...and lets it go when the pidfd says it exited, with no request
	# from anyone in between: neither the pid nor a dead pidfd remains.
	for ((i = 0; i < 200; i++)); do
		if ! launcher_pidfd_pids | grep -qxE -- "$web|-1"; then
			break
		fi
		sleep 0.05
	done
	run launcher_pidfd_pids
	refute_line "$web"
	refute_line -- -1
}

@test "outsider the server cannot see (peer pid 0): refused, and friends are still admitted" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a pid namespace"
	policy_db_web
	# The topology in a pid namespace of its own, as in a container that
	# shares the host's network: host processes have no pid in there.
	unshare --pid --fork --kill-child --mount-proc \
		"$CAPWRAP" run "$T/policy" > "$T/out" 2> "$T/err" &
	# unshare ignores SIGTERM while it waits: stop the launcher itself.
	ATTACKER_PIDS=$!
	wait_for "$T/out" '^db +\| listening pid='
	CAPWRAP_PID=$(pgrep -P "$ATTACKER_PIDS" -x capwrap) || fail "no launcher"
	db=$(pgrep -f "fx-server $U.db") || fail "no db process"
	addr=$(listening_addresses "$db" | head -n 1)
	run fx-client "$addr" steal
	refute_output --partial reply
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run cat "$T/audit.jsonl"
	assert_output --partial "another pid namespace"
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
}
