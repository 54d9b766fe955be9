#!/usr/bin/env bats
# python3's socket module, unmodified, on both ends of an abstract stream
# socket (examples/compat-python3.policy).  Debian's /usr/bin/python3.

load ../helpers
load compat

PY=/usr/bin/python3

@test "python3: a wrapped socket-module client gets the wrapped server's answer" {
	need_programs "$PY"
	compat_policy compat-python3.policy
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| reply echo hello python$'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "python3: the same client unwrapped finds no one at the fixed name" {
	need_programs "$PY"
	compat_policy compat-python3.policy
	drop_service client
	start_topology
	wait_minted 'py-echo-server'
	run "$PY" "$EXAMPLES/compat/py-echo-client.py" "$U.python3" "hello python"
	assert_equal "$status" 3
	assert_output 'error ECONNREFUSED'
	run name_is_bound "$U.python3"
	assert_failure
}

@test "python3: an unwrapped client dialing the autobind address is closed at the accept gate" {
	need_programs "$PY"
	compat_policy compat-python3.policy
	drop_service client
	start_topology
	wait_minted 'py-echo-server'
	assert_equal "$(socket_type "$MINTED")" 1
	run "$PY" "$EXAMPLES/compat/py-echo-client.py" "$MINTED" "hello python"
	# Closed unread: end of stream, or a reset or broken pipe when the
	# request was already on its way; never an answer.
	assert_output --regexp '^(reply \(eof\)|error (ECONNRESET|EPIPE))$'
	assert_accept_denied server "$U.python3" "$PY"
	# The server goes on accepting: a second intruder reaches the gate too
	# (a dead server would leave it refused by the kernel, unaudited).
	run "$PY" "$EXAMPLES/compat/py-echo-client.py" "$MINTED" "hello python"
	refute_output --partial 'reply echo'
	wait_denials 2
}
