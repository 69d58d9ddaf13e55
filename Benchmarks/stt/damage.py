"""A seeded phone-damage corpus built from the test voices (corpus.py).

Every file is an espeak-ng sentence in the telephone band at 8 kHz
(corpus.speak, WAV), then damaged in numpy with a random generator seeded by
(seed, condition, utterance), so the same seed gives the same bytes:

  clean      untouched (the reference the others are compared with)
  g711       G.711 mu-law round trip (8-bit companding)
  pink10     pink noise at 10 dB SNR (over the speech's active level)
  pink5      pink noise at 5 dB SNR (pinkN: any other level, for measurements)
  babble     two other speakers (other voices, other sentences), 12 dB down
  loss       3 % of the audio lost in 20-120 ms bursts (zeros, no concealment)
  quiet_hum  the speaker at -30 dBFS over 60 Hz mains hum and its harmonics
  clip       hard clipping 12 dB into the peaks

ADDITIVE are the conditions where noise is added (issue #16's pooled figure).
"""
from __future__ import annotations

import hashlib
import math
import os
import wave
from dataclasses import dataclass
from typing import Dict, List

import numpy as np

import corpus

RATE = 8000
CONDITIONS = ("clean", "g711", "pink10", "pink5", "babble", "loss", "quiet_hum", "clip")
ADDITIVE = ("pink10", "pink5", "babble", "quiet_hum")

# More sentences than corpus.SENTENCES, in the same style: numbers spoken digit
# by digit, no amounts written as figures.
SENTENCES = corpus.SENTENCES + [
    "I was charged twice this month and I would like you to refund the extra payment.",
    "Can you send the invoice to my email address so I can pay the total amount?",
    "The technician will visit between nine and eleven on Thursday morning.",
    "My account number is three one eight five and the password does not work.",
    "We have updated your address and the next bill will go to the new house.",
    "I would like to cancel the subscription at the end of the current period.",
]
VOICES = ("us", "m3", "f2", "klatt", "flat_low")


@dataclass
class Item:
    name: str          # condition/index
    condition: str
    path: str
    reference: str


def read_wav(path: str) -> np.ndarray:
    with wave.open(path, "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0


def write_wav(path: str, x: np.ndarray) -> str:
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)
    return path


