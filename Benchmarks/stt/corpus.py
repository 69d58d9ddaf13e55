"""Synthesised call audio for tests and benchmarks (espeak-ng + sox + lame).

Everything is generated from known sentences, offline: espeak-ng speaks,
sox band-limits to the telephone band at 8 kHz (300–3400 Hz) like a call,
lame encodes 32 kbps MP3 like a Twilio recording. Numbers are spoken digit
by digit so the reference and Whisper's digits normalise to the same words.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from typing import List

SENTENCES = [
    "Hello, thank you for calling the support line, how can I help you today?",
    "I would like to check the status of my order, the number is four seven two nine.",
    "The delivery was scheduled for Monday morning but nothing has arrived yet.",
    "Please hold on while I look up your account and the shipping details.",
    "Your package left the warehouse yesterday and should arrive tomorrow afternoon.",
]

# espeak-ng voices of different character; "flat" ones are slow, low-pitched
# and monotone (pitch range 0), the kind plain VAD throws away.
VOICES = {
    "us": ["-v", "en-us", "-s", "150"],
    "m3": ["-v", "en+m3", "-s", "150"],
    "f2": ["-v", "en+f2", "-s", "150"],
    "klatt": ["-v", "en-us+klatt4", "-s", "150"],
    "flat_low": ["-v", "en-us", "-s", "130", "-p", "20", "-a", "60"],
    "whisper": ["-v", "en+whisper", "-s", "140"],
}
FLAT_SSML = '<speak><prosody pitch="low" range="x-low">{}</prosody></speak>'


def tools_missing() -> List[str]:
    return [t for t in ("espeak-ng", "sox", "lame") if shutil.which(t) is None]


# Every sox call takes -R: sox dithers (and synthesises noise) from a random
# seed by default, so the same sentence gave different bytes on every build
# and WER moved with it (Benchmarks/stt/DAMAGE-RESULTS.md, 2026-12-07).
def _run(cmd: List[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def speak(text: str, out: str, voice: str = "us", mp3: bool = True, flat: bool = False) -> str:
    """8 kHz telephone-band speech of `text`; returns the path (.mp3 or .wav)."""
    base = os.path.splitext(out)[0]
    raw, tel = base + ".raw.wav", base + ".8k.wav"
    args = VOICES[voice]
    if flat:
        _run(["espeak-ng", *args, "-m", "-w", raw, FLAT_SSML.format(text)])
    else:
        _run(["espeak-ng", *args, "-w", raw, text])
    # 0.5 s of room before and after, as a call has; gain -3 dB avoids clipping.
    _run(["sox", "-R", raw, "-r", "8000", tel, "gain", "-3", "sinc", "300-3400", "pad", "0.5", "0.5"])
    os.remove(raw)
    if not mp3:
        os.replace(tel, base + ".wav")
        return base + ".wav"
    _run(["lame", "--quiet", "-b", "32", tel, base + ".mp3"])
    os.remove(tel)
    return base + ".mp3"


def silence(out: str, seconds: float = 6.0) -> str:
    """Near-silence: a faint dither floor, as a muted line records."""
    _run(["sox", "-R", "-n", "-r", "8000", "-c", "1", out, "synth", str(seconds), "whitenoise", "vol", "0.0005"])
    return out


def line_noise(out: str, seconds: float = 6.0) -> str:
    """Mains hum plus hiss, band-limited like a bad phone line."""
    _run(["sox", "-R", "-n", "-r", "8000", "-c", "1", out, "synth", str(seconds),
          "sine", "60", "sine", "180", "brownnoise", "mix", "vol", "0.5", "sinc", "300-3400"])
    return out


def stereo(left: str, right: str, out: str, gap_s: float = 0.0) -> str:
    """Dual-channel call: `right` starts after `left` (+gap), like turns."""
    tmp = out + ".r.wav"
    dur = float(subprocess.run(["soxi", "-D", left], check=True, capture_output=True, text=True).stdout)
    _run(["sox", "-R", right, tmp, "pad", str(dur + gap_s)])
    _run(["sox", "-R", "-M", left, tmp, out])
    os.remove(tmp)
    return out


def concat(paths: List[str], out: str) -> str:
    _run(["sox", "-R", *paths, out])
    return out
