#!/usr/bin/python3
# An ordinary abstract-socket server written with python3's standard
# socketserver module, with nothing of capwrap in it: bind @NAME, listen,
# and answer each line of each connection with "echo LINE".
# Usage: py-echo-server.py NAME
import socketserver
import sys


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(b"echo " + line)
            self.wfile.flush()


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


with Server("\0" + sys.argv[1], Echo) as server:
    print("listening on", repr(server.socket.getsockname()), flush=True)
    server.serve_forever()
