#!/usr/bin/env bats
# uWSGI, unmodified: a master and two preforked workers serving a WSGI
# application over HTTP on --http-socket @NAME, which uWSGI binds as
# "\0NAME\0" (one trailing NUL counted in the address length), with curl
# --abstract-unix-socket as the client (examples/compat-uwsgi.policy).

load ../helpers
load compat

# The client's command, unwrapped, to the abstract NAME.
curl_client() {
	curl -sS --abstract-unix-socket "$1" http://localhost/
}

compat_uwsgi() {
	need_programs uwsgi curl
	# uwsgi-plugin-python3's plugin: a library, not a program.
	if [ ! -e /usr/lib/uwsgi/plugins/python3_plugin.so ]; then
		skip "not installed: /usr/lib/uwsgi/plugins/python3_plugin.so"
	fi
	compat_policy compat-uwsgi.policy
	# The workers run as www-data and read the application in $T/compat.
	chmod 711 "$T"
	chmod -R o+rX "$T/compat"
}

@test "uwsgi: wrapped curl gets a preforked worker's answer; stop-signal INT stops the master and its workers within the grace" {
	compat_uwsgi
	# A grace longer than any run: if INT did not stop uWSGI, the
	# topology would not end and wait_topology would fail the test.
	start_topology --grace 3600 --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| hello from uwsgi worker [0-9]+$'
	worker=$(sed -nE 's/^client +\| hello from uwsgi worker ([0-9]+)$/\1/p' "$T/out")
	# uWSGI logs on its standard error, which is capwrap's: the worker
	# that answered is one the master forked, not the master.
	run cat "$T/err"
	assert_line --regexp "^server +\\| spawned uWSGI worker [12] \\(pid: $worker, cores: 1\\)$"
	refute_line --regexp "^server +\\| spawned uWSGI master process \\(pid: $worker\\)$"
	assert_line --regexp '^server +\| SIGINT/SIGTERM received\.\.\.killing workers\.\.\.$'
	assert_line --regexp '^server +\| goodbye to uWSGI\.$'
	assert_line 'capwrap: server exited with status 0'
	refute_output --partial 'killed by signal'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "uwsgi: the same curl unwrapped finds no one at the fixed name, with or without uWSGI's NUL" {
	compat_uwsgi
	drop_service client
	start_topology
	wait_minted '^uwsgi '
	run curl_client "$U.uwsgi"
	assert_equal "$status" 7
	assert_output --regexp "^curl: \\(7\\) Failed to connect to localhost port 80 after [0-9]+ ms: Couldn't connect to server$"
	run name_is_bound "$U.uwsgi"
	assert_failure
	run name_is_bound "$U.uwsgi@"
	assert_failure
}

@test "uwsgi: an unwrapped curl dialing the autobind address is closed at a worker's accept gate" {
	compat_uwsgi
	drop_service client
	start_topology
	wait_minted '^uwsgi '
	assert_equal "$(socket_type "$MINTED")" 1
	run curl_client "$MINTED"
	refute_output --partial 'hello from uwsgi'
	# Cut off: an empty reply or a reset (52, 56); or, when the refusal
	# came before curl looked at its new connection, a hang-up it calls
	# a failed connect (7).  The audit record below is what proves the
	# connection reached the gate and was refused there.
	assert_output --regexp '^curl: \((7|52|56)\) '
	# The audit log prints uWSGI's trailing NUL as \0{1} (\\0{1} in JSON).
	assert_accept_denied server "$U.uwsgi\\\\0{1}" curl
	# The workers go on accepting: a second intruder reaches the gate too.
	run curl_client "$MINTED"
	refute_output --partial 'hello from uwsgi'
	wait_denials 2
}

@test "uwsgi: after the master's SIGTERM reload (it executes itself again), wrapped clients are served and outsiders refused" {
	compat_uwsgi
	mkdir -m 0700 "$T/xdg"
	export XDG_RUNTIME_DIR="$T/xdg"
	start_topology
	wait_for "$T/out" '^client +\| hello from uwsgi worker '
	wait_for "$T/err" '^capwrap: client exited with status 0$'
	wait_minted '^uwsgi '
	master=$MINTED_PID
	# SIGTERM is uWSGI's reload: the master executes itself again, same
	# pid, keeping its listening socket, and forks new workers.
	kill -TERM "$master"
	wait_for "$T/err" "^server +\\| gracefully \\(RE\\)spawned uWSGI master process \\(pid: $master\\)$"
	run "$CAPWRAP" restart "$T/policy" client
	assert_success
	wait_count "$T/out" '^client +\| hello from uwsgi worker [0-9]+$' 2
	wait_count "$T/err" '^capwrap: client exited with status 0$' 2
	# The listener the new image inherited is still gated.  Its refusal
	# names the policy's @NAME: the new image's shim knows the listener
	# by its registration, not by the address uWSGI bound.
	run curl_client "$MINTED"
	refute_output --partial 'hello from uwsgi'
	assert_accept_denied server "$U.uwsgi" curl
	run cat "$T/err"
	refute_output --partial 'killed by signal'
}
