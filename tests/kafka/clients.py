"""One adapter per real Kafka client, with the same small interface, so the
tests can be parametrized over clients. Every call blocks with a timeout;
none sleeps to synchronize.

Record: (key: bytes|None, value: bytes|None, headers: list[(str, bytes)],
timestamp_ms: int|None). Consumed records are `Consumed` with the offset.
"""

import json
import re
import subprocess
import time
from collections import namedtuple
from pathlib import Path

JS_DIR = Path(__file__).resolve().parent / "js"
TIMEOUT_S = 30.0

Rec = namedtuple("Rec", "key value headers timestamp")
Consumed = namedtuple("Consumed", "offset key value headers timestamp")
Meta = namedtuple("Meta", "brokers topics")  # brokers: set of (host, port); topics: {name: nparts}


class ClientError(Exception):
    """A client reported a Kafka error; `code` is the Kafka error code when known."""

    def __init__(self, msg, code=None):
        super().__init__(msg)
        self.code = code


def run(cmd, input=None, timeout=TIMEOUT_S, check=True):
    p = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
    if check and p.returncode != 0:
        raise ClientError(f"{cmd[0]} exited {p.returncode}\nstdout: {p.stdout.decode(errors='replace')}"
                          f"\nstderr: {p.stderr.decode(errors='replace')}")
    return p


# --------------------------------------------------------------- confluent-kafka (librdkafka)

class Confluent:
    name = "confluent"
    codecs = ("gzip", "snappy", "lz4", "zstd")
    sets_timestamps = True
    per_record_headers = True

    def _admin(self, bootstrap):
        from confluent_kafka.admin import AdminClient
        return AdminClient({"bootstrap.servers": bootstrap})

    def create_topic(self, bootstrap, topic, partitions, configs=None):
        from confluent_kafka.admin import NewTopic
        admin = self._admin(bootstrap)  # keep the handle alive until the futures resolve
        fs = admin.create_topics(
            [NewTopic(topic, num_partitions=partitions, replication_factor=1, config=configs or {})],
            operation_timeout=TIMEOUT_S, request_timeout=TIMEOUT_S)
        try:
            fs[topic].result(timeout=TIMEOUT_S)
        except Exception as e:
            raise ClientError(str(e), _kafka_exc_code(e))

    def delete_topic(self, bootstrap, topic):
        admin = self._admin(bootstrap)
        fs = admin.delete_topics([topic], operation_timeout=TIMEOUT_S, request_timeout=TIMEOUT_S)
        fs[topic].result(timeout=TIMEOUT_S)

    def create_partitions(self, bootstrap, topic, total):
        from confluent_kafka.admin import NewPartitions
        admin = self._admin(bootstrap)
        fs = admin.create_partitions([NewPartitions(topic, total)], operation_timeout=TIMEOUT_S,
                                     request_timeout=TIMEOUT_S)
        try:
            fs[topic].result(timeout=TIMEOUT_S)
        except Exception as e:
            raise ClientError(str(e), _kafka_exc_code(e))

    def metadata(self, bootstrap, topics=None):
        md = self._admin(bootstrap).list_topics(timeout=TIMEOUT_S)
        return Meta({(b.host, b.port) for b in md.brokers.values()},
                    {t: len(m.partitions) for t, m in md.topics.items() if m.error is None})

    def describe_configs(self, bootstrap, topic):
        from confluent_kafka.admin import ConfigResource
        res = ConfigResource(ConfigResource.Type.TOPIC, topic)
        admin = self._admin(bootstrap)
        fs = admin.describe_configs([res], request_timeout=TIMEOUT_S)
        entries = list(fs.values())[0].result(timeout=TIMEOUT_S)
        return {k: v.value for k, v in entries.items()}

    def alter_configs(self, bootstrap, topic, configs):
        from confluent_kafka.admin import ConfigResource
        res = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=configs)
        admin = self._admin(bootstrap)
        fs = admin.alter_configs([res], request_timeout=TIMEOUT_S)
        list(fs.values())[0].result(timeout=TIMEOUT_S)

    def produce(self, bootstrap, topic, records, acks="all", compression=None, partition=0):
        from confluent_kafka import Producer
        conf = {"bootstrap.servers": bootstrap, "acks": acks, "linger.ms": 20,
                "enable.idempotence": False, "message.timeout.ms": int(TIMEOUT_S * 1000)}
        if compression:
            conf["compression.type"] = compression
        p = Producer(conf)
        results = [None] * len(records)
        errors = []

        def cb(i):
            def f(err, msg):
                if err is not None:
                    errors.append(err)
                else:
                    results[i] = (msg.partition(), msg.offset())
            return f

        for i, r in enumerate(records):
            kw = {}
            if r.timestamp is not None:
                kw["timestamp"] = r.timestamp
            if r.headers:
                kw["headers"] = list(r.headers)
            p.produce(topic, value=r.value, key=r.key, partition=partition, on_delivery=cb(i), **kw)
        remaining = p.flush(TIMEOUT_S)
        if errors:
            raise ClientError(f"delivery failed: {errors[0]}", errors[0].code())
        if remaining:
            raise ClientError(f"{remaining} messages not delivered within {TIMEOUT_S}s")
        return results

    def _consumer(self, bootstrap):
        from confluent_kafka import Consumer
        return Consumer({"bootstrap.servers": bootstrap, "group.id": "sluice-tests-unused",
                         "enable.auto.commit": False, "enable.auto.offset.store": False,
                         "enable.partition.eof": True})

    def consume(self, bootstrap, topic, n, partition=0):
        from confluent_kafka import OFFSET_BEGINNING, KafkaError, TopicPartition
        c = self._consumer(bootstrap)
        try:
            c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
            out = []
            deadline = time.monotonic() + TIMEOUT_S
            while len(out) < n and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is None:
                    continue
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    if m.topic() == topic or m.error().fatal():
                        raise ClientError(str(m.error()), m.error().code())
                    # client-level (e.g. group coordinator) errors do not affect assign()
                    continue
                out.append(Consumed(m.offset(), m.key(), m.value(), list(m.headers() or []),
                                    m.timestamp()[1]))
            return out
        finally:
            c.close()

    def watermarks(self, bootstrap, topic, partition=0):
        from confluent_kafka import TopicPartition
        c = self._consumer(bootstrap)
        try:
            return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=TIMEOUT_S,
                                           cached=False)
        finally:
            c.close()

    def offset_for_time(self, bootstrap, topic, ts, partition=0):
        from confluent_kafka import TopicPartition
        c = self._consumer(bootstrap)
        try:
            [tp] = c.offsets_for_times([TopicPartition(topic, partition, ts)], timeout=TIMEOUT_S)
            if tp.error:
                raise ClientError(str(tp.error), tp.error.code())
            return None if tp.offset < 0 else tp.offset
        finally:
            c.close()


