#!/usr/bin/env python3
"""bench/kafka_report.py — the report of bench/run-kafka.sh: reads the name=value figures the script
collected, prints the side-by-side table, Sluice's ratios and the project's targets, and writes the
results JSON (with a description of the machine, as bench/results/storage-*.json has)."""
import argparse
import datetime
import json
import os
import sys
import statistics
import subprocess

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import machine as shared_machine  # noqa: E402


def number(text):
    try:
        return float(text)
    except ValueError:
        return text


def read_figures(path):
    """name=value lines; a value of several numbers (one per round) becomes their median, and the
    rounds are kept under name_rounds."""
    figures = {}
    with open(path) as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            values = [number(v) for v in value.split()]
            if len(values) > 1:
                figures[name + "_rounds"] = values
                figures[name] = statistics.median(values)
            elif name:
                figures[name] = values[0] if values else ""
    return figures


def first_line(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        return out.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def machine():
    return shared_machine("every server and its load generator share these cores; other jobs may run too")


def latency_json(f, run, seconds):
    return {"target_rate": f[f"sluice_{run}_rate"], "achieved_rate": f[f"sluice_{run}_achieved_rate"],
            "seconds": seconds, "p50_ms": f[f"sluice_{run}_p50_ms"], "p99_ms": f[f"sluice_{run}_p99_ms"],
            "p99_9_ms": f[f"sluice_{run}_p99_9_ms"]}


def main():
    p = argparse.ArgumentParser()
    for flag in ("--results", "--json", "--commit", "--load-start", "--load-end"):
        p.add_argument(flag, required=True)
    for flag in ("--rounds", "--records-1k", "--records-100", "--records-acks-all", "--latency-seconds"):
        p.add_argument(flag, type=int, required=True)
    a = p.parse_args()
    f = read_figures(a.results)

    systems = ["sluice", "redis", "jetstream", "mock"]
    labels = {"sluice": "Sluice (acks=1)", "redis": "Redis Streams (AOF everysec)",
              "jetstream": "NATS JetStream (file)", "mock": "librdkafka mock broker"}
    print(f"\nrecords/s, median of {a.rounds} round(s) (MB/s of values, MB = 10^6 B)")
    print(f"{'system':32} {'1 KiB':>20} {'100 B':>20}")
    for s in systems:
        cells = [f"{f[f'{s}_{k}']:>10,.0f} ({f[f'{s}_{k}'] * size / 1e6:6.1f})"
                 for k, size in (("1k", 1024), ("100", 100))]
        print(f"{labels[s]:32} {cells[0]:>20} {cells[1]:>20}")

    ratios = {f"{k}_vs_{peer}": round(f[f"sluice_{k}"] / f[f"{peer}_{k}"], 3)
              for k in ("1k", "100") for peer in ("redis", "jetstream", "mock")}
    print("\nSluice ÷ peer   " + "  ".join(f"{k}: {v:.2f}" for k, v in ratios.items()))

    gb_1k = a.rounds * a.records_1k * 1024 / 1e9
    cpu_per_gb = f["sluice_1k_server_cpu_s"] / gb_1k
    syncs = f.get("sluice_acks_all_fdatasyncs")
    per_sync = a.records_acks_all / syncs if syncs else None
    print(f"\nSluice acks=all, flush.messages=1, 1 KiB: {f['sluice_1k_acks_all']:,.0f} records/s; "
          + (f"{syncs:.0f} fdatasyncs, {per_sync:.1f} records each" if syncs
             else f"fdatasyncs not counted ({f['sluice_fdatasync_counter']})"))
    print(f"Sluice server CPU: {f['sluice_1k_server_cpu_s']:.2f} s for {gb_1k:.3f} GB at 1 KiB "
          f"= {cpu_per_gb:.2f} CPU-s/GB")
    latency_runs = [r for r in ("latency", "latency_low", "latency_split") if f"sluice_{r}_rate" in f]
    for run in latency_runs:
        if run == "latency_split":
            print("  the same at the half rate, broker on CPU 0 and load generator on CPU 1:")
        print(f"Sluice end-to-end latency at {f[f'sluice_{run}_rate']:,.0f} records/s (achieved "
              f"{f[f'sluice_{run}_achieved_rate']:,.0f}): p50 {f[f'sluice_{run}_p50_ms']:.3f} ms, "
              f"p99 {f[f'sluice_{run}_p99_ms']:.3f} ms, p99.9 {f[f'sluice_{run}_p99_9_ms']:.3f} ms")
    print(f"CPU pressure (some task waiting for a CPU): {f['cpu_pressure_pct_rounds']}% of the throughput "
          f"rounds, {f['cpu_pressure_pct_latency']}% and {f['cpu_pressure_pct_latency_low']}% "
          "of the latency runs")

    targets = [
        ("1 KiB records/s >= 2 x Redis", 2.0, ratios["1k_vs_redis"], True),
        ("1 KiB records/s >= 2.5 x JetStream", 2.5, ratios["1k_vs_jetstream"], True),
        ("1 KiB records/s >= 0.8 x mock broker", 0.8, ratios["1k_vs_mock"], True),
        ("100 B records/s >= 1.5 x Redis", 1.5, ratios["100_vs_redis"], True),
        ("p99 end-to-end latency at half max rate < 2 ms", 2.0, f["sluice_latency_p99_ms"], False),
    ]
    if "latency_split" in latency_runs:
        targets.append(("  the same, broker and load generator on separate CPUs", 2.0,
                        f["sluice_latency_split_p99_ms"], False))
    print("\ntargets")
    target_json = []
    for name, bound, value, at_least in targets:
        met = value >= bound if at_least else value < bound
        print(f"  {name:50} {value:8.2f}  {'met' if met else 'MISSED'}")
        target_json.append({"target": name, "bound": bound, "value": value, "met": met})

    now = datetime.datetime.now(datetime.timezone.utc)
    per_system = {s: {"records_per_s_1kib": f[f"{s}_1k"], "records_per_s_100b": f[f"{s}_100"],
                      "mb_per_s_1kib": round(f[f"{s}_1k"] * 1024 / 1e6, 1),
                      "mb_per_s_100b": round(f[f"{s}_100"] * 100 / 1e6, 1),
                      "records_per_s_1kib_each_round": f.get(f"{s}_1k_rounds", [f[f"{s}_1k"]]),
                      "records_per_s_100b_each_round": f.get(f"{s}_100_rounds", [f[f"{s}_100"]])}
                  for s in systems}
    per_system["sluice"].update({
        "acks_all_flush_messages_1_records_per_s_1kib": f["sluice_1k_acks_all"],
        "acks_all_fdatasyncs": syncs,
        "acks_all_records_per_fdatasync": round(per_sync, 2) if per_sync else None,
        "fdatasync_counted_with": f["sluice_fdatasync_counter"],
        "server_cpu_seconds_1kib_rounds": f["sluice_1k_server_cpu_s"],
        "server_cpu_seconds_per_gb": round(cpu_per_gb, 2),
        "end_to_end_latency_1kib_half_max_rate": latency_json(f, "latency", a.latency_seconds),
        "end_to_end_latency_1kib_low_rate": latency_json(f, "latency_low", a.latency_seconds),
    })
    if "latency_split" in latency_runs:
        per_system["sluice"]["end_to_end_latency_1kib_half_max_rate_separate_cpus"] = (
            latency_json(f, "latency_split", a.latency_seconds)
            | {"pinning": "broker threads on CPU 0 (taskset -a -p), load generator on CPU 1 (taskset -c 1)"})
    report = {
        "benchmark": "kafka side by side",
        "date": now.strftime("%Y-%m-%d"),
        "time_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": a.commit,
        "machine": machine() | {"load_average_at_start": a.load_start},
        "load_average_at_end": a.load_end,
        "cpu_pressure_percent": {"throughput_rounds": f["cpu_pressure_pct_rounds"],
                                 "latency_run_half_max_rate": f["cpu_pressure_pct_latency"],
                                 "latency_run_low_rate": f["cpu_pressure_pct_latency_low"],
                                 "latency_run_half_max_rate_separate_cpus":
                                     f.get("cpu_pressure_pct_latency_split"),
                                 "meaning": "share of wall time in which some runnable task waited for a CPU "
                                            "(/proc/pressure/cpu)"},
        "versions": {
            "librdkafka": first_line(["pkg-config", "--modversion", "rdkafka"]),
            "redis": first_line(["redis-server", "--version"]),
            "nats_server": first_line(["nats-server", "--version"]),
        },
        "parameters": {
            "rounds": a.rounds, "records_1kib": a.records_1k, "records_100b": a.records_100,
            "records_acks_all": a.records_acks_all,
            "partitions": 1,
            "kafka_load": "rdkafka_performance -P -p 0 -a 1 -m <filler> -X linger.ms=5 "
                          "-X batch.num.messages=10000 "
                          "-X queue.buffering.max.messages=1000000",
            "redis_load": "redis-benchmark -c 50 -P 64 XADD <stream> * f <value>",
            "jetstream_load": "bench/peers/nats_publish.c, js_PublishAsync, 4096 unacknowledged at most",
            "latency_load": "sluice bench --mode end-to-end --record-size 1024 --rate <half the median 1 KiB "
                            "rate, then the low rate> -X linger.ms=0",
        },
        "units": "records/s of acknowledged records; MB = 10^6 bytes of record values",
        "results": per_system,
        "ratios_sluice_over_peer": ratios,
        "targets": target_json,
    }
    with open(a.json, "w") as out:
        json.dump(report, out, indent=2)
        out.write("\n")


if __name__ == "__main__":
    main()
