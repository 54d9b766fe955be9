#!/usr/bin/env bats
# Daemons: double fork, setsid, and every descriptor closed; the daemon
# still binds its provided name and serves a wrapped client.  If the
# channel is lost anyway, the gates fail closed and say so once.
#
# The service's main process exits as soon as the daemon has detached:
# the launcher counts the service as running while the daemon, which
# still holds its lineage channel, lives (see "Daemons" in capwrap(1)).

load habits

# daemonise HOW: the daemon closes everything HOW says, then serves web.
daemonise() {
	write_policy <<EOF
service db {
	exec hx-daemon $1 $U.db $T/daemon.log
	provides @$U.db
}
service web {
	exec $(after go "fx-client $U.db hello")
	dials db
}
audit $T/audit.jsonl
EOF
	DAEMON_LOGS="$T/daemon.log"
	start_topology
	wait_for "$T/daemon.log" '^(listening pid=|bind: )'
	run cat "$T/daemon.log"
	assert_line --regexp '^listening pid=[0-9]+$'
	# The fixed name is never bound: the daemon holds a minted address.
	pid=$(sed -nE 's/^listening pid=([0-9]+)$/\1/p' "$T/daemon.log")
	run listening_addresses "$pid"
	assert_output --regexp '^[0-9a-f]{5}$'
	run name_is_bound "$U.db"
	assert_failure
	touch "$T/go"
	wait_for "$T/out" '^web +\| (reply|eof|connect:)'
	run service_lines web
	assert_line "reply echo hello"
	wait_for "$T/daemon.log" '^served '
	run cat "$T/daemon.log"
	assert_line "served hello"
	[ ! -s "$T/audit.jsonl" ]
}

@test "daemon: close() of every descriptor 0..1023" {
	daemonise loop
}

@test "daemon: close_range(3, ~0U, 0)" {
	daemonise close_range
}

@test "daemon: closefrom(3)" {
	daemonise closefrom
}

@test "daemon: dup2 onto the channel's number, then close it" {
	daemonise dup2
}

@test "daemon: all of them in turn" {
	daemonise all
}

@test "daemon: a channel closed by an inline syscall fails closed with EACCES, said once" {
	[ "$(uname -m)" = x86_64 ] || skip "the inline close is written for x86_64"
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec hx-daemon lose $U.web $U.db
	provides @$U.web
	dials db
}
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "raw close: 0"
	assert_equal "$(service_lines web | grep -cx 'bind: EACCES')" 2
	assert_equal "$(service_lines web | grep -cx 'dial: EACCES')" 2
	# One line on stderr however many calls were refused.
	assert_equal "$(grep -c 'no capwrap lineage channel' "$T/out" "$T/err" | awk -F: '{ n += $2 } END { print n }')" 1
	run name_is_bound "$U.web"
	assert_failure
}
