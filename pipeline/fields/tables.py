"""Appendix tables (PHỤ LỤC): number, title, header rows and rows with numbers parsed.

From text, a table is a run of tab-separated lines; from a scan, the rows are OCR lines
and the columns come from where the header row's words sit on the page.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from typing import Any

from pipeline.fields.rules import regexes
from pipeline.fields.text import Seg, clean_markup, is_upper_line, squash
from pipeline.fields.values import parse_number
from pipeline.record import Line, Page

Json = dict[str, Any]
Cell = str | int | float


def cell_value(text: str) -> Cell:
    """A cell: a number when it reads as one ("1.117" → 1117), else its text."""
    value = parse_number(text)
    return text if value is None else value


def _is_data(row: Sequence[Cell]) -> bool:
    return any(isinstance(c, int | float) for c in row[1:])


def _table(cells: list[list[str]], start: int, end: int) -> Json:
    """A table from its cell texts: header rows until the first row holding numbers.

    `header` is one row per column (the words of a multi-row header joined top-down, as
    spanning cells read), `header_rows` keeps the rows as written; in `rows` the first
    column (STT: I, 1, 2 ...) stays text and the other cells become numbers when they are.
    """
    width = max(len(r) for r in cells)
    cells = [[squash(clean_markup(c)) for c in r] + [""] * (width - len(r)) for r in cells]
    rows: list[list[Cell]] = [[r[0], *(cell_value(c) for c in r[1:])] for r in cells]
    head = 0
    while head < len(rows) - 1 and not _is_data(rows[head]):
        head += 1
    head = max(head, 1)
    header = [squash(" ".join(r[k] for r in cells[:head])) for k in range(width)]
    return {
        "title": None,
        "number": None,
        "caption": None,
        "header": header,
        "header_rows": cells[:head],
        "rows": rows[head:],
        "start": start,
        "end": end,
    }


def text_tables(text: str, lines: Sequence[tuple[int, int]]) -> list[Json]:
    """Tables written as runs of tab-separated lines (two or more)."""
    out: list[Json] = []
    run: list[int] = []
    for index, (start, end) in enumerate([*lines, (len(text), len(text))]):
        if "\t" in text[start:end]:
            run.append(index)
            continue
        if len(run) >= 2:
            cells = [text[slice(*lines[i])].split("\t") for i in run]
            out.append(_table(cells, lines[run[0]][0], lines[run[-1]][1]))
        run = []
    return out


def attach_titles(tables: list[Json], segs: Sequence[Seg]) -> None:
    """Give each table the `PHỤ LỤC n` line (title, number) and the caption under it."""
    pattern = regexes()["appendix"]
    heads: list[tuple[int, str | None, str, str]] = []
    for k, seg in enumerate(segs):
        m = pattern.match(seg.folded)
        if m is None or not is_upper_line(seg.text[:7]):
            continue
        title = seg.text[m.start("title") :].strip() if m.group("title") else ""
        nxt = k + 1
        if not title and nxt < len(segs) and "\t" not in segs[nxt].text:
            title, nxt = squash(segs[nxt].text), nxt + 1
        while (
            nxt < len(segs)
            and segs[nxt].line == segs[nxt - 1].line + 1
            and is_upper_line(segs[nxt].text)
            and "\t" not in segs[nxt].text
        ):
            title, nxt = squash(f"{title} {segs[nxt].text}"), nxt + 1
        number = seg.text[m.start("num") : m.end("num")] if m.group("num") else None
        label = squash(seg.text[: m.start("title")] if m.group("title") else seg.text)
        heads.append((seg.start, number, label, title))
    for table in tables:
        above = [h for h in heads if h[0] < table["start"]]
        if above and not any(above[-1][0] < t["start"] < table["start"] for t in tables):
            _, table["number"], table["title"], caption = above[-1]
            table["caption"] = caption or None


def layout_tables(pages: Sequence[Page]) -> list[Json]:
    """Ruled tables read from OCR word boxes: rows are the lines below a `STT` header line.

    Column borders are the left edges of the header words that start a cell (after a wide
    gap); each word of a row goes to the last border left of it. The table ends at a
    vertical gap of more than two line heights or at a line wider than the header.
    """
    out: list[Json] = []
    for page in pages:
        lines = page.lines
        for i, head in enumerate(lines):
            if not head.words or not re.match(r"(?i)^stt\b", head.words[0].text):
                continue
            borders = _borders(head)
            if len(borders) < 3:
                continue
            rows = [_cells(head, borders)]
            bottom = head.bbox[3]
            for line in lines[i + 1 :]:
                if not line.words or line.bbox[1] - bottom > 2 * _height(head):
                    break
                if line.bbox[0] < head.bbox[0] - _height(head):
                    break
                rows.append(_cells(line, borders))
                bottom = line.bbox[3]
            table = _table(rows, 0, 0)
            table["page"] = page.number
            out.append(table)
    return out


def _height(line: Line) -> int:
    return max(1, line.bbox[3] - line.bbox[1])


def _borders(line: Line) -> list[int]:
    words = line.words
    gaps = [b.bbox[0] - a.bbox[2] for a, b in itertools.pairwise(words)]
    borders = [words[0].bbox[0]]
    if not gaps:
        return borders
    typical = statistics.median(gaps)
    for w, g in zip(words[1:], gaps, strict=False):
        if g > max(2.5 * typical, _height(line)):
            borders.append(w.bbox[0])
    return borders


def _cells(line: Line, borders: Sequence[int]) -> list[str]:
    cells = [""] * len(borders)
    for w in line.words:
        k = max((j for j, b in enumerate(borders) if w.bbox[0] >= b - 10), default=0)
        cells[k] = f"{cells[k]} {w.text}".strip()
    return cells
