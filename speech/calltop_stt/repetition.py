"""Hallucinated repetition: "... to pay the total amount to pay the total amount ...".

Whisper loops when it conditions on its own output over audio it cannot
read (noise, a quiet speaker). faster-whisper catches a loop only when the
whole 30 s window's text compresses by more than 2.4x, which a short call's
text never does: five copies of a five-word phrase pass. A loop here is the
same phrase of 1 to MAX_N words (a whole sentence, too) said over and over back to back: MIN_REPEATS
times for a phrase of two words or more, MIN_REPEATS_ONE_WORD times for a
single word ("no no no" is speech; six of them in a row is not).
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

MAX_N = 24
MIN_REPEATS = 3
MIN_REPEATS_ONE_WORD = 5


def _key(word: str) -> str:
    return re.sub(r"[^a-z0-9']", "", word.lower())


def _pieces(text: str) -> List[Tuple[str, str]]:
    """Words with the separator that follows each: "1-1-1" loops as much as "1 1 1"."""
    return re.findall(r"([^\s-]+)([\s-]*)", text)


def find_loop(words: List[str]) -> Optional[Tuple[int, int, int]]:
    """(start, phrase length, repeats) of the first loop in `words`, or None."""
    keys = [_key(w) for w in words]
    for start in range(len(keys)):
        for n in range(1, MAX_N + 1):
            need = MIN_REPEATS_ONE_WORD if n == 1 else MIN_REPEATS
            if start + n * need > len(keys):
                break
            phrase = keys[start: start + n]
            if not any(phrase):
                continue
            count = 1
            while keys[start + count * n: start + (count + 1) * n] == phrase:
                count += 1
            if count >= need:
                return start, n, count
    return None


def is_loop(text: str) -> bool:
    return find_loop([w for w, _ in _pieces(text)]) is not None


def collapse(text: str) -> Tuple[str, int]:
    """Keeps one copy of each looped phrase (and drops a partial copy that
    trails it); returns (text, words removed)."""
    pieces = _pieces(text)
    words = [w for w, _ in pieces]
    removed = 0
    while True:
        hit = find_loop(words)
        if hit is None:
            if not removed:
                return text, 0
            return "".join(w + sep for w, sep in pieces).rstrip(" -"), removed
        start, n, count = hit
        end = start + n * count
        # A loop cut off by the window's end leaves a partial copy behind.
        tail = 0
        while tail < n and end + tail < len(words) and _key(words[end + tail]) == _key(words[start + tail]):
            tail += 1
        if tail < max(2, n // 2):
            tail = 0
        del words[start + n: end + tail]
        del pieces[start + n: end + tail]
        removed += n * (count - 1) + tail


# --- a window that copies the previous window's text --------------------------
# With the previous text in its prompt, Whisper over audio it cannot read
# writes that text again: window after window of "I will write the handle at
# the end of the challenge period" (pink noise at 5 dB, Benchmarks/stt/
# DAMAGE-RESULTS.md, 2026-12-07). No phrase repeats inside one window, so
# find_loop does not see it. A decode is a prompt copy when at least
# COPY_MIN_SHARE of its words lie in runs of COPY_N or more words that the
# previous text holds too; decoding.py then decodes again without the prompt.
COPY_N = 5
COPY_MIN_SHARE = 0.5


def copies_prompt(text: str, previous: str) -> bool:
    words = [k for k in (_key(w) for w, _ in _pieces(text)) if k]
    prev = [k for k in (_key(w) for w, _ in _pieces(previous)) if k]
    if len(words) < COPY_N or len(prev) < COPY_N:
        return False
    grams = {tuple(prev[i: i + COPY_N]) for i in range(len(prev) - COPY_N + 1)}
    copied = [False] * len(words)
    for i in range(len(words) - COPY_N + 1):
        if tuple(words[i: i + COPY_N]) in grams:
            copied[i: i + COPY_N] = [True] * COPY_N
    return sum(copied) >= COPY_MIN_SHARE * len(words)
