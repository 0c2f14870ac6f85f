"""Archive exports of records: JSON lines, a flat CSV, and the Thông tư 02/2019/TT-BNV
document-level register (Phụ lục I columns, Vietnamese headers) as CSV (UTF-8 with BOM so
spreadsheet programs open it as Unicode) or XLSX. Records in, text or a workbook out; the
per-document archive files (PDF/A, ALTO, hOCR, bags) live in `pipeline.archive`."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pipeline.record import Record

BOM = "\ufeff"
TEXT_FORMATS = ("jsonl", "csv", "tt02")  # written as text
FILE_FORMATS = ("xlsx",)  # the register as a workbook
FOLDER_FORMATS = ("pdfa", "alto", "hocr", "bag")  # one or more files per document
FORMATS = TEXT_FORMATS + FILE_FORMATS + FOLDER_FORMATS

TT02_COLUMNS = (
    "STT",
    "Mã phông",
    "Mục lục số",
    "Hồ sơ số",
    "Mã hồ sơ",
    "Số thứ tự văn bản trong hồ sơ",
    "Số của văn bản",
    "Ký hiệu của văn bản",
    "Ngày tháng năm văn bản",
    "Tên loại văn bản",
    "Cơ quan ban hành",
    "Trích yếu nội dung",
    "Ngôn ngữ",
    "Số lượng trang",
    "Ký hiệu thông tin",
    "Từ khóa",
    "Chế độ sử dụng",
    "Mức độ tin cậy",
    "Bút tích",
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


# Words that open the name of a body that belongs to its parent (Văn phòng Tỉnh ủy ...).
_UNIT_OPENERS = (
    "VĂN PHÒNG", "BAN ", "ỦY BAN KIỂM TRA", "UỶ BAN KIỂM TRA", "ĐẢNG ĐOÀN", "BAN CÁN SỰ",
    "SỞ ", "PHÒNG ", "TRUNG TÂM", "CHI CỤC", "CỤC ", "VỤ ", "THANH TRA", "ĐOÀN ",
    "ĐẢNG ỦY KHỐI", "ĐẢNG UỶ KHỐI", "HỘI ",
)
# Administrative units a place name follows.
_PLACE_UNITS = ("THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "TỈNH", "HUYỆN", "QUẬN", "PHƯỜNG", "XÃ")
# Bodies named after a place without a unit word between (TỈNH ỦY AN GIANG).
_PLACE_BODIES = ("TỈNH ỦY", "TỈNH UỶ", "THÀNH ỦY", "THÀNH UỶ", "HUYỆN ỦY", "HUYỆN UỶ",
                 "QUẬN ỦY", "QUẬN UỶ", "THỊ ỦY", "THỊ UỶ", "ĐẢNG BỘ", "ĐẢNG ỦY", "ĐẢNG UỶ")
_ABBREVIATIONS = (("ỦY BAN NHÂN DÂN", "UBND"), ("UỶ BAN NHÂN DÂN", "UBND"),
                  ("HỘI ĐỒNG NHÂN DÂN", "HĐND"))
_NAME_OPENERS = ("và", "Sở", "Ban", "Khối", "Bộ", "đoàn", "Hội")  # a capital follows
_NUMBER_TAIL = re.compile(r"(^|\s+)(SỐ|Số|số)\b.*$")  # a number line (Số /BTGTU), or its tail


def _clean_header_line(line: str) -> str:
    line = _NUMBER_TAIL.sub("", line.strip())  # the number line, or OCR ran it into the header
    return " ".join(line.replace("*", " ").split())


def _dangling_unit(text: str) -> bool:
    return any(text == unit or text.endswith(" " + unit) for unit in _PLACE_UNITS)


def _has_place(text: str) -> bool:
    """A unit word with a name after it (TỈNH ĐẮK LẮK), or a place-named body (TỈNH ỦY X)."""
    words = f" {text} "
    for unit in (*_PLACE_UNITS, *_PLACE_BODIES):
        at = words.find(f" {unit} ")
        rest = words[at + len(unit) + 2:].strip() if at >= 0 else ""
        if rest and not rest.startswith("KHỐI"):  # ĐẢNG ỦY KHỐI ... names no place
            return True
    return False


def _place_of(parent: str) -> str:
    """The unit and place name of a parent body: "UBND TỈNH ĐẮK LẮK" -> "TỈNH ĐẮK LẮK",
    "TỈNH ỦY AN GIANG" -> "TỈNH AN GIANG"."""
    words = f" {parent} "
    for body in _PLACE_BODIES:
        at = words.find(f" {body} ")
        if at >= 0 and words[at + len(body) + 2:].strip() and not body.startswith("ĐẢNG"):
            unit = body.split()[0]
            return f"{unit} {words[at + len(body) + 2:].strip()}"
    for unit in _PLACE_UNITS:
        at = words.find(f" {unit} ")
        if at >= 0 and words[at + len(unit) + 2:].strip():
            return words[at + 1:].strip()
    return ""


def full_issuing_body(lines: list[str]) -> str:
    """The issuing body's full name from the header lines (capitals, as printed).

    The first of two or more lines is the parent body; the issuing body's name may wrap
    over the lines after it. A body that belongs to its parent (VĂN PHÒNG under TỈNH ỦY AN
    GIANG) takes the parent's name; one that ends on a unit word (ĐẢNG ỦY KHỐI ... TỈNH)
    takes the parent's place; a Sở takes the province of its UBND; a lone first line that
    wraps (ỦY BAN NHÂN DÂN / TỈNH ĐẮK LẮK) is joined.
    """
    cleaned = [_clean_header_line(ln) for ln in lines]
    cleaned = [ln for ln in cleaned if ln]
    if not cleaned:
        return ""
    if len(cleaned) == 1:
        return cleaned[0]
    parent, body = cleaned[0], " ".join(cleaned[1:])
    if not _has_place(parent) and body.split()[0] in {u.split()[0] for u in _PLACE_UNITS}:
        return f"{parent} {body}"  # one name wrapped over two lines
    if _dangling_unit(body):
        place = _place_of(parent)
        unit = body.split()[-1]
        if place.startswith(unit + " "):
            return f"{body}{place[len(unit):]}"
        return f"{body} {place}".strip()
    if _has_place(body) or not body.startswith(_UNIT_OPENERS):
        return body
    if body.startswith(("SỞ ", "ĐẢNG ỦY KHỐI", "ĐẢNG UỶ KHỐI", "BAN CHỈ ĐẠO", "HỘI ĐỒNG")):
        # named after the province (Ban Chỉ đạo 138 tỉnh Quảng Ngãi), not its parent
        place = _place_of(parent)
        return f"{body} {place}".strip()
    if parent.startswith(("BAN CHẤP HÀNH TRUNG ƯƠNG", "BCH TRUNG ƯƠNG")):
        return f"{body} TRUNG ƯƠNG"
    if parent.startswith(("ĐẢNG BỘ",)):  # a unit of the Party committee of that place
        place = _place_of(parent)
        committee = {"TỈNH": "TỈNH ỦY", "HUYỆN": "HUYỆN ỦY", "QUẬN": "QUẬN ỦY",
                     "THÀNH": "THÀNH ỦY"}.get(place.split()[0] if place else "", "")
        name = place.split(" ", 2)[-1] if place.startswith("THÀNH PHỐ") else (
            place.split(" ", 1)[-1] if place else "")
        if committee and name:
            return f"{body} {committee} {name}"
    return f"{body} {parent}"


def register_case(name: str) -> str:
    """A body's name as a register writes it: "VĂN PHÒNG TỈNH ỦY AN GIANG" -> "Văn phòng
    Tỉnh ủy An Giang", "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" -> "UBND tỉnh Đắk Lắk"; a name
    already in mixed case is kept."""
    if not name or name != name.upper():
        return name
    for long, short in _ABBREVIATIONS:
        name = name.replace(long, short)
    words = name.split()
    out: list[str] = []
    proper = False  # inside a place name: every syllable capitalised
    i = 0
    while i < len(words):
        word = words[i]
        pair = " ".join(words[i:i + 2])
        if word in ("UBND", "HĐND", "MTTQ"):
            out.append(word)
            proper = False
        elif pair in _PLACE_BODIES or pair in ("THỊ XÃ", "THỊ TRẤN", "THÀNH PHỐ"):
            first, second = words[i].capitalize(), words[i + 1].lower()
            if pair in ("THỊ XÃ", "THỊ TRẤN", "THÀNH PHỐ"):
                first = first.lower() if out else first
            out += [first, second]
            proper = True
            i += 2
            continue
        elif word in ("TỈNH", "HUYỆN", "QUẬN", "PHƯỜNG", "XÃ"):
            out.append(word.lower() if out else word.capitalize())
            proper = True
        elif word == "VÀ":
            out.append("và")
            proper = False
        elif word == "KHỐI":
            out.append("Khối")
            proper = False
        elif word == "TRUNG" and words[i + 1:i + 2] == ["ƯƠNG"]:
            out += ["Trung", "ương"]
            i += 2
            continue
        elif proper or not out or out[-1] in _NAME_OPENERS:
            out.append(word.capitalize())
        else:
            out.append(word.lower())
        i += 1
    return " ".join(out)


def issuing_body(record: Record) -> str:
    """Cơ quan ban hành: the full issuing body in register case (header lines, see
    `full_issuing_body`), else the issuer code's name."""
    body = full_issuing_body(record.issuer)
    if body:
        return register_case(body)
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


