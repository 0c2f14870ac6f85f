"""Scoring extracted fields against hand labels: normalisation and per-field counts.

Values are compared exactly after normalisation (NFC, one tone placement, whitespace,
case, trailing punctuation and quote style); text that came from English-model OCR is
compared "loose": folded to letters and digits. Lists are compared as multisets of items.

Open lists (references, sections, figures) may hold items the truth does not list: the
scan generator's truth names only what it inserted, not the citations and figures of the
seed sentences it reuses as filler. `score(..., unlisted=...)` takes a predicate telling
which unmatched predicted items lie outside the truth's scope; those are counted apart
(`Counts.unlisted`), not as false positives.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.fields.text import compact, squash
from pipeline.fields.values import parse_number
from pipeline.text.vietnamese import canonical_tones

SCALARS = (
    "family", "doc_type", "type_code", "number", "symbol", "doc_number", "issuer_code",
    "national_heading", "place", "date", "subject", "draft", "term",
)
SIGNER = ("authority", "title", "name")
LISTS = ("issuer", "marks", "recipients", "cc")
ITEMS = ("references", "sections", "footnotes", "tables", "figures")
OPEN = ("references", "sections", "figures")  # fields a truth may list only in part
Unlisted = Callable[[str, Mapping[str, Any]], bool]  # (field, predicted item) -> out of scope
TITLE_CHARS = 60  # long numbered paragraphs have no natural title end: compare the start
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def norm(value: Any, loose: bool = False) -> str:
    """The comparable form of one value."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).translate(_QUOTES)
    if loose:
        return compact(text)
    text = squash(canonical_tones(text)).casefold()
    return text.rstrip(" .,;:")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unlisted: int = 0  # predicted items outside the truth's scope, neither tp nor fp

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.unlisted += other.unlisted

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
        elif field == "figures":
            parts = [item.get("value"), item.get("unit")]
        else:  # tables: "PHỤ LỤC 1", caption, row count
            rows = item.get("rows")
            parts = [item.get("title"), item.get("caption"),
                     len(rows) if isinstance(rows, list) else rows]
        out.append("|".join(norm(x, loose) for x in parts))
    return out


def _cells(table: Mapping[str, Any], parse: bool) -> Counter[str]:
    """A table's filled header and row cells as (column, value) keys; `parse` reads the
    non-STT cells of a truth written as text the way the record writes them (`07` → 7)."""
    out: Counter[str] = Counter()
    rows = [table.get("header") or [], *(table.get("rows") or [])]
    for row in rows:
        for k, cell in enumerate(row):
            number = parse_number(str(cell)) if parse and k and row is not rows[0] else None
            value = cell if number is None else number
            key = norm(value)
            if key:
                out[f"{k}|{key}"] += 1
    return out


def table_cells(pred: Sequence[Mapping[str, Any]], truth: Sequence[Mapping[str, Any]]
                ) -> tuple[Counts, list[str]]:  # fmt: skip
    """Cells of the tables, header and rows: each truth table is paired with the found
    table sharing most of its cells, and cells count as multisets of (column, value), so
    a row lost costs its own cells only. Returns the counts and the truth cells missed.

    The `tables` key (label, caption, row count) says whether a table was found; this
    says whether it was read: a table whose numbers are misread is still a `tables` hit.
    """
    found = [_cells(t, parse=False) for t in pred]
    counts, missed = Counts(), list[str]()
    for table in truth:
        want = _cells(table, parse=True)
        best = max(range(len(found)), key=lambda i: sum((found[i] & want).values()),
                   default=None)  # fmt: skip
        got = found.pop(best) if best is not None else Counter()
        tp = sum((got & want).values())
        counts.add(Counts(tp=tp, fp=sum(got.values()) - tp, fn=sum(want.values()) - tp))
        missed.extend(key.split("|", 1)[1] for key in (want - got).elements())
    counts.fp += sum(sum(c.values()) for c in found)
    return counts, missed


def _has_cells(truth: Mapping[str, Any]) -> bool:
    """Whether the truth lists its tables' cells (hand labels give row counts only)."""
    return all(isinstance(t.get("rows"), list) for t in truth.get("tables") or [])


def item_text(field: str, item: Mapping[str, Any]) -> str:
    """The words an item was read from: a citation, a figure, a heading's number and title."""
    if field == "sections":
        return f"{item.get('number') or ''} {item.get('title') or ''}".rstrip("…")
    return str(item.get("text") or "")


def _open_items(
    field: str,
    pred: Sequence[Mapping[str, Any]],
    truth: Sequence[Mapping[str, Any]],
    loose: bool,
    unlisted: Unlisted | None,
) -> Counts:
    p, t = _keys(field, pred, loose), _keys(field, truth, loose)
    items = list(pred)
    if field == "references":  # the set of cited documents, however often cited
        keep = [i for i, key in enumerate(p) if p.index(key) == i]  # first mentions
        items, p = [items[i] for i in keep], [p[i] for i in keep]
        t = list(dict.fromkeys(t))
    counts = _multiset(p, t)
    if unlisted is None or not counts.fp:
        return counts
    left = Counter(t)  # truth items not yet matched, so the unmatched predictions are known
    for item, key in zip(items, p, strict=True):
        if left[key] > 0:
            left[key] -= 1
        elif unlisted(field, item):
            counts.fp -= 1
            counts.unlisted += 1
    return counts


def score(
    pred: Mapping[str, Any],
    truth: Mapping[str, Any],
    loose: bool = False,
    unlisted: Unlisted | None = None,
) -> dict[str, Counts]:
    """Counts per field for one document; fields absent from `truth` are not scored.

    `unlisted(field, item)` says whether a predicted item of an open list (references,
    sections, figures) that matches no truth item lies outside what the truth lists;
    such items are counted in `unlisted`, not as false positives.
    """
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
    for name in ITEMS:
        if name not in truth:
            continue
        found, listed = pred.get(name) or [], truth[name] or []
        if name in OPEN:
            out[name] = _open_items(name, found, listed, loose, unlisted)
        else:
            out[name] = _multiset(_keys(name, found, loose), _keys(name, listed, loose))
    if "tables" in truth and _has_cells(truth) and not loose:
        out["table_cells"] = table_cells(pred.get("tables") or [], truth["tables"] or [])[0]
    return out


def unmatched_truth(name: str, pred: Mapping[str, Any], truth: Mapping[str, Any],
                    loose: bool = False) -> list[Any]:  # fmt: skip
    """The truth values of one field that no prediction matched (the false negatives):
    the value of a scalar, signer part or list item, or the item of an item list."""
    if name.startswith("signer."):
        part = name.split(".", 1)[1]
        p_val = (pred.get("signer") or {}).get(part)
        t_val = (truth.get("signer") or {}).get(part)
        return [t_val] if t_val and norm(p_val, loose) != norm(t_val, loose) else []
    if name == "table_cells":
        return table_cells(pred.get("tables") or [], truth.get("tables") or [])[1]
    if name in SCALARS:
        t_val = truth.get(name)
        return [t_val] if t_val and norm(pred.get(name), loose) != norm(t_val, loose) else []
    items = list(truth.get(name) or [])
    if name in LISTS:
        p_keys = [norm(x, loose) for x in pred.get(name) or []]
        t_keys = [norm(x, loose) for x in items]
    else:
        p_keys = _keys(name, pred.get(name) or [], loose)
        t_keys = _keys(name, items, loose)
    left = Counter(p_keys)
    out = []
    for item, key in zip(items, t_keys, strict=True):
        if left[key] > 0:
            left[key] -= 1
        elif key:
            out.append(item)
    return out
