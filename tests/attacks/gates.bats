#!/usr/bin/env bats
# Attacks on the two gates from outside the topology and from inside it:
# the squatter, the outsider dialer, the channel-less shim, and a wrapped
# service that breaks its own policy.  Each test asserts what the
# attacker got: nothing.

load attack

# Cut off: what an outsider the accept gate refused must have seen.  It
# was connected, then the connection was closed under it: EOF, a reset,
# or EPIPE on its write when the refusal came first (SIGPIPE ignored, so
# that the write reports it); never a reply, and never the fixture's
# "timeout" of a connection held open unanswered.  Exit status 4.
assert_cut_off() {
	assert_equal "$1" 4
	run cat "$2"
	assert_line connected
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	refute_output --partial reply
	refute_output --partial timeout
}

# binder.py NAME GO: print "pid=PID", bind the abstract NAME (a stream
# socket), print "bind: OK" or "bind: ERRNO", and live on with the socket
# open until the file GO exists (at most a minute): /proc/net/unix is
# looked at while the process could still hold the name, since a name
# bound by a process that has exited is gone with it.  Python's socket
# module calls the C library's bind(), so the shim sees it.
write_binder() {
	command -v python3 > /dev/null || skip "needs python3"
	cat > "$T/binder.py" <<'EOF'
import errno, os, socket, sys, time
name, go = sys.argv[1], sys.argv[2]
print(f"pid={os.getpid()}", flush=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.bind(b"\0" + name.encode())
    print("bind: OK", flush=True)
except OSError as e:
    print(f"bind: {errno.errorcode[e.errno]}", flush=True)
for _ in range(1200):
    if os.path.exists(go):
        break
    time.sleep(0.05)
EOF
}

# held_bind_refused OUT GO NAME COMMAND...: run COMMAND (a binder.py of
# NAME and GO) as an attacker with its output in OUT; assert that its
# bind was refused with EACCES and that NAME is not in /proc/net/unix
# while the process still lives; then let it go and reap it.
held_bind_refused() {
	local out=$1 go=$2 name=$3 held
	shift 3
	attacker "$out" "$@"
	held=$LAST_ATTACKER
	wait_for "$out" '^bind: '
	run cat "$out"
	assert_line 'bind: EACCES'
	run name_is_bound "$name"
	assert_failure
	# Still alive after the look: it could have held the name throughout.
	kill -0 "$held"
	touch "$go"
	wait "$held"
}

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
	(trap '' PIPE; exec fx-client "$addr" steal > "$T/outsider" 2>&1) &
	outsider=$!
	outsider_status=0
	wait "$outsider" || outsider_status=$?
	assert_cut_off "$outsider_status" "$T/outsider"
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
	(trap '' PIPE; exec setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$FIXTURES/fx-client" "$addr" steal \
		> "$T/outsider" 2>&1) &
	outsider=$!
	outsider_status=0
	wait "$outsider" || outsider_status=$?
	assert_cut_off "$outsider_status" "$T/outsider"
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
	write_binder
	for chan in 1000 3 banana; do
		run env LD_PRELOAD="$CAPWRAP_SHIM_SO" CAPWRAP_CHANNEL=$chan \
			CAPWRAP_SERVICE=db fx-server "$U.db"
		assert_equal "$status" 3
		assert_line 'bind: EACCES'
		assert_line --regexp '^capwrap-shim: .*no capwrap lineage channel'
		held_bind_refused "$T/held-$chan" "$T/go-$chan" "$U.db" \
			env LD_PRELOAD="$CAPWRAP_SHIM_SO" CAPWRAP_CHANNEL=$chan \
			CAPWRAP_SERVICE=db python3 "$T/binder.py" "$U.db" \
			"$T/go-$chan"
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
	held_bind_refused "$T/held-file" "$T/go-file" "$U.db" \
		env LD_PRELOAD="$CAPWRAP_SHIM_SO" CAPWRAP_CHANNEL=1000 \
		bash -c "exec 1000<$T/file; exec python3 $T/binder.py $U.db $T/go-file"
}

@test "from inside: binding a name the service does not provide is EACCES, audited" {
	write_binder
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service rogue {
	exec python3 $T/binder.py $U.stolen $T/go
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^rogue +\| bind: '
	run cat "$T/out"
	assert_line --regexp '^rogue +\| bind: EACCES$'
	rogue=$(sed -nE 's/^rogue +\| pid=([0-9]+)$/\1/p' "$T/out")
	[ -n "$rogue" ] || fail "rogue said no pid"
	run name_is_bound "$U.stolen"
	assert_failure
	# Still alive after the look: it could have held the name throughout.
	kill -0 "$rogue"
	touch "$T/go"
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

@test "unprotected: a service without the shim dials no provided name; the provider refuses it" {
	# legacy runs without the shim, so its dials are the kernel's own:
	# first the fixed name, then the provider's minted address.
	cat > "$T/legacy.sh" <<EOF
trap '' PIPE
echo pid=\$\$
while [ ! -s $T/addr ]; do sleep 0.05; done
fx-client $U.db hello
exec fx-client \$(cat $T/addr) steal
EOF
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service legacy {
	exec sh $T/legacy.sh
	dials db
	unprotected
}
audit $T/audit.jsonl
EOF
	start_topology
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	echo "$addr" > "$T/addr.tmp" && mv "$T/addr.tmp" "$T/addr"
	wait_for "$T/err" 'legacy exited with status'
	legacy_status=$(sed -nE \
		's/^capwrap: legacy exited with status ([0-9]+)$/\1/p' "$T/err")
	legacy=$(sed -nE 's/^legacy +\| pid=([0-9]+)$/\1/p' "$T/out")
	[ -n "$legacy" ] || fail "legacy said no pid"
	# Nobody binds the fixed name: capwrap never does, and the provider's
	# shim bound an autobind address instead.
	sed -nE 's/^legacy +\| //p' "$T/out" > "$T/legacy"
	run cat "$T/legacy"
	assert_line 'connect: ECONNREFUSED'
	# Its dials db granted nothing: at the minted address the provider's
	# accept gate cut it off.
	assert_cut_off "$legacy_status" "$T/legacy"
	wait_for "$T/audit.jsonl" "\"peer_pid\":$legacy,"
	run grep "\"peer_pid\":$legacy," "$T/audit.jsonl"
	assert_output --partial '"gate":"accept"'
	assert_output --partial '"service":"db"'
	assert_output --partial "holds no capability to service db"
	run cat "$T/out"
	refute_line --regexp '^db +\| served'
}

@test "unprotected: a provider without the shim binds its very name, and is dialed there" {
	write_policy <<EOF
service legacy {
	exec fx-server $U.legacy
	provides @$U.legacy
	unprotected
}
service web {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-client $U.legacy hello"
	dials legacy
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^legacy +\| listening pid='
	# The socket legacy itself listens on is at the fixed name.
	run listening_addresses "$(listener_pid legacy)"
	assert_output "$U.legacy"
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	assert_line --regexp '^legacy +\| served hello$'
	[ ! -s "$T/audit.jsonl" ]
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
	for ((i = 0; i < 1200; i++)); do
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
	outsider_status=0
	(trap '' PIPE; exec fx-client "$addr" steal > "$T/outsider" 2>&1) ||
		outsider_status=$?
	assert_cut_off "$outsider_status" "$T/outsider"
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run cat "$T/audit.jsonl"
	assert_output --partial "another pid namespace"
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
}
