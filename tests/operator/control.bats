#!/usr/bin/env bats
# The control socket of a running launcher: capwrap status, kill and
# restart, the socket's directory and name, who is answered, and clients
# that try to freeze the launcher.

load operator

setup() {
	setup_control
}

# A policy whose two services stay up until told to stop.
write_long_policy() {
	write_policy <<EOF2
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "fx-client $U.db hello && exec sleep 600"
	dials db
}
EOF2
}

# start_named [options]: that policy under --name $U, up and serving.
start_named() {
	write_long_policy
	start_topology --name "$U" "$@"
	wait_for "$T/out" 'web +\| reply echo hello'
	SOCK="$T/xdg/capwrap/$U.sock"
}

status_json() {
	"$CAPWRAP" status --name "$U" --json
}

@test "status: every service's state, pids, registrations and grants" {
	start_named
	db=$(listener_pid db)
	run "$CAPWRAP" status --name "$U"
	assert_success
	assert_line --index 0 --regexp "^db: starting|running, pids $db, up [0-9]+s, restarts 0, last exit -, grants 0$"
	assert_line --index 1 --regexp "^  name @$U.db at @[0-9a-f]{5} \\(pid $db\\)$"
	assert_line --index 2 --regexp "^web: running, pids [0-9]+, up [0-9]+s, restarts 0, last exit -, grants 1$"
}

@test "status --json: the documented object" {
	start_named
	db=$(listener_pid db)
	run status_json
	assert_success
	assert_output --regexp "^\\{\"version\":1,\"name\":\"$U\",\"pid\":$CAPWRAP_PID,\"services\":\\[\\{\"name\":\"db\",\"state\":\"running\",\"pids\":\\[$db\\],\"uptime_s\":[0-9]+,\"restarts\":0,\"last_exit\":null,\"registrations\":\\[\\{\"name\":\"@$U.db\",\"address\":\"@[0-9a-f]{5}\",\"pid\":$db\\}\\],\"grants\":0,\"refusals\":\\[\\],\"other_refusals\":0\\},\\{\"name\":\"web\",\"state\":\"running\",.*\"grants\":1,.*\\}\\]\\}$"
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$output"
}

@test "status: refusals counted by gate and reason, as audited" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "fx-client $U.db one; fx-client $U.db two; sleep 600"
}
audit audit.jsonl
EOF
	start_topology --name "$U"
	wait_for "$T/out" 'web +\| connect: EACCES'
	run "$CAPWRAP" status --name "$U"
	assert_line --regexp "^  refused [12] at connect: service web does not dial service db$"
}

@test "no launcher at NAME: exit 66" {
	run "$CAPWRAP" status --name nobody-here
	assert_equal "$status" 66
	assert_output "capwrap status: no launcher answers as nobody-here ($T/xdg/capwrap: No such file or directory)"
	run "$CAPWRAP" reload "$T/missing.policy"
	assert_equal "$status" 66
	assert_output "capwrap reload: $T/missing.policy: No such file or directory"
}

@test "bad command lines: exit 64" {
	run "$CAPWRAP" status
	assert_equal "$status" 64
	assert_line --index 0 'capwrap status: missing POLICY (or --name)'
	run "$CAPWRAP" kill --name x db
	assert_equal "$status" 64
	assert_line --index 0 'capwrap kill: missing operands (POLICY SERVICE SIGNAL)'
	run "$CAPWRAP" kill --name x db NOSUCH
	assert_equal "$status" 64
	assert_line --index 0 'capwrap kill: NOSUCH: not a signal'
	run "$CAPWRAP" restart --name x a b
	assert_equal "$status" 64
	assert_line --index 0 'capwrap restart: too many operands'
	run "$CAPWRAP" status --name ../evil
	assert_equal "$status" 64
	assert_line --index 0 --partial "capwrap status: --name ../evil: letters, digits"
	write_idle_policy
	run "$CAPWRAP" run --name .hidden "$T/policy"
	assert_equal "$status" 64
	assert_line --index 0 --partial "capwrap run: --name .hidden: letters, digits"
}

@test "kill: the signal reaches the service's processes; an unknown service is exit 67" {
	start_named
	run "$CAPWRAP" kill --name "$U" nosuch TERM
	assert_equal "$status" 67
	assert_output "capwrap kill: no service nosuch in $T/policy"
	run "$CAPWRAP" kill --name "$U" db SIGTERM
	assert_success
	wait_for "$T/err" '^capwrap: db killed by signal 15'
	run "$CAPWRAP" status --name "$U"
	assert_line --index 0 "db: failed, pids -, up 0s, restarts 0, last exit signal 15, grants 0"
	run "$CAPWRAP" kill --name "$U" db 9
	assert_equal "$status" 1
	assert_output "capwrap kill: db is not running"
}

