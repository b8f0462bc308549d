#!/usr/bin/env bash
# The README's test command (scripts/test.js: makes sure PostgreSQL and Chromium are there, runs
# vitest, ends with one line "N passed, N failed"). Arguments go to vitest, e.g.
#   scripts/ci/test.sh --project unit
#   scripts/ci/test.sh --project integration --project e2e
# Nothing may print after the test runner's last line: this step is last in .ci/run.
source "$(dirname "$0")/common.sh"
if [ $# -gt 0 ]; then
  exec npm test --silent -- "$@"
fi
exec npm test --silent
