"""Header fields: issuing body, national heading, number and symbol, place and date,
draft and urgency marks, document type and subject (trích yếu)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from pipeline.fields.match import Match
from pipeline.fields.names import canonical_issuer, continues_phrase, splits_into_syllables
from pipeline.fields.rules import (
    canonical_code,
    districts,
    doc_type_by_code,
    doc_type_by_name,
    doc_types,
    issuer_codes,
    keyword_ids,
    places,
    regexes,
    syllables,
    words,
)
from pipeline.fields.settings import SETTINGS
from pipeline.fields.spelling import respell
from pipeline.fields.text import (
    Seg,
    compact,
    is_upper_line,
    reads_as_words,
    squash,
)
from pipeline.fields.values import OCR_DIGITS, Evidence, Symbol, iso_date, parse_symbol
from pipeline.record import Page, Word
from pipeline.text.confusions import translation
from pipeline.text.vietnamese import canonical_tones, fold

_HEADER = SETTINGS.header
_OCR_INITIALS = (translation("initial-d"), translation("initial-b"))  # Đ read as P or B, B as R
_DAY_MONTH = re.compile(r"\bng[a-z]{0,2}y\b.*\bth[a-z]{1,3}ng\b")
# "Dự thảo" with a stray mark inside ("Dự' thảo") or the Ự read twice ("DỰ ỰT THẢO")
_DRAFT_BARE = re.compile(
    r"^d[uyvw]?\W?\s*(?:[uyvw]\w?\s+)?(?P<word>t[hb][a-z]{1,3})\b(?P<rest>.*)$"
)
_DRAFT_WORD = re.compile(r"^t[hb][ai][oec]$")  # "thảo", "thio", "tbao": no more damage
_DRAFT_ROUND = re.compile(r"^\W*l[a-z0-9]{1,2}n\s*(?:thu\s*)?([\dil|]{1,2})\b")
_DAY_WORD = re.compile(r"ng[a-z]{0,2}y\W*$")
_NUMBER = re.compile(r"^\d{1,4}[,.]?$")
_PLACE_DAY = re.compile(r"[^\d,]{2,30},\s*ng[a-z]{0,2}y\b")  # "Bắc Giang, ngày 15 tháng 01 năm"
_DAY_AT_END = re.compile(r",\s*ng[a-z]{0,2}y\s*$")  # "Kiên Giang, ngày" / "13 tháng 9 năm 2020"
_HEADINGS = {
    "ĐẢNG CỘNG SẢN VIỆT NAM": "party",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": "state",
}
_MOTTO = "doclaptudohanhphuc"
_VV = re.compile(  # V/v; OCR'd "V/y", "Vy", "V⁄%v", "VX%", "VWV"; older: "Về việc : ..."
    r"^(?:v\s*[/|w]?\s*[vyx%/]{1,2}|ve\s+viec\s*:)(?=\s|$)"
)
# a công văn's subject under its number may open with "Về" alone: "Về Chương trình ..." (ex-08)
_VE = re.compile(r"^Về\s+\w")
# ... or with a "V/v" OCR broke further ("VỀ'ý cung cấp", ex-88): a V, up to three marks or
# letters, then a v or y, as one token; or a V, its slash and one other letter ("V/b", ex-110)
_BROKEN_VV = re.compile(r"^v(?:\S{1,3}[vy]|/[a-z])(?=\s+\w)")  # on the folded line
_NUMBER_LABEL = re.compile(r"^s[o0][^\w\s]")  # folded "Số„2⁄Í6 TB-ĐHĐL": a number line OCR broke
# "66-CT/QU, ngày ...", also with a letter of the code read as a digit ("399-C1/BTCTW")
_CITES = re.compile(r"\d{1,5}\s*[-/]\s*[a-z][a-z0-9]{0,5}\s*[/-]\s*[a-z]")
_DOUBLED_PUNCT = re.compile(r"([,;])[:;.,]+(?=\s)")  # "phương hướng,: nhiệm vụ"
_SLASH_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")  # a cited date: "ngày 02/02/2015"
_SPLIT_CODE = re.compile(r"(?<=/)([A-ZĐ]{2,6}) (T[UƯ]|Từ|Tư|TW|HU|QU|ĐU)(?=[\s,.;]|$)")
_SEMICOLON_DATE = re.compile(r"(?<=[A-ZĐa-z])[;:](?= ngày \d)")  # "...-CT/TW; ngày 02/8/2008"
_SPECK_IN_SYMBOL = re.compile(r"(?<=[A-ZĐ])['’`](?=[A-ZĐ]+\b)")  # "KH/UBKT'TU"
_ROMAN_AFTER = re.compile(r"((?i:\bkh(?:óa|oá|oa))\s+)([IVXLH1l|]{2,6})\b")  # "khóa XIH" (XIII)
_ROMAN_NUMBER = re.compile(r"(?=[IVXL])X{0,3}(?:IX|IV|V?I{0,3})")
_NUMBERS_ONLY = re.compile(r"[\d\s\-–./,;:()IVXLivxl]+")
_LOOSE_NUMBER = re.compile(  # folded; "§" folds to "s", and "s" is no digit: checked after
    r"^(?:\S{1,3}\s+)?(?P<num>[\dzsil|!o]{1,5})\s*"
    r"(?:[-.\s]\s*(?P<ptype>[a-z]{1,4})\s*[/\s]\s*(?P<piss>[a-z]{1,8})"
    r"|/\s*(?P<stype>[a-z]{1,4})\s*[-\s]\s*(?P<siss>[a-z]{1,8}))[\s.,]*$"
)
_NUMBER_LOOKS = translation("number-line-digits")  # a number line's digits: "Z161", "§44"


@dataclass
class Header:
    """What the header says; `end_line` is the first line of the body."""

    issuer: list[str] = field(default_factory=list)
    national_heading: str | None = None
    family: str | None = None
    symbol: Symbol | None = None
    place: str | None = None
    date: str | None = None
    draft: str | None = None
    marks: list[str] = field(default_factory=list)
    doc_type: str | None = None
    type_code: str | None = None
    subject: str | None = None
    subject_after_vv: bool = False  # read from "V/v ..." under the number: a công văn
    end_line: int = 0
    evidence: dict[str, Evidence] = field(default_factory=dict)


def _ev(seg: Seg, confidence: float, start: int | None = None, end: int | None = None) -> Evidence:
    a = seg.start if start is None else start
    b = seg.end if end is None else end
    return Evidence(a, b, seg.text[a - seg.start : b - seg.start], confidence)


def doc_type_line(seg: Seg) -> tuple[str, float] | None:
    """The document type a short capitals line names ("BÁO CÁO", OCR'd "o BAOCAO")."""
    if len(seg.text) > 40 or any(c.isdigit() for c in seg.text):
        return None
    tokens = seg.text.split()
    found = _type_name(tokens)
    if found is None and len(tokens) > 2:  # a stray mark at an edge: "o BAOCAO"
        inner = [t for k, t in enumerate(tokens)
                 if len(compact(t)) > 2 or 0 < k < len(tokens) - 1]
        found = _type_name(inner)
    if found is None and (lead := _capitals_before_mark(tokens)):
        found = _type_name(lead)  # "KẾ HOẠCH ~ fÕanh nghiệp": a smear read on beside it (ex-20)
    return found


def _type_and_title(seg: Seg) -> tuple[str, str] | None:
    """The type and the title's words of a capitals line that prints both ("BÁO CÁO CÔNG
    TÁC PHÒNG, CHỐNG THAM NHŨNG", ex-48): the line's first words name a type exactly and
    at least two words follow. Asked only below the national heading: a body's name above
    it may open with a type's words."""
    tokens = seg.text.split()
    if len(tokens) < 4 or not is_upper_line(seg.text) or any(c.isdigit() for c in seg.text):
        return None
    names = _type_names()
    for k in (3, 2):
        if len(tokens) - k >= 2 and (heading := names.get(compact(" ".join(tokens[:k])))):
            return heading, " ".join(tokens[k:])
    return None


def _capitals_before_mark(tokens: Sequence[str]) -> list[str]:
    """The capitals words that open a line up to a token of marks only ("~", "|"), when
    one follows them: the line's own words, and what a smear or a stamp beside it gave."""
    for k, token in enumerate(tokens):
        if not any(c.isalnum() for c in token):
            return list(tokens[:k]) if k > 0 else []
        if not (token.isalpha() and token.isupper()):
            return []
    return []


@cache
def _type_names() -> dict[str, str]:
    """Each type's name, compacted ("BÁOCÁO"), to its heading."""
    return {compact(t.name): t.heading for t in doc_types()}


def _type_name(tokens: Sequence[str]) -> tuple[str, float] | None:
    core = " ".join(tokens)
    if not core or not is_upper_line(core):
        return None
    key = compact(core)
    names = _type_names()
    if key in names:
        return names[key], 1.0
    best = process.extractOne(key, list(names), scorer=fuzz.ratio)
    if best and best[1] >= _HEADER.type_min_ratio:
        return names[best[0]], best[1] / 100
    return None


def _heading(seg: Seg, keywords: Sequence[Match]) -> tuple[str, float] | None:
    for m in keywords:
        if m.label.startswith("HEADING") and seg.start <= m.start < seg.end:
            return m.id, 1.0
    key = compact(seg.text)
    for heading in _HEADINGS:
        score = fuzz.ratio(key, compact(heading))
        if score >= _HEADER.heading_min_ratio:
            return heading, score / 100
    return None


_PLACE_DATE = re.compile(
    r"^(?P<place>[^\W\d][^,\n]{1,40}?)\s*,\s*ng[a-z]{0,2}y\b.*\bth[a-z]{1,3}ng\b"
)


def _place_only(seg: Seg) -> tuple[str, Evidence] | None:
    """The place of a place-and-date line whose date OCR damaged past reading ("Quảng Trị,
    ngày 0Ì tháng 6 năm 20179", the year lost): title-case words before ", ngày"."""
    m = _PLACE_DATE.match(seg.folded)
    if m is None:
        return None
    written = seg.text[: m.end("place")].strip(" ,*")
    if not written or not all(w[:1].isupper() for w in written.split()):
        return None
    place, conf = canonical_place(written)
    return place, _ev(seg, conf * 0.8, seg.start, seg.start + len(written))


def _place_alone(seg: Seg) -> tuple[str, Evidence] | None:
    """A known place alone on the line above the date, ending in a comma: OCR cut the
    place-and-date line in two at the gap after the comma (ex-11)."""
    written = seg.text.strip()
    if not written.endswith(",") or len(written.split()) > _HEADER.place_words:
        return None
    place, confidence = canonical_place(written[:-1])
    if confidence < _HEADER.known_place_confidence:
        return None
    return place, _ev(seg, confidence)


def _place_from_issuer(h: Header) -> None:
    """A place OCR damaged ("Noa Thạch", "Hưng Đo") that is no known place but reads like
    a name in the issuer lines ("ĐẢNG ỦY XÃ NGA THẠCH"), written as the issuer writes it:
    the place is the issuing body's locality, and capitals lines read better than the
    italic date line."""
    assert h.place is not None
    if canonical_place(h.place)[1] >= 1.0:
        return
    n = len(h.place.split())
    key = compact(h.place)
    best, best_score = None, 0.0
    for line in h.issuer:
        parts = line.split()
        for k in range(len(parts) - n + 1):
            name = " ".join(parts[k : k + n])
            score = fuzz.ratio(key, compact(name))
            if score > best_score and name.isupper() and compact(name) != key:
                best, best_score = name, score
    if best is not None and best_score >= _HEADER.place_from_issuer_ratio:
        h.place = " ".join(w[:1] + w[1:].lower() for w in best.split())
        if "place" in h.evidence:
            ev = h.evidence["place"]
            h.evidence["place"] = Evidence(ev.start, ev.end, ev.text, ev.confidence * 0.8)


def _raw_date(h: Header, head: Sequence[Seg], raw: str) -> None:
    """Place and date from the header of the first page as OCR read it (down to the
    document type: dates below it are the body's); the evidence is the repaired header
    line that holds "ngày ... tháng", if one does."""
    raw_lines = [ln for ln in raw.split("\n") if ln.strip()][:_HEADER.type_scan_lines]
    raw_segs = [Seg(0, len(ln), ln, fold(ln), k) for k, ln in enumerate(raw_lines)]
    for k, seg in enumerate(raw_segs):
        if doc_type_line(seg):
            return
        dated = _date(seg, raw_segs[k + 1 : k + 5])
        if dated is None or dated[0] is None:
            continue
        value, place = dated[0], dated[1]
        line = _date_line(head)
        h.date = value
        if line is not None:
            h.evidence["date"] = _ev(line, 0.6)
            if h.place is None and place is not None:
                h.place = place
                h.evidence["place"] = _ev(line, 0.5)
        return


def _date_line(head: Sequence[Seg]) -> Seg | None:
    return next((s for s in head if _DAY_MONTH.search(s.folded)), None)


def _header_row(h: Header, head: Sequence[Seg], page: Page) -> None:
    """Date and place read from the word boxes level with "ngày" on the first page.

    OCR may read an italic date line as overlapping pieces ("Lức, ngày 15 tháng 3 năm 20",
    "ăm 2024", "ày 15 thú", "Bến") or cut it in two lines side by side. When no date was
    read, the numbers whose middle lies within the height of "ngày" and right of it are
    the day, month and year, in order; of two numbers that overlap, the wider is the whole
    one ("2024", not "20"). The title-case words right before "ngày" (no gap wider than
    twice the line's height between them) are the place when the line read gave only its
    end ("Lức" → "Bến Lức"): a known place, or up to three words for a one-word place.
    Only the header is searched: above the document type line, in the top 30% of the page.
    """
    found = [w for ln in page.lines for w in ln.words if len(w.bbox) == 4]
    top = page.height * _HEADER.place_date_top if page.height else float("inf")
    type_line = next((ln for ln in page.lines if len(ln.bbox) == 4
                      and doc_type_line(Seg(0, len(ln.text), ln.text, fold(ln.text), 0))), None)
    if type_line is not None:  # the date is above the document type; body dates are below
        top = min(top, type_line.bbox[1])
    for anchor in found:
        if anchor.bbox[1] > top or not _DAY_WORD.match(fold(anchor.text)):
            continue
        y0, y1 = anchor.bbox[1], anchor.bbox[3]
        row = [w for w in found if y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= y1 and w is not anchor]
        after = [w for w in row if w.bbox[0] >= anchor.bbox[2] and _NUMBER.match(w.text)]
        parts = [w.text.rstrip(",.") for w in _whole(after, lambda w: w.bbox[2] - w.bbox[0])]
        value = iso_date(parts[2], parts[1], parts[0]) if len(parts) == 3 else None
        if h.date is None and value:
            h.date = value
            if (ev := _date_line(head)) is not None:
                h.evidence["date"] = _ev(ev, 0.5)
        place, known = canonical_place(_place_before(anchor, row))
        if (h.place and place != h.place and fold(place).endswith(" " + fold(h.place))
                and (known >= _HEADER.known_place_confidence
                     or (" " not in h.place and place.count(" ") <= 2))):
            h.place = place
        if value or h.place:
            return


def _place_before(anchor: Word, row: Sequence[Word]) -> str:
    """The title-case words that run up to `anchor` from its left, pieces dropped."""
    left = [w for w in row if w.bbox[2] <= anchor.bbox[0] + 10 and (
        (w.text[:1].isupper() and not w.text[1:].isupper())  # not the issuer's capitals
        or w.text in _PLACE_DASHES)]  # "Bà Rịa - Vũng Tàu" (ex-148)
    gap = 2 * (anchor.bbox[3] - anchor.bbox[1])
    edge, taken = anchor.bbox[0], []
    for w in reversed(_whole(left, lambda w: w.confidence)):
        if edge - w.bbox[2] > gap:
            break
        taken.append(w.text)
        edge = w.bbox[0]
    return " ".join(reversed(taken)).strip(" ,-–—")


_PLACE_DASHES = frozenset("-–—")


def _whole(words: Sequence[Word], rank: Callable[[Word], float]) -> list[Word]:
    """Words left to right, each dropped that overlaps one ranked higher (a piece of it)."""
    kept: list[Word] = []
    for w in sorted(words, key=rank, reverse=True):
        if not any(_overlap(w, k) for k in kept):
            kept.append(w)
    return sorted(kept, key=lambda w: w.bbox[0])


def _year_by_mentions(line: str, text: str) -> str | None:
    """A date whose year OCR read with a digit too many ("năm 20179"): of the years left
    by dropping one digit, the one the document names most often ("Trong năm 2019 ..."),
    when one does more than the others."""
    m = regexes()["date_words"].search(fold(line))
    if m is None or len(m.group("y")) != 5 or not m.group("y").isdigit():
        return None
    year = m.group("y")
    counts = {
        y: len(re.findall(rf"(?<!\d){y}(?!\d)", text))
        for y in {year[:k] + year[k + 1 :] for k in range(5)}
        if iso_date(y, m.group("m"), m.group("d"))
    }
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return iso_date(ranked[0][0], m.group("m"), m.group("d"))


def _overlap(a: Word, b: Word) -> bool:
    """Two words share more than half the narrower one's width."""
    shared = min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])
    narrower = min(a.bbox[2] - a.bbox[0], b.bbox[2] - b.bbox[0])
    return shared >= narrower / 2


