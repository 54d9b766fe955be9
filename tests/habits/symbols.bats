#!/usr/bin/env bats
# Symbol resolution: a library constructor that binds and dials while
# the program starts is gated like any other call; a program that
# interposes connect() ahead of the shim is refused.

load habits

@test "early constructor: bind and dials before main() are gated correctly" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service early {
	exec env HX_EARLY_BIND=$U.early HX_EARLY_DENIED=$U.nope HX_EARLY_DIAL=$U.db hx-early
	provides @$U.early
	dials db
}
service web {
	exec $(after go "fx-client $U.early hello")
	dials early
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with early
	wait_for "$T/out" '^early +\| listening pid='
	pid=$(listener_pid early)
	run listening_addresses "$pid"
	assert_output --regexp '^[0-9a-f]{5}$'
	run name_is_bound "$U.early"
	assert_failure
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines early
	assert_line "early bind: OK"
	assert_line "early denied: EACCES"
	assert_line "early reply echo early"
	assert_line "main reached"
	assert_line "main served hello"
	run grep -c . "$T/audit.jsonl"
	assert_output 1
	run cat "$T/audit.jsonl"
	assert_output --partial "\"name\":\"@$U.nope\""
}

@test "early constructor: a datagram sent before the shim's constructor never reaches a squatter on the fixed name" {
	# The squatter holds the fixed name and reports whatever reaches it.
	python3 -c "
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0$U.sq')
s.settimeout(30)
print('squatting', flush=True)
try:
    print('squatter got', s.recv(100).decode().strip(), flush=True)
except OSError:
    print('squatter got nothing', flush=True)
" > "$T/squatter" &
	squatter=$!
	wait_for "$T/squatter" '^squatting$'
	write_policy <<EOF
service early {
	exec env HX_EARLY_SEND=$U.sq hx-early
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with early
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines early
	assert_line "early send: EACCES"
	assert_line "main reached"
	run cat "$T/audit.jsonl"
	assert_output --partial "\"name\":\"@$U.sq\""
	kill "$squatter"
	wait "$squatter" || true
	run cat "$T/squatter"
	refute_line --partial "squatter got early"
}

# early_exec_policy: a library's constructor execs hx-static before the
# shim's constructor ran.
early_exec_policy() {
	write_policy <<EOF
service early {
	exec env HX_EARLY_EXEC=$HABITS/hx-static hx-early
}
audit $T/audit.jsonl
EOF
}

@test "an exec from a library's constructor, before the shim's own ran, is checked: a static program is refused where it cannot run supervised" {
	early_exec_policy
	CAPWRAP_PROBE_DISABLE=seccomp-notif start_topology --exit-with early
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines early
	assert_line "early exec: EACCES"
	assert_line "main reached"
	run cat "$T/audit.jsonl"
	assert_output --partial '"gate":"exec"'
	assert_output --partial "statically linked"
}

@test "an exec from a library's constructor, before the shim's own ran, is checked: a static program runs supervised, without the channel" {
	early_exec_policy
	start_topology --exit-with early
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines early
	assert_line "LD_PRELOAD unset"
	assert_line "CAPWRAP_CHANNEL unset"
	refute_line "main reached"
	run cat "$T/audit.jsonl"
	refute_output --partial '"gate":"exec"'
}

@test "a preload of the program's own is kept behind the shim, and its constructor is gated" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec env LD_PRELOAD=$HABITS/libearly.so HX_EARLY_DENIED=$U.nope HX_EARLY_DIAL=$U.db hx-exec dial $U.db
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "early denied: EACCES"
	assert_line "early reply echo early"
	assert_line "reply echo exec"
	run cat "$T/audit.jsonl"
	assert_output --partial "\"name\":\"@$U.nope\""
}

