"""`Nơi nhận` items written with the closed vocabulary they are made of.

Recipients are small text, and OCR and text repair leave single-letter errors in them
("chỉ bộ" for "chi bộ", "Thánh ủy", "Thường.trực", "thành ủy. đảng ủy", "Lưu: VF"). The
items are formulaic (Hướng dẫn 36-HD/VPTW; Nghị định 30/2020/NĐ-CP), so words that read
like a known phrase are written the known way (data/patterns/recipients.json).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.fields.rules import canonical_code, issuer_codes, recipients_vocabulary, regexes
from pipeline.fields.settings import SETTINGS
from pipeline.fields.text import compact
from pipeline.text.vietnamese import canonical_tones

_CLOSING = SETTINGS.closing
_INNER_DOT = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_A-ZĐ])")  # "Thường.trực"
_INNER_STOP = re.compile(r"\.(?= +[^\W\d_A-ZĐ])|;(?= +\w)")  # "thành ủy. đảng ủy", "TT; TC"
_STRAY = re.compile(r"\s[^\W\d_](?=\(b/c\)$)")  # "Tỉnh uỷ t(b/c)": a speck read as a letter
_LONE = re.compile(r"^[^\w(]\s+|^\d\s+(?=[^\W\d_])")  # "7 Thường trực": a dash read as 7
_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$")
_ARCHIVE = "luu"  # "Lưu": the archive copy; unit codes follow


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]  # as written, punctuation stripped
    key: str  # compact(fold) of the words


@dataclass(frozen=True)
class _Vocabulary:
    phrases: tuple[_Phrase, ...]  # most words first
    codes: frozenset[str]  # unit codes written after "Lưu"
    state_archive_code: str


@cache
def _vocabulary() -> _Vocabulary:
    raw = recipients_vocabulary()
    phrases = [_Phrase(tuple(_core(w) for w in t.split()), compact(t)) for t in raw["phrases"]]
    phrases.sort(key=lambda p: (-len(p.words), -len(p.key)))
    codes = frozenset(raw["office_codes"]) | frozenset(issuer_codes())
    return _Vocabulary(tuple(phrases), codes, raw["state_archive_code"])


def clean_item(item: str, family: str | None = None) -> str:
    """One recipients item with OCR damage to known phrases and codes repaired;
    `family` ("party" or "state") tells which archive code a damaged one stands for."""
    text = _INNER_STOP.sub(",", _INNER_DOT.sub(" ", _STRAY.sub(" ", item)))
    tokens = _phrases(text.split())
    return " ".join(_archive_codes(tokens, family))


def _phrases(tokens: list[str]) -> list[str]:
    """Tokens with every run that reads like a known phrase written the known way, the
    longest phrase first, left to right."""
    out = list(tokens)
    i = 0
    while i < len(out):
        found = _phrase_at(out, i)
        if found is None:
            i += 1
            continue
        window = out[i : i + len(found.words)]
        upper = all(_core(t).isupper() for t in window)  # "THÀNH ỦY", not "Thành UY"
        for k, word in enumerate(found.words):
            out[i + k] = _respell(window[k], word, upper)
        i += len(found.words)
    return out


def _phrase_at(tokens: list[str], i: int) -> _Phrase | None:
    for phrase in _vocabulary().phrases:
        n = len(phrase.words)
        if i + n > len(tokens):
            continue
        window = compact(" ".join(tokens[i : i + n]))
        if window == phrase.key:
            return phrase
        if (
            len(phrase.key) >= _CLOSING.fuzzy_letters
            and fuzz.ratio(window, phrase.key) >= _CLOSING.fuzzy_min_ratio
            and all(Levenshtein.distance(compact(t), compact(w)) <= 1
                    for t, w in zip(tokens[i : i + n], phrase.words, strict=True))
        ):  # a letter wrong in a word or two; "Trung ương Đoàn" is no "Trung ương Đảng"
            return phrase
    return None


def _respell(token: str, word: str, upper: bool) -> str:
    """`token` with its letters replaced by the known `word`, keeping the token's
    punctuation, case (capitals when the whole phrase was) and tone placement ("uỷ"
    stays when the word says "ủy")."""
    lead, core, tail = _parts(token)
    if canonical_tones(core).casefold() == canonical_tones(word).casefold():
        return token
    if upper:
        word = word.upper()
    elif core[:1].isupper() and not core[1:].isupper():
        word = word[:1].upper() + word[1:]
    elif core[:1].islower():
        word = word[:1].lower() + word[1:]
    return lead + word + tail


def _archive_codes(tokens: list[str], family: str | None) -> list[str]:
    """Unit codes after "Lưu" (an item's first word a letter from it is it; a lone letter
    before it is a damaged dash): a code OCR split in two is joined when that makes a
    known one ("UBKT TU" → "UBKTTU"), a period between codes is a comma, a damaged code is
    mapped by `_known_code`; in a state document the first code is the archive's
    (`Lưu: VT`), so an unknown one a letter away from it is that code ("VF", "VTF")."""
    if len(tokens) > 1 and Levenshtein.distance(compact(tokens[0]), _ARCHIVE) == 1:
        tokens = ["Lưu" + _parts(tokens[0])[2], *tokens[1:]]  # "L#u VP", "Luy VT"
    at = next((k for k, t in enumerate(tokens) if compact(t) == _ARCHIVE), None)
    if at is None:
        return tokens
    if at == 1 and len(_core(tokens[0])) <= 1:  # "I.lưu": the dash read as a letter
        tokens, at = ["Lưu" + _parts(tokens[1])[2], *tokens[2:]], 0
    vocab = _vocabulary()
    out = tokens[: at + 1]
    rest = tokens[at + 1 :]
    k = 0
    while k < len(rest):
        token = rest[k]
        nxt = rest[k + 1] if k + 1 < len(rest) else None
        if (
            nxt is not None
            and token.isalpha()
            and token.isupper()
            and token not in vocab.codes
            and token + _core(nxt) in vocab.codes
        ):
            token, k = token + nxt, k + 1
        out.append(token)
        k += 1
    first = at + 1
    for k in range(first, len(out)):
        lead, core, tail = _parts(out[k])
        if k + 1 < len(out) and tail == ".":
            tail = ","  # "Lưu TT. TC"
        if k == first and family == "state":
            code = vocab.state_archive_code
            if core.isupper() and core not in vocab.codes and Levenshtein.distance(core, code) == 1:
                core = code
        out[k] = lead + _known_code(core, vocab.codes) + tail
    return out


def _known_code(core: str, codes: frozenset[str]) -> str:
    """A unit code of three letters or more as the known code it was OCR'd from: by the
    usual confusions (`canonical_code`: "UBKTTTU"), else the one known code a letter away
    ("VFTU" → "VPTU", "VEHU" → "VPHU"); shorter or unmatched codes stay as read."""
    if len(core) < 3 or not core.isupper() or core in codes:
        return core
    mapped = canonical_code(core, set(codes))[0]
    if mapped != core:
        return mapped
    near = [c for c in codes if len(c) == len(core) and Levenshtein.distance(c, core) == 1]
    return near[0] if len(near) == 1 else core


def split_merged(item: str) -> list[str]:
    """An item OCR joined with the next one, whose dash it lost: split after a copy mark
    followed by a comma ("Ban Tổ chức Tỉnh ủy (b/€), 7 Thường trực Tỉnh ủy (b/c)"); a
    lone mark left where the dash was is dropped."""
    m = _merged().search(item)
    if m is None:
        return [item]
    rest = _LONE.sub("", item[m.end() :])
    return [item[: m.end()].rstrip(" ,;"), *split_merged(rest)] if rest else [item]


@cache
def _merged() -> re.Pattern[str]:
    """A copy mark ("(b/c)" as OCR reads it) inside an item, then a comma and more text."""
    return re.compile(regexes()["copy_mark"].pattern.removesuffix("$") + r"[,;]\s+(?=\S)")


def _parts(token: str) -> tuple[str, str, str]:
    """Leading punctuation, the word, trailing punctuation ("(b/c)," keeps its marks)."""
    m = _EDGE.match(token)
    assert m is not None  # the pattern matches any string
    return m.group(1), m.group(2), m.group(3)


def _core(token: str) -> str:
    return _parts(token)[1]
