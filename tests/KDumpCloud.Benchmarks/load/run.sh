#!/usr/bin/env bash
# Load run for issue 2's speed and memory targets: the relay against a minimal C receiver (receive, write,
# ACK; minimal-receiver.c) in the same run, so the machine's noise cancels. Loopback only, bounded.
#
#   bash tests/KDumpCloud.Benchmarks/load/run.sh [runs] [single-size] [concurrent-size]
#   TELEMETRY=1 bash tests/KDumpCloud.Benchmarks/load/run.sh ...   # adds a relay with tracing and metrics on
#
# Writes tests/KDumpCloud.Benchmarks/results/load-relay.md (machine, date, every run, medians); with TELEMETRY=1,
# results/load-relay-telemetry.md, where a third receiver, "relay-otel", is the same relay exporting every trace,
# metric and log over OTLP/HTTP to a local stand-in collector (otlp-sink.py). OUT=path writes elsewhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${1:-5}
single=${2:-64MiB}
concurrent=${3:-16MiB}
telemetry=${TELEMETRY:-0}
if [ "$telemetry" = 1 ]; then
  out=${OUT:-"$root/tests/KDumpCloud.Benchmarks/results/load-relay-telemetry.md"}
else
  out=${OUT:-"$root/tests/KDumpCloud.Benchmarks/results/load-relay.md"}
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d /tmp/kdumpcloud-load.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo "building (Release)..." >&2
dotnet build "$root/src/KDumpCloud.Relay" -c Release -v q -nologo >/dev/null
dotnet build "$root/src/KDumpCloud.Cli" -c Release -v q -nologo >/dev/null
cc -O2 -o "$work/minimal-receiver" "$root/tests/KDumpCloud.Benchmarks/load/minimal-receiver.c"
relay_dll="$root/src/KDumpCloud.Relay/bin/Release/net10.0/kdumpcloud-relay.dll"
send=(dotnet "$root/src/KDumpCloud.Cli/bin/Release/net10.0/kdumpcloud.dll" send --server 127.0.0.1 --timeout 300)

mkdir -p "$work/c" "$work/relay"
"$work/minimal-receiver" 127.0.0.1 0 "$work/c" > "$work/c.out" &
pids+=($!)
dotnet "$relay_dll" --Relay:Port 0 --Relay:BindAddress 127.0.0.1 --Relay:DataDirectory "$work/relay" \
  --Relay:MinFreeDiskBytes 0 --EmbeddedIngest:Enabled false > "$work/relay.out" 2>&1 &
