"""Field extraction with OCR layout: columns cut at word gaps, ruled tables from boxes."""

from __future__ import annotations

from pipeline.fields import extract_fields
from pipeline.record import Line, Page, Word

H = 40  # line height in pixels


def _line(y: int, *cells: tuple[int, str]) -> Line:
    """An OCR line whose words start at the given x positions (25 px per character)."""
    words = []
    for x, text in cells:
        for word in text.split():
            words.append(Word(word, [x, y, x + 25 * len(word), y + H], 90.0))
            x += 25 * len(word) + 12
    text = " ".join(w.text for w in words)
    return Line(text, [words[0].bbox[0], y, words[-1].bbox[2], y + H], 90.0, words=words)


def test_merged_columns_are_cut_at_the_gap() -> None:
    lines = [
        _line(100, (200, "ĐẢNG BỘ TỈNH THANH HÓA"), (1400, "ĐẢNG CỘNG SẢN VIỆT NAM")),
        _line(150, (200, "ĐẢNG ỦY KHỐI CƠ QUAN"), (1300, "Thanh Hoá, ngày 06 tháng 7 năm 2023")),
        _line(200, (300, "Số 196-BC/ĐUK")),
    ]
    text = "\n".join(ln.text for ln in lines) + "\n\nBÁO CÁO\nvề việc X\n\nNội dung."
    page = Page(1, text, text, 90.0, width=2480, height=3508, lines=lines)
    r = extract_fields(text, [page])
    assert r.issuer == ["ĐẢNG BỘ TỈNH THANH HÓA", "ĐẢNG ỦY KHỐI CƠ QUAN"]
    assert r.national_heading == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert (r.place, r.date, r.doc_number) == ("Thanh Hoá", "2023-07-06", "196-BC/ĐUK")


def test_ruled_table_from_ocr_boxes() -> None:
    lines = [
        _line(100, (1100, "PHỤ LỤC 1")),
        _line(160, (900, "KIỂM TRA, GIÁM SÁT")),
        _line(300, (430, "STT")),
        _line(300, (850, "NỘI DUNG")),
        _line(300, (1510, "Năm 2012")),
        _line(300, (1950, "Năm 2013")),
        _line(400, (440, "I|"), (566, "Kiểm tra, giám sát")),
        _line(400, (1580, "827")),
        _line(400, (2020, "390")),
        _line(460, (450, "1"), (566, "- Kiểm tra đảng viên")),
        _line(460, (1580, "1.174"), (2020, "60")),
        _line(900, (300, "Trang sau.")),
    ]
    text = "\n".join(ln.text for ln in lines)
    page = Page(1, text, text, 90.0, width=2480, height=3508, lines=lines)
    (table,) = extract_fields(text, [page]).tables
    assert (table.title, table.number, table.caption) == ("PHỤ LỤC 1", "1",
                                                                   "KIỂM TRA, GIÁM SÁT")
    assert table.header == ["STT", "NỘI DUNG", "Năm 2012", "Năm 2013"]
    assert table.rows == [["I", "Kiểm tra, giám sát", 827, 390],
                             ["1", "- Kiểm tra đảng viên", 1174, 60]]
    assert table.page == 1 and text[table.start :].startswith("PHỤ LỤC 1")
