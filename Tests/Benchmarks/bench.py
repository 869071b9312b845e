#!/usr/bin/env python3
"""Benchmark the newest stage beside real redis-server, on this machine.

    python3 Tests/Benchmarks/bench.py                 # what `make bench` runs
    python3 Tests/Benchmarks/bench.py --quick         # a smoke test of about a minute
    python3 Tests/Benchmarks/bench.py --rounds 5 --requests 500000
    python3 Tests/Benchmarks/bench.py --quick --lists --server "redis-server --port {port} --save ''"   # the script itself, Redis against Redis
    python3 Tests/Benchmarks/bench.py --quick --counters --server "redis-server --port {port} --save ''"
    python3 Tests/Benchmarks/bench.py --quick --pubsub-only   # the pub/sub part alone, printed, no page written

What it does, in order:

1. builds the newest stage (the highest-numbered folder in Stages/) in release
   mode, and copies the binary aside so a rebuild cannot swap it mid-run;
2. memory, each on a freshly started pair of servers (memory that a server
   freed is often kept by its allocator, and would distort the next figure):
   resident bytes per idle connection (10,000 idle clients), then resident
   bytes per key (1,000,000 keys loaded with pipelined SETs);
   and, when the newest stage has lists (stage 7 on, or --lists), resident
   bytes per list element (one list of 1,000,000 ten-byte elements, loaded
   with pipelined RPUSHes of 1,000 elements each);
3. throughput, latency and CPU: on another fresh pair, `redis-benchmark`
   workloads, alternating our server and Redis (A B, then B A) for ROUNDS rounds,
   reading each server's CPU time from /proc before and after every run
   (with lists, also `-t lpush,rpush,lpop,rpop,lrange_100,lrange_600` at
   -c 50 and -c 50 -P 16; with counters, stage 8 on or --counters,
   `-t incr,mset` at the same two, and at the end of each round
   MULTI / 10 INCR / EXEC transactions from a small driver of our own,
   in the round's order: transactions per second, every reply checked);
   with pub/sub, stage 9 on or --pubsub, also PUBLISH fan-out from a driver
   of our own: one publisher pipelining PUBLISHes to 1, 10 and 100
   subscribers that read everything, in the round's order, in
   messages delivered per second (publishes x receivers); and, on a fresh
   pair, resident bytes per idle subscriber (10,000 subscribers spread over
   100 channels, one channel each);
4. prints a markdown table of the medians and which targets are met, and
   writes Tutorials/performance-results.md and Tutorials/performance-chart.svg
   (with --quick, into .build/bench/ instead, so a smoke test never
   overwrites real figures).

Standard library only, Linux only (/proc). Exit status: 0 when the run
completed (whether or not every target is met), 1 when a server failed or
redis-benchmark reported an error, 2 when redis-server or redis-benchmark is
missing, 130 on Ctrl-C.
"""

