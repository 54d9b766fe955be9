#!/bin/bash
# run-bench.sh [-r ROUNDS] [-s]: the figures of `make bench`, raw against
# wrapped (docs/PERFORMANCE.md).
#
# Each figure runs ROUNDS times raw and ROUNDS times wrapped, interleaved
# (which of the two goes first alternates), and the table shows the median
# of the rounds and the median of each round's wrapped/raw (the goals are
# judged on that one).  connect+accept runs a third time in each round:
# raw, the programs making the gates' system calls themselves
# (connect_rate.calls), which is what the checks cost without the shim,
# and a fourth time, those programs under the io_uring fence of wrapped
# services (connect_rate/fenced: what the shim's code costs); the legs'
# order changes from round to round (rate_round), and connect_rate/calls
# is judged on the median of each round's own wrapped/calls.
# Raw: the bench programs started directly on fixed
# abstract names.  Wrapped: the same programs as services of a policy
# under `capwrap run --exit-with`.  The programs time themselves with
# CLOCK_MONOTONIC, so capwrap's start-up is not in the rates.
#
# The goals are informational: a missed goal prints MISSED and the script
# still exits 0.  It exits non-zero only when a benchmark could not run.
#   -r ROUNDS   rounds per figure (default 7)
#   -s          small: fewer iterations, for a quick look (figures noisier)
#   -g          only the gates' system calls per connection (the gate_calls
#               row), counted with strace
#
# Environment: CAPWRAP (the capwrap binary), BENCH_BIN (where the bench
# programs are); `make bench` sets both.

set -euo pipefail

rounds=7
small=0
gates_only=0
while getopts "r:sg" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	s) small=1 ;;
	g) gates_only=1 ;;
	*) echo "usage: run-bench.sh [-r ROUNDS] [-s] [-g]" >&2; exit 64 ;;
	esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "run-bench.sh: -r wants a positive count" >&2; exit 64; }

: "${CAPWRAP:?set CAPWRAP to the capwrap binary (make bench does)}"
: "${BENCH_BIN:?set BENCH_BIN to the bench programs directory (make bench does)}"
B=$BENCH_BIN

# Iterations per round: enough for a stable median, the whole run in
# about a minute on two busy cores.
if ((small)); then
	RATE_CONNS=2000 DIAL_PROCS=50 BULK_MIB=128 EXEC_COUNT=50
	GRANT_NAMES=200 LAUNCH_SMALL=50 LAUNCH_BIG=200 LAUNCH_ROUNDS=1
else
	RATE_CONNS=10000 DIAL_PROCS=200 BULK_MIB=1024 EXEC_COUNT=200
	GRANT_NAMES=500 LAUNCH_SMALL=200 LAUNCH_BIG=1000 LAUNCH_ROUNDS=3
fi
GRANT_WORKERS=2

# The two ends of the connect+accept, first-dial and bulk figures each on
# a CPU of their own, raw and wrapped alike: left to the scheduler, whether
# they share one moves a round by a third on a two-core machine (and a
# first dial by the launcher's work for the server's first accept of the
# new pid, when the launcher takes the dialer's CPU).
PIN_SERVER= PIN_CLIENT=
if command -v taskset > /dev/null && (($(nproc) >= 2)); then
	PIN_SERVER="taskset -c 0" PIN_CLIENT="taskset -c 1"
fi
# For those figures the launcher runs on the server's CPU (its services
# set their own): the work it does for the server's gate, a first accept
# of a new pid, then never takes the client's CPU in the middle of the
# client's timed call.  Other figures leave it to the scheduler.
PIN_LAUNCHER=

tmp=$(mktemp -d "${TMPDIR:-/tmp}/capwrap-bench.XXXXXX")
# Names of this run only: concurrent runs and leftovers never meet.
N="capwrap-bench-$$-$RANDOM"
raw_pids=()

