#!/usr/bin/env bash
# Upload run for issue 7's speed and memory targets, against Azurite on loopback (started here as the tests start it,
# tests/KDumpCloud.TestSupport/AzuriteServer.cs) and the minimal C receiver (minimal-receiver.c). Three parts:
#   1. EOF → committed blob with its ingest message on the queue, one dump of --eof-size at a time, against a plain
#      BlobClient.UploadAsync of the same finished file in the same run (targets: ≤ 2 s, ≤ 1/5 of the plain upload);
#   2. single-transfer MB/s of the relay with uploading on vs off, alternating with the minimal C receiver
#      (target: on/off ≥ 0.9);
#   3. --many dumps of --many-size at once, received and uploaded: peak relay RSS (VmHWM; target < 200 MB), every blob
#      byte-identical to the journal and the sender, one message each.
# Each part has relays of its own (own data directory, container and queue); the storage side is the project in
# ../upload (kdumpcloud-upload-bench). Loopback only, bounded (every send and wait has a timeout).
#
#   bash tests/KDumpCloud.Benchmarks/load/upload-run.sh [--runs 5] [--eof-size 256MiB] [--single-size 64MiB]
#        [--many 32] [--many-size 16MiB] [--out FILE] [--title TEXT] [--note TEXT]... [--keep-logs DIR]
#        [-- --Key value ...]
#
#   --out FILE       the markdown report [tests/KDumpCloud.Benchmarks/results/upload.md]
#   --note TEXT      a line under the heading (repeatable), e.g. what the machine was doing
#   --keep-logs DIR  copy the relays' and Azurite's logs and the tool's output there (the run's temporary directory
#                    is deleted at the end)
#   -- ...       settings passed to every relay, e.g. -- --Upload:MaxParallelBlocks 4
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
runs=5
eof_size=256MiB
single_size=64MiB
many=32
many_size=16MiB
out="$root/tests/KDumpCloud.Benchmarks/results/upload.md"
title="Upload run: relay → Azurite on loopback"
notes=()
keep_logs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --eof-size) eof_size=$2; shift 2 ;;
    --single-size) single_size=$2; shift 2 ;;
    --many) many=$2; shift 2 ;;
    --many-size) many_size=$2; shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --title) title=$2; shift 2 ;;
    --note) notes+=("$2"); shift 2 ;;
    --keep-logs) keep_logs=$(realpath -m "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
relay_settings=("$@")
# What reproduces the figures (the report's own options, --out, --title, --note and --keep-logs, left out).
command_line="bash tests/KDumpCloud.Benchmarks/load/upload-run.sh --runs $runs --eof-size $eof_size --single-size $single_size"
command_line+=" --many $many --many-size $many_size${relay_settings[*]:+ -- ${relay_settings[*]}}"

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
started_at=$(date -u +%Y-%m-%dT%H:%MZ)
commit="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src tests/KDumpCloud.Benchmarks || echo ' + local changes')"
work=$(mktemp -d /tmp/kdumpcloud-upload.XXXXXX)
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
dotnet build "$root/tests/KDumpCloud.Benchmarks/upload" -c Release -v q -nologo >/dev/null
cc -O2 -o "$work/minimal-receiver" "$root/tests/KDumpCloud.Benchmarks/load/minimal-receiver.c"
relay_dll="$root/src/KDumpCloud.Relay/bin/Release/net10.0/kdumpcloud-relay.dll"
send=(dotnet "$root/src/KDumpCloud.Cli/bin/Release/net10.0/kdumpcloud.dll" send --server 127.0.0.1 --timeout 300)
bench=(dotnet "$root/tests/KDumpCloud.Benchmarks/upload/bin/Release/net10.0/kdumpcloud-upload-bench.dll")

field() { sed -nE "s|.*$1.*|\\1|p" | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
verdict() { awk "BEGIN{exit !($1)}" && echo "**met**" || echo "**not met**"; }

# --- Azurite, started as AzuriteServer starts it: same flags, same preload (exit with this script; no telemetry
# module), data on disk in the run's directory. ---
azurite_dir="$root/infra/azurite"
if [ ! -f "$azurite_dir/node_modules/.package-lock.json" ]; then
  echo "installing Azurite (npm ci --prefix infra/azurite)..." >&2
  npm ci --prefix "$azurite_dir" --no-audit --no-fund >/dev/null
fi
azurite_version=$(node -p "require('$azurite_dir/node_modules/azurite/package.json').version")
cat > "$work/azurite-preload.cjs" <<'EOF'
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
EOF
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

# --- receivers ---
mkdir -p "$work/c"
"$work/minimal-receiver" 127.0.0.1 0 "$work/c" > "$work/c.out" &
pids+=($!)
declare -A relay_pid relay_port
# start_relay NAME [settings...]: a relay with its own data directory; its log is $work/NAME.log.
start_relay() {
  local name=$1; shift
  mkdir -p "$work/$name"
  dotnet "$relay_dll" --Relay:Port 0 --Relay:BindAddress 127.0.0.1 --Relay:DataDirectory "$work/$name" \
    --Relay:MinFreeDiskBytes 0 --Relay:DumpsPerHourPerSource 10000 --EmbeddedIngest:Enabled false "$@" "${relay_settings[@]}" > "$work/$name.log" 2>&1 &
  relay_pid[$name]=$!
  pids+=($!)
  for _ in $(seq 300); do
    relay_port[$name]=$(sed -nE 's/.*on UDP 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/$name.log" | head -1)
    [ -n "${relay_port[$name]}" ] && return 0
    kill -0 "${relay_pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "relay $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
stop_relay() { kill "${relay_pid[$1]}" 2>/dev/null || true; wait "${relay_pid[$1]}" 2>/dev/null || true; }
peak_mb() { awk '/VmHWM/{printf "%.1f", $2*1024/1e6}' "/proc/${relay_pid[$1]}/status"; }
# wait_sent RELAY NAME: until the dump's journal records its ingest message sent (600 s at most).
wait_sent() {
  local journal="$work/$1/journal/$2.json"
  for _ in $(seq 6000); do grep -q '"state": "sent"' "$journal" 2>/dev/null && return 0; sleep 0.1; done
  echo "$2: no upload.state = sent in $journal within 600 s" >&2; cat "$journal" >&2 || true; tail -20 "$work/$1.log" >&2; exit 1
}
# send_one PORT SIZE SEED NAME: one transfer; prints its 'completed' line or fails the run.
send_one() {
  local line
  line=$("${send[@]}" --port "$1" --random-bytes "$2" --seed "$3" --name "$4" | grep '^completed') \
    || { echo "send $4 to port $1 did not complete" >&2; exit 1; }
  echo "$line"
}
for _ in $(seq 100); do c_port=$(sed -n 's/^listening on //p' "$work/c.out"); [ -n "$c_port" ] && break; sleep 0.1; done

# --- 1. EOF → committed blob + message, vs a plain UploadAsync of the same file ---
echo "1. EOF → message, $runs × $eof_size" >&2
start_relay eof --KDumpStorage "$storage" --Upload:Container bench-eof --Upload:Queue bench-eof
send_one "${relay_port[eof]}" 1MiB 1000 eof-warm-up >/dev/null && wait_sent eof eof-warm-up
mkdir -p "$work/finished"
eof_rows=""
for i in $(seq "$runs"); do
  name="eof-$i"
  "${bench[@]}" watch --connection-string "$storage" --queue bench-eof --journal "$work/eof/journal/$name.json" \
    --timeout-seconds 600 > "$work/watch-$i.txt" &
  watch_pid=$!
  line=$(send_one "${relay_port[eof]}" "$eof_size" "$i" "$name")
  # A link to the finished file, so the baseline has it whatever the relay's retention does meanwhile.
  ln "$work/eof/dumps/$name" "$work/finished/$name"
  wait "$watch_pid" || { echo "watch $name failed" >&2; cat "$work/watch-$i.txt" >&2; exit 1; }
  watched=$(cat "$work/watch-$i.txt")
  to_message=$(field ' eof-to-message ([0-9.-]+)' <<<"$watched")
  to_journal=$(field ' eof-to-journal-sent ([0-9.-]+)' <<<"$watched")
  uploaded=$(grep "Uploaded $name " "$work/eof.log" | head -1)
  committed=$(field 'committed ([0-9.-]+) s after EOF' <<<"$uploaded")
  transfer_mbs=$(field ' ([0-9.]+) MB/s' <<<"$line")
  plain=$("${bench[@]}" plain-upload --connection-string "$storage" --container bench-plain --blob "$name" --file "$work/finished/$name")
  plain_s=$(field ' seconds ([0-9.]+)' <<<"$plain")
  plain_mbs=$(field ' mbps ([0-9.]+)' <<<"$plain")
  rm -f "$work/finished/$name"
  ratio=$(awk -v a="$to_message" -v b="$plain_s" 'BEGIN{printf "%.3f", a/b}')
  echo "  run $i: transfer $transfer_mbs MB/s, EOF→message $to_message s (journal $to_journal s, commit $committed s), plain UploadAsync $plain_s s ($plain_mbs MB/s), ratio $ratio" >&2
  eof_rows+="| $i | $transfer_mbs | $committed | $to_journal | $to_message | $plain_s | $plain_mbs | $ratio |"$'\n'
  echo "$to_message $to_journal $plain_s ${committed:-nan}" >> "$work/eof.tsv"
done
eof_message_median=$(awk '{print $1}' "$work/eof.tsv" | median)
eof_journal_median=$(awk '{print $2}' "$work/eof.tsv" | median)
plain_median=$(awk '{print $3}' "$work/eof.tsv" | median)
eof_ratio=$(awk -v a="$eof_message_median" -v b="$plain_median" 'BEGIN{printf "%.3f", a/b}')
eof_peak=$(peak_mb eof)
stop_relay eof

# --- 2. single-transfer speed, uploading on vs off, alternating with the minimal C receiver ---
echo "2. single transfer, $runs × $single_size: c, relay off, relay on" >&2
start_relay off
start_relay on --KDumpStorage "$storage" --Upload:Container bench-speed --Upload:Queue bench-speed
send_one "$c_port" 1MiB 1000 warm-up-c >/dev/null
send_one "${relay_port[off]}" 1MiB 1000 warm-up-off >/dev/null
send_one "${relay_port[on]}" 1MiB 1000 warm-up-on >/dev/null && wait_sent on warm-up-on
speed_rows=""
for i in $(seq "$runs"); do
  for target in c off on; do
    port=$c_port; [ "$target" != c ] && port=${relay_port[$target]}
    line=$(send_one "$port" "$single_size" "$i" "speed-$target-$i")
    mbs=$(field ' ([0-9.]+) MB/s' <<<"$line")
    rtt=$(field 'p50/p90/p99 ([0-9/]+) µs' <<<"$line")
    upload=""
    if [ "$target" = on ]; then
      wait_sent on "speed-on-$i"   # the next transfer starts with no upload left over
      upload=$(grep "Uploaded speed-on-$i " "$work/on.log" | head -1 | field 'committed ([0-9.-]+) s after EOF')
    fi
    echo "  run $i $target: $mbs MB/s${upload:+, committed $upload s after EOF}" >&2
    speed_rows+="| $i | $target | $mbs | $rtt | ${upload:-} |"$'\n'
    echo "$target $mbs" >> "$work/speed.tsv"
  done
done
c_median=$(awk '$1=="c"{print $2}' "$work/speed.tsv" | median)
off_median=$(awk '$1=="off"{print $2}' "$work/speed.tsv" | median)
on_median=$(awk '$1=="on"{print $2}' "$work/speed.tsv" | median)
speed_ratio=$(awk -v a="$on_median" -v b="$off_median" 'BEGIN{printf "%.3f", a/b}')
on_c=$(awk -v a="$on_median" -v b="$c_median" 'BEGIN{printf "%.3f", a/b}')
off_c=$(awk -v a="$off_median" -v b="$c_median" 'BEGIN{printf "%.3f", a/b}')
stop_relay off
stop_relay on

# --- 3. many dumps at once, received and uploaded ---
echo "3. $many × $many_size at once" >&2
start_relay many --KDumpStorage "$storage" --Upload:Container bench-many --Upload:Queue bench-many
many_start=$(date +%s.%N)
"${send[@]}" --port "${relay_port[many]}" --random-bytes "$many_size" --concurrency "$many" --seed 7 --name many \
  > "$work/many.txt" || true
many_total=$(grep '^total' "$work/many.txt")
awk '$1=="completed"{for(i=1;i<=NF;i++) if($i=="sha256") print $2, $(i+1)}' "$work/many.txt" > "$work/many-expected.txt"
# Copy each journal once it records its message sent: the check below reads the copies, whatever retention does.
mkdir -p "$work/many-journals"
while read -r name _; do
  wait_sent many "$name"
  cp "$work/many/journal/$name.json" "$work/many-journals/"
done < "$work/many-expected.txt"
many_seconds=$(awk -v s="$many_start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
many_peak=$(peak_mb many)
many_check=0
"${bench[@]}" verify --connection-string "$storage" --container bench-many --queue bench-many \
  --journals "$work/many-journals" --expected "$work/many-expected.txt" > "$work/many-verify.txt" || many_check=$?
stop_relay many
summary=$(grep '^verify' "$work/many-verify.txt")
identical=$(field ' identical ([0-9]+)' <<<"$summary")
one_message=$(field ' one-message ([0-9]+)' <<<"$summary")
messages=$(field ' messages ([0-9]+)' <<<"$summary")
dumps=$(field 'verify dumps ([0-9]+)' <<<"$summary")
drain=$(field 'last-eof-to-last-sent ([0-9.-]+)' <<<"$summary")
completed=$(field ' ([0-9]+/[0-9]+) completed' <<<"$many_total")
echo "  $completed completed, $identical/$dumps identical, $messages messages, peak RSS $many_peak MB" >&2

# --- report ---
eof_verdict=$(verdict "$eof_message_median <= 2 && $eof_ratio <= 0.2")
speed_verdict=$(verdict "$speed_ratio >= 0.9")
many_verdict=$(verdict "$many_peak < 200 && $many_check == 0 && $dumps == $many")
mkdir -p "$(dirname "$out")"
{
  echo "# $title"
  echo
  for note in "${notes[@]}"; do echo "- $note"; done
  echo "- Date: $started_at; commit $commit"
  echo "- Machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
  echo "- Load average at start: $load_at_start (1, 5, 15 min); at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- .NET $(dotnet --version); Azurite $azurite_version (on disk, as the tests start it); client \`kdumpcloud send\`"
  echo "  (kernel timing, 1406-byte DATA); relay defaults (4 MiB blocks) plus \`${relay_settings[*]:-no extra settings}\`; MB = 10^6 bytes"
  echo "- Command: \`$command_line\`"
  echo
  echo "## 1. EOF → committed blob and message sent, $eof_size, one dump at a time"
  echo
  echo "EOF is the journal's \`finishedAt\`. *Commit* is the relay's log line (\"committed … s after EOF\"); *journal sent*"
  echo "is the journal's \`upload.updatedAt\` once \`upload.state\` is \`sent\`; *message seen* is when a queue receive,"
  echo "polled every 10 ms, first returned the dump's message (an upper bound). The plain upload is"
  echo "\`BlobClient.UploadAsync(path)\` with default options of the same finished file, right after, timed after a warm-up."
  echo
  echo "| run | transfer MB/s | commit after EOF (s) | journal sent after EOF (s) | message seen after EOF (s) | plain UploadAsync (s) | plain MB/s | message ÷ plain |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s' "$eof_rows"
  echo
  echo "Median EOF → message seen **$eof_message_median s** (journal: $eof_journal_median s), plain UploadAsync $plain_median s,"
  echo "**ratio $eof_ratio**. Targets ≤ 2 s and ≤ 0.2: $eof_verdict. Relay peak RSS in this part: $eof_peak MB."
  echo
  echo "## 2. Single transfer, $single_size: uploading on vs off, alternating with the minimal C receiver"
  echo
  echo "Each relay-on transfer's upload finishes before the next transfer starts."
  echo
  echo "| run | receiver | MB/s | ACK RTT p50/p90/p99 (µs) | relay on: committed after EOF (s) |"
  echo "|---|---|---|---|---|"
  printf '%s' "$speed_rows"
  echo
  echo "Median: minimal receiver $c_median MB/s, relay off $off_median MB/s, relay on $on_median MB/s;"
  echo "**on/off $speed_ratio** (target ≥ 0.9: $speed_verdict); on/minimal $on_c, off/minimal $off_c."
  echo
  echo "## 3. $many dumps of $many_size at once, received and uploaded"
  echo
  echo "\`$many_total\`"
  echo
  echo "All uploaded and their messages sent ${many_seconds} s after the transfers started; the last message"
  echo "${drain} s after the last EOF. $identical of $dumps blobs byte-identical (blob SHA-256 = journal's = the"
  echo "sender's expected bytes), $one_message with exactly one message, $messages messages on the queue."
  echo "Relay peak RSS (VmHWM): **$many_peak MB** (target < 200 MB, with every blob identical and one message each: $many_verdict)."
  echo
  echo "<details><summary>Per dump</summary>"
  echo
  echo '```'
  cat "$work/many-verify.txt"
  echo '```'
  echo
  echo "</details>"
} > "$out"
cat "$out"
