#!/usr/bin/env bats
# capwrap probe: which guarantees hold on this kernel, as lines and as
# JSON; the test hook CAPWRAP_PROBE_DISABLE that shows what it says for a
# kernel without a feature; and the summary line capwrap run starts with.

load operator

# The JSON of `capwrap probe --json` (with the environment given), in $T/probe.json.
probe_json() {
	"$CAPWRAP" probe --json > "$T/probe.json"
}

# json_get EXPR: a Python expression over j, the object in $T/probe.json.
json_get() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$T/probe.json" "$1"
}

# The line probe prints for feature KEY, rebuilt from its JSON.
line_from_json() {
	local labels='{"pidfs": "pidfs", "peerpidfd": "SO_PEERPIDFD",
		"pidfd-info": "PIDFD_GET_INFO", "seccomp": "seccomp filters",
		"seccomp-notif": "seccomp user notification", "landlock": "Landlock",
		"io_uring": "io_uring", "fence": "io_uring fence"}'
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))["features"][sys.argv[2]]
print("%s (Linux %s): %s: %s" % (json.loads(sys.argv[3])[sys.argv[2]],
    j["since"], j["status"], j["says"]))' "$T/probe.json" "$1" "$labels"
}

FEATURES="pidfs peerpidfd pidfd-info seccomp seccomp-notif landlock io_uring fence"
FORCED="(forced off by CAPWRAP_PROBE_DISABLE)"

@test "probe: one line a feature, the kernel first, exit 0, nothing on stderr" {
	run --separate-stderr "$CAPWRAP" probe
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 9
	assert_line --index 0 "kernel $(uname -r)"
	probe_json
	local i=1 f
	for f in $FEATURES; do
		assert_line --index $i "$(line_from_json "$f")"
		i=$((i + 1))
	done
}

@test "probe --json: one object, the documented members, consistent with the kernel" {
	probe_json
	run python3 -m json.tool "$T/probe.json"
	assert_success
	assert_equal "$(json_get 'j["kernel"]')" "$(uname -r)"
	assert_equal "$(json_get 'sorted(j["features"])')" \
		"$(python3 -c 'import sys; print(sorted(sys.argv[1:]))' $FEATURES)"
	for f in $FEATURES; do
		assert_equal "$(json_get "sorted(k for k in j['features']['$f'] if k in ('available', 'forced_off', 'since', 'status', 'says'))")" \
			"['available', 'forced_off', 'says', 'since', 'status']"
		assert_equal "$(json_get "j['features']['$f']['forced_off']")" False
	done
	# The fence is used wherever the kernel scopes abstract sockets.
	assert_equal "$(json_get 'j["features"]["landlock"]["used"]')" \
		"$(json_get '"abstract-unix-socket" in j["features"]["landlock"]["scopes"]')"
	# Supervision is used wherever the kernel has ADDFD_FLAG_SEND (asked
	# as the 5.19 filter flag that comes after it).
	assert_equal "$(json_get 'j["features"]["seccomp-notif"]["used"]')" \
		"$(json_get '"wait-killable-recv" in j["features"]["seccomp-notif"]["flags"]')"
	# io_uring_disabled as the sysctl says, null where there is none.
	if [ -r /proc/sys/kernel/io_uring_disabled ]; then
		assert_equal "$(json_get 'j["features"]["io_uring"]["disabled"]')" \
			"$(cat /proc/sys/kernel/io_uring_disabled)"
	else
		assert_equal "$(json_get 'j["features"]["io_uring"]["disabled"]')" None
	fi
	# The Landlock ABI as the kernel answers it (0 where there is none).
	local abi
	abi=$(python3 -c 'import ctypes, os
n = ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1)
print(n if n > 0 else 0)')
	[ "$(uname -m)" = x86_64 ] &&
		assert_equal "$(json_get 'j["features"]["landlock"]["abi"]')" "$abi"
	# No fence without seccomp filters.
	if [ "$(json_get 'j["features"]["seccomp"]["available"]')" = False ]; then
		assert_equal "$(json_get 'j["features"]["fence"]["available"]')" False
	fi
}

@test "probe: pidfs forced off says the fallback, and nothing else changes" {
	probe_json
	cp "$T/probe.json" "$T/real.json"
	CAPWRAP_PROBE_DISABLE=pidfs run "$CAPWRAP" probe
	assert_success
	assert_line "pidfs (Linux 6.9): no $FORCED: a process is named by pid and start time (/proc/PID/stat); a connection from a granted client that has exited is refused; forked workers ask the launcher instead of claiming"
	CAPWRAP_PROBE_DISABLE=pidfs probe_json
	assert_equal "$(json_get 'j["features"]["pidfs"]["available"]')" False
	assert_equal "$(json_get 'j["features"]["pidfs"]["forced_off"]')" True
	python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))["features"]