def keyword_list(record: Record) -> list[str]:
    """Từ khóa: document type, issuing body code, place, year and term, as a quick index."""
    parts = [type_name(record), record.issuer_code, record.place,
             (record.date or "")[:4] or None, f"nhiệm kỳ {record.term}" if record.term else None]
    return [p for p in parts if p]


def keywords(record: Record) -> str:
    return "; ".join(keyword_list(record))


def signature_notes(record: Record) -> list[str]:
    """One line per digital signature of the source PDF."""
    out = []
    for sig in record.signatures:
        state = {True: "nguyên vẹn", False: "không còn nguyên vẹn", None: "chưa kiểm tra"}
        text = f"chữ ký số: {sig.signer or 'không rõ người ký'}"
        if sig.organisation:
            text += f" ({sig.organisation})"
        if sig.time:
            text += f", {sig.time}"
        out.append(f"{text}, {state[sig.intact]}")
    return out


def notes(record: Record) -> str:
    """Ghi chú: draft and secrecy marks, a blank day, the fields to review (record.review),
    digital signatures and processing errors."""
    parts: list[str] = []
    if record.draft:
        parts.append(record.draft)
    parts.extend(record.marks)
    if record.date and len(record.date) == 7:
        parts.append("ngày ban hành để trống")
    parts.extend(f"cần kiểm tra {REVIEW_NAMES.get(item.field, item.field)}: {item.reason}"
                 for item in record.review)
    parts.extend(signature_notes(record))
    if record.errors:
        parts.append(f"{len(record.errors)} lỗi xử lý")
    return "; ".join(parts)