def _kafka_exc_code(e):
    try:
        return e.args[0].code()
    except Exception:
        return None


# --------------------------------------------------------------- kafka-python

class KafkaPython:
    name = "kafka-python"
    codecs = ("gzip", "snappy", "lz4", "zstd")
    sets_timestamps = True
    per_record_headers = True

    def _admin(self, bootstrap):
        from kafka import KafkaAdminClient
        return KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(TIMEOUT_S * 1000))

    def create_topic(self, bootstrap, topic, partitions, configs=None):
        from kafka.admin import NewTopic
        from kafka.errors import KafkaError
        a = self._admin(bootstrap)
        try:
            try:
                resp = a.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs or {})],
                                       timeout_ms=int(TIMEOUT_S * 1000))
            except KafkaError as e:
                raise ClientError(f"create_topics {topic}: {e!r}", getattr(e, "errno", None))
            for t, code, *_ in resp.topic_errors:
                if code != 0:
                    raise ClientError(f"create_topics {t}: error {code}", code)
        finally:
            a.close()

    def create_partitions(self, bootstrap, topic, total):
        from kafka.admin import NewPartitions
        a = self._admin(bootstrap)
        try:
            resp = a.create_partitions({topic: NewPartitions(total_count=total)},
                                       timeout_ms=int(TIMEOUT_S * 1000))
            for t, code, *_ in resp.topic_errors:
                if code != 0:
                    raise ClientError(f"create_partitions {t}: error {code}", code)
        finally:
            a.close()

    def metadata(self, bootstrap, topics=None):
        a = self._admin(bootstrap)
        try:
            cl = a.describe_cluster()
            brokers = {(b["host"], b["port"]) for b in cl["brokers"]}
            tmd = a.describe_topics(topics) if topics else a.describe_topics()
            return Meta(brokers, {t["topic"]: len(t["partitions"]) for t in tmd if t["error_code"] == 0})
        finally:
            a.close()

    def describe_configs(self, bootstrap, topic):
        from kafka.admin import ConfigResource, ConfigResourceType
        a = self._admin(bootstrap)
        try:
            resps = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
            out = {}
            for resp in resps:
                for err, msg, _rtype, _rname, entries in resp.resources:
                    if err != 0:
                        raise ClientError(f"describe_configs: error {err} {msg}", err)
                    for e in entries:
                        out[e[0]] = e[1]
            return out
        finally:
            a.close()

    def alter_configs(self, bootstrap, topic, configs):
        from kafka.admin import ConfigResource, ConfigResourceType
        a = self._admin(bootstrap)
        try:
            resp = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=configs)])
            for err, msg, *_ in resp.resources:
                if err != 0:
                    raise ClientError(f"alter_configs: error {err} {msg}", err)
        finally:
            a.close()

    def produce(self, bootstrap, topic, records, acks="all", compression=None, partition=0):
        from kafka import KafkaProducer
        from kafka.errors import KafkaError
        p = KafkaProducer(bootstrap_servers=bootstrap, acks=acks if acks == "all" else int(acks),
                          compression_type=compression, linger_ms=20, retries=0,
                          max_request_size=10 * 1024 * 1024)
        try:
            futs = [p.send(topic, value=r.value, key=r.key, headers=list(r.headers or []),
                           timestamp_ms=r.timestamp, partition=partition) for r in records]
            p.flush(timeout=TIMEOUT_S)
            out = []
            for f in futs:
                try:
                    md = f.get(timeout=TIMEOUT_S)
                except KafkaError as e:
                    raise ClientError(f"send failed: {e!r}", getattr(e, "errno", None))
                out.append((md.partition, md.offset))
            return out
        finally:
            p.close(timeout=TIMEOUT_S)

    def _consumer(self, bootstrap):
        from kafka import KafkaConsumer
        return KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             request_timeout_ms=int(TIMEOUT_S * 1000) + 1000)

    def consume(self, bootstrap, topic, n, partition=0):
        from kafka import TopicPartition
        c = self._consumer(bootstrap)
        try:
            tp = TopicPartition(topic, partition)
            c.assign([tp])
            c.seek_to_beginning(tp)
            out = []
            deadline = time.monotonic() + TIMEOUT_S
            while len(out) < n and time.monotonic() < deadline:
                for recs in c.poll(timeout_ms=500).values():
                    for m in recs:
                        out.append(Consumed(m.offset, m.key, m.value, list(m.headers or []), m.timestamp))
            return out
        finally:
            c.close()

    def watermarks(self, bootstrap, topic, partition=0):
        from kafka import TopicPartition
        c = self._consumer(bootstrap)
        try:
            tp = TopicPartition(topic, partition)
            return c.beginning_offsets([tp])[tp], c.end_offsets([tp])[tp]
        finally:
            c.close()

    def offset_for_time(self, bootstrap, topic, ts, partition=0):
        from kafka import TopicPartition
        c = self._consumer(bootstrap)
        try:
            tp = TopicPartition(topic, partition)
            r = c.offsets_for_times({tp: ts})[tp]
            return None if r is None else r.offset
        finally:
            c.close()


