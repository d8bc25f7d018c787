"""The batch reference of bench/run-sql.sh: SQLite (in memory, one thread) computes the answers of
the benchmark's views over the same event file and materializes each one as a table, as the view
does. Times, separately: loading the lines as text, decoding the JSON into columns (SQLite's own
json_extract, so the decode is C code as in Sluice), and each query. Prints a JSON object with the
timings and, per view, the totals that bench/sql_report.py compares with Sluice's view."""

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time

# The benchmark's views as SQLite computes them. substr(ts, 1, 16) is the minute the event falls
# in, 'YYYY-MM-DD HH:MM': the start of its 1-minute tumbling window.
QUERIES = {
    "filter": "SELECT id, amount * 2 AS doubled, customer_id FROM orders WHERE amount > 50",
    "tumble": "SELECT substr(ts, 1, 16) AS window_start, count(*) AS n, sum(amount) AS revenue "
              "FROM orders GROUP BY window_start",
    "per_customer": "SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id",
}
# Per view: the totals that must equal the Sluice view's. For the tumbling window, only the windows
# the watermark has closed (:last_closed is the start of the last one).
TOTALS = {
    "filter": "SELECT count(*), sum(doubled), sum(customer_id) FROM v_filter",
    "tumble": "SELECT count(*), sum(n), sum(revenue) FROM v_tumble WHERE window_start <= :last_closed",
    "per_customer": "SELECT count(*), sum(n), sum(total) FROM v_per_customer",
}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def last_closed_window(max_ts, delay_s=5, size_s=60):
    """The start of the last window whose end the final watermark (max event time - delay) reached."""
    watermark = dt.datetime.strptime(max_ts, "%Y-%m-%d %H:%M:%S.%f") - dt.timedelta(seconds=delay_s)
    last = watermark - dt.timedelta(seconds=size_s)
    return last.strftime("%Y-%m-%d %H:%M")  # floor to the minute: a window closed iff its start <= this


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events-file", required=True)
    p.add_argument("--views", default="filter,tumble,per_customer")
    args = p.parse_args()

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE raw (line TEXT)")
    db.execute("CREATE TABLE orders (id INTEGER, customer_id INTEGER, amount REAL, ts TEXT)")
    out = {"system": "sqlite", "version": sqlite3.sqlite_version, "threads": 1}

    def load():
        with open(args.events_file, encoding="ascii") as f:
            db.executemany("INSERT INTO raw VALUES (?)", ((line,) for line in f))
    _, out["load_text_s"] = timed(load)
    _, out["decode_json_s"] = timed(lambda: db.execute(
        "INSERT INTO orders SELECT json_extract(line, '$.id'), json_extract(line, '$.customer_id'), "
        "json_extract(line, '$.amount'), json_extract(line, '$.ts') FROM raw"))
    db.execute("DROP TABLE raw")
    out["events"], max_ts = db.execute("SELECT count(*), max(ts) FROM orders").fetchone()
    params = {"last_closed": last_closed_window(max_ts)}

    out["views"] = {}
    for name in args.views.split(","):
        _, seconds = timed(lambda: db.execute(f"CREATE TABLE v_{name} AS {QUERIES[name]}"))
        rows, a, b = db.execute(TOTALS[name], params if ":" in TOTALS[name] else {}).fetchone()
        out["views"][name] = {"query_s": seconds, "totals": [rows, a, b]}
        print(f"   sqlite {name}: {seconds:.2f} s, totals {rows} {a} {b}", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
