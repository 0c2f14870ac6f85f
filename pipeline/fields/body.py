"""Body fields: section outline, references to other documents, footnotes, term, figures."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from typing import Any

from pipeline.fields.rules import doc_type_by_name, regexes, syllables, words
from pipeline.fields.settings import SETTINGS
from pipeline.fields.spelling import respell
from pipeline.fields.text import Seg, is_upper_line, squash
from pipeline.fields.values import (
    OCR_DIGITS,
    Evidence,
    date_from_text,
    parse_number,
    parse_symbol,
)
from pipeline.text.confusions import translation
from pipeline.text.vietnamese import canonical_tones, fold

Json = dict[str, Any]

_BODY = SETTINGS.body
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_ROMAN_OCR = translation("roman-strokes")  # "HI." is III
_LEVELS = {"roman": 1, "arabic": 2, "letter": 5}


def _roman(value: int) -> str:
    """"III" for 3 (values up to 39)."""
    tens, units = divmod(value, 10)
    return "X" * tens + ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"][units]


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
    if len(text) <= _BODY.title_chars:
        return text
    return text[: text.rfind(" ", 0, _BODY.title_chars)] + "…"


def sections(segs: Sequence[Seg], first_line: int, last_line: int) -> list[Json]:
    """Numbered headings (I-, II., 1., 1.1., a)) between the subject and the closing.

    Levels are fixed by numbering style: roman 1, "1." 2, "1.1." 3, "1.1.1." 4, "a)" 5.
    """
    pattern, bare, part = regexes()["section"], regexes()["section_bare"], regexes()["part_heading"]
    out: list[Json] = []
    roman = 0  # the last roman number: OCR drops an I ("I-" for "II-"), numbers go on
    for k, seg in enumerate(segs):
        if not first_line <= seg.line < last_line or seg.col != 0 or "\t" in seg.text:
            continue
        if part.match(seg.folded):
            roman = 0  # a new part ("PHẦN THỨ HAI") numbers from I again
        m = pattern.match(seg.folded)
        sep = m.group("sep") if m else None
        if m is None:  # "II NHIỆM VỤ ...": OCR lost the separator of a roman heading
            m = bare.match(seg.folded)
            if m is None or not seg.text[: m.end("num")].isupper():
                continue
            if not is_upper_line(seg.text[m.start("title") :]):
                continue
        num = m.group("num")
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
        elif re.fullmatch(r"[ivxl1|h]+", num) and (
            sep != ")" and (upper_title or len(num) > 1 or num in "ivx")
        ):
            value = _roman_value(num.translate(_ROMAN_OCR))
            if value is None:
                continue
            if value == roman and upper_title:
                value = roman + 1  # read as the number before: OCR dropped an I
            roman = value
            level, number = 1, _roman(value)
        elif len(num) == 1 and num.isalpha() and sep in (")", "."):
            level, number = _LEVELS["letter"], seg.text[m.start("num")]
        else:
            continue
        if upper_title and level == 1 and k + 1 < len(segs):
            nxt = segs[k + 1]
            if nxt.line == seg.line + 1 and is_upper_line(nxt.text) and len(nxt.text) < 80:
                title = title + " " + nxt.text
        elif not upper_title:
            title = _wrapped_title(title, segs, k)
        out.append({"level": level, "number": number, "title": _title(title), "start": seg.start})
    return out


def _wrapped_title(title: str, segs: Sequence[Seg], k: int) -> str:
    """A heading's title with the lines it wraps onto: the next line of its column when
    it opens with a small letter (a paragraph opens with a capital or a dash) or the title
    leaves a parenthesis open ("(tổng hợp" / "từ báo cáo hoạt động của Tổ năm 2023)");
    at most two lines."""
    line = segs[k].line
    for nxt in segs[k + 1 : k + 3]:
        if nxt.line != line + 1 or nxt.col != segs[k].col or "\t" in nxt.text:
            break
        if not (nxt.text[:1].islower() or title.count("(") > title.count(")")):
            break
        title, line = f"{title} {nxt.text.strip()}", nxt.line
    return title


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
        number = m.group("num").translate(OCR_DIGITS)  # "III-BC/..." is 111
        ref: Json = {"type": dtype.name, "number": int(number), "symbol": None}
        end = m.end()
        if party or state:
            g = ("ptype", "piss") if party else ("stype", "siss")
            type_raw = re.sub(r"\s", "", text[m.start(g[0]) : m.end(g[0])])
            iss_raw = re.sub(r"\s", "", text[m.start(g[1]) : m.end(g[1])])
            sym = parse_symbol(number, m.group("year"), type_raw, iss_raw, party,
                               expected_type=dtype.code)
            ref["symbol"] = sym.symbol
        elif loose := _symbol_without_separators(text, end, number, dtype.code):
            ref["symbol"], end = loose
        ref["date"] = None
        tail = rx["reference_tail"].match(folded, end)
        if tail:
            ref["date"] = date_from_text(_tail_date(tail))
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
    found.extend(_named_laws(text, folded))
    return _merge(sorted(found, key=lambda r: r["start"]))


def _tail_date(tail: re.Match[str]) -> str:
    return str(tail.group("date_words") or tail.group("date_numeric") or tail.group("date_spaced"))


_LOOSE_SYMBOL = re.compile(  # as written: codes in capitals, separators lost or kept
    r"[ \t]+(?:(?P<year>\d{4})[ \t]+)?(?P<type>[A-ZĐ][A-Za-zĐđ]{0,4})"
    r"(?P<sep>[ \t]*[/-][ \t]*|[ \t]+)(?P<issuer>[A-ZĐ][A-ZĐa-z]{0,9})(?![\w/-])")


def _symbol_without_separators(text: str, pos: int, number: str, expected: str
                               ) -> tuple[str, int] | None:  # fmt: skip
    """The symbol after a cited number whose dash or slashes OCR lost ("Chỉ thị số 240
    CT/ĐUK", "Nghị định số 24 2014 NĐ CP"): capitals codes that are known ones (the type
    code the cited type's, or one OCR-damaged like it), and where it ends. A year, or a
    dash between the codes, makes it a state symbol ("NĐ-CP")."""
    m = _LOOSE_SYMBOL.match(text, pos)
    if m is None:
        return None
    state = m.group("year") is not None or "-" in m.group("sep")
    sym = parse_symbol(number, m.group("year"), m.group("type"), m.group("issuer"), not state,
                       expected_type=expected)
    if sym.type_code != expected or sym.confidence < SETTINGS.known_code_confidence:
        return None
    return sym.symbol, m.end()


def _named_laws(text: str, folded: str) -> list[Json]:
    """Laws cited by name and date ("Luật Lưu trữ ngày 11 tháng 11 năm 2011")."""
    rx = regexes()
    out: list[Json] = []
    for m in rx["named_law"].finditer(folded):
        name = text[m.start("name") : m.end("name")]
        if not (text[m.start()].isupper() and name[:1].isupper()):
            continue
        tail = rx["reference_tail"].match(folded, m.end("name"))
        if tail is None:
            continue
        dtype = doc_type_by_name(m.group("type"))
        out.append({
            "type": dtype.name if dtype else squash(text[m.start("type") : m.end("type")]),
            "number": None,
            "symbol": None,
            "name": squash(name),
            "date": date_from_text(_tail_date(tail)),
            "issuer": None,
            "text": squash(text[m.start() : tail.end()]),
            "start": m.start(),
            "end": tail.end(),
        })
    return out


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
            same = [r for r in out if r["number"] == ref["number"] and r["type"] == ref["type"]
                    and r.get("name") == ref.get("name")]
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


def term(text: str, folded: str, header_end: int) -> tuple[str, Evidence] | None:
    """The term (nhiệm kỳ 2020-2025) the header or subject names; body mentions of other
    terms ("quy hoạch nhiệm kỳ 2025-2030") are not the document's term."""
    m = regexes()["term"].search(folded, 0, header_end)
    if m is None:
        return None
    value = f"{m.group('a')}-{m.group('b')}"
    return value, Evidence(m.start(), m.end(), text[m.start() : m.end()], 0.95)


def footnotes(
    text: str, segs: Sequence[Seg], first_line: int, page_ends: Sequence[int] = (),
    signed: int | None = None,
) -> list[Json]:
    """Footnotes in text: runs of lines starting with footnote numbers at a page foot.

    A candidate line starts with a number and text ("1 Theo số liệu ..."); wrapped lines
    join it. Candidates right after one another with numbers counting up form a run; a
    run is kept when it sits at a page foot (a blank line above it, or a blank line, a
    page number or the end of the text below it) or below the signer's name (`signed`:
    typed text has no blank lines to tell a page foot), and its numbers go on from the notes
    before (a few may be skipped: OCR turns some markers into symbols). Appendix tables
    (from a `PHỤ LỤC` capitals line on) hold no footnotes: OCR reads their rules as `|`.
    A note whose raised number OCR read as a speck (`?`, `` ` ``, `:`) takes the number
    after the note above it, or the number expected there when it opens a run.
    `page_ends` (offsets in `text` where the scan's pages end) also finds a note whose
    number OCR lost, by the marker left in the body above it or, on the signer's page, by
    its place after the signer's name (`signed`: where the name ends; see `_unnumbered`).
    """
    body = _before_appendix(segs, first_line)
    out: list[Json] = []
    expected = 1
    for run in _runs(_candidates(body, first_line), text):
        if run[0]["marker"] == _UNKNOWN:  # its number read as a speck: the one expected
            for k, note in enumerate(run):
                note["marker"] = str(expected + k)
        first = int(run[0]["marker"])
        gap = _BODY.footnote_gap if expected > 1 else 0  # the first run starts at 1
        signed_above = signed is not None and run[0]["start"] > signed
        if expected <= first <= expected + gap and (signed_above or _at_page_foot(text, run)):
            out.extend(run)
            expected = int(run[-1]["marker"]) + 1
    notes = _unnumbered(text, body, first_line, page_ends, out, signed)
    for note in notes:
        note["text"] = _tidy(note["text"])
    return notes


def _tidy(note: str) -> str:
    """Punctuation OCR damaged in a note's sentence: a period between two words ("Có.biểu"),
    a comma glued to the next word ("31/12/2013,theo"), a comma read as a period before a
    small letter ("giải thể. sáp nhập", "31/12/2022. theo"), a leading 1 read as a letter
    ("i50 đảng viên"). Decimal commas ("56,3") are left alone. Known phrases read with
    other tone marks in the small type are written as known ("biếu tống hợp" → "biểu tổng
    hợp", see `spelling.respell`)."""
    note = _PERIOD_FOR_COMMA.sub(",", _GLUED_COMMA.sub(", ", _INNER_DOT.sub(" ", note)))
    return respell(_LOST_SLASH.sub(_date_slashes, _ONE_AS_LETTER.sub("1", note)))


def _date_slashes(m: re.Match[str]) -> str:
    """`ngày 3112.2013` (the small type's first slash lost, the second read as a period)
    or `ngày 31 12 2014` (both read as spaces) as `ngày 31/12/2013` when the digits are a
    valid day and month."""
    d, mo = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
    if 1 <= int(d) <= 31 and 1 <= int(mo) <= 12:
        return f"{d}/{mo}/{m.group('y')}"
    return m.group()


def _before_appendix(segs: Sequence[Seg], first_line: int) -> Sequence[Seg]:
    pattern = regexes()["appendix"]
    for k, seg in enumerate(segs):
        if seg.line >= first_line and pattern.match(seg.folded) and is_upper_line(seg.text):
            return segs[:k]
    return segs


def _unnumbered(
    text: str, segs: Sequence[Seg], first_line: int, page_ends: Sequence[int],
    found: list[Json], signed: int | None = None,
) -> list[Json]:
    """`found` plus notes that lost their number: the last paragraph of a page, one
    sentence set apart by a blank line (a speck such as `*` may be left where its number
    was), when no note was found on that page and the page's body holds the next note's
    marker glued to a word ("tiền chất1.", "tỉnh!."), the sentence ending in a period
    (or a comma: the small type's period misread); or, on the page of the signer's name
    (`signed`), when the sentence comes after that name, however it ends: nothing but notes
    follows the signature on its page (appendix pages may come after)."""
    out = list(found)
    start = 0
    for end in page_ends:
        on_page = [s for s in segs if start <= s.start < end and s.line >= first_line]
        if on_page and not any(start <= n["start"] < end for n in out):
            before = [n for n in out if n["start"] < start]
            expected = int(before[-1]["marker"]) + 1 if before else 1
            note = _page_foot_sentence(text, on_page, end)
            after_signature = signed is not None and start <= signed < end and (
                note is not None and note.start > signed)
            closed = note is not None and note.text.endswith((".", ","))
            if note is not None and (
                after_signature or (closed and _marker_in(text[start : note.start], expected))
            ):
                out.append({"marker": str(expected),
                            "text": squash(note.text.lstrip(_MARKER_SPECKS)),
                            "start": note.start, "end": note.end})
                out.sort(key=lambda n: n["start"])
        start = end
    return out


def _note(marker: str, text: str, seg: Seg) -> Json:
    """A footnote found on the segment `seg`: its marker, its text, its span."""
    return {"marker": marker, "text": squash(text.lstrip(_MARKER_SPECKS)), "start": seg.start,
            "end": seg.end}


def _page_foot_sentence(text: str, on_page: Sequence[Seg], end: int) -> Seg | None:
    last = on_page[-1]
    line_start = text.rfind("\n", 0, last.start) + 1  # before it: "* " where a number was
    if (
        text[last.end : end].strip()
        or text[line_start : last.start].strip(_MARKER_SPECKS)
        or text[max(0, line_start - 2) : line_start] != "\n\n"
    ):
        return None
    t = last.text.lstrip(_MARKER_SPECKS)  # "* Số liệu ...": the lost number's speck
    if t[:1].isupper() and _wordy(t) and not is_upper_line(t):
        return last
    return None


def _marker_in(body: str, number: int) -> bool:
    """A footnote marker glued to a word before punctuation: "chất1.", "tỉnh!," (a raised
    1 read as "!", "|" or "'")."""
    marks = re.escape(str(number)) + ("|[!|']" if number == 1 else "")
    return re.search(rf"[^\W\d_](?:{marks})(?=[.,;:])", body) is not None


_LOST_SLASH = re.compile(  # "ngày 3112.2013", "ngày 31 12 2014": slashes the small type lost
    r"(?<=ngày )(?:(?P<d>\d\d)(?P<m>\d\d)[./,]|(?P<d2>\d\d?) (?P<m2>\d\d?) )"
    r"(?P<y>(?:19|20)\d\d)\b")
_GLUED_COMMA = re.compile(r",(?=[^\W\d_])")
_ONE_AS_LETTER = re.compile(  # "i50", "l7/3", "I.111"
    r"(?<![\w.,/])[iIl](?=(?:\d+|[.,]\d{3})(?:[.,/]\d+)*(?!\w))")
_INNER_DOT = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_A-ZĐ])")  # "Có.biểu"
_PERIOD_FOR_COMMA = re.compile(r"(?<=[^\W_])\.(?= [^\W\d_A-ZĐ])")
_MARKER_SPECKS = "”“\"'’‘`^ˆ*°†? "  # what OCR leaves of a raised number it could not read
_MARKER_OCR = translation("footnote-marker")  # a raised 1 as OCR reads it
_MARKER_LOST = ("?", "`", ":")  # a raised number OCR read as a speck
_DAGGER = "† "  # a raised 1 OCR read as a dagger (or a dagger used as the marker)
_UNKNOWN = "0"  # the marker of a note whose number is not known yet (see `footnotes`)


