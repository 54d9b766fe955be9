#!/usr/bin/env bats
# SOCK_SEQPACKET gets the gates of SOCK_STREAM; SOCK_DGRAM gets a gate on
# every datagram received, by the sender's kernel-stamped credentials.

load helpers

@test "seqpacket: a wrapped client is served, an outsider is refused and audited" {
	write_policy <<EOF
service db {
	exec fx-server -t seqpacket $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t seqpacket $U.db hello"
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	addr=$(minted_address db)
	[[ "$addr" =~ ^[0-9a-f]{5}$ ]]
	run fx-client -t seqpacket "$addr" intruder
	# Closed unanswered: EOF, a reset, or a broken pipe, by how far it got.
	assert_equal "$status" 4
	assert_line --regexp '^(eof|read: ECONNRESET|write: EPIPE)$'
	refute_line --partial 'reply' 
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	refute_line --partial 'served intruder'
	run audit_lines
	assert_line --regexp "\"gate\":\"accept\",\"service\":\"db\",\"name\":\"@$U.db\".*\"peer_cmdline\":\"fx-client -t seqpacket $addr intruder\""
}

@test "dgram: a wrapped client's datagram is answered at the address it sent from" {
	write_policy <<EOF
service db {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t dgram $U.db hello"
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	minted_address db > /dev/null
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^db +\| served hello$'
	assert_line --regexp '^web +\| reply echo hello$'
	[ ! -s "$T/audit.jsonl" ]
}

@test "dgram: an outsider's datagrams to the minted address are dropped and audited" {
	write_policy <<EOF
service db {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
audit audit.jsonl
EOF
	start_topology
	addr=$(minted_address db)
	run timeout 60 fx-client -t dgram "$addr" intruder
	# The datagram was sent, never served, never answered.
	assert_equal "$status" 4
	assert_line timeout
	run cat "$T/out"
	refute_line --partial 'served intruder'
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run audit_lines
	assert_line --regexp "\"service\":\"db\",\"name\":\"@$U.db\".*\"peer_cmdline\":\"fx-client -t dgram $addr intruder\""
}

@test "dgram: a service that does not dial the provider cannot send to it" {
	write_policy <<EOF
service db {
	exec fx-server -t dgram $U.db
	provides @$U.db
}
service stranger {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t dgram $U.db hello"
}
audit audit.jsonl
EOF
	start_topology --exit-with stranger
	minted_address db > /dev/null
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 3
	run cat "$T/out"
	assert_line --regexp '^stranger +\| sendto: EACCES$'
	run audit_lines
	assert_line --regexp '"gate":"connect","service":"stranger".*"reason":"service stranger does not dial service db"'
}

# dgram_gate_with MODE [PROGRAM]: db (PROGRAM, fx-dgram by default)
# receives two datagrams with MODE; an outsider sends first (with a
# descriptor attached), then a wrapped friend, twice.  The receive that
# dropped the outsider's datagram gives an empty one when nothing else is
# queued yet, or the friend's.
dgram_gate_with() {
	write_policy <<EOF
service db {
	exec ${2:-fx-dgram} recv $1 $U.db 2
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; fx-dgram sendfd $U.db friend; exec fx-dgram sendfd $U.db friend"
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with db
	addr=$(minted_address db)
	# The refused datagram is dropped, and the descriptor it carried is
	# closed at once: the sender's pipe reports end of file.
	run fx-dgram sendfd "$addr" intruder
	assert_output eof
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^db +\| got friend$'
	refute_line --partial 'got intruder'
	run audit_lines
	assert_line --regexp "\"gate\":\"accept\",\"service\":\"db\".*\"peer_cmdline\":\"fx-dgram sendfd $addr intruder\""
}

@test "dgram: the receive gate holds for read()" {
	dgram_gate_with read
}

@test "dgram: the receive gate holds for readv()" {
	dgram_gate_with readv
}

@test "dgram: the receive gate holds for recv()" {
	dgram_gate_with recv
}

@test "dgram: the receive gate holds for recvfrom()" {
	dgram_gate_with recvfrom
}

@test "dgram: the receive gate holds for recvmsg()" {
	dgram_gate_with recvmsg
}

@test "dgram: the receive gate holds for recvmmsg()" {
	dgram_gate_with recvmmsg
}

@test "dgram: the receive gate holds for read() through syscall()" {
	dgram_gate_with syscall-read
}

@test "dgram: the receive gate holds for recvfrom() through syscall()" {
	dgram_gate_with syscall-recvfrom
}

@test "dgram: the receive gate holds for recvmsg() through syscall()" {
	dgram_gate_with syscall-recvmsg
}

# A fortified build calls __recv_chk, __recvfrom_chk and __read_chk, which
# glibc implements without going through recv/recvfrom/read.
fortified_gate_with() {
	run nm -D "$FIXTURES/fx-dgram-fortified"
	assert_output --partial "$2"
	dgram_gate_with "$1" fx-dgram-fortified
}

@test "dgram: the receive gate holds for a fortified recv() (__recv_chk)" {
	fortified_gate_with recv __recv_chk
}

@test "dgram: the receive gate holds for a fortified recvfrom() (__recvfrom_chk)" {
	fortified_gate_with recvfrom __recvfrom_chk
}

@test "dgram: the receive gate holds for a fortified read() (__read_chk)" {
	fortified_gate_with read __read_chk
}

@test "dgram: sendmmsg() to a virtual name reaches the provider, never a squatter on the fixed name" {
	# The squatter really binds the fixed name, outside capwrap.
	fx-dgram recv recv "$U.db" 1 > "$T/squatter" &
	squatter=$!
	wait_for "$T/squatter" 'listening pid='
	write_policy <<EOF
service db {
	exec fx-dgram recv recv $U.db 1
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-dgram sendmmsg $U.db batched"
	dials db
}
EOF
	# Both end on their own: no --exit-with, which could stop web before
	# it printed its line.
	start_topology
	minted_address db > /dev/null
	touch "$T/go"
	wait_topology
	kill "$squatter" 2>/dev/null || true
	run cat "$T/out"
	assert_line --regexp '^web +\| sent$'
	assert_line --regexp '^db +\| got batched$'
	run cat "$T/squatter"
	refute_output --partial got
}

@test "dgram: a datagram from a granted client that has exited since is still delivered" {
	write_policy <<EOF
service db {
	exec fx-dgram recv recv $U.db 1 $T/read-now
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-dgram sendmmsg $U.db parting"
	dials db
}
audit audit.jsonl
EOF
	start_topology
	minted_address db > /dev/null
	touch "$T/go"
	# The sender is gone before the provider reads its datagram.
	wait_for "$T/err" 'web exited with status 0'
	touch "$T/read-now"
	wait_topology
	run cat "$T/out"
	assert_line --regexp '^db +\| got parting$'
	[ ! -s "$T/audit.jsonl" ]
}

# A datagram provider that binds, then execs (python3, as a real program
# does when it hands its socket to a new image): the shim of the new
# image must gate the socket it inherited.  KEEP is "keep" (the
# environment as it is) or "clean" (an empty one).
dgram_provider_after_exec() {
	cat > "$T/prov.py" <<'PY'
import os, socket, sys
name, how = sys.argv[1], sys.argv[2]
if len(sys.argv) == 3:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + name)
    s.set_inheritable(True)
    env = {} if how == "clean" else dict(os.environ)
    os.execve(sys.executable, [sys.executable] + sys.argv + [str(s.fileno())], env)
s = socket.socket(fileno=int(sys.argv[3]))
print("listening pid=%d" % os.getpid(), flush=True)
while True:
    data, addr = s.recvfrom(600)
    print("served", data.decode().strip(), flush=True)
    if addr:
        s.sendto(b"echo " + data, addr)
PY
	write_policy <<EOF
service db {
	exec /usr/bin/python3 $T/prov.py $U.db $1
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec fx-client -t dgram $U.db hello"
	dials db
}
audit audit.jsonl
EOF
	start_topology --exit-with web
	addr=$(minted_address db)
	[[ "$addr" =~ ^[0-9a-f]{5}$ ]]
	run timeout 60 fx-client -t dgram "$addr" intruder
	assert_equal "$status" 4
	assert_line timeout
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run audit_lines
	assert_line --regexp "\"service\":\"db\",\"name\":\"@$U.db\".*\"peer_cmdline\":\"fx-client -t dgram $addr intruder\""
	touch "$T/go"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	refute_line --partial 'served intruder'
}

@test "dgram: a provider's socket stays gated in the image it execs" {
	dgram_provider_after_exec keep
}

@test "dgram: a provider's socket stays gated in an image exec'd with an empty environment" {
	dgram_provider_after_exec clean
}
