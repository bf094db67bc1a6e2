#!/usr/bin/env bash
# The README's test command. In order, stopping at the first failure:
#   1. the Debian packages the tests drive (chromium, ffmpeg, qemu…), installed when missing;
#   2. static checks: TypeScript over every source folder, ESLint with type information,
#      Prettier in check mode (vitest strips types, so only this catches a type error);
#   3. the door package for arm64 (npm run build:agent) and the arm64 runtime qemu runs it with,
#      for test/agent-package (which fails in CI without them);
#   4. the whole test suite, ending with one plain summary line ("N passed, N failed, N skipped").
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh || exit 1
step() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then
    echo "test:full: $name failed" >&2
    exit 1
  fi
}
step typecheck npm run --silent typecheck
step lint npm run --silent lint
step format npm run --silent format:check
step build:agent npm run --silent build:agent
step arm64-sysroot bash scripts/arm64-sysroot.sh dist-agent/arm64-sysroot
mkdir -p test-results
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
code=$?
node scripts/test-summary.mjs test-results/vitest.json || true
exit $code
