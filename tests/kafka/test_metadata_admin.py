"""Metadata, topic creation with partitions and configs, describe/alter configs,
for every client that has the API."""

import pytest

from clients import ADMINS, ALL, CONFLUENT, KAFKA_PYTHON, KAFKAJS, KCAT, Rec
from conftest import DEFAULT_PARTITIONS


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_metadata_lists_broker_and_auto_created_topic(broker, topic_name, client):
    # Producing to an unknown topic auto-creates it with --default-partitions.
    client.produce(broker.bootstrap, topic_name,
                   [Rec(b"k", b"v", [], None)], acks="all", partition=0)
    md = client.metadata(broker.bootstrap, [topic_name])
    assert md.brokers == {(broker.host, broker.port)}
    assert md.topics.get(topic_name) == DEFAULT_PARTITIONS


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_metadata_lists_explicitly_created_topic(broker, topic_name, client):
    creator = client if hasattr(client, "create_topic") else CONFLUENT
    creator.create_topic(broker.bootstrap, topic_name, 5)
    md = client.metadata(broker.bootstrap, [topic_name])
    assert md.brokers == {(broker.host, broker.port)}
    assert md.topics.get(topic_name) == 5


def test_metadata_all_topics_lists_every_created_topic(broker, topic_name):
    names = [f"{topic_name}-{i}" for i in range(3)]
    for i, n in enumerate(names):
        CONFLUENT.create_topic(broker.bootstrap, n, i + 1)
    for client in ALL:
        md = client.metadata(broker.bootstrap)
        for i, n in enumerate(names):
            assert md.topics.get(n) == i + 1, f"{client.name}: {n} in {md.topics}"


@pytest.mark.parametrize("client", ADMINS, ids=lambda c: c.name)
def test_create_topic_with_config_then_describe_and_alter(broker, topic_name, client):
    client.create_topic(broker.bootstrap, topic_name, 2, {"retention.ms": "3600000"})
    assert CONFLUENT.metadata(broker.bootstrap, [topic_name]).topics.get(topic_name) == 2
    for reader in ADMINS:
        cfg = reader.describe_configs(broker.bootstrap, topic_name)
        assert cfg.get("retention.ms") == "3600000", f"described by {reader.name}: {cfg}"
    client.alter_configs(broker.bootstrap, topic_name, {"retention.ms": "7200000"})
    for reader in ADMINS:
        cfg = reader.describe_configs(broker.bootstrap, topic_name)
        assert cfg.get("retention.ms") == "7200000", f"described by {reader.name}: {cfg}"


@pytest.mark.parametrize("client", [CONFLUENT, KAFKA_PYTHON], ids=lambda c: c.name)
def test_create_existing_topic_fails_with_topic_already_exists(broker, topic_name, client):
    from clients import ClientError
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    with pytest.raises(ClientError) as ei:
        client.create_topic(broker.bootstrap, topic_name, 1)
    assert ei.value.code == 36  # TOPIC_ALREADY_EXISTS


def test_kafkajs_create_existing_topic_returns_false(broker, topic_name):
    # kafkajs createTopics resolves false (instead of throwing) for TOPIC_ALREADY_EXISTS
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    r = KAFKAJS.call(broker.bootstrap, "create", {"topic": topic_name, "partitions": 1, "configs": {}})
    assert r["created"] is False


@pytest.mark.parametrize("client", [CONFLUENT, KAFKAJS], ids=lambda c: c.name)
def test_delete_topic_removes_it_from_metadata(broker, topic_name, client):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    assert topic_name in CONFLUENT.metadata(broker.bootstrap).topics
    client.delete_topic(broker.bootstrap, topic_name)
    assert topic_name not in CONFLUENT.metadata(broker.bootstrap).topics
    assert topic_name not in KAFKA_PYTHON.metadata(broker.bootstrap).topics


def test_metadata_without_auto_create_flag_does_not_create(broker, topic_name):
    """Metadata v4+ with allow_auto_topic_creation=false (a librdkafka consumer's
    default) answers UNKNOWN_TOPIC_OR_PARTITION and creates nothing."""
    from confluent_kafka import Consumer, KafkaError
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "unused",
                  "allow.auto.create.topics": False})
    try:
        md = c.list_topics(topic=topic_name, timeout=30)
        t = md.topics.get(topic_name)
        assert t is not None and t.error is not None
        assert t.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    finally:
        c.close()
    assert topic_name not in KAFKA_PYTHON.metadata(broker.bootstrap).topics


def test_deleted_topic_can_be_recreated_empty(broker, topic_name):
    from clients import Rec
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    assert CONFLUENT.produce(broker.bootstrap, topic_name, [Rec(b"k", b"old", [], None)] * 3) == \
        [(0, 0), (0, 1), (0, 2)]
    CONFLUENT.delete_topic(broker.bootstrap, topic_name)
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 2)
    assert KAFKA_PYTHON.metadata(broker.bootstrap, [topic_name]).topics.get(topic_name) == 2
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name, 0) == (0, 0)
    assert CONFLUENT.produce(broker.bootstrap, topic_name, [Rec(b"k", b"new", [], None)]) == [(0, 0)]
    got = KCAT.consume(broker.bootstrap, topic_name, 1)
    assert [(c.offset, c.value) for c in got] == [(0, b"new")]


def test_broker_configs_are_described_with_kafka_names(broker):
    """DescribeConfigs on the broker resource: Kafka's broker config names, read-only."""
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    res = ConfigResource(ConfigResource.Type.BROKER, "0")
    entries = admin.describe_configs([res], request_timeout=30)[res].result(timeout=30)
    assert entries["advertised.listeners"].value == f"PLAINTEXT://{broker.bootstrap}"
    assert entries["num.partitions"].value == str(DEFAULT_PARTITIONS)
    assert entries["log.retention.ms"].value == "604800000"
    assert entries["message.max.bytes"].value == "1048588"
    assert entries["log.segment.bytes"].is_read_only

    from kafka.admin import ConfigResource as KpResource, ConfigResourceType, KafkaAdminClient
    kp = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        [response] = kp.describe_configs([KpResource(ConfigResourceType.BROKER, "0")])
        [(error_code, _, _, _, configs)] = response.resources
        assert error_code == 0
        assert dict((c[0], c[1]) for c in configs)["auto.create.topics.enable"] == "true"
    finally:
        kp.close()
