"""Handwritten numbers and days are kept out of the text; printed ones are kept (word boxes
and confidences as OCR gave them on real pages of corpus/real/)."""

from __future__ import annotations

import pytest

from pipeline.ocr.handwriting import without_handwriting
from pipeline.record import Line, Word


def _line(*words: tuple[str, float, int]) -> Line:
    """Words as (text, confidence, height); laid out left to right."""
    boxes, x = [], 0
    for text, confidence, height in words:
        boxes.append(Word(text, [x, 100 - height, x + 20 * len(text), 100], confidence))
        x += 20 * len(text) + 15
    return Line(" ".join(w.text for w in boxes), [0, 40, x, 100], 90.0, 1, boxes)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # qn-13: the day 24 in ink read as a tall "4"
        ([("Quảng", 94, 54), ("Ngãi,", 94, 53), ("ngày", 96, 54), ("4", 65, 53),
          ("tháng", 96, 55), ("01", 96, 42), ("năm", 96, 41), ("2025", 97, 42)],
         "Quảng Ngãi, ngày tháng 01 năm 2025"),
        # a junk day written against "tháng"
        ([("Quảng", 97, 49), ("Ngãi,", 97, 49), ("ngày", 93, 50), ("O†tháng", 72, 58),
          ("02", 97, 38), ("năm", 97, 35), ("2025", 90, 39)],
         "Quảng Ngãi, ngày tháng 02 năm 2025"),
        # printed digits OCR glued on a degraded page, no ink seen on the number: kept
        ([("Thanh", 80, 49), ("Hoá,", 80, 49), ("ngày", 80, 50), ("06tháng", 66, 50),
          ("7", 80, 38), ("năm", 80, 35), ("2023", 80, 39)],
         "Thanh Hoá, ngày 06tháng 7 năm 2023"),
        # epu-03: day and month in ink
        ([("Hà", 97, 39), ("Nội,", 93, 45), ("ngày|5", 32, 52), ("tháng", 93, 49),
          ("É", 74, 47), ("năm", 97, 37), ("2021", 97, 40)], "Hà Nội, ngày tháng năm 2021"),
        # a printed 11 under a seal read as "lÌ": kept for the date parser (it reads 11)
        ([("Bên", 89, 37), ("Tre,", 96, 42), ("ngày", 93, 47), ("lÌ", 0, 37),
          ("tháng", 97, 48), ("4", 97, 36), ("năm", 96, 37), ("2014", 96, 37)],
         "Bên Tre, ngày lÌ tháng 4 năm 2014"),
        # printed digits OCR read as letters, under a seal: kept for the date parser
        ([("Bến", 89, 37), ("Tre,", 96, 42), ("ngày", 93, 47), ("I1", 80, 37),
          ("tháng", 97, 48), ("4", 97, 36), ("năm", 96, 37), ("2014", 96, 37)],
         "Bến Tre, ngày I1 tháng 4 năm 2014"),
        # printed: kept as read
        ([("Thanh", 96, 50), ("Hoá,", 96, 50), ("ngày", 96, 50), ("06", 95, 40),
          ("tháng", 96, 52), ("7", 96, 40), ("năm", 96, 38), ("2023", 96, 40)],
         "Thanh Hoá, ngày 06 tháng 7 năm 2023"),
    ],
)
def test_date_slots(words: list[tuple[str, float, int]], expected: str) -> None:
    assert without_handwriting([_line(*words)])[0].text == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([("Số:4@`", 58, 57), ("/TB-UBND", 90, 40)], "Số: /TB-UBND"),  # qn-13
        ([("Số:", 93, 50), ("đ@", 64, 46), ("/CT-UBND", 91, 40)], "Số: /CT-UBND"),  # qn-15
        # epu-03: ink glued to the symbol, read as clean digits: kept (the review flags
        # the number by its confidence); a printed Party number glued to its symbol: kept
        ([("Số:", 93, 51), ("934/TB-ĐHĐL", 48, 52)], "Số: 934/TB-ĐHĐL"),
        ([("Số", 93, 51), ("15-NQ/ĐUK", 55, 50)], "Số 15-NQ/ĐUK"),
        ([("Số:", 90, 54), ("§†!+/UBND-KTTH", 22, 54)], "Số: /UBND-KTTH"),  # qn-08
        # printed on generated pages: an italic 8 read as §, a 6 read as G
        ([("Số", 93, 47), ("§24-BB/UBKTTU", 69, 40)], "Số §24-BB/UBKTTU"),
        ([("Số", 93, 45), ("88G-CT/TU", 62, 43)], "Số 88G-CT/TU"),
        ([("Số:", 96, 34), ("2", 78, 32), ("#", 78, 32), ("/CT-UBND", 84, 27)],
         "Số: /CT-UBND"),  # qn-31: a tall "2" beside the printed symbol
        ([("Số:", 96, 40), ("12/QĐ-UBND", 95, 40)], "Số: 12/QĐ-UBND"),  # printed
        ([("Số", 96, 40), ("196-BC/ĐUK", 95, 40)], "Số 196-BC/ĐUK"),  # printed, Party
        ([("Số:", 96, 40), ("05", 94, 40), ("-QC/BTCTU", 95, 40)], "Số: 05 -QC/BTCTU"),
        ([("Số:", 94, 50), ("8đ", 43, 56)], "Số:"),  # qn-06: ink cut off from its symbol
        # printed, as OCR splits a Party number on a degraded generated page: kept
        ([("Số", 93, 47), ("17-CTr", 60, 40), ("/UBKTTU", 93, 40)], "Số 17-CTr /UBKTTU"),
        # a sentence opening with "Số" is no number line
        ([("Số", 97, 45), ("lượng", 96, 55), ("15/20", 90, 45), ("người", 96, 50)],
         "Số lượng 15/20 người"),
        ([("Số", 95, 50), ("liệu", 95, 50), ("tính", 95, 50)], "Số liệu tính"),
    ],
)
def test_number_slot(words: list[tuple[str, float, int]], expected: str) -> None:
    assert without_handwriting([_line(*words)])[0].text == expected


