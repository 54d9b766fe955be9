#!/usr/bin/env bats
# Padded abstract names, as node (libuv) and haproxy write them (NULs to
# the end of sun_path) and uWSGI does (one NUL): a policy that writes
# @NAME serves them at every gate, getsockname() and getpeername() give
# back the address padded as the program padded it, the fixed name is
# never bound, and records print the padding as \0{N}.  The programs are
# python3's socket module with explicit addresses (hx-padded.py).

load habits

PY=/usr/bin/python3
PAD="$BATS_TEST_DIRNAME/hx-padded.py"

# fixed_name_bound NAME: true if /proc/net/unix lists @NAME, padded or not
# (the kernel prints each NUL of a name as "@").
fixed_name_bound() {
	awk -v n="@$1" 'index($8, n) == 1 &&
		substr($8, length(n) + 1) ~ /^@*$/ { found = 1 }
		END { exit !found }' /proc/net/unix
}

# The NULs that pad NAME to the end of sun_path.
full_padding() {
	echo $((107 - ${#1}))
}

@test "padded: a server and a client padded to the end of sun_path meet through @NAME; both see their address exactly" {
	write_policy <<EOF
service db {
	exec $PY $PAD server-stream $U.db full
	provides @$U.db
}
service web {
	exec $PY $PAD client-stream $U.db full hello
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^db +\| bound 108 exact pid=[0-9]+$'
	assert_line --regexp '^web +\| peer 108 exact$'
	assert_line --regexp '^web +\| reply echo hello$'
	run audit_lines
	assert_output ''
}

@test "padded: @NAME serves a padded server to a client dialing it unpadded and one with uWSGI's one NUL" {
	write_policy <<EOF
service db {
	exec $PY $PAD server-stream $U.db full
	provides @$U.db
}
service web {
	exec sh -c "$PY $PAD client-stream $U.db 0 plain && $PY $PAD client-stream $U.db 1 uwsgi"
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_output "peer $((${#U} + 4)) exact
reply echo plain
peer $((${#U} + 5)) exact
reply echo uwsgi"
	run audit_lines
	assert_output ''
}

@test "padded: the fixed name is never bound; an outsider dialing it is refused by the kernel, one dialing the minted address at the accept gate, recorded compactly" {
	local pad pid minted
	pad=$(full_padding "$U.db")
	write_policy <<EOF
service db {
	exec $PY $PAD server-stream $U.db full
	provides @$U.db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| bound 108 exact pid=[0-9]+$'
	run fixed_name_bound "$U.db"
	assert_failure
	run "$PY" "$PAD" client-stream "$U.db" full intruder
	assert_equal "$status" 3
	assert_output 'error ECONNREFUSED'
	pid=$(sed -nE 's/^db +\| bound .* pid=([0-9]+)$/\1/p' "$T/out")
	minted=$(listening_addresses "$pid" | grep -E '^[0-9a-f]{5}$')
	[ -n "$minted" ]
	run "$PY" "$PAD" client-stream "$minted" 0 intruder
	refute_output --partial 'reply echo'
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run jq -r 'select(.gate == "accept") | .name' "$T/audit.jsonl"
	assert_output "@$U.db\\0{$pad}"
	run grep -c 'x00' "$T/audit.jsonl"
	assert_output 0
	wait_for "$T/err" "denied accept @$U.db\\\\0\\{$pad\\} "
}

@test "padded: datagrams to a padded name reach the server that bound it padded" {
	write_policy <<EOF
service db {
	exec $PY $PAD server-dgram $U.db full
	provides @$U.db
}
service web {
	exec $PY $PAD client-dgram $U.db full hello-dgram
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| received hello-dgram$'
	run service_lines web
	assert_output 'sent'
	run fixed_name_bound "$U.db"
	assert_failure
	run audit_lines
	assert_output ''
}

@test "padded: a padded bind of a name the service does not provide is refused and recorded as @NAME\\0{N}" {
	local pad
	pad=$(full_padding "$U.db")
	write_policy <<EOF
service db {
	exec $PY $PAD server-stream $U.db full
	provides @$U.db
}
service web {
	exec $PY $PAD server-stream $U.db full
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^web +\| error EACCES$'
	wait_for "$T/audit.jsonl" '"gate":"bind"'
	# Valid JSON, the name compact: a backslash, a zero and the count.
	run jq -r 'select(.gate == "bind") | [.service, .name, .reason] | join(" ")' \
		"$T/audit.jsonl"
	assert_success
	assert_output "web @$U.db\\0{$pad} service web does not provide this name"
	run grep -F "\"name\":\"@$U.db\\\\0{$pad}\"" "$T/audit.jsonl"
	assert_success
	wait_for "$T/err" "denied bind @$U.db\\\\0\\{$pad\\} \\(pid [0-9]+\\): service web does not provide this name$"
}

@test "padded: a name that differs from a provided one past a NUL is refused with a hint" {
	write_policy <<EOF
service db {
	exec $PY $PAD server-stream $U.db full
	provides @$U.db
}
service web {
	exec $PY $PAD client-stream $U.db 1 hello junk
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	run service_lines web
	assert_output 'error EACCES'
	run jq -r '.name + " " + .reason' "$T/audit.jsonl"
	assert_output "@$U.db\\x00junk no service provides this name and it is not external (it differs from @$U.db, which db provides, only after a NUL byte: names match byte for byte, only trailing NULs are padding)"
}

@test "padded: an external name is bound and dialed exactly as the program padded it" {
	write_policy <<EOF
service ext {
	exec $PY $PAD server-stream $U.ext 3
}
service web {
	exec sh -c "until grep -qF @$U.ext@@@ /proc/net/unix; do sleep 0.02; done; exec $PY $PAD client-stream $U.ext 3 hello"
}
external @$U.ext
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	run service_lines web
	assert_output "peer $((${#U} + 8)) exact
reply echo hello"
	run grep -E "^ext +\\| bound $((${#U} + 8)) exact pid=" "$T/out"
	assert_success
	run audit_lines
	assert_output ''
}

@test "padded: the external name is listed by the kernel with its padding" {
	write_policy <<EOF
service ext {
	exec $PY $PAD server-stream $U.ext 3
}
external @$U.ext
EOF
	start_topology
	wait_for "$T/out" '^ext +\| bound [0-9]+ exact pid=[0-9]+$'
	# The kernel prints each NUL of a name as "@": bound as given.
	run awk -v n="@$U.ext@@@" '$8 == n { print "listed" }' /proc/net/unix
	assert_output 'listed'
}

@test "padded: socat with unix-tightsocklen=0 binds and dials @NAME padded to the end of sun_path, and serves an unpadded client" {
	command -v socat > /dev/null || skip "not installed: socat"
	write_policy <<EOF
service db {
	exec socat ABSTRACT-LISTEN:$U.db,unix-tightsocklen=0,fork EXEC:cat
	provides @$U.db
}
service web {
	exec sh -c "echo hello-socat | socat -t 30 - ABSTRACT-CONNECT:$U.db,unix-tightsocklen=0 && $PY $PAD client-stream $U.db 0 plain"
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_output "hello-socat
peer $((${#U} + 4)) exact
reply plain"
	run audit_lines
	assert_output ''
}

@test "padded: a socket bound padded and inherited across exec gives its name back unpadded" {
	write_policy <<EOF
service db {
	exec $PY $PAD inherit-stream $U.db full
	provides @$U.db
}
EOF
	start_topology --exit-with db
	wait_topology
	run service_lines db
	assert_output "inherited $((${#U} + 4)) exact"
}
