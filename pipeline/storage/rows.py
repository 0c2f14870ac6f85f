"""What every backend stores for a record: the document row, the record JSON without page
texts, the media type of page images, and the splicing of page texts back into that JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from pipeline.record import Record
from pipeline.storage.protocol import HitRow
from pipeline.storage.text import fold

# The columns of a document row, in `document_row` order (both backends' `documents`).
DOC_COLUMNS = (
    "id",
    "sha256",
    "path",
    "media_type",
    "n_pages",
    "doc_type",
    "type_code",
    "number",
    "symbol",
    "doc_number",
    "issuer_code",
    "issuer",
    "place",
    "date",
    "year",
    "subject",
    "draft",
    "type_key",
    "issuer_key",
    "place_key",
    "symbol_key",
    "created",
)
# What a search hit shows (protocol.HitRow, less score and exact).
HIT_COLUMNS = (
    "id",
    "doc_type",
    "type_code",
    "doc_number",
    "subject",
    "issuer",
    "place",
    "date",
    "draft",
    "n_pages",
)
_YEAR = re.compile(r"^(\d{4})")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
EMPTY_PAGE = re.compile(rb'\{"number":(\d+),"text":"","raw_text":""')


class ResultRow(Protocol):
    """A result row by column name: `sqlite3.Row` or psycopg's dict row."""

    def __getitem__(self, column: str) -> Any: ...


def hit_rows(rows: Sequence[ResultRow]) -> list[HitRow]:
    """A backend's result rows (the hit columns, `score`, `exact`) as hits."""
    return [
        HitRow(
            **{c: row[c] for c in HIT_COLUMNS},
            score=float(row["score"]),
            exact=bool(row["exact"]),
        )
        for row in rows
    ]


def image_media_type(data: bytes) -> str:
    """Media type of image bytes from their magic number (the store never trusts a name)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return "application/octet-stream"


def _key(values: Sequence[str | None]) -> str:
    """Folded values between `|` separators, for exact-item and substring filters."""
    return "|" + "|".join(fold(v).strip() for v in values if v) + "|"


def _issuing_body(issuer: Sequence[str]) -> str | None:
    """The issuing body: the last header line (the parent body, when present, comes first)."""
    lines = [line.strip() for line in issuer if line.strip() and line.strip() != "*"]
    return lines[-1] if lines else None


def record_json(record: Record) -> str:
    """The record as compact JSON without page texts, which live in `pages` alone."""
    data = record.to_dict()
    for page in data["pages"]:
        page["text"] = page["raw_text"] = ""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def document_row(record: Record) -> tuple[Any, ...]:
    """The values of DOC_COLUMNS for a record."""
    year_match = _YEAR.match(record.date or "")
    return (
        record.id,
        record.source.sha256,
        record.source.path,
        record.source.media_type,
        len(record.pages) or record.source.pages,
        record.doc_type,
        record.type_code,
        record.number,
        record.symbol,
        record.doc_number,
        record.issuer_code,
        _issuing_body(record.issuer),
        record.place,
        record.date,
        int(year_match.group(1)) if year_match else None,
        record.subject,
        record.draft,
        _key([record.type_code, record.doc_type]),
        _key([record.issuer_code, *record.issuer]),
        _key([record.place]),
        _key([record.symbol, record.doc_number]),
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def with_page_texts(stored: str | bytes, texts: Mapping[int, tuple[str, str]]) -> Record:
    """The stored record JSON with its page texts ((text, raw_text) by number) put back."""
    data = json.loads(stored)
    for page in data["pages"]:
        found = texts.get(page["number"])
        if found is not None:
            page["text"], page["raw_text"] = found
    return Record.from_dict(data)


def splice_pages(
    stored: bytes,
    read_texts: Callable[[list[int]], Mapping[int, tuple[str, str]]],
    batch: int,
) -> Iterator[bytes]:
    """The stored JSON as sent: each empty page object gets its texts back from
    `read_texts` (numbers → (text, raw_text)), a batch of pages at a time, so a 300-page
    record is never held whole twice, nor parsed."""
    view = memoryview(stored)
    position = 0
    marks = EMPTY_PAGE.finditer(stored)
    while True:
        found = [m for _, m in zip(range(batch), marks, strict=False)]
        if not found:
            break
        numbers = [int(m.group(1)) for m in found]
        texts = read_texts(numbers)
        parts: list[bytes | memoryview] = []
        for number, match in zip(numbers, found, strict=True):
            text, raw = texts.get(number, ("", ""))
            parts.append(view[position : match.start()])
            parts.append(
                f'{{"number":{number},"text":{_dumps(text)},"raw_text":{_dumps(raw)}'.encode()
            )
            position = match.end()
        yield b"".join(parts)
    yield bytes(view[position:])


def _dumps(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
