#!/usr/bin/env bats
# PostgreSQL 15, unmodified, on an abstract socket only
# (unix_socket_directories = '@DIR', listen_addresses = ''), with psql and
# pgbench as clients (examples/compat-postgresql.policy).  The server and
# the clients run as services with `user`; pg_hba.conf is initdb's
# "local all all peer", so PostgreSQL itself checks, with SO_PEERCRED,
# the uid of whoever dials it.  The postmaster forks a backend for each
# connection: the forking-server case.

load ../helpers
load compat

PGBIN=/usr/lib/postgresql/15/bin
PSQL=/usr/bin/psql

# The example policy with its cluster in $T/pgdata, a cluster made there
# by initdb as postgres with peer authentication, and $T searchable by
# postgres, which reads the pgbench script in $T/compat.
compat_postgresql() {
	skip_in_sanitizer_build "postgres hangs with the ASan runtime preloaded into it, capwrap or not (postgres --version does not return)"
	need_programs "$PGBIN/postgres" "$PGBIN/initdb" "$PSQL" /usr/bin/pgbench
	compat_policy compat-postgresql.policy
	sed -i "s|/tmp/$U\\.pgdata|$T/pgdata|" "$T/policy"
	chmod 711 "$T"
	chmod -R o+rX "$T/compat"
	install -d -o postgres -m 700 "$T/pgdata"
	runuser -u postgres -- "$PGBIN/initdb" -D "$T/pgdata" -U postgres \
	    --auth-local=peer --auth-host=reject > "$T/initdb.log" 2>&1 ||
		{ cat "$T/initdb.log" >&2; return 1; }
	"$CAPWRAP" check "$T/policy" > /dev/null
}

# psql ARGS... unwrapped, as postgres, as the example client runs it.
psql_as_postgres() {
	runuser -u postgres -- "$PSQL" -X -At -U postgres -d postgres \
	    -c "select 'hello ' || current_user" "$@"
}

@test "postgresql: wrapped psql and pgbench, as postgres, are served through the fixed name by the forking postmaster" {
	compat_postgresql
	start_topology
	wait_for "$T/err" '^capwrap: client exited'
	wait_for "$T/err" '^capwrap: bench exited'
	# The stop sends the server its stop-signal, INT: a fast shutdown.
	kill -TERM "$CAPWRAP_PID"
	wait_topology
	run cat "$T/out"
	assert_line 'client | hello postgres'
	assert_line 'bench  | number of clients: 4'
	assert_line 'bench  | number of transactions actually processed: 100/100'
	assert_line 'bench  | number of failed transactions: 0 (0.000%)'
	# Services' standard error, the server's log among it, is capwrap's.
	run cat "$T/err"
	assert_line --regexp "^server +\\| .* LOG:  listening on Unix socket \"@$U\\.pg/\\.s\\.PGSQL\\.5432\"$"
	assert_line 'capwrap: client exited with status 0'
	assert_line 'capwrap: bench exited with status 0'
	assert_line --regexp '^server +\| .* LOG:  received fast shutdown request$'
	assert_line 'capwrap: server exited with status 0'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "postgresql: peer authentication sees the real uid of a wrapped client run as another user" {
	compat_postgresql
	drop_service bench
	cat >> "$T/policy" <<POLICY
service stranger {
	exec $PSQL -X -At -h @$U.pg -U postgres -d postgres -c "select 'hello ' || current_user"
	user nobody
	dials server
}
POLICY
	start_topology
	wait_for "$T/err" 'capwrap: stranger exited'
	wait_for "$T/err" 'capwrap: client exited'
	# The one run as postgres is postgres; the one run as nobody is
	# refused by PostgreSQL, which read nobody's uid from the connection.
	run cat "$T/out"
	assert_line 'client   | hello postgres'
	run cat "$T/err"
	assert_line "stranger | psql: error: connection to server on socket \"@$U.pg/.s.PGSQL.5432\" failed: FATAL:  Peer authentication failed for user \"postgres\""
	assert_line 'capwrap: stranger exited with status 2'
	assert_line --regexp '^server +\| .* LOG:  provided user name \(postgres\) and authenticated user name \(nobody\) do not match$'
	# capwrap admitted both: the policy lets both dial the server.
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "postgresql: the same psql unwrapped finds no one at the fixed name" {
	compat_postgresql
	drop_service client
	drop_service bench
	start_topology
	wait_minted '/postgres -D'
	run psql_as_postgres -h "@$U.pg"
	assert_equal "$status" 2
	assert_output "psql: error: connection to server on socket \"@$U.pg/.s.PGSQL.5432\" failed: Connection refused
	Is the server running locally and accepting connections on that socket?"
	run name_is_bound "$U.pg/.s.PGSQL.5432"
	assert_failure
}

@test "postgresql: an unwrapped psql dialing the postmaster's autobind address is closed at the accept gate" {
	need_programs socat
	compat_postgresql
	drop_service client
	drop_service bench
	start_topology
	wait_minted '/postgres -D'
	assert_equal "$(socket_type "$MINTED")" 1
	# libpq dials HOST/.s.PGSQL.PORT and cannot name the bare autobind
	# address: an unwrapped socat carries psql's connection to it.
	socat "ABSTRACT-LISTEN:$U.relay/.s.PGSQL.5432,fork" \
	    "ABSTRACT-CONNECT:$MINTED" 2> /dev/null &
	BACKGROUND_PIDS=$!
	wait_for /proc/net/unix "@$U\\.relay/"
	run psql_as_postgres -h "@$U.relay"
	assert_equal "$status" 2
	assert_output --regexp '^psql: error: connection to server on socket .* failed: server closed the connection unexpectedly'
	refute_output --partial hello
	assert_accept_denied server "$U.pg/.s.PGSQL.5432" socat
	# The postmaster goes on accepting: a second intruder is refused and
	# audited too.
	run psql_as_postgres -h "@$U.relay"
	assert_equal "$status" 2
	wait_denials 2
}

@test "postgresql: pg_ctl stop, unwrapped, stops the wrapped postmaster" {
	compat_postgresql
	drop_service client
	drop_service bench
	start_topology
	wait_minted '/postgres -D'
	run runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pgdata" stop -m fast
	assert_success
	assert_line 'server stopped'
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/err"
	assert_line --regexp '^server +\| .* LOG:  received fast shutdown request$'
	assert_line 'capwrap: server exited with status 0'
}
