#!/usr/bin/env bash
# Real-client Kafka integration suite: installs the kafkajs helper's npm
# packages (from the lock file, only when missing or the lock changed), then
# runs pytest under Debian's python3. Extra arguments go to pytest.
# Needs build/sluice (or SLUICE_BIN) and ./scripts/install-deps.sh done.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/common/npm_ci.sh tests/kafka/js

export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m pytest tests/kafka -q "$@"
