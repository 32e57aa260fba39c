#!/usr/bin/env bash
# Ingest run for issue 8's speed and memory targets, on loopback, with Azurite started here as the tests start it
# (tests/KDumpCloud.TestSupport/AzuriteServer.cs). Three parts:
#   1. embedded: EOF of a paniclog → its occurrence recorded, for --paniclogs corpus paniclogs sent one at a time with
#      `kdumpcloud send` to the relay on its embedded default (no KDumpStorage); p50/p90 (target: p50 < 200 ms);
#   2. cloud handler: --messages paniclog messages through IngestQueueHandler.HandleAsync with the Blob and Table
#      adapters on Azurite (blobs uploaded first), at each of --concurrency; messages per second and the decode alone
#      per message (targets: ≥ 100 messages/s, decode < 1/10 of the time per message);
#   3. a gzip core of --core-size compressed read from Azurite through the ingest core, against reading the blob alone;
#      peak working set (VmHWM) of each reading process (target: < 150 MB through the ingest core).
# The measuring side is the project in ../ingest (kdumpcloud-ingest-bench). Loopback only, bounded (every send and
# wait has a timeout).
#
#   bash tests/KDumpCloud.Benchmarks/load/ingest-run.sh [--paniclogs 50] [--messages 500] [--concurrency "1 8"]
#        [--core-size 1GiB] [--out FILE] [--title TEXT] [--note TEXT]... [--keep-logs DIR] [-- --Key value ...]
#
#   --out FILE       the markdown report [tests/KDumpCloud.Benchmarks/results/ingest.md]
#   --note TEXT      a line under the heading (repeatable), e.g. what the machine was doing
#   --keep-logs DIR  copy the relay's and Azurite's logs and the tool's output there (the run's temporary directory
#                    is deleted at the end)
#   -- ...           settings passed to the embedded relay, e.g. -- --EmbeddedIngest:MaxConcurrentDumps 1
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
paniclogs=50
messages=500
concurrency="1 8"
core_size=1GiB
out="$root/tests/KDumpCloud.Benchmarks/results/ingest.md"
title="Ingest run: embedded relay, queue handler and a large core on Azurite, on loopback"
notes=()
keep_logs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --paniclogs) paniclogs=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --core-size) core_size=$2; shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --title) title=$2; shift 2 ;;
    --note) notes+=("$2"); shift 2 ;;
    --keep-logs) keep_logs=$(realpath -m "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
relay_settings=("$@")
command_line="bash tests/KDumpCloud.Benchmarks/load/ingest-run.sh --paniclogs $paniclogs --messages $messages"
command_line+=" --concurrency \"$concurrency\" --core-size $core_size${relay_settings[*]:+ -- ${relay_settings[*]}}"
corpus="$root/../shared/corpus/panics"
[ -d "$corpus" ] || { echo "the corpus is not at $corpus" >&2; exit 1; }
bytes_of() { numfmt --from=iec-i "$1" 2>/dev/null || numfmt --from=iec "${1%iB}"; }
core_bytes=$(bytes_of "$core_size")

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
started_at=$(date -u +%Y-%m-%dT%H:%MZ)
commit="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src tests/KDumpCloud.Benchmarks || echo ' + local changes')"
work=$(mktemp -d /tmp/kdumpcloud-ingest.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$keep_logs" ]; then mkdir -p "$keep_logs" && cp "$work"/*.log "$work"/*.txt "$keep_logs"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building (Release)..." >&2
dotnet build "$root/src/KDumpCloud.Relay" -c Release -v q -nologo >/dev/null
dotnet build "$root/src/KDumpCloud.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$root/tests/KDumpCloud.Benchmarks/ingest" -c Release -v q -nologo >/dev/null
relay_dll="$root/src/KDumpCloud.Relay/bin/Release/net10.0/kdumpcloud-relay.dll"
send=(dotnet "$root/src/KDumpCloud.Cli/bin/Release/net10.0/kdumpcloud.dll" send --server 127.0.0.1 --timeout 60 --kind paniclog)
bench=(dotnet "$root/tests/KDumpCloud.Benchmarks/ingest/bin/Release/net10.0/kdumpcloud-ingest-bench.dll")

field() { sed -nE "s|.*$1.*|\\1|p" | head -1; }
verdict() { awk "BEGIN{exit !($1)}" && echo "**met**" || echo "**not met**"; }

# --- Azurite, started as AzuriteServer starts it: same flags, same preload (exit with this script; no telemetry
# module), data on disk in the run's directory. ---
azurite_dir="$root/infra/azurite"
if [ ! -f "$azurite_dir/node_modules/.package-lock.json" ]; then
  echo "installing Azurite (npm ci --prefix infra/azurite)..." >&2
  npm ci --prefix "$azurite_dir" --no-audit --no-fund >/dev/null
fi
azurite_version=$(node -p "require('$azurite_dir/node_modules/azurite/package.json').version")
cat > "$work/azurite-preload.cjs" <<'PRELOAD'
'use strict';
const parent = Number(process.env.KDUMPCLOUD_AZURITE_PARENT_PID);
if (parent > 0) {
  setInterval(() => {
    try { process.kill(parent, 0); } catch (e) { if (e.code === 'ESRCH') process.exit(1); }
  }, 1000).unref();
}
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'applicationinsights' ? {} : load.call(this, request, ...rest);
};
PRELOAD
free_ports() {
  node -e 'const net = require("net"); const s = [0, 1, 2].map(() => net.createServer()); let n = 0;
    s.forEach(x => x.listen(0, "127.0.0.1", () => { if (++n === 3) { console.log(s.map(y => y.address().port).join(" ")); s.forEach(y => y.close()); } }));'
}
mkdir -p "$work/azurite"
for attempt in 1 2 3 4 5; do
  read -r blob_port queue_port table_port < <(free_ports)
  KDUMPCLOUD_AZURITE_PARENT_PID=$$ node --require "$work/azurite-preload.cjs" "$azurite_dir/node_modules/.bin/azurite" \
    --location "$work/azurite" --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" --skipApiVersionCheck --disableTelemetry --silent \
    > "$work/azurite.log" 2>&1 &
  azurite_pid=$!
  for _ in $(seq 600); do
    [ "$(grep -c 'successfully listening at' "$work/azurite.log")" -ge 3 ] && break
    kill -0 "$azurite_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$(grep -c 'successfully listening at' "$work/azurite.log")" -ge 3 ]; then break; fi
  kill "$azurite_pid" 2>/dev/null || true
  wait "$azurite_pid" 2>/dev/null || true
  grep -q EADDRINUSE "$work/azurite.log" && [ "$attempt" -lt 5 ] && continue
  echo "Azurite did not start:" >&2; cat "$work/azurite.log" >&2; exit 1
