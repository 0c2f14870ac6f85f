"""Closing fields: `Nơi nhận:` and `Đồng kính gửi:` lists and the signature block."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.fields.match import Match
from pipeline.fields.recipients import clean_item, split_merged
from pipeline.fields.rules import authority_forms, keyword_ids, regexes, words
from pipeline.fields.settings import SETTINGS
from pipeline.fields.text import (
    Seg,
    compact,
    is_upper_line,
    reads_as_words,
    squash,
)
from pipeline.fields.values import Evidence
from pipeline.record import Signer
from pipeline.restore.names import surnames
from pipeline.text.vietnamese import canonical_tones, fold, strip_tone

_CLOSING = SETTINGS.closing
_DASH = ("-", "–", "—", "+", "•", "·", "~", "ˆ")  # "~", "ˆ": a dash as OCR may read it
_QUOTES = re.compile(r"['‘’\"“”]")  # stray marks OCR puts into a name ("Trương 'Thụ Hạnh")
_TAIL = re.compile(r"[\s,;.]+$")


@dataclass
class Closing:
    recipients: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)
    start_line: int | None = None  # first line of the closing block
    evidence: dict[str, Evidence] = field(default_factory=dict)


def _labelled(seg: Seg, keywords: Sequence[Match], label: str) -> Match | None:
    """The keyword that opens this segment ("Nơi nhận:"), if any."""
    lead = len(seg.folded) - len(seg.folded.lstrip("*-_ .|"))  # ".Vơi nhận:": N read as .V
    for m in keywords:
        if m.label == label and seg.start + lead == m.start:
            return m
    return None


def item_text(raw: str) -> str:
    """A list item as written, without its dash and trailing comma, semicolon or period;
    an OCR-damaged "(b/c)" mark ("(bí/c)", "(b/€)", "(h/C)") is written "(b/c)"."""
    raw = raw.strip()
    text = _TAIL.sub("", squash((raw[2:] if _letter_dash(raw) else raw).lstrip("".join(_DASH))))
    return regexes()["copy_mark"].sub("(b/c)", text)


def _list_after(
    segs: Sequence[Seg], at: int, label: Match | None, stop_labels: set[int]
) -> tuple[list[str], Evidence | None, int]:
    """Dash items after a label segment (or from segment `at` on when OCR lost the label);
    returns items, evidence and the next segment index."""
    items: list[str] = []  # as written, joined with their wrapped lines
    first = segs[at]
    inline = first.text[label.end - first.start :].lstrip(" :") if label else ""
    if inline and reads_as_words(inline):
        items.append(inline)
    i = at + 1 if label else at
    last = first
    raw_end = ""
    col = first.col
    while i < len(segs):
        seg = segs[i]
        if i in stop_labels:
            break
        if seg.col != col and seg.line == segs[i - 1].line:
            i += 1
            continue  # the other column (signature) on the same line
        text = seg.text.lstrip()
        if (
            text.startswith(_DASH) or _letter_dash(text) or _archive_item(text)
            or ((not items or raw_end in (",", ";")) and _dash_lost(segs, i))
        ):
            items.append(text)
            raw_end = text.rstrip()[-1:]
            last = seg
        elif items and _continues(text, raw_end):
            items[-1] = f"{items[-1]} {text}"
            raw_end = text.rstrip()[-1:]
            last = seg
        else:
            resume = _resume(segs, i)
            if resume is None:
                break
            i = resume
            continue
        i += 1
    pieces = map(item_text, (p for it in items for p in split_merged(it)))
    items = [x for x in pieces if x and reads_as_words(x)]  # not a seal's letters ("đØ\\")
    if not items:
        return [], None, at + 1
    ev = Evidence(first.start, last.end, "", 0.95)
    return items, ev, i


def _archive_item(text: str) -> bool:
    """The archive copy, the list's last item, whose dash OCR lost ("Lưu: VT.", "Lưu VP");
    not "Lưu ý: ..." (a note)."""
    word, _, rest = text.partition(" ")
    return (compact(word) == "luu" and len(text) <= _CLOSING.item_chars
            and (word.endswith(":") or rest[:1].isupper()))


def _dash_lost(segs: Sequence[Seg], i: int) -> bool:
    """A short capitalised line before a dash item, right after the label or a finished
    item, is an item whose dash OCR lost ("- Thường trực ... (b/c)," / "An ban xây dựng
    Đảng" / "- Lưu ...")."""
    text = segs[i].text
    nxt = segs[i + 1].text if i + 1 < len(segs) else ""
    return (text[:1].isupper() and len(text) <= _CLOSING.item_chars and reads_as_words(text)
            and not is_upper_line(text) and (nxt.startswith(_DASH) or _archive_item(nxt)))


def _letter_dash(text: str) -> bool:
    """A dash OCR read as a small letter before the item's capital ("m Ban Thường vụ")."""
    return len(text) > 2 and text[0].islower() and text[1] == " " and text[2].isupper()


def _unlabelled_list(segs: Sequence[Seg], body_line: int) -> int | None:
    """Where a recipients list starts whose `Nơi nhận:` label OCR lost (a seal over it, or
    read as "Di nhận,"): the last run of short dash lines below the body, when it holds a
    copy mark "(b/c)" or ends with the archive copy ("- Lưu ..."); body lists are neither
    short nor so marked."""
    end = next((j for j in range(len(segs) - 1, -1, -1) if segs[j].line >= body_line and (
        _short_item(segs[j].text) or _archive_item(segs[j].text))), None)
    if end is None:
        return None
    start = end
    for j in range(end - 1, max(-1, end - _CLOSING.list_break_lines), -1):
        seg = segs[j]
        if seg.line < body_line or seg.col != segs[end].col or seg.text.rstrip().endswith(
                ("./.", ":")) or is_upper_line(seg.text):
            break
        if _short_item(seg.text):
            start = j
        elif len(seg.text) > _CLOSING.item_chars or seg.text.endswith("."):
            break
    run = [item_text(s.text) for s in segs[start : end + 1]
           if s.text.startswith(_DASH) or _archive_item(s.text)]
    marked = any(regexes()["copy_mark"].search(x) for x in run)
    archived = bool(run) and compact(run[-1].split(" ", 1)[0]) == "luu"
    return start if len(run) >= 2 and (marked or archived) else None


def _short_item(text: str) -> bool:
    return text.startswith(_DASH) and len(text) <= _CLOSING.item_chars


def _continues(text: str, raw_end: str) -> bool:
    """Whether a line without a dash is the wrapped rest of the item above: it starts in
    lower case (an item may wrap after a comma: "thành ủy,\nđảng ủy trực thuộc"), or the
    item above has no closing punctuation and the line is neither a capitals line
    (the signature block) nor a name ("Văn phòng\nHuyện ủy,", "Trung ương Đảng\n(b/c),")."""
    if raw_end == ".":
        return False
    if regexes()["copy_mark"].search(_TAIL.sub("", text)):
        return True  # "(b/c)," on a line of its own
    if raw_end not in (",", ";") and text.rstrip(",;.").isalpha() and len(text) <= 4:
        return True  # the last syllable, alone ("Thành" / "UY")
    if not reads_as_words(text):
        return False
    if text[:1].islower():
        return True
    return raw_end not in (",", ";") and not is_upper_line(text) and not _is_name(text)


def _resume(segs: Sequence[Seg], at: int) -> int | None:
    """Where the dash list goes on after lines read from the other column.

    OCR may put the signature block (authority, title, a stamp's letters) in the middle
    of the `Nơi nhận` list; short or capitals lines are skipped when dash items follow.
    """
    for j in range(at, min(len(segs), at + _CLOSING.list_break_lines)):
        text = segs[j].text.lstrip()
        if text.startswith(_DASH):
            return j
        if not (is_upper_line(text) or len(text) <= _CLOSING.list_break_chars) or (
            _is_name(text) and not text.isupper()
        ):
            return None
    return None


def _is_name(text: str) -> bool:
    parts = _QUOTES.sub("", text).split()
    if not 2 <= len(parts) <= 6:
        return False
    if any(not p.isalpha() for p in parts) or sum(len(p) >= 2 for p in parts) < 2:
        return False  # "Ÿ S": a seal's letters, not a name of one-letter words
    return all(p[0].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts) or all(
        p.isupper() for p in parts
    )


def _keyword_in(seg: Seg, keywords: Sequence[Match], labels: set[str]) -> Match | None:
    for m in keywords:
        if m.label in labels and seg.start <= m.start < seg.end:
            return m
    return None


def build_closing(
    segs: Sequence[Seg],
    text: str,
    keywords: Sequence[Match],
    body_line: int,
    family: str | None = None,
) -> Closing:
    """Read recipients, copies and the signature block after the body; `family` ("party"
    or "state") picks how an OCR-damaged authority prefix is written (T/M or TM.)."""
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
    if rec_at is None and cc_at is None:
        rec_at = _unlabelled_list(segs, body_line)
    if rec_at is not None:
        label = _labelled(segs[rec_at], keywords, "RECIPIENTS")
        c.recipients, ev, after_lists = _list_after(segs, rec_at, label, labels)
        c.recipients = [clean_item(x, family) for x in c.recipients]
        c.start_line = segs[rec_at].line
        if ev:
            c.evidence["recipients"] = Evidence(ev.start, ev.end, text[ev.start : ev.end], 0.95)
    if cc_at is not None:
        label = _labelled(segs[cc_at], keywords, "CC")
        assert label is not None
        c.cc, ev, end = _list_after(segs, cc_at, label, labels)
        c.cc = [clean_item(x, family) for x in c.cc]
        after_lists = max(after_lists or 0, end)
        if ev:
            c.evidence["cc"] = Evidence(ev.start, ev.end, text[ev.start : ev.end], 0.95)
    _signer(c, segs, text, keywords, body_line, rec_at, after_lists, family)
    return c


def _signer(
    c: Closing,
    segs: Sequence[Seg],
    text: str,
    keywords: Sequence[Match],
    body_line: int,
    rec_at: int | None,
    after_lists: int | None,
    family: str | None,
) -> None:
    """Authority (T/M, K/T, T/L, Q.), title and name, searched around the recipients.

    The signature column may come before or after the `Nơi nhận` column in reading order,
    so the search starts a few lines above the recipients label.
    """
    begin = max(0, (rec_at if rec_at is not None else len(segs) - 40) - 6)
    end = min(len(segs), max(after_lists or 0, begin) + 30)
    region = [i for i in range(begin, end) if segs[i].line >= body_line]
    auth_at = next((i for i in region if _authority(segs[i], keywords)), None)
    if auth_at is not None:
        seg = segs[auth_at]
        c.signer.authority, conf = _authority_text(seg, keywords, family)
        c.evidence["signer.authority"] = Evidence(seg.start, seg.end, seg.text, conf)
    title_at = _title(segs, keywords, region, auth_at)
    if title_at is not None:
        seg = segs[title_at]
        c.signer.title, conf = canonical_phrase(squash(seg.text))
        c.evidence["signer.title"] = Evidence(seg.start, seg.end, seg.text, 0.9 * conf)
    anchor = title_at if title_at is not None else auth_at
    if anchor is None and after_lists is not None:
        anchor = after_lists - 1
    name_at = _name(segs, keywords, anchor) if anchor is not None else _last_name(segs, body_line)
    if name_at is not None:
        seg = segs[name_at]
        written = _name_text(seg)
        name = canonical_name(_surname_behind_ink(written) or written)
        c.signer.name = _named_in_full(name, text) or name
        sure = 0.9 if anchor is not None else LAST_NAME_CONFIDENCE
        c.evidence["signer.name"] = Evidence(seg.start, seg.end, seg.text, sure)


def canonical_phrase(written: str) -> tuple[str, float]:
    """A signature-block phrase (a title or a collective's name) written the known way
    when it folds like one ("BI THƯ" → "BÍ THƯ") or differs by a letter; else as written.
    A known phrase in the other tone placement ("ỦY"/"UỶ") stays as written."""
    phrases = [*keyword_ids("TITLE"), *words("signer_phrases", folded=False)]
    key = compact(written)
    if not key:
        return written, 1.0
    best, best_score = None, 0.0
    for phrase in phrases:
        score = 100.0 if compact(phrase) == key else fuzz.ratio(compact(phrase), key)
        if score > best_score:
            best, best_score = phrase, score
    if best is None or best_score < _CLOSING.phrase_min_ratio:
        return written, 1.0
    if canonical_tones(best) == canonical_tones(written):
        return written, 1.0
    return best, best_score / 100 * 0.95


def canonical_name(name: str) -> str:
    """A person's name with the surname spelled as surnames are ("Đỉnh Văn Trung" →
    "Đinh Văn Trung": OCR read the dot of the i as a mark); other words as written."""
    first, _, rest = name.partition(" ")
    if not rest or not first[:1].isupper() or name.isascii():
        return name  # a name typed without marks stays without them
    spelled = {fold(s): s for s in words("surnames", folded=False)}.get(fold(first))
    if spelled is None or canonical_tones(spelled) == canonical_tones(first):
        return name
    if first.isupper():
        spelled = spelled.upper()
    return f"{spelled} {rest}"


def _authority_text(seg: Seg, keywords: Sequence[Match], family: str | None
                    ) -> tuple[str, float]:  # fmt: skip
    """The authority line, its prefix in a written form ("T/M", "TM.") and the rest as a
    known phrase where it reads like one ("K/T BI THƯ" → "K/T BÍ THƯ")."""
    m = _keyword_in(seg, keywords, {"AUTHORITY"})
    text = squash(seg.text)
    if m is None:
        return text, 0.95
    prefix = seg.text[: m.end - seg.start].strip()
    rest = squash(seg.text[m.end - seg.start :])
    forms = authority_forms()
    conf = 0.95
    if prefix.upper() not in {*forms, *forms.values()}:  # "TM", "1M.": damaged by OCR
        state = family == "state" or (family is None and "." in prefix)
        prefix, conf = (forms.get(m.id, m.id) if state else m.id), 0.8
    if rest:
        rest, rest_conf = canonical_phrase(rest)
        conf = min(conf, rest_conf)
    return f"{prefix} {rest}".strip(), conf


def _authority(seg: Seg, keywords: Sequence[Match]) -> bool:
    m = _keyword_in(seg, keywords, {"AUTHORITY"})
    return bool(m and m.start == seg.start and len(seg.text) <= 60 and is_upper_line(seg.text))


def _title(
    segs: Sequence[Seg], keywords: Sequence[Match], region: Sequence[int], auth_at: int | None
) -> int | None:
    """The title line: the capitals line under the authority, else a known title alone."""
    if auth_at is not None:
        for i in range(auth_at + 1, min(len(segs), auth_at + 4)):
            seg = segs[i]
            if seg.text.startswith(_DASH):
                continue
            if is_upper_line(seg.text) and len(seg.text) <= 50:
                return i
            break
    for i in region:
        seg = segs[i]
        if seg.text.startswith(_DASH) or len(seg.text) > 50 or not is_upper_line(seg.text):
            continue
        t = _keyword_in(seg, keywords, {"TITLE"})
        if t and t.start == seg.start and len(fold(seg.text).strip()) <= len(t.id) + 2:
            return i
    return None


def _name(segs: Sequence[Seg], keywords: Sequence[Match], anchor: int) -> int | None:
    """The signer's name: the first name-like line below the anchor, mixed case first."""
    skip = words("name_skip")
    limit = segs[anchor].line + _CLOSING.name_window_lines
    found: list[int] = []
    for i in range(anchor + 1, len(segs)):
        seg = segs[i]
        if seg.line > limit:
            break
        candidate = without_rank(seg.text.strip("() "))
        if seg.text.startswith(_DASH) or _keyword_in(seg, keywords, {"RECIPIENTS", "CC"}):
            # the "Nơi nhận" list read between the title and the name (the left column
            # after the right one, ex-06): it does not use up the window
            limit += 1
            continue
        if fold(candidate) in skip or _keyword_in(seg, keywords, {"TITLE", "AUTHORITY"}):
            continue
        if _is_name(candidate) and not _body_name(candidate):
            if not candidate.isupper():
                return i
            found.append(i)
        elif _surname_behind_ink(candidate):
            return i
    return found[0] if found else None


def _body_name(candidate: str) -> bool:
    """A name-like line that names a body, not a person: one that opens as issuers do
    ("VĂN PHÒNG", "ỦY BAN ..."), or in capitals, one that opens with no family name
    ("UBND TỈNH BẮC GIANG": a copy's header below the signature, ex-36)."""
    folded = fold(candidate)
    if any(folded == start or folded.startswith(start + " ") for start in _issuer_openings()):
        return True
    return candidate.isupper() and folded.split()[0] not in _folded_surnames()


@cache
def _issuer_openings() -> tuple[str, ...]:
    """Openings of issuer lines of two or more words (one word may be a family name: Đoàn)."""
    return tuple(start for start in words("issuer_starts") if " " in start)


@cache
def family_names() -> frozenset[str]:
    """Family names as names spell them: the field stage's and the restoration's lists."""
    return frozenset(words("surnames", folded=False)) | frozenset(surnames())


@cache
def _folded_surnames() -> frozenset[str]:
    """Family names, folded: a name in capitals starts with one, however its marks read."""
    return frozenset(fold(name) for name in family_names())


def _name_text(seg: Seg) -> str:
    """A name line as the name is written: stray quotes, brackets, spaces and a rank before
    it left out."""
    return without_rank(squash(_QUOTES.sub("", seg.text)).strip("() "))


def without_rank(text: str) -> str:
    """A name without the rank printed before it ("Thượng tướng Nguyễn Văn Long", ex-70; a
    police or army signer, or a professor's "PGS.TS."), or the degrees abbreviated before it
    ("TS-LS.", ex-82)."""
    folded = fold(text)
    for rank in sorted(words("name_ranks"), key=len, reverse=True):
        if folded.startswith(rank + " "):
            return text[len(rank) + 1 :].strip()
    degrees = _DEGREES.match(folded)
    if degrees and all(d in words("name_degrees") for d in re.findall(r"\w+", degrees.group())):
        return text[degrees.end() :].strip()
    return text


# degrees abbreviated and joined before a name: "TS-LS. Nguyễn Tiến Dũng" (ex-82), "PGS.TS."
_DEGREES = re.compile(r"^(?:\w{1,4}\s?[.\-]\s?)+(?=\s*\w)")


LAST_NAME_CONFIDENCE = 0.6  # a name found without a signature block around it: flagged


def _last_name(segs: Sequence[Seg], body_line: int) -> int | None:
    """With no signature title or authority read (a seal over them, ex-32), the name that
    ends the document: the last of its closing lines that is a person's name, mixed case,
    opening with a known family name. Review flags it (no title beside it)."""
    surnames = set(words("surnames", folded=False))
    tail = [i for i in range(len(segs)) if segs[i].line >= body_line][-_CLOSING.last_name_lines:]
    for i in reversed(tail):
        candidate = _name_text(segs[i])
        if _is_name(candidate) and not candidate.isupper() and candidate.split()[0] in surnames:
            return i
    return None


def _named_in_full(name: str, text: str) -> str | None:
    """The signer's name with its family name, when the page read it without one (the
    ink of the signature over it, ex-30: "Văn Diệu") and the text names the same person in
    full exactly one way (a list of officials: "Nguyễn Văn Diệu"). Review flags it."""
    parts = name.split()
    if len(parts) != 2 or not _is_name(name):
        return None
    surnames = set(words("surnames", folded=False))
    if parts[0] in surnames and fold(parts[0]) not in words("middle_names"):
        return None  # the family name was read
    pattern = re.compile(rf"\b(\w+) {re.escape(name)}\b")
    found = {m.group(1) for m in pattern.finditer(text) if m.group(1) in surnames}
    return f"{found.pop()} {name}" if len(found) == 1 else None


def _surname_behind_ink(text: str) -> str | None:
    """A name whose surname the signature's ink ran into, the rest a name: junk in the
    surname one edit, marks included, from exactly one known surname ("E%1rịnh Văn Toàn",
    epu-03), or the surname's first letter lost under the stroke, its tone misread
    ("guyến Hoài Nam", ex-09; the surnames are listed commonest first), or with it the hat
    of its vowel ("ran Văn Lộc", ex-24: Trần), or its first letters, what is left ending
    one known surname only ("yen Đức Kha", ex-84: Nguyễn). The name with that surname;
    None for anything else."""
    first, _, rest = text.partition(" ")
    if not first or not _is_name(rest) or rest.isupper():
        return None
    surnames = words("surnames", folded=False)
    if first.isalpha():
        if not first[0].islower() or len(first) < 3 or fold(first) in words("name_honorifics"):
            return None  # "ông Nguyễn Văn A": a word before a name, no surname cut short
        beheaded = [s for s in surnames if strip_tone(s)[1:].lower() == strip_tone(first)]
        # the hat went with the first letter: "ran Văn Lộc" (Trần, ex-24)
        beheaded = beheaded or [s for s in surnames if fold(s)[1:] == fold(first)]
        # more letters went, and what is left ends one known surname only: "yen Đức Kha"
        # (Nguyễn, ex-84)
        ending = [s for s in surnames if fold(s).endswith(fold(first)) and s.lower() != first]
        beheaded = beheaded or (ending if len(ending) == 1 else [])
        return f"{beheaded[0]} {rest}" if beheaded else None
    letters = "".join(ch for ch in first if ch.isalpha())
    near = {s for s in surnames
            if len(letters) >= 3 and Levenshtein.distance(letters, s) <= 1}
    return f"{near.pop()} {rest}" if len(near) == 1 else None
