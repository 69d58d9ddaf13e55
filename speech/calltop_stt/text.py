"""Text normalisation and word error rate, for tests and benchmarks.

Whisper writes numbers as digits ("4729", "$45.50") while references are in
words, so both sides are normalised: lower case, punctuation removed, digits
spelled out digit by digit... except that a reference written in words would
not match "four thousand seven hundred", so references should speak numbers
digit by digit ("four seven two nine") and amounts are avoided.
"""
from __future__ import annotations

import re
import string
from typing import List

_DIGITS = "zero one two three four five six seven eight nine".split()
PUNCT_ONLY = re.compile(r"^[\s" + re.escape(string.punctuation) + r"…。，、！？：“”‘’-]*$")


def is_punctuation_only(text: str) -> bool:
    return bool(PUNCT_ONLY.match(text))


def normalize(text: str) -> List[str]:
    text = text.lower().replace("%", " percent ").replace("&", " and ")
    text = re.sub(r"(\d)", lambda m: " " + _DIGITS[int(m.group(1))] + " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    return text.split()


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)
