"""Produce with each client (acks all/1/0, every codec it supports), consume
back from offset 0 with each group-less consumer, compare exactly."""

import struct
import time

import pytest

from clients import ALL, CONFLUENT, CONSUMERS, KAFKA_PYTHON, KAFKAJS, KCAT, Rec

K = 25


def now_ms():
    return int(time.time() * 1000)


def make_records(producer, n=K, tag="v"):
    """Keys, values, headers and (where the client can set them) timestamps.
    Timestamps are in the past and not equal to the wall clock, so a broker
    that overwrote CreateTime would be caught."""
    base = now_ms() - 3_600_000
    recs = []
    for i in range(n):
        key = f"key-{i}".encode()
        value = f"{tag}-{i}-".encode() + b"x" * (i * 7)
        if producer is KCAT:
            headers = [("src", b"kcat"), ("run", b"r1")]
            recs.append(Rec(key, value, headers, None))
            continue
        headers = [("seq", str(i).encode()), ("src", producer.name.encode())]
        if i == 3:
            key = None  # a null key
        if i == 5:
            headers = []  # no headers at all
        recs.append(Rec(key, value, headers, base + i * 10))
    return recs


def assert_consumed_equal(consumer, produced, got, first_offset=0):
    label = f"consumed with {consumer.name}"
    assert len(got) == len(produced), f"{label}: got {len(got)} of {len(produced)} records"
    for i, (p, c) in enumerate(zip(produced, got)):
        assert c.offset == first_offset + i, f"{label}: record {i} offset"
        assert c.key == p.key, f"{label}: record {i} key"
        assert c.value == p.value, f"{label}: record {i} value"
        assert [(k, bytes(v) if v is not None else None) for k, v in c.headers] == list(p.headers), \
            f"{label}: record {i} headers"
        if p.timestamp is not None:
            assert c.timestamp == p.timestamp, f"{label}: record {i} timestamp"
        else:
            assert c.timestamp is not None and c.timestamp > 0, f"{label}: record {i} timestamp"


def produce_and_check_offsets(producer, bootstrap, topic, recs, **kw):
    res = producer.produce(bootstrap, topic, recs, **kw)
    if res is not None:  # kcat does not report offsets
        assert res == [(0, i) for i in range(len(recs))]


@pytest.mark.parametrize("consumer", CONSUMERS, ids=lambda c: c.name)
@pytest.mark.parametrize("acks", ["all", "1"])
@pytest.mark.parametrize("producer", ALL, ids=lambda c: c.name)
def test_produce_then_consume_from_beginning(broker, topic_name, producer, acks, consumer):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    recs = make_records(producer)
    produce_and_check_offsets(producer, broker.bootstrap, topic_name, recs, acks=acks)
    assert consumer.watermarks(broker.bootstrap, topic_name) == (0, K)
    got = consumer.consume(broker.bootstrap, topic_name, K)
    assert_consumed_equal(consumer, recs, got)


