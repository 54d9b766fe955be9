#!/bin/bash
# flood-bench.sh [-r ROUNDS] [-p OUTSIDERS] [-l]: a friend's round trip on
# an established connection while OUTSIDERS unwrapped processes flood the
# server with connections (each waits for the server's answer, or with
# -l leaves at once), raw (the server unwrapped: the outsiders are
# served) against wrapped (every outsider refused at the accept gate and
# audited), in interleaved rounds.  Prints the median of each figure and
# of each round's wrapped/raw.  Informational: no threshold, exit 0
# unless a run could not be made.
#
# Environment: CAPWRAP and BENCH_BIN, as for run-bench.sh (`make bench`
# sets both).
set -euo pipefail

rounds=3 outsiders=8 trips=3000 leave=
while getopts "r:p:l" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	p) outsiders=$OPTARG ;;
	l) leave=leave ;;
	*) echo "usage: flood-bench.sh [-r ROUNDS] [-p OUTSIDERS] [-l]" >&2; exit 64 ;;
	esac
done
: "${CAPWRAP:?set CAPWRAP to the capwrap binary (make bench does)}"
: "${BENCH_BIN:?set BENCH_BIN to the bench programs directory (make bench does)}"
B=$BENCH_BIN
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capwrap-flood.XXXXXX")
N="capwrap-flood-$$-$RANDOM"
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "flood-bench.sh: $*" >&2; exit 1; }

# wait_file FILE [REGEX]: until FILE exists (and has a line matching REGEX).
wait_file() {
	local i
	for ((i = 0; i < 600; i++)); do
		if [ -e "$1" ] && { [ -z "${2:-}" ] || grep -qE -- "$2" "$1"; }; then
			return 0
		fi
		sleep 0.05
	done
	fail "timed out waiting for $1 ${2:-}"
}

# The abstract address (no @) that PID listens on.
address_of() {
	local ino
	for ino in $(ls -l "/proc/$1/fd" | sed -nE 's/.*socket:\[([0-9]+)\]$/\1/p'); do
		awk -v ino="$ino" '$7 == ino && $8 ~ /^@/ { print substr($8, 2) }' \
			/proc/net/unix
	done | sed -n 1p
}

# flood ADDR: start the outsiders and wait until each has connected once.
flood() {
	local i
	for ((i = 0; i < outsiders; i++)); do
		"$B/bench-flood" outsider "$1" "$tmp/stop" "$tmp/started.$i" \
			$leave > /dev/null 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < outsiders; i++)); do
		wait_file "$tmp/started.$i"
	done
}

stop_all() {
	local p
	touch "$tmp/stop"
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=()
}

reset() {
	rm -f "$tmp"/stop "$tmp"/started.* "$tmp"/go "$tmp"/out "$tmp"/audit.jsonl
}

raw_round() {
	reset
	"$B/bench-flood" server "$N.raw" > "$tmp/server.out" &
	pids+=($!)
	wait_file "$tmp/server.out" '^listening'
	"$B/bench-flood" friend "$N.raw" "$trips" "$tmp/go" > "$tmp/out" &
	local friend=$!
	wait_file "$tmp/out" '^connected$'
	flood "$N.raw"
	touch "$tmp/go"
	wait "$friend" || fail "raw friend failed"
	stop_all
	sed -nE 's/^METRIC ([^ ]+) ([^ ]+) .*/raw \1 \2/p' "$tmp/out" >> "$tmp/results"
}

wrapped_round() {
	local server addr
	reset
	cat > "$tmp/policy" <<EOF
service db {
	exec $B/bench-flood server $N.wrapped
	provides @$N.wrapped
}
service friend {
	exec $B/bench-flood friend $N.wrapped $trips $tmp/go
	dials db
}
audit $tmp/audit.jsonl
EOF
	"$CAPWRAP" run --exit-with friend --grace 2 "$tmp/policy" > "$tmp/out" 2> "$tmp/err" &
	local launcher=$!
	wait_file "$tmp/out" '^db +\| listening pid='
	server=$(sed -nE 's/^db +\| listening pid=([0-9]+)$/\1/p' "$tmp/out")
	addr=$(address_of "$server")
	[ -n "$addr" ] || fail "no address for the wrapped server"
	wait_file "$tmp/out" '^friend +\| connected$'
	flood "$addr"
	touch "$tmp/go"
	wait "$launcher" || fail "capwrap run exited with status $?"
	stop_all
	sed -nE 's/^friend +\| METRIC ([^ ]+) ([^ ]+) .*/wrapped \1 \2/p' "$tmp/out" >> "$tmp/results"
	echo "audit $(wc -l < "$tmp/audit.jsonl") $(wc -c < "$tmp/audit.jsonl")" >> "$tmp/audit-sizes"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for ((r = 0; r < rounds; r++)); do
	if ((r % 2)); then wrapped_round; raw_round; else raw_round; wrapped_round; fi
done

printf 'flood: %d outsiders dialing in a loop (%s), friend %d round trips; medians of %d rounds\n' \
	"$outsiders" "${leave:-each waits for its answer}" "$trips" "$rounds"
printf '%-26s %12s %12s %8s\n' figure raw wrapped ratio
for mode in raw wrapped; do
	done_min=$(awk -v m="$mode" '$1 == m && $2 == "flood_friend_rounds" { print $3 }' \
		"$tmp/results" | sort -g | sed -n 1p)
	((${done_min%.*} == trips)) ||
		printf '%s: STARVED: %s of %d round trips in 60 s (the fewest of the rounds)\n' \
			"$mode" "${done_min%.*}" "$trips"
done
for m in flood_friend_rtt_median flood_friend_rtt_p99 flood_friend_rtt_max; do
	raw=$(awk -v m="$m" '$1 == "raw" && $2 == m { print $3 }' "$tmp/results" | median)
	wr=$(awk -v m="$m" '$1 == "wrapped" && $2 == m { print $3 }' "$tmp/results" | median)
	if [ -z "$raw" ] || [ -z "$wr" ]; then
		printf '%-26s %12s %12s %8s\n' "$m" "${raw:+${raw}us}" "${wr:+${wr}us}" -
		continue
	fi
	printf '%-26s %10.1fus %10.1fus %8.2f\n' "$m" "$raw" "$wr" \
		"$(awk -v a="$wr" -v b="$raw" 'BEGIN { print (b > 0) ? a / b : 0 }')"
done
awk '{ l += $2; b += $3 } END { printf "audit written per wrapped round: %d lines, %d bytes (mean)\n", l / NR, b / NR }' \
	"$tmp/audit-sizes"
