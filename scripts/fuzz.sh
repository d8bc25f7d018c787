#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each over a
# fixed number of inputs from a fixed seed, starting from fuzz/corpus.
# `scripts/fuzz.sh RUNS` sets the number of inputs per fuzzer (default 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20000}"
./scripts/build.sh fuzz
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for fuzzer in record_batch_fuzzer log_recovery_fuzzer; do
  mkdir -p "$work/$fuzzer"
  echo "fuzz: $fuzzer, $runs inputs"
  "build/fuzz/fuzz/$fuzzer" -seed=1 -runs="$runs" -max_len=4096 "$work/$fuzzer" fuzz/corpus 2>"$work/$fuzzer.log" ||
    { tail -n 40 "$work/$fuzzer.log"; exit 1; }
  grep -E '^Done' "$work/$fuzzer.log" || true
done
