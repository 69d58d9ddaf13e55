#!/usr/bin/env python3
"""Measures the worker's VAD policy against plain faster-whisper.

For each synthetic voice (corpus.py), five known sentences as 8 kHz MP3:
WER with no VAD, with faster-whisper's default VAD, and with the worker's
"auto" policy (speech/calltop_stt/policy.py); plus what each writes for
near-silence and line noise. Prints one line per voice and BENCH lines.

Run: .venv/bin/python Benchmarks/stt/vad_policy_eval.py [--model base]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "speech"))
os.environ["HF_HUB_OFFLINE"] = "1"

import corpus  # noqa: E402
from calltop_stt import audio, engine, policy, text  # noqa: E402


def run(model, path: str, how: str, plain=None) -> str:
    [samples] = audio.decode_whole(path, stereo=False)
    if how == "auto":
        res = policy.transcribe_channel(model, samples, policy="auto", beam_size=5, language="en",
                                        window_start=0.0, channel=0, on_segment=lambda s: None)
        return " ".join(s["text"] for s in res.segments)
    segs, _ = (plain or model).transcribe(samples, beam_size=5, language="en", vad_filter=(how == "vad"))
    return " ".join(s.text.strip() for s in segs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="base")
    ap.add_argument("--voices", default=",".join(corpus.VOICES))
    args = ap.parse_args()
    models = engine.Models(engine.default_models_dir(), engine.cpu_count())
    model = models.get(args.model).model
    # "none" and "vad" are faster-whisper as it ships, not calltop's deterministic subclass.
    from faster_whisper import WhisperModel
    plain = WhisperModel(models.path(args.model), device="cpu", compute_type="int8",
                         cpu_threads=engine.cpu_count(), local_files_only=True)
    hows = ("none", "vad", "auto")
    totals = {h: [] for h in hows}
    with tempfile.TemporaryDirectory() as tmp:
        for voice in args.voices.split(","):
            for flat in (False, True):
                name = voice + ("/flat" if flat else "")
                wers = {h: [] for h in hows}
                for i, sentence in enumerate(corpus.SENTENCES):
                    path = corpus.speak(sentence, os.path.join(tmp, f"{voice}{flat}{i}.mp3"), voice, flat=flat)
                    for h in hows:
                        hyp = run(model, path, h, plain)
                        wers[h].append(text.wer(sentence, hyp))
                        if h == "vad" and wers[h][-1] > 0.3:
                            print(f"   vad dropped? {name} #{i}: {hyp!r}", flush=True)
                means = {h: sum(v) / len(v) for h, v in wers.items()}
                for h in hows:
                    totals[h] += wers[h]
                print(f"{name:16s} " + "  ".join(f"{h}={means[h]*100:5.1f}%" for h in hows), flush=True)
        for label, make in (("silence", corpus.silence), ("line_noise", corpus.line_noise)):
            path = make(os.path.join(tmp, label + ".wav"))
            out = {h: run(model, path, h, plain) for h in hows}
            print(f"{label:16s} " + "  ".join(f"{h}={out[h]!r}" for h in hows), flush=True)
            print(f"BENCH {label}_auto_chars {len(out['auto'])} chars (goal == 0)")
    for h in hows:
        print(f"BENCH wer_{args.model}_{h} {100*sum(totals[h])/len(totals[h]):.1f} % (goal: auto <= min(none, vad))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
