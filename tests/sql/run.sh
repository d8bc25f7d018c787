#!/usr/bin/env bash
# SQL end-to-end suite: installs the node-postgres helper's npm packages (from the lock file, only
# when missing or the lock changed), then runs pytest under Debian's python3. Extra arguments go
# to pytest. Needs build/sluice (or SLUICE_BIN) and ./scripts/install-deps.sh done.
set -euo pipefail
cd "$(dirname "$0")/../.."

js=tests/sql/js
stamp=$js/node_modules/.package-lock.sha256
want=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --prefix "$js" --no-audit --no-fund
  echo "$want" >"$stamp"
fi

export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m pytest tests/sql -q "$@"
