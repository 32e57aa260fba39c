#!/usr/bin/env bash
# Storm run for issue 6's Benchmarks: 1,000 Macs at once, then 10,000 short transfers in a minute, then one Mac
# flooding WRQs, while a probe Mac dumps a normal core again and again and must stay byte-identical. The relay runs
# as its own process (Release build); the harness is the project beside this script
# (kdumpcloud-storm). Loopback only, bounded
# (the harness has a global deadline and kills the relay at the end).
#
#   bash tests/KDumpCloud.Benchmarks/storm/run.sh [--rev REV] [--out FILE] [--title TEXT] [--note TEXT]
#                                                 [storm options] [-- --Relay:Key value ...]
#
#   --rev REV     build the relay (and the Kdump library) from commit REV via git archive instead of the work tree;
#                 the harness comes from REV too, or from the work tree if REV predates it
#   --out FILE    the markdown report [tests/KDumpCloud.Benchmarks/results/storm.md]
#   --title TEXT  its heading; --note TEXT a line under it (repeatable)
#   --keep-log F  copy the relay's own log to F (it is deleted with the run's temporary directory otherwise)
#   storm options and relay settings go to kdumpcloud-storm unchanged (dotnet kdumpcloud-storm.dll --help).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
harness=tests/KDumpCloud.Benchmarks/storm
rev=""
out="$root/tests/KDumpCloud.Benchmarks/results/storm.md"
title="Relay storm run (loopback)"
notes=()
keep_log=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rev) rev=$2; shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --title) title=$2; shift 2 ;;
    --note) notes+=("$2"); shift 2 ;;
    --keep-log) keep_log=$(realpath -m "$2"); shift 2 ;;
    *) break ;;
  esac
done

# 1,000 Macs at once is 1,000 harness sockets and up to a few thousand relay descriptors: raise the limit.
if ulimit -n 65536 2>/dev/null; then
  nofile="ulimit -n raised to 65536"
else
  hard=$(ulimit -Hn)
  ulimit -n "$hard"
  nofile="ulimit -n 65536 refused (hard limit $hard): raised to $hard"
fi

work=$(mktemp -d /tmp/kdumpcloud-storm.XXXXXX)
storm_pid=""
cleanup() { if [ -n "$storm_pid" ]; then kill "$storm_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

if [ -n "$rev" ]; then
  src="$work/src"
  mkdir -p "$src"
  git -C "$root" archive "$rev" | tar -x -C "$src"
  commit="$(git -C "$root" rev-parse --short "$rev") ($(git -C "$root" log -1 --format='%s' "$rev" | cut -c1-90)…)"
  if [ ! -f "$src/$harness/KDumpCloud.Benchmarks.Storm.csproj" ]; then
    mkdir -p "$src/$harness"
    (cd "$root/$harness" && tar -c --exclude=bin --exclude=obj .) | tar -x -C "$src/$harness"
    commit="$commit; harness from the work tree"
  fi
else
  src="$root"
  commit="$(git -C "$root" rev-parse --short HEAD) (work tree"
  if [ -n "$(git -C "$root" status --porcelain -- src/KDumpCloud.Relay src/KDumpCloud.Kdump)" ]; then
    commit="$commit, with uncommitted changes in src/KDumpCloud.Relay or src/KDumpCloud.Kdump)"
  else
    commit="$commit, clean)"
  fi
fi

echo "building (Release) from $src ..." >&2
dotnet build "$src/src/KDumpCloud.Relay" -c Release -v q -nologo >/dev/null
dotnet build "$src/$harness" -c Release -v q -nologo >/dev/null
relay_dll="$src/src/KDumpCloud.Relay/bin/Release/net10.0/kdumpcloud-relay.dll"
storm_dll="$src/$harness/bin/Release/net10.0/kdumpcloud-storm.dll"

started=$(date -u +%Y-%m-%dT%H:%MZ)
set +e
dotnet "$storm_dll" --relay-dll "$relay_dll" --data-dir "$work/spool" --relay-log "$work/relay.log" \
  --report "$work/figures.md" "$@" > /dev/null 2> >(tee "$work/progress.txt" >&2) &
storm_pid=$!
wait "$storm_pid"
status=$?
storm_pid=""
set -e
if [ -n "$keep_log" ]; then cp "$work/relay.log" "$keep_log" 2>/dev/null || true; fi
[ -s "$work/figures.md" ] || { echo "the storm run wrote no figures (exit $status)" >&2; tail -20 "$work/relay.log" >&2 || true; exit 1; }

mkdir -p "$(dirname "$out")"
{
  echo "# $title"
  echo
  for note in "${notes[@]}"; do echo "$note"; echo; done
  echo "- Date: $started"
  echo "- Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); spool on $(df -h --output=fstype "$work" | tail -1 | tr -d ' ') ($work)"
  echo "- Relay commit: $commit; .NET $(dotnet --version), Release"
  echo "- Command: \`bash tests/KDumpCloud.Benchmarks/storm/run.sh${rev:+ --rev $rev}${*:+ $*}\`; $nofile; harness exit code $status (0: relay alive at the end)"
  echo
  cat "$work/figures.md"
  echo
  echo "## Progress as printed"
  echo
  echo '```'
  cat "$work/progress.txt"
  echo '```'
} > "$out"
cat "$out"