done
pids+=("$azurite_pid")
account=devstoreaccount1
storage="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob_port/$account;QueueEndpoint=http://127.0.0.1:$queue_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"

# --- 1. embedded: EOF → occurrence recorded ---
echo "1. embedded relay: $paniclogs corpus paniclogs, one at a time" >&2
mkdir -p "$work/embedded"
dotnet "$relay_dll" --Relay:Port 0 --Relay:BindAddress 127.0.0.1 --Relay:DataDirectory "$work/embedded" \
  --Relay:MinFreeDiskBytes 0 --Relay:DumpsPerHourPerSource 10000 "${relay_settings[@]}" > "$work/embedded.log" 2>&1 &
relay_pid=$!
pids+=("$relay_pid")
for _ in $(seq 300); do
  relay_port=$(sed -nE 's/.*on UDP 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/embedded.log" | head -1)
  [ -n "$relay_port" ] && break
  kill -0 "$relay_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$relay_port" ] || { echo "the relay did not start:" >&2; cat "$work/embedded.log" >&2; exit 1; }
# send_and_wait FILE NAME: one paniclog, then until its journal has the ingest's record (60 s at most).
send_and_wait() {
  "${send[@]}" --port "$relay_port" --file "$1" --name "$2" | grep -q '^completed' \
    || { echo "send $2 did not complete" >&2; exit 1; }
  for _ in $(seq 1200); do grep -q '"ingest"' "$work/embedded/journal/$2.json" 2>/dev/null && return 0; sleep 0.05; done
  echo "$2: no ingest record in its journal within 60 s" >&2; tail -20 "$work/embedded.log" >&2; exit 1
}
mapfile -t corpus_files < <(find "$corpus" -maxdepth 1 -type f | sort)
send_and_wait "${corpus_files[0]}" "paniclog-xnu-11417.121.6-127.0.0.1-00warm"
: > "$work/embedded-names.txt"
for i in $(seq 0 $((paniclogs - 1))); do
  name=$(printf 'paniclog-xnu-11417.121.6-127.0.0.1-%08x' "$i")
  send_and_wait "${corpus_files[$((i % ${#corpus_files[@]}))]}" "$name"
  echo "$name" >> "$work/embedded-names.txt"
