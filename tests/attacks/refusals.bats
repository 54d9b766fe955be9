#!/usr/bin/env bats
# A refusal must not break the program it protects.  An outsider that
# dials a textbook accept loop, or floods a datagram server, never ends
# or freezes it: a refused connection reaches the program as one whose
# peer has already hung up (EOF, never the outsider's bytes), a refused
# datagram as nothing (more are queued) or an empty datagram from
# nobody, and each gated call does bounded work.  See docs/SECURITY.md.

load attack

# The five hex digits of the abstract address the process PID listens
# on, once it has bound one.
address_of() {
	local i addr
	for ((i = 0; i < 1200; i++)); do
		addr=$(listening_addresses "$1" | head -n 1)
		[ -n "$addr" ] && { echo "$addr"; return 0; }
		sleep 0.05
	done
	return 1
}

# outsider_dials ADDR: an unwrapped process connects, writes a line and
# reads until the server hangs up.  A connection the gate never lets go
# (the program closed its stand-in and the refused connection stayed
# open) says so after a minute instead of holding the suite.
outsider_dials() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(60)
s.connect(b"\0" + sys.argv[1].encode())
try:
    s.sendall(b"intruder\n")
    print("outsider read", s.recv(100))
except (BrokenPipeError, ConnectionResetError):
    print("outsider read reset")
except socket.timeout:
    print("outsider never hung up on")' "$1"
}

# The server db must stay up: the outsider first, then the friend.
outsider_then_friend() {
	local addr
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(address_of "$(listener_pid db)")
	run outsider_dials "$addr"
	assert_success
	# Closed: end of file, or a reset (its bytes unread, or its write
	# after the close).
	assert_output --regexp "^outsider read (b''|reset)$"
	touch "$T/go"
}

# python_server <<EOF: $T/server.py, a python3 server listening at the
# abstract name of its first argument (as s) with the lines given after.
python_server() {
	{
		printf '%s\n' 'import errno, os, select, socket, subprocess, sys' \
			's = socket.socket(socket.AF_UNIX)' \
			's.bind(b"\0" + sys.argv[1].encode())' \
			's.listen(128)'
		cat
	} > "$T/server.py"
}

policy_with_server() {
	write_policy <<EOF
service db {
	exec $1
	provides @$U.db
}
service web {
	exec $(printf 'sh -c "while [ ! -e %s/go ]; do sleep 0.02; done; exec %s"' "$T" "$2")
	dials db
}
audit $T/audit.jsonl
EOF
}

# The server is still running, served the friend, and never read the
# outsider's bytes; the refusal is audited.
assert_friend_served_and_server_up() {
	wait_for "$T/out" "$1"
	run cat "$T/out"
	refute_output --partial intruder
	run cat "$T/err"
	refute_output --partial "db exited"
	refute_output --partial "db killed"
	wait_for "$T/audit.jsonl" '"gate":"accept","service":"db"'
	run audit_lines
	assert_output --partial "holds no capability to service db"
}

@test "textbook accept loop (python3 socket.accept): an outsider's dial does not end it; the friend is served" {
	python_server <<'EOF'
print("listening pid=%d" % os.getpid(), flush=True)
while True:
    c, _ = s.accept()
    line = c.makefile().readline()
    print("got %r" % line, flush=True)
    if line:
        c.sendall(b"echo " + line.encode())
    c.close()
EOF
	policy_with_server "python3 $T/server.py $U.db" "fx-client $U.db hello"
	start_topology
	outsider_then_friend
	assert_friend_served_and_server_up '^web +\| reply echo hello$'
	run service_lines_of db
	assert_line "got ''"
	assert_line "got 'hello\\n'"
}

@test "textbook accept loop (perl IO::Socket::UNIX, while (accept)): an outsider's dial does not end it" {
	cat > "$T/server.pl" <<'EOF'
use IO::Socket::UNIX;
$| = 1;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => "\0$ARGV[0]",
    Listen => 5) or die "listen: $!";
print "listening pid=$$\n";
while (my $c = $s->accept) {
	my $line = <$c>;
	if (defined $line) { print "got $line"; print $c "echo $line"; }
	else { print "got eof\n"; }
	close $c;
}
print "accept failed: $!\n";
EOF
	policy_with_server "perl $T/server.pl $U.db" "fx-client $U.db hello"
	start_topology
	outsider_then_friend
	assert_friend_served_and_server_up '^web +\| reply echo hello$'
	run service_lines_of db
	assert_line "got eof"
	assert_line "got hello"
	refute_line --partial "accept failed"
}

@test "textbook accept loop (netcat-openbsd nc -lkU): an outsider's dial does not end it" {
	command -v nc > /dev/null || skip "needs netcat-openbsd"
	echo "echo listening pid=\$\$; exec nc -lkU @$U.db" > "$T/server.sh"
	echo "echo hello from web | nc -N -U @$U.db" > "$T/client.sh"
	policy_with_server "sh $T/server.sh" "sh $T/client.sh"
	start_topology
	outsider_then_friend
	assert_friend_served_and_server_up '^db +\| hello from web$'
}

