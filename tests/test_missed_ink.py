"""Ink Tesseract's layout analysis skipped is found and read again, in the right line."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline import ocr
from pipeline.ocr import missed_ink
from pipeline.programs import tesseract
from tests.conftest import render_lines

LINES = ["Nơi nhận:", "", "- Ban Thường vụ Tỉnh ủy (b/c),", "", "- Lưu Văn phòng Tỉnh ủy."]


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    grey = cv2.cvtColor(np.asarray(render_lines(LINES, 2480, 3508, 54)), cv2.COLOR_RGB2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


@pytest.fixture(scope="module")
def words(page: np.ndarray) -> list[tesseract.TsvWord]:
    return tesseract.recognize(page)


def _text(words: list[tesseract.TsvWord]) -> str:
    return ocr.page_text(ocr.group_lines(words))


def test_a_skipped_line_is_read_again(page: np.ndarray, words: list[tesseract.TsvWord]) -> None:
    assert "Lưu" in _text(words)
    without = [w for w in words if w.top < 150 + 4 * 81 - 20]  # the last line never read
    assert "Lưu" not in _text(without)
    found = missed_ink.with_missed(page, without, [], "vie", 1.0)
    assert "- Lưu Văn phòng Tỉnh ủy." in _text(found).splitlines()
    json.dumps([dataclasses.asdict(w) for w in found])  # plain ints: the record is JSON


def test_a_skipped_word_joins_its_line(page: np.ndarray, words: list[tesseract.TsvWord]) -> None:
    assert words[-1].text == "ủy."
    found = missed_ink.with_missed(page, words[:-1], [], "vie", 1.0)
    assert _text(found).lower() == _text(words).lower()  # a lone "ủy" may read as "Ủy"
    assert found[-1].line == words[-1].line and found[-1].block == words[-1].block


def test_a_word_boxed_short_is_not_read_twice(
    page: np.ndarray, words: list[tesseract.TsvWord]
) -> None:
    """An underlined "Nơi" comes back with the box of its "N" only."""
    first = words.index(next(w for w in words if w.text == "Nơi"))
    short = [*words]
    short[first] = replace(words[first], width=words[first].height)
    assert missed_ink.missed_crops(page, short, [])  # the rest of the word looks skipped
    found = missed_ink.with_missed(page, short, [], "vie", 1.0)
    assert _text(found) == _text(words)
    assert found[first].width >= words[first].width - 5  # the box covers the word again


def test_scribbles_and_rules_are_not_text(page: np.ndarray, words: list[tesseract.TsvWord]) -> None:
    marked = page.copy()
    cv2.ellipse(marked, (1600, 900), (160, 120), 20, 0, 300, 0, 4)  # a signature loop
    cv2.line(marked, (1300, 1300), (2200, 1300), 0, 3)  # a rule under a heading
    assert missed_ink.missed_crops(marked, words, []) == []


def test_a_word_boxed_over_two_lines_does_not_hide_the_second(
    page: np.ndarray, words: list[tesseract.TsvWord]
) -> None:
    """Tesseract boxed "ngày 25" over a wrapped "2012" two lines tall and read no "2012"."""
    first = [w for w in words if w.line == words[0].line and w.block == words[0].block]
    below = [w for w in words if w.top > first[0].top + 100]  # the lines under "Nơi nhận:"
    next_line = [w for w in below if w.block == below[0].block and w.line == below[0].line]
    tall = replace(first[-1], height=next_line[0].top + next_line[0].height - first[-1].top)
    x0 = min(w.left for w in next_line)
    tall = replace(tall, left=x0, width=max(w.left + w.width for w in next_line) - x0)
    kept = [w for w in words if w not in next_line and w is not first[-1]] + [tall]
    crops = missed_ink.missed_crops(page, kept, [])
    assert any(abs(c.y - next_line[0].top) < 40 for c in crops)


def test_a_word_read_at_low_confidence_is_read_again(
    page: np.ndarray, words: list[tesseract.TsvWord]
) -> None:
    """Seed 11007 (jpeg): a wrapped "2015" came back as "SƯ ng" at confidence 18, whose
    boxes hid its ink from this step; a weak word no longer covers its ink, and the piece
    read there takes its place."""
    last = [w for w in words if w.top > 150 + 4 * 81 - 20]
    x0, y0 = min(w.left for w in last), min(w.top for w in last)
    x1 = max(w.left + w.width for w in last)
    y1 = max(w.top + w.height for w in last)
    junk = replace(last[0], text="SƯ", confidence=18.0, left=x0, top=y0, width=x1 - x0,
                   height=y1 - y0)
    kept = [w for w in words if w not in last] + [junk]
    found = missed_ink.with_missed(page, kept, [], "vie", 1.0)
    assert "- Lưu Văn phòng Tỉnh ủy." in _text(found).splitlines()
    assert "SƯ" not in _text(found)
    sure = replace(junk, confidence=90.0)  # a word read with confidence still covers it
    assert missed_ink.missed_crops(page, [*kept[:-1], sure], []) == []


def test_a_letter_tail_of_the_line_above_is_left_out_of_a_line() -> None:
    """A "y" tail beside its word's box joined the year under it (too tall to read); the
    row's letters and the marks over them stay."""
    stats = np.array([  # left, top, width, height, area (half-size pixels)
        [0, 0, 0, 0, 0],
        [880, 221, 17, 22, 60],  # the tail, above
        [861, 249, 16, 22, 117], [881, 249, 15, 22, 135], [900, 249, 10, 22, 94],
        [917, 250, 16, 21, 113],
        [884, 243, 8, 4, 20],  # a mark over the second digit
    ])
    members = np.arange(1, 7)
    kept = missed_ink._on_one_row(stats, members, 25.0)
    assert list(kept) == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(("weak", "again", "alike"), [
    ("VIỆT", "VIÊT", True),  # the dot under Ệ was cut off with the heading's rule
    ("890-TTr/ĐUK", "§90-TTr/ĐĐUK", True),
    ("SƯ ng", "2015", False),  # seed 11007: a misreading, replaced
])
def test_a_weak_word_read_alike_keeps_the_pages_reading(weak: str, again: str, alike: bool) -> None:
    assert missed_ink._alike(weak, again) is alike


