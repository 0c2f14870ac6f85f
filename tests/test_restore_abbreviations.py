"""Restoration keeps abbreviations, codes and numbers of real documents as written (issue 13).

The lines are from real scans: the state decision of corpus/real/pages/qn-01-p1.txt and lines
of the kinds issue 13 found rewritten (HS, SV, VT, ĐT, t/h, GD&ĐT, 157, "26tháng", "kỳ thi").
"""

from __future__ import annotations

import re

import pytest

from pipeline.restore import Restorer
from pipeline.restore.modes import LineMode, classify_lines
from pipeline.restore.syllable import skeleton
from pipeline.restore.symbols import load_abbreviations
from pipeline.restore.tokens import tokenize

REAL_LINES = [
    "- Lưu: VT, NC(Vi55).",
    "- Cổng TTĐT tỉnh;",
    "- CT, PCT UBND tỉnh;",
    "- VPUB: PCVP (NC);",
    "Số: 1906/SGDĐT-CTrTT",
    "Số: /QĐ-UBND",
    "Sở GD&ĐT tỉnh Quảng Ngãi; Phòng KGVX",
    "Các HS, SV tham gia kỳ thi tốt nghiệp năm 2025",
    "Tổng số HS dự thi là 157 em, trong đó ĐT là 26 em",
    "Thanh tra, Sở Xây dựng, từ ngạch Chuyên viên, mã số 01.003, bậc 5/9, hệ số 3,66;",
    "Tổng hợp t/h các chỉ tiêu; HĐND tỉnh; SGDĐT",
    "Gửi UBND, HĐND huyện, Sở GD&ĐT, VPUB: PCVP (NC) thực hiện kỳ thi",
    # A table row of the real set (epu-01): `|` between cells is no misread letter.
    "1 | D12 + D13 | 7h30 ngày 30/6/2021 đến 23h ngày 01/7/2021",
    # A lone `&` joins two names (ex-82): the subject's repair in `ocr` mode made it "ở".
    "Về việc bổ nhiệm chức vụ Phó Giám đốc Trung tâm Khảo thí & Đảm bảo chất lượng giáo dục",
    "- Sở KH & ĐT;",
]


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.load()


@pytest.mark.parametrize("line", REAL_LINES)
@pytest.mark.parametrize("mode", ["auto", "ocr"])
def test_real_lines_are_kept(restorer: Restorer, line: str, mode: str) -> None:
    # Before: VT -> VẬT, NC -> NƯỚC, CT -> CỘT, GD&ĐT -> GẶT, HS -> Hồ, SV -> Sự, t/h -> từ/h.
    assert restorer.restore(line, mode=mode).text == line


def test_abbreviations_do_not_make_a_correct_line_look_like_ocr(restorer: Restorer) -> None:
    # Counted as unknown tokens, HS and SV sent this line to the OCR channel, which then also
    # turned "kỳ thi" into "kỳ thị" on a real scan.
    line = "Các HS, SV, GV tham gia kỳ thi"
    assert classify_lines(line, restorer.lexicon, "auto")[0][2] is LineMode.CLEAN
    assert restorer.restore(line).text == line


@pytest.mark.parametrize("mode", ["auto", "ocr", "stripped"])
def test_word_glued_to_a_number_is_kept(restorer: Restorer, mode: str) -> None:
    line = "Căn cứ Quyết định số 12/QĐ-UBND ngày 26tháng 01 năm 2025 của UBND tỉnh"
    assert restorer.restore(line, mode=mode).text == line


def test_word_glued_to_a_number_is_restored(restorer: Restorer) -> None:
    restored = restorer.restore("ngay 26thang 01 nam 2025", mode="stripped").text
    assert restored == "ngày 26tháng 01 năm 2025"


def test_ocr_misreads_stay_one_token() -> None:
    # 1anh (lãnh) and 16i (lối, seed 003) are letters read as digits: the channel reads them.
    assert [t.text for t in tokenize("1anh 16i 26tháng")] == ["1anh", "16i", "26", "tháng"]