@test "a forking server (python3 socketserver.ForkingMixIn) keeps serving friends while outsiders are refused" {
	cat > "$T/server.py" <<'EOF'
import os, socketserver, sys
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        print("worker %d got %r" % (os.getpid(), line), flush=True)
        if line:
            self.wfile.write(b"echo " + line)
class Server(socketserver.ForkingMixIn, socketserver.UnixStreamServer):
    pass
with Server("\0" + sys.argv[1], Echo) as s:
    print("listening pid=%d" % os.getpid(), flush=True)
    s.serve_forever()
EOF
	policy_with_server "python3 $T/server.py $U.db" "fx-client $U.db hello"
	start_topology
	outsider_then_friend
	assert_friend_served_and_server_up '^web +\| reply echo hello$'
	run service_lines_of db
	assert_line --regexp "^worker [0-9]+ got b''$"
	assert_line --regexp "^worker [0-9]+ got b'hello\\\\n'$"
}

# service_lines_of SVC: what SVC printed, without the prefix.
service_lines_of() {
	sed -nE "s/^$1 +\\| //p" "$T/out"
}

@test "a refused connection is never held at a number the program means for something else (a daemon that closed its standard input)" {
	python_server <<'EOF'
os.close(0)
print("listening pid=%d" % os.getpid(), flush=True)
c, _ = s.accept()
print("stand-in read %r" % c.recv(100), flush=True)
try:
    print("fd 0 read %r" % os.read(0, 100), flush=True)
except OSError as e:
    print("fd 0 read %s" % errno.errorcode[e.errno], flush=True)
c.close()
EOF
	policy_with_server "python3 $T/server.py $U.db" "true"
	start_topology --exit-with db
	wait_for "$T/out" '^db +\| listening pid='
	run outsider_dials "$(address_of "$(listener_pid db)")"
	assert_output --regexp "^outsider read (b''|reset)$"
	wait_topology
	run service_lines_of db
	assert_line "stand-in read b''"
	assert_line "fd 0 read EBADF"
	refute_output --partial intruder
}

@test "refused connections are let go when a program that vforks (python3 subprocess) closes its stand-ins: no descriptor is lost per outsider" {
	python_server <<'EOF'
print("listening pid=%d" % os.getpid(), flush=True)
for i in range(5):
    c, _ = s.accept()
    subprocess.run(["true"], stdin=c)
    c.close()
    print("fds %d" % len(os.listdir("/proc/self/fd")), flush=True)
EOF
	policy_with_server "python3 $T/server.py $U.db" "true"
	start_topology --exit-with db
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(address_of "$(listener_pid db)")
	for i in 1 2 3 4 5; do
		run timeout 90 bash -c "$(declare -f outsider_dials); outsider_dials $addr"
		assert_output --regexp "^outsider read (b''|reset)$"
	done
	wait_topology
	run service_lines_of db
	# The same count after each: nothing held for an outsider let go.
	assert_equal "$(grep -c '^fds ' <<< "$output")" 5
	assert_equal "$(sort -u <<< "$output" | grep -c '^fds ')" 1
}

@test "a server that ends its connections with fclose(), which closes past every hook: a refused connection is let go once its stand-in's number is given out again, to an accepted connection or to another stand-in, and the friend is served" {
	python_server <<'EOF'
import ctypes, itertools
libc = ctypes.CDLL(None)
libc.fdopen.restype = ctypes.c_void_p
libc.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
libc.fclose.argtypes = [ctypes.c_void_p]
print("listening pid=%d" % os.getpid(), flush=True)
for i in itertools.count():
    fd = s.accept()[0].detach()
    line = os.read(fd, 100)
    if line:
        os.write(fd, b"echo " + line)
    libc.fclose(libc.fdopen(fd, b"r+"))
    if i == 0:
        # The lowest free number, the first accept's: the next accept
        # is given the first stand-in's.
        keeper = os.open("/dev/null", os.O_RDONLY)
    print("served %d at fd %d: %r" % (i, fd, line), flush=True)
EOF
	policy_with_server "python3 $T/server.py $U.db" "fx-client $U.db hello"
	start_topology
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(address_of "$(listener_pid db)")
	outsider_dials "$addr" > "$T/first" 3>&- &
	wait_for "$T/out" '^db +\| served 0 '
	# The next accept is given the number fclose() freed.
	outsider_dials "$addr" > "$T/second" 3>&- &
	wait_for "$T/out" '^db +\| served 1 '
	wait_for "$T/first" '^outsider' 90
	run cat "$T/first"
	assert_output --regexp "^outsider read (b''|reset)$"
	touch "$T/go"
	assert_friend_served_and_server_up '^web +\| reply echo hello$'
	# The next refusal's stand-in takes the second's number.
	outsider_dials "$addr" > "$T/third" 3>&- &
	third=$!
	wait_for "$T/out" '^db +\| served 3 '
	wait_for "$T/second" '^outsider' 90
	run cat "$T/second"
	assert_output --regexp "^outsider read (b''|reset)$"
	kill "$third"
	run service_lines_of db
	assert_line --regexp "^served 1 at fd ([0-9]+): b''$"
	fd=$(sed -nE "s/^served 1 at fd ([0-9]+).*/\1/p" <<< "$output")
	assert_line --regexp "^served 2 at fd [0-9]+: b'hello\\\\n'$"
	assert_line "served 3 at fd $fd: b''"
}

