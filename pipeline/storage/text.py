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

_TOKEN = re.compile(r"[^\W_]+")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below

# Bump when the functions below change what is indexed: the stores then rebuild their index.
INDEX_VERSION = "1"


def fold_d(text: str) -> str:
    """NFC text with đ/Đ folded to d/D: what goes into the accent-free index."""
    return unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case text with every Vietnamese mark removed, for comparing in Python."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _old_tone_pairs() -> dict[str, str]:
    """Old-style tone placement in open syllables (òa, òe, ùy) → new style (oà, oè, uỳ)."""
    pairs: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for vowel in (first, first.upper()):
            for tone in _TONES:
                toned = unicodedata.normalize("NFC", vowel + tone)
                for second in seconds + seconds.upper():
                    pairs[toned + second] = vowel + unicodedata.normalize("NFC", second + tone)
    return pairs


_OLD_TONE_PAIRS = _old_tone_pairs()
_OLD_TONE = re.compile(
    f"[{''.join(sorted({pair[0] for pair in _OLD_TONE_PAIRS}))}][aeyAEY](?![^\\W_])"
)


def canonical_tones(text: str) -> str:
    """NFC text with one tone placement (hoà, not hòa; thuỷ, not thủy), so that both
    spellings meet in the accent-exact index."""
    nfc = unicodedata.normalize("NFC", text)
    return _OLD_TONE.sub(lambda m: _OLD_TONE_PAIRS.get(m.group(), m.group()), nfc)


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
