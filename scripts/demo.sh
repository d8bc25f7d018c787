#!/usr/bin/env bash
# The first thing to run: installs what is missing, builds, and runs `sluice demo` — a server with a
# small online shop trading on it — until Ctrl-C. Extra arguments go to `sluice demo`
# (see `build/sluice demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
exec ./build/sluice demo "$@"
