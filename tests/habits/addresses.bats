#!/usr/bin/env bats
# Addresses: getsockname(), getpeername() and accept() report the
# abstract names the program asked for, byte for byte and with the
# kernel's rule for short buffers, on the socket and on its copies, so a
# daemon that checks its own address (sd_is_socket_unix) keeps working.

load habits

@test "addresses: the listener, its dups and the accepted socket are named exactly \\0NAME; the peer sees \\0NAME" {
	write_policy <<EOF
service db {
	exec hx-addr server $U.db
	provides @$U.db
}
service web {
	exec hx-addr client $U.db
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	run cat "$T/out"
	refute_output --partial FAIL
	assert_line --regexp "^db +\\| ok getsockname listener size 110$"
	assert_line --regexp "^db +\\| ok getsockname dup2 size 110$"
	assert_line --regexp "^db +\\| ok getsockname accepted size 110$"
	assert_line --regexp "^db +\\| ok sd_is_socket_unix$"
	# An unbound client is unnamed, as the kernel reports it.
	assert_line --regexp "^db +\\| accept addr \\(unnamed len=2\\)$"
	assert_line --regexp "^web +\\| ok getpeername connected size 110$"
	assert_line --regexp "^web +\\| ok getpeername dup size 110$"
	assert_line --regexp "^web +\\| ok getsockname connected size 110$"
	assert_line --regexp '^web +\| reply echo names$'
	assert_line --regexp '^web +\| checks [0-9]+ failed 0$'
	assert_equal "$TOPOLOGY_STATUS" 0
}

@test "addresses: a client bound to its own provided name sees that name" {
	write_policy <<EOF
service db {
	exec hx-addr server $U.db
	provides @$U.db
}
service web {
	exec hx-addr client $U.db $U.web
	provides @$U.web
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	run cat "$T/out"
	refute_output --partial FAIL
	assert_line --regexp "^web +\\| ok getsockname connected size 110$"
	assert_line --regexp '^web +\| checks [0-9]+ failed 0$'
	assert_equal "$TOPOLOGY_STATUS" 0
}

@test "addresses: the server sees the name a bound client asked for, not its minted address" {
	write_policy <<EOF
service db {
	exec hx-addr server $U.db
	provides @$U.db
}
service web {
	exec hx-addr client $U.db $U.web
	provides @$U.web
	dials db
}
EOF
	start_topology --exit-with web
	wait_topology
	run service_lines db
	assert_line "accept addr @$U.web"
	assert_line "peer addr @$U.web"
}

# inherit MODE: hx-addr binds (and listens, for MODE listening), then
# execs itself; the new image serves on the socket it inherited.
inherit() {
	write_policy <<EOF
service db {
	exec timeout 30 hx-addr inherit $U.db $1
	provides @$U.db
}
service web {
	exec $(after go "fx-client $U.db hello")
	dials db
}
audit $T/audit.jsonl
EOF
	# Both exit on their own: no --exit-with, whose stop could cut the
	# other service short before it printed its last line.
	start_topology
	wait_for "$T/out" '^db +\| (listening pid=|listen: )'
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
}

@test "addresses: a listener inherited across exec still admits friends" {
	inherit listening
	run service_lines web
	assert_line "reply echo hello"
	wait_topology
	[ ! -s "$T/audit.jsonl" ]
}

@test "addresses: a listener inherited across exec keeps its name (sd_is_socket_unix passes)" {
	inherit listening
	wait_topology
	run service_lines db
	refute_output --partial FAIL
	assert_line "ok getsockname inherited size 110"
	assert_line "ok sd_is_socket_unix"
	assert_equal "$TOPOLOGY_STATUS" 0
}

@test "addresses: a socket bound, then listened on after exec, is registered and reachable" {
	inherit bound
	run service_lines web
	assert_line "reply echo hello"
}
