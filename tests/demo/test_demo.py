"""`sluice demo` end to end: the shop's events arrive through Kafka, every view answers over the
Postgres wire with rows that make sense, the injected fraud is flagged and decided by the fraud
service (a real consumer group), malformed and late events are set aside, and SIGTERM stops it all
cleanly. Real clients only: confluent-kafka, kafka-python's admin client, psycopg2."""

import json
import re
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
from sluice_server import SluiceServer, attach_logs  # noqa: E402

import psycopg2  # noqa: E402
from confluent_kafka import Consumer, TopicPartition  # noqa: E402

DEADLINE_S = 150.0  # the slowest signal, a shipment minutes late, shows after ~40 s of live trade
SHOP_TOPICS = ["products", "customers", "page_views", "orders", "payments", "inventory", "shipments"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result(), ("demo",))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    (tmp / "data").mkdir()
    s = SluiceServer(tmp / "data", tmp / "sluice.log", ["--rate", "400", "--seed", "7"], subcommand="demo")
    s.start()
    yield s
    s.stop()


def eventually(what, probe, deadline_s=DEADLINE_S):
    """Polls `probe` until it returns something truthy; fails naming `what` after the deadline."""
    deadline = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (psycopg2.Error, KeyError, OSError) as e:
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.5)  # poll interval, not synchronization
    pytest.fail(f"{what} within {deadline_s} s; last: {last!r}")


def query(demo, sql):
    with psycopg2.connect(host=demo.host, port=demo.pg_port, user="demo", dbname="sluice",
                          connect_timeout=10) as conn:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()


def log_text(demo):
    return demo.log_path.read_text(errors="replace")


def injected_cards(demo, kind):
    return set(re.findall(rf"injected {kind} fraud: card (card-\d+-\d+)", log_text(demo)))


def end_offsets(demo, topics):
    c = Consumer({"bootstrap.servers": demo.bootstrap, "group.id": "demo-test-offsets"})
    try:
        return {t: c.get_watermark_offsets(TopicPartition(t, 0), timeout=10)[1] for t in topics}
    finally:
        c.close()


def read_topic(demo, topic, limit=100_000):
    """Every record of partition 0 up to the end offset it has now, as (key, value) bytes."""
    end = end_offsets(demo, [topic])[topic]
    c = Consumer({"bootstrap.servers": demo.bootstrap, "group.id": "demo-test-reader",
                  "enable.auto.commit": False})
    out = []
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + 30
        while len(out) < min(end, limit) and time.monotonic() < deadline:
            for m in c.consume(500, timeout=1.0):
                if not m.error():
                    out.append((m.key(), m.value()))
    finally:
        c.close()
    return out


def test_prints_the_console_url(demo):
    line = f"console: http://127.0.0.1:{demo.http_port}/"
    eventually("the console URL line", lambda: line in log_text(demo))
    assert f"psql -h 127.0.0.1 -p {demo.pg_port}" in log_text(demo)


def test_every_topic_exists_and_grows(demo):
    first = eventually("every shop topic holding events",
                       lambda: (lambda o: o if all(o[t] > 0 for t in SHOP_TOPICS) else None)(
                           end_offsets(demo, SHOP_TOPICS)))
    grown = {"page_views", "orders", "payments", "inventory", "shipments"}
    eventually("the event topics growing",
               lambda: all(n > first[t] for t, n in end_offsets(demo, sorted(grown)).items()))


def test_revenue_per_minute(demo):
    rows = eventually("closed revenue windows",
                      lambda: query(demo, "SELECT window_start, window_end, orders, revenue FROM revenue_per_minute"))
    for start, end, orders, revenue in rows:
        assert (end - start).total_seconds() == 60
        assert orders > 0 and revenue > 0


def test_inventory_per_product(demo):
    rows = eventually("inventory for every product",
                      lambda: (lambda r: r if len(r) == 200 else None)(
                          query(demo, "SELECT product_id, name, on_hand, movements FROM inventory_levels")))
    assert len({r[0] for r in rows}) == 200
    assert all(r[1] and r[3] >= 1 for r in rows)
    # Popular products have sold: some have moved many times.
    assert max(r[3] for r in rows) > 10


def test_views_over_http(demo):
    def rows():
        with urllib.request.urlopen(f"http://127.0.0.1:{demo.http_port}/api/views/inventory_levels",
                                    timeout=10) as r:
            return json.load(r)["rows"]

    got = eventually("inventory_levels over HTTP", lambda: (lambda r: r if len(r) == 200 else None)(rows()))
    assert {"product_id", "name", "on_hand"} <= set(got[0])


def test_trending_products_are_skewed(demo):
    rows = eventually("product views per minute",
                      lambda: query(demo, "SELECT window_start, product_id, views FROM product_views_per_minute "
                                          "ORDER BY window_start DESC, views DESC"))
    latest = [r for r in rows if r[0] == rows[0][0]]
    assert latest[0][2] > latest[-1][2]


