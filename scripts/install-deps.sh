#!/usr/bin/env bash
# Installs every Debian package that building, testing and benchmarking Sluice
# needs. Safe to run again: packages already present are left alone, and the
# package index is refreshed only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format python3
  # fuzzing (libFuzzer comes with clang)
  clang libclang-rt-14-dev
  # libraries
  libcli11-dev libspdlog-dev libfmt-dev libexpected-dev libboost-dev libtomlplusplus-dev
  # Kafka client side of the CLI (topic/produce/consume) and of `sluice bench`
  librdkafka-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  # SQL engine: the PostgreSQL parser, the state store, JSON decoding of events
  libpg-query-dev librocksdb-dev libsimdjson-dev
  # md5() in SQL (OpenSSL's digests)
  libssl-dev
  # AT TIME ZONE reads the IANA time zone database
  tzdata
  # the server's memory allocator
  libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # Kafka client integration tests (tests/kafka): kcat, confluent-kafka
  # (librdkafka), kafka-python with its compression codecs, kafkajs via npm
  kcat python3-pytest python3-confluent-kafka python3-kafka
  python3-lz4 python3-snappy python3-zstandard
  nodejs npm
  # SQL integration tests: psql and psycopg2 against the Postgres wire endpoint;
  # libpq drives the Postgres listener in pgwire_test
  postgresql-client python3-psycopg2 libpq-dev
  # web console browser tests (tests/console): headless Chromium driven by playwright-core
  chromium
  # metrics tests: Prometheus' own text-format parser reads /metrics
  python3-prometheus-client
  # peers for the side-by-side benchmark (bench/), not needed by the tests
  redis-server redis-tools nats-server libnats-dev
)

# A package counts as present when dpkg has it installed, or, for nodejs and
# npm, when the command is already on PATH (e.g. a NodeSource nodejs, which
# bundles npm and conflicts with Debian's npm package).
present() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" && return 0
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${packages[@]}"; do
  present "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
