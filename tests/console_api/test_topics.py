"""Topics and the message browser: listing and describing topics, browsing records by offset, by
timestamp and by key across partitions (lz4-compressed batches, headers, binary values, tombstones),
limits, and the error answers."""

import base64

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import get, poll_until

BASE_TS = 1_700_000_000_000
TOPIC = "browse"


def record(i):
    """The i-th record produced: partition i % 3, key k(i % 5), timestamp BASE_TS + i s."""
    return {"partition": i % 3, "key": f"k{i % 5}", "value": f"value-{i}", "timestamp": BASE_TS + i * 1000,
            "headers": [{"key": "trace-id", "value": f"t-{i}"}] if i % 10 == 7 else []}


RECORDS = [record(i) for i in range(30)]
# Produced after the 30: a binary value (partition 0) and a tombstone (partition 1).
BINARY = {"partition": 0, "key": "bin", "value": b"\xff\x00\xfe", "timestamp": BASE_TS + 30_000}
TOMBSTONE = {"partition": 1, "key": "gone", "value": None, "timestamp": BASE_TS + 31_000}


@pytest.fixture(scope="module")
def browse(server):
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    admin.create_topics([NewTopic(TOPIC, num_partitions=3, replication_factor=1)])[TOPIC].result(30)
    p = Producer({"bootstrap.servers": server.bootstrap, "acks": "all", "compression.type": "lz4",
                  "linger.ms": 20})
    errors = []
    for r in RECORDS + [BINARY, TOMBSTONE]:
        headers = [(h["key"], h["value"].encode()) for h in r["headers"]] if r.get("headers") else None
        p.produce(TOPIC, key=r["key"], value=r["value"], partition=r["partition"], timestamp=r["timestamp"],
                  headers=headers, on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(30) == 0 and not errors, errors
    return server


def offsets_of(records):
    """Expected (partition, offset) of each produced record: offsets count up per partition."""
    seen, out = {}, []
    for r in records:
        out.append((r["partition"], seen.get(r["partition"], 0)))
        seen[r["partition"]] = out[-1][1] + 1
    return out


ALL = RECORDS + [BINARY, TOMBSTONE]
POSITIONS = offsets_of(ALL)


def text_view(i):
    """What the browser answers for ALL[i] when it is text."""
    r = ALL[i]
    return {"partition": POSITIONS[i][0], "offset": POSITIONS[i][1], "timestamp": r["timestamp"], "key": r["key"],
            "headers": r.get("headers", []), "value": r["value"], "encoding": "text"}


def test_topics_list_and_detail(browse):
    status, body = get(browse, "/api/topics")
    assert status == 200
    topics = {t["name"]: t for t in body["topics"]}
    t = topics[TOPIC]
    assert (t["partitions"], t["records"], t["internal"]) == (3, 32, False) and t["bytes"] > 0
    assert topics["__consumer_offsets"]["internal"] is True

    status, body = get(browse, f"/api/topics/{TOPIC}")
    assert status == 200 and body["name"] == TOPIC and body["internal"] is False
    assert body["configs"]["cleanup.policy"] == "delete" and body["configs"]["retention.ms"] == "604800000"
    ends = [sum(1 for p, _ in POSITIONS if p == part) for part in range(3)]
    assert [(p["partition"], p["log_start_offset"], p["end_offset"]) for p in body["partitions"]] == \
        [(0, 0, ends[0]), (1, 0, ends[1]), (2, 0, ends[2])]
    # (Records stamped long ago may roll segments by segment.ms, as in Kafka: at least one each.)
    assert all(p["bytes"] > 0 and p["segments"] >= 1 for p in body["partitions"])


def test_latest_records_come_newest_first(browse):
    status, body = get(browse, f"/api/topics/{TOPIC}/messages")
    assert status == 200
    newest_first = sorted(range(len(ALL)), key=lambda i: -ALL[i]["timestamp"])
    assert len(body["messages"]) == 32
    assert [(m["partition"], m["offset"]) for m in body["messages"]] == [POSITIONS[i] for i in newest_first]
    assert body["messages"][5] == text_view(newest_first[5])

    status, body = get(browse, f"/api/topics/{TOPIC}/messages?limit=4")
    assert status == 200 and [m["value"] for m in body["messages"][2:]] == ["value-29", "value-28"]
    assert body["messages"][0]["value"] is None and body["messages"][0]["key"] == "gone"
    assert body["messages"][1]["encoding"] == "base64"


def test_binary_values_are_base64(browse):
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?partition=0&limit=1")
    assert status == 200
    (m,) = body["messages"]
    assert m["encoding"] == "base64" and m["offset"] == 10
    assert base64.b64decode(m["value"]) == b"\xff\x00\xfe" and base64.b64decode(m["key"]) == b"bin"


def test_browse_from_an_offset_and_a_timestamp(browse):
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?partition=1&offset=2&limit=3")
    assert status == 200
    assert body["messages"] == [text_view(7), text_view(10), text_view(13)]  # offsets 2, 3, 4 of partition 1
    assert body["messages"][0]["headers"] == [{"key": "trace-id", "value": "t-7"}]

    status, body = get(browse, f"/api/topics/{TOPIC}/messages?timestamp={BASE_TS + 20_000}&limit=5")
    assert status == 200
    assert [m["value"] for m in body["messages"]] == [f"value-{i}" for i in range(20, 25)]

    # An offset before the log start starts at it; past the end there is nothing.
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?partition=2&offset=100")
    assert status == 200 and body["messages"] == []
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?timestamp={BASE_TS + 99_000}")
    assert status == 200 and body["messages"] == []


def test_browse_by_key(browse):
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?key=k3")
    assert status == 200
    assert [m["value"] for m in body["messages"]] == [f"value-{i}" for i in (28, 23, 18, 13, 8, 3)]

    status, body = get(browse, f"/api/topics/{TOPIC}/messages?key=k3&offset=0&limit=2")
    assert status == 200 and [m["value"] for m in body["messages"]] == ["value-3", "value-8"]

    # scan_limit bounds the offsets searched per partition: only the newest one of partition 1 is.
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?partition=1&key=gone&scan_limit=1")
    assert status == 200 and [m["key"] for m in body["messages"]] == ["gone"]
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?partition=1&key=k3&scan_limit=1")
    assert status == 200 and body["messages"] == []
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?partition=1&key=k3&scan_limit=100")
    assert status == 200 and [m["value"] for m in body["messages"]] == ["value-28", "value-13"]


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=ten", "offset=-1", "offset=1&timestamp=2",
                                   "scan_limit=0", "partition=x"])
