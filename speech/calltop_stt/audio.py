"""Audio decoding in a stream, cut into windows.

Decoding the whole file and computing its spectrogram at once costs ~1 GB
for a 10-minute call (STT-NOTES.md). Here samples are decoded with exactly
the pipeline of faster_whisper.decode_audio (same resampler, same frame
grouping, same s16 -> float32 conversion), so a file that fits in one window
gives the very samples a direct faster-whisper call would see, but only one
window (plus the tail carried to the next) is ever held in memory.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Iterator, List, Optional

import av
import numpy as np
from faster_whisper.audio import _group_frames, _ignore_invalid_frames, _resample_frames

SAMPLE_RATE = 16000


class AudioUnreadable(Exception):
    """The file is missing, not audio, or cannot be decoded."""


@dataclass
class AudioInfo:
    channels: int          # channels in the file
    duration: float        # seconds, from the container (estimate for MP3)


@dataclass
class Window:
    start: float                 # seconds from the start of the file
    channels: List[np.ndarray]   # one float32 array per channel transcribed

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE


def probe(path: str) -> AudioInfo:
    try:
        with av.open(path, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioUnreadable(f"{path}: no audio stream")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels or 1
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = 0.0
            return AudioInfo(channels=channels, duration=max(duration, 0.0))
    except AudioUnreadable:
        raise
    except FileNotFoundError as e:
        raise AudioUnreadable(f"{path}: file not found") from e
    except (av.error.FFmpegError, OSError, ValueError) as e:
        raise AudioUnreadable(f"{path}: {e}") from e


def _decode_blocks(path: str, stereo: bool) -> Iterator[np.ndarray]:
    """float32 blocks, shape (n,) for mono or (n, 2) for stereo."""
    resampler = av.audio.resampler.AudioResampler(
        format="s16", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE)
    try:
        with av.open(path, mode="r", metadata_errors="ignore") as container:
            frames = container.decode(audio=0)
            frames = _ignore_invalid_frames(frames)
            frames = _group_frames(frames, 500000)
            frames = _resample_frames(frames, resampler)
            for frame in frames:
                a = frame.to_ndarray().reshape(-1)  # s16 packed (interleaved)
                a = a.astype(np.float32) / 32768.0
                yield a.reshape(-1, 2) if stereo else a
    except (av.error.FFmpegError, OSError) as e:
        raise AudioUnreadable(f"{path}: {e}") from e
    finally:
        del resampler
        gc.collect()  # see faster_whisper.audio: resampler objects linger


def _quietest_cut(mono: np.ndarray, lo: int, hi: int) -> int:
    """Sample index of the quietest 100 ms frame in [lo, hi): the cut point,
    so a window boundary falls in a pause rather than inside a word."""
    frame = SAMPLE_RATE // 10
    region = mono[lo:hi]
    n = len(region) // frame
    if n == 0:
        return hi
    energy = (region[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def windows(path: str, stereo: bool, window_s: float, search_s: float) -> Iterator[Window]:
    """Yields consecutive windows of at most window_s seconds covering the file.

    A window is cut at the quietest point of its last search_s seconds. The
    last window takes whatever remains.
    """
    max_len = int(window_s * SAMPLE_RATE)
    search = int(min(search_s, window_s / 2) * SAMPLE_RATE)
    pending: List[np.ndarray] = []
    pending_len = 0
    start = 0  # samples already emitted

    def split(buf: np.ndarray):
        return [buf[:, 0].copy(), buf[:, 1].copy()] if stereo else [buf]

    for block in _decode_blocks(path, stereo):
        pending.append(block)
        pending_len += len(block)
        while pending_len > max_len:
            buf = np.concatenate(pending)
            mono = buf.mean(axis=1) if stereo else buf
            cut = _quietest_cut(mono, max_len - search, max_len)
            yield Window(start=start / SAMPLE_RATE, channels=split(buf[:cut]))
            start += cut
            rest = buf[cut:]
            pending, pending_len = [rest], len(rest)
    if pending_len > 0:
        buf = np.concatenate(pending)
        yield Window(start=start / SAMPLE_RATE, channels=split(buf))
    elif start == 0:
        raise AudioUnreadable(f"{path}: no audio samples decoded")


def decode_whole(path: str, stereo: bool) -> Optional[List[np.ndarray]]:
    """The whole file at once (for tests and the benchmark's reference)."""
    blocks = list(_decode_blocks(path, stereo))
    if not blocks:
        return None
    buf = np.concatenate(blocks)
    return [buf[:, 0].copy(), buf[:, 1].copy()] if stereo else [buf]
