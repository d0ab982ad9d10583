// Sum the runners' JSON reports into the one line CI reads: "N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';

const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];

const typecheck = read('test-results/typecheck.json');
if (typecheck) {
  passed += typecheck.passed;
  failed += typecheck.failed;
} else missing.push('typecheck');

for (const [file, name] of [['test-results/unit.json', 'vitest'], ['test-results/bench.json', 'vitest (benchmark suites)']]) {
  const unit = read(file);
  if (unit) {
    passed += unit.numPassedTests;
    // A file that failed outside its tests (a beforeAll that threw) skips them all: count it.
    failed += Math.max(unit.numFailedTests, unit.numFailedTestSuites ?? 0) + (unit.numRuntimeErrorTestSuites ?? 0);
    skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
  } else missing.push(name);
}

const e2e = read('test-results/e2e.json');
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected + (e2e.errors?.length ?? 0);
  skipped += e2e.stats.skipped;
} else missing.push('playwright');

// A runner that produced no report counts as a failure: it did not run.
failed += missing.length;
if (missing.length) console.log(`no report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
