"""Planted bugs for `stage-tester --diff`: real Redis with one bug in front.

Each broken server (set_nx_overwrites.py, del_counts_duplicates.py,
error_without_trailing_space.py, ignores_px.py) is this proxy with one hook:
it starts its own redis-server on a free port, forwards every command to it,
and changes one thing in a command or its reply. Everything else is Redis,
byte for byte, so the differential fuzzer can only find the planted bug, and
must shrink it to the few commands that show it.

Hooks:
  rewrite(args) -> list of commands to send instead (each a list of bytes)
                   and which of their replies to return (an index).
  reply(args, raw) -> the reply bytes to send back.
Usage (from a script): planted_proxy.serve(rewrite=..., reply=...)
"""
import atexit
import os
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis():
    """A redis-server on a free port in a temporary directory; stopped at exit."""
    port = free_port()
    directory = tempfile.mkdtemp(prefix="planted-redis-")
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(*_):
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
        os._exit(0)

    atexit.register(lambda: process.terminate())
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            return port
        except OSError:
            time.sleep(0.02)
    sys.exit("planted_proxy: redis-server did not start")


def read_request(stream):
    """One request from the client: (args, raw bytes). args is None for an
    inline line with quotes (forwarded as it is, never rewritten)."""
    line = stream.readline()
    if not line:
        return None, None
    if not line.startswith(b"*"):
        words = line.strip().split()
        return (None if b'"' in line or b"'" in line else words), line
    raw = line
    args = []
    for _ in range(int(line[1:])):
        header = stream.readline()
        length = int(header[1:])
        body = stream.read(length + 2)
        raw += header + body
        args.append(body[:-2])
    return args, raw


def read_reply(stream):
    """One whole RESP reply from Redis, as bytes (RESP2 and RESP3)."""
    line = stream.readline()
    kind = line[:1]
    if kind in (b"$", b"=", b"!"):
        length = int(line[1:])
        return line if length < 0 else line + stream.read(length + 2)
    if kind in (b"*", b"~", b">", b"%", b"|"):
        count = int(line[1:])
        if kind in (b"%", b"|"):
            count *= 2
        return line + b"".join(read_reply(stream) for _ in range(max(count, 0)))
    return line


def encode(args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def serve(rewrite=None, reply=None):
    backend_port = start_redis()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            backend = socket.create_connection(("127.0.0.1", backend_port))
            backend_in = backend.makefile("rb")
            while True:
                try:
                    args, raw = read_request(self.rfile)
                except (ValueError, OSError):
                    return
                if raw is None:
                    return
                if args is not None and not raw.strip():
                    continue  # an empty inline line: Redis does not answer it
                commands, chosen = ([raw], 0)
                if args is not None and args and rewrite is not None:
                    rewritten = rewrite(args)
                    if rewritten is not None:
                        commands = [encode(c) for c in rewritten[0]]
                        chosen = rewritten[1]
                backend.sendall(b"".join(commands))
                replies = [read_reply(backend_in) for _ in commands]
                if not replies[chosen]:
                    return  # Redis closed the connection (a protocol error)
                out = replies[chosen]
                if reply is not None and args:
                    out = reply(args, out)
                self.wfile.write(out)
                self.wfile.flush()

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
