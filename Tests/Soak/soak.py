#!/usr/bin/env python3
"""Soak test: many clients hammer one server for a while; no write may be lost.

    python3 Tests/Soak/soak.py                          # the newest stage, 60 s (what `make soak` runs)
    python3 Tests/Soak/soak.py --seconds 30 --seed 7    # shorter, and the same workload as a past run
    python3 Tests/Soak/soak.py --server "redis-server --port {port} --save '' --appendonly no"

What it does, in order:

1. starts the server on a free loopback port: by default the newest stage's
   release binary, .build/release/StageNN (built with `swift build -c release
   --product StageNN` only if it is missing); `--server-binary PATH` names
   another binary (started with `--port N`), and `--server 'cmd {port}'` runs
   any command, real redis-server included;
2. opens CLIENTS connections (default 200), one thread each. Every client
   owns KEYS keys of its own (soak:CLIENT:K, some padded to 16, 17, 33 or 100
   bytes: servers often store short keys differently) and, for SECONDS, sends a
   random mix of SET (a quarter of them with PX 50-500 ms), GET, DEL,
   EXPIRE/PEXPIRE, and pipelined batches of 10-50 such commands sent in one
   write. Values run from a few bytes to 64 KB, and now and then 1 MB; each
   starts with the client, key and write number (c3:k17:w912:), so a wrong
   value tells which write it was;
3. checks every reply against the client's model of its keys: the value last
   written, or deleted. A key with a TTL holds a window, not an instant: the
   server fixed its deadline some time between our sending the command and
   reading the reply, so a read whose own window overlaps that deadline may
   legitimately see the value or nothing: that check is lenient (counted).
   Everything else is strict: an acknowledged write that reads back as
   missing or as another value is a LOST WRITE; a deleted or surely expired
   key that reads back is a STALE READ;
4. when the server has lists (it answers LLEN; stage 7 on), a fifth of the
   commands drawn are list commands on --lists (4) shared lists: RPUSH of 1-3
   tokens, each unique (t<client>.<number>.<list>, some padded), LPOP with and
   without a count, and BLPOP of one or two lists with a short timeout (0.05 to
   0.2 s). Every token popped must be one we pushed, to that list, and one
   producer's tokens must come out in the order it pushed them. Every 5-15 s
   each client also abandons a wait: it sends BLPOP (timeout 0 or 30 s) on a
   side connection to a list of its own, closes that connection 50 ms later
   (an orderly close or a reset), waits 200 ms, pushes a token to that list
   and pops it: a server that still counts the closed connection as waiting
   hands it the token, and the pop finds nothing;
5. when the server has transactions (it answers MULTI; stage 8 on), a few
   more clients (--tx-clients, 4) add 1 to --counters (4) shared counters
   (soak:counter:0 to 3) in transactions, as fast as they can: WATCH, GET,
   then MULTI, SET to one more, EXEC, retried when EXEC replies nil (another
   client won the race); or MULTI, INCR, GET, EXEC, where the GET must read
   what the INCR wrote. Each client counts its successful EXECs per counter.
   Every 5-15 s each of them also leaves a transaction open on a side
   connection (WATCH, MULTI, INCR of a counter) and closes it: that INCR must
   never run;
6. after SECONDS, every client re-reads all its keys (one pipelined batch)
   and checks them the same way; the shared lists are read once more
   (LRANGE 0 -1), and every acknowledged push must have been popped exactly
   once or still be there: none lost, none duplicated; each counter must
   equal the number of successful EXECs that added to it: less is a LOST
   UPDATE (an EXEC ran although its watched counter had changed), more an
   update that ran twice or from an abandoned transaction;
7. compares the server's resident memory (VmRSS) at the end with its value
   after a warm-up (20% of the run, at least 5 s), while the load runs both
   times.

Why the memory bound is generous: the key set is bounded by design
(CLIENTS x KEYS keys, each overwritten again and again), so memory should
plateau once every key has been written. What still moves is noise: how
many 1 MB values happen to be stored at that instant (a few, each 1 MB),
the buffers of 200 connections (up to 64 KB each that a server may keep),
and the allocator keeping freed pages and fragmenting around big values.
That is tens of MB at most (redis-server itself swings by 40 MB here). A
leak grows with the work done instead: here, about 150,000 writes every ten
seconds, of 2 KB on average, so leaking values, or even a few hundred bytes
per command, adds hundreds of MB. So the run fails only when the drift is
both above --max-drift-mb (64) and above --max-drift-percent (50%) of the
warm-up figure: either alone is easily reached by noise on a small or a
large heap.

Every socket read and write waits at most --timeout seconds (a hang becomes
an error, not a stuck soak), and the whole run has a global deadline,
SECONDS + 3 x timeout + 30 s; the server is stopped on every way out.
Standard library only; RSS needs Linux (/proc), elsewhere it is reported as
unavailable and not checked.

Exit status: 0 when every check passed; 1 when a write was lost, a read was
stale, a token was lost, duplicated, unknown, out of order or taken by a
closed connection's BLPOP, a counter did not match its successful EXECs, any command failed (error reply, protocol error, timeout, closed
connection), the server died or did not start, the build failed, memory
drifted past the bound, or the run passed its deadline; 2 for a usage
error; 130 on Ctrl-C.
"""

import argparse
import random
import re
import select
import shlex
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Starting, watching and stopping the server, and HOST (127.0.0.1, loopback only)
# come from Tests/Tools/serverprocess.py, shared with Tests/Benchmarks/bench.py.
sys.path.insert(0, str(ROOT / "Tests" / "Tools"))
from serverprocess import HOST, ServerProcess, newest_stage  # noqa: E402 (needs the line above)
WORK_DIR = ROOT / ".build" / "soak"  # the server's log, kept when the run fails

MB = 1024 * 1024
MAX_VALUE = 1 * MB
# The server rounds "now" to milliseconds and may read a coarse clock:
# deadlines closer than this to a read are treated as uncertain.
CLOCK_MARGIN = 0.010  # s
MAX_REPORTED = 5  # lost writes, stale reads and errors printed in full


class SoakError(Exception):
    """A failure that ends the run at once with a clear message (exit status 1)."""


class ConnectionFailed(Exception):
    """The connection is unusable: closed, timed out, or the bytes were not RESP."""


class ErrorReply:
    """A -ERR ... reply; a value, not an exception, so a pipeline reads on past it."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return f"-{self.text}"


# ---------------------------------------------------------------------------
# RESP over a socket, with a timeout on every wait
# ---------------------------------------------------------------------------

def encode(args):
    """One command as a RESP array of bulk strings: *2 $3 GET $3 key."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        parts.append(b"$%d\r\n" % len(arg))
        parts.append(arg)
        parts.append(b"\r\n")
    return b"".join(parts)


