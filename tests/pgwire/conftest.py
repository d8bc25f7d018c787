"""Fixtures for the Postgres wire suite: real psql and psycopg2 against `sluice serve`.

`server` starts `sluice serve` once per module on free 127.0.0.1 ports (Kafka and
Postgres) with a fresh data directory; `fresh_server` starts one per test. Both wait
until the Postgres port accepts connections, yield a `Server`, then SIGTERM it and
assert that it exited 0. A failing test gets the tail of the server log attached.

Until the SQL engine is wired into `serve`, every statement fails with SQLSTATE 0A000;
these tests check that, and everything about connections, and nothing more.
"""

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


class Server:
    def __init__(self, data_dir: Path, log_path: Path):
        self.host = "127.0.0.1"
        self.pg_port = free_port()
        self.kafka_port = free_port()
        self.data_dir = data_dir
        self.log_path = log_path
        self.proc = None
        self._log = None

    def start(self):
        cmd = [str(SLUICE_BIN), "serve", "--data-dir", str(self.data_dir),
               "--kafka-addr", f"{self.host}:{self.kafka_port}",
               "--pg-addr", f"{self.host}:{self.pg_port}"]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sluice exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.pg_port), timeout=1.0):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"no Postgres listener on {self.pg_port}\n{self.log_tail()}")
            time.sleep(0.05)  # poll interval of the readiness loop, not synchronization

    def stop(self):
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

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=60):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def _run(tmp: Path):
    (tmp / "data").mkdir()
    s = Server(tmp / "data", tmp / "sluice.log")
    s.start()
    return s


def _finish(s: Server):
    rc = s.stop()
    assert rc == 0, f"sluice serve did not exit 0 on SIGTERM (rc={rc})\n{s.log_tail()}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = _run(tmp_path_factory.mktemp("sluice"))
    yield s
    _finish(s)


@pytest.fixture
def fresh_server(tmp_path_factory):
    s = _run(tmp_path_factory.mktemp("sluice"))
    yield s
    _finish(s)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for name in ("server", "fresh_server"):
            s = getattr(item, "funcargs", {}).get(name)
            if isinstance(s, Server):
                state = "running" if s.alive() else f"exited rc={s.proc.returncode}"
                rep.sections.append((f"sluice log ({state})", s.log_tail()))