cleanup() {
	local p
	for p in "${raw_pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }

fail() {
	say "run-bench.sh: $*"
	for f in "$tmp"/out "$tmp"/err "$tmp"/server.err; do
		[[ -s $f ]] && { say "--- ${f##*/}:"; tail -n 20 "$f" >&2; }
	done
	exit 1
}

# The METRIC lines of a run's output ("service | " prefixed under capwrap),
# appended to the results as "MODE NAME VALUE UNIT ROUND".
collect() {
	local mode=$1 tag=${2:-}
	sed -nE 's/^([^|]*\| )?METRIC ([^ ]+) ([^ ]+) ([^ ]+)$/\2 \3 \4/p' "$tmp/out" |
	while read -r name value unit; do
		printf '%s %s%s %s %s %s\n' "$mode" "$name" "$tag" "$value" "$unit" "$r"
	done >> "$tmp/results"
	grep -q METRIC "$tmp/out" || fail "no figures from the $mode run"
}

# raw_server COMMAND...: a bench-server in the background for the next raw run.
raw_server() {
	"$@" > /dev/null 2> "$tmp/server.err" &
	raw_pids+=($!)
}

stop_raw_servers() {
	local p
	for p in "${raw_pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	raw_pids=()
}

# wrapped POLICY-TEXT EXIT-WITH [capwrap options]: run it to completion.
wrapped() {
	local policy=$1 exit_with=$2
	shift 2
	printf '%s\naudit %s\n' "$policy" "$tmp/audit.jsonl" > "$tmp/policy"
	rm -f "$tmp/audit.jsonl"
	$PIN_LAUNCHER "$CAPWRAP" run --exit-with "$exit_with" --grace 2 --dial-timeout 60 \
		"$@" "$tmp/policy" > "$tmp/out" 2> "$tmp/err" ||
		fail "capwrap run exited with status $?"
	if [[ -s $tmp/audit.jsonl ]]; then
		fail "wrapped run refused something: $(head -n 3 "$tmp/audit.jsonl")"
	fi
}

# --- the figures: one raw or wrapped run each ----------------------------

rate_raw() {
	raw_server $PIN_SERVER "$B/bench-server" "$N.rate"
	$PIN_CLIENT "$B/bench-client" rate "$N.rate" "$RATE_CONNS" > "$tmp/out" 2> "$tmp/err" ||
		fail "raw rate run failed"
	stop_raw_servers
	collect raw
}

# rate_calls [fenced]: raw again, the programs making the gates' system
# calls themselves; "fenced", under the io_uring fence of every wrapped
# service too, a seccomp filter that each system call passes: wrapped
# against that leg is what the shim's own code costs.
rate_calls() {
	local leg=${1:-calls} fence=() rc=0
	[[ $leg == fenced ]] && fence=(env BENCH_FENCE=1)
	BENCH_GATE_CALLS=1 raw_server "${fence[@]}" $PIN_SERVER "$B/bench-server" "$N.rate"
	BENCH_GATE_CALLS=1 "${fence[@]}" $PIN_CLIENT "$B/bench-client" rate "$N.rate" \
		"$RATE_CONNS" > "$tmp/out" 2> "$tmp/err" || rc=$?
	stop_raw_servers
	# 77: wrapped services run unfenced here, and the row says so.
	[[ $leg == fenced && $rc -eq 77 ]] && return 0
	((rc == 0)) || fail "raw rate run of the $leg leg failed"
	collect "$leg"
}

# rate_round R: connect+accept's three legs, raw, wrapped and calls, back to
# back, so that each round's wrapped/calls is as paired as its wrapped/raw;
# the supervised leg after them (judged against nothing).  The order runs
# through the six permutations, three rotations one way and three the other:
# over any multiple of three rounds each leg is first, second and third
# equally often, and over six each follows each of the others equally often
# (a leg slowed by the one before it, or by a machine that speeds up
# over the round, is not always the same one).  The calls leg runs twice
# in its place, bare and fenced, as one leg: which of the two goes first
# alternates, so that over twelve rounds each order of the legs runs
# with both.
RATE_ORDERS=("raw wrapped calls" "wrapped calls raw" "calls raw wrapped"
	"calls wrapped raw" "wrapped raw calls" "raw calls wrapped")
rate_round() {
	local leg
	for leg in ${RATE_ORDERS[$(($1 % 6))]}; do
		if [[ $leg != calls ]]; then
			"rate_$leg"
		elif ((($1 + $1 / 6) % 2)); then
			rate_calls; rate_calls fenced
		else
			rate_calls fenced; rate_calls
		fi
	done
	rate_supervised
}

rate_wrapped() {
	PIN_LAUNCHER=$PIN_SERVER wrapped "service server {
	exec $PIN_SERVER \"$B/bench-server\" $N.rate
	provides @$N.rate
}
service client {
	exec $PIN_CLIENT \"$B/bench-client\" rate $N.rate $RATE_CONNS
	dials server
}" client
	collect wrapped
}

