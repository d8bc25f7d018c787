"""The report of bench/run-sql.sh: reads the name=value figures the script collected and the batch
references' JSON (SQLite, and DuckDB when it ran), checks that every Sluice view holds the same
totals as the batch answer, prints the table, and writes the results JSON with the machine."""

import argparse
import datetime
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine as shared_machine  # noqa: E402

VIEW_SQL = {
    "filter": "SELECT id, amount * 2 AS doubled, customer_id FROM orders WHERE amount > 50",
    "tumble": "SELECT window_start, count(*) AS n, sum(amount) AS revenue "
              "FROM TUMBLE(orders, ts, INTERVAL '1' MINUTE) GROUP BY window_start",
    "per_customer": "SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id",
}
TOTALS = {"filter": "rows, sum(doubled), sum(customer_id)",
          "tumble": "windows closed by the watermark, sum(n), sum(revenue)",
          "per_customer": "groups, sum(n), sum(total)"}


def read_figures(path):
    figures = {}
    with open(path) as f:
        for line in f:
            name, _, value = line.rstrip("\n").partition("=")
            try:
                figures[name] = float(value)
            except ValueError:
                figures[name] = value
    return figures


def version(command, marker=""):
    """The first line of the command's output that contains `marker`."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        return next(l.strip() for l in (out.stdout or out.stderr).splitlines() if marker in l)
    except (OSError, StopIteration):
        return "unknown"


def machine():
    return shared_machine("the server, psql and the batch references share these cores; other jobs may run too")


def same(a, b):
    """Counts exactly; sums of doubles to 1e-9 relative (they are added in different orders)."""
    return all(x == y if isinstance(x, int) and isinstance(y, int)
               else math.isclose(float(x), float(y), rel_tol=1e-9) for x, y in zip(a, b)) and len(a) == len(b)


def parse_totals(text):
    return [int(v) if v.lstrip("-").isdigit() else float(v) for v in str(text).split()]


def main():
    p = argparse.ArgumentParser()
    for flag in ("--results", "--sqlite", "--views", "--commit", "--json"):
        p.add_argument(flag, required=True)
    p.add_argument("--duckdb")
    a = p.parse_args()
    f = read_figures(a.results)
    n = int(f["events"])
    sqlite = json.load(open(a.sqlite))
    duckdb = json.load(open(a.duckdb)) if a.duckdb else None
    sqlite_decode = sqlite["decode_json_s"]  # the text load is Python, not SQLite

    views, checks = {}, {}
    for v in a.views.split(","):
        wall, cpu = f[f"{v}_wall_s"], f[f"{v}_cpu_s"]
        totals = parse_totals(f[f"{v}_sluice_totals"])
        ref = {"sqlite": sqlite["views"][v]["totals"]}
        if duckdb:
            ref["duckdb"] = duckdb["views"][v]["totals"]
        checks[v] = {k: same(totals, t) for k, t in ref.items()}
        sq = sqlite["views"][v]["query_s"]
        views[v] = {
            "sql": VIEW_SQL[v],
            "sluice": {"wall_s": wall, "cpu_s": cpu, "events_per_s_wall": n / wall,
                       "events_per_cpu_s": n / cpu, "worker_thread_cpu_s": f[f"{v}_worker_cpu_s"],
                       "events_per_worker_cpu_s": n / f[f"{v}_worker_cpu_s"],
                       "cpu_pressure_percent": f[f"{v}_cpu_pressure_pct"], "peak_rss_mib": f[f"{v}_peak_rss_kib"] / 1024,
                       "rss_at_start_mib": f[f"{v}_rss_before_kib"] / 1024,
                       "load_average_before": f[f"{v}_load_before"], "totals": totals},
            "sqlite": {"query_s": sq, "events_per_s_query": n / sq,
                       "events_per_s_decode_and_query": n / (sqlite_decode + sq), "totals": ref["sqlite"]},
            "totals_compared": TOTALS[v],
            "equal_to": checks[v],
        }
        if duckdb:
            dq = duckdb["views"][v]["query_s"]
            views[v]["duckdb"] = {"query_s": dq, "events_per_s_query": n / dq,
                                  "events_per_s_decode_and_query": n / (duckdb["load_and_decode_json_s"] + dq),
                                  "totals": ref["duckdb"]}
        s = views[v]["sluice"]["events_per_cpu_s"]
        views[v]["ratio_sluice_per_cpu_s_over_sqlite_decode_and_query"] = s / views[v]["sqlite"][
            "events_per_s_decode_and_query"]

    print(f"\n{n:,} JSON events; Sluice: from CREATE MATERIALIZED VIEW until the view has read them all")
    print(f"{'view':13} {'wall s':>8} {'CPU s':>7} {'ev/s (wall)':>12} {'ev/CPU-s':>11} {'worker s':>8} {'CPU wait':>8} {'peak RSS':>9} |"
          f" {'SQLite dec+q ev/s':>17} {'query s':>8} | {'DuckDB dec+q ev/s':>17} {'query s':>8} | equal")
    for v, r in views.items():
        s, q = r["sluice"], r["sqlite"]
        d = r.get("duckdb")
        dcells = f"{d['events_per_s_decode_and_query']:>17,.0f} {d['query_s']:>8.2f}" if d else f"{'-':>17} {'-':>8}"
        print(f"{v:13} {s['wall_s']:>8.2f} {s['cpu_s']:>7.2f} {s['events_per_s_wall']:>12,.0f} "
              f"{s['events_per_cpu_s']:>11,.0f} {s['worker_thread_cpu_s']:>8.2f} {s['cpu_pressure_percent']:>7.0f}% "
              f"{s['peak_rss_mib']:>7.0f}Mi |"
              f" {q['events_per_s_decode_and_query']:>17,.0f} {q['query_s']:>8.2f} | {dcells} |"
              f" {', '.join(k for k, ok in r['equal_to'].items() if ok) or 'NO'}")
    print(f"fill: {n / f['fill_s']:,.0f} events/s ({f['fill_s']:.2f} s, kcat); SQLite: text load "
          f"{sqlite['load_text_s']:.2f} s, JSON decode {sqlite['decode_json_s']:.2f} s (shared by every query)"
          + (f"; DuckDB read_json {duckdb['load_and_decode_json_s']:.2f} s" if duckdb else ""))
    print("CPU s: the server's, all threads; worker s: its busiest thread (the engine worker); "
          "CPU wait: share of the time some task waited for a CPU (PSI)")
    print(f"load average: start {f['load_start']}, end {f['load_end']}")

    now = datetime.datetime.now(datetime.timezone.utc)
    out = {
        "benchmark": "bench/run-sql.sh",
        "date": now.strftime("%Y-%m-%d"), "time_utc": now.strftime("%H:%M"), "git_commit": a.commit,
        "machine": machine() | {"load_average_at_start": f["load_start"]},
        "load_average_before_fill": f["load_before_fill"],
        "load_average_before_sqlite": f["load_before_sqlite"],
        "load_average_at_end": f["load_end"],
        "versions": {"sqlite": sqlite["version"], "duckdb": duckdb["version"] if duckdb else None,
                     "kcat": version(["kcat", "-V"], "Version"), "psql": version(["psql", "--version"])},
        "parameters": {"events": n, "events_file_bytes": int(f["events_file_bytes"]), "partitions": 1,
                       "watermark_delay_s": 5, "event_time_step_ms": 1, "max_disorder_s": 2},
        "fill": {"seconds": f["fill_s"], "cpu_pressure_percent": f["fill_cpu_pressure_pct"], "events_per_s": n / f["fill_s"], "producer": "kcat -P -l, linger.ms=50"},
        "sqlite_load": {"load_text_s": sqlite["load_text_s"], "decode_json_s": sqlite["decode_json_s"]},
        "duckdb_load": {"load_and_decode_json_s": duckdb["load_and_decode_json_s"]} if duckdb else None,
        "views": views,
    }
    with open(a.json, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    if not all(all(c.values()) for c in checks.values()):
        print("a Sluice view differs from the batch answer (see equal_to in the JSON)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
