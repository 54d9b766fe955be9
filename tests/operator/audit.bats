#!/usr/bin/env bats
# capwrap audit: refusals summed up by service, gate and peer, from a log
# written by a real topology and from hand-made records.

load operator

# A record as the launcher writes it; $1 time, $2 gate, $3 service,
# $4 peer pid (or -), $5 peer exe (or -), $6 count (or -).
record() {
	local peer="" exe="" count=""
	[ "$4" = - ] || peer=",\"peer_pid\":$4,\"peer_uid\":0"
	[ "$5" = - ] || exe=",\"peer_exe\":\"$5\""
	[ "$6" = - ] || count=",\"count\":$6"
	printf '{"time":"%s","event":"deny","gate":"%s","service":"%s","name":"@db","pid":10%s%s,"reason":"r"%s}\n' \
		"$1" "$2" "$3" "$peer" "$exe" "$count"
}

# The follower a test started in the background is $pid until it is
# reaped: one a failed test leaves running is stopped with the test.
eval "helpers_$(declare -f teardown)"
teardown() {
	[ -z "${pid:-}" ] || kill -KILL "$pid" 2>/dev/null || true
	helpers_teardown
}

# stop_follower SIGNAL: stops the follower $pid with SIGNAL, its exit
# status in $status.  One that does not stop within 30 s is killed, and
# the test fails.
stop_follower() {
	local i
	kill "-$1" "$pid"
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" || true
		pid=
		fail "capwrap audit --follow still running 30 s after SIG$1"
	fi
	status=0
	wait "$pid" || status=$?
	pid=
}

@test "a real intruder's refusals, summed up with its executable" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
audit audit.jsonl
EOF
	start_topology
	wait_for "$T/out" 'listening pid='
	addr=$(listening_addresses "$(listener_pid db)")
	# Not wrapped: the gate closes the door on both.
	fx-client "$addr" one || true
	fx-client "$addr" two || true
	wait_for "$T/audit.jsonl" '"peer_cmdline":"fx-client [0-9a-f]+ two"'
	stop_topology
	run --separate-stderr "$CAPWRAP" audit "$T/audit.jsonl"
	assert_success
	assert_line --index 0 "$T/audit.jsonl: 2 refusals"
	assert_line --index 1 --regexp '^SERVICE +GATE +COUNT +FIRST +LAST +PEER$'
	assert_line --index 2 --regexp "^db +accept +2 +[0-9T:.-]+Z +[0-9T:.-]+Z +$FIXTURES/fx-client pid [0-9]+,[0-9]+\$"
	assert_line --index 3 --regexp "names: @$U\\.db\$"
	assert_equal "$stderr" ""
}

@test "groups by service, gate and peer; counts aggregated records; first and last" {
	{
		record 2025-01-01T00:00:02Z accept db 100 /usr/bin/socat -
		record 2025-01-01T00:00:01Z accept db 101 /usr/bin/socat 5
		record 2025-01-01T00:00:09Z accept db 102 /usr/bin/nc -
		record 2025-01-01T00:00:03Z connect web - - 2
		record 2025-01-01T00:00:04Z accept db 103 - -
	} > "$T/a.jsonl"
	run --separate-stderr "$CAPWRAP" audit "$T/a.jsonl"
	assert_success
	assert_line --index 0 "$T/a.jsonl: 10 refusals"
	assert_line --index 2 --regexp '^db +accept +6 +2025-01-01T00:00:01Z +2025-01-01T00:00:02Z +/usr/bin/socat pid 101,100$|^db +accept +6 +2025-01-01T00:00:01Z +2025-01-01T00:00:02Z +/usr/bin/socat pid 100,101$'
	assert_line --index 4 --regexp '^web +connect +2 +2025-01-01T00:00:03Z +2025-01-01T00:00:03Z +-$'
	assert_line --regexp '^db +accept +1 +2025-01-01T00:00:09Z +2025-01-01T00:00:09Z +/usr/bin/nc pid 102$'
	assert_line --regexp '^db +accept +1 +2025-01-01T00:00:04Z +2025-01-01T00:00:04Z +\(unknown program\) pid 103$'
}

@test "--json: one object per group, for machines" {
	{
		record 2025-01-01T00:00:02Z accept db 100 /usr/bin/socat -
		record 2025-01-01T00:00:01Z accept db 101 /usr/bin/socat 5
	} > "$T/a.jsonl"
	run --separate-stderr "$CAPWRAP" audit --json "$T/a.jsonl"
	assert_success
	assert_output '{"service":"db","gate":"accept","peer_exe":"/usr/bin/socat","peer_pids":[100,101],"count":6,"first":"2025-01-01T00:00:01Z","last":"2025-01-01T00:00:02Z","names":["@db"]}'
	python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<< "$output"
}