# The same programs linked statically: the shim cannot enter them, and
# capwrap runs them supervised through seccomp (unotify/; started through
# taskset, they are supervised by the shim's exec gate, and a static image
# that could not be is refused, so figures mean supervised).  What each
# connection costs then, against the raw dynamic programs.
rate_supervised() {
	[[ -x $B/bench-server-static && -x $B/bench-client-static ]] || return 0
	# Without seccomp user notification capwrap refuses static programs.
	((supervision)) || return 0
	PIN_LAUNCHER=$PIN_SERVER wrapped "service server {
	exec $PIN_SERVER \"$B/bench-server-static\" $N.rate
	provides @$N.rate
}
service client {
	exec $PIN_CLIENT \"$B/bench-client-static\" rate $N.rate $RATE_CONNS
	dials server
}" client
	collect supervised
}

# UNBOUND is nobody's name: the refused connect to it costs the kernel's
# lookup raw, and one channel round trip more wrapped (it is external).
dial_raw() {
	raw_server $PIN_SERVER "$B/bench-server" "$N.dial"
	$PIN_CLIENT "$B/bench-client" dial "$N.dial" "$N.unbound" "$DIAL_PROCS" \
		> "$tmp/out" 2> "$tmp/err" || fail "raw dial run failed"
	stop_raw_servers
	collect raw
}

dial_wrapped() {
	PIN_LAUNCHER=$PIN_SERVER wrapped "service server {
	exec $PIN_SERVER \"$B/bench-server\" $N.dial
	provides @$N.dial
}
service client {
	exec $PIN_CLIENT \"$B/bench-client\" dial $N.dial $N.unbound $DIAL_PROCS
	dials server
}
external @$N.unbound" client
	collect wrapped
}

bulk_raw() {
	raw_server $PIN_SERVER "$B/bench-server" "$N.bulk"
	$PIN_CLIENT "$B/bench-client" bulk "$N.bulk" "$BULK_MIB" > "$tmp/out" 2> "$tmp/err" ||
		fail "raw bulk run failed"
	stop_raw_servers
	collect raw
}

bulk_wrapped() {
	PIN_LAUNCHER=$PIN_SERVER wrapped "service server {
	exec $PIN_SERVER \"$B/bench-server\" $N.bulk
	provides @$N.bulk
}
service client {
	exec $PIN_CLIENT \"$B/bench-client\" bulk $N.bulk $BULK_MIB
	dials server
}" client
	collect wrapped
}

exec_raw() {
	"$B/bench-exec" "$EXEC_COUNT" "$B/bench-trivial" > "$tmp/out" 2> "$tmp/err" ||
		fail "raw exec run failed"
	collect raw
}

exec_wrapped() {
	wrapped "service client {
	exec \"$B/bench-exec\" $EXEC_COUNT \"$B/bench-trivial\"
}" client
	collect wrapped
}

grant_names() {
	local i
	for ((i = 0; i < GRANT_NAMES; i++)); do
		printf ' @%s.g%d' "$N" "$i"
	done
}

grants_raw() {
	raw_server "$B/bench-server" -c "$GRANT_NAMES" "$N.g"
	"$B/bench-client" grants "$N.g" "$GRANT_NAMES" "$GRANT_WORKERS" \
		> "$tmp/out" 2> "$tmp/err" || fail "raw grants run failed"
	stop_raw_servers
	collect raw
}

grants_wrapped() {
	wrapped "service server {
	exec \"$B/bench-server\" -c $GRANT_NAMES $N.g
	provides$(grant_names)
}
service client {
	exec \"$B/bench-client\" grants $N.g $GRANT_NAMES $GRANT_WORKERS
	dials server
}" client
	collect wrapped
}

memory_raw() {
	"$B/bench-trivial" -m > "$tmp/out" 2> "$tmp/err" || fail "raw memory run failed"
	collect raw
}

