#!/usr/bin/env bats
# Descendants: whatever a wrapped service starts is gated, or fails to
# start.  A program the shim cannot enter (statically linked, set-user-ID
# to another user, a Go program), started directly, through a wrapper
# (env, sh -c), by system() or popen() after the service dropped
# LD_PRELOAD, by posix_spawnp through PATH or by a raw syscall(), is
# refused with EACCES: one line on stderr names it and why, the audit
# records it under the gate "exec", and the name it would have bound as
# written is never bound, so an outsider dialing that name finds nothing.
# Each image here is a server of @$U.db that binds the name as given.

load attack

# Where the kernel has seccomp user notification, static and Go images run
# supervised instead (tests/supervised/supervised.bats): the refusals here
# are those of a kernel without it, which the hook stands in for.
export CAPWRAP_PROBE_DISABLE=seccomp-notif

# bats sources this file for setup_file and again for each test: keep one
# copy of each PATH entry, so a shell's PATH search meets each file once.
PATH=$(printf %s "$PATH" | awk -v RS=: -v ORS=: '!seen[$0]++')
PATH=${PATH%:}

STATIC_REASON="statically linked: the shim cannot enter it"
GO_REASON="a Go program: it makes its own system calls, past the shim"

# The Go server, go-static and go-cgo (helpers.bash, go_build).
setup_file() {
	go_build attacks/go-listen.go go
}

# policy_svc COMMAND: service svc runs COMMAND and may provide @$U.db.
policy_svc() {
	write_policy <<EOF
service svc {
	exec $1
	provides @$U.db
}
audit $T/audit.jsonl
EOF
}

# Until the image listens (the hole) or the topology has exited.
wait_listening_or_exit() {
	local i
	for ((i = 0; i < 2400; i++)); do
		grep -qE '^svc +\| listening pid=' "$T/out" 2>/dev/null && return 0
		kill -0 "$CAPWRAP_PID" 2>/dev/null || return 0
		sleep 0.05
	done
}

# No one answers at @$U.db: an outsider's dial is refused by the kernel,
# and the name was never bound.
name_unreachable() {
	run fx-client "$U.db" intruder
	assert_failure
	assert_output --partial ECONNREFUSED
	wait_topology
	run name_is_bound "$U.db"
	assert_failure
}

# refused_descent COMMAND IMAGE REASON: svc runs COMMAND, which starts
# IMAGE; the start is refused, said once, audited, and nothing answers.
refused_descent() {
	policy_svc "$1"
	start_topology --exit-with svc
	wait_listening_or_exit
	name_unreachable
	assert_equal "$(cat "$T/out" "$T/err" | grep -cF "refused to exec")" 1
	run grep -hF "refused to exec" "$T/out" "$T/err"
	assert_output --partial "refused to exec $2: $3"
	run audit_lines
	assert_line --regexp "\"gate\":\"exec\",\"service\":\"svc\",\"name\":\"$2\",\"pid\":[0-9]+,\"facts_at\":\"[^\"]+\",\"reason\":\"$3\""
	assert_equal "$(audit_lines | wc -l)" 1
}

@test "descend: a direct exec of a static program fails with EACCES" {
	refused_descent "ax-descend exec $ATTACKERS/ax-static-server -n 1 $U.db" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	assert_equal "$TOPOLOGY_STATUS" 3
	run service_lines svc
	assert_line "exec: EACCES"
}

@test "descend: a raw syscall(SYS_execve) of a static program fails with EACCES" {
	refused_descent "ax-descend syscall $ATTACKERS/ax-static-server -n 1 $U.db" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	run service_lines svc
	assert_line "syscall: EACCES"
}

@test "descend: env STATIC is refused: env cannot run it (126)" {
	refused_descent "env ax-static-server -n 1 $U.db" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	assert_equal "$TOPOLOGY_STATUS" 126
}

@test "descend: sh -c STATIC is refused: the shell cannot run it (126)" {
	refused_descent "sh -c \"ax-static-server -n 1 $U.db\"" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	assert_equal "$TOPOLOGY_STATUS" 126
}

@test "descend: system() after unsetenv(LD_PRELOAD) cannot start a static helper" {
	refused_descent "ax-descend system \"ax-static-server -n 1 $U.db\"" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	run service_lines svc
	assert_line "system: exit 126"
}

@test "descend: popen() after unsetenv(LD_PRELOAD) cannot start a static helper" {
	refused_descent "ax-descend popen \"ax-static-server -n 1 $U.db\"" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	run service_lines svc
	assert_line "pclose: exit 126"
}

@test "descend: posix_spawnp checks the file its PATH search finds" {
	refused_descent "ax-descend spawnp ax-static-server -n 1 $U.db" \
		"$ATTACKERS/ax-static-server" "$STATIC_REASON"
	run service_lines svc
	assert_line "spawnp: EACCES"
}