import argparse
import datetime
import os
import platform
import re
import resource
import selectors
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Starting, watching and stopping the servers, and HOST (127.0.0.1, loopback only:
# nothing here should be reachable from outside) come from Tests/Tools/serverprocess.py,
# shared with Tests/Soak/soak.py.
sys.path.insert(0, str(ROOT / "Tests" / "Tools"))
from serverprocess import HOST, ServerProcess, newest_stage  # noqa: E402 (needs the line above)
WORK_DIR = ROOT / ".build" / "bench"  # logs, the copied binary, quick-run results

# Each workload is one redis-benchmark run of the four tests below.
WORKLOADS = [
    ("-c 50", ["-c", "50"]),                   # 50 clients, one request in flight each
    ("-c 50 -P 16", ["-c", "50", "-P", "16"]),  # pipelined: the server's own cost dominates
    ("-c 500", ["-c", "500"]),                 # many clients: readiness handling at scale
]
TESTS = ["PING_INLINE", "PING_MBULK", "SET", "GET"]  # what `-t ping,set,get` runs


@dataclass(frozen=True)
class Suite:
    """The redis-benchmark tests of one `-t`, run once at each of its workloads."""
    name: str          # "strings", "lists" or "counters"
    tests_arg: str     # what -t gets
    tests: tuple       # the tests reported, as redis-benchmark's CSV names them
    workloads: tuple   # (name, redis-benchmark arguments), as WORKLOADS


STRINGS = Suite("strings", "ping,set,get", tuple(TESTS), tuple(WORKLOADS))
# From stage 7 on: lists, at 50 clients with and without pipelining. The
# LRANGE tests first fill the list with an LPUSH run of their own ("LPUSH
# (needed to benchmark LRANGE)"), which counts in the CPU but is not reported.
LISTS = Suite("lists", "lpush,rpush,lpop,rpop,lrange_100,lrange_600",
              ("LPUSH", "RPUSH", "LPOP", "RPOP", "LRANGE_100 (first 100 elements)", "LRANGE_600 (first 600 elements)"),
              tuple(WORKLOADS[:2]))
LIST_STAGE = 7  # the first stage with lists
# From stage 8 on: the counters, INCR and MSET (ten keys per MSET), at 50
# clients with and without pipelining; and transactions (below, with a
# driver of our own: redis-benchmark has no MULTI/EXEC test).
COUNTERS = Suite("counters", "incr,mset", ("INCR", "MSET (10 keys)"), tuple(WORKLOADS[:2]))
COUNTER_STAGE = 8  # the first stage with INCR, MSET and MULTI/EXEC

# The "must reach" targets of the optimisation work.
MIN_THROUGHPUT_RATIO = 0.90   # ours / Redis, every test of every workload
MAX_CPU_RATIO = 1.10          # ours / Redis, CPU time per request
MAX_KEY_RATIO = 1.50          # ours / Redis, resident bytes per key
MAX_IDLE_CONNECTION_BYTES = 8 * 1024
MAX_LIST_ELEMENT_RATIO = 2.00  # ours / Redis, resident bytes per list element
MIN_TRANSACTION_RATIO = 0.90  # ours / Redis, MULTI / 10 INCR / EXEC transactions per second
MIN_PUBLISH_RATIO = 0.90      # ours / Redis, PUBLISH fan-out, messages delivered per second
MAX_SUBSCRIBER_RATIO = 1.50   # ours / Redis, resident bytes per idle subscriber
PUBSUB_STAGE = 9  # the first stage with SUBSCRIBE and PUBLISH

BENCHMARK_TIMEOUT = 600  # s; redis-benchmark spins forever if the server vanishes


class BenchError(Exception):
    """A failure that ends the run with a clear message and exit status 1."""


# ---------------------------------------------------------------------------
# Reading a process's CPU time and memory from /proc
# ---------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # units of utime/stime, usually 100 per second


def cpu_seconds(pid):
    """User + system CPU time of a whole process (all its threads), in seconds.

    /proc/PID/stat fields 14 and 15 are utime and stime in clock ticks. The
    second field, the command name, is in parentheses and may hold spaces, so
    the fields are counted from the last ')': field 3 is the first one after it.
    """
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()
    utime, stime = int(fields[14 - 3]), int(fields[15 - 3])
    return (utime + stime) / CLOCK_TICKS


def rss_bytes(pid):
    """Resident set size of a process (VmRSS in /proc/PID/status), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024  # the kernel reports kB
    raise BenchError(f"no VmRSS for process {pid}")


# ---------------------------------------------------------------------------
# A small pipelined RESP client
# ---------------------------------------------------------------------------

class RespError(Exception):
    """An error reply (-ERR ...) from the server."""


class RespClient:
    """Just enough of a Redis client to load keys fast: RESP2, pipelined.

    Pipelining means writing many commands before reading any reply, so that
    one round trip carries a thousand commands instead of one; loading a
    million keys one at a time would take minutes.
    """

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.reader = self.sock.makefile("rb")  # buffered: readline() is cheap

    def close(self):
        self.reader.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def encode(*args):
        """One command as a RESP array of bulk strings: *2 $3 GET $3 key."""
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(parts)

    def read_reply(self):
        """Read one reply: +simple, -error, :integer, $bulk or *array."""
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise BenchError("the server closed the connection in the middle of a reply")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            return None if length < 0 else self.reader.read(length + 2)[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self.read_reply() for _ in range(count)]
        raise BenchError(f"unexpected reply line {line!r}")

    def call(self, *args):
        """Send one command and return its reply."""
        self.sock.sendall(self.encode(*args))
        return self.read_reply()

    def pipeline(self, commands):
        """Send every command in one write, then read every reply, in order."""
        self.sock.sendall(b"".join(self.encode(*command) for command in commands))
        return [self.read_reply() for _ in commands]


# ---------------------------------------------------------------------------
# Starting and stopping the servers
# ---------------------------------------------------------------------------

class ServerPair:
    """Our server and redis-server, freshly started; stopped on leaving the `with`."""

    def __init__(self, ours_command):
        self.ours = ServerProcess("ours", ours_command, WORK_DIR, error=BenchError)
        self.redis = ServerProcess("redis", [
            "redis-server", "--port", "{port}", "--bind", HOST,
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            # Redis refuses the 10,001st client by default; the idle-connection
            # run opens 10,000 plus a probe, so leave a little room.
            "--maxclients", "10100"], WORK_DIR, error=BenchError)
        self.servers = [self.ours, self.redis]

    def __enter__(self):
        try:
            for server in self.servers:
                server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for server in self.servers:
            server.stop()


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

def build(product):
    """Build the product in release mode; return a private copy of the binary.

    The copy matters on a shared machine: if someone rebuilds while the
    benchmark runs, the server we measure is still the one we built.
    """
    command = ["swift", "build", "-c", "release", "--product", product]
    print(f"$ {shlex.join(command)}", flush=True)
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BenchError(f"the release build of {product} failed")
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    copy = WORK_DIR / product
    shutil.copy2(Path(bin_dir) / product, copy)
    return command, copy


# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------

def raise_open_file_limit(needed):
    """Let this process hold `needed` sockets: raise the soft limit, up to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise BenchError(f"{needed} open files are needed but the hard limit is {hard}: "
                         f"raise it (ulimit -Hn) or use fewer connections (--connections)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def bytes_per_idle_connection(server, count):
    """Resident bytes each idle client costs the server.

    Open `count` connections that send nothing, PING the first and the last
    (connecting proves nothing: the kernel completes handshakes into the
    listen backlog by itself), wait for the server to settle, and compare
    VmRSS with the figure before.
    """
    def ping_first_and_last(clients):
        for client in (clients[0], clients[-1]):
            client.sendall(b"PING\r\n")
            reply = client.recv(64)
            if reply != b"+PONG\r\n":
                raise BenchError(f"{server.name}: idle connection got {reply!r} to PING, not +PONG")
    return bytes_per_connection(server, count, ping_first_and_last)


def bytes_per_connection(server, count, prepare):
    """Resident bytes per connection: open `count`, hand them to `prepare`, let
    the server settle, and divide VmRSS after minus before by `count`."""
    raise_open_file_limit(count + 200)
    before = rss_bytes(server.pid)
    clients = []
    try:
        for _ in range(count):
            clients.append(socket.create_connection((HOST, server.port), timeout=30))
        prepare(clients)
        time.sleep(1)
        server.check_alive()
        after = rss_bytes(server.pid)
    finally:
        close_resetting(clients)
    return (after - before) / count


def close_resetting(sockets):
    """Close with a reset instead of the usual close: no TIME_WAIT entries
    left to hold thousands of local ports while the benchmarks run."""
    for sock in sockets:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()


def bytes_per_key(server, count, batch=1000):
    """Resident bytes per key: FLUSHALL, load `count` keys with pipelined SETs.

    Keys are 11 bytes (key:0000001), values 16 bytes (val:000000000001).
    """
    with RespClient(server.port) as client:
        client.call("FLUSHALL")
        time.sleep(0.5)
        before = rss_bytes(server.pid)
        for start in range(0, count, batch):
            commands = [("SET", f"key:{i:07d}", f"val:{i:012d}")
                        for i in range(start, min(start + batch, count))]
            replies = client.pipeline(commands)
            if any(reply != "OK" for reply in replies):
                raise BenchError(f"{server.name}: a SET did not answer OK")
        size = client.call("DBSIZE")
        if size != count:
            raise BenchError(f"{server.name}: DBSIZE is {size} after loading {count} keys")
    time.sleep(1)  # let Redis finish rehashing its dict, as it does in the background
    server.check_alive()
    return (rss_bytes(server.pid) - before) / count


def bytes_per_list_element(server, count, batch=1000, per_write=10):
    """Resident bytes per element of one long list: `count` ten-byte elements.

    FLUSHALL, then RPUSH biglist with `batch` elements per command and
    `per_write` commands per write. The elements (e000000000, 10 bytes) are
    not numbers, which Redis's listpacks would store as integers.
    """
    with RespClient(server.port) as client:
        client.call("FLUSHALL")
        time.sleep(0.5)
        before = rss_bytes(server.pid)
        commands = []
        for start in range(0, count, batch):
            commands.append(("RPUSH", "biglist", *(f"e{i:09d}" for i in range(start, min(start + batch, count)))))
            if len(commands) == per_write or start + batch >= count:
                replies = client.pipeline(commands)
                if any(not isinstance(reply, int) for reply in replies):
                    raise BenchError(f"{server.name}: an RPUSH did not answer with an integer: {replies[:3]!r}")
                commands = []
        length = client.call("LLEN", "biglist")
        if length != count:
            raise BenchError(f"{server.name}: LLEN biglist is {length} after pushing {count} elements")
    time.sleep(1)
    server.check_alive()
    return (rss_bytes(server.pid) - before) / count


# ---------------------------------------------------------------------------
# Throughput, latency and CPU with redis-benchmark
# ---------------------------------------------------------------------------

@dataclass
class Run:
    """One redis-benchmark run against one server: the tests of one suite."""
    rps: dict = field(default_factory=dict)   # test -> requests per second
    p50: dict = field(default_factory=dict)   # test -> ms
    p99: dict = field(default_factory=dict)   # test -> ms
    cpu_us_per_request: float = 0.0           # server CPU over the whole run


def benchmark_command(port, requests, workload_args, suite=STRINGS):
    return ["redis-benchmark", "-h", HOST, "-p", str(port), "-t", suite.tests_arg,
            "-n", str(requests), *workload_args, "--csv"]


def parse_csv(text):
    """redis-benchmark --csv output -> {test: row}, columns named by its header line.

    The header (redis-benchmark 7) is "test","rps","avg_latency_ms",
    "min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",
    "max_latency_ms". Reading columns by name survives a reordering.
    """
    import csv
    rows = list(csv.reader(line for line in text.splitlines() if line.startswith('"')))
    if not rows or rows[0][:2] != ["test", "rps"]:
        raise BenchError(f"redis-benchmark printed no CSV header:\n{text}")
    header = rows[0]
    return {row[0]: dict(zip(header, row)) for row in rows[1:]}


def run_benchmark(server, requests, workload_args, suite=STRINGS):
    """One redis-benchmark run, with the server's CPU time measured around it."""
    command = benchmark_command(server.port, requests, workload_args, suite)
    server.check_alive()  # redis-benchmark retries a dead server forever
    before = cpu_seconds(server.pid)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=BENCHMARK_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{server.name}: redis-benchmark took over {BENCHMARK_TIMEOUT} s: "
                         f"{shlex.join(command)}") from None
    after = cpu_seconds(server.pid)
    server.check_alive()
    # redis-benchmark 7 prints "Error from server: ..." on stderr and exits 1.
    # "WARNING: Could not fetch server CONFIG" is harmless, so it is not an error.
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()
              or "could not connect" in line.lower()]
    if result.returncode < 0:  # not its own failure: something outside sent it a signal
        raise BenchError(f"{server.name}: redis-benchmark was killed by "
                         f"{signal.Signals(-result.returncode).name}: {shlex.join(command)}")
    if result.returncode != 0 or errors:
        raise BenchError(f"{server.name}: redis-benchmark failed (exit status {result.returncode}): "
                         f"{shlex.join(command)}\n{result.stderr.strip()}")
    rows = parse_csv(result.stdout)
    missing = [test for test in suite.tests if test not in rows]
    if missing:
        raise BenchError(f"{server.name}: redis-benchmark reported no {', '.join(missing)}:\n{result.stdout}")
    # Every test of the run (LRANGE's filling LPUSH too) sent `requests` requests.
    run = Run(cpu_us_per_request=(after - before) * 1e6 / (len(rows) * requests))
    for test in suite.tests:
        run.rps[test] = float(rows[test]["rps"])
        run.p50[test] = float(rows[test]["p50_latency_ms"])
        run.p99[test] = float(rows[test]["p99_latency_ms"])
    return run


def short_test(test):
    """A test's name without redis-benchmark's note: LRANGE_100 (first 100 elements) -> LRANGE_100."""
    return test.split(" (")[0]


def round_order(pair, round_number):
    """The servers in the order round `round_number` (from 1) runs them: ours first in odd rounds.

    Swapping the order every round (A B, B A, A B...) keeps a drift within a
    round (a busy spell starting, a cache or a CPU clock warming up) from
    always landing on the same server: over an even number of rounds each
    server goes first as often as the other.
    """
    return pair.servers if round_number % 2 == 1 else pair.servers[::-1]


def run_workloads(pair, rounds, requests, suites, transactions=0):
    """Every workload of every suite, `rounds` times, alternating ours and Redis.

    Alternating (A B, then B A: see round_order; rather than all of A then
    all of B) spreads any slow spell of a shared machine over both servers
    instead of one. With
    `transactions`, each round ends with that many MULTI / 10 INCR / EXEC
    transactions against each server (run_transactions, below).
    Returns {(suite name, workload): {server name: [Run, ...]}}, and
    {server name: [TxRun, ...]} (empty lists without transactions).
    """
    runs = {(suite.name, name): {server.name: [] for server in pair.servers}
            for suite in suites for name, _ in suite.workloads}
    tx_runs = {server.name: [] for server in pair.servers}
    for round_number in range(1, rounds + 1):
        for suite in suites:
            for name, workload_args in suite.workloads:
                for server in round_order(pair, round_number):
                    label = name if suite is STRINGS else f"{name}, {suite.name}"
                    print(f"  round {round_number}/{rounds}, {label:22} {server.name:5} ...", end=" ", flush=True)
                    run = run_benchmark(server, requests, workload_args, suite)
                    runs[(suite.name, name)][server.name].append(run)
                    print(" ".join(f"{short_test(test)} {run.rps[test]:,.0f}" for test in suite.tests)
                          + f"  ({run.cpu_us_per_request:.2f} µs CPU/request)", flush=True)
        if transactions:
            for server in round_order(pair, round_number):
                print(f"  round {round_number}/{rounds}, {'MULTI / 10 INCR / EXEC':22} {server.name:5} ...",
                      end=" ", flush=True)
                tx = run_transactions(server, transactions)
                tx_runs[server.name].append(tx)
                print(f"{tx.tps:,.0f} transactions/s  ({tx.cpu_us_per_tx:.2f} µs CPU/transaction; "
                      f"driver {tx.driver_share:.0%} of a core)", flush=True)
    return runs, tx_runs


