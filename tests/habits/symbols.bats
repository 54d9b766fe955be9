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

@test "interposer: a program exporting its own connect() is refused with exit 77" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec hx-interpose $U.db
	dials db
}
EOF
	run timeout 60 "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 77
	assert_output --partial "web"
	assert_output --partial "interposed ahead of libcapshim.so"
	refute_output --partial "served interposed"
}
