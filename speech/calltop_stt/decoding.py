"""A deterministic fallback for Whisper's decoder: same audio, same text.

faster-whisper retries a 30 s window whose decode looks wrong (compression
ratio over 2.4: a repetition loop; mean log-probability under -1) by
sampling at rising temperatures. CTranslate2's sampler draws from one
thread-local generator per worker thread, seeded once (set_random_seed only
counts before the thread's first draw), so a file's text depends on every
job the process ran before it: 7 of 220 files changed across three runs
(STT-NOTES.md). A seed cannot make that repeatable in a long-lived worker.

So nothing is sampled. The fallback is a fixed cascade of beam searches,
each a pure function of the audio and the settings; the first decode that
passes faster-whisper's own checks and is not a loop (repetition.py: the
compression-ratio check misses loops in short text) is kept (else, as faster-whisper does, the
best-scoring one that is not a loop). With COPY_CHECK on, a first decode that writes the previous
window's text again (repetition.copies_prompt) counts as a loop (off: it did
not lower WER). Every fallback step drops the previous
text from the prompt (a loop usually comes from conditioning on a wrong
previous window) and penalises repetition, and it returns a pseudo-
temperature of 1.0 so faster-whisper resets the prompt after it
(condition_on_previous_text off after a fallback).
"""
from __future__ import annotations

from typing import List

from faster_whisper import WhisperModel

from . import repetition

# Name, whether the previous text stays in the prompt, generate() overrides.
CASCADE = (
    ("beam", True, {}),
    ("beam_fresh_norepeat", False, {"repetition_penalty": 1.1, "no_repeat_ngram_size": 4}),
    ("greedy_fresh_norepeat", False, {"beam_size": 1, "repetition_penalty": 1.2,
                                      "no_repeat_ngram_size": 3}),
)
PROMPT_RESET_TEMPERATURE = 1.0
# A first decode that copies the previous text counted as a loop
# (repetition.copies_prompt). Off: measured on 48 one-minute damaged calls it
# re-decoded one window of whole-window audio, and that call's WER went from
# 57.7 % to 65.0 % (pink 5 dB); it only helped when Whisper heard VAD regions
# of noisy windows, which it no longer does (DAMAGE-RESULTS.md, 2026-12-07).
COPY_CHECK = False


def describe() -> dict:
    """For the transcript's provenance."""
    return {"sampling": "none (deterministic: no random seed is involved)",
            "fallback": [{"name": n, "previous_text": p, **kw} for n, p, kw in CASCADE]}


def _previous(prompt: List[int], sot: int) -> List[int]:
    """The previous window's text tokens in the prompt (after <|startofprev|>)."""
    return prompt[1: prompt.index(sot)] if sot in prompt else []


def _fresh(prompt: List[int], sot: int) -> List[int]:
    """The prompt without the previous window's text (what precedes <|startoftranscript|>)."""
    return prompt[prompt.index(sot):] if sot in prompt else prompt


class DeterministicWhisperModel(WhisperModel):
    fallback_decodes = 0   # decodes past the first, since load (shown in the decisions)

    def generate_with_fallback(self, encoder_output, prompt, tokenizer, options):
        from faster_whisper.transcribe import get_compression_ratio
        max_initial_timestamp_index = int(round(options.max_initial_timestamp / self.time_precision))
        max_length = self.max_length if options.max_new_tokens is None \
            else len(prompt) + options.max_new_tokens
        all_results, not_loops = [], []
        previous_text = None
        for step, (name, keep_prompt, overrides) in enumerate(CASCADE):
            kwargs = {"beam_size": options.beam_size, "patience": options.patience,
                      "repetition_penalty": options.repetition_penalty,
                      "no_repeat_ngram_size": options.no_repeat_ngram_size}
            kwargs.update(overrides)
            this_prompt = prompt if keep_prompt else _fresh(prompt, tokenizer.sot)
            result = self.model.generate(
                encoder_output, [this_prompt], length_penalty=options.length_penalty,
                max_length=max_length, return_scores=True, return_no_speech_prob=True,
                suppress_blank=options.suppress_blank, suppress_tokens=options.suppress_tokens,
                max_initial_timestamp_index=max_initial_timestamp_index, **kwargs)[0]
            tokens = result.sequences_ids[0]
            cum_logprob = result.scores[0] * (len(tokens) ** options.length_penalty)
            avg_logprob = cum_logprob / (len(tokens) + 1)
            text = tokenizer.decode(tokens).strip()
            compression_ratio = get_compression_ratio(text)
            temperature = 0.0 if step == 0 else PROMPT_RESET_TEMPERATURE
            self.fallback_decodes += step > 0
            decoded = (result, avg_logprob, temperature, compression_ratio)
            all_results.append(decoded)

            loop = repetition.is_loop(text) or (options.compression_ratio_threshold is not None
                                                and compression_ratio > options.compression_ratio_threshold)
            if keep_prompt and COPY_CHECK and not loop and previous_text is None:
                previous_text = tokenizer.decode(_previous(prompt, tokenizer.sot))
            if keep_prompt and COPY_CHECK and not loop and repetition.copies_prompt(text, previous_text):
                loop = True   # the previous window's text again: decode without it
            unsure = options.log_prob_threshold is not None and avg_logprob < options.log_prob_threshold
            if not loop:
                not_loops.append(decoded)
            silence = options.no_speech_threshold is not None \
                and result.no_speech_prob > options.no_speech_threshold and unsure
            if silence or not (loop or unsure):
                return decoded
        best = max(not_loops or all_results, key=lambda d: d[1])
        return (best[0], best[1], PROMPT_RESET_TEMPERATURE, best[3])
