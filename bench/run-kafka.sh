#!/usr/bin/env bash
# Side-by-side ingest benchmark on this machine: Sluice against Redis Streams, NATS JetStream and
# librdkafka's in-memory mock broker, with the same record values (100 B and 1 KiB). Every server
# runs on 127.0.0.1 on a free port with a fresh scratch directory, and is stopped at the end.
# Results: a table on stdout, and bench/results/kafka-YYYY-MM-DD.json. `--help` for the options.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
Usage: bench/run-kafka.sh [--rounds N] [--records-1k N] [--records-100 N] [--records-acks-all N]
                          [--latency-seconds S] [--low-rate R]

Builds the release preset (build/sluice) and the peer load generators (cached in build/bench-peers/),
then measures records/s for each system at 100 B and 1 KiB values:
  sluice      build/sluice serve, loaded by librdkafka's rdkafka_performance (acks=1; plus acks=all
              on a topic with flush.messages=1, with fdatasyncs counted by perf or strace)
  redis       redis-server, AOF appendfsync everysec, redis-benchmark -c 50 -P 64 XADD
  jetstream   nats-server -js (file storage), js_PublishAsync from bench/peers/nats_publish.c
  mock        rdkafka_performance against librdkafka's mock broker (test.mock.num.brokers=1)
The rounds interleave the systems (each round runs every system once per size) and the report
takes the median round. Then, for Sluice alone: its CPU-seconds per GB ingested (over the 1 KiB
rounds), and produce→consume latency percentiles at half of its median 1 KiB rate
(`sluice bench --mode end-to-end --rate`, linger.ms=0, 5 requests in flight), and again at a low fixed rate; then
at the half rate once more with the broker pinned to CPU 0 and the load generator to CPU 1. Runs in
about 4-5 minutes.

  --rounds N             rounds of the throughput runs (default 3)
  --records-1k N         records per 1 KiB run (default 1000000)
  --records-100 N        records per 100 B run (default 3000000)
  --records-acks-all N   records in the acks=all run (default 500000)
  --latency-seconds S    length of each end-to-end latency run (default 10)
  --low-rate R           records/s of the second latency run (default 20000)
EOF
}

rounds=3
records_1k=1000000
records_100=3000000
records_acks_all=500000
latency_seconds=10
low_rate=20000
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --records-1k) records_1k="$2"; shift 2 ;;
    --records-100) records_100="$2"; shift 2 ;;
    --records-acks-all) records_acks_all="$2"; shift 2 ;;
    --latency-seconds) latency_seconds="$2"; shift 2 ;;
    --low-rate) low_rate="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '\n== %s\n' "$*"; }

# --- build ----------------------------------------------------------------------------------
log "building build/sluice (release preset) and the peer load generators"
cmake --preset release >/dev/null
cmake --build build --target sluice
peers=build/bench-peers
mkdir -p "$peers"
if [ ! -x "$peers/rdkafka_performance" ]; then
  # The example expects librdkafka's source tree; bench/peers/rdkafka_compat stands in for the
  # three internal headers it includes.
  gcc -O2 -w -I bench/peers/rdkafka_compat/src -o "$peers/rdkafka_performance" \
    /usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c -lrdkafka
fi
if [ ! -x "$peers/nats_publish" ] || [ bench/peers/nats_publish.c -nt "$peers/nats_publish" ]; then
  gcc -O2 -Wall -Wextra -Werror -o "$peers/nats_publish" bench/peers/nats_publish.c -lnats
fi

# --- processes and scratch space, all cleaned up on exit ---------------------------------------
scratch="$(mktemp -d -p build bench-kafka.XXXXXX)"
scratch="$(cd "$scratch" && pwd)"
started_pids=()
cleanup() {
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {  # port, name, pid
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "$2 exited during startup" >&2; exit 1; }
    sleep 0.1
  done
  echo "$2 did not listen on 127.0.0.1:$1 within 10 s" >&2
  exit 1
}

