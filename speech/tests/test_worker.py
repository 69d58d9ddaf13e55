"""speech/worker.py end to end: real model, synthesised telephone audio.

WER threshold: on espeak-ng speech (robotic, 8 kHz, 32 kbps MP3) Whisper
base measured 15–43 % per voice with this worker's policy and 16 % on the
en-us voice used here (Benchmarks/stt/vad_policy_eval.py; STT-NOTES.md
reports 20–33 % for robotic voices). 0.35 is above those figures with a
margin for the run-to-run spread of temperature fallback, and far below
what a dropped sentence or a wrong model gives (> 0.5).
"""
from __future__ import annotations

import os

import corpus
from calltop_stt.text import wer

WER_MAX = 0.35
SENTENCES = corpus.SENTENCES[:3]


def test_ready_line_shape(worker):
    r = worker.ready
    assert r["type"] == "ready" and r["protocol"] == 1
    assert r["models"] == {"base": True, "tiny.en": True}
    assert r["loaded"] == ["base"]


def test_transcribes_telephone_mp3_below_wer_threshold(worker, audio_dir):
    total = 0.0
    for i, sentence in enumerate(SENTENCES):
        path = corpus.speak(sentence, os.path.join(audio_dir, f"s{i}.mp3"), "us")
        result, before = worker.request(path, model="base", language="en", channels=1)
        assert result["type"] == "result", result
        total += wer(sentence, result["text"])
        # protocol shape
        assert before[0]["type"] == "started" and before[0]["audio_seconds"] > 1
        assert all(0 <= m["fraction"] <= 1 for m in before if m["type"] == "progress")
        assert set(result) >= {"id", "type", "text", "segments", "language", "model", "model_sha256",
                               "settings", "audio_seconds", "processing_seconds"}
        assert result["model"] == "base"
        assert result["model_sha256"] == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
        assert result["settings"]["compute_type"] == "int8"
        for seg in result["segments"]:
            assert set(seg) == {"start", "end", "text", "channel"} and seg["channel"] == 0
            assert 0 <= seg["start"] <= seg["end"] <= result["audio_seconds"] + 1
    assert total / len(SENTENCES) < WER_MAX


def test_silence_and_line_noise_are_empty(worker, audio_dir):
    for make in (corpus.silence, corpus.line_noise):
        path = make(os.path.join(audio_dir, make.__name__ + ".wav"))
        result, _ = worker.request(path)
        assert result["type"] == "result"
        assert result["text"] == "" and result["segments"] == [], result


def test_stereo_gives_per_channel_text(worker, audio_dir):
    left = corpus.speak("Good morning, this is the billing department.",
                        os.path.join(audio_dir, "left.wav"), "us", mp3=False)
    right = corpus.speak("Hi, I have a question about my last invoice.",
                         os.path.join(audio_dir, "right.wav"), "f2", mp3=False)
    path = corpus.stereo(left, right, os.path.join(audio_dir, "call.wav"), gap_s=0.3)
    result, _ = worker.request(path, channels=2)
    assert result["type"] == "result", result
    by_channel = {1: "", 2: ""}
    for seg in result["segments"]:
        by_channel[seg["channel"]] += " " + seg["text"]
    one, two = by_channel[1].lower(), by_channel[2].lower()
    # Not "department": Whisper base at temperature 0 hears channel 1 as "Good
    # morning, Nippin! I'm healing the power…" on this voice; it used to pass
    # only when the random temperature fallback happened to sample it right,
    # and decoding is deterministic now (issue #16, calltop_stt/decoding.py).
    assert "morning" in one and "question" not in one, result
    assert "question" in two and "last" in two and "morning" not in two, result
    # The conversation reads in time order with labels.
    lines = result["text"].splitlines()
    assert lines[0].startswith("Channel 1:") and lines[-1].startswith("Channel 2:")
    # Channel 2 speaks after channel 1 (the leading silence is not its start).
    first = {c: min(s["start"] for s in result["segments"] if s["channel"] == c) for c in (1, 2)}
    assert first[2] > first[1] + 1.0, first
    assert result["settings"]["channels"] == 2


def test_mono_file_asked_as_stereo_is_transcribed_once(worker, audio_dir):
    path = corpus.speak("Thank you for your patience.", os.path.join(audio_dir, "mono.mp3"), "us")
    result, _ = worker.request(path, channels=2)
    assert result["settings"]["channels"] == 1
    assert {s["channel"] for s in result["segments"]} == {0}


def test_typed_errors(worker, audio_dir):
    result, _ = worker.request("/nonexistent/call.mp3")
    assert result["type"] == "error" and result["code"] == "audio_unreadable"
    junk = os.path.join(audio_dir, "junk.mp3")
    with open(junk, "wb") as f:
        f.write(b"<html>404 not found</html>" * 10)
    result, _ = worker.request(junk)
    assert result["code"] == "audio_unreadable", result
    result, _ = worker.request(junk, model="large-v9")
    assert result["code"] == "bad_request"
    worker.send_raw("{not json")
    assert worker.read()["code"] == "bad_request"
    # Still alive and serving after errors.
    worker.send_raw('{"id": "p", "type": "ping"}')
    assert worker.read()["type"] == "pong"


def test_model_missing_is_typed(tmp_path, audio_dir):
    from conftest import Worker
    w = Worker("--models-dir", str(tmp_path))
    try:
        assert w.ready["models"] == {"base": False, "tiny.en": False}
        path = corpus.silence(os.path.join(audio_dir, "s.wav"), 1)
        result, _ = w.request(path)
        assert result["code"] == "model_missing" and "make setup" in result["message"]
    finally:
        assert w.close() == 0