# --------------------------------------------------------------- kcat (librdkafka CLI)

class Kcat:
    name = "kcat"
    codecs = ("gzip", "snappy", "lz4", "zstd")
    sets_timestamps = False   # kcat -P cannot set per-message timestamps
    per_record_headers = False  # -H applies to every message of one invocation
    KEY_DELIM = "\t"

    def metadata(self, bootstrap, topics=None):
        args = ["kcat", "-b", bootstrap, "-L", "-J", "-m", str(int(TIMEOUT_S))]
        if topics and len(topics) == 1:
            args += ["-t", topics[0]]
        md = json.loads(run(args).stdout)
        brokers = set()
        for b in md["brokers"]:
            host, _, port = b["name"].rpartition(":")
            brokers.add((host, int(port)))
        return Meta(brokers, {t["topic"]: len(t["partitions"]) for t in md["topics"]
                              if not t.get("error")})

    def produce(self, bootstrap, topic, records, acks="all", compression=None, partition=0):
        hdrs = records[0].headers if records else []
        for r in records:
            assert r.headers == hdrs, "kcat adapter: all records must share headers"
            assert r.timestamp is None, "kcat adapter: cannot set timestamps"
            assert r.key is not None and r.value is not None
            assert b"\n" not in r.key + r.value and self.KEY_DELIM.encode() not in r.key
        args = ["kcat", "-b", bootstrap, "-P", "-t", topic, "-p", str(partition),
                "-K", self.KEY_DELIM, "-X", f"acks={acks}", "-X", "linger.ms=20"]
        if compression:
            args += ["-z", compression]
        for k, v in hdrs:
            args += ["-H", f"{k}={v.decode()}"]
        data = b"".join(r.key + self.KEY_DELIM.encode() + r.value + b"\n" for r in records)
        p = run(args, input=data, check=False)
        err = p.stderr.decode(errors="replace")
        if p.returncode != 0 or "fail" in err.lower() or "error" in err.lower():
            code = 10 if "too large" in err.lower() else None
            raise ClientError(f"kcat -P rc={p.returncode}: {err}", code)
        return None  # kcat does not report offsets

    def consume(self, bootstrap, topic, n, partition=0):
        args = ["kcat", "-b", bootstrap, "-C", "-t", topic, "-p", str(partition), "-o", "beginning",
                "-e", "-c", str(n), "-J", "-q"]
        out = []
        for line in run(args).stdout.decode().splitlines():
            m = json.loads(line)
            h = m.get("headers") or []
            pairs = list(h.items()) if isinstance(h, dict) else [(h[i], h[i + 1]) for i in range(0, len(h), 2)]
            headers = [(k, None if v is None else v.encode()) for k, v in pairs]
            enc = lambda s: None if s is None else s.encode()
            out.append(Consumed(m["offset"], enc(m.get("key")), enc(m.get("payload")), headers, m.get("ts")))
        return out

    def _query(self, bootstrap, topic, ts, partition):
        p = run(["kcat", "-b", bootstrap, "-Q", "-t", f"{topic}:{partition}:{ts}"])
        m = re.search(rb"\[" + str(partition).encode() + rb"\]\s+offset\s+(-?\d+)", p.stdout)
        if not m:
            raise ClientError(f"unparsable kcat -Q output: {p.stdout!r} {p.stderr!r}")
        return int(m.group(1))

    def watermarks(self, bootstrap, topic, partition=0):
        return self._query(bootstrap, topic, -2, partition), self._query(bootstrap, topic, -1, partition)

    def offset_for_time(self, bootstrap, topic, ts, partition=0):
        o = self._query(bootstrap, topic, ts, partition)
        return None if o < 0 else o


