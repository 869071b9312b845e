"""A planted bug: a key-value server that accepts TTLs and ignores them.

It speaks RESP and answers the stage 5 commands, but keys never expire:
SET's EX/PX options and EXPIRE are accepted and forgotten. stage-tester must
fail it at stage 6 with an expiry hint.
Usage: python3 no_expiry.py PORT
"""
import socketserver
import sys

store = {}


class Raw(bytes):
    """A reply that is already encoded (a simple string or an error)."""


def encode(value):
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, Raw):
        return bytes(value)
    return b"$%d\r\n%s\r\n" % (len(value), value)


def execute(args):
    name = args[0].upper()
    if name == b"PING":
        return Raw(b"+PONG\r\n") if len(args) == 1 else args[1]
    if name == b"ECHO":
        return args[1]
    if name == b"SET":
        store[args[1]] = args[2]  # the bug: EX, PX, EXAT and PXAT are ignored
        return Raw(b"+OK\r\n")
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
        return Raw(b"+OK\r\n")
    if name == b"EXPIRE" or name == b"PEXPIRE":
        return 1 if args[1] in store else 0  # the bug: the TTL is forgotten
    if name == b"TTL" or name == b"PTTL":
        return -1 if args[1] in store else -2
    return Raw(b"-ERR unknown command\r\n")


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        buffer = b""
        while data := self.request.recv(65536):
            buffer += data
            replies = []
            position = 0
            while True:
                command, position = parse(buffer, position)
                if command is None:
                    break
                replies.append(encode(execute(command)))
            buffer = buffer[position:]
            self.request.sendall(b"".join(replies))


def parse(buffer, position):
    """One multibulk command at buffer[position:]: (args, new position), or (None, position)."""
    start = position
    if buffer[position:position + 1] != b"*":
        return None, start
    end = buffer.find(b"\r\n", position)
    if end < 0:
        return None, start
    count = int(buffer[position + 1:end])
    position = end + 2
    args = []
    for _ in range(count):
        end = buffer.find(b"\r\n", position)
        if end < 0:
            return None, start
        length = int(buffer[position + 1:end])
        position = end + 2
        if len(buffer) < position + length + 2:
            return None, start
        args.append(buffer[position:position + length])
        position += length + 2
    return args, position


socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
