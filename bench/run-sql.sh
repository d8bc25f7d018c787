#!/usr/bin/env bash
# Throughput of the SQL engine's materialized views over JSON events already in a topic, with the
# same answers computed in batch by SQLite (and DuckDB, when npm can install it) in the same run.
# Results: a table on stdout, and bench/results/sql-YYYY-MM-DD.json. `--help` for the options.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
Usage: bench/run-sql.sh [--events N] [--quick] [--views LIST] [--profile] [--skip-build]

Builds the release preset (build/sluice), starts `sluice serve` on free 127.0.0.1 ports with a
fresh scratch data directory, and fills the topic `orders` (one partition) with N JSON order
events from bench/sql_events.py, produced by kcat (librdkafka) before any view exists. Then, one
view at a time, on a freshly restarted server (so its CPU and peak RSS belong to that view):

  filter        SELECT id, amount * 2 AS doubled, customer_id FROM orders WHERE amount > 50
  tumble        SELECT window_start, count(*) AS n, sum(amount) AS revenue
                FROM TUMBLE(orders, ts, INTERVAL '1' MINUTE) GROUP BY window_start
  per_customer  SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id

Each view is timed from CREATE MATERIALIZED VIEW until it has read every event: an
`INSERT INTO bench_sync` (a source no view reads) returns only once every view has caught up
with its topics. Events/s = N / wall seconds, and N / server CPU seconds (utime + stime from
/proc/PID/stat, all threads; the busiest thread's, the engine worker's, is reported too). The
view's totals (rows, sums) are then checked against SQLite's answer to the same query over the
same events (loaded as text, decoded with json_extract, each view materialized as a table), and
DuckDB's (threads=1, its JSON reader) when npm can install @duckdb/node-api. About 6 minutes
with the defaults on 2 cores.

  --events N     events in the topic (default 10000000)
  --quick        200000 events: a check that everything works, not a measurement
  --views LIST   comma-separated, from the three above (default: all)
  --profile      also `perf record` the server during each view and print its top functions
  --skip-build   use build/sluice as it is
EOF
}

events=10000000
views=filter,tumble,per_customer
profile=0
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --quick) events=200000; shift ;;
    --views) views="$2"; shift 2 ;;
    --profile) profile=1; shift ;;
    --skip-build) build=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3

log() { printf '\n== %s\n' "$*"; }
load_now() { cut -d' ' -f1-3 /proc/loadavg; }

# --- build -----------------------------------------------------------------------------------------
if [ "$build" = 1 ]; then
  log "building build/sluice (release preset)"
  cmake --preset release >/dev/null
  cmake --build build --target sluice
fi
for tool in kcat psql; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (see --help)" >&2; exit 1; }
done

# --- processes and scratch space, all cleaned up on exit ---------------------------------------
scratch="$(mktemp -d -p build bench-sql.XXXXXX)"
scratch="$(cd "$scratch" && pwd)"
server_pid=""
perf_pid=""
cleanup() {
  for pid in $perf_pid $server_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $perf_pid $server_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

# shellcheck source=bench/sql_lib.sh
source bench/sql_lib.sh
kafka_addr="127.0.0.1:$(free_port)"
pg_port="$(free_port)"
http_port="$(free_port)"

results="$scratch/results.env"
: >"$results"

commit="$(git describe --always --dirty 2>/dev/null || echo unknown)"
put load_start "$(load_now)"
put events "$events"

# --- the events, and the topic filled with them before any view exists ---------------------------
events_file="$scratch/orders.json"
log "writing $events JSON order events"
$py bench/sql_events.py --events "$events" --out "$events_file"
put events_file_bytes "$(stat -c %s "$events_file")"

log "starting sluice serve (Kafka $kafka_addr, Postgres port $pg_port) and filling topic orders"
start_server
build/sluice topic create -b "$kafka_addr" -p 1 orders >/dev/null
put load_before_fill "$(load_now)"
start="$(now)"
mark="$(pressure_mark)"
# -l: one record per line. Large batches: up to 1 MB per request, 100 000 records per batch.
kcat -P -l -b "$kafka_addr" -t orders -p 0 -X linger.ms=50 -X batch.num.messages=100000 \
  -X queue.buffering.max.messages=2000000 -X queue.buffering.max.kbytes=2097151 "$events_file"
put fill_s "$(elapsed "$start")"
put fill_cpu_pressure_pct "$(pressure_since "$mark")"
high="$(build/sluice topic describe -b "$kafka_addr" orders | awk '$1 == "0" { print $4 }')"
[ "$high" = "$events" ] || { echo "topic orders holds $high records, not $events" >&2; exit 1; }
sql "CREATE SOURCE orders (id bigint, customer_id bigint, amount double precision, ts timestamp,
       WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'orders', format = 'json')" \
  "CREATE SOURCE bench_sync (n bigint) WITH (topic = 'bench_sync', format = 'json')"
