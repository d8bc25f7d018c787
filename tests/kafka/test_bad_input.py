"""Bad input: records over max.message.bytes, malformed frames. The broker
answers with the protocol's error or closes that one connection; other clients
go on."""

import socket
import struct
import time

import pytest

from clients import ALL, CONFLUENT, KAFKA_PYTHON, KCAT, ClientError, Rec

MESSAGE_TOO_LARGE = 10
CLOSE_DEADLINE_S = 15.0


@pytest.mark.parametrize("client", ALL, ids=lambda c: c.name)
def test_record_over_max_message_bytes_gets_message_too_large(broker, topic_name, client):
    CONFLUENT.create_topic(broker.bootstrap, topic_name, 1, {"max.message.bytes": "2000"})
    big = Rec(b"big", b"y" * 20000, [], None)  # far below every client's own 1 MB limit
    with pytest.raises(ClientError) as ei:
        client.produce(broker.bootstrap, topic_name, [big], acks="all")
    assert ei.value.code == MESSAGE_TOO_LARGE, str(ei.value)
    # nothing was appended, and the topic still takes records that fit
    assert CONFLUENT.watermarks(broker.bootstrap, topic_name) == (0, 0)
    small = Rec(b"small", b"z" * 100, [], None)
    client.produce(broker.bootstrap, topic_name, [small], acks="all")
    got = CONFLUENT.consume(broker.bootstrap, topic_name, 1)
    assert [(c.offset, c.value) for c in got] == [(0, small.value)]


# ------------------------------------------------------------------ raw socket

def frame(body: bytes) -> bytes:
    return struct.pack(">i", len(body)) + body


def api_versions_v0(correlation_id: int) -> bytes:
    client_id = b"raw-test"
    return frame(struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id)


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def api_versions_roundtrip(sock, correlation_id):
    sock.sendall(api_versions_v0(correlation_id))
    (size,) = struct.unpack(">i", read_exact(sock, 4))
    body = read_exact(sock, size)
    corr, err = struct.unpack(">ih", body[:6])
    assert corr == correlation_id
    assert err == 0
    (n,) = struct.unpack(">i", body[6:10])
    keys = {struct.unpack(">h", body[10 + 6 * i:12 + 6 * i])[0] for i in range(n)}
    assert {0, 1, 2, 3, 18} <= keys  # Produce, Fetch, ListOffsets, Metadata, ApiVersions
    return keys


def wait_closed(sock):
    """True once the peer closed the connection (EOF or reset); False if it
    stayed open past the deadline. Bytes the broker sends first are ignored."""
    deadline = time.monotonic() + CLOSE_DEADLINE_S
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if sock.recv(65536) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
    return False


def header(api_key, api_version, correlation_id, client_id=b"raw-test", flexible=False):
    h = struct.pack(">hhih", api_key, api_version, correlation_id, len(client_id)) + client_id
    return h + (b"\x00" if flexible else b"")  # flexible headers end with empty tagged fields


BAD_INPUTS = {
    # size prefix fine, contents are noise (negative api key)
    "garbage": frame(bytes(range(0xF0, 0x100)) * 3),
    # a well-formed header naming an API key that does not exist
    "unknown-api-key": frame(header(0x7ABC, 0, 7)),
    # Metadata v9 (flexible) with a body that is an overlong varint
    "malformed-body": frame(header(3, 9, 7, flexible=True) + b"\xff" * 12),
    # size prefix far above any request limit (2 GiB - 1), followed by a few bytes
    "oversized-size-prefix": struct.pack(">i", 0x7FFFFFFF) + b"\x00" * 64,
    # negative size prefix
    "negative-size-prefix": struct.pack(">i", -5) + b"\x00" * 16,
    # a frame too short to hold a request header
    "truncated-header": frame(b"\x00\x03"),
}


@pytest.mark.parametrize("payload", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_frame_closes_only_that_connection(fresh_broker, topic_name, payload):
    addr = (fresh_broker.host, fresh_broker.port)
    with socket.create_connection(addr, timeout=CLOSE_DEADLINE_S) as good, \
            socket.create_connection(addr, timeout=CLOSE_DEADLINE_S) as bad:
        api_versions_roundtrip(good, 1)
        bad.sendall(payload)
        assert wait_closed(bad), "broker kept the connection with the bad frame open"
        # the connection opened before keeps working
        api_versions_roundtrip(good, 2)
    assert fresh_broker.alive()
    # and real clients still work end to end
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    KAFKA_PYTHON.produce(fresh_broker.bootstrap, topic_name, [Rec(b"k", b"still-alive", [], None)])
    got = KCAT.consume(fresh_broker.bootstrap, topic_name, 1)
    assert [(c.offset, c.value) for c in got] == [(0, b"still-alive")]


def test_client_disconnecting_mid_frame_does_not_disturb_others(fresh_broker):
    addr = (fresh_broker.host, fresh_broker.port)
    with socket.create_connection(addr, timeout=CLOSE_DEADLINE_S) as good:
        api_versions_roundtrip(good, 1)
        for cut in (2, 4, 9):
            with socket.create_connection(addr, timeout=CLOSE_DEADLINE_S) as s:
                s.sendall(api_versions_v0(5)[:cut])
        api_versions_roundtrip(good, 2)
    assert CONFLUENT.metadata(fresh_broker.bootstrap).brokers == {(fresh_broker.host, fresh_broker.port)}
