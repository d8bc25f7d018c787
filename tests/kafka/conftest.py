"""Fixtures for the real-client Kafka integration suite.

`broker` starts `sluice serve` once per test module on a free 127.0.0.1 port
with a fresh data directory; `fresh_broker` starts one per test (for tests
that attack the listener). Both wait for the port to accept connections,
yield a `Broker`, then SIGTERM the server and assert that it exited 0. A
failing test gets the tail of the server log attached to its report.
"""

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from sluice_server import SLUICE_BIN, SluiceServer, attach_logs, finish, free_port, start_in  # noqa: E402,F401

DEFAULT_PARTITIONS = 3
BROKER_ARGS = ["--auto-create-topics=true", "--default-partitions", str(DEFAULT_PARTITIONS)]
Broker = SluiceServer


def _run_broker(tmp_dir: Path):
    return start_in(tmp_dir, BROKER_ARGS)


def _finish(b: SluiceServer):
    finish(b)


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
    attach_logs(item, outcome.get_result(), ("broker", "fresh_broker"))
