"""Fixtures for the SQL end-to-end suite: `sluice serve` with its Kafka, Postgres wire and HTTP
listeners, fed by a real Kafka client and queried by real psql/psycopg2, with views compared to
SQLite computing the same query over the same events."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from sluice_server import SluiceServer, attach_logs, fresh_server, server  # noqa: E402,F401 (fixtures)

import psycopg2  # noqa: E402
from confluent_kafka import Producer  # noqa: E402

DEADLINE_S = 60.0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result(), ("server", "fresh_server"))


def psql(server: SluiceServer, sql: str, check=True):
    """Runs `sql` with the real psql; returns (returncode, stdout, stderr)."""
    cmd = ["psql", "-h", server.host, "-p", str(server.pg_port), "-U", "tester", "-d", "sluice",
           "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check:
        assert r.returncode == 0, f"psql failed: {r.stderr}"
    return r.returncode, r.stdout, r.stderr


def connect(server: SluiceServer):
    conn = psycopg2.connect(host=server.host, port=server.pg_port, user="tester", dbname="sluice",
                            connect_timeout=10)
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else None


def produce(server: SluiceServer, topic: str, records):
    """records: (key or None, value dict/str or None) pairs, produced in order with acks=all."""
    p = Producer({"bootstrap.servers": server.bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    for key, value in records:
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        p.produce(topic, key=None if key is None else str(key), value=value,
                  on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(30) == 0
    assert not errors, errors


def wait_until(fetch, expected, what):
    """Polls fetch() until it equals `expected` or the deadline passes; returns the last value."""
    deadline = time.monotonic() + DEADLINE_S
    got = fetch()
    while got != expected and time.monotonic() < deadline:
        time.sleep(0.1)  # poll interval; the condition, not the sleep, is what the test waits for
        got = fetch()
    assert got == expected, f"{what}: views did not reach the expected rows\n got {got}\nwant {expected}"
    return got
