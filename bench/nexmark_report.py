"""The report of bench/run-nexmark.sh: reads the name=value figures the script collected, the
queries, DuckDB's batch answers and the freshness poller's JSON; checks every query's totals against
DuckDB's; prints the table with the published per-core figures of other systems and Sluice's targets;
writes the results JSON with the machine."""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine  # noqa: E402
from sql_report import parse_totals, read_figures, same  # noqa: E402

# Published events/s per core (the Nexmark figures each project reports for its own system).
PUBLISHED = {
    "flink_1_13": {"q0": 155_000, "q5": 22_000, "q7": 12_000, "q8": 146_000},
    "risingwave": {"q0": 118_000, "q5": 5_200, "q7": 20_000},
    "feldera_dbsp": {"q0": 1_170_000},
}
TARGETS = {"q0": 2_000_000, "q1": 2_000_000, "q2": 2_000_000, "q5": 1_000_000, "q7": 1_000_000,
           "q3": 500_000, "q4": 500_000, "q8": 500_000}
FRESHNESS_TARGET_P99_MS = 50


def sources_read(sql):
    """The Nexmark streams a query reads (each is its own topic, so a query pays only for these)."""
    return sorted(set(re.findall(r"(?:FROM|JOIN)\s+(?:TUMBLE\(|HOP\()?\s*(person|auction|bid)\b", sql)))


def add_events_read(r, counts, cpu):
    """Events in the topics the query reads, and those per CPU-second, next to the whole stream's."""
    read = sum(counts[t] for t in sources_read(r["sql"]))
    r["sluice"]["sources_read"] = sources_read(r["sql"])
    r["sluice"]["events_read"] = read
    r["sluice"]["events_read_per_cpu_s"] = read / cpu if cpu else None


def version(command, marker=""):
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        return next(l.strip() for l in (out.stdout or out.stderr).splitlines() if marker in l)
    except (OSError, StopIteration):
        return "unknown"


