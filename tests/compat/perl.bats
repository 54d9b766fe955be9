#!/usr/bin/env bats
# Perl's IO::Socket::UNIX, unmodified, on both ends of an abstract stream
# socket spelled "\0NAME" (examples/compat-perl.policy).

load ../helpers
load compat

INTERP=/usr/bin/perl

@test "perl: a wrapped client gets the wrapped server's answer" {
	need_programs "$INTERP"
	compat_policy compat-perl.policy
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| reply echo hello perl$'
	assert_line 'server | listening'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "perl: the same client unwrapped finds no one at the fixed name" {
	need_programs "$INTERP"
	compat_policy compat-perl.policy
	drop_service client
	start_topology
	wait_minted 'pl-echo-server'
	run "$INTERP" "$T/compat/pl-echo-client.pl" "$U.perl" "hello perl"
	assert_equal "$status" 3
	assert_output 'error ECONNREFUSED'
	run name_is_bound "$U.perl"
	assert_failure
}

@test "perl: an unwrapped client dialing the autobind address is closed at the accept gate" {
	need_programs "$INTERP"
	compat_policy compat-perl.policy
	drop_service client
	start_topology
	wait_minted 'pl-echo-server'
	assert_equal "$(socket_type "$MINTED")" 1
	run "$INTERP" "$T/compat/pl-echo-client.pl" "$MINTED" "hello perl"
	# Closed unread: end of stream, or a reset or broken pipe when the
	# request was already on its way; never an answer.
	assert_output --regexp '^(reply \(eof\)|error (ECONNRESET|EPIPE))$'
	assert_accept_denied server "$U.perl" "$INTERP"
	# The server goes on accepting: a second intruder reaches the gate too
	# (a dead server would leave it refused by the kernel, unaudited).
	run "$INTERP" "$T/compat/pl-echo-client.pl" "$MINTED" "hello perl"
	refute_output --partial 'reply echo'
	wait_denials 2
}
