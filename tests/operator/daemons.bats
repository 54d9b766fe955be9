#!/usr/bin/env bats
# What real daemons need of their start: a user and group of their own,
# an environment, a working directory, their limits, and the signal that
# stops them; and a policy that means the same from any directory.

load operator

needs_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to change uid"
	getent passwd nobody daemon > /dev/null || skip "needs users nobody and daemon"
	command -v setpriv > /dev/null || skip "needs setpriv(1)"
}

# As gates.bats's: an outsider the accept gate refused was connected, then
# cut off, and never got a reply.
assert_cut_off() {
	assert_equal "$1" 4
	run cat "$2"
	assert_line connected
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	refute_output --partial reply
}

# The Uid:, Gid: and Groups: lines of /proc/PID/status, tabs as spaces.
ids_of() {
	grep -E '^(Uid|Gid|Groups):' "/proc/$1/status" | tr '\t' ' ' |
		sed 's/ *$//'
}

@test "user nobody: a wrapped server runs as nobody with its groups and serves clients as root and as another user" {
	needs_root
	chmod 755 "$T"
	write_policy <<EOF
service db {
	exec fx-server -n 2 $U.db
	provides @$U.db
	user nobody
}
service web {
	exec sh -c "until [ -e $T/go ]; do sleep 0.05; done; fx-client $U.db root"
	dials db
}
service web2 {
	exec sh -c "until [ -e $T/go ]; do sleep 0.05; done; fx-client $U.db daemon"
	dials db
	user daemon
}
audit audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	pid=$(listener_pid db)
	run ids_of "$pid"
	assert_output "Uid: 65534 65534 65534 65534
Gid: 65534 65534 65534 65534
Groups: 65534"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo root$'
	assert_line --regexp '^web2 +\| reply echo daemon$'
	run grep -c '"event":"deny' "$T/audit.jsonl"
	assert_output 0
}

@test "user nobody: outsiders of the service's uid, of root and of another uid are refused" {
	needs_root
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
	user nobody
}
audit audit.jsonl
EOF
	start_topology
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	for who in nobody root daemon; do
		(trap '' PIPE; exec setpriv --reuid="$who" --regid="$(id -g "$who")" \
			--clear-groups "$FIXTURES/fx-client" "$addr" steal \
			> "$T/outsider-$who" 2>&1) &
		outsider=$!
		outsider_status=0
		wait "$outsider" || outsider_status=$?
		assert_cut_off "$outsider_status" "$T/outsider-$who"
		wait_for "$T/audit.jsonl" "\"peer_pid\":$outsider,"
		run grep "\"peer_pid\":$outsider," "$T/audit.jsonl"
		assert_output --partial '"gate":"accept"'
		assert_output --partial "\"peer_uid\":$(id -u "$who"),"
	done
	run cat "$T/out"
	refute_line --regexp '^db +\| served steal'
}

@test "user nobody: the service gets its output pipes and the channel, never the audit log" {
	needs_root
	write_policy <<EOF
service a {
	exec sh -c "id -u; echo to-stderr >&2; ls -l /proc/\$\$/fd; cat $T/audit.jsonl"
	user nobody
}
audit audit.jsonl
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_line --regexp '^a +\| 65534$'
	assert_line --regexp '^a +\| to-stderr$'
	assert_line --regexp "^a +\\| cat: $T/audit.jsonl: Permission denied\$"
	assert_line --regexp '^a +\| .* 1000 -> socket:\[[0-9]+\]$'
	assert_line --regexp '^a +\| .* 0 -> /dev/null$'
	assert_line --regexp '^a +\| .* 1 -> pipe:\[[0-9]+\]$'
	assert_line --regexp '^a +\| .* 2 -> pipe:\[[0-9]+\]$'
	# Those four and nothing else: no audit log, no other channel.  (No
	# pipeline: a shell holds a pipe's ends while it sets one up.)
	[ "$(grep -cE '^a +\| .* [0-9]+ -> ' <<< "$output")" -eq 4 ]
}