class Connection:
    """A RESP2 client connection: non-blocking socket, incremental reply reader.

    Replies: simple strings are `str`, bulk strings `bytes`, integers `int`,
    nil `None`, arrays `list`, errors `ErrorReply`.

    `send` keeps reading while it writes. A pipelined batch can be big (a few
    1 MB values) and its replies can be big too (GETs of 1 MB values); a client
    that only wrote until done could deadlock with a server that stops reading
    while its replies are not taken. Replies read early wait in the buffer.
    """

    MAX_LINE = 64 * 1024  # a header line longer than this is not RESP

    def __init__(self, port, timeout):
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.poller = select.poll()  # not select(): no FD_SETSIZE limit
        self.poller.register(self.sock, select.POLLIN | select.POLLOUT)
        self.buffer = bytearray()
        self.position = 0  # where the unread replies start in buffer

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _wait(self, want_write):
        """Wait until the socket is readable (or writable): at most `timeout` s."""
        self.poller.modify(self.sock, select.POLLIN | (select.POLLOUT if want_write else 0))
        events = self.poller.poll(self.timeout * 1000)
        if not events:
            raise ConnectionFailed(f"no progress for {self.timeout:g} s "
                                   f"({'writing a request' if want_write else 'waiting for a reply'})")
        return events[0][1]

    def _receive(self):
        """Append what has arrived to the buffer (the socket said it was readable)."""
        try:
            data = self.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            raise ConnectionFailed(f"recv failed: {error}") from None
        if not data:
            raise ConnectionFailed("the server closed the connection")
        self.buffer += data

    def send(self, data):
        """Write all of `data`, reading replies into the buffer meanwhile."""
        view = memoryview(data)
        sent = 0
        while sent < len(view):
            events = self._wait(want_write=True)
            if events & select.POLLIN:
                self._receive()
            if events & (select.POLLOUT | select.POLLERR | select.POLLHUP):
                try:
                    sent += self.sock.send(view[sent:sent + MB])
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as error:
                    raise ConnectionFailed(f"send failed: {error}") from None

    def read_reply(self):
        """The next reply, reading more bytes as needed."""
        while True:
            parsed = self._parse(self.position)
            if parsed is not None:
                value, self.position = parsed
                if self.position == len(self.buffer):
                    self.buffer.clear()
                    self.position = 0
                elif self.position > 4 * MB:
                    del self.buffer[:self.position]
                    self.position = 0
                return value
            events = self._wait(want_write=False)
            if events & (select.POLLIN | select.POLLERR | select.POLLHUP):
                self._receive()

    def _parse(self, start):
        """Parse one reply at `start`: (value, end) or None if it has not all arrived."""
        buffer = self.buffer
        line_end = buffer.find(b"\r\n", start)
        if line_end < 0:
            if len(buffer) - start > self.MAX_LINE:
                raise ConnectionFailed(f"protocol error: no CRLF in {len(buffer) - start} bytes")
            return None
        kind, line = buffer[start:start + 1], bytes(buffer[start + 1:line_end])
        after = line_end + 2
        if kind == b"+":
            return line.decode(errors="replace"), after
        if kind == b"-":
            return ErrorReply(line.decode(errors="replace")), after
        if kind in (b":", b"$", b"*"):
            if not re.fullmatch(rb"-?[0-9]+", line):
                raise ConnectionFailed(f"protocol error: bad number in {bytes(buffer[start:line_end + 2])!r}")
            number = int(line)
            if kind == b":":
                return number, after
            if number == -1:
                return None, after
            if number < -1:
                raise ConnectionFailed(f"protocol error: negative length in {bytes(buffer[start:after])!r}")
            if kind == b"$":
                if len(buffer) < after + number + 2:
                    return None
                if buffer[after + number:after + number + 2] != b"\r\n":
                    raise ConnectionFailed(f"protocol error: a {number}-byte bulk string does not end in CRLF")
                return bytes(buffer[after:after + number]), after + number + 2
            items = []
            for _ in range(number):
                parsed = self._parse(after)
                if parsed is None:
                    return None
                item, after = parsed
                items.append(item)
            return items, after
        raise ConnectionFailed(f"protocol error: unexpected reply {bytes(buffer[start:line_end + 2])[:80]!r}")

    def call(self, *args):
        """Send one command, return its reply."""
        self.send(encode(args))
        return self.read_reply()


# ---------------------------------------------------------------------------
# Values that say which write they came from
# ---------------------------------------------------------------------------

class Values:
    """Builds values from a header (c3:k17:w912:) and a slice of random filler.

    A model keeps only (write number, size) per key and rebuilds the expected
    bytes when it checks a read: 6,400 keys times 1 MB would not fit otherwise.
    The filler is random bytes, CR LF and NUL included, so the server must be
    binary-safe.
    """

    HEADER = re.compile(rb"^c(\d+):k(\d+):w(\d+):")

    def __init__(self, seed):
        self.filler = random.Random(seed).randbytes(MAX_VALUE + 256)

    def make(self, client, key, write, size):
        header = b"c%d:k%d:w%d:" % (client, key, write)
        filler_size = max(0, size - len(header))
        offset = write % 251  # two writes of the same size differ past the header too
        return header + self.filler[offset:offset + filler_size]

    def describe(self, value, client=None, key=None):
        """A readable name for a value read back: which write it was, and if intact."""
        if value is None:
            return "nil (no such key)"
        if not isinstance(value, bytes):
            return repr(value)
        match = self.HEADER.match(value)
        if not match:
            return f"{len(value):,} bytes that no write of ours made: {value[:40]!r}"
        c, k, w = (int(group) for group in match.groups())
        whose = "" if (c, k) == (client, key) else f" of client {c} key {k}"
        intact = value == self.make(c, k, w, len(value))
        return f"write #{w}{whose} ({len(value):,} bytes{'' if intact else ', CORRUPTED after the header'})"


# Key lengths, in turn: as they come (soak:3:15, 9 bytes), then padded to each
# side of 16 bytes and to longer ones; short keys are often kept inline.
KEY_LENGTHS = (0, 16, 17, 33, 100)


def key_name(client, k):
    """Client `client`'s key number `k`: unique, and of varied length."""
    name = b"soak:%d:%d" % (client, k)
    length = KEY_LENGTHS[k % len(KEY_LENGTHS)]
    return name if length <= len(name) + 1 else name + b":" + b"." * (length - len(name) - 1)


def value_size(rng):
    """Mostly small values; a few up to 64 KB; once in a thousand writes, 1 MB."""
    r = rng.random()
    if r < 0.001:
        return MAX_VALUE
    if r < 0.02:
        return rng.randint(4096, 64 * 1024)
    if r < 0.15:
        return rng.randint(100, 4096)
    return rng.randint(1, 100)  # below the header's length, the value is just the header


# ---------------------------------------------------------------------------
# Lists: unique tokens through a few shared lists
# ---------------------------------------------------------------------------

LIST_SHARE = 0.2  # of the commands drawn, when the server has lists
BLPOP_TIMEOUTS = (b"0.05", b"0.1", b"0.2")  # s: short, so that a wait never stalls a client for long
# An abandoned wait: BLPOP on a side connection, closed after ABANDON_WAIT;
# after ABANDON_SETTLE more (far longer than a server takes to see a closed
# socket, even under this load) the client pushes to that list itself.
ABANDON_WAIT = 0.05  # s
ABANDON_SETTLE = 0.2  # s
ABANDON_EVERY = (5.0, 15.0)  # s between two abandoned waits of one client (uniform)
# Token padding, chosen by the token's numbers: most tokens are short, some
# longer, so that lists hold elements of several sizes.
TOKEN_PADDING = (0, 0, 0, 0, 12, 40, 100, 290)
TOKEN = re.compile(rb"^t(\d+)\.(\d+)\.(\d+)(?:\|(x*))?$")


