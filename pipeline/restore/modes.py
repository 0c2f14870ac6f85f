"""Deciding, per line, what kind of damage a text has: none, stripped marks, or OCR noise.

Mixed archives hold all three, sometimes in one file (a typed cover note above an OCR'd
report), so `auto` judges each line, falling back on the whole text for short lines.
"""

from __future__ import annotations

from enum import Enum

from pipeline.restore.lexicon import Lexicon
from pipeline.restore.syllable import canonical, skeleton
from pipeline.restore.tokens import Token, tokenize

MIN_WORDS = 5
"""Lines with fewer word tokens take the verdict of the whole text."""


class LineMode(Enum):
    """How a line's word tokens are treated."""

    CLEAN = "clean"
    STRIPPED = "stripped"
    OCR = "ocr"


def _verdict(words: list[Token], lexicon: Lexicon) -> LineMode:
    """Correct Vietnamese carries known marked syllables on most words; OCR output has
    unknown tokens (1anh, Pang) and marks on impossible forms (hién, céng)."""
    if not words:
        return LineMode.CLEAN
    marked = [t for t in words if skeleton(t.text) != t.text]
    known = sum(canonical(t.text) in lexicon.index for t in marked)
    invalid = sum(
        t.kind == "mixed" or skeleton(t.text.lower()) not in lexicon.candidates for t in words
    )
    if (invalid + len(marked) - known) / len(words) > 0.12:
        return LineMode.OCR
    if known / len(words) >= 0.3:
        return LineMode.CLEAN
    return LineMode.STRIPPED if len(marked) / len(words) < 0.08 else LineMode.OCR


def classify_lines(text: str, lexicon: Lexicon, mode: str) -> list[tuple[int, int, LineMode]]:
    """(start, end, mode) of each line ("stripped" and "ocr" force one mode for all)."""
    spans = []
    start = 0
    for length in map(len, text.split("\n")):
        spans.append((start, start + length))
        start += length + 1
    if mode in ("stripped", "ocr"):
        forced = LineMode.STRIPPED if mode == "stripped" else LineMode.OCR
        return [(a, b, forced) for a, b in spans]
    words = [[t for t in tokenize(text[a:b]) if t.kind in ("word", "mixed")] for a, b in spans]
    overall = _verdict([t for line in words for t in line], lexicon)
    result = []
    for (a, b), line in zip(spans, words, strict=True):
        verdict = _verdict(line, lexicon) if len(line) >= MIN_WORDS else overall
        if verdict is LineMode.STRIPPED and overall is LineMode.OCR:
            verdict = LineMode.OCR  # an OCR'd page has clean-looking lines too
        result.append((a, b, verdict))
    return result
