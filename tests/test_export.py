"""Exports: JSON lines, flat CSV and the TT 02/2019 register (BOM, Vietnamese headers)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pipeline.cli import main
from pipeline.export import TT02_COLUMNS, dumps, issuing_body, reliability, vn_date
from pipeline.fields import extract_fields
from pipeline.record import Page, Provenance, Quality, Record, Source

TEXT = """ĐẢNG BỘ TỈNH THANH HÓA
ĐẢNG ỦY KHỐI CƠ QUAN
*
Số 196-BC/ĐUK
ĐẢNG CỘNG SẢN VIỆT NAM
Thanh Hoá, ngày 06 tháng 7 năm 2023
Dự thảo lần 2
BÁO CÁO
sơ kết công tác, nhiệm kỳ 2020-2025

Nội dung.

Nơi nhận:
- Lưu VP.

T/M ĐẢNG ỦY
BÍ THƯ
Trần Văn Hải
"""


def _record(method: str = "ocr", confidence: float | None = 91.0) -> Record:
    pages = [Page(1, TEXT, TEXT, confidence, method=method), Page(2, "", "", confidence,
                                                                  method=method)]
    record = Record(
        id="a" * 64,
        source=Source("in/doc.pdf", "a" * 64, "application/pdf", 2),
        text=TEXT,
        raw_text=TEXT,
        pages=pages,
        provenance=Provenance("0.1.0", "2026-01-01T00:00:00+00:00"),
        quality=Quality(ocr_confidence=confidence),
    )
    return extract_fields(TEXT).apply(record)


def test_tt02_has_bom_vietnamese_headers_and_one_row_per_record() -> None:
    out = dumps([_record(), _record(method="text", confidence=None)], "tt02")
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert tuple(rows[0]) == TT02_COLUMNS
    assert "Số và ký hiệu" in rows[0] and "Mức độ tin cậy" in rows[0]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Số và ký hiệu"] == "196-BC/ĐUK"
    assert row["Ngày tháng năm"] == "06/07/2023"
    assert row["Tên loại"] == "Báo cáo"
    assert row["Cơ quan ban hành"] == "ĐẢNG ỦY KHỐI CƠ QUAN"
    assert row["Trích yếu nội dung"] == "sơ kết công tác, nhiệm kỳ 2020-2025"
    assert row["Ngôn ngữ"] == "Tiếng Việt" and row["Số lượng trang"] == "2"
    assert row["Mức độ tin cậy"] == "Số hóa" and row["Tình trạng vật lý"] == "Bình thường"
    assert "Dự thảo lần 2" in row["Ghi chú"]
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["Mức độ tin cậy"] == "Gốc điện tử" and second["Tình trạng vật lý"] == ""


def test_register_helpers() -> None:
    assert vn_date("2025-06") == "06/2025" and vn_date(None) == ""
    record = _record()
    record.issuer = []
    assert issuing_body(record) == "Đảng ủy Khối"  # from the issuer code table
    record.pages[1].method = "text"
    assert reliability(record) == "Hỗn hợp"


def test_csv_and_jsonl() -> None:
    out = dumps([_record()], "csv")
    assert out.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(out[1:])))
    assert dict(zip(header, row, strict=True))["signer_name"] == "Trần Văn Hải"
    line = dumps([_record()], "jsonl").strip()
    assert json.loads(line)["doc_number"] == "196-BC/ĐUK"


def test_export_command_reads_a_folder_of_records(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "a.json").write_text(_record().to_json(), encoding="utf-8")
    out = tmp_path / "register.csv"
    assert main(["export", "--records", str(folder), "--format", "tt02", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Trích yếu nội dung" in data.decode("utf-8-sig").splitlines()[0]


def test_export_command_reads_a_store(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pipeline.store import Store

    db = str(tmp_path / "a.sqlite")
    with Store.open(db) as store:
        store.add_document(_record(), {})
    assert main(["export", "--db", db, "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["symbol"] == "BC/ĐUK"


def test_export_needs_a_source() -> None:
    assert main(["export", "--format", "csv"]) == 2
