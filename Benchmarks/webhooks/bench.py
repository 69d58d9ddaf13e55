#!/usr/bin/env python3
"""Webhook receiver benchmark: prints `BENCH <name> <value> <unit> (goal …)`.

Starts `calltop serve` on 127.0.0.1 against a fresh data dir, then sends a
bounded burst of signed Twilio callbacks (default 2,000: three real-time
transcription segments for every recording-status callback, as a call
produces them) from 16 keep-alive connections, and checks afterwards that
the store holds every one exactly once. Measures what the receiver absorbs:
signature check, parsing, the SQLite write and the answer. Downloads are
queued but point at a closed loopback port, so they fail fast in the
background instead of reaching the internet.

Run: python3 Benchmarks/webhooks/bench.py [--binary .build/release/calltop] [--callbacks 2000]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ACCOUNT = "AC5a1b0c0ffee00000000000000000ca11"
TOKEN = "bench-auth-token-0123456789abcdef"
PUBLIC = "https://hooks.example.com"


def sign(url: str, params: list[tuple[str, str]]) -> str:
    data = url + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


def requests(total: int) -> list[tuple[str, bytes, str]]:
    out = []
    i = 0
    while len(out) < total:
        call, rec, gt = f"CA{i:032x}", f"RE{i:032x}", f"GT{i:032x}"
        for seq in range(1, 4):
            if len(out) >= total:
                break
            data = json.dumps({"transcript": f"segment {seq} of call {i}", "confidence": 0.9})
            p = [("AccountSid", ACCOUNT), ("CallSid", call), ("TranscriptionSid", gt), ("TranscriptionEvent", "transcription-content"),
                 ("Track", "inbound_track" if seq % 2 else "outbound_track"), ("Final", "true"), ("SequenceId", str(seq)),
                 ("TranscriptionData", data)]
            out.append(("/twilio/transcription", urllib.parse.urlencode(p).encode(), sign(PUBLIC + "/twilio/transcription", p)))
        if len(out) < total:
            p = [("AccountSid", ACCOUNT), ("CallSid", call), ("RecordingSid", rec), ("RecordingStatus", "completed"),
                 ("RecordingDuration", "30"), ("RecordingChannels", "1"), ("ErrorCode", "0")]
            out.append(("/twilio/recording-status", urllib.parse.urlencode(p).encode(), sign(PUBLIC + "/twilio/recording-status", p)))
        i += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    default_bin = os.path.join(REPO, ".build/release/calltop")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(REPO, ".build/debug/calltop")
    ap.add_argument("--binary", default=default_bin)
    ap.add_argument("--callbacks", type=int, default=2000)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="calltop-bench-webhooks-")
    env = dict(os.environ, TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=TOKEN, CALLTOP_HOME=data_dir)
    for k in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"):
        env.pop(k, None)
    serve = subprocess.Popen([args.binary, "serve", "--port", "0", "--public-url", PUBLIC, "--no-transcribe",
                              "--api-base-url", "http://127.0.0.1:9"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = serve.stdout.readline().strip()
        if not line.startswith("LISTENING "):
            print(f"serve did not start: {line!r}", file=sys.stderr)
            return 1
        port = int(line.split()[1])
        work = requests(args.callbacks)
        latencies: list[float] = []
        failures = []
        lock = threading.Lock()
        cursor = iter(range(len(work)))

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine = []
            while True:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    break
                path, body, sig = work[i]
                t = time.perf_counter()
                conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
                resp = conn.getresponse()
                resp.read()
                mine.append(time.perf_counter() - t)
                if resp.status != 200:
                    failures.append((path, resp.status))
            conn.close()
            with lock:
                latencies.extend(mine)

        start = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start

        db = sqlite3.connect(os.path.join(data_dir, "calltop.sqlite"))
        segments = db.execute("SELECT COUNT(*) FROM realtime_segments").fetchone()[0]
        recordings = db.execute("SELECT COUNT(*) FROM recordings").fetchone()[0]
        expected_rec = sum(1 for w in work if w[0] == "/twilio/recording-status")
        expected_seg = len(work) - expected_rec
        lost = (expected_seg - segments) + (expected_rec - recordings)
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        print(f"# {len(work)} callbacks over {args.connections} connections in {elapsed:.2f} s; "
              f"failures={len(failures)} lost={lost} (segments {segments}/{expected_seg}, recordings {recordings}/{expected_rec})")
        print(f"BENCH webhook_callbacks_per_s {len(work) / elapsed:.0f} per_s (goal >= 500)")
        print(f"BENCH webhook_p99_ms {p99:.1f} ms (goal <= 100)")
        return 0 if not failures and lost == 0 else 1
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()


if __name__ == "__main__":
    sys.exit(main())
