"""The freshness poller of bench/run-nexmark.sh: asks the probe view (bids with auction = -1, whose
bidder is a sequence number and price the generator's send time in µs since the epoch) for new
probes over and over, and notes when each first shows up. A pull query sees every record appended
before it started, so a probe is seen by the first poll that starts after it was appended. Prints
JSON: probes seen, latency percentiles (ms), polls made."""

import argparse
import json
import sys
import time

import psycopg2


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[i]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--poll-ms", type=float, default=2, help="pause between polls (a poll costs the server CPU)")
    a = p.parse_args()
    conn = psycopg2.connect(host="127.0.0.1", port=a.port, user="bench", dbname="sluice")
    conn.autocommit = True
    cur = conn.cursor()
    last, latencies, polls, poll_ms, slow = 0, [], 0, [], []
    begin = time.time()
    deadline = begin + a.seconds
    while time.time() < deadline:
        t0 = time.time()
        cur.execute("SELECT seq, sent_us FROM probe WHERE seq > %s", (last,))
        rows = cur.fetchall()
        seen_us = time.time() * 1e6
        polls += 1
        poll_ms.append((seen_us / 1e6 - t0) * 1e3)
        for seq, sent_us in rows:
            latencies.append((seen_us - sent_us) / 1e3)
            if latencies[-1] > 100 and len(slow) < 200:  # when the slow ones were sent: periodic or not
                slow.append([round(sent_us / 1e6 - begin, 3), round(latencies[-1], 1)])
            last = max(last, seq)
        time.sleep(a.poll_ms / 1000)
    latencies.sort()
    poll_ms.sort()
    out = {"probes_seen": len(latencies), "polls": polls, "poll_pause_ms": a.poll_ms,
           "latency_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
                          "p99": percentile(latencies, 99), "max": latencies[-1] if latencies else None,
                          "min": latencies[0] if latencies else None},
           "poll_ms": {"p50": percentile(poll_ms, 50), "p99": percentile(poll_ms, 99)},
           "over_100ms_sent_at_s_and_ms": slow}
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