def _split_heading(head: Sequence[Seg], i: int) -> tuple[tuple[str, float], int] | None:
    """A national heading OCR cut in two ("ĐẢNG CỘNG SẢN" ... "VIỆT NAM"), the second
    part within the next three segments of the same column; (heading, index of part 2)."""
    seg = head[i]
    if not is_upper_line(seg.text) or len(compact(seg.text)) < 6:
        return None
    for j in range(i + 1, min(len(head), i + 4)):
        other = head[j]
        if other.col != seg.col or not is_upper_line(other.text):
            continue
        first, second = compact(seg.text), compact(other.text)
        for heading in _HEADINGS:
            whole = compact(heading)
            score = fuzz.ratio(first + second, whole)
            if (
                score >= _HEADER.heading_min_ratio
                and fuzz.ratio(first, whole[: len(first)]) >= _HEADER.heading_min_ratio
                and fuzz.ratio(second, whole[-len(second) :]) >= _HEADER.heading_min_ratio
            ):
                return (heading, score / 100), j
    return None


def canonical_place(raw: str) -> tuple[str, float]:
    """A place as written when it is a known name, else the known name it was OCR'd from."""
    written = squash(raw.strip(" ,.*"))
    key = compact(canonical_tones(written))
    known = _known_places()
    if key in known:  # a known name; OCR may have damaged its marks ("Cao Bảng", "Bác Ninh")
        names = known[key]
        if any(canonical_tones(n) == canonical_tones(written) for n in names):
            return written, 1.0
        return _closest(names, written), 0.9
    variants = [key] + [
        "".join(compact(w[:1]).translate(table) + compact(w[1:]) for w in written.split())
        for table in _OCR_INITIALS
    ]
    best: tuple[str, float] | None = None
    keys = list(known)
    for variant in variants:
        hit = process.extractOne(variant, keys, scorer=fuzz.ratio)
        if hit and hit[1] >= _HEADER.place_min_ratio and (best is None or hit[1] > best[1]):
            best = (_closest(known[hit[0]], written), hit[1] / 100)
    return best if best else (written, 0.6)


