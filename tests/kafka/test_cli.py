"""The client subcommands of the sluice binary (`sluice topic`, `sluice produce`,
`sluice consume`) against a real `sluice serve`, cross-checked with
confluent-kafka and kcat."""

import json
import os
import re
import subprocess
import time

import pytest

from clients import CONFLUENT, KCAT, Rec
from conftest import SLUICE_BIN, free_port

TIMEOUT_S = 60


def sluice(broker, *args, input=b"", env=None, check=True):
    """Runs `sluice ARGS -b BOOTSTRAP`; returns the CompletedProcess."""
    cmd = [str(SLUICE_BIN), *args]
    if broker is not None:
        cmd += ["-b", broker.bootstrap]
    p = subprocess.run(cmd, input=input, capture_output=True, timeout=TIMEOUT_S, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\nstdout: {p.stdout.decode(errors='replace')}\n"
                             f"stderr: {p.stderr.decode(errors='replace')}")
    return p


def consume_json(broker, topic, *args):
    p = sluice(broker, "consume", topic, "--format", "json", *args)
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def describe(broker, topic):
    """Parses `sluice topic describe`: ({partition: (leader, low, high)}, {name: (value, source)})."""
    out = sluice(broker, "topic", "describe", topic).stdout.decode()
    lines = out.splitlines()
    assert lines[0].startswith(f"topic {topic}, "), out
    parts, configs = {}, {}
    section = None
    for line in lines[1:]:
        if line.startswith("partition"):
            section = "partitions"
        elif line == "configs:":
            section = "configs"
        elif section == "partitions":
            p, leader, low, high = map(int, line.split())
            parts[p] = (leader, low, high)
        elif section == "configs":
            m = re.fullmatch(r"  ([^=]+)=(.*) \(([A-Z_]+)(, read-only)?\)", line)
            assert m, f"unparsable config line {line!r}"
            configs[m.group(1)] = (m.group(2), m.group(3))
    return parts, configs


# ------------------------------------------------------------------ topic

def test_topic_create_list_describe_alter_delete(broker, topic_name):
    out = sluice(broker, "topic", "create", topic_name, "--partitions", "3",
                 "--config", "retention.ms=3600000", "--config", "flush.messages=1")
    assert out.stdout.decode() == f"created topic {topic_name}\n"
    assert topic_name in sluice(broker, "topic", "list").stdout.decode().splitlines()
    assert CONFLUENT.metadata(broker.bootstrap, [topic_name]).topics[topic_name] == 3

    CONFLUENT.produce(broker.bootstrap, topic_name, [Rec(b"k", b"v%d" % i, [], None) for i in range(4)],
                      partition=1)
    parts, configs = describe(broker, topic_name)
    assert parts == {0: (0, 0, 0), 1: (0, 0, 4), 2: (0, 0, 0)}
    assert configs["retention.ms"] == ("3600000", "DYNAMIC_TOPIC_CONFIG")
    assert configs["flush.messages"] == ("1", "DYNAMIC_TOPIC_CONFIG")
    assert configs["retention.bytes"][1] == "DEFAULT_CONFIG"

    # alter keeps the overrides it is not told about
    sluice(broker, "topic", "alter", topic_name, "--config", "retention.bytes=1048576")
    _, configs = describe(broker, topic_name)
    assert configs["retention.bytes"] == ("1048576", "DYNAMIC_TOPIC_CONFIG")
    assert configs["retention.ms"] == ("3600000", "DYNAMIC_TOPIC_CONFIG")
    assert CONFLUENT.describe_configs(broker.bootstrap, topic_name)["retention.bytes"] == "1048576"

    sluice(broker, "topic", "alter", topic_name, "--delete-config", "retention.ms",
           "--config", "flush.messages=5")
    _, configs = describe(broker, topic_name)
    assert configs["retention.ms"][1] == "DEFAULT_CONFIG"
    assert configs["flush.messages"] == ("5", "DYNAMIC_TOPIC_CONFIG")
    assert configs["retention.bytes"] == ("1048576", "DYNAMIC_TOPIC_CONFIG")

    assert sluice(broker, "topic", "delete", topic_name).stdout.decode() == f"deleted topic {topic_name}\n"
    assert topic_name not in sluice(broker, "topic", "list").stdout.decode().splitlines()
    assert topic_name not in CONFLUENT.metadata(broker.bootstrap).topics