@test "early constructor without capwrap: the shim fails closed, and says so once" {
	run env LD_PRELOAD="$CAPWRAP_SHIM_SO" HX_EARLY_BIND="$U.early" \
		HX_EARLY_DIAL="$U.db" hx-early
	assert_success
	assert_line "early bind: EACCES"
	assert_line "early dial: EACCES"
	assert_line "main reached"
	assert_equal "$(grep -c 'no capwrap lineage channel' <<< "$output")" 1
	# The refused early bind holds nothing: looked at while a process
	# that went through the same constructor still runs (sleep, with
	# libearly.so preloaded behind the shim; it keeps whatever it got).
	env LD_PRELOAD="$CAPWRAP_SHIM_SO $HABITS/libearly.so" \
		HX_EARLY_BIND="$U.early" sleep 60 > "$T/sleeper" 2>&1 3>&- &
	sleeper=$!
	echo "pid=$sleeper" > "$T/sleeper.pid"
	DAEMON_LOGS="$T/sleeper.pid"
	wait_for "$T/sleeper" '^early bind: '
	run cat "$T/sleeper"
	assert_line "early bind: EACCES"
	run name_is_bound "$U.early"
	assert_failure
	kill -0 "$sleeper"
	kill "$sleeper"
	wait "$sleeper" || true
}

# interposer_run COMMAND: run a topology whose service web execs COMMAND
# (it dials db); the launcher's status and output in $status and $output.
# With --exit-with web, so that a web that is not refused ends the run.
interposer_run() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec $1
	dials db
}
EOF
	run timeout 60 "$CAPWRAP" run --exit-with web "$T/policy"
}

# assert_interposed CALL BY: the run was refused as the docs say (exit
# 77, the launcher's line, db stopped too, nothing served), and the shim
# named CALL, and nothing else, as interposed by the object BY.
assert_interposed() {
	assert_equal "$status" 77
	assert_line --regexp "^capwrap: web: pid [0-9]+: socket calls are interposed ahead of libcapshim\.so \(by the program or a library it loads\); refusing to run the service unprotected\$"
	assert_line --regexp "^web +\| capwrap-shim: .*: $1 is interposed ahead of libcapshim\.so \(by ([^)]*/)?$2\)\$"
	assert_equal "$(grep -c 'capwrap-shim: .* is interposed ahead of libcapshim.so' <<< "$output")" 1
	assert_line "capwrap: db killed by signal 15 (Terminated)"
	refute_output --partial "served interposed"
}

@test "interposer: a program exporting its own connect() is refused with exit 77" {
	interposer_run "hx-interpose $U.db"
	assert_interposed connect hx-interpose
}

# The other calls the shim must be first for (docs/SECURITY.md, "What
# capwrap does not do"), one program each, exporting that call alone.
@test "interposer: a program exporting its own bind() is refused with exit 77" {
	interposer_run "hx-interpose-bind $U.db"
	assert_interposed bind hx-interpose-bind
}

@test "interposer: a program exporting its own listen() is refused with exit 77" {
	interposer_run "hx-interpose-listen $U.db"
	assert_interposed listen hx-interpose-listen
}

@test "interposer: a program exporting its own accept() is refused with exit 77" {
	interposer_run "hx-interpose-accept $U.db"
	assert_interposed accept hx-interpose-accept
}

@test "interposer: a program exporting its own accept4() is refused with exit 77" {
	interposer_run "hx-interpose-accept4 $U.db"
	assert_interposed accept4 hx-interpose-accept4
}

@test "interposer: a program exporting its own sendto() is refused with exit 77" {
	interposer_run "hx-interpose-sendto $U.db"
	assert_interposed sendto hx-interpose-sendto
}

@test "interposer: a program exporting its own sendmsg() is refused with exit 77" {
	interposer_run "hx-interpose-sendmsg $U.db"
	assert_interposed sendmsg hx-interpose-sendmsg
}

@test "interposer: a program exporting its own sendmmsg() is refused with exit 77" {
	interposer_run "hx-interpose-sendmmsg $U.db"
	assert_interposed sendmmsg hx-interpose-sendmmsg
}

@test "interposer: a program exporting its own recvfrom() is refused with exit 77" {
	interposer_run "hx-interpose-recvfrom $U.db"
	assert_interposed recvfrom hx-interpose-recvfrom
}

@test "interposer: a program exporting its own recvmsg() is refused with exit 77" {
	interposer_run "hx-interpose-recvmsg $U.db"
	assert_interposed recvmsg hx-interpose-recvmsg
}

@test "interposer: a program exporting its own recv() is refused with exit 77" {
	interposer_run "hx-interpose-recv $U.db"
	assert_interposed recv hx-interpose-recv
}