@test "restart: one service stopped and started again, the others untouched" {
	start_named
	db=$(listener_pid db)
	web=$("$CAPWRAP" status --name "$U" | sed -nE 's/^web: .*pids ([0-9]+),.*/\1/p')
	run "$CAPWRAP" restart --name "$U" db
	assert_success
	assert_output "capwrap: db: restarting"
	wait_for "$T/err" '^capwrap: db killed by signal 15'
	until [ "$(grep -c 'listening pid=' "$T/out")" -eq 2 ]; do sleep 0.05; done
	new=$(listener_pid db)
	assert_not_equal "$new" "$db"
	run "$CAPWRAP" status --name "$U"
	assert_line --index 0 --regexp "^db: (starting|running), pids $new, up [0-9]+s, restarts 1, last exit signal 15, grants 0$"
	assert_line --regexp "^web: running, pids $web, "
	run "$CAPWRAP" restart --name "$U" nosuch
	assert_equal "$status" 67
	assert_output "capwrap restart: no service nosuch in $T/policy"
}

@test "the socket: 0600 in a 0700 directory, removed at exit; the default NAME differs by directory" {
	mkdir "$T/a" "$T/b"
	write_idle_policy
	cp "$T/policy" "$T/a/x.policy"
	cp "$T/policy" "$T/b/x.policy"
	"$CAPWRAP" run "$T/a/x.policy" > "$T/out" 2> "$T/err" &
	CAPWRAP_PID=$!
	wait_for "$T/out" 'web +\| reply echo hello'
	run stat -c '%a %U %F' "$T/xdg/capwrap"
	assert_output '700 root directory'
	sock=$(ls "$T/xdg/capwrap"/*.sock)
	[[ $sock =~ /x-[0-9a-f]{8}\.sock$ ]]
	run stat -c '%a %F' "$sock"
	assert_output '600 socket'
	# The other x.policy has a name of its own: no launcher there.
	run "$CAPWRAP" status "$T/b/x.policy"
	assert_equal "$status" 66
	run "$CAPWRAP" status "$T/a/x.policy"
	assert_success
	# A relative path names the same file, so the same launcher.
	cd "$T/a"
	run "$CAPWRAP" status x.policy
	assert_success
	assert_line --index 0 --regexp '^db: (starting|running), pids [0-9]+, '
	cd /
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	assert [ ! -e "$sock" ]
}

@test "a second launcher of the same NAME is refused and leaves the live socket alone; a stale one is replaced" {
	start_named
	run "$CAPWRAP" run --name "$U" "$T/policy"
	assert_equal "$status" 75
	assert_line "capwrap run: a launcher named $U is running already ($SOCK); give this one another --name"
	run "$CAPWRAP" status --name "$U"
	assert_success
	# A launcher killed outright leaves its socket: the next one takes over.
	kill -KILL "$CAPWRAP_PID"
	wait "$CAPWRAP_PID" || true
	CAPWRAP_PID=
	assert [ -S "$SOCK" ]
	run "$CAPWRAP" status --name "$U"
	assert_equal "$status" 66
	start_topology --name "$U"
	wait_for "$T/out" 'web +\| reply echo hello'
	run "$CAPWRAP" status --name "$U"
	assert_success
}

@test "a hostile directory is refused: a symbolic link, open to others, another's" {
	write_idle_policy
	mkdir -m 0700 "$T/elsewhere"
	ln -s "$T/elsewhere" "$T/xdg/capwrap"
	run "$CAPWRAP" run --name "$U" "$T/policy"
	assert_equal "$status" 71
	assert_output "capwrap run: control socket: $T/xdg/capwrap is a symbolic link"
	rm "$T/xdg/capwrap"
	mkdir -m 0755 "$T/xdg/capwrap"
	run "$CAPWRAP" run --name "$U" "$T/policy"
	assert_equal "$status" 71
	assert_output "capwrap run: control socket: $T/xdg/capwrap is open to others (mode 0755; it must be 0700)"
	chmod 0700 "$T/xdg/capwrap"
	chown nobody "$T/xdg/capwrap"
	run "$CAPWRAP" run --name "$U" "$T/policy"
	assert_equal "$status" 71
	assert_output "capwrap run: control socket: $T/xdg/capwrap belongs to uid $(id -u nobody), not to us"
	# A client does not trust a directory others may write to.
	chown root "$T/xdg/capwrap"
	chmod 0777 "$T/xdg/capwrap"
	run "$CAPWRAP" status --name "$U"
	assert_equal "$status" 77
	assert_output "capwrap status: $T/xdg/capwrap is open to others (mode 0777; it must be 0700)"
}

@test "without XDG_RUNTIME_DIR a user other than root has no directory: commands fail, run goes on without a socket" {
	run env -u XDG_RUNTIME_DIR setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$CAPWRAP" status --name x
	assert_equal "$status" 66
	assert_output "capwrap status: XDG_RUNTIME_DIR is not set (or not absolute) and we are not root: no directory for the control socket"
	# run goes on without one, and says so.
	printf 'service once {\n\texec true\n}\n' > "$T/once.policy"
	chmod 0755 "$T"
	chmod 0644 "$T/once.policy"
	run env -u XDG_RUNTIME_DIR setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$CAPWRAP" run "$T/once.policy"
	assert_success
	assert_line "capwrap run: no control socket: XDG_RUNTIME_DIR is not set (or not absolute) and we are not root: no directory for the control socket; status, kill, restart and reload are unavailable (SIGHUP still reloads)"
}

@test "another user is refused by the launcher, and the refusal is on its stderr" {
	start_named
	# Only the modes keep others out; opened, the launcher still refuses.
	chmod 0711 "$T" "$T/xdg" "$T/xdg/capwrap"
	chmod 0666 "$SOCK"
	run as_nobody "$CAPWRAP" status --name "$U"
	assert_equal "$status" 77
	assert_output "capwrap status: the launcher $U gave no answer"
	wait_for "$T/err" "^capwrap: control: refused pid [0-9]+ of uid $(id -u nobody): only uid 0 and root are answered$"
}

@test "a client that sends nothing is closed at its deadline and never blocks others" {
	start_named
	# It connects, reads, and sends nothing.
	socat -u "UNIX-CONNECT:$SOCK" - > "$T/silent" &
	silent=$!
	BACKGROUND_PIDS="$silent"
	run "$CAPWRAP" status --name "$U"
	assert_success
	wait_for "$T/err" '^capwrap: control: pid [0-9]+: no request or no reading within 3000 ms; closed$'
	# Closed by the launcher: the client sees its end of file.
	wait "$silent"
	run cat "$T/silent"
	assert_output ''
}

@test "a request too long is refused, the launcher goes on" {
	start_named
	run sh -c "head -c 100000 /dev/zero | tr '\\0' a | socat -t 60 - UNIX-CONNECT:$SOCK"
	wait_for "$T/err" '^capwrap: control: pid [0-9]+: request longer than 512 bytes; refused$'
	run "$CAPWRAP" status --name "$U"
	assert_success
	printf 'bogus words here\n' | socat -t 60 - "UNIX-CONNECT:$SOCK" > "$T/answer"
	run cat "$T/answer"
	assert_line --index 0 '64'
	assert_line --index 1 'capwrap: the launcher does not know that request'
}

@test "more clients than the launcher serves at once: told it is busy, served once they go" {
	start_named
	# Eight connect and say nothing; the ninth, made right after them,
	# is turned away, and its answer is printed.
	python3 - "$SOCK" > "$T/busy" <<'PY'
import socket, sys
held = []
for _ in range(8):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append(s)
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
# As capwrap's client does: the answer is read even when the launcher
# turned the client away before its request arrived (EPIPE).
try:
    s.sendall(b"status\n")
except BrokenPipeError:
    pass
answer = b""
while chunk := s.recv(4096):
    answer += chunk
sys.stdout.write(answer.decode())
PY
	run cat "$T/busy"
	assert_line --index 0 '75'
	assert_line --index 1 'capwrap: the launcher is busy with other clients'
	# Gone, they leave their places to others.
	run "$CAPWRAP" status --name "$U"
	assert_success
}

@test "a client that never reads its answer does not hold the launcher" {
	start_named
	mkfifo "$T/hold"
	# It asks, and then neither reads nor closes.
	(printf 'status\n'; cat "$T/hold") | socat -u - "UNIX-CONNECT:$SOCK" &
	BACKGROUND_PIDS=$!
	exec 7> "$T/hold"
	run "$CAPWRAP" status --name "$U"
	assert_success
	run "$CAPWRAP" restart --name "$U" web
	assert_success
	exec 7>&-
}
