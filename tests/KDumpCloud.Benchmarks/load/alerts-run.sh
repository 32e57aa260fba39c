#!/usr/bin/env bash
# Alert benchmarks for issue 10, on loopback against the Release relay: EOF → webhook latency and an alert storm.
# The measuring side is ../alerts/alerts_bench.py (a recording webhook server in Python, the relay and
# `kdumpcloud send` as processes); see its docstring.
#
#   bash tests/KDumpCloud.Benchmarks/load/alerts-run.sh [--paniclogs 30] [--storm-groups 50] [--storm-per-group 20] [--out FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
paniclogs=30; groups=50; per_group=20
out="$root/tests/KDumpCloud.Benchmarks/results/alerts.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --paniclogs) paniclogs=$2; shift 2 ;;
    --storm-groups) groups=$2; shift 2 ;;
    --storm-per-group) per_group=$2; shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
command_line="bash tests/KDumpCloud.Benchmarks/load/alerts-run.sh --paniclogs $paniclogs --storm-groups $groups --storm-per-group $per_group"
echo "building (Release)..." >&2
dotnet build "$root/src/KDumpCloud.Relay" -c Release -v q -nologo >/dev/null
dotnet build "$root/src/KDumpCloud.Cli" -c Release -v q -nologo >/dev/null
exec python3 "$root/tests/KDumpCloud.Benchmarks/alerts/alerts_bench.py" \
  --relay "$root/src/KDumpCloud.Relay/bin/Release/net10.0/kdumpcloud-relay.dll" \
  --cli "$root/src/KDumpCloud.Cli/bin/Release/net10.0/kdumpcloud.dll" \
  --paniclogs "$paniclogs" --storm-groups "$groups" --storm-per-group "$per_group" --out "$out" --command-line "$command_line"
