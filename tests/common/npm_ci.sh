#!/usr/bin/env bash
# npm_ci.sh DIR: installs DIR's npm packages from its lock file, only when they are missing or the
# lock changed since the last install (a stamp in node_modules remembers the lock's hash).
set -euo pipefail
dir=$1
stamp=$dir/node_modules/.package-lock.sha256
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --prefix "$dir" --no-audit --no-fund
  echo "$want" >"$stamp"
fi
