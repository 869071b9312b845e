"""A planted bug: ECHO (and PING <message>) reply +hey, a simple string, not $3 hey.

Everything else of stage 3 is right: RESP and inline parsing, case-insensitive
names, arity and unknown-command errors, protocol errors. The one mistake
fails eight scenarios; stage-tester must name it in the first failure
("a simple string came back where a bulk string was expected").
Usage: python3 echo_simple_string.py PORT
"""
import re
import socketserver
import sys

NUMBER = re.compile(rb"-?[0-9]+\Z")


class ProtocolError(Exception):
    pass


def simple(text):
    return b"+" + text + b"\r\n"


def error(text):
    return b"-" + text + b"\r\n"


def execute(args):
    name = args[0].lower()
    if name == b"ping" and len(args) <= 2:
        return simple(b"PONG") if len(args) == 1 else simple(args[1])  # the bug: a simple string
    if name == b"echo" and len(args) == 2:
        return simple(args[1])  # the bug: should be b"$%d\r\n%s\r\n" % (len(args[1]), args[1])
    if name in (b"ping", b"echo"):
        return error(b"ERR wrong number of arguments for '%s' command" % name)
    quoted = b"".join(b"'" + arg + b"' " for arg in args[1:])
    return error(b"ERR unknown command '%s', with args beginning with: %s" % (args[0], quoted))


def number(text, message):
    if not NUMBER.match(text):
        raise ProtocolError(message)
    return int(text)


def parse_multibulk(buffer, position):
    """One *-command at buffer[position:]: (args or None to skip, new position), or (None, None) if incomplete."""
    end = buffer.find(b"\r\n", position)
    if end < 0:
        return None, None
    count = number(buffer[position + 1:end], b"invalid multibulk length")
    if count > 2**31 - 1:
        raise ProtocolError(b"invalid multibulk length")
    position = end + 2
    args = []
    for _ in range(max(count, 0)):
        if position >= len(buffer):
            return None, None
        if buffer[position:position + 1] != b"$":
            raise ProtocolError(b"expected '$', got '%s'" % buffer[position:position + 1])
        end = buffer.find(b"\r\n", position)
        if end < 0:
            return None, None
        length = number(buffer[position + 1:end], b"invalid bulk length")
        if length < 0 or length > 512 * 1024 * 1024:
            raise ProtocolError(b"invalid bulk length")
        position = end + 2
        if len(buffer) < position + length + 2:
            return None, None
        args.append(buffer[position:position + length])
        position += length + 2
    return (args or None), position


ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"a": b"\a"}


def split_inline(line):
    """Redis's sdssplitargs: words, double quotes with escapes, single quotes."""
    words, i = [], 0
    while True:
        while i < len(line) and line[i:i + 1].isspace():
            i += 1
        if i >= len(line):
            return words
        word, quote = b"", None
        while True:
            c = line[i:i + 1]
            if quote == b'"':
                if not c:
                    raise ProtocolError(b"unbalanced quotes in request")
                if c == b"\\" and line[i + 1:i + 2] == b"x" and re.match(rb"[0-9a-fA-F]{2}", line[i + 2:i + 4]):
                    word += bytes([int(line[i + 2:i + 4], 16)])
                    i += 3
                elif c == b"\\" and i + 1 < len(line):
                    i += 1
                    word += ESCAPES.get(line[i:i + 1], line[i:i + 1])
                elif c == b'"':
                    if line[i + 1:i + 2] and not line[i + 1:i + 2].isspace():
                        raise ProtocolError(b"unbalanced quotes in request")
                    quote = None
                    i += 1
                    break
                else:
                    word += c
            elif quote == b"'":
                if not c:
                    raise ProtocolError(b"unbalanced quotes in request")
                if c == b"\\" and line[i + 1:i + 2] == b"'":
                    word += b"'"
                    i += 1
                elif c == b"'":
                    if line[i + 1:i + 2] and not line[i + 1:i + 2].isspace():
                        raise ProtocolError(b"unbalanced quotes in request")
                    quote = None
                    i += 1
                    break
                else:
                    word += c
            else:
                if not c or c.isspace():
                    break
                if c in (b'"', b"'"):
                    quote = c
                else:
                    word += c
            i += 1
        words.append(word)


def parse(buffer, position):
    """One command at buffer[position:]: (args or None to skip, new position), or (None, None) if incomplete."""
    if buffer[position:position + 1] == b"*":
        return parse_multibulk(buffer, position)
    end = buffer.find(b"\n", position)
    if end < 0:
        if len(buffer) - position > 64 * 1024:
            raise ProtocolError(b"too big inline request")
        return None, None
    line = buffer[position:end].rstrip(b"\r")
    return (split_inline(line) or None), end + 1


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        buffer = b""
        while data := self.request.recv(65536):
            buffer += data
            replies, position = [], 0
            try:
                while position < len(buffer):
                    args, after = parse(buffer, position)
                    if after is None:
                        break
                    position = after
                    if args:
                        replies.append(execute(args))
            except ProtocolError as problem:
                self.request.sendall(b"".join(replies) + error(b"ERR Protocol error: " + problem.args[0]))
                return
            buffer = buffer[position:]
            self.request.sendall(b"".join(replies))


socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
