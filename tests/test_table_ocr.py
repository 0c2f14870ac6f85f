"""Ruled tables on scans: grid detection, what is not a table, and the `tables` field from a
generated scan through cleanup, OCR, text repair and field extraction."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.fields import extract_fields
from pipeline.ocr.table_grid import Cell, Grid, find_tables
from pipeline.ocr.tables import Crop, _crop, _numbers_reread, _thinned, stroke_width
from pipeline.programs import tesseract
from pipeline.run import page as pages
from scripts.make_scans import RenderedPage, SynthDoc, make_document, render, write_document
from tests.conftest import FONT

SEED = 3002  # train split; a two-page report whose page 2 is an appendix table


@pytest.fixture(scope="module")
def scan() -> tuple[SynthDoc, RenderedPage]:
    doc = make_document(SEED, pages=2)
    return doc, render(doc, "photocopy", dpi=300, seed=SEED)[-1]


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if "\t" in line]


def _binary(image: Image.Image) -> np.ndarray:
    return np.where(np.asarray(image.convert("L")) < 128, 0, 255).astype(np.uint8)


def test_grid_of_a_generated_table(scan: tuple[SynthDoc, RenderedPage]) -> None:
    page = scan[1]
    rows = _rows(page.text)
    (grid,) = find_tables(_binary(page.image))
    assert len(grid.rows) - 1 == len(rows)  # header row and body rows
    assert len(grid.cols) - 1 == rows[0].count("\t") + 1
    assert all(len(row) == len(grid.cols) - 1 for row in grid.cells)


def test_framed_word_underline_and_border_are_no_table() -> None:
    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    draw.rectangle((40, 40, 1614, 2299), outline=0, width=4)  # a page border
    draw.text((700, 200), "ĐẢNG CỘNG SẢN VIỆT NAM", font=font, fill=0)
    draw.line((700, 260, 1200, 260), fill=0, width=3)  # underline
    draw.line((880, 330, 1020, 330), fill=0, width=3)  # short rule under a heading
    draw.text((220, 400), "KHẨN", font=font, fill=0)
    draw.rectangle((200, 390, 360, 460), outline=0, width=3)  # frame around a mark
    for y in range(600, 1400, 60):
        draw.text((150, y), "Đảng bộ lãnh đạo thực hiện tốt nhiệm vụ chính trị năm 2023.",
                  font=font, fill=0)  # fmt: skip
    assert find_tables(_binary(image)) == []


def test_cell_spanning_columns() -> None:
    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    xs, ys = (200, 400, 900, 1400), (500, 580, 660, 740)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=0, width=2)
    for x in xs:
        for top, bottom in itertools.pairwise(ys):
            if not (x == xs[2] and top == ys[1]):  # row 2: columns 2 and 3 are one cell
                draw.line((x, top, x, bottom), fill=0, width=2)
    (grid,) = find_tables(_binary(image))
    assert [[(c.first, c.last) for c in row] for row in grid.cells] == [
        [(0, 0), (1, 1), (2, 2)],
        [(0, 0), (1, 2)],
        [(0, 0), (1, 1), (2, 2)],
    ]


def test_tables_field_from_a_generated_scan(
    scan: tuple[SynthDoc, RenderedPage], tmp_path: Path
) -> None:
    tesseract.require("vie")
    doc, scanned = scan
    paths = write_document(doc, [scanned], tmp_path, "scan", formats=("images",))
    job = pages.PageJob(0, str(paths["page-002"]), "image/png", 1)
    page = pages.process_page(job).page
    assert page is not None
    rows, truth = _rows(page.text), _rows(scanned.text)
    assert len(rows) == len(truth)
    assert [r.count("\t") for r in rows] == [t.count("\t") for t in truth]
    (table,) = extract_fields(page.text, [page]).tables
    (want,) = doc.fields["tables"]
    assert (table.title, table.caption) == (want["title"], want["caption"])
    assert len(table.rows) == len(want["rows"])
    numbers = [c for row in table.rows for c in row[2:]]
    assert sum(isinstance(c, int) for c in numbers) >= 0.9 * len(numbers)


def _cell_page(specks: bool) -> tuple[np.ndarray, Grid]:
    """A one-row, three-cell ruled table with "579" in the middle cell, specks around it
    when asked (a phone photo's noise)."""
    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    xs, ys = (200, 600, 1000, 1400), (500, 620, 740)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill=0, width=3)
    draw.text((760, 640), "579", font=ImageFont.truetype(FONT, 40), fill=0)
    if specks:
        for x, y in ((640, 650), (650, 710), (950, 700), (980, 645)):
            draw.rectangle((x, y, x + 3, y + 3), fill=0)
    page = _binary(image)
    (grid,) = find_tables(page)
    return page, grid


def test_specks_in_a_cell_are_cut_off_its_crop() -> None:
    """Seed 6027 (phone): specks far from a cell's number widened its crop, and Tesseract
    skipped the number in the stack."""
    clean_page, grid = _cell_page(specks=False)
    specked_page, _ = _cell_page(specks=True)
    cell = grid.cells[1][1]
    clean, specked = _crop(clean_page, grid, cell, 1.0), _crop(specked_page, grid, cell, 1.0)
    assert clean is not None and specked is not None
    assert (specked.x, specked.y, specked.image.shape) == (clean.x, clean.y, clean.image.shape)


def test_thick_strokes_are_thinned_before_reading() -> None:
    bar = np.full((60, 200), 255, np.uint8)
    bar[20:32, 10:190] = 0  # a stroke 12 px wide
    thick = [Crop(bar, 0, 0)]
    assert stroke_width(thick) == pytest.approx(12, abs=1.5)
    assert stroke_width(_thinned(thick, 1.0)) == pytest.approx(10, abs=1.5)
    bar2 = bar.copy()
    bar2[20:32] = 255
    bar2[20:25, 10:190] = 0  # 5 px: ordinary print is left alone
    thin = [Crop(bar2, 0, 0)]
    assert _thinned(thin, 1.0) is thin


def _number_crop(text: str, x: int) -> Crop:
    image = Image.new("L", (160, 60), 255)
    ImageDraw.Draw(image).text((10, 5), text, font=ImageFont.truetype(FONT, 40), fill=0)
    return Crop(_binary(image), x, 700)


def test_number_cells_read_wrong_in_the_stack_are_read_alone() -> None:
    """Seed 4066 (lowdpi): the stack read 815 as `§15`; alone, as one line, it reads right.
    A cell of words (`Năm 2014`) and one of another column are not read again."""
    tesseract.require("vie")
    cells = [Cell(0, 2, 2), Cell(1, 2, 2), Cell(2, 2, 2), Cell(3, 2, 2), Cell(3, 1, 1)]
    crops = [_number_crop(t, 900) for t in ("Năm", "517", "815", "226", "Nữ")]

    def word(text: str) -> tesseract.TsvWord:
        return tesseract.TsvWord(text, 900, 700, 80, 40, 90.0, 1, 1, 1)

    read = [[word("Năm"), word("2014")], [word("517")], [word("§15")], [word("226")],
            [word("Nũ")]]
    again = _numbers_reread(cells, crops, read, "vie", 1.0)
    assert [" ".join(w.text for w in ws) for ws in again] == [
        "Năm 2014", "517", "815", "226", "Nũ"]
    assert again[2][0].top >= 700  # page pixels