@cache
def _known_places() -> dict[str, list[str]]:
    """Known places by their letters without marks; provinces before districts, since a
    few names are both up to their marks (Thanh Hóa, Thạnh Hóa; Phú Yên, Phù Yên)."""
    known: dict[str, list[str]] = {}
    for name in (*places(), *districts()):
        names = known.setdefault(compact(canonical_tones(name)), [])
        if name not in names:
            names.append(name)
    return known


def _closest(names: list[str], written: str) -> str:
    """The name whose marks differ least from the reading (the first one on a tie)."""
    reading = canonical_tones(written)
    return min(names, key=lambda n: Levenshtein.distance(canonical_tones(n), reading))


def _number(seg: Seg, expected_type: str | None = None) -> tuple[Symbol, Evidence] | None:
    folded = seg.folded.lstrip("* ")
    skip = len(seg.folded) - len(folded)
    m = regexes()["doc_number"].match(folded)
    if m is None:
        return None
    said_so = m.group("num") is not None and m.start("num") > 0  # "Số", OCR'd "S0:", "56"
    if not said_so and (len(seg.text) > 30 or folded[m.end() :].strip(" .,")):
        return None  # without "Số" the number stands alone ("66-CT/QU, ngày ..." cites one)
    original = seg.text[skip:]
    party = m.group("ptype") is not None
    groups = ("ptype", "piss") if party else ("stype", "siss")
    type_raw = re.sub(r"\s", "", original[m.start(groups[0]) : m.end(groups[0])])
    issuer_raw = re.sub(r"\s", "", original[m.start(groups[1]) : m.end(groups[1])])
    raw_num = m.group("num").rstrip() if m.group("num") else None
    number = raw_num.replace(" ", "").translate(OCR_DIGITS) if raw_num else None
    if number is not None and not (number.isdigit() and len(number) <= 5):
        return None
    sym = parse_symbol(number, m.group("year"), type_raw, issuer_raw, party, expected_type)
    start = seg.start + skip
    conf = sym.confidence * (1.0 if said_so else 0.8) * (0.8 if number != raw_num else 1)
    return sym, Evidence(start, start + m.end(), original[: m.end()], conf)


_BY_HAND_NUMBER = re.compile(  # folded: "so: os  /qd-ubnd" ("Số: 86 /QĐ-UBND", 86 in ink)
    r"^s[o0][^\s\d]{0,2}\s*[:.]?\s*(?P<hand>\S{1,8}?)?\s*"
    r"(?:-\s*(?P<ptype>[a-z8][a-z1]{0,5})\s*/\s*(?P<piss>[a-z7]{1,10}(?:-[a-z7]{1,10}){0,3})"
    r"|/\s*(?:(?P<year>\d{4})\s*/\s*)?(?P<stype>[a-z8][a-z]{0,5})\s*-\s*"
    r"(?P<siss>[a-z][a-z0-9]{0,9}(?:-[a-z][a-z0-9]{0,9}){0,2}))\b"
)


