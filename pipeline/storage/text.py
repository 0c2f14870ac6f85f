"""What both search backends index: folded and tone-canonical text, tokens, indexed columns.

Typing without tone marks must find accented text, so the accent-free index holds text
folded by `fold_d` (đ→d; the backend then drops the other marks) and queries are folded by
`fold`; a second, accent-exact index holds `canonical_tones` text. Both backends call these
same functions, so SQLite and PostgreSQL fold identically.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.record import Record
from pipeline.text.vietnamese import set_tone_style, strip_marks

_TOKEN = re.compile(r"[^\W_]+")

# Bump when the functions below change what is indexed: the stores then rebuild their index.
INDEX_VERSION = "1"


def fold_d(text: str) -> str:
    """NFC text with đ/Đ folded to d/D: what goes into the accent-free index."""
    return unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case text with every mark removed and đ→d, for comparing in Python and for the
    folded facet rows; in NFD, as index version 1 stores it (a Hangul syllable as its jamo)."""
    return unicodedata.normalize("NFD", strip_marks(text)).casefold()


def canonical_tones(text: str) -> str:
    """NFC text in the accent-exact index's tone placement, so that both spellings meet there.

    The index has stored the new style (hoà, thuỷ) since version 1; comparing in Python uses
    `pipeline.text.vietnamese.canonical_tones` (old style) instead.
    """
    return set_tone_style(text, "new")


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


# Relative weight of a match in each indexed column (BM25 column weights in SQLite).
SUBJECT_WEIGHT, META_WEIGHT, BODY_WEIGHT = 8.0, 2.0, 1.0
