"""Vietnamese text primitives: one fold, the mark strippers and one tone placement.

- `fold`: for matching. Lower case, tone and vowel marks dropped, đ→d, and one output
  character per input character (so a match's offsets in the folded text are its offsets in
  the original); a character outside Vietnamese becomes its ASCII look-alike (`–`→`-`, `“`→`"`,
  `Ð`→`d`, no-break space → space) or a space when it has none.
- `strip_marks`: every mark dropped, case kept (`Đảng viên` → `Dang vien`); Unicode's own
  decomposition, as FTS5's `remove_diacritics` and PostgreSQL's `unaccent` do it.
- `strip_tone`: the tone marks only, vowel hats and đ kept (`đảng` → `đang`).
- Tone placement: the same syllable is written two ways when its vowel cluster is `oa`, `oe`
  or `uy` with no final consonant: the classic "old" style (kiểu cũ) puts the tone on the
  first vowel (hòa, khỏe, thủy, ủy), the "new" style (kiểu mới, the school rule of 1984) on
  the main vowel (hoà, khoẻ, thuỷ, uỷ). Every other syllable is written the same in both.
  `canonical_tones` is the one form texts are compared in: NFC, old style, the style the
  restoration model writes and the one most of the archive's documents use (docs/fields.md).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import numpy as np
from unidecode import unidecode

ToneStyle = Literal["old", "new"]

DEFAULT_TONE_STYLE: ToneStyle = "old"
"""The canonical style: what restoration writes and `canonical_tones` compares in."""

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
"""Combining grave (huyền), acute (sắc), tilde (ngã), hook above (hỏi), dot below (nặng)."""

_DECOMPOSED_TONE = re.compile(f"[{TONE_MARKS}]")
_D_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


# --- fold ----------------------------------------------------------------------------------


def _fold_char(char: str) -> str:
    """One folded character for one input character (space when it has no ASCII form)."""
    if char.isascii():
        return char.lower()
    if unicodedata.category(char).startswith("Z"):
        return " "
    out = unidecode(char)
    return out[0].lower() if out and out[0].isprintable() else " "


# Code points below this are folded through a lookup table (Latin with marks, Vietnamese,
# general punctuation, box drawing); others pass through unchanged. The table keeps the
# fold one character per character.
_FOLD_LIMIT = 0x2600
_FOLD_TABLE = np.array([ord(_fold_char(chr(c))) for c in range(_FOLD_LIMIT)], dtype=np.uint32)
_FOLD_MAP = {c: int(v) for c, v in enumerate(_FOLD_TABLE) if c != v}
_SHORT = 256  # below this length str.translate is the quicker way


def fold(text: str) -> str:
    """Lower-case, strip tone and vowel marks and map đ→d, one output character per input
    character (`Đảng ỦY` → `dang uy`).

    Vectorised over code points: str.translate costs about 0.1 µs a character, which is a
    tenth of the field stage's time budget on a ten-page document.
    """
    if len(text) < _SHORT:
        return text.translate(_FOLD_MAP)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    low = codes < _FOLD_LIMIT
    folded = np.where(low, _FOLD_TABLE[np.where(low, codes, 0)], codes)
    return folded.astype(np.uint32).tobytes().decode("utf-32-le")


# --- mark strippers ------------------------------------------------------------------------


def strip_tone(text: str) -> str:
    """Text without its tone marks, vowel hats and đ kept (`đảng` → `đang`, `chuyển` →
    `chuyên`): what is left when OCR loses or swaps a tone but reads the letters right."""
    return unicodedata.normalize(
        "NFC", _DECOMPOSED_TONE.sub("", unicodedata.normalize("NFD", text))
    )


def strip_marks(text: str, keep_d: bool = False) -> str:
    """Text without tone or vowel marks (`đảng viên` → `dang vien`), case kept, NFC.

    `đ`/`Đ` become `d`/`D` unless `keep_d`; marks on non-Vietnamese letters go too.
    """
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    bare = unicodedata.normalize("NFC", bare)
    return bare if keep_d else bare.translate(_D_TABLE)


# --- tone placement ------------------------------------------------------------------------


def _toned(vowels: str) -> dict[str, tuple[str, str]]:
    """Each of `vowels` with and without each tone, lower and upper case, NFC → (bare, tone)."""
    table: dict[str, tuple[str, str]] = {}
    for vowel in vowels + vowels.upper():
        table[vowel] = (vowel, "")
        for tone in TONE_MARKS:
            table[unicodedata.normalize("NFC", vowel + tone)] = (vowel, tone)
    return table


_FIRST = _toned("ou")
_SECOND = _toned("aey")
_PAIRS = frozenset({"oa", "oe", "uy"})
# The last two vowels of a word (or of words OCR ran together, `hànghoá`) when they are an
# open oa/oe/uy rhyme: nothing but punctuation, space or the text's end after them.
_OPEN_RHYME = re.compile(f"([{''.join(_FIRST)}])([{''.join(_SECOND)}])(?![^\\W_])")


def _restyle(match: re.Match[str], style: ToneStyle) -> str:
    """An open oa/oe/uy rhyme with its one tone mark on the vowel `style` puts it on."""
    (first, first_tone), (second, second_tone) = _FIRST[match[1]], _SECOND[match[2]]
    tone = first_tone or second_tone
    if (first + second).lower() not in _PAIRS or not tone or (first_tone and second_tone):
        return match[0]
    # `qu`'s u is part of the onset and never takes the mark (quý, quỹ in both styles).
    after_q = match.start() > 0 and match.string[match.start() - 1] in "qQ"
    on_first = style == "old" and not after_q
    if on_first:
        return unicodedata.normalize("NFC", first + tone) + second
    return first + unicodedata.normalize("NFC", second + tone)


def set_tone_style(text: str, style: ToneStyle) -> str:
    """NFC text with its open oa/oe/uy syllables in `style`, case and all else kept.

    `style="old"` gives hòa, khỏe, thủy, ủy; `style="new"` gives hoà, khoẻ, thuỷ, uỷ.
    """
    if style not in ("old", "new"):
        raise ValueError(f"unknown tone style {style!r}; use 'old' or 'new'")
    nfc = unicodedata.normalize("NFC", text)
    return _OPEN_RHYME.sub(lambda match: _restyle(match, style), nfc)


def canonical_tones(text: str) -> str:
    """The one form texts are compared in: NFC, tone in the old place (hoà → hòa, thuỷ →
    thủy), so that both spellings of a syllable are the same string."""
    return set_tone_style(text, DEFAULT_TONE_STYLE)


def tone_equal(left: str, right: str) -> bool:
    """Whether two texts are the same once NFC and tone-placement style are ignored."""
    return canonical_tones(left) == canonical_tones(right)
