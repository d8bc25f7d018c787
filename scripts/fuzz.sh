#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs them from their
# seed corpora in fuzz/corpus/ (real client requests and record batches,
# captured by fuzz/capture_corpus.py): the request decoder, the record
# batch parser and SQL value input (text to every type, numeric arithmetic)
# for 60 s each, log recovery (file I/O per input) for a fixed number of
# inputs. `scripts/fuzz.sh SCALE` multiplies both (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-1}"
fuzzers=(record_batch_fuzzer kafka_request_fuzzer log_recovery_fuzzer sql_value_fuzzer)
# Only the fuzzers and what they link: clang 14 with libstdc++ 12 has no
# C++20 coroutines for Boost.Asio, so the network layer is not built here.
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${fuzzers[@]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# fuzzer:corpus:limit — a limit ending in s is seconds, otherwise inputs.
for entry in record_batch_fuzzer:record_batch:60s kafka_request_fuzzer:kafka_request:60s \
  log_recovery_fuzzer:record_batch:20000 sql_value_fuzzer:sql_value:60s; do
  IFS=: read -r fuzzer corpus limit <<<"$entry"
  if [[ $limit == *s ]]; then
    budget="-max_total_time=$((${limit%s} * scale))"
  else
    budget="-runs=$((limit * scale))"
  fi
  mkdir -p "$work/$fuzzer"
  echo "fuzz: $fuzzer ($budget) from fuzz/corpus/$corpus"
  "build/fuzz/fuzz/$fuzzer" -seed=1 "$budget" -max_len=16384 "$work/$fuzzer" "fuzz/corpus/$corpus" \
    >"$work/$fuzzer.log" 2>&1 || { tail -n 40 "$work/$fuzzer.log"; exit 1; }
  grep -E '^Done' "$work/$fuzzer.log" || true
done
