#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each over a
# fixed number of inputs from a fixed seed, starting from fuzz/corpus.
# `scripts/fuzz.sh SCALE` multiplies the number of inputs (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-1}"
fuzzers=(record_batch_fuzzer kafka_request_fuzzer log_recovery_fuzzer)
# Only the fuzzers and what they link: clang 14 with libstdc++ 12 has no
# C++20 coroutines for Boost.Asio, so the network layer is not built here.
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${fuzzers[@]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# fuzzer:inputs — log recovery does file I/O per input, so it gets fewer.
for entry in record_batch_fuzzer:200000 kafka_request_fuzzer:200000 log_recovery_fuzzer:20000; do
  fuzzer="${entry%%:*}"
  runs=$((${entry##*:} * scale))
  mkdir -p "$work/$fuzzer"
  echo "fuzz: $fuzzer, $runs inputs"
  "build/fuzz/fuzz/$fuzzer" -seed=1 -runs="$runs" -max_len=4096 "$work/$fuzzer" fuzz/corpus 2>"$work/$fuzzer.log" ||
    { tail -n 40 "$work/$fuzzer.log"; exit 1; }
  grep -E '^Done' "$work/$fuzzer.log" || true
done
