"""psql and psycopg2 against `sluice serve`'s Postgres listener.

The SQL engine is not wired into `serve` yet, so every statement must fail with
SQLSTATE 0A000 and nothing else: no made-up rows. What is checked for real is the
protocol around it: startup, the settings drivers read, SSL negotiation, errors,
bad input, and a clean shutdown with clients connected.
"""

import os
import socket
import struct
import subprocess

import psycopg2
import psycopg2.errors
import pytest

UNAVAILABLE = "the SQL engine is not available yet"
TIMEOUT_S = 30


def psql(server, *args, sslmode="disable"):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGSSLMODE=sslmode)
    cmd = ["psql", "-h", server.host, "-p", str(server.pg_port), "-U", "tester", "-d", "sluice",
           "-X", "-A", "-t", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_S)


def connect(server, **kwargs):
    return psycopg2.connect(host=server.host, port=server.pg_port, user="tester", dbname="sluice",
                            connect_timeout=10, **kwargs)


def test_psql_gets_the_engine_unavailable_error(server):
    r = psql(server, "-c", "SELECT 1")
    assert r.returncode == 1
    assert r.stdout == ""
    assert f"ERROR:  {UNAVAILABLE}" in r.stderr


def test_psql_verbose_error_shows_the_sqlstate(server):
    r = psql(server, "-v", "VERBOSITY=verbose", "-c", "CREATE SOURCE s")
    assert r.returncode == 1
    assert f"ERROR:  0A000: {UNAVAILABLE}" in r.stderr


def test_psql_empty_statement_succeeds(server):
    r = psql(server, "-c", ";")
    assert r.returncode == 0, r.stderr


def test_psql_with_sslmode_prefer_falls_back_to_plain_text(server):
    r = psql(server, "-c", "SELECT 1", sslmode="prefer")
    assert f"ERROR:  {UNAVAILABLE}" in r.stderr  # connected (SSLRequest answered 'N'), then the query failed


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


def test_psycopg2_statements_fail_with_0a000_and_the_connection_survives(server):
    conn = connect(server)
    conn.autocommit = True
    try:
        for sql in ("SELECT 1", "SELECT * FROM orders WHERE id = %s"):
            with conn.cursor() as cur:
                with pytest.raises(psycopg2.errors.FeatureNotSupported) as err:
                    cur.execute(sql, (1,) if "%s" in sql else None)
                assert err.value.pgcode == "0A000"
                assert UNAVAILABLE in str(err.value)
        assert conn.closed == 0
    finally:
        conn.close()


def test_psycopg2_transaction_start_fails_honestly(server):
    # Without autocommit psycopg2 sends BEGIN first: that, too, is a statement the engine must run.
    conn = connect(server)
    try:
        with pytest.raises(psycopg2.errors.FeatureNotSupported):
            conn.cursor().execute("SELECT 1")
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
    assert UNAVAILABLE in r.stderr


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
        for c in conns:
            c.autocommit = True
            with pytest.raises(psycopg2.errors.FeatureNotSupported):
                c.cursor().execute("SELECT 1")
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


def test_no_engine_notice_in_the_log(server):
    assert "every statement fails with 0A000" in server.log_tail(200)
