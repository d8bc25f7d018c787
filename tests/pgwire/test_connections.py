"""psql and psycopg2 against `sluice serve`'s Postgres listener: startup, the settings drivers
read, SSL negotiation, errors with SQLSTATEs and positions, bad input, many clients, and a clean
shutdown with clients connected. (What the SQL answers is tests/sql's business.)
"""

import datetime
import os
import socket
import struct
import subprocess
from decimal import Decimal

import psycopg2
import psycopg2.errors
import pytest

TIMEOUT_S = 30


def psql(server, *args, sslmode="disable"):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGSSLMODE=sslmode)
    cmd = ["psql", "-h", server.host, "-p", str(server.pg_port), "-U", "tester", "-d", "sluice",
           "-X", "-A", "-t", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_S)


def connect(server, **kwargs):
    return psycopg2.connect(host=server.host, port=server.pg_port, user="tester", dbname="sluice",
                            connect_timeout=10, **kwargs)


def test_psql_runs_a_query(server):
    r = psql(server, "-c", "SELECT 1 + 1 AS two, 'x' || 'y' AS xy")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2|xy\n"


def test_psql_error_shows_the_sqlstate_and_a_caret(server):
    r = psql(server, "-v", "VERBOSITY=verbose", "-c", "SELECT * FROM no_such_view")
    assert r.returncode == 1
    assert 'ERROR:  42P01: relation "no_such_view" does not exist' in r.stderr
    assert "LINE 1: SELECT * FROM no_such_view\n                      ^" in r.stderr


def test_psql_empty_statement_succeeds(server):
    r = psql(server, "-c", ";")
    assert r.returncode == 0, r.stderr


def test_psql_with_sslmode_prefer_falls_back_to_plain_text(server):
    r = psql(server, "-c", "SELECT 1", sslmode="prefer")
    assert r.returncode == 0 and r.stdout == "1\n", r.stderr  # SSLRequest answered 'N', then plain text


def test_psql_with_sslmode_require_is_refused(server):
    r = psql(server, "-c", "SELECT 1", sslmode="require")
    assert r.returncode == 2
    assert "server does not support SSL" in r.stderr


def test_psycopg2_connects_and_reads_server_settings(server):
    with connect(server, application_name="pytest") as conn:
        assert conn.server_version == 150000
        assert conn.get_parameter_status("server_encoding") == "UTF8"
        assert conn.get_parameter_status("client_encoding") == "UTF8"
        assert conn.get_parameter_status("DateStyle") == "ISO, MDY"
        assert conn.get_parameter_status("TimeZone") == "UTC"
        assert conn.get_parameter_status("integer_datetimes") == "on"
        assert conn.get_parameter_status("standard_conforming_strings") == "on"
        assert conn.get_parameter_status("application_name") == "pytest"
    conn.close()


def test_psycopg2_errors_carry_sqlstates_and_the_connection_survives(server):
    conn = connect(server)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            with pytest.raises(psycopg2.errors.UndefinedTable) as err:
                cur.execute("SELECT * FROM orders WHERE id = %s", (1,))
            assert err.value.pgcode == "42P01"
            with pytest.raises(psycopg2.errors.DivisionByZero):
                cur.execute("SELECT 1 / 0")
            with pytest.raises(psycopg2.errors.SyntaxError):
                cur.execute("SELEC 1")
            cur.execute("SELECT %s::bigint * 2, %s", (21, "it's"))
            assert cur.fetchall() == [(42, "it's")]
        assert conn.closed == 0
    finally:
        conn.close()


def test_psycopg2_sees_a_duplicate_key_as_unique_violation_with_its_detail(server):
    conn = connect(server)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE seats (row_no bigint, seat text, holder text, PRIMARY KEY (row_no, seat))")
            cur.execute("INSERT INTO seats VALUES (%s, %s, %s)", (3, "b", "ann"))
            with pytest.raises(psycopg2.errors.UniqueViolation) as err:
                cur.execute("INSERT INTO seats VALUES (%s, %s, %s)", (3, "b", "bob"))
            assert err.value.diag.message_detail == "Key (row_no, seat)=(3, b) already exists."
            cur.execute("INSERT INTO seats VALUES (3, 'b', 'bob') ON CONFLICT (row_no, seat) "
                        "DO UPDATE SET holder = seats.holder || '+' || excluded.holder")
            assert cur.statusmessage == "INSERT 0 1"
            cur.execute("SELECT holder FROM seats")
            assert cur.fetchall() == [("ann+bob",)]
    finally:
        conn.close()


def test_psycopg2_decodes_arrays_as_lists(server):
    # Array columns carry Postgres's array type oids (1016 int8[], 1009 text[], 1231 numeric[], …), which psycopg2
    # parses from the text form into Python lists, quoting and NULLs included.
    conn = connect(server)
    with conn.cursor() as cur:
        cur.execute("SELECT ARRAY[1, NULL, 3], ARRAY['a b', 'c\"d', '', 'NULL'], ARRAY[1.5, 2], "
                    "ARRAY[true, false], ARRAY[]::bigint[], string_to_array('x,y', ',')")
        assert [d.type_code for d in cur.description] == [1016, 1009, 1231, 1000, 1016, 1009]
        assert cur.fetchone() == ([1, None, 3], ["a b", 'c"d', "", "NULL"], [1.5, 2.0], [True, False], [],
                                  ["x", "y"])
        cur.execute("SELECT %s = ANY(ARRAY['a', 'b'])", ("b",))
        assert cur.fetchone() == (True,)
    conn.close()


