"""Deciding, per line, what kind of damage a text has: none, stripped marks, or OCR noise.

Mixed archives hold all three, sometimes in one file (a typed cover note above an OCR'd
report), so `auto` judges each line, falling back on the whole text for short lines.
"""

from __future__ import annotations

from enum import Enum

from pipeline.restore.lexicon import Lexicon
from pipeline.restore.syllable import canonical, skeleton
from pipeline.restore.symbols import abbreviation, slash_abbreviation
from pipeline.restore.tokens import Token, is_code, tokenize

MIN_WORDS = 5
"""Lines with fewer word tokens take the verdict of the whole text."""
CAPS_SHARE = 0.6
"""A line whose letters are more than this share capitals is a heading (`PHO BI THƯ`)."""


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


def _evidence(line: str, lexicon: Lexicon) -> list[Token]:
    """The tokens of a line that tell its kind: words and letter-digit mixes, without the
    abbreviations and codes (HS, SV, t/h, Vi55) that no kind of damage explains; counted as
    unknown tokens they made a correct line full of them look like OCR noise."""
    letters = [char for char in line if char.isalpha()]
    caps = sum(char.isupper() for char in letters) > CAPS_SHARE * len(letters)
    return [
        t
        for t in tokenize(line)
        if t.kind in ("word", "mixed")
        and not is_code(t)
        and not abbreviation(t.text, lexicon.syllable_keys, frozenset(), caps)
        and not slash_abbreviation(line, t.start, t.end)
    ]


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
    words = [_evidence(text[a:b], lexicon) for a, b in spans]
    overall = _verdict([t for line in words for t in line], lexicon)
    result = []
    for (a, b), line in zip(spans, words, strict=True):
        verdict = _verdict(line, lexicon) if len(line) >= MIN_WORDS else overall
        if verdict is LineMode.STRIPPED and overall is LineMode.OCR:
            verdict = LineMode.OCR  # an OCR'd page has clean-looking lines too
        result.append((a, b, verdict))
    return result