def _number_by_hand(
    seg: Seg, expected_type: str | None
) -> tuple[Symbol, Evidence, Evidence] | None:
    """A number line whose number was written by hand after signing: OCR reads the ink as
    junk ("Số: ở§  /QĐ-UBND"). The printed symbol is kept, the number left unread (a
    person reads it: the review names it); the last item is the ink's evidence."""
    m = _BY_HAND_NUMBER.match(seg.folded)
    if m is None or (m.group("hand") or "").isdigit():
        return None  # a blank slot ("Số: /TB - HTTT", ex-72: the number never filled in) too
    party = m.group("ptype") is not None
    groups = ("ptype", "piss") if party else ("stype", "siss")
    type_raw, issuer_raw = (re.sub(r"\s", "", seg.text[m.start(g) : m.end(g)]) for g in groups)
    sym = parse_symbol(None, m.group("year"), type_raw, issuer_raw, party, expected_type)
    slot = m.span("hand") if m.group("hand") is not None else (m.start(groups[0]) - 1,) * 2
    hand = Evidence(seg.start + slot[0], seg.start + slot[1], seg.text[slot[0] : slot[1]], 0.0)
    return sym, Evidence(seg.start, seg.start + m.end(), seg.text[: m.end()], 0.6), hand


# a state symbol printed alone: "QĐ-UBND", "/KH-UBND" (the "Số:" and the number in ink lost),
# or after a short piece of junk that was "Số:" and the number ("Sa.)2£X /BC-SYT", ex-102)
_SYMBOL_ALONE = re.compile(
    r"^(?:\S{1,8}\s+(?=/))?/?\s*(?P<type>[A-ZĐa-zđ]{1,4})\s*-\s*(?P<issuer>[A-ZĐ][A-ZĐ&]*)$"
)


def _symbol_alone(seg: Seg, expected_type: str | None) -> tuple[Symbol, Evidence] | None:
    """A header line that is a state symbol and nothing else: OCR lost "Số:" and the
    handwritten number with it ("QĐ-UBND" under "TỈNH QUẢNG NGÃI", ex-50). Taken only with
    a type code as written and a known issuer code, so a body's name is never read as one."""
    m = _SYMBOL_ALONE.match(seg.text.strip())
    if m is None or m.group("type") not in {t.code for t in doc_types()}:
        return None
    if m.group("issuer") not in issuer_codes():
        return None
    sym = parse_symbol(None, None, m.group("type"), m.group("issuer"), False, expected_type)
    return sym, Evidence(seg.start, seg.end, seg.text, 0.6)


def _loose_number(seg: Seg, expected_type: str | None) -> tuple[Symbol, Evidence] | None:
    """A number line whose separators or "Số" OCR lost or misread ("So 134 KH/BTCTU",
    "Số 708-BB BCĐ", "36: Z161/KH-UBND", "Số 811.NG/CB", "Số §44-KH/BTGTU").

    The whole line must be one short word (the damaged "Số"), a number, and a type and
    issuer code that are known ones (the type may be one letter off the type line's code):
    with the separators gone, known codes are what tells a number line from a header line.
    """
    if len(seg.text) > 30:
        return None
    m = _LOOSE_NUMBER.match(seg.folded)
    if m is None:
        return None
    number = seg.text[m.start("num") : m.end("num")].translate(_NUMBER_LOOKS)
    if not number.isdigit() or not any(c.isdigit() for c in m.group("num")):
        return None
    party = m.group("ptype") is not None
    groups = ("ptype", "piss") if party else ("stype", "siss")
    type_raw, issuer_raw = (seg.text[m.start(g) : m.end(g)] for g in groups)
    type_code = canonical_code(type_raw, {t.code for t in doc_types()})
    issuer_code = canonical_code(issuer_raw, set(issuer_codes()))
    near_type = expected_type is not None and Levenshtein.distance(
        type_raw.upper(), expected_type.upper()) <= 1
    if (type_code[1] < 0.7 and not near_type) or issuer_code[1] < 0.7:
        return None
    sym = parse_symbol(number, None, type_raw, issuer_raw, party, expected_type)
    start = seg.start + m.start("num")
    return sym, Evidence(start, seg.end, seg.text[m.start("num") :], 0.7 * sym.confidence)


def _date(
    seg: Seg, following: Sequence[Seg]
) -> tuple[str | None, str | None, Evidence, Evidence | None, int | None] | None:
    """Place and date of "Thanh Hoá, ngày 06 tháng 7 năm 2023", which may wrap before the
    year (OCR may put a stray mark or a blank line between, or cut the year in pieces:
    "2" / "023") or after "ngày"; the last item is the index in `following` of the
    segment that held the rest, if one did."""
    m = regexes()["date_words"].search(seg.folded)
    by_hand = False
    if m is None and _DAY_MONTH.search(seg.folded):
        # a day or month written by hand comes back as junk glued to or set between the
        # printed words ("ngày⁄{Ệ tháng 0] năm 2025"): blanked, the printed parts still read
        m = regexes()["date_words"].search(_blank_ink(seg.folded))
        m = m or _PRINTED_YEAR.search(_blank_ink(seg.folded))
        by_hand = m is not None
    if m is None and (year_only := _MONTH_WORD_LOST.search(seg.folded)):
        # the ink of the day and month took "tháng" with it ("Thành phố Hồ Chí Minh, ngày
        # năm 2021", ex-08): the printed year is all there is, and a body date is no answer
        m, by_hand = year_only, True
    used: int | None = None
    nxt: Seg | None = None
    wraps_day = m is None and _DAY_AT_END.search(seg.folded) is not None
    if m is None and (wraps_day or _DAY_MONTH.search(seg.folded)):
        digits = ""
        for k, cand in enumerate(following):
            long_line = len(cand.text) > 8 and not (wraps_day and k == 0)
            if cand.line > seg.line + _HEADER.year_lookahead_lines or long_line:
                break
            piece = cand.folded.strip()
            digits = digits + piece if piece.isdigit() else ""
            for tail in dict.fromkeys((piece, digits)):
                m = regexes()["date_words"].search(f"{seg.folded} {tail}")
                if m is not None and m.end() > len(seg.folded):
                    used, nxt = k, cand
                    break
                m = None
            if m is not None:
                break
    if m is None:
        return None
    joined = nxt is not None
    value = iso_date(m.group("y"), m.group("m"), m.group("d"))
    if value is None and not m.group("m") and m.group("y").isdigit():
        value = m.group("y") if int(m.group("y")) in range(1930, 2100) else None
    conf = (0.5 if by_hand else 1.0) if value else 0.3
    end = nxt.end if joined and nxt else seg.start + m.end()
    date_ev = Evidence(seg.start + m.start(), end, squash(seg.text[m.start() :] + (
        " " + nxt.text if joined and nxt else "")), conf)
    before = seg.text[: m.start()].strip(" ,\t*")
    if not before:
        return value, None, date_ev, None, used
    place, p_conf = canonical_place(before)
    return value, place, date_ev, _ev(seg, p_conf, seg.start, seg.start + len(before)), used


_PRINTED_YEAR = re.compile(  # folded, ink blanked: "ngay   thang   nam 2025"
    r"\bng[a-z]{0,2}y\s*(?P<d>)\s*th[a-z]{1,3}ng\s*(?P<m>)\s*n[a-z]{1,2}m\s*[:.]?\s*"
    r"(?P<y>\d{4})(?!\d)"
)
_MONTH_WORD_LOST = re.compile(  # folded: "..., ngay nam 2021": no "thang" between (ex-08)
    r",\s*ng[a-z]{0,2}y\b(?P<d>)(?P<m>)(?:(?!th[a-z]{1,3}ng)[^,]){0,16}?"
    r"\bn[a-z]{1,2}m\s*[:.]?\s*(?P<y>\d{4})(?!\d)"
)
_DATE_SLOTS = re.compile(r"(ng[a-z]{0,2}y)(.{0,12}?)(th[a-z]{1,3}ng)(.{0,12}?)(n[a-z]{1,2}m\b)")
_SLOT_DIGITS = re.compile(r"\s*[\dil|!osqu\]]{1,2}[!']?\s*")


