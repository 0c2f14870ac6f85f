"""Vietnamese plausibility: how much of a line is made of valid syllables.

The syllable table (`data/syllables.tsv`, built by `scripts/build_syllables.py`) lists about
6.6k valid syllables with their counts in the legal corpus. Candidate decodings of a line
are compared by how many of their words are valid syllables: garbled text almost never is.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import string
import unicodedata
from dataclasses import dataclass
from importlib import resources

from pipeline.text.vietnamese import set_tone_style

# A token (whitespace-delimited) loses punctuation at its edges, ASCII or General
# Punctuation, then splits into words at inner ASCII punctuation (`196-BC/ĐUK`). Inner
# General Punctuation (‘ „ from mojibake) and the symbols legacy encodings turn letters
# into (§ ¸ µ «) stay inside the word, which makes garbled words count as invalid.
_GENERAL_PUNCTUATION = "".join(map(chr, range(0x2000, 0x2070)))
# An opening quote after a letter is no quote but a misread letter (VISCII `B“` is `BỘ`).
_GENERAL_TRAILING = "".join(c for c in _GENERAL_PUNCTUATION if c not in "“‘„‚")
_EDGE = string.punctuation + _GENERAL_PUNCTUATION
_TRAILING_EDGE = string.punctuation + _GENERAL_TRAILING
_INNER = re.compile(r"[!-/:-@\[-`{-~]+")
# In VIQR a word keeps its marks: split only at other punctuation, strip only what
# also ends sentences.
_VIQR_MARKS = "'`?~.(^+\\"
_VIQR_INNER = re.compile(
    "[" + re.escape("".join(c for c in string.punctuation if c not in _VIQR_MARKS)) + "]+"
)
_VIQR_TRAILING = '.?!,;:")]}' + _GENERAL_TRAILING
_DIGIT = re.compile(r"\d")
# Abbreviations are written with ASCII letters and Đ, two or more of them capitals.
_ABBREVIATION = re.compile(r"(?=(?:[^A-ZĐ]*[A-ZĐ]){2})[A-Za-zĐđ]+")


@functools.cache
def syllable_counts() -> dict[str, int]:
    """Lowercase NFC syllable → corpus count, in both tone styles (hòa and hoà)."""
    text = resources.files("pipeline.encoding").joinpath("data", "syllables.tsv")
    counts: dict[str, int] = {}
    for line in text.read_text("utf-8").splitlines():
        word, count = line.split("\t")
        counts[word] = int(count)
        counts.setdefault(set_tone_style(word, "new"), int(count))
    return counts


@dataclass(frozen=True, slots=True)
class Plausibility:
    """Word counts of one candidate text: valid syllables, invalid words, their weight."""

    valid: int
    invalid: int
    log_count: float

    @property
    def net(self) -> int:
        """Valid minus invalid words: the main ranking key."""
        return self.valid - self.invalid

    @property
    def share(self) -> float:
        """Share of counted words that are valid syllables (1.0 when nothing is counted)."""
        total = self.valid + self.invalid
        return self.valid / total if total else 1.0


def _capital_inside(word: str) -> bool:
    """Whether a capital follows a small letter, which no Vietnamese word spelling does."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


def _words(text: str, viqr: bool) -> list[str]:
    words: list[str] = []
    for token in text.split():
        if viqr:
            words += _VIQR_INNER.split(token.lstrip(_EDGE).rstrip(_VIQR_TRAILING))
        else:
            words += _INNER.split(token.lstrip(_EDGE).rstrip(_TRAILING_EDGE))
    return words


def plausibility(text: str, viqr: bool = False) -> Plausibility:
    """Count valid and invalid words; abbreviations, numbers and one-letter words are neutral.

    `viqr=True` reads VIQR marks as part of words, to score a line before VIQR decoding.
    """
    counts = syllable_counts()
    valid = invalid = 0
    weight = 0.0
    for part in _words(text, viqr):
        if len(part) < 2 or _DIGIT.search(part) or not any(char.isalpha() for char in part):
            continue  # a lone letter ("b)", "ở", "Ờ" from a stray dash) proves nothing
        count = counts.get(part.lower())
        if count is not None and not _capital_inside(part):  # not "tRỢ", "ViỆt"
            valid += 1
            weight += math.log(count + 1)
        elif not _ABBREVIATION.fullmatch(part):  # "UBND", "ĐUK", "QĐi", "ThU" are neutral
            invalid += 1
    return Plausibility(valid, invalid, weight)


def plain_syllables(text: str) -> tuple[int, int]:
    """(valid syllables written in plain ASCII, all valid syllables) of `text`.

    Correct Vietnamese marks most syllables: on held-out legal lines of four or more
    syllables, under 60% are plain (23 in 5,001 lines reach 40%). OCR that lost the marks
    (`Hoi dong nhan dan Tinh`) is almost all plain.
    """
    counts = syllable_counts()
    plain = total = 0
    for part in _words(text, False):
        if len(part) < 2 or part.lower() not in counts or _capital_inside(part):
            continue
        total += 1
        plain += part.isascii()
    return plain, total


def is_nfc_vietnamese_line(line: str) -> float:
    """Plausibility in [0, 1] that `line` is correct NFC Vietnamese: the share of its words
    that are valid syllables (abbreviations, numbers and punctuation are not counted);
    0.0 when the line is not NFC, 1.0 when it has no word to judge."""
    if not unicodedata.is_normalized("NFC", line):
        return 0.0
    return plausibility(line).share
