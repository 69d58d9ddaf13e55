"""Frame energies: a model-free view of where the voice is.

Used to check the VAD's work, not to replace it. Speech rises well above the
file's own noise floor (syllables); steady line noise or hum does not. So a
frame counts as voiced when it is at least VOICED_OVER_FLOOR_DB over the
floor (the 10th percentile of frame levels) and above an absolute minimum.
"""
from __future__ import annotations

from typing import List, Sequence

import numpy as np

from .audio import SAMPLE_RATE

FRAME_S = 0.02
VOICED_OVER_FLOOR_DB = 15.0
ABSOLUTE_MIN_DBFS = -55.0


def frame_db(audio: np.ndarray) -> np.ndarray:
    frame = int(FRAME_S * SAMPLE_RATE)
    n = len(audio) // frame
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    power = (audio[: n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(axis=1)
    return (10.0 * np.log10(power + 1e-12)).astype(np.float32)


def voiced_mask(db: np.ndarray) -> np.ndarray:
    if len(db) == 0:
        return np.zeros(0, dtype=bool)
    floor = float(np.percentile(db, 10))
    return db > max(floor + VOICED_OVER_FLOOR_DB, ABSOLUTE_MIN_DBFS)


def kept_share(mask: np.ndarray, db: np.ndarray, spans: Sequence[dict]) -> float:
    """Share of voiced energy inside the VAD's speech spans (sample offsets)."""
    if not mask.any():
        return 1.0
    inside = np.zeros_like(mask)
    frame = int(FRAME_S * SAMPLE_RATE)
    for span in spans:
        inside[span["start"] // frame: (span["end"] + frame - 1) // frame] = True
    energy = np.power(10.0, db.astype(np.float64) / 10.0) * mask
    return float(energy[inside].sum() / energy.sum())


def voiced_seconds(mask: np.ndarray) -> float:
    return float(mask.sum()) * FRAME_S


def slice_mask(mask: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    return mask[int(start_s / FRAME_S): int(end_s / FRAME_S) + 1]
