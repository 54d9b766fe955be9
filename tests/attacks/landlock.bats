#!/usr/bin/env bats
# The Landlock fence: every service of a topology is started in one
# Landlock domain that scopes abstract Unix sockets and signals (Linux
# 6.12).  A service that goes past the shim with raw system calls
# (ax-landlock) still cannot dial an abstract socket made outside the
# topology, nor signal a process outside it; its members still dial each
# other; outsiders still connect in, to meet the accept gate.  External
# names are connected by the launcher, outside the domain.

load attack
bats_require_minimum_version 1.5.0

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/capwrap-test.XXXXXX")
	export T
	U="t$$-$BATS_TEST_NUMBER-$RANDOM"
	export U
	PATH="$ATTACKERS:$FIXTURES:$PATH"
	if [ "$("$CAPWRAP" probe --json | python3 -c 'import json, sys
print(json.load(sys.stdin)["features"]["landlock"]["used"])')" != True ]; then
		skip "this kernel has no Landlock abstract-socket scope (6.12)"
	fi
}

# host.py NAME MODE, unwrapped, outside any topology: "greet" binds the
# abstract NAME and greets each connection with "hello from host";
# "dgram" binds a datagram socket and prints "got DATA"; "full" listens
# with a backlog of one and never accepts, and fills the backlog itself.
# Each prints "ready" once it is.
write_host() {
	command -v python3 > /dev/null || skip "needs python3"
	cat > "$T/host.py" <<'EOF'
import signal, socket, sys
name, mode = b"\0" + sys.argv[1].encode(), sys.argv[2]
if mode == "dgram":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(name)
    print("ready", flush=True)
    while True:
        print("got", s.recv(100).decode(), flush=True)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(name)
if mode == "full":
    s.listen(0)
    held = []
    while True:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(name)
        except BlockingIOError:
            break
        held.append(c)
    print("ready", flush=True)
    while True:
        signal.pause()
s.listen(8)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    try:
        c.sendall(b"hello from host\n")
    except OSError:
        pass
    c.close()
EOF
}

# host NAME MODE: host.py in the background, ready when this returns.
host() {
	python3 "$T/host.py" "$1" "$2" > "$T/host-$1" 2>&1 &
	BACKGROUND_PIDS="${BACKGROUND_PIDS:-} $!"
	wait_for "$T/host-$1" '^ready$'
}

# client.py NAME block|nonblock: connect through the C library, print
# the flags the descriptor has then, and the first line read; or
# "connect: ERRNO".  client.py NAME block dgram: connect a datagram
# socket to NAME, then sendto NAME from another, and print what each got.
write_client() {
	cat > "$T/client.py" <<'EOF'
import errno, fcntl, os, socket, sys
kind = socket.SOCK_DGRAM if sys.argv[3:] == ["dgram"] else socket.SOCK_STREAM
s = socket.socket(socket.AF_UNIX, kind)
s.setblocking(sys.argv[2] != "nonblock")
fd = s.fileno()
addr = b"\0" + sys.argv[1].encode()
if kind == socket.SOCK_DGRAM:
    for what, call in (("connect", lambda: s.connect(addr)), ("sendto",
            lambda: socket.socket(socket.AF_UNIX, kind).sendto(b"x", addr))):
        try:
            call()
            print(what + ": ok", flush=True)
        except OSError as e:
            print(what + ":", errno.errorcode[e.errno], flush=True)
    sys.exit(0)
try:
    s.connect(b"\0" + sys.argv[1].encode())
except OSError as e:
    print("connect:", errno.errorcode[e.errno], flush=True)
    sys.exit(1)
fl = fcntl.fcntl(fd, fcntl.F_GETFL)
print("connected fd=%s nonblock=%s cloexec=%s" % (s.fileno() == fd,
      bool(fl & os.O_NONBLOCK), bool(fcntl.fcntl(fd, fcntl.F_GETFD) &
      fcntl.FD_CLOEXEC)), flush=True)
s.setblocking(True)
print(s.recv(100).decode().strip(), flush=True)
EOF
}