NAME_LINES = ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "", "Huỳnh Hữu Trí"]


@pytest.fixture(scope="module")
def signed() -> tuple[np.ndarray, list[tesseract.TsvWord]]:
    """A signature block whose pen stroke runs down into the family name (ex-56): the
    name's first word and the stroke are one tall piece of ink."""
    grey = cv2.cvtColor(np.asarray(render_lines(NAME_LINES, 2480, 1200, 54)), cv2.COLOR_RGB2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    words = tesseract.recognize(binary)
    name = next(w for w in words if w.text == "Huỳnh")
    stroke_end = (name.left + 20, name.top + 2)  # the pen's end touches the H
    cv2.line(binary, (name.left + 260, name.top - 260), stroke_end, 0, 5)
    return binary, words


def test_a_word_touched_by_a_stroke_is_read_back_into_its_line(
    signed: tuple[np.ndarray, list[tesseract.TsvWord]],
) -> None:
    page, words = signed
    lost = [w for w in words if w.text != "Huỳnh"]  # the page's read left it out
    assert "Huỳnh" not in _text(missed_ink.with_missed(page, lost, [], "vie", 1.0))
    found = missed_ink.with_lost_words(page, lost, [], "vie")
    assert "Huỳnh Hữu Trí" in _text(found).splitlines()


def test_a_stroke_alone_beside_a_line_adds_nothing(
    signed: tuple[np.ndarray, list[tesseract.TsvWord]],
) -> None:
    page, words = signed
    name = next(w for w in words if w.text == "Huỳnh")
    clean = page.copy()
    clean[name.top - 5 : name.top + name.height + 5, name.left - 40 : name.left + name.width] = 255
    cv2.line(clean, (name.left + 100, name.top - 200), (name.left + 60, name.top + 40), 0, 5)
    lost = [w for w in words if w.text != "Huỳnh"]
    assert missed_ink.with_lost_words(clean, lost, [], "vie") == lost


def _real_dev_lines(name: str, page: int) -> list[str]:
    """The OCR lines of one page of a real dev scan kept in corpus/real/extra."""
    from pipeline import cleanup, sources
    from pipeline.run.page import tesseract_orientation

    path = Path(__file__).resolve().parents[1] / "corpus" / "real" / "extra" / f"{name}.pdf"
    content = sources.pdf_page_content(path, page)
    rgb, dpi, _ = sources.pdf_page_image(path, page, content, 300)
    image = cleanup.clean_page(rgb, orientation_check=tesseract_orientation, dpi=dpi).image
    return [line.text for line in ocr.recognize_page(image)[1]]


def test_a_real_signers_family_name_under_the_pen_is_read() -> None:
    # ex-56 (dev) page 2: the pen's stroke runs into "Huỳnh"; the page's read gave "Hữu Trí"
    assert "Huỳnh Hữu Trí" in _real_dev_lines("ex-56", 2)


def test_a_real_family_name_read_as_junk_with_the_pen_is_read() -> None:
    # ex-110 (dev): the pen's stroke touches "Châu"; the page read both as "_%" at
    # confidence 32 in one tall box, which hid the name from the lost-words step
    assert "Châu Ngọc Lương" in _real_dev_lines("ex-110", 1)


REAL_SCANS = Path(__file__).resolve().parents[2] / "shared" / "real-scans"


@pytest.mark.skipif(not (REAL_SCANS / "qn-15.pdf").exists(), reason="../shared/real-scans absent")
def test_real_words_over_a_stamps_edge_are_read_into_their_line() -> None:
    # qn-15 (dev): a received-stamp's top edge runs under "thực hiện dự" at the start of the
    # subject's second line; the page's read began the line at "án", and the lost words,
    # once read, stretched by the rule, merged the two subject lines
    from pipeline import cleanup, sources
    from pipeline.run.page import tesseract_orientation

    path = REAL_SCANS / "qn-15.pdf"
    content = sources.pdf_page_content(path, 1)
    rgb, dpi, _ = sources.pdf_page_image(path, 1, content, 300)
    page = cleanup.clean_page(rgb, orientation_check=tesseract_orientation, dpi=dpi).image
    _, lines, _ = ocr.recognize_page(page)
    texts = [line.text for line in lines]
    assert "thực hiện dự án sử dụng vốn ngoài ngân sách nhà nước tại tỉnh Quảng Ngãi" in texts
    assert "về việc tăng cường công tác quản lý nhà nước để hỗ trợ nhà đầu tư" in texts
