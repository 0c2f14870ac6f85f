"""Closing fields: `Nơi nhận:` and `Đồng kính gửi:` lists and the signature block."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.fields.match import Match
from pipeline.fields.rules import words
from pipeline.fields.text import Seg, fold, is_upper_line, squash
from pipeline.fields.values import Evidence
from pipeline.record import Signer

_DASH = ("-", "–", "—", "+", "•", "·")
_TAIL = re.compile(r"[\s,;.]+$")
_NAME_WINDOW = 12  # lines searched for the signer's name after the title


@dataclass
class Closing:
    recipients: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)
    start_line: int | None = None  # first line of the closing block
    end_line: int | None = None  # line after the signer's name
    evidence: dict[str, Evidence] = field(default_factory=dict)


def _labelled(seg: Seg, keywords: Sequence[Match], label: str) -> Match | None:
    """The keyword that opens this segment ("Nơi nhận:"), if any."""
    lead = len(seg.folded) - len(seg.folded.lstrip("*-_ "))
    for m in keywords:
        if m.label == label and seg.start + lead == m.start:
            return m
    return None


def item_text(raw: str) -> str:
    """A list item as written, without its dash and trailing comma, semicolon or period."""
    text = raw.strip().lstrip("".join(_DASH)).strip()
    return _TAIL.sub("", squash(text))


def _list_after(
    segs: Sequence[Seg], at: int, label: Match, stop_labels: set[int]
) -> tuple[list[str], Evidence | None, int]:
    """Dash items after a label segment; returns items, evidence and the next segment index."""
    items: list[str] = []
    first = segs[at]
    inline = first.text[label.end - first.start :].lstrip(" :")
    if inline:
        items.append(item_text(inline))
    i = at + 1
    last = first
    col = first.col
    while i < len(segs):
        seg = segs[i]
        if i in stop_labels:
            break
        if seg.col != col and seg.line == segs[i - 1].line:
            i += 1
            continue  # the other column (signature) on the same line
        text = seg.text.lstrip()
        if text.startswith(_DASH):
            items.append(item_text(text))
            last = seg
        elif items and text[:1].islower() and not items[-1].endswith((",", ";")):
            items[-1] = item_text(items[-1] + " " + text)
            last = seg
        else:
            break
        i += 1
    items = [x for x in items if x]
    if not items:
        return [], None, at + 1
    ev = Evidence(first.start, last.end, "", 0.95)
    return items, ev, i


def _is_name(text: str) -> bool:
    parts = text.split()
    if not 2 <= len(parts) <= 6:
        return False
    if any(not p.isalpha() for p in parts):
        return False
    titled = all(p[0].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts)
    return titled or all(p.isupper() for p in parts)


def _keyword_in(seg: Seg, keywords: Sequence[Match], labels: set[str]) -> Match | None:
    for m in keywords:
        if m.label in labels and seg.start <= m.start < seg.end:
            return m
    return None


def build_closing(
    segs: Sequence[Seg], text: str, keywords: Sequence[Match], body_line: int
) -> Closing:
    """Read recipients, copies and the signature block after the body."""
    c = Closing()
    rec_at = cc_at = None
    for i, seg in enumerate(segs):
        if seg.line < body_line:
            continue
        if rec_at is None and _labelled(seg, keywords, "RECIPIENTS"):
            rec_at = i
        elif cc_at is None and _labelled(seg, keywords, "CC"):
            cc_at = i
    labels = {x for x in (rec_at, cc_at) if x is not None}
    after_lists = None
    if rec_at is not None:
        label = _labelled(segs[rec_at], keywords, "RECIPIENTS")
        assert label is not None
        c.recipients, ev, after_lists = _list_after(segs, rec_at, label, labels)
        c.start_line = segs[rec_at].line
        if ev:
            c.evidence["recipients"] = Evidence(ev.start, ev.end, text[ev.start : ev.end], 0.95)
    if cc_at is not None:
        label = _labelled(segs[cc_at], keywords, "CC")
        assert label is not None
        c.cc, ev, end = _list_after(segs, cc_at, label, labels)
        after_lists = max(after_lists or 0, end)
        if ev:
            c.evidence["cc"] = Evidence(ev.start, ev.end, text[ev.start : ev.end], 0.95)
    _signer(c, segs, text, keywords, body_line, rec_at, after_lists)
    return c


def _signer(
    c: Closing,
    segs: Sequence[Seg],
    text: str,
    keywords: Sequence[Match],
    body_line: int,
    rec_at: int | None,
    after_lists: int | None,
) -> None:
    """Authority (T/M, K/T, T/L, Q.), title and name, searched around the recipients."""
    begin = max(0, (rec_at if rec_at is not None else len(segs) - 40) - 6)
    auth_at = title_at = None
    for i in range(begin, len(segs)):
        seg = segs[i]
        if seg.line < body_line or len(seg.text) > 60:
            continue
        m = _keyword_in(seg, keywords, {"AUTHORITY"})
        if m and m.start == seg.start and is_upper_line(seg.text):
            auth_at = i
            c.signer.authority = squash(seg.text)
            c.evidence["signer.authority"] = Evidence(seg.start, seg.end, seg.text, 0.95)
            break
    search_from = auth_at + 1 if auth_at is not None else begin
    for i in range(search_from, min(len(segs), search_from + 8)):
        seg = segs[i]
        if seg.line < body_line or seg.text.startswith(_DASH):
            continue
        t = _keyword_in(seg, keywords, {"TITLE"})
        upper = is_upper_line(seg.text) and len(seg.text) <= 50
        if (t and upper) or (auth_at is not None and i == auth_at + 1 and upper):
            title_at = i
            c.signer.title = squash(seg.text)
            c.evidence["signer.title"] = Evidence(seg.start, seg.end, seg.text, 0.9)
            break
    anchor = title_at if title_at is not None else auth_at
    if anchor is None:
        anchor = (after_lists - 1) if after_lists is not None else None
    if anchor is None:
        return
    skip = words("name_skip")
    limit = segs[anchor].line + _NAME_WINDOW
    for seg in segs[anchor + 1 :]:
        if seg.line > limit:
            break
        candidate = seg.text.strip("() ")
        if seg.text.startswith(_DASH) or fold(candidate) in skip or _keyword_in(
            seg, keywords, {"TITLE", "AUTHORITY", "RECIPIENTS", "CC"}
        ):
            continue
        if _is_name(candidate):
            c.signer.name = candidate
            c.evidence["signer.name"] = Evidence(seg.start, seg.end, seg.text, 0.9)
            c.end_line = seg.line + 1
            return
