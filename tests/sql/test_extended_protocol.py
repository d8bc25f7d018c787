"""The extended query protocol against the engine, from node-postgres (Parse/Bind/Execute with
typed parameters, named prepared statements reused, errors with SQLSTATE and position)."""

import json
import subprocess
from pathlib import Path

from conftest import connect, produce, psql, query, wait_until

JS = Path(__file__).resolve().parent / "js"


def node_queries(server, queries):
    r = subprocess.run(["node", str(JS / "pgq.js"), server.host, str(server.pg_port)],
                       input=json.dumps(queries), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_parameterized_queries_over_the_extended_protocol(server):
    psql(server, "CREATE SOURCE readings (sensor text, value double precision) WITH (topic = 'readings');"
                 "CREATE MATERIALIZED VIEW per_sensor AS SELECT sensor, count(*) AS n, max(value) AS top "
                 "FROM readings GROUP BY sensor")
    produce(server, "readings", [(None, {"sensor": s, "value": v})
                                 for s, v in [("a", 1.5), ("b", 2.0), ("a", 3.5), ("c", 0.5)]])
    conn = connect(server)
    wait_until(lambda: sorted(query(conn, "SELECT * FROM per_sensor")),
               [("a", 2, 3.5), ("b", 1, 2.0), ("c", 1, 0.5)], "per_sensor")
    conn.close()

    results = node_queries(server, [
        {"text": "SELECT sensor, n, top FROM per_sensor WHERE n >= $1 ORDER BY sensor", "values": [1]},
        {"text": "SELECT sensor FROM per_sensor WHERE sensor = $1 AND top > $2", "values": ["a", 3],
         "name": "by_sensor"},
        {"text": "SELECT sensor FROM per_sensor WHERE sensor = $1 AND top > $2", "values": ["b", 3],
         "name": "by_sensor"},
        {"text": "SELECT $1::text || '''' || $2::text AS quoted", "values": ["it's", "ok"]},
        {"text": "SELECT $1::bigint IS NULL AS missing", "values": [None]},
        {"text": "SELECT nope FROM per_sensor WHERE n > $1", "values": [1]},
    ])
    assert results[0] == {"rows": [["a", "2", 3.5], ["b", "1", 2], ["c", "1", 0.5]], "types": [25, 20, 701]}
    assert results[1]["rows"] == [["a"]]
    assert results[2]["rows"] == []
    assert results[3]["rows"] == [["it's'ok"]]
    assert results[4]["rows"] == [[True]]
    assert results[5]["code"] == "42703" and results[5]["position"] == 8
