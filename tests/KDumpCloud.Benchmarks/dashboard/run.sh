#!/usr/bin/env bash
# Dashboard speed (issue 12): 10,000 groups and 200,000 occurrences in SQLite, the group list and group pages over HTTP.
# Usage: bash tests/KDumpCloud.Benchmarks/dashboard/run.sh [--out FILE] [--dir DIR] [--runs N] [--groups N] [--occurrences N]
# The store is built once in --dir (default /dev/shm/kdumpcloud-dashboard-bench, so filling it is not bound by fsync)
# and reused by later runs; delete the folder to build it again.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/KDumpCloud.Benchmarks/results/dashboard.md
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
dotnet build -c Release tests/KDumpCloud.Benchmarks/dashboard -v quiet -nologo
dotnet tests/KDumpCloud.Benchmarks/dashboard/bin/Release/net10.0/kdumpcloud-dashboard-bench.dll \
  --commit "$(git rev-parse --short HEAD)" --out "$out" "${args[@]}"
