#!/usr/bin/env bats
# Targets the shim cannot protect: a statically linked program, a
# set-user-ID or set-group-ID one that changes the credentials, a Go
# program.  capwrap check and capwrap run refuse each (exit 77) and say
# why, but for the static and Go programs they supervise through seccomp
# where the kernel allows (tests/supervised) (file capabilities only matter to a caller other than root: see
# tests/unit/test_image.c); the policy
# keyword "unprotected" opts a service out, and then it runs without the
# shim.  Every other service has the shim first in LD_PRELOAD, ahead of
# whatever capwrap itself was given.

load habits

# refused PROGRAM WHY: check and run both refuse a service exec'ing PROGRAM.
refused() {
	write_policy <<EOF
service svc {
	exec $1
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 77
	assert_output --partial "$2"
	run timeout 60 "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 77
	assert_output --partial "$2"
	refute_output --partial "LD_PRELOAD"
}

# A static program runs supervised through seccomp where the kernel has
# user notification (tests/supervised); without it, it is refused.
@test "targets: a statically linked exec is refused where it cannot run supervised" {
	CAPWRAP_PROBE_DISABLE=seccomp-notif refused "$HABITS/hx-static" \
		"statically linked"
}

# Root running a set-user-ID file of another owner changes its uid: the
# loader runs it in secure mode, without LD_PRELOAD.
@test "targets: a set-user-ID exec of another owner is refused" {
	cp "$HABITS/hx-exec" "$T/hx-suid"
	chown nobody "$T/hx-suid"
	chmod u+s "$T/hx-suid"
	refused "$T/hx-suid dial $U.db" "set-user-ID"
}

@test "targets: a set-group-ID exec of another group is refused" {
	cp "$HABITS/hx-exec" "$T/hx-sgid"
	chgrp nogroup "$T/hx-sgid"
	chmod g+s "$T/hx-sgid"
	refused "$T/hx-sgid dial $U.db" "set-group-ID"
}

@test "targets: a set-user-ID exec owned by the caller changes nothing and passes" {
	cp "$HABITS/hx-exec" "$T/hx-suid"
	chmod u+s "$T/hx-suid"
	write_policy <<EOF
service svc {
	exec $T/hx-suid dial $U.db
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_success
}

@test "targets: unprotected opts a static exec out: check passes, run runs it without the shim" {
	write_policy <<EOF
service svc {
	exec $HABITS/hx-static
	unprotected
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_success
	start_topology --exit-with svc
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^svc +\| LD_PRELOAD unset$'
	assert_line --regexp '^svc +\| CAPWRAP_CHANNEL unset$'
}

@test "targets: an unprotected dynamic service runs without LD_PRELOAD in its environment" {
	write_policy <<EOF
service svc {
	exec env
	unprotected
}
EOF
	start_topology --exit-with svc
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^svc +\| PATH='
	refute_line --regexp '^svc +\| LD_PRELOAD='
	refute_line --regexp '^svc +\| CAPWRAP_CHANNEL='
}

@test "targets: the shim goes ahead of the LD_PRELOAD capwrap itself was given" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service svc {
	exec sh -c "echo \"LD_PRELOAD=\$LD_PRELOAD\"; exec fx-client $U.db preload"
	dials db
}
EOF
	# libm stands for any library an operator preloads: present
	# everywhere, and it interposes nothing.
	LD_PRELOAD=libm.so.6 start_topology --exit-with svc
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines svc
	assert_line "LD_PRELOAD=$CAPWRAP_SHIM_SO:libm.so.6"
	# The gates work with both preloaded: the fixed name is never bound,
	# so only the shim reaches db.
	assert_line "reply echo preload"
}