@test "raw dials past the shim to a host abstract socket: EPERM, for a forked child and an exec'd image too" {
	write_host
	host "$U.host" greet
	host "$U.hostd" dgram
	# Unwrapped, the very same calls connect.
	run ax-landlock dial "$U.host" dgram "$U.hostd"
	assert_output "dial: ok
dgram: ok"
	write_policy <<EOF
service svc {
	exec ax-landlock dial $U.host dgram $U.hostd child $U.host exec $U.host
}
EOF
	start_topology --exit-with svc
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines svc
	assert_output "dial: EPERM
dgram: EPERM
child: EPERM
execed: EPERM"
	run cat "$T/host-$U.hostd"
	assert_output "ready
got x"
}

@test "a raw kill of a process outside the topology: EPERM; of the service's own child: delivered" {
	sleep 600 &
	BACKGROUND_PIDS=$!
	write_policy <<EOF
service svc {
	exec sh -c "sleep 600 & ax-landlock kill $BACKGROUND_PIDS kill \$!; kill \$!"
}
EOF
	start_topology --exit-with svc
	wait_topology
	run service_lines svc
	assert_output "kill: EPERM
kill: ok"
	kill -0 "$BACKGROUND_PIDS"
}

@test "two services of one topology dial each other by raw system calls" {
	write_policy <<EOF
service srv {
	exec ax-landlock serve $U.raw
}
service cli {
	exec sh -c "until [ \"\$(ax-landlock dial $U.raw)\" != 'dial: ECONNREFUSED' ]; do sleep 0.05; done; ax-landlock dial $U.raw child $U.raw"
}
EOF
	start_topology --exit-with cli
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines srv
	assert_output "serve: ok"
	run service_lines cli
	assert_output "dial: ok
child: ok"
}

@test "an external name dialed through the C library is connected by the launcher: the program's descriptor, O_NONBLOCK and close-on-exec kept" {
	write_host
	write_client
	host "$U.x" greet
	write_policy <<EOF
service nb {
	exec python3 $T/client.py $U.x nonblock
}
service bl {
	exec python3 $T/client.py $U.x block
}
external @$U.x
audit $T/audit.jsonl
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines nb
	assert_output "connected fd=True nonblock=True cloexec=True
hello from host"
	run service_lines bl
	assert_output "connected fd=True nonblock=False cloexec=True
hello from host"
	[ ! -s "$T/audit.jsonl" ]
}

@test "an external datagram name from inside the domain: connect() refused and audited, sendto EPERM" {
	write_host
	write_client
	host "$U.xd" dgram
	write_policy <<EOF
service d {
	exec python3 $T/client.py $U.xd block dgram
}
external @$U.xd
audit $T/audit.jsonl
EOF
	start_topology --exit-with d
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines d
	assert_output "connect: EACCES
sendto: EPERM"
	run audit_lines
	assert_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$U.xd\""
	assert_output --partial 'service d is in the Landlock domain: the launcher does not connect datagram sockets for it (allow host-sockets)'
	run cat "$T/host-$U.xd"
	assert_output "ready"
}

@test "a host name the policy does not declare external: EACCES and audited, as without the fence" {
	write_host
	write_client
	host "$U.h" greet
	write_policy <<EOF
service c {
	exec python3 $T/client.py $U.h block
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with c
	wait_topology
	run service_lines c
	assert_output "connect: EACCES"
	run audit_lines
	assert_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$U.h\""
	assert_output --partial 'no service provides this name and it is not external'
}

@test "a service that runs as another user is not dialed for: EACCES and audited" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to change user"
	id nobody > /dev/null 2>&1 || skip "no user nobody"
	write_host
	host "$U.x" greet
	write_policy <<EOF
service c {
	exec fx-client $U.x hello
	user nobody
}
external @$U.x
audit $T/audit.jsonl
EOF
	start_topology --exit-with c
	wait_topology
	run service_lines c
	assert_output "connect: EACCES"
	run audit_lines
	assert_output --partial '"gate":"connect"'
	assert_output --partial "\"name\":\"@$U.x\""
	assert_output --partial 'service c runs as its own user or group: the launcher does not dial external names for it (allow host-sockets)'
}