def _candidates(segs: Sequence[Seg], first_line: int) -> list[Json]:
    pattern = regexes()["footnote"]
    found: list[Json] = []
    current: Json | None = None
    last_line = -1
    for seg in segs:
        if seg.line < first_line or seg.col != 0 or "\t" in seg.text:
            continue
        folded = seg.folded  # a dagger folds to "+", a list bullet: as a lost number here
        m = pattern.match("?" + folded[1:] if seg.text.startswith(_DAGGER) else folded)
        note = seg.text[m.start("text") :] if m else ""
        if (  # "1M. ỦY BAN ..." is no note, nor "1 và khoản 2 ..." (a wrapped body line)
            m and _wordy(note) and not is_upper_line(note)
            and note.lstrip(_MARKER_SPECKS)[:1].isupper()
        ):
            marker = m.group("marker").translate(_MARKER_OCR)  # "!": a 1
            if marker in _MARKER_LOST:
                follows = current is not None and seg.line == last_line + 1
                marker = str(int(current["marker"]) + 1) if follows and current else _UNKNOWN
            current = _note(marker, note, seg)
            found.append(current)
        elif (
            current is not None
            and seg.line == last_line + 1
            and current["text"].endswith(".")
            and (bare := seg.text.lstrip(_MARKER_SPECKS))[:1].isupper()
            and _wordy(bare)
            and not is_upper_line(bare)
            and not pattern.match(seg.folded)
        ):  # the next note, its raised number lost or read as a quote by OCR
            current = _note(str(int(current["marker"]) + 1), bare, seg)
            found.append(current)
        elif (
            current is not None
            and seg.line == last_line + 1
            and (seg.text[:1].islower() or not current["text"].endswith((".", ";")))
        ):
            current["text"] = squash(current["text"] + " " + seg.text)
            current["end"] = seg.end
        else:
            current = None
        last_line = seg.line
    return found


