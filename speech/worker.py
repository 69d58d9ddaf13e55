#!/usr/bin/env python3
"""calltop speech worker: a long-lived process speaking JSON lines.

Started once by the core (Sources/CallTopCore/Transcription/SpeechWorker)
and kept alive so models load once. stdin: one request per line

  {"id": "j1", "audio": "/path/file.mp3",
   "options": {"model": "base"|"tiny.en", "language": "en", "channels": 1|2,
               "beam_size": 5, "vad": "auto"|"vad"|"none", "window_seconds": 60}}

stdout (protocol lines only; logs go to stderr):

  {"type": "ready", "protocol": 1, "pid": …, "models": {…}, "loaded": […]}
  {"id": …, "type": "started", "audio_seconds": 312.5, "channels": 1}
  {"id": …, "type": "progress", "fraction": 0.42, "segment": {start, end, text, channel}}
  {"id": …, "type": "progress", "fraction": 0.5, "decoded_seconds": 60.0}   (after each window)
  {"id": …, "type": "result", "text": …, "segments": […], "language": …,
   "model": …, "model_sha256": …, "settings": {…}, "audio_seconds": …,
   "processing_seconds": …}
  {"id": …, "type": "error", "code": "model_missing"|"audio_unreadable"|
   "bad_request"|"internal", "message": …}

"settings" is the provenance: besides the options, "decoding" says how the
text was decoded (no sampling: the same audio, model and settings give the
same text in any process), "noise_cleaning" the SNR rule, and "decisions"
per window what the policy saw and did (SNR, muted pauses, what Whisper
heard, fallback decodes, loop words cut).

Segments carry "channel": 0 for mono (or a down-mix), 1 and 2 for the
channels of a dual-channel recording. Progress segments are provisional:
the result's segments are authoritative (the empty-transcript rules may
drop a provisional "You").
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback

# Before anything imports huggingface_hub: never reach for a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from calltop_stt import audio as audio_mod  # noqa: E402
from calltop_stt import decoding, engine, noise, policy, regions  # noqa: E402

PROTOCOL = 1
log = logging.getLogger("calltop.speech")

DEFAULTS = {"model": "base", "language": "en", "channels": 1, "beam_size": 5,
            "vad": "auto", "window_seconds": 60.0}
WINDOW_SEARCH_S = 10.0  # a window's cut point is the quietest spot in its last 10 s
STEREO_LABELS = {1: "Channel 1", 2: "Channel 2"}


class RequestError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def emit(obj: dict) -> None:
    # The only writer of stdout: one JSON object per line, flushed at once.
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def parse_options(req: dict) -> dict:
    raw = req.get("options") or {}
    if not isinstance(raw, dict):
        raise RequestError("bad_request", "options must be an object")
    opts = dict(DEFAULTS)
    opts.update({k: v for k, v in raw.items() if v is not None or k == "language"})
    if opts["model"] not in engine.MODEL_DIRS:
        raise RequestError("bad_request", f"unknown model {opts['model']!r}; "
                           f"known: {', '.join(engine.MODEL_DIRS)}")
    if opts["channels"] not in (1, 2):
        raise RequestError("bad_request", "channels must be 1 or 2")
    if opts["vad"] not in policy.POLICIES:
        raise RequestError("bad_request", f"vad must be one of {', '.join(policy.POLICIES)}")
    if not isinstance(opts["beam_size"], int) or not 1 <= opts["beam_size"] <= 10:
        raise RequestError("bad_request", "beam_size must be an integer 1…10")
    if not isinstance(opts["window_seconds"], (int, float)) or opts["window_seconds"] < 20:
        raise RequestError("bad_request", "window_seconds must be a number >= 20")
    if opts["language"] is not None and not isinstance(opts["language"], str):
        raise RequestError("bad_request", "language must be a string or null")
    if opts["model"].endswith(".en") and opts["language"] not in (None, "en"):
        raise RequestError("bad_request", f"model {opts['model']} only knows English")
    return opts


def conversation_text(segments: list, stereo: bool) -> str:
    """Mono: the segments' text. Stereo: one labelled line per turn."""
    if not stereo:
        return " ".join(s["text"] for s in segments).strip()
    lines, last = [], None
    for s in segments:
        if s["channel"] == last:
            lines[-1] += " " + s["text"]
        else:
            lines.append(f"{STEREO_LABELS[s['channel']]}: {s['text']}")
            last = s["channel"]
    return "\n".join(lines)


