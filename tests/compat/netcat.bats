#!/usr/bin/env bats
# netcat-openbsd's nc, unmodified, on both ends of an abstract stream
# socket: "nc -lkU @NAME" and "nc -N -U @NAME", Debian's nc(1) spelling of
# an abstract name (examples/compat-netcat.policy).

load ../helpers
load compat

# The client's command, unwrapped, to @NAME.
nc_client() {
	nc -N -U "@$1" < "$EXAMPLES/compat/request.txt"
}

@test "netcat: a wrapped nc gets the wrapped nc -lkU's answer, and the server gets the request" {
	need_programs nc sh
	compat_policy compat-netcat.policy
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line 'client | hello from nc'
	assert_line 'server | hello capwrap'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "netcat: the same nc unwrapped finds no one at the fixed name" {
	need_programs nc sh
	compat_policy compat-netcat.policy
	drop_service client
	start_topology
	wait_minted '^nc -lkU '
	run nc_client "$U.nc"
	assert_equal "$status" 1
	assert_output "nc: @$U.nc: Connection refused"
	run name_is_bound "$U.nc"
	assert_failure
}

@test "netcat: an unwrapped nc dialing the autobind address is closed at the accept gate" {
	need_programs nc sh
	compat_policy compat-netcat.policy
	drop_service client
	start_topology
	wait_minted '^nc -lkU '
	assert_equal "$(socket_type "$MINTED")" 1
	run nc_client "$MINTED"
	refute_output --partial 'hello from nc'
	assert_accept_denied server "$U.nc" nc
	# nc -lkU goes on accepting: a second intruder reaches the gate too,
	# and neither request reached the server.
	run nc_client "$MINTED"
	refute_output --partial 'hello from nc'
	wait_denials 2
	run cat "$T/out"
	refute_output --partial 'hello capwrap'
}
