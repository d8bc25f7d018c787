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
  libcli11-dev libspdlog-dev libfmt-dev libexpected-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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
