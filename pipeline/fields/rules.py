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

from rapidfuzz.distance import Levenshtein

from pipeline.fields.text import compact, fold

_OCR_D = str.maketrans({"B": "Đ", "P": "Đ", "D": "Đ", "0": "O", "1": "I", "l": "I"})


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
    text = _data("places.txt")
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@cache
def regexes() -> dict[str, re.Pattern[str]]:
    """Compiled patterns of data/patterns/regex.json ({types}: reference type names)."""
    raw: dict[str, str] = json.loads(_data("patterns/regex.json"))
    names = sorted({fold(t.name) for t in doc_types() if t.reference}, key=len, reverse=True)
    types = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return {
        key: re.compile(value.replace("{types}", types), re.MULTILINE)
        for key, value in raw.items()
        if not key.startswith("_")
    }


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
    return tuple({**p, "pattern": _fold_pattern(p["pattern"])} for p in loaded)


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

    Tesseract reads Đ as B, P or D and drops or doubles a letter ("QDB" for "QĐ",
    "BU" for "ĐU"); an unknown code is mapped when one candidate is clearly closest.
    """
    if raw in known:
        return raw, 1.0
    upper = {k.upper(): k for k in known}
    if raw.upper() in upper:
        return upper[raw.upper()], 0.95
    if raw.upper().replace("D", "Đ") in upper:
        return upper[raw.upper().replace("D", "Đ")], 0.9
    variants = {raw.upper().translate(_OCR_D), raw.upper()}
    best: list[tuple[int, str]] = []
    for cand in known:
        c = cand.upper()
        dist = min(Levenshtein.distance(v, c) for v in variants)
        dist = min(dist, Levenshtein.distance(fold(raw), fold(cand)))
        best.append((dist, cand))
    best.sort()
    if best and best[0][0] <= max(1, len(raw) // 3) and (len(best) < 2 or best[1][0] > best[0][0]):
        return best[0][1], 0.7
    return raw, 0.5
