#!/usr/bin/env bats
# A provider that also listens on a filesystem socket (Xvfb's
# /tmp/.X11-unix/X0) serves whoever the file's mode lets in: capwrap run
# says so once a path, on stderr and in an "unprotected" audit record,
# and capwrap graph --audit draws it.

load operator

PY=/usr/bin/python3

# A service body, $T/server.py ARG...: in order, listens on each ARG,
# @NAME abstract, anything else a filesystem path; a path after "bound:"
# is bound and not listened on; "close:ARG" closes what ARG opened;
# "say:TEXT" prints TEXT; "wait:FILE" waits until FILE exists.  Prints
# "up" at the end, then waits.
py_server() {
	cat > "$T/server.py" <<'EOF2'
import os, socket, sys, time
keep = {}
for a in sys.argv[1:]:
    if a.startswith("say:"):
        print(a[4:], flush=True)
        continue
    if a.startswith("wait:"):
        while not os.path.exists(a[5:]):
            time.sleep(0.05)
        continue
    if a.startswith("close:"):
        keep.pop(a[6:]).close()
        continue
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if a.startswith("bound:"):
        s.bind(a[6:])
    else:
        s.bind("\0" + a[1:] if a.startswith("@") else a)
        s.listen(4)
    keep[a] = s
print("up", flush=True)
while True:
    time.sleep(3600)
EOF2
}

# The exact stderr line for SERVICE and PATH.
told() {
	printf 'capwrap: %s listens on filesystem socket %s, which capwrap does not protect' "$1" "$2"
}

@test "a provider listening on a filesystem path is told once, with an unprotected record" {
	py_server
	write_policy <<EOF
service x {
	exec $PY $T/server.py $T/fs.sock bound:$T/bound.sock @$U.a @$U.b
	provides @$U.a @$U.b
}
service quiet {
	exec $PY $T/server.py @$U.q
	provides @$U.q
}
EOF
	start_topology --audit "$T/audit.jsonl"
	wait_for "$T/out" '^x +\| up$'
	wait_for "$T/out" '^quiet +\| up$'
	wait_for "$T/err" 'filesystem socket'
	stop_topology
	# Two names registered, two looks: one line, one record.
	run grep -c 'filesystem socket' "$T/err"
	assert_output 1
	run grep -F "$(told x "$T/fs.sock")" "$T/err"
	assert_success
	run grep -c '"event":"unprotected"' "$T/audit.jsonl"
	assert_output 1
	run grep -E '^\{"time":"[^"]+","event":"unprotected","service":"x","path":"'"$T"'/fs\.sock","pid":[0-9]+,"reason":"listens on a filesystem socket, which capwrap does not protect"\}$' "$T/audit.jsonl"
	assert_success
	# The audit reader takes the record: no line refused, no refusal counted.
	run "$CAPWRAP" audit "$T/audit.jsonl"
	assert_success
	assert_output "$T/audit.jsonl: no refusals"
	run "$CAPWRAP" graph "$T/policy" --audit "$T/audit.jsonl"
	assert_success
	assert_line "	f0 [label=\"$T/fs.sock\\n(filesystem socket: not protected)\", shape=note, style=solid, color=orange, fontcolor=orange];"
	assert_line '	s0 -> f0 [label="listens", color=orange, fontcolor=orange, style=dashed];'
}

@test "a path listened on after the name registered is told at the first grant, as Xvfb binds its file after its abstract name" {
	py_server
	write_policy <<EOF
service x {
	exec $PY $T/server.py @$U.a wait:$T/go $T/late.sock say:late
	provides @$U.a
}
service client {
	exec sh -c "echo started; while [ ! -e $T/go2 ]; do sleep 0.05; done; exec fx-client $U.a hi"
	dials x
}
EOF
	start_topology --audit "$T/audit.jsonl"
	# The client starts once x registered, after the look that made.
	wait_for "$T/out" '^client +\| started$'
	touch "$T/go"
	wait_for "$T/out" '^x +\| late$'
	# Registered before the path existed: nothing told yet.
	run grep -c 'filesystem socket' "$T/err"
	assert_output 0
	touch "$T/go2"
	wait_for "$T/err" 'filesystem socket'
	run grep -F "$(told x "$T/late.sock")" "$T/err"
	assert_success
	run grep -c '"event":"unprotected"' "$T/audit.jsonl"
	assert_output 1
}

