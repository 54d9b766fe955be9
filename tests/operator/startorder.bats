#!/usr/bin/env bats
# Start order: a service starts once every service it dials has registered
# its names, so that a client that connects once, non-blocking, at start
# (asyncio, libcurl) finds its provider without `restart on-failure`; a
# dial cycle starts together; a chain starts in order; an unprotected
# provider lets its dialers start once it has started; a provider that
# exits before registering is told of once.  Providers are held before
# they bind by a FIFO the test writes to, so every step waits on an event,
# and the order is read from a file each service appends to as it starts.

load operator

# node.py ORDER ME [--listen N | --serve N | --hold FIFO | --dial N]...
# appends "start ME" to ORDER, then in turn: --listen binds and listens
# on @N; --serve too, and answers one dial there with "hello from ME"
# (in a thread, and waits for it at the end); --hold reads FIFO to its end (the test releases
# it) and appends "ME released"; --dial connects to @N (a blocking
# connect) and prints the line it is sent.
write_node() {
	cat > "$T/node.py" <<'EOF'
import socket, sys, threading
order, me, args = sys.argv[1], sys.argv[2], sys.argv[3:]
def note(line):
    with open(order, "a") as f:
        f.write(line + "\n")
def serve(s):
    conn, _ = s.accept()
    conn.sendall(("hello from %s\n" % me).encode())
    conn.close()
note("start " + me)
served = []
while args:
    op, arg, args = args[0], args[1], args[2:]
    if op in ("--listen", "--serve"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind("\0" + arg)
        s.listen(4)
        if op == "--serve":
            served.append(threading.Thread(target=serve, args=(s,)))
            served[-1].start()
    elif op == "--hold":
        with open(arg) as f:
            f.read()
        note(me + " released")
    elif op == "--dial":
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect("\0" + arg)
        print(c.makefile().readline().strip(), flush=True)
        c.close()
for t in served:
    t.join()
EOF
}

@test "asyncio connects once, non-blocking, to a provider that registers late: started after, no restart needed" {
	write_node
	mkfifo "$T/hold"
	cat > "$T/client.py" <<'EOF'
import asyncio, sys
async def main():
    with open(sys.argv[1], "a") as f:
        f.write("start client\n")
    r, w = await asyncio.open_unix_connection("\0" + sys.argv[2])
    print((await r.readline()).decode().strip(), flush=True)
    w.close()
asyncio.run(main())
EOF
	# prov registers its first name at once and its second only once
	# released: its dialers wait for both.
	write_policy <<EOF
service prov {
	exec python3 $T/node.py $T/order prov --listen $U.one --hold $T/hold --serve $U.two
	provides @$U.one @$U.two
}
service client {
	exec python3 $T/client.py $T/order $U.two
	dials prov
}
EOF
	start_topology
	# The write returns once prov opened the FIFO, its first name
	# registered; client may start only after prov says it is released.
	echo go > "$T/hold"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/order"
	assert_output "start prov
prov released
start client"
	run cat "$T/out"
	assert_line --regexp '^client +\| hello from prov$'
	run cat "$T/err"
	refute_output --partial 'restarting'
	refute_output --partial 'not started'
}

@test "curl --abstract-unix-socket connects once to a provider that registers late" {
	command -v curl || skip "curl is not installed"
	mkfifo "$T/hold"
	cat > "$T/http.py" <<'EOF'
import socket, sys
with open(sys.argv[2], "a") as f:
    f.write("start prov\n")
with open(sys.argv[3]) as f:
    f.read()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1])
s.listen(1)
conn, _ = s.accept()
req = b""
while b"\r\n\r\n" not in req:
    req += conn.recv(4096)
conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 14\r\n\r\nhello from web")
conn.close()
EOF
	write_policy <<EOF
service web {
	exec python3 $T/http.py $U.web $T/order $T/hold
	provides @$U.web
}
service curl {
	exec sh -c "echo 'start curl' >> $T/order; exec curl -sS --abstract-unix-socket $U.web http://capwrap.invalid/"
	dials web
}
EOF
	start_topology
	echo go > "$T/hold"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/order"
	assert_output "start prov
start curl"
	run cat "$T/out"
	assert_line --regexp '^curl +\| hello from web$'
}

