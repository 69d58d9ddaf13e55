"""Line noise: how much a window has, and spectral gating when it has a lot.

SNR is read from the window's own frame levels: the loud end (95th
percentile of 20 ms frames) over the floor (10th percentile). Clean calls
have pauses far below their speech (> 30 dB apart); a call over steady
noise has a floor that the pauses never go under. Only a window whose SNR
is under NEEDS_CLEANING_DB is cleaned, and the cleaned copy only feeds the
energy gate and the VAD (policy.py): Whisper itself did no better on cleaned
audio (pooled over pink 10/5 dB and the quiet speaker: 47.0 % cleaned vs
45.3 % raw, Benchmarks/stt/damage_eval.py). Clean audio is untouched.

Cleaning is spectral gating in numpy (no model, nothing to download): the
noise spectrum is the mean power of the quietest frames, and each STFT bin
is scaled by a Wiener-like gain with over-subtraction and a floor, smoothed
over time and frequency to keep musical noise down.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import energy

NEEDS_CLEANING_DB = 20.0
N_FFT = 512          # 32 ms at 16 kHz
HOP = N_FFT // 2
NOISE_FRAMES_SHARE = 0.15   # the quietest 15 % of STFT frames are the noise profile
OVER_SUBTRACT = 1.5
GAIN_FLOOR = 0.1            # -20 dB: never silence a bin completely


@dataclass
class Estimate:
    snr_db: float
    floor_dbfs: float
    needs_cleaning: bool

    def as_dict(self) -> dict:
        return {"snr_db": round(self.snr_db, 1), "floor_dbfs": round(self.floor_dbfs, 1),
                "cleaned_for_gate": self.needs_cleaning}


def describe() -> dict:
    """For the transcript's provenance."""
    return {"method": "spectral gating (numpy), for the energy gate and the VAD only",
            "needs_cleaning_below_snr_db": NEEDS_CLEANING_DB,
            "n_fft": N_FFT, "hop": HOP, "noise_frames_share": NOISE_FRAMES_SHARE,
            "over_subtract": OVER_SUBTRACT, "gain_floor": GAIN_FLOOR,
            "busy_pauses": {"below_loud_db": PAUSE_BELOW_LOUD_DB, "min_s": PAUSE_MIN_S,
                            "busy_over_floor_db": BUSY_OVER_FLOOR_DB,
                            "attenuation_db": PAUSE_ATTENUATION_DB}}


def estimate(audio: np.ndarray, threshold_db: float = NEEDS_CLEANING_DB) -> Estimate:
    db = energy.frame_db(audio)
    if len(db) < 10:
        return Estimate(99.0, -120.0, False)
    floor, loud = float(np.percentile(db, 10)), float(np.percentile(db, 95))
    snr = min(loud - floor, 99.0)
    # A floor under -70 dBFS is digital silence or dither, whatever the speech level.
    return Estimate(snr, floor, snr < threshold_db and floor > -70.0)


def _stft(x: np.ndarray) -> np.ndarray:
    win = np.sqrt(np.hanning(N_FFT + 1)[:-1])
    pad = np.concatenate([np.zeros(N_FFT), x, np.zeros(N_FFT)])
    n = 1 + (len(pad) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]
    return np.fft.rfft(pad[idx] * win, axis=1)


def _istft(spec: np.ndarray, length: int) -> np.ndarray:
    win = np.sqrt(np.hanning(N_FFT + 1)[:-1])
    frames = np.fft.irfft(spec, N_FFT, axis=1) * win
    out = np.zeros(HOP * (len(frames) - 1) + N_FFT)
    for i, f in enumerate(frames):   # overlap-add; sqrt-Hann twice sums to 1 at 50 %
        out[i * HOP: i * HOP + N_FFT] += f
    return out[N_FFT: N_FFT + length]


def _smooth(g: np.ndarray) -> np.ndarray:
    """3 frames x 5 bins moving average of the gain."""
    k_t, k_f = 3, 5
    p = np.pad(g, ((k_t // 2, k_t // 2), (k_f // 2, k_f // 2)), mode="edge")
    c = p.cumsum(0).cumsum(1)
    c = np.pad(c, ((1, 0), (1, 0)))
    return (c[k_t:, k_f:] - c[:-k_t, k_f:] - c[k_t:, :-k_f] + c[:-k_t, :-k_f]) / (k_t * k_f)


def clean(audio: np.ndarray) -> np.ndarray:
    spec = _stft(audio.astype(np.float64))
    power = np.abs(spec) ** 2
    frame_energy = power.sum(axis=1)[2:-2]   # not the frames that hold the zero padding
    k = max(1, int(len(frame_energy) * NOISE_FRAMES_SHARE))
    quiet = 2 + np.argsort(frame_energy)[:k]
    noise = power[quiet].mean(axis=0) + 1e-12
    gain = np.maximum(1.0 - OVER_SUBTRACT * noise[None, :] / (power + 1e-12), 0.0)
    gain = np.maximum(_smooth(gain), GAIN_FLOOR)
    return _istft(spec * gain, len(audio)).astype(np.float32)


# --- other voices in the speaker's pauses ------------------------------------
# Babble (other people near the phone, a crossed line) is speech, so neither
# the VAD nor spectral gating removes it, and Whisper writes down what the
# other voices say in the caller's pauses. The caller is the loud voice: a
# stretch of at least PAUSE_MIN_S whose every frame is PAUSE_BELOW_LOUD_DB
# under the window's loud level is a pause of the caller. When those pauses
# are busy (their level well above the file's floor: someone else is
# talking) they are muted; a clean call's pauses are at the floor already
# and the call is left untouched.
PAUSE_BELOW_LOUD_DB = 14.0
PAUSE_MIN_S = 0.3
BUSY_OVER_FLOOR_DB = 10.0
PAUSE_ATTENUATION_DB = 30.0


def busy_pauses(audio: np.ndarray) -> np.ndarray:
    """Per 20 ms frame: True inside a busy pause of the loud speaker."""
    db = energy.frame_db(audio)
    if len(db) < 10:
        return np.zeros(len(db), dtype=bool)
    floor, loud = float(np.percentile(db, 5)), float(np.percentile(db, 95))
    low = db < loud - PAUSE_BELOW_LOUD_DB
    pause = np.zeros_like(low)
    run = int(PAUSE_MIN_S / energy.FRAME_S)
    i = 0
    while i < len(low):
        if low[i]:
            j = i
            while j < len(low) and low[j]:
                j += 1
            if j - i >= run:
                pause[i:j] = True
            i = j
        else:
            i += 1
    if not pause.any():
        return pause
    # The median, not the mean: a clean call's pauses hold a few soft word
    # endings but are mostly floor.
    content = float(np.median(db[pause]))
    return pause if content > floor + BUSY_OVER_FLOOR_DB else np.zeros_like(pause)


def mute(audio: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Attenuates the marked frames, with 20 ms ramps."""
    frame = int(energy.FRAME_S * 16000)
    g = np.ones(len(audio), dtype=np.float32)
    lo = 10 ** (-PAUSE_ATTENUATION_DB / 20)
    per_frame = np.where(frames, lo, 1.0).astype(np.float32)
    g[: len(per_frame) * frame] = np.repeat(per_frame, frame)
    ramp = np.ones(frame, dtype=np.float32) / frame
    g = np.convolve(g, ramp, mode="same").astype(np.float32)
    return (audio * g).astype(np.float32)
