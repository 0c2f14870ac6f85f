"""Tokenising text for the language model and the decoder, keeping every character's place.

Only `word` tokens (and, for OCR input, `mixed` letter-digit tokens such as "1anh") are ever
rewritten; numbers, punctuation and spacing are copied through, so the line structure, dates
and document symbols survive by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pipeline.restore.syllable import canonical

_GLUED_NUMBER = r"\d{2,}(?=[^\W\d_]{2,}(?![^\W_]))"
"""A number of two or more digits glued to a word of two or more letters ("26tháng") is its
own token, so the word is kept and restored; OCR's misread letters (1anh, 16i for lối, 16m
for lõm) stay one token for the channel to read."""
NOTE_MARKS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
"""Superscript digits: footnote markers (`viên¹`), split off the word they are glued to."""
_NOTE = rf"[{NOTE_MARKS}]+"
_LETTER = rf"[^\W_{NOTE_MARKS}]"
_TOKEN_RE = re.compile(rf"{_NOTE}|{_GLUED_NUMBER}|{_LETTER}+|([^\w\s])\1*|_+")
_CODE_RE = re.compile(r"[^\W\d_]+\d{2,}")

BOS, EOS, UNK, NUM = "<s>", "</s>", "<unk>", "<num>"
SPECIALS = (UNK, BOS, EOS, NUM)
"""Ids 0..3 of every vocabulary, in this order."""


@dataclass(frozen=True)
class Token:
    """A span of the input: `kind` is "word", "num", "mixed" (letters with digits), "punct" or
    "note" (a footnote marker, which restoration copies through and the model never sees)."""

    start: int
    end: int
    text: str
    kind: str


def _kind(text: str) -> str:
    if text[0] in NOTE_MARKS:
        return "note"
    if text.isdigit():
        return "num"
    if text.isalpha():
        return "word"
    if text[0].isalnum():
        return "mixed" if not text.isdigit() and not text.isnumeric() else "num"
    return "punct"


def tokenize(text: str, letterlike: str = "") -> list[Token]:
    """Split text into word, number, mixed and punctuation tokens (whitespace is skipped).

    `letterlike` characters (OCR's ¢ for ở) continue a word they follow, as "mixed" tokens.
    """
    return list(iter_tokens(text, 0, len(text), letterlike))


def iter_tokens(text: str, start: int, end: int, letterlike: str = "") -> Iterator[Token]:
    """The tokens of text[start:end], one at a time, with offsets into `text` (no copy of a
    long line is made: a 50 MB line is read in place)."""
    pattern = _TOKEN_RE if not letterlike else _ocr_pattern(letterlike)
    for match in pattern.finditer(text, start, end):
        yield Token(match.start(), match.end(), match.group(), _kind(match.group()))


@lru_cache(maxsize=8)
def _ocr_pattern(letterlike: str) -> re.Pattern[str]:
    extra = re.escape(letterlike)
    return re.compile(rf"{_NOTE}|{_GLUED_NUMBER}|{_LETTER}(?:{_LETTER}|[{extra}])*|([^\w\s])\1*|_+")


def is_code(token: Token) -> bool:
    """Letters then two or more digits (Vi55, A12): a code, not a misread word (1anh, t6t)."""
    return token.kind == "mixed" and _CODE_RE.fullmatch(token.text) is not None


def lm_form(token: Token) -> str:
    """The language-model string of a token: canonical syllable, <num>, or the punctuation."""
    if token.kind == "word":
        return canonical(token.text)
    if token.kind == "num":
        return NUM
    if token.kind == "mixed":
        return UNK
    return token.text[:3]


def lm_forms(line: str) -> list[str]:
    """LM strings of one line of training text."""
    return [lm_form(token) for token in tokenize(line) if token.kind != "note"]
