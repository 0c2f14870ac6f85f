"""Text helpers for field extraction: line segments and whole-line comparison.

Every rule runs on the folded text (`pipeline.text.vietnamese.fold`: lower case, no tone
marks, đ→d) so that OCR output without marks still matches; the fold keeps one character per
character, so a match's offsets in the folded text are its offsets in the original text too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.text.vietnamese import fold

_MARKUP = re.compile(r"^[\s*_#>]+|[\s*_#]+$")


def compact(text: str) -> str:
    """Folded letters and digits only, for whole-line fuzzy comparison ("BAOCAO" = "BÁO CÁO")."""
    return "".join(c for c in fold(text) if c.isalnum())


def clean_markup(text: str) -> str:
    """Drop Markdown emphasis and stray marks at the edges of a line ("**T/M ĐẢNG ỦY")."""
    return _MARKUP.sub("", text).strip()


def squash(text: str) -> str:
    """Collapse runs of whitespace into one space."""
    return " ".join(text.split())


def reads_as_words(text: str) -> bool:
    """Text that reads as words, not a scribble, seal or rule OCR'd as letters ("lJVMML",
    "!I1I 1:1"): mostly letters, and no capital right after a small letter."""
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or letters < 0.6 * len(text.replace(" ", "")):
        return False
    return not any(a.islower() and b.isupper() for a, b in itertools.pairwise(text))


def is_upper_line(text: str) -> bool:
    """True when the letters of the line are (almost) all capitals, as header lines are."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(c.isupper() for c in letters) >= 0.85 * len(letters)


@dataclass(frozen=True)
class Seg:
    """A piece of one text line: the whole line, or one column of a two-column line."""

    start: int  # offset in the document text
    end: int
    text: str  # clean text (markup stripped, whitespace kept)
    folded: str  # fold(text)
    line: int  # line index in the document
    col: int = 0  # 0: left or whole line, 1: right column


def split_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of `text`, without the newline."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        spans.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return spans


def make_seg(
    text: str, folded: str, start: int, end: int, line: int, col: int = 0
) -> Seg | None:
    """A segment for text[start:end], trimmed of whitespace and markup; None when empty.

    `folded` is fold(text), sliced rather than folded again.
    """
    piece = text[start:end]
    cleaned = clean_markup(piece)
    if not cleaned:
        return None
    offset = piece.find(cleaned)
    if offset < 0:
        offset = 0
    a = start + offset
    return Seg(a, a + len(cleaned), cleaned, folded[a : a + len(cleaned)], line, col)
