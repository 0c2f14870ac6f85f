"""Body fields: section outline, references to other documents, footnotes, term, figures."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pipeline.fields.rules import doc_type_by_name, regexes, words
from pipeline.fields.text import Seg, is_upper_line, squash
from pipeline.fields.values import Evidence, date_from_text, parse_number, parse_symbol

Json = dict[str, Any]

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_ROMAN_OCR = str.maketrans({"1": "i", "|": "i", "l": "i"})
_TITLE_MAX = 200
_LEVELS = {"roman": 1, "arabic": 2, "letter": 5}


def _roman_value(numeral: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(numeral):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total if 0 < total <= 30 else None


def _title(text: str) -> str:
    text = squash(text)
    if len(text) <= _TITLE_MAX:
        return text
    return text[: text.rfind(" ", 0, _TITLE_MAX)] + "…"


def sections(segs: Sequence[Seg], first_line: int, last_line: int) -> list[Json]:
    """Numbered headings (I-, II., 1., 1.1., a)) between the subject and the closing.

    Levels are fixed by numbering style: roman 1, "1." 2, "1.1." 3, "1.1.1." 4, "a)" 5.
    """
    pattern = regexes()["section"]
    out: list[Json] = []
    for k, seg in enumerate(segs):
        if not first_line <= seg.line < last_line or seg.col != 0 or "\t" in seg.text:
            continue
        m = pattern.match(seg.folded)
        if m is None:
            continue
        num, sep = m.group("num"), m.group("sep")
        title = seg.text[m.start("title") :]
        if re.match(r"\S*[/\d]", title):
            continue  # "30-QĐ/ĐU ngày ..." is a document number, not a heading
        upper_title = is_upper_line(title)
        if num.isdigit() or re.fullmatch(r"\d+(?:\.\d+)+", num):
            if sep == ")" and "." in num:
                continue
            level = _LEVELS["arabic"] + num.count(".")
            number = num
            if re.fullmatch(r"[1]{2,3}", num) and upper_title and sep == "-":
                level, number = 1, "I" * len(num)  # "111- BAI HOC" is "III-" read badly
        elif re.fullmatch(r"[ivxl1|]+", num) and (
            sep != ")" and (upper_title or len(num) > 1 or num in "ivx")
        ):
            value = _roman_value(num.translate(_ROMAN_OCR))
            if value is None:
                continue
            level, number = 1, num.translate(_ROMAN_OCR).upper()
        elif len(num) == 1 and num.isalpha() and sep in (")", "."):
            level, number = _LEVELS["letter"], seg.text[m.start("num")]
        else:
            continue
        if upper_title and level == 1 and k + 1 < len(segs):
            nxt = segs[k + 1]
            if nxt.line == seg.line + 1 and is_upper_line(nxt.text) and len(nxt.text) < 80:
                title = title + " " + nxt.text
        out.append({"level": level, "number": number, "title": _title(title), "start": seg.start})
    return out


def references(text: str, folded: str) -> list[Json]:
    """Cited documents (type, number, symbol, date, issuer), one entry per document.

    Mentions of the same document are merged: the first mention gives the type, later
    ones may add the date or issuer; a mention without a symbol ("Hướng dẫn số 03")
    joins a mention of the same type and number that has one.
    """
    rx = regexes()
    found: list[Json] = []
    for m in rx["reference"].finditer(folded):
        party = m.group("ptype") is not None
        state = m.group("stype") is not None
        if not (party or state or m.group("so")):
            continue
        dtype = doc_type_by_name(m.group("type"))
        if dtype is None:
            continue
        ref: Json = {"type": dtype.name, "number": int(m.group("num")), "symbol": None}
        if party or state:
            g = ("ptype", "piss") if party else ("stype", "siss")
            type_raw = re.sub(r"\s", "", text[m.start(g[0]) : m.end(g[0])])
            iss_raw = re.sub(r"\s", "", text[m.start(g[1]) : m.end(g[1])])
            sym = parse_symbol(m.group("num"), m.group("year"), type_raw, iss_raw, party,
                               expected_type=dtype.code)
            ref["symbol"] = sym.symbol
        end = m.end()
        ref["date"] = None
        tail = rx["reference_tail"].match(folded, end)
        if tail:
            ref["date"] = date_from_text(tail.group("date_words") or tail.group("date_numeric"))
            end = tail.end()
        ref["issuer"] = None
        iss = rx["issuer_tail"].match(folded, end)
        if iss:
            stop = rx["issuer_stop"].search(folded, iss.start("issuer"), iss.end("issuer"))
            iss_end = stop.start() if stop else iss.end("issuer")
            ref["issuer"] = squash(text[iss.start("issuer") : iss_end]).rstrip(" -–") or None
            end = iss_end if ref["issuer"] else end
        ref.update(text=squash(text[m.start() : end]), start=m.start(), end=end)
        found.append(ref)
    return _merge(found)


def _merge(found: list[Json]) -> list[Json]:
    out: list[Json] = []
    keyed: dict[tuple[int, str], Json] = {}
    for ref in found:
        if ref["symbol"]:
            key = (ref["number"], ref["symbol"])
            if key in keyed:
                _fill(keyed[key], ref)
                continue
            loose = [r for r in out if r["symbol"] is None and r["number"] == ref["number"]
                     and r["type"] == ref["type"]]
            for r in loose:
                out.remove(r)
            keyed[key] = ref
            out.append(ref)
            for r in loose:
                _fill(ref, r)
        else:
            same = [r for r in out if r["number"] == ref["number"] and r["type"] == ref["type"]]
            if same:
                _fill(same[0], ref)
            else:
                out.append(ref)
    return sorted(out, key=lambda r: r["start"])


def _fill(into: Json, other: Json) -> None:
    for key in ("date", "issuer"):
        if into.get(key) is None and other.get(key) is not None:
            into[key] = other[key]
    if len(other["text"]) > len(into["text"]) and other.get("symbol"):
        into["text"] = other["text"]


def term(text: str, folded: str, subject: Evidence | None) -> tuple[str, Evidence] | None:
    """The term (nhiệm kỳ 2020-2025): the one in the subject, else the most cited."""
    hits = list(regexes()["term"].finditer(folded))
    if not hits:
        return None
    chosen = None
    if subject:
        chosen = next((h for h in hits if subject.start <= h.start() < subject.end), None)
    if chosen is None:
        counts = Counter((h.group("a"), h.group("b")) for h in hits)
        best = counts.most_common(1)[0][0]
        chosen = next(h for h in hits if (h.group("a"), h.group("b")) == best)
    value = f"{chosen.group('a')}-{chosen.group('b')}"
    conf = 0.95 if subject and subject.start <= chosen.start() < subject.end else 0.8
    return value, Evidence(chosen.start(), chosen.end(), text[chosen.start() : chosen.end()], conf)


def footnotes(segs: Sequence[Seg], first_line: int) -> list[Json]:
    """Footnotes in text: lines that start with the next footnote number (1, 2, 3 ...).

    Numbering must run on from 1, which keeps body lines that start with a number out;
    wrapped footnote lines join the footnote until a blank line or the next one.
    """
    pattern = regexes()["footnote"]
    out: list[Json] = []
    expected = 1
    current: Json | None = None
    last_line = -1
    for seg in segs:
        if seg.line < first_line or seg.col != 0:
            continue
        m = pattern.match(seg.folded)
        if m and int(m.group("marker")) == expected:
            current = {
                "marker": m.group("marker"),
                "text": squash(seg.text[m.start("text") :]),
                "start": seg.start,
                "end": seg.end,
            }
            out.append(current)
            expected += 1
        elif current is not None and seg.line == last_line + 1 and not seg.text[:1].isspace():
            if seg.text[:1].islower() or not current["text"].endswith((".", ";")):
                current["text"] = squash(current["text"] + " " + seg.text)
                current["end"] = seg.end
            else:
                current = None
        else:
            current = None
        last_line = seg.line
    return out


def figures(text: str, folded: str, first: int, last: int, taken: Sequence[tuple[int, int]]
            ) -> list[Json]:
    """Key figures: a count or percentage with the noun phrase it counts."""
    stop = set(words("noun_stop", folded=False))
    skip_before = words("figure_skip_before")
    out: list[Json] = []
    for m in regexes()["figure"].finditer(folded, first, last):
        a, _b = m.span("num")
        if any(s <= a < e for s, e in taken):
            continue
        before = folded[max(0, a - 14) : a].rstrip()
        if m.group("q") is None and any(before.endswith(w) for w in skip_before):
            continue
        value = parse_number(m.group("num"))
        if value is None:
            continue
        pct = bool(m.group("pct"))
        noun = _noun(text, m.end(), stop)
        if not pct and not noun:
            continue
        if not pct and isinstance(value, int) and 1900 <= value <= 2100 and not noun:
            continue
        fig: Json = {"value": value, "unit": "%" if pct else None, "noun": noun}
        if m.group("den"):
            fig["of"] = parse_number(m.group("den"))
        if m.group("q"):
            fig["qualifier"] = text[m.start("q") : m.end("q")]
        end = m.end() + (len(noun) + 1 if noun else 0)
        fig.update(text=text[m.start() : end].strip(), start=m.start(), end=end)
        out.append(fig)
    return out


def _noun(text: str, pos: int, stop: set[str]) -> str | None:
    """Up to five words after a number, ending at punctuation or a function word."""
    m = re.match(r"[ \t]+((?:[^\W\d_]+[ \t]?){1,5})", text[pos : pos + 60])
    if m is None:
        return None
    taken: list[str] = []
    offset = pos + m.start(1)
    for word in m.group(1).split():
        if word.lower() in stop:
            break
        taken.append(word)
    if not taken:
        return None
    length = len(" ".join(taken))
    return text[offset : offset + length]
