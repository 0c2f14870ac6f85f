"""Text of ruled tables: every cell of a table recognised in one Tesseract call.

Decision (measured on 18 train-split table pages, docs/ingest.md "Ruled tables"): the
cells are cropped inside their rules, trimmed to their ink and stacked one under another,
a text height apart, into one image read with `--psm 6`; each word goes back to the cell
it was stacked from. Cell CER 1.9% at ~0.3 s a table, against 2.4% for one Tesseract call
per cell (~4 s when each call was a `tesseract` command reloading the `vie` model), and
48% for the full-page call's words put into cells (its layout analysis loses and merges
ruled cells).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from pipeline.ocr.table_grid import A4_HEIGHT_300DPI, Cell, Grid, find_tables
from pipeline.programs import tesseract
from pipeline.programs.opencv import label_ink

log = logging.getLogger(__name__)

MARGIN = 8  # px at 300 DPI kept clear of a cell's rules (cells are padded 1.2 mm = 14 px)
GAP = 40  # px at 300 DPI of paper between stacked cells: about one text height
PAD = 20  # px of paper around the stack
MIN_INK = 12  # px at 300 DPI: a cell with less ink than this is empty
THICK = 8  # px at 300 DPI: strokes wider than this on average are thinned before reading
LETTER = 10  # px at 300 DPI: a piece this wide or tall is a letter (or "-"), not a speck
NEAR_LETTER = 25  # px at 300 DPI: smaller pieces this near a letter are its marks or dots


@dataclass(frozen=True)
class TableRow:
    """One table row: its box inside the outer rules and each cell's words, in page pixels."""

    bbox: list[int]
    cells: list[list[tesseract.TsvWord]]


@dataclass(frozen=True)
class Table:
    bbox: tuple[int, int, int, int]
    rows: list[TableRow]


@dataclass(frozen=True)
class Crop:
    """A piece of a binary page (black ink on white) and where it was cut from."""

    image: np.ndarray
    x: int  # where the crop's top left corner is on the page
    y: int


def read_tables(page: np.ndarray, lang: str = "vie") -> list[Table]:
    """The ruled tables of a cleaned binary page with their cells' words; [] without any."""
    grids = find_tables(page)
    if not grids:
        return []
    scale = page.shape[0] / A4_HEIGHT_300DPI
    tables = []
    for grid in grids:
        at = [(cell, crop) for row in grid.cells for cell in row
              if (crop := _crop(page, grid, cell, scale)) is not None]  # fmt: skip
        found = _thinned([crop for _, crop in at], scale)
        words = read_stack(found, lang, scale) if found else []
        cells = [cell for cell, _ in at]
        words = _numbers_reread(cells, found, words, lang, scale)
        read = dict(zip(cells, words, strict=True))
        rows = []
        for i, row in enumerate(grid.cells):
            texts: list[list[tesseract.TsvWord]] = []
            for cell in row:
                texts.append(read.get(cell, []))
                texts.extend([] for _ in range(cell.last - cell.first))  # keep the columns
            if any(texts):
                rows.append(TableRow(_row_box(grid, i), texts))
        tables.append(Table(grid.bbox, rows))
        log.debug("table at %s: %d rows, %d cells read", grid.bbox, len(rows), len(found))
    return tables


# A number cell read right: 1.117 (thousands), 56,3 (decimals), 12%; not 5.9 (579 misread)
NUMBER = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?%?")


def _numbers_reread(
    cells: list[Cell], crops: list[Crop], words: list[list[tesseract.TsvWord]], lang: str,
    scale: float,
) -> list[list[tesseract.TsvWord]]:
    """`words` with the cells of number columns that the stacked read got as no number
    read again alone, as one line (`--psm 7`); the new reading is kept when it is a number.

    In the stack a damaged or specked cell's digits are read as letters or lost (`§15`,
    `R7`, `S567`, nothing), and read alone they mostly come right (seed 4066, lowdpi:
    `815`, `87`, `567`). A column is one of numbers when at least half of its cells
    (header included) read as numbers; only its cells without a word of letters (`Năm
    2018`) are read again, a few Tesseract calls a table.
    """
    def text(k: int) -> str:
        return "".join(w.text for w in words[k])

    columns: dict[int, list[int]] = {}
    for k, cell in enumerate(cells):
        if cell.first == cell.last:
            columns.setdefault(cell.first, []).append(k)
    out = list(words)
    for members in columns.values():
        if 2 * sum(bool(NUMBER.fullmatch(text(k))) for k in members) < len(members):
            continue
        for k in members:
            if NUMBER.fullmatch(text(k)) or any(_is_word(w.text) for w in words[k]):
                continue
            alone = read_alone(crops[k], lang)
            if NUMBER.fullmatch("".join(w.text for w in alone)):
                out[k] = alone
    return out