memory_wrapped() {
	wrapped "service client {
	exec \"$B/bench-trivial\" -m
}" client
	collect wrapped
}

# COUNT passive services and a probe that dials each once; the probe's
# last connect returns when every name is registered.  Wrapped only: a
# raw run has no launcher.
launch_wrapped() {
	local count=$1 i
	{
		printf 'service probe {\n\texec "%s/bench-probe" %s.s %d\n\tdials' \
			"$B" "$N" "$count"
		for ((i = 0; i < count; i++)); do printf ' s%d' "$i"; done
		printf '\n}\n'
		for ((i = 0; i < count; i++)); do
			printf 'service s%d {\n\texec "%s/bench-server" -p %s.s%d\n\tprovides @%s.s%d\n}\n' \
				"$i" "$B" "$N" "$i" "$N" "$i"
		done
	} > "$tmp/launch.policy"
	printf 'audit %s\n' "$tmp/audit.jsonl" >> "$tmp/launch.policy"
	rm -f "$tmp/audit.jsonl"
	# bench-launch stamps BENCH_T0 just before it execs capwrap.
	"$B/bench-launch" "$CAPWRAP" run --exit-with probe --grace 5 \
		--dial-timeout 60 "$tmp/launch.policy" > "$tmp/out" 2> "$tmp/err" ||
		fail "capwrap run of $count services exited with status $?"
	collect wrapped ".$count"
}

# --- the gates' system calls, counted ----------------------------------

# The system calls the gates add per steady-state connection, client and
# server together: strace -f -c over a whole connect+accept run of COUNT
# connections, raw and wrapped (wrapped counts the launcher too), at two
# counts; the difference between the counts, divided by theirs, leaves
# out start-up, warm-up and exit, which are the same in both.
GATE_LOW=1000 GATE_HIGH=3000
((small)) && GATE_LOW=300 GATE_HIGH=900

# strace_calls FILE: the total of a `strace -c` summary.
strace_calls() {
	awk '$NF == "total" { print $4 }' "$1"
}

# traced_raw COUNT [calls]: the raw programs' system calls for COUNT
# connections; with "calls", those of the calls leg (BENCH_GATE_CALLS).
traced_raw() {
	local count=$1 tracer server
	local -x BENCH_GATE_CALLS
	[[ ${2:-} == calls ]] && BENCH_GATE_CALLS=1 || unset BENCH_GATE_CALLS
	strace -f -c -o "$tmp/strace.server" "$B/bench-server" "$N.calls" \
		> /dev/null 2> "$tmp/server.err" &
	tracer=$!
	# Listening before the client starts, so it dials once: no retries
	# in the count.
	until grep -q "@$N.calls\$" /proc/net/unix; do
		kill -0 "$tracer" 2> /dev/null || fail "traced raw server died"
		sleep 0.05
	done
	strace -f -c -o "$tmp/strace.client" "$B/bench-client" rate "$N.calls" \
		"$count" > "$tmp/out" 2> "$tmp/err" || fail "traced raw rate run failed"
	server=$(pgrep -P "$tracer") || fail "no traced raw server"
	kill "$server"
	wait "$tracer" || true
	echo $(($(strace_calls "$tmp/strace.server") + $(strace_calls "$tmp/strace.client")))
}

# traced_wrapped COUNT: the same under capwrap, launcher included.
traced_wrapped() {
	local count=$1
	printf 'service server {\n\texec "%s/bench-server" %s.calls\n\tprovides @%s.calls\n}\n' \
		"$B" "$N" "$N" > "$tmp/policy"
	printf 'service client {\n\texec "%s/bench-client" rate %s.calls %d\n\tdials server\n}\n' \
		"$B" "$N" "$count" >> "$tmp/policy"
	strace -f -c -o "$tmp/strace.wrapped" "$CAPWRAP" run --exit-with client \
		--grace 2 --dial-timeout 60 "$tmp/policy" > "$tmp/out" 2> "$tmp/err" ||
		fail "traced capwrap run exited with status $?"
	strace_calls "$tmp/strace.wrapped"
}


# --- the run --------------------------------------------------------------

calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
holds() { awk "BEGIN { exit !($*) }"; }