def list_name(index):
    """Shared list number `index`: every client pushes to and pops from each."""
    return b"soak:list:%d" % index


def token_id(client, seq):
    """One int per token (sets of a few hundred thousand of them stay small)."""
    return client << 32 | seq


def describe_token(ident):
    return f"t{ident >> 32}.{ident & 0xFFFFFFFF}"


def make_token(client, seq, list_index):
    """Token `seq` of `client`, pushed to list `list_index`: t3.912.1, padded with |xxx or not."""
    token = b"t%d.%d.%d" % (client, seq, list_index)
    padding = TOKEN_PADDING[(client * 7919 + seq) % len(TOKEN_PADDING)]
    return token + b"|" + b"x" * padding if padding else token


def parse_token(value):
    """(client, seq, list index) of a token made by make_token, or None for anything else."""
    match = TOKEN.match(value) if isinstance(value, bytes) else None
    if not match:
        return None
    client, seq, list_index = (int(group) for group in match.groups()[:3])
    return (client, seq, list_index) if value == make_token(client, seq, list_index) else None


# ---------------------------------------------------------------------------
# One client: its keys, its model of them, its load
# ---------------------------------------------------------------------------

class KeyState:
    """What the model knows of one key.

    kind "absent": never written, deleted, or found missing (`why` says which).
    kind "value":  holds write #write (size bytes); if it has a TTL, the
                   server's deadline lies somewhere in [expires_from, expires_to]
                   (Unix seconds).
    kind "unknown": a check already failed on this key; accept anything until
                   the next SET or DEL, so one fault is reported once.
    """

    __slots__ = ("kind", "write", "size", "expires_from", "expires_to", "why")

    def __init__(self, kind="absent", write=0, size=0, expires_from=None, expires_to=None,
                 why="never written"):
        self.kind, self.write, self.size = kind, write, size
        self.expires_from, self.expires_to = expires_from, expires_to
        self.why = why  # for "absent": deleted, or found missing, and when

    def status(self, sent, received):
        """For a command the server ran between `sent` and `received`:
        "absent", "alive", "uncertain" (the TTL may or may not have run out) or "unknown"."""
        if self.kind != "value":
            return self.kind
        if self.expires_from is None or received + CLOCK_MARGIN < self.expires_from:
            return "alive"
        if sent - CLOCK_MARGIN > self.expires_to:
            return "absent"
        return "uncertain"