@test "group alone sets the group; user with group: that group and the user's list" {
	needs_root
	write_policy <<EOF
service g {
	exec sh -c "echo \$(id -u) \$(id -g) \$(id -G)"
	group daemon
}
service ug {
	exec sh -c "echo \$(id -u) \$(id -g) \$(id -G)"
	user nobody
	group daemon
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 0
	assert_line --regexp '^g +\| 0 1 1$'
	assert_line --regexp '^ug +\| 65534 1 1$'
}

@test "user and group: unknown ones are policy errors of check and of run, nothing started" {
	write_policy <<EOF
service db {
	exec sh -c "touch $T/started"
	user no-such-user-$U
	group 4000000000
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:3:7: service db: unknown user no-such-user-$U"
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 65
	assert_line "capwrap: $T/policy:3:7: service db: unknown user no-such-user-$U"
	[ ! -e "$T/started" ]
	sed -i '/user/d' "$T/policy"
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:3:8: service db: unknown group 4000000000"
	# A number is looked up too: a UID without an entry is unknown.
	sed -i 's/group 4000000000/user 4000000000/' "$T/policy"
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:3:7: service db: unknown user 4000000000"
}

@test "user: each change of ids is checked; a root launcher without the capability starts nothing" {
	needs_root
	write_policy <<EOF
service a {
	exec /bin/sh -c "touch $T/started"
	user nobody
}
EOF
	run setpriv --bounding-set=-setgid "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 71
	assert_line "capwrap: a: unable to execute /bin/sh: setgroups: Operation not permitted"
	run setpriv --bounding-set=-setuid "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 71
	assert_line "capwrap: a: unable to execute /bin/sh: setuid: Operation not permitted"
	[ ! -e "$T/started" ]
}

@test "directory: entered as the service's user" {
	needs_root
	mkdir -m 700 "$T/private"
	write_policy <<EOF
service a {
	exec /bin/true
	directory private
	user nobody
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 71
	assert_line "capwrap: a: unable to execute /bin/true: directory $T/private: Permission denied"
}

@test "user and group other than its own: refused by check and run when capwrap is not root" {
	needs_root
	chmod 755 "$T"
	write_policy <<EOF
service db {
	exec sh -c "touch $T/started"
	user root
}
EOF
	run as_nobody "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:3:7: service db: user root is not capwrap's own (uid 65534), and only root may start a service as another user"
	run as_nobody "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 65
	assert_line "capwrap: $T/policy:3:7: service db: user root is not capwrap's own (uid 65534), and only root may start a service as another user"
	[ ! -e "$T/started" ]
	sed -i 's/user root/group daemon/' "$T/policy"
	run as_nobody "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_output "capwrap: $T/policy:3:8: service db: group daemon is not capwrap's own (gid 65534), and only root may start a service as another group"
	# Its own user and group need no change, and are accepted.
	sed -i 's/group daemon/user nobody\n\tgroup nogroup/' "$T/policy"
	run as_nobody "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 0
	assert_output "$T/policy: OK"
}

@test "env: sets and overrides variables; the launcher's own stay out of reach" {
	write_policy <<EOF
service a {
	exec sh -c "echo FOO=\$FOO BAR=\$BAR EMPTY=[\$EMPTY] KEEP=\$KEEP"
	env FOO=policy "BAR=two words"
	env EMPTY=
}
EOF
	FOO=inherited KEEP=kept run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 0
	assert_line --regexp '^a +\| FOO=policy BAR=two words EMPTY=\[\] KEEP=kept$'
	write_policy <<EOF
service a {
	exec true
	env LD_PRELOAD=/tmp/x.so CAPWRAP_CHANNEL=3 A=1 A=2
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_line "$T/policy:3:6: env cannot set LD_PRELOAD in service 'a': capwrap sets it"
	assert_line "$T/policy:3:27: env cannot set CAPWRAP_CHANNEL in service 'a': capwrap sets it"
	assert_line "$T/policy:3:49: env sets A twice in service 'a' (first at line 3)"
}

@test "relative exec, directory and audit resolve against the policy's directory, run from /" {
	mkdir -p "$T/conf/bin" "$T/conf/data"
	printf '#!/bin/sh\necho "pwd=$(pwd)"\n' > "$T/conf/bin/show"
	chmod +x "$T/conf/bin/show"
	cat > "$T/conf/p.policy" <<EOF
service a {
	exec ./bin/show
	directory data
}
audit audit.jsonl
EOF
	run sh -c "cd / && exec \"\$0\" run \"\$1\"" "$CAPWRAP" "$T/conf/p.policy"
	assert_equal "$status" 0
	assert_line --regexp "^a +\\| pwd=$T/conf/data\$"
	[ -f "$T/conf/audit.jsonl" ]
	run sh -c "cd / && exec \"\$0\" check \"\$1\"" "$CAPWRAP" "$T/conf/p.policy"
	assert_equal "$status" 0
}

@test "cd / && capwrap run examples/demo.policy: the demo runs from the root directory" {
	command -v socat > /dev/null || skip "needs socat"
	cp "$EXAMPLES/demo.policy" "$T/demo.policy"
	run sh -c "cd / && exec \"\$0\" run --exit-with web \"\$1\"" "$CAPWRAP" "$T/demo.policy"
	assert_equal "$status" 0
	assert_line --regexp '^web +\| hello from web$'
	[ -s "$T/demo-audit.jsonl" ]
}

@test "directory: a missing one fails the start as an exec failure does" {
	write_policy <<EOF
service a {
	exec /bin/true
	directory missing
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 71
	assert_line "capwrap: a: unable to execute /bin/true: directory $T/missing: No such file or directory"
}

@test "limit nofile: the launcher raises its own, services keep capwrap's soft limit or the policy's" {
	write_policy <<EOF
service kept {
	exec sh -c "ulimit -Sn; until [ -e $T/go ]; do sleep 0.05; done"
}
service set {
	exec sh -c "ulimit -Sn"
	limit nofile 64
}
service db {
	exec fx-server -n 1 $U.db
	provides @$U.db
	limit nofile 16
}
service web {
	exec fx-client $U.db low
	dials db
}
EOF
	hard=$(ulimit -Hn)
	[ "$hard" -gt 512 ] || skip "needs a hard descriptor limit above 512"
	(ulimit -Sn 512; exec "$CAPWRAP" run "$T/policy" > "$T/out" 2> "$T/err") &
	CAPWRAP_PID=$!
	wait_for "$T/out" '^kept +\| 512$'
	run grep 'Max open files' "/proc/$CAPWRAP_PID/limits"
	assert_output --regexp "^Max open files +$hard +$hard +files"
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^set +\| 64$'
	assert_line --regexp '^web +\| reply echo low$'
}

@test "limit nofile above the hard limit: an error at run's start; check cannot know it" {
	write_policy <<EOF
service a {
	exec sh -c "touch $T/started"
	limit nofile 4096
}
EOF
	run sh -c 'ulimit -n 1024 && exec "$0" run "$1"' "$CAPWRAP" "$T/policy"
	assert_equal "$status" 65
	assert_line "capwrap: $T/policy:3:15: service a: limit nofile 4096 is above the hard limit capwrap runs with (1024)"
	[ ! -e "$T/started" ]
	run sh -c 'ulimit -n 1024 && exec "$0" check "$1"' "$CAPWRAP" "$T/policy"
	assert_equal "$status" 0
}

@test "limit core: the service's soft core limit" {
	skip_in_sanitizer_build "ASan sets RLIMIT_CORE to 0 in every program it runs in"
	write_policy <<EOF
service zero {
	exec grep "Max core" /proc/self/limits
	limit core 0
}
service big {
	exec grep "Max core" /proc/self/limits
	limit core 1048576
}
service all {
	exec grep "Max core" /proc/self/limits
	limit core unlimited
}
EOF
	run sh -c 'ulimit -Hc unlimited && exec "$0" run "$1"' "$CAPWRAP" "$T/policy"
	assert_equal "$status" 0
	assert_line --regexp '^zero +\| Max core file size +0 +unlimited +bytes +$'
	assert_line --regexp '^big +\| Max core file size +1048576 +unlimited +bytes +$'
	assert_line --regexp '^all +\| Max core file size +unlimited +unlimited +bytes +$'
	run sh -c 'ulimit -c 0 && exec "$0" run "$1"' "$CAPWRAP" "$T/policy"
	assert_equal "$status" 65
	assert_line "capwrap: $T/policy:7:13: service big: limit core 1048576 is above the hard limit capwrap runs with (0)"
	assert_line "capwrap: $T/policy:11:13: service all: limit core unlimited is above the hard limit capwrap runs with (0)"
}

@test "stop-signal: the service is asked to stop with its own signal, others with TERM" {
	write_policy <<EOF
service uwsgi {
	exec sh -c "trap 'echo got INT; exit 0' INT; trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done"
	stop-signal SIGINT
}
service plain {
	exec sh -c "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.05; done"
}
EOF
	start_topology
	wait_for "$T/out" '^uwsgi +\| ready$'
	wait_for "$T/out" '^plain +\| ready$'
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	run cat "$T/out"
	assert_line --regexp '^uwsgi +\| got INT$'
	assert_line --regexp '^plain +\| got TERM$'
	refute_line --regexp '^uwsgi +\| got TERM$'
}

@test "stop-signal ignored by the service: SIGKILL after the grace, as before" {
	write_policy <<EOF
service deaf {
	exec sh -c "trap '' USR1; echo ready; while :; do sleep 0.05; done"
	stop-signal 10
}
EOF
	start_topology --grace 1
	wait_for "$T/out" '^deaf +\| ready$'
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	run cat "$T/err"
	assert_line 'capwrap: deaf killed by signal 9 (Killed)'
}

@test "README: the policy example, with its user, passes capwrap check" {
	needs_root
	command -v socat > /dev/null || skip "needs socat"
	command -v python3 > /dev/null || skip "needs python3"
	sed -n '/^# demo.policy$/,/^```$/p' "$EXAMPLES/../README.md" | sed '$d' > "$T/policy"
	grep -q '^    user nobody' "$T/policy"
	run "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 0
	assert_output "$T/policy: OK"
}

@test "user nobody: the service still dies with the launcher (the change of user clears the parent-death signal, set again after it)" {
	needs_root
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
	user nobody
}
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	pid=$(listener_pid db)
	kill -KILL "$CAPWRAP_PID"
	wait "$CAPWRAP_PID" || true
	CAPWRAP_PID=
	# Gone, or a zombie on its way: never a live server without its broker.
	for ((i = 0; i < 1200; i++)); do
		grep -qE '^State:[[:space:]]+[^Z]' "/proc/$pid/status" 2>/dev/null || break
		sleep 0.05
	done
	run grep -E '^State:[[:space:]]+[^Z]' "/proc/$pid/status"
	assert_failure
}

@test "user nobody: a start after the launcher has threads changes the service's ids, never the launcher's" {
	needs_root
	chmod 755 "$T"
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service later {
	exec sh -c "id -u; until [ -e $T/go ]; do sleep 0.05; done; exit 1"
	user nobody
	restart on-failure 2 3600s
}
audit audit.jsonl
EOF
	start_topology
	addr=$(minted_address db)
	# A refusal: its facts are read by a thread of the launcher's.
	(trap '' PIPE; exec fx-client "$addr" steal > "$T/outsider" 2>&1) || true
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	[ "$(ls "/proc/$CAPWRAP_PID/task" | wc -l)" -gt 1 ]
	before=$(grep -E '^(Uid|Gid|Groups):' "/proc/$CAPWRAP_PID/status")
	assert_regex "$before" $'^Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n'
	touch "$T/go"
	# Started again once, as nobody, after the thread was there.
	wait_for "$T/err" 'later: failed: started 2 times'
	[ "$(grep -cE '^later +\| 65534$' "$T/out")" -eq 2 ]
	for task in /proc/"$CAPWRAP_PID"/task/*; do
		run grep -E '^(Uid|Gid|Groups):' "$task/status"
		assert_output "$before"
	done
}