done
relay_peak=$(awk '/VmHWM/{printf "%.1f", $2*1024/1e6}' "/proc/$relay_pid/status")
kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true
embedded_check=0
"${bench[@]}" embedded-latency --data-directory "$work/embedded" --names "$work/embedded-names.txt" > "$work/embedded.txt" || embedded_check=$?
summary=$(grep '^embedded' "$work/embedded.txt")
recorded_p50=$(field ' eof-to-recorded-p50 ([0-9.]+)' <<<"$summary")
recorded_p90=$(field ' eof-to-recorded-p90 ([0-9.]+)' <<<"$summary")
recorded_max=$(field ' eof-to-recorded-max ([0-9.]+)' <<<"$summary")
journal_p50=$(field ' eof-to-journal-p50 ([0-9.]+)' <<<"$summary")
journal_p90=$(field ' eof-to-journal-p90 ([0-9.]+)' <<<"$summary")
recorded_n=$(field ' recorded ([0-9]+)' <<<"$summary")
echo "  EOF → recorded p50 $recorded_p50 ms, p90 $recorded_p90 ms ($recorded_n/$paniclogs recorded)" >&2

# --- 2. cloud handler on Azurite ---
handler_rows=""
handler_verdicts=""
for c in $concurrency; do
  echo "2. handler: $messages messages, concurrency $c" >&2
  handler_check=0
  "${bench[@]}" handler --connection-string "$storage" --corpus "$corpus" --count "$messages" --concurrency "$c" \
    > "$work/handler-$c.txt" 2> "$work/handler-$c.log" || handler_check=$?
  line=$(grep '^handler' "$work/handler-$c.txt")
  rate=$(field ' messages-per-second ([0-9.]+)' <<<"$line")
  wall=$(field ' wall-ms-per-message ([0-9.]+)' <<<"$line")
  lat50=$(field ' latency-p50 ([0-9.]+)' <<<"$line")
  lat90=$(field ' latency-p90 ([0-9.]+)' <<<"$line")
  latmean=$(field ' latency-mean ([0-9.]+)' <<<"$line")
  read50=$(field ' ingestor-read-decode-p50 ([0-9.]+)' <<<"$line")
  decmean=$(field ' decode-mean ([0-9.]+)' <<<"$line")
  dec90=$(field ' decode-p90 ([0-9.]+)' <<<"$line")
  share=$(field ' decode-share-of-latency ([0-9.]+)' <<<"$line")
  share_wall=$(field ' decode-share-of-wall ([0-9.]+)' <<<"$line")
  peak=$(field ' peak-mb ([0-9.]+)' <<<"$line")
  conflicts=$(field ' storage-errors ([0-9]+)' <<<"$line")
  echo "  $rate messages/s; latency p50 $lat50 ms; decode mean $decmean ms ($share of latency)" >&2
  handler_rows+="| $c | $rate | $wall | $lat50 / $lat90 / $latmean | $read50 | $decmean / $dec90 | $share | $share_wall | $conflicts | $peak | $([ "$handler_check" = 0 ] && echo ok || echo "exit $handler_check") |"$'\n'
  handler_verdicts+="concurrency $c: ≥ 100 messages/s $(verdict "$rate >= 100 && $handler_check == 0"), decode < 1/10 of the latency $(verdict "$share < 0.1"). "
