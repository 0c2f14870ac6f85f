"""Scoring extracted fields against hand labels: normalisation and per-field counts.

Values are compared exactly after normalisation (NFC, one tone placement, whitespace,
case, trailing punctuation and quote style); text that came from English-model OCR is
compared "loose": folded to letters and digits. Lists are compared as multisets of items.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.fields.text import compact, normalize_tones, squash

SCALARS = (
    "family", "doc_type", "type_code", "number", "symbol", "doc_number", "issuer_code",
    "national_heading", "place", "date", "subject", "draft", "term",
)
SIGNER = ("authority", "title", "name")
LISTS = ("issuer", "marks", "recipients", "cc")
TITLE_CHARS = 60  # long numbered paragraphs have no natural title end: compare the start
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def norm(value: Any, loose: bool = False) -> str:
    """The comparable form of one value."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).translate(_QUOTES)
    if loose:
        return compact(text)
    text = squash(normalize_tones(text)).casefold()
    return text.rstrip(" .,;:")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _scalar(pred: Any, truth: Any, loose: bool) -> Counts:
    p, t = norm(pred, loose), norm(truth, loose)
    if p and t:
        return Counts(tp=1) if p == t else Counts(fp=1, fn=1)
    return Counts(fp=1 if p else 0, fn=1 if t else 0)


def _multiset(pred: Iterable[str], truth: Iterable[str]) -> Counts:
    p, t = Counter(x for x in pred if x), Counter(x for x in truth if x)
    tp = sum((p & t).values())
    return Counts(tp=tp, fp=sum(p.values()) - tp, fn=sum(t.values()) - tp)


def _keys(field: str, items: Iterable[Mapping[str, Any]], loose: bool) -> list[str]:
    out = []
    for item in items:
        if field == "references":
            parts = [item.get("type"), item.get("number"), item.get("symbol"), item.get("date")]
        elif field == "sections":
            title = norm(item.get("title"), loose).rstrip("…")[:TITLE_CHARS]
            parts = [item.get("level"), item.get("number"), title]
        elif field == "footnotes":
            parts = [item.get("marker"), norm(item.get("text"), loose)[:TITLE_CHARS]]
        else:  # tables: "PHỤ LỤC 1", caption, row count
            rows = item.get("rows")
            parts = [item.get("title"), item.get("caption"),
                     len(rows) if isinstance(rows, list) else rows]
        out.append("|".join(norm(x, loose) for x in parts))
    return out


def score(pred: Mapping[str, Any], truth: Mapping[str, Any], loose: bool = False
          ) -> dict[str, Counts]:
    """Counts per field for one document; fields absent from `truth` are not scored."""
    out: dict[str, Counts] = {}
    for name in SCALARS:
        if name in truth:
            out[name] = _scalar(pred.get(name), truth[name], loose)
    if "signer" in truth:
        ps, ts = pred.get("signer") or {}, truth["signer"] or {}
        for part in SIGNER:
            if part in ts:
                out[f"signer.{part}"] = _scalar(ps.get(part), ts[part], loose)
    for name in LISTS:
        if name in truth:
            out[name] = _multiset(
                (norm(x, loose) for x in pred.get(name) or []),
                (norm(x, loose) for x in truth[name]),
            )
    for name in ("references", "sections", "footnotes", "tables", "figures"):
        if name in truth:
            p, t = _keys(name, pred.get(name) or [], loose), _keys(name, truth[name], loose)
            if name == "references":  # the set of cited documents, however often cited
                p, t = list(dict.fromkeys(p)), list(dict.fromkeys(t))
            out[name] = _multiset(p, t)
    return out