def active_rms(x: np.ndarray) -> float:
    """RMS over the frames within 30 dB of the loudest: the speech's level,
    not diluted by the pauses around it."""
    frame = RATE // 50
    n = len(x) // frame
    p = (x[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    p_db = 10 * np.log10(p + 1e-12)
    return float(np.sqrt(p[p_db > p_db.max() - 30].mean()))


def band_limit(x: np.ndarray) -> np.ndarray:
    """300-3400 Hz brick wall in the frequency domain (the noise a line carries)."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    spec[(f < 300) | (f > 3400)] = 0
    return np.fft.irfft(spec, len(x))


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    return band_limit(np.fft.irfft(spec, n))


def at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    gain = active_rms(speech) / (np.sqrt((noise ** 2).mean()) * 10 ** (snr_db / 20))
    return speech + gain * noise


def mu_law(x: np.ndarray) -> np.ndarray:
    mu = 255.0
    y = np.sign(x) * np.log1p(mu * np.minimum(np.abs(x), 1.0)) / np.log1p(mu)
    q = np.round((y + 1) / 2 * 255) / 255 * 2 - 1   # 8 bits on the wire
    return np.sign(q) * np.expm1(np.abs(q) * np.log1p(mu)) / mu


def packet_loss(x: np.ndarray, rng: np.random.Generator, share: float = 0.03) -> np.ndarray:
    y = x.copy()
    lost = np.zeros(len(x), dtype=bool)
    while lost.mean() < share:
        length = int(rng.uniform(0.020, 0.120) * RATE)
        start = int(rng.integers(0, max(1, len(x) - length)))
        lost[start: start + length] = True
    y[lost] = 0.0
    return y


def hum(n: int, rng: np.random.Generator, level_dbfs: float) -> np.ndarray:
    t = np.arange(n) / RATE
    phase = rng.uniform(0, 2 * np.pi, 6)
    h = sum(np.sin(2 * np.pi * 60 * k * t + phase[i]) / k for i, k in enumerate((1, 3, 5, 7, 9, 11)))
    h += 0.05 * band_limit(rng.standard_normal(n))  # a little hiss with it
    return h * (10 ** (level_dbfs / 20) / np.sqrt((h ** 2).mean()))


def damage(condition: str, x: np.ndarray, rng: np.random.Generator, others: List[np.ndarray]) -> np.ndarray:
    if condition == "clean":
        return x
    if condition == "g711":
        return mu_law(x)
    if condition.startswith("pink"):   # pink10, pink5, or any other level: pink7.5
        return at_snr(x, pink(len(x), rng), float(condition[len("pink"):]))
    if condition == "babble":
        babble = np.zeros(len(x))
        for o in others:
            o = np.tile(o, int(np.ceil(len(x) / len(o))) + 1)
            off = int(rng.integers(0, len(o) - len(x)))
            seg = o[off: off + len(x)]
            babble += seg / (active_rms(seg) + 1e-9)
        return at_snr(x, babble, 12.0)
    if condition == "loss":
        return packet_loss(x, rng)
    if condition == "quiet_hum":
        quiet = x * (10 ** (-30 / 20) / active_rms(x))
        return quiet + hum(len(x), rng, -42.0)
    if condition == "clip":
        level = np.percentile(np.abs(x), 99.9) * 10 ** (-12 / 20)
        return np.clip(x, -level, level) * (0.5 / level)
    raise ValueError(condition)


def _seed(seed: int, *parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr((seed,) + parts).encode()).digest()[:8], "little")


def build(out_dir: str, calls: int = 1, per_call: int = 10, seed: int = 16,
          conditions=CONDITIONS) -> List[Item]:
    """Writes <out_dir>/<condition>/<k>.wav: `calls` calls per condition, each
    `per_call` utterances back to back (voices and sentences taking turns),
    damaged as a whole. Returns the items. Idempotent for a given seed (the
    clean utterances are cached under <out_dir>/voices).

    Calls of several utterances, not one file per sentence: Whisper decodes
    30 s windows whatever the length, so this is 5x cheaper per word, and a
    call is where a loop carries from one window's text to the next."""
    voices_dir = os.path.join(out_dir, "voices")
    os.makedirs(voices_dir, exist_ok=True)
    cache: Dict[tuple, np.ndarray] = {}

    def voice(i: int, v: str) -> np.ndarray:
        if (i, v) not in cache:
            path = os.path.join(voices_dir, f"{v}_{i}.wav")
            if not os.path.exists(path):
                corpus.speak(SENTENCES[i], path, v, mp3=False)
            cache[(i, v)] = read_wav(path)
        return cache[(i, v)]

    # Sentences and voices take turns, and the pairs come round again after
    # len(SENTENCES) * len(VOICES) utterances: call 11 was call 0's audio, so
    # clean, g711 and clip calls past 11 were copies. Each lap moves the voices
    # on by one instead (calls before the first lap end are as they were).
    lap = math.lcm(len(SENTENCES) * len(VOICES), per_call)
    items = []
    for cond in conditions:
        os.makedirs(os.path.join(out_dir, cond), exist_ok=True)
        for c in range(calls):
            utts = [c * per_call + u for u in range(per_call)]
            pick = [(k % len(SENTENCES), VOICES[(k + k // len(SENTENCES) + k // lap) % len(VOICES)])
                    for k in utts]
            rng = np.random.default_rng(_seed(seed, cond, c, per_call))
            x = np.concatenate([voice(i, v) for i, v in pick])
            others = []
            if cond == "babble":
                for j in (1, 2):
                    others.append(np.concatenate([voice((i + 3 * j) % len(SENTENCES),
                                                        VOICES[(VOICES.index(v) + j) % len(VOICES)])
                                                  for i, v in pick]))
            path = os.path.join(out_dir, cond, f"{c:02d}_{per_call}.wav")
            if not os.path.exists(path):
                write_wav(path, damage(cond, x, rng, others))
            items.append(Item(f"{cond}/{c:02d}", cond, path, " ".join(SENTENCES[i] for i, _ in pick)))
    return items
