#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs `sluice serve` on
# ./sluice-data until Ctrl-C. Extra arguments go to `sluice serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
exec ./build/sluice serve "$@"