def test_marks_lost_are_restored_around_abbreviations(restorer: Restorer) -> None:
    stripped = skeleton("Đề nghị HĐND, UBND tỉnh và Sở GD&ĐT chỉ đạo các trường, HS, SV")
    restored = restorer.restore(stripped, mode="stripped").text
    assert restored == "Đề nghị HĐND, UBND tỉnh và Sở GD&ĐT chỉ đạo các trường, HS, SV"


def test_slash_letters_take_no_tone_mark(restorer: Restorer) -> None:
    assert restorer.restore("V/v tổ chức kỳ thi; t/h", mode="ocr").text == "V/v tổ chức kỳ thi; t/h"
    # đ/c (đồng chí) written d/c without marks: only d -> đ is possible.
    restored = restorer.restore("de nghi d/c Bi thu chi bo", mode="stripped").text
    assert restored == "đề nghị đ/c Bí thư chi bộ"


def test_numbers_keep_their_digits(restorer: Restorer) -> None:
    text = "Tổng: 157 em, 2.350 hộ, 3,66 điểm, mã 01.003, số 12/2025/NĐ-CP"
    for mode in ("auto", "ocr", "stripped"):
        restored = restorer.restore(text, mode=mode).text
        assert re.findall(r"\d[\d.,/]*", restored) == re.findall(r"\d[\d.,/]*", text)


def test_digit_read_as_a_letter_is_repaired_in_ocr_text(restorer: Restorer) -> None:
    assert restorer.restore("có I57 học sinh dự thi năm 2O25", mode="ocr").text == (
        "có 157 học sinh dự thi năm 2025"
    )


def test_listed_abbreviations_never_spell_a_word(restorer: Restorer) -> None:
    # The list protects tokens from restoration; a syllable in it would block real words.
    words = [
        a for a in load_abbreviations() if skeleton(a).lower() in restorer.lexicon.syllable_keys
    ]
    assert words == []


def test_capital_words_are_still_repaired(restorer: Restorer) -> None:
    # Capitals that spell a syllable stay words: a heading that lost marks, OCR's BO for Bộ.
    assert restorer.restore("PHO BI THƯ", mode="ocr").text == "PHÓ BÍ THƯ"
    assert restorer.restore("Noi nhen: T/M DPANG UY", mode="ocr").text == "Nơi nhận: T/M ĐẢNG ỦY"


CODES = ["573/TTr-SNV", "1488/TTT-VP", "5710/UBND-SGDĐT", "30/TB-VPUB", "86/QĐ-CT", "10/BC-ĐĐ"]


@pytest.mark.parametrize("mode", ["auto", "ocr", "stripped"])
def test_document_symbols_are_kept(restorer: Restorer, mode: str) -> None:
    # OCR mode read 1488/TTT-VP as 1488/TTĐT-VT: an unknown symbol was swapped for a near one.
    line = "Căn cứ các văn bản số " + ", ".join(CODES) + " ngày 05/01/2025"
    assert restorer.restore(line, mode=mode).text == line


def test_d_stroke_misread_in_a_symbol_is_repaired(restorer: Restorer) -> None:
    restored = restorer.restore("theo Quyết định số 55-QB/ĐU và Báo cáo số 12-BC/BU", mode="ocr")
    assert restored.text == "theo Quyết định số 55-QĐ/ĐU và Báo cáo số 12-BC/ĐU"


def test_a_roman_numeral_read_with_a_stroke_is_the_numeral(restorer: Restorer) -> None:
    # ex-26: "(khoá X])" for khóa XI became "(khoá Xử)"; words are left alone
    assert restorer.restore("Nghị quyết Trung ương 4 (khoá X])", mode="ocr").text == (
        "Nghị quyết Trung ương 4 (khoá XI)"
    )
    assert restorer.restore("Đại hội Xl, lần thứ V| của Đảng", mode="ocr").text == (
        "Đại hội XI, lần thứ VI của Đảng"
    )
    assert restorer.restore("Xin cảm ơn Xuân", mode="ocr").text == "Xin cảm ơn Xuân"
