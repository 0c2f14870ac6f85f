"""Deciding, per line, what kind of damage a text has: none, stripped marks, or OCR noise.

Mixed archives hold all three, sometimes in one file (a typed cover note above an OCR'd
report), so `auto` judges each line, falling back on the whole text for short lines.
"""

from __future__ import annotations

from enum import Enum

from pipeline.restore.lexicon import Lexicon
from pipeline.restore.syllable import canonical, parse, skeleton
from pipeline.restore.tokens import Token, tokenize

MIN_WORDS = 5
"""Lines with fewer word tokens take the verdict of the whole text."""


class LineMode(Enum):
    """How a line's word tokens are treated."""

    CLEAN = "clean"
    STRIPPED = "stripped"
    OCR = "ocr"


def _verdict(words: list[Token], lexicon: Lexicon) -> LineMode:
    """Correct Vietnamese carries marks on most syllables; OCR output has invalid tokens."""
    if not words:
        return LineMode.CLEAN
    marked = sum(skeleton(t.text) != t.text for t in words)
    invalid = sum(
        t.kind == "mixed"
        or (parse(t.text.lower()) is None and canonical(t.text) not in lexicon.index)
        for t in words
    )
    if invalid / len(words) > 0.12:
        return LineMode.OCR
    share = marked / len(words)
    if share >= 0.3:
        return LineMode.CLEAN
    return LineMode.STRIPPED if share < 0.08 else LineMode.OCR


def classify_lines(text: str, lexicon: Lexicon, mode: str) -> list[tuple[int, int, LineMode]]:
    """(start, end, mode) of each line ("stripped" and "ocr" force one mode for all)."""
    spans = []
    start = 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    if mode in ("stripped", "ocr"):
        forced = LineMode.STRIPPED if mode == "stripped" else LineMode.OCR
        return [(a, b, forced) for a, b in spans]
    words = [[t for t in tokenize(text[a:b]) if t.kind in ("word", "mixed")] for a, b in spans]
    overall = _verdict([t for line in words for t in line], lexicon)
    return [
        (a, b, _verdict(line, lexicon) if len(line) >= MIN_WORDS else overall)
        for (a, b), line in zip(spans, words, strict=True)
    ]
