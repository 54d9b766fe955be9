#!/usr/bin/env bats
# haproxy, unmodified, in tcp mode on abns@ addresses: listening on one
# (bind abns@NAME) and dialing a backend on another (server s1 abns@NAME),
# with socat as the backend server and as the client
# (examples/compat-haproxy.policy, examples/compat/haproxy.cfg).

load ../helpers
load compat

# haproxy's abns@NAME is NAME padded with NUL bytes to the whole of
# sun_path (107 bytes after the leading NUL).
ABNS_LEN=107

# NAME's padding as the policy writes it (\x00 escapes) or, with the
# second argument, as /proc/net/unix lists it (@ for each NUL).
abns_padding() {
	local n=$((ABNS_LEN - ${#1})) unit=${2:-'\x00'} out=
	while [ "$n" -gt 0 ]; do
		out+=$unit
		n=$((n - 1))
	done
	printf '%s' "$out"
}

# The example pads capwrap-compat.NAME; this test's names are shorter or
# longer, so pad them again.
compat_haproxy_policy() {
	local policy n old new
	compat_policy compat-haproxy.policy
	policy=$(cat "$T/policy")
	for n in haproxy-front haproxy-back; do
		old="\"@$U.$n$(abns_padding "capwrap-compat.$n")\""
		new="\"@$U.$n$(abns_padding "$U.$n")\""
		[[ $policy == *"$old"* ]]
		policy=${policy//"$old"/"$new"}
	done
	printf '%s\n' "$policy" > "$T/policy"
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
	run name_is_bound "$U.haproxy-front$(abns_padding "$U.haproxy-front" @)"
	assert_failure
	run name_is_bound "$U.haproxy-back$(abns_padding "$U.haproxy-back" @)"
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
	# The audit log escapes each NUL of the name as \x00 (\\x00 in JSON).
	assert_accept_denied proxy \
	    "$U.haproxy-front$(abns_padding "$U.haproxy-front" '\\x00')" \
	    socat
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
	assert_accept_denied backend \
	    "$U.haproxy-back$(abns_padding "$U.haproxy-back" '\\x00')" \
	    socat
}
