#!/usr/bin/env python3
"""Speech worker benchmark: prints `BENCH <name> <value> <unit> (goal …)`.

1. Same file, same model and settings: the worker (over its JSON-lines pipe,
   timed from request to result) vs faster-whisper called directly in this
   process. Same text expected; wall-time ratio after warm-up, runs
   interleaved so both see the same CPU load (goal <= 1.05).
2. A 10-minute and a 1-minute call through fresh workers: real-time factor
   and the worker's peak RSS (VmHWM) — windowed decoding keeps memory flat,
   so the 10-minute peak should be close to the 1-minute one.

Run: .venv/bin/python Benchmarks/stt/bench.py [--runs 3] [--long-seconds 600]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "speech"))
os.environ["HF_HUB_OFFLINE"] = "1"

import corpus  # noqa: E402
from calltop_stt import engine, policy  # noqa: E402


class Worker:
    def __init__(self):
        self.p = subprocess.Popen([sys.executable, os.path.join(REPO, "speech", "worker.py"), "--preload", "base"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, bufsize=1)
        assert json.loads(self.p.stdout.readline())["type"] == "ready"
        self.n = 0

    def run(self, path: str) -> tuple[dict, float]:
        self.n += 1
        t0 = time.perf_counter()
        self.p.stdin.write(json.dumps({"id": self.n, "audio": path, "options": {"model": "base"}}) + "\n")
        self.p.stdin.flush()
        while True:
            msg = json.loads(self.p.stdout.readline())
            if msg["type"] in ("result", "error"):
                return msg, time.perf_counter() - t0

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=60)


def long_call(tmp: str, seconds: float) -> str:
    parts = [corpus.speak(s, os.path.join(tmp, f"p{i}.wav"), v, mp3=False)
             for i, (s, v) in enumerate((s, v) for v in ("us", "f2") for s in corpus.SENTENCES)]
    one = corpus.concat(parts, os.path.join(tmp, "round.wav"))
    dur = float(subprocess.run(["soxi", "-D", one], capture_output=True, text=True, check=True).stdout)
    reps = max(1, int(seconds / dur + 0.999))
    wav = os.path.join(tmp, f"long{int(seconds)}.wav")
    subprocess.run(["sox", one, wav, "repeat", str(reps - 1), "trim", "0", str(seconds)], check=True)
    mp3 = wav[:-4] + ".mp3"
    subprocess.run(["lame", "--quiet", "-b", "32", wav, mp3], check=True)
    return mp3


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--long-seconds", type=float, default=600)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = long_call(tmp, 40)  # one window: the worker sees exactly the direct call's samples
        # Direct faster-whisper, same model dir, same settings the worker reports.
        models = engine.Models(engine.default_models_dir(), engine.cpu_count())
        model = models.get("base").model
        opts = policy.transcribe_options(5, "en", vad=False)

        def direct() -> tuple[str, float]:
            t0 = time.perf_counter()
            segs, _ = model.transcribe(clip, **opts)
            text = " ".join(s.text.strip() for s in segs)
            return text, time.perf_counter() - t0

        w = Worker()
        w.run(clip)
        direct()  # warm-up both
        wt, dt, same = [], [], True
        for _ in range(args.runs):
            res, t = w.run(clip)
            text, d = direct()
            wt.append(t)
            dt.append(d)
            same &= res["text"] == text
            if res["text"] != text:
                print(f"# text differs:\n#  worker: {res['text']}\n#  direct: {text}")
        w.close()
        print(f"BENCH worker_same_text_as_direct {int(same)} bool (goal 1)")
        print(f"BENCH worker_vs_direct_wall_40s {statistics.median(wt) / statistics.median(dt):.3f} ratio (goal <= 1.05)")
        print(f"BENCH direct_wall_40s {statistics.median(dt):.2f} s (info)")

        for secs in (60, args.long_seconds):
            path = long_call(tmp, secs)
            w = Worker()
            res, t = w.run(path)
            rss = w.peak_rss_mb()
            w.close()
            assert res["type"] == "result", res
            name = f"{int(secs)}s"
            print(f"BENCH rtf_base_{name} {res['processing_seconds'] / res['audio_seconds']:.3f} ratio (goal <= 0.15)")
            print(f"BENCH peak_rss_worker_{name} {rss:.0f} MB (goal: flat, <= 1-minute peak + 100)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
