#!/usr/bin/env bats
# node's net module, unmodified, on both ends of an abstract stream socket
# (examples/compat-node.policy).  libuv binds and dials "\0NAME" padded
# with NUL bytes to the end of sun_path (strace shows bind() and connect()
# with an address length of 110); the policy writes @NAME.

load ../helpers
load compat

NODE=/usr/bin/node

# NAME padded with NULs to the end of sun_path, as /proc/net/unix lists
# it: an @ for each NUL.
node_listed() {
	local n=$((107 - ${#1})) out=$1
	while [ "$n" -gt 0 ]; do
		out+=@
		n=$((n - 1))
	done
	printf '%s' "$out"
}

@test "node: a wrapped client gets the wrapped server's answer; the server's address is what node reports without capwrap" {
	skip_in_sanitizer_build "node crashes with the ASan runtime preloaded into it"
	need_programs "$NODE"
	compat_policy compat-node.policy
	# The client is started again until answered (see the policy).
	start_topology
	wait_for "$T/out" '^client +\| reply '
	run cat "$T/out"
	assert_line --regexp '^client +\| reply echo hello node$'
	assert_line --regexp "^server +\\| listening \"\\\\u0000$U\\.node\"$"
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "node: the server binds as libuv pads, and the same server unwrapped reports the same address" {
	need_programs "$NODE" strace
	run timeout 30 strace -f -e trace=bind -o "$T/strace" \
		"$NODE" -e 'const s = require("net").createServer().listen(
		    "\0" + process.argv[1], () => {
			console.log(JSON.stringify(s.address())); s.close(); })' \
		"$U.bare"
	assert_success
	assert_output "\"\\u0000$U.bare\""
	run grep -E "bind\\(.*@\"$U\\.bare(\\\\0)+\"\\}, 110\\) = 0" "$T/strace"
	assert_success
}

@test "node: the same client unwrapped finds no one at the fixed name, padded or not" {
	skip_in_sanitizer_build "node crashes with the ASan runtime preloaded into it"
	need_programs "$NODE"
	compat_policy compat-node.policy
	drop_service client
	start_topology
	wait_minted 'node-echo-server'
	run "$NODE" "$T/compat/node-echo-client.js" "$U.node" "hello node"
	assert_equal "$status" 3
	assert_output 'error ECONNREFUSED'
	run name_is_bound "$(node_listed "$U.node")"
	assert_failure
	run name_is_bound "$U.node"
	assert_failure
}

@test "node: an outsider dialing the autobind address is closed at the accept gate, recorded as @NAME\\0{N}" {
	skip_in_sanitizer_build "node crashes with the ASan runtime preloaded into it"
	need_programs "$NODE" /usr/bin/python3
	compat_policy compat-node.policy
	drop_service client
	start_topology
	wait_minted 'node-echo-server'
	assert_equal "$(socket_type "$MINTED")" 1
	# node pads the minted address too: another name, nobody there.
	run "$NODE" "$T/compat/node-echo-client.js" "$MINTED" "hello node"
	assert_equal "$status" 3
	assert_output 'error ECONNREFUSED'
	# python3 dials it exactly, and meets the gate.
	run /usr/bin/python3 "$T/compat/py-echo-client.py" "$MINTED" "hello node"
	refute_output --partial 'reply echo'
	wait_denials 1
	run jq -r 'select(.gate == "accept") | [.service, .name, .peer_exe] | join(" ")' \
		"$T/audit.jsonl"
	assert_output "server @$U.node\\0{$((107 - ${#U} - 5))} $(readlink -f /usr/bin/python3)"
	run grep -c 'x00' "$T/audit.jsonl"
	assert_output 0
}
