"""Fixtures for the real-client Kafka integration suite.

`broker` starts `sluice serve` once per test module on a free 127.0.0.1 port
with a fresh data directory; `fresh_broker` starts one per test (for tests
that attack the listener). Both wait for the port to accept connections,
yield a `Broker`, then SIGTERM the server and assert that it exited 0. A
failing test gets the tail of the server log attached to its report.
"""

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLUICE_BIN = Path(os.environ.get("SLUICE_BIN", REPO / "build" / "sluice"))
DEFAULT_PARTITIONS = 3
START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 30.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, data_dir: Path, log_path: Path):
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.host = "127.0.0.1"
        self.bootstrap = f"{self.host}:{self.port}"
        self.proc = None
        self._log = None

    def start(self):
        cmd = [
            str(SLUICE_BIN), "serve",
            "--data-dir", str(self.data_dir),
            "--kafka-addr", self.bootstrap,
            "--auto-create-topics=true",
            "--default-partitions", str(DEFAULT_PARTITIONS),
        ]
        self._log = open(self.log_path, "wb")
        self._log.write(("$ " + " ".join(cmd) + "\n").encode())
        self._log.flush()
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"sluice exited with {self.proc.returncode} before listening\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1.0):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"sluice did not accept connections on {self.bootstrap} "
                                   f"within {START_DEADLINE_S}s\n{self.log_tail()}")
            time.sleep(0.05)  # poll interval of the readiness loop, not synchronization

    def stop(self):
        """SIGTERM; returns the exit code (kills and returns None on timeout)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._log.close()
                return None
        self._log.close()
        return self.proc.returncode

    def kill(self):
        """SIGKILL, as a crash: no clean-shutdown marker, unsynced page cache kept."""
        self.proc.kill()
        self.proc.wait()
        self._log.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=80):
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])


def _run_broker(tmp_dir: Path):
    data = tmp_dir / "data"
    data.mkdir()
    b = Broker(data, tmp_dir / "sluice.log")
    b.start()
    return b


def _finish(b: Broker):
    rc = b.stop()
    assert rc == 0, f"sluice serve did not exit 0 on SIGTERM (rc={rc})\n--- sluice log ---\n{b.log_tail()}"


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    b = _run_broker(tmp_path_factory.mktemp("sluice"))
    yield b
    _finish(b)


@pytest.fixture
def fresh_broker(tmp_path_factory):
    b = _run_broker(tmp_path_factory.mktemp("sluice"))
    yield b
    _finish(b)


@pytest.fixture
def topic_name(request):
    """A topic name unique to this test (and this run)."""
    base = "".join(c if c.isalnum() else "-" for c in request.node.name)[:120]
    return f"t-{base}-{uuid.uuid4().hex[:8]}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for name in ("broker", "fresh_broker"):
            b = getattr(item, "funcargs", {}).get(name)
            if isinstance(b, Broker):
                state = "running" if b.alive() else f"exited rc={b.proc.returncode}"
                rep.sections.append((f"sluice log ({state}, {b.log_path})", b.log_tail()))
