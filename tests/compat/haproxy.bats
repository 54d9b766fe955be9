#!/usr/bin/env bats
# haproxy, unmodified, in tcp mode on abns@ addresses: listening on one
# (bind abns@NAME) and dialing a backend on another (server s1 abns@NAME),
# with socat as the backend server and as the client
# (examples/compat-haproxy.policy, examples/compat/haproxy.cfg).

load ../helpers
load compat

# haproxy's abns@NAME is NAME padded with NUL bytes to the whole of
# sun_path (107 bytes after the leading NUL); the policy writes @NAME.
ABNS_LEN=107

# NAME's padding as /proc/net/unix lists it (@ for each NUL).
abns_listed() {
	local n=$((ABNS_LEN - ${#1})) out=
	while [ "$n" -gt 0 ]; do
		out+=@
		n=$((n - 1))
	done
	printf '%s' "$out"
}

# NAME padded as an audit record prints it, \0{N}, in JSON (\\0{N}).
abns_recorded() {
	printf '%s\\\\0{%d}' "$1" $((ABNS_LEN - ${#1}))
}

compat_haproxy_policy() {
	compat_policy compat-haproxy.policy
	"$CAPWRAP" check "$T/policy" > /dev/null
}

# The client's command line, the same one the example policy runs, to the
# address given.
socat_client() {
	socat -t 30 "OPEN:$EXAMPLES/compat/request.txt,rdonly!!STDOUT" "$@"
}

@test "haproxy: a wrapped socat client gets the wrapped backend's answer through wrapped haproxy" {
	need_programs haproxy socat tr
	compat_haproxy_policy
	# haproxy dials the backend non-blocking and does not wait for it (see
	# the policy): a client that comes before the backend registered is
	# closed unanswered.  Running the client again until it is answered
	# keeps the start order out of the test.
	sed -i '/^service client {/a\
	restart always' "$T/policy"
	"$CAPWRAP" check "$T/policy" > /dev/null
	start_topology
	wait_for "$T/out" '^client +\| '
	run cat "$T/out"
	assert_line --regexp '^client +\| HELLO CAPWRAP$'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "haproxy: the same client unwrapped finds no one at the padded fixed name" {
	need_programs haproxy socat tr
	compat_haproxy_policy
	drop_service client
	start_topology
	wait_minted '^haproxy '
	run socat_client "ABSTRACT-CONNECT:$U.haproxy-front,unix-tightsocklen=0"
	assert_failure
	assert_output --regexp 'connect\(.*Connection refused'
	# Neither haproxy's name nor the backend's is bound as written.
	run name_is_bound "$U.haproxy-front$(abns_listed "$U.haproxy-front")"
	assert_failure
	run name_is_bound "$U.haproxy-back$(abns_listed "$U.haproxy-back")"
	assert_failure
}

@test "haproxy: an unwrapped socat dialing haproxy's autobind address is closed at the accept gate" {
	need_programs haproxy socat tr
	compat_haproxy_policy
	drop_service client
	start_topology
	wait_minted '^haproxy '
	assert_equal "$(socket_type "$MINTED")" 1
	run socat_client "ABSTRACT-CONNECT:$MINTED"
	refute_output --partial HELLO
	if [ "$status" -ne 0 ]; then
		assert_output --regexp 'Connection reset by peer|Broken pipe'
	fi
	# The audit log prints the padding as \0{N} (\\0{N} in JSON).
	assert_accept_denied proxy "$(abns_recorded "$U.haproxy-front")" socat
	# haproxy goes on accepting: a second intruder reaches the gate too.
	run socat_client "ABSTRACT-CONNECT:$MINTED"
	refute_output --partial HELLO
	wait_denials 2
}

@test "haproxy: an unwrapped socat dialing the backend's autobind address is closed at its accept gate" {
	need_programs haproxy socat tr
	compat_haproxy_policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-LISTEN'
	run socat_client "ABSTRACT-CONNECT:$MINTED"
	refute_output --partial HELLO
	assert_accept_denied backend "$(abns_recorded "$U.haproxy-back")" socat
}
