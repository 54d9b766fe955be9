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
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
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
	kill -TERM "$pid"
	wait "$pid"
	run cat "$T/follow"
	assert_output '{"time":"2025-01-01T00:00:05Z","event":"deny","gate":"accept","service":"db","name":"@db","pid":10,"peer_pid":42,"peer_uid":0,"peer_exe":"/usr/bin/socat","reason":"r","count":1}'
}