count_gate_calls() {
	gate_calls=
	if command -v strace > /dev/null; then
		say "bench: the gates' system calls (strace)"
		raw_low=$(traced_raw "$GATE_LOW")
		raw_high=$(traced_raw "$GATE_HIGH")
		wr_low=$(traced_wrapped "$GATE_LOW")
		wr_high=$(traced_wrapped "$GATE_HIGH")
		calls_low=$(traced_raw "$GATE_LOW" calls)
		calls_high=$(traced_raw "$GATE_HIGH" calls)
		span=$((GATE_HIGH - GATE_LOW))
		gate_raw=$(calc "($raw_high - $raw_low) / $span")
		gate_wr=$(calc "($wr_high - $wr_low) / $span")
		gate_leg=$(calc "($calls_high - $calls_low) / $span")
		# To a tenth: the launcher's own calls (its loop, the timers
		# of the run) leave a few in either total.
		gate_calls=$(awk "BEGIN { printf \"%.1f\", $gate_wr - $gate_raw }")
		leg_calls=$(awk "BEGIN { printf \"%.1f\", $gate_leg - $gate_raw }")
	fi
}

gate_row() {
	local verdict
	if [[ -n $gate_calls ]]; then
		if holds "$gate_calls <= 3"; then verdict=ok; else verdict=MISSED; missed=$((missed + 1)); fi
		printf '%-22s %-7s %11s %11s %6s %10s  %s\n' gate_calls calls/conn "$gate_raw" \
			"$gate_wr" - - "added $gate_calls <= 3: $verdict"
		# The calls leg stands for the gates only if it makes as many
		# calls as they add: connect_rate/calls is judged against it.
		# Within a tenth, as gate_calls is: the wrapped count holds a
		# few of the launcher's own calls, the calls leg's none.
		if holds "$gate_leg - $gate_wr <= 0.1 && $gate_wr - $gate_leg <= 0.1"; then
			verdict=ok
		else
			verdict=MISSED
			missed=$((missed + 1))
		fi
		printf '%-22s %-7s %11s %11s %6s %10s  %s\n' gate_calls.calls calls/conn "$gate_raw" \
			"$gate_leg" - - "the calls leg adds $leg_calls, as the gates: $verdict"
	else
		printf '%-22s %-7s %11s %11s %6s %10s  %s\n' gate_calls calls/conn - - - - \
			"skipped: strace is not installed"
	fi
}

started=$SECONDS
# Whether capwrap can supervise static programs here (rate_supervised).
supervision=0
"$CAPWRAP" probe 2> /dev/null | grep -q '^seccomp user notification ([^)]*): yes' &&
	supervision=1
if ((gates_only)); then
	missed=0
	count_gate_calls
	gate_row
	exit 0
fi
: > "$tmp/results"
for fig in rate dial bulk exec grants memory; do
	n=$rounds
	# Short runs with noisy figures: more, shorter rounds.
	[[ $fig == exec || $fig == bulk || $fig == rate ]] && n=$((rounds * 3))
	for ((r = 0; r < n; r++)); do
		say "bench: $fig round $((r + 1))/$n"
		if [[ $fig == rate ]]; then
			rate_round "$r"
		elif ((r % 2 == 0)); then
			"${fig}_raw"; "${fig}_wrapped"
		else
			"${fig}_wrapped"; "${fig}_raw"
		fi
	done
done
for ((r = 0; r < LAUNCH_ROUNDS; r++)); do
	say "bench: launcher, $LAUNCH_SMALL services, round $((r + 1))/$LAUNCH_ROUNDS"
	launch_wrapped "$LAUNCH_SMALL"
done
say "bench: launcher, $LAUNCH_BIG services"
launch_wrapped "$LAUNCH_BIG"

# --- the table ------------------------------------------------------------