# ---------------------------------------------------------------------------
# Transactions per second, with a small driver of our own
# ---------------------------------------------------------------------------

TX_CLIENTS = 10     # connections, one thread each
TX_PER_WRITE = 50   # transactions pipelined in one write, whose replies are all read before the next
TX_INCRS = 10       # INCRs per transaction: INCR counter:0 ... INCR counter:9

# One transaction's replies: +OK to MULTI, +QUEUED to each INCR, then EXEC's
# array of the INCRs' results. The ten results are one number: every
# transaction adds one to each of the ten counters, so between transactions
# they are all equal, and a transaction that ran as one (no other client's
# INCR in between) sees them all at the same value. `\1` (a backreference:
# the digits the group matched) says so.
TX_REPLY = re.compile(rb"\+OK\r\n(?:\+QUEUED\r\n){%d}\*%d\r\n:(\d+)\r\n(?::\1\r\n){%d}"
                      % (TX_INCRS, TX_INCRS, TX_INCRS - 1))
TX_REPLY_LINES = 1 + TX_INCRS + 1 + TX_INCRS  # each reply above is one line


@dataclass
class TxRun:
    """One run of the transaction driver against one server."""
    tps: float                 # transactions per second
    cpu_us_per_tx: float       # the server's CPU time per transaction
    driver_share: float        # the driver's CPU time / wall time: 1.0 is one core, busy throughout


def transaction_batch(count):
    """`count` transactions in one write: MULTI, INCR counter:0 ... counter:9, EXEC, each."""
    one = (RespClient.encode("MULTI")
           + b"".join(RespClient.encode("INCR", f"counter:{i}") for i in range(TX_INCRS))
           + RespClient.encode("EXEC"))
    return one * count


def transaction_client(server, count, start, errors):
    """One client's thread: `count` transactions, TX_PER_WRITE at a time, every reply checked.

    The replies are counted in lines (bytes.count, in C) until the batch's
    are all in, then matched with TX_REPLY (also in C): the driver's Python
    does little per transaction, so that it is not what gets measured.
    """
    batches = {}
    try:
        with socket.create_connection((HOST, server.port), timeout=60) as sock:
            start.wait(timeout=60)  # every client connected: the clock starts
            done = 0
            while done < count:
                size = min(TX_PER_WRITE, count - done)
                if size not in batches:
                    batches[size] = transaction_batch(size)
                sock.sendall(batches[size])
                reply, lines = bytearray(), 0
                while lines < size * TX_REPLY_LINES:
                    chunk = sock.recv(1 << 16)
                    if not chunk:
                        raise BenchError(f"{server.name}: the server closed a transaction client's connection")
                    scan = max(len(reply) - 1, 0)
                    reply += chunk
                    lines += chunk.count(b"\n")
                    if reply.startswith(b"-") or reply.find(b"\n-", scan) >= 0:  # an error reply
                        raise BenchError(f"{server.name}: an error in reply to MULTI / INCR / EXEC: "
                                         f"{bytes(reply[:400])!r}")
                position = 0
                for _ in range(size):
                    match = TX_REPLY.match(reply, position)
                    if match is None:
                        raise BenchError(f"{server.name}: not the replies of MULTI, {TX_INCRS} × INCR, EXEC "
                                         f"(an array of {TX_INCRS} equal integers): "
                                         f"{bytes(reply[position:position + 400])!r}")
                    position = match.end()
                if position != len(reply):
                    raise BenchError(f"{server.name}: more replies than commands: {bytes(reply[position:][:200])!r}")
                done += size
    except BaseException as error:  # noqa: B036 (handed to the main thread, which raises it)
        errors.append(error)  # before the abort below, so the cause comes first, not the others' broken barrier
        start.abort()  # a client that never reaches the start must not leave the others waiting


def run_transactions(server, transactions, clients=TX_CLIENTS):
    """`transactions` transactions over `clients` connections; transactions per second.

    FLUSHALL first, so the counters start at nothing; at the end each of
    them must be `transactions`: no INCR lost, none run twice. The clock
    runs from the moment every client is connected to the last reply.
    """
    with RespClient(server.port) as client:
        client.call("FLUSHALL")
    counts = [transactions // clients + (1 if i < transactions % clients else 0) for i in range(clients)]
    start, errors = threading.Barrier(clients + 1), []
    threads = [threading.Thread(target=transaction_client, args=(server, count, start, errors), daemon=True)
               for count in counts]
    for thread in threads:
        thread.start()
    server.check_alive()
    try:
        start.wait(timeout=60)
    except threading.BrokenBarrierError:
        pass  # a client failed to connect: its error is in `errors`
    began, cpu_before, driver_before = time.perf_counter(), cpu_seconds(server.pid), time.process_time()
    for thread in threads:
        thread.join(timeout=BENCHMARK_TIMEOUT)
        if thread.is_alive():
            raise BenchError(f"{server.name}: a transaction client took over {BENCHMARK_TIMEOUT} s")
    elapsed = time.perf_counter() - began
    cpu, driver = cpu_seconds(server.pid) - cpu_before, time.process_time() - driver_before
    server.check_alive()
    if errors:
        error = errors[0]
        raise error if isinstance(error, BenchError) else BenchError(f"{server.name}: transaction client: {error!r}")
    with RespClient(server.port) as client:
        values = client.pipeline([("GET", f"counter:{i}") for i in range(TX_INCRS)])
    if any(value != str(transactions).encode() for value in values):
        raise BenchError(f"{server.name}: after {transactions:,} transactions the counters are {values!r}, "
                         f"not {transactions} each")
    return TxRun(tps=transactions / elapsed, cpu_us_per_tx=cpu * 1e6 / transactions,
                 driver_share=driver / elapsed)


# ---------------------------------------------------------------------------
# Pub/sub: PUBLISH fan-out, and idle subscribers (stage 9 on)
# ---------------------------------------------------------------------------

FANOUT_RECEIVERS = (1, 10, 100)  # subscribers of the one channel, one run each
FANOUT_CHANNEL = b"bench:fanout"
FANOUT_PAYLOAD = b"m" * 16       # every message the same size: a subscriber's bytes count its messages
PUBLISH_PER_WRITE = 100          # PUBLISHes pipelined in one write, whose replies are read before the next
# How far (in writes) the publisher may run ahead of the slowest subscriber:
# without it the messages pile up in the server's output buffers, and its
# pub/sub output limit (Redis's 32 MB hard) disconnects the subscriber.
PUBLISH_WINDOW = 20
IDLE_CHANNELS = 100              # the idle subscribers' channels, one each


@dataclass
class FanoutRun:
    """One PUBLISH fan-out run against one server."""
    delivered_per_s: float       # messages delivered per second: publishes x receivers / time
    cpu_us_per_message: float    # server CPU per delivered message
    driver_share: float          # the driver's CPU over the same wall time, as a share of one core


def fanout_message():
    """The bytes of one message as a RESP2 subscriber receives it."""
    return RespClient.encode(b"message", FANOUT_CHANNEL, FANOUT_PAYLOAD)


def subscribe_all(server, sockets, channel_of):
    """SUBSCRIBE every socket (in one pass of writes, then one of reads) and check each confirmation."""
    for index, sock in enumerate(sockets):
        sock.sendall(RespClient.encode("SUBSCRIBE", channel_of(index)))
    for index, sock in enumerate(sockets):
        channel = channel_of(index)
        expected = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(channel), channel)
        reply = b""
        while len(reply) < len(expected):
            chunk = sock.recv(len(expected) - len(reply))
            if not chunk:
                raise BenchError(f"{server.name}: a subscriber was disconnected before its SUBSCRIBE was confirmed")
            reply += chunk
        if reply != expected:
            raise BenchError(f"{server.name}: SUBSCRIBE answered {reply!r}, not {expected!r}")


