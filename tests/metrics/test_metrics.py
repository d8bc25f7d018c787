"""GET /metrics: the page parses with Prometheus' own parser, and the counters move exactly as Kafka
clients produce, fetch and commit."""

import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import scrape, samples, value, wait_for, http_get


def new_topic(server, partitions=1):
    name = f"m-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])[name].result(30)
    return name


def produce(server, topic, count, acks="all"):
    producer = Producer({"bootstrap.servers": server.bootstrap, "acks": acks, "linger.ms": 5})
    failures = []
    for i in range(count):
        producer.produce(topic, key=f"k{i}".encode(), value=f"value number {i}".encode(),
                         on_delivery=lambda err, msg: err and failures.append(err))
    assert producer.flush(30) == 0
    assert not failures, failures


def test_page_parses_with_the_prometheus_parser(server):
    topic = new_topic(server)
    produce(server, topic, 3)
    content_type, text = http_get(server, "/metrics")
    assert content_type.startswith("text/plain; version=0.0.4")
    families = scrape(server)
    names = {f.name for f in families}
    for expected in ["sluice_topic_records_in", "sluice_topic_bytes_in", "sluice_kafka_requests",
                     "sluice_kafka_request_duration_seconds", "sluice_log_fsync_duration_seconds",
                     "sluice_partition_log_end_offset", "sluice_partition_log_start_offset",
                     "sluice_partition_size_bytes", "sluice_disk_bytes", "sluice_consumer_groups",
                     "sluice_connections", "sluice_uptime_seconds", "process_start_time_seconds",
                     "sluice_build_info"]:
        assert expected in names, f"{expected} missing from {sorted(names)}"
    for f in families:
        assert f.documentation, f"{f.name} has no HELP"
        assert f.type in ("counter", "gauge", "histogram"), (f.name, f.type)
    found = samples(families)
    assert value(found, "sluice_build_info", version="0.1.0") == 1
    assert value(found, "sluice_partition_log_end_offset", topic=topic, partition="0") == 3
    assert value(found, "sluice_kafka_requests_total", api="Produce") >= 1


def test_produce_counts_records_and_bytes_in_exactly(server):
    topic = new_topic(server, partitions=2)
    before = samples(scrape(server))
    assert value(before, "sluice_topic_records_in_total", topic=topic) == 0
    produce(server, topic, 37)
    after = samples(scrape(server))
    assert value(after, "sluice_topic_records_in_total", topic=topic) == 37
    # Bytes in are the batches appended: what the partitions' logs grew by.
    size = sum(value(after, "sluice_partition_size_bytes", topic=topic, partition=str(p)) for p in (0, 1))
    assert size > 0
    assert value(after, "sluice_topic_bytes_in_total", topic=topic) == size
    ends = sum(value(after, "sluice_partition_log_end_offset", topic=topic, partition=str(p)) for p in (0, 1))
    assert ends == 37
    assert value(after, "sluice_disk_bytes") >= size


def test_fetch_counts_records_and_bytes_out(server):
    topic = new_topic(server)
    produce(server, topic, 25)
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"g-{topic}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        got = 0

        def read_all():
            nonlocal got
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                got += 1
            return got == 25
        wait_for(read_all, "the consumer to read 25 records")
        found = wait_for(lambda: (lambda s: s if value(s, "sluice_topic_records_out_total", topic=topic) >= 25
                                  else None)(samples(scrape(server))), "records out to reach 25")
        # Each batch is served once: the consumer asks for the offset after the last one it got.
        assert value(found, "sluice_topic_records_out_total", topic=topic) == 25
        assert value(found, "sluice_topic_bytes_out_total", topic=topic) == \
            value(found, "sluice_partition_size_bytes", topic=topic, partition="0")
        assert value(found, "sluice_kafka_requests_total", api="Fetch") >= 1
    finally:
        consumer.close()


def test_committed_offsets_show_lag(server):
    topic = new_topic(server)
    produce(server, topic, 30)
    group = f"lag-{topic}"
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, 12)], asynchronous=False)
    finally:
        consumer.close()
    found = samples(scrape(server))
    at = {"group": group, "topic": topic, "partition": "0"}
    assert value(found, "sluice_consumer_group_committed_offset", **at) == 12
    assert value(found, "sluice_consumer_group_lag", **at) == 18
    assert value(found, "sluice_consumer_group_members", group=group) == 0
    assert value(found, "sluice_consumer_groups", state="Empty") >= 1
    produce(server, topic, 5)
    assert value(server, "sluice_consumer_group_lag", **at) == 23


def test_histograms_are_well_formed(server):
    topic = new_topic(server)
    produce(server, topic, 10, acks="all")  # acks=all waits for an fdatasync
    families = scrape(server)
    histograms = [f for f in families if f.type == "histogram"]
    assert {f.name for f in histograms} >= {"sluice_kafka_request_duration_seconds",
                                            "sluice_log_fsync_duration_seconds"}
    checked = 0
    for f in histograms:
        series = {}
        for s in f.samples:
            labels = {k: v for k, v in s.labels.items() if k != "le"}
            entry = series.setdefault(frozenset(labels.items()), {"buckets": [], "sum": None, "count": None})
            if s.name.endswith("_bucket"):
                entry["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_sum"):
                entry["sum"] = s.value
            elif s.name.endswith("_count"):
                entry["count"] = s.value
        for labels, e in series.items():
            bounds = [b for b, _ in e["buckets"]]
            counts = [c for _, c in e["buckets"]]
            assert bounds == sorted(bounds) and bounds[-1] == float("inf"), (f.name, labels, bounds)
            assert all(a <= b for a, b in zip(counts, counts[1:])), (f.name, labels, counts)
            assert counts[-1] == e["count"], (f.name, labels)
            assert e["sum"] is not None and e["sum"] >= 0
            checked += 1
    assert checked > 0
    found = samples(families)
    assert value(found, "sluice_log_fsync_duration_seconds_count") >= 1
    assert value(found, "sluice_kafka_request_duration_seconds_count", api="Produce") >= 1


def test_connections_gauge_counts_open_kafka_connections(server):
    producer = Producer({"bootstrap.servers": server.bootstrap})
    try:
        producer.list_topics(timeout=10)  # connects
        assert value(server, "sluice_connections", listener="kafka") >= 1
    finally:
        producer.flush(10)


def test_partition_errors_are_counted_by_api_and_error(server):
    topic = new_topic(server)
    produce(server, topic, 3)
    key = {"api": "Fetch", "error": "OFFSET_OUT_OF_RANGE"}
    before = value(server, "sluice_kafka_request_errors_total", **key)
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"e-{topic}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        consumer.assign([TopicPartition(topic, 0, 1000)])  # past the end: the broker answers the error

        def counted():
            consumer.poll(0.1)
            return value(server, "sluice_kafka_request_errors_total", **key) > before
        wait_for(counted, "an OFFSET_OUT_OF_RANGE fetch error to be counted")
    finally:
        consumer.close()