def _blank_ink(folded: str) -> str:
    """Folded date line with the junk OCR made of a handwritten day or month blanked (same
    length): a slot between "ngày", "tháng" and "năm" that is no number is ink."""

    def blank(m: re.Match[str]) -> str:
        slots = [m.group(2), m.group(4)]
        kept = [x if _SLOT_DIGITS.fullmatch(x) or not x.strip() else " " * len(x) for x in slots]
        return m.group(1) + kept[0] + m.group(3) + kept[1] + m.group(5)

    return _DATE_SLOTS.sub(blank, folded)


def _draft(seg: Seg, keywords: Sequence[Match]) -> tuple[str, float] | None:
    """"Dự thảo lần 2" (also as OCR reads it: "Dự' thảo lần I", "DU THAO", "Dự thỏủo lan 1",
    "DỰ ỰT THẢO")."""
    if len(seg.text) > 30:
        return None
    for m in keywords:
        if m.label == "DRAFT" and seg.start <= m.start < seg.end:
            return _draft_text(seg.folded[m.end - seg.start :], 0.95)
    bare = _DRAFT_BARE.match(seg.folded)
    if bare and (_DRAFT_WORD.match(bare.group("word")) or _DRAFT_ROUND.match(bare.group("rest"))):
        return _draft_text(bare.group("rest"), 0.85)  # a damaged word needs "lần N" after it
    return None


def _draft_text(rest: str, conf: float) -> tuple[str, float]:
    """"Dự thảo" with the round the rest of the line names ("lần 2", "lần thứ I")."""
    n = _DRAFT_ROUND.match(rest)
    number = n.group(1).translate(OCR_DIGITS) if n else ""
    return ("Dự thảo" + (f" lần {number}" if number.isdigit() else "")), conf


def _mark(seg: Seg) -> str | None:
    """A secrecy or urgency mark alone on its line ("MẬT", "HỎA TỐC"), also with a letter
    OCR read twice ("KHAĂN"): compared on the folded letters, doubled letters as one."""
    if len(seg.text) > 25 or not is_upper_line(seg.text):
        return None
    key = _single(compact(seg.text))
    return next((m for m in keyword_ids("MARK") if _single(compact(m)) == key), None)


def _single(letters: str) -> str:
    return re.sub(r"(.)\1+", r"\1", letters)


def _number_beside_mark(seg: Seg, expected_type: str | None
                        ) -> tuple[Symbol, Evidence, str] | None:  # fmt: skip
    """A number line OCR read together with a mark set beside it ("Số 42-KH/ĐU   MẬT",
    "KHẨN Số 42-KH/ĐU"): the number, and the mark."""
    words = seg.text.split()
    for k in (1, 2, len(words) - 1, len(words) - 2):
        if not 0 < k < len(words):
            continue
        left, right = " ".join(words[:k]), " ".join(words[k:])
        for mark_text, rest in ((left, right), (right, left)):
            piece = _sub_seg(seg, rest)
            mark = _mark(_sub_seg(seg, mark_text))
            if mark and piece and (num := _number(piece, expected_type)):
                return num[0], num[1], mark
    return None


def _sub_seg(seg: Seg, piece: str) -> Seg:
    at = seg.text.find(piece)
    return Seg(seg.start + at, seg.start + at + len(piece), piece,
               seg.folded[at : at + len(piece)], seg.line, seg.col)


def _subject(
    segs: Sequence[Seg], lines: Sequence[tuple[int, int]], text: str, after: int
) -> tuple[str, Evidence, int] | None:
    """Subject lines after the type line: up to a blank line or the start of the body."""
    openers = words("body_openers")
    picked: list[Seg] = []
    line = after + 1
    while line < len(lines) and not text[lines[line][0] : lines[line][1]].strip():
        line += 1
    by_line: dict[int, list[Seg]] = {}
    for s in segs:
        by_line.setdefault(s.line, []).append(s)
    line = _past_stamp_line(by_line, line)
    first_line = text[lines[line][0] : lines[line][1]] if line < len(lines) else ""
    if first_line and _marks_only(first_line):
        line += 1  # the star under a type line, above the subject ("BIÊN BẢN" / "*", ex-144)
        while line < len(lines) and not text[lines[line][0] : lines[line][1]].strip():
            line += 1
    passed_marks = False
    while line < len(lines) and len(picked) < 6:
        here = by_line.get(line, [])
        if not here and picked and not picked[-1].text.rstrip().endswith("."):
            nxt = _next_line(by_line, line)
            first = by_line[nxt][0].text if nxt is not None else ""
            lone_digits = re.fullmatch(r"\d{1,2}", first.strip())  # a page number (ex-158)
            if (  # OCR put a blank line inside
                first[:1].islower() or (first[:1].isdigit() and not lone_digits)
                or _open_end(picked[-1].folded)
                or picked[-1].text.rstrip().endswith(("-", "–", ","))  # "Song Khê -" (ex-32)
                or _name_rest(first, by_line.get(nxt + 1) if nxt is not None else None)
            ):
                line = nxt if nxt is not None else line
                here = by_line.get(line, [])
        if not here:
            break
        seg = here[0]
        folded = seg.folded
        if (_marks_only(seg.text) and picked and not passed_marks
                and not picked[-1].text.rstrip().endswith(".")):
            passed_marks = True  # a speck read ":" between two lines of it (ex-18)
            line += 1
            continue
        if _marks_only(seg.text) or seg.text.startswith(("-", "–", "+")):
            break
        if picked and _noise(seg):  # show-through or a stamp read as "101/ 2171(đ 0n, )"
            break
        if picked and (
            starts_section(folded)
            or (seg.text[:1].isupper()  # "năm 2022" wraps a subject; "Năm 2022, ..." opens
                and _opens_body(seg, openers))
            or any(re.match(re.escape(o) + r"\b", folded) for o in words("subject_stops"))
            or (picked[-1].text.rstrip().endswith(".") and not seg.text[:1].islower())
            or (_capitals_line(seg.text) and not is_upper_line(" ".join(p.text for p in picked)))
        ):
            break
        picked.append(seg)
        line += 1
    if not picked:
        return None
    picked[0] = _past_stamp_words(picked[0])
    value = squash(" ".join(s.text for s in picked))
    ev = Evidence(picked[0].start, picked[-1].end, text[picked[0].start : picked[-1].end], 0.9)
    return value, ev, line


STAMP_WORDS = 3  # capitals words before a subject's first word that are a stamp's, not its


def _past_stamp_words(seg: Seg) -> Seg:
    """The subject's first line without the capitals a stamp beside it left on the same OCR
    line: "GỒNG THÔNG TTN BIỆN TỦ CHÍNH PHỦ Quy định chức năng, ..." (a portal's "received"
    stamp in the margin, ex-54). A run of at least STAMP_WORDS capitals words is cut when a
    sentence starts after it (a capitalised word, then a lower-case one)."""
    tokens = seg.text.split()
    run = 0
    while run < len(tokens) and len(tokens[run]) > 1 and tokens[run].isupper():
        run += 1
    if run < STAMP_WORDS or run + 1 >= len(tokens):
        return seg
    first, second = tokens[run], tokens[run + 1]
    if not (first[0].isupper() and first[1:].islower() and second[:1].islower()):
        return seg
    return _sub_seg(seg, seg.text[seg.text.find(first, len(" ".join(tokens[:run]))):])


