#!/usr/bin/env bats
# The core path: a policy, two unmodified programs meeting through a
# capability, and the refusals the gates make.

load helpers

# $T/holder.py NAME GO binds the abstract NAME (and listens if it could),
# says "holder pid=N", then "bind: OK" or "bind: ERRNO" as fx-server does,
# and keeps its socket open until the file GO exists.  So a test reads
# /proc/net/unix while the process that would hold the name still lives,
# not after it has exited, when the name would be gone whatever happened.
# It gives up after 60 s, or once $T is gone (teardown), so a failing test
# leaves nothing behind.
write_holder() {
	cat > "$T/holder.py" <<'EOF'
import errno, os, socket, sys, time
name, go = sys.argv[1], sys.argv[2]
print('holder pid=%d' % os.getpid(), flush=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.bind(b'\0' + os.fsencode(name))
    s.listen()
    print('bind: OK', flush=True)
except OSError as e:
    print('bind: %s' % errno.errorcode.get(e.errno, e.errno), flush=True)
for _ in range(1200):
    if os.path.exists(go) or not os.path.isdir(os.path.dirname(go)):
        break
    time.sleep(0.05)
EOF
}

@test "the preload library is optimised across its files only as configure said: by GCC, never in the sanitizer build" {
	command -v readelf > /dev/null || skip "needs readelf(1)"
	run bash -c 'readelf --debug-dump=info "$CAPWRAP_SHIM_SO" | grep DW_AT_producer'
	[ -n "$output" ] || skip "the preload library was built without debug information"
	# GCC names a unit it optimised across files "GNU GIMPLE".
	if [ -n "$CAPWRAP_SHIM_LTO" ]; then
		assert_output --partial "GNU GIMPLE"
		assert_output --partial "GNU C"
		assert_equal "$CAPWRAP_SAN_CFLAGS" ""
	else
		refute_output --partial "GNU GIMPLE"
	fi
	if [ -n "$CAPWRAP_SAN_CFLAGS" ]; then
		assert_equal "$CAPWRAP_SHIM_LTO" ""
	fi
}

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

@test "an external name is bound as written, and connections to it pass through unchecked and unaudited" {
	write_policy <<EOF
service x11 {
	exec fx-server -n 2 $U.x11
}
service app {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client $U.x11 wrapped"
}
external @$U.x11
audit audit.jsonl
EOF
	# x11 serves two connections and app one, so both end on their own.
	start_topology
	wait_for "$T/out" '^x11 +\| listening pid='
	# While x11 runs, its socket holds the very name: no minted address.
	pid=$(listener_pid x11)
	run listening_addresses "$pid"
	assert_output "$U.x11"
	run name_is_bound "$U.x11"
	assert_success
	# A program outside the topology, with no capability, is served.
	run fx-client "$U.x11" outside
	assert_success
	assert_line 'reply echo outside'
	# So is a wrapped service that dials no service at all.
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^x11 +\| served outside$'
	assert_line --regexp '^x11 +\| served wrapped$'
	assert_line --regexp '^app +\| reply echo wrapped$'
	[ ! -s "$T/audit.jsonl" ]
}

@test "two topologies using the same name at the same time never meet" {
	mkdir "$T/a" "$T/b"
	for side in a b; do
		cat > "$T/$side/policy" <<EOF
service db {
	exec fx-server -n 2 $U.shared
	provides @$U.shared
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; fx-client $U.shared from-$side-1; fx-client $U.shared from-$side-2"
	dials db
}
EOF
	done
	"$CAPWRAP" run --exit-with web "$T/a/policy" > "$T/a/out" 2>&1 &
	pa=$!
	"$CAPWRAP" run --exit-with web "$T/b/policy" > "$T/b/out" 2>&1 &
	pb=$!
	# Both servers listen at once: neither bind met the other (no EADDRINUSE).
	wait_for "$T/a/out" 'listening pid='
	wait_for "$T/b/out" 'listening pid='
	# While both listen (each waits for two clients, held back by the
	# go-file), neither holds the fixed name itself.
	run name_is_bound "$U.shared"
	assert_failure
	touch "$T/go"
	wait "$pa"
	wait "$pb"
	for side in a b; do
		other=$([ "$side" = a ] && echo b || echo a)
		run cat "$T/$side/out"
		assert_line --regexp "^db +\| served from-$side-1$"
		assert_line --regexp "^db +\| served from-$side-2$"
		refute_line --partial "from-$other"
		refute_line --partial "EADDRINUSE"
	done
}

@test "the client may start first: a blocking connect waits for its provider" {
	write_policy <<EOF
service web {
	exec fx-client $U.db early
	dials db
}
service db {
	exec sh -c "sleep 1; exec fx-server -n 1 $U.db"
	provides @$U.db
}
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo early$'
}

@test "a non-blocking connect never waits: ECONNREFUSED while no provider listens" {
	write_policy <<EOF
service web {
	exec fx-client -N $U.db early
	dials db
}
service db {
	exec sh -c "i=0; until grep -q '^web ' '$T/out' || [ \$i -ge 1200 ]; do sleep 0.05; i=\$((i + 1)); done; exec fx-server -n 1 $U.db"
	provides @$U.db
	dials web # a dial cycle starts together: web before db registers
}
EOF
	# db comes only once web has had its answer (or after a minute): a
	# connect that waited for it, with no --dial-timeout to end the wait
	# first, would be served, and the test fail.
	start_topology --exit-with web --dial-timeout 3600
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 3
	run cat "$T/out"
	assert_line --regexp '^web +\| connect: ECONNREFUSED$'
}

@test "a blocking connect gives up with ECONNREFUSED after --dial-timeout" {
	write_policy <<EOF
service web {
	exec fx-client $U.db nobody
	dials db
}
service db {
	exec sleep 30
	provides @$U.db
	dials web # a dial cycle starts together: web before db registers
}
EOF
	start_topology --exit-with web --dial-timeout 1
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 3
	run cat "$T/out"
	assert_line --regexp '^web +\| connect: ECONNREFUSED$'
}

@test "every policy error is reported with its location, and nothing runs" {
	write_policy <<EOF
service db {
	exec touch $T/db-ran
	provides @$U.db
	frobnicate
}
service web {
	dials nosuch
}
service db2 {
	exec touch $T/db2-ran
	provides @$U.db
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_line --partial "$T/policy:4:2: unknown directive 'frobnicate' in service 'db'"
	assert_line --regexp "^$T/policy:6:[0-9]+: .*exec"
	assert_line --regexp "^$T/policy:7:8: .*nosuch"
	assert_line --regexp "^$T/policy:11:[0-9]+: .*provided by (two services|both)"
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 65
	# Each service, had it been started, would have left its file.
	[ ! -e "$T/db-ran" ]
	[ ! -e "$T/db2-ran" ]
}

@test "capwrap check says OK for a valid policy" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_success
	assert_output "$T/policy: OK"
}

@test "the shim without a channel fails closed and never binds the fixed name" {
	run env LD_PRELOAD="$CAPWRAP_SHIM_SO" fx-server "$U.db"
	assert_equal "$status" 3
	assert_line "bind: EACCES"
	assert_line --partial "no capwrap lineage channel"
	run env LD_PRELOAD="$CAPWRAP_SHIM_SO" fx-client "$U.db" hi
	assert_equal "$status" 3
	assert_line "connect: EACCES"
	# The refused bind holds nothing: looked at while its process,
	# which keeps whatever it got, still runs.
	write_holder
	env LD_PRELOAD="$CAPWRAP_SHIM_SO" python3 "$T/holder.py" "$U.db" "$T/go" \
		> "$T/holder" 2>&1 3>&- &
	holder=$!
	wait_for "$T/holder" '^bind: '
	run cat "$T/holder"
	assert_line "bind: EACCES"
	assert_line --partial "no capwrap lineage channel"
	run name_is_bound "$U.db"
	assert_failure
	kill -0 "$holder"
	touch "$T/go"
	wait "$holder"
	# Programs that use no abstract socket are untouched.
	run env LD_PRELOAD="$CAPWRAP_SHIM_SO" ls /
	assert_success
}

@test "non-abstract sockets pass through the shim untouched" {
	write_policy <<EOF
service web {
	exec /usr/bin/python3 -c "import socket,os; p='$T/path.sock'; s=socket.socket(socket.AF_UNIX); s.bind(p); s.listen(); c=socket.socket(socket.AF_UNIX); c.connect(p); a,_=s.accept(); c.sendall(b'x'); print('path socket', a.recv(1).decode()); t=socket.socket(); t.bind(('127.0.0.1',0)); print('inet bind ok')"
}
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| path socket x$'
	assert_line --regexp '^web +\| inet bind ok$'
}

@test "an abstract address on a socket of another family gets the kernel's own answer, cached capability or not" {
	# What the kernel says without capwrap (the dial itself then fails).
	run fx-client -I "$U.db" hello
	assert_line --regexp '^inet before: E[A-Z]+$'
	kernel=${lines[0]#inet before: }
	write_policy <<EOF
service db {
	exec fx-server -n 1 $U.db
	provides @$U.db
}
service web {
	exec fx-client -I $U.db hello
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp "^web +\\| inet before: $kernel\$"
	assert_line --regexp '^web +\| reply echo hello$'
	assert_line --regexp "^web +\\| inet after: $kernel\$"
	[ ! -s "$T/audit.jsonl" ]
	# Without a channel, too: not an abstract socket, so no refusal.
	run env LD_PRELOAD="$CAPWRAP_SHIM_SO" fx-client -I "$U.db" hello
	assert_line "inet before: $kernel"
	assert_line "connect: EACCES"
}

@test "the empty abstract name is a name: bind and connect are gated and audited" {
	write_holder
	write_policy <<EOF
service rogue {
	exec sh -c "fx-client '' hi; exec python3 $T/holder.py '' $T/go"
}
audit audit.jsonl
EOF
	start_topology --exit-with rogue
	wait_for "$T/out" '^rogue +\| bind: '
	# The refused bind holds nothing while the holder still runs.
	run awk '$8 == "@" { print }' /proc/net/unix
	assert_output ''
	kill -0 "$(sed -nE 's/^rogue +\| holder pid=([0-9]+)$/\1/p' "$T/out")"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^rogue +\| bind: EACCES$'
	assert_line --regexp '^rogue +\| connect: EACCES$'
	run audit_lines
	assert_line --regexp '"gate":"bind","service":"rogue","name":"@",'
	assert_line --regexp '"gate":"connect","service":"rogue","name":"@",'
}

@test "a name live in the topology cannot be bound twice: the second bind gets EADDRINUSE" {
	write_policy <<EOF
service db {
	exec sh -c "fx-server -n 1 $U.db & until grep -q 'db .*listening pid=' '$T/out'; do sleep 0.05; done; fx-server -n 1 $U.db; echo second done; touch '$T/go'; wait"
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client $U.db one"
	dials db
}
audit audit.jsonl
EOF
	# The second fx-server starts once the first has said it listens, so
	# it is the second that meets the name taken.  Both end on their own:
	# no --exit-with, which could stop web before it printed its answer.
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	# The second instance is told the name is taken, as the kernel would,
	# and the first goes on serving it.
	assert_line --regexp '^db +\| bind: EADDRINUSE$'
	assert_line --regexp '^web +\| reply echo one$'
}

@test "a name is free again once the socket that held it is closed" {
	write_policy <<EOF
service db {
	exec sh -c "fx-server -n 1 $U.db & sleep 0.5; fx-client $U.db first; wait; exec fx-server -n 1 $U.db"
	provides @$U.db
	dials db
}
service web {
	exec sh -c "while ! grep -q 'listening' '$T/out' 2>/dev/null || [ \$(grep -c listening '$T/out') -lt 2 ]; do sleep 0.05; done; exec fx-client $U.db second"
	dials db
}
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	refute_line --partial EADDRINUSE
	assert_line --regexp '^web +\| reply echo second$'
}

@test "a program that scrubs its environment passes the service's variables on all the same" {
	write_policy <<EOF
service web {
	exec env -i /usr/bin/env
}
EOF
	start_topology --exit-with web
	wait_topology
	run cat "$T/out"
	assert_line --regexp "^web +\\| LD_PRELOAD=.*libcapshim\\.so"
	assert_line --regexp '^web +\| CAPWRAP_CHANNEL=[0-9]+$'
	assert_line --regexp '^web +\| CAPWRAP_SERVICE=web$'
}
