#!/usr/bin/env bash
# Browser tests of the web console, against `sluice serve` and against `sluice demo`: installs the
# suite's npm packages (playwright-core, kafkajs) from the lock file when missing or changed, then runs
# them with Node's test runner against build/sluice (or SLUICE_BIN) in headless Chromium
# (/usr/bin/chromium, or CHROMIUM_BIN). Screenshots of each page go to build/test-artifacts/console (or
# SLUICE_ARTIFACTS). Extra arguments go to node --test.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/common/npm_ci.sh tests/console

exec node --test --test-concurrency=1 "$@" tests/console/console.test.mjs tests/console/demo.test.mjs
