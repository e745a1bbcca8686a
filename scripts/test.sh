#!/usr/bin/env bash
# Every check, from a fresh clone: set-up, build, lint (incl. layering rules), typecheck, unit and
# integration tests (real SQLite files, loopback HTTP, socat ptys), then the end-to-end tests in Debian
# Chromium through the headless kiosk shell. Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests || exit 1
mkdir -p test-output
status=0
step() { echo; echo "== $*"; }

step build;     npm run --silent build || status=1
step lint;      npx eslint . || status=1
step typecheck; npx tsc -p tsconfig.json --noEmit || status=1
step "unit + integration tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/unit.json || status=1
step "end-to-end tests (Chromium)"
npx vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile.json=test-output/e2e.json || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of ["test-output/unit.json", "test-output/e2e.json"]) {
  if (!fs.existsSync(f)) { failed += 1; console.log(`missing ${f}`); continue; }
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  if (r.numTotalTestSuites > 0 && r.numFailedTestSuites > 0 && r.numFailedTests === 0) failed += r.numFailedTestSuites;
}
console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 ? 1 : 0);
' || status=1
exit $status
