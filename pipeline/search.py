"""Analysts' search over the store: text folding, query parsing, ranking, snippets, facets.

Typing without tone marks must find accented text, so the main full-text index holds text
folded the way FTS5 cannot do alone (`đ`→`d`; `unicode61 remove_diacritics 2` strips the
rest). A second, accent-exact index lets a query typed with tone marks rank exact matches
first. Query text never reaches FTS5 raw: every token is quoted by `match_expression`.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.record import Record

_D_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
_TOKEN = re.compile(r"[^\W_]+")
# Old-style tone placement (hòa, khỏe, thủy) moved to the new style (hoà, khoẻ, thuỷ) in NFD,
# only in open syllables, so that both spellings meet in the accent-exact index.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OLD_TONE = re.compile(
    rf"(?<=[oO])([{_TONES}])([aAeE])(?![^\W_]|[\u0300-\u036f])"
    rf"|(?<=[uU])([{_TONES}])([yY])(?![^\W_]|[\u0300-\u036f])"
)

# Bump when the functions below change what is indexed: the store then rebuilds its index.
INDEX_VERSION = "1"


def fold_d(text: str) -> str:
    """NFC text with đ/Đ folded to d/D: what goes into the accent-free index."""
    return unicodedata.normalize("NFC", text).translate(_D_FOLD)


def fold(text: str) -> str:
    """Lower-case text with every Vietnamese mark removed, for comparing in Python."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_D_FOLD).casefold()


def canonical_tones(text: str) -> str:
    """NFC text with one tone placement (hoà, not hòa): what goes into the exact index."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_TONE.sub(_move_tone, decomposed)
    return unicodedata.normalize("NFC", moved)


def _move_tone(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(2) + match.group(1)
    return match.group(4) + match.group(3)


def tokens(text: str) -> list[str]:
    """Word tokens the way FTS5's unicode61 tokenizer splits them (letters and digits)."""
    return _TOKEN.findall(text)


def has_marks(word: str) -> bool:
    """True when a word carries a tone mark, a vowel mark or đ."""
    return fold(word) != word.casefold()


def index_columns(record: Record) -> tuple[str, str, str]:
    """The (subject, meta, body) texts indexed for a record, before folding.

    The subject column carries the document type too, so "bao cao so ket" weighs on it; meta
    carries number, issuer lines, place and signer, searchable without a field prefix.
    """
    subject = " ".join(part for part in (record.doc_type, record.subject) if part)
    meta_parts = [record.doc_number, *record.issuer, record.place, record.signer.name]
    meta = "\n".join(part for part in meta_parts if part)
    body = record.text or "\n".join(page.text for page in record.pages)
    return subject, meta, body
