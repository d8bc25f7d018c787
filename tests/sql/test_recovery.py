"""Crash recovery: a real Kafka client produces a stream while the server is SIGKILLed at random
moments, again and again. Afterwards every view — tumbling and hopping windows, a non-windowed
aggregate, an enrichment join — equals SQLite's answer over exactly the events the topic holds
(nothing lost, nothing counted twice), and a sink topic read from the beginning holds each
window's result exactly once. Checkpoints make this so: each restart resumes the views from the
newest checkpoint and replays the topics from the offsets it holds; sink output is released only
with a durable checkpoint."""

import json
import random

from confluent_kafka import Producer

from conftest import connect, produce, psql, query, wait_until
from test_views import DDL, consume_all, expected_views, make_events, norm, sqlite_db, ts_text

CRASHES = 12


def produce_until_crash(server, orders, crash_after):
    """Produces `orders` (acks=all, idempotent) and SIGKILLs the server from the delivery callback
    once `crash_after` of them are acknowledged — mid-stream, with more in flight."""
    p = Producer({"bootstrap.servers": server.bootstrap, "acks": "all", "enable.idempotence": True,
                  "linger.ms": 2, "batch.num.messages": 20, "message.timeout.ms": 5000})
    acked = []

    def delivered(err, msg):
        if err is None:
            acked.append(msg.offset())
            if len(acked) == crash_after and server.alive():
                server.kill()

    for o in orders:
        p.produce("orders", value=json.dumps(o), on_delivery=delivered)
        p.poll(0)
    p.flush(10)
    if server.alive():  # everything was acknowledged before the crash point came up
        server.kill()
    p.purge()
    p.flush(1)
    return len(acked)


def test_views_and_sink_survive_repeated_sigkill(fresh_server):
    rng = random.Random(20261129)
    orders, customers, customer_records, last_t = make_events(rng)
    psql(fresh_server, DDL + "CREATE SINK per_minute_out FROM per_minute WITH (topic = 'per_minute_out');")
    produce(fresh_server, "customers", customer_records)

    size = len(orders) // CRASHES
    for i in range(CRASHES):
        chunk = orders[i * size:(i + 1) * size] if i + 1 < CRASHES else orders[i * size:]
        acked = produce_until_crash(fresh_server, chunk, rng.randint(1, len(chunk)))
        assert acked > 0
        fresh_server.start()

    # One event far ahead closes every window of the data above.
    closing = {"id": 99999, "customer_id": 1, "amount": 1.0, "ts": ts_text(last_t + 3600)}
    produce(fresh_server, "orders", [(None, closing)])

    # The truth: whatever the topic holds (acknowledged records, and unacknowledged ones that made it).
    stored = [json.loads(v) for v in consume_all(fresh_server, "orders")]
    assert len({o["id"] for o in stored}) == len(stored), "the idempotent producer left duplicates"
    db = sqlite_db(stored, customers)
    watermark = last_t + 3600 - 5
    conn = connect(fresh_server)

    want = expected_views(db, watermark)
    for view, rows in want.items():
        wait_until(lambda: norm(query(conn, f"SELECT * FROM {view}")), norm(rows), f"{view} after the crashes")
    conn.close()

    # The sink: every closed window exactly once. Its output waits for a checkpoint, so poll until
    # the last windows arrived, then check nothing came twice.
    def sink_rows():
        return [json.loads(v) for v in consume_all(fresh_server, "per_minute_out")]

    want = sorted((w[0], w[1], w[2], round(w[3], 6)) for w in want["per_minute"])
    rows = wait_until(lambda: sorted((r["window_start"][:19].replace("T", " "), r["window_end"][:19].replace("T", " "),
                                      r["orders"], round(r["revenue"], 6)) for r in sink_rows()),
                      want, "sink topic")
    assert len(rows) == len(set(rows))
