"""Bad phone lines (issue #16): repeatable text, no repetition loops, noise.

The damaged files come from Benchmarks/stt/damage.py (seeded: the same
bytes every run), built from the voices the other tests use.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import damage
from calltop_stt import noise, repetition
from calltop_stt.text import wer

LOOP = ("Can you send the invoice to my email address so I can pay the total amount "
        "to pay the total amount to pay the total amount to pay the total amount to pay the total")


# --- the loop guard, as a pure function -------------------------------------

def test_loop_is_found_and_cut_to_one_copy():
    assert repetition.is_loop(LOOP)
    text, removed = repetition.collapse(LOOP)
    assert text.count("total amount") == 1 and removed > 10, text
    assert text.startswith("Can you send the invoice to my email address so I can pay the total amount")


@pytest.mark.parametrize("speech", [
    "no no no, that is not what I ordered",              # a short stammer is speech
    "my number is four four four seven",                  # digits repeat
    "Hello, thank you for calling the support line, how can I help you today?",
    "that that is is fine",
])
def test_ordinary_speech_is_not_a_loop(speech):
    assert not repetition.is_loop(speech)
    assert repetition.collapse(speech) == (speech, 0)


def test_one_word_loop_needs_five_copies():
    assert not repetition.is_loop("yes yes yes yes")
    assert repetition.collapse("okay, okay, okay, okay, okay, okay.") == ("okay,", 5)


# --- the SNR decision --------------------------------------------------------

@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("damage"))
    # Calls of two utterances (~12 s: one Whisper window each), two per condition.
    items = damage.build(out, calls=2, per_call=2, conditions=("clean", "g711", "clip", "pink10", "pink5",
                                                                "quiet_hum"))
    return {it.name: it for it in items}


def _samples(path):
    from calltop_stt import audio
    return audio.decode_whole(path, stereo=False)[0]


def test_clean_and_nonadditive_damage_are_left_alone(damaged):
    for name in ("clean/00", "clean/01", "g711/00", "clip/01"):
        est = noise.estimate(_samples(damaged[name].path))
        assert not est.needs_cleaning and est.snr_db > 40, (name, est)


def test_noisy_lines_are_cleaned_and_cleaning_restores_the_voiced_frames(damaged):
    from calltop_stt import energy
    for name in ("pink10/00", "pink5/01", "quiet_hum/00"):
        x = _samples(damaged[name].path)
        est = noise.estimate(x)
        assert est.needs_cleaning and est.snr_db < noise.NEEDS_CLEANING_DB, (name, est)
        raw = energy.voiced_seconds(energy.voiced_mask(energy.frame_db(x)))
        cleaned = energy.voiced_seconds(energy.voiced_mask(energy.frame_db(noise.clean(x))))
        # The energy gate saw under 1 s of voice in the raw noisy file (#16).
        assert raw < 1.0 and cleaned > 1.0, (name, raw, cleaned)


def test_cleaning_keeps_length_and_lowers_the_noise_floor(damaged):
    x = _samples(damaged["pink10/01"].path)
    y = noise.clean(x)
    assert y.shape == x.shape and y.dtype == np.float32
    assert noise.estimate(y).floor_dbfs < noise.estimate(x).floor_dbfs - 10


# --- end to end through the worker -------------------------------------------

def test_noise_only_and_quiet_hum_only_are_empty(worker, audio_dir):
    rng = np.random.default_rng(7)
    for name, x in (("pink_only", 0.05 * damage.pink(6 * damage.RATE, rng) / 0.02),
                    ("hum_only", damage.hum(6 * damage.RATE, rng, -42.0))):
        path = damage.write_wav(os.path.join(audio_dir, name + ".wav"), x)
        result, _ = worker.request(path)
        assert result["type"] == "result" and result["text"] == "", (name, result)


def test_fallback_file_gives_the_same_text_three_times(worker, damaged):
    """pink5/00 makes Whisper fall back (its first decode fails the checks).
    Two runs in the session's worker (with other jobs between them) and one
    in a fresh worker process give the same bytes."""
    from conftest import Worker
    path = damaged["pink5/00"].path
    first, _ = worker.request(path)
    assert first["type"] == "result", first
    [decision] = first["settings"]["decisions"]
    assert decision.get("fallback_decodes", 0) > 0, decision
    assert first["settings"]["decoding"]["sampling"].startswith("none")
    worker.request(damaged["pink10/00"].path)       # another job in between
    second, _ = worker.request(path)
    fresh = Worker("--preload", "base")
    try:
        third, _ = fresh.request(path)
    finally:
        assert fresh.close() == 0
    assert first["text"] == second["text"] == third["text"]
    assert first["segments"] == second["segments"] == third["segments"]


def test_file_that_looped_gives_no_loop(worker, damaged):
    item = damaged["quiet_hum/01"]
    result, _ = worker.request(item.path)
    assert result["type"] == "result", result
    assert not repetition.is_loop(result["text"]), result["text"]
    assert wer(item.reference, result["text"]) < 0.5, result["text"]