def test_body_dates_are_never_touched() -> None:
    line = _line(("Thực", 96, 50), ("hiện", 96, 50), ("Chỉ", 97, 74), ("thị", 97, 51),
                 ("số", 93, 53), ("11/CT-TTg", 92, 53), ("ngày", 96, 53), ("16", 92, 41),
                 ("tháng", 97, 66), ("4", 97, 39), ("năm", 96, 39), ("2021", 84, 40))
    assert without_handwriting([line])[0] is line


def test_a_number_label_cut_off_by_the_ink_joins_its_symbol_again() -> None:
    label = _line(("Số:", 94, 50), ("8đ", 43, 56))
    symbol = Line(" /QĐ-UBND", [400, 55, 600, 100], 57.0, 2,
                  [Word(" /QĐ-UBND", [400, 55, 600, 100], 57.0)])
    [joined] = without_handwriting([label, symbol])
    assert joined.text == "Số: /QĐ-UBND" and joined.bbox[2] == 600


def test_on_a_page_whose_number_is_inked_the_day_is_ink_too() -> None:
    # qn-09: "Số:†E /UBND-KTTH", and the day 04 written against "tháng"
    number = _line(("Số:†E", 33, 61), ("/UBND-KTTH", 88, 40))
    date = _line(("Quảng", 97, 49), ("Ngãi,", 97, 49), ("ngày", 93, 50), ("04tháng", 74, 56),
                 ("02", 97, 38), ("năm", 97, 35), ("2025", 90, 39))
    assert [line.text for line in without_handwriting([number, date])] == [
        "Số: /UBND-KTTH", "Quảng Ngãi, ngày tháng 02 năm 2025"]
