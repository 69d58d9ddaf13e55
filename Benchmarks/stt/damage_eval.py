#!/usr/bin/env python3
"""WER per phone-damage condition: calltop vs faster-whisper called directly.

Systems, all with Whisper base, beam 5, language "en":
  calltop       the worker's pipeline (policy.transcribe_channel, policy "auto")
  direct_vad    WhisperModel.transcribe(vad_filter=True), faster-whisper defaults
  direct_novad  WhisperModel.transcribe(vad_filter=False)
The corpus is damage.py's (seeded, the same bytes every build). calltop
runs three times: every call forward in this process, then the first
--repeat-calls calls of each condition again in reversed order in this
process and once more through a fresh worker process; every repeated file
must give the same text all three times.

Corpus size (--calls, default 2 per condition, 139 words a call): what ~8
minutes on 2 cores buys, not what a 1-point bar needs. One call moves a
condition by +-3-5 points (a tenth of a second of alignment is +-2-3, pink
5 dB +-10 on a bad draw), and the gap is calltop minus the better of two
noisy baselines, so on few calls it leans positive. The default run's
stt_damage_worst_gap is a smoke check (its standard error, printed, is
about 2 points); the 1-point bar is judged on 24 calls per condition, where
it is about 0.5: --calls 24 --baseline-cache FILE --runs 1 (on 2 cores
calltop took 11 min for 7 conditions; the baselines, two decodes a call,
take about twice that the first time).

Prints one line per condition (the three WERs, and the gap with its standard
error over the calls: a gap smaller than about twice that is not told apart
from 0 by this corpus) and BENCH lines:
  stt_noise_wer_minus_best_baseline  pooled WER over damage.ADDITIVE, calltop
                                     minus the better baseline (points, goal <= -3)
  stt_runs_identical                 1 when the three runs agree on every repeated file
  stt_rtf_noisy                      calltop's processing / audio seconds on the
                                     damaged files (goal <= 0.15)
  stt_damage_worst_gap               worst condition: calltop minus better baseline
                                     (points, goal <= 1)

Run: nice -n 10 .venv/bin/python Benchmarks/stt/damage_eval.py [--calls 2 --per-call 10]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "speech"))
os.environ["HF_HUB_OFFLINE"] = "1"

import damage  # noqa: E402
from calltop_stt import audio, engine, policy, text  # noqa: E402

SYSTEMS = ("calltop", "direct_vad", "direct_novad")


def calltop(model, samples) -> str:
    res = policy.transcribe_channel(model, samples, policy="auto", beam_size=5, language="en",
                                    window_start=0.0, channel=0, on_segment=lambda s: None)
    return " ".join(s["text"] for s in res.segments)


def direct(model, samples, vad: bool) -> str:
    segs, _ = model.transcribe(samples, beam_size=5, language="en", vad_filter=vad)
    return " ".join(s.text.strip() for s in segs)


def worker_texts(paths) -> list:
    """Texts from a fresh worker process, as the Swift supervisor runs it."""
    p = subprocess.Popen([sys.executable, os.path.join(REPO, "speech", "worker.py"), "--preload", "base"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, bufsize=1)
    assert json.loads(p.stdout.readline())["type"] == "ready"
    out = []
    for n, path in enumerate(paths):
        p.stdin.write(json.dumps({"id": n, "audio": path, "options": {"model": "base"}}) + "\n")
        p.stdin.flush()
        while True:
            msg = json.loads(p.stdout.readline())
            if msg["type"] in ("result", "error"):
                out.append(msg.get("text", "<error %s>" % msg.get("message")))
                break
    p.stdin.close()
    p.wait(timeout=60)
    return out


def call_errors(calls, hyps):
    """Per call: word errors (WER times reference words) and reference words."""
    words = np.array([len(text.normalize(it.reference)) for it in calls], dtype=np.float64)
    return np.array([text.wer(it.reference, hyps[it.name]) for it in calls]) * words, words


def pooled(items, hyps, conds) -> float:
    # Word-weighted: errors over all reference words of those conditions.
    errors, words = call_errors([it for it in items if it.condition in conds], hyps)
    return 100.0 * errors.sum() / max(words.sum(), 1)


def gap_error(items, hyps, cond: str, draws: int = 2000) -> float:
    """The standard error of a condition's gap (calltop minus the better
    baseline), from its calls drawn with replacement: how far the gap would
    move on another draw of as many calls. 0 with a single call."""
    calls = [it for it in items if it.condition == cond]
    if len(calls) < 2:
        return 0.0
    per_system = {s: call_errors(calls, hyps[s]) for s in SYSTEMS}
    errors, words = {s: e for s, (e, _) in per_system.items()}, per_system["calltop"][1]
    pick = np.random.default_rng(16).integers(0, len(calls), size=(draws, len(calls)))
    total = words[pick].sum(axis=1)
    w = {s: 100.0 * errors[s][pick].sum(axis=1) / total for s in SYSTEMS}
    return float((w["calltop"] - np.minimum(w["direct_vad"], w["direct_novad"])).std(ddof=1))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2, help="calls per condition (see the docstring)")
    ap.add_argument("--per-call", type=int, default=10, help="utterances per call")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--conditions", default=",".join(damage.CONDITIONS))
    ap.add_argument("--corpus-dir", default=None, help="keep the corpus here (default: a temp dir)")
    ap.add_argument("--baseline-cache", default=None,
                    help="JSON file caching the two baselines' texts (they do not change with calltop)")
    ap.add_argument("--runs", type=int, default=3, help="calltop runs (3: forward, reversed, worker)")
    ap.add_argument("--repeat-calls", type=int, default=1,
                    help="calls per condition the second and third runs repeat (every code path "
                         "the conditions take, at a third of the cost of repeating all)")
    ap.add_argument("--dump", default=None, help="write every hypothesis to this JSON file")
    ap.add_argument("--baselines-only", action="store_true", help="fill the baseline cache and stop")
    args = ap.parse_args()

    tmp = None
    out_dir = args.corpus_dir
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory()
        out_dir = tmp.name
    items = damage.build(out_dir, args.calls, args.per_call, args.seed, args.conditions.split(","))
    models = engine.Models(engine.default_models_dir(), engine.cpu_count())
    model = models.get("base").model
    # The baselines are faster-whisper as it ships (temperature fallback and all),
    # not calltop's deterministic subclass.
    from faster_whisper import WhisperModel
    plain = WhisperModel(models.path("base"), device="cpu", compute_type="int8",
                         cpu_threads=engine.cpu_count(), local_files_only=True)
    samples = {it.name: audio.decode_whole(it.path, stereo=False)[0] for it in items}

    cache = {}
    if args.baseline_cache and os.path.exists(args.baseline_cache):
        cache = json.load(open(args.baseline_cache))
    key = f"plain-seed{args.seed}-{args.calls}x{args.per_call}"
    cache.setdefault(key, {})
    hyps = {s: {} for s in SYSTEMS}
    for n, it in enumerate(items):
        for s, vad in (("direct_vad", True), ("direct_novad", False)):
            if it.name not in cache[key].get(s, {}):
                cache[key].setdefault(s, {})[it.name] = direct(plain, samples[it.name], vad)
                if args.baseline_cache:  # after every file: a killed run keeps what it did
                    json.dump(cache, open(args.baseline_cache + ".tmp", "w"), indent=1)
                    os.replace(args.baseline_cache + ".tmp", args.baseline_cache)
            hyps[s][it.name] = cache[key][s][it.name]
        print(f"# baselines {n + 1}/{len(items)}", file=sys.stderr, flush=True)

    if args.baselines_only:
        return 0
    calltop(model, samples[items[0].name])  # warm-up
    runs, proc_s, cpu_s, audio_s = [], 0.0, 0.0, 0.0
    first = {}
    for n, it in enumerate(items):
        t0, c0 = time.perf_counter(), time.process_time()
        first[it.name] = calltop(model, samples[it.name])
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if it.condition != "clean":
            proc_s += dt
            cpu_s += dc
            audio_s += len(samples[it.name]) / audio.SAMPLE_RATE
        print(f"# calltop {n + 1}/{len(items)} {it.name}: {dt:.1f} s wall, {dc:.1f} s CPU", file=sys.stderr, flush=True)
    runs.append(first)
    hyps["calltop"] = first
    repeated = [it for it in items if int(it.name.split("/")[1]) < args.repeat_calls]
    if args.runs >= 2:
        runs.append({it.name: calltop(model, samples[it.name]) for it in reversed(repeated)})
    if args.runs >= 3:
        runs.append(dict(zip([it.name for it in repeated], worker_texts([it.path for it in repeated]))))

    print(f"{'condition':10s} " + " ".join(f"{s:>13s}" for s in SYSTEMS) + "   gap (standard error)")
    gaps, errors = {}, {}
    for cond in args.conditions.split(","):
        w = {s: pooled(items, hyps[s], {cond}) for s in SYSTEMS}
        gaps[cond] = w["calltop"] - min(w["direct_vad"], w["direct_novad"])
        errors[cond] = gap_error(items, hyps, cond)
        print(f"{cond:10s} " + " ".join(f"{w[s]:12.1f}%" for s in SYSTEMS)
              + f"   {gaps[cond]:+5.1f} ({errors[cond]:.1f})", flush=True)
    add = [c for c in damage.ADDITIVE if c in args.conditions.split(",")]
    w_add = {s: pooled(items, hyps[s], set(add)) for s in SYSTEMS}
    print(f"{'additive':10s} " + " ".join(f"{w_add[s]:12.1f}%" for s in SYSTEMS))
    differing = [n for n in first if any(n in r and r[n] != first[n] for r in runs[1:])]
    for n in differing:
        print(f"# runs differ on {n}: " + " | ".join(repr(r.get(n)) for r in runs))
    worst = max(gaps, key=gaps.get)
    print(f"BENCH stt_noise_wer_minus_best_baseline "
          f"{w_add['calltop'] - min(w_add['direct_vad'], w_add['direct_novad']):.1f} points (goal <= -3)")
    print(f"BENCH stt_runs_identical {int(not differing)} bool (goal >= 1)")
    print(f"BENCH stt_rtf_noisy {proc_s / max(audio_s, 1e-9):.3f} ratio (goal <= 0.15)")
    # Wall time on 2 cores shared with other work overstates it; CPU seconds
    # spread over the threads the model uses is what 2 free cores would take.
    print(f"BENCH stt_rtf_noisy_cpu {cpu_s / engine.cpu_count() / max(audio_s, 1e-9):.3f} ratio "
          f"(info: CPU seconds / {engine.cpu_count()} threads / audio seconds)")
    print(f"BENCH stt_damage_worst_gap {gaps[worst]:.1f} points (goal <= 1; {worst}, "
          f"standard error {errors[worst]:.1f} over {args.calls} calls)")
    if args.dump:
        json.dump({"references": {it.name: it.reference for it in items}, "hyps": hyps,
                   "runs": runs}, open(args.dump, "w"), indent=1)
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
