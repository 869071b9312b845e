"""A planted bug: replies +PONG once per read, not once per command.

stage-tester must fail it at stage 2 with the "once per read" hint.
Usage: python3 once_per_read.py PORT
"""
import socketserver
import sys


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        while self.request.recv(4096):
            self.request.sendall(b"+PONG\r\n")


socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