def test_topic_create_uses_broker_default_partitions(broker, topic_name):
    from conftest import DEFAULT_PARTITIONS
    sluice(broker, "topic", "create", topic_name)
    parts, _ = describe(broker, topic_name)
    assert sorted(parts) == list(range(DEFAULT_PARTITIONS))


def test_topic_create_existing_fails(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    p = sluice(broker, "topic", "create", topic_name, "-p", "1", check=False)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.startswith("sluice topic create: ") and topic_name in err and "exist" in err.lower(), err
    assert err.count("\n") == 1, err


def test_topic_create_with_invalid_config_fails(broker, topic_name):
    p = sluice(broker, "topic", "create", topic_name, "--config", "retention.ms=soon", check=False)
    assert p.returncode != 0
    assert "retention.ms" in p.stderr.decode(), p.stderr
    assert topic_name not in sluice(broker, "topic", "list").stdout.decode().splitlines()


@pytest.mark.parametrize("action", [["describe"], ["delete"], ["alter", "--config", "retention.ms=1"]])
def test_topic_actions_on_unknown_topic_fail(broker, topic_name, action):
    p = sluice(broker, "topic", action[0], topic_name, *action[1:], check=False)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.startswith(f"sluice topic {action[0]}: ") and topic_name in err, err
    assert "unknown topic" in err.lower(), err
    assert err.count("\n") == 1, err
    assert p.stdout == b""
    assert topic_name not in CONFLUENT.metadata(broker.bootstrap).topics  # nothing auto-created


def test_alter_without_configs_is_a_usage_error(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    p = sluice(broker, "topic", "alter", topic_name, check=False)
    assert p.returncode == 2
    assert "nothing to alter" in p.stderr.decode()


# ------------------------------------------------------------------ produce and consume

@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_produce_lines_with_key_and_headers_then_consume_json(broker, topic_name, codec):
    sluice(broker, "topic", "create", topic_name, "-p", "2")
    lines = [f"key-{i}\tvalue {i} " + "x" * (i * 13) for i in range(40)]
    lines[5] = "no delimiter here"
    lines[7] = "\tempty key"
    lines[9] = "k\t"  # empty value
    lines[11] = "k\tv\twith a tab, and \"quotes\" \\ and é"
    before = int(time.time() * 1000)
    p = sluice(broker, "produce", topic_name, "-K", "\t", "-H", "src=cli", "-H", "run=1", "-H", "src=again",
               "--compression", codec, "--partition", "1", "--acks", "all",
               input=("\n".join(lines) + "\n").encode())
    after = int(time.time() * 1000)
    total = sum(len(line.encode()) - (1 if "\t" in line else 0) for line in lines)
    assert p.stderr.decode() == (f"sluice produce: 40 records ({total} bytes) delivered to {topic_name}, "
                                 "0 failed\n")
    got = consume_json(broker, topic_name, "--from-beginning", "--count", "40", "--partition", "1")
    assert len(got) == 40
    for i, (line, m) in enumerate(zip(lines, got)):
        key, sep, value = line.partition("\t")
        if not sep:
            key, value = None, line
        assert before - 1000 <= m.pop("timestamp") <= after + 1000
        assert m == {"topic": topic_name, "partition": 1, "offset": i, "key": key, "value": value,
                     "headers": [["src", "cli"], ["run", "1"], ["src", "again"]]}, f"record {i}"
    parts, _ = describe(broker, topic_name)
    assert parts[0][2] == 0 and parts[1][2] == 40


def test_produce_json_records_round_trip_exactly(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "3")
    base = int(time.time() * 1000) - 3_600_000
    records = [
        {"key": "a", "value": "first", "headers": {"h1": "v1", "h2": "v2"}, "partition": 2, "timestamp": base},
        {"key": None, "value": "null key", "partition": 2, "timestamp": base + 1},
        {"key": "tombstone", "value": None, "partition": 2, "timestamp": base + 2},
        {"value": "dup headers", "headers": [["h", "1"], ["h", None], ["h", ""]], "partition": 2,
         "timestamp": base + 3},
        {"key": "unicode ✓ \u00e9 \U0001F600", "value": "line\nbreak\ttab\u0001", "partition": 0,
         "timestamp": base + 4},
    ]
    text = "\n".join(json.dumps(r) for r in records[:3]) + "\n\n   \n" + \
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records[3:]) + "\n"
    p = sluice(broker, "produce", topic_name, "--format", "json", "-H", "flag=f", input=text.encode())
    assert "5 records" in p.stderr.decode() and ", 0 failed" in p.stderr.decode()

    got = consume_json(broker, topic_name, "--from-beginning", "--exit-at-end")
    got.sort(key=lambda m: (m["partition"], m["offset"]))
    expected = []
    for offset, r in enumerate(records[:4]):
        hdrs = r.get("headers", {})
        hdrs = list(map(list, hdrs.items())) if isinstance(hdrs, dict) else hdrs
        expected.append({"topic": topic_name, "partition": 2, "offset": offset, "timestamp": r["timestamp"],
                         "key": r.get("key"), "value": r["value"], "headers": [["flag", "f"]] + hdrs})
    r = records[4]
    expected.insert(0, {"topic": topic_name, "partition": 0, "offset": 0, "timestamp": r["timestamp"],
                        "key": r["key"], "value": r["value"], "headers": [["flag", "f"]]})
    assert got == expected

    # the same records as confluent-kafka reads them: null stays null, empty stays empty
    c = CONFLUENT.consume(broker.bootstrap, topic_name, 4, partition=2)
    assert [(m.key, m.value, m.timestamp) for m in c] == [
        (b"a", b"first", base), (None, b"null key", base + 1), (b"tombstone", None, base + 2),
        (None, b"dup headers", base + 3)]
    assert c[3].headers == [("flag", b"f"), ("h", b"1"), ("h", None), ("h", b"")]


def test_produce_to_a_new_topic_creates_it_like_other_producers(broker, topic_name):
    from conftest import DEFAULT_PARTITIONS
    p = sluice(broker, "produce", topic_name, "-p", "0", input=b"first\n")
    assert "1 records (5 bytes)" in p.stderr.decode()
    parts, _ = describe(broker, topic_name)
    assert len(parts) == DEFAULT_PARTITIONS and parts[0][2] == 1


def test_consume_text_format_prints_values_and_keys(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    sluice(broker, "produce", topic_name, "--key", "K", input=b"one\ntwo\nthree\n")
    p = sluice(broker, "consume", topic_name, "--from-beginning", "-e")
    assert p.stdout == b"one\ntwo\nthree\n"
    p = sluice(broker, "consume", topic_name, "--from-beginning", "-c", "2", "-K", "=")
    assert p.stdout == b"K=one\nK=two\n"


def test_consume_from_timestamp_starts_at_first_record_at_or_after(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    base = int(time.time() * 1000) - 600_000
    recs = [{"value": f"r{i}", "timestamp": base + i * 10} for i in range(10)]
    sluice(broker, "produce", topic_name, "--format", "json",
           input="".join(json.dumps(r) + "\n" for r in recs).encode())
    for ts, first in [(base, 0), (base + 25, 3), (base + 30, 3), (base + 31, 4), (base + 90, 9), (0, 0)]:
        got = consume_json(broker, topic_name, "--timestamp", str(ts), "--exit-at-end")
        assert [m["offset"] for m in got] == list(range(first, 10)), f"--timestamp {ts}"
        assert got[0]["timestamp"] >= ts and (first == 0 or recs[first - 1]["timestamp"] < ts)
    # after the last record: start at the end, so nothing
    assert consume_json(broker, topic_name, "--timestamp", str(base + 91), "--exit-at-end") == []


def test_consume_offsets(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "2")
    for p in (0, 1):
        sluice(broker, "produce", topic_name, "-p", str(p), input=b"".join(b"p%d-%d\n" % (p, i) for i in range(6)))

    def values(*args):
        return sorted(m["value"] for m in consume_json(broker, topic_name, "--exit-at-end", *args))

    assert values("--offset", "4") == ["p0-4", "p0-5", "p1-4", "p1-5"]
    assert values("--offset", "4", "--offset", "1:5") == ["p0-4", "p0-5", "p1-5"]
    assert values("--offset=-1") == ["p0-5", "p1-5"]  # the last record of each partition
    assert values("--offset", "end") == []
    assert values("--offset", "beginning", "--partition", "1") == [f"p1-{i}" for i in range(6)]
    assert values("--offset", "0:3", "--partition", "0") == ["p0-3", "p0-4", "p0-5"]
    assert values("--offset", "0:3", "-p", "0", "-p", "0") == ["p0-3", "p0-4", "p0-5"]
    p = sluice(broker, "consume", topic_name, "--offset", "1:0", "-p", "0", "-e", check=False)
    assert p.returncode == 2 and "partition 1, which is not consumed" in p.stderr.decode(), p.stderr


def test_consume_without_start_flag_reads_only_new_records(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    sluice(broker, "produce", topic_name, input=b"old\n")
    # from the end: the old record is not read; the consumer waits for the new one
    proc = subprocess.Popen([str(SLUICE_BIN), "consume", topic_name, "-b", broker.bootstrap, "-c", "1",
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # produce until the consumer has started and picked one up (it starts at the end it sees)
        deadline = time.monotonic() + TIMEOUT_S
        while proc.poll() is None and time.monotonic() < deadline:
            sluice(broker, "produce", topic_name, input=b"new\n")
            try:
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        out, err = proc.communicate(timeout=TIMEOUT_S)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    [m] = [json.loads(line) for line in out.decode().splitlines()]
    assert m["value"] == "new" and m["offset"] >= 1


def test_consume_stops_on_sigint(broker, topic_name):
    import signal
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    sluice(broker, "produce", topic_name, input=b"a\nb\n")
    proc = subprocess.Popen([str(SLUICE_BIN), "consume", topic_name, "-b", broker.bootstrap, "--from-beginning"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"a\n"
        assert proc.stdout.readline() == b"b\n"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=TIMEOUT_S) == 0
    finally:
        proc.kill()


# ------------------------------------------------------------------ other clients

def test_sluice_produce_then_confluent_and_kcat_consume(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    lines = [f"k{i}:v{i}" for i in range(20)]
    sluice(broker, "produce", topic_name, "-K", ":", "-H", "h=x", "-z", "zstd",
           input=("\n".join(lines) + "\n").encode())
    expected = [(f"k{i}".encode(), f"v{i}".encode()) for i in range(20)]
    c = CONFLUENT.consume(broker.bootstrap, topic_name, 20)
    assert [(m.offset, m.key, m.value) for m in c] == [(i, k, v) for i, (k, v) in enumerate(expected)]
    assert all(m.headers == [("h", b"x")] for m in c)
    k = KCAT.consume(broker.bootstrap, topic_name, 20)
    assert [(m.offset, m.key, m.value, m.headers) for m in k] == [
        (i, key, v, [("h", b"x")]) for i, (key, v) in enumerate(expected)]


@pytest.mark.parametrize("producer", [CONFLUENT, KCAT], ids=lambda c: c.name)
def test_other_client_produces_sluice_consumes(broker, topic_name, producer):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1)
    base = int(time.time() * 1000) - 60_000
    stamps = producer is CONFLUENT
    recs = [Rec(b"key-%d" % i, b"value-%d" % i, [("n", b"%d" % i)] if stamps else [("n", b"same")],
                base + i if stamps else None) for i in range(15)]
    producer.produce(broker.bootstrap, topic_name, recs, compression="gzip")
    got = consume_json(broker, topic_name, "--from-beginning", "--count", "15")
    assert [(m["offset"], m["key"], m["value"], m["headers"]) for m in got] == [
        (i, r.key.decode(), r.value.decode(), [[h, v.decode()] for h, v in r.headers]) for i, r in enumerate(recs)]
    if stamps:
        assert [m["timestamp"] for m in got] == [r.timestamp for r in recs]


# ------------------------------------------------------------------ errors and settings

def test_consume_unknown_topic_fails(broker, topic_name):
    p = sluice(broker, "consume", topic_name, "--from-beginning", "-e", check=False)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert err.startswith("sluice consume: ") and topic_name in err and "unknown topic" in err.lower(), err
    assert topic_name not in CONFLUENT.metadata(broker.bootstrap).topics


def test_unknown_partition_fails(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "2")
    for cmd in (["consume", topic_name, "-p", "2", "-e"], ["produce", topic_name, "-p", "7"]):
        p = sluice(broker, *cmd, input=b"x\n", check=False)
        assert p.returncode == 1, cmd
        assert "has no partition" in p.stderr.decode(), p.stderr


@pytest.mark.parametrize("command", [["topic", "list"], ["produce", "t"], ["consume", "t"]])
def test_bad_librdkafka_property_is_a_usage_error(broker, command):
    p = sluice(broker, *command, "-X", "no.such.property=1", check=False)
    assert p.returncode == 2
    err = p.stderr.decode()
    assert "no.such.property" in err and err.count("\n") == 1, err
    p = sluice(broker, *command, "-X", "novalue", check=False)
    assert p.returncode == 2
    assert "key=value" in p.stderr.decode()


@pytest.mark.parametrize("command", [["topic", "list"], ["topic", "describe", "t"], ["produce", "t"],
                                     ["consume", "t", "-e"]])
def test_unreachable_broker_fails_within_the_timeout(command):
    bootstrap = f"127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    p = subprocess.run([str(SLUICE_BIN), *command, "-b", bootstrap, "--timeout-ms", "1500"], input=b"x\n",
                       capture_output=True, timeout=TIMEOUT_S)
    elapsed = time.monotonic() - started
    assert p.returncode == 1
    err = p.stderr.decode()
    assert f"no answer from a broker at {bootstrap} within 1500 ms" in err, err
    assert err.count("\n") == 1, err
    assert elapsed < 10, elapsed


def test_bootstrap_from_environment(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    env = dict(os.environ, SLUICE_BOOTSTRAP=broker.bootstrap)
    p = sluice(None, "topic", "list", env=env)
    assert topic_name in p.stdout.decode().splitlines()


def test_produce_reports_failed_deliveries(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1", "--config", "max.message.bytes=200")
    p = sluice(broker, "produce", topic_name, "-X", "linger.ms=0", "-X", "batch.num.messages=1",
               input=b"small\n" + b"x" * 1000 + b"\nsmall again\n", check=False)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert f"2 records (16 bytes) delivered to {topic_name}, 1 failed" in err, err
    assert "first failure:" in err and "too large" in err.lower(), err
    assert [m["value"] for m in consume_json(broker, topic_name, "--from-beginning", "-e")] == [
        "small", "small again"]


def test_produce_bad_json_line_stops_with_its_line_number(broker, topic_name):
    sluice(broker, "topic", "create", topic_name, "-p", "1")
    p = sluice(broker, "produce", topic_name, "--format", "json",
               input=b'{"value":"ok"}\n{"value": 1}\n{"value":"never"}\n', check=False)
    assert p.returncode == 2
    err = p.stderr.decode()
    assert "1 records" in err and "line 2:" in err and '"value" must be a string' in err, err
    assert [m["value"] for m in consume_json(broker, topic_name, "--from-beginning", "-e")] == ["ok"]


def test_conflicting_start_flags_are_rejected(broker):
    p = sluice(broker, "consume", "t", "--from-beginning", "--timestamp", "5", check=False)
    assert p.returncode >= 100  # CLI11's parse errors
    assert b"--from-beginning excludes --timestamp" in p.stderr
    p = sluice(broker, "produce", "t", "--key", "k", "--key-delimiter", ":", check=False)
    assert p.returncode >= 100
    assert b"excludes" in p.stderr


@pytest.mark.parametrize("command", [["topic"], ["topic", "create"], ["topic", "list"], ["topic", "describe"],
                                     ["topic", "alter"], ["topic", "delete"], ["produce"], ["consume"]])
def test_help(command):
    p = subprocess.run([str(SLUICE_BIN), *command, "--help"], capture_output=True, timeout=TIMEOUT_S)
    assert p.returncode == 0
    out = p.stdout.decode()
    assert "Usage:" in out
    if command != ["topic"]:
        assert "--bootstrap-server" in out and "SLUICE_BOOTSTRAP" in out
