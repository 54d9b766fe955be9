# Shared by the compatibility suites: real programs, unmodified, run from
# the policies in examples/ with their names and paths made this test's own.

# need_programs PROGRAM...: skip, naming what is missing, unless every
# PROGRAM is installed.  Nothing else is a reason to skip.
need_programs() {
	local p missing=
	for p in "$@"; do
		case $p in
		/*)	[ -x "$p" ] || missing+=" $p" ;;
		*)	command -v "$p" > /dev/null 2>&1 || missing+=" $p" ;;
		esac
	done
	if [ -n "$missing" ]; then
		skip "not installed:$missing"
	fi
}

# compat_policy EXAMPLE: $T/policy from examples/EXAMPLE, and its files
# from examples/compat/ in $T/compat, with the names of this test (every
# "capwrap-compat." becomes "$U.") and the audit log in $T/audit.jsonl.
compat_policy() {
	local f base
	mkdir -p "$T/compat"
	for f in "$EXAMPLES"/compat/*; do
		base=${f##*/}
		sed "s/capwrap-compat\\./$U./g" "$f" > "$T/compat/$base"
		if [ -x "$f" ]; then
			chmod +x "$T/compat/$base"
		fi
	done
	sed -e "s/capwrap-compat\\./$U./g" \
	    -e "s|examples/compat/|$T/compat/|g" \
	    -e 's|^audit .*|audit audit.jsonl|' \
	    "$EXAMPLES/$1" > "$T/policy"
}

# drop_service NAME: take the block of service NAME out of $T/policy.
drop_service() {
	awk -v open="service $1 {" '
		$0 == open { skipping = 1; next }
		skipping && /^}/ { skipping = 0; next }
		!skipping' "$T/policy" > "$T/policy.new"
	mv "$T/policy.new" "$T/policy"
	! grep -q "service $1 {" "$T/policy"
}

# service_pid REGEX: the pid of the launcher's child whose command line
# (arguments joined by spaces) matches REGEX (grep -E).
service_pid() {
	local pid
	for pid in $(cat /proc/"$CAPWRAP_PID"/task/*/children 2>/dev/null); do
		if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null |
		    grep -qE -- "$1"; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

# wait_minted REGEX [SECONDS]: wait (a minute unless given) until the service whose command line
# matches REGEX listens on an autobind address.  Sets MINTED_PID and
# MINTED (the address, without the @).
wait_minted() {
	local limit=${2:-60} i
	MINTED_PID= MINTED=
	for ((i = 0; i < limit * 20; i++)); do
		MINTED_PID=$(service_pid "$1") || MINTED_PID=
		if [ -n "$MINTED_PID" ]; then
			MINTED=$(listening_addresses "$MINTED_PID" |
			    grep -E '^[0-9a-f]{5}$' | head -n 1)
			if [ -n "$MINTED" ] && minted_ready "$MINTED"; then
				return 0
			fi
		fi
		sleep 0.05
	done
	echo "timed out waiting for /$1/ to listen; out and err hold:" >&2
	cat "$T/out" "$T/err" >&2 2>/dev/null || true
	return 1
}

# minted_ready ADDRESS: the socket bound to @ADDRESS takes connections
# now: listening (__SO_ACCEPTCON in the flags /proc/net/unix lists), or a
# datagram socket.  A stream socket is autobound at its bind, before the
# program's listen: dialed then, it refuses.
minted_ready() {
	awk -v n="@$1" '$8 == n && ($4 == "00010000" || $5 + 0 == 2) { ok = 1 }
		END { exit !ok }' /proc/net/unix
}

# socket_type ADDRESS: the type the kernel lists for the socket bound to
# @ADDRESS (1 stream, 2 datagram, 5 seqpacket).
socket_type() {
	awk -v n="@$1" '$8 == n { print $5 + 0; exit }' /proc/net/unix
}

# wait_denials COUNT: until the audit log holds COUNT refusals (at most a
# minute).
wait_denials() {
	wait_count "$T/audit.jsonl" '"event":"deny"' "$1"
}

# assert_accept_denied SERVICE NAME PROGRAM: the audit log holds the
# accept gate's refusal of a process running PROGRAM (a command on PATH or
# a path) that dialed SERVICE's NAME.
assert_accept_denied() {
	local exe
	exe=$(readlink -f "$(command -v "$3")")
	wait_denials 1
	run grep -F '"gate":"accept"' "$T/audit.jsonl"
	assert_success
	assert_output --partial "\"service\":\"$1\""
	assert_output --partial "\"name\":\"@$2\""
	assert_output --partial "\"peer_exe\":\"$exe\""
	assert_output --partial '"event":"deny"'
}

# wait_count FILE PATTERN COUNT: until COUNT lines of FILE match PATTERN
# (grep -E), at most a minute.
wait_count() {
	local i
	for ((i = 0; i < 60 * 20; i++)); do
		if [ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "timed out waiting for $3 lines /$2/ in $1; it holds:" >&2
	cat "$1" >&2 2>/dev/null || true
	return 1
}