@test "a forged WIRE_EXTDIAL is decided as the dial it stands for: a name not external, or a service outside the domain, refused and audited" {
	write_host
	host "$U.x" greet
	write_policy <<EOF
service in {
	exec ax-landlock extdial $U.x extdial $U.nope
}
service out {
	exec ax-landlock extdial $U.x
	allow host-sockets
}
external @$U.x
audit $T/audit.jsonl
EOF
	start_topology
	wait_topology
	run service_lines in
	assert_output "extdial: connected
extdial: EACCES"
	run service_lines out
	assert_output "extdial: EACCES"
	run audit_lines
	assert_line --partial "\"name\":\"@$U.nope\""
	assert_output --partial 'no service provides this name and it is not external'
	assert_output --partial 'service out is outside the Landlock domain: it dials external names itself'
}

@test "allow host-sockets: the service is outside the domain and reaches the host; check warns" {
	write_host
	host "$U.host" greet
	write_policy <<EOF
service out {
	exec ax-landlock dial $U.host
	allow host-sockets
}
service in {
	exec ax-landlock dial $U.host
}
EOF
	run "$CAPWRAP" check "$T/policy"
	assert_success
	assert_output "capwrap: $T/policy:3:2: warning: service out allows host sockets: it runs outside the topology's Landlock domain, so raw system calls reach any abstract socket
$T/policy: OK"
	start_topology
	wait_topology
	run service_lines out
	assert_output "dial: ok"
	run service_lines in
	assert_output "dial: EPERM"
}

@test "CAPWRAP_PROBE_DISABLE=landlock: no fence, and the start line says so" {
	write_host
	host "$U.host" greet
	write_policy <<EOF
service svc {
	exec ax-landlock dial $U.host
}
EOF
	CAPWRAP_PROBE_DISABLE=landlock run --separate-stderr \
		env -u CAPWRAP_KERNEL_QUIET "$CAPWRAP" run "$T/policy"
	assert_success
	assert_output "svc | dial: ok"
	assert_regex "${stderr_lines[0]}" '^capwrap: kernel .*, io_uring fence (yes|no), landlock no, socket fence no$'
	run --separate-stderr env -u CAPWRAP_KERNEL_QUIET "$CAPWRAP" run "$T/policy"
	assert_output "svc | dial: EPERM"
	assert_regex "${stderr_lines[0]}" '^capwrap: kernel .*, io_uring fence (yes|no), landlock ABI [0-9]+, socket fence yes$'
}

@test "an outsider still connects in: the fence is one-way, and the accept gate refuses it as before" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
audit $T/audit.jsonl
EOF
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(minted_address db)
	run ax-landlock dial "$addr"
	assert_output "dial: ok"
	wait_for "$T/audit.jsonl" '"gate":"accept"'
	run audit_lines
	assert_output --partial "holds no capability to service db"
}

@test "a full backlog at an external name: the launcher answers EAGAIN at once, and the next dial" {
	write_host
	write_client
	host "$U.full" full
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service c {
	exec sh -c "ax-landlock extdial $U.full extdial $U.full; python3 $T/client.py $U.full nonblock; exec fx-client $U.db after"
	dials db
}
external @$U.full
EOF
	start_topology --exit-with c
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines c
	assert_output "extdial: EAGAIN
extdial: EAGAIN
connect: EAGAIN
connected
reply echo after"
}

@test "a launcher without CAP_SYS_ADMIN: the domain comes with no_new_privs; with it, or outside the domain, none is set" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to compare with nobody"
	command -v setpriv > /dev/null || skip "needs setpriv(1)"
	write_host
	host "$U.host" greet
	write_policy <<EOF
