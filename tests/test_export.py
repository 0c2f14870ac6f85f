"""Exports: JSON lines, flat CSV and the TT 02/2019 register (CSV with BOM and XLSX,
Vietnamese headers, archive fields from a manifest)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.archive.export import (
    TT02_COLUMNS,
    ArchiveInfo,
    dumps,
    issuing_body,
    load_manifest,
    reliability,
    tt02_row,
    vn_date,
    write_xlsx,
)
from pipeline.cli import main
from pipeline.fields import extract_fields
from pipeline.record import (
    DigitalSignature,
    Page,
    Provenance,
    Quality,
    Record,
    ReviewItem,
    Source,
    with_fields,
)

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
    return with_fields(record, extract_fields(TEXT))


def test_tt02_has_bom_vietnamese_headers_and_one_row_per_record() -> None:
    out = dumps([_record(), _record(method="text", confidence=None)], "tt02")
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert tuple(rows[0]) == TT02_COLUMNS
    for column in ("Mã hồ sơ", "Số thứ tự văn bản trong hồ sơ", "Số của văn bản",
                   "Ký hiệu của văn bản", "Ngày tháng năm văn bản", "Tên loại văn bản",
                   "Trích yếu nội dung", "Ngôn ngữ", "Số lượng trang", "Ký hiệu thông tin",
                   "Từ khóa", "Chế độ sử dụng", "Mức độ tin cậy", "Bút tích",
                   "Tình trạng vật lý", "Ghi chú", "Cơ quan ban hành"):
        assert column in rows[0]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Số của văn bản"] == "196" and row["Ký hiệu của văn bản"] == "BC/ĐUK"
    assert row["Ngày tháng năm văn bản"] == "06/07/2023"
    assert row["Tên loại văn bản"] == "Báo cáo"
    assert row["Cơ quan ban hành"] == "Đảng ủy Khối Cơ quan tỉnh Thanh Hóa"
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
    record.pages[1] = replace(record.pages[1], method="text")
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
    (folder / f"{'a' * 64}.json").write_text(_record().to_json(), encoding="utf-8")
    out = tmp_path / "register.csv"
    assert main(["export", "--records", str(folder), "--format", "tt02", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Trích yếu nội dung" in data.decode("utf-8-sig").splitlines()[0]


def test_export_command_reads_a_store(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pipeline.storage import open_store

    db = str(tmp_path / "a.sqlite")
    with open_store(db) as store:
        store.add_document(_record(), {})
    assert main(["export", "--db", db, "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["symbol"] == "BC/ĐUK"


def test_export_needs_a_source() -> None:
    assert main(["export", "--format", "csv"]) == 2


def test_full_issuing_body_from_the_header_lines() -> None:
    cases = {
        ("TỈNH ỦY AN GIANG", "VĂN PHÒNG"): "Văn phòng Tỉnh ủy An Giang",
        ("ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"): "UBND tỉnh Đắk Lắk",
        ("UBND TỈNH ĐẮK LẮK",): "UBND tỉnh Đắk Lắk",
        ("UBND TỈNH ĐẮK LẮK", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"): "Sở Giáo dục và Đào tạo tỉnh Đắk Lắk",
        ("ĐẢNG BỘ TỈNH NGHỆ AN", "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH"):
            "Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh Nghệ An",
        ("TỈNH ỦY SÓC TRĂNG", "ĐẢNG ĐOÀN HỘI CỰU CHIẾN BINH TỈNH"):
            "Đảng đoàn Hội Cựu chiến binh tỉnh Sóc Trăng",
        ("BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN TỔ CHỨC"): "Ban Tổ chức Trung ương",
        ("UBND TỈNH QUẢNG NGÃI", "BAN CHỈ ĐẠO 138"): "Ban Chỉ đạo 138 tỉnh Quảng Ngãi",
        ("UBND TỈNH QUẢNG NGÃI", "VĂN PHÒNG"): "Văn phòng UBND tỉnh Quảng Ngãi",
        ("ĐẢNG BỘ TỈNH NGHỆ AN", "HUYỆN ỦY NAM ĐÀN"): "Huyện ủy Nam Đàn",
        ("ĐẢNG BỘ TỈNH THANH HÓA", "BAN TUYÊN GIÁO", "*"): "Ban Tuyên giáo Tỉnh ủy Thanh Hóa",
        ("TỈNH UỶ HÀ GIANG", "BAN TUYÊN GIÁO", "Số /BTGTU"): "Ban Tuyên giáo Tỉnh uỷ Hà Giang",
    }
    for lines, expected in cases.items():
        record = _record()
        record.issuer = list(lines)
        assert issuing_body(record) == expected, lines


def test_notes_carry_review_items_and_signatures() -> None:
    record = _record()
    record.review = [ReviewItem("number", "số viết tay, chưa đọc được"),
                     ReviewItem("date", "ngày để trống")]
    record.signatures = [DigitalSignature(signer="Ủy ban nhân dân tỉnh Quảng Ninh",
                                          organisation="UBND tỉnh Quảng Ninh",
                                          time="2025-05-10T12:49:08+07:00", intact=True)]
    row = dict(zip(TT02_COLUMNS, tt02_row(1, record), strict=True))
    note = row["Ghi chú"]
    assert "cần kiểm tra số: số viết tay, chưa đọc được" in note
    assert "cần kiểm tra ngày tháng: ngày để trống" in note
    assert "chữ ký số: Ủy ban nhân dân tỉnh Quảng Ninh (UBND tỉnh Quảng Ninh)" in note
    assert "nguyên vẹn" in note and "Dự thảo lần 2" in note


def test_manifest_fills_the_archive_columns_and_numbers_documents_per_file(
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "m.toml"
    manifest.write_text(
        'phong = "12"\nmuc_luc = "03"\nho_so = "45"\nche_do_su_dung = "Công khai"\n'
        'but_tich = "Không"\n[documents."b.pdf"]\nho_so = "46"\n', encoding="utf-8")
    info = load_manifest(manifest)
    first, second, third = _record(), _record(), _record()
    third.source.path = "in/b.pdf"
    second.marks = ["MẬT"]
    out = dumps([first, second, third], "tt02", info)
    rows = [dict(zip(TT02_COLUMNS, r, strict=True))
            for r in list(csv.reader(io.StringIO(out[1:])))[1:]]
    assert [r["Mã hồ sơ"] for r in rows] == ["12.03.45", "12.03.45", "12.03.46"]
    assert [r["Số thứ tự văn bản trong hồ sơ"] for r in rows] == ["1", "2", "1"]
    assert [r["Chế độ sử dụng"] for r in rows] == ["Công khai", "Hạn chế (MẬT)", "Công khai"]
    assert rows[0]["Mã phông"] == "12" and rows[0]["Bút tích"] == "Không"
    bad = tmp_path / "bad.json"
    bad.write_text('{"fonds": "12"}', encoding="utf-8")
    with pytest.raises(ValueError, match="fonds"):
        load_manifest(bad)


def test_xlsx_register_has_every_column_and_real_dates(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "register.xlsx"
    record = _record()
    partial = _record()
    partial.date = "2025-06"
    assert write_xlsx([record, partial], out, ArchiveInfo(phong="12")) == 2
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert tuple(header) == TT02_COLUMNS
    date_cell = sheet.cell(row=2, column=header.index("Ngày tháng năm văn bản") + 1)
    assert date_cell.value.date() == dt.date(2023, 7, 6)
    assert date_cell.number_format.lower() == "dd/mm/yyyy"
    assert sheet.cell(row=3, column=header.index("Ngày tháng năm văn bản") + 1).value == "06/2025"
    assert sheet.cell(row=2, column=header.index("Cơ quan ban hành") + 1).value == (
        "Đảng ủy Khối Cơ quan tỉnh Thanh Hóa")
    assert sheet.cell(row=2, column=header.index("Mã phông") + 1).value == "12"


def test_export_command_writes_xlsx_with_archive_options(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    folder = tmp_path / "records"
    folder.mkdir()
    (folder / f"{'a' * 64}.json").write_text(_record().to_json(), encoding="utf-8")
    out = tmp_path / "register.xlsx"
    assert main(["export", "--records", str(folder), "--format", "xlsx", "--out", str(out),
                 "--phong", "7", "--muc-luc", "1", "--ho-so", "9"]) == 0
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Mã hồ sơ") + 1).value == "7.1.9"
    assert main(["export", "--records", str(folder), "--format", "xlsx"]) == 2
    assert main(["export", "--records", str(folder), "--manifest", str(tmp_path / "no.json")]) == 2
