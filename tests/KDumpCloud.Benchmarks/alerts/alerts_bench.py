#!/usr/bin/env python3
"""Issue 10 alert benchmarks on loopback, against the real embedded relay (Release build) and a recording webhook.

1. latency: EOF of a paniclog (its journal's finishedAt) -> the JSON webhook request arriving here, for --paniclogs
   synthetic paniclogs of distinct groups sent one at a time with `kdumpcloud send` (target: p50 < 1 s).
2. storm: --storm-groups x --storm-per-group paniclogs (each group's sent --storm-per-group at once with
   `kdumpcloud send --concurrency`), relay on its alert defaults (10 messages/min/sink, 10 min per group, spike 10/h);
   checks that no 60 s window had more than Alerts:MaxPerMinute messages, that every alert in the outbox was sent,
   digested or throttled, and that the groups' counts add up to every dump sent.
Loopback only; every wait is bounded. Writes a markdown report (--out)."""
import argparse, json, os, re, signal, sqlite3, statistics, subprocess, sys, tempfile, threading, time, shutil
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEMPLATE = """panic(cpu 0 caller 0xffffff8000b4b1c5): "storm {word}: synthetic panic for the alert benchmark"@/Library/Caches/com.apple.xbs/Sources/xnu/xnu-4570.71.2/osfmk/kern/sched_prim.c:2231
Backtrace (CPU 0), Frame : Return Address
0xffffff91ffd13a20 : 0xffffff8000a6c1c6 mach_kernel : _handle_debugger_trap + 0x506
0xffffff91ffd13a70 : 0xffffff8000b93274 mach_kernel : _kdp_i386_trap + 0x114

BSD process name corresponding to current thread: kernel_task

Mac OS version:
17G65

Kernel version:
Darwin Kernel Version 17.7.0: Thu Jun 21 22:53:14 PDT 2018; root:xnu-4570.71.2~1/RELEASE_X86_64
Model: MacBookPro11,3, BootROM MBP112.0146.B00, 4 processors
"""

def word(i, salt):
    letters = "abcdefghijklmnopqrstuvwxyz"
    s = salt
    i += 26 * 26
    while i:
        s += letters[i % 26]; i //= 26
    return s

class Hook(BaseHTTPRequestHandler):
    received = []
    lock = threading.Lock()
    def do_POST(self):
        at = time.time()
        body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 1 << 20))
        with Hook.lock:
            Hook.received.append((at, json.loads(body)))
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args): pass

def iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

def start_relay(args, data, port, extra):
    env = dict(os.environ)
    env.update({"Alerts__Webhooks__0__Kind": "json", "Alerts__Webhooks__0__Url": f"http://127.0.0.1:{port}/hook"})
    env.update(extra)
    log = open(os.path.join(data, "relay.log"), "w")
    relay = subprocess.Popen(["dotnet", args.relay, "--Relay:Port", "0", "--Relay:BindAddress", "127.0.0.1", "--Relay:DataDirectory", data,
                              "--Relay:MinFreeDiskBytes", "0", "--Relay:DumpsPerHourPerSource", "100000"], stdout=log, stderr=subprocess.STDOUT, env=env)
    for _ in range(600):
        m = re.search(r"on UDP 127\.0\.0\.1:(\d+)", open(os.path.join(data, "relay.log")).read())
        if m: return relay, int(m.group(1))
        if relay.poll() is not None: break
        time.sleep(0.1)
    sys.exit("the relay did not start:\n" + open(os.path.join(data, "relay.log")).read())

