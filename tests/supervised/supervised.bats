#!/usr/bin/env bats
# Programs the shim cannot enter run supervised through seccomp user
# notification (unotify/): a statically linked C server and client
# (fx-server and fx-client linked with -all-static), and a Go server and
# client (go-echo.go, built here with Debian's golang-go both without cgo,
# a static executable, and with it, linked dynamically).  Each serves and
# dials through the fixed name as a shimmed program does; the fixed name
# is never bound; an outsider on the minted address is cut off and
# audited, and the server goes on serving its friends.

load ../helpers

SUPERVISED="$(dirname "$FIXTURES")/supervised"
ATTACKERS="$(dirname "$FIXTURES")/attacks"
PATH="$SUPERVISED:$ATTACKERS:$PATH"

# The Go server and client, go-echo-static and go-echo-cgo
# (helpers.bash, go_build).
setup_file() {
	go_build supervised/go-echo.go go-echo
}

# policy_pair SERVER CLIENT: srv runs SERVER providing @$U.db, cli runs
# CLIENT dialing it.
policy_pair() {
	write_policy <<EOF
service srv {
	exec $1
	provides @$U.db
}
service cli {
	exec $2
	dials srv
}
audit $T/audit.jsonl
EOF
}

# The outsider: an unwrapped fx-client on the minted address is cut off
# (connected, then EOF or a reset, never a reply) and audited by pid; on
# the fixed name nobody is there.
outsider_refused() {
	local addr outsider status=0
	addr=$(minted_address srv)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	(trap '' PIPE; exec fx-client "$addr" steal > "$T/outsider" 2>&1) &
	outsider=$!
	wait "$outsider" || status=$?
	assert_equal "$status" 4
	run cat "$T/outsider"
	assert_line connected
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	refute_output --partial reply
	wait_for "$T/audit.jsonl" "\"peer_pid\":$outsider,"
	run grep "\"peer_pid\":$outsider," "$T/audit.jsonl"
	assert_output --partial '"gate":"accept"'
	assert_output --partial '"service":"srv"'
	assert_output --partial "holds no capability to service srv"
	run fx-client "$U.db" steal
	assert_output --partial ECONNREFUSED
	run name_is_bound "$U.db"
	assert_failure
}

# serves SERVER CLIENT REPLY: the client gets REPLY, then the outsider is
# cut off; the server, which answers two connections, takes the
# outsider's as its second (a stand-in hung up) and exits 0.
serves() {
	policy_pair "$1" "$2"
	start_topology
	wait_for "$T/out" '^cli +\| (reply|eof|dial|connect)'
	outsider_refused
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines cli
	assert_line "$3"
	run service_lines srv
	refute_line --partial steal
	run grep -c '"gate":"accept"' "$T/audit.jsonl"
	assert_output 1
	run cat "$T/err"
	assert_output --partial "it runs supervised through seccomp"
}

@test "supervised: a static C server serves a shimmed client; the outsider is cut off" {
	serves "sx-static-server -n 2 $U.db" "fx-client $U.db hello" "reply echo hello"
	run service_lines srv
	assert_line "served hello"
}

@test "supervised: a static C client dials a shimmed server" {
	write_policy <<EOF
service srv {
	exec fx-server -n 1 $U.db
	provides @$U.db
}
service cli {
	exec sx-static-client $U.db hello
	dials srv
}
EOF
	start_topology --exit-with cli
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines cli
	assert_line "reply echo hello"
	run name_is_bound "$U.db"
	assert_failure
}