service in {
	exec sh -c "ax-uring nnp; exec ax-landlock dial $U.host"
	allow io_uring
}
service out {
	exec sh -c "ax-uring nnp; exec ax-landlock dial $U.host"
	allow io_uring
	allow host-sockets
}
EOF
	chmod 755 "$T"
	chmod 644 "$T/policy"
	start_topology
	wait_topology
	run service_lines in
	assert_output "nnp: 0
dial: EPERM"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		env PATH="$PATH" "$CAPWRAP" run "$T/policy"
	assert_success
	assert_line "in  | nnp: 1"
	assert_line "in  | dial: EPERM"
	assert_line "out | nnp: 0"
	assert_line "out | dial: ok"
}

@test "death then rebind by an outsider: the kernel refuses the cached capability's dial before any connection; ECONNREFUSED, audited" {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec ax-twice -w $T/ready $U.db $T/go
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --dial-timeout 0
	wait_for "$T/out" '^db +\| listening pid='
	touch "$T/ready"
	wait_for "$T/out" '^web +\| waiting$'
	addr=$(minted_address db)
	kill -KILL "$(listener_pid db)"
	wait_for "$T/err" 'db killed by signal 9'
	attacker "$T/impostor" ax-squat "$addr"
	wait_for "$T/impostor" '^listening pid='
	touch "$T/go"
	wait_for "$T/out" '^web +\| second: '
	run service_lines web
	assert_line 'second: connect: ECONNREFUSED'
	wait_for "$T/audit.jsonl" 'is not the one the capability names'
	run audit_lines
	assert_output --partial '"gate":"connect"'
	assert_output --partial '"service":"web"'
	assert_output --partial "\"name\":\"@$U.db\""
	refute_output --partial '"peer_pid"'
	# Never connected: the fixture's accept saw nothing at all.
	run cat "$T/impostor"
	refute_output --partial got
}

@test "an unprotected service is in the domain too; a provider cannot allow host-sockets" {
	write_host
	host "$U.host" greet
	write_policy <<EOF
service raw {
	exec ax-landlock dial $U.host
	unprotected
}
EOF
	start_topology --exit-with raw
	wait_topology
	run service_lines raw
	assert_output "dial: EPERM"
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
	allow host-sockets
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 65
	assert_output "$T/policy:4:2: 'allow host-sockets' in service 'db', which provides names: the services in the topology's Landlock domain could not dial them
capwrap: $T/policy: 1 error"
}

@test "a restarted service is started in the domain again" {
	write_host
	host "$U.host" greet
	write_policy <<EOF
service flaky {
	exec sh -c "ax-landlock dial $U.host; [ -e $T/again ] && exit 0; touch $T/again; exit 1"
	restart on-failure
}
EOF
	run --separate-stderr "$CAPWRAP" run "$T/policy"
	assert_success
	assert_output 'flaky | dial: EPERM
flaky | dial: EPERM'
	assert_equal "${stderr_lines[1]}" 'capwrap: flaky: restarting in 100 ms'
}

@test "a service a reload adds is started in the domain; one whose allow host-sockets changes restarts outside it" {
	write_host
	host "$U.host" greet
	write_policy <<EOF
service keep {
	exec sh -c "ax-landlock dial $U.host; exec sleep 600"
}
EOF
	start_topology
	wait_for "$T/out" '^keep +\| dial: EPERM$'
	write_policy <<EOF
service keep {
	exec sh -c "ax-landlock dial $U.host; exec sleep 600"
	allow host-sockets
}
service added {
	exec sh -c "ax-landlock dial $U.host; exec sleep 600"
}
EOF
	kill -HUP "$CAPWRAP_PID"
	wait_for "$T/err" "^capwrap: reloaded $T/policy: 0 unchanged, 1 restarted, 0 stopped, 1 started$"
	wait_for "$T/out" '^added +\| dial: EPERM$'
	wait_for "$T/out" '^keep +\| dial: ok$'
}
