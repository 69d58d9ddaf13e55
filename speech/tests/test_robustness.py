"""Bad phone lines (issue #16): repeatable text, no repetition loops, noise.

The damaged files come from Benchmarks/stt/damage.py (seeded: the same
bytes every run), built from the voices the other tests use.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import corpus
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
                                                                "quiet_hum", "babble"))
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
        # The energy gate saw little voice in the raw noisy file (#16: under 1 s in most).
        assert raw < 1.5 and cleaned > max(1.0, 2 * raw), (name, raw, cleaned)


def test_cleaning_keeps_length_and_lowers_the_noise_floor(damaged):
    x = _samples(damaged["pink10/01"].path)
    y = noise.clean(x)
    assert y.shape == x.shape and y.dtype == np.float32
    assert noise.estimate(y).floor_dbfs < noise.estimate(x).floor_dbfs - 10


def test_other_voices_in_the_pauses_are_muted_and_nothing_else_is(damaged):
    for name in ("babble/00", "babble/01"):
        x = _samples(damaged[name].path)
        busy = noise.busy_pauses(x)
        assert busy.sum() * 0.02 > 0.5, name
        muted = noise.mute(x, busy)
        frame = 320
        inside = np.flatnonzero(busy[:-2] & busy[1:-1] & busy[2:])[0] + 1   # a frame mid-pause
        seg = slice(inside * frame, (inside + 1) * frame)
        assert np.abs(muted[seg]).max() < 0.1 * np.abs(x[seg]).max() + 1e-6
    for name in ("clean/00", "clean/01", "g711/00", "clip/00", "pink10/00", "pink5/00", "quiet_hum/00"):
        assert not noise.busy_pauses(_samples(damaged[name].path)).any(), name


# --- end to end through the worker -------------------------------------------

def test_noise_only_and_quiet_hum_only_are_empty(worker, audio_dir):
    rng = np.random.default_rng(7)
    for name, x in (("pink_only", 0.05 * damage.pink(6 * damage.RATE, rng) / 0.02),
                    ("hum_only", damage.hum(6 * damage.RATE, rng, -42.0))):
        path = damage.write_wav(os.path.join(audio_dir, name + ".wav"), x)
        result, _ = worker.request(path)
        assert result["type"] == "result" and result["text"] == "", (name, result)


@pytest.fixture(scope="module")
def drowned(damaged, tmp_path_factory):
    """Two utterances under pink noise at -3 dB SNR: Whisper's first decode
    fails its checks here (it loops: "10.8-1-1-1-1-1-..."), so the fallback
    runs."""
    x = damage.read_wav(damaged["clean/00"].path)
    y = damage.at_snr(x, damage.pink(len(x), np.random.default_rng(5)), -3.0)
    return damage.write_wav(str(tmp_path_factory.mktemp("drowned") / "pink-3.wav"), y)


def test_fallback_file_gives_the_same_text_three_times(worker, damaged, drowned):
    """Two runs in the session's worker (with another job between them) and
    one in a fresh worker process give the same bytes. Heard whole (policy
    "none"): "auto" hears only the VAD's regions of this drowned file, which
    Whisper reads without a fallback."""
    from conftest import Worker
    first, _ = worker.request(drowned, vad="none")
    assert first["type"] == "result", first
    [decision] = first["settings"]["decisions"]
    assert decision.get("fallback_decodes", 0) > 0, decision
    assert first["settings"]["decoding"]["sampling"].startswith("none")
    worker.request(damaged["pink10/00"].path)       # another job in between
    second, _ = worker.request(drowned, vad="none")
    fresh = Worker("--preload", "base")
    try:
        third, _ = fresh.request(drowned, vad="none")
    finally:
        assert fresh.close() == 0
    assert first["text"] == second["text"] == third["text"]
    assert first["segments"] == second["segments"] == third["segments"]


def test_file_that_loops_today_gives_no_loop(worker, drowned):
    from faster_whisper import WhisperModel
    from calltop_stt import audio, engine
    samples = audio.decode_whole(drowned, stereo=False)[0]
    # Plain faster-whisper's first decode (no fallback) loops on this file.
    plain = WhisperModel(engine.Models(engine.default_models_dir(), 2).path("base"), device="cpu",
                         compute_type="int8", cpu_threads=engine.cpu_count(), local_files_only=True)
    segs, _ = plain.transcribe(samples, beam_size=5, language="en", temperature=0.0)
    looped = " ".join(s.text for s in segs)
    result, _ = worker.request(drowned)
    assert result["type"] == "result", result
    # At -3 dB SNR what is left may be nothing, but never a loop, whatever plain
    # faster-whisper made of the file on this run.
    assert not repetition.is_loop(result["text"]), result["text"]
    first_sentence = looped.strip().split(".")[0]
    assert not first_sentence or result["text"].count(first_sentence) <= 1, result["text"]
    # Plain decoding loops on this file on most runs, not all (one clean-clone run on a
    # busy machine repeated the phrase with small changes, short of a loop; the cause
    # was not pinned down). When it loops, calltop's decoder, hearing the whole file as
    # plain faster-whisper did, must have re-decoded it.
    if repetition.is_loop(looped):
        whole, _ = worker.request(drowned, vad="none")
        [decision] = whole["settings"]["decisions"]
        assert decision.get("fallback_decodes", 0) > 0, decision


# --- the fallback cascade and the policy, with stand-ins for the model --------

class _Result:
    def __init__(self, tokens, score, no_speech=0.0):
        self.sequences_ids, self.scores, self.no_speech_prob = [tokens], [score], no_speech


class _Generator:
    """Stands in for ctranslate2's Whisper: answers each decode from a script
    and records how it was asked."""

    def __init__(self, script):
        self.script, self.calls = list(script), []

    def generate(self, features, prompts, **kwargs):
        self.calls.append({"prompt": prompts[0], **kwargs})
        return [self.script.pop(0)]


class _Tokenizer:
    sot = 50258
    words = {1: "to pay the total amount", 2: "hello there", 3: "hello"}

    def decode(self, tokens):
        return " ".join(self.words[t] for t in tokens)


def _options(**kw):
    from faster_whisper.transcribe import TranscriptionOptions
    import dataclasses
    base = {f.name: None for f in dataclasses.fields(TranscriptionOptions)}
    base.update(beam_size=5, patience=1.0, length_penalty=1.0, repetition_penalty=1.0,
                no_repeat_ngram_size=0, compression_ratio_threshold=2.4, log_prob_threshold=-1.0,
                no_speech_threshold=0.6, max_initial_timestamp=1.0, suppress_blank=True,
                suppress_tokens=[-1], max_new_tokens=None, temperatures=[0.0])
    base.update(kw)
    return TranscriptionOptions(**base)


def _model(script):
    from calltop_stt.decoding import DeterministicWhisperModel
    m = DeterministicWhisperModel.__new__(DeterministicWhisperModel)
    m.model, m.time_precision, m.max_length = _Generator(script), 0.02, 448
    return m


def test_a_loop_is_re_decoded_without_the_previous_text_and_nothing_is_sampled():
    previous = [50361, 11, 12]   # <|startofprev|> + the last window's text
    prompt = previous + [_Tokenizer.sot, 50259, 50359]
    m = _model([_Result([1, 1, 1, 1], -0.1), _Result([2], -0.2)])
    result, logprob, temperature, _ = m.generate_with_fallback(None, prompt, _Tokenizer(), _options())
    assert result.sequences_ids == [[2]]
    first, second = m.model.calls
    assert first["prompt"] == prompt and first["beam_size"] == 5
    assert second["prompt"] == prompt[3:]                  # fresh: no previous text
    assert second["repetition_penalty"] > 1 and second["no_repeat_ngram_size"] > 0
    assert temperature > 0.5                               # faster-whisper resets the prompt after it
    for call in m.model.calls:                             # beam search only, never the sampler
        assert "sampling_temperature" not in call and "sampling_topk" not in call
    assert m.fallback_decodes == 1


def test_a_good_first_decode_is_kept_as_is():
    m = _model([_Result([2], -0.2)])
    result, _, temperature, _ = m.generate_with_fallback(None, [_Tokenizer.sot], _Tokenizer(), _options())
    assert result.sequences_ids == [[2]] and temperature == 0.0 and len(m.model.calls) == 1


def test_when_every_decode_loops_the_best_scoring_one_is_kept():
    m = _model([_Result([1, 1, 1, 1], -0.5), _Result([1, 1, 1], -0.3), _Result([1, 1, 1], -0.4)])
    result, logprob, _, _ = m.generate_with_fallback(None, [_Tokenizer.sot], _Tokenizer(), _options())
    assert len(m.model.calls) == 3 and result.scores == [-0.3]
    assert logprob == max(-0.3 * 3 / 4, -0.5 * 4 / 5, -0.4 * 3 / 4)


class _Segment:
    def __init__(self, start, end, text):
        self.start, self.end, self.text = start, end, text


class _LoopingModel:
    def transcribe(self, audio, **kw):
        return iter([_Segment(0.5, 2.0, " Can you send the invoice so I can pay the total amount"),
                     _Segment(2.0, 3.5, " to pay the total amount to pay the total amount to pay the total amount"),
                     _Segment(3.5, 4.5, " to pay the total amount to pay the total amount to pay the total amount")]), None


def test_policy_cuts_what_loops_through_the_decoder(audio_dir):
    from calltop_stt import audio, policy
    path = corpus.speak("Can you send the invoice to my email address so I can pay the total amount?",
                        os.path.join(audio_dir, "invoice.wav"), "us", mp3=False)
    samples = audio.decode_whole(path, stereo=False)[0]
    res = policy.transcribe_channel(_LoopingModel(), samples, policy="auto", beam_size=5, language="en",
                                    window_start=0.0, channel=0, on_segment=lambda s: None)
    text = " ".join(s["text"] for s in res.segments)
    assert text.count("total amount") <= 2 and not repetition.is_loop(text), text
    assert res.decision.as_dict()["loop_words_removed"] == 25


# --- a window that writes the previous window's text again --------------------

def test_prompt_copy_is_found_and_new_text_is_not():
    previous = "I will write the handle for the description at the end of the challenge period."
    assert repetition.copies_prompt("I will write the handle at the end of the challenge period "
                                    "at the end of the challenge period.", previous)
    assert not repetition.copies_prompt("Please hold while I look up your account.", previous)
    # One phrase said again inside new text is speech, not a copy.
    assert not repetition.copies_prompt(
        "Yes, at the end of the challenge period I would like to cancel my subscription "
        "and get a refund for the extra payment.", previous)
    assert not repetition.copies_prompt("at the end", previous)   # too short to tell


def test_a_decode_copying_the_previous_text_is_re_decoded_without_it(monkeypatch):
    from calltop_stt import decoding
    monkeypatch.setattr(decoding, "COPY_CHECK", True)   # off by default: it did not lower WER
    prompt = [50361, 2, 1] + [_Tokenizer.sot, 50259, 50359]   # previous: "hello there to pay the total amount"
    m = _model([_Result([1], -0.1), _Result([3], -0.2)])        # first: "to pay the total amount" again
    result, _, temperature, _ = m.generate_with_fallback(None, prompt, _Tokenizer(), _options())
    assert result.sequences_ids == [[3]]
    first, second = m.model.calls
    assert first["prompt"] == prompt and second["prompt"] == prompt[3:]
    assert temperature > 0.5 and m.fallback_decodes == 1


def test_copy_check_is_off_by_default():
    from calltop_stt import decoding
    assert decoding.COPY_CHECK is False
    m = _model([_Result([1], -0.1)])
    result, _, temperature, _ = m.generate_with_fallback(
        None, [50361, 2, 1, _Tokenizer.sot], _Tokenizer(), _options())
    assert result.sequences_ids == [[1]] and temperature == 0.0 and len(m.model.calls) == 1
