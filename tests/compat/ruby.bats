#!/usr/bin/env bats
# Ruby's UNIXServer and UNIXSocket, unmodified, on both ends of an abstract
# stream socket spelled "\0NAME" (examples/compat-ruby.policy).

load ../helpers
load compat

INTERP=/usr/bin/ruby

@test "ruby: a wrapped client gets the wrapped server's answer" {
	need_programs "$INTERP"
	compat_policy compat-ruby.policy
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| reply echo hello ruby$'
	assert_line "server | listening on \"\\x00$U.ruby\""
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "ruby: the same client unwrapped finds no one at the fixed name" {
	need_programs "$INTERP"
	compat_policy compat-ruby.policy
	drop_service client
	start_topology
	wait_minted 'rb-echo-server'
	run "$INTERP" "$T/compat/rb-echo-client.rb" "$U.ruby" "hello ruby"
	assert_equal "$status" 3
	assert_output 'error ECONNREFUSED'
	run name_is_bound "$U.ruby"
	assert_failure
}

@test "ruby: an unwrapped client dialing the autobind address is closed at the accept gate" {
	need_programs "$INTERP"
	compat_policy compat-ruby.policy
	drop_service client
	start_topology
	wait_minted 'rb-echo-server'
	assert_equal "$(socket_type "$MINTED")" 1
	run "$INTERP" "$T/compat/rb-echo-client.rb" "$MINTED" "hello ruby"
	# Closed unread: end of stream, or a reset or broken pipe when the
	# request was already on its way; never an answer.
	assert_output --regexp '^(reply \(eof\)|error (ECONNRESET|EPIPE))$'
	assert_accept_denied server "$U.ruby" "$INTERP"
	# The server goes on accepting: a second intruder reaches the gate too
	# (a dead server would leave it refused by the kernel, unaudited).
	run "$INTERP" "$T/compat/rb-echo-client.rb" "$MINTED" "hello ruby"
	refute_output --partial 'reply echo'
	wait_denials 2
}