done

# --- 3. a large gzip core read from Azurite ---
echo "3. core of $core_size compressed: upload, then read three ways" >&2
"${bench[@]}" core-upload --connection-string "$storage" --container bench-core --blob core.gz --size "$core_bytes" --corpus "$corpus" \
  > "$work/core-upload.txt"
upload_line=$(grep '^core-upload' "$work/core-upload.txt")
compressed=$(field ' compressed-bytes ([0-9]+)' <<<"$upload_line")
raw=$(field ' raw-bytes ([0-9]+)' <<<"$upload_line")
core_rows=""
for mode in download stream ingest; do
  core_check=0
  "${bench[@]}" core-read --connection-string "$storage" --container bench-core --blob core.gz --mode "$mode" \
    > "$work/core-$mode.txt" 2> "$work/core-$mode.log" || core_check=$?
  line=$(grep '^core-read' "$work/core-$mode.txt")
  declare "core_s_${mode//-/_}=$(field ' seconds ([0-9.]+)' <<<"$line")"
  declare "core_peak_${mode//-/_}=$(field ' peak-mb ([0-9.]+)' <<<"$line")"
  extra=$(field ' status ([A-Za-z]+)' <<<"$line")
  found=$(field ' find-panic-ms ([0-9.NaN]+)' <<<"$line")
  core_rows+="| $mode | $(field ' seconds ([0-9.]+)' <<<"$line") | $(field ' mbps ([0-9.]+)' <<<"$line") | $(field ' peak-mb ([0-9.]+)' <<<"$line") | ${extra:-}${found:+, panic found after $found ms} | $([ "$core_check" = 0 ] && echo ok || echo "exit $core_check") |"$'\n'
  echo "  $mode: $line" | head -1 >&2
  [ "$mode" = ingest ] && ingest_check=$core_check
done
core_vs_stream=$(awk -v a="$core_s_ingest" -v b="$core_s_stream" 'BEGIN{printf "%.2f", a/b}')
core_vs_download=$(awk -v a="$core_s_ingest" -v b="$core_s_download" 'BEGIN{printf "%.2f", a/b}')

