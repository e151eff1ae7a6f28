#!/usr/bin/env bash
# Runs every test assembly and ends with one line 'N passed, N failed, N skipped' summed over all of them
# (dotnet test prints only per-assembly lines). Fails when a test fails or when nothing ran.
#
# The end-to-end tests build real apps against freshly packed packages: this script packs them
# once, with a version unique to this run, into artifacts/e2e-feed and tells the tests where.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

export OPTIMIZER_E2E_VERSION="0.1.0-test.$(date +%Y%m%d%H%M%S)"
export OPTIMIZER_E2E_FEED="$root/artifacts/e2e-feed"
rm -rf "$OPTIMIZER_E2E_FEED"
if ! build/pack.sh "$OPTIMIZER_E2E_FEED" "$OPTIMIZER_E2E_VERSION"; then
  echo "packing failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet build Optimizer.Build.sln -c Release -nologo -v:q || { echo "0 passed, 1 failed"; exit 1; }
dotnet test Optimizer.Build.sln -c Release --no-build -nologo -v:q "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Per-assembly lines look like: "Passed!  - Failed:     0, Passed:    12, Skipped:     1, Total: ..."
sum() { grep -E '^ *(Passed|Failed)!' "$log" | grep -oE "$1: +[0-9]+" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
assemblies=$(grep -cE '^ *(Passed|Failed)!' "$log")
echo "test assemblies: $assemblies"
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then echo "no test ran"; exit 1; fi
exit 0
