"""`sluice group list|describe|reset-offsets|delete` against a real `sluice serve`, with confluent-kafka
consumers as the group's members. Every wait is for an observable outcome, bounded by a deadline; none
sleeps to synchronize."""

import json
import subprocess
import time

import pytest

from clients import CONFLUENT, TIMEOUT_S
from conftest import SLUICE_BIN
from test_cli import sluice
from test_groups import ConfluentMember, committed, group_name, produce_round_robin, wait_for

PARTITIONS = 3
BASE_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def consume_and_commit(member, n):
    """Polls until n records arrived, then commits the positions of every assigned partition."""
    got = []
    deadline = time.monotonic() + TIMEOUT_S
    while len(got) < n:
        assert time.monotonic() < deadline, f"only {len(got)} of {n} records arrived"
        rec = member.poll()
        if rec is not None:
            got.append(rec[:3])
    member.c.commit(asynchronous=False)
    return got


def describe_json(broker, group):
    return json.loads(sluice(broker, "group", "describe", group, "--format", "json").stdout)


def listed(broker):
    """{group: state} from `sluice group list --format json`."""
    return {g["group"]: g["state"] for g in json.loads(sluice(broker, "group", "list", "--format", "json").stdout)}


def lags(description):
    """{(topic, partition): (committed, log end, lag)}"""
    return {(p["topic"], p["partition"]): (p["committed"], p["log_end"], p["lag"])
            for p in description["partitions"]}


def one_line_error(p, command, exit_code=1):
    assert p.returncode == exit_code, (p.returncode, p.stdout, p.stderr)
    err = p.stderr.decode()
    assert err.startswith(f"sluice {command}: ") and err.count("\n") == 1, err
    return err


def wait_until_empty(broker, group):
    wait_for(lambda: describe_json(broker, group)["state"] == "Empty", f"group {group} to be Empty")


def group_with_commits(broker, topic, records_per_partition=10):
    """A closed group that has consumed and committed every record of `topic`."""
    group = group_name()
    produce_round_robin(broker.bootstrap, topic, records_per_partition * PARTITIONS, "r", partitions=PARTITIONS)
    m = ConfluentMember(broker.bootstrap, group, topic)
    try:
        consume_and_commit(m, records_per_partition * PARTITIONS)
    finally:
        m.close()
    wait_until_empty(broker, group)
    return group


# ------------------------------------------------------------------ list and describe

