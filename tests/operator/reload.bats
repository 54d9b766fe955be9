#!/usr/bin/env bats
# Reload: SIGHUP and capwrap reload read the policy again; unchanged
# services go on, changed ones restart, removed ones stop, new ones
# start, the broker decides with the new policy, the audit file is
# reopened; a policy with errors changes nothing.

load operator

setup() {
	setup_control
}

# db provides a name; web dials it each time $T/go appears, and stays up.
write_pair() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "while :; do if [ -e $T/go ]; then rm -f $T/go; fx-client $U.db ping; echo done; fi; sleep 0.05; done"
	${1-dials db}
}
audit audit.jsonl
EOF
}

# pid_of SERVICE: its pid as capwrap status shows it.
pid_of() {
	"$CAPWRAP" status --name "$U" | sed -nE "s/^$1: [a-z]+, pids ([0-9]+),.*/\\1/p"
}

# dial: web dials db once; waits for its report.
dial() {
	local before
	before=$(grep -c '^web .*| done' "$T/out" || true)
	touch "$T/go"
	until [ "$(grep -c '^web .*| done' "$T/out" || true)" -gt "$before" ]; do sleep 0.05; done
}

start_pair() {
	write_pair
	start_topology --name "$U"
	wait_for "$T/out" '^db +\| listening pid='
	until [ -n "$(pid_of web)" ]; do sleep 0.05; done
}

@test "unchanged services keep their pids, a changed one restarts, a removed one stops, a new one starts" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service a {
	exec sleep 600
}
service b {
	exec sleep 601
}
EOF
	start_topology --name "$U"
	wait_for "$T/out" '^db +\| listening pid='
	until [ "$("$CAPWRAP" status --name "$U" | grep -c ': running')" -eq 3 ]; do sleep 0.05; done
	db=$(pid_of db) a=$(pid_of a) b=$(pid_of b)
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service a {
	exec sleep 602
}
service c {
	exec sleep 603
}
EOF
	run "$CAPWRAP" reload --name "$U"
	assert_success
	assert_output "capwrap: reloaded $T/policy: 1 unchanged, 1 restarted, 1 stopped, 1 started"
	wait_for "$T/err" '^capwrap: b killed by signal 15'
	wait_for "$T/err" '^capwrap: a killed by signal 15'
	until [ -n "$(pid_of a)" ] && [ -n "$(pid_of c)" ]; do sleep 0.05; done
	assert_equal "$(pid_of db)" "$db"
	assert_not_equal "$(pid_of a)" "$a"
	run "$CAPWRAP" status --name "$U"
	assert_line --regexp '^a: running, pids [0-9]+, up [0-9]+s, restarts 1, last exit signal 15, grants 0$'
	assert_line --regexp '^c: running, pids [0-9]+, '
	refute_line --regexp '^b:'
	# The new definition is what runs.
	run cat "/proc/$(pid_of a)/cmdline"
	assert_output --partial 602
	run kill -0 "$b"
	assert_failure
	# A removed service is no service of kill or restart.
	run "$CAPWRAP" restart --name "$U" b
	assert_equal "$status" 67
}

@test "a service whose environment changed restarts; one whose stop-signal changed does not" {
	write_policy <<EOF
service a {
	exec sh -c "echo mode=\$MODE; exec sleep 600"
	env MODE=one
}
service b {
	exec sleep 600
}
EOF
	start_topology --name "$U"
	wait_for "$T/out" '^a +\| mode=one$'
	until [ -n "$(pid_of b)" ]; do sleep 0.05; done
	b=$(pid_of b)
	write_policy <<EOF
service a {
	exec sh -c "echo mode=\$MODE; exec sleep 600"
	env MODE=two
}
service b {
	exec sleep 600
	stop-signal INT
}
EOF
	run "$CAPWRAP" reload --name "$U"
	assert_success
	assert_output "capwrap: reloaded $T/policy: 1 unchanged, 1 restarted, 0 stopped, 0 started"
	wait_for "$T/out" '^a +\| mode=two$'
	assert_equal "$(pid_of b)" "$b"
}

@test "a policy with errors is reported and the running one kept" {
	start_pair
	web=$(pid_of web)
	cp "$T/policy" "$T/good"
	printf 'bogus\n' >> "$T/policy"
	run "$CAPWRAP" reload --name "$U"
	assert_equal "$status" 65
	assert_line "$T/policy:10:1: unknown directive 'bogus'"
	assert_line "capwrap: reload: $T/policy: 1 error; the running policy is kept"
	run grep -c "the running policy is kept" "$T/err"
	assert_output 1
	assert_equal "$(pid_of web)" "$web"
	dial
	run service_lines web
	assert_line 'reply echo ping'
	# Unreadable is an error too.
	mv "$T/policy" "$T/gone"
	run "$CAPWRAP" reload --name "$U"
	assert_equal "$status" 65
	assert_equal "$(pid_of web)" "$web"
}