# --- report ---
embedded_verdict=$(verdict "$recorded_p50 < 200 && $embedded_check == 0")
core_verdict=$(verdict "$core_peak_ingest < 150 && $ingest_check == 0")
mkdir -p "$(dirname "$out")"
{
  echo "# $title"
  echo
  for note in "${notes[@]}"; do echo "- $note"; done
  echo "- Date: $started_at; commit $commit"
  echo "- Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
  echo "- Load average at start: $load_at_start (1, 5, 15 min); at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- .NET $(dotnet --version); Azurite $azurite_version (on disk, as the tests start it); Release builds; MB = 10^6 bytes"
  echo "- Command: \`$command_line\`"
  echo
  echo "## 1. Embedded relay: EOF of a paniclog → its occurrence recorded"
  echo
  echo "$paniclogs corpus paniclogs ($(ls "$corpus" | wc -l) files in turn) sent with \`kdumpcloud send --kind paniclog\` (kernel timing) to the relay"
  echo "on its embedded default (no \`KDumpStorage\`; relay settings \`${relay_settings[*]:-none beyond the defaults}\`), one at a time: each send"
  echo "waits until the previous dump's journal has its ingest record; one warm-up dump before, not counted. EOF is the journal's"
  echo "\`finishedAt\`; *recorded* is the occurrence's \`recordedAt\` in \`crashes.db\` (the store counted it); *journal* is the"
  echo "journal's \`ingest.updatedAt\` (the result written back, the last step)."
  echo
  echo "| | p50 (ms) | p90 (ms) | max (ms) |"
  echo "|---|---|---|---|"
  echo "| EOF → occurrence recorded | $recorded_p50 | $recorded_p90 | $recorded_max |"
  echo "| EOF → journal's ingest record | $journal_p50 | $journal_p90 | $(field ' eof-to-journal-max ([0-9.]+)' <<<"$summary") |"
  echo
  echo "$recorded_n of $paniclogs recorded. Target p50 < 200 ms: $embedded_verdict. Relay peak RSS: $relay_peak MB."
  echo
  echo "## 2. Cloud handler on Azurite: $messages paniclog messages"
  echo
  echo "Corpus paniclogs uploaded as blobs first (untimed), from 50 Macs; each message body handed to"
  echo "\`IngestQueueHandler.HandleAsync\` with the services \`AddKDumpIngest\` registers for \`KDumpStorage\` (Blob and Table"
  echo "adapters, fresh tables), *concurrency* at a time, after 20 warm-up messages. *Latency* is one HandleAsync call."
  echo "*Ingestor read+decode* is the ingestor's own figure (its log line's \`DecodeMs\`: from opening the blob stream to the"
  echo "decoded panic, so it includes the blob download). *Decode alone* is \`PanicFileDecoder.DecodeAsync\` + \`Fingerprinter\`"
  echo "on the same bytes in memory (mean of 20 after a warm-up, weighted by the messages' mix). *Storage error responses*"
  echo "are the Azure SDK's logged failed responses, warm-up included: under concurrency, the Table store's 409 and 412 of"
  echo "optimistic concurrency on a busy group (retried by the store; each one is in the kept logs)."
  echo
  echo "| concurrency | messages/s | wall ms per message | latency p50 / p90 / mean (ms) | ingestor read+decode p50 (ms) | decode alone mean / p90 (ms) | decode ÷ latency | decode ÷ wall per message | storage error responses | peak MB | check |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$handler_rows"
  echo
  echo "$handler_verdicts"
  echo
  echo "## 3. A gzip core of $core_size read from Azurite"
  echo
  echo "A synthetic core ($compressed bytes gzip, $raw bytes raw: MH_CORE header with the version note, memory pages of"
  echo "zeros, pointer-like data, random bytes and format-string decoys, a corpus panic text 64 KiB before the end), generated"
  echo "straight into the blob. Each read is a process of its own, so its peak working set (VmHWM) is the read's:"
  echo "*download* is \`DownloadToAsync(Stream.Null)\` with the SDK's defaults; *stream* the ingest reader's own stream"
  echo "(\`BlobDumpReader\`: one streamed download) copied into a null stream; *ingest* the message through"
  echo "\`IngestQueueHandler.HandleAsync\` (find and decode the panic, read the rest to check size and SHA-256, record in"
  echo "Table Storage). MB/s is of compressed bytes."
  echo
  echo "| read | seconds | MB/s | peak working set (MB) | result | check |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$core_rows"
  echo
  echo "Through the ingest core: **$core_vs_stream×** the reader's stream alone, $core_vs_download× the SDK download."
  echo "Peak working set < 150 MB through the ingest core: $core_verdict."
  echo
  echo "<details><summary>Tool output</summary>"
  echo
  echo '```'
  cat "$work/embedded.txt" "$work"/handler-*.txt "$work/core-upload.txt" "$work"/core-{download,stream,ingest}.txt 2>/dev/null || true
  echo '```'
  echo
  echo "</details>"
} > "$out"
cat "$out"
