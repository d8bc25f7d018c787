"""ListOffsets (earliest, latest, by timestamp) and DeleteRecords."""

import time

import pytest

from clients import ALL, CONFLUENT, CONSUMERS, KAFKA_PYTHON, KAFKAJS, Rec


def produce_timed(bootstrap, topic, timestamps):
    recs = [Rec(f"k{i}".encode(), f"v{i}".encode(), [], ts) for i, ts in enumerate(timestamps)]
    assert CONFLUENT.produce(bootstrap, topic, recs) == [(0, i) for i in range(len(recs))]
    return recs


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_earliest_and_latest_offsets(broker, topic_name, client):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 2)
    assert client.watermarks(broker.bootstrap, topic_name, 0) == (0, 0)
    base = int(time.time() * 1000) - 600_000
    produce_timed(broker.bootstrap, topic_name, [base + i for i in range(7)])
    assert client.watermarks(broker.bootstrap, topic_name, 0) == (0, 7)
    assert client.watermarks(broker.bootstrap, topic_name, 1) == (0, 0)


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_offset_for_timestamp_is_first_offset_at_or_after(broker, topic_name, client):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    base = int(time.time() * 1000) - 600_000
    produce_timed(broker.bootstrap, topic_name, [base + 10 * i for i in range(10)])  # 0,10,..,90
    q = lambda ts: client.offset_for_time(broker.bootstrap, topic_name, ts)
    assert q(base - 1000) == 0
    assert q(base) == 0
    assert q(base + 35) == 4   # first timestamp >= base+35 is base+40 at offset 4
    assert q(base + 50) == 5   # exact match
    assert q(base + 90) == 9
    after_end = q(base + 91)
    if client is KAFKAJS:
        assert after_end == 10  # kafkajs substitutes the high watermark for "no such offset"
    else:
        assert after_end is None


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_offset_for_timestamp_with_out_of_order_timestamps(broker, topic_name, client):
    # Kafka semantics: the earliest offset whose timestamp is >= T, even if
    # timestamps are not monotonic in offset order.
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    base = int(time.time() * 1000) - 600_000
    produce_timed(broker.bootstrap, topic_name, [base + 100, base + 300, base + 200, base + 400])
    q = lambda ts: client.offset_for_time(broker.bootstrap, topic_name, ts)
    assert q(base + 150) == 1
    assert q(base + 250) == 1
    assert q(base + 350) == 3


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_offset_for_timestamp_across_batches(broker, topic_name, client):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    base = int(time.time() * 1000) - 600_000
    for b in range(4):  # four separate produce calls -> four batches
        recs = [Rec(b"k", f"b{b}r{i}".encode(), [], base + 1000 * b + i) for i in range(5)]
        assert CONFLUENT.produce(broker.bootstrap, topic_name, recs) == [(0, 5 * b + i) for i in range(5)]
    assert client.offset_for_time(broker.bootstrap, topic_name, base + 2000) == 10
    assert client.offset_for_time(broker.bootstrap, topic_name, base + 2003) == 13
    assert client.offset_for_time(broker.bootstrap, topic_name, base + 2500) == 15


def test_delete_records_with_kafkajs_moves_low_watermark(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    base = int(time.time() * 1000) - 600_000
    recs = produce_timed(broker.bootstrap, topic_name, [base + i for i in range(10)])
    KAFKAJS.delete_records(broker.bootstrap, topic_name, 4)
    for client in ALL:
        assert client.watermarks(broker.bootstrap, topic_name) == (4, 10), client.name
    for consumer in CONSUMERS:
        got = consumer.consume(broker.bootstrap, topic_name, 6)
        assert [(c.offset, c.value) for c in got] == [(4 + i, r.value) for i, r in enumerate(recs[4:])], \
            consumer.name
    # deleting below the current low watermark does not move it back
    KAFKAJS.delete_records(broker.bootstrap, topic_name, 2)
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name) == (4, 10)
    # -1 means "up to the high watermark"
    KAFKAJS.delete_records(broker.bootstrap, topic_name, -1)
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name) == (10, 10)
    # the partition keeps accepting records at the old high watermark
    assert CONFLUENT.produce(broker.bootstrap, topic_name, [Rec(b"k", b"after", [], None)]) == [(0, 10)]
    assert KAFKA_PYTHON.watermarks(broker.bootstrap, topic_name) == (10, 11)


@pytest.mark.parametrize("client", [CONFLUENT, KAFKA_PYTHON], ids=lambda c: c.name)
def test_delete_records_with_python_admin(broker, topic_name, client):
    if client is CONFLUENT:
        from confluent_kafka.admin import AdminClient as A
    else:
        from kafka import KafkaAdminClient as A
    if not hasattr(A, "delete_records"):
        pytest.skip(f"{client.name} in this Debian release has no delete_records "
                    "(covered through kafkajs deleteTopicRecords)")
    pytest.fail("delete_records became available: write this test")  # pragma: no cover
