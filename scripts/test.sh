#!/usr/bin/env bash
# The one test command (npm test): set up, type-check, build, run every suite, print one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p test-results
rm -f test-results/*.json

status=0
echo "== type check"
if npx tsc --noEmit -p tsconfig.json; then echo '{"passed":1,"failed":0}' > test-results/typecheck.json
else echo '{"passed":0,"failed":1}' > test-results/typecheck.json; status=1; fi

echo "== build"
if ! npx electron-vite build >test-results/build.log 2>&1; then cat test-results/build.log; echo "build failed"; status=1; fi

echo "== unit and service tests (vitest)"
# The benchmark suites (bench/*.test.ts) start the bridge, Chromium and whole suites: they run after
# the others, not beside them, where they starved the tests that time the app's own responsiveness.
npx vitest run --exclude 'bench/**' --reporter=default --reporter=json --outputFile=test-results/unit.json || status=1
echo "== every benchmark suite at 300 rows (vitest)"
npx vitest run bench --reporter=default --reporter=json --outputFile=test-results/bench.json || status=1

echo "== end-to-end tests (Playwright: web bridge in Chromium; Electron where its binary exists)"
npx playwright test || status=1

# What the tests keep between runs (outside the repository), so nothing is cached without saying so.
cache="${LANCE_EXPLORER_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lance-explorer/e2e}"
if [ -d "$cache" ]; then
  echo "Kept for the next run: $cache ($(du -sh "$cache" 2>/dev/null | cut -f1); the demo, a 100k-row table and fixtures). Delete it to rebuild from scratch."
fi
node scripts/summarize.mjs || status=1
exit $status
