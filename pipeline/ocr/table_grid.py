"""Ruled tables on a cleaned binary page: their grid of rows, columns and cells.

Tesseract's page layout analysis loses ruled table rows (STT cells, last rows, a row read as
one garbled word), so tables are found here from their rules and read cell by cell
(`pipeline.ocr.tables`). Pure numpy/OpenCV; the page is 0 = ink, 255 = paper.

How: on a half-size copy (four times cheaper; a 0.7 pt rule still leaves dark pixels), a
closing bridges the gaps of a faded or photocopied rule and an opening keeps horizontal
runs longer than ~1.3 cm and vertical runs longer than ~6 mm: rules, not letters. A run
with ink just beside it is text whose letters were bridged, not a rule. Pieces of one rule
are merged by position, each rule keeping a straight-line fit so that a skew residue of a
fraction of a degree is followed. Horizontal and vertical rules that cross form a table
when there are at least three of each (two rows, two columns): a frame around one word
(`KHẨN`, `DỰ THẢO`) has two of each, an underline or the short rule under the national
motto has no vertical rule, and a page border is two of each around the text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

A4_HEIGHT_300DPI = 3508  # pages are A4; lengths below scale with the page height
LONG_H = 150  # px at 300 DPI: a horizontal run this long is a rule (letters are < 60)
LONG_V = 70  # px at 300 DPI: a vertical run this long is a rule (a tall letter is ~50)
BRIDGE = 10  # px at 300 DPI: gaps this wide in a faded or photocopied rule are bridged
# (less than a cell's padding, or letters would be bridged to the rules)
SIDE_NEAR, SIDE_FAR = 6, 12  # px at 300 DPI: the band beside a rule looked at for ink
MAX_SIDE_INK = 0.12  # share of inked pixels there above which a run is text, not a rule
SAME_LINE = 6  # px at 300 DPI: pieces this close across are one rule
TOUCH = 12  # px at 300 DPI: a rule ending this near another one crosses it
MIN_COVER = 0.3  # a column rule inking this share of a row's height separates cells there


@dataclass(frozen=True)
class Rule:
    """A straight ruled line: `start`..`end` along it, across = `offset + slope * along`.

    For a horizontal rule "along" is x and "across" is y; for a vertical one the reverse.
    """

    start: float
    end: float
    offset: float
    slope: float

    def at(self, along: float) -> float:
        return self.offset + self.slope * along

    def across(self, along: np.ndarray) -> np.ndarray:
        """Positions across at many points along, rounded to pixels."""
        return np.round(self.offset + self.slope * along).astype(int)


@dataclass(frozen=True)
class Cell:
    """One cell of a row: first and last column it covers (more than one when spanning)."""

    row: int
    first: int
    last: int


@dataclass(frozen=True)
class Grid:
    """A ruled table: horizontal rules top-down, vertical rules left to right, and the
    cells of each row (a row lacks a separator where a cell spans columns)."""

    rows: tuple[Rule, ...]
    cols: tuple[Rule, ...]
    cells: tuple[tuple[Cell, ...], ...]

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) around the outer rules."""
        return _outer(self.rows[0], self.rows[-1], self.cols[0], self.cols[-1])

    def cell_inside(self, cell: Cell, margin: int) -> tuple[tuple[int, int, int, int], np.ndarray]:
        """The box (x0, y0, x1, y1) around the cell's rules and, over it, the mask of the
        pixels at least `margin` clear of them: with a skew residue the rules lean, and an
        upright box inside them would cut the descenders of a wide cell's text."""
        top, bottom = self.rows[cell.row], self.rows[cell.row + 1]
        left, right = self.cols[cell.first], self.cols[cell.last + 1]
        x0, y0, x1, y1 = _outer(top, bottom, left, right)
        ys, xs = np.mgrid[y0:y1, x0:x1]
        inside = (
            (ys > top.offset + top.slope * xs + margin)
            & (ys < bottom.offset + bottom.slope * xs - margin)
            & (xs > left.offset + left.slope * ys + margin)
            & (xs < right.offset + right.slope * ys - margin)
        )
        return (x0, y0, x1, y1), inside