def run_fanout(server, receivers, publishes):
    """`publishes` PUBLISHes to `receivers` subscribers; messages delivered per second.

    The subscribers each have a connection of their own, subscribed to the
    one channel, and one thread drains them all (selectors: epoll), counting
    bytes: every message has the same size, so a subscriber is done when it
    has received `publishes` times that, and its last message is checked
    byte for byte. The publisher pipelines PUBLISH_PER_WRITE PUBLISHes per
    write, reads their replies (each must be `:receivers`), and waits while
    it is more than PUBLISH_WINDOW writes ahead of the slowest subscriber.
    The clock runs from the first PUBLISH to the last byte delivered.
    """
    raise_open_file_limit(receivers + 200)
    message = fanout_message()
    goal = publishes * len(message)
    subscribers = [socket.create_connection((HOST, server.port), timeout=30) for _ in range(receivers)]
    publisher = None
    try:
        subscribe_all(server, subscribers, lambda _: FANOUT_CHANNEL)
        publisher = RespClient(server.port)
        received = {sock.fileno(): 0 for sock in subscribers}
        tails = {sock.fileno(): b"" for sock in subscribers}
        progress = threading.Condition()
        slowest = [0]  # bytes the slowest subscriber has received, under `progress`
        failure = []

        def drain():
            selector = selectors.DefaultSelector()
            for sock in subscribers:
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ)
            try:
                pending = set(received)
                while pending:
                    events = selector.select(timeout=30)
                    if not events:
                        raise BenchError(f"{server.name}: subscribers waited 30 s for messages")
                    for key, _ in events:
                        chunk = key.fileobj.recv(1 << 20)
                        fd = key.fileobj.fileno()
                        if not chunk:
                            raise BenchError(f"{server.name}: a subscriber was disconnected after "
                                             f"{received[fd] // len(message):,} of {publishes:,} messages")
                        received[fd] += len(chunk)
                        tails[fd] = (tails[fd] + chunk)[-len(message):]
                        if received[fd] >= goal:
                            pending.discard(fd)
                            selector.unregister(key.fileobj)
                    with progress:
                        slowest[0] = min(received.values())
                        progress.notify()
            except BaseException as error:  # noqa: B902 (handed to the main thread)
                failure.append(error)
                with progress:
                    slowest[0] = goal
                    progress.notify()
            finally:
                selector.close()

        drainer = threading.Thread(target=drain, daemon=True)
        command = RespClient.encode("PUBLISH", FANOUT_CHANNEL, FANOUT_PAYLOAD)
        reply = b":%d\r\n" % receivers
        began, cpu_before, driver_before = time.perf_counter(), cpu_seconds(server.pid), time.process_time()
        drainer.start()
        sent = 0
        while sent < publishes:
            count = min(PUBLISH_PER_WRITE, publishes - sent)
            with progress:
                ahead = (sent - PUBLISH_WINDOW * PUBLISH_PER_WRITE) * len(message)
                if not progress.wait_for(lambda: slowest[0] >= ahead, timeout=60):
                    raise BenchError(f"{server.name}: subscribers fell 60 s behind the publisher")
            if failure:
                break
            publisher.sock.sendall(command * count)
            replies = publisher.reader.read(len(reply) * count)
            if replies != reply * count:
                raise BenchError(f"{server.name}: PUBLISH to {receivers} subscribers answered {replies[:40]!r}..., "
                                 f"not :{receivers} each")
            sent += count
        drainer.join(timeout=BENCHMARK_TIMEOUT)
        elapsed = time.perf_counter() - began
        cpu, driver = cpu_seconds(server.pid) - cpu_before, time.process_time() - driver_before
        if drainer.is_alive():
            raise BenchError(f"{server.name}: the subscribers took over {BENCHMARK_TIMEOUT} s")
        if failure:
            raise failure[0]
        server.check_alive()
        for fd, count in received.items():
            if count != goal or tails[fd] != message:
                raise BenchError(f"{server.name}: a subscriber received {count:,} bytes ending {tails[fd]!r}, "
                                 f"not {goal:,} ending {message!r}")
    finally:
        if publisher is not None:
            publisher.close()
        close_resetting(subscribers)
    delivered = publishes * receivers
    return FanoutRun(delivered_per_s=delivered / elapsed, cpu_us_per_message=cpu * 1e6 / delivered,
                     driver_share=driver / elapsed)


def run_fanouts(pair, rounds, publishes):
    """Every fan-out, `rounds` times, alternating ours and Redis; {receivers: {server name: [FanoutRun]}}."""
    runs = {receivers: {server.name: [] for server in pair.servers} for receivers in FANOUT_RECEIVERS}
    for round_number in range(1, rounds + 1):
        for receivers in FANOUT_RECEIVERS:
            for server in round_order(pair, round_number):
                label = f"PUBLISH to {plural(receivers, 'subscriber')}"
                print(f"  round {round_number}/{rounds}, {label:22} {server.name:5} ...", end=" ", flush=True)
                run = run_fanout(server, receivers, publishes)
                runs[receivers][server.name].append(run)
                print(f"{run.delivered_per_s:,.0f} messages delivered/s  ({run.cpu_us_per_message:.3f} µs CPU/message; "
                      f"driver {run.driver_share:.0%} of a core)", flush=True)
    return runs


def bytes_per_idle_subscriber(server, count):
    """Resident bytes each idle subscriber costs a freshly started server.

    `count` connections, each SUBSCRIBEd to one of IDLE_CHANNELS channels
    (every confirmation checked); then VmRSS minus the fresh server's,
    divided by `count`: the connection and the subscription together.
    """
    return bytes_per_connection(server, count, lambda clients: subscribe_all(
        server, clients, lambda index: f"idle:{index % IDLE_CHANNELS:03d}".encode()))


# ---------------------------------------------------------------------------
# Summaries, targets and the report
# ---------------------------------------------------------------------------

def median_of(runs, attribute, test=None):
    """Median over rounds of one figure: e.g. median_of(runs, "rps", "GET")."""
    values = [getattr(run, attribute) for run in runs]
    return statistics.median(values if test is None else [v[test] for v in values])


def plural(count, word):
    """1 round, 3 rounds."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def ratio(ours, redis):
    return ours / redis if redis else float("nan")


def paired_ratio(ours_runs, redis_runs, attribute, test=None):
    """Median over rounds of ours/Redis, each round's two runs paired.

    A round runs both servers (in round_order), seconds apart; a slow spell of a shared
    machine (a VM whose host is busy) usually hits both runs of a round.
    Dividing within each round cancels that spell out, and the median drops
    the round it did not. Dividing the two medians instead can compare a
    fast round of one server with a slow round of the other.
    """
    def value(run):
        figure = getattr(run, attribute)
        return figure if test is None else figure[test]
    return statistics.median(ratio(value(ours), value(redis)) for ours, redis in zip(ours_runs, redis_runs))


@dataclass
class Results:
    """Everything measured, and how."""
    rounds: int
    requests: int
    keys: int
    connections: int
    runs: dict            # from run_workloads
    key_bytes: dict       # server name -> resident bytes per key
    idle_bytes: dict      # server name -> resident bytes per idle connection
    suites: tuple = (STRINGS,)  # what run_workloads ran
    elements: int = 0     # list elements for list_bytes (0: not measured)
    list_bytes: dict = None  # server name -> resident bytes per list element, or None
    transactions: int = 0  # MULTI / 10 INCR / EXEC transactions per run (0: not measured)
    tx_runs: dict = None  # server name -> [TxRun, ...], from run_workloads
    publishes: int = 0    # PUBLISHes per fan-out run (0: pub/sub not measured)
    fanout_runs: dict = None  # receivers -> server name -> [FanoutRun, ...], from run_fanouts
    subscribers: int = 0  # idle subscribers for subscriber_bytes
    subscriber_bytes: dict = None  # server name -> resident bytes per idle subscriber


def workload_label(suite, name):
    """A workload as the tables name it: `-c 50`, or `-c 50` lists."""
    return f"`{name}`" if suite is STRINGS else f"`{name}` {suite.name}"


def throughput_rows(results):
    """One row per suite, workload and test, medians over rounds."""
    rows = []
    for suite in results.suites:
        rows += suite_rows(results, suite)
    return rows


def suite_rows(results, suite):
    """The rows of throughput_rows for one suite."""
    rows = []
    for name, _ in suite.workloads:
        ours, redis = results.runs[(suite.name, name)]["ours"], results.runs[(suite.name, name)]["redis"]
        for index, test in enumerate(suite.tests):
            row = {"suite": suite.name, "workload": name, "label": workload_label(suite, name),
                   "test": short_test(test)}
            for key, runs in (("ours", ours), ("redis", redis)):
                row[key + "_rps"] = median_of(runs, "rps", test)
                row[key + "_p50"] = median_of(runs, "p50", test)
                row[key + "_p99"] = median_of(runs, "p99", test)
            row["rps_ratio"] = paired_ratio(ours, redis, "rps", test)
            # CPU is measured over the whole run (all its tests): shown once per workload.
            if index == 0:
                row["ours_cpu"] = median_of(ours, "cpu_us_per_request")
                row["redis_cpu"] = median_of(redis, "cpu_us_per_request")
                row["cpu_ratio"] = paired_ratio(ours, redis, "cpu_us_per_request")
            rows.append(row)
    return rows


def fmt_ratio(value):
    return "n/a" if value != value else f"{value:.2f}×"  # NaN != NaN


def markdown_tables(results):
    """The throughput/latency/CPU table and the memory table, as markdown."""
    if results.key_bytes is None:  # --pubsub-only: the pub/sub tables alone
        return "\n".join([fanout_table(results), "", fanout_note(results), ""] + memory_table(results))
    lines = [
        "| Workload | Test | Ours req/s | Redis req/s | Ours/Redis "
        "| Ours p50 ms | Redis p50 ms | Ours p99 ms | Redis p99 ms "
        "| Ours CPU µs/req | Redis CPU µs/req | CPU ours/Redis |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in throughput_rows(results):
        cpu = ["", "", ""]
        if "ours_cpu" in row:
            cpu = [f"{row['ours_cpu']:.2f}", f"{row['redis_cpu']:.2f}",
                   fmt_ratio(row["cpu_ratio"])]
        lines.append(
            f"| {row['label']} | {row['test']} | {row['ours_rps']:,.0f} | {row['redis_rps']:,.0f} "
            f"| {fmt_ratio(row['rps_ratio'])} "
            f"| {row['ours_p50']:.3f} | {row['redis_p50']:.3f} | {row['ours_p99']:.3f} | {row['redis_p99']:.3f} "
            f"| {' | '.join(cpu)} |")
    others = [text for suite, text in ((LISTS, "for the lists seven: the six shown and the LPUSH run that "
                                                "fills the list for LRANGE"),
                                        (COUNTERS, "for the counters two"))
              if suite in results.suites]
    lines += [
        "",
        "CPU is the servers' user + system time over a whole `redis-benchmark` run "
        f"(four tests of {results.requests:,} requests"
        + "".join(f", or {text}" if i == 0 else f"; {text}" for i, text in enumerate(others))
        + "), so it appears once per workload.",
        "",
    ]
    if results.transactions:
        lines += [transactions_table(results), "", transactions_note(results), ""]
    if results.publishes:
        lines += [fanout_table(results), "", fanout_note(results), ""]
    lines += memory_table(results)
    return "\n".join(lines)


def memory_table(results):
    """The memory table's lines: keys, idle connections, list elements, idle subscribers (what was measured)."""
    if results.key_bytes is None:  # --pubsub-only
        return ["| Memory (resident, VmRSS) | Ours | Redis | Ours/Redis |", "|---|---:|---:|---:|",
                subscriber_row(results)]
    lines = [
        "| Memory (resident, VmRSS) | Ours | Redis | Ours/Redis |",
        "|---|---:|---:|---:|",
        f"| bytes per key ({results.keys:,} keys: 11-byte keys, 16-byte values) "
        f"| {results.key_bytes['ours']:,.0f} | {results.key_bytes['redis']:,.0f} "
        f"| {fmt_ratio(ratio(results.key_bytes['ours'], results.key_bytes['redis']))} |",
        f"| bytes per idle connection ({results.connections:,} connections) "
        f"| {results.idle_bytes['ours']:,.0f} | {results.idle_bytes['redis']:,.0f} "
        f"| {fmt_ratio(ratio(results.idle_bytes['ours'], results.idle_bytes['redis']))} |",
    ]
    if results.list_bytes:
        lines.append(
            f"| bytes per list element (one list of {results.elements:,} ten-byte elements) "
            f"| {results.list_bytes['ours']:,.1f} | {results.list_bytes['redis']:,.1f} "
            f"| {fmt_ratio(ratio(results.list_bytes['ours'], results.list_bytes['redis']))} |")
    if results.subscriber_bytes:
        lines.append(subscriber_row(results))
    return lines