# record keys of review items as the register names them
REVIEW_NAMES = {
    "number": "số", "symbol": "ký hiệu", "date": "ngày tháng", "doc_type": "tên loại",
    "issuer": "cơ quan ban hành", "subject": "trích yếu", "signer": "người ký",
    "place": "địa danh", "recipients": "nơi nhận", "pages": "trang",
}
SECRECY_MARKS = ("TUYỆT MẬT", "TỐI MẬT", "MẬT")


@dataclass
class ArchiveInfo:
    """Archive-level fields of a register (one import): phông, mục lục, hồ sơ and the
    defaults a person sets for the batch; `documents` overrides them per document, keyed
    by the record id (sha256) or the source file's name."""

    phong: str = ""  # Mã phông (fonds code)
    muc_luc: str = ""  # Mục lục số
    ho_so: str = ""  # Hồ sơ số
    ma_ho_so: str = ""  # Mã hồ sơ; default: phông.mục lục.hồ sơ
    ky_hieu_thong_tin: str = ""
    che_do_su_dung: str = ""  # default for documents without a secrecy mark
    but_tich: str = ""
    tinh_trang_vat_ly: str = ""  # overrides the OCR-based guess when set
    documents: dict[str, dict[str, str]] = field(default_factory=dict)

    def for_record(self, record: Record) -> ArchiveInfo:
        override = self.documents.get(record.id) or self.documents.get(
            Path(record.source.path).name) or {}
        if not override:
            return self
        known = {f.name for f in fields(ArchiveInfo)} - {"documents"}
        changes: dict[str, Any] = {k: str(v) for k, v in override.items() if k in known}
        return replace(self, **changes)

    def file_code(self) -> str:
        if self.ma_ho_so:
            return self.ma_ho_so
        parts = [p for p in (self.phong, self.muc_luc, self.ho_so) if p]
        return ".".join(parts)


