#!/usr/bin/env bats
# capwrap check knows what capwrap run knows: the audit file it could not
# open, the program it could not start (pointed at by its `exec`), and
# the dials that grant nothing.

load operator

bats_require_minimum_version 1.5.0

# The policy and its directory readable by nobody, for the tests that
# check as an unprivileged user.
open_to_nobody() {
	chmod 755 "$T"
	chmod 644 "$T/policy"
}

@test "check warns of dials in an unprotected service, and says OK" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec fx-client $U.db hello
	unprotected
	dials db
}
EOF
	run --separate-stderr "$CAPWRAP" check "$T/policy"
	assert_success
	assert_output "$T/policy: OK"
	assert_equal "$stderr" "capwrap: $T/policy:8:8: warning: service web is unprotected: it runs without the shim, so its dials are not gated and grant nothing"
}

@test "check warns of dialing a service that provides nothing, and says OK" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
}
service web {
	exec fx-client $U.db hello
	dials   db
}
EOF
	run --separate-stderr "$CAPWRAP" check "$T/policy"
	assert_success
	assert_output "$T/policy: OK"
	assert_equal "$stderr" "capwrap: $T/policy:6:10: warning: service web dials db, which provides no name"
}

@test "run does not repeat check's warnings" {
	write_policy <<EOF
service db {
	exec true
}
service web {
	exec true
	unprotected
	dials db
}
EOF
	run --separate-stderr "$CAPWRAP" run "$T/policy"
	assert_success
	refute_regex "$stderr" 'warning'
}

@test "a missing program is pointed at by its exec's line and column: exit 66" {
	write_policy <<EOF
service db {
	provides @$U.db

	    exec $U-no-such-program
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 66
	assert_output "capwrap: $T/policy:4:6: service db: unable to find program $U-no-such-program: No such file or directory"
}

@test "a program that is not executable is pointed at by its exec: exit 66" {
	printf '#!/bin/sh\n' > "$T/prog"
	chmod 644 "$T/prog"
	write_policy <<EOF
service db {
	exec $T/prog
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 66
	assert_output "capwrap: $T/policy:2:2: service db: unable to find program $T/prog: Permission denied"
}

@test "a static image refused is pointed at by its exec: exit 77" {
	printf '\177ELF' > "$T/static"
	chmod +x "$T/static"
	write_policy <<EOF
service db {
   exec $T/static
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 77
	assert_output --regexp "^capwrap: $T/policy:2:4: service db: .*; refusing to run it unprotected \\(mark it \`unprotected\` to run it without capwrap's gates\\)$"
}

@test "an audit file in a missing directory: check exits 65" {
	write_policy <<EOF
audit $T/none/audit.jsonl
service db {
	exec true
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:1:7: audit: directory $T/none does not exist; refusing to write the audit trail there"
}

@test "an audit directory capwrap cannot write to: check and run exit 65, nothing started" {
	mkdir -m 755 "$T/logs"
	write_policy <<EOF
audit $T/logs/audit.jsonl
service db {
	exec sh -c "touch '$T/logs/../started'"
}
EOF
	open_to_nobody
	uid=$(id -u nobody)
	for cmd in check run; do
		run as_nobody "$CAPWRAP" "$cmd" "$T/policy"
		assert_equal "$status" 65
		assert_output "capwrap: $T/policy:1:7: audit: directory $T/logs is not writable by uid $uid: Permission denied; refusing to write the audit trail there"
	done
	[ ! -e "$T/started" ]
	[ ! -e "$T/logs/audit.jsonl" ]
}

@test "an audit file capwrap cannot write to: check exits 65, the file unchanged" {
	mkdir -m 755 "$T/logs"
	echo keep > "$T/logs/audit.jsonl"
	chown nobody "$T/logs/audit.jsonl"
	chmod 444 "$T/logs/audit.jsonl"
	write_policy <<EOF
audit $T/logs/audit.jsonl
service db {
	exec true
}
EOF
	open_to_nobody
	uid=$(id -u nobody)
	run as_nobody "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:1:7: audit: $T/logs/audit.jsonl is not writable by uid $uid: Permission denied; refusing to write the audit trail there"
	run cat "$T/logs/audit.jsonl"
	assert_output keep
}

@test "an audit directory capwrap can write to: check says OK and creates nothing" {
	mkdir -m 700 "$T/logs"
	write_policy <<EOF
audit $T/logs/audit.jsonl
service db {
	exec true
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_success
	assert_output "$T/policy: OK"
	[ ! -e "$T/logs/audit.jsonl" ]
}