def _past_stamp_line(by_line: dict[int, list[Seg]], line: int) -> int:
    """The subject's first line: past lines of marks only, and past a short capitals line
    read between the type line and a "Về ..." line, which opens the subject; that line is a
    stamp beside the title ("CÔNG TU CHÍNH" of an incoming stamp "CỔNG THÔNG TIN ĐIỆN TỬ
    CHÍNH PHỦ / ĐẾN", ex-44)."""
    for _ in range(2):  # a speck or a rule read as marks ("/", ex-36) comes first
        marks = by_line.get(line, [])
        if marks and _marks_only(marks[0].text):
            line = _next_line(by_line, line) or line
    here = by_line.get(line, [])
    if not here or not is_upper_line(here[0].text) or len(here[0].text.split()) > 4:
        return line
    nxt = _next_line(by_line, line)
    if nxt is not None and _VE.match(by_line[nxt][0].text):
        return nxt
    return line


def _next_line(by_line: dict[int, list[Seg]], line: int) -> int | None:
    """The next of the two lines after `line` that holds text (OCR may put one blank
    line inside a block)."""
    return next((k for k in range(line + 1, line + 3) if by_line.get(k)), None)


def _marks_only(text: str) -> bool:
    """A line of marks, no letter or digit: a speck or a rule OCR read (":", "/")."""
    return not any(c.isalnum() for c in text)


def _opens_body(seg: Seg, openers: Sequence[str]) -> bool:
    """The line begins with a body opener ("Nhằm ...", "Thực hiện ..."); with its marks
    when it has them: "Nhâm Dần" (a year's name) folds as "nhằm" does, and wraps a subject."""
    if not any(re.match(re.escape(o) + r"\b", seg.folded) for o in openers):
        return False
    lowered = canonical_tones(seg.text.lower())
    if lowered == seg.folded:  # no marks to tell by
        return True
    marked = [canonical_tones(w) for w in words("body_openers", folded=False)]
    return any(re.match(re.escape(o) + r"\b", lowered) for o in marked)


def _name_rest(line: str, below: list[Seg] | None) -> bool:
    """A short line set apart by blank lines after a subject line, as OCR parts a name
    wrapped to the subject's last line ("... phong cách" / "Hồ Chí Minh"): two to four
    capitalised words, no punctuation, nothing right below it."""
    parts = line.split()
    return (
        below is None
        and 2 <= len(parts) <= 4
        and all(p[:1].isupper() and p.isalpha() for p in parts)
        and not is_upper_line(line)
    )


def _open_end(folded: str) -> bool:
    """The line ends with a word a subject cannot end with ("... của Ban" / "Thường vụ")."""
    last = folded.rstrip().rsplit(" ", 1)[-1]
    return last in words("subject_open_ends")


def build_header(
    segs: Sequence[Seg],
    lines: Sequence[tuple[int, int]],
    text: str,
    keywords: Sequence[Match],
    first_page: Page | None = None,
) -> Header:
    """Read the header block: everything above and including the subject.

    `first_page` is the first page of a scan: when the place and date line cannot be read
    in the repaired text (repair may turn an OCR'd "l6" or "Š" into a word), the date is
    read from its raw OCR text, then from its word boxes.
    """
    h = Header()
    type_at = None
    title = ""  # the title's words printed on the type line itself
    headed = False
    for i, seg in enumerate(segs):
        if seg.line >= _HEADER.type_scan_lines or (len(seg.text) > 160 and i > 0):
            break
        found = doc_type_line(seg)
        if found is None and headed and (titled := _type_and_title(seg)):
            found, title = (titled[0], 1.0), titled[1]
        if found:
            h.doc_type = found[0]
            h.evidence["doc_type"] = _ev(seg, found[1])
            type_at = i
            break
        headed = headed or _heading(seg, keywords) is not None
        if starts_section(seg.folded) and len(seg.text) < 160 and seg.line > 2:
            break
    head = segs[:type_at] if type_at is not None else _untyped_head(segs)
    late = _late_header(segs, type_at, keywords) if type_at is not None else []
    head = [*head, *late]  # OCR read the right column (heading, date) after the type line
    number_at = None
    roles: set[int] = set()
    for i, seg in enumerate(head):
        if i in roles:
            continue
        heading = _heading(seg, keywords) if h.national_heading is None else None
        split = None
        if h.national_heading is None and heading is None:
            split = _split_heading(head, i)
            heading = split[0] if split else None
        if heading:
            h.national_heading = heading[0]
            h.family = _HEADINGS[heading[0]]
            h.evidence["national_heading"] = _ev(seg, heading[1])
            roles.update({i, split[1]} if split else {i})
            continue
        if compact(seg.text).startswith(_MOTTO[:8]) or seg.text.strip() in {"*", "-"}:
            roles.add(i)
            continue
        if h.symbol is None and (beside := _number_beside_mark(seg, _type_code_of(h.doc_type))):
            h.symbol, h.evidence["doc_number"], beside_mark = beside
            h.marks.append(beside_mark)
            h.evidence.setdefault("marks", _ev(seg, 0.8))
            number_at = i
            roles.add(i)
            continue
        if h.symbol is None and (num := _number(seg, _type_code_of(h.doc_type))
                                 or _loose_number(seg, _type_code_of(h.doc_type))):
            h.symbol, h.evidence["doc_number"] = num
            number_at = i
            roles.add(i)
            continue
        if h.symbol is None and (inked := _number_by_hand(seg, _type_code_of(h.doc_type))):
            h.symbol, h.evidence["doc_number"], h.evidence["number.by_hand"] = inked
            number_at = i
            roles.add(i)
            continue
        if h.symbol is None and (bare := _symbol_alone(seg, _type_code_of(h.doc_type))):
            h.symbol, h.evidence["doc_number"] = bare
            number_at = i
            roles.add(i)
            continue
        if "date" not in h.evidence and (dated := _date(seg, head[i + 1 : i + 5])):
            h.date, h.place, h.evidence["date"], place_ev, used = dated
            if h.place is None and i > 0 and (alone := _place_alone(head[i - 1])):
                h.place, place_ev = alone  # "Đồng Nai," / "ngày 20 tháng 4 năm 2022"
                roles.add(i - 1)
            if place_ev:
                h.evidence["place"] = place_ev
            roles.update({i} if used is None else {i, i + 1 + used})
            continue
        if h.place is None and "date" not in h.evidence and (placed := _place_only(seg)):
            h.place, h.evidence["place"] = placed  # the date itself is unreadable
            roles.add(i)
            continue
        if h.draft is None and not _VV.match(seg.folded) and (draft := _draft(seg, keywords)):
            h.draft = draft[0]
            h.evidence["draft"] = _ev(seg, draft[1])
            roles.add(i)
            continue
        if mark := _mark(seg):
            h.marks.append(mark)
            h.evidence.setdefault("marks", _ev(seg, 0.95))
            roles.add(i)
            continue
        below_number = (number_at is not None and i - number_at <= 2
                        and seg.col == head[number_at].col)
        # no number line read ("Sẽ: 443! BDH", ex-52) and no type line: a "Về ..." line of
        # the left column is the công văn's subject all the same
        below_number = below_number or (number_at is None and type_at is None and seg.col == 0
                                        and h.national_heading is None)
        broken = _BROKEN_VV.match(seg.folded) if below_number else None
        if h.subject is None and (_VV.match(seg.folded) or broken
                                  or (below_number and _VE.match(seg.text))):
            taken = _vv_subject(segs, segs.index(seg))  # it may wrap below the head's end
            roles.update(j for j, other in enumerate(head) if other in taken)
            vv = _VV.match(seg.folded) or broken
            h.subject = squash(" ".join(s.text for s in taken)[vv.end() if vv else 0 :])
            h.subject_after_vv = True
            h.evidence["subject"] = Evidence(seg.start, taken[-1].end,
                                             text[seg.start : taken[-1].end], 0.85)
    stop = number_at if number_at is not None else len(head)
    issuer_segs = [
        s for i, s in enumerate(head[:stop])
        if i not in roles and s.col == 0 and is_upper_line(s.text) and len(compact(s.text)) >= 2
        and _has_syllable(s.folded) and not _NUMBER_LABEL.match(s.folded)
    ]
    h.issuer = [respell(canonical_issuer(x))
                for x in join_bodies([squash(s.text) for s in issuer_segs])]
    if issuer_segs:
        first, last = issuer_segs[0], issuer_segs[-1]
        h.evidence["issuer"] = Evidence(first.start, last.end, text[first.start : last.end], 0.8)
    if h.date is None and "date" in h.evidence:
        h.date = _year_by_mentions(h.evidence["date"].text, text)
    if h.date is None and first_page is not None:
        _raw_date(h, head, first_page.raw_text)
    if first_page is not None and (h.date is None or h.place is not None):
        _header_row(h, head, first_page)
    if h.place and h.issuer:
        _place_from_issuer(h)
    _fill_types(h)
    h.end_line = head[-1].line + 1 if head else 0
    if type_at is not None:
        after = late[-1].line if late else segs[type_at].line
        h.end_line = after + 1
        subject = _subject(segs, lines, text, after)
        if subject:
            h.subject, h.evidence["subject"], h.end_line = subject
        if title:
            typed = segs[type_at]
            h.subject = squash(f"{title} {h.subject or ''}")
            end = h.evidence["subject"].end if subject else typed.end
            h.evidence["subject"] = Evidence(typed.start, end, text[typed.start : end], 0.8)
    if h.subject:
        h.subject = tidy_subject(h.subject)
    return h


