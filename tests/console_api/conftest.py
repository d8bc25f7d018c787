"""Fixtures for the console API suite: one `sluice serve`, real Kafka clients (confluent-kafka) to
produce and consume, and a small HTTP client for the JSON API and its Server-Sent Events."""

import http.client
import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from sluice_server import attach_logs, server  # noqa: E402,F401 (fixtures)

DEADLINE_S = 60.0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result(), ("server",))


def get(server, path):
    """GET `path`; returns (status, decoded JSON body)."""
    c = http.client.HTTPConnection(server.host, server.http_port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = json.loads(r.read().decode())
    c.close()
    return r.status, body


class EventStream:
    """An open SSE response: next() returns the next (event, data) pair."""

    def __init__(self, server, path):
        self.conn = http.client.HTTPConnection(server.host, server.http_port, timeout=30)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()

    def next(self):
        name, data = None, []
        while True:
            line = self.response.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and name:
                return name, json.loads("\n".join(data))

    def close(self):
        self.conn.close()


def poll_until(fetch, done, what):
    """Calls fetch() until done(value) or the deadline; returns the last value."""
    deadline = time.monotonic() + DEADLINE_S
    got = fetch()
    while not done(got) and time.monotonic() < deadline:
        time.sleep(0.1)  # poll interval; the condition, not the sleep, is what the test waits for
        got = fetch()
    assert done(got), f"{what}: last value {str(got)[:2000]}"
    return got
