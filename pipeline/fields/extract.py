"""extract_fields: text (and OCR pages) in, the record's typed `Fields` out. Pure; no I/O.

The builders (header, closing, body, tables) work on plain dicts; here they become the
record's dataclasses, strictly: a key a dataclass lacks is an error, not dropped.
"""

from __future__ import annotations

import logging
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.fields import body, closing, header, tables
from pipeline.fields.layout import segments
from pipeline.fields.match import keyword_matches
from pipeline.fields.own_text import (
    BodyWords,
    issuer_as_written,
    subject_as_written,
    subject_letters_as_written,
    subject_numbers_as_written,
)
from pipeline.fields.repair import FieldRepair, with_central_terms, with_year_names
from pipeline.fields.review import review_items
from pipeline.fields.spelling import respell
from pipeline.fields.text import fold, is_upper_line, split_lines, squash
from pipeline.record import (
    Evidence,
    Fields,
    Figure,
    Footnote,
    Page,
    Reference,
    Section,
    Signer,
    Table,
)

log = logging.getLogger(__name__)

Json = dict[str, Any]

_SHORT_LINE = 64  # keyword matching skips longer (body) lines
_ALWAYS_MATCHED = 12  # ... except in the first lines, where columns are often merged


def _keyword_spans(text: str, lines: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    return [
        (a, b)
        for i, (a, b) in enumerate(lines)
        if i < _ALWAYS_MATCHED
        or (0 < len(squash(text[a:b])) <= _SHORT_LINE and "\t" not in text[a:b])
    ]


def extract_fields(
    text: str, pages: Sequence[Page] | None = None, repair: FieldRepair | None = None
) -> Fields:
    """Read header, body and closing fields of one document.

    `text` is the restored text of all pages; `pages` (from a scan) add layout: columns of
    merged header lines and ruled tables. Evidence offsets refer to the NFC form of `text`.
    `repair` (for OCR'd pages) re-reads the subject, the footnotes and table captions,
    whose type OCR reads with wrong marks (see `pipeline.fields.repair`).
    """
    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    lines = split_lines(text)
    keywords = keyword_matches(folded, _keyword_spans(text, lines))
    segs = segments(text, folded, keywords, pages)
    first = pages[0] if pages and pages[0].method == "ocr" else None
    head = header.build_header(segs, lines, text, keywords, first)
    end = closing.build_closing(segs, text, keywords, head.end_line, head.family)
    found = tables.text_tables(text, lines)
    tables.attach_titles(found, segs)
    if not found and pages:
        found = tables.layout_tables(pages, text)
    body_end_line = _body_end(end.start_line, found, lines)
    body_end = lines[body_end_line - 1][1] if 0 < body_end_line <= len(lines) else len(text)
    body_start = lines[head.end_line][0] if head.end_line < len(lines) else len(text)

    symbol = head.symbol
    number, symbol_text = (symbol.number, symbol.symbol) if symbol else (None, None)
    references = [  # the document's own number ("Kèm theo Báo cáo số ...") is no citation
        ref
        for ref in body.references(text, folded)
        if symbol_text is None or (ref["number"], ref["symbol"]) != (number, symbol_text)
    ]
    sections = body.sections(segs, head.end_line, body_end_line)
    signed = end.evidence["signer.name"].end if "signer.name" in end.evidence else None
    notes = body.footnotes(text, segs, head.end_line, _page_ends(text, pages), signed)
    subject, issuer = head.subject, list(head.issuer)
    if repair is not None and first is not None:
        own = BodyWords.of(text[body_start:])
        subject = _repaired(subject, notes, found, repair)
        if subject and head.subject:  # the body's own words, then what calendars fix
            subject = subject_as_written(head.subject, subject, own)
            subject = subject_letters_as_written(subject_numbers_as_written(subject, own), own)
            subject = with_central_terms(with_year_names(respell(subject)))
        issuer = issuer_as_written(issuer, own)
    term = body.term(text, folded, body_start)
    evidence: dict[str, Evidence] = {**head.evidence, **end.evidence}
    if term:
        evidence["term"] = term[1]
    taken = _taken_spans(references, sections, notes)
    r = Fields(
        family=(
            head.family if head.family is not None else _family_from_signer(end.signer.authority)
        ),
        doc_type=head.doc_type,
        type_code=head.type_code,
        number=number,
        symbol=symbol_text,
        doc_number=symbol.doc_number if symbol else None,
        issuer_code=symbol.issuer_code if symbol else None,
        issuer=issuer,
        national_heading=head.national_heading,
        place=head.place,
        date=head.date,
        subject=subject,
        draft=head.draft,
        marks=list(head.marks),
        term=term[0] if term else None,
        signer=Signer(end.signer.authority, end.signer.title, end.signer.name),
        recipients=list(end.recipients),
        cc=list(end.cc),
        references=[Reference(**ref) for ref in references],
        sections=[Section(**s) for s in sections],
        tables=[Table(**t) for t in found],
        footnotes=[Footnote(**n) for n in notes],
        figures=[Figure(**f) for f in body.figures(text, folded, body_start, body_end, taken)],
        evidence=_evidence(evidence),
    )
    r.review = review_items(r, text, pages)
    return r


def _repaired(
    subject: str | None, notes: list[Json], found: list[Json], repair: FieldRepair
) -> str | None:
    """The subject, the footnotes and the capitals table captions of a scan re-read by
    `repair`; the subject is returned, notes and captions are changed in place."""
    for note in notes:
        note["text"] = repair.ocr_line(note["text"])
    for table in found:
        caption = table.get("caption")
        if isinstance(caption, str) and is_upper_line(caption):
            table["caption"] = repair.capitals(caption)
    return repair.bold_line(subject) if subject else subject


def _body_end(
    closing_line: int | None, found: list[dict[str, object]], lines: Sequence[tuple[int, int]]
) -> int:
    """The line where the body stops: the closing block, else the first table."""
    if closing_line is not None:
        return closing_line
    for table in found:
        start = table.get("start")
        if isinstance(start, int) and start > 0:
            return bisect_left([a for a, _ in lines], start)
    return len(lines)


def _page_ends(text: str, pages: Sequence[Page] | None) -> list[int]:
    """Where each scanned page ends in the document text (pages joined by a blank line);
    none when the text is not made of the pages that way."""
    if not pages or any(p.method != "ocr" for p in pages):
        return []
    ends, pos = [], 0
    for p in pages:
        pos += len(unicodedata.normalize("NFC", p.text))
        ends.append(pos)
        pos += 2
    return ends if ends[-1] == len(text) else []


def _family_from_signer(authority: str | None) -> str | None:
    if not authority:
        return None
    folded = fold(authority)
    if any(k in folded for k in ("dang", "ban thuong vu", "chi bo", "ban chap hanh")):
        return "party"
    if any(k in folded for k in ("uy ban", "hoi dong", "chinh phu")):
        return "state"
    return None


def _taken_spans(
    references: list[Json], sections: list[Json], notes: list[Json]
) -> list[tuple[int, int]]:
    """Text whose numbers are not figures: references, section numbers, footnotes.

    Dates and terms need no list: the figure pattern refuses numbers next to "/" or "-"
    and numbers after "ngày", "tháng", "năm", "nhiệm kỳ" (data/patterns/words.json).
    """
    taken = [(ref["start"], ref["end"]) for ref in references]
    taken.extend((s["start"], s["start"] + len(str(s["number"])) + 2) for s in sections)
    taken.extend((n["start"], n["end"]) for n in notes)
    return taken


def _evidence(found: dict[str, Evidence]) -> dict[str, Evidence]:
    out = {k: replace(v, confidence=round(v.confidence, 3)) for k, v in found.items()}
    if "doc_number" in out:
        for key in ("number", "symbol", "type_code", "issuer_code"):
            out.setdefault(key, out["doc_number"])
    if "national_heading" in out:
        out.setdefault("family", out["national_heading"])
    return out
