"""Offline speech-to-text for calltop: the pieces behind speech/worker.py.

audio   – streaming decode (same samples as faster_whisper.decode_audio) and
          cutting long audio into windows at quiet points
energy  – frame energies: how much voiced audio a window has, and how much
          of it the VAD kept
policy  – the VAD policy: lenient VAD, fallback to no VAD when the VAD threw
          voiced audio away, and the empty-transcript rules
engine  – model registry and loading (local directories only)
text    – normalisation and word error rate (tests and benchmarks)
"""