def main():
    p = argparse.ArgumentParser()
    for flag in ("--results", "--queries", "--commit", "--json", "--freshness-seconds"):
        p.add_argument(flag, required=True)
    p.add_argument("--duckdb")
    p.add_argument("--freshness-rates", default="")
    p.add_argument("--freshness-dir")
    p.add_argument("--profiles")
    a = p.parse_args()
    f = read_figures(a.results)
    n = int(f["events"])
    queries = json.load(open(a.queries))
    duckdb = json.load(open(a.duckdb)) if a.duckdb else None

    out_queries, ok = {}, True
    for q, spec in queries.items():
        r = {"title": spec["title"], "sql": spec["create"], "totals_sql": spec["totals"]}
        if f"{q}_error" in f:
            r["error"] = f[f"{q}_error"]
            out_queries[q] = r
            ok = False
            continue
        cpu, wall, worker = f[f"{q}_cpu_s"], f[f"{q}_wall_s"], f[f"{q}_worker_cpu_s"]
        state = str(f[f"{q}_state_bytes"])
        totals = parse_totals(f[f"{q}_sluice_totals"]) if str(f[f"{q}_sluice_totals"]).strip() else []
        r["sluice"] = {
            "wall_s": wall, "cpu_s": cpu, "worker_thread_cpu_s": worker,
            "events_per_s_wall": n / wall, "events_per_cpu_s": n / cpu if cpu else None,
            "events_per_worker_cpu_s": n / worker if worker else None,
            "cpu_pressure_percent": f[f"{q}_cpu_pressure_pct"],
            "peak_rss_mib": f[f"{q}_peak_rss_kib"] / 1024, "rss_at_start_mib": f[f"{q}_rss_before_kib"] / 1024,
            "state_bytes": int(float(state.split(":")[-1])),
            "state_bytes_source": "data dir sql-state" if state.startswith("sql-state") else "GET /api/pipelines",
            "rows": int(f[f"{q}_rows"]), "totals": totals,
        }
        add_events_read(r, {t: int(f[f"{t}_events"]) for t in ("person", "auction", "bid")}, cpu)
        if duckdb and q in duckdb["queries"]:
            d = duckdb["queries"][q]
            r["duckdb"] = {"query_s": d["query_s"], "totals": d["totals"]}
            r["equal_to_duckdb"] = same(totals, d["totals"])
            ok = ok and r["equal_to_duckdb"]
        per_core = r["sluice"]["events_per_cpu_s"]
        r["published_events_per_s_per_core"] = {s: v[q] for s, v in PUBLISHED.items() if q in v}
        r["ratio_to_published"] = {s: per_core / v for s, v in r["published_events_per_s_per_core"].items()}
        if q in TARGETS:
            r["target_events_per_s_per_core"] = TARGETS[q]
            r["meets_target"] = per_core >= TARGETS[q]
        if a.profiles and os.path.exists(os.path.join(a.profiles, f"profile-{q}.txt")):
            r["profile_top"] = open(os.path.join(a.profiles, f"profile-{q}.txt")).read().splitlines()
        out_queries[q] = r

    print(f"\n{n:,} Nexmark events ({int(f['person_events']):,} persons, {int(f['auction_events']):,} auctions, "
          f"{int(f['bid_events']):,} bids); per query, from CREATE MATERIALIZED VIEW until it has read them all")
    print(f"{'query':6} {'wall s':>7} {'CPU s':>7} {'ev/CPU-s':>11} {'ev/worker-s':>11} {'CPU wait':>8} "
          f"{'read/CPU-s':>11} {'peak RSS':>9} {'state':>9} {'rows':>9} | {'target':>9} | {'Flink':>6} {'RW':>6} {'DBSP':>6} | DuckDB")
    for q, r in out_queries.items():
        if "error" in r:
            print(f"{q:6} FAILED: {r['error']}")
            continue
        s = r["sluice"]
        ratio = r["ratio_to_published"]
        cells = " ".join(f"{ratio[k]:>5.1f}x" if k in ratio else f"{'-':>6}" for k in PUBLISHED)
        target = f"{'met' if r['meets_target'] else 'missed':>9}" if "meets_target" in r else f"{'-':>9}"
        check = ("equal" if r["equal_to_duckdb"] else "DIFFERS") if "equal_to_duckdb" in r else "not checked"
        print(f"{q:6} {s['wall_s']:>7.2f} {s['cpu_s']:>7.2f} {s['events_per_cpu_s']:>11,.0f} "
              f"{s['events_per_worker_cpu_s']:>11,.0f} {s['cpu_pressure_percent']:>7.0f}% {s['events_read_per_cpu_s']:>11,.0f} "
              f"{s['peak_rss_mib']:>7.0f}Mi "
              f"{s['state_bytes'] / 2**20:>7.1f}Mi {s['rows']:>9,} | {target} | {cells} | {check}")
    print("ev/CPU-s: events / the server's CPU seconds (all threads) = events/s per core; ev/worker-s: per CPU-second "
          "of the busiest thread (the engine worker); read/CPU-s: events of the topics the query reads (q3 and q8 "
          "read no bids) per CPU-second; ratios: Sluice ev/CPU-s over the published per-core figure")
    print(f"fill: {n / f['fill_s']:,.0f} events/s (kcat); generate: {f['generate_s']:.2f} s"
          + (f"; DuckDB read_json {duckdb['load_s']:.2f} s" if duckdb else ""))

    freshness = []
    for rate in [r for r in a.freshness_rates.split(",") if r]:
        fr = json.load(open(os.path.join(a.freshness_dir, f"freshness-{rate}.json")))
        k = f"fresh_{rate}_"
        bids = f[k + "bids"]
        run = {"requested_bids_per_s": float(rate), "seconds": float(a.freshness_seconds),
               "bids_produced": int(bids), "achieved_bids_per_s": bids / f[k + "produce_s"],
               "probes_sent": int(f[k + "probes"]), "server_cpu_s": f[k + "cpu_s"],
               "server_cpu_per_s": f[k + "cpu_s"] / f[k + "produce_s"],
               "cpu_pressure_percent": f[k + "cpu_pressure_pct"], "peak_rss_mib": f[k + "peak_rss_kib"] / 1024,
               "views": ["q0 over the live topic", "probe"], "target_p99_ms": FRESHNESS_TARGET_P99_MS} | fr
        lat = fr["latency_ms"]
        run["meets_target"] = lat["p99"] is not None and lat["p99"] < FRESHNESS_TARGET_P99_MS
        freshness.append(run)
        fmt_ms = lambda v: "-" if v is None else f"{v:.1f} ms"  # noqa: E731
        print(f"freshness at {run['achieved_bids_per_s']:,.0f} bids/s ({int(float(rate)):,} asked) for "
              f"{a.freshness_seconds} s into q0 + probe view: {fr['probes_seen']}/{run['probes_sent']} probes seen; "
              f"append -> visible in a pull query p50 {fmt_ms(lat['p50'])}, p99 {fmt_ms(lat['p99'])}, max "
              f"{fmt_ms(lat['max'])}; server {run['server_cpu_per_s']:.2f} cores; CPU wait {run['cpu_pressure_percent']}%")
    print(f"load average: start {f['load_start']}, end {f['load_end']}")

    now = datetime.datetime.now(datetime.timezone.utc)
    out = {
        "benchmark": "bench/run-nexmark.sh",
        "date": now.strftime("%Y-%m-%d"), "time_utc": now.strftime("%H:%M"), "git_commit": a.commit,
        "machine": machine("the server, kcat, psql and DuckDB share these cores; other jobs (builds) may run too")
        | {"load_average_at_start": f["load_start"]},
        "load_average_before_fill": f["load_before_fill"], "load_average_at_end": f["load_end"],
        "versions": {"duckdb": duckdb["version"] if duckdb else None, "kcat": version(["kcat", "-V"], "Version"),
                     "psql": version(["psql", "--version"])},
        "parameters": {"events": n, "persons": int(f["person_events"]), "auctions": int(f["auction_events"]),
                       "bids": int(f["bid_events"]), "events_bytes": int(f["events_bytes"]),
                       "partitions_per_topic": 1, "event_time_rate_per_s": 10000, "watermark_delay_s": 4,
                       "seed": 1},
        "generate_s": f["generate_s"],
        "fill": {"seconds": f["fill_s"], "events_per_s": n / f["fill_s"], "cpu_pressure_percent": f["fill_cpu_pressure_pct"],
                 "producer": "kcat -P -l, linger.ms=50"},
        "duckdb_load_s": duckdb["load_s"] if duckdb else None,
        "queries": out_queries,
        "freshness": freshness,
        "published_events_per_s_per_core": PUBLISHED,
    }
    with open(a.json, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    if not ok:
        print("a query failed or differs from DuckDB's answer (see the JSON)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