@test "a program that cannot be found, or an audit file that breaks the rules: the running policy kept" {
	start_pair
	web=$(pid_of web)
	sed -i "s|exec fx-server|exec $T/no-such-program|" "$T/policy"
	run "$CAPWRAP" reload --name "$U"
	assert_equal "$status" 65
	assert_output "capwrap: reload: $T/policy refused (see the launcher's messages); the running policy is kept"
	wait_for "$T/err" "no-such-program"
	write_pair
	sed -i "s|^audit audit.jsonl|audit /tmp/$U.jsonl|" "$T/policy"
	run "$CAPWRAP" reload --name "$U"
	assert_equal "$status" 65
	assert_line --index 0 --partial "capwrap: reload: audit file /tmp/$U.jsonl: "
	assert_line --index 1 "capwrap: reload: $T/policy refused (see the launcher's messages); the running policy is kept"
	assert_equal "$(pid_of web)" "$web"
	refute [ -e "/tmp/$U.jsonl" ]
}

@test "SIGHUP reloads instead of stopping" {
	start_pair
	web=$(pid_of web) db=$(pid_of db)
	kill -HUP "$CAPWRAP_PID"
	wait_for "$T/err" "^capwrap: reloaded $T/policy: 2 unchanged, 0 restarted, 0 stopped, 0 started$"
	refute grep -q 'stopping all services' "$T/err"
	assert_equal "$(pid_of web)" "$web"
	assert_equal "$(pid_of db)" "$db"
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 143
}

@test "a dial edge removed: the dialer restarts, so no process keeps a capability; its dials are refused and audited" {
	start_pair
	web=$(pid_of web)
	dial
	run service_lines web
	assert_line 'reply echo ping'
	write_pair '# no dials'
	run "$CAPWRAP" reload --name "$U"
	assert_success
	assert_output "capwrap: reloaded $T/policy: 1 unchanged, 1 restarted, 0 stopped, 0 started"
	until [ -n "$(pid_of web)" ] && [ "$(pid_of web)" != "$web" ]; do sleep 0.05; done
	run kill -0 "$web"
	assert_failure
	dial
	run service_lines web
	assert_line 'connect: EACCES'
	run grep -c '"gate":"connect".*"reason":"service web does not dial service db"' "$T/audit.jsonl"
	assert_output 1
	run "$CAPWRAP" status --name "$U"
	assert_line '  refused 1 at connect: service web does not dial service db'
}

@test "a dial edge added: the dialer keeps running and its next dial is granted" {
	write_pair '# no dials'
	start_topology --name "$U"
	wait_for "$T/out" '^db +\| listening pid='
	until [ -n "$(pid_of web)" ]; do sleep 0.05; done
	web=$(pid_of web)
	write_pair
	run "$CAPWRAP" reload --name "$U"
	assert_success
	assert_output "capwrap: reloaded $T/policy: 2 unchanged, 0 restarted, 0 stopped, 0 started"
	dial
	assert_equal "$(pid_of web)" "$web"
	run service_lines web
	assert_line 'reply echo ping'
}

@test "the audit file is reopened on reload: log rotation" {
	start_pair
	write_pair '# no dials'
	"$CAPWRAP" reload --name "$U"
	dial
	wait_for "$T/audit.jsonl" '"gate":"connect"'
	mv "$T/audit.jsonl" "$T/audit.jsonl.1"
	"$CAPWRAP" reload --name "$U"
	assert [ -f "$T/audit.jsonl" ]
	dial
	wait_for "$T/audit.jsonl" '"gate":"connect"'
	run grep -c '"gate":"connect"' "$T/audit.jsonl.1"
	assert_output 1
	run grep -c '"gate":"connect"' "$T/audit.jsonl"
	assert_output 1
}

@test "a removed provider's names go: a dial to them is refused" {
	start_pair
	write_policy <<EOF
service web {
	exec sh -c "while :; do if [ -e $T/go ]; then rm -f $T/go; fx-client $U.db ping; echo done; fi; sleep 0.05; done"
}
audit audit.jsonl
EOF
	run "$CAPWRAP" reload --name "$U"
	assert_success
	assert_output "capwrap: reloaded $T/policy: 1 unchanged, 0 restarted, 1 stopped, 0 started"
	wait_for "$T/err" '^capwrap: db killed by signal 15'
	run "$CAPWRAP" status --name "$U" --json
	refute_output --partial '"registrations":[{'
	refute_output --partial '"name":"db"'
	dial
	run service_lines web
	refute_line 'reply echo ping'
}

@test "a service that does not stop on TERM is killed when the grace is over" {
	write_policy <<EOF
service stubborn {
	exec sh -c "trap '' TERM; echo up; while :; do sleep 0.05; done"
}
EOF
	start_topology --name "$U" --grace 1
	wait_for "$T/out" 'stubborn +\| up'
	write_policy <<EOF
service stubborn {
	exec sh -c "trap '' TERM; echo again; while :; do sleep 0.05; done"
}
EOF
	run "$CAPWRAP" reload --name "$U"
	assert_success
	wait_for "$T/err" '^capwrap: stubborn killed by signal 9'
	wait_for "$T/out" 'stubborn +\| again'
}