@test "descend: execvp through PATH of a set-user-ID program of another owner fails with EACCES" {
	mkdir "$T/bin"
	cp "$FIXTURES/fx-server" "$T/bin/fx-suid-server"
	chown nobody "$T/bin/fx-suid-server"
	chmod u+s "$T/bin/fx-suid-server"
	refused_descent "env PATH=$T/bin:/usr/bin:/bin $ATTACKERS/ax-descend execvp fx-suid-server -n 1 $U.db" \
		"$T/bin/fx-suid-server" \
		"set-user-ID to another user: secure execution would drop the shim"
	run service_lines svc
	assert_line "execvp: EACCES"
}

# Root gains nothing from file capabilities, so the kernel keeps the
# loader out of secure mode for it; a service running as nobody does not.
@test "descend: a service running as nobody cannot exec a program with file capabilities" {
	command -v setcap > /dev/null || skip "setcap(8) is missing (libcap2-bin)"
	command -v setpriv > /dev/null || skip "setpriv(1) is missing"
	chmod 755 "$T"
	cp "$FIXTURES/fx-server" "$T/fx-cap-server"
	setcap cap_net_raw+ep "$T/fx-cap-server" ||
		skip "setcap failed (no xattrs on this file system?)"
	refused_descent "setpriv --reuid=nobody --regid=nogroup --clear-groups $ATTACKERS/ax-descend exec $T/fx-cap-server -n 1 $U.db" \
		"$T/fx-cap-server" \
		"marked with file capabilities: secure execution would drop the shim"
	run service_lines svc
	assert_line "exec: EACCES"
}

@test "descend: a Go program built without cgo fails with EACCES" {
	need_go go
	refused_descent "ax-descend exec $GO_DIR/go-static $U.db" \
		"$GO_DIR/go-static" "$GO_REASON"
	run service_lines svc
	assert_line "exec: EACCES"
}

@test "descend: a dynamically linked (cgo) Go program fails with EACCES" {
	need_go go
	refused_descent "ax-descend exec $GO_DIR/go-cgo $U.db" \
		"$GO_DIR/go-cgo" "$GO_REASON"
	run service_lines svc
	assert_line "exec: EACCES"
}

# A Go service itself runs supervised through seccomp (tests/supervised),
# on a kernel with user notification; without it, it is refused.
@test "descend: capwrap check and run refuse a Go service, with cgo or without, where it cannot run supervised" {
	need_go go
	for prog in go-cgo go-static; do
		policy_svc "$GO_DIR/$prog $U.db"
		CAPWRAP_PROBE_DISABLE= run "$CAPWRAP" check "$T/policy"
		assert_success
		assert_output --partial "$GO_DIR/$prog is $GO_REASON; it runs supervised through seccomp"
		run "$CAPWRAP" check "$T/policy"
		assert_equal "$status" 77
		assert_output --partial "$GO_DIR/$prog is $GO_REASON"
		run timeout 60 "$CAPWRAP" run "$T/policy"
		assert_equal "$status" 77
	done
}

@test "descend: capwrap check warns of a wrapper starting a program the shim will refuse" {
	for command in "env FOO=1 nice -n 5 ax-static-server $U.db" \
	    "sh -c \"exec ax-static-server $U.db\""; do
		policy_svc "$command"
		run "$CAPWRAP" check "$T/policy"
		assert_success
		assert_output --partial "service svc: warning:"
		assert_output --partial "starts a program the shim will refuse: $ATTACKERS/ax-static-server is $STATIC_REASON"
	done
}

@test "descend: wordexp() refuses command substitution once LD_PRELOAD is gone" {
	policy_svc "ax-descend wordexp \"x \$(ax-static-server -n 1 $U.db)\""
	start_topology --exit-with svc
	wait_listening_or_exit
	name_unreachable
	run service_lines svc
	# WRDE_CMDSUB, as with WRDE_NOCMD.
	assert_line "wordexp: error 4"
}

# A dynamic helper is started gated: the fixed name of db is never bound,
# so only a helper with the shim and the channel reaches it.
policy_web() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec $1
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	[ ! -s "$T/audit.jsonl" ]
}

@test "descend: system() after unsetenv(LD_PRELOAD) runs a dynamic helper gated, and returns its status" {
	policy_web "ax-descend system \"fx-client $U.db viasystem; exit 5\""
	run service_lines web
	assert_line "reply echo viasystem"
	assert_line "system: exit 5"
}

@test "descend: popen() after unsetenv(LD_PRELOAD) runs a dynamic helper gated; pclose returns its status" {
	policy_web "ax-descend popen \"fx-client $U.db viapopen; exit 4\""
	run service_lines web
	assert_line "popen: reply echo viapopen"
	assert_line "pclose: exit 4"
}

@test "descend: popen(\"we\") feeds a gated helper; pclose returns its status" {
	policy_web "ax-descend popen-w \"read line; fx-client $U.db \$line > $T/written; exit 6\" viapipe"
	run service_lines web
	assert_line "pclose: exit 6"
	run cat "$T/written"
	assert_line "reply echo viapipe"
}
