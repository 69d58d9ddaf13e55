"""The VAD policy: silence gives nothing, clear speech is never dropped.

Measured facts this answers (STT-NOTES.md): Whisper without VAD writes "You"
(base) or ". . ." (tiny.en) on near-silence; Silero VAD with its defaults
empties silence and line noise but throws away clear speech of some voices
(flat, whispered, formant: 45 % vs 4.5 % WER on one voice). A first version
here (lenient VAD, falling back to no VAD when the VAD's spans held under 90 %
of the voiced energy) still lost words at span edges; Benchmarks/stt/
vad_policy_eval.py has the figures. So the lenient VAD only decides WHETHER a
window holds speech; which audio Whisper hears is decided in step 2.

Policy "auto", per window and channel:
1. Frame energies (energy.py) and Silero VAD with lenient settings
   (LENIENT_VAD) each look for speech. Neither finds any (under MIN_VOICED_S
   voiced and no VAD span) -> empty, and the model is not even called.
2. Otherwise Whisper transcribes the whole window WITHOUT VAD, so no word is
   cut away. With USE_REGIONS (off, see below) it would hear the speech
   regions of faster-whisper's default VAD (threshold 0.5, 400 ms of padding:
   what its vad_filter hears), joined, when they hold the voiced audio the
   energy gate sees (regions.py: >= 97 % of it and at most 1 s outside) and
   the window is not noisy; a voice the VAD misses (flat, formant: issue #5)
   would still get the whole window.
   A drowned window (SNR estimate under DROWNED_BELOW_SNR_DB) whose raw
   audio the default VAD cuts by at least regions.MIN_CUT_S hears those
   regions instead: there the speech the VAD misses is speech Whisper cannot
   read either, and the text it makes up over it costs more than the words
   left out; from pink 8 to 10 dB Whisper mostly reads it and the whole
   window wins. Keeping whichever of the two decodes Whisper was surer of
   (mean log-probability) did as well over pink 5-12 dB, at two decodes a
   window (Benchmarks/stt/DAMAGE-RESULTS.md).
3. Whisper's silence hallucinations are then removed, not prevented: a
   segment with under SEGMENT_MIN_VOICED_S of voiced audio and no overlap
   with a VAD span is dropped; text that is only punctuation is empty; a lone
   known hallucination ("you", "thank you", …) on a window with under
   LONE_WORD_MAX_VOICED_S of voiced audio is empty.
Bad lines (issue #16, noise.py, repetition.py, decoding.py): a window under
20 dB SNR is cleaned for steps 1 and 3 only; other voices in the caller's busy
pauses are muted before Whisper hears them; repetition loops that
survive the decoder's cascade are cut to one copy.
"vad" is faster-whisper's VAD filter with LENIENT_VAD; "none" is plain
Whisper; both still drop punctuation-only text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from . import energy, noise, regions as regions_mod, repetition
from .audio import SAMPLE_RATE
from .text import is_punctuation_only, normalize

# Lower threshold than Silero's 0.5 and wider padding, so flat or quiet voices
# are kept; min_silence is shorter than the default 2 s because the energy
# check (not the VAD) is what protects against dropped speech.
LENIENT_VAD = {"threshold": 0.35, "min_speech_duration_ms": 0,
               "min_silence_duration_ms": 1000, "speech_pad_ms": 500}
MIN_VOICED_S = 1.0
SEGMENT_MIN_VOICED_S = 0.15
LONE_WORD_MAX_VOICED_S = 1.5
HALLUCINATIONS = {"you", "thank you", "thanks", "thank you for watching",
                  "thanks for watching", "bye", "so", "okay", "oh", "um", "uh",
                  "subtitles by the amaraorg community", "the end"}
POLICIES = ("auto", "vad", "none")
# What Whisper hears (regions.py): faster-whisper's default VAD regions when
# they hold the voiced audio, else the whole window. Off: on the damage corpus
# it moved WER by less than the window-alignment noise (30.1 -> 29.8 % over
# 48 calls), and on a clean sentence the shifted start turned "call me back"
# into "call me mac" (TranscriptionWorkerIntegrationTests).
REGIONS_VAD: dict = {}
USE_REGIONS = False
# Under this SNR estimate (noise.estimate: loud frames over the floor) a
# window hears the raw audio's default-VAD regions. Measured on 12-24 calls per
# level: the regions win at pink 5-7 dB (estimate 10.7-13.0 dB) and lose at
# 8-10 dB (13.4-15.8 dB); at 12 dB (17.5) they won again on the 6 calls of 12
# the VAD cut, so this is where pink 7 and 8 dB part, not a law.
DROWNED_BELOW_SNR_DB = 13.2


@dataclass
class Decision:
    """What the policy did for one window and channel (goes into settings)."""
    window_start: float
    channel: int
    voiced_s: float
    kept_share: Optional[float] = None
    vad: bool = False
    emptied: Optional[str] = None   # why text was discarded, if it was
    noise: Optional[dict] = None    # noise.Estimate: SNR, floor, whether it was cleaned
    loop_words_removed: int = 0     # words of repetition loops cut from the text
    fallback_decodes: int = 0       # decodes the fallback cascade added (decoding.py)
    heard: Optional[str] = None     # "vad_regions" or "whole_window" (regions.py)
    missed_s: Optional[float] = None  # voiced seconds outside the VAD regions

    def as_dict(self) -> dict:
        d = {"window_start": round(self.window_start, 3), "channel": self.channel,
             "voiced_s": round(self.voiced_s, 2), "vad": self.vad}
        if self.kept_share is not None:
            d["kept_share"] = round(self.kept_share, 3)
        if self.emptied:
            d["emptied"] = self.emptied
        if self.noise is not None:
            d["noise"] = self.noise
        if self.loop_words_removed:
            d["loop_words_removed"] = self.loop_words_removed
        if self.fallback_decodes:
            d["fallback_decodes"] = self.fallback_decodes
        if self.heard:
            d["heard"] = self.heard
        if self.missed_s is not None:
            d["voiced_outside_regions_s"] = round(self.missed_s, 2)
        return d


@dataclass
class ChannelResult:
    segments: List[dict] = field(default_factory=list)  # start, end, text (window-relative)
    decision: Optional[Decision] = None


def transcribe_options(beam_size: int, language: Optional[str], vad: bool) -> dict:
    """The exact keyword arguments passed to WhisperModel.transcribe; the
    benchmark calls faster-whisper directly with the same ones."""
    opts = {"beam_size": beam_size, "language": language, "vad_filter": vad}
    if vad:
        opts["vad_parameters"] = dict(LENIENT_VAD)
    return opts


def _overlaps(start_s: float, end_s: float, spans: List[dict]) -> bool:
    a, b = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
    return any(sp["start"] < b and sp["end"] > a for sp in spans)


def _first_voiced(mask: np.ndarray, start_s: float, end_s: float) -> float:
    """Whisper without VAD often starts a segment at 0.0 across leading
    silence; a dual-channel merge by time needs the real start, so the start
    moves to the first voiced frame inside the segment (less 0.1 s)."""
    part = energy.slice_mask(mask, start_s, end_s)
    idx = np.flatnonzero(part)
    if len(idx) == 0:
        return float(start_s)
    return max(float(start_s), round(start_s + idx[0] * energy.FRAME_S - 0.1, 3))


def choose_regions(audio: np.ndarray, gate: np.ndarray, mask: np.ndarray,
                   estimate: "noise.Estimate", decision: Decision) -> List[dict]:
    """The regions Whisper hears instead of the whole window ([] = all of it)."""
    if estimate.needs_cleaning:
        return _drowned_regions(audio, estimate, decision)
    if not USE_REGIONS:
        return []
    found = get_speech_timestamps(gate, VadOptions(**REGIONS_VAD), sampling_rate=SAMPLE_RATE)
    decision.missed_s = regions_mod.missed_seconds(mask, found, SAMPLE_RATE) if found else None
    regions = found if regions_mod.use_regions(mask, found, SAMPLE_RATE) else []
    decision.heard = "vad_regions" if regions else "whole_window"
    return regions


def _drowned_regions(audio: np.ndarray, estimate: "noise.Estimate", decision: Decision) -> List[dict]:
    """A noisy window: the raw audio's default-VAD regions when the window is
    drowned (under DROWNED_BELOW_SNR_DB) and they leave out at least
    regions.MIN_CUT_S; less is the whole window shifted at its edges. The
    coverage rule of use_regions does not apply: here the VAD leaving speech
    out is the point."""
    decision.heard = "whole_window"
    if estimate.snr_db >= DROWNED_BELOW_SNR_DB:
        return []
    found = get_speech_timestamps(audio, VadOptions(**REGIONS_VAD), sampling_rate=SAMPLE_RATE)
    if not regions_mod.cuts_enough(found, len(audio), SAMPLE_RATE):
        return []
    decision.heard = "vad_regions"
    return found


def _decode(model, audio: np.ndarray, regions: List[dict], options: dict):
    """Whisper's segments for the whole window, or for the regions joined
    (times given back in the window's own clock)."""
    if not regions:
        return model.transcribe(audio, **options)[0]
    segments, _info = model.transcribe(regions_mod.join(audio, regions), **options)
    return regions_mod.restore(segments, regions, SAMPLE_RATE)


def transcribe_channel(model, audio: np.ndarray, *, policy: str, beam_size: int,
                       language: Optional[str], window_start: float, channel: int,
                       on_segment: Callable[[dict], None]) -> ChannelResult:
    estimate = noise.estimate(audio)
    heard = gate = audio
    if policy == "auto" and estimate.needs_cleaning:
        # Over steady noise the raw frames never rise 15 dB over the floor
        # (10 dB SNR), so the energy gate and the VAD look at a cleaned copy.
        # Whisper still hears the raw audio: cleaned, its WER on the damage
        # corpus did not go down (Benchmarks/stt/DAMAGE-RESULTS.md).
        gate = noise.clean(audio)
    muted_s = 0.0
    if policy == "auto":
        busy = noise.busy_pauses(gate)
        if busy.any():
            # Other voices in the caller's pauses: Whisper would write them down.
            heard, gate = noise.mute(heard, busy), noise.mute(gate, busy)
            muted_s = float(busy.sum()) * energy.FRAME_S
    db = energy.frame_db(gate)
    mask = energy.voiced_mask(db)
    decision = Decision(window_start, channel, energy.voiced_seconds(mask))
    if policy == "auto":
        decision.noise = estimate.as_dict()
        if muted_s:
            decision.noise["busy_pauses_muted_s"] = round(muted_s, 2)
    result = ChannelResult(decision=decision)

    spans: List[dict] = []
    if policy == "auto":
        spans = get_speech_timestamps(gate, VadOptions(**LENIENT_VAD), sampling_rate=SAMPLE_RATE)
        decision.kept_share = energy.kept_share(mask, db, spans)
        if not spans and decision.voiced_s < MIN_VOICED_S:
            decision.emptied = "no speech (VAD and energy agree)"
            return result
    decision.vad = policy == "vad"

    fallbacks_before = getattr(model, "fallback_decodes", 0)
    regions = choose_regions(heard, gate, mask, estimate, decision) if policy == "auto" else []
    segments = _decode(model, heard, regions, transcribe_options(beam_size, language, decision.vad))
    dropped = looped = 0
    last_words = None
    for seg in segments:
        text = seg.text.strip()
        if is_punctuation_only(text):
            continue
        if policy == "auto" and not _overlaps(seg.start, seg.end, spans) \
                and energy.voiced_seconds(energy.slice_mask(mask, seg.start, seg.end)) < SEGMENT_MIN_VOICED_S:
            dropped += 1  # text over silence: a hallucination
            continue
        if policy == "auto":
            # The decoder's cascade re-decodes loops; what survives it is cut here.
            text, removed = repetition.collapse(text)
            words = normalize(text)
            if len(words) >= 2 and words == last_words:
                removed += len(words)
                text = ""
            looped += removed
            last_words = words
            if not text:
                continue
        item = {"start": _first_voiced(mask, seg.start, seg.end), "end": float(seg.end), "text": text}
        result.segments.append(item)
        on_segment(item)
    decision.fallback_decodes = getattr(model, "fallback_decodes", 0) - fallbacks_before
    if dropped:
        decision.emptied = f"{dropped} segment(s) over silence dropped"
    if looped:
        decision.loop_words_removed = looped

    words = " ".join(normalize(" ".join(s["text"] for s in result.segments)))
    if policy == "auto" and words in HALLUCINATIONS and decision.voiced_s < LONE_WORD_MAX_VOICED_S:
        decision.emptied = f"lone hallucination {words!r} on {decision.voiced_s:.2f} s voiced"
        result.segments = []
    return result
