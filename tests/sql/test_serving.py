"""Serving and durability: the catalog and every view survive a clean restart and a SIGKILL; a sink
keeps a topic equal to its view (latest value per key, tombstones for deleted rows) for any Kafka
client; the HTTP API answers SQL, reads views and streams their changes; `sluice sql` is a shell."""

import json
import subprocess

from kafka import KafkaConsumer

from conftest import connect, produce, psql, query, wait_until
from http_api import EventStream, request
from sluice_server import SLUICE_BIN

SETUP = """
CREATE SOURCE events (k text, v bigint) WITH (topic = 'events', format = 'json');
CREATE TABLE prices (sku text, price double precision, PRIMARY KEY (sku)) WITH (topic = 'prices', format = 'json');
CREATE MATERIALIZED VIEW totals AS SELECT k, sum(v) AS total, count(*) AS n FROM events GROUP BY k;
CREATE MATERIALIZED VIEW cheap AS SELECT sku, price FROM prices WHERE price < 10;
CREATE SINK totals_out FROM totals WITH (topic = 'totals_out', format = 'json');
CREATE SINK cheap_out AS SELECT sku, price FROM prices WHERE price < 10 WITH (topic = 'cheap_out');
"""


def totals(conn):
    return sorted(query(conn, "SELECT k, total, n FROM totals"))


def latest_per_key(server, topic):
    """The topic as a compacted topic would hold it: key → last value (None for a tombstone)."""
    c = KafkaConsumer(topic, bootstrap_servers=server.bootstrap, auto_offset_reset="earliest",
                      enable_auto_commit=False, consumer_timeout_ms=3000)
    latest = {}
    for m in c:
        latest[m.key.decode()] = None if m.value is None else json.loads(m.value)
    c.close()
    return {k: v for k, v in latest.items() if v is not None}


def test_restart_and_crash_keep_the_catalog_and_the_views(fresh_server):
    psql(fresh_server, SETUP)
    produce(fresh_server, "events", [(None, {"k": f"k{i % 4}", "v": i}) for i in range(100)])
    want = sorted((f"k{j}", sum(i for i in range(100) if i % 4 == j), 25) for j in range(4))
    conn = connect(fresh_server)
    wait_until(lambda: totals(conn), want, "before restart")
    conn.close()

    assert fresh_server.stop() == 0
    fresh_server.start()
    conn = connect(fresh_server)
    wait_until(lambda: totals(conn), want, "after a clean restart")
    assert sorted(r[0] for r in query(conn, "SHOW MATERIALIZED VIEWS")) == ["cheap", "totals"]
    assert sorted(r[0] for r in query(conn, "SHOW SINKS")) == ["cheap_out", "totals_out"]
    conn.close()

    produce(fresh_server, "events", [(None, {"k": "k9", "v": 5})])
    fresh_server.kill()
    fresh_server.start()
    conn = connect(fresh_server)
    wait_until(lambda: totals(conn), sorted(want + [("k9", 5, 1)]), "after SIGKILL")
    conn.close()


def test_sinks_hold_the_read_model_for_kafka_clients(server):
    psql(server, SETUP)
    produce(server, "events", [(None, {"k": "a", "v": 1}), (None, {"k": "b", "v": 2}), (None, {"k": "a", "v": 3})])
    produce(server, "prices", [("x", {"sku": "x", "price": 5.0}), ("y", {"sku": "y", "price": 7.5}),
                               ("z", {"sku": "z", "price": 50.0}), ("y", {"sku": "y", "price": 12.0}),
                               ("x", None)])
    conn = connect(server)
    wait_until(lambda: sorted(query(conn, "SELECT * FROM totals")), [("a", 4, 2), ("b", 2, 1)], "totals")
    wait_until(lambda: sorted(query(conn, "SELECT * FROM cheap")), [], "cheap (x deleted, y repriced)")
    wait_until(lambda: latest_per_key(server, "totals_out"),
               {'{"k":"a"}': {"k": "a", "total": 4, "n": 2}, '{"k":"b"}': {"k": "b", "total": 2, "n": 1}},
               "totals_out")
    assert latest_per_key(server, "cheap_out") == {}
    conn.close()


def test_http_api_runs_sql_reads_views_and_streams_changes(fresh_server):
    status, body = request(fresh_server, "POST", "/api/sql", json.dumps({"sql": SETUP + "SELECT 1 AS one"}))
    assert status == 200, body
    assert body["rows"] == [{"one": 1}] and body["command"] == "SELECT 1"

    status, body = request(fresh_server, "POST", "/api/sql", "SELECT * FROM nowhere")
    assert status == 400 and body["code"] == "42P01" and body["position"] == 15

    stream = EventStream(fresh_server, "/api/views/totals/changes")
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    next_event = stream.next

    assert next_event() == ("snapshot", [])
    produce(fresh_server, "events", [(None, {"k": "s", "v": 7})])
    assert next_event() == ("changes", [{"weight": 1, "row": {"k": "s", "total": 7, "n": 1}}])
    produce(fresh_server, "events", [(None, {"k": "s", "v": 1})])
    assert next_event() == ("changes", [{"weight": -1, "row": {"k": "s", "total": 7, "n": 1}},
                                        {"weight": 1, "row": {"k": "s", "total": 8, "n": 2}}])
    stream.close()

    status, body = request(fresh_server, "GET", "/api/views/totals?limit=5")
    assert status == 200 and {"k": "s", "total": 8, "n": 2} in body["rows"]
    status, body = request(fresh_server, "GET", "/api/views/nope")
    assert status == 404 and body["code"] == "42P01"

    # A client still watching when the server stops: it shuts down cleanly (the fixture checks exit 0).
    watcher = EventStream(fresh_server, "/api/views/totals/changes")
    assert watcher.next()[0] == "snapshot"
    assert fresh_server.stop() == 0, fresh_server.log_tail()
    fresh_server.start()  # the fixture stops it again


def sluice_sql(server, *args, stdin=None):
    return subprocess.run([str(SLUICE_BIN), "sql", "--pg-addr", f"{server.host}:{server.pg_port}", *args],
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_sluice_sql_shell(server, tmp_path):
    r = sluice_sql(server, "-e", "SELECT 'x' AS name, 42 AS n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == " name | n  \n------+----\n x    | 42\n(1 row)\n\n"  # as psql prints it

    r = sluice_sql(server, "-e", "SELECT nope")
    assert r.returncode == 1
    assert r.stderr == 'ERROR:  column "nope" does not exist\nLINE 1: SELECT nope\n               ^\n'

    script = tmp_path / "q.sql"
    script.write_text("SELECT 1 AS a;\nSELECT 2 AS b;\n")
    r = sluice_sql(server, "-f", str(script), "--format", "csv")
    assert r.returncode == 0 and r.stdout == "a\n1\nb\n2\n", r.stderr

    r = sluice_sql(server, "--format", "json", stdin="SELECT 'a;b' AS s;\nSELECT 3 AS t;\n")
    assert r.returncode == 0 and r.stdout == '{"s":"a;b"}\n{"t":"3"}\n', r.stderr
