"""What Whisper hears (calltop_stt/regions.py): VAD regions or the whole
window. Pure functions on synthetic masks and spans, no model."""
from __future__ import annotations

import numpy as np

from calltop_stt import regions
from calltop_stt.energy import FRAME_S

RATE = 16000


def mask_of(total_s, voiced):
    """A voiced mask of total_s seconds, voiced over the (start, end) stretches."""
    m = np.zeros(int(round(total_s / FRAME_S)), dtype=bool)
    for a, b in voiced:
        m[int(round(a / FRAME_S)): int(round(b / FRAME_S))] = True
    return m


def span(a, b):
    return {"start": int(a * RATE), "end": int(b * RATE)}


SENTENCES = [(1 + 6 * k, 5 + 6 * k) for k in range(10)]   # ten 4 s sentences in a minute


def test_no_region_means_the_whole_window():
    assert not regions.use_regions(mask_of(60, SENTENCES), [], RATE)


def test_regions_holding_every_voiced_frame_are_used():
    m = mask_of(60, SENTENCES)
    found = [span(0.6, 29.4), span(30.6, 59.4)]
    assert regions.missed_seconds(m, found, RATE) == 0.0
    assert regions.use_regions(m, found, RATE)


def test_a_sentence_the_vad_misses_sends_whisper_the_whole_window():
    # issue #5: a flat voice's sentence at 25-29 s, voiced for the energy gate only.
    m = mask_of(60, SENTENCES)
    found = [span(0.6, 23.4), span(30.6, 59.4)]
    assert abs(regions.missed_seconds(m, found, RATE) - 4.0) < 0.05
    assert not regions.use_regions(m, found, RATE)


def test_missing_a_second_and_a_half_of_a_long_window_is_too_much_even_at_96_percent():
    m = mask_of(60, SENTENCES)     # 40 s voiced
    found = [span(0.6, 27.5), span(29.0, 59.4)]   # 25-29 s half lost: 1.5 s
    assert 1.0 - regions.missed_seconds(m, found, RATE) / 40.0 > 0.96
    assert not regions.use_regions(m, found, RATE)


def test_a_short_file_losing_its_last_word_is_not_cut():
    m = mask_of(6, [(1.0, 5.0)])   # 4 s voiced; the VAD ends 0.4 s early
    assert not regions.use_regions(m, [span(0.6, 4.6)], RATE)


def test_stray_voiced_frames_outside_the_regions_are_tolerated():
    m = mask_of(60, SENTENCES + [(59.8, 60.0)])   # a click at the very end
    assert regions.use_regions(m, [span(0.6, 59.4)], RATE)


def test_quiet_speech_only_the_vad_hears_is_used():
    assert regions.use_regions(mask_of(10, []), [span(2.0, 5.0)], RATE)


class _Seg:
    def __init__(self, start, end):
        self.start, self.end = start, end


def test_joined_audio_and_timestamps_back_in_window_time():
    audio = np.arange(20 * RATE, dtype=np.float32)
    found = [span(1.0, 3.0), span(10.0, 12.0)]
    joined = regions.join(audio, found)
    assert len(joined) == 4 * RATE and joined[0] == RATE and joined[2 * RATE] == 10 * RATE
    [first, second] = regions.restore([_Seg(0.5, 1.5), _Seg(2.5, 3.5)], found, RATE)
    assert (first.start, first.end) == (1.5, 2.5)
    assert (second.start, second.end) == (10.5, 11.5)
