#!/usr/bin/env bats
# dbus-daemon, unmodified, with a private bus on unix:abstract=NAME
# (examples/compat-dbus.policy, examples/compat/dbus-bus.conf), and gdbus
# and dbus-send as its clients.  The bus accepts EXTERNAL authentication
# only, so every answer below is also EXTERNAL working through capwrap.

load ../helpers
load compat

# The clients' command lines, the same ones the example policy runs, to
# the abstract address given.
gdbus_list_names() {
	gdbus call --address "unix:abstract=$1" --dest org.freedesktop.DBus \
	    --object-path /org/freedesktop/DBus \
	    --method org.freedesktop.DBus.ListNames
}

dbus_send_get_id() {
	dbus-send "--bus=unix:abstract=$1" --print-reply \
	    --dest=org.freedesktop.DBus /org/freedesktop/DBus \
	    org.freedesktop.DBus.GetId
}

@test "dbus: wrapped gdbus calls ListNames on the wrapped dbus-daemon" {
	need_programs dbus-daemon gdbus
	compat_policy compat-dbus.policy
	drop_service client-send
	start_topology
	# gdbus connects non-blocking and is restarted until the bus listens
	# (see the policy): wait for its answer, not for its first exit.
	wait_for "$T/out" '^client +\| \('
	run cat "$T/out"
	# The daemon itself and the caller's unique name.
	assert_line --regexp "^client +\\| \\(\\['org\\.freedesktop\\.DBus', ':1\\.[0-9]+'\\],\\)\$"
	# dbus-daemon prints the address it was configured with.
	assert_line --regexp "^bus +\\| unix:abstract=$U\\.dbus,guid=[0-9a-f]{32}\$"
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "dbus: wrapped dbus-send calls GetId on the wrapped dbus-daemon" {
	need_programs dbus-daemon dbus-send
	compat_policy compat-dbus.policy
	drop_service client
	start_topology --exit-with client-send
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client-send +\| method return .* sender=org\.freedesktop\.DBus -> destination=:1\.[0-9]+ .*reply_serial=[0-9]+$'
	assert_line --regexp '^client-send +\|    string "[0-9a-f]{32}"$'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "dbus: the same clients unwrapped find no bus at the fixed name" {
	need_programs dbus-daemon gdbus dbus-send
	compat_policy compat-dbus.policy
	drop_service client
	drop_service client-send
	start_topology
	wait_minted 'dbus-daemon'
	run gdbus_list_names "$U.dbus"
	assert_failure
	assert_output --partial 'Connection refused'
	run dbus_send_get_id "$U.dbus"
	assert_failure
	assert_output --partial "Failed to connect to socket $U.dbus: Connection refused"
	run name_is_bound "$U.dbus"
	assert_failure
}

@test "dbus: unwrapped clients dialing the autobind address are closed at the accept gate" {
	need_programs dbus-daemon gdbus dbus-send
	compat_policy compat-dbus.policy
	drop_service client
	drop_service client-send
	start_topology
	wait_minted 'dbus-daemon'
	assert_equal "$(socket_type "$MINTED")" 1
	# Closed before authentication: no reply, only a broken connection.
	run dbus_send_get_id "$MINTED"
	assert_failure
	refute_output --partial 'method return'
	assert_accept_denied bus "$U.dbus" dbus-send
	# The daemon goes on accepting; gdbus is refused the same way.
	run gdbus_list_names "$MINTED"
	assert_failure
	refute_output --partial 'org.freedesktop.DBus'
	wait_denials 2
	run grep -F "\"peer_exe\":\"$(readlink -f "$(command -v gdbus)")\"" \
	    "$T/audit.jsonl"
	assert_success
	assert_output --partial '"gate":"accept"'
}