relay_pid=$!
pids+=($relay_pid)
for _ in $(seq 100); do
  c_port=$(sed -n 's/^listening on //p' "$work/c.out")
  relay_port=$(sed -nE 's/.*on UDP 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/relay.out" | head -n 1)
  [ -n "$c_port" ] && [ -n "$relay_port" ] && break
  sleep 0.1
done
[ -n "$relay_port" ] || { echo "relay did not start:" >&2; cat "$work/relay.out" >&2; exit 1; }

targets=(c relay)
if [ "$telemetry" = 1 ]; then
  python3 "$root/tests/KDumpCloud.Benchmarks/load/otlp-sink.py" --seconds 3600 > "$work/sink.out" 2>&1 &
  sink_pid=$!
  pids+=($sink_pid)
  for _ in $(seq 100); do
    sink_port=$(sed -n 's/^listening on //p' "$work/sink.out")
    [ -n "$sink_port" ] && break
    sleep 0.1
  done
  [ -n "$sink_port" ] || { echo "OTLP sink did not start:" >&2; cat "$work/sink.out" >&2; exit 1; }
  mkdir -p "$work/relay-otel"
  dotnet "$relay_dll" --Relay:Port 0 --Relay:BindAddress 127.0.0.1 --Relay:DataDirectory "$work/relay-otel" \
    --Relay:MinFreeDiskBytes 0 --EmbeddedIngest:Enabled false \
    --Telemetry:OtlpEndpoint "http://127.0.0.1:$sink_port" --Telemetry:OtlpProtocol http/protobuf > "$work/relay-otel.out" 2>&1 &
  otel_pid=$!
  pids+=($otel_pid)
  for _ in $(seq 100); do
    otel_port=$(sed -nE 's/.*on UDP 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/relay-otel.out" | head -n 1)
    [ -n "$otel_port" ] && break
    sleep 0.1
  done
  [ -n "$otel_port" ] || { echo "relay with telemetry did not start:" >&2; cat "$work/relay-otel.out" >&2; exit 1; }
  targets+=(relay-otel)
fi

field() { sed -nE "s|.*$1.*|\\1|p" | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

single_rows=""
# Each run starts with the next receiver (c, relay, ... then relay, ..., c), so none always follows the same one; and
# after a relay's transfer the next waits (at most 10 s) for that relay to finish hashing the dump in the background,
# which would otherwise take CPU from the following transfer only.
for i in $(seq "$runs"); do
  order=("${targets[@]:$(( (i - 1) % ${#targets[@]} ))}" "${targets[@]:0:$(( (i - 1) % ${#targets[@]} ))}")
  for target in "${order[@]}"; do
    case $target in c) port=$c_port ;; relay) port=$relay_port ;; *) port=$otel_port ;; esac
    line=$("${send[@]}" --port "$port" --random-bytes "$single" --seed "$i" --name "single-$target-$i" | grep '^completed')
    mbs=$(field ' ([0-9.]+) MB/s' <<<"$line")
    rtt=$(field 'p50/p90/p99 ([0-9/]+) µs' <<<"$line")
    wrq=$(field 'wrq→ack0 ([0-9.]+) ms' <<<"$line")
    echo "$target $i $mbs MB/s rtt $rtt µs wrq $wrq ms" >&2
    single_rows+="| $i | $target | $mbs | $rtt | ${wrq:-n/a} |"$'\n'
    echo "$target $mbs ${wrq:-}" >> "$work/single.tsv"
    if [ "$target" != c ]; then
      for _ in $(seq 100); do grep -q '"sha256"' "$work/$target/journal/single-$target-$i.json" 2>/dev/null && break; sleep 0.1; done
    fi
  done
done
c_median=$(awk '$1=="c"{print $2}' "$work/single.tsv" | median)
relay_median=$(awk '$1=="relay"{print $2}' "$work/single.tsv" | median)
wrq_median=$(awk '$1=="relay" && $3!=""{print $3}' "$work/single.tsv" | median)
ratio=$(awk -v r="$relay_median" -v c="$c_median" 'BEGIN{printf "%.3f", r/c}')
if [ "$telemetry" = 1 ]; then
  otel_median=$(awk '$1=="relay-otel"{print $2}' "$work/single.tsv" | median)
  otel_ratio=$(awk -v r="$otel_median" -v c="$c_median" 'BEGIN{printf "%.3f", r/c}')
  otel_vs_off=$(awk -v r="$otel_median" -v c="$relay_median" 'BEGIN{printf "%.3f", r/c}')
fi

