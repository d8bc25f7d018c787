"""A broker killed with SIGKILL and restarted keeps every acknowledged record,
and still recognises an idempotent producer's retry of a batch it had
acknowledged before the crash."""

import socket
import struct

from clients import CONFLUENT, KAFKA_PYTHON, TIMEOUT_S

OUT_OF_ORDER_SEQUENCE_NUMBER = 45
INVALID_PRODUCER_EPOCH = 47


def test_acknowledged_records_survive_sigkill(fresh_broker, topic_name):
    from confluent_kafka import Producer
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    p = Producer({"bootstrap.servers": fresh_broker.bootstrap, "enable.idempotence": True,
                  "acks": "all", "linger.ms": 2})
    acked = []
    for i in range(2000):
        p.produce(topic_name, key=f"k{i % 7}".encode(), value=f"v{i}".encode(), partition=0,
                  on_delivery=lambda err, msg: acked.append((err, msg.offset(), msg.value())))
    assert p.flush(TIMEOUT_S) == 0
    assert all(err is None for err, _, _ in acked)
    fresh_broker.kill()
    fresh_broker.start()
    got = CONFLUENT.consume(fresh_broker.bootstrap, topic_name, len(acked))
    assert [(c.offset, c.value) for c in got] == sorted((o, v) for _, o, v in acked)


class RawProducer:
    """Sends hand-built Produce v7 requests, so a test controls the producer
    id, epoch and sequence of each batch — and can repeat a batch exactly,
    as a client retrying after a lost response does."""

    def __init__(self, bootstrap, producer_id, epoch=0):
        host, port = bootstrap.rsplit(":", 1)
        self.address = (host, int(port))
        self.producer_id, self.epoch = producer_id, epoch

    def batch(self, sequence, values):
        from kafka.record.default_records import DefaultRecordBatchBuilder
        b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                      producer_id=self.producer_id, producer_epoch=self.epoch,
                                      base_sequence=sequence, batch_size=1 << 20)
        for i, v in enumerate(values):
            b.append(i, timestamp=None, key=b"key", value=v, headers=[])
        return bytes(b.build())

    def send(self, topic, partition, batch):
        """Returns (error_code, base_offset) for the partition."""
        from kafka.protocol.parser import KafkaProtocol
        from kafka.protocol.produce import ProduceRequest
        request = ProduceRequest[7](transactional_id=None, required_acks=-1, timeout=int(TIMEOUT_S * 1000),
                                    topics=[(topic, [(partition, batch)])])
        protocol = KafkaProtocol(client_id="restart-test")
        protocol.send_request(request)
        with socket.create_connection(self.address, timeout=TIMEOUT_S) as s:
            s.sendall(protocol.send_bytes())
            responses = []
            while not responses:
                chunk = s.recv(65536)
                assert chunk, "broker closed the connection"
                responses = protocol.receive_bytes(chunk)
        (_, response), = responses
        (_, partitions), = response.topics
        (_, error_code, base_offset, *_), = partitions
        return error_code, base_offset


def end_offset(bootstrap, topic):
    return KAFKA_PYTHON.watermarks(bootstrap, topic)[1]


def test_idempotent_retry_after_restart_is_deduplicated(fresh_broker, topic_name):
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    producer = RawProducer(fresh_broker.bootstrap, producer_id=987654321)
    first = producer.batch(0, [b"a", b"b", b"c"])
    second = producer.batch(3, [b"d", b"e"])
    assert producer.send(topic_name, 0, first) == (0, 0)
    assert producer.send(topic_name, 0, second) == (0, 3)
    # A retry before the crash: the original offsets, nothing appended.
    assert producer.send(topic_name, 0, first) == (0, 0)
    assert end_offset(fresh_broker.bootstrap, topic_name) == 5

    fresh_broker.kill()
    fresh_broker.start()

    assert producer.send(topic_name, 0, second) == (0, 3)
    assert producer.send(topic_name, 0, first) == (0, 0)
    assert end_offset(fresh_broker.bootstrap, topic_name) == 5
    # A gap after the restart is refused; the next sequence is appended.
    assert producer.send(topic_name, 0, producer.batch(9, [b"x"]))[0] == OUT_OF_ORDER_SEQUENCE_NUMBER
    assert producer.send(topic_name, 0, producer.batch(5, [b"f"])) == (0, 5)
    got = CONFLUENT.consume(fresh_broker.bootstrap, topic_name, 6)
    assert [c.value for c in got] == [b"a", b"b", b"c", b"d", b"e", b"f"]


def test_retry_after_clean_restart_is_deduplicated(fresh_broker, topic_name):
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    producer = RawProducer(fresh_broker.bootstrap, producer_id=123456789)
    batch = producer.batch(0, [b"only once"])
    assert producer.send(topic_name, 0, batch) == (0, 0)
    assert fresh_broker.stop() == 0
    fresh_broker.start()
    assert producer.send(topic_name, 0, batch) == (0, 0)
    assert end_offset(fresh_broker.bootstrap, topic_name) == 1


def test_fenced_epoch_is_refused(fresh_broker, topic_name):
    CONFLUENT.create_topic(fresh_broker.bootstrap, topic_name, 1)
    newer = RawProducer(fresh_broker.bootstrap, producer_id=555, epoch=3)
    older = RawProducer(fresh_broker.bootstrap, producer_id=555, epoch=2)
    assert newer.send(topic_name, 0, newer.batch(0, [b"new"])) == (0, 0)
    assert older.send(topic_name, 0, older.batch(1, [b"old"]))[0] == INVALID_PRODUCER_EPOCH
    assert end_offset(fresh_broker.bootstrap, topic_name) == 1