@test "an empty log: no refusals, exit 0" {
	: > "$T/a.jsonl"
	run "$CAPWRAP" audit "$T/a.jsonl"
	assert_success
	assert_output "$T/a.jsonl: no refusals"
}

@test "bad lines are reported with their number and skipped; exit 65" {
	{
		record 2025-01-01T00:00:01Z bind db - - -
		echo 'garbage'
		echo '{"time":"x","event":"deny","gate":"bind","service":"db"}'
		echo '{"time":"x","event":"deny","gate":"bind","service":"db","name":"@a","count":"2"}'
		record 2025-01-01T00:00:02Z bind db - - -
	} > "$T/a.jsonl"
	run --separate-stderr "$CAPWRAP" audit "$T/a.jsonl"
	assert_equal "$status" 65
	assert_line --index 0 "$T/a.jsonl: 2 refusals"
	[ "${#stderr_lines[@]}" -eq 4 ]
	assert_equal "${stderr_lines[0]}" "capwrap: $T/a.jsonl:2:1: expected '{' to start a record; line skipped"
	assert_equal "${stderr_lines[1]}" "capwrap: $T/a.jsonl:3:1: record has no \"name\"; line skipped"
	assert_equal "${stderr_lines[2]}" "capwrap: $T/a.jsonl:4:1: \"count\" is not a number of at least 1; line skipped"
	assert_equal "${stderr_lines[3]}" "capwrap: $T/a.jsonl: 3 lines skipped"
}

@test "--follow prints records as they are appended, and the summary when interrupted" {
	record 2025-01-01T00:00:01Z bind db - - - > "$T/a.jsonl"
	"$CAPWRAP" audit --follow "$T/a.jsonl" > "$T/follow" 2> "$T/follow.err" &
	pid=$!
	wait_for "$T/follow" '^2025-01-01T00:00:01Z db bind @db: r$'
	record 2025-01-01T00:00:05Z accept db 42 /usr/bin/socat 3 >> "$T/a.jsonl"
	wait_for "$T/follow" '^2025-01-01T00:00:05Z db accept @db peer pid 42 \(/usr/bin/socat\): r \[3 times\]$'
	# Half a line is not a record until its newline arrives.
	printf '{"time":"2025-01-01T00:00:07Z","event":"deny",' >> "$T/a.jsonl"
	printf '"gate":"bind","service":"db","name":"@z"}\n' >> "$T/a.jsonl"
	wait_for "$T/follow" '^2025-01-01T00:00:07Z db bind @z$'
	stop_follower INT
	assert_equal "$status" 0
	run cat "$T/follow"
	assert_line "$T/a.jsonl: 5 refusals"
	run cat "$T/follow.err"
	assert_output ""
}

@test "--follow --json prints each record as a JSON line with its count" {
	: > "$T/a.jsonl"
	"$CAPWRAP" audit --json --follow "$T/a.jsonl" > "$T/follow" &
	pid=$!
	record 2025-01-01T00:00:05Z accept db 42 /usr/bin/socat - >> "$T/a.jsonl"
	wait_for "$T/follow" '"count":1\}$'
	stop_follower TERM
	assert_equal "$status" 0
	run cat "$T/follow"
	assert_output '{"time":"2025-01-01T00:00:05Z","event":"deny","gate":"accept","service":"db","name":"@db","pid":10,"peer_pid":42,"peer_uid":0,"peer_exe":"/usr/bin/socat","reason":"r","count":1}'
}

@test "run --audit FILE takes the records instead of the policy's audit file" {
	write_policy <<EOF
service cron {
	exec fx-client $U.db hi
}
service db {
	exec fx-server $U.db
	provides @$U.db
}
audit policy-audit.jsonl
EOF
	# Appended to: what the file held stays.
	record 2025-01-01T00:00:01Z bind db - - - > "$T/cli-audit.jsonl"
	run "$CAPWRAP" run --audit "$T/cli-audit.jsonl" --exit-with cron "$T/policy"
	assert_equal "$status" 3
	assert_line --regexp '^cron +\| connect: EACCES$'
	run cat "$T/cli-audit.jsonl"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 "$(record 2025-01-01T00:00:01Z bind db - - -)"
	assert_line --index 1 --partial "\"event\":\"deny\",\"gate\":\"connect\",\"service\":\"cron\",\"name\":\"@$U.db\""
	[ ! -e "$T/policy-audit.jsonl" ]
	# Without the option the policy's file, beside the policy, takes them.
	run "$CAPWRAP" run --exit-with cron "$T/policy"
	assert_equal "$status" 3
	run cat "$T/policy-audit.jsonl"
	assert_equal "${#lines[@]}" 1
	assert_output --partial "\"event\":\"deny\",\"gate\":\"connect\",\"service\":\"cron\",\"name\":\"@$U.db\""
	run cat "$T/cli-audit.jsonl"
	assert_equal "${#lines[@]}" 2
}

