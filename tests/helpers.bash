# Shared set-up for the bats suites.  Each test gets a scratch directory;
# a topology runs in the background with its output in $T/out and its
# audit log in $T/audit.jsonl.

bats_load_library bats-support
bats_load_library bats-assert

# After a `run` that printed nothing, bats-assert's refute_line fails
# ("lines: parameter not set": it requires a first line) instead of
# passing: a server stopped before its first line made tests fail that
# refute a line of it.  Nothing printed refutes every line.
eval "bats_assert_refute_line() $(declare -f refute_line | tail -n +2)"
refute_line() {
	if [[ -z ${output-} ]]; then
		return 0
	fi
	bats_assert_refute_line "$@"
}

: "${CAPWRAP:?run the suites through make check}"

# With PYTHONUNBUFFERED set, python writes each print() in pieces (the
# text, then the newline), and two processes of one service printing at
# once interleave their lines ("dial: refused 111impostor got:").  The
# suites' python programs flush the lines a test waits for, so they run
# buffered, one write a line, whatever the caller's environment says.
unset PYTHONUNBUFFERED

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/capwrap-test.XXXXXX")
	export T
	# Every test uses names of its own, so parallel runs and leftovers never meet.
	U="t$$-$BATS_TEST_NUMBER-$RANDOM"
	export U
	PATH="$FIXTURES:$PATH"
}

teardown() {
	stop_topology
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		rm -rf "$T"
	fi
}

# write_policy <<EOF ... EOF: the policy of this test, in $T/policy
write_policy() {
	cat > "$T/policy"
}

# start_topology [capwrap run options...]: runs $T/policy in the background.
start_topology() {
	# Emptied here, not by the background job's redirection, which may
	# run after the caller has looked: a second topology of a test would
	# otherwise be waited for in the first one's lines.
	: > "$T/out"
	: > "$T/err"
	"$CAPWRAP" run "$@" "$T/policy" >> "$T/out" 2>> "$T/err" &
	CAPWRAP_PID=$!
}

# Wait until the topology has exited; its status in $TOPOLOGY_STATUS.
# One that is still running after TOPOLOGY_TIMEOUT seconds (a bug that
# leaves a service waiting) is stopped, so the suite fails, not hangs.
wait_topology() {
	local i
	for ((i = 0; i < ${TOPOLOGY_TIMEOUT:-120} * 20; i++)); do
		kill -0 "$CAPWRAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$CAPWRAP_PID" 2>/dev/null; then
		echo "topology still running after ${TOPOLOGY_TIMEOUT:-120} s: stopping it" >&2
		kill -TERM "$CAPWRAP_PID"
	fi
	TOPOLOGY_STATUS=0
	wait "$CAPWRAP_PID" || TOPOLOGY_STATUS=$?
	CAPWRAP_PID=
}

# stop_topology: the topology, if still running, and whatever the test
# started in the background and listed in BACKGROUND_PIDS, so that a
# failed test never leaves a reader behind that keeps bats waiting.
stop_topology() {
	local p i
	if [ -n "${CAPWRAP_PID:-}" ]; then
		kill -TERM "$CAPWRAP_PID" 2>/dev/null || true
		# A launcher that does not get to its signals (a bug under test)
		# is killed, and its services die with it (PR_SET_PDEATHSIG).
		for ((i = 0; i < 200; i++)); do
			grep -qE '^State:[[:space:]]+[^Z]' \
				"/proc/$CAPWRAP_PID/status" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$CAPWRAP_PID" 2>/dev/null || true
		wait "$CAPWRAP_PID" 2>/dev/null || true
		CAPWRAP_PID=
	fi
	for p in ${BACKGROUND_PIDS:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	BACKGROUND_PIDS=
}

# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches (grep -E).
# The limit (a minute unless given) only ends a wait that would never end:
# on a loaded machine, seconds may pass before a service gets to run.
wait_for() {
	local file=$1 pattern=$2 limit=${3:-60} i
	for ((i = 0; i < limit * 20; i++)); do
		if grep -qE -- "$pattern" "$file" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "timed out waiting for /$pattern/ in $file; it holds:" >&2
	cat "$file" >&2 2>/dev/null || true
	return 1
}

# The pid a fixture printed as "listening pid=N" under service SVC.
listener_pid() {
	sed -nE "s/^$1 +\\| listening pid=([0-9]+).*/\\1/p" "$T/out" | tail -n 1
}

# The abstract addresses PID listens on, as the kernel lists them (no @).
listening_addresses() {
	local pid=$1 inodes
	inodes=$(ls -l "/proc/$pid/fd" 2>/dev/null |
		sed -nE 's/.*socket:\[([0-9]+)\]$/\1/p')
	for ino in $inodes; do
		awk -v ino="$ino" '$7 == ino && $8 ~ /^@/ { print substr($8, 2) }' \
			/proc/net/unix
	done
}

# The five hex digits of the address the listener of SERVICE holds, once
# it has said "listening pid=N".
minted_address() {
	local pid
	wait_for "$T/out" "^$1 +\\| listening pid=" || return 1
	pid=$(listener_pid "$1")
	[ -n "$pid" ] || return 1
	listening_addresses "$pid" | head -n 1
}

# True if the fixed name appears anywhere in /proc/net/unix.
name_is_bound() {
	awk -v n="@$1" '$8 == n { found = 1 } END { exit !found }' /proc/net/unix
}

# The lines service SVC printed, without the "svc | " prefix.
service_lines() {
	sed -nE "s/^$1 +\\| //p" "$T/out"
}

# The audit records of this test, one JSON object a line.
audit_lines() {
	cat "$T/audit.jsonl" 2>/dev/null
}

# skip_in_sanitizer_build WHY: skip a test where capwrap and its shim are
# built with AddressSanitizer, whose runtime the shim brings into every
# program it is preloaded into.
skip_in_sanitizer_build() {
	if nm "$CAPWRAP" 2>/dev/null | grep -q __asan_init; then
		skip "sanitizer build: $1"
	fi
}

# go_build SOURCE NAME: build tests/SOURCE once per file (from setup_file)
# into $BATS_FILE_TMPDIR/go as NAME-static (CGO_ENABLED=0, a static
# executable) and NAME-cgo (the default: the net package then links the
# C library dynamically).  Nothing where go is missing: need_go says so.
go_build() {
	command -v go > /dev/null || return 0
	local dir="$BATS_FILE_TMPDIR/go" src
	src=$(basename "$1")
	mkdir -p "$dir"
	cp "$TESTS_SRCDIR/$1" "$dir/"
	(cd "$dir" && export GOCACHE="$dir/cache" GOPATH="$dir/path" &&
		CGO_ENABLED=0 go build -o "$2-static" "$src" &&
		CGO_ENABLED=1 go build -o "$2-cgo" "$src") >&2
}

# need_go NAME: skip without go; else GO_DIR holds NAME-static and NAME-cgo.
need_go() {
	command -v go > /dev/null ||
		skip "go is missing (Debian: golang-go): the Go cases are not run"
	GO_DIR="$BATS_FILE_TMPDIR/go"
	[ -x "$GO_DIR/$1-static" ] && [ -x "$GO_DIR/$1-cgo" ]
}