def _outer(top: Rule, bottom: Rule, left: Rule, right: Rule) -> tuple[int, int, int, int]:
    """The upright box around four rules (their corners, where they cross)."""
    xs = [side.at(rule.at(side.at(0))) for side in (left, right) for rule in (top, bottom)]
    x0, x1 = min(xs), max(xs)
    y0 = min(top.at(x0), top.at(x1))
    y1 = max(bottom.at(x0), bottom.at(x1))
    return int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))


def find_tables(page: np.ndarray) -> list[Grid]:
    """Ruled tables on a binary (or grey) page, top-down."""
    scale = page.shape[0] / A4_HEIGHT_300DPI / 2  # the work is done at half size
    height, width = page.shape[0] // 2, page.shape[1] // 2
    half = cv2.resize(page, (width, height), interpolation=cv2.INTER_AREA)
    ink = (half < 170).astype(np.uint8)
    gap = max(3, int(BRIDGE * scale) | 1)
    horizontal = _long_runs(ink, (1, max(21, int(LONG_H * scale) | 1)), (1, gap))
    h_rules = _rules(horizontal, ink, scale)
    if len(h_rules) < 3:
        return []
    vertical = _long_runs(ink, (max(11, int(LONG_V * scale) | 1), 1), (gap, 1))
    beside = np.ascontiguousarray((ink & (1 - horizontal)).T)  # crossing rules are no text
    v_rules = _rules(np.ascontiguousarray(vertical.T), beside, scale)
    if len(v_rules) < 3:
        return []
    grids = []
    for rows, cols in _crossing_sets(h_rules, v_rules, TOUCH * scale):
        grid = _grid(rows, cols, vertical)
        if grid is not None:
            grids.append(_scaled(grid, 2.0))
    grids.sort(key=lambda g: g.bbox[1])
    return grids


def _long_runs(ink: np.ndarray, length: tuple[int, int], gap: tuple[int, int]) -> np.ndarray:
    """Runs of ink at least `length` long once gaps up to `gap` are bridged: a closing
    (dilate, erode) then an opening (erode, dilate), the two erosions done as one."""
    joined = cv2.dilate(ink, np.ones(gap, np.uint8))
    both = (length[0] + gap[0] - 1, length[1] + gap[1] - 1)
    return cv2.dilate(cv2.erode(joined, np.ones(both, np.uint8)), np.ones(length, np.uint8))