def subscriber_row(results):
    """The idle-subscriber row of the memory table."""
    ours, redis = results.subscriber_bytes["ours"], results.subscriber_bytes["redis"]
    return (f"| bytes per idle subscriber ({results.subscribers:,} subscribers, one of {IDLE_CHANNELS} channels each; "
            f"above a fresh server) | {ours:,.0f} | {redis:,.0f} | {fmt_ratio(ratio(ours, redis))} |")


def fanout_table(results):
    """The PUBLISH fan-out rows, and their CPU figures, as markdown."""
    lines = [f"| PUBLISH fan-out (1 publisher, {PUBLISH_PER_WRITE} per write, {results.publishes:,} per run) "
             f"| Ours | Redis | Ours/Redis |", "|---|---:|---:|---:|"]
    for receivers in FANOUT_RECEIVERS:
        ours, redis = results.fanout_runs[receivers]["ours"], results.fanout_runs[receivers]["redis"]
        for label, attribute, form in (
                (f"{plural(receivers, 'subscriber')}: messages delivered per second", "delivered_per_s", "{:,.0f}"),
                (f"{plural(receivers, 'subscriber')}: server CPU µs per message", "cpu_us_per_message", "{:.3f}"),
                (f"{plural(receivers, 'subscriber')}: driver CPU (its share of one core)", "driver_share", "{:.0%}")):
            lines.append(f"| {label} | {form.format(median_of(ours, attribute))} "
                         f"| {form.format(median_of(redis, attribute))} "
                         f"| {fmt_ratio(paired_ratio(ours, redis, attribute))} |")
    return "\n".join(lines)


def fanout_note(results):
    """Whether the Python driver, rather than the server, may have set a fan-out's rate."""
    busy = [f"{receivers} ({name})" for receivers in FANOUT_RECEIVERS for name in ("ours", "redis")
            if median_of(results.fanout_runs[receivers][name], "driver_share") >= DRIVER_BUSY]
    if busy:
        return (f"**The driver was busy** (at least {DRIVER_BUSY:.0%} of a core) with "
                f"{', '.join(busy)} subscribers: those rates may be the driver's, not the server's.")
    return (f"The driver (publisher and subscribers, one process) used under {DRIVER_BUSY:.0%} of a core "
            "in every fan-out: the rates are the servers'.")


def transactions_table(results):
    """The MULTI / 10 INCR / EXEC row, and its CPU figures, as markdown."""
    ours, redis = results.tx_runs["ours"], results.tx_runs["redis"]
    rows = [("MULTI / 10 INCR / EXEC, transactions per second", "tps", "{:,.0f}"),
            ("server CPU µs per transaction", "cpu_us_per_tx", "{:.2f}"),
            ("driver CPU (its share of one core)", "driver_share", "{:.0%}")]
    lines = [f"| Transactions ({TX_CLIENTS} clients, {TX_PER_WRITE} per write, "
             f"{results.transactions:,} per run) | Ours | Redis | Ours/Redis |", "|---|---:|---:|---:|"]
    for label, attribute, form in rows:
        lines.append(f"| {label} | {form.format(median_of(ours, attribute))} "
                     f"| {form.format(median_of(redis, attribute))} "
                     f"| {fmt_ratio(paired_ratio(ours, redis, attribute))} |")
    return "\n".join(lines)


DRIVER_BUSY = 0.80  # the driver's share of a core above which it may be what limits the rate


def transactions_note(results):
    """Whether the Python driver, rather than the server, may have set the transaction rate."""
    busy = [name for name in ("ours", "redis")
            if median_of(results.tx_runs[name], "driver_share") >= DRIVER_BUSY]
    if len(busy) == 2:
        return ("**The driver was the ceiling:** it kept one core at least "
                f"{DRIVER_BUSY:.0%} busy against both servers (Python runs one thread at a time), "
                "so both may have reached the driver's rate, not their own, and the ratio says little.")
    if busy:
        return (f"**The driver was busy** (at least {DRIVER_BUSY:.0%} of a core) against "
                f"{'our server' if busy == ['ours'] else 'Redis'} only: that server's rate may be the driver's.")
    return (f"The driver used under {DRIVER_BUSY:.0%} of a core against both servers: "
            "it waited for the servers, so the rates are theirs.")


def targets(results):
    """Each "must reach" target: (description, what was measured, met?)."""
    checks = []
    rows = throughput_rows(results)
    for suite in results.suites:
        for name, _ in suite.workloads:
            ratios = {row["test"]: row["rps_ratio"] for row in rows
                      if row["suite"] == suite.name and row["workload"] == name}
            worst = min(ratios, key=ratios.get)
            what = "throughput" if suite is STRINGS else f"{suite.name} throughput (`-t {suite.tests_arg}`)"
            checks.append((f"{what} ≥ {MIN_THROUGHPUT_RATIO:.2f}× Redis, `{name}`",
                           f"lowest {fmt_ratio(ratios[worst])} ({worst})",
                           all(value >= MIN_THROUGHPUT_RATIO for value in ratios.values())))
    if results.transactions:
        value = paired_ratio(results.tx_runs["ours"], results.tx_runs["redis"], "tps")
        checks.append((f"MULTI / 10 INCR / EXEC, transactions per second ≥ {MIN_TRANSACTION_RATIO:.2f}× Redis",
                       f"{fmt_ratio(value)} ({median_of(results.tx_runs['ours'], 'tps'):,.0f} vs "
                       f"{median_of(results.tx_runs['redis'], 'tps'):,.0f})", value >= MIN_TRANSACTION_RATIO))
    if results.publishes:
        ratios = {receivers: paired_ratio(results.fanout_runs[receivers]["ours"], results.fanout_runs[receivers]["redis"],
                                          "delivered_per_s") for receivers in FANOUT_RECEIVERS}
        worst = min(ratios, key=ratios.get)
        checks.append((f"PUBLISH fan-out, messages delivered per second ≥ {MIN_PUBLISH_RATIO:.2f}× Redis "
                       f"({', '.join(map(str, FANOUT_RECEIVERS))} subscribers)",
                       f"lowest {fmt_ratio(ratios[worst])} ({plural(worst, 'subscriber')})",
                       all(value >= MIN_PUBLISH_RATIO for value in ratios.values())))
    if results.key_bytes is None:  # --pubsub-only: nothing else was measured
        return checks + subscriber_target(results)
    # The CPU target is the string workloads' (the lists' CPU is in the table).
    for row in rows:
        if "ours_cpu" in row and row["suite"] == STRINGS.name:
            value = row["cpu_ratio"]
            checks.append((f"CPU per request ≤ {MAX_CPU_RATIO:.1f}× Redis, `{row['workload']}`",
                           f"{fmt_ratio(value)} ({row['ours_cpu']:.2f} vs {row['redis_cpu']:.2f} µs)",
                           value <= MAX_CPU_RATIO))
    value = ratio(results.key_bytes["ours"], results.key_bytes["redis"])
    checks.append((f"RSS per key ≤ {MAX_KEY_RATIO:.1f}× Redis", f"{fmt_ratio(value)} "
                   f"({results.key_bytes['ours']:,.0f} vs {results.key_bytes['redis']:,.0f} bytes)",
                   value <= MAX_KEY_RATIO))
    value = results.idle_bytes["ours"]
    checks.append((f"RSS per idle connection ≤ {MAX_IDLE_CONNECTION_BYTES // 1024} KB",
                   f"{value:,.0f} bytes", value <= MAX_IDLE_CONNECTION_BYTES))
    if results.list_bytes:
        value = ratio(results.list_bytes["ours"], results.list_bytes["redis"])
        checks.append((f"RSS per list element ≤ {MAX_LIST_ELEMENT_RATIO:.1f}× Redis "
                       f"(one list of {results.elements:,} ten-byte elements)",
                       f"{fmt_ratio(value)} ({results.list_bytes['ours']:,.1f} vs "
                       f"{results.list_bytes['redis']:,.1f} bytes)", value <= MAX_LIST_ELEMENT_RATIO))
    return checks + subscriber_target(results)


