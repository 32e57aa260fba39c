#!/usr/bin/env python3
"""A stand-in OpenTelemetry collector for load runs: accepts OTLP/HTTP (protobuf) exports on 127.0.0.1, answers
200 with an empty export response, and counts requests and bytes per path (printed at exit). Loopback only; stops
on SIGTERM or after --seconds."""
import argparse
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        length = min(int(self.headers.get("Content-Length", "0") or 0), 64 << 20)
        self.rfile.read(length)
        with lock:
            requests, size = counts.get(self.path, (0, 0))
            counts[self.path] = (requests + 1, size + length)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3600)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    print(f"listening on {server.server_address[1]}", flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    timer = threading.Timer(args.seconds, stop)
    timer.daemon = True
    timer.start()
    server.serve_forever()
    for path, (requests, size) in sorted(counts.items()):
        print(f"received {path} {requests} requests {size} bytes", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