@test "supervised: a static C client without the edge is refused with EACCES and audited" {
	write_policy <<EOF
service srv {
	exec fx-server $U.db
	provides @$U.db
}
service cli {
	exec sx-static-client $U.db hello
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with cli
	wait_topology
	run service_lines cli
	assert_line "connect: EACCES"
	run grep '"gate":"connect"' "$T/audit.jsonl"
	assert_output --partial '"service":"cli"'
	assert_output --partial "\"name\":\"@$U.db\""
	run service_lines srv
	refute_line --partial served
}

@test "supervised: a datagram to an abstract name is refused with EPERM" {
	write_policy <<EOF
service srv {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
service cli {
	exec sx-static-client -t dgram $U.db hello
	dials srv
}
EOF
	start_topology --exit-with cli
	wait_topology
	run service_lines cli
	assert_line "sendto: EPERM"
	run cat "$T/err"
	assert_output --partial "a datagram to an abstract name is refused under supervision"
	run service_lines srv
	refute_line --partial served
}

@test "supervised: a Go server and client, static and with cgo; the outsider is cut off" {
	need_go go-echo
	for server in go-echo-static go-echo-cgo; do
		for client in go-echo-static go-echo-cgo; do
			serves "$GO_DIR/$server serve $U.db 2" \
				"$GO_DIR/$client dial $U.db hello" "reply echo hello"
			run service_lines srv
			assert_line "served hello"
			rm -f "$T/audit.jsonl" "$T/out" "$T/err"
		done
	done
}

@test "supervised: a Go client's goroutines dial at once, each admitted" {
	need_go go-echo
	write_policy <<EOF
service srv {
	exec $GO_DIR/go-echo-static serve $U.db 40
	provides @$U.db
}
service cli {
	exec $GO_DIR/go-echo-cgo dial $U.db hi 40
	dials srv
}
EOF
	start_topology --exit-with cli
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines cli
	assert_line "replies 40"
}

@test "supervised: a Go client without the edge gets permission denied" {
	need_go go-echo
	write_policy <<EOF
service srv {
	exec fx-server $U.db
	provides @$U.db
}
service cli {
	exec $GO_DIR/go-echo-static dial $U.db hello
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with cli
	wait_topology
	run service_lines cli
	assert_line --regexp '^dial: .*permission denied$'
	run grep -c '"gate":"connect"' "$T/audit.jsonl"
	assert_output 1
}

@test "supervised: a server blocked in accept stops at the stop signal, not by a kill" {
	write_policy <<EOF
service srv {
	exec sx-static-server $U.db
	provides @$U.db
}
EOF
	start_topology
	wait_for "$T/out" '^srv +\| listening pid='
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	run cat "$T/err"
	assert_output --partial "srv killed by signal 15 (Terminated)"
	refute_output --partial "SIGKILL"
}

# supervised_descent COMMAND: svc runs COMMAND, which starts the static
# server of @$U.db for one connection; a shimmed client dials svc and is
# answered.  Nothing is refused, the fixed name is never bound.
supervised_descent() {
	write_policy <<EOF
service svc {
	exec $1
	provides @$U.db
}
service cli {
	exec fx-client $U.db hello
	dials svc
}
audit $T/audit.jsonl
EOF
	# Until both have exited: the server's last line may be read after
	# the client's reply (popen's reader prints it).
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines cli
	assert_line "reply echo hello"
	run service_lines svc
	assert_line --regexp '^(popen: )?served hello$'
	run grep -c "refused to exec" "$T/out" "$T/err"
	refute_output --partial ":1"
	run name_is_bound "$U.db"
	assert_failure
	run grep -c '"gate":"exec"' "$T/audit.jsonl"
	refute_output --regexp '^[1-9]'
}

@test "supervised: a static image a service execs runs supervised: exec, syscall(SYS_execve), posix_spawnp" {
	for how in "exec $SUPERVISED/sx-static-server" \
	    "syscall $SUPERVISED/sx-static-server" "spawnp sx-static-server"; do
		supervised_descent "ax-descend $how -n 1 $U.db"
		rm -f "$T/audit.jsonl"
	done
}

@test "supervised: a static image run through env, sh -c, system() and popen() runs supervised" {
	for command in "env sx-static-server -n 1 $U.db" \
	    "sh -c \"sx-static-server -n 1 $U.db\"" \
	    "ax-descend system \"sx-static-server -n 1 $U.db\"" \
	    "ax-descend popen \"sx-static-server -n 1 $U.db\""; do
		supervised_descent "$command"
		rm -f "$T/audit.jsonl"
	done
}

@test "supervised: a Go image a service execs runs supervised, with cgo and without" {
	need_go go-echo
	for prog in go-echo-static go-echo-cgo; do
		supervised_descent "env $GO_DIR/$prog serve $U.db 1"
		rm -f "$T/audit.jsonl"
	done
}

@test "supervised: calls the kernel refuses are refused with the kernel's errno; argv[0] and paths are the program's" {
	cd "$T"
	run sx-errors one two
	assert_success
	printf '%s\n' "$output" > "$T/unwrapped"
	write_policy <<EOF
service errs {
	exec sx-errors one two
	directory $T
}
EOF
	start_topology --exit-with errs
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	service_lines errs > "$T/supervised"
	run diff "$T/unwrapped" "$T/supervised"
	assert_success
	run grep -c ': ' "$T/supervised"
	assert_output 18
	run head -n 1 "$T/supervised"
	assert_output "argv0: sx-errors, 3 arguments"
}

# An unwrapped server of @$U.x on the host, outside the topology.
host_server() {
	fx-server -n 1 "$U.x" > "$T/host" 2>&1 &
	BACKGROUND_PIDS="${BACKGROUND_PIDS:-} $!"
	wait_for "$T/host" 'listening pid='
}

@test "supervised: a static client dials an external name, through the launcher under the Landlock fence, and without it" {
	for hook in "" landlock; do
		# Not the last round's lines: the background starts open them late.
		rm -f "$T/host" "$T/out"
		host_server
		write_policy <<EOF
service cli {
	exec sx-static-client $U.x hello
}
external @$U.x
EOF
		CAPWRAP_PROBE_DISABLE=$hook start_topology --exit-with cli
		wait_topology
		assert_equal "$TOPOLOGY_STATUS" 0
		run service_lines cli
		assert_line "reply echo hello"
		wait_for "$T/host" '^served hello$'
		stop_topology
	done
}

@test "supervised: a static datagram server may not take an abstract name: EPERM, said" {
	write_policy <<EOF
service srv {
	exec sx-static-server -t dgram $U.db
	provides @$U.db
}
EOF
	start_topology --exit-with srv
	wait_topology
	run service_lines srv
	assert_line "bind: EPERM"
	run cat "$T/err"
	assert_output --partial "an abstract name for a datagram socket is refused under supervision"
	run name_is_bound "$U.db"
	assert_failure
}

@test "supervised: a program naming its own supervisor in CAPWRAP_UNOTIFY is still supervised by the real one" {
	supervised_descent "env CAPWRAP_UNOTIFY=$SUPERVISED/sx-static-server sh -c \"exec sx-static-server -n 1 $U.db\""
}

# Root has CAP_SYS_PTRACE, and dumpability does not stop it: the service
# runs as a user without it.
@test "supervised: the program cannot take its supervisor's descriptors (the supervisor is not dumpable)" {
	write_policy <<EOF
service p {
	exec $SUPERVISED/sx-parent
	user nobody
}
EOF
	start_topology --exit-with p
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines p
	assert_output "took 0: EPERM"
}

# Nobody's supervisor lacks CAP_SYS_PTRACE: an undumpable program is out
# of its reach, as under kernel.yama.ptrace_scope 2.
@test "supervised: a program the supervisor may not reach (undumpable) has its socket calls refused, said once" {
	write_policy <<EOF
service p {
	exec $SUPERVISED/sx-parent undumpable $U.db
	user nobody
	provides @$U.db
}
EOF
	start_topology --exit-with p
	wait_topology
	run service_lines p
	assert_output "bind: EPERM"
	run grep -c "the kernel refuses the supervisor its program's sockets (Operation not permitted: the program made itself undumpable" "$T/err"
	assert_output 1
	run name_is_bound "$U.db"
	assert_failure
}

@test "supervised: without seccomp user notification a static service is refused, as before" {
	write_policy <<EOF
service srv {
	exec sx-static-server $U.db
}
EOF
	CAPWRAP_PROBE_DISABLE=seccomp-notif run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 77
	assert_output --partial "statically linked"
	CAPWRAP_PROBE_DISABLE=seccomp-notif run timeout 60 "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 77
}

@test "supervised: capwrap-unotify refuses to run outside capwrap" {
	local unotify
	unotify="$(dirname "$CAPWRAP")/unotify/capwrap-unotify"
	run -127 "$unotify" "$SUPERVISED/sx-static-server" "$U.db"
	assert_equal "$status" 127
	assert_output --partial "not started by capwrap run"
	run -127 "$unotify"
	assert_equal "$status" 127
	assert_output --partial "usage: capwrap-unotify"
}