@test "--follow reads a truncated file again from its start" {
	record 2025-01-01T00:00:01Z accept db 42 /usr/bin/socat - > "$T/a.jsonl"
	"$CAPWRAP" audit --follow "$T/a.jsonl" > "$T/follow" 2> "$T/follow.err" &
	pid=$!
	wait_for "$T/follow" '^2025-01-01T00:00:01Z db accept @db peer pid 42 \(/usr/bin/socat\): r$'
	# Truncated and written again, shorter than before: whenever the
	# follower looks, the file is smaller than what it had read.
	record 2025-01-01T00:00:02Z bind db - - - > "$T/a.jsonl"
	wait_for "$T/follow" '^2025-01-01T00:00:02Z db bind @db: r$'
	record 2025-01-01T00:00:03Z bind db - - - >> "$T/a.jsonl"
	wait_for "$T/follow" '^2025-01-01T00:00:03Z db bind @db: r$'
	stop_follower INT
	assert_equal "$status" 0
	run cat "$T/follow"
	assert_line --index 0 '2025-01-01T00:00:01Z db accept @db peer pid 42 (/usr/bin/socat): r'
	assert_line --index 1 '2025-01-01T00:00:02Z db bind @db: r'
	assert_line --index 2 '2025-01-01T00:00:03Z db bind @db: r'
	assert_line --index 3 "$T/a.jsonl: 3 refusals"
	run cat "$T/follow.err"
	assert_output "capwrap: $T/a.jsonl: truncated; reading it from the start"
}

@test "--follow reopens a rotated file, after reading the rest of the old one" {
	record 2025-01-01T00:00:01Z bind db - - - > "$T/a.jsonl"
	"$CAPWRAP" audit --follow "$T/a.jsonl" > "$T/follow" 2> "$T/follow.err" &
	pid=$!
	wait_for "$T/follow" '^2025-01-01T00:00:01Z db bind @db: r$'
	mv "$T/a.jsonl" "$T/a.jsonl.1"
	# Written to the old file after the rename, before the new one exists.
	record 2025-01-01T00:00:02Z bind db - - - >> "$T/a.jsonl.1"
	record 2025-01-01T00:00:03Z accept web 42 /usr/bin/socat - > "$T/a.jsonl"
	wait_for "$T/follow" '^2025-01-01T00:00:03Z web accept @db peer pid 42 \(/usr/bin/socat\): r$'
	record 2025-01-01T00:00:04Z connect web - - - >> "$T/a.jsonl"
	wait_for "$T/follow" '^2025-01-01T00:00:04Z web connect @db: r$'
	stop_follower TERM
	assert_equal "$status" 0
	run cat "$T/follow"
	assert_line --index 0 '2025-01-01T00:00:01Z db bind @db: r'
	assert_line --index 1 '2025-01-01T00:00:02Z db bind @db: r'
	assert_line --index 2 '2025-01-01T00:00:03Z web accept @db peer pid 42 (/usr/bin/socat): r'
	assert_line --index 3 '2025-01-01T00:00:04Z web connect @db: r'
	assert_line --index 4 "$T/a.jsonl: 4 refusals"
	run cat "$T/follow.err"
	assert_output ""
}

@test "--follow stops on SIGHUP with the summary, exit 0" {
	record 2025-01-01T00:00:01Z bind db - - - > "$T/a.jsonl"
	"$CAPWRAP" audit --follow "$T/a.jsonl" > "$T/follow" 2> "$T/follow.err" &
	pid=$!
	wait_for "$T/follow" '^2025-01-01T00:00:01Z db bind @db: r$'
	stop_follower HUP
	assert_equal "$status" 0
	run cat "$T/follow"
	assert_line --index 0 '2025-01-01T00:00:01Z db bind @db: r'
	assert_line --index 1 "$T/a.jsonl: 1 refusal"
	assert_line --index 2 --regexp '^SERVICE +GATE +COUNT +FIRST +LAST +PEER$'
	assert_line --index 3 --regexp '^db +bind +1 +2025-01-01T00:00:01Z +2025-01-01T00:00:01Z +-$'
	assert_line --index 4 --regexp '^ +names: @db$'
	assert_equal "${#lines[@]}" 5
	run cat "$T/follow.err"
	assert_output ""
}
