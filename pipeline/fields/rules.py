"""Rule data for field extraction, loaded once from `pipeline/fields/data/`.

Tables (type and issuer codes, places) are TSV/text files and patterns are JSON, so the
rules can be read and extended without touching code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.fields.text import compact
from pipeline.text.confusions import translation
from pipeline.text.vietnamese import fold, strip_marks

_OCR_D = translation("code-letters")


@dataclass(frozen=True)
class DocType:
    code: str
    name: str  # "Báo cáo"
    family: str  # "party", "state" or "both"
    reference: bool  # searched in the body as the type of a cited document

    @property
    def heading(self) -> str:
        """The name as written in a header line: "BÁO CÁO"."""
        return self.name.upper()


def _data(name: str) -> str:
    return resources.files("pipeline.fields").joinpath("data").joinpath(name).read_text("utf-8")


@cache
def given_names() -> dict[str, int]:
    """How often each given name ends a personal name in running text (data/given_names.tsv,
    built by scripts/build_given_names.py)."""
    return {row[0]: int(row[1]) for row in _rows("given_names.tsv")}


@cache
def year_names() -> dict[str, str]:
    """The sixty can chi year names, keyed by their letters without marks, lower case
    (`at ty` → `Ất Tỵ`), from data/year_names.tsv."""
    rows = {row[0]: row[1:] for row in _rows("year_names.tsv")}
    stems, branches = rows["stems"], rows["branches"]
    names = [f"{stems[k % 10]} {branches[k % 12]}" for k in range(60)]
    return {fold(name): name for name in names}


@cache
def central_terms() -> dict[str, tuple[int, int]]:
    """The Central Committee's terms, oldest first: roman number -> (year, month) of the
    congress that elected it (data/central_terms.tsv)."""
    return {row[0]: (int(row[1]), int(row[2])) for row in _rows("central_terms.tsv")}


def _rows(name: str) -> list[list[str]]:
    text = _data(name)
    return [ln.split("\t") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def doc_types() -> tuple[DocType, ...]:
    """Document types with their symbols, from data/type_codes.tsv."""
    return tuple(DocType(r[0], r[1], r[2], r[3] == "yes") for r in _rows("type_codes.tsv"))


@cache
def issuer_codes() -> dict[str, str]:
    """Issuing-body symbol → name, from data/issuer_codes.tsv."""
    return {r[0]: r[1] for r in _rows("issuer_codes.tsv")}


@cache
def places() -> tuple[str, ...]:
    """Place names written before ", ngày" in headers, from data/places.txt."""
    return _lines(_data("places.txt"))


@cache
def districts() -> tuple[str, ...]:
    """District-level place names (data/districts.txt), also written before ", ngày"."""
    return _lines(_data("districts.txt"))


def _lines(text: str) -> tuple[str, ...]:
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@cache
def recipients_vocabulary() -> dict[str, Any]:
    """Phrases and unit codes of `Nơi nhận` items, from data/patterns/recipients.json."""
    loaded: dict[str, Any] = json.loads(_data("patterns/recipients.json"))
    return loaded


@cache
def syllables() -> frozenset[str]:
    """Folded Vietnamese syllables, from data/syllables.txt."""
    text = _data("syllables.txt")
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and ln[0] != "#")


@cache
def regexes() -> dict[str, re.Pattern[str]]:
    """Compiled patterns of data/patterns/regex.json ({types}: reference type names)."""
    raw: dict[str, str] = json.loads(_data("patterns/regex.json"))
    types = trie_regex({fold(t.name) for t in doc_types() if t.reference})
    return {
        key: re.compile(value.replace("{types}", types), re.MULTILINE)
        for key, value in raw.items()
        if not key.startswith("_")
    }


def trie_regex(names: set[str]) -> str:
    """One alternation for many names, shared prefixes factored out.

    Python's re tries a flat alternation name by name at every word start; the factored
    form makes the reference search about twice as fast. Spaces match any whitespace.
    """
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [
        (r"\s+" if ch == " " else re.escape(ch)) + _emit(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


@cache
def words(name: str, folded: bool = True) -> tuple[str, ...]:
    """A word list of data/patterns/words.json, e.g. the stop words of a noun phrase."""
    loaded: dict[str, list[str]] = json.loads(_data("patterns/words.json"))
    return tuple(fold(w) if folded else w for w in loaded[name])


def _fold_pattern(pattern: Any) -> Any:
    """Fold the literal strings of a SpanRuler pattern, so data files stay in Vietnamese."""
    if isinstance(pattern, str):
        return fold(pattern)
    if isinstance(pattern, list):
        return [_fold_pattern(p) for p in pattern]
    if isinstance(pattern, dict):
        return {k: v if k == "OP" else _fold_pattern(v) for k, v in pattern.items()}
    return pattern


@cache
def span_patterns() -> tuple[dict[str, Any], ...]:
    """SpanRuler patterns of data/patterns/keywords.jsonl, folded."""
    loaded = [json.loads(ln) for ln in _data("patterns/keywords.jsonl").splitlines() if ln.strip()]
    return tuple(
        {"label": p["label"], "id": p["id"], "pattern": _fold_pattern(p["pattern"])}
        for p in loaded
    )  # other keys ("ocr": an OCR variant, not a written form) are notes for readers


@cache
def keyword_ids(label: str) -> tuple[str, ...]:
    """The canonical forms (ids) of the keywords with this label, e.g. every TITLE."""
    loaded = [json.loads(ln) for ln in _data("patterns/keywords.jsonl").splitlines() if ln.strip()]
    return tuple(dict.fromkeys(p["id"] for p in loaded if p["label"] == label))


@cache
def authority_forms() -> dict[str, str]:
    """Authority prefix, Party form → state form ("T/M" → "TM."), from words.json."""
    loaded: dict[str, dict[str, str]] = json.loads(_data("patterns/words.json"))
    return dict(loaded["authority_forms"])


@cache
def doc_type_by_name(name: str, family: str | None = None) -> DocType | None:
    """The type whose name folds like `name`, preferring the given family."""
    key = compact(name)
    found = [t for t in doc_types() if compact(t.name) == key]
    for t in found:
        if family is None or t.family in (family, "both"):
            return t
    return found[0] if found else None


@cache
def doc_type_by_code(code: str, family: str | None = None) -> DocType | None:
    """The type with this symbol, preferring the given family (TT: Thông tri or Thông tư)."""
    found = [t for t in doc_types() if t.code == code]
    for t in found:
        if family is None or t.family in (family, "both"):
            return t
    return found[0] if found else None


def canonical_code(raw: str, known: set[str]) -> tuple[str, float]:
    """The known code an OCR'd code stands for, with a confidence.

    Tesseract reads Đ as B, P or D and 1 for I ("BU" for "ĐU", "PUK" for "ĐUK"); a code
    is mapped only when such a substitution, a letter too many, or a lost letter that only
    one known code can have lost ("W" → "TW", confidence 0.65) makes it a known one. Other
    unknown codes are kept as written: tables never list every body.
    """
    raw = raw.translate(translation("eth"))  # Icelandic eth, as OCR often reads Đ
    if raw in known:
        return raw, 1.0
    upper = {k.upper(): k for k in known}
    for variant, conf in ((raw.upper(), 0.95), (raw.upper().replace("D", "Đ"), 0.9)):
        if variant in upper:
            return upper[variant], conf
    bare = strip_marks(raw.upper(), keep_d=True)  # "BDVTỤ": a stray mark, not a letter
    if bare in upper:
        return upper[bare], 0.85
    for k, ch in enumerate(bare):
        if ch in "BPD0178Y":
            swapped = bare[:k] + ch.translate(_OCR_D) + bare[k + 1 :]
            if swapped in upper:
                return upper[swapped], 0.75
    if len(bare) >= 3:  # one letter too many: "UBKTTTU", "ThUÚ", "ĐĐĐ"
        for k in range(len(bare)):
            shorter = bare[:k] + bare[k + 1 :]
            if shorter in upper:
                return upper[shorter], 0.7
    # OCR repeats a Đ ("ĐĐĐĐ" for ĐĐ, "GD&ĐĐT"); other repeated letters are often real
    # ("BTTTT" is Bộ Thông tin và Truyền thông), so only runs of Đ are told apart
    stuttered = re.sub("Đ+", "Đ", bare)
    matches = {code for code in upper if re.sub("Đ+", "Đ", code) == stuttered}
    if stuttered != bare and len(matches) == 1:
        return upper[matches.pop()], 0.7
    longer = {code for code in upper if len(code) == len(bare) + 1
              and any(code[:k] + code[k + 1 :] == bare for k in range(len(code)))}
    if len(longer) == 1:  # one letter lost, and only one code it can be: "W" is TW
        return upper[longer.pop()], 0.65
    return raw, 0.6