def tidy_subject(subject: str) -> str:
    """A subject as OCR read it, with what is certain put right: punctuation doubled by a
    speck (",:"), the codes of a cited symbol ("340-CTr/ĐĐUK"), a term's roman number
    ("khóa XIH"), known phrases read with other tone marks ("chuyến đối số"), a comma read
    as ";" before a cited date ("180-CT/TW; ngày 02/8/2008") and a speck inside a symbol
    ("79-KH/UBKT'TU"), the opening "Về việc" read "và việc" (ex-12), a speck read as a
    dash glued to a word before a lower-case one ("quốc gia— do", ex-13) and a stroke read
    as a bar between two words ("mới | ban hành", ex-62) or as a lone quote mark ("Thực
    tập “Tốt nghiệp", ex-72), the brackets some offices set a subject in ("(Về việc
    thực hiện chuẩn đầu ra)", ex-86) and the dash of a year range ("2024 2025", ex-74)."""
    if bracketed := _BRACKETED.fullmatch(subject):
        subject = bracketed.group(1)
    subject = _VE_VIEC.sub(_ve_viec, respell(_DOUBLED_PUNCT.sub(r"\1", subject)))
    subject = _LONE_BAR.sub(" ", _GLUED_DASH.sub("", subject))
    if subject.count("“") + subject.count("”") == 1:  # a speck read as a quote (ex-72)
        subject = squash(subject.replace("“", "").replace("”", ""))
    subject = _SPECK_IN_SYMBOL.sub("", _SEMICOLON_DATE.sub(",", subject))
    subject = _SPLIT_CODE.sub(_joined_code, subject)
    subject = _ROMAN_AFTER.sub(lambda m: m.group(1) + _roman_numeral(m.group(2)), subject)
    subject = _YEAR_PAIR.sub(_year_range, subject)
    return _canonical_symbols(subject)


_YEAR_PAIR = re.compile(r"\b((?:19|20)\d\d) ((?:19|20)\d\d)\b")


def _year_range(pair: re.Match[str]) -> str:
    """Two years in a row with only a space between are a range whose dash OCR lost
    ("năm học 2024 2025", ex-74): no subject lists two years so."""
    first, second = pair.groups()
    return f"{first} - {second}" if int(second) == int(first) + 1 else pair.group()


_BRACKETED = re.compile(r"\(\s*([^()]+?)\s*\)")  # a whole subject in brackets
_GLUED_DASH = re.compile(r"(?<=\w)[—–](?=\s+[a-zà-ỹđ])")
_LONE_BAR = re.compile(r"\s+[|¦]\s+")
_VE_VIEC = re.compile(r"^(\w{2})(?=\s+việc\b)")


def _ve_viec(m: re.Match[str]) -> str:
    """A subject's first word before "việc" that folds as "về" or "và" does is "Về": no
    subject opens with "và việc"."""
    word = m.group(1)
    if fold(word) not in ("ve", "va"):
        return word
    return "Về" if word[0].isupper() or fold(word) == "va" else "về"


def _joined_code(m: re.Match[str]) -> str:
    """`BTC TU` (OCR saw a gap inside `BTCTU`, repair made `TU` a word: `Từ`) as the known
    issuer code the two pieces make, when they make one; else as written."""
    joined = m.group(1) + fold(m.group(2)).upper()
    return joined if joined in issuer_codes() else m.group()


def _roman_numeral(token: str) -> str:
    """A roman number as OCR reads it ("XIH", "X1I"), written right when it reads as one."""
    if _ROMAN_NUMBER.fullmatch(token):
        return token
    fixed = token.upper().replace("H", "II").replace("1", "I").replace("L", "I").replace("|", "I")
    return fixed if _ROMAN_NUMBER.fullmatch(fixed) else token


def _canonical_symbols(subject: str) -> str:
    """The type and issuer codes of the symbols a subject cites, mapped onto known codes
    where OCR damaged them the way `canonical_code` undoes ("ĐĐUK" → "ĐUK")."""
    folded = fold(subject)
    out, pos = [], 0
    for m in regexes()["reference"].finditer(folded):
        party = m.group("ptype") is not None
        if not party and m.group("stype") is None:
            continue
        dtype = doc_type_by_name(m.group("type"))
        groups = ("ptype", "piss") if party else ("stype", "siss")
        a, b = m.start(groups[0]), m.end(groups[1])
        type_raw = re.sub(r"\s", "", subject[a : m.end(groups[0])])
        issuer_raw = re.sub(r"\s", "", subject[m.start(groups[1]) : b])
        sym = parse_symbol(m.group("num"), m.group("year"), type_raw, issuer_raw, party,
                           dtype.code if dtype else None)
        written = re.sub(r"\s", "", subject[a:b])
        known = sym.confidence >= SETTINGS.known_code_confidence
        if sym.type_code and sym.symbol != written and known:
            out.append(subject[pos:a] + sym.symbol)
            pos = b
    return "".join(out) + subject[pos:]


def _late_header(segs: Sequence[Seg], type_at: int, keywords: Sequence[Match]) -> list[Seg]:
    """National heading, motto, draft mark and place-and-date lines right after the type
    line: on a skewed or photographed page OCR may read the right header column after the
    type."""
    out: list[Seg] = []
    after = segs[type_at + 1 : type_at + 6]
    k = 0
    while k < len(after):
        seg = after[k]
        if (
            _heading(seg, keywords)
            or compact(seg.text).startswith(_MOTTO[:8])
            or _draft(seg, keywords)
            or _place_date(seg.text, seg.folded)
        ):
            out.append(seg)
        elif k + 1 < len(after) and _place_date(
            f"{seg.text} {after[k + 1].text}", f"{seg.folded} {after[k + 1].folded}"
        ):  # the narrow column wrapped it: "Hà Nội, ngày" / "17 tháng 11 năm 2019"
            out.extend(after[k : k + 2])
            k += 1
        else:
            break
        k += 1
    return out