def test_list_and_describe_show_members_commits_and_exact_lag(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    produce_round_robin(broker.bootstrap, topic_name, 30, "first", partitions=PARTITIONS)
    m = ConfluentMember(broker.bootstrap, group, topic_name, **{"client.id": "lag-checker"})
    try:
        consume_and_commit(m, 30)
        assert listed(broker).get(group) == "Stable"
        text = sluice(broker, "group", "list").stdout.decode().splitlines()
        assert text[0].split() == ["group", "state"]
        assert [group, "Stable"] in [line.split() for line in text[1:]]

        d = describe_json(broker, group)
        assert d["group"] == group and d["state"] == "Stable" and d["protocol"] == "range"
        [member] = d["members"]
        assert member["client_id"] == "lag-checker" and member["member_id"].startswith("lag-checker-")
        assert member["assignment"] == [{"topic": topic_name, "partition": p} for p in range(PARTITIONS)]
        assert lags(d) == {(topic_name, p): (10, 10, 0) for p in range(PARTITIONS)}
        assert d["total_lag"] == 0

        produce_round_robin(broker.bootstrap, topic_name, 7, "more", partitions=PARTITIONS)  # 3, 2, 2 more
        d = describe_json(broker, group)
        assert lags(d) == {(topic_name, 0): (10, 13, 3), (topic_name, 1): (10, 12, 2), (topic_name, 2): (10, 12, 2)}
        assert d["total_lag"] == 7

        out = sluice(broker, "group", "describe", group).stdout.decode().splitlines()
        assert out[0] == f"group {group}: state Stable, protocol range, 1 member"
        assert out[1].split() == ["member", "client", "id", "host", "assignment"]
        row = out[2].split()
        assert row[0] == member["member_id"] and row[1] == "lag-checker" and row[-1] == f"{topic_name}:0,1,2"
        assert out[3].split() == ["topic", "partition", "committed", "log", "end", "lag"]
        assert [line.split() for line in out[4:7]] == [
            [topic_name, "0", "10", "13", "3"], [topic_name, "1", "10", "12", "2"], [topic_name, "2", "10", "12", "2"]]
        assert out[7:] == ["total lag: 7"]
    finally:
        m.close()
    wait_until_empty(broker, group)
    d = describe_json(broker, group)
    assert d["members"] == [] and d["total_lag"] == 7  # the commits outlive the members


def test_describe_unknown_group_fails(broker):
    p = sluice(broker, "group", "describe", "no-such-group", check=False)
    err = one_line_error(p, "group describe")
    assert "no group 'no-such-group'" in err, err
    assert p.stdout == b""


# ------------------------------------------------------------------ reset-offsets

def test_reset_is_refused_while_a_member_is_in_the_group(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    produce_round_robin(broker.bootstrap, topic_name, 6, "r", partitions=PARTITIONS)
    m = ConfluentMember(broker.bootstrap, group, topic_name)
    try:
        consume_and_commit(m, 6)
        for flags in (["--to-earliest"], ["--to-offset", "0", "--dry-run"]):
            p = sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, *flags, check=False)
            err = one_line_error(p, "group reset-offsets")
            assert f"group '{group}' has 1 member (state Stable)" in err, err
            assert committed(broker.bootstrap, group) == {part: 2 for part in range(PARTITIONS)}
    finally:
        m.close()


def test_reset_to_earliest_offset_and_latest_after_the_consumer_left(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_with_commits(broker, topic_name)

    p = sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-earliest", "--dry-run")
    lines = p.stdout.decode().splitlines()
    assert lines[0].split() == ["topic", "partition", "current", "new"]
    assert [line.split() for line in lines[1:4]] == [[topic_name, str(i), "10", "0"] for i in range(PARTITIONS)]
    assert lines[4] == f"dry run: the offsets of group {group} were not changed"
    assert committed(broker.bootstrap, group) == {p: 10 for p in range(PARTITIONS)}

    p = sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-earliest")
    assert p.stdout.decode().splitlines()[-1] == f"reset the offsets of group {group} on 3 partitions of {topic_name}"
    assert committed(broker.bootstrap, group) == {p: 0 for p in range(PARTITIONS)}

    p = sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-offset", "4", "--partition", "1",
               "--format", "json")
    assert json.loads(p.stdout) == {"group": group, "topic": topic_name, "dry_run": False,
                                    "partitions": [{"partition": 1, "current": 0, "new": 4}]}
    assert committed(broker.bootstrap, group) == {0: 0, 1: 4, 2: 0}

    sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-offset", "1000")  # past the end
    assert committed(broker.bootstrap, group) == {p: 10 for p in range(PARTITIONS)}

    sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-offset", "3")
    produce_round_robin(broker.bootstrap, topic_name, 3, "late", partitions=PARTITIONS)
    sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-latest", "-p", "2")
    assert committed(broker.bootstrap, group) == {0: 3, 1: 3, 2: 11}

    # a new member resumes exactly at the reset offsets
    m = ConfluentMember(broker.bootstrap, group, topic_name)
    try:
        got = consume_and_commit(m, 8 + 8)
    finally:
        m.close()
    assert sorted((p, o) for p, o, _ in got) == sorted(
        [(0, o) for o in range(3, 11)] + [(1, o) for o in range(3, 11)])


def test_reset_to_datetime_starts_at_the_first_record_at_or_after_it(broker, topic_name):
    from confluent_kafka import Producer
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    for i in range(6):  # one record a minute, from BASE_MS
        producer.produce(topic_name, value=f"t-{i}".encode(), partition=0, timestamp=BASE_MS + i * 60_000)
    assert producer.flush(TIMEOUT_S) == 0
    group = group_name()
    m = ConfluentMember(broker.bootstrap, group, topic_name)
    try:
        consume_and_commit(m, 6)
    finally:
        m.close()
    wait_until_empty(broker, group)

    # 22:15:50Z lies between record 2 (22:15:20) and record 3 (22:16:20); +02:00 names the same instant
    for when in ("2023-11-14T22:15:50Z", "2023-11-15T00:15:50.000+02:00"):
        sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-earliest")
        sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-datetime", when)
        assert committed(broker.bootstrap, group) == {0: 3}, when

    # exactly a record's time: that record
    sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-datetime", "2023-11-14T22:14:20Z")
    assert committed(broker.bootstrap, group) == {0: 1}

    # after every record: the log end
    sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-datetime", "2023-11-15T00:00:00Z")
    assert committed(broker.bootstrap, group) == {0: 6}

    sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, "--to-datetime", "2023-11-14T22:15:50Z")
    m = ConfluentMember(broker.bootstrap, group, topic_name)
    try:
        got = consume_and_commit(m, 3)
    finally:
        m.close()
    assert got == [(0, 3, "t-3"), (0, 4, "t-4"), (0, 5, "t-5")]