def _is_word(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 2 and not any(ch.isdigit() for ch in text)


def read_alone(crop: Crop, lang: str) -> list[tesseract.TsvWord]:
    """The words of one crop read as one text line, in page pixels."""
    image = np.pad(crop.image, PAD, constant_values=255)
    return [replace(w, left=crop.x + w.left - PAD, top=crop.y + w.top - PAD)
            for w in tesseract.recognize(image, lang=lang, psm=7)]


def _row_box(grid: Grid, row: int) -> list[int]:
    x0, _, x1, _ = grid.bbox
    top, bottom = grid.rows[row], grid.rows[row + 1]
    return [x0, int(min(top.at(x0), top.at(x1))), x1, int(max(bottom.at(x0), bottom.at(x1)))]


def _crop(page: np.ndarray, grid: Grid, cell: Cell, scale: float) -> Crop | None:
    """The cell's inside, clear of its rules, trimmed to its ink, without rule ends and
    specks touching its edges; None when the cell is empty."""
    (x0, y0, x1, y1), inside = grid.cell_inside(cell, max(2, round(MARGIN * scale)))
    if x0 < 0 or y0 < 0:
        inside = inside[max(0, -y0) :, max(0, -x0) :]
        x0, y0 = max(0, x0), max(0, y0)
    region = page[y0:y1, x0:x1]
    inside = inside[: region.shape[0], : region.shape[1]]
    ink = ((region < 128) & inside).astype(np.uint8)
    if ink.sum() < MIN_INK * scale:
        return None
    edge = inside & ~cv2.erode(inside.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    count, labels, stats = label_ink(ink)
    touching = np.zeros(count, bool)
    touching[labels[edge]] = True
    touching[0] = True
    mask = ~touching[labels] & _near_letters(labels, stats, ~touching, scale)
    if mask.sum() < MIN_INK * scale:
        return None
    ys, xs = np.nonzero(mask)
    top, left = int(ys.min()), int(xs.min())
    image = np.where(mask, 0, 255).astype(np.uint8)[top : ys.max() + 1, left : xs.max() + 1]
    return Crop(image, x0 + left, y0 + top)


def stroke_width(crops: list[Crop]) -> float:
    """The mean stroke width of the crops' ink in pixels: twice the ink's area over its
    outline's length (a stroke w wide and L long has area wL and outline 2L)."""
    area = outline = 0
    for c in crops:
        ink = (c.image < 128).astype(np.uint8)
        area += int(ink.sum())
        outline += int((ink - cv2.erode(ink, np.ones((3, 3), np.uint8))).sum())
    return 2 * area / outline if outline else 0.0


def _thinned(crops: list[Crop], scale: float) -> list[Crop]:
    """The crops with a pixel of ink taken off each side of every stroke when the table's
    strokes are thick: a blurred phone photo binarized to blobs (seed 6027: strokes 10.8
    px at 300 DPI, against 3.8-6.4 on other train tables) reads as nothing in most number
    cells; thinned, all its rows read (`579` was lost, `747` read)."""
    if not crops or stroke_width(crops) <= THICK * scale:
        return crops
    paper = np.ones((3, 3), np.uint8)
    return [replace(c, image=cv2.dilate(c.image, paper)) for c in crops]


def _near_letters(
    labels: np.ndarray, stats: np.ndarray, kept: np.ndarray, scale: float
) -> np.ndarray:
    """The pixels of components that are letters or lie near one: specks of a phone photo
    or a photocopy scattered over a cell would widen its trimmed box, and Tesseract, given
    a number amid specks in the stack, skips the line (seed 6027: three of four numbers of
    each row lost). A letter's dot, tone mark or comma sits within a few pixels of it."""
    size = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    letters = kept & (size >= LETTER * scale)
    if not letters[1:].any():
        return np.zeros(labels.shape, bool)
    reach = max(1, round(NEAR_LETTER * scale))
    near = cv2.dilate(letters[labels].astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8))
    keep = np.zeros(len(stats), bool)
    keep[np.unique(labels[near.astype(bool)])] = True
    return keep[labels] & kept[labels]


def read_stack(crops: list[Crop], lang: str, scale: float) -> list[list[tesseract.TsvWord]]:
    """Words of each crop, from one Tesseract call on the crops stacked top-down."""
    gap = max(PAD, round(GAP * scale))
    width = max(c.image.shape[1] for c in crops) + 2 * PAD
    height = sum(c.image.shape[0] + gap for c in crops) + gap
    stack = np.full((height, width), 255, np.uint8)
    tops = []
    y = gap
    for c in crops:
        h, w = c.image.shape
        stack[y : y + h, PAD : PAD + w] = c.image
        tops.append(y)
        y += h + gap
    per_crop: list[list[tesseract.TsvWord]] = [[] for _ in crops]
    for word in tesseract.recognize(stack, lang=lang, psm=6):
        middle = word.top + word.height / 2
        k = max(0, int(np.searchsorted(tops, middle + gap / 2, side="right")) - 1)
        c = crops[k]
        per_crop[k].append(replace(word, left=c.x + word.left - PAD, top=c.y + word.top - tops[k]))
    return [sorted(ws, key=lambda w: (w.block, w.paragraph, w.line, w.left)) for ws in per_crop]
