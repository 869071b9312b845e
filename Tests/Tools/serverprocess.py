"""Start, watch and stop a server process under test: shared by two scripts.

Tests/Benchmarks/bench.py (`make bench`) and Tests/Soak/soak.py (`make soak`)
both run a server on a free loopback port, wait until it answers PING, fail
with the end of its log when it dies, and stop it with SIGTERM, then SIGKILL.
That part lives here, once. Each script keeps its own error type: it passes
its exception class in (`error=`), so a failure here ends the run with the
script's own message and exit status.

The scripts are run as files, not as a package, so each puts this folder on
sys.path (found from its own location) and imports this module by name.
Standard library only; die_with_parent needs Linux and is skipped elsewhere.
"""

import re
import shlex
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"  # loopback only: nothing here should be reachable from outside


def free_port():
    """A TCP port that nobody listens on right now: bind port 0, let the kernel choose."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def die_with_parent():
    """In the child, before exec: ask Linux to SIGKILL it if the script dies.

    try/finally covers exceptions and Ctrl-C, but not `kill -9` of the
    script; this covers that too, so no server is ever left behind.
    """
    try:
        import ctypes
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the script's try/finally still stops the server


def answers_ping(port, timeout=2):
    """Whether a server listens on `port` and answers PING with +PONG."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            with sock.makefile("rb") as reply:
                return reply.readline() == b"+PONG\r\n"
    except OSError:  # refused (not listening yet), reset, or timed out
        return False


def newest_stage(root, error=RuntimeError):
    """The newest stage's folder and product: Stages/06-expiry -> ("06-expiry", "Stage06")."""
    stages = sorted(p.name for p in (root / "Stages").iterdir()
                    if p.is_dir() and re.match(r"^\d\d-", p.name))
    if not stages:
        raise error(f"no stage folders (NN-name) in {root / 'Stages'}")
    return stages[-1], "Stage" + stages[-1][:2]


class ServerProcess:
    """One server process on a free loopback port, started and stopped by us.

    `command` is an argv list in which "{port}" stands for the port; the
    server's output goes to WORK_DIR/NAME-PORT.log. Failures raise `error`
    with a message that starts with `label` (default: the name).
    """

    def __init__(self, name, command, work_dir, error=RuntimeError, label=None):
        self.name = name
        self.label = label or name
        self.error = error
        self.port = free_port()
        self.argv = [part.replace("{port}", str(self.port)) for part in command]
        self.work_dir = work_dir
        self.log_path = work_dir / f"{name}-{self.port}.log"
        self.process = None

    @property
    def pid(self):
        return self.process.pid

    def start(self, timeout=30):
        """Start the process and wait until it answers PING."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            try:
                self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            except OSError as error:
                raise self.error(f"could not start {shlex.join(self.argv)}: {error}") from None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if answers_ping(self.port):
                return
            time.sleep(0.1)  # not listening yet
        raise self.error(f"{self.label} did not answer PING on port {self.port} within {timeout} s: "
                         f"{shlex.join(self.argv)}\n{self.log_tail()}")

    def exit_status(self):
        """Popen's returncode once the process has exited; None while it runs (or before start)."""
        return None if self.process is None else self.process.poll()

    def check_alive(self):
        """Fail clearly if the server process has exited (crashed, or never started)."""
        if self.exit_status() is not None:
            raise self.error(f"{self.label} exited with status {self.process.returncode}: "
                             f"{shlex.join(self.argv)}\n{self.log_tail()}")

    def log_tail(self, lines=15):
        """The last lines of the server's log, with a header naming the file."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last lines of {self.log_path} ---\n{tail}" if tail else f"(nothing in {self.log_path})"

    def stop(self):
        """SIGTERM, then SIGKILL if it lingers; always reap the process."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
