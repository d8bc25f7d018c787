#!/usr/bin/env bash
# Fails when any C++ file differs from what clang-format (the .clang-format
# at the root) would write. `scripts/check-format.sh --fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.h' '*.cc' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/sluice-format.log; then
  grep -E '^[^ ].*: error' /tmp/sluice-format.log | cut -d: -f1 | sort -u | sed 's/^/needs formatting: /'
  echo "run scripts/check-format.sh --fix"
  exit 1
fi
echo "format: ${#files[@]} files clean"