def subscriber_target(results):
    """The idle-subscriber memory target, when it was measured."""
    if not results.subscriber_bytes:
        return []
    ours, redis = results.subscriber_bytes["ours"], results.subscriber_bytes["redis"]
    value = ratio(ours, redis)
    return [(f"RSS per idle subscriber ≤ {MAX_SUBSCRIBER_RATIO:.1f}× Redis ({results.subscribers:,} subscribers)",
             f"{fmt_ratio(value)} ({ours:,.0f} vs {redis:,.0f} bytes)", value <= MAX_SUBSCRIBER_RATIO)]


def markdown_targets(results):
    lines = ["| Must reach | Measured | Met |", "|---|---|---|"]
    for description, measured, met in targets(results):
        lines.append(f"| {description} | {measured} | {'yes' if met else '**NO**'} |")
    return "\n".join(lines)


NOISY_SPREAD = 0.25  # (max - min) / median over rounds, above which a figure is suspect


def noisy_figures(results):
    """The (workload, test, server) whose req/s swung by over NOISY_SPREAD between rounds.

    On a machine shared with builds and tests, a busy spell halves a run's
    throughput; the medians then compare a quiet round with a busy one.
    """
    noisy = []
    for suite in results.suites:
        for name, _ in suite.workloads:
            for test in suite.tests:
                for server in ("ours", "redis"):
                    values = [run.rps[test] for run in results.runs[(suite.name, name)][server]]
                    if len(values) > 1 and (max(values) - min(values)) / statistics.median(values) > NOISY_SPREAD:
                        noisy.append((name, test, server))
    for server in ("ours", "redis") if results.transactions else ():
        values = [run.tps for run in results.tx_runs[server]]
        if len(values) > 1 and (max(values) - min(values)) / statistics.median(values) > NOISY_SPREAD:
            noisy.append(("transactions", "MULTI / 10 INCR / EXEC", server))
    for receivers in FANOUT_RECEIVERS if results.publishes else ():
        for server in ("ours", "redis"):
            values = [run.delivered_per_s for run in results.fanout_runs[receivers][server]]
            if len(values) > 1 and (max(values) - min(values)) / statistics.median(values) > NOISY_SPREAD:
                noisy.append(("pub/sub", f"PUBLISH to {receivers}", server))
    return noisy


def noise_note(results):
    """A warning for the report when rounds disagree, or an empty string."""
    noisy = noisy_figures(results)
    if not noisy:
        return ""
    figures = sum(len(suite.workloads) * len(suite.tests) * 2 for suite in results.suites)
    figures += 2 if results.transactions else 0
    figures += 2 * len(FANOUT_RECEIVERS) if results.publishes else 0
    return (f"**Noisy run:** {len(noisy)} of {figures} figures swung by more than "
            f"{NOISY_SPREAD:.0%} between rounds (see Every round below), so some ratios compare a quiet "
            f"round with a busy one. Rerun on a quiet machine, or with more rounds, before trusting them.")


