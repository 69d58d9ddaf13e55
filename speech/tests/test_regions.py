"""What Whisper hears (calltop_stt/regions.py): VAD regions or the whole
window. Synthetic masks and spans, and a stand-in for the model."""
from __future__ import annotations

import numpy as np

from calltop_stt import noise, policy, regions
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


# --- a drowned window hears the VAD regions of its raw audio ---

class _Segment:
    def __init__(self, start, end, text):
        self.start, self.end, self.text = start, end, text


class _Whisper:
    """Stands in for Whisper: every decode gives `segments`; records how many
    samples each decode heard."""

    def __init__(self, segments):
        self.segments, self.heard = segments, []

    def transcribe(self, audio, **kw):
        self.heard.append(len(audio))
        return iter(self.segments), None


def _noisy(monkeypatch, found, snr_db):
    """A window the SNR estimate calls noisy at snr_db, where the VAD finds `found`."""
    monkeypatch.setattr(policy, "get_speech_timestamps", lambda audio, opts, sampling_rate: found)
    monkeypatch.setattr(policy.noise, "estimate", lambda audio: noise.Estimate(snr_db, -30.0, True))
    return np.zeros(20 * RATE, dtype=np.float32)


def test_a_drowned_window_hears_only_the_vad_regions_in_one_decode(monkeypatch):
    found = [span(1.0, 3.0), span(10.0, 12.0)]
    audio = _noisy(monkeypatch, found, policy.DROWNED_BELOW_SNR_DB - 2.0)
    model = _Whisper([_Segment(0.5, 1.5, "hello"), _Segment(2.5, 3.5, "there")])
    res = policy.transcribe_channel(model, audio, policy="auto", beam_size=5, language="en",
                                    window_start=0.0, channel=0, on_segment=lambda s: None)
    assert model.heard == [4 * RATE]
    assert [(s["text"], s["start"], s["end"]) for s in res.segments] == [("hello", 1.5, 2.5), ("there", 10.5, 11.5)]
    assert res.decision.as_dict()["heard"] == "vad_regions"


def test_a_noisy_window_above_the_drowned_snr_is_heard_whole(monkeypatch):
    audio = _noisy(monkeypatch, [span(1.0, 3.0), span(10.0, 12.0)], policy.DROWNED_BELOW_SNR_DB)
    model = _Whisper([_Segment(1.0, 12.0, "all of it")])
    res = policy.transcribe_channel(model, audio, policy="auto", beam_size=5, language="en",
                                    window_start=0.0, channel=0, on_segment=lambda s: None)
    assert model.heard == [20 * RATE] and [s["text"] for s in res.segments] == ["all of it"]
    assert res.decision.heard == "whole_window"


def test_a_drowned_window_whose_regions_cut_little_is_heard_whole(monkeypatch):
    # Regions that only trim the edges (0.4 + 0.5 s here) are the same audio shifted.
    for found in ([], [span(0.4, 19.5)]):
        audio = _noisy(monkeypatch, found, policy.DROWNED_BELOW_SNR_DB - 5.0)
        decision = policy.Decision(0.0, 0, 5.0)
        assert policy.choose_regions(audio, audio, np.zeros(1000, dtype=bool), policy.noise.estimate(audio),
                                     decision) == []
        assert decision.heard == "whole_window"


def test_regions_cut_enough_from_one_second_left_out():
    assert not regions.cuts_enough([], 20 * RATE, RATE)
    assert not regions.cuts_enough([span(0.4, 19.5)], 20 * RATE, RATE)
    assert regions.cuts_enough([span(0.4, 8.0), span(9.2, 19.8)], 20 * RATE, RATE)   # a 1.2 s pause cut


def test_a_clean_window_is_decoded_once_whole():
    """A clean window is not even looked at by the regions' VAD (USE_REGIONS is off)."""
    rng = np.random.default_rng(3)
    t = np.arange(8 * RATE) / RATE
    audio = np.where((t > 1) & (t < 7), 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)), 0.0)
    audio = (audio + 1e-5 * rng.standard_normal(len(t))).astype(np.float32)
    model = _Whisper([_Segment(1.0, 7.0, "hello there")])
    res = policy.transcribe_channel(model, audio, policy="auto", beam_size=5, language="en",
                                    window_start=0.0, channel=0, on_segment=lambda s: None)
    assert model.heard == [len(audio)] and res.decision.heard is None
    assert not res.decision.noise["cleaned_for_gate"]
