"""Writes N JSON order events, one per line, for bench/run-sql.sh:

    {"id": 1, "customer_id": 4711, "amount": 57.83, "ts": "2024-01-01 00:00:00.000000"}

Event time advances 1 ms per event; each event is then moved back by up to 2 s at random, so the
stream is slightly out of order but never later than the source's 5-second watermark delay (no
event is dropped as late). Amounts are whole cents from 1.00 to 100.00, customers 1..10000.
The same seed gives the same file, so every system in a run reads the same bytes."""

import argparse
import datetime as dt
import random
import sys

START = dt.datetime(2024, 1, 1)
STEP_US = 1_000
MAX_DISORDER_US = 2_000_000
CUSTOMERS = 10_000
DAY_US = 86_400_000_000


def ts_text(us, dates):
    """Microseconds since START as 'YYYY-MM-DD HH:MM:SS.ffffff' (faster than strftime)."""
    day, rem = divmod(us, DAY_US)
    if day not in dates:
        dates[day] = (START + dt.timedelta(days=day)).strftime("%Y-%m-%d")
    secs, frac = divmod(rem, 1_000_000)
    h, secs = divmod(secs, 3600)
    m, s = divmod(secs, 60)
    return f"{dates[day]} {h:02d}:{m:02d}:{s:02d}.{frac:06d}"


def write_events(out, n, seed):
    rng = random.Random(seed)
    rand, randrange = rng.random, rng.randrange
    dates = {}
    lines = []
    for i in range(1, n + 1):
        us = max(0, i * STEP_US - int(rand() * MAX_DISORDER_US))
        cents = randrange(100, 10_001)
        lines.append(f'{{"id": {i}, "customer_id": {randrange(1, CUSTOMERS + 1)}, '
                     f'"amount": {cents // 100}.{cents % 100:02d}, "ts": "{ts_text(us, dates)}"}}\n')
        if len(lines) == 100_000:
            out.writelines(lines)
            lines.clear()
            if i % 1_000_000 == 0:
                print(f"   {i:,} events written", file=sys.stderr, flush=True)
    out.writelines(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, help="file to write, one JSON event per line")
    args = p.parse_args()
    with open(args.out, "w", encoding="ascii") as out:
        write_events(out, args.events, args.seed)


if __name__ == "__main__":
    main()
