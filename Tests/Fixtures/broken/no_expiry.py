"""A planted bug: a key-value server that accepts TTLs and ignores them.

It speaks RESP and answers the stage 5 commands, but keys never expire:
SET's EX/PX options and EXPIRE are accepted and forgotten. stage-tester must
fail it at stage 6 with an expiry hint.
Usage: python3 no_expiry.py PORT
"""
import socketserver
import sys

store = {}


def encode(value):
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, bytes):
        return b"$%d\r\n%s\r\n" % (len(value), value)
    return value  # already encoded


def execute(args):
    name = args[0].upper()
    if name == b"PING":
        return b"+PONG\r\n" if len(args) == 1 else args[1]
    if name == b"ECHO":
        return args[1]
    if name == b"SET":
        store[args[1]] = args[2]  # the bug: EX, PX, EXAT and PXAT are ignored
        return b"+OK\r\n"
    if name == b"GET":
        return store.get(args[1])
    if name == b"DEL":
        return sum(1 for key in set(args[1:]) if store.pop(key, None) is not None)
    if name == b"EXISTS":
        return sum(1 for key in args[1:] if key in store)
    if name == b"DBSIZE":
        return len(store)
    if name == b"FLUSHALL":
        store.clear()
        return b"+OK\r\n"
    if name == b"EXPIRE" or name == b"PEXPIRE":
        return 1 if args[1] in store else 0  # the bug: the TTL is forgotten
    if name == b"TTL" or name == b"PTTL":
        return -1 if args[1] in store else -2
    return b"-ERR unknown command\r\n"


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        buffer = b""
        while data := self.request.recv(65536):
            buffer += data
            replies = b""
            while True:
                command, buffer = parse(buffer)
                if command is None:
                    break
                replies += encode(execute(command))
            self.request.sendall(replies)


def parse(buffer):
    """One multibulk command from the front of buffer, or (None, buffer)."""
    if not buffer.startswith(b"*") or b"\r\n" not in buffer:
        return None, buffer
    header, rest = buffer.split(b"\r\n", 1)
    args = []
    for _ in range(int(header[1:])):
        if b"\r\n" not in rest:
            return None, buffer
        length_line, rest = rest.split(b"\r\n", 1)
        length = int(length_line[1:])
        if len(rest) < length + 2:
            return None, buffer
        args.append(rest[:length])
        rest = rest[length + 2:]
    return args, rest


socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