concurrent_total() {
  "${send[@]}" --port "$1" --random-bytes "$concurrent" --concurrency 32 --seed 7 --name "$2" > "$work/$2.txt"
  grep '^total' "$work/$2.txt"
}
# Waits (at most 30 s) until every journal in $1 holds its SHA-256, so a relay's background hashing of the dumps
# just received does not take CPU from the next receiver's run.
wait_hashed() {
  for _ in $(seq 300); do
    ! grep -L '"sha256"' "$1"/journal/*.json 2>/dev/null | grep -q . && break
    sleep 0.1
  done
}
c_conc=$(concurrent_total "$c_port" conc-c)
relay_conc=$(concurrent_total "$relay_port" conc-relay)
if [ "$telemetry" = 1 ]; then
  wait_hashed "$work/relay"
  otel_conc=$(concurrent_total "$otel_port" conc-relay-otel)
  # What reached the stand-in collector: the relay exports spans as they end, metrics every 60 s, and all at stop.
  traced=$(grep -l '"traceParent": "00-[0-9a-f]*-[0-9a-f]*-01"' "$work"/relay-otel/journal/*.json 2>/dev/null | wc -l)
  journals=$(ls "$work"/relay-otel/journal/*.json 2>/dev/null | wc -l)
  otel_peak_mb=$(awk '/VmHWM/{printf "%.1f", $2*1024/1e6}' "/proc/$otel_pid/status")
  kill -TERM "$otel_pid"; wait "$otel_pid" 2>/dev/null || true
  kill -TERM "$sink_pid"; wait "$sink_pid" 2>/dev/null || true
  sink_counts=$(grep '^received' "$work/sink.out" | sed 's/^received //' | paste -sd ';' -)
fi
c_conc_mbs=$(field ' ([0-9.]+) MB/s' <<<"$c_conc")
relay_conc_mbs=$(field ' ([0-9.]+) MB/s' <<<"$relay_conc")
relay_completed=$(field ' ([0-9]+/[0-9]+) completed' <<<"$relay_conc")

# Byte-identical: every file's SHA-256 in the relay's journal equals what the client says kdumpd would store.
identical=0; checked=0
while read -r name sha; do
  checked=$((checked + 1))
  journal="$work/relay/journal/$name.json"
  for _ in $(seq 50); do grep -q "\"sha256\": \"$sha\"" "$journal" 2>/dev/null && break; sleep 0.1; done
  grep -q "\"sha256\": \"$sha\"" "$journal" && identical=$((identical + 1))
done < <(awk '$1=="completed"{for(i=1;i<=NF;i++) if($i=="sha256") print $2, $(i+1)}' "$work/conc-relay.txt")
peak_kib=$(awk '/VmHWM/{print $2}' "/proc/$relay_pid/status")
peak_mb=$(awk -v k="$peak_kib" 'BEGIN{printf "%.1f", k*1024/1e6}')

mkdir -p "$(dirname "$out")"
{
  echo "# Relay load run: relay vs minimal C receiver (loopback)"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
  echo "- .NET: $(dotnet --version); client: \`kdumpcloud send\` (kernel timing, 1406-byte DATA); MB = 10^6 bytes"
  if [ "$telemetry" = 1 ]; then
    echo "- Command: \`TELEMETRY=1 bash tests/KDumpCloud.Benchmarks/load/run.sh $runs $single $concurrent\`"
  else
    echo "- Command: \`bash tests/KDumpCloud.Benchmarks/load/run.sh $runs $single $concurrent\`"
  fi
  echo "- Load average (1/5/15 min): $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (2 cores)"
  echo "- Commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src || echo ' plus uncommitted changes')"
  echo
  echo "## Single transfer, $single, alternating receivers (each run starts with the next one)"
  echo
  echo "| run | receiver | MB/s | ACK RTT p50/p90/p99 (µs) | WRQ→ACK 0 seen by a cold client (ms) |"
  echo "|---|---|---|---|---|"
  printf '%s' "$single_rows"
  echo
  echo "Median: minimal receiver $c_median MB/s, relay $relay_median MB/s, **ratio $ratio** (target ≥ 0.95)."
  if [ "$telemetry" = 1 ]; then
    echo "With tracing and metrics on (relay-otel): $otel_median MB/s, **ratio $otel_ratio** to the minimal receiver,"
    echo "$otel_vs_off to the same relay with telemetry off (target ≥ 0.95)."
  fi
  echo "WRQ→ACK 0 as a fresh client process sees it, median for the relay: ${wrq_median:-n/a} ms. That includes the"
  echo "client's own cold start (the minimal receiver shows the same); the relay's own figure, with a warm client, is"
  echo "the BenchmarkDotNet row 'WRQ → ACK 0' in results/relay.md."
  echo
  echo "## 32 concurrent transfers of $concurrent each"
  echo
  echo "| receiver | total line |"
  echo "|---|---|"
  echo "| minimal C | \`$c_conc\` |"
  echo "| relay | \`$relay_conc\` |"
  if [ "$telemetry" = 1 ]; then
    echo "| relay-otel | \`$otel_conc\` |"
  fi
  echo
  echo "Relay aggregate $relay_conc_mbs MB/s (minimal receiver $c_conc_mbs MB/s; kdumpd managed about 50 MB/s);"
  echo "$relay_completed completed, $identical of $checked byte-identical (journal SHA-256 = kdumpd's expected bytes)."
  echo "Relay peak RSS (VmHWM) over the whole run: **$peak_mb MB** (target < 150 MB)."
  if [ "$telemetry" = 1 ]; then
    echo
    echo "relay-otel peak RSS (VmHWM): **$otel_peak_mb MB**."
    echo "Telemetry check: $traced of $journals journals of relay-otel hold a sampled traceparent; the stand-in"
    echo "collector received: ${sink_counts:-nothing}."
  fi
} > "$out"
cat "$out"