def test_velocity_fraud_is_flagged(demo):
    injected = eventually("an injected velocity fraud in the log", lambda: injected_cards(demo, "velocity"))
    flagged = eventually("the injected card in card_velocity",
                         lambda: {r[0] for r in query(demo, "SELECT card_id, payments FROM card_velocity")} & injected)
    assert flagged <= injected


def test_unusual_amount_is_flagged(demo):
    injected = eventually("an injected amount fraud in the log", lambda: injected_cards(demo, "amount"))
    rows = eventually("the injected card in unusual_payments",
                      lambda: [r for r in query(demo, "SELECT card_id, amount, usual_amount FROM unusual_payments")
                               if r[0] in injected])
    assert all(amount > 10 * usual for _, amount, usual in rows)


def test_shipments_delayed_and_awaited(demo):
    eventually("orders awaiting shipment", lambda: query(demo, "SELECT count(*) FROM awaiting_shipment")[0][0] > 0)
    rows = eventually("delayed shipments",
                      lambda: query(demo, "SELECT order_id, ordered_at, shipped_at FROM delayed_shipments"))
    assert all((shipped - ordered).total_seconds() > 120 for _, ordered, shipped in rows)


def test_fraud_service_decides(demo):
    injected = injected_cards(demo, "velocity") | injected_cards(demo, "amount")

    def decisions():
        found = [json.loads(v) for _, v in read_topic(demo, "fraud_decisions")]
        return [d for d in found if d["card_id"] in injected]

    found = eventually("decisions on the injected cards in fraud_decisions", decisions)
    for d in found:
        assert d["decision"] in ("block", "review")
        assert d["reason"] and isinstance(d["ts"], int)
    # The velocity bursts are eight payments: blocked.
    assert any(d["decision"] == "block" for d in found if d["reason"].startswith("velocity"))
    # And read back through SQL.
    eventually("card_decisions", lambda: query(demo, "SELECT card_id, decision FROM card_decisions"))


def test_fraud_service_group_exists(demo):
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=demo.bootstrap)
    try:
        eventually("the fraud-service group", lambda: any(g[0] == "fraud-service" for g in admin.list_consumer_groups()))
        [group] = admin.describe_consumer_groups(["fraud-service"])
        assert group.state == "Stable"
        assert len(group.members) == 1
    finally:
        admin.close()


def test_malformed_and_late_events_are_set_aside(demo):
    def dead_letters():
        letters = [json.loads(v) for _, v in read_topic(demo, "__sluice_dead_letters")]
        return {letter["relation"] for letter in letters} >= {"orders", "page_views"}

    eventually("dead letters from orders and page_views", dead_letters)
    eventually("late events", lambda: len(read_topic(demo, "__sluice_late_events", limit=10)) > 0)


def test_views_over_views(demo):
    rows = eventually("revenue per hour", lambda: query(demo, "SELECT hour, orders, revenue FROM revenue_per_hour"))
    assert all(orders > 0 and revenue > 0 for _, orders, revenue in rows)
    injected = injected_cards(demo, "velocity")
    eventually("an injected card in flagged_cards",
               lambda: {r[0] for r in query(demo, "SELECT card_id, most_payments FROM flagged_cards")} & injected)
    low = query(demo, "SELECT product_id, on_hand FROM low_stock")
    assert all(on_hand < 60 for _, on_hand in low)


def test_sigterm_stops_cleanly(demo):
    assert demo.alive()
    assert demo.stop() == 0
    assert "stopped" in log_text(demo).splitlines()[-1]


def test_restart_on_the_same_data_directory(tmp_path):
    """A stopped demo started again on its directory keeps its views and trades on, without
    publishing the catalogue twice."""
    (tmp_path / "data").mkdir()
    args = ["--rate", "300", "--seed", "3"]
    first = SluiceServer(tmp_path / "data", tmp_path / "first.log", args, subcommand="demo")
    first.start()
    try:
        windows = eventually("closed revenue windows",
                             lambda: query(first, "SELECT window_start FROM revenue_per_minute"))
        eventually("the opening catalogue", lambda: end_offsets(first, ["products"])["products"] == 200)
        before = end_offsets(first, ["orders"])["orders"]
    finally:
        assert first.stop() == 0, first.log_tail()
    second = SluiceServer(tmp_path / "data", tmp_path / "second.log", args, subcommand="demo")
    second.start()
    try:
        eventually("orders after the restart", lambda: end_offsets(second, ["orders"])["orders"] > before)
        kept = {r[0] for r in query(second, "SELECT window_start FROM revenue_per_minute")}
        assert {w for (w,) in windows} <= kept
        assert end_offsets(second, ["products"])["products"] == 200
    finally:
        assert second.stop() == 0, second.log_tail()
