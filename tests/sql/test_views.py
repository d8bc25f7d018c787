"""End to end: psql defines sources, a table and views over topics that a real Kafka client
(confluent-kafka) feeds; each view must equal SQLite's answer to the same query over the same
events once the watermark has passed — tumbling and hopping windows, a filter, a non-windowed
aggregate, and an enrichment join whose table gets updates and deletes. Malformed and late
events are not lost: they land in the dead-letter and late-events topics."""

import datetime as dt
import json
import random
import sqlite3
import time

from confluent_kafka import Consumer, TopicPartition

from conftest import connect, produce, psql, query, wait_until

START = dt.datetime(2024, 1, 1, 0, 0, 0)
REGIONS = ["eu", "us", "apac"]


def ts_text(seconds):
    return (START + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")


def norm(rows):
    """Rows as sorted tuples with timestamps as text and floats rounded, for comparison."""
    out = []
    for r in rows:
        out.append(tuple(v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime)
                         else round(v, 6) if isinstance(v, float) else v for v in r))
    return sorted(out)


def make_events(rng):
    customers = {i: {"id": i, "name": f"c{i}", "region": rng.choice(REGIONS)} for i in range(1, 21)}
    customer_records = [(i, c) for i, c in customers.items()]
    orders = []
    t = 0.0
    for i in range(1, 1501):
        t += rng.uniform(0.0, 0.8)
        jitter = rng.uniform(0.0, 4.0)  # out of order, but within the 5 s watermark delay
        orders.append({"id": i, "customer_id": rng.randint(1, 24), "amount": round(rng.uniform(1, 100), 2),
                       "ts": ts_text(max(0.0, t - jitter))})
    # Updates and deletes in the table, interleaved at the end.
    for i in rng.sample(sorted(customers), 6):
        customers[i] = dict(customers[i], region=rng.choice(REGIONS))
        customer_records.append((i, customers[i]))
    for i in rng.sample(sorted(customers), 3):
        del customers[i]
        customer_records.append((i, None))
    return orders, customers, customer_records, t


def sqlite_db(orders, customers):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (id INTEGER, customer_id INTEGER, amount REAL, t REAL)")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, region TEXT)")
    for o in orders:
        secs = (dt.datetime.strptime(o["ts"], "%Y-%m-%d %H:%M:%S.%f") - START).total_seconds()
        db.execute("INSERT INTO orders VALUES (?, ?, ?, ?)", (o["id"], o["customer_id"], o["amount"], secs))
    for c in customers.values():
        db.execute("INSERT INTO customers VALUES (?, ?, ?)", (c["id"], c["name"], c["region"]))
    return db


