#!/usr/bin/python3
# The client half: connect to @NAME, send MESSAGE, print the reply line.
# Any socket error is printed as "error ERRNO-NAME" with exit status 3.
# Usage: py-echo-client.py NAME MESSAGE
import errno
import socket
import sys

name, message = sys.argv[1], sys.argv[2]
try:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect("\0" + name)
        client.sendall(message.encode() + b"\n")
        reply = client.makefile("rb").readline()
except OSError as e:
    print("error", errno.errorcode.get(e.errno, e.errno), flush=True)
    sys.exit(3)
print("reply", reply.decode().rstrip("\n") if reply else "(eof)", flush=True)
