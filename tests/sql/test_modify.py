"""DELETE and UPDATE on a table with a primary key, from psycopg2 and node-postgres: command tags
with row counts, views following each change, and the table's topic holding what a producer would
have written (the new row under its key, a tombstone for a deleted key) for any Kafka client."""

from decimal import Decimal

from confluent_kafka import Consumer, TopicPartition

from conftest import connect, query
from test_extended_protocol import node_queries


def records_of(server, topic):
    """Every record of partition 0, from the beginning: (key, value or None)."""
    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "modify-check",
                  "enable.auto.commit": False})
    _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.assign([TopicPartition(topic, 0, 0)])
    out = []
    while len(out) < high:
        m = c.poll(10)
        assert m is not None and not m.error(), m and m.error()
        out.append((m.key().decode(), None if m.value() is None else m.value().decode()))
    c.close()
    return out


def test_delete_and_update_write_the_tables_topic(server):
    conn = connect(server)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE stock (sku text, qty bigint, price numeric(8,2), PRIMARY KEY (sku))"
                    " WITH (topic = 'stock')")
        cur.execute("INSERT INTO stock VALUES ('a', 5, 1.50), ('b', 0, 2), ('c', 7, 3.25)")
        cur.execute("CREATE MATERIALIZED VIEW worth AS SELECT sum(qty * price) AS total FROM stock")
        cur.execute("UPDATE stock SET qty = qty + %s WHERE sku IN ('a', 'c')", (10,))
        assert cur.statusmessage == "UPDATE 2" and cur.rowcount == 2
        cur.execute("DELETE FROM stock WHERE qty = 0")
        assert cur.statusmessage == "DELETE 1" and cur.rowcount == 1
    assert sorted(query(conn, "SELECT * FROM stock")) == [("a", 15, Decimal("1.50")), ("c", 17, Decimal("3.25"))]
    assert query(conn, "SELECT total FROM worth") == [(Decimal("77.75"),)]
    conn.close()

    results = node_queries(server, [
        {"text": "UPDATE stock SET price = $1 WHERE sku = $2", "values": ["9.999", "a"]},
        {"text": "SELECT sku, price FROM stock ORDER BY sku", "values": []},
    ])
    assert results[1]["rows"] == [["a", "10.00"], ["c", "3.25"]]

    written = records_of(server, "stock")[3:]  # after the three inserted rows
    assert sorted(written[:2]) == [('{"sku":"a"}', '{"sku":"a","qty":15,"price":1.50}'),
                                   ('{"sku":"c"}', '{"sku":"c","qty":17,"price":3.25}')]
    assert written[2:] == [('{"sku":"b"}', None), ('{"sku":"a"}', '{"sku":"a","qty":15,"price":10.00}')]
