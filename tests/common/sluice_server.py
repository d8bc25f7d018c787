"""`sluice serve` as the integration suites start it: fresh data directory, free 127.0.0.1 ports
for every listener (Kafka, Postgres wire, HTTP), readiness by connecting to each, SIGTERM (or
SIGKILL, as a crash) to stop. Shared by tests/kafka, tests/pgwire and tests/sql."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLUICE_BIN = Path(os.environ.get("SLUICE_BIN", REPO / "build" / "sluice"))
START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 30.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SluiceServer:
    def __init__(self, data_dir: Path, log_path: Path, extra_args=(), subcommand="serve"):
        self.subcommand = subcommand  # `demo` takes the same address flags
        self.data_dir = data_dir
        self.log_path = log_path
        self.extra_args = list(extra_args)
        self.host = "127.0.0.1"
        self.port = free_port()  # Kafka
        self.pg_port = free_port()
        self.http_port = free_port()
        self.bootstrap = f"{self.host}:{self.port}"
        self.proc = None
        self._log = None

    @property
    def kafka_port(self):
        return self.port

    def command(self):
        return [str(SLUICE_BIN), self.subcommand, "--data-dir", str(self.data_dir),
                "--kafka-addr", self.bootstrap,
                "--pg-addr", f"{self.host}:{self.pg_port}",
                "--http-addr", f"{self.host}:{self.http_port}"] + self.extra_args

    def start(self):
        cmd = self.command()
        self._log = open(self.log_path, "ab")
        self._log.write(("$ " + " ".join(cmd) + "\n").encode())
        self._log.flush()
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE_S
        pending = [self.port, self.pg_port, self.http_port]
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sluice exited with {self.proc.returncode} before listening\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, pending[0]), timeout=1.0):
                    pending.pop(0)
                    continue
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"sluice did not accept connections on port {pending[0]} "
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


def start_in(tmp_dir: Path, extra_args=()):
    data = tmp_dir / "data"
    data.mkdir()
    s = SluiceServer(data, tmp_dir / "sluice.log", extra_args)
    s.start()
    return s


def finish(s: SluiceServer):
    rc = s.stop()
    assert rc == 0, f"sluice serve did not exit 0 on SIGTERM (rc={rc})\n--- sluice log ---\n{s.log_tail()}"


def attach_logs(item, rep, names):
    """On failure, append the server log of every fixture in `names` to the report."""
    if not rep.failed:
        return
    for name in names:
        s = getattr(item, "funcargs", {}).get(name)
        if isinstance(s, SluiceServer):
            state = "running" if s.alive() else f"exited rc={s.proc.returncode}"
            rep.sections.append((f"sluice log ({state}, {s.log_path})", s.log_tail()))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One `sluice serve` for the test module."""
    s = start_in(tmp_path_factory.mktemp("sluice"))
    yield s
    finish(s)


@pytest.fixture
def fresh_server(tmp_path_factory):
    """A `sluice serve` of the test's own (for tests that restart or attack it)."""
    s = start_in(tmp_path_factory.mktemp("sluice"))
    yield s
    finish(s)
