#!/usr/bin/env bats
# The audit trail turned against the host: a planted link or file at the
# audit path, a FIFO, a full disk, a flood from hundreds of processes,
# bytes chosen to drive the operator's terminal, and readers of the
# launcher's output that stop reading.  See docs/SECURITY.md, "The audit
# trail".

load attack

# refused_by_both WHY: check and run both refuse the policy with the
# config-error status, saying why in one line; run starts nothing.
refused_by_both() {
	local want="capwrap: $T/policy:9:7: audit: $1; refusing to write the audit trail there"
	run --separate-stderr "$CAPWRAP" check "$T/policy"
	assert_equal "$status" 65
	assert_equal "$stderr" "$want"
	# A launcher that blocked in open would hang: timeout fails it instead.
	run --separate-stderr timeout 60 "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 65
	assert_equal "$stderr" "$want"
	assert_equal "$output" ""
}

@test "audit path: a planted symbolic link, to the file or as its directory, is refused and its target left unchanged" {
	mkdir -m 700 "$T/logs"
	printf 'root:x:0:0\n' > "$T/victim"
	ln -s "$T/victim" "$T/logs/audit.jsonl"
	friend_policy "$T/logs/audit.jsonl"
	refused_by_both "$T/logs/audit.jsonl is a symbolic link"
	ln -s "$T/logs" "$T/linked"
	friend_policy "$T/linked/audit.jsonl"
	refused_by_both "directory $T/linked is a symbolic link"
	run cat "$T/victim"
	assert_output 'root:x:0:0'
}

@test "audit path: a file another user owns is refused, and left unchanged" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give a file away"
	mkdir -m 700 "$T/logs"
	printf 'theirs\n' > "$T/logs/audit.jsonl"
	chown nobody "$T/logs/audit.jsonl"
	chmod 600 "$T/logs/audit.jsonl"
	friend_policy "$T/logs/audit.jsonl"
	refused_by_both "$T/logs/audit.jsonl belongs to uid $(id -u nobody), not to uid 0 (capwrap's)"
	run cat "$T/logs/audit.jsonl"
	assert_output 'theirs'
}

@test "audit path: a file its group may write is refused" {
	mkdir -m 700 "$T/logs"
	: > "$T/logs/audit.jsonl"
	chmod 620 "$T/logs/audit.jsonl"
	friend_policy "$T/logs/audit.jsonl"
	refused_by_both "$T/logs/audit.jsonl is writable by its group or others (mode 0620)"
}

@test "audit path: a FIFO, without a reader or with one that never reads, is refused at once" {
	mkdir -m 700 "$T/logs"
	mkfifo -m 600 "$T/logs/audit.jsonl"
	friend_policy "$T/logs/audit.jsonl"
	refused_by_both "$T/logs/audit.jsonl is not a regular file"
	# A reader that holds the FIFO open and reads nothing.
	sleep 600 5<> "$T/logs/audit.jsonl" &
	BACKGROUND_PIDS=$!
	refused_by_both "$T/logs/audit.jsonl is not a regular file"
}

@test "audit path: a directory others may write, even sticky like /tmp, is refused; a missing one too" {
	mkdir -m 1777 "$T/public"
	friend_policy "$T/public/audit.jsonl"
	refused_by_both "directory $T/public is writable by others (mode 1777)"
	mkdir -m 770 "$T/shared"
	friend_policy "$T/shared/audit.jsonl"
	refused_by_both "directory $T/shared is writable by its group (mode 0770)"
	friend_policy "$T/missing/audit.jsonl"
	refused_by_both "directory $T/missing does not exist"
	[ ! -e "$T/public/audit.jsonl" ] && [ ! -e "$T/shared/audit.jsonl" ]
}

@test "audit path: --audit FILE obeys the same rules" {
	mkdir -m 1777 "$T/public"
	friend_policy audit.jsonl
	run --separate-stderr timeout 60 "$CAPWRAP" run --audit "$T/public/a.jsonl" "$T/policy"
	assert_equal "$status" 65
	assert_equal "$stderr" "capwrap: --audit: directory $T/public is writable by others (mode 1777); refusing to write the audit trail there"
}

@test "audit file: created 0600, records say when the peer's facts were read" {
	friend_policy audit.jsonl
	start_topology
	wait_for "$T/out" 'listening pid='
	addr=$(listening_addresses "$(listener_pid db)")
	fx-client "$addr" intruder || true
	wait_for "$T/audit.jsonl" '"event":"deny"'
	run stat -c %a "$T/audit.jsonl"
	assert_output 600
	run cat "$T/audit.jsonl"
	assert_output --regexp '^\{"time":"[0-9T:.-]+Z","event":"deny",.*"peer_cmdline":"fx-client [0-9a-f]+ intruder","facts_at":"[0-9T:.-]+Z","reason":'
}

