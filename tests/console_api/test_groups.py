"""Consumer groups: a confluent-kafka consumer subscribes, consumes and commits; the API lists the
group, describes its member (client id, decoded assignment), committed offsets and lag, and streams
it as Server-Sent Events every second."""

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import DEADLINE_S, EventStream, get, poll_until

TOPIC = "billing-in"
GROUP = "billing"


def produce(server, count, start=0):
    p = Producer({"bootstrap.servers": server.bootstrap, "acks": "all"})
    for i in range(start, start + count):
        p.produce(TOPIC, key=f"k{i}", value=f"v{i}", partition=i % 2)
    assert p.flush(30) == 0


def consume(consumer, count):
    """Polls until `count` records arrived (or the deadline), then commits synchronously."""
    got = []
    poll_until(lambda: got.extend(m for m in [consumer.poll(0.2)] if m is not None and not m.error()) or len(got),
               lambda n: n >= count, "records consumed")
    consumer.commit(asynchronous=False)
    return got


@pytest.fixture(scope="module")
def consumer(server):
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    admin.create_topics([NewTopic(TOPIC, num_partitions=2, replication_factor=1)])[TOPIC].result(30)
    produce(server, 10)
    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": GROUP, "client.id": "console-test",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([TOPIC])
    consume(c, 10)
    yield c
    c.close()


def test_group_detail_shows_member_assignment_offsets_and_lag(server, consumer):
    status, body = poll_until(lambda: get(server, f"/api/groups/{GROUP}"),
                              lambda r: r[0] == 200 and r[1]["state"] == "Stable", "a stable group")
    assert (body["group_id"], body["protocol_type"]) == (GROUP, "consumer") and body["protocol"]
    assert body["generation"] >= 1
    (member,) = body["members"]
    assert member["client_id"] == "console-test" and member["member_id"].startswith("console-test")
    assert member["group_instance_id"] is None and member["client_host"] == ""
    assert member["assignments"] == [{"topic": TOPIC, "partitions": [0, 1]}]
    assert body["offsets"] == [{"topic": TOPIC, "partition": 0, "committed": 5, "end_offset": 5, "lag": 0},
                               {"topic": TOPIC, "partition": 1, "committed": 5, "end_offset": 5, "lag": 0}]
    assert body["lag"] == 0

    produce(server, 3, start=10)  # partitions 0, 1, 0: lag 2 + 1
    status, body = get(server, f"/api/groups/{GROUP}")
    assert [o["lag"] for o in body["offsets"]] == [2, 1] and body["lag"] == 3
    status, body = get(server, "/api/groups")
    assert status == 200
    (listed,) = [g for g in body["groups"] if g["group_id"] == GROUP]
    assert listed == {"group_id": GROUP, "state": "Stable", "protocol_type": "consumer",
                      "protocol": listed["protocol"], "members": 1, "lag": 3}


def test_group_stream_sends_the_group_every_second(server, consumer):
    stream = EventStream(server, f"/api/groups/{GROUP}/stream")
    assert stream.response.status == 200
    assert stream.response.getheader("Content-Type") == "text/event-stream"
    name, first = stream.next()
    assert name == "group" and first["group_id"] == GROUP and first["members"][0]["client_id"] == "console-test"
    lag_before = first["lag"]
    produce(server, 4, start=100)
    # Later events carry the new lag (the stream ticks every second; read until it shows).
    for _ in range(int(DEADLINE_S)):
        name, event = stream.next()
        assert name == "group"
        if event["lag"] == lag_before + 4:
            break
    assert event["lag"] == lag_before + 4
    consume(consumer, 4 + lag_before)
    for _ in range(int(DEADLINE_S)):
        name, event = stream.next()
        if event["lag"] == 0:
            break
    assert event["lag"] == 0 and all(o["committed"] == o["end_offset"] for o in event["offsets"])
    stream.close()


def test_unknown_group_is_404(server, consumer):
    for path in ["/api/groups/nobody", "/api/groups/nobody/stream"]:
        status, body = get(server, path)
        assert status == 404 and body["code"] == "GROUP_ID_NOT_FOUND", path


OPEN_AT_SHUTDOWN = []


def test_a_stream_left_open_does_not_hold_up_shutdown(server, consumer):
    """The stream stays open past this test: the fixture then stops the server and checks exit 0."""
    stream = EventStream(server, f"/api/groups/{GROUP}/stream")
    assert stream.next()[0] == "group"
    OPEN_AT_SHUTDOWN.append(stream)
