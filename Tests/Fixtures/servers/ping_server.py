import socketserver, sys
class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        pending = b""
        while data := self.request.recv(4096):
            pending += data
            count = pending.upper().count(b"PING")
            self.request.sendall(b"+PONG\r\n" * count)
            pending = pending[pending.upper().rfind(b"PING") + 4:] if count else pending
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