def rounds_detail(results):
    """Every round's req/s, to show how much single runs swing."""
    lines = ["| Workload | Test | Ours req/s, each round | Redis req/s, each round |", "|---|---|---|---|"]
    for suite in results.suites:
        for name, _ in suite.workloads:
            for test in suite.tests:
                cells = [", ".join(f"{run.rps[test]:,.0f}" for run in results.runs[(suite.name, name)][server])
                         for server in ("ours", "redis")]
                lines.append(f"| {workload_label(suite, name)} | {short_test(test)} | {cells[0]} | {cells[1]} |")
    if results.transactions:
        cells = [", ".join(f"{run.tps:,.0f}" for run in results.tx_runs[server]) for server in ("ours", "redis")]
        lines.append(f"| transactions | MULTI / 10 INCR / EXEC (per second) | {cells[0]} | {cells[1]} |")
    for receivers in FANOUT_RECEIVERS if results.publishes else ():
        cells = [", ".join(f"{run.delivered_per_s:,.0f}" for run in results.fanout_runs[receivers][server])
                 for server in ("ours", "redis")]
        lines.append(f"| pub/sub | PUBLISH to {plural(receivers, 'subscriber')} (messages delivered per second) "
                     f"| {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The SVG chart, written by hand
# ---------------------------------------------------------------------------

def nice_step(maximum, ticks=5):
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = maximum / ticks
    power = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * power >= raw:
            return multiple * power
    return 10 * power


def short_number(value):
    """40000 -> 40k, 1500000 -> 1.5M: axis labels that fit."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def svg_chart(results):
    """Grouped bars, ours vs Redis req/s, one panel per workload.

    Each panel has its own y scale: pipelined throughput is over ten times
    the rest, and on a shared axis the other panels' bars would be slivers.
    """
    ours_colour, redis_colour = "#E66100", "#5D3A9B"  # orange/purple: distinct for colour-blind readers
    width, height = 960, 460
    panel_left, panel_gap, panel_width = 90, 60, 240
    top, plot_height = 100, 260
    bottom = top + plot_height
    rows = suite_rows(results, STRINGS)  # the chart shows -t ping,set,get; the lists are in the tables
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        "<title>Throughput of our server and redis-server, by redis-benchmark workload and test</title>",
        # An opaque background keeps the chart readable in dark mode too.
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2}" y="28" text-anchor="middle" font-size="18" font-weight="bold">'
        f"Requests per second: our server vs redis-server</text>",
        f'<text x="{width / 2}" y="48" text-anchor="middle" fill="#444">'
        f"median of {plural(results.rounds, 'round')} of {results.requests:,} requests per test; "
        f"each panel has its own scale; the figure above each pair is ours/Redis</text>",
    ]
    for index, (label, colour) in enumerate((("ours (Swift, newest stage)", ours_colour),
                                             ("redis-server", redis_colour))):
        x = width / 2 - 170 + index * 210
        out.append(f'<rect x="{x}" y="60" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{x + 20}" y="72">{xml_escape(label)}</text>')
    out.append(f'<text transform="translate(24 {top + plot_height / 2}) rotate(-90)" text-anchor="middle" '
               f'font-size="13">requests per second</text>')
    for panel, (name, _) in enumerate(WORKLOADS):
        left = panel_left + panel * (panel_width + panel_gap)
        panel_rows = [row for row in rows if row["workload"] == name]
        step = nice_step(max(max(row["ours_rps"], row["redis_rps"]) for row in panel_rows))
        top_value = step * (int(max(max(r["ours_rps"], r["redis_rps"]) for r in panel_rows) / step) + 1)
        scale = plot_height / top_value
        # Grid lines and y tick labels.
        tick = 0
        while tick <= top_value + step / 2:
            y = bottom - tick * scale
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + panel_width}" y2="{y:.1f}" '
                       f'stroke="#dddddd"/>')
            out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#444">'
                       f"{short_number(tick)}</text>")
            tick += step
        group_width = panel_width / len(TESTS)
        bar_width = group_width * 0.32
        for position, row in enumerate(panel_rows):
            centre = left + group_width * (position + 0.5)
            for offset, key, colour in ((-1, "ours", ours_colour), (0, "redis", redis_colour)):
                value = row[key + "_rps"]
                x, bar_height = centre + offset * bar_width, value * scale
                out.append(f'<rect x="{x:.1f}" y="{bottom - bar_height:.1f}" width="{bar_width:.1f}" '
                           f'height="{bar_height:.1f}" fill="{colour}">'
                           f"<title>{key} {row['test']} {name}: {value:,.0f} req/s</title></rect>")
            peak = max(row["ours_rps"], row["redis_rps"]) * scale
            out.append(f'<text x="{centre:.1f}" y="{bottom - peak - 5:.1f}" text-anchor="middle" '
                       f'font-size="11">{fmt_ratio(row["rps_ratio"])}</text>')
            # Test names split on "_" over two lines, so PING_INLINE fits its group.
            words = row["test"].split("_")
            spans = "".join(f'<tspan x="{centre:.1f}" dy="{0 if i == 0 else 13}">{xml_escape(word)}</tspan>'
                            for i, word in enumerate(words))
            out.append(f'<text y="{bottom + 16}" text-anchor="middle" font-size="11">{spans}</text>')
        out.append(f'<line x1="{left}" y1="{bottom}" x2="{left + panel_width}" y2="{bottom}" stroke="#333"/>')
        out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>')
        out.append(f'<text x="{left + panel_width / 2}" y="{bottom + 50}" text-anchor="middle" '
                   f'font-size="13" font-weight="bold">redis-benchmark {xml_escape(name)}</text>')
    out.append(f'<text x="{width / 2}" y="{height - 14}" text-anchor="middle" font-size="13">'
               f"test (redis-benchmark -t ping,set,get), by workload</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# The results file
# ---------------------------------------------------------------------------

def first_line(command):
    """The first line a command prints (stdout or stderr), or why it could not run."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"({error})"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "(no output)"


def machine_description():
    """nproc, CPU model, kernel, and the load when the run started."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": first_line(["nproc"]),
        "cpu": model,
        "kernel": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }


def write_report(out_dir, results, info):
    """Write performance-results.md and performance-chart.svg into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "performance-chart.svg").write_text(svg_chart(results))
    machine, versions = info["machine"], info["versions"]
    if info["server"]:
        ours_cmd = info["server"].replace("{port}", "PORT") + "     # --server: run as it is, built by nobody"
        build_cmd = "# (no build: --server)"
        subject = f"The server given with `--server` (`{info['server']}`)"
    else:
        ours_cmd = f".build/release/{info['product']} --port PORT     # the script runs a copy, .build/bench/{info['product']}"
        build_cmd = shlex.join(info['build'])
        subject = f"Our newest stage (`Stages/{info['stage']}`, release build)"
    redis_cmd = ("redis-server --port PORT --bind 127.0.0.1 --save '' --appendonly no "
                 "--daemonize no --maxclients 10100")
    bench_cmds = "\n".join(shlex.join(benchmark_command(0, results.requests, args, suite)).replace(" -p 0 ", " -p PORT ")
                           for suite in results.suites for _, args in suite.workloads)
    lists, counters = LISTS in results.suites, COUNTERS in results.suites
    # How many tests each run's CPU is divided over, and which runs the chart leaves out.
    others = [text for on, text in ((lists, "7 × for the lists: the LRANGE tests first fill the list "
                                            "with an LPUSH run of their own"),
                                    (counters, "2 × for the counters")) if on]
    per_run = f" ({'; '.join(others)})" if others else ""
    not_charted = " and ".join(suite.name for suite in results.suites if suite is not STRINGS)
    not_charted = f"; the {not_charted} are in the tables only" if not_charted else ""
    default_run = ("""
- **Why `-t`:** with no `-t`, `redis-benchmark` runs its default tests in its own order (PING_INLINE,
  PING_MBULK, SET, GET, INCR, LPUSH, RPUSH, LPOP, RPOP, SADD, HSET, SPOP, ZADD, ZPOPMIN, the LRANGEs, MSET)
  and exits at the first command the server lacks. Stage 8 gets past INCR and LPUSH, RPUSH, LPOP,
  RPOP, then stops at SADD (it has no sets); the runs above name their tests, so the LRANGEs and
  MSET are measured too.""" if counters else "")
    transactions = (f"""
- **Transactions:** in each round, after the `redis-benchmark` runs, on the same pair of servers,
  in the round's order: `FLUSHALL`, then {results.transactions:,} transactions (`MULTI`,
  `INCR counter:0` ... `INCR counter:9`, `EXEC`) from {TX_CLIENTS} connections of a small Python driver
  (`run_transactions` in `bench.py`, one thread per connection), each writing {TX_PER_WRITE} transactions
  at a time and reading all their replies before the next write. Every reply is checked (`+OK`,
  ten `+QUEUED`, and an `EXEC` array of ten equal integers: a transaction that ran as one sees the ten
  counters at the same value), and at the end each counter must be {results.transactions:,}. The rate is
  transactions over the time from every client connected to the last reply; the server's CPU is
  read as for `redis-benchmark`, and the driver's CPU (its own process time over the same wall
  time) shows whether the driver, rather than the server, set the pace: it shares the cores with the
  server, as `redis-benchmark` does, and being Python it runs one thread at a time, so near 100% of
  a core it is the ceiling. Its replies are counted and matched in C (`bytes.count`, `re`), so it
  does little Python per transaction.""" if results.transactions else "")
    pubsub = (f"""
- **PUBLISH fan-out:** in each round, after the transactions, on the same pair, in the round's order, for
  {', '.join(map(str, FANOUT_RECEIVERS))} subscribers: that many connections `SUBSCRIBE bench:fanout` (each
  confirmation checked), then one publisher connection sends {results.publishes:,} `PUBLISH bench:fanout`
  of a 16-byte message, {PUBLISH_PER_WRITE} per write, reading their replies (each `:N`, N the subscribers)
  before the next write, and never more than {PUBLISH_WINDOW} writes ahead of the slowest subscriber (so
  no output buffer grows to the pub/sub output limit). One thread drains every subscriber (epoll,
  `selectors`), counting bytes: each must receive {results.publishes:,} messages exactly, the last one
  checked byte for byte. The rate is publishes × subscribers over the time from the first `PUBLISH`
  to the last byte delivered (`run_fanout` in `bench.py`); CPU and the driver's share as for the
  transactions.""" if results.publishes else "")
    subscriber_memory = (f"""
- **Bytes per idle subscriber:** on another freshly started pair, {results.subscribers:,} connections
  each `SUBSCRIBE` to one of {IDLE_CHANNELS} channels (`idle:000` ... `idle:099`, every confirmation
  checked); `VmRSS` after, minus the fresh server's, divided by {results.subscribers:,}: the connection
  and its subscription together (compare bytes per idle connection).""" if results.subscriber_bytes else "")
    list_memory = (f"""
- **Bytes per list element:** on another freshly started pair, `FLUSHALL`, then one list of
  {results.elements:,} ten-byte elements (`e000000000`: not numbers, which Redis would store as
  integers) loaded by `RPUSH biglist` with 1,000 elements per command, 10 commands per write;
  `VmRSS` after, minus before, divided by {results.elements:,}.""" if results.list_bytes else "")
    text = f"""# Performance results

{subject} beside `redis-server`, each on a free
loopback port, measured by `Tests/Benchmarks/bench.py`; this page and the chart were written by

```sh
{info['invocation']}
```

`make bench` runs it as `--rounds 4 --requests 200000` (`make bench ROUNDS=6 REQUESTS=500000` changes
the two counts), `make bench-quick` as `--quick`. The
figures come from one run on one shared machine: read them as ratios more than as absolutes.

- **Date:** {info['date']}
- **Machine:** {machine['nproc']} CPUs ({machine['cpu']}), {machine['kernel']};
  load average {info['load']} when the run started, {info['load_end']} when it ended.
  `redis-benchmark` runs on the same cores as the server it measures.
- **Versions:** {versions['redis']}; {versions['benchmark']}; {versions['swift']}
- **Code:** git `{info['git']}` when the server was built{" (`-dirty`: uncommitted changes were measured too)" if info['git'].endswith("-dirty") else ""}

![Requests per second, ours vs redis-server, per redis-benchmark workload and test](performance-chart.svg)

## Results

Medians of {plural(results.rounds, 'round')}; the ratios are medians of each round's ours/Redis; p50 and p99 are `redis-benchmark`'s latency percentiles, in ms.

{noise_note(results)}

{markdown_tables(results)}

## Targets

{markdown_targets(results)}

## How it was measured

```sh
{build_cmd}
{ours_cmd}
{redis_cmd}
{bench_cmds}
```

- **Throughput, latency, CPU:** the {len([w for suite in results.suites for w in suite.workloads])} `redis-benchmark` runs above, {plural(results.rounds, 'round')} each,
  alternating our server and Redis (ours then Redis in odd rounds, Redis then ours in even ones)
  so a slow spell on the machine hits both, and neither always runs first. Each figure is the median over rounds; each ratio (ours/Redis) is the median of the
  rounds' own ratios, since a round's two runs are seconds apart and share the machine's mood. CPU per request is the server's utime + stime
  (fields 14 and 15 of `/proc/PID/stat`) after the run minus before, divided by the run's
  4 × {results.requests:,} requests{per_run}.
  The chart shows the `-t ping,set,get` runs{not_charted}.{default_run}{transactions}{pubsub}
- **Bytes per idle connection:** on freshly started servers, {results.connections:,} connections that
  send nothing (the first and the last answer `PING`, to prove they were accepted); the server's
  `VmRSS` after, minus before, divided by {results.connections:,}.
- **Bytes per key:** on another freshly started pair, `FLUSHALL`, then {results.keys:,} keys
  (`key:0000000`, 11 bytes) with 16-byte values (`val:000000000000`) loaded by pipelined `SET`s,
  1,000 per write; `VmRSS` after, minus before, divided by {results.keys:,}.{list_memory}{subscriber_memory}
- The benchmarks run on a {"fourth" if results.list_bytes else "third"} fresh pair, so no memory figure is distorted by memory that
  an earlier step freed (allocators keep freed pages for reuse).

## Every round

{rounds_detail(results)}
"""
    (out_dir / "performance-results.md").write_text(text)
    return out_dir / "performance-results.md", out_dir / "performance-chart.svg"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 1 round, 20,000 requests, 100,000 keys, 1,000 connections, "
                             "20,000 transactions, results into .build/bench/")
    parser.add_argument("--rounds", type=int, help="rounds of each workload (default 4: each server first in two; 1 with --quick)")
    parser.add_argument("--requests", type=int, help="requests per test (default 200000; 20000 with --quick)")
    parser.add_argument("--keys", type=int, help="keys for bytes per key (default 1000000; 100000 with --quick)")
    parser.add_argument("--connections", type=int,
                        help="idle connections for bytes per connection (default 10000; 1000 with --quick)")
    parser.add_argument("--elements", type=int,
                        help="elements of the one list for bytes per list element (default 1000000; "
                             "100000 with --quick)")
    parser.add_argument("--lists", action="store_true",
                        help=f"run the list benchmarks even if the newest stage is older than stage {LIST_STAGE} "
                             "(they run by default from that stage on)")
    parser.add_argument("--counters", action="store_true",
                        help=f"run the counter benchmarks (-t incr,mset) and the MULTI / 10 INCR / EXEC transactions "
                             f"even if the newest stage is older than stage {COUNTER_STAGE} "
                             "(they run by default from that stage on)")
    parser.add_argument("--transactions", type=int,
                        help="MULTI / 10 INCR / EXEC transactions per run, with the counters "
                             "(default 200000; 20000 with --quick)")
    parser.add_argument("--pubsub", action="store_true",
                        help=f"run the pub/sub benchmarks (PUBLISH fan-out, idle subscribers) even if the newest "
                             f"stage is older than stage {PUBSUB_STAGE} (they run by default from that stage on)")
    parser.add_argument("--pubsub-only", action="store_true",
                        help="run only the pub/sub benchmarks and print their tables; writes no results page")
    parser.add_argument("--publishes", type=int,
                        help="PUBLISHes per fan-out run (default 200000; 20000 with --quick)")
    parser.add_argument("--subscribers", type=int,
                        help="idle subscribers for bytes per subscriber (default 10000; 1000 with --quick)")
    parser.add_argument("--server", metavar="'CMD {port}'",
                        help="benchmark this command instead of building the newest stage, e.g. "
                             "\"redis-server --port {port} --save ''\" to try the script on Redis against Redis")
    parser.add_argument("--out", type=Path,
                        help="where to write the results page and chart (default Tutorials/; .build/bench/ with --quick)")
    args = parser.parse_args()
    defaults = ((1, 20_000, 100_000, 1_000, 100_000, 20_000, 20_000, 1_000, WORK_DIR) if args.quick else
                (4, 200_000, 1_000_000, 10_000, 1_000_000, 200_000, 200_000, 10_000, ROOT / "Tutorials"))
    for name, default in zip(("rounds", "requests", "keys", "connections", "elements", "transactions",
                              "publishes", "subscribers", "out"), defaults):
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.server is not None and "{port}" not in args.server:
        parser.error("--server needs {port} in the command, where the free port goes")
    if args.server is not None and args.out == ROOT / "Tutorials":
        parser.error("--server measures some other server: give --out (or --quick), so that "
                     "Tutorials/performance-results.md keeps our stage's figures")
    for name in ("rounds", "requests", "keys", "connections", "elements", "transactions", "publishes", "subscribers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def check_tools():
    """redis-server and redis-benchmark are the yardstick: without them there is nothing to compare."""
    missing = [tool for tool in ("redis-server", "redis-benchmark") if shutil.which(tool) is None]
    if missing:
        print(f"bench: {' and '.join(missing)} not found. Install Redis "
              "(Debian/Ubuntu: apt-get install redis-server redis-tools; macOS: brew install redis).",
              file=sys.stderr)
        sys.exit(2)
    if not Path("/proc/self/stat").exists():
        print("bench: this benchmark reads /proc, so it runs on Linux only.", file=sys.stderr)
        sys.exit(2)


def memory_phase(ours_command, heading, figure, unit, form="{:,.0f}"):
    """One memory figure on a freshly started pair: {server name: figure(server)}, each printed."""
    print(f"\n== Memory: {heading} (fresh servers)", flush=True)
    values = {}
    with ServerPair(ours_command) as pair:
        for server in pair.servers:
            values[server.name] = figure(server)
            print(f"  {server.name:5} {form.format(values[server.name])} {unit}", flush=True)
    return values


def measure_pubsub(ours_command, args):
    """The pub/sub measurements: idle subscribers on a fresh pair, then the fan-outs on another.

    Returns (subscriber bytes {server name: bytes}, fan-out runs).
    """
    subscriber_bytes = memory_phase(ours_command, f"{args.subscribers:,} idle subscribers on {IDLE_CHANNELS} channels",
                                    lambda server: bytes_per_idle_subscriber(server, args.subscribers),
                                    "bytes per idle subscriber")
    print(f"\n== PUBLISH fan-out: {plural(args.rounds, 'round')} of {', '.join(map(str, FANOUT_RECEIVERS))} "
          f"subscribers, {args.publishes:,} PUBLISHes per run (fresh servers)", flush=True)
    with ServerPair(ours_command) as pair:
        fanout_runs = run_fanouts(pair, args.rounds, args.publishes)
    return subscriber_bytes, fanout_runs


def measure(ours_command, args, lists, counters, pubsub):
    """All the measurements, each phase on freshly started servers."""
    if args.pubsub_only:
        subscriber_bytes, fanout_runs = measure_pubsub(ours_command, args)
        return Results(args.rounds, args.requests, args.keys, args.connections, {}, None, None, (),
                       publishes=args.publishes, fanout_runs=fanout_runs,
                       subscribers=args.subscribers, subscriber_bytes=subscriber_bytes)
    idle = memory_phase(ours_command, f"{args.connections:,} idle connections",
                        lambda server: bytes_per_idle_connection(server, args.connections), "bytes per idle connection")
    keys = memory_phase(ours_command, f"{args.keys:,} keys",
                        lambda server: bytes_per_key(server, args.keys), "bytes per key")
    elements = None
    if lists:
        elements = memory_phase(ours_command, f"one list of {args.elements:,} elements",
                                lambda server: bytes_per_list_element(server, args.elements),
                                "bytes per list element", "{:,.1f}")
    suites = (STRINGS,) + ((LISTS,) if lists else ()) + ((COUNTERS,) if counters else ())
    workloads = sum(len(suite.workloads) for suite in suites)
    transactions = args.transactions if counters else 0
    print(f"\n== Throughput: {plural(args.rounds, 'round')} of {workloads} workloads, "
          f"{args.requests:,} requests per test"
          + (f", and {transactions:,} MULTI / 10 INCR / EXEC transactions" if transactions else "")
          + " (fresh servers)", flush=True)
    with ServerPair(ours_command) as pair:
        runs, tx_runs = run_workloads(pair, args.rounds, args.requests, suites, transactions)
    # Pub/sub on pairs of its own: its subscribers would sit in the memory
    # figures, and its fan-outs would share the servers with the workloads.
    subscriber_bytes, fanout_runs = measure_pubsub(ours_command, args) if pubsub else (None, None)
    return Results(args.rounds, args.requests, args.keys, args.connections, runs, keys, idle,
                   suites, args.elements if lists else 0, elements, transactions, tx_runs,
                   args.publishes if pubsub else 0, fanout_runs, args.subscribers if pubsub else 0, subscriber_bytes)


def print_results(results):
    """The tables and the targets on stdout; a noise warning on stderr."""
    print("\n" + markdown_tables(results) + "\n\n" + markdown_targets(results) + "\n")
    if noise_note(results):
        print(noise_note(results).replace("**", "") + "\n", file=sys.stderr)


def main():
    args = parse_arguments()
    check_tools()
    # `kill PID` (SIGTERM) should clean up like Ctrl-C: turn it into an exception
    # so every `finally` and `with` below stops its servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load = os.getloadavg()[0]
    if load > 1.5:
        print(f"bench: warning: load average is {load:.2f}; other work on this machine will skew the figures.",
              file=sys.stderr)
    stage, product = newest_stage(ROOT, BenchError)
    if args.server is not None:
        build_command, ours_command = None, shlex.split(args.server)
    else:
        build_command, binary = build(product)
        ours_command = [str(binary), "--port", "{port}"]
    # Lists from the stage that brings them (or when asked).
    lists = args.lists or int(stage[:2]) >= LIST_STAGE
    # Counters and transactions likewise.
    counters = args.counters or int(stage[:2]) >= COUNTER_STAGE
    # Pub/sub likewise: the targets hold only for a stage that has PUBLISH.
    pubsub = args.pubsub or args.pubsub_only or int(stage[:2]) >= PUBSUB_STAGE
    # Read the commit now, not at the end: on a shared work tree someone may
    # commit or edit while the benchmark runs, and the page must name the
    # code that was built.
    git = first_line(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])
    results = measure(ours_command, args, lists, counters, pubsub)
    load_end = os.getloadavg()[0]
    if args.pubsub_only:
        # A part of the figures: printed, never written over a results page.
        print_results(results)
        return

    # The exact invocation (what `make bench` or `make bench-quick` ran), for the results page.
    invocation = shlex.join(["python3", "Tests/Benchmarks/bench.py", *sys.argv[1:]])
    info = {
        "stage": stage, "product": product, "build": build_command, "invocation": invocation,
        "server": args.server,
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "load": f"{load:.2f}", "load_end": f"{load_end:.2f}",
        "machine": machine_description(),
        "versions": {"redis": first_line(["redis-server", "--version"]),
                     "benchmark": first_line(["redis-benchmark", "--version"]),
                     "swift": first_line(["swift", "--version"])},
        "git": git,
    }
    print_results(results)
    page, chart = write_report(args.out, results, info)
    print(f"Wrote {page.relative_to(ROOT) if page.is_relative_to(ROOT) else page} "
          f"and {chart.relative_to(ROOT) if chart.is_relative_to(ROOT) else chart}.")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"\nbench: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nbench: interrupted; servers stopped.", file=sys.stderr)
        sys.exit(130)
