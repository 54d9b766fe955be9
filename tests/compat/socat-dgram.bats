#!/usr/bin/env bats
# socat, unmodified, on both ends of abstract datagram sockets
# (examples/compat-socat-dgram.policy): ABSTRACT-RECVFROM serves,
# ABSTRACT-SENDTO asks from a name of its own and takes the answer.

load ../helpers
load compat

# Until the client prints its answer or a gate refuses something (at most
# a minute): a refusal means no answer is coming, so the test need not
# wait it out.
wait_answer_or_denial() {
	local i
	for ((i = 0; i < 60 * 20; i++)); do
		if grep -qE '^client +\| ' "$T/out" ||
		    grep -qF '"event":"deny"' "$T/audit.jsonl" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
}

# The client's command line, the same one the example policy runs, to the
# address given.
socat_dgram_client() {
	socat -t 10 "OPEN:$EXAMPLES/compat/request.txt,rdonly!!STDOUT" \
	    "ABSTRACT-SENDTO:$1,bind=$U.socat-dgram-client"
}

@test "socat dgram: a wrapped socat client gets the wrapped socat server's answer" {
	need_programs socat tr
	compat_policy compat-socat-dgram.policy
	start_topology --exit-with client
	# A datagram exchange has no end of stream: socat ends it after -t
	# seconds of quiet, so wait for the answer rather than for the exit.
	# The answer comes from the child socat forks for the sender, not from
	# the process that bound the name.
	wait_answer_or_denial
	run cat "$T/out"
	assert_line --regexp '^client +\| HELLO CAPWRAP$'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "socat dgram: a wrapped socat client gets the answer of a one-shot wrapped socat server" {
	need_programs socat tr
	compat_policy compat-socat-dgram.policy
	# Without fork, the process that bound the name answers itself.
	sed -i 's/,fork / /' "$T/policy"
	run grep -c ',fork' "$T/policy"
	assert_output 0
	start_topology --exit-with client
	wait_answer_or_denial
	run cat "$T/out"
	assert_line --regexp '^client +\| HELLO CAPWRAP$'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "socat dgram: the same client unwrapped finds no one at the fixed name" {
	need_programs socat tr
	compat_policy compat-socat-dgram.policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-RECVFROM'
	assert_equal "$(socket_type "$MINTED")" 2
	run socat_dgram_client "$U.socat-dgram"
	assert_failure
	assert_output --regexp 'sendto\(.*Connection refused'
	run name_is_bound "$U.socat-dgram"
	assert_failure
}

@test "socat dgram: a datagram from an unwrapped socat to the autobind address is dropped and audited" {
	need_programs socat tr
	compat_policy compat-socat-dgram.policy
	drop_service client
	start_topology
	wait_minted 'ABSTRACT-RECVFROM'
	socat_dgram_client "$MINTED" > "$T/intruder" 2>&1 &
	intruder=$!
	wait_for "$T/audit.jsonl" '"event":"deny"'
	# The receive gate refused it before socat saw it (had socat seen it,
	# its answer to the intruder's name, which no service provides, would
	# be the refusal here, at the connect gate).  No answer came back.
	run cat "$T/audit.jsonl"
	assert_output --partial '"service":"server"'
	refute_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$U.socat-dgram\""
	assert_output --partial \
	    "\"peer_exe\":\"$(readlink -f "$(command -v socat)")\""
	kill "$intruder"
	wait "$intruder" || true
	run cat "$T/intruder"
	refute_output --partial HELLO
}