def test_reset_errors(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_with_commits(broker, topic_name, records_per_partition=1)
    cases = [
        (["--to-earliest", "--to-latest"], 2, "exactly one of"),
        ([], 2, "exactly one of"),
        (["--to-datetime", "yesterday"], 2, "ISO 8601"),
        (["--to-earliest", "--partition", "7"], 1, "has no partition 7"),
    ]
    for flags, code, message in cases:
        p = sluice(broker, "group", "reset-offsets", group, "--topic", topic_name, *flags, check=False)
        assert message in one_line_error(p, "group reset-offsets", code), flags
    p = sluice(broker, "group", "reset-offsets", "no-such-group", "--topic", topic_name, "--to-earliest", check=False)
    assert "no group 'no-such-group'" in one_line_error(p, "group reset-offsets")
    p = sluice(broker, "group", "reset-offsets", group, "--topic", topic_name + "-missing", "--to-earliest",
               check=False)
    assert "unknown topic" in one_line_error(p, "group reset-offsets").lower()
    assert committed(broker.bootstrap, group) == {p: 1 for p in range(PARTITIONS)}


# ------------------------------------------------------------------ delete

def test_delete_removes_the_group_and_its_offsets(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_with_commits(broker, topic_name, records_per_partition=2)
    assert group in listed(broker)
    assert sluice(broker, "group", "delete", group).stdout.decode() == f"deleted group {group}\n"
    assert group not in listed(broker)
    assert group not in sluice(broker, "group", "list").stdout.decode().split()
    assert committed(broker.bootstrap, group) == {}
    p = sluice(broker, "group", "describe", group, check=False)
    assert f"no group '{group}'" in one_line_error(p, "group describe")
    p = sluice(broker, "group", "delete", group, check=False)
    assert f"no group '{group}'" in one_line_error(p, "group delete")


def test_delete_is_refused_while_a_member_is_in_the_group(broker, topic_name):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, PARTITIONS)
    group = group_name()
    produce_round_robin(broker.bootstrap, topic_name, 3, "r", partitions=PARTITIONS)
    m = ConfluentMember(broker.bootstrap, group, topic_name)
    try:
        consume_and_commit(m, 3)
        p = sluice(broker, "group", "delete", group, check=False)
        assert "active members" in one_line_error(p, "group delete")
        assert listed(broker).get(group) == "Stable"
    finally:
        m.close()


@pytest.mark.parametrize("command", [["group"], ["group", "list"], ["group", "describe"], ["group", "reset-offsets"],
                                     ["group", "delete"]])
def test_group_help(command):
    p = subprocess.run([str(SLUICE_BIN), *command, "--help"], capture_output=True, timeout=TIMEOUT_S)
    assert p.returncode == 0
    out = p.stdout.decode()
    assert "Usage:" in out
    if command != ["group"]:
        assert "--bootstrap-server" in out
    if command == ["group", "reset-offsets"]:
        for flag in ("--to-earliest", "--to-latest", "--to-offset", "--to-datetime", "--dry-run", "--partition"):
            assert flag in out
