"""Fixtures and helpers for the metrics suite: `sluice serve` (one per module), its `/metrics` page
parsed by Prometheus' own text-format parser, and its JSON overview."""

import json
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from sluice_server import SluiceServer, attach_logs, fresh_server, server  # noqa: E402,F401 (fixtures)

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

DEADLINE_S = 30.0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result(), ("server", "fresh_server"))


def http_get(server: SluiceServer, path: str):
    """(content type, body text) of GET `path`."""
    with urllib.request.urlopen(f"http://{server.host}:{server.http_port}{path}", timeout=10) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def http_post(server: SluiceServer, path: str, body: str):
    req = urllib.request.Request(f"http://{server.host}:{server.http_port}{path}", data=body.encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def scrape(server: SluiceServer):
    """The families of one /metrics scrape, as prometheus_client parses them."""
    _, text = http_get(server, "/metrics")
    return list(text_string_to_metric_families(text))


def samples(families):
    """{(sample name, frozenset of label pairs): value} over every family."""
    out = {}
    for f in families:
        for s in f.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in out, f"duplicate series {key}"
            out[key] = s.value
    return out


def value(server_or_samples, name, **labels):
    """One series' value, 0 when it does not exist (yet)."""
    found = server_or_samples if isinstance(server_or_samples, dict) else samples(scrape(server_or_samples))
    return found.get((name, frozenset(labels.items())), 0)


def wait_for(condition, what):
    """Polls `condition` until it returns something truthy, or fails after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def overview(server: SluiceServer):
    _, text = http_get(server, "/api/overview")
    return json.loads(text)