@test "a filesystem listener in a child of the service, socat's, is told" {
	write_policy <<EOF
service relay {
	exec sh -c "socat UNIX-LISTEN:$T/relay.sock,fork EXEC:cat & until grep -q ' 00010000 .* $T/relay.sock\$' /proc/net/unix; do sleep 0.05; done; exec socat ABSTRACT-LISTEN:$U.r,fork EXEC:cat"
	provides @$U.r
}
EOF
	start_topology --audit "$T/audit.jsonl"
	wait_for "$T/err" 'filesystem socket'
	stop_topology
	run grep -F "$(told relay "$T/relay.sock")" "$T/err"
	assert_success
	run grep -c '"event":"unprotected","service":"relay","path":"'"$T"'/relay\.sock"' "$T/audit.jsonl"
	assert_output 1
}

@test "a path with terminal escapes is told escaped, and whole in the record" {
	py_server
	path="$T/e$(printf '\033')[31m.sock"
	write_policy <<EOF
service x {
	exec $PY $T/server.py $path @$U.a
	provides @$U.a
}
EOF
	start_topology --audit "$T/audit.jsonl"
	wait_for "$T/err" 'filesystem socket'
	stop_topology
	run grep -F "$(told x "$T/e\\x1b[31m.sock")" "$T/err"
	assert_success
	run grep -c "$(printf '\033')" "$T/err"
	assert_output 0
	run grep -F '"path":"'"$T"'/e\u001b[31m.sock"' "$T/audit.jsonl"
	assert_success
}

@test "capwrap audit refuses an unprotected record without its path" {
	printf '{"time":"t","event":"unprotected","service":"x","pid":1}\n' > "$T/a.jsonl"
	run "$CAPWRAP" audit "$T/a.jsonl"
	assert_failure
	assert_output --partial '"path"'
}

# A registration is answered before the launcher looks at the service's
# sockets, so the look may see what the service opens right after; but it
# ends before the launcher handles anything else: the service's next
# registration, or SIGTERM once the service has printed "up".

@test "a filesystem socket opened between two registrations is told at the second" {
	py_server
	write_policy <<EOF
service x {
	exec $PY $T/server.py @$U.a $T/late.sock @$U.b
	provides @$U.a @$U.b
}
EOF
	start_topology
	wait_for "$T/out" '^x +\| up$'
	stop_topology
	run grep -F "$(told x "$T/late.sock")" "$T/err"
	assert_success
}

@test "registering the same name again does not make the launcher look again" {
	py_server
	write_policy <<EOF
service x {
	exec $PY $T/server.py @$U.a close:@$U.a @$U.a $T/late.sock close:@$U.a @$U.a
	provides @$U.a
}
EOF
	start_topology
	wait_for "$T/out" '^x +\| up$'
	stop_topology
	run grep -c 'filesystem socket' "$T/err"
	assert_output 0
}

@test "past 64 paths in a run, capwrap says so once and tells no more" {
	py_server
	paths=()
	for i in $(seq 1 70); do
		paths+=("$T/s$i.sock")
	done
	write_policy <<EOF
service x {
	exec $PY $T/server.py ${paths[*]} @$U.a
	provides @$U.a
}
EOF
	start_topology --audit "$T/audit.jsonl"
	wait_for "$T/out" '^x +\| up$'
	stop_topology
	run grep -c 'listens on filesystem socket' "$T/err"
	assert_output 64
	run grep -c '^capwrap: 64 filesystem sockets told; telling no more$' "$T/err"
	assert_output 1
	run grep -c '"event":"unprotected"' "$T/audit.jsonl"
	assert_output 64
}