b = json.load(open(sys.argv[2]))["features"]
del a["pidfs"], b["pidfs"]
sys.exit(a != b)' "$T/real.json" "$T/probe.json"
}

@test "probe: SO_PEERPIDFD and PIDFD_GET_INFO forced off say their fallbacks" {
	CAPWRAP_PROBE_DISABLE=peerpidfd,pidfd-info run "$CAPWRAP" probe
	assert_success
	assert_line "SO_PEERPIDFD (Linux 6.5): no $FORCED: the peer is judged by pid and start time: an outsider whose queued connection outlives it while a grantee is given its pid is not told apart"
	assert_line "PIDFD_GET_INFO (Linux 6.13): no $FORCED: nothing is kept: every connection is checked in full (slower, not weaker)"
	CAPWRAP_PROBE_DISABLE=peerpidfd,pidfd-info probe_json
	assert_equal "$(json_get '[j["features"][f]["forced_off"] for f in ("peerpidfd", "pidfd-info")]')" "[True, True]"
	assert_equal "$(json_get '[j["features"][f]["available"] for f in ("peerpidfd", "pidfd-info")]')" "[False, False]"
}

@test "probe: Landlock forced off says there is no socket fence; on, it is used where the kernel has the scope" {
	CAPWRAP_PROBE_DISABLE=landlock run "$CAPWRAP" probe
	assert_success
	assert_line "Landlock (Linux 5.13): no $FORCED: no abstract-socket scope (6.12): services can dial the host's abstract sockets with raw system calls"
	CAPWRAP_PROBE_DISABLE=landlock probe_json
	assert_equal "$(json_get 'j["features"]["landlock"]["abi"]')" 0
	assert_equal "$(json_get 'j["features"]["landlock"]["scopes"]')" "[]"
	assert_equal "$(json_get 'j["features"]["landlock"]["used"]')" False
	probe_json
	if [ "$(json_get 'j["features"]["landlock"]["scopes"]')" != "['abstract-unix-socket', 'signal']" ]; then
		skip "this kernel has no Landlock scopes (6.12)"
	fi
	assert_equal "$(json_get 'j["features"]["landlock"]["used"]')" True
	run "$CAPWRAP" probe
	assert_line --regexp "^Landlock \(Linux 5\.13\): ABI [0-9]+, scopes abstract-unix-socket signal: services share one domain: none can dial an abstract socket made outside the topology, nor signal a process outside it, unless its policy says \`allow host-sockets\`$"
}

@test "probe: seccomp forced off takes user notification and the fence with it" {
	CAPWRAP_PROBE_DISABLE=seccomp run "$CAPWRAP" probe
	assert_success
	assert_line "seccomp filters (Linux 3.5): no $FORCED: wrapped services run without the io_uring fence"
	assert_line "seccomp user notification (Linux 5.0): no $FORCED: static and Go programs are refused: the shim cannot enter them and capwrap cannot supervise them"
	CAPWRAP_PROBE_DISABLE=seccomp probe_json
	assert_equal "$(json_get 'j["features"]["fence"]["available"]')" False
	assert_equal "$(json_get 'j["features"]["fence"]["forced_off"]')" True
	assert_equal "$(json_get 'j["features"]["seccomp-notif"]["flags"]')" "[]"
	if [ "$(json_get 'j["features"]["io_uring"]["available"]')" = True ]; then
		assert_line "io_uring fence (Linux 3.5): no $FORCED: wrapped services can reach the kernel through io_uring, past the shim's gates"
	fi
	CAPWRAP_PROBE_DISABLE=seccomp-notif run "$CAPWRAP" probe
	assert_line "seccomp user notification (Linux 5.0): no $FORCED: static and Go programs are refused: the shim cannot enter them and capwrap cannot supervise them"
}

@test "probe: io_uring forced off reads as disabled system-wide; with seccomp off too, no fence is needed" {
	CAPWRAP_PROBE_DISABLE=io_uring run "$CAPWRAP" probe
	assert_success
	assert_line "io_uring (Linux 5.1): disabled system-wide (io_uring_disabled 2) $FORCED: no program can go past the shim with it"
	CAPWRAP_PROBE_DISABLE=io_uring probe_json
	assert_equal "$(json_get 'j["features"]["io_uring"]["disabled"]')" 2
	CAPWRAP_PROBE_DISABLE=io_uring,seccomp run "$CAPWRAP" probe
	assert_line "io_uring fence (Linux 3.5): no $FORCED: not needed: io_uring is out of reach here"
}

@test "probe: the fence a wrapped service gets is the one probe reports" {
	probe_json
	[ "$(json_get 'j["features"]["seccomp"]["available"]')" = True ] ||
		skip "this kernel has no seccomp filters"
	assert_equal "$(json_get 'j["features"]["fence"]["available"]')" True
	run "$CAPWRAP" probe
	assert_line "io_uring fence (Linux 3.5): yes: io_uring_setup, io_uring_enter and io_uring_register fail with ENOSYS in wrapped services and all they start, unless their policy says \`allow io_uring\`"
}

