"""Deciding, per line, what kind of damage a text has: none, stripped marks, or OCR noise.

Mixed archives hold all three, sometimes in one file (a typed cover note above an OCR'd
report), so `auto` judges each line, falling back on the whole text for short lines.
"""

from __future__ import annotations

from enum import Enum

from pipeline.restore.lexicon import Lexicon
from pipeline.restore.syllable import canonical, parse, skeleton
from pipeline.restore.tokens import Token

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


def classify_lines(text: str, tokens: list[Token], lexicon: Lexicon, mode: str) -> list[LineMode]:
    """The mode of each token's line ("stripped" and "ocr" force one mode for all)."""
    if mode == "stripped":
        return [LineMode.STRIPPED] * len(tokens)
    if mode == "ocr":
        return [LineMode.OCR] * len(tokens)
    line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    lines: list[list[Token]] = [[] for _ in line_starts]
    line_of: list[int] = []
    current = 0
    for token in tokens:
        while current + 1 < len(line_starts) and token.start >= line_starts[current + 1]:
            current += 1
        line_of.append(current)
        lines[current].append(token)
    all_words = [t for t in tokens if t.kind in ("word", "mixed")]
    overall = _verdict(all_words, lexicon)
    verdicts = []
    for line in lines:
        words = [t for t in line if t.kind in ("word", "mixed")]
        verdicts.append(_verdict(words, lexicon) if len(words) >= MIN_WORDS else overall)
    return [verdicts[i] for i in line_of]