@test "a dial cycle a<->b starts together: each dials the other with one blocking connect" {
	write_node
	write_policy <<EOF
service a {
	exec python3 $T/node.py $T/order a --serve $U.a --dial $U.b
	provides @$U.a
	dials b
}
service b {
	exec python3 $T/node.py $T/order b --serve $U.b --dial $U.a
	provides @$U.b
	dials a
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run sort "$T/order"
	assert_output "start a
start b"
	run cat "$T/out"
	assert_line --regexp '^a +\| hello from b$'
	assert_line --regexp '^b +\| hello from a$'
	run cat "$T/err"
	refute_output --partial 'not started'
}

@test "a chain a -> b -> c starts c, then b, then a, each once the next has registered" {
	write_node
	write_policy <<EOF
service a {
	exec python3 $T/node.py $T/order a --dial $U.b
	dials b
}
service b {
	exec python3 $T/node.py $T/order b --serve $U.b --dial $U.c
	provides @$U.b
	dials c
}
service c {
	exec python3 $T/node.py $T/order c --serve $U.c
	provides @$U.c
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/order"
	assert_output "start c
start b
start a"
	run cat "$T/out"
	assert_line --regexp '^a +\| hello from b$'
	assert_line --regexp '^b +\| hello from c$'
}

@test "an unprotected provider never registers: its dialers start once it has started" {
	mkfifo "$T/hold"
	write_policy <<EOF
service prov {
	exec sh -c "echo 'start prov' >> $T/order; cat $T/hold > /dev/null"
	provides @$U.prov
	unprotected
}
service client {
	exec sh -c "echo 'start client' >> $T/order"
	dials prov
}
EOF
	start_topology
	# client starts while prov is held, its name never registered.
	wait_for "$T/order" '^start client$'
	echo go > "$T/hold"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run sort "$T/order"
	assert_output "start client
start prov"
	run cat "$T/err"
	refute_output --partial 'not started'
}

@test "a provider that exits before registering: its dialers are not started, the run says so once each and exits 1" {
	# prov exits 0: the status 1 is that of the services never started.
	write_policy <<EOF
service prov {
	exec sh -c "exit 0"
	provides @$U.prov
}
service client {
	exec sh -c "echo 'start client' >> $T/order"
	dials prov
}
service other {
	exec sh -c "echo 'start other' >> $T/order"
	dials prov
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_output "capwrap: prov exited with status 0
capwrap: client: not started: waits for prov, which exited without registering its names
capwrap: other: not started: waits for prov, which exited without registering its names"
	assert [ ! -e "$T/order" ]
}

@test "a chain whose last provider exits unregistered: each service not started names the one it waits for" {
	write_policy <<EOF
service a {
	exec true
	dials b
}
service b {
	exec true
	provides @$U.b
	dials c
}
service c {
	exec true
	provides @$U.c
}
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 1
	assert_output "capwrap: c exited with status 0
capwrap: b: not started: waits for c, which exited without registering its names
capwrap: a: not started: waits for b"
}

@test "a provider restarting without registering: its dialer is told once, and starts when it registers" {
	write_node
	write_policy <<EOF
service prov {
	exec sh -c "[ -e $T/second ] || { touch $T/second; exit 3; }; exec python3 $T/node.py $T/order prov --serve $U.prov"
	provides @$U.prov
	restart on-failure
}
service client {
	exec python3 $T/node.py $T/order client --dial $U.prov
	dials prov
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/err"
	assert_line --index 0 'capwrap: prov exited with status 3'
	assert_line --index 1 'capwrap: client: not started: waits for prov, which exited without registering its names'
	assert_line --index 2 'capwrap: prov: restarting in 100 ms'
	[ "$(grep -c 'not started' "$T/err")" -eq 1 ]
	run cat "$T/order"
	assert_output "start prov
start client"
	run cat "$T/out"
	assert_line --regexp '^client +\| hello from prov$'
}

@test "a restarting provider does not hold back a dialer already running" {
	write_node
	mkfifo "$T/hold"
	write_policy <<EOF
service prov {
	exec sh -c "if [ -e $T/second ]; then exec python3 $T/node.py $T/order prov2 --serve $U.prov; fi; touch $T/second; exec python3 $T/node.py $T/order prov --serve $U.prov"
	provides @$U.prov
	restart always
}
service client {
	exec python3 $T/node.py $T/order client --dial $U.prov --hold $T/hold --dial $U.prov
	dials prov
}
EOF
	start_topology --exit-with client
	wait_for "$T/out" '^client +\| hello from prov$'
	wait_for "$T/order" '^start prov2$'
	# client kept running through prov's restart: it dials it again.
	echo go > "$T/hold"
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^client +\| hello from prov2$'
	[ "$(grep -c '^start client$' "$T/order")" -eq 1 ]
}

@test "a dialer's restart does not wait for the services it dials" {
	write_node
	# prov serves one dial and is gone for good; client fails once after
	# its dial and is restarted all the same, prov unregistered.
	write_policy <<EOF
service prov {
	exec python3 $T/node.py $T/order prov --serve $U.prov
	provides @$U.prov
}
service client {
	exec sh -c "echo 'start client' >> $T/order; [ -e $T/again ] && exit 0; touch $T/again; python3 $T/node.py $T/order dial --dial $U.prov; exit 3"
	dials prov
	restart on-failure
}
EOF
	start_topology
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/order"
	assert_output "start prov
start client
start dial
start client"
	run cat "$T/out"
	assert_line --regexp '^client +\| hello from prov$'
	run cat "$T/err"
	assert_line 'capwrap: client: restarting in 100 ms'
	refute_output --partial 'not started'
}