stop_process() {  # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

clk_tck="$(getconf CLK_TCK)"
cpu_seconds() {  # utime + stime of a process, in seconds
  awk -v tck="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / tck }' "/proc/$1/stat"
}

# Every load generator fills its values with this text, repeated (as sluice bench and
# nats_publish do), so all systems store the same bytes.
payload_pattern="sluice benchmark record payload 0123456789 "
payload() {  # n bytes of it
  local out=""
  while [ "${#out}" -lt "$1" ]; do out+="$payload_pattern"; done
  printf '%s' "${out:0:$1}"
}

# shellcheck source=bench/pressure.sh
source bench/pressure.sh

results="$scratch/results.env"
: >"$results"
put() { echo "$1=$2" >>"$results"; printf '   %-34s %s\n' "$1" "$2"; }

# rdkafka_performance's last line: "% N messages produced (B bytes), N delivered (...) in T ms: R msgs/s ..."
rdkafka_perf_rate() {  # output file, expected count; prints msgs/s
  local line
  line="$(grep 'messages produced' "$1" | tail -1)"
  echo "$line" | grep -q "$2 delivered" || { echo "not every record was delivered: $line" >&2; exit 1; }
  echo "$line" | sed -E 's/.* ([0-9]+) msgs\/s.*/\1/'
}

kafka_load() {  # bootstrap, topic, size, count, acks, output file; extra -X arguments follow
  local bootstrap="$1" topic="$2" size="$3" count="$4" acks="$5" out="$6"
  shift 6
  "$peers/rdkafka_performance" -P -t "$topic" -p 0 -s "$size" -c "$count" -a "$acks" -b "$bootstrap" \
    -m "$payload_pattern" -X linger.ms=5 -X batch.num.messages=10000 \
    -X queue.buffering.max.messages=1000000 "$@" >"$out" 2>&1
  rdkafka_perf_rate "$out" "$count"
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
commit="$(git describe --always --dirty 2>/dev/null || echo unknown)"

# --- servers: all up for the whole run, so the rounds can interleave the systems ------------------
start_server() {  # name, port, command...; sets server_pid
  local name="$1" port="$2"
  shift 2
  "$@" >"$scratch/$name.log" 2>&1 &
  server_pid=$!
  started_pids+=("$server_pid")
  wait_for_port "$port" "$name" "$server_pid"
}
sluice_port="$(free_port)"
sluice_bootstrap="127.0.0.1:$sluice_port"
log "starting sluice (port $sluice_port), redis-server with AOF everysec, nats-server -js"
start_server sluice "$sluice_port" \
  build/sluice serve --data-dir "$scratch/sluice-data" --kafka-addr "$sluice_bootstrap"
sluice_pid=$server_pid
redis_port="$(free_port)"
mkdir -p "$scratch/redis" "$scratch/nats"
start_server redis "$redis_port" redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$scratch/redis" \
  --appendonly yes --appendfsync everysec --save '' --daemonize no
redis_pid=$server_pid
nats_port="$(free_port)"
start_server nats "$nats_port" nats-server -js -sd "$scratch/nats" -a 127.0.0.1 -p "$nats_port"
nats_pid=$server_pid
# Sluice topics: one partition each, as every peer here writes one stream. One warm-up record
# creates each.
for t in "s1k:" "s100:" "tall:--topic-config=flush.messages=1" "tlatency:" "tlatency_low:" "tlatency_split:"; do
  build/sluice bench -b "$sluice_bootstrap" --topic "${t%%:*}" --partitions 1 --records 1 --record-size 16 \
    --progress-interval 0 ${t#*:} >/dev/null
done

# --- one measurement per system and size ------------------------------------------------------
sluice_load() {  # size, count, topic, round
  kafka_load "$sluice_bootstrap" "$3" "$1" "$2" 1 "$scratch/sluice-$1-$4.out"
}
mock_load() {  # size, count, topic, round: the mock cluster lives inside the client process
  kafka_load unused "$3" "$1" "$2" 1 "$scratch/mock-$1-$4.out" -X test.mock.num.brokers=1
}
redis_load() {  # size, count, stream, round; prints requests/s (one request = one XADD)
  local rate
  rate="$(redis-benchmark -h 127.0.0.1 -p "$redis_port" -c 50 -P 64 -n "$2" --csv \
    XADD "$3" '*' f "$(payload "$1")" |
    tail -1 | cut -d, -f2 | tr -d '"' | xargs printf '%.0f')"
  [ "$(redis-cli -p "$redis_port" XLEN "$3")" -ge "$2" ] || { echo "redis: stream $3 is short" >&2; exit 1; }
  redis-cli -p "$redis_port" DEL "$3" >/dev/null  # keeps memory flat between rounds
  echo "$rate"
}
jetstream_load() {  # size, count, stream, round: a new stream each time
  local line
  line="$("$peers/nats_publish" "nats://127.0.0.1:$nats_port" "$2" "$1" 4096 "$3_r$4")"
  echo "$line" | grep -q "acked=$2 failed=0" || { echo "jetstream: $line" >&2; exit 1; }
  echo "$line" | sed -E 's/.*msgs_per_s=([0-9]+).*/\1/'
}

declare -A runs  # name -> space-separated records/s, one per round
rounds_mark="$(pressure_mark)"
sluice_cpu_s=0
for round in $(seq 1 "$rounds"); do
  for size in 1024 100; do
    key=$([ "$size" = 1024 ] && echo 1k || echo 100)
    count=$([ "$size" = 1024 ] && echo "$records_1k" || echo "$records_100")
    log "round $round/$rounds, $size B values, $count records each"
    for system in sluice mock redis jetstream; do
      [ "$system" = sluice ] && cpu_before="$(cpu_seconds "$sluice_pid")"
      rate="$("${system}_load" "$size" "$count" "s$key" "$round")"
      if [ "$system" = sluice ] && [ "$key" = 1k ]; then
        sluice_cpu_s="$(awk -v t="$sluice_cpu_s" -v a="$cpu_before" -v b="$(cpu_seconds "$sluice_pid")" \
          'BEGIN { printf "%.2f", t + b - a }')"
      fi
      runs["${system}_$key"]+="$rate "
      printf '   %-10s %10s records/s\n' "$system" "$rate"
    done
  done
done
for name in "${!runs[@]}"; do echo "$name=${runs[$name]% }" >>"$results"; done
put sluice_1k_server_cpu_s "$sluice_cpu_s"
put cpu_pressure_pct_rounds "$(pressure_since "$rounds_mark")"
# Only Sluice from here on.
stop_process "$redis_pid"
stop_process "$nats_pid"

log "sluice: 1 KiB, acks=all, flush.messages=1, $records_acks_all records"
syncs_counter=none
if perf stat -e syscalls:sys_enter_fdatasync -x, -o /dev/null -- true 2>/dev/null; then
  syncs_counter=perf
  perf stat -e syscalls:sys_enter_fdatasync -x, -o "$scratch/syncs.csv" -p "$sluice_pid" &
elif command -v strace >/dev/null; then
  syncs_counter=strace  # ptrace stops every syscall: this slows the run down
  strace -c -f -e trace=fdatasync -o "$scratch/syncs.txt" -p "$sluice_pid" &
fi
counter_pid=$!
[ "$syncs_counter" = none ] || started_pids+=("$counter_pid")
sleep 0.5
put sluice_1k_acks_all \
  "$(kafka_load "$sluice_bootstrap" tall 1024 "$records_acks_all" -1 "$scratch/sluice-all.out")"
syncs=""
if [ "$syncs_counter" != none ]; then
  kill -INT "$counter_pid"
  wait "$counter_pid" || true
  case "$syncs_counter" in
    perf) syncs="$(cut -d, -f1 "$scratch/syncs.csv" | grep -E '^[0-9]+$' | head -1)" ;;
    strace) syncs="$(awk '$NF == "fdatasync" { print $4 }' "$scratch/syncs.txt")" ;;
  esac