class Client(threading.Thread):
    """One connection, its own keys, a model of them, and a random command mix."""

    def __init__(self, index, connection, args, values, clock, lists=0):
        super().__init__(name=f"soak-client-{index}", daemon=True)
        self.index = index
        self.connection = connection
        self.values = values
        self.clock = clock            # the shared start signal and times, set by the main thread
        self.run_start = 0.0          # time.time() at the start, for "at 12.345 s" in reports
        self.rng = random.Random(args.seed * 1_000_000 + index)
        self.keys = [key_name(index, k) for k in range(args.keys)]
        self.model = [KeyState() for _ in self.keys]
        self.writes = 0               # SETs sent: each value names its write number
        self.bytes_written = 0
        self.big_writes = 0           # values of 1 MB
        self.phase = "load"
        # Results, read by the main thread (plain ints and lists: safe under the GIL).
        self.commands = 0
        self.uncertain = 0            # lenient checks: a TTL might just have run out
        self.verified = 0             # keys checked strictly by the final pass
        # Each a list of (when, report line), so the main thread can print the earliest.
        self.errors = []              # error replies, protocol errors, timeouts
        self.lost = []                # acknowledged writes not read back
        self.stale = []               # deleted or expired keys read back
        self.finished = False
        self.broken = False           # the connection failed: no more commands
        # Lists (when the server has them): `lists` shared lists, and this
        # client's own list for abandoned waits.
        self.lists = lists
        self.timeout = args.timeout
        self.token_seq = 0            # tokens made: each names its client and number
        self.acked = set()            # token ids whose RPUSH was acknowledged
        self.unacked = set()          # sent, but no integer reply (yet): may or may not be in a list
        self.popped = []              # token ids this client popped: over all clients, each at most once
        self.last_popped = {}         # (producer, list) -> the highest seq this client popped from it
        self.list_pops = {"LPOP": 0, "BLPOP": 0}
        self.blpop_timeouts = 0
        self.misplaced = []           # popped bytes no RPUSH made, or a token from another list
        self.disorder = []            # one producer's tokens popped out of the order it pushed them
        self.abandons = 0
        self.consumed = []            # tokens a closed connection's BLPOP took
        self.next_abandon = None      # time.monotonic() of the next abandoned wait

    # -- the command mix ----------------------------------------------------

    def random_command(self):
        """One random command: (bytes to send, what the checker needs to know)."""
        rng = self.rng
        if self.lists and rng.random() < LIST_SHARE:
            return self.random_list_command()
        k = rng.randrange(len(self.keys))
        key = self.keys[k]
        r = rng.random()
        if r < 0.36:
            self.writes += 1
            size = value_size(rng)
            value = self.values.make(self.index, k, self.writes, size)
            self.bytes_written += len(value)
            self.big_writes += len(value) >= MAX_VALUE
            ttl = rng.randint(50, 500) if rng.random() < 0.25 else None
            args = [b"SET", key, value] + ([b"PX", b"%d" % ttl] if ttl else [])
            return encode(args), ("SET", k, (self.writes, len(value), ttl and ttl / 1000))
        if r < 0.72:
            return encode([b"GET", key]), ("GET", k, None)
        if r < 0.84:
            return encode([b"DEL", key]), ("DEL", k, None)
        if rng.random() < 0.5:
            ttl = rng.randint(50, 500)
            return encode([b"PEXPIRE", key, b"%d" % ttl]), ("PEXPIRE", k, ttl / 1000)
        ttl = rng.randint(1, 2)
        return encode([b"EXPIRE", key, b"%d" % ttl]), ("EXPIRE", k, float(ttl))

    def random_list_command(self):
        """RPUSH of 1-3 new tokens, LPOP (with a count or not) or BLPOP of one or two shared lists.

        More pops than pushes are drawn (in tokens: about 0.5 pushed for up to
        0.8 popped per list command), so the lists stay short and a BLPOP
        often waits, to be served by another client's push or to time out.
        """
        rng = self.rng
        index = rng.randrange(self.lists)
        r = rng.random()
        if r < 0.35:
            ids, tokens = [], []
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                self.token_seq += 1
                ids.append(token_id(self.index, self.token_seq))
                tokens.append(make_token(self.index, self.token_seq, index))
            self.unacked.update(ids)
            return encode([b"RPUSH", list_name(index), *tokens]), ("RPUSH", None, (index, ids))
        if r < 0.70:
            count = rng.choice((None, None, 1, 2, 3))
            return (encode([b"LPOP", list_name(index)] + ([] if count is None else [b"%d" % count])),
                    ("LPOP", None, (index, count)))
        indexes = rng.sample(range(self.lists), min(self.lists, rng.choice((1, 1, 2))))
        return (encode([b"BLPOP", *(list_name(i) for i in indexes), rng.choice(BLPOP_TIMEOUTS)]),
                ("BLPOP", None, (indexes, None)))

    def abandon_wait(self):
        """BLPOP on a side connection, closed while it waits; then push to that list and pop it.

        The list is this client's own, empty, and nobody else pushes to it,
        so the side connection's BLPOP can only be waiting when it closes.
        A server that still counts the closed connection as waiting hands it
        the token (which then goes nowhere): our LPOP finds nothing.
        """
        rng = self.rng
        key = b"soak:abandon:%d" % self.index
        side = socket.create_connection((HOST, self.connection.port), timeout=self.timeout)
        try:
            side.sendall(encode([b"BLPOP", key, rng.choice((b"0", b"30"))]))  # 0: wait forever
            time.sleep(ABANDON_WAIT)
            if rng.random() < 0.5:  # half of them reset (RST) instead of an orderly close (FIN)
                side.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finally:
            side.close()
        time.sleep(ABANDON_SETTLE)
        self.abandons += 1
        token = b"abandoned:%d:%d" % (self.index, self.abandons)
        sent = time.time()
        self.connection.send(encode([b"RPUSH", key, token]) + encode([b"LPOP", key]))
        pushed, popped = self.connection.read_reply(), self.connection.read_reply()
        if pushed != 1 or popped != token:
            self.consumed.append((sent, f"client {self.index} list {key.decode()} (at {self.at(sent)}): a BLPOP "
                                        f"was closed {ABANDON_SETTLE:g} s before; RPUSH answered {pushed!r}, "
                                        f"then LPOP {'nil' if popped is None else repr(popped)[:60]} instead of {token!r}"))

    def run_commands(self, commands):
        """Send the commands in one write, then read and check every reply in order."""
        sent = time.time()
        self.connection.send(b"".join(data for data, _ in commands))
        for _, command in commands:
            reply = self.connection.read_reply()
            self.check(command, reply, sent, time.time())
            if self.phase == "load":
                self.commands += 1

    # -- checking replies against the model -----------------------------------

    def at(self, unix_time):
        """A time as seconds since the run started, for the reports."""
        return f"{unix_time - self.run_start:.3f} s"

    def note(self, kind, command, expected, received, sent):
        name, k, _ = command
        entry = (f"client {self.index} key {self.keys[k].decode()} ({self.phase}, {name} sent at "
                 f"{self.at(sent)}): expected {expected}; received {received}")
        {"lost": self.lost, "stale": self.stale, "error": self.errors}[kind].append((sent, entry))

    def holds(self, state):
        """What a key holds, for a report: "write #12 (40 bytes, no TTL)"."""
        ttl = ("no TTL" if state.expires_from is None else
               f"TTL ends between {self.at(state.expires_from)} and {self.at(state.expires_to)}")
        return f"write #{state.write} ({state.size:,} bytes, {ttl})"

    def gone(self, state):
        """Why a key should not exist, for a report."""
        if state.kind == "value":  # its TTL ran out
            return f"{self.holds(state)} expired"
        return state.why

    def check(self, command, reply, sent, received):
        """Check one reply against the model, then update the model.

        `sent` and `received` bound when the server ran the command. Strict
        unless the key's TTL may have run out within that window.
        """
        name, k, extra = command
        if k is None:
            self.check_list(command, reply, sent)
            return
        state = self.model[k]
        status = state.status(sent, received)
        if isinstance(reply, ErrorReply):
            self.note("error", command, "a reply", f"error reply {reply!r}", sent)
            return  # the command did nothing: the model stays as it was
        if self.phase == "verify":
            self.verified += status in ("alive", "absent")
        if status == "uncertain":
            self.uncertain += 1
        if name == "SET":
            write, size, ttl = extra
            if reply != "OK":
                self.note("error", command, "+OK", repr(reply)[:100], sent)
                self.model[k] = KeyState("unknown")
            else:
                self.model[k] = KeyState("value", write, size,
                                         sent + ttl if ttl else None, received + ttl if ttl else None)
        elif name == "GET":
            if reply is not None and not isinstance(reply, bytes):
                self.note("error", command, "a bulk string or nil", repr(reply)[:100], sent)
                self.model[k] = KeyState("unknown")
            elif reply is None:
                if status == "alive":
                    self.note("lost", command, self.holds(state), "nil (no such key)", sent)
                if status != "absent" or state.kind == "value":
                    self.model[k] = KeyState("absent", why=f"found missing at {self.at(sent)}")
            elif status in ("alive", "uncertain"):
                if reply != self.values.make(self.index, k, state.write, state.size):
                    self.note("lost", command, self.holds(state) + (" or nil" if status == "uncertain" else ""),
                              self.values.describe(reply, self.index, k), sent)
                    self.model[k] = KeyState("unknown")
            elif status == "absent":
                self.note("stale", command, f"nil ({self.gone(state)})",
                          self.values.describe(reply, self.index, k), sent)
                self.model[k] = KeyState("unknown")
        elif reply not in (0, 1):  # DEL, EXPIRE, PEXPIRE
            self.note("error", command, ":0 or :1", repr(reply)[:100], sent)
            self.model[k] = KeyState("unknown")
        else:
            if status == "alive" and reply == 0:
                self.note("lost", command, f":1 (the key holds {self.holds(state)})", ":0 (no such key)", sent)
            elif status == "absent" and reply == 1:
                self.note("stale", command, f":0 ({self.gone(state)})", ":1 (the key exists)", sent)
            if name == "DEL":
                self.model[k] = KeyState("absent", why=f"deleted at {self.at(sent)}")
            elif reply == 0:
                self.model[k] = KeyState("absent", why=f"found missing at {self.at(sent)} by {name}")
            elif state.kind == "value" and status != "absent":
                ttl = extra
                self.model[k] = KeyState("value", state.write, state.size, sent + ttl, received + ttl)
            else:  # it exists, but we do not know what it holds
                self.model[k] = KeyState("unknown")

    # -- checking list replies -------------------------------------------------

    def list_error(self, command, expected, received, sent):
        name, _, extra = command
        lists = extra[0] if isinstance(extra[0], list) else [extra[0]]
        self.errors.append((sent, f"client {self.index} {name} {' '.join(list_name(i).decode() for i in lists)} "
                                  f"(sent at {self.at(sent)}): expected {expected}; received {received}"))

    def check_list(self, command, reply, sent):
        """Check a list command's reply; record the tokens it acknowledged or popped."""
        name, _, extra = command
        if isinstance(reply, ErrorReply):
            self.list_error(command, "a reply", f"error reply {reply!r}", sent)
            return  # an RPUSH's tokens stay unacknowledged
        if name == "RPUSH":
            index, ids = extra
            if not isinstance(reply, int) or reply < len(ids):
                self.list_error(command, f"an integer of at least {len(ids)}", repr(reply)[:100], sent)
                return
            self.unacked.difference_update(ids)
            self.acked.update(ids)
        elif name == "LPOP":
            index, count = extra
            if reply is None:
                return  # the list was empty
            if count is None and isinstance(reply, bytes):
                values = [reply]
            elif count is not None and isinstance(reply, list) and 0 < len(reply) <= count:
                values = reply
            else:
                self.list_error(command, "a bulk string or nil" if count is None else
                                f"nil or an array of 1 to {count} bulk strings", repr(reply)[:100], sent)
                return
            for value in values:
                self.take(value, index, name, sent)
        else:  # BLPOP
            indexes, _ = extra
            if reply is None:
                self.blpop_timeouts += 1
                return
            names = {list_name(i): i for i in indexes}
            if not (isinstance(reply, list) and len(reply) == 2 and reply[0] in names):
                self.list_error(command, "nil or [list name, token]", repr(reply)[:100], sent)
                return
            self.take(reply[1], names[reply[0]], name, sent)

    def take(self, value, index, name, sent):
        """One token popped from list `index`: one of ours, from that list, in its producer's order."""
        parsed = parse_token(value)
        if parsed is None or parsed[2] != index:
            what = (f"{len(value):,} bytes no RPUSH of ours made: {value[:40]!r}" if parsed is None else
                    f"{value[:40]!r}, which was pushed to {list_name(parsed[2]).decode()}")
            self.misplaced.append((sent, f"client {self.index} {name} {list_name(index).decode()} "
                                         f"(at {self.at(sent)}) popped {what}"))
            return
        producer, seq, _ = parsed
        self.popped.append(token_id(producer, seq))
        self.list_pops[name] += 1
        last = self.last_popped.get((producer, index), 0)
        if seq < last:
            self.disorder.append((sent, f"client {self.index} {name} {list_name(index).decode()} (at {self.at(sent)}) "
                                        f"popped t{producer}.{seq} after t{producer}.{last}, which was pushed later"))
        self.last_popped[(producer, index)] = max(seq, last)

    # -- the thread -------------------------------------------------------------

    def run(self):
        try:
            # Everyone starts together: starting 200 threads takes the main
            # thread a while, and the clock must not run meanwhile.
            self.clock.go.wait()
            self.run_start = self.clock.run_start
            rng = self.rng
            if self.lists:
                self.next_abandon = time.monotonic() + rng.uniform(*ABANDON_EVERY)
            while time.monotonic() < self.clock.load_end:
                if self.lists and time.monotonic() >= self.next_abandon:
                    self.abandon_wait()
                    self.next_abandon = time.monotonic() + rng.uniform(*ABANDON_EVERY)
                    continue
                if rng.random() < 0.15:
                    batch = [self.random_command() for _ in range(rng.randint(10, 50))]
                else:
                    batch = [self.random_command()]
                self.run_commands(batch)
            self.phase = "verify"
            self.run_commands([(encode([b"GET", key]), ("GET", k, None)) for k, key in enumerate(self.keys)])
        except (ConnectionFailed, OSError) as error:
            self.broken = True
            self.errors.append((time.time(), f"client {self.index} ({self.phase}, at {self.at(time.time())}): "
                                              f"{error}"))
        except Exception:  # a bug in this script: fail loudly, never silently
            self.broken = True
            self.errors.append((time.time(), f"client {self.index}: internal error in soak.py:\n"
                                              f"{traceback.format_exc()}"))
        finally:
            self.connection.close()
            self.finished = True


