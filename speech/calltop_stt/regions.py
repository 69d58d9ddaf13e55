"""What Whisper hears of a window: the VAD's speech regions, or all of it.

faster-whisper's own VAD filter (vad_filter=True) cuts the long silences
out and decodes the speech regions back to back; on most audio that is as
good as the whole window or better (fewer 30 s windows of silence to
hallucinate over, less to decode). But Silero VAD misses whole sentences of
some voices (issue #5: flat or formant voices; klatt loses 0.7-1.8 s of a
4 s sentence), and what it misses is lost for good.

So the regions are used only when they hold the voiced audio the energy
gate sees (energy.py): at least MIN_SHARE of the voiced frames and no more
than MAX_MISSED_S of them outside the regions. Otherwise Whisper hears the
whole window, as before. The regions come from faster-whisper's default
VadOptions (threshold 0.5, 2 s of silence to split, 400 ms of padding each
side), the settings behind its own vad_filter.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
from faster_whisper.vad import SpeechTimestampsMap

from .energy import FRAME_S

MIN_SHARE = 0.97
MAX_MISSED_S = 1.0
# Regions that leave out less than this are the whole window shifted by a
# few tenths of a second at its edges, not a choice of what to hear: hearing
# them only picks another alignment, which moves WER by +-2-3 points either
# way (DAMAGE-RESULTS.md, 2026-12-07). Silence inside a window is only cut
# from 2 s on (1.2 s with the padding), so 1 s is under any pause the VAD
# removes.
MIN_CUT_S = 1.0


def covered(n_frames: int, regions: Sequence[dict], sample_rate: int) -> np.ndarray:
    """Per 20 ms frame: inside one of the regions (sample offsets)."""
    inside = np.zeros(n_frames, dtype=bool)
    frame = int(FRAME_S * sample_rate)
    for r in regions:
        inside[r["start"] // frame: (r["end"] + frame - 1) // frame] = True
    return inside


def missed_seconds(mask: np.ndarray, regions: Sequence[dict], sample_rate: int) -> float:
    """Voiced seconds (energy gate) that fall outside every region."""
    return float((mask & ~covered(len(mask), regions, sample_rate)).sum()) * FRAME_S


def use_regions(mask: np.ndarray, regions: Sequence[dict], sample_rate: int) -> bool:
    """True when Whisper may hear only the regions: the VAD found speech and
    left out (almost) none of what the energy gate calls voiced."""
    if not regions:
        return False
    voiced = float(mask.sum()) * FRAME_S
    if voiced == 0.0:
        return True   # quiet speech only the VAD hears: nothing to lose
    missed = missed_seconds(mask, regions, sample_rate)
    return missed <= MAX_MISSED_S and 1.0 - missed / voiced >= MIN_SHARE


def cuts_enough(regions: Sequence[dict], n_samples: int, sample_rate: int) -> bool:
    """True when the regions leave out at least MIN_CUT_S of the window."""
    if not regions:
        return False
    kept = sum(r["end"] - r["start"] for r in regions)
    return (n_samples - kept) / sample_rate >= MIN_CUT_S


def join(audio: np.ndarray, regions: Sequence[dict]) -> np.ndarray:
    """The regions back to back, as faster-whisper's vad_filter feeds them."""
    return np.concatenate([audio[r["start"]: r["end"]] for r in regions]).astype(np.float32)


def restore(segments: Iterable, regions: Sequence[dict], sample_rate: int):
    """Segments of the joined audio, with start and end moved back to the
    window's own time (as faster-whisper's vad_filter does)."""
    ts_map = SpeechTimestampsMap(list(regions), sample_rate)
    for seg in segments:
        seg.start = ts_map.get_original_time(seg.start)
        seg.end = ts_map.get_original_time(seg.end, is_end=True)
        yield seg
