#!/usr/bin/env bats
# A program that sandboxes itself so that getsockopt() (and getsockname())
# fail: the shim cannot tell whether a socket is AF_UNIX, or where it is
# bound, and fails closed.  It never passes an abstract address on to the
# kernel, where it would bind or dial the fixed name, and a listener it
# cannot place admits nobody.

load habits

# sandboxed [-n]: run hx-sandbox with its filter and check every gate.
sandboxed() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service boxed {
	exec hx-sandbox $* $U.own $U.db $T/go
	provides @$U.own
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with boxed
	wait_for "$T/out" 'boxed +\| (listening pid=[0-9]+|unsupported)$'
	[[ $(service_lines boxed) != *unsupported* ]] || skip "the fixture's filter is for x86-64"
	run service_lines boxed
	assert_line "bind: EACCES"
	assert_line "connect: EACCES"
	assert_line "sendto: EACCES"
	# Neither the name the program wanted nor its peer's is bound by it,
	# and it is still running.
	run name_is_bound "$U.own"
	assert_failure
	run name_is_bound "$U.db"
	assert_failure
	# Its own autobound listener is gated all the same: an outsider who
	# dials it is refused.
	addr=$(minted_address boxed)
	[[ "$addr" =~ ^[0-9a-f]{5}$ ]]
	outsider "$addr" "$T/outsider" &
	intruder=$!
	wait_for "$T/outsider" '^connected$'
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run wait "$intruder"
	assert_equal "$status" 4
	run cat "$T/outsider"
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	run service_lines boxed
	# The refused connection's place: one already hung up (EOF).
	assert_line 'accepted, read 0'
	run grep -c "would not tell a socket's family" "$T/err"
	assert_output 1
	run service_lines db
	refute_line --partial served
}

@test "getsockopt refused by the program's own seccomp filter: abstract bind, connect and sendto fail closed" {
	sandboxed
}

@test "getsockopt and getsockname refused: the same, and its listener admits nobody" {
	sandboxed -n
}