def _place_date(text: str, folded: str) -> bool:
    """The line is a place-and-date line: a full date after capitalised place words."""
    m = regexes()["date_words"].search(folded)
    place = text[: m.start()].strip(" ,*") if m else ""
    return m is not None and all(w[:1].isupper() for w in place.split()[:5])


def _type_code_of(heading: str | None) -> str | None:
    """The symbol of the type a header line names ("BIÊN BẢN" → "BB")."""
    named = [t for t in doc_types() if t.heading == heading] if heading else []
    return named[0].code if len(named) == 1 else None


_YEAR_ON = re.compile(r"\d{4}\b")  # "... năm" / "2017 (Lần 2)": the year on the next line (ex-108)


def _vv_subject(head: Sequence[Seg], at: int) -> list[Seg]:
    """The "V/v ..." line of a Công văn and the lines its text wraps onto: the next lines of
    its column up to a capitals line (the national heading), a place-and-date line, an
    opener ("Kính gửi") or a line that is not words (a stamp or rule read as letters). A
    blank line OCR put inside is passed when the line after it goes on in lower case
    ("nội dung trình HĐND tỉnh" / "" / "tại kỳ họp thứ 31", qn-08) or with a body's name
    in lower case ("triển khai Công điện của Bộ trưởng" / "" / "Bộ Khoa học và Công
    nghệ", ex-100: the header's own bodies are in capitals)."""
    taken = [head[at]]
    openers = words("body_openers")
    bodies = words("issuer_starts")
    for seg in head[at + 1 : at + _HEADER.vv_subject_lines]:
        gap = seg.line - taken[-1].line
        goes_on = seg.text[:1].islower() or any(
            seg.folded.startswith(body + " ") for body in bodies)
        if (
            not (gap == 1 or (gap == 2 and goes_on))
            or seg.col != head[at].col
            or taken[-1].text.rstrip().endswith(".")
            or is_upper_line(seg.text)
            or not (reads_as_words(_SLASH_DATE.sub(" ", seg.text)) or _CITES.search(seg.folded)
                    or (seg.text[:1].islower() and _open_end(taken[-1].folded))  # "năm 2012"
                    or (_YEAR_ON.match(seg.text) and taken[-1].folded.endswith(" nam")))
            or regexes()["date_words"].search(seg.folded)
            or (seg.text[:1].isupper() and _PLACE_DAY.match(seg.folded))  # year lost
            or (seg.text[:1].isupper() and any(seg.folded.startswith(o) for o in openers))
        ):
            break
        taken.append(seg)
    return taken


def _noise(seg: Seg) -> bool:
    """A line with no Vietnamese word that is not numbers or a symbol either ("2020-2025",
    "XIII", "28-CT/TW"): specks, show-through or a stamp that OCR read as characters."""
    return not (_has_syllable(seg.folded) or _NUMBERS_ONLY.fullmatch(seg.text)
                or _CITES.search(seg.folded))


def _has_syllable(folded: str) -> bool:
    """The line holds a Vietnamese word of two letters or more, or words glued together
    ("TỈNHỦYHÒABÌNH"): a header line, not a seal's or a rule's edge read as capitals
    ("LT |")."""
    return any(len(w) >= 2 and (w in syllables() or (len(w) >= 4 and splits_into_syllables(w)))
               for w in re.findall(r"[a-z]+", folded))


def _capitals_line(text: str) -> bool:
    """A line of capital words (a body's name), not a symbol like "28-CT/TW"."""
    return is_upper_line(text) and len(compact(text)) >= 8 and not any(c.isdigit() for c in text)


def starts_section(folded: str) -> bool:
    """A numbered heading ("I.", "2.1-", "a)"), not a symbol line like "28-CT/TW"."""
    m = regexes()["section"].match(folded)
    return bool(m) and not re.match(r"\S*[/\d]", m.group("title")) if m else False


def join_bodies(lines: Sequence[str]) -> list[str]:
    """Header lines as bodies: a line that does not start like a body's name ("ĐẢNG ỦY",
    "BAN", "SỞ" ...) continues the line above, whose name wrapped; so does one that only
    folds like such a start but goes on with a phrase the line above ends in ("CÁC CƠ" /
    "QUAN TỈNH": "QUAN", not "QUẬN")."""
    starts, places = words("issuer_starts"), words("issuer_places")
    out: list[str] = []
    for line in lines:
        folded = fold(line)
        new = any(folded == w or folded.startswith(w + " ") for w in starts) or any(
            folded.startswith(w + " ") for w in places
        )
        if out and (not new or continues_phrase(out[-1], line)):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _untyped_head(segs: Sequence[Seg]) -> list[Seg]:
    """Without a type line (a Công văn) the header ends at the first long line or at a line
    that opens the body ("Kính gửi", "Thực hiện" ...), whichever comes first. An opener in
    small letters ("theo tư tưởng ...") wraps the V/v subject instead."""
    openers = words("body_openers")
    head: list[Seg] = []
    for seg in segs:
        if seg.line >= _HEADER.untyped_head_lines or len(seg.text) > 120:
            break
        if (
            head
            and seg.text[:1].isupper()
            and any(re.match(re.escape(o) + r"\b", seg.folded) for o in openers)
            and not regexes()["date_words"].search(seg.folded)
        ):
            break
        head.append(seg)
    return head + _late_date_line(segs[len(head) :], head)


def _late_date_line(rest: Sequence[Seg], head: Sequence[Seg]) -> list[Seg]:
    """The place-and-date line when OCR read it below the left column's subject and
    "Kính gửi:" (the right column's date sits level with them; ex-08): the header's, not
    the body's, when it opens with a known place ("Thành phố Hồ Chí Minh, ngày năm 2021")
    and no line of the header holds a date."""
    if any(_PLACE_DAY.match(s.folded) or _DAY_MONTH.search(s.folded) for s in head):
        return []
    for seg in rest:
        if seg.line >= _HEADER.late_date_lines:
            break
        if seg.text[:1].isupper() and _PLACE_DAY.match(seg.folded):
            _, confidence = canonical_place(seg.text.split(",", 1)[0])
            if confidence >= _HEADER.known_place_confidence:
                return [seg]
    return []


def _fill_types(h: Header) -> None:
    """Type code from the symbol, type name from the code when no type line was read."""
    if h.symbol:
        h.type_code = h.symbol.type_code
        if h.family is None:
            h.family = h.symbol.family
    if h.doc_type is None and h.type_code:
        dt = doc_type_by_code(h.type_code, h.family)
        if dt:
            h.doc_type = dt.heading
            h.evidence["doc_type"] = h.evidence["doc_number"]
    letter = h.symbol is not None and h.symbol.family == "state" and h.symbol.type_code is None
    if h.doc_type is None and (h.subject_after_vv or letter or (
            h.subject and _VV.match(fold(h.subject)))):
        h.doc_type = "CÔNG VĂN"  # a công văn has no type line: "V/v ..." under its number
    if h.type_code is None and h.doc_type:
        named = [t for t in doc_types() if t.heading == h.doc_type]
        pick = [t for t in named if h.family in (None, t.family) or t.family == "both"]
        h.type_code = (pick or named)[0].code if named else None