def _wordy(text: str) -> bool:
    """Footnote text reads as Vietnamese (not OCR'd rules and specks, nor show-through
    read as mirrored letters): at least three words of two letters or more that are
    Vietnamese syllables, and they are most of its words."""
    parts = text.split()
    valid = syllables()
    real = sum(len(w) >= 2 and w in valid for w in (_letters(fold(p)) for p in parts))
    return real >= 3 and 2 * real >= len(parts)


def _reads_vietnamese(phrase: str) -> bool:
    """The phrase's words are Vietnamese syllables (or capitals abbreviations: "UBND")."""
    parts = phrase.split()
    valid = syllables()
    return bool(parts) and all(
        _letters(fold(p)) in valid or (p.isupper() and len(p) > 1) for p in parts)


def _letters(word: str) -> str:
    return "".join(c for c in word if c.isalpha())


def _runs(found: Sequence[Json], text: str) -> list[list[Json]]:
    runs: list[list[Json]] = []
    for note in found:
        prev = runs[-1][-1] if runs else None
        if (
            prev is not None
            and int(note["marker"]) == int(prev["marker"]) + 1
            and not text[prev["end"] : note["start"]].strip()
        ):
            runs[-1].append(note)
        else:
            runs.append([note])
    return runs


def _at_page_foot(text: str, run: Sequence[Json]) -> bool:
    """A blank line above the run; or below it the end of the text, a page break or a page
    number; or a blank line below it, unless the line above stops mid-sentence."""
    start, end = run[0]["start"], run[-1]["end"]
    if start == 0 or text[max(0, start - 2) : start] == "\n\n":
        return True
    after = text[end:]
    if (
        not after.strip()
        or after.startswith("\n\f")
        or after.lstrip("\n").split("\n", 1)[0].strip().isdigit()
    ):
        return True
    if text[:start].rstrip()[-1:].isalnum():  # "... tại điểm a khoản" / "1 Điều 28 ...":
        return False  # a body sentence wrapped before a number, not a note below it
    return after.startswith("\n\n")