# ---------------------------------------------------------------------------
# Transactions: optimistic increments of a few shared counters
# ---------------------------------------------------------------------------

def counter_name(index):
    """Shared counter number `index`: only the counter clients touch it."""
    return b"soak:counter:%d" % index


class CounterClient(threading.Thread):
    """One connection adding 1 to the shared counters in transactions.

    Two kinds, drawn at random: WATCH the counter, GET it, then MULTI,
    SET it to one more, EXEC, retried until EXEC succeeds (optimistic
    locking: a nil EXEC means another client changed the counter after our
    WATCH); or MULTI, INCR, GET, EXEC, which needs no WATCH. Either adds
    exactly 1 per successful EXEC, so at the end each counter must equal
    the number of successful EXECs on it, over all counter clients.
    """

    def __init__(self, index, connection, args, clock, counters):
        super().__init__(name=f"soak-counter-{index}", daemon=True)
        self.index = index
        self.connection = connection
        self.clock = clock
        self.run_start = 0.0
        self.rng = random.Random(args.seed * 1_000_000 + 500_000 + index)
        self.counters = counters
        self.timeout = args.timeout
        # Results, read by the main thread.
        self.successes = [0] * counters  # successful EXECs per counter
        self.aborted = 0                 # EXECs that replied nil: the counter had changed
        self.commands = 0
        self.abandons = 0
        self.errors = []                 # (when, report line)
        self.finished = False
        self.broken = False
        self.next_abandon = None

    def at(self, unix_time):
        return f"{unix_time - self.run_start:.3f} s"

    def error(self, what, expected, received, sent):
        self.errors.append((sent, f"counter client {self.index} {what} (sent at {self.at(sent)}): "
                                  f"expected {expected}; received {repr(received)[:100]}"))

    def exchange(self, *commands):
        """Send the commands in one write; their replies, in order."""
        self.connection.send(b"".join(encode(command) for command in commands))
        self.commands += len(commands)
        return [self.connection.read_reply() for _ in commands]

    def watched_increment(self, index):
        """WATCH, GET, MULTI, SET n+1, EXEC until EXEC succeeds (or something fails)."""
        key = counter_name(index)
        while time.monotonic() < self.clock.load_end:
            sent = time.time()
            watched, value = self.exchange([b"WATCH", key], [b"GET", key])
            if watched != "OK" or not (value is None or (isinstance(value, bytes) and value.isdigit())):
                self.error(f"WATCH {key.decode()}, GET", "+OK, then nil or a number", [watched, value], sent)
                return
            number = int(value or 0)
            multi, queued, executed = self.exchange([b"MULTI"], [b"SET", key, b"%d" % (number + 1)], [b"EXEC"])
            if multi != "OK" or queued != "QUEUED":
                self.error("MULTI, SET", "+OK, +QUEUED", [multi, queued], sent)
                return
            if executed is None:
                self.aborted += 1
                continue
            if executed != ["OK"]:
                self.error(f"EXEC of SET {key.decode()} {number + 1}", "[+OK] or nil", executed, sent)
                return
            self.successes[index] += 1
            return

    def queued_increment(self, index):
        """MULTI, INCR, GET, EXEC: the GET inside must read what the INCR wrote."""
        key = counter_name(index)
        sent = time.time()
        multi, *queued, executed = self.exchange([b"MULTI"], [b"INCR", key], [b"GET", key], [b"EXEC"])
        if multi != "OK" or queued != ["QUEUED", "QUEUED"]:
            self.error("MULTI, INCR, GET", "+OK, +QUEUED, +QUEUED", [multi, *queued], sent)
            return
        if not (isinstance(executed, list) and len(executed) == 2 and isinstance(executed[0], int)):
            self.error(f"EXEC of INCR {key.decode()}, GET", "[n, n as a bulk string]", executed, sent)
            return
        self.successes[index] += 1  # the INCR ran, whatever the GET saw
        if executed[1] != b"%d" % executed[0]:
            self.error(f"EXEC of INCR {key.decode()}, GET (another client's command ran between the two)",
                       "[n, n as a bulk string]", executed, sent)

    def abandon_transaction(self):
        """WATCH, MULTI, INCR of a counter on a side connection, closed before EXEC: it must never run."""
        key = counter_name(self.rng.randrange(self.counters))
        side = Connection(self.connection.port, self.timeout)
        try:
            sent = time.time()
            side.send(encode([b"WATCH", key]) + encode([b"MULTI"]) + encode([b"INCR", key]))
            replies = [side.read_reply() for _ in range(3)]
            if replies != ["OK", "OK", "QUEUED"]:
                self.error(f"side connection: WATCH, MULTI, INCR {key.decode()}", "+OK, +OK, +QUEUED", replies, sent)
            if self.rng.random() < 0.5:  # half of them reset (RST) instead of an orderly close (FIN)
                side.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finally:
            side.close()
        self.abandons += 1

    def run(self):
        try:
            self.clock.go.wait()
            self.run_start = self.clock.run_start
            rng = self.rng
            self.next_abandon = time.monotonic() + rng.uniform(*ABANDON_EVERY)
            while time.monotonic() < self.clock.load_end and not self.errors:
                if time.monotonic() >= self.next_abandon:
                    self.abandon_transaction()
                    self.next_abandon = time.monotonic() + rng.uniform(*ABANDON_EVERY)
                    continue
                index = rng.randrange(self.counters)
                if rng.random() < 0.75:
                    self.watched_increment(index)
                else:
                    self.queued_increment(index)
        except (ConnectionFailed, OSError) as error:
            self.broken = True
            self.errors.append((time.time(), f"counter client {self.index} (at {self.at(time.time())}): {error}"))
        except Exception:  # a bug in this script: fail loudly, never silently
            self.broken = True
            self.errors.append((time.time(), f"counter client {self.index}: internal error in soak.py:\n"
                                              f"{traceback.format_exc()}"))
        finally:
            self.connection.close()
            self.finished = True


