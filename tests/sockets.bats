#!/usr/bin/env bats
# SOCK_SEQPACKET gets the gates of SOCK_STREAM; SOCK_DGRAM gets a gate on
# every datagram received, by the sender's kernel-stamped credentials.

load helpers

# The provider's minted address, as an outsider reads it in /proc/net/unix.
minted_of() {
	local pid
	wait_for "$T/out" "^$1 +\\| listening pid="
	pid=$(listener_pid "$1")
	listening_addresses "$pid" | head -n 1
}

@test "seqpacket: a wrapped client is served, an outsider is refused and audited" {
	write_policy <<EOF
service db {
	exec fx-server -t seqpacket $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t seqpacket $U.db hello"
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	addr=$(minted_of db)
	[[ "$addr" =~ ^[0-9a-f]{5}$ ]]
	run fx-client -t seqpacket "$addr" intruder
	# Closed unanswered: EOF, a reset, or a broken pipe, by how far it got.
	assert_equal "$status" 4
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	refute_line --partial 'reply' 
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	refute_line --partial 'served intruder'
	run audit_lines
	assert_line --regexp "\"gate\":\"accept\",\"service\":\"db\",\"name\":\"@$U.db\".*\"peer_cmdline\":\"fx-client -t seqpacket $addr intruder\""
}

@test "dgram: a wrapped client's datagram is answered at the address it sent from" {
	write_policy <<EOF
service db {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t dgram $U.db hello"
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	minted_of db > /dev/null
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^db +\| served hello$'
	assert_line --regexp '^web +\| reply echo hello$'
	[ ! -s "$T/audit.jsonl" ]
}

@test "dgram: an outsider's datagrams to the minted address are dropped and audited" {
	write_policy <<EOF
service db {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
audit audit.jsonl
EOF
	start_topology
	addr=$(minted_of db)
	run timeout 10 fx-client -t dgram "$addr" intruder
	# The datagram was sent, never served, never answered.
	assert_equal "$status" 4
	assert_line timeout
	run cat "$T/out"
	refute_line --partial 'served intruder'
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run audit_lines
	assert_line --regexp "\"service\":\"db\",\"name\":\"@$U.db\".*\"peer_cmdline\":\"fx-client -t dgram $addr intruder\""
}

@test "dgram: a service that does not dial the provider cannot send to it" {
	write_policy <<EOF
service db {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
service stranger {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t dgram $U.db hello"
}
audit audit.jsonl
EOF
	start_topology --exit-with stranger
	minted_of db > /dev/null
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 3
	run cat "$T/out"
	assert_line --regexp '^stranger +\| sendto: EACCES$'
	run audit_lines
	assert_line --regexp '"gate":"connect","service":"stranger".*"reason":"service stranger does not dial service db"'
}