def transcribe(models: engine.Models, req_id, path: str, opts: dict) -> dict:
    started = time.monotonic()
    if not isinstance(path, str) or not path:
        raise RequestError("bad_request", "audio must be a file path")
    if not os.path.isfile(path):
        raise RequestError("audio_unreadable", f"{path}: no such file")
    try:
        info = audio_mod.probe(path)
    except audio_mod.AudioUnreadable as e:
        raise RequestError("audio_unreadable", str(e))
    try:
        loaded = models.get(opts["model"])
    except engine.ModelMissing as e:
        raise RequestError("model_missing", str(e))

    # A mono file asked for as dual-channel would be transcribed twice.
    stereo = opts["channels"] == 2 and info.channels >= 2
    # Lets the supervisor set the job's time limit from the audio length.
    emit({"id": req_id, "type": "started", "audio_seconds": round(info.duration, 3),
          "channels": 2 if stereo else 1})
    channels = [1, 2] if stereo else [0]
    total = max(info.duration, 1e-6) * len(channels)
    done = 0.0
    segments, decisions, audio_seconds = [], [], 0.0

    try:
        for window in audio_mod.windows(path, stereo, opts["window_seconds"], WINDOW_SEARCH_S):
            audio_seconds = window.start + window.duration
            for label, samples in zip(channels, window.channels):
                def on_segment(seg, label=label, window=window, base=done):
                    seg_abs = {"start": round(window.start + seg["start"], 3),
                               "end": round(window.start + seg["end"], 3),
                               "text": seg["text"], "channel": label}
                    fraction = min(1.0, (base + seg["end"]) / total)
                    emit({"id": req_id, "type": "progress", "fraction": round(fraction, 4),
                          "segment": seg_abs})
                res = policy.transcribe_channel(
                    loaded.model, samples, policy=opts["vad"], beam_size=opts["beam_size"],
                    language=opts["language"], window_start=window.start, channel=label,
                    on_segment=on_segment)
                decisions.append(res.decision.as_dict())
                segments += [{"start": round(window.start + s["start"], 3),
                              "end": round(window.start + s["end"], 3),
                              "text": s["text"], "channel": label} for s in res.segments]
                done += window.duration
            # What was really decoded: the supervisor's hang guard grows with it,
            # not with the duration the container claims.
            emit({"id": req_id, "type": "progress", "fraction": round(min(1.0, done / total), 4),
                  "decoded_seconds": round(audio_seconds, 3)})
    except audio_mod.AudioUnreadable as e:
        raise RequestError("audio_unreadable", str(e))

    segments.sort(key=lambda s: (s["start"], s["channel"]))
    vad_on = opts["vad"] != "none"
    settings = {
        "engine": "faster-whisper", "compute_type": "int8", "device": "cpu",
        "cpu_threads": models.cpu_threads, "beam_size": opts["beam_size"],
        "language": opts["language"], "channels": 2 if stereo else 1,
        "file_channels": info.channels, "vad_policy": opts["vad"],
        # "auto": this VAD gates (speech or not); Whisper hears the whole
        # window, except a drowned one (policy.DROWNED_BELOW_SNR_DB), which
        # hears the default VAD's regions of the raw audio (each window's
        # "heard"). With policy.USE_REGIONS, a line that is not noisy hears
        # the regions when they hold all its voiced audio.
        # "vad": faster-whisper's vad_filter with these parameters.
        "vad_parameters": dict(policy.LENIENT_VAD) if vad_on else None,
        "heard_regions": _heard_regions() if opts["vad"] == "auto" else None,
        "transcribe_options": policy.transcribe_options(
            opts["beam_size"], opts["language"], opts["vad"] == "vad"),
        "window_seconds": opts["window_seconds"], "decisions": decisions,
        # Same audio, model and settings give the same text: how (decoding.py).
        "decoding": decoding.describe(),
        "noise_cleaning": noise.describe() if opts["vad"] == "auto" else None,
    }
    return {"id": req_id, "type": "result", "text": conversation_text(segments, stereo),
            "segments": segments, "language": opts["language"] or "auto",
            "model": loaded.name, "model_sha256": loaded.sha256, "settings": settings,
            "audio_seconds": round(audio_seconds, 3),
            "processing_seconds": round(time.monotonic() - started, 3)}


def _heard_regions() -> dict:
    """How the policy chooses between the whole window and VAD regions."""
    out = {"vad_parameters": dict(policy.REGIONS_VAD) or "faster-whisper defaults",
           "drowned_below_snr_db": policy.DROWNED_BELOW_SNR_DB,
           "drowned_min_cut_s": regions.MIN_CUT_S}
    if policy.USE_REGIONS:
        out.update(min_voiced_share=regions.MIN_SHARE, max_voiced_outside_s=regions.MAX_MISSED_S)
    return out


def handle(models: engine.Models, line: str) -> None:
    req_id = None
    try:
        try:
            req = json.loads(line)
        except ValueError as e:
            raise RequestError("bad_request", f"not JSON: {e}")
        if not isinstance(req, dict):
            raise RequestError("bad_request", "request must be a JSON object")
        req_id = req.get("id")
        if req_id is None:
            raise RequestError("bad_request", "missing id")
        if req.get("type") == "ping":
            emit({"id": req_id, "type": "pong", "loaded": models.loaded_names()})
            return
        opts = parse_options(req)
        emit(transcribe(models, req_id, req.get("audio"), opts))
    except RequestError as e:
        emit({"id": req_id, "type": "error", "code": e.code, "message": str(e)})
    except MemoryError:
        emit({"id": req_id, "type": "error", "code": "internal", "message": "out of memory"})
    except Exception as e:  # keep serving: one bad file must not kill the worker
        log.error("job %s failed:\n%s", req_id, traceback.format_exc())
        emit({"id": req_id, "type": "error", "code": "internal",
              "message": f"{type(e).__name__}: {e}"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models-dir", default=os.environ.get("CALLTOP_MODELS_DIR")
                    or engine.default_models_dir())
    ap.add_argument("--preload", action="append", default=[],
                    help="model to load before the ready line (repeatable)")
    ap.add_argument("--cpu-threads", type=int, default=engine.cpu_count())
    args = ap.parse_args()
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("CALLTOP_SPEECH_LOG", "INFO"),
                        format="speech-worker %(levelname)s %(message)s")

    models = engine.Models(args.models_dir, args.cpu_threads)
    for name in args.preload:
        try:
            models.get(name)
        except (engine.ModelMissing, KeyError) as e:
            log.warning("preload %s: %s", name, e)  # reported per job as model_missing
    emit({"type": "ready", "protocol": PROTOCOL, "pid": os.getpid(),
          "models": models.available(), "loaded": models.loaded_names(),
          "models_dir": args.models_dir, "cpu_threads": args.cpu_threads})
    for line in sys.stdin:
        if line.strip():
            handle(models, line)
    log.info("stdin closed: exiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