fi
put sluice_fdatasync_counter "$syncs_counter"
[ -z "$syncs" ] || put sluice_acks_all_fdatasyncs "$syncs"

# Half of the median 1 KiB rate. linger.ms=0, so client batching delay does not count as broker
# latency, with at most 5 requests in flight (the Java producer's default, and librdkafka's limit
# for idempotence): records that arrive while 5 are in flight join the next request. librdkafka's
# own default (1000000 in flight) sends a request per record at high rates and measures its queue.
half_rate="$(printf '%s\n' ${runs[sluice_1k]} | sort -n |
  awk '{ v[NR] = $1 } END { printf "%d", v[int((NR + 1) / 2)] / 2 }')"
json_field() {  # file, key[, key]: a value from a JSON file
  python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: v = v[k]
print(v)' "$@"
}
latency_run() {  # name, rate, seconds[, command prefix]: one end-to-end run, figures as sluice_<name>_*
  local mark json="$scratch/$1.json"
  mark="$(pressure_mark)"
  ${4:-} build/sluice bench -b "$sluice_bootstrap" --topic "t$1" --mode end-to-end --record-size 1024 \
    --rate "$2" --duration "$3" -X linger.ms=0 -X max.in.flight=5 --json "$json" 2>&1 | grep -v CONFWARN
  put "cpu_pressure_pct_$1" "$(pressure_since "$mark")"
  put "sluice_$1_rate" "$2"
  for field in p50_ms p99_ms p99_9_ms; do
    put "sluice_$1_$field" "$(json_field "$json" latency "$field")"
  done
  put "sluice_$1_achieved_rate" "$(json_field "$json" records_per_s | xargs printf '%.0f')"
}
log "sluice: end-to-end latency, 1 KiB at $half_rate records/s (half the median 1 KiB rate)," \
  "${latency_seconds} s"
latency_run latency "$half_rate" "$latency_seconds"
log "sluice: end-to-end latency, 1 KiB at $low_rate records/s, ${latency_seconds} s"
latency_run latency_low "$low_rate" "$latency_seconds"
# The runs above share both cores between the broker and the load generator, whose producer and
# consumer threads need about as much CPU as the broker at the half rate: much of their tail is
# each side's threads waiting for a core the other holds. Once more at the half rate with the
# broker's threads on CPU 0 and the load generator's on CPU 1, to show the broker's own share.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  log "sluice: end-to-end latency, 1 KiB at $half_rate records/s, broker on CPU 0, load generator on CPU 1"
  taskset -a -p -c 0 "$sluice_pid" >/dev/null
  latency_run latency_split "$half_rate" "$latency_seconds" "taskset -c 1"
  taskset -a -p -c "0-$(($(nproc) - 1))" "$sluice_pid" >/dev/null
fi

# --- report -----------------------------------------------------------------------------------
mkdir -p bench/results
out="bench/results/kafka-$(date +%F).json"
python3 bench/kafka_report.py --results "$results" --json "$out" --commit "$commit" \
  --load-start "$load_start" --load-end "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --rounds "$rounds" --records-1k "$records_1k" --records-100 "$records_100" \
  --records-acks-all "$records_acks_all" \
  --latency-seconds "$latency_seconds"
echo "results written to $out"
