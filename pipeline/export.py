"""Archive exports of records: JSON lines, a flat CSV, and the Thông tư 02/2019/TT-BNV
document-level register (Vietnamese headers, UTF-8 with BOM so spreadsheet programs
open it as Unicode). Pure: records in, text out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from pipeline.record import Record

BOM = "\ufeff"
FORMATS = ("jsonl", "csv", "tt02")

TT02_COLUMNS = (
    "STT",
    "Số và ký hiệu",
    "Ngày tháng năm",
    "Tên loại",
    "Cơ quan ban hành",
    "Trích yếu nội dung",
    "Ngôn ngữ",
    "Số lượng trang",
    "Ký hiệu thông tin",
    "Từ khóa",
    "Mức độ tin cậy",
    "Tình trạng vật lý",
    "Ghi chú",
    "Mã tài liệu",
)
CSV_COLUMNS = (
    "id", "path", "pages", "family", "doc_type", "type_code", "number", "symbol",
    "doc_number", "issuer_code", "issuer", "place", "date", "subject", "draft", "marks",
    "term", "signer_authority", "signer_title", "signer_name", "recipients", "references",
)
LANGUAGES = {"vi": "Tiếng Việt", "en": "Tiếng Anh", "fr": "Tiếng Pháp"}
LOW_OCR_CONFIDENCE = 60.0  # mean word confidence below which a scan is noted as hard to read


def jsonl_lines(records: Iterable[Record]) -> Iterator[str]:
    """One compact JSON record per line."""
    for record in records:
        yield record.to_json(indent=None) + "\n"


def vn_date(iso: str | None) -> str:
    """"2023-07-06" → "06/07/2023"; a partial "2025-06" → "06/2025"."""
    if not iso:
        return ""
    return "/".join(reversed(iso.split("-")))


def type_name(record: Record) -> str:
    """Tên loại in register case ("Báo cáo")."""
    # the code tables live with the extractor; importing it at the top would load spaCy
    # for every command (the CLI builds all parsers)
    from pipeline.fields.rules import doc_type_by_code, doc_types

    for t in doc_types():
        if record.doc_type and t.heading == record.doc_type:
            return t.name
    dt = doc_type_by_code(record.type_code, record.family) if record.type_code else None
    return dt.name if dt else (record.doc_type or "").capitalize()


def issuing_body(record: Record) -> str:
    """The issuing body: header lines under the parent body, else the issuer code's name.

    The first of two or more header lines is the parent body (ĐẢNG BỘ TỈNH ...); the
    issuing body's name may wrap over the lines after it, so they are joined.
    """
    lines = [ln.strip() for ln in record.issuer if ln.strip() and ln.strip() != "*"]
    if len(lines) >= 2:
        return " ".join(lines[1:])
    if lines:
        return lines[0]
    from pipeline.fields.rules import issuer_codes  # see type_name

    codes = issuer_codes()
    parts = [codes.get(c, c) for c in (record.issuer_code or "").split("-") if c]
    return "; ".join(parts)


def reliability(record: Record) -> str:
    """Mức độ tin cậy: "Số hóa" when every page was OCR'd, "Gốc điện tử" when every page
    came as text (a text file or a PDF text layer), "Hỗn hợp" for a mix."""
    methods = {p.method for p in record.pages}
    if methods == {"ocr"}:
        return "Số hóa"
    if methods and "ocr" not in methods:
        return "Gốc điện tử"
    return "Hỗn hợp" if methods else ""


def physical_state(record: Record) -> str:
    """Tình trạng vật lý as far as the scan shows it: from OCR confidence; blank for text."""
    conf = record.quality.ocr_confidence
    if conf is None:
        return ""
    if conf < LOW_OCR_CONFIDENCE:
        return f"Chữ mờ, khó đọc (độ tin cậy OCR {conf:.0f}%)"
    return "Bình thường"


def keywords(record: Record) -> str:
    """Từ khóa: document type, issuing body code, place, year and term, as a quick index."""
    parts = [type_name(record), record.issuer_code, record.place,
             (record.date or "")[:4] or None, f"nhiệm kỳ {record.term}" if record.term else None]
    return "; ".join(p for p in parts if p)


def notes(record: Record) -> str:
    """Ghi chú: draft and secrecy marks, a blank day, and processing errors."""
    parts: list[str] = []
    if record.draft:
        parts.append(record.draft)
    parts.extend(record.marks)
    if record.date and len(record.date) == 7:
        parts.append("ngày ban hành để trống")
    if record.errors:
        parts.append(f"{len(record.errors)} lỗi xử lý")
    return "; ".join(parts)


def tt02_row(index: int, record: Record) -> list[str]:
    """One register row for one record."""
    return [
        str(index),
        record.doc_number or record.symbol or "",
        vn_date(record.date),
        type_name(record),
        issuing_body(record),
        record.subject or "",
        LANGUAGES.get(record.language, record.language),
        str(len(record.pages) or record.source.pages),
        "",  # Ký hiệu thông tin: assigned by the archive's classification scheme
        keywords(record),
        reliability(record),
        physical_state(record),
        notes(record),
        record.id,
    ]


def csv_row(record: Record) -> list[str]:
    """One flat row of the main fields (lists joined with "; ")."""
    values = [
        record.id, record.source.path, len(record.pages) or record.source.pages, record.family,
        record.doc_type, record.type_code, record.number, record.symbol, record.doc_number,
        record.issuer_code, " / ".join(record.issuer), record.place, record.date,
        record.subject, record.draft, "; ".join(record.marks), record.term,
        record.signer.authority, record.signer.title, record.signer.name,
        "; ".join(record.recipients),
        "; ".join(str(r.get("text") or r.get("symbol") or "") for r in record.references),
    ]
    return ["" if v is None else str(v) for v in values]


def export_text(records: Iterable[Record], fmt: str) -> Iterator[str]:
    """The export as chunks of text; CSV formats start with a BOM."""
    if fmt == "jsonl":
        yield from jsonl_lines(records)
        return
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TT02_COLUMNS if fmt == "tt02" else CSV_COLUMNS)
    yield BOM + buffer.getvalue()
    for index, record in enumerate(records, start=1):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(tt02_row(index, record) if fmt == "tt02" else csv_row(record))
        yield buffer.getvalue()


def dumps(records: Iterable[Record], fmt: str) -> str:
    """The whole export as one string (tests, small runs)."""
    return "".join(export_text(records, fmt))


def load_json_records(texts: Iterable[str]) -> Iterator[Record]:
    """Records from JSON texts (one record per text)."""
    for text in texts:
        yield Record.from_dict(json.loads(text))
