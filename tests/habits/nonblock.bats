#!/usr/bin/env bats
# Non-blocking listeners and epoll: an intruder queued between two friends
# costs neither of them their connection, EAGAIN comes only from an empty
# queue, and a blocking accept after poll() never hangs on a queue the
# gate emptied.  accept4's flags and NULL addresses behave as the kernel's.

load habits

# The audit record of the intruder with pid $1, once written.
intruder_audited() {
	wait_for "$T/audit.jsonl" "\"peer_pid\":$1,"
	run grep "\"peer_pid\":$1," "$T/audit.jsonl"
	assert_output --partial '"gate":"accept"'
	assert_output --partial "holds no capability to service db"
}

@test "epoll ET: both friends around a queued intruder come out of one wake-up; EAGAIN only when empty" {
	write_policy <<EOF
service db {
	exec hx-epoll et $U.db $T/go
	provides @$U.db
}
service f1 {
	exec $(after go1 "fx-client $U.db one")
	dials db
}
service f2 {
	exec $(after go2 "fx-client $U.db two")
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	assert_regex "$addr" '^[0-9a-f]{5}$'
	touch "$T/go1"
	wait_for "$T/out" '^f1 +\| connected'
	outsider "$addr" "$T/intruder" &
	intruder=$!
	wait_for "$T/intruder" '^connected'
	touch "$T/go2"
	wait_for "$T/out" '^f2 +\| connected'
	touch "$T/go"
	wait_for "$T/out" '^db +\| next epoll_wait'
	wait "$intruder" || true
	run service_lines db
	assert_line "epoll_wait: 1"
	assert_line "accepted one"
	assert_line "accepted two"
	assert_line "accept: EAGAIN"
	# The intruder's place: a connection already hung up, which reads EOF.
	assert_line "wake-up accepted 3"
	assert_line "next epoll_wait: 0"
	refute_line "accepted intruder"
	wait_for "$T/out" '^f2 +\| (reply|eof)'
	run cat "$T/out"
	assert_line --regexp '^f1 +\| reply echo one$'
	assert_line --regexp '^f2 +\| reply echo two$'
	run cat "$T/intruder"
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	intruder_audited "$intruder"
}

@test "blocking accept after poll() with only a refused peer pending: a connection already hung up, no hang" {
	write_policy <<EOF
service db {
	exec hx-epoll abort $U.db $T/go
	provides @$U.db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	outsider "$addr" "$T/intruder" &
	intruder=$!
	wait_for "$T/intruder" '^connected'
	touch "$T/go"
	wait_for "$T/out" '^db +\| accept:'
	wait "$intruder" || true
	run service_lines db
	assert_line "poll: 1"
	assert_line "accept: OK"
	# An unnamed peer that has hung up: EOF, never the intruder's bytes.
	assert_line "addrlen: 2"
	assert_line "read: 0"
	assert_line "send: EPIPE"
	intruder_audited "$intruder"
}

@test "accept4: SOCK_CLOEXEC, SOCK_NONBLOCK and NULL addresses on a gated listener match an ungated one" {
	write_policy <<EOF
service db {
	exec timeout 60 hx-epoll accept4 $U.db $T/plain.sock
	provides @$U.db
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with db
	wait_topology
	run service_lines db
	assert_line "same"
	assert_line "gated flags=0x80000 addr=1 cloexec=1 nonblock=0 addrlen=2 family=1"
	assert_line "gated flags=0x800 addr=0 cloexec=0 nonblock=1 addrlen=-1 family=-1"
	assert_line "gated flags=0x1 addr=0 error EINVAL"
	assert_equal "$TOPOLOGY_STATUS" 0
	# Nothing refused (plain.sock, a filesystem listener, may be reported
	# as unprotected: that record is no refusal).
	run grep -c '"event":"deny"' "$T/audit.jsonl"
	assert_output 0
}

@test "accept4: a real addr with a NULL addrlen fails with EFAULT as the kernel's does" {
	write_policy <<EOF
service db {
	exec timeout 60 hx-epoll accept4 $U.db $T/plain.sock
	provides @$U.db
	dials db
}
EOF
	start_topology --exit-with db
	wait_topology
	run service_lines db
	assert_line "gated flags=0 addr=2 error EFAULT"
	assert_line "addr without addrlen: same"
}

@test "non-blocking connect to a full backlog: EAGAIN as the kernel says; the later connect is still verified" {
	write_policy <<EOF
service db {
	exec hx-epoll slow $U.db $T/drain
	provides @$U.db
}
service web {
	exec $(after go "timeout 60 hx-epoll fill $U.db $T/drain")
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	# slow listens twice (backlog 16, then 0), as servers adjusting
	# their backlog on reload do: the second listen() must not fail.
	wait_for "$T/out" '^db +\| (listening pid=|listen: )'
	run service_lines db
	assert_line --regexp '^listening pid=[0-9]+$'
	touch "$T/go"
	wait_topology
	run service_lines web
	refute_output --partial FAIL
	assert_line "queued 1 then EAGAIN"
	assert_line "answered 2 of 2"
	assert_equal "$TOPOLOGY_STATUS" 0
	[ ! -s "$T/audit.jsonl" ]
}
