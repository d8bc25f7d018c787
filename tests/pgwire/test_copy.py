"""COPY over the Postgres wire protocol, as psql's \\copy and psycopg2's copy_expert use it against
`sluice serve`: rows in COPY's text format and in CSV go into a table (and a source) and come back
out the same way, a bad row or a client that gives up is an error, and the connection goes on.
"""

import io
import os
import subprocess

import psycopg2
import psycopg2.errors
import pytest

TIMEOUT_S = 30


def psql(server, *args, stdin=None):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGSSLMODE="disable")
    cmd = ["psql", "-h", server.host, "-p", str(server.pg_port), "-U", "tester", "-d", "sluice",
           "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin, timeout=TIMEOUT_S)


def connect(server):
    conn = psycopg2.connect(host=server.host, port=server.pg_port, user="tester", dbname="sluice",
                            connect_timeout=10)
    conn.autocommit = True
    return conn


def test_psql_copy_in_and_out_in_csv_and_text(server):
    r = psql(server, "-c", "CREATE TABLE parts (id bigint PRIMARY KEY, name text, at time, price numeric(6,2) "
                           "DEFAULT 1)")
    assert r.returncode == 0, r.stderr
    r = psql(server, "-c", "\\copy parts FROM STDIN WITH (FORMAT csv, HEADER)",
             stdin='id,name,at,price\n1,bolt,10:00,2.5\n2,"nut, hex",,\n3,"say ""hi""",11:30,\n')
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "COPY 3"
    r = psql(server, "-c", "\\copy parts (id, name) FROM STDIN", stdin="4\ttab\\there\n5\t\\N\n")
    assert r.returncode == 0, r.stderr
    r = psql(server, "-c", "COPY parts TO STDOUT WITH (FORMAT csv)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "1,bolt,10:00:00,2.50",
        '2,"nut, hex",,',
        '3,"say ""hi""",11:30:00,',
        "4,tab\there,,1.00",
        "5,,,1.00",
    ]
    r = psql(server, "-c", "COPY (SELECT id, name FROM parts WHERE id >= 4 ORDER BY id) TO STDOUT")
    assert r.stdout.splitlines() == ["4\ttab\\there", "5\t\\N"]


def test_psycopg2_copy_expert_both_ways_and_errors_keep_the_connection(server):
    conn = connect(server)
    with conn.cursor() as cur:
        cur.execute("CREATE SOURCE readings (sensor text, value double precision) "
                    "WITH (topic = 'readings', format = 'json')")
        cur.execute("CREATE MATERIALIZED VIEW per_sensor AS SELECT sensor, count(*) AS n, sum(value) AS total "
                    "FROM readings GROUP BY sensor")
        data = "".join(f"s{i % 3},{i}.5\n" for i in range(3000))
        cur.copy_expert("COPY readings FROM STDIN WITH (FORMAT csv)", io.StringIO(data))
        assert cur.rowcount == 3000
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT * FROM per_sensor ORDER BY sensor) TO STDOUT WITH (FORMAT csv, HEADER)", out)
        assert out.getvalue().splitlines() == ["sensor,n,total", "s0,1000,1499000", "s1,1000,1500000",
                                               "s2,1000,1501000"]
        with pytest.raises(psycopg2.errors.BadCopyFileFormat):
            cur.copy_expert("COPY readings FROM STDIN WITH (FORMAT csv)", io.StringIO("s1,1,extra\n"))
        with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
            cur.copy_expert("COPY readings FROM STDIN WITH (FORMAT csv)", io.StringIO("s1,lots\n"))
        with pytest.raises(psycopg2.errors.FeatureNotSupported):
            cur.execute("COPY readings FROM '/etc/passwd'")

        class Broken(io.StringIO):
            def read(self, *args):
                raise ValueError("the file went away")

        with pytest.raises(psycopg2.errors.QueryCanceled):  # psycopg2 sends CopyFail
            cur.copy_expert("COPY readings FROM STDIN", Broken())
        cur.execute("SELECT sum(n) FROM per_sensor")
        assert cur.fetchone() == (3000,)
    conn.close()