@test "facts of the refusal: an outsider that execs after its refusals is recorded as the program that was refused" {
	friend_policy audit.jsonl
	start_topology
	wait_for "$T/out" 'listening pid='
	addr=$(listening_addresses "$(listener_pid db)")
	touch "$T/stop"
	# Two refusals of one kind, then the same pid becomes sleep(1).
	ax-flood "$addr" 2 "$T/stop" sleep 600 > "$T/flood" 2>&1 &
	ATTACKER_PIDS=$!
	wait_for "$T/flood" '^refused 2 admitted 0$'
	wait_for "/proc/$ATTACKER_PIDS/comm" '^sleep$'
	# The repeat is summed up when its window closes, after the exec.
	wait_for "$T/audit.jsonl" '"count":1,' 10
	run grep -F "\"peer_pid\":$ATTACKER_PIDS," "$T/audit.jsonl"
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "\"peer_exe\":\"[^\"]*/ax-flood\",\"peer_cmdline\":\"ax-flood $addr 2 [^\"]*/stop sleep 600\",\"facts_at\":\"[0-9T:.-]+Z\",.*\"count\":1,"
}

@test "flood: 10,000 refusals from 300 processes make a log bounded by the global rate, with every refusal counted" {
	friend_policy audit.jsonl
	start_topology
	wait_for "$T/out" 'listening pid='
	addr=$(listening_addresses "$(listener_pid db)")
	touch "$T/stop"
	started=$(date +%s)
	# 300 outsiders, a fixed number of dials each: 100 x 34 + 200 x 33.
	pids=
	for ((i = 1; i <= 300; i++)); do
		ax-flood "$addr" $((i <= 100 ? 34 : 33)) "$T/stop" > "$T/flood.$i" 2>&1 &
		pids="$pids $!"
	done
	ATTACKER_PIDS=$pids
	wait $pids
	ATTACKER_PIDS=
	refused=$(cat "$T"/flood.* | awk '/^refused/ { n += $2 } END { print n }')
	assert_equal "$refused" 10000
	# The friend is served after the flood, as before it.
	touch "$T/go"
	wait_for "$T/out" '^web +\| reply echo friend$' 30
	stop_topology
	seconds=$(($(date +%s) - started + 1))
	lines=$(wc -l < "$T/audit.jsonl")
	bytes=$(wc -c < "$T/audit.jsonl")
	echo "# flood: 10000 refusals from 300 processes in ${seconds} s: $lines lines, $bytes bytes" >&3
	# AUDIT_BURST, then AUDIT_RATE a second, and one suppressed record
	# a second for db's accept gate: records of at most 1 KiB here.
	cap=$((100 + (20 + 1) * seconds))
	((lines <= cap)) || fail "$lines lines, over the cap of $cap"
	((bytes <= cap * 1024)) || fail "$bytes bytes, over the cap of $((cap * 1024))"
	# Every refusal is in a record's count or a suppressed count.
	assert_equal "$(audited_refusals '"gate":"accept","service":"db"')" 10000
	run grep -cE '"event":"suppressed","gate":"accept","service":"db","count":[0-9]+,"since":"[0-9T:.-]+Z","total":[0-9]+}$' "$T/audit.jsonl"
	assert_success
}

# A log whose peer names would drive a terminal: ESC sequences (erase the
# screen, set the title), a newline that forges a second record, DEL, a C1
# CSI as one byte and as UTF-8, a byte that is not UTF-8, and one é.
hostile_log() {
	printf '%s\n' '{"time":"2025-01-01T00:00:01Z","event":"deny","gate":"accept","service":"db","name":"@db","pid":10,"peer_pid":42,"peer_exe":"/x\u001b[2J\u001b]0;owned\u0007\n2025-01-01T00:00:02Z db accept @db peer pid 1 (/usr/bin/ok)\u007f\u009b\u00c2\u009b\u00ff\u00c3\u00a9","peer_cmdline":"\u001b[31m","reason":"r\u001b[8m"}' > "$T/hostile.jsonl"
}

# assert_inert: $output holds no C0 control but newline, no DEL, no C1
# byte, and nothing that is not UTF-8; the escapes are there instead.
assert_inert() {
	printf '%s' "$output" > "$T/shown"
	run env LC_ALL=C grep -cP '[\x00-\x09\x0b-\x1f\x7f]|[\x80-\x9f]|\xff|\xc2[\x80-\x9f]' "$T/shown"
	assert_output 0
	run cat "$T/shown"
	assert_output --partial '/x\x1b[2J\x1b]0;owned\x07\x0a2025-01-01T00:00:02Z db accept @db peer pid 1 (/usr/bin/ok)\x7f\x9b\xc2\x9b\xffé'
}

