"""Fixtures for the Postgres wire suite: real psql and psycopg2 against `sluice serve`.

`server` starts `sluice serve` once per module on free 127.0.0.1 ports (Kafka and
Postgres) with a fresh data directory; `fresh_server` starts one per test. Both wait
until the Postgres port accepts connections, yield a `Server`, then SIGTERM it and
assert that it exited 0. A failing test gets the tail of the server log attached.

Until the SQL engine is wired into `serve`, every statement fails with SQLSTATE 0A000;
these tests check that, and everything about connections, and nothing more.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from sluice_server import SluiceServer, attach_logs, fresh_server, server  # noqa: E402,F401 (fixtures)

Server = SluiceServer


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result(), ("server", "fresh_server"))