def load_manifest(path: Path) -> ArchiveInfo:
    """An ArchiveInfo from a JSON or TOML file with the field names of ArchiveInfo."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the manifest must be an object")
    known = {f.name for f in fields(ArchiveInfo)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{path}: unknown manifest keys {', '.join(unknown)}")
    documents = {str(k): {str(a): str(b) for a, b in v.items()}
                 for k, v in (data.get("documents") or {}).items()}
    plain = {k: str(v) for k, v in data.items() if k != "documents"}
    return ArchiveInfo(**plain, documents=documents)


def use_mode(record: Record, info: ArchiveInfo) -> str:
    """Chế độ sử dụng: restricted when the document carries a secrecy mark."""
    for mark in SECRECY_MARKS:
        if mark in record.marks:
            return f"Hạn chế ({mark})"
    return info.che_do_su_dung


def tt02_values(index: int, record: Record, info: ArchiveInfo | None = None,
                position: int | None = None) -> list[str | dt.date]:
    """One register row: strings, and the date as a date when it is a full date."""
    info = (info or ArchiveInfo()).for_record(record)
    number = "" if record.number is None else (
        f"{record.number:02d}" if record.family == "party" else str(record.number))
    date: str | dt.date = vn_date(record.date)
    if record.date and len(record.date) == 10:
        with contextlib.suppress(ValueError):
            date = dt.date.fromisoformat(record.date)
    return [
        str(index),
        info.phong,
        info.muc_luc,
        info.ho_so,
        info.file_code(),
        str(position if position is not None else index),
        number,
        record.symbol or ("" if record.number is not None else record.doc_number or ""),
        date,
        type_name(record),
        issuing_body(record),
        record.subject or "",
        LANGUAGES.get(record.language, record.language),
        str(len(record.pages) or record.source.pages),
        info.ky_hieu_thong_tin,
        keywords(record),
        use_mode(record, info),
        reliability(record),
        info.but_tich,
        info.tinh_trang_vat_ly or physical_state(record),
        notes(record),
        record.id,
    ]


def tt02_row(index: int, record: Record, info: ArchiveInfo | None = None,
             position: int | None = None) -> list[str]:
    """One register row as text (dates dd/mm/yyyy)."""
    return [v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v
            for v in tt02_values(index, record, info, position)]


def register_rows(records: Iterable[Record], info: ArchiveInfo | None = None
                  ) -> Iterator[list[str | dt.date]]:
    """Register rows numbered 1.. overall (STT) and 1.. within each hồ sơ."""
    info = info or ArchiveInfo()
    seen: dict[str, int] = {}
    for index, record in enumerate(records, start=1):
        code = info.for_record(record).file_code()
        seen[code] = seen.get(code, 0) + 1
        yield tt02_values(index, record, info, seen[code])


def write_xlsx(records: Iterable[Record], out: Path | io.BytesIO,
               info: ArchiveInfo | None = None) -> int:
    """The TT 02/2019 register as an XLSX workbook (dates as dates shown dd/mm/yyyy);
    returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = "Mục lục văn bản"
    sheet.append(list(TT02_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    count = 0
    date_column = TT02_COLUMNS.index("Ngày tháng năm văn bản") + 1
    for row in register_rows(records, info):
        sheet.append(row)
        count += 1
        cell = sheet.cell(row=count + 1, column=date_column)
        if isinstance(row[date_column - 1], dt.date):
            cell.number_format = "DD/MM/YYYY"
    widths = {"Cơ quan ban hành": 36, "Trích yếu nội dung": 60, "Ghi chú": 50, "Từ khóa": 30,
              "Mã tài liệu": 20, "Ký hiệu của văn bản": 16, "Ngày tháng năm văn bản": 12}
    for n, name in enumerate(TT02_COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width = widths.get(
            name, 12)
    sheet.freeze_panes = "A2"
    book.save(out)
    return count


def csv_row(record: Record) -> list[str]:
    """One flat row of the main fields (lists joined with "; ")."""
    values = [
        record.id, record.source.path, len(record.pages) or record.source.pages, record.family,
        record.doc_type, record.type_code, record.number, record.symbol, record.doc_number,
        record.issuer_code, " / ".join(record.issuer), record.place, record.date,
        record.subject, record.draft, "; ".join(record.marks), record.term,
        record.signer.authority, record.signer.title, record.signer.name,
        "; ".join(record.recipients),
        "; ".join(r.text or r.symbol or "" for r in record.references),
    ]
    return ["" if v is None else str(v) for v in values]


def export_text(records: Iterable[Record], fmt: str,
                info: ArchiveInfo | None = None) -> Iterator[str]:
    """The export as chunks of text; CSV formats start with a BOM."""
    if fmt == "jsonl":
        yield from jsonl_lines(records)
        return
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TT02_COLUMNS if fmt == "tt02" else CSV_COLUMNS)
    yield BOM + buffer.getvalue()
    rows: Iterable[list[str | dt.date]] | Iterator[list[str]]
    if fmt == "tt02":
        rows = register_rows(records, info)
    else:
        rows = (csv_row(record) for record in records)
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for v in row])
        yield buffer.getvalue()


def dumps(records: Iterable[Record], fmt: str, info: ArchiveInfo | None = None) -> str:
    """The whole export as one string (tests, small runs)."""
    return "".join(export_text(records, fmt, info))


def load_json_records(texts: Iterable[str]) -> Iterator[Record]:
    """Records from JSON texts (one record per text)."""
    for text in texts:
        yield Record.from_dict(json.loads(text))
