"""Consumer groups with real clients (confluent-kafka, kafka-python, kafkajs): members of one group share
a topic's partitions without overlap; consuming with a commit after each record delivers every record
exactly once across the group, also when a member stops; committed offsets survive a SIGKILL of the
broker; a member that stops heartbeating is evicted after its session timeout. Every wait is for an
observable outcome, bounded by a deadline; none sleeps to synchronize."""

import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from clients import CONFLUENT, KAFKAJS, TIMEOUT_S

PARTITIONS = 6
DEADLINE_S = 60.0
ALL = set(range(PARTITIONS))


def group_name():
    return f"g-{uuid.uuid4().hex[:10]}"


def produce_round_robin(bootstrap, topic, n, prefix, partitions=PARTITIONS):
    """Produces n records, record i to partition i % partitions; returns their values."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    for i in range(n):
        p.produce(topic, value=f"{prefix}-{i}".encode(), partition=i % partitions,
                  on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(TIMEOUT_S) == 0 and not errors, errors
    return {f"{prefix}-{i}" for i in range(n)}


def describe(bootstrap, group):
    """(state, {member_id: assigned partitions}) as the broker answers DescribeGroups."""
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        [g] = a.describe_consumer_groups([group])
        members = {}
        for m in g.members:
            members[m.member_id] = {p for _, ps in (m.member_assignment.assignment if m.member_assignment else [])
                                    for p in ps}
        return g.state, members
    finally:
        a.close()


def committed(bootstrap, group):
    """{partition: committed offset} as the broker answers OffsetFetch (all topics)."""
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return {tp.partition: om.offset for tp, om in a.list_consumer_group_offsets(group).items()}
    finally:
        a.close()


# ------------------------------------------------------------------ in-process group members


class ConfluentMember:
    def __init__(self, bootstrap, group, topic, **conf):
        from confluent_kafka import Consumer
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                           "auto.offset.reset": "earliest", **conf})
        self.c.subscribe([topic])

    def poll(self):
        """One record (partition, offset, value, handle) or None."""
        m = self.c.poll(0.2)
        if m is None or m.error():
            return None
        return m.partition(), m.offset(), m.value().decode(), m

    def commit(self, handle):
        """Commits past the record; False when the group refused (a rebalance)."""
        from confluent_kafka import KafkaException
        try:
            self.c.commit(message=handle, asynchronous=False)
            return True
        except KafkaException:
            return False

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def close(self):
        self.c.close()


class KafkaPythonMember:
    def __init__(self, bootstrap, group, topic, **conf):
        from kafka import KafkaConsumer
        self.topic = topic
        # One record per poll: nothing buffered from a partition a rebalance takes away.
        self.c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                               auto_offset_reset="earliest", max_poll_records=1, **conf)

    def poll(self):
        for recs in self.c.poll(timeout_ms=200).values():
            for m in recs:
                return m.partition, m.offset, m.value.decode(), m
        return None

    def commit(self, handle):
        from kafka import TopicPartition
        from kafka.errors import KafkaError
        from kafka.structs import OffsetAndMetadata
        try:
            self.c.commit({TopicPartition(self.topic, handle.partition): OffsetAndMetadata(handle.offset + 1, None)})
            return True
        except KafkaError:
            return False

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def close(self):
        self.c.close()


MEMBERS = [pytest.param(ConfluentMember, id="confluent"), pytest.param(KafkaPythonMember, id="kafka-python")]


class Runner:
    """Drives one member in its own thread, as an application would (kafka-python's poll blocks while its
    group rebalances, so one thread cannot drive several members). It commits after each record; a record
    counts once committed. `seen` holds (member index, partition, offset, value)."""

    def __init__(self, index, member, *args, **conf):
        self.index, self.seen, self.assigned, self.error = index, [], set(), None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(member, args, conf), daemon=True)
        self._thread.start()

    def _run(self, member, args, conf):
        try:
            m = member(*args, **conf)
            try:
                while not self._stop.is_set():
                    rec = m.poll()
                    if rec is not None and m.commit(rec[3]):
                        self.seen.append((self.index, rec[0], rec[1], rec[2]))
                    self.assigned = m.assignment()
            finally:
                m.close()
        except Exception as e:  # reported by stop()
            self.error = e

    def stop(self):
        self._stop.set()
        self._thread.join(DEADLINE_S)
        assert not self._thread.is_alive(), f"member {self.index} did not stop"
        if self.error:
            raise self.error


def wait_for(condition, what):
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # poll interval of the wait loop; the members run in their own threads


def settled(runners):
    """True when every member has partitions and together they hold each partition exactly once."""
    sets = [r.assigned for r in runners]
    return all(sets) and sum(len(s) for s in sets) == PARTITIONS and set().union(*sets) == ALL


def values(runners):
    return {v for r in runners for *_, v in r.seen}


def assert_exactly_once(seen, want):
    keys = [(p, o) for _, p, o, _ in seen]
    assert len(keys) == len(set(keys)), "a committed record was delivered twice"
    assert sorted(v for *_, v in seen) == sorted(want)


def stop_all(runners):
    for r in runners:
        r.stop()


@pytest.mark.parametrize("member", MEMBERS)
def test_three_members_share_the_partitions(broker, topic_name, member):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    runners = [Runner(i, member, broker.bootstrap, group, topic_name) for i in range(3)]
    try:
        wait_for(lambda: settled(runners), "three members sharing the partitions")
        state, described = describe(broker.bootstrap, group)
        assert state == "Stable"
        assert len(described) == 3
        assert sorted(p for ps in described.values() for p in ps) == sorted(ALL)
    finally:
        stop_all(runners)


@pytest.mark.parametrize("member", MEMBERS)
def test_every_record_once_across_the_group_also_after_a_member_stops(broker, topic_name, member):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    first = produce_round_robin(broker.bootstrap, topic_name, 90, "first")
    runners = [Runner(i, member, broker.bootstrap, group, topic_name) for i in range(3)]
    try:
        wait_for(lambda: first <= values(runners), "the first records")
        runners[0].stop()
        more = produce_round_robin(broker.bootstrap, topic_name, 60, "more")
        wait_for(lambda: first | more <= values(runners), "the records produced after a member stopped")
        wait_for(lambda: settled(runners[1:]), "the stopped member's partitions to move")
    finally:
        stop_all(runners[1:])
    seen = [x for r in runners for x in r.seen]
    assert_exactly_once(seen, first | more)
    assert {i for i, _, _, v in seen if v in more} <= {1, 2}
    assert committed(broker.bootstrap, group) == {p: 25 for p in range(PARTITIONS)}


def test_kafkajs_three_members_share_the_partitions(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    r = KAFKAJS.call(broker.bootstrap, "group-assign",
                     {"group": group_name(), "topic": topic_name, "members": 3, "partitions": PARTITIONS})
    described = r["described"]
    assert described["state"] == "Stable"
    assert len(described["members"]) == 3
    assert all(m["partitions"] for m in described["members"])
    assert sorted(p for m in described["members"] for p in m["partitions"]) == sorted(ALL)


def test_kafkajs_every_record_once_also_after_a_member_stops(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    first = produce_round_robin(broker.bootstrap, topic_name, 60, "first")
    r = KAFKAJS.call(broker.bootstrap, "group-consume-commit",
                     {"group": group, "topic": topic_name, "members": 3, "count": len(first), "more": 30,
                      "partitions": PARTITIONS})
    seen = [(m["member"], m["partition"], m["offset"], m["value"]) for m in r["messages"]]
    more = {f"more-{k}" for k in range(30)}
    assert_exactly_once(seen, first | more)
    assert {i for i, _, _, v in seen if v in more} <= {1, 2}
    assert committed(broker.bootstrap, group) == {p: 15 for p in range(PARTITIONS)}


# ------------------------------------------------------------------ committed offsets across a crash


@pytest.mark.parametrize("member", MEMBERS)
def test_committed_offsets_survive_sigkill(fresh_broker, topic_name, member):
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    produce_round_robin(fresh_broker.bootstrap, topic_name, 20, "r", partitions=1)
    group = group_name()
    r = Runner(0, member, fresh_broker.bootstrap, group, topic_name)
    try:
        wait_for(lambda: len(r.seen) >= 8, "8 committed records")
    finally:
        r.stop()
    done = max(o for _, _, o, _ in r.seen) + 1
    assert committed(fresh_broker.bootstrap, group) == {0: done}
    fresh_broker.kill()
    fresh_broker.start()
    assert committed(fresh_broker.bootstrap, group) == {0: done}
    if done < 20:
        r = Runner(0, member, fresh_broker.bootstrap, group, topic_name)
        try:
            wait_for(lambda: r.seen, "a record after the restart")
        finally:
            r.stop()
        assert r.seen[0][2:] == (done, f"r-{done}")  # resumes at the commit, not at 0


def test_kafkajs_committed_offsets_survive_sigkill(fresh_broker, topic_name):
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    produce_round_robin(fresh_broker.bootstrap, topic_name, 20, "r", partitions=1)
    group = group_name()
    r = KAFKAJS.call(fresh_broker.bootstrap, "consume-commit", {"group": group, "topic": topic_name, "count": 8})
    assert [m["offset"] for m in r["messages"]] == list(range(8))
    fresh_broker.kill()
    fresh_broker.start()
    assert committed(fresh_broker.bootstrap, group) == {0: 8}
    r = KAFKAJS.call(fresh_broker.bootstrap, "consume-group", {"group": group, "topic": topic_name, "count": 12})
    assert [m["offset"] for m in r["messages"]] == list(range(8, 20))


# ------------------------------------------------------------------ session timeout

# A group member in its own process, so the test can SIGKILL it: it stops heartbeating without leaving.
VICTIM = textwrap.dedent("""
    import sys
    from confluent_kafka import Consumer
    bootstrap, group, topic = sys.argv[1:4]
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "session.timeout.ms": 1500, "heartbeat.interval.ms": 300})
    c.subscribe([topic])
    while True:
        c.poll(0.2)