def figures(text: str, folded: str, first: int, last: int, taken: Sequence[tuple[int, int]]
            ) -> list[Json]:
    """Key figures: a count or percentage with the noun phrase it counts.

    `unit` is "%" or the noun phrase (what the scan generator's truth calls it); `noun` is
    the phrase after the number in both cases ("trên 80% chi bộ": unit "%", noun "chi bộ").
    """
    stop = set(words("noun_stop", folded=False))
    skip_before = _skip_before()
    spans = sorted(taken)
    starts = [s for s, _ in spans]
    reach = list(accumulate((e for _, e in spans), max))  # furthest end up to each span
    out: list[Json] = []
    for m in regexes()["figure"].finditer(folded, first, last):
        a = m.start("num")
        k = bisect_right(starts, a) - 1
        if k >= 0 and reach[k] > a:
            continue
        if m.group("q") is None and skip_before.search(folded, max(0, a - 14), a):
            continue
        value = parse_number(m.group("num"))
        if value is None:
            continue
        pct = bool(m.group("pct"))
        noun = _noun(text, m.end(), stop)
        if not pct and not (noun and _reads_vietnamese(noun)):
            continue  # no noun, or show-through read as mirrored letters ("82 iödÙ")
        if not pct and re.fullmatch(r"(?:19|20)\d\d", m.group("num")):
            continue  # a year ("07/4/ 2021 Ban Chấp hành ...")
        if _alone_on_line(folded, m.start(), m.end()):
            continue  # a page number
        unit = "%" if pct else _known_unit(text, folded, m.end()) or noun
        fig: Json = {"value": value, "unit": unit, "noun": noun}
        if m.group("den"):
            fig["of"] = parse_number(m.group("den"))
        if m.group("q"):
            fig["qualifier"] = text[m.start("q") : m.end("q")]
        end = m.end() + (len(noun) + 1 if noun else 0)
        fig.update(text=text[m.start() : end].strip(), start=m.start(), end=end)
        out.append(fig)
    return out


