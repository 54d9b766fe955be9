#!/usr/bin/env bats
# Raw syscall(): socket and descriptor calls made through syscall() go
# through the same gates as the libc wrappers; every other number is
# forwarded untouched.

load habits

@test "syscall(): bind, connect, accept4, close, close_range and dup3 are gated; getpid and others forwarded" {
	write_policy <<EOF
service svc {
	exec hx-rawsys $U.svc $U.nope
	provides @$U.svc
	dials svc
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with svc
	wait_topology
	run service_lines svc
	refute_output --partial FAIL
	assert_line "ok bind of a name not provided"
	assert_line "ok close of the channel"
	assert_line "ok dup3 onto the channel"
	assert_line "ok accept4 admits"
	assert_line "ok getpid"
	assert_line --regexp '^checks [0-9]+ failed 0$'
	assert_equal "$TOPOLOGY_STATUS" 0
	# Both refused binds were audited as any other.
	assert_equal "$(grep -c '"gate":"bind"' "$T/audit.jsonl")" 2
	run cat "$T/audit.jsonl"
	assert_output --partial "\"name\":\"@$U.nope\""
	assert_output --partial '"service":"svc"'
}
