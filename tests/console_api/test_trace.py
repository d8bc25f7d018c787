"""Trace: one key followed through two topics (newest first) and into a materialized view keyed by
it; a trace-id header followed across topics; and the parameter errors."""

import json

import pytest
from confluent_kafka import Producer

from conftest import get, poll_until, request

SETUP = """
CREATE SOURCE payments (customer text, amount bigint) WITH (topic = 'payments', format = 'json');
CREATE MATERIALIZED VIEW spend AS SELECT customer, sum(amount) AS total FROM payments GROUP BY customer;
"""


def post_sql(server, sql):
    status, body = request(server, "POST", "/api/sql", {"sql": sql})
    assert status == 200, body
    return body


@pytest.fixture(scope="module")
def traced(server):
    post_sql(server, SETUP)
    p = Producer({"bootstrap.servers": server.bootstrap, "acks": "all"})
    sent = [("payments", "alice", {"customer": "alice", "amount": 5}, 1_700_000_000_000, "t-1"),
            ("clicks", "alice", {"page": "/home"}, 1_700_000_001_000, "t-1"),
            ("payments", "bob", {"customer": "bob", "amount": 7}, 1_700_000_002_000, "t-2"),
            ("payments", "alice", {"customer": "alice", "amount": 3}, 1_700_000_003_000, "t-3"),
            ("clicks", "bob", {"page": "/cart"}, 1_700_000_004_000, "t-2")]
    for topic, key, value, ts, trace_id in sent:
        p.produce(topic, key=key, value=json.dumps(value), timestamp=ts, headers=[("trace-id", trace_id.encode())])
        assert p.flush(30) == 0  # one at a time: the timestamps above are the order
    return server


def test_trace_a_key_through_topics_and_a_view(traced):
    status, body = poll_until(lambda: get(traced, "/api/trace?key=alice"),
                              lambda r: r[0] == 200 and r[1]["views"], "the view row for alice")
    assert [(r["topic"], r["key"], json.loads(r["value"])) for r in body["records"]] == [
        ("payments", "alice", {"customer": "alice", "amount": 3}),
        ("clicks", "alice", {"page": "/home"}),
        ("payments", "alice", {"customer": "alice", "amount": 5})]
    newest = body["records"][0]
    assert newest["timestamp"] == 1_700_000_003_000 and newest["offset"] == 2 and newest["partition"] == 0
    assert newest["headers"] == [{"key": "trace-id", "value": "t-3"}] and newest["encoding"] == "text"
    assert body["views"] == [{"view": "spend",
                              "columns": [{"name": "customer", "type": "text"}, {"name": "total", "type": "bigint"}],
                              "rows": [{"customer": "alice", "total": 8}]}]

    status, body = get(traced, "/api/trace?key=alice&limit=1")
    assert status == 200 and [r["offset"] for r in body["records"]] == [2]
    status, body = get(traced, "/api/trace?key=nobody")
    assert status == 200 and body == {"records": [], "views": []}


def test_trace_a_header_value(traced):
    status, body = get(traced, "/api/trace?header=trace-id&value=t-2")
    assert status == 200
    assert [(r["topic"], r["key"]) for r in body["records"]] == [("clicks", "bob"), ("payments", "bob")]
    assert body["views"] == []


@pytest.mark.parametrize("query", ["", "?header=trace-id", "?value=t-1", "?key=a&header=h&value=v",
                                   "?key=a&limit=0", "?key=a&scan_limit=x"])
def test_bad_trace_requests_are_400(traced, query):
    status, body = get(traced, "/api/trace" + query)
    assert status == 400 and body["code"] == "INVALID_REQUEST"