def send(args, port, path, name, concurrency=1):
    out = subprocess.run(["dotnet", args.cli, "send", "--server", "127.0.0.1", "--port", str(port), "--kind", "paniclog", "--timing", "fast",
                          "--timeout", "60", "--file", path, "--name", name, "--concurrency", str(concurrency)],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0: sys.exit(f"send {name} failed: {out.stdout}{out.stderr}")

def stop(relay):
    relay.send_signal(signal.SIGTERM)
    try: relay.wait(30)
    except subprocess.TimeoutExpired: relay.kill()

def wait_for(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate(): return True
        time.sleep(0.02)
    return False

def latency(args, work, port):
    data = os.path.join(work, "latency"); os.makedirs(data)
    relay, relay_port = start_relay(args, data, port, {"Alerts__GroupInterval": "00:00:00", "Alerts__MaxPerMinute": "600", "Alerts__SpikeCount": "0"})
    results, salt = [], "l" + os.urandom(2).hex()
    try:
        for i in range(args.paniclogs + 1):
            path = os.path.join(work, f"latency-{i}.txt"); open(path, "w").write(TEMPLATE.format(word=word(i, salt)))
            name = f"paniclog-xnu-4570.71.2-127.0.0.1-{i:08x}"
            before = len(Hook.received)
            send(args, relay_port, path, name)
            if not wait_for(lambda: len(Hook.received) > before, 30): sys.exit(f"no webhook for {name} within 30 s")
            at, body = Hook.received[-1]
            journal = json.load(open(os.path.join(data, "journal", name + ".json")))
            if body.get("dumpId") != journal["dumpId"]: sys.exit(f"webhook for {body.get('dumpId')}, expected {journal['dumpId']}")
            if i > 0: results.append((at - iso(journal["finishedAt"])) * 1000)  # the first warms the relay up
    finally:
        stop(relay)
    return results

def storm(args, work, port):
    data = os.path.join(work, "storm"); os.makedirs(data)
    Hook.received.clear()
    relay, relay_port = start_relay(args, data, port, {})
    salt, sent = "s" + os.urandom(2).hex(), 0
    started = time.time()
    try:
        for g in range(args.storm_groups):
            path = os.path.join(work, f"storm-{g}.txt"); open(path, "w").write(TEMPLATE.format(word=word(g, salt)))
            send(args, relay_port, path, f"paniclog-xnu-4570.71.2-127.0.0.1-{g:04x}", args.storm_per_group); sent += args.storm_per_group
        sending = time.time() - started
        db = os.path.join(data, "crashes.db")
        def settled():
            c = sqlite3.connect(db)
            try:
                total = c.execute("SELECT COALESCE(SUM(count),0) FROM crash_groups").fetchone()[0]
                alerts = c.execute("SELECT COUNT(*) FROM alert_outbox").fetchone()[0]
                final = c.execute("SELECT COUNT(*) FROM alert_deliveries WHERE json_extract(document,'$.state') NOT IN ('Waiting','HeldForDigest')").fetchone()[0]
                return total == sent and alerts > 0 and final == alerts
            finally: c.close()
        ok = wait_for(settled, 200)
    finally:
        stop(relay)
    c = sqlite3.connect(os.path.join(data, "crashes.db"))
    groups, total = c.execute("SELECT COUNT(*), SUM(count) FROM crash_groups").fetchone()
    alerts = dict(c.execute("SELECT json_extract(notice,'$.event'), COUNT(*) FROM alert_outbox GROUP BY 1").fetchall())
    states = dict(c.execute("SELECT json_extract(document,'$.state'), COUNT(*) FROM alert_deliveries GROUP BY 1").fetchall())
    c.close()
    times = sorted(at for at, _ in Hook.received)
    busiest = max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0)
    digests = [b for _, b in Hook.received if b["event"] == "digest"]
    return dict(ok=ok, sent=sent, sending=sending, groups=groups, total=total, alerts=alerts, states=states, messages=len(times),
                busiest=busiest, digests=len(digests), digested=sum(d["count"] for d in digests),
                individual=sum(1 for _, b in Hook.received if b["event"] != "digest"))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--relay", required=True); p.add_argument("--cli", required=True); p.add_argument("--out", required=True)
    p.add_argument("--paniclogs", type=int, default=30); p.add_argument("--storm-groups", type=int, default=50)
    p.add_argument("--storm-per-group", type=int, default=20); p.add_argument("--command-line", required=True)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook); threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    load = open("/proc/loadavg").read().split()[:3]
    work = tempfile.mkdtemp(prefix="kdumpcloud-alerts.")
    try:
        lat = latency(args, work, port)
        st = storm(args, work, port)
    finally:
        server.shutdown(); shutil.rmtree(work, ignore_errors=True)
    lat.sort()
    p50, p90 = statistics.median(lat), lat[int(0.9 * (len(lat) - 1))]
    load_end = open("/proc/loadavg").read().split()[:3]
    cpu = next((l.split(":")[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    accounted = st["states"].get("Delivered", 0) + st["states"].get("Digested", 0) + st["states"].get("Throttled", 0)
    lines = [
        "# Alert benchmarks (issue 10): embedded relay EOF → webhook, and an alert storm", "",
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%dT%H:%MZ}; machine: {cpu}, {os.cpu_count()} cores (shared with other workers)",
        f"- Load average (1/5/15 min) at start: {' '.join(load)}; at end: {' '.join(load_end)}",
        f"- Command: `{args.command_line}`", "",
        "## EOF of a paniclog → its webhook request", "",
        f"{len(lat)} synthetic paniclogs of distinct groups, one at a time, `kdumpcloud send --timing fast` to the relay on its embedded",
        "defaults with one `json` webhook (a Python server on loopback); EOF time from the dump's journal (`finishedAt`), arrival",
        "time at the server (same clock).", "",
        "| p50 | p90 | max | target |", "|---|---|---|---|",
        f"| {p50:.1f} ms | {p90:.1f} ms | {max(lat):.1f} ms | p50 < 1 s: {'**met**' if p50 < 1000 else '**not met**'} |", "",
        "## Storm", "",
        f"{st['sent']} paniclogs over {args.storm_groups} groups ({args.storm_per_group} at once per group, the groups one after another:",
        f"{st['sending']:.1f} s of sending), alert defaults (Alerts:MaxPerMinute 10, GroupInterval 10 min, SpikeCount 10 per hour).", "",
        "| what | value |", "|---|---|",
        f"| groups recorded / occurrences counted | {st['groups']} / {st['total']} (of {st['sent']} sent) |",
        f"| alerts decided (outbox) | {', '.join(f'{k} {v}' for k, v in sorted(st['alerts'].items()))} |",
        f"| delivery records | {', '.join(f'{k} {v}' for k, v in sorted(st['states'].items()))} |",
        f"| webhook messages | {st['messages']} ({st['individual']} alerts, {st['digests']} digests summing {st['digested']} alerts) |",
        f"| most messages in any 60 s | {st['busiest']} (limit 10: {'**met**' if st['busiest'] <= 10 else '**not met**'}) |",
        f"| every alert sent, digested or throttled | {accounted} of {sum(st['alerts'].values())}: {'**yes**' if accounted == sum(st['alerts'].values()) and st['ok'] else '**no**'} |",
        f"| every count kept | {'**yes**' if st['total'] == st['sent'] else '**no**'} |", "",
    ]
    open(args.out, "w").write("\n".join(lines))
    print("\n".join(lines))

main()