def test_produce_acks_0_is_stored(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    recs = make_records(CONFLUENT)
    CONFLUENT.produce(broker.bootstrap, topic_name, recs, acks="0")
    # acks=0 gets no answer; the consumer's poll loop (with a deadline) waits for the records
    got = CONFLUENT.consume(broker.bootstrap, topic_name, K)
    assert [(c.offset, c.key, c.value) for c in got] == [(i, r.key, r.value) for i, r in enumerate(recs)]


def test_two_batches_get_consecutive_offsets(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    a = make_records(CONFLUENT, 10, "a")
    b = make_records(CONFLUENT, 10, "b")
    assert CONFLUENT.produce(broker.bootstrap, topic_name, a) == [(0, i) for i in range(10)]
    assert CONFLUENT.produce(broker.bootstrap, topic_name, b) == [(0, 10 + i) for i in range(10)]
    for consumer in CONSUMERS:
        assert_consumed_equal(consumer, a + b, consumer.consume(broker.bootstrap, topic_name, 20))


CODEC_IDS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def stored_batch_codecs(partition_dir):
    """The compression codec (attributes & 7) of every record batch in the
    partition's segment logs, in order."""
    out = []
    for seg in sorted(partition_dir.glob("*.log")):
        data = seg.read_bytes()
        pos = 0
        while pos + 61 <= len(data):
            (length,) = struct.unpack_from(">i", data, pos + 8)
            magic = data[pos + 16]
            (attributes,) = struct.unpack_from(">h", data, pos + 21)
            assert magic == 2, f"{seg}: batch at byte {pos} has magic {magic}"
            out.append(attributes & 7)
            pos += 12 + length
    return out


def codec_case(p, codec):
    return pytest.param(p, codec, id=f"{p.name}-{codec}")


CODEC_CASES = [codec_case(p, codec) for p in ALL for codec in p.codecs]


@pytest.mark.parametrize("producer,codec", CODEC_CASES)
def test_compressed_produce_consumes_back_exactly(broker, topic_name, producer, codec):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    recs = make_records(producer, 60, codec)
    produce_and_check_offsets(producer, broker.bootstrap, topic_name, recs, acks="all", compression=codec)
    # The client really compressed, and the broker stored the batches as sent
    # (docs/storage-format.md: segment logs hold the wire's record batches).
    codecs = stored_batch_codecs(broker.data_dir / "topics" / topic_name / "0")
    # librdkafka sends a batch uncompressed when compressing does not shrink it (say, a first
    # batch of one small record), so uncompressed batches may sit beside the compressed ones.
    assert CODEC_IDS[codec] in codecs and set(codecs) <= {0, CODEC_IDS[codec]}, (
        f"stored batch codecs {codecs}, expected only {CODEC_IDS[codec]} ({codec}). All 0 means the "
        "client sent the batches uncompressed; librdkafka (kcat, confluent-kafka) does that silently "
        "when ApiVersions does not advertise Produce from v0 (gzip/snappy/lz4) or FindCoordinator "
        "(lz4) -- run with librdkafka debug=msg to see 'Broker does not support compression type'")
    for consumer in CONSUMERS:
        got = consumer.consume(broker.bootstrap, topic_name, len(recs))
        assert_consumed_equal(consumer, recs, got)


def test_partitioned_topic_keeps_per_partition_order(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 3)
    per = {}
    for p in range(3):
        per[p] = make_records(CONFLUENT, 8, f"p{p}")
        assert CONFLUENT.produce(broker.bootstrap, topic_name, per[p], partition=p) == \
            [(p, i) for i in range(8)]
    for consumer in CONSUMERS:
        for p in range(3):
            got = consumer.consume(broker.bootstrap, topic_name, 8, partition=p)
            assert_consumed_equal(consumer, per[p], got)


def test_kafkajs_group_consumer_reads_everything(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    recs = make_records(KAFKAJS, 10)
    KAFKAJS.produce(broker.bootstrap, topic_name, recs)
    r = KAFKAJS.call(broker.bootstrap, "consume-group",
                     {"group": f"g-{topic_name}", "topic": topic_name, "count": len(recs)})
    got = r["messages"]
    assert [(m["offset"], m["key"], m["value"]) for m in got] == \
        [(i, None if x.key is None else x.key.decode(), x.value.decode()) for i, x in enumerate(recs)]


def test_idempotent_producer(broker, topic_name):
    """InitProducerId + producer id/epoch/sequence on the batches."""
    from confluent_kafka import Producer
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    p = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True, "linger.ms": 5})
    errors = []
    for i in range(30):
        p.produce(topic_name, value=f"idem-{i}".encode(), key=b"k", partition=0,
                  on_delivery=lambda err, msg: err and errors.append(err))
        if i % 10 == 9:
            assert p.flush(30) == 0
    assert errors == []
    got = CONFLUENT.consume(broker.bootstrap, topic_name, 30)
    assert [(c.offset, c.value) for c in got] == [(i, f"idem-{i}".encode()) for i in range(30)]
    # every stored batch carries a producer id (>= 0): the broker assigned one
    part = broker.data_dir / "topics" / topic_name / "0"
    pids = set()
    for seg in sorted(part.glob("*.log")):
        data, pos = seg.read_bytes(), 0
        while pos + 61 <= len(data):
            (length,) = struct.unpack_from(">i", data, pos + 8)
            (pid,) = struct.unpack_from(">q", data, pos + 43)
            pids.add(pid)
            pos += 12 + length
    assert len(pids) == 1 and min(pids) >= 0, f"producer ids on stored batches: {pids}"


def test_consumer_waiting_at_the_end_gets_new_records(broker, topic_name):
    """A consumer polling an empty partition (Fetch waits) receives records
    produced afterwards by another client."""
    from confluent_kafka import OFFSET_BEGINNING, TopicPartition
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    c = CONFLUENT._consumer(broker.bootstrap)
    try:
        c.assign([TopicPartition(topic_name, 0, OFFSET_BEGINNING)])
        first = c.poll(1.0)
        assert first is None or first.error() is not None  # nothing to read yet
        KAFKA_PYTHON.produce(broker.bootstrap, topic_name, [Rec(b"late", b"arrival", [], None)])
        deadline = time.monotonic() + 30
        got = None
        while got is None and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got = m
        assert got is not None and (got.offset(), got.key(), got.value()) == (0, b"late", b"arrival")
    finally:
        c.close()


@pytest.mark.parametrize("client", [CONFLUENT, KAFKA_PYTHON, KAFKAJS], ids=lambda c: c.name)
def test_create_partitions_then_produce_to_new_partition(broker, topic_name, client):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    client.create_partitions(broker.bootstrap, topic_name, 3)
    for reader in ALL:
        assert reader.metadata(broker.bootstrap, [topic_name]).topics.get(topic_name) == 3, reader.name
    recs = make_records(CONFLUENT, 5, "np")
    assert CONFLUENT.produce(broker.bootstrap, topic_name, recs, partition=2) == [(2, i) for i in range(5)]
    assert_consumed_equal(KAFKA_PYTHON, recs, KAFKA_PYTHON.consume(broker.bootstrap, topic_name, 5, partition=2))