def test_bad_parameters_are_400(browse, query):
    status, body = get(browse, f"/api/topics/{TOPIC}/messages?{query}")
    assert status == 400 and body["code"] == "INVALID_REQUEST" and body["error"]


def test_unknown_topic_or_partition_is_404(browse):
    for path in ["/api/topics/nope", "/api/topics/nope/messages", f"/api/topics/{TOPIC}/messages?partition=3"]:
        status, body = get(browse, path)
        assert status == 404 and body["code"] == "UNKNOWN_TOPIC_OR_PARTITION", path


def test_limit_1000_is_honoured(browse):
    admin = AdminClient({"bootstrap.servers": browse.bootstrap})
    admin.create_topics([NewTopic("many", num_partitions=1, replication_factor=1)])["many"].result(30)
    # zstd batches of many records: the browser reads through the decompression.
    p = Producer({"bootstrap.servers": browse.bootstrap, "linger.ms": 20, "compression.type": "zstd"})
    for i in range(1200):
        p.produce("many", key=str(i), value=str(i))
    assert p.flush(30) == 0
    status, body = get(browse, "/api/topics/many/messages?limit=1000")
    assert status == 200 and len(body["messages"]) == 1000
    assert body["messages"][0]["value"] == "1199" and body["messages"][-1]["value"] == "200"
    status, body = get(browse, "/api/topics/many/messages?offset=0&limit=1000")
    assert status == 200 and [m["offset"] for m in body["messages"]] == list(range(1000))


def test_latest_records_skip_compaction_gaps(browse):
    """After compaction the newest `limit` offsets hold fewer than `limit` records: the browser
    searches further back until it has them."""
    admin = AdminClient({"bootstrap.servers": browse.bootstrap})
    config = {"cleanup.policy": "compact", "segment.bytes": "1024"}
    admin.create_topics([NewTopic("compacted", num_partitions=1, replication_factor=1, config=config)])[
        "compacted"].result(30)
    p = Producer({"bootstrap.servers": browse.bootstrap, "linger.ms": 0})
    # 150 keys written once (they stay), then 150 updates of 3 keys (the cleaner drops most of them):
    # the newest offsets are then mostly gaps.
    for i in range(300):
        p.produce("compacted", key=f"once{i}" if i < 150 else f"k{i % 3}", value=f"{i:040d}")
        p.flush(30)  # one batch each, so segments roll and the cleaner has sealed ones to clean

    def snapshot():
        forward = get(browse, "/api/topics/compacted/messages?offset=0&limit=1000")[1]["messages"]
        latest = get(browse, f"/api/topics/compacted/messages?limit={max(len(forward), 1)}")[1]["messages"]
        again = get(browse, "/api/topics/compacted/messages?offset=0&limit=1000")[1]["messages"]
        return forward, latest, again

    forward, latest, _ = poll_until(
        snapshot, lambda s: len(s[0]) < 300 and s[0] == s[2] and s[1] == s[0][::-1], "a compacted, stable topic")
    assert [m["offset"] for m in forward[:150]] == list(range(150)) and forward[-1]["offset"] == 299
    assert len(forward) < 200  # so the newest len(forward) offsets held far fewer records
