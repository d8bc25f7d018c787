"""Fixtures for the console API suite: one `sluice serve`, real Kafka clients (confluent-kafka) to
produce and consume, and a small HTTP client for the JSON API and its Server-Sent Events."""

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from http_api import EventStream, get, request  # noqa: E402,F401 (shared with the tests)
from sluice_server import attach_logs, server  # noqa: E402,F401 (fixtures)

DEADLINE_S = 60.0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result(), ("server",))


def poll_until(fetch, done, what):
    """Calls fetch() until done(value) or the deadline; returns the last value."""
    deadline = time.monotonic() + DEADLINE_S
    got = fetch()
    while not done(got) and time.monotonic() < deadline:
        time.sleep(0.1)  # poll interval; the condition, not the sleep, is what the test waits for
        got = fetch()
    assert done(got), f"{what}: last value {str(got)[:2000]}"
    return got
