#!/usr/bin/env bash
# Every test: installs what is missing, checks formatting and generated code,
# builds the release preset and runs all unit and crash tests, then the real
# Kafka clients and psql/psycopg2 against the binary, then the fuzzers for a fixed number of
# inputs, then builds with AddressSanitizer + UBSan and runs all unit and
# crash tests again. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

echo "== format check, generated code up to date"
./scripts/check-format.sh
/usr/bin/python3 tools/kafka_codegen/generate.py --check

echo "== release build and tests"
./scripts/build.sh release
ctest --preset release -j "$(nproc)"

echo "== Kafka clients (kcat, confluent-kafka, kafka-python, kafkajs) against build/sluice"
SLUICE_BIN=build/sluice tests/kafka/run.sh

echo "== Postgres clients (psql, psycopg2) against build/sluice"
SLUICE_BIN=build/sluice PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest tests/pgwire -q

echo "== SQL end to end (psql, psycopg2, node-postgres, confluent-kafka, kafka-python, HTTP; views against SQLite)"
SLUICE_BIN=build/sluice tests/sql/run.sh

echo "== metrics and overview (/metrics parsed by prometheus_client, /api/overview)"
SLUICE_BIN=build/sluice PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest tests/metrics -q

echo "== fuzzers (libFuzzer, fixed seed and input count)"
./scripts/fuzz.sh

echo "== AddressSanitizer + UBSan build and tests"
./scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$(nproc)"