""")


@pytest.mark.parametrize("member", MEMBERS)
def test_a_member_that_stops_heartbeating_is_evicted(broker, topic_name, member):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    victim = subprocess.Popen([sys.executable, "-c", VICTIM, broker.bootstrap, group, topic_name],
                              stdout=subprocess.DEVNULL)
    survivor = Runner(0, member, broker.bootstrap, group, topic_name)
    try:
        def shared():
            if not survivor.assigned or survivor.assigned == ALL:
                return False
            state, described = describe(broker.bootstrap, group)
            return state == "Stable" and len(described) == 2 and all(described.values())
        wait_for(shared, "both members to hold partitions")
        victim.kill()  # no LeaveGroup: only the session timeout can tell
        victim.wait()
        wait_for(lambda: survivor.assigned == ALL, "the victim's partitions to come back")
        state, described = describe(broker.bootstrap, group)
        assert len(described) == 1 and list(described.values())[0] == ALL
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        survivor.stop()


STATIC_MEMBER = textwrap.dedent("""
    import sys
    from confluent_kafka import Consumer
    bootstrap, group, topic = sys.argv[1:4]
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "group.instance.id": "static-b",
                  "session.timeout.ms": 30000, "heartbeat.interval.ms": 300})
    c.subscribe([topic])
    while True:
        c.poll(0.2)
