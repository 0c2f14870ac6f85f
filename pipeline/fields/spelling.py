"""Words of a field written the known way when OCR gave them other tone marks.

Small or italic type (footnotes, a subject read off a photocopy) is read with wrong tone
marks: "biếu tống hợp chỉ tiết" for "biểu tổng hợp chi tiết", "chuyến đối số" for
"chuyển đổi số". Each syllable is a valid one, so text repair keeps them. A run of two to
four words that is a phrase of data/phrases.txt but for its tone marks (its letters, vowel
marks and đ the same, except that ă may stand for a: OCR reads the hook of ả as a breve,
"đăng viên" for "đảng viên") is written as the phrase: its tone marks are taken, its case
kept. Runs that differ in more than that are left alone ("có số" is not "cơ sở").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache
from importlib import resources

from pipeline.text.vietnamese import TONE_MARKS, canonical_tones, fold

_BREVE = "\u0306"  # ă: small type's hook of ả is read as a breve ("đăng viên" for "đảng viên")
_UNTONED_DROPS = frozenset(TONE_MARKS) | {_BREVE}
_WORD = re.compile(r"[^\W\d_]+")
_LONGEST = 4  # words in the longest phrase


@cache
def _phrases() -> dict[str, str]:
    """Folded phrase → its spelling, for folds that only one phrase has."""
    text = resources.files("pipeline.fields").joinpath("data/phrases.txt").read_text("utf-8")
    out: dict[str, str] = {}
    seen: set[str] = set()
    for line in text.splitlines():
        phrase = " ".join(line.split())
        if not phrase or phrase.startswith("#"):
            continue
        key = fold(phrase)
        if key in seen:
            out.pop(key, None)  # two phrases fold alike: neither is certain
        else:
            out[key] = unicodedata.normalize("NFC", phrase)
        seen.add(key)
    return out


def _untoned(word: str) -> str:
    """The word without its tone mark and the breve of ă, other vowel marks and đ kept
    ("tống" → "tông", "đăng" → "đang")."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _UNTONED_DROPS))


def _cased(known: str, written: str) -> str:
    """`known` in the case of `written` (capitals, title case or lower case)."""
    if written.isupper() and len(written) > 1:
        return known.upper()
    if written[:1].isupper():
        return known[:1].upper() + known[1:]
    return known


def respell(text: str) -> str:
    """`text` with each run of words that is a known phrase but for its tone marks written
    as the phrase; runs are taken left to right, longest first."""
    phrases = _phrases()
    words = list(_WORD.finditer(text))
    out: list[str] = []
    pos, i = 0, 0
    while i < len(words):
        run = _phrase_at(text, words, i, phrases)
        if run is None or _overlaps_written_phrase(text, words, i, len(run), phrases):
            i += 1
            continue
        for w, k in run:
            out.append(text[pos : w.start()])
            same = canonical_tones(w.group().lower()) == canonical_tones(k.lower())
            out.append(w.group() if same else _cased(k, w.group()))
            pos = w.end()
        i += len(run)
    return "".join(out) + text[pos:]


def _overlaps_written_phrase(text: str, words: list[re.Match[str]], i: int, n: int,
                             phrases: dict[str, str]) -> bool:
    """A known phrase, spelled exactly as written, starts inside the run at `i` and goes on
    past it: "tổ chức đăng ký" is "tổ chức" + "đăng ký", not "tổ chức đảng" (epu-03)."""
    for j in range(i + 1, i + n):
        later = _phrase_at(text, words, j, phrases)
        if later and j + len(later) > i + n and all(
                canonical_tones(w.group().lower()) == canonical_tones(k.lower()) for w, k in later):
            return True
    return False


def _phrase_at(text: str, words: list[re.Match[str]], i: int, phrases: dict[str, str]
               ) -> list[tuple[re.Match[str], str]] | None:
    """The longest run of words from `i` on, one space apart, that folds like a known
    phrase and has its letters: (word, known spelling) pairs; None when none does."""
    for n in range(min(_LONGEST, len(words) - i), 1, -1):
        run = words[i : i + n]
        if any(text[a.end() : b.start()] != " " for a, b in itertools.pairwise(run)):
            continue
        known = phrases.get(" ".join(fold(w.group()) for w in run))
        if known is None:
            continue
        pairs = list(zip(run, known.split(), strict=True))
        if all(_untoned(w.group()) == _untoned(k) for w, k in pairs):
            return pairs
        return None  # other letters, not only other tones: not this phrase
    return None
