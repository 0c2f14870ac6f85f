"""Document symbols (`QĐ/TW`, `13-CTr/ĐUK`): never tone-marked, only `D` may become `Đ`.

A capitalised token glued to `/` or `-` is part of a number/symbol; the language model would
happily turn `TU` into `TỪ`, so such tokens are repaired only against known symbols: the
Party and state symbols of the design notes plus those the training text attests.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.restore.syllable import skeleton

KNOWN = (
    # document types (Hướng dẫn 36-HD/VPTW) and state types
    "NQ", "QĐ", "CT", "KL", "QC", "QĐi", "TT", "HD", "TB", "BC", "KH", "CTr", "TTr", "CV",
    "BB", "ĐA", "NĐ", "TTg", "TTLT", "CĐ", "GP",
    # issuers
    "TW", "TU", "HU", "QU", "ThU", "ĐU", "ĐUK", "CB", "VPTW", "BTCTW", "BTGTW", "VPTU",
    "BTCTU", "BTGTU", "BDVTU", "UBKTTU", "VPHU", "BTCHU", "ĐĐ", "BCSĐ", "BCĐ", "ĐTN",
    "UBND", "HĐND", "QH", "CP", "BNV", "BTC", "VPCP", "UBKT", "MTTQ", "ĐCSVN",
)  # fmt: skip

ABBREVIATIONS_FILE = Path(__file__).with_name("data") / "abbreviations.txt"
VOWELS = frozenset("aeiouyAEIOUY")
"""Mark-free vowel letters: a token without one is no Vietnamese syllable (HS, ĐT, KGVX)."""


def load_abbreviations(path: Path = ABBREVIATIONS_FILE) -> tuple[str, ...]:
    """The abbreviations of administrative writing kept as written (one per line, # notes)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_SYMBOL_RE = re.compile(r"(?:(?<=[/-])[^\W\d_]+|[^\W\d_]+(?=[/-][^\W_]))")


def mine(lines: Iterable[str], floor: int = 3) -> set[str]:
    """Capitalised letter runs glued to / or - seen at least `floor` times."""
    counts: Counter[str] = Counter()
    for line in lines:
        for match in _SYMBOL_RE.finditer(line):
            word = match.group()
            if _symbol_like(word):
                counts[word] += 1
    return {word for word, n in counts.items() if n >= floor and len(word) <= 8}


class Symbols:
    """Known symbols, looked up by their mark-free, case-kept skeleton."""

    def __init__(self, forms: Iterable[str]) -> None:
        self.forms = frozenset(forms)
        self._by_skeleton: dict[str, set[str]] = {}
        for form in self.forms:
            self._by_skeleton.setdefault(skeleton(form), set()).add(form)

    def repair(self, token: str) -> str:
        """The one known symbol this token can be (only D→Đ differs), else the token."""
        if token in self.forms:
            return token
        forms = self._by_skeleton.get(skeleton(token), set())
        if len(forms) == 1:
            (form,) = forms
            same_except_d = all(
                a == b or (a in "Dd" and b in "Đđ") for a, b in zip(token, form, strict=True)
            )
            return form if same_except_d else token
        return token

    def nearest(self, token: str, cost: Callable[[str, str], float], limit: float) -> str:
        """The known symbol an OCR token most likely is when OCR misread its Đ (QB → QĐ,
        BU → ĐU), if one is close enough. Only a Đ may differ: any other letter, or a letter
        more or less, makes another valid symbol (TTT is not TTĐT, VP is not VT)."""
        if token in self.forms:
            return token
        best = min(
            (form for form in self.forms if _differs_in_d_stroke(token, form)),
            key=lambda form: cost(form, token),
            default=token,
        )
        return best if cost(best, token) <= limit else token


def _differs_in_d_stroke(token: str, form: str) -> bool:
    """Same length, and wherever the two differ the symbol has Đ (OCR's P, B, D for it)."""
    return len(token) == len(form) and all(
        a == b or b in "Đđ" for a, b in zip(token, form, strict=True)
    )


def _symbol_like(word: str) -> bool:
    """Two or more capitals (TU, CTr, QĐi): an abbreviation, not a hyphenated name."""
    if word[1:].islower():  # most words: at most one capital (fast path)
        return False
    return sum(char.isupper() for char in word) >= 2


def capitals(word: str) -> bool:
    """Letters in capitals (HS, UBND, GD&ĐT) or a symbol's mixed case (CTr, QĐi, ThU)."""
    if word[1:].islower():  # most words: at most one capital (fast path)
        return False
    letters = [char for char in word if char.isalpha()]
    if len(letters) < 2 or any(char.isdigit() for char in word):
        return False
    upper = sum(char.isupper() for char in letters)
    return upper == len(letters) or (upper >= 2 and letters[0].isupper())


def abbreviation(
    word: str, syllable_keys: frozenset[str], known: frozenset[str], caps_line: bool = False
) -> bool:
    """Whether a token is an abbreviation to keep as written, not a word to restore.

    Capitals only (or a symbol's mixed case), and one of: a known abbreviation; no vowel
    (HS, SV, ĐT, KGVX, TTĐT); or, on a line in lower case, a spelling no Vietnamese syllable
    has (VPUB). Capitals that spell a syllable (BO, PHO, TRUONG) stay words: OCR and headings
    write words that way, and a heading's misread word (NGHTA) is no abbreviation either.
    """
    if not capitals(word):
        return False
    letters = "".join(char for char in word if char.isalpha())
    if letters in known or not VOWELS.intersection(skeleton(letters)):
        return True
    return not caps_line and letters.isupper() and skeleton(letters).lower() not in syllable_keys


def slash_abbreviation(text: str, start: int, end: int) -> bool:
    """One letter glued to `/` with a letter on its other side (t/h, V/v, K/T, đ/c)."""
    if end - start != 1 or skeleton(text[start].lower()) not in "bcdghklmnpqrstvx":
        return False
    before = text[max(start - 2, 0) : start]
    after = text[end : end + 2]
    return (len(before) == 2 and before[1] == "/" and before[0].isalpha()) or (
        len(after) == 2 and after[0] == "/" and after[1].isalpha()
    )


def in_symbol(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is an abbreviation glued to / or - (part of a symbol)."""
    if not _symbol_like(text[start:end]):
        return False
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before in "/-" or after in "/-"
