# Shell helpers shared by bench/run-sql.sh and bench/run-nexmark.sh: a `sluice serve` on free ports
# with a scratch data directory, psql, the server's CPU seconds and memory from /proc, CPU pressure,
# waiting until every view has caught up, and the DuckDB npm package. Sourced, not run. The caller
# sets py, scratch (absolute), server_pid (empty), kafka_addr, pg_port, http_port and results (the
# name=value file `put` appends to) before using them.

free_port() {
  $py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {  # port
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "sluice exited during startup:" >&2; tail "$scratch/server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "sluice did not listen on 127.0.0.1:$1 within 20 s" >&2
  exit 1
}
start_server() {
  build/sluice serve --data-dir "$scratch/data" --kafka-addr "$kafka_addr" \
    --pg-addr "127.0.0.1:$pg_port" --http-addr "127.0.0.1:$http_port" >>"$scratch/server.log" 2>&1 &
  server_pid=$!
  wait_for_port "$pg_port"
  wait_for_port "${kafka_addr##*:}"
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

sql() {  # statement...: runs them with psql, prints the rows as a|b|c
  local args=()
  for s in "$@"; do args+=(-c "$s"); done
  psql -h 127.0.0.1 -p "$pg_port" -U bench -d sluice -X -q -A -t -v ON_ERROR_STOP=1 "${args[@]}"
}

clk_tck="$(getconf CLK_TCK)"
cpu_seconds() {  # utime + stime of the server, all threads, in seconds
  awk -v tck="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / tck }' "/proc/$server_pid/stat"
}
thread_cpu_seconds() {  # "tid seconds" for each thread of the server
  for task in /proc/"$server_pid"/task/*; do
    awk -v tck="$clk_tck" -v tid="${task##*/}" '{ sub(/^.*\) /, ""); printf "%s %.2f\n", tid, ($12 + $13) / tck }' \
      "$task/stat" 2>/dev/null || true
  done
}
busiest_thread_delta() {  # file written by thread_cpu_seconds earlier: the largest CPU-s any thread added since
  thread_cpu_seconds | awk 'NR == FNR { before[$1] = $2; next }
    { d = $2 - before[$1]; if (d > max) max = d } END { printf "%.2f\n", max }' "$1" -
}
status_kib() {  # field of /proc/PID/status, e.g. VmHWM
  awk -v f="$1:" '$1 == f { print $2 }' "/proc/$server_pid/status"
}
now() { date +%s.%N; }
# shellcheck source=bench/pressure.sh
source bench/pressure.sh
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

put() { echo "$1=$2" >>"$results"; printf '   %-30s %s\n' "$1" "$2"; }

# Returns once every view has read all of its topics: INSERT waits (up to 30 s) for exactly that
# before it answers, and fails with "did not catch up in time" otherwise, so it is asked again.
wait_caught_up() {  # start time
  local out
  while ! out="$(sql "INSERT INTO ${sync_source:-bench_sync} VALUES (1)" 2>&1)"; do
    echo "$out" | grep -q "did not catch up" || { echo "INSERT failed: $out" >&2; exit 1; }
    kill -0 "$server_pid" 2>/dev/null || { echo "sluice exited" >&2; exit 1; }
    printf '   ... %.0f s, %s CPU-s so far\n' "$(elapsed "$1")" "$(cpu_seconds)"
  done
}

# Prints the node_modules directory holding @duckdb/node-api (installed from npm the first time; its
# native library is itself an npm package), or nothing when npm cannot install it.
ensure_duckdb() {
  local dir=build/bench-peers/duckdb-node
  if [ ! -d "$dir/node_modules/@duckdb/node-api" ]; then
    mkdir -p "$dir"
    (cd "$dir" && timeout 300 npm install --no-audit --no-fund --silent @duckdb/node-api >/dev/null 2>&1) ||
      echo "   npm could not install @duckdb/node-api: DuckDB skipped" >&2
  fi
  if [ -d "$dir/node_modules/@duckdb/node-api" ]; then echo "$(cd "$dir" && pwd)/node_modules"; fi
}