""")


def test_a_restarted_static_member_gets_its_partitions_back_without_a_rebalance(broker, topic_name):
    """KIP-345: a static member (group.instance.id) that restarts within its session timeout takes
    its old assignment back; the other members see no rebalance."""
    from confluent_kafka import Consumer
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    rebalances = []
    stop = threading.Event()

    def run_a():
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "group.instance.id": "static-a",
                      "session.timeout.ms": 30000, "heartbeat.interval.ms": 300})
        c.subscribe([topic_name], on_assign=lambda _c, ps: rebalances.append({p.partition for p in ps}))
        while not stop.is_set():
            c.poll(0.2)
        c.close()

    a = threading.Thread(target=run_a, daemon=True)
    a.start()
    b = subprocess.Popen([sys.executable, "-c", STATIC_MEMBER, broker.bootstrap, group, topic_name],
                         stdout=subprocess.DEVNULL)
    try:
        def both_hold_partitions():
            state, described = describe(broker.bootstrap, group)
            return state == "Stable" and len(described) == 2 and all(described.values())
        wait_for(both_hold_partitions, "both static members to hold partitions")
        _, before = describe(broker.bootstrap, group)
        assigned_a = rebalances[-1]
        rebalances_before = len(rebalances)

        b.kill()  # a crash: a static member sends no LeaveGroup, and 30 s of session remain
        b.wait()
        b = subprocess.Popen([sys.executable, "-c", STATIC_MEMBER, broker.bootstrap, group, topic_name],
                             stdout=subprocess.DEVNULL)

        def replaced():
            state, described = describe(broker.bootstrap, group)
            return state == "Stable" and len(described) == 2 and set(described) != set(before)
        wait_for(replaced, "the restarted member to take over its membership")
        _, after = describe(broker.bootstrap, group)
        assert sorted(map(sorted, after.values())) == sorted(map(sorted, before.values()))
        assert len(rebalances) == rebalances_before, "the other member was rebalanced"
        assert rebalances[-1] == assigned_a
    finally:
        b.kill()
        b.wait()
        stop.set()
        a.join(DEADLINE_S)
