#!/usr/bin/env bats
# Every command, tried as a new user would: each mistake gets its own
# exit status (capwrap(1) EXIT STATUS) and a message that names it.

load operator

@test "no command: usage on stderr, exit 64" {
	run "$CAPWRAP"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap: missing command"
	assert_line --regexp '^usage: capwrap run POLICY'
}

@test "--help prints every command on stdout and exits 0" {
	run --separate-stderr "$CAPWRAP" --help
	assert_success
	assert_line --regexp '^usage: capwrap run POLICY \[--audit FILE\] \[--syslog\]'
	assert_line --regexp '^ +capwrap check POLICY$'
	assert_line --regexp '^ +capwrap graph POLICY \[--audit FILE\]$'
	assert_line --regexp '^ +capwrap audit FILE \[--json\] \[--follow\]$'
	assert_equal "$stderr" ""
}

@test "--version names the package" {
	run "$CAPWRAP" --version
	assert_success
	assert_output --regexp '^capwrap [0-9]+\.[0-9]+'
}

@test "an unknown command: exit 64 with its name" {
	run "$CAPWRAP" start policy
	assert_equal "$status" 64
	assert_line --index 0 "capwrap: unknown command 'start'"
}

@test "an option before the command: exit 64, says the command comes first" {
	run "$CAPWRAP" --audit x run policy
	assert_equal "$status" 64
	assert_line --index 0 "capwrap: unknown option --audit (the command comes first)"
}

@test "each command without its operand: exit 64, missing POLICY or FILE" {
	for cmd in run check graph; do
		run "$CAPWRAP" "$cmd"
		assert_equal "$status" 64
		assert_line --index 0 "capwrap $cmd: missing POLICY"
	done
	run "$CAPWRAP" audit
	assert_equal "$status" 64
	assert_line --index 0 "capwrap audit: missing FILE"
}

@test "two operands: exit 64" {
	write_idle_policy
	run "$CAPWRAP" check "$T/policy" "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap check: one POLICY only"
}

@test "an unknown option, long or short, is named: exit 64" {
	write_idle_policy
	run "$CAPWRAP" run --frobnicate "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap run: unknown option --frobnicate"
	run "$CAPWRAP" graph -q "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap graph: unknown option -q"
	run "$CAPWRAP" audit --jsn "$T/audit.jsonl"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap audit: unknown option --jsn"
	run "$CAPWRAP" check --verbose "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap check: unknown option --verbose"
}

@test "an option without its argument is named: exit 64" {
	write_idle_policy
	run "$CAPWRAP" run "$T/policy" --exit-with
	assert_equal "$status" 64
	assert_line --index 0 "capwrap run: option --exit-with needs an argument"
	run "$CAPWRAP" graph "$T/policy" --audit
	assert_equal "$status" 64
	assert_line --index 0 "capwrap graph: option --audit needs an argument"
}

@test "a bad number of seconds: exit 64 with the range" {
	write_idle_policy
	run "$CAPWRAP" run --grace soon "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap run: --grace soon: invalid (0 to 3600 seconds)"
	run "$CAPWRAP" run --dial-timeout 9999 "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 "capwrap run: --dial-timeout 9999: too large (0 to 3600 seconds)"
}

@test "a missing policy: exit 66, names the file and the error" {
	for cmd in run check graph; do
		run "$CAPWRAP" "$cmd" "$T/nonesuch.policy"
		assert_equal "$status" 66
		assert_output "capwrap: unable to read $T/nonesuch.policy: No such file or directory"
	done
}

@test "a directory given as the policy: exit 66" {
	run "$CAPWRAP" check "$T"
	assert_equal "$status" 66
	assert_output "capwrap: unable to read $T: Is a directory"
}

@test "an unreadable policy, as a user who may not read it: exit 66" {
	write_idle_policy
	chmod 600 "$T/policy"
	chmod 755 "$T"
	for cmd in run check graph; do
		run as_nobody "$CAPWRAP" "$cmd" "$T/policy"
		assert_equal "$status" 66
		assert_output "capwrap: unable to read $T/policy: Permission denied"
	done
}

@test "an unreadable audit log: exit 66" {
	echo '{}' > "$T/audit.jsonl"
	chmod 600 "$T/audit.jsonl"
	chmod 755 "$T"
	run as_nobody "$CAPWRAP" audit "$T/audit.jsonl"
	assert_equal "$status" 66
	assert_output "capwrap: unable to read $T/audit.jsonl: Permission denied"
	write_idle_policy
	chmod 644 "$T/policy"
	run as_nobody "$CAPWRAP" graph "$T/policy" --audit "$T/audit.jsonl"
	assert_equal "$status" 66
	assert_output "capwrap: unable to read $T/audit.jsonl: Permission denied"
}

@test "a missing audit log: exit 66" {
	run "$CAPWRAP" audit "$T/none.jsonl"
	assert_equal "$status" 66
	assert_output "capwrap: unable to read $T/none.jsonl: No such file or directory"
}

