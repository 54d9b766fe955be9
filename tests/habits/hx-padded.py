#!/usr/bin/python3
# Abstract names as node, haproxy and uWSGI write them: "\0NAME" padded
# with NULs, N of them or "full" to the end of sun_path (108 bytes).
# Prints what getsockname/getpeername say, compared with what was bound
# or dialed ("exact" when the same bytes).  Socket errors are printed as
# "error ERRNO-NAME", exit status 3.
# Usage: hx-padded.py server-stream|server-dgram NAME N
#        hx-padded.py client-stream|client-dgram NAME N MESSAGE [TAIL]
#        hx-padded.py inherit-stream NAME N: bind, listen, exec itself to
#        print the inherited socket's name ("exact" when unpadded).
# TAIL: bytes after the padding (a name that is not padded, only long).
import errno, os, socket, sys

def address(name, n, tail=""):
    n = 107 - len(name) if n == "full" else int(n)
    return b"\0" + name.encode() + b"\0" * n + tail.encode()

def same(got, want):
    return "exact" if got == want else "differs %r" % (got,)

def say(*words):
    print(*words, flush=True)

def server(kind, name, n):
    addr = address(name, n)
    s = socket.socket(socket.AF_UNIX,
        socket.SOCK_DGRAM if kind == "dgram" else socket.SOCK_STREAM)
    try:
        s.bind(addr)
    except OSError as e:
        say("error", errno.errorcode.get(e.errno, e.errno))
        sys.exit(3)
    say("bound", len(addr), same(s.getsockname(), addr), "pid=%d" % os.getpid())
    if kind == "dgram":
        while True:
            data, _ = s.recvfrom(100)
            say("received", data.decode())
    s.listen(8)
    while True:
        c, _ = s.accept()
        line = c.makefile("rb").readline()
        c.sendall(b"echo " + line)
        say("accepted", same(c.getsockname(), addr))
        c.close()

def client(kind, name, n, message, tail=""):
    addr = address(name, n, tail)
    try:
        if kind == "dgram":
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
                c.sendto(message.encode(), addr)
            say("sent")
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.connect(addr)
            say("peer", len(addr), same(c.getpeername(), addr))
            c.sendall(message.encode() + b"\n")
            reply = c.makefile("rb").readline()
    except OSError as e:
        say("error", errno.errorcode.get(e.errno, e.errno))
        sys.exit(3)
    say("reply", reply.decode().rstrip("\n") if reply else "(eof)")

def inherit(kind, name, n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(address(name, n))
    s.listen(1)
    s.set_inheritable(True)
    os.execv(sys.executable,
        [sys.executable, __file__, "sockname-%d" % s.fileno(), name])

def sockname(fd, name):
    got = socket.socket(fileno=int(fd)).getsockname()
    say("inherited", len(got), same(got, address(name, 0)))

role, kind = sys.argv[1].split("-")
{"server": server, "client": client, "inherit": inherit,
    "sockname": sockname}[role](kind, *sys.argv[2:])