@test "interposer: a program exporting its own read() is refused with exit 77" {
	interposer_run "hx-interpose-read $U.db"
	assert_interposed read hx-interpose-read
}

# A library comes ahead of the shim only where the service puts it there:
# the launcher and the exec hooks put the shim first in LD_PRELOAD, and a
# library the program links against comes after every preload.  A
# service that preloads its own library ahead of the LD_PRELOAD it was
# given (as a socks wrapper does) keeps that order, since the shim is in it.
@test "interposer: a library preloaded ahead of the shim that defines bind() is refused with exit 77" {
	interposer_run "sh -c \"LD_PRELOAD=$HABITS/libinterpose.so:\$LD_PRELOAD; export LD_PRELOAD; exec fx-client $U.db hello\""
	assert_interposed bind 'libinterpose\.so'
	assert_line --partial "bind is interposed ahead of libcapshim.so (by $HABITS/libinterpose.so)"
	refute_line --regexp '^web +\| (connected|reply)'
}

# preloaded_ahead CALL: web preloads libown-CALL.so ahead of the LD_PRELOAD
# it was given, then execs a client that dials db.
preloaded_ahead() {
	interposer_run "sh -c \"LD_PRELOAD=$HABITS/libown-$1.so:\$LD_PRELOAD; export LD_PRELOAD; exec fx-client $U.db hello\""
	assert_interposed "$1" "libown-$1\\.so"
	refute_line --regexp '^web +\| (connected|reply)'
}

@test "interposer: a library ahead of the shim that defines readv() is refused with exit 77" {
	preloaded_ahead readv
}

@test "interposer: a library ahead of the shim that defines recvmmsg() is refused with exit 77" {
	preloaded_ahead recvmmsg
}

@test "interposer: a library ahead of the shim that defines __recv_chk() is refused with exit 77" {
	preloaded_ahead __recv_chk
}

@test "interposer: a library ahead of the shim that defines __recvfrom_chk() is refused with exit 77" {
	preloaded_ahead __recvfrom_chk
}

@test "interposer: a library ahead of the shim that defines __read_chk() is refused with exit 77" {
	preloaded_ahead __read_chk
}

@test "interposer: a library ahead of the shim that defines syscall() is refused with exit 77" {
	preloaded_ahead syscall
}

@test "interposer: a library ahead of the shim that defines execve() is refused with exit 77" {
	preloaded_ahead execve
}

@test "interposer: a library ahead of the shim that defines execveat() is refused with exit 77" {
	preloaded_ahead execveat
}

@test "interposer: a library ahead of the shim that defines fexecve() is refused with exit 77" {
	preloaded_ahead fexecve
}

@test "interposer: a library ahead of the shim that defines execv() is refused with exit 77" {
	preloaded_ahead execv
}

@test "interposer: a library ahead of the shim that defines execvp() is refused with exit 77" {
	preloaded_ahead execvp
}

@test "interposer: a library ahead of the shim that defines execvpe() is refused with exit 77" {
	preloaded_ahead execvpe
}

@test "interposer: a library ahead of the shim that defines execl() is refused with exit 77" {
	preloaded_ahead execl
}

@test "interposer: a library ahead of the shim that defines execlp() is refused with exit 77" {
	preloaded_ahead execlp
}

@test "interposer: a library ahead of the shim that defines execle() is refused with exit 77" {
	preloaded_ahead execle
}

@test "interposer: a library ahead of the shim that defines posix_spawn() is refused with exit 77" {
	preloaded_ahead posix_spawn
}

@test "interposer: a library ahead of the shim that defines posix_spawnp() is refused with exit 77" {
	preloaded_ahead posix_spawnp
}

@test "a library the program links against that defines bind() is behind the shim: the program's bind is gated" {
	write_policy <<EOF
service web {
	exec hx-interpose-linked -b $U.nope
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "main reached"
	# libinterpose.so's own bind() would have said OK.
	assert_line "bind: EACCES"
	refute_output --partial "is interposed"
	run grep -c . "$T/audit.jsonl"
	assert_output 1
	run cat "$T/audit.jsonl"
	assert_output --regexp "\"gate\":\"bind\",\"service\":\"web\",\"name\":\"@$U\.nope\""
}
