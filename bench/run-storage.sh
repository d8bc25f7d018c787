#!/usr/bin/env bash
# Builds the release preset's storage_bench if needed and runs it on a
# scratch directory under build/ (same disk as the repository, git-ignored).
# Results: printed, and written to bench/results/storage-YYYY-MM-DD.json.
# Extra arguments go to storage_bench, e.g. `bench/run-storage.sh --bytes 256`
# (`build/storage_bench --help` lists them).
set -euo pipefail
cd "$(dirname "$0")/.."

# Configuring is idempotent and quick, and makes sure the figures come from
# the optimized build even if build/ was configured some other way.
cmake --preset release >/dev/null
cmake --build build --target storage_bench

mkdir -p build/bench-data bench/results
commit="$(git describe --always --dirty 2>/dev/null || echo unknown)"
exec build/storage_bench --dir build/bench-data --json-out "bench/results/storage-$(date +%F).json" \
  --git-commit "$commit" "$@"