def transactions_supported(connection, wanted):
    """How many shared counters the run uses: `wanted`, or 0 if the server has no MULTI (stages 1-7)."""
    if wanted == 0:
        return 0
    reply = connection.call(b"MULTI")
    if isinstance(reply, ErrorReply) and "unknown command" in reply.text.lower():
        print("soak: the server does not know MULTI: no transactions (they arrive in stage 8).", flush=True)
        return 0
    if reply != "OK" or connection.call(b"DISCARD") != "OK":
        raise SoakError(f"MULTI, then DISCARD, did not answer +OK twice (MULTI answered {reply!r})")
    for index in range(wanted):
        if connection.call(b"EXISTS", counter_name(index)) != 0:
            raise SoakError(f"{counter_name(index).decode()} exists before the run")
    return wanted


def account_counters(server, args, counter_clients, counters):
    """Each counter must equal the successful EXECs that added 1 to it."""
    connection = Connection(server.port, args.timeout)
    mismatches = []
    try:
        for index in range(counters):
            reply = connection.call(b"GET", counter_name(index))
            expected = sum(c.successes[index] for c in counter_clients)
            got = int(reply) if isinstance(reply, bytes) and reply.isdigit() else 0 if reply is None else reply
            if got != expected:
                what = ("lost updates: an EXEC ran although its watched counter had changed" if isinstance(got, int)
                        and got < expected else "more than the successful EXECs: an update ran twice, or an "
                        "abandoned transaction ran" if isinstance(got, int) else "not a number")
                mismatches.append(f"{counter_name(index).decode()} is {got!r} after {expected:,} successful EXECs ({what})")
    except ConnectionFailed as error:
        raise SoakError(f"the final GET of the counters failed: {error}") from None
    finally:
        connection.close()
    return mismatches


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------

def describe_exit(status):
    """Popen's returncode in words: negative means killed by a signal."""
    if status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit status {status}"


