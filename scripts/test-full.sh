#!/usr/bin/env bash
# The README's test command: install the Debian packages the tests drive (chromium, ffmpeg) when
# missing, run the whole suite, and end with one plain summary line ("N passed, N failed, N skipped").
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh || exit 1
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
code=$?
node scripts/test-summary.mjs test-results/vitest.json || true
exit $code
