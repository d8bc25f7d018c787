#!/usr/bin/env bash
# The Nexmark benchmark for the streaming SQL engine: per query, events/s per core over events
# already in the topics, peak memory and state size, each answer checked against DuckDB computing it
# in batch over the same events; then end-to-end freshness at a steady rate. Results: a table on
# stdout and bench/results/nexmark-YYYY-MM-DD.json. `--help` for the options.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
Usage: bench/run-nexmark.sh [--events N] [--quick] [--queries LIST] [--rates LIST] [--freshness-seconds S]
                            [--profile] [--skip-build]

Builds build/sluice and build/nexmark_gen (release preset), writes N Nexmark events (persons,
auctions and bids, 1:3:46, deterministic for the seed) as JSON, starts `sluice serve` on free
127.0.0.1 ports with a fresh scratch data directory and fills the topics person, auction and bid
(one partition each, kcat) before any view exists. The queries are bench/nexmark/queries/qN.sql
(bench/nexmark/queries/NOT-EXPRESSIBLE.md lists the ones Sluice cannot express yet).

Per query, on a freshly restarted server: the time from CREATE MATERIALIZED VIEW until the view
has read every event (an INSERT into a source no view reads returns only then), the server's CPU
seconds (all threads, /proc) and its busiest thread's, events/s per CPU-second, peak RSS (VmHWM),
the view's state size (GET /api/pipelines state_bytes, else the size of the data directory's
sql-state/live, which starts empty for each query), and the query's `-- totals:` figures, compared with DuckDB's (threads=1, from npm
@duckdb/node-api) over the same JSON files.

Then freshness, per rate R: a freshly restarted server with a new topic of bids, a q0 view and a
probe view (bids with auction = -1) over it, fed R bids/s for S seconds by `nexmark_gen --rate`
through kcat (linger.ms=1), with a probe bid every 10 ms carrying its send time; a poller
(psycopg2) asks the probe view for new probes every 2 ms. Latency = when a poll first returned
the probe - when the generator wrote it. Checkpoints stay on (every second, the default).

  --events N              events in the topics (default 10000000)
  --quick                 200000 events and 10 s of freshness: a check that everything works
  --queries LIST          comma-separated, e.g. q0,q5 (default: every file in bench/nexmark/queries)
  --rates LIST            freshness: bids per second, each rate in turn (default 100000,50000,20000)
  --freshness-seconds S   freshness: how long (default 30; 0 skips it)
  --profile               also `perf record` the server during each query, print its top functions and
                          keep the recording beside the results (RESULTS-perf-qN.data, for `perf report -i`)
  --skip-build            use build/sluice and build/nexmark_gen as they are
  --json FILE             where to write the results (default bench/results/nexmark-DATE.json)
EOF
}

events=10000000
queries=""
rates=100000,50000,20000
fresh_seconds=30
profile=0
build=1
json_out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --quick) events=200000; fresh_seconds=10; shift ;;
    --queries) queries="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --freshness-seconds) fresh_seconds="$2"; shift 2 ;;
    --profile) profile=1; shift ;;
    --skip-build) build=0; shift ;;
    --json) json_out="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3

log() { printf '\n== %s\n' "$*"; }
load_now() { cut -d' ' -f1-3 /proc/loadavg; }

if [ "$build" = 1 ]; then
  log "building build/sluice and build/nexmark_gen (release preset)"
  cmake --preset release >/dev/null
  cmake --build build --target sluice nexmark_gen
fi
for tool in kcat psql curl node; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (see --help)" >&2; exit 1; }
done
$py -c 'import psycopg2' 2>/dev/null || { echo "python3-psycopg2 is needed (see --help)" >&2; exit 1; }
[ -n "$queries" ] || queries="$($py bench/nexmark_queries.py names)"