@cache
def _skip_before() -> re.Pattern[str]:
    """Words after which a number is a date, a term, an article or a list number."""
    names = "|".join(re.escape(w) for w in words("figure_skip_before"))
    return re.compile(rf"\b(?:{names})\s*$")


def _alone_on_line(folded: str, start: int, end: int) -> bool:
    line_start = folded.rfind("\n", 0, start) + 1
    line_end = folded.find("\n", end)
    line_end = len(folded) if line_end < 0 else line_end
    return not folded[line_start:start].strip() and not folded[end:line_end].strip()


@cache
def _units() -> re.Pattern[str]:
    """The counted nouns of words.json "figure_units", longest first, after a number."""
    names = sorted(words("figure_units"), key=len, reverse=True)
    alts = "|".join(r"\s+".join(re.escape(w) for w in name.split()) for name in names)
    return re.compile(rf"[ \t]*\n?[ \t]*(?P<unit>{alts})(?![\w-])")


def _known_unit(text: str, folded: str, pos: int) -> str | None:
    """The known counted noun right after a number ("377 đảng viên mới": "đảng viên"),
    spelled as the list spells it when OCR damaged its marks ("chỉ bộ" → "chi bộ")."""
    m = _units().match(folded, pos)
    if m is None:
        return None
    written = squash(text[m.start("unit") : m.end("unit")])
    known = {" ".join(fold(u).split()): u for u in words("figure_units", folded=False)}
    spelled = known.get(" ".join(m.group("unit").split()), written)
    return written if canonical_tones(written) == canonical_tones(spelled) else spelled


def _noun(text: str, pos: int, stop: set[str]) -> str | None:
    """Up to five words after a number (a line break may fall between them), ending at
    punctuation or a function word."""
    end = pos
    taken = 0
    for m in _WORD.finditer(text, pos, pos + 80):
        if m.start() != end or m.group("word").lower() in stop or taken == 5:
            break
        end, taken = m.end("word"), taken + 1
    return squash(text[pos:end]) or None


_WORD = re.compile(r"(?:[ \t]+|[ \t]*\n(?![ \t]*\n)[ \t]*)(?P<word>[^\W\d_]+)")
