#!/usr/bin/python3
"""Captures the seed corpus of kafka_request_fuzzer from real clients.

Starts `build/sluice serve` behind a recording TCP proxy (Metadata advertises
the proxy, so clients keep talking through it), drives kcat, confluent-kafka,
kafka-python and kafkajs through the operations the integration suite uses,
and writes each distinct request frame (header + body, without the size
prefix) to fuzz/corpus/kafka_request/, at most a few per API and version. The
record batches of the Produce requests (one per client and codec) go to
fuzz/corpus/record_batch/ as seeds for the batch and recovery fuzzers.

Run after a release build: `/usr/bin/python3 fuzz/capture_corpus.py`. The
output is committed; rerun it when clients or advertised versions change.
"""

import hashlib
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "kafka"))
from clients import ADMINS, ALL, CONSUMERS, KAFKA_PYTHON, Rec  # noqa: E402

OUT = REPO / "fuzz" / "corpus" / "kafka_request"
BATCHES = REPO / "fuzz" / "corpus" / "record_batch"
PER_VERSION = 4  # frames kept per (api key, version)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingProxy:
    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.frames = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._requests, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    @staticmethod
    def _relay(src, dst):
        """Yields each chunk read from src after forwarding it to dst; closes dst at the end."""
        while True:
            try:
                chunk = src.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                dst.close()
                return
            dst.sendall(chunk)
            yield chunk

    def _requests(self, src, dst):
        buffer = b""
        for chunk in self._relay(src, dst):
            buffer += chunk
            while len(buffer) >= 4:
                (size,) = struct.unpack_from(">i", buffer)
                if len(buffer) < 4 + size:
                    break
                with self.lock:
                    self.frames.append(buffer[4:4 + size])
                buffer = buffer[4 + size:]

    def _pipe(self, src, dst):
        for _ in self._relay(src, dst):
            pass


def produce_batches(frame):
    """The record batches of a non-flexible Produce request (v3-v8)."""
    def string(at):
        (n,) = struct.unpack_from(">h", frame, at)
        return at + 2 + max(n, 0)
    at = string(8)           # api key, version, correlation id, then client id
    at = string(at) + 2 + 4  # transactional id, acks, timeout
    (topics,) = struct.unpack_from(">i", frame, at)
    at += 4
    for _ in range(topics):
        at = string(at)
        (partitions,) = struct.unpack_from(">i", frame, at)
        at += 4
        for _ in range(partitions):
            (size,) = struct.unpack_from(">i", frame, at + 4)
            yield frame[at + 8:at + 8 + size]
            at += 8 + max(size, 0)


def maybe(client, operation, *args):
    """Runs an operation the adapter has; some Debian client versions lack a few."""
    if not hasattr(client, operation):
        return
    try:
        getattr(client, operation)(*args)
    except Exception as e:
        print(f"capture: {client.name} {operation} skipped: {e}")


def exercise(bootstrap):
    records = [Rec(f"k{i}".encode(), f"value {i}".encode() * (i + 1), [("h", b"v")], 1700000000000 + i)
               for i in range(20)]
    for client in ALL:
        topic = f"corpus-{client.name}"
        if client in ADMINS:
            client.create_topic(bootstrap, topic, 2, {"retention.ms": "3600000"})
        maybe(client, "describe_configs", bootstrap, topic)
        maybe(client, "alter_configs", bootstrap, topic, {"retention.ms": "7200000"})
        maybe(client, "create_partitions", bootstrap, topic, 3)
        client.metadata(bootstrap)
        mine = records if client.sets_timestamps else [r._replace(timestamp=None, headers=[]) for r in records]
        for codec in (None,) + tuple(client.codecs):
            client.produce(bootstrap, topic, mine, compression=codec)
        if client in CONSUMERS:
            client.consume(bootstrap, topic, len(records))
        maybe(client, "offset_for_time", bootstrap, topic, records[5].timestamp)
        maybe(client, "watermarks", bootstrap, topic)
        maybe(client, "delete_records", bootstrap, topic, 3)
        maybe(client, "delete_topic", bootstrap, topic)
    KAFKA_PYTHON.produce(bootstrap, "corpus-auto-created", records[:3])


def main():
    sluice = REPO / "build" / "sluice"
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proxy = RecordingProxy(port)
        server = subprocess.Popen(
            [str(sluice), "serve", "--data-dir", tmp, "--kafka-addr", f"127.0.0.1:{port}",
             "--advertised-kafka-addr", f"127.0.0.1:{proxy.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    server.wait(timeout=0.05) if server.poll() is not None else None
            exercise(f"127.0.0.1:{proxy.port}")
        finally:
            server.terminate()
            server.wait()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.bin"):
        old.unlink()
    kept = {}
    with proxy.lock:
        frames = list(proxy.frames)
    for frame in frames:
        if len(frame) < 4:
            continue
        api, version = struct.unpack_from(">hh", frame)
        digest = hashlib.sha1(frame).hexdigest()[:12]
        names = kept.setdefault((api, version), set())
        if digest in names or len(names) >= PER_VERSION:
            continue
        names.add(digest)
        (OUT / f"api{api:02d}-v{version}-{digest}.bin").write_bytes(frame)
    for old in BATCHES.glob("captured-*.bin"):
        old.unlink()
    codecs = {}
    for frame in frames:
        api, version = struct.unpack_from(">hh", frame)
        if api != 0 or not 3 <= version <= 8:
            continue
        for batch in produce_batches(frame):
            if len(batch) < 61:
                continue
            (attributes,) = struct.unpack_from(">h", batch, 21)
            codec = ("none", "gzip", "snappy", "lz4", "zstd")[attributes & 7]
            client = frame[10:10 + struct.unpack_from(">h", frame, 8)[0]].decode(errors="replace")
            key = (client.split("#")[0][:20], codec)
            if key not in codecs:
                codecs[key] = batch
                name = "".join(c if c.isalnum() else "-" for c in key[0])
                (BATCHES / f"captured-{name}-{codec}.bin").write_bytes(batch)
    print(f"capture: {len(codecs)} record batches in {BATCHES.relative_to(REPO)}")
    total = sum(len(v) for v in kept.values())
    print(f"capture: {len(frames)} frames, {total} kept for {len(kept)} API versions in {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