# --------------------------------------------------------------- kafkajs (node helper)

class KafkaJS:
    name = "kafkajs"
    codecs = ("gzip",)  # kafkajs ships gzip only; others need plugins
    sets_timestamps = True
    per_record_headers = True

    def call(self, bootstrap, cmd, payload=None, check=True):
        p = run(["node", str(JS_DIR / "kjs.js"), cmd, bootstrap],
                input=json.dumps(payload or {}).encode(), timeout=TIMEOUT_S + 30, check=False)
        lines = [l for l in p.stdout.decode().splitlines() if l.startswith('{"ok"')]
        try:
            res = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            raise ClientError(f"kjs.js {cmd} rc={p.returncode} stdout={p.stdout!r} stderr={p.stderr!r}")
        if check and not res.get("ok"):
            raise ClientError(f"kafkajs {cmd}: {res.get('error')}", res.get("code"))
        return res

    def create_topic(self, bootstrap, topic, partitions, configs=None):
        self.call(bootstrap, "create", {"topic": topic, "partitions": partitions, "configs": configs or {}})

    def delete_topic(self, bootstrap, topic):
        self.call(bootstrap, "delete-topic", {"topic": topic})

    def create_partitions(self, bootstrap, topic, total):
        self.call(bootstrap, "create-partitions", {"topic": topic, "count": total})

    def metadata(self, bootstrap, topics=None):
        r = self.call(bootstrap, "metadata", {"topics": topics or []})
        return Meta({(b["host"], b["port"]) for b in r["brokers"]}, r["topics"])

    def describe_configs(self, bootstrap, topic):
        return self.call(bootstrap, "describe-configs", {"topic": topic})["configs"]

    def alter_configs(self, bootstrap, topic, configs):
        self.call(bootstrap, "alter-configs", {"topic": topic, "configs": configs})

    def produce(self, bootstrap, topic, records, acks="all", compression=None, partition=0):
        msgs = [{"key": None if r.key is None else r.key.decode(),
                 "value": None if r.value is None else r.value.decode(),
                 "headers": [[k, v.decode()] for k, v in (r.headers or [])],
                 "timestamp": r.timestamp} for r in records]
        res = self.call(bootstrap, "produce", {"topic": topic, "partition": partition,
                                                "acks": -1 if acks == "all" else int(acks),
                                                "compression": compression, "messages": msgs})
        return [(partition, res["baseOffset"] + i) for i in range(len(records))]

    def watermarks(self, bootstrap, topic, partition=0):
        r = self.call(bootstrap, "offsets", {"topic": topic})["offsets"]
        [p] = [x for x in r if x["partition"] == partition]
        return int(p["low"]), int(p["high"])

    def offset_for_time(self, bootstrap, topic, ts, partition=0):
        r = self.call(bootstrap, "offsets-by-time", {"topic": topic, "timestamp": ts})["offsets"]
        [p] = [x for x in r if x["partition"] == partition]
        # kafkajs substitutes the high watermark when no record has timestamp >= ts
        return int(p["offset"])

    def delete_records(self, bootstrap, topic, offset, partition=0):
        self.call(bootstrap, "delete-records", {"topic": topic, "partition": partition, "offset": offset})


CONFLUENT, KAFKA_PYTHON, KCAT, KAFKAJS = Confluent(), KafkaPython(), Kcat(), KafkaJS()
ALL = [KCAT, CONFLUENT, KAFKA_PYTHON, KAFKAJS]
ADMINS = [CONFLUENT, KAFKA_PYTHON, KAFKAJS]
CONSUMERS = [KCAT, CONFLUENT, KAFKA_PYTHON]  # kafkajs can only consume through a group