# median MODE NAME: the median over the rounds, or "-" if none.
median() {
	awk -v m="$1" -v n="$2" '$1 == m && $2 == n { print $3 }' "$tmp/results" |
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-";
		else if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# spread NAME [MODE [DENOM]]: the lowest and highest wrapped/raw (or
# MODE/DENOM) ratio of single rounds.
spread() {
	awk -v n="$1" -v m="${2:-wrapped}" -v d="${3:-raw}" \
		'$2 == n && $1 == d { raw[$5] = $3 }
		$2 == n && $1 == m { wr[$5] = $3 }
		END { lo = ""; for (r in raw) if ((r in wr) && raw[r] > 0) {
			x = wr[r] / raw[r]
			if (lo == "" || x < lo) lo = x
			if (hi == "" || x > hi) hi = x }
		if (lo == "") print "-"; else printf "%.2f-%.2f\n", lo, hi }' "$tmp/results"
}

# paired NAME [MODE [DENOM]]: the median of the single rounds' wrapped/raw
# (or MODE/raw, or MODE/DENOM): each round's runs are back to back, so a
# machine that speeds up or slows down over the run moves them alike.
paired() {
	awk -v n="$1" -v m="${2:-wrapped}" -v d="${3:-raw}" \
		'$2 == n && $1 == d { raw[$5] = $3 }
		$2 == n && $1 == m { wr[$5] = $3 }
		END { for (r in raw) if ((r in wr) && raw[r] > 0) print wr[r] / raw[r] }' \
		"$tmp/results" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-";
		else if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

unit_of() {
	awk -v n="$1" '$2 == n { print $4; exit }' "$tmp/results"
}


count_gate_calls
missed=0
row() {
	local name=$1 goal=${2:-} raw wr ratio verdict=""
	raw=$(median raw "$name")
	wr=$(median wrapped "$name")
	ratio=$(paired "$name")
	if [[ -n $goal ]]; then
		if holds "$goal"; then
			verdict="ok"
		else
			verdict="MISSED"
			missed=$((missed + 1))
		fi
	fi
	printf '%-22s %-7s %11s %11s %6s %10s  %s\n' "$name" "$(unit_of "$name")" \
		"$raw" "$wr" "$ratio" "$(spread "$name")" "${3:-}${verdict:+ $verdict}"
}

# The goals for a first dial.  A forked worker takes up its parent's
# capability without waking anyone: raw connect plus 10 us.  A new image
# asks the launcher: raw connect plus one channel round trip, the round
# trip measured as the refused probe's extra time wrapped (an external
# name: exactly one round trip).
rtt=$(calc "$(median wrapped probe_warm_us) - $(median raw probe_warm_us)")
exec_rtt=$(calc "$(median wrapped exec_probe_warm_us) - $(median raw exec_probe_warm_us)")
dial_bound=$(calc "$(median raw first_dial_us) + 10")
exec_dial_bound=$(calc "$(median raw exec_first_dial_us) + $exec_rtt")
grant_cpu=$(median wrapped parent_cpu_us)
big_rss=$(median wrapped "launcher_rss_kb.$LAUNCH_BIG")
wr_dial=$(median wrapped first_dial_us)
wr_exec_dial=$(median wrapped exec_first_dial_us)
rate_ratio=$(paired connect_rate)
calls_ratio=$(paired connect_rate wrapped calls)
bulk_ratio=$(paired bulk_throughput)
exec_ratio=$(paired exec_us)
reg_small=$(median wrapped "registered_ms.$LAUNCH_SMALL")
rss_added=$(calc "$(median wrapped rss_kb) - $(median raw rss_kb)")
pss_added=$(calc "$(median wrapped pss_kb) - $(median raw pss_kb)")

echo
echo "capwrap bench: $rounds rounds raw/wrapped interleaved, medians;" \
	"$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $((SECONDS - started)) s"
printf '%-22s %-7s %11s %11s %6s %10s  %s\n' figure unit raw wrapped w/raw rounds goal
printf '%s\n' "(raw, wrapped: medians of the rounds; w/raw: median of the rounds' own wrapped/raw;" \
	" rounds: the lowest and highest of those)"
printf '%s\n' "---------------------------------------------------------------------------------------------"
row connect_rate "$rate_ratio >= 0.90" ">= 0.90x:"
printf '%-22s %-7s %11s %11s %6s %10s  %s\n' "connect_rate.calls" conn/s \
	"$(median raw connect_rate)" "$(median calls connect_rate)" \
	"$(paired connect_rate calls)" "$(spread connect_rate calls)" \
	"(raw, making the gates' system calls, no shim)"
# What the shim costs beyond the system calls its checks need: wrapped
# against the calls leg of the same round, not against plain raw.
if holds "$calls_ratio >= 0.97"; then verdict=ok; else verdict=MISSED; missed=$((missed + 1)); fi
printf '%-22s %-7s %11s %11s %6s %10s  %s\n' "connect_rate/calls" conn/s \
	"$(median calls connect_rate)" "$(median wrapped connect_rate)" \
	"$calls_ratio" "$(spread connect_rate wrapped calls)" \
	"wrapped/calls >= 0.97x: $verdict"
# The calls leg under the fence: the fence's price on its own, and what
# is left of wrapped/calls for the shim's code.
if [[ $(median fenced connect_rate) != - ]]; then
	printf '%-22s %-7s %11s %11s %6s %10s  %s\n' "connect_rate/fenced" conn/s \
		"$(median fenced connect_rate)" "$(median wrapped connect_rate)" \
		"$(paired connect_rate wrapped fenced)" "$(spread connect_rate wrapped fenced)" \
		"(the calls leg under the io_uring fence: $(calc "1000000 / $(median fenced connect_rate) - 1000000 / $(median calls connect_rate)") us more a connection than bare)"
else
	printf '%-22s %-7s %11s %11s %6s %10s  %s\n' "connect_rate/fenced" conn/s - - - - \
		"skipped: wrapped services run without the io_uring fence here"
fi
gate_row
if [[ $(median supervised connect_rate) != - ]]; then
	printf '%-22s %-7s %11s %11s %6s %10s  %s\n' "connect_rate.supervised" \
		conn/s "$(median raw connect_rate)" \
		"$(median supervised connect_rate)" \
		"$(paired connect_rate supervised)" - \
		"(static programs supervised through seccomp: $(calc "1000000 / $(median supervised connect_rate) - 1000000 / $(median raw connect_rate)") us more a connection)"
fi
row client_cpu_us
row server_cpu_us
row first_dial_us "$wr_dial <= $dial_bound" "<= raw + 10 = $dial_bound us:"
row first_exchange_us
row cached_dial_us
row probe_cold_us
row probe_warm_us "" "(wrapped - raw = channel round trip $rtt us)"
row exec_first_dial_us "$wr_exec_dial <= $exec_dial_bound" "<= raw + rtt = $exec_dial_bound us:"
row exec_first_exchange_us
row exec_cached_dial_us
row exec_probe_cold_us
row exec_probe_warm_us "" "(wrapped - raw = channel round trip $exec_rtt us)"
row bulk_throughput "$bulk_ratio >= 0.98" ">= 0.98x:"
row bulk_write_cpu_us
row bulk_read_cpu_us "" "(the reader's read() is hooked; its write() is not)"
row exec_us "$exec_ratio <= 1.25" "<= 1.25x:"
row grant_rate "" "(wrapped: one grant per dial)"
row parent_cpu_us "$grant_cpu <= 30" "the launcher's CPU per grant <= 30 us:"
row rss_kb "" "(shim adds $rss_added kB)"
row pss_kb "" "(shim adds $pss_added kB)"
row private_kb
row "registered_ms.$LAUNCH_SMALL" "$reg_small <= 1000" "$LAUNCH_SMALL services <= 1000 ms:"
row "launcher_rss_kb.$LAUNCH_SMALL"
row "launcher_cpu_ms.$LAUNCH_SMALL"
row "registered_ms.$LAUNCH_BIG"
row "launcher_rss_kb.$LAUNCH_BIG" "$big_rss <= 8192" "$LAUNCH_BIG services <= 8 MiB:"
row "launcher_cpu_ms.$LAUNCH_BIG"

# What each system call the gates and the broker make costs here: with the
# call counts in docs/PERFORMANCE.md, this accounts for the CPU figures.
"$B/bench-calls" > "$tmp/out" 2> "$tmp/err" || fail "bench-calls failed"
echo
echo "system calls on this machine (ns each, raw, one thread):"
sed -nE 's/^METRIC call_([^ ]+) ([0-9.]+) ns$/\1 \2/p' "$tmp/out" |
	awk '{ printf "  %-20s %8.0f%s", $1, $2, (NR % 3 ? "" : "\n") } END { if (NR % 3) print "" }'
echo
if ((missed)); then
	echo "$missed goal(s) MISSED (informational: figures on a shared machine are noisy)"
else
	echo "all goals hold"
fi
exit 0