@test "an edge-triggered epoll server draining a queue of 40 outsiders turns its loop every 16 refusals, and the friend queued behind them is served" {
	python_server <<'EOF'
s.setblocking(False)
print("listening pid=%d" % os.getpid(), flush=True)
while not os.path.exists(sys.argv[2]):
    select.select([], [], [], 0.02)
ep = select.epoll()
ep.register(s.fileno(), select.EPOLLIN | select.EPOLLET)
wakeups = 0
while True:
    ep.poll()
    wakeups += 1
    accepted = 0
    while True:
        try:
            c, _ = s.accept()
        except BlockingIOError:
            break
        accepted += 1
        c.settimeout(30)
        line = c.makefile().readline()
        if line:
            print("served %s" % line.strip(), flush=True)
            c.sendall(b"echo " + line.encode())
            print("wake-ups %d" % wakeups, flush=True)
            sys.exit(0)
        c.close()
    print("wake-up %d accepted %d" % (wakeups, accepted), flush=True)
EOF
	policy_with_server "python3 $T/server.py $U.db $T/serve" "fx-client $U.db hello"
	start_topology --exit-with db
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(address_of "$(listener_pid db)")
	for i in $(seq 40); do
		python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(b"\0" + sys.argv[1].encode())
s.sendall(b"intruder\n")
print("queued", flush=True)
try:
    s.recv(100)
except OSError:
    pass' "$addr" > "$T/outsider.$i" &
		BACKGROUND_PIDS="${BACKGROUND_PIDS:-} $!"
	done
	for i in $(seq 40); do
		wait_for "$T/outsider.$i" '^queued$'
	done
	# The friend's connection is queued behind all forty.
	touch "$T/go"
	wait_for "$T/out" '^web +\| connected'
	touch "$T/serve"
	wait_topology
	run service_lines_of db
	assert_line "served hello"
	refute_output --partial "served intruder"
	# The first wake-up gave 15 stand-ins, then EAGAIN; later ones came
	# from the gate's own wake-up connection.
	assert_line "wake-up 1 accepted 15"
	assert_line --regexp '^wake-ups [3-9]$'
}

# dgram_outsider ADDR N STOPFILE: send N datagrams to ADDR (N 0: until
# STOPFILE exists or no one receives at ADDR), print "sent K".
dgram_outsider() {
	python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n, sent = int(sys.argv[2]), 0
while (sent < n) if n else not os.path.exists(sys.argv[3]):
    try:
        s.sendto(b"intruder", b"\0" + sys.argv[1].encode())
    except OSError:
        break
    sent += 1
print("sent %d" % sent, flush=True)' "$@"
}

@test "datagrams: a receive is never held inside the gate by refused datagrams, blocking or not" {
	cat > "$T/server.py" <<'EOF'
import os, select, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(b"\0" + sys.argv[1].encode())
print("listening pid=%d" % os.getpid(), flush=True)
def when(name):
    while not os.path.exists(os.path.join(sys.argv[2], name)):
        select.select([], [], [], 0.02)
when("queued")
s.setblocking(False)
for _ in range(2):
    try:
        print("nonblocking got %r" % s.recv(100), flush=True)
    except BlockingIOError:
        print("nonblocking EAGAIN", flush=True)
print("drained", flush=True)
when("flooding")
s.setblocking(True)
for _ in range(3):
    print("blocking got %r" % s.recv(100), flush=True)
EOF
	write_policy <<EOF
service db {
	exec python3 $T/server.py $U.db $T
	provides @$U.db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with db
	wait_for "$T/out" '^db +\| listening pid='
	addr=$(address_of "$(listener_pid db)")
	# Three refused datagrams queued: the non-blocking receive drops them
	# and says EAGAIN, as for an empty queue.
	run dgram_outsider "$addr" 3 /dev/null
	assert_output "sent 3"
	touch "$T/queued"
	wait_for "$T/out" '^db +\| drained$'
	# An outsider that keeps the queue full: each blocking receive
	# returns (an empty datagram from nobody) instead of staying inside.
	dgram_outsider "$addr" 0 "$T/stop" > "$T/flood" &
	BACKGROUND_PIDS="${BACKGROUND_PIDS:-} $!"
	touch "$T/flooding"
	wait_topology
	touch "$T/stop"
	wait_for "$T/flood" '^sent [1-9]'
	run service_lines_of db
	assert_line --index 1 "nonblocking EAGAIN"
	assert_line --index 2 "nonblocking EAGAIN"
	assert_line --index 4 "blocking got b''"
	assert_line --index 5 "blocking got b''"
	assert_line --index 6 "blocking got b''"
	refute_output --partial intruder
}
