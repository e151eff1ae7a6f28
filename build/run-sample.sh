#!/usr/bin/env bash
# The main job on a fresh machine: pack the packages into the local feed, then build and run the
# Digits sample against them exactly as a user's app would.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/build/pack.sh"
dotnet run --project "$root/samples/Digits/Digits.csproj" -c Release