scratch="$(mktemp -d -p build bench-nexmark.XXXXXX)"
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
out="${json_out:-bench/results/nexmark-$(date +%F).json}"
put load_start "$(load_now)"
put events "$events"
$py bench/nexmark_queries.py json "$queries" >"$scratch/queries.json"
query_field() { $py -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' \
  "$scratch/queries.json" "$1" "$2"; }

# --- the events, and the topics filled with them before any view exists ---------------------------
events_dir="$scratch/events"
mkdir -p "$events_dir"
log "writing $events Nexmark events (nexmark_gen)"
start="$(now)"
build/nexmark_gen --events "$events" --out-dir "$events_dir"
put generate_s "$(elapsed "$start")"
for t in person auction bid; do put "${t}_events" "$(wc -l <"$events_dir/$t.json")"; done
put events_bytes "$(cat "$events_dir"/*.json | wc -c)"

log "starting sluice serve (Kafka $kafka_addr, Postgres port $pg_port, HTTP port $http_port) and filling the topics"
start_server
put load_before_fill "$(load_now)"
start="$(now)"
mark="$(pressure_mark)"
for t in person auction bid; do
  build/sluice topic create -b "$kafka_addr" -p 1 "$t" >/dev/null
  kcat -P -l -b "$kafka_addr" -t "$t" -p 0 -X linger.ms=50 -X batch.num.messages=100000 \
    -X queue.buffering.max.messages=2000000 -X queue.buffering.max.kbytes=2097151 "$events_dir/$t.json"
done
put fill_s "$(elapsed "$start")"
put fill_cpu_pressure_pct "$(pressure_since "$mark")"
for t in person auction bid; do
  high="$(build/sluice topic describe -b "$kafka_addr" "$t" | awk '$1 == "0" { print $4 }')"
  want="$(wc -l <"$events_dir/$t.json")"
  [ "$high" = "$want" ] || { echo "topic $t holds $high records, not $want" >&2; exit 1; }
done
psql -h 127.0.0.1 -p "$pg_port" -U bench -d sluice -X -q -v ON_ERROR_STOP=1 -f bench/nexmark/queries/sources.sql
sql "CREATE SOURCE bench_sync (n bigint) WITH (topic = 'bench_sync', format = 'json')"
stop_server

state_bytes() {  # view: its state size from GET /api/pipelines, else the data directory's sql-state
  local body
  if body="$(curl -sf "http://127.0.0.1:$http_port/api/pipelines")" &&
    $py -c 'import json, sys; v = [v for v in json.load(sys.stdin)["views"] if v["name"] == sys.argv[1]]
print(v[0]["state_bytes"]) if v else sys.exit(1)' "$1" <<<"$body" 2>/dev/null; then
    return
  fi
  echo "sql-state:$(du -sb "$scratch/data/sql-state/live" | cut -f1)"
}

# --- the queries, one at a time -------------------------------------------------------------------------
failed=""
for q in ${queries//,/ }; do
  log "$q over $events events: $(query_field "$q" title)"
  # No view exists between queries, so the operator state can start empty: its size is then this
  # query's alone (a dropped view's files are not reclaimed at once).
  rm -rf "$scratch/data/sql-state"
  start_server
  put "${q}_rss_before_kib" "$(status_kib VmRSS)"
  put "${q}_load_before" "$(load_now)"
  if [ "$profile" = 1 ]; then
    perf record -F 499 -g -p "$server_pid" -o "$scratch/perf-$q.data" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5  # lets perf attach; not part of the timed interval
  fi
  thread_cpu_seconds >"$scratch/threads-before"
  cpu_before="$(cpu_seconds)"
  mark="$(pressure_mark)"
  start="$(now)"
  if ! err="$(sql "$(query_field "$q" create)" 2>&1)"; then
    echo "   $q failed: $err"
    put "${q}_error" "$(echo "$err" | head -1)"
    failed="$failed $q"
    [ -z "$perf_pid" ] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""; }
    stop_server
    continue
  fi
  wait_caught_up "$start"
  put "${q}_wall_s" "$(elapsed "$start")"
  put "${q}_cpu_s" "$(awk -v a="$cpu_before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')"
  put "${q}_worker_cpu_s" "$(busiest_thread_delta "$scratch/threads-before")"
  put "${q}_cpu_pressure_pct" "$(pressure_since "$mark")"
  put "${q}_peak_rss_kib" "$(status_kib VmHWM)"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    perf_pid=""
    echo "   top functions (self time, % of samples):"
    cp "$scratch/perf-$q.data" "${out%.json}-perf-$q.data"
    perf report -i "$scratch/perf-$q.data" --no-children -g none --sort dso,sym --stdio 2>/dev/null |
      grep -E '^ +[0-9]' | head -25 | cut -c1-160 | tee "$scratch/profile-$q.txt" || true  # head ends the pipe early
  fi
  # The state after the next checkpoint (every second) holds everything the view read.
  sleep 1.5
  put "${q}_state_bytes" "$(state_bytes "$q")"
  put "${q}_rows" "$(sql "SELECT count(*) FROM $q")"
  put "${q}_sluice_totals" "$(sql "$(query_field "$q" totals)" | tr '|' ' ')"
  sql "DROP MATERIALIZED VIEW $q"
  stop_server
done

# --- DuckDB: the same queries in batch over the same events ------------------------------------------
log "DuckDB (npm @duckdb/node-api, threads=1): the same queries over the same JSON files"
put load_before_duckdb "$(load_now)"
duckdb_json=""
duckdb_modules="$(ensure_duckdb)"
if [ -n "$duckdb_modules" ] &&
  node bench/nexmark_duckdb.js "$duckdb_modules" "$events_dir" "$scratch/queries.json" >"$scratch/duckdb.json"; then
  duckdb_json="$scratch/duckdb.json"
else
  echo "   DuckDB skipped"
fi

# --- freshness at steady rates ------------------------------------------------------------------------------
# Each rate on a freshly restarted server, into a new topic of its own (bids in the live schema),
# so that no backlog of the fill is in the way: a q0 view and the probe view read it.
fresh_rates=""
if [ "$fresh_seconds" != 0 ]; then
  rm -rf "$events_dir"  # the batch references are done with them; the disk is not
  bid_columns="auction bigint, bidder bigint, price bigint, channel text, url text, date_time timestamp, extra text,
    WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND"
  for r in ${rates//,/ }; do
    log "freshness: q0 and a probe view, $r bids/s for $fresh_seconds s, a probe every 10 ms"
    start_server
    build/sluice topic create -b "$kafka_addr" -p 1 "live_$r" >/dev/null
    sql "CREATE SOURCE live_$r ($bid_columns) WITH (topic = 'live_$r', format = 'json')" \
      "CREATE MATERIALIZED VIEW live_q0_$r AS SELECT auction, bidder, price, date_time, extra FROM live_$r" \
      "CREATE MATERIALIZED VIEW probe AS SELECT bidder AS seq, price AS sent_us FROM live_$r WHERE auction = -1"
    cpu_before="$(cpu_seconds)"
    mark="$(pressure_mark)"
    $py bench/nexmark_freshness.py --port "$pg_port" --poll-ms 2 --seconds "$((fresh_seconds + 3))" >"$scratch/freshness-$r.json" &
    poller_pid=$!
    start="$(now)"
    build/nexmark_gen --rate "$r" --seconds "$fresh_seconds" --probe-ms 10 2>"$scratch/gen.log" |
      kcat -P -b "$kafka_addr" -t "live_$r" -p 0 -X linger.ms=1 -X batch.num.messages=10000 \
        -X queue.buffering.max.messages=2000000
    put "fresh_${r}_produce_s" "$(elapsed "$start")"
    wait "$poller_pid"
    put "fresh_${r}_bids" "$(awk '{ print $1 }' "$scratch/gen.log")"
    put "fresh_${r}_probes" "$(awk '{ print $4 }' "$scratch/gen.log")"
    put "fresh_${r}_cpu_s" "$(awk -v a="$cpu_before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')"
    put "fresh_${r}_cpu_pressure_pct" "$(pressure_since "$mark")"
    put "fresh_${r}_peak_rss_kib" "$(status_kib VmHWM)"
    sql "DROP MATERIALIZED VIEW probe" "DROP MATERIALIZED VIEW live_q0_$r"
    stop_server
    fresh_rates="$fresh_rates,$r"
  done
fi

# --- report -------------------------------------------------------------------------------------------------
put load_end "$(load_now)"
mkdir -p bench/results
$py bench/nexmark_report.py --results "$results" --queries "$scratch/queries.json" \
  ${duckdb_json:+--duckdb "$duckdb_json"} --freshness-rates "${fresh_rates#,}" --freshness-dir "$scratch" \
  --freshness-seconds "$fresh_seconds" --commit "$commit" --json "$out" \
  --profiles "$scratch"
echo "results written to $out"
[ -z "$failed" ] || { echo "queries that failed:$failed" >&2; exit 1; }