@test "an invalid policy: exit 65, every error as file:line:col" {
	write_policy <<EOF
service db {
	exec fx-server x
	dials nobody
	frobnicate
}
EOF
	for cmd in run check graph; do
		run "$CAPWRAP" "$cmd" "$T/policy"
		assert_equal "$status" 65
		assert_line "$T/policy:4:2: unknown directive 'frobnicate' in service 'db'"
		assert_line "$T/policy:3:8: service 'db' dials unknown service 'nobody'"
		assert_line "capwrap: $T/policy: 2 errors"
	done
}

@test "a policy for a program that is not installed: exit 66, names service and program" {
	write_policy <<EOF
service db {
	exec $U-no-such-program --serve
}
EOF
	for cmd in run check; do
		run "$CAPWRAP" "$cmd" "$T/policy"
		assert_equal "$status" 66
		assert_output "capwrap: $T/policy:2:2: service db: unable to find program $U-no-such-program: No such file or directory"
	done
	# Drawing the topology needs no program.
	run "$CAPWRAP" graph "$T/policy"
	assert_success
}

@test "a program that cannot carry the shim is refused: exit 77" {
	write_policy <<EOF
service db {
	exec $T/static
}
EOF
	printf '\177ELF' > "$T/static"
	chmod +x "$T/static"
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 77
	assert_output --regexp "^capwrap: $T/policy:2:2: service db: .*refusing to run it unprotected"
}

@test "an unknown service in --exit-with: exit 64, nothing started" {
	# Each service leaves a file as soon as it runs.
	write_policy <<EOF
service db {
	exec sh -c "touch '$T/db-started'; exec fx-server -n 1 $U.db"
	provides @$U.db
}
service web {
	exec sh -c "touch '$T/web-started'; exec fx-client $U.db hello"
	dials db
}
EOF
	run "$CAPWRAP" run --exit-with wbe "$T/policy"
	assert_equal "$status" 64
	assert_output "capwrap run: --exit-with wbe: no such service in $T/policy"
	[ ! -e "$T/db-started" ]
	[ ! -e "$T/web-started" ]
}

@test "check says OK and exits 0 for a good policy" {
	write_idle_policy
	run --separate-stderr "$CAPWRAP" check "$T/policy"
	assert_success
	assert_output "$T/policy: OK"
	assert_equal "$stderr" ""
}

@test "run: options may follow the policy" {
	write_idle_policy
	run "$CAPWRAP" run "$T/policy" --exit-with web --grace 1
	assert_success
	assert_line --regexp '^web +\| reply echo hello$'
}

@test "run: a failed service gives 1, --exit-with gives its own status" {
	write_policy <<EOF
service bad {
	exec sh -c "exit 7"
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_line "capwrap: bad exited with status 7"
	run "$CAPWRAP" run --exit-with bad "$T/policy"
	assert_equal "$status" 7
}

@test "run: stopped by a signal gives 128+N" {
	write_idle_policy
	start_topology
	wait_for "$T/out" 'listening pid='
	kill -INT "$CAPWRAP_PID"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 130
	run cat "$T/err"
	assert_line "capwrap: Interrupt: stopping all services"
}

@test "run: a service killed by a signal gives 1, --exit-with it gives 128+N" {
	write_policy <<EOF
service fine {
	exec true
}
service shot {
	exec sh -c "kill -USR1 \$\$"
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_line 'capwrap: fine exited with status 0'
	assert_line 'capwrap: shot killed by signal 10 (User defined signal 1)'
	assert_equal "${#lines[@]}" 2
	run "$CAPWRAP" run --exit-with shot "$T/policy"
	assert_equal "$status" 138
	assert_line 'capwrap: shot killed by signal 10 (User defined signal 1)'
}

@test "run: no shim beside capwrap nor where it was installed: exit 71, nothing started" {
	# The shim's installed path is compiled in, as PKGLIBDIR/libcapshim.so.
	installed=$(grep -aoE '/[[:alnum:]_.+/-]+/libcapshim\.so' "$CAPWRAP" |
		grep -v '/\.libs/' | head -n 1)
	[ -n "$installed" ] || fail "no installed shim path in $CAPWRAP"
	[ ! -e "$installed" ] ||
	    skip "libcapshim.so is installed at $installed, where any capwrap finds it"
	write_policy <<EOF
service db {
	exec sh -c "touch '$T/db-started'"
}
EOF
	# A copy of capwrap with no build tree around it.
	mkdir "$T/bin"
	cp "$CAPWRAP" "$T/bin/capwrap"
	run "$T/bin/capwrap" run "$T/policy"
	assert_equal "$status" 71
	assert_output "capwrap: unable to find libcapshim.so (looked beside capwrap and in ${installed%/libcapshim.so})"
	[ ! -e "$T/db-started" ]
	# The same copy with a shim beside it runs the policy.
	mkdir -p "$T/bin/shim/.libs"
	cp "$(dirname "$CAPWRAP")/shim/.libs/libcapshim.so" "$T/bin/shim/.libs/"
	run "$T/bin/capwrap" run "$T/policy"
	assert_success
	[ -e "$T/db-started" ]
}
