"""GET /api/overview and its SSE stream: every field the console reads, counters that follow the
traffic, and an `overview` event every second."""

import json
import socket
import uuid

from confluent_kafka import Producer

from conftest import http_post, overview, wait_for

FIELDS = {"version": str, "uptime_seconds": (int, float), "topics": int, "partitions": int,
          "disk_bytes": int, "groups": int, "views": int, "connections": int,
          "records_in_total": int, "bytes_in_total": int, "records_out_total": int, "bytes_out_total": int,
          "records_in_per_second": (int, float), "bytes_in_per_second": (int, float),
          "records_out_per_second": (int, float), "bytes_out_per_second": (int, float)}


def test_fields_exist_and_counters_follow_the_traffic(server):
    first = overview(server)
    for name, kind in FIELDS.items():
        assert name in first, f"{name} missing from {first}"
        assert isinstance(first[name], kind), (name, first[name])
    assert set(first) == set(FIELDS)

    topic = f"o-{uuid.uuid4().hex[:8]}"
    producer = Producer({"bootstrap.servers": server.bootstrap, "acks": "all"})
    for i in range(50):
        producer.produce(topic, value=f"{{\"n\": {i}}}".encode())
    assert producer.flush(30) == 0
    # The producer's connection is still open.
    now = overview(server)
    assert now["records_in_total"] >= first["records_in_total"] + 50
    assert now["bytes_in_total"] > first["bytes_in_total"]
    assert now["topics"] >= first["topics"] + 1
    assert now["partitions"] > first["partitions"]
    assert now["disk_bytes"] > first["disk_bytes"]
    assert now["connections"] >= 1
    assert now["uptime_seconds"] >= first["uptime_seconds"]
    # The rate is sampled once a second: it shows the 50 records within a couple of samples.
    wait_for(lambda: overview(server)["records_in_per_second"] > 0, "a non-zero ingest rate")


def test_views_count_what_the_engine_runs(fresh_server):
    assert overview(fresh_server)["views"] == 0
    http_post(fresh_server, "/api/sql",
              "CREATE SOURCE clicks (id bigint) WITH (topic = 'clicks', format = 'json');"
              "CREATE MATERIALIZED VIEW click_count AS SELECT count(*) AS n FROM clicks")
    assert overview(fresh_server)["views"] == 1


def read_events(server, count):
    """The first `count` events of /api/overview/stream, as (event, data) pairs."""
    sock = socket.create_connection((server.host, server.http_port), timeout=10)
    try:
        sock.sendall(b"GET /api/overview/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        buffer = b""
        events = []
        while len(events) < count:
            chunk = sock.recv(65536)
            assert chunk, f"the stream ended after {events}"
            buffer += chunk
            while b"\n\n" in buffer and len(events) < count:
                block, buffer = buffer.split(b"\n\n", 1)
                lines = [l.rstrip("\r") for l in block.decode().split("\n")]
                if lines and lines[0].startswith("HTTP/1.1"):
                    assert lines[0] == "HTTP/1.1 200 OK", lines[0]
                    assert any(l.lower() == "content-type: text/event-stream" for l in lines), lines
                    continue
                event = [l[len("event: "):] for l in lines if l.startswith("event: ")]
                data = "\n".join(l[len("data: "):] for l in lines if l.startswith("data: "))
                if event:
                    events.append((event[0], data))
        return events
    finally:
        sock.close()


def test_stream_delivers_overview_events(server):
    events = read_events(server, 3)
    assert [e for e, _ in events] == ["overview"] * 3
    bodies = [json.loads(d) for _, d in events]
    for b in bodies:
        assert set(b) == set(FIELDS)
    # Taken at different moments: the server's uptime moved on.
    assert bodies[0]["uptime_seconds"] < bodies[2]["uptime_seconds"]