def window_text(seconds):
    return (START + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def expected_views(db, watermark):
    """SQLite's answer for each view of DDL over the orders and customers in `db`; windows only once
    the watermark has closed them."""
    tumble = [(window_text(ws), window_text(ws + 60), n, total) for ws, n, total in db.execute(
        "SELECT CAST(t / 60 AS INTEGER) * 60 AS ws, count(*), sum(amount) FROM orders GROUP BY ws")
        if ws + 60 <= watermark]
    starts = sorted({s for (t,) in db.execute("SELECT t FROM orders") for s in
                     range(int(t // 30) * 30 - 90, int(t // 30) * 30 + 1, 30)})
    db.execute("CREATE TEMP TABLE IF NOT EXISTS windows (ws INTEGER)")
    db.execute("DELETE FROM windows")
    db.executemany("INSERT INTO windows VALUES (?)", [(s,) for s in starts])
    hop = [(window_text(ws), c, n, top) for ws, c, n, top in db.execute(
        "SELECT w.ws, o.customer_id, count(*), max(o.amount) FROM orders o JOIN windows w "
        "ON o.t >= w.ws AND o.t < w.ws + 120 GROUP BY w.ws, o.customer_id") if ws + 120 <= watermark]
    return {
        "per_minute": tumble,
        "sliding": hop,
        "big_orders": list(db.execute("SELECT id, amount * 2 FROM orders WHERE amount > 90")),
        "per_customer": list(db.execute(
            "SELECT customer_id, count(*), sum(amount), min(amount), max(amount) FROM orders GROUP BY customer_id")),
        "per_region": list(db.execute(
            "SELECT c.region, count(*), sum(o.amount) FROM orders o JOIN customers c ON o.customer_id = c.id "
            "GROUP BY c.region")),
    }


DDL = """
CREATE SOURCE orders (id bigint, customer_id bigint, amount double precision, ts timestamp,
                      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (topic = 'orders', format = 'json');
CREATE TABLE customers (id bigint, name text, region text, PRIMARY KEY (id))
  WITH (topic = 'customers', format = 'json');
CREATE MATERIALIZED VIEW per_minute AS
  SELECT window_start, window_end, count(*) AS orders, sum(amount) AS revenue
  FROM TUMBLE(orders, ts, INTERVAL '1' MINUTE) GROUP BY window_start, window_end;
CREATE MATERIALIZED VIEW sliding AS
  SELECT window_start, customer_id, count(*) AS n, max(amount) AS top
  FROM HOP(orders, ts, INTERVAL '30' SECOND, INTERVAL '2' MINUTE) GROUP BY window_start, customer_id;
CREATE MATERIALIZED VIEW big_orders AS SELECT id, amount * 2 AS doubled FROM orders WHERE amount > 90;
CREATE MATERIALIZED VIEW per_customer AS
  SELECT customer_id, count(*) AS n, sum(amount) AS total, min(amount) AS lo, max(amount) AS hi
  FROM orders GROUP BY customer_id;
CREATE MATERIALIZED VIEW per_region AS
  SELECT c.region, count(*) AS n, sum(o.amount) AS total
  FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY c.region;
"""


def test_views_equal_sqlite_over_the_same_events(server):
    rng = random.Random(7)
    orders, customers, customer_records, last_t = make_events(rng)
    psql(server, DDL)

    produce(server, "customers", [(k, v) for k, v in customer_records])
    bad = ["{not json", json.dumps({"id": "seven", "customer_id": 1, "amount": 1.0, "ts": ts_text(1)})]
    produce(server, "orders", [(None, o) for o in orders[:700]] + [(None, b) for b in bad] +
            [(None, o) for o in orders[700:]])
    # One event far ahead moves the watermark past every window of the data above; one event
    # far behind it is then late.
    produce(server, "orders", [(None, {"id": 99999, "customer_id": 1, "amount": 1.0, "ts": ts_text(last_t + 3600)})])
    produce(server, "orders", [(None, {"id": 99998, "customer_id": 2, "amount": 2.0, "ts": ts_text(10)})])

    future = orders + [{"id": 99999, "customer_id": 1, "amount": 1.0, "ts": ts_text(last_t + 3600)}]
    db = sqlite_db(future, customers)
    watermark = last_t + 3600 - 5
    conn = connect(server)

    want = expected_views(db, watermark)
    for view, rows in want.items():
        wait_until(lambda: norm(query(conn, f"SELECT * FROM {view}")), norm(rows), view)

    # A pull query with WHERE / ORDER BY / LIMIT over a view, with a parameter.
    top = query(conn, "SELECT customer_id, n FROM per_customer WHERE n > %s ORDER BY n DESC, customer_id LIMIT 3",
                (10,))
    want = list(db.execute("SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id HAVING n > 10 "
                           "ORDER BY n DESC, customer_id LIMIT 3"))
    assert top == want

    dead = consume_all(server, "__sluice_dead_letters")
    payloads = {json.loads(v)["payload"] for v in dead}
    assert set(bad) <= payloads, dead
    late = [json.loads(v) for v in consume_all(server, "__sluice_late_events")]
    assert any('"id": 99998' in e["payload"] for e in late), late
    assert all("watermark" in e["reason"] for e in late)


def consume_all(server, topic):
    """Every value in `topic`, reading each partition up to the end it had when called."""
    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"check-{topic}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    partitions = c.list_topics(topic, timeout=10).topics[topic].partitions
    wanted = {}
    for p in partitions:
        low, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        if high > low:
            wanted[p] = high
    c.assign([TopicPartition(topic, p, 0) for p in wanted])
    values = []
    deadline = time.monotonic() + 30
    while wanted and time.monotonic() < deadline:
        m = c.poll(1.0)
        if m is None or m.error():
            continue
        values.append(m.value().decode())
        if m.offset() + 1 >= wanted.get(m.partition(), 0):
            wanted.pop(m.partition(), None)
    c.close()
    assert not wanted, f"{topic}: partitions not read to the end: {wanted}"
    return values