@test "capwrap audit: bytes a peer chose reach the terminal escaped, in the summary" {
	hostile_log
	run --separate-stderr "$CAPWRAP" audit "$T/hostile.jsonl"
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_inert
}

@test "capwrap audit --follow: bytes a peer chose reach the terminal escaped, record by record" {
	hostile_log
	"$CAPWRAP" audit --follow "$T/hostile.jsonl" > "$T/followed" 2>&1 &
	BACKGROUND_PIDS=$!
	wait_for "$T/followed" '^2025-01-01T00:00:01Z db accept @db'
	kill -INT "$BACKGROUND_PIDS"
	wait "$BACKGROUND_PIDS" || true
	BACKGROUND_PIDS=
	run head -n 1 "$T/followed"
	assert_output --regexp ': r\\x1b\[8m$'
	run cat "$T/followed"
	assert_inert
}

@test "capwrap audit: a log of 40,000 distinct executables is summed up exactly" {
	awk 'BEGIN {
		for (i = 0; i < 40000; i++)
			printf "{\"time\":\"2025-01-01T00:00:01Z\",\"event\":\"deny\",\"gate\":\"accept\",\"service\":\"db\",\"name\":\"@db\",\"pid\":10,\"peer_pid\":%d,\"peer_exe\":\"/bin/x%d\",\"reason\":\"r\",\"count\":%d}\n", i + 100, i, i % 3 + 1
		printf "{\"time\":\"2025-01-01T00:00:02Z\",\"event\":\"suppressed\",\"gate\":\"accept\",\"service\":\"db\",\"count\":7,\"since\":\"2025-01-01T00:00:01Z\",\"total\":80006}\n"
	}' > "$T/many.jsonl"
	started=$(date +%s%N)
	run --separate-stderr "$CAPWRAP" audit --json "$T/many.jsonl"
	echo "# 40,001 groups summed up in $((($(date +%s%N) - started) / 1000000)) ms" >&3
	assert_success
	assert_equal "${#lines[@]}" 40001
	run --separate-stderr "$CAPWRAP" audit "$T/many.jsonl"
	assert_success
	# 40000 x 2 on average, plus the 7 told only as suppressed.
	assert_line --index 0 "$T/many.jsonl: 80006 refusals"
	assert_line --regexp '^db +accept +7 .*\(over the audit rate: counted only\)$'
}

@test "a stderr reader that stops reading does not stop the launcher: a friend is served" {
	cat > "$T/policy" <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service noisy {
	exec sh -c "yes 'a line on stderr' | head -n 100000 >&2; echo done"
}
service web {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-client $U.db friend"
	dials db
}
EOF
	# capwrap's stderr: a pipe whose reader holds it open and never reads.
	mkfifo "$T/stderr"
	sleep 600 5<> "$T/stderr" &
	BACKGROUND_PIDS=$!
	"$CAPWRAP" run "$T/policy" > "$T/out" 2> "$T/stderr" &
	CAPWRAP_PID=$!
	# 1.7 MB to a pipe of 64 KiB: the rest was dropped, not waited for.
	wait_for "$T/out" '^noisy +\| done$' 60
	touch "$T/go"
	wait_for "$T/out" '^web +\| reply echo friend$' 30
}

# A small file system of our own, filled up.
full_disk() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir -m 700 "$T/small"
	mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/small" || skip "cannot mount a tmpfs"
	MOUNTED="$T/small"
	dd if=/dev/zero of="$T/small/filler" bs=4k 2>/dev/null || true
}

eval "attack_$(declare -f teardown)"
teardown() {
	stop_topology
	[ -z "${MOUNTED:-}" ] || umount "$MOUNTED" || true
	attack_teardown
}

@test "a full disk: records are lost without waiting, counted, and the count is told once there is room" {
	full_disk
	friend_policy "$T/small/audit.jsonl"
	start_topology
	wait_for "$T/out" 'listening pid='
	addr=$(listening_addresses "$(listener_pid db)")
	fx-client "$addr" first || true
	wait_for "$T/err" "capwrap: unable to write audit record to $T/small/audit.jsonl: No space left on device; counting the records lost"
	touch "$T/go"
	wait_for "$T/out" '^web +\| reply echo friend$' 30
	rm "$T/small/filler"
	fx-client "$addr" second || true
	wait_for "$T/small/audit.jsonl" '"peer_cmdline":"fx-client [0-9a-f]+ second"'
	run cat "$T/small/audit.jsonl"
	assert_line --index 0 --regexp '^\{"time":"[0-9T:.-]+Z","event":"lost","count":1,"error":"No space left on device"\}$'
	assert_line --index 1 --regexp '"event":"deny".*fx-client [0-9a-f]+ second'
	assert_equal "${#lines[@]}" 2
}
