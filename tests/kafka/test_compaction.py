"""Compaction (cleanup.policy=compact) with real clients: confluent-kafka, kafka-python and kafkajs
produce many updates to a few keys into a compacted topic with small segments; once the broker's
cleaner has run (observed, with a deadline, through what a consumer reads), a consumer from the
beginning sees exactly the latest value of each key plus the active segment's records, in offset
order. A keyless record is refused with INVALID_RECORD. __consumer_offsets is compacted after many
commits, and the commits still restore after a SIGKILL. Every wait polls an observable outcome
bounded by a deadline; none sleeps to synchronize."""

import time
import uuid
from pathlib import Path

import pytest

from clients import CONFLUENT, KAFKA_PYTHON, KAFKAJS, TIMEOUT_S, ClientError, Rec

DEADLINE_S = 60.0
INVALID_RECORD = 87
KEYS = 5
ROUNDS = 12
PER_ROUND = 10


def wait_for(condition, what):
    deadline = time.monotonic() + DEADLINE_S
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)  # poll interval of the wait loop; the cleaner runs on the broker's own thread


def partition_dir(broker, topic, partition=0):
    return Path(broker.data_dir) / "topics" / topic / str(partition)


def active_base(broker, topic, partition=0):
    return max(int(p.stem) for p in partition_dir(broker, topic, partition).glob("*.log"))


def read_all_confluent(bootstrap, topic, last_offset):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "sluice-tests-unused",
                  "enable.auto.commit": False, "enable.partition.eof": False})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        out = []
        deadline = time.monotonic() + TIMEOUT_S
        while (not out or out[-1][0] < last_offset) and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            out.append((m.offset(), m.key(), m.value()))
        return out
    finally:
        c.close()


def read_all_kafka_python(bootstrap, topic, last_offset):
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek_to_beginning(tp)
        out = []
        deadline = time.monotonic() + TIMEOUT_S
        while (not out or out[-1][0] < last_offset) and time.monotonic() < deadline:
            for recs in c.poll(timeout_ms=500).values():
                out.extend((m.offset, m.key, m.value) for m in recs)
        return out
    finally:
        c.close()


def compacted_view(records, active):
    """True when no record below the active segment has a later record with the same key."""
    last = {}
    for offset, key, _ in records:
        if key in last and last[key] < active:
            return False
        last[key] = offset
    return True


@pytest.mark.parametrize("producer", [CONFLUENT, KAFKA_PYTHON, KAFKAJS], ids=lambda c: c.name)
def test_a_compacted_topic_keeps_the_latest_value_per_key(broker, topic_name, producer):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1, {"cleanup.policy": "compact", "segment.bytes": "1024"})
    latest = {}
    for r in range(ROUNDS):  # one produce call per round: batches of a few records, many segments
        recs = []
        for i in range(PER_ROUND):
            key, value = f"key-{(r * PER_ROUND + i) % KEYS}", f"value-{r}-{i}"
            recs.append(Rec(key.encode(), value.encode(), [], None))
            latest[key.encode()] = value.encode()
        producer.produce(broker.bootstrap, topic_name, recs, acks="all")
    produced = ROUNDS * PER_ROUND
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name) == (0, produced)

    def cleaned():
        records = read_all_confluent(broker.bootstrap, topic_name, produced - 1)
        return records if len(records) < produced and compacted_view(records, active_base(broker, topic_name)) \
            else None

    records = wait_for(cleaned, "the cleaner to compact the sealed segments")
    offsets = [o for o, _, _ in records]
    assert offsets == sorted(set(offsets)) and offsets[-1] == produced - 1
    last = {}
    for _, key, value in records:
        last[key] = value
    assert last == latest
    # Another client reads the same records across the gaps, and the offsets did not move.
    assert read_all_kafka_python(broker.bootstrap, topic_name, produced - 1) == records
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name) == (0, produced)


def test_a_keyless_record_is_refused_by_a_compacted_topic(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1, {"cleanup.policy": "compact"})
    with pytest.raises(ClientError) as ei:
        CONFLUENT.produce(broker.bootstrap, topic_name, [Rec(None, b"v", [], None)], acks="all")
    assert ei.value.code == INVALID_RECORD, str(ei.value)
    CONFLUENT.produce(broker.bootstrap, topic_name, [Rec(b"k", b"v", [], None)], acks="all")
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name) == (0, 1)
    configs = CONFLUENT.describe_configs(broker.bootstrap, topic_name)
    assert configs["cleanup.policy"] == "compact"
    assert configs["min.cleanable.dirty.ratio"] == "0.5"
    assert configs["delete.retention.ms"] == "86400000"


def offsets_log_bytes(broker):
    return sum(p.stat().st_size for p in (Path(broker.data_dir) / "topics" / "__consumer_offsets").glob("*/*.log"))


def test_consumer_offsets_is_compacted_and_commits_survive_sigkill(fresh_broker, topic_name):
    from confluent_kafka import Consumer, TopicPartition
    bootstrap = fresh_broker.bootstrap
    CONFLUENT.create_topic(bootstrap, topic_name, 1)
    CONFLUENT.produce(bootstrap, topic_name, [Rec(b"k", b"v", [], None)])
    # AlterConfigs replaces every override: keep the policy the broker gave the topic.
    CONFLUENT.alter_configs(bootstrap, "__consumer_offsets", {"cleanup.policy": "compact", "segment.bytes": "2048"})
    group = f"g-{uuid.uuid4().hex[:10]}"
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        for i in range(1, 401):
            c.commit(offsets=[TopicPartition(topic_name, 0, i)], asynchronous=False)
    finally:
        c.close()
    written = offsets_log_bytes(fresh_broker)
    wait_for(lambda: offsets_log_bytes(fresh_broker) * 4 < written, "__consumer_offsets to be compacted")

    def committed():
        from kafka import KafkaAdminClient
        a = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            return {tp.partition: om.offset for tp, om in a.list_consumer_group_offsets(group).items()}
        finally:
            a.close()

    assert committed() == {0: 400}
    fresh_broker.kill()
    fresh_broker.start()
    assert committed() == {0: 400}
