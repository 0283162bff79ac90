#!/usr/bin/env bash
# `npm test`: typecheck, layer boundaries, then every tests/**/*.test.ts with Node's test
# runner (unit, contract, integration and end-to-end). End-to-end tests drive a system
# Chromium against the production build, and the multi-node tests a private redis-server:
# scripts/test-tools.sh installs a missing one when it may, or fails here, up front.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/test-tools.sh
ensure_test_tools
export NEXT_TELEMETRY_DISABLED=1

npm run typecheck
npm run lint:boundaries

shopt -s globstar nullglob

# The app the tests start is the compiled server, as production runs it.
node scripts/build-server.mjs --force

e2e=(tests/e2e/**/*.test.ts)
if (( ${#e2e[@]} > 0 )); then
  # End-to-end tests run against the production build.
  npx next build
fi

files=(tests/**/*.test.ts)
if (( ${#files[@]} == 0 )); then
  echo "No test files found (tests/**/*.test.ts): refusing to report an empty run as a pass." >&2
  exit 1
fi

# Node 20's runner does not expand globs itself; the shell did. The spec reporter is for
# people; a TAP copy gives the totals for one plain closing line. Node's exit code is ours.
tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
status=0
node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}" || status=$?

total() { sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$tap" | tail -n 1; }
pass="$(total pass)" fail="$(total fail)" skipped="$(total skipped)"
if [[ -n "$pass" && -n "$fail" ]]; then
  echo
  echo "${pass} passed, ${fail} failed, ${skipped:-0} skipped"
fi
exit "$status"