def rss_bytes(pid):
    """Resident set size (VmRSS in /proc/PID/status) in bytes, or None if unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024  # the kernel reports kB
    except OSError:
        pass
    return None


def default_binary():
    """.build/release/StageNN of the newest stage, built if it is missing.

    An existing binary is used as it is (the soak builds nothing it does not
    have to); a warning says so when sources changed after it was built.
    If another build holds SwiftPM's lock, `swift build` waits for it.
    """
    _, product = newest_stage(ROOT, SoakError)
    binary = ROOT / ".build" / "release" / product
    if not binary.exists():
        command = ["swift", "build", "-c", "release", "--product", product]
        print(f"$ {shlex.join(command)}", flush=True)
        if subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL).returncode != 0 or not binary.exists():
            raise SoakError(f"the release build of {product} failed")
    else:
        built = binary.stat().st_mtime
        # What a stage is built from: its folder and the shared library (Common, CEpoll).
        folders = [ROOT / "Sources" / "Common", ROOT / "Sources" / "CEpoll",
                   *(ROOT / "Stages").glob(f"{product[-2:]}-*")]
        newer = [p for folder in folders for p in folder.rglob("*")
                 if p.is_file() and p.stat().st_mtime > built]
        if newer:
            print(f"soak: warning: {len(newer)} source file(s) changed since {binary.relative_to(ROOT)} "
                  f"was built (e.g. {newer[0].relative_to(ROOT)}); run `swift build -c release --product "
                  f"{product}` to soak the current code.", file=sys.stderr)
    return binary


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Exit status: 0 all checks passed, 1 a check failed, 2 usage error.")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--server-binary", type=Path, metavar="PATH",
                        help="server binary, started as PATH --port N (default: .build/release/StageNN "
                             "of the newest stage, built if missing)")
    target.add_argument("--server", metavar="'CMD {port}'",
                        help="any server command; {port} is replaced by a free port, e.g. "
                             "\"redis-server --port {port} --save '' --appendonly no\"")
    parser.add_argument("--seconds", type=float, default=60, metavar="N",
                        help="how long the load runs (default 60)")
    parser.add_argument("--clients", type=int, default=200, metavar="N",
                        help="connections, one thread each (default 200)")
    parser.add_argument("--keys", type=int, default=32, metavar="N", help="keys per client (default 32)")
    parser.add_argument("--lists", type=int, default=4, metavar="N",
                        help="shared lists for the list traffic, when the server has lists (it is asked "
                             "LLEN first); 0 turns list traffic off (default 4)")
    parser.add_argument("--counters", type=int, default=4, metavar="N",
                        help="shared counters for the transaction traffic, when the server has MULTI (it "
                             "is asked first); 0 turns transactions off (default 4)")
    parser.add_argument("--tx-clients", type=int, default=4, metavar="N",
                        help="connections (one thread each) that add to the counters in transactions, "
                             "besides --clients (default 4)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="seed of the command mix (default: random; printed)")
    parser.add_argument("--timeout", type=float, default=10, metavar="S",
                        help="most seconds any socket wait may take before it counts as a hang (default 10)")
    parser.add_argument("--max-drift-mb", type=float, default=64, metavar="MB",
                        help="RSS drift fails only above this many MB ... (default 64)")
    parser.add_argument("--max-drift-percent", type=float, default=50, metavar="P",
                        help="... and above this percentage of the warm-up RSS (default 50)")
    args = parser.parse_args()
    if args.seconds <= 0 or args.clients < 1 or args.keys < 1 or args.timeout <= 0:
        parser.error("--seconds, --clients, --keys and --timeout must be positive")
    if args.lists < 0 or args.counters < 0 or args.tx_clients < 0:
        parser.error("--lists, --counters and --tx-clients must be 0 (off) or more")
    if args.server is not None and "{port}" not in args.server:
        parser.error("--server needs {port} in the command, where the free port goes")
    if args.server_binary is not None and not args.server_binary.exists():
        parser.error(f"--server-binary: {args.server_binary} does not exist")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 1_000_000)
    return args


def mb(value):
    return "n/a" if value is None else f"{value / MB:.1f} MB"


def report(title, entries, total):
    if total:
        print(f"\n{title} ({total:,}; the first {min(total, MAX_REPORTED)}):")
        for entry in entries[:MAX_REPORTED]:
            print(f"  - {entry}")


class Clock:
    """When the load starts and ends; the clients wait for `go` before reading the rest."""

    def __init__(self):
        self.go = threading.Event()
        self.run_start = 0.0  # time.time(), for the reports
        self.load_end = 0.0   # time.monotonic(), when the clients stop


def lists_supported(connection, wanted):
    """How many shared lists the run uses: `wanted`, or 0 if the server has no lists (stages 1-6)."""
    if wanted == 0:
        return 0
    reply = connection.call(b"LLEN", list_name(0))
    if isinstance(reply, ErrorReply) and "unknown command" in reply.text.lower():
        print("soak: the server does not know LLEN: no list traffic (lists arrive in stage 7).", flush=True)
        return 0
    if reply != 0:
        raise SoakError(f"LLEN of an unused list answered {reply!r}, not 0")
    return wanted


def account_tokens(server, args, clients, lists):
    """Read every shared list once more, then account for every token.

    Every acknowledged push must have been popped exactly once or still be
    in its list, in its producer's order; a token whose RPUSH got no reply
    may be either, or nowhere; nothing else may come out of a list.
    """
    when = time.time()
    left = Counter()
    misplaced = [entry for c in clients for entry in c.misplaced]
    disorder = [entry for c in clients for entry in c.disorder]
    connection = Connection(server.port, args.timeout)
    try:
        for index in range(lists):
            reply = connection.call(b"LRANGE", list_name(index), b"0", b"-1")
            if not isinstance(reply, list):
                raise SoakError(f"LRANGE {list_name(index).decode()} 0 -1 after the run answered {repr(reply)[:100]}")
            last = {}
            for value in reply:
                parsed = parse_token(value)
                if parsed is None or parsed[2] != index:
                    misplaced.append((when, f"the final LRANGE {list_name(index).decode()} holds {value[:40]!r}"))
                    continue
                producer, seq, _ = parsed
                if seq < last.get(producer, 0):
                    disorder.append((when, f"the final LRANGE {list_name(index).decode()} holds t{producer}.{seq} "
                                           f"after t{producer}.{last[producer]}, which was pushed later"))
                last[producer] = max(seq, last.get(producer, 0))
                left[token_id(producer, seq)] += 1
    except ConnectionFailed as error:
        raise SoakError(f"the final LRANGE of the lists failed: {error}") from None
    finally:
        connection.close()
    seen = Counter(ident for c in clients for ident in c.popped)
    seen.update(left)
    acked = set().union(*(c.acked for c in clients))
    unacked = set().union(*(c.unacked for c in clients)) - acked
    lost = sorted(acked - seen.keys())
    duplicated = sorted(ident for ident, times in seen.items() if times > 1)
    unknown = sorted(ident for ident in seen if ident not in acked and ident not in unacked)
    consumed = [entry for c in clients for entry in c.consumed]
    entries = {
        "LOST TOKENS": [f"{describe_token(i)}: acknowledged by RPUSH, never popped, not in the final LRANGE"
                        for i in lost],
        "DUPLICATED TOKENS": [f"{describe_token(i)}: popped or left {seen[i]} times in all" for i in duplicated],
        "TOKENS NEVER PUSHED": [f"{describe_token(i)}: popped or left, but no RPUSH of ours sent it" for i in unknown]
        + [text for _, text in sorted(misplaced)],
        "TOKENS OUT OF ORDER": [text for _, text in sorted(disorder)],
        "TOKENS TAKEN BY A CLOSED BLPOP": [text for _, text in sorted(consumed)],
    }
    return {
        "acked": len(acked), "unacked": len(unacked), "left": sum(left.values()),
        "lost": len(lost), "duplicated": len(duplicated), "misplaced": len(unknown) + len(misplaced),
        "disorder": len(disorder), "consumed": len(consumed),
        "failures": list(entries.items()),
    }


def soak(args, server):
    """The run itself, on a started server. Returns the list of failure reasons (empty: passed)."""
    clients_count = args.clients
    warmup = min(max(0.2 * args.seconds, 5.0), args.seconds / 2)
    values = Values(args.seed)

    # Connect everyone first: the clock starts when all connections are open.
    connections = []
    try:
        for _ in range(clients_count):
            connection = Connection(server.port, args.timeout)
            connections.append(connection)
            if connection.call(b"PING") != "PONG":
                raise SoakError("a new connection did not answer PING with PONG")
    except (OSError, ConnectionFailed) as error:
        for connection in connections:
            connection.close()
        server.check_alive()
        raise SoakError(f"could not open connection {len(connections) + 1} of {clients_count}: {error}") from None

    lists = lists_supported(connections[0], args.lists)
    counters = transactions_supported(connections[0], args.counters) if args.tx_clients else 0
    clock = Clock()
    clients = [Client(i, connections[i], args, values, clock, lists) for i in range(clients_count)]
    try:
        counter_clients = [CounterClient(i, Connection(server.port, args.timeout), args, clock, counters)
                           for i in range(args.tx_clients if counters else 0)]
    except (OSError, ConnectionFailed) as error:
        for connection in connections:
            connection.close()
        raise SoakError(f"could not open a counter client's connection: {error}") from None
    for client in clients + counter_clients:
        client.start()  # each waits for clock.go

    rss_start = rss_bytes(server.pid)
    clock.run_start = time.time()
    start = time.monotonic()
    load_end = clock.load_end = start + args.seconds
    # The global deadline: the load, then the verification, each socket wait bounded by --timeout.
    hard_deadline = load_end + 3 * args.timeout + 30
    clock.go.set()
    rss_warm = rss_end = None
    rss_peak = 0
    next_progress = start + 10
    died = None
    while True:
        now = time.monotonic()
        if died is None and server.exit_status() is not None:
            died = server.exit_status()
            print(f"  {now - start:5.1f} s: the server DIED ({describe_exit(died)})", flush=True)
        if died is None and now < load_end + 1:
            rss = rss_bytes(server.pid)
            if rss is not None:
                rss_peak = max(rss_peak, rss)
                if rss_warm is None and now >= start + warmup:
                    rss_warm = rss
                    print(f"  {now - start:5.1f} s: warm-up over, RSS {mb(rss)}", flush=True)
                if rss_end is None and now >= load_end:
                    rss_end = rss
        if now >= next_progress and now < load_end:
            done = sum(c.commands for c in clients)
            errors = sum(len(c.errors) for c in clients)
            print(f"  {now - start:5.1f} s: {done:,} commands, {errors} errors, RSS {mb(rss_bytes(server.pid))}",
                  flush=True)
            next_progress += 10
        if all(c.finished for c in clients + counter_clients) or now >= hard_deadline:
            break
        time.sleep(0.05 if now >= load_end else 0.2)
    finished = time.monotonic()
    elapsed = min(finished, load_end) - start
    verify_time = max(0.0, finished - load_end)
    if died is None and server.exit_status() is not None:
        died = server.exit_status()
    hung = [c.index for c in clients if not c.finished] + [f"counter {c.index}" for c in counter_clients if not c.finished]

    # Sum up.
    commands = sum(c.commands for c in clients)
    errors, lost, stale = ([text for _, text in sorted(entry for c in clients for entry in getattr(c, name))]
                           for name in ("errors", "lost", "stale"))
    errors += [text for _, text in sorted(entry for c in counter_clients for entry in c.errors)]
    verified = sum(c.verified for c in clients)
    uncertain = sum(c.uncertain for c in clients)
    unverified = sum(1 for c in clients + counter_clients if c.broken)

    report("ERRORS", errors, len(errors))
    report("LOST WRITES", lost, len(lost))
    report("STALE READS", stale, len(stale))
    tokens = None
    if lists and died is None and not hung:
        tokens = account_tokens(server, args, clients, lists)
        for title, entries in tokens["failures"]:
            report(title, entries, len(entries))

    counter_mismatches = None
    if counters and died is None and not hung:
        counter_mismatches = account_counters(server, args, counter_clients, counters)
        report("COUNTERS THAT DO NOT MATCH THEIR EXECS", counter_mismatches, len(counter_mismatches))

    drift = drift_percent = None
    if rss_warm is not None and rss_end is not None:
        drift = rss_end - rss_warm
        drift_percent = 100 * drift / rss_warm
    print(f"\nsoak summary (seed {args.seed})")
    print(f"  seconds        {elapsed:.1f} of load, then {verify_time:.1f} s of verification")
    print(f"  clients        {clients_count} connections, {args.keys} keys each")
    print(f"  commands       {commands:,} ({commands / max(elapsed, 1e-9):,.0f}/s)")
    print(f"  writes         {sum(c.writes for c in clients):,} SETs of "
          f"{sum(c.bytes_written for c in clients) / MB:,.0f} MB in all; "
          f"{sum(c.big_writes for c in clients):,} of them 1 MB values")
    print(f"  errors         {len(errors)}")
    print(f"  lost writes    {len(lost)}  (final pass: {verified:,} of {clients_count * args.keys:,} keys "
          f"checked strictly; {uncertain:,} checks in the whole run were lenient, a TTL about to run out)")
    print(f"  stale reads    {len(stale)}")
    if not lists:
        print(f"  lists          off ({'--lists 0' if args.lists == 0 else 'the server does not know LLEN'})")
    elif tokens is None:
        print("  lists          not accounted (the server died or a client hung)")
    else:
        pops = {name: sum(c.list_pops[name] for c in clients) for name in ("LPOP", "BLPOP")}
        print(f"  lists          {lists} shared lists: {tokens['acked']:,} tokens pushed (acknowledged; "
              f"{tokens['unacked']:,} more sent without a reply), {pops['LPOP'] + pops['BLPOP']:,} popped "
              f"(LPOP {pops['LPOP']:,}, BLPOP {pops['BLPOP']:,}), {tokens['left']:,} left at the end; "
              f"{sum(c.blpop_timeouts for c in clients):,} BLPOPs timed out")
        print(f"  list checks    lost {tokens['lost']}, duplicated {tokens['duplicated']}, "
              f"unknown or misplaced {tokens['misplaced']}, out of order {tokens['disorder']}; "
              f"{sum(c.abandons for c in clients):,} BLPOPs closed mid-wait, {tokens['consumed']} tokens taken by them")
    if not counters:
        print(f"  transactions   off ({'--counters 0 or --tx-clients 0' if not (args.counters and args.tx_clients) else 'the server does not know MULTI'})")
    elif counter_mismatches is None:
        print("  transactions   not accounted (the server died or a client hung)")
    else:
        successes = sum(sum(c.successes) for c in counter_clients)
        print(f"  transactions   {len(counter_clients)} clients on {counters} shared counters: {successes:,} successful "
              f"EXECs, {sum(c.aborted for c in counter_clients):,} aborted by a changed WATCH and retried, "
              f"{sum(c.abandons for c in counter_clients):,} left open and closed; "
              f"{len(counter_mismatches)} counters off their EXECs")
    print(f"  RSS at start   {mb(rss_start)}; after warm-up ({warmup:g} s) {mb(rss_warm)}; "
          f"peak {mb(rss_peak or None)}; at end {mb(rss_end)}")
    if drift is not None:
        print(f"  RSS drift      {drift / MB:+.1f} MB ({drift_percent:+.1f}%); fails above "
              f"+{args.max_drift_mb:g} MB and +{args.max_drift_percent:g}% together")
    else:
        why = ("no /proc/PID/status on this system" if rss_start is None else
               "the server died" if died is not None else "the load did not run to its end")
        print(f"  RSS drift      n/a ({why})")

    failures = []
    if died is not None:
        failures.append(f"the server died ({describe_exit(died)})")
    if hung:
        failures.append(f"{len(hung)} client(s) still running at the global deadline "
                        f"(+{hard_deadline - load_end:.0f} s after the load): {hung[:10]}")
    if errors:
        failures.append(f"{len(errors)} error(s)")
    if unverified:
        failures.append(f"{unverified} client(s) could not finish (their final pass did not run)")
    if lost:
        failures.append(f"{len(lost)} lost write(s)")
    if stale:
        failures.append(f"{len(stale)} stale read(s)")
    for title, entries in (tokens or {}).get("failures", []):
        if entries:
            failures.append(f"{len(entries)} {title.lower().replace('blpop', 'BLPOP')}")
    if counter_mismatches:
        failures.append(f"{len(counter_mismatches)} counter(s) off the number of successful EXECs")
    if drift is not None and drift / MB > args.max_drift_mb and drift_percent > args.max_drift_percent:
        failures.append(f"RSS grew by {drift / MB:.1f} MB ({drift_percent:.0f}%) after warm-up")
    return failures


def main():
    args = parse_arguments()
    # `kill PID` (SIGTERM) cleans up like Ctrl-C: every `finally` below stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.server is not None:
        command = shlex.split(args.server)
    else:
        binary = args.server_binary.resolve() if args.server_binary else default_binary()
        command = [str(binary), "--port", "{port}"]
    server = ServerProcess("server", command, WORK_DIR, error=SoakError, label="the server")
    try:
        server.start()
        print(f"soak: {shlex.join(server.argv)} (pid {server.pid}), {args.clients} clients, "
              f"{args.seconds:g} s, seed {args.seed}", flush=True)
        failures = soak(args, server)
        died = server.exit_status()  # on its own: stop() has not run yet
        if died is not None and not any(f.startswith("the server died") for f in failures):
            failures.append(f"the server died ({describe_exit(died)}) during the final pass")
    finally:
        server.stop()
    if failures:
        print("\nsoak: FAILED:\n" + "\n".join(f"  - {failure}" for failure in failures), file=sys.stderr)
        if died is not None:
            print(server.log_tail(), file=sys.stderr)
        print(f"soak: the same workload again: --seed {args.seed}", file=sys.stderr)
        sys.exit(1)
    server.log_path.unlink(missing_ok=True)  # kept only when something failed
    print("\nsoak: passed.")


if __name__ == "__main__":
    try:
        main()
    except SoakError as error:
        print(f"\nsoak: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nsoak: interrupted; server stopped.", file=sys.stderr)
        sys.exit(130)