stop_server

# --- the views, one at a time ----------------------------------------------------------------------
declare -A view_sql=(
  [filter]="SELECT id, amount * 2 AS doubled, customer_id FROM orders WHERE amount > 50"
  [tumble]="SELECT window_start, count(*) AS n, sum(amount) AS revenue
            FROM TUMBLE(orders, ts, INTERVAL '1' MINUTE) GROUP BY window_start"
  [per_customer]="SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id"
)
declare -A totals_sql=(
  [filter]="SELECT count(*), sum(doubled), sum(customer_id) FROM v_filter"
  [tumble]="SELECT count(*), sum(n), sum(revenue) FROM v_tumble"
  [per_customer]="SELECT count(*), sum(n), sum(total) FROM v_per_customer"
)


for view in ${views//,/ }; do
  [ -n "${view_sql[$view]:-}" ] || { echo "unknown view: $view (see --help)" >&2; exit 2; }
  log "view $view over $events events"
  start_server
  put "${view}_load_before" "$(load_now)"
  put "${view}_rss_before_kib" "$(status_kib VmRSS)"
  if [ "$profile" = 1 ]; then
    perf record -F 499 -g -p "$server_pid" -o "$scratch/perf-$view.data" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5  # lets perf attach; not part of the timed interval
  fi
  thread_cpu_seconds >"$scratch/threads-before"
  cpu_before="$(cpu_seconds)"
  mark="$(pressure_mark)"
  start="$(now)"
  sql "CREATE MATERIALIZED VIEW v_$view AS ${view_sql[$view]}"
  wait_caught_up "$start"
  put "${view}_wall_s" "$(elapsed "$start")"
  put "${view}_cpu_s" "$(awk -v a="$cpu_before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')"
  put "${view}_worker_cpu_s" "$(busiest_thread_delta "$scratch/threads-before")"
  put "${view}_cpu_pressure_pct" "$(pressure_since "$mark")"
  put "${view}_peak_rss_kib" "$(status_kib VmHWM)"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    perf_pid=""
    echo "   top functions (self time, % of samples):"
    perf report -i "$scratch/perf-$view.data" --no-children -g none --sort dso,sym --stdio 2>/dev/null |
      grep -E '^ +[0-9]' | head -25 | cut -c1-160 || true  # head ends the pipe early
  fi
  put "${view}_sluice_totals" "$(sql "${totals_sql[$view]}" | tr '|' ' ')"
  sql "DROP MATERIALIZED VIEW v_$view"
  stop_server
done

# --- the same answers in batch -----------------------------------------------------------------------
log "SQLite: the same queries over the same events"
put load_before_sqlite "$(load_now)"
$py bench/sql_sqlite.py --events-file "$events_file" --views "$views" >"$scratch/sqlite.json"
duckdb_json=""
duckdb_modules="$(ensure_duckdb)"
if [ -n "$duckdb_modules" ] &&
  node bench/sql_duckdb.js "$duckdb_modules" "$events_file" "$views" >"$scratch/duckdb.json"; then
  duckdb_json="$scratch/duckdb.json"
else
  echo "   DuckDB skipped"
fi

# --- report ---------------------------------------------------------------------------------------------
put load_end "$(load_now)"
mkdir -p bench/results
out="bench/results/sql-$(date +%F).json"
$py bench/sql_report.py --results "$results" --sqlite "$scratch/sqlite.json" ${duckdb_json:+--duckdb "$duckdb_json"} \
  --views "$views" --commit "$commit" --json "$out"
echo "results written to $out"
