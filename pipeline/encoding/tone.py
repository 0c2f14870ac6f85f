"""Tone-mark placement style (hòa/hoà) and mark stripping for NFC Vietnamese text.

Vietnamese writes the same syllable two ways when its vowel cluster is `oa`, `oe` or `uy`
with no final consonant: the classic "old" style (kiểu cũ) puts the tone on the first
vowel (hòa, khỏe, thủy, ủy), the "new" style (kiểu mới, the school rule of 1984) puts it on
the main vowel (hoà, khoẻ, thuỷ, uỷ). Every other syllable is written the same in both.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal

ToneStyle = Literal["old", "new"]

DEFAULT_TONE_STYLE: ToneStyle = "old"
"""Style for restored output: the one the project's own reports use (see docs/encoding.md)."""

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
"""Combining grave (huyền), acute (sắc), tilde (ngã), hook above (hỏi), dot below (nặng)."""

_WORD = re.compile(r"[^\W\d_]+")
# Onsets in the order a regex must try them; `q` only ever appears as `qu`, whose `u`
# belongs to the onset (quý, quả never move their mark), and `gi` likewise (già, giữ).
_STYLED = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?(oa|oe|uy)")
_DECOMPOSED_TONE = re.compile(f"[{TONE_MARKS}]")
_D_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


def _split_tone(char: str) -> tuple[str, str]:
    """One NFC letter as (letter without its tone, the tone mark or '')."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = "".join(_DECOMPOSED_TONE.findall(decomposed))
    if not tone:
        return char, ""
    return unicodedata.normalize("NFC", _DECOMPOSED_TONE.sub("", decomposed)), tone


@functools.lru_cache(maxsize=1 << 16)
def _restyle_word(word: str, style: ToneStyle) -> str:
    """The word with its tone moved for `style` when it is an open oa/oe/uy syllable."""
    if len(word) > 5:
        return word
    parts = [_split_tone(char) for char in word]
    toned = [index for index, (_, tone) in enumerate(parts) if tone]
    if len(toned) != 1:
        return word
    bare = "".join(letter for letter, _ in parts)
    match = _STYLED.fullmatch(bare.lower())
    if match is None:
        return word
    first = len(match.group(1) or "")
    target = first if style == "old" else first + 1
    source = toned[0]
    if source not in (first, first + 1) or source == target:
        return word
    tone = parts[source][1]
    letters = [letter for letter, _ in parts]
    letters[target] = unicodedata.normalize("NFC", letters[target] + tone)
    return "".join(letters)


def set_tone_style(text: str, style: ToneStyle) -> str:
    """Rewrite open oa/oe/uy syllables in `style`, keeping case and all other text as is.

    `style="old"` gives hòa, khỏe, thủy, ủy; `style="new"` gives hoà, khoẻ, thuỷ, uỷ.
    """
    if style not in ("old", "new"):
        raise ValueError(f"unknown tone style {style!r}; use 'old' or 'new'")
    return _WORD.sub(lambda match: _restyle_word(match.group(), style), text)


def fold_tone_style(text: str) -> str:
    """A canonical form in which hòa and hoà (and all such pairs) are the same string."""
    return set_tone_style(unicodedata.normalize("NFC", text), "old")


def tone_equal(left: str, right: str) -> bool:
    """Whether two texts are the same once NFC and tone-placement style are ignored."""
    return fold_tone_style(left) == fold_tone_style(right)


def strip_tone(text: str) -> str:
    """Text without its tone marks, vowel hats and đ kept (`đảng` → `đang`, `chuyển` →
    `chuyên`): what is left when OCR loses or swaps a tone but reads the letters right."""
    return unicodedata.normalize(
        "NFC", _DECOMPOSED_TONE.sub("", unicodedata.normalize("NFD", text))
    )


def strip_marks(text: str, keep_d: bool = False) -> str:
    """Text without tone or vowel marks (`đảng viên` → `dang vien`), e.g. for accent-free search.

    `đ`/`Đ` become `d`/`D` unless `keep_d`; marks on non-Vietnamese letters go too.
    """
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    bare = unicodedata.normalize("NFC", bare)
    return bare if keep_d else bare.translate(_D_TABLE)
