#!/usr/bin/env bats
# socat, unmodified, on both ends of abstract stream and seqpacket
# sockets (examples/compat-socat-stream.policy, compat-socat-seqpacket.policy).
# Datagrams are in socat-dgram.bats.

load ../helpers
load compat

# The client's command line, the same one the example policies run.
socat_client() {
	socat -t 30 "OPEN:$EXAMPLES/compat/request.txt,rdonly!!STDOUT" "$@"
}

@test "socat stream: a wrapped socat client gets the wrapped socat server's answer" {
	need_programs socat tr
	compat_policy compat-socat-stream.policy
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| HELLO CAPWRAP$'
	[ ! -s "$T/audit.jsonl" ]
}

@test "socat stream: the same client unwrapped finds no one at the fixed name" {
	need_programs socat tr
	compat_policy compat-socat-stream.policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-LISTEN'
	run socat_client "ABSTRACT-CONNECT:$U.socat-stream"
	assert_failure
	assert_output --regexp 'connect\(.*Connection refused'
	run name_is_bound "$U.socat-stream"
	assert_failure
}

@test "socat stream: an unwrapped socat dialing the autobind address is closed at the accept gate" {
	need_programs socat tr
	compat_policy compat-socat-stream.policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-LISTEN'
	assert_equal "$(socket_type "$MINTED")" 1
	run socat_client "ABSTRACT-CONNECT:$MINTED"
	# The connection was queued, then closed unread: end of stream, or a
	# reset when the request was already sent; never an answer.
	refute_output --partial HELLO
	if [ "$status" -ne 0 ]; then
		assert_output --regexp 'Connection reset by peer|Broken pipe'
	fi
	assert_accept_denied server "$U.socat-stream" socat
	# socat takes the gate's ECONNABORTED as a notice and goes on: a
	# second intruder reaches the gate too (a dead server would leave it
	# refused by the kernel, with nothing audited).
	run socat_client "ABSTRACT-CONNECT:$MINTED"
	refute_output --partial HELLO
	wait_denials 2
}

@test "socat seqpacket: a wrapped socat client gets the wrapped socat server's answer" {
	need_programs socat tr
	compat_policy compat-socat-seqpacket.policy
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| HELLO CAPWRAP$'
	[ ! -s "$T/audit.jsonl" ]
}

@test "socat seqpacket: the same client unwrapped finds no one at the fixed name" {
	need_programs socat tr
	compat_policy compat-socat-seqpacket.policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-LISTEN'
	run socat_client "ABSTRACT-CONNECT:$U.socat-seqpacket,type=5"
	assert_failure
	assert_output --regexp 'connect\(.*Connection refused'
	run name_is_bound "$U.socat-seqpacket"
	assert_failure
}

@test "socat seqpacket: an unwrapped socat dialing the autobind address is closed at the accept gate" {
	need_programs socat tr
	compat_policy compat-socat-seqpacket.policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-LISTEN'
	assert_equal "$(socket_type "$MINTED")" 5
	run socat_client "ABSTRACT-CONNECT:$MINTED,type=5"
	refute_output --partial HELLO
	if [ "$status" -ne 0 ]; then
		assert_output --regexp 'Connection reset by peer|Broken pipe'
	fi
	assert_accept_denied server "$U.socat-seqpacket" socat
	run socat_client "ABSTRACT-CONNECT:$MINTED,type=5"
	refute_output --partial HELLO
	wait_denials 2
}
