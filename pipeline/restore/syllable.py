"""Vietnamese syllable model: marks, parse/compose (onset, glide, nucleus, coda, tone), case.

Restoration works on syllables, so every candidate is built and compared through this module:
`skeleton` gives the mark-free key a typed or OCR'd token is looked up by, `canonical` puts
the tone in one place (hòa/hoà compare equal), `apply_case` copies the input's case back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TONE_MARKS = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
"""Combining marks by tone number: ngang, huyền, sắc, hỏi, ngã, nặng."""

QUALITY_VOWELS = "aăâeêioôơuưy"
MARKED_QUALITY = "ăâêôơư"

_TONE_OF: dict[str, tuple[str, int]] = {}
"""Toned vowel (lower and upper) -> (vowel without tone, tone number)."""
for _vowel in QUALITY_VOWELS + QUALITY_VOWELS.upper():
    for _tone, _mark in enumerate(TONE_MARKS):
        _TONE_OF[unicodedata.normalize("NFC", _vowel + _mark)] = (_vowel, _tone)

_TONED: dict[tuple[str, int], str] = {key: char for char, key in _TONE_OF.items()}

_BASE_LETTER = {
    "ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u", "đ": "d",
    "Ă": "A", "Â": "A", "Ê": "E", "Ô": "O", "Ơ": "O", "Ư": "U", "Đ": "D",
}  # fmt: skip

_SKELETON_TABLE = str.maketrans(
    {char: _BASE_LETTER.get(vowel, vowel) for char, (vowel, _) in _TONE_OF.items()} | _BASE_LETTER
)

ONSETS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
CODAS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "i", "y", "o", "u", "")
NUCLEI = (
    "iê", "yê", "ia", "ya", "uô", "ua", "ươ", "ưa", "oo",
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
)  # fmt: skip
OPEN_NUCLEI = frozenset({"ia", "ya", "ua", "ưa"})
"""Diphthongs that end the syllable: mía, khuya, của, mưa."""
_SHAPE = re.compile(r"[bcdđghklmnpqrstvx]*[aăâeêioôơuưy]+[cghmnpt]*\Z")
"""Consonants, vowels, consonants: a cheap necessary condition checked before parsing."""
STOP_CODAS = frozenset({"c", "ch", "p", "t"})


@dataclass(frozen=True)
class Syllable:
    """One syllable, lower case, split into its parts; `tone` is 0..5 (see TONE_MARKS)."""

    onset: str
    glide: str
    nucleus: str
    coda: str
    tone: int


def skeleton(text: str) -> str:
    """Drop tone and vowel marks and turn đ into d, keeping case and length (key for lookup)."""
    return text.translate(_SKELETON_TABLE)


def split_tone(word: str) -> tuple[str, int] | None:
    """Separate the tone from a word; None if it carries more than one tone mark."""
    tone = 0
    chars = []
    for char in word:
        vowel, char_tone = _TONE_OF.get(char, (char, 0))
        if char_tone:
            if tone:
                return None
            tone = char_tone
        chars.append(vowel)
    return "".join(chars), tone


def _split_rhyme(rhyme: str) -> tuple[str, str, str] | None:
    """Rhyme (toneless) -> glide, nucleus, coda; None if it is not a Vietnamese rhyme."""
    glide = ""
    if len(rhyme) >= 2 and (
        (rhyme[0] == "o" and rhyme[1] in "aăe") or (rhyme[0] == "u" and rhyme[1] in "yêơâ")
    ):
        glide, rhyme = rhyme[0], rhyme[1:]
    for nucleus in NUCLEI:
        if rhyme.startswith(nucleus):
            coda = rhyme[len(nucleus) :]
            if coda in CODAS and not (coda and nucleus in OPEN_NUCLEI):
                return glide, nucleus, coda
    return None


@lru_cache(maxsize=65536)
def parse(word: str) -> Syllable | None:
    """Parse a lower-case NFC syllable; None if it is not a well-formed Vietnamese syllable."""
    split = split_tone(word)
    if split is None or not _SHAPE.match(split[0]):
        return None
    plain, tone = split
    for onset in ONSETS:
        if not plain.startswith(onset):
            continue
        rest = plain[len(onset) :]
        if onset in ("gi", "qu") and (not rest or rest[0] not in QUALITY_VOWELS):
            continue  # "gì", "gìn": g + i...; "qu" needs a vowel after it
        if onset == "qu" and rest.startswith(("u", "ư", "o")):
            continue
        if onset == "gi" and rest.startswith("i"):
            continue
        parts = _split_rhyme(rest)
        if parts is None:
            continue
        glide, nucleus, coda = parts
        if coda in STOP_CODAS and tone not in (2, 5):
            return None  # a syllable closed by p/t/c/ch takes only sắc or nặng
        return Syllable(onset, glide, nucleus, coda, tone)
    return None


def _tone_index(syllable: Syllable, style: str) -> int:
    """Index, within glide+nucleus, of the vowel that carries the tone mark."""
    nucleus, glide = syllable.nucleus, syllable.glide
    if style == "old" and glide and not syllable.coda and nucleus in ("a", "e", "y"):
        return 0
    offset = len(glide)
    marked = [i for i, char in enumerate(nucleus) if char in MARKED_QUALITY]
    if marked:
        return offset + marked[-1]
    if nucleus in ("ia", "ya", "ua"):
        return offset
    return offset + len(nucleus) - 1


def compose(syllable: Syllable, style: str = "old") -> str:
    """Write a syllable with its tone mark placed in `style` ("old": hòa, thủy; "new": hoá)."""
    vowels = syllable.glide + syllable.nucleus
    if syllable.tone:
        index = _tone_index(syllable, style)
        vowels = vowels[:index] + _TONED[(vowels[index], syllable.tone)] + vowels[index + 1 :]
    return syllable.onset + vowels + syllable.coda


@lru_cache(maxsize=262144)
def canonical(word: str) -> str:
    """Lower-case form with the tone in the "old" place; non-syllables are only lower-cased."""
    lower = word.lower()
    parsed = parse(lower)
    return compose(parsed) if parsed is not None else lower


def case_pattern(token: str) -> str:
    """ "lower", "title", "upper" or "mixed", from the letters of a token."""
    letters = [char for char in token if char.isalpha()]
    if not letters or not any(char.isupper() for char in letters):
        return "lower"
    if all(char.isupper() for char in letters):
        return "upper" if len(letters) > 1 or len(token) == 1 else "title"
    if letters[0].isupper() and not any(char.isupper() for char in letters[1:]):
        return "title"
    return "mixed"


def apply_case(source: str, target: str) -> str:
    """Give `target` (lower case) the case of `source`; per character when lengths agree."""
    pattern = case_pattern(source)
    if pattern == "lower":
        return target
    if pattern == "upper":
        return target.upper()
    if pattern == "title":
        return target[:1].upper() + target[1:]
    if len(source) == len(target):
        return "".join(t.upper() if s.isupper() else t for s, t in zip(source, target, strict=True))
    return target