def _rules(mask: np.ndarray, ink: np.ndarray, scale: float) -> list[Rule]:
    """Straight rules along the rows of `mask` (pieces of one rule merged), each with
    paper on both sides (`_is_thin`)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    pieces: list[Rule] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        ys, xs = np.nonzero(mask[y : y + h, x : x + w])
        if h > 2 and len(xs) > 1:
            slope, offset = np.polyfit(xs + x, ys + y, 1)
        else:
            slope, offset = 0.0, y + (h - 1) / 2
        pieces.append(Rule(float(x), float(x + w), float(offset), float(slope)))
    pieces.sort(key=lambda r: r.at((r.start + r.end) / 2))
    merged: list[Rule] = []
    near = SAME_LINE * scale + 1
    for piece in pieces:
        mid = (piece.start + piece.end) / 2
        for k, rule in enumerate(merged):
            if abs(rule.at(mid) - piece.at(mid)) <= near:
                longer = rule if rule.end - rule.start >= piece.end - piece.start else piece
                merged[k] = Rule(
                    min(rule.start, piece.start), max(rule.end, piece.end),
                    longer.offset, longer.slope,
                )  # fmt: skip
                break
        else:
            merged.append(piece)
    return [rule for rule in merged if _is_thin(rule, ink, scale)]


def _is_thin(rule: Rule, ink: np.ndarray, scale: float) -> bool:
    """Whether the page is mostly paper a few pixels either side of the rule: a run that
    bridged letters (serifs along a bold line, stems of stacked lines) has letters beside."""
    along = np.arange(int(rule.start), int(rule.end))
    centre = rule.across(along)
    near = max(2, round(SIDE_NEAR * scale))
    far = max(near + 1, round(SIDE_FAR * scale))
    sides = []
    for d in (*range(-far, -near + 1), *range(near, far + 1)):
        across = np.clip(centre + d, 0, ink.shape[0] - 1)
        sides.append(ink[across, along])
    return float(np.mean(sides)) < MAX_SIDE_INK


def _crosses(h: Rule, v: Rule, reach: float) -> bool:
    x = v.at(h.at((h.start + h.end) / 2))
    y = h.at(x)
    return h.start - reach <= x <= h.end + reach and v.start - reach <= y <= v.end + reach


def _crossing_sets(
    h_rules: list[Rule], v_rules: list[Rule], reach: float
) -> list[tuple[list[Rule], list[Rule]]]:
    """Groups of horizontal and vertical rules connected by crossings, with ≥ 3 of each."""
    parent = list(range(len(h_rules) + len(v_rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(h_rules):
        for j, v in enumerate(v_rules):
            if _crosses(h, v, reach):
                parent[root(i)] = root(len(h_rules) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(h_rules):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(v_rules):
        groups.setdefault(root(len(h_rules) + j), ([], []))[1].append(v)
    return [(hs, vs) for hs, vs in groups.values() if len(hs) >= 3 and len(vs) >= 3]


def _grid(rows: list[Rule], cols: list[Rule], vertical: np.ndarray) -> Grid | None:
    """The grid of one set of crossing rules: rules spanning at least half the table (a
    stray underline touching it is no row), cells split where a column rule inks the row."""
    x0, x1 = min(c.at(0) for c in cols), max(c.at(0) for c in cols)
    y0, y1 = min(r.at(x0) for r in rows), max(r.at(x0) for r in rows)
    rows = sorted((r for r in rows if r.end - r.start >= 0.5 * (x1 - x0)), key=lambda r: r.at(0))
    cols = sorted((c for c in cols if c.end - c.start >= 0.1 * (y1 - y0)), key=lambda c: c.at(0))
    if len(rows) < 3 or len(cols) < 3:
        return None
    cells: list[tuple[Cell, ...]] = []
    for i, (top, bottom) in enumerate(itertools.pairwise(rows)):
        row: list[Cell] = []
        first = 0
        for j, col in enumerate(cols[1:-1], start=1):
            if _covers(vertical, col, top, bottom):
                row.append(Cell(i, first, j - 1))
                first = j
        row.append(Cell(i, first, len(cols) - 2))
        cells.append(tuple(row))
    if sum(len(r) for r in cells) < 4:
        return None
    return Grid(tuple(rows), tuple(cols), tuple(cells))


def _covers(vertical: np.ndarray, col: Rule, top: Rule, bottom: Rule) -> bool:
    """Whether the vertical-rule mask inks `col` over enough of the row between the rules."""
    x = col.at(0)
    y0, y1 = int(top.at(x)) + 2, int(bottom.at(x)) - 1
    if y1 <= y0:
        return False
    ys = np.arange(y0, y1)
    xs = np.clip(col.across(ys), 1, vertical.shape[1] - 2)
    band = vertical[ys, xs - 1] | vertical[ys, xs] | vertical[ys, xs + 1]
    return float(band.mean()) >= MIN_COVER


def _scaled(grid: Grid, factor: float) -> Grid:
    def up(r: Rule) -> Rule:
        return Rule(r.start * factor, r.end * factor, r.offset * factor, r.slope)

    return Grid(tuple(up(r) for r in grid.rows), tuple(up(c) for c in grid.cols), grid.cells)