def test_psycopg2_reads_time_as_datetime_time(server):
    # time columns carry oid 1083, so psycopg2 hands out datetime.time; a time parameter reads back.
    conn = connect(server)
    with conn.cursor() as cur:
        cur.execute("SELECT time '10:30:15.5', %s::time + interval '90 minutes', ARRAY[time '23:00']",
                    (datetime.time(23, 0),))
        assert [d.type_code for d in cur.description] == [1083, 1083, 1183]
        row = cur.fetchone()
        assert row[0] == datetime.time(10, 30, 15, 500000)
        assert row[1] == datetime.time(0, 30)
    conn.close()


def test_psycopg2_reads_json_as_postgres_writes_it(server):
    # json carries oid 114 and Postgres's own layout: json_agg of rows breaks the line between them.
    conn = connect(server)
    with conn.cursor() as cur:
        cur.execute("SELECT json_agg(t ORDER BY a)::text, json_build_object('a', 1) "
                    "FROM (VALUES (1, 'x'), (2, 'y')) AS t(a, b)")
        assert [d.type_code for d in cur.description] == [25, 114]
        text, built = cur.fetchone()
        assert text == '[{"a":1,"b":"x"}, \n {"a":2,"b":"y"}]'
        assert built == {"a": 1}
    conn.close()


def test_psycopg2_reads_numeric_as_exact_decimals(server):
    # NUMERIC columns carry oid 1700 and Postgres's text form, scale included, so psycopg2 hands out
    # exact Decimals; a numeric(p, s) column rounds what is inserted and shows its modifier in psql.
    conn = connect(server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 0.1 + 0.2, 1::numeric(10,2), 7 / 2.0, %s::numeric * 2", (Decimal("1.25"),))
        assert [d.type_code for d in cur.description] == [1700, 1700, 1700, 1700]
        assert [str(v) for v in cur.fetchone()] == ["0.3", "1.00", "3.5000000000000000", "2.50"]
        cur.execute("CREATE TABLE ledger (id bigint, amount numeric(12,2))")
        cur.execute("INSERT INTO ledger VALUES (1, %s), (2, %s), (3, 0.005)", (Decimal("10.10"), Decimal("-0.1")))
        cur.execute("SELECT sum(amount), avg(amount), max(amount) FROM ledger")
        assert [str(v) for v in cur.fetchone()] == ["10.01", "3.3366666666666667", "10.10"]
        with pytest.raises(psycopg2.errors.NumericValueOutOfRange) as overflow:
            cur.execute("INSERT INTO ledger VALUES (4, 12345678901.5)")
        assert overflow.value.diag.message_primary == "numeric field overflow"
        assert overflow.value.diag.message_detail == (
            "A field with precision 12, scale 2 must round to an absolute value less than 10^10.")
    conn.close()
    out = psql(server, "-c", "\\d ledger")
    assert out.returncode == 0, out.stderr
    assert "numeric(12,2)" in out.stdout


def test_psycopg2_transactions_are_accepted(server):
    # Without autocommit psycopg2 sends BEGIN first; every statement is its own transaction here.
    conn = connect(server)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 40 + 2")
            assert cur.fetchone() == (42,)
        conn.commit()
    finally:
        conn.close()


def test_garbage_closes_only_that_connection(server):
    with socket.create_connection((server.host, server.pg_port), timeout=TIMEOUT_S) as s:
        s.sendall(struct.pack("!ii", 1_000_000, 196608))
        reply = s.recv(4096)
        assert reply[:1] == b"E"
        assert b"C08P01\x00" in reply
        assert s.recv(1) == b""  # closed by the server
    r = psql(server, "-c", "SELECT 1")
    assert r.returncode == 0 and r.stdout == "1\n", r.stderr


def test_old_protocol_is_refused_with_0a000(server):
    with socket.create_connection((server.host, server.pg_port), timeout=TIMEOUT_S) as s:
        body = struct.pack("!i", 2 << 16) + b"user\x00x\x00\x00"
        s.sendall(struct.pack("!i", len(body) + 4) + body)
        reply = s.recv(4096)
        assert reply[:1] == b"E"
        assert b"SFATAL\x00" in reply and b"C0A000\x00" in reply


def test_many_clients_at_once(server):
    conns = [connect(server) for _ in range(20)]
    try:
        for i, c in enumerate(conns):
            c.autocommit = True
            with c.cursor() as cur:
                cur.execute("SELECT %s", (i,))
                assert cur.fetchone() == (i,)
    finally:
        for c in conns:
            c.close()


def test_shutdown_with_clients_connected(fresh_server):
    conn = connect(fresh_server)
    rc = fresh_server.stop()
    assert rc == 0, fresh_server.log_tail()
    with pytest.raises(psycopg2.OperationalError):
        conn.cursor().execute("SELECT 1")
    conn.close()
    fresh_server.start()  # the fixture stops it again
