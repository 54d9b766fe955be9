# Shared set-up of the attack suites: the common helpers, the attackers
# on PATH, and a private network namespace for the attacks that touch
# every abstract name (the brute force and the flood), so that they never
# reach the topologies of other suites running at the same time.

load ../helpers

ATTACKERS="$(dirname "$FIXTURES")/attacks"
PATH="$ATTACKERS:$PATH"

# Skip unless we may make namespaces (root, unshare and nsenter present).
need_namespaces() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private network namespace"
	command -v unshare > /dev/null || skip "needs unshare(1)"
	command -v nsenter > /dev/null || skip "needs nsenter(1)"
}

# Make a private network namespace, held open by a sleeping process;
# in_netns runs a command inside it.
private_netns() {
	need_namespaces
	unshare --net sleep 600 &
	NETNS_HOLDER=$!
	# unshare has switched namespace once its netns link differs from ours.
	local i
	for ((i = 0; i < 1200; i++)); do
		if [ "$(readlink "/proc/$NETNS_HOLDER/ns/net" 2>/dev/null)" != \
		    "$(readlink /proc/self/ns/net)" ] &&
		    [ "$(cat "/proc/$NETNS_HOLDER/comm" 2>/dev/null)" = sleep ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "private network namespace did not come up" >&2
	return 1
}

in_netns() {
	nsenter --target "$NETNS_HOLDER" --net -- "$@"
}

# A topology inside the private network namespace.  nsenter execs
# capwrap (no fork for a network namespace), so $! is the launcher.
start_topology_in_netns() {
	nsenter --target "$NETNS_HOLDER" --net -- \
		"$CAPWRAP" run "$@" "$T/policy" > "$T/out" 2> "$T/err" &
	CAPWRAP_PID=$!
}

# The abstract addresses PID listens on, read from its own namespace.
listening_addresses_in_netns() {
	local pid=$1 inodes
	inodes=$(ls -l "/proc/$pid/fd" 2>/dev/null |
		sed -nE 's/.*socket:\[([0-9]+)\]$/\1/p')
	for ino in $inodes; do
		awk -v ino="$ino" '$7 == ino && $8 ~ /^@/ { print substr($8, 2) }' \
			"/proc/$pid/net/unix"
	done
}

teardown() {
	stop_topology
	if [ -n "${NETNS_HOLDER:-}" ]; then
		kill "$NETNS_HOLDER" 2>/dev/null || true
		wait "$NETNS_HOLDER" 2>/dev/null || true
	fi
	for p in ${ATTACKER_PIDS:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		rm -rf "$T"
	fi
}

# Run an attacker in the background; it is killed at teardown.
attacker() {
	local out=$1
	shift
	"$@" > "$out" 2>&1 &
	ATTACKER_PIDS="${ATTACKER_PIDS:-} $!"
	LAST_ATTACKER=$!
}

# audited_refusals PATTERN: the refusals the audit log accounts for in its
# lines that hold PATTERN: a record without "count" is one, the others
# (summaries, suppressed counts) their count.
audited_refusals() {
	awk -v pat="$1" '
		index($0, pat) {
			if (match($0, /"count":[0-9]+/))
				n += substr($0, RSTART + 8, RLENGTH - 8)
			else
				n++
		}
		END { print n + 0 }' "$T/audit.jsonl"
}

# friend_policy AUDIT: db, and web that dials it once $T/go exists; the
# audit path AUDIT is on line 9, column 7.
friend_policy() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-client $U.db friend"
	dials db
}
audit $1
EOF
}
