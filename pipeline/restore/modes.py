"""Deciding, per line, what kind of damage a text has: none, stripped marks, or OCR noise.

Mixed archives hold all three, sometimes in one file (a typed cover note above an OCR'd
report), so `auto` judges each line, falling back on the whole text for short lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from pipeline.restore.lexicon import Lexicon
from pipeline.restore.syllable import canonical, skeleton
from pipeline.restore.symbols import abbreviation, slash_abbreviation
from pipeline.restore.tokens import is_code, iter_tokens

MIN_WORDS = 5
"""Lines with fewer word tokens take the verdict of the whole text."""
CAPS_SHARE = 0.6
"""A line whose letters are more than this share capitals is a heading (`PHO BI THƯ`)."""
CAPS_SLICE = 1 << 20
"""Characters read at a time when judging a (possibly very long) line's case."""


class LineMode(Enum):
    """How a line's word tokens are treated."""

    CLEAN = "clean"
    STRIPPED = "stripped"
    OCR = "ocr"


@dataclass(frozen=True)
class _Counts:
    """What a line's (or a text's) word tokens show: how many, marked, known marked, invalid."""

    words: int = 0
    marked: int = 0
    known: int = 0
    invalid: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.words + other.words,
            self.marked + other.marked,
            self.known + other.known,
            self.invalid + other.invalid,
        )


def _verdict(counts: _Counts) -> LineMode:
    """Correct Vietnamese carries known marked syllables on most words; OCR output has
    unknown tokens (1anh, Pang) and marks on impossible forms (hién, céng)."""
    words = counts.words
    if not words:
        return LineMode.CLEAN
    if (counts.invalid + counts.marked - counts.known) / words > 0.12:
        return LineMode.OCR
    if counts.known / words >= 0.3:
        return LineMode.CLEAN
    return LineMode.STRIPPED if counts.marked / words < 0.08 else LineMode.OCR


def _count(text: str, start: int, end: int, lexicon: Lexicon) -> _Counts:
    """Counts of the tokens of text[start:end] that tell its kind: words and letter-digit
    mixes, without the abbreviations and codes (HS, SV, t/h, Vi55) that no kind of damage
    explains; counted as unknown tokens they made a correct line full of them look like OCR."""
    caps = caps_line(text, start, end)
    words = marked = known = invalid = 0
    for t in iter_tokens(text, start, end):
        if (
            t.kind not in ("word", "mixed")
            or is_code(t)
            or abbreviation(t.text, lexicon.syllable_keys, frozenset(), caps)
            or slash_abbreviation(text, t.start, t.end)
        ):
            continue
        words += 1
        if skeleton(t.text) != t.text:
            marked += 1
            known += canonical(t.text) in lexicon.index
        invalid += t.kind == "mixed" or skeleton(t.text.lower()) not in lexicon.candidates
    return _Counts(words, marked, known, invalid)


def caps_line(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is written in capitals (a heading), read in slices."""
    letters = upper = 0
    for at in range(start, end, CAPS_SLICE):
        piece = text[at : min(at + CAPS_SLICE, end)]
        letters += sum(map(str.isalpha, piece))
        upper += sum(map(str.isupper, piece))
    return upper > CAPS_SHARE * letters


def line_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, found without splitting the text."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield start, len(text)
            return
        yield start, end
        start = end + 1


def classify_lines(text: str, lexicon: Lexicon, mode: str) -> list[tuple[int, int, LineMode]]:
    """(start, end, mode) of each line ("stripped" and "ocr" force one mode for all)."""
    spans = list(line_spans(text))
    if mode in ("stripped", "ocr"):
        forced = LineMode.STRIPPED if mode == "stripped" else LineMode.OCR
        return [(a, b, forced) for a, b in spans]
    counts = [_count(text, a, b, lexicon) for a, b in spans]
    overall = _verdict(sum(counts, _Counts()))
    result = []
    for (a, b), line in zip(spans, counts, strict=True):
        verdict = _verdict(line) if line.words >= MIN_WORDS else overall
        if verdict is LineMode.STRIPPED and overall is LineMode.OCR:
            verdict = LineMode.OCR  # an OCR'd page has clean-looking lines too
        result.append((a, b, verdict))
    return result
