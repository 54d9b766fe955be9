# Shared set-up of the habits suites: the common helpers and the habit
# fixtures (hx-*) on PATH next to the plain ones.

load ../helpers

HABITS="$(dirname "$FIXTURES")/habits"
PATH="$HABITS:$PATH"

# How many refusals the audit records matching PATTERN (grep -E) stand
# for: repeats within the flood-control window are one record with a count.
audit_total() {
	grep -E -- "$1" "$T/audit.jsonl" 2>/dev/null |
		sed -nE 's/.*"count":([0-9]+).*/\1/p; t; s/.*/1/p' |
		awk '{ n += $1 } END { print n + 0 }'
}

# outsider ADDR FILE &: an unwrapped dialer of the minted address, its
# output in FILE; run it in the background, so $! is its pid.  It ignores
# SIGPIPE: a gate that refuses it before it writes makes the write fail
# (EPIPE) instead of killing it silently.
outsider() {
	trap '' PIPE
	exec fx-client "$1" intruder > "$2" 2>&1
}

# A command that waits for the file $T/$1 before running the rest.
after() {
	printf 'sh -c "while [ ! -e %s ]; do sleep 0.02; done; exec %s"' \
		"$T/$1" "$2"
}

# Kill, at teardown, the processes whose pids a file lists as pid=N
# (daemons live outside the topology's process group).
DAEMON_LOGS=
teardown() {
	local log pid
	for log in $DAEMON_LOGS; do
		for pid in $(sed -nE 's/.*pid=([0-9]+).*/\1/p' "$log" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
	stop_topology
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		rm -rf "$T"
	fi
}