@test "probe as nobody: the same answers as root's (filters installed with no_new_privs)" {
	probe_json
	cp "$T/probe.json" "$T/root.json"
	chmod 755 "$T"
	run as_nobody "$CAPWRAP" probe --json
	assert_success
	printf '%s\n' "$output" > "$T/probe.json"
	python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))["features"]
b = json.load(open(sys.argv[2]))["features"]
for k in ("seccomp", "seccomp-notif", "fence", "pidfs", "peerpidfd", "pidfd-info", "landlock"):
    assert a[k] == b[k], (k, a[k], b[k])' "$T/root.json" "$T/probe.json"
}

@test "probe: a malformed test hook is refused, exit 64, and nothing is printed on stdout" {
	for hook in bogus pidfs,bogus pidfs, ,pidfs; do
		CAPWRAP_PROBE_DISABLE=$hook run --separate-stderr "$CAPWRAP" probe
		assert_equal "$status" 64
		assert_equal "$output" ""
	done
	CAPWRAP_PROBE_DISABLE=pidfs,bogus run --separate-stderr "$CAPWRAP" probe --json
	assert_equal "$status" 64
	assert_equal "$stderr" "capwrap probe: CAPWRAP_PROBE_DISABLE: unknown feature 'bogus' (known: pidfs, peerpidfd, pidfd-info, landlock, seccomp, seccomp-notif, io_uring)"
	CAPWRAP_PROBE_DISABLE=pidfs, run --separate-stderr "$CAPWRAP" probe
	assert_equal "$stderr" "capwrap probe: CAPWRAP_PROBE_DISABLE: unknown feature '' (known: pidfs, peerpidfd, pidfd-info, landlock, seccomp, seccomp-notif, io_uring)"
}

@test "probe: --help, an unknown option, an operand" {
	run "$CAPWRAP" probe --help
	assert_success
	assert_output "usage: capwrap probe [--json]"
	run "$CAPWRAP" probe --frobnicate
	assert_equal "$status" 64
	assert_output "capwrap probe: unknown option --frobnicate
usage: capwrap probe [--json]"
	run "$CAPWRAP" probe extra
	assert_equal "$status" 64
	assert_output "capwrap probe: unexpected argument 'extra'
usage: capwrap probe [--json]"
	run "$CAPWRAP" --help
	assert_line "       capwrap probe [--json]"
}

@test "run: the summary line first on stderr, from the same detection; CAPWRAP_KERNEL_QUIET leaves it out" {
	probe_json
	local expect
	expect=$(python3 -c 'import json, sys
j = json.load(open(sys.argv[1])); f = j["features"]
yn = lambda k: "yes" if f[k]["available"] else "no"
ll = "landlock ABI %d" % f["landlock"]["abi"] if f["landlock"]["abi"] else "landlock no"
sf = "yes" if f["landlock"]["used"] else "no"
print("capwrap: kernel %s: pidfs %s, SO_PEERPIDFD %s, PIDFD_GET_INFO %s, io_uring fence %s, %s, socket fence %s"
      % (j["kernel"], yn("pidfs"), yn("peerpidfd"), yn("pidfd-info"), yn("fence"), ll, sf))' "$T/probe.json")
	write_policy <<EOF
service one {
	exec true
}
EOF
	run --separate-stderr env -u CAPWRAP_KERNEL_QUIET "$CAPWRAP" run "$T/policy"
	assert_success
	assert_equal "${stderr_lines[0]}" "$expect"
	CAPWRAP_PROBE_DISABLE=pidfs,landlock run --separate-stderr env -u CAPWRAP_KERNEL_QUIET "$CAPWRAP" run "$T/policy"
	assert_equal "${stderr_lines[0]}" "$(sed -e 's/pidfs yes/pidfs no/' -e 's/landlock ABI [0-9]*, socket fence yes/landlock no, socket fence no/' <<< "$expect")"
	run --separate-stderr env CAPWRAP_KERNEL_QUIET=1 "$CAPWRAP" run "$T/policy"
	assert_success
	assert_equal "$stderr" "capwrap: one exited with status 0"
}

@test "run: a malformed test hook refuses to start anything, exit 64, no audit trail made" {
	write_policy <<EOF
service one {
	exec fx-server $U.db
	provides @$U.db
}
audit $T/audit.jsonl
EOF
	CAPWRAP_PROBE_DISABLE=nope run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 64
	assert_output "capwrap run: CAPWRAP_PROBE_DISABLE: unknown feature 'nope' (known: pidfs, peerpidfd, pidfd-info, landlock, seccomp, seccomp-notif, io_uring)"
	[ ! -e "$T/audit.jsonl" ]
	run name_is_bound "$U.db"
	assert_failure
}
