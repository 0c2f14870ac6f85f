"""Appendix tables (PHỤ LỤC): number, title, header rows and rows with numbers parsed.

From text, a table is a run of tab-separated lines; from a scan, the rows are OCR lines
and the columns come from where the header row's words sit on the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.fields.rules import regexes
from pipeline.fields.spelling import respell
from pipeline.fields.text import Seg, clean_markup, is_upper_line, squash
from pipeline.fields.values import parse_number
from pipeline.record import Line, Page
from pipeline.text.confusions import translation
from pipeline.text.vietnamese import fold

Json = dict[str, Any]
Cell = str | int | float


def cell_value(text: str) -> Cell:
    """A cell: a number when it reads as one ("1.117" → 1117), else its text."""
    value = parse_number(text)
    return text if value is None else value


# Letters OCR reads for digits in a number cell: a 1's stem (`I`, `l`, `|`, `]`), 0 as O.
_DIGIT_LOOKALIKES = translation("cell-digits")
_CELL_SPECKS = " .,~)`'\"”’:;"  # specks beside a cell's number, read after it


def ocr_number(text: str) -> int | float | None:
    """A number cell as OCR reads it: a stem letter for a 1 or an O for a 0 among its
    digits (`2I`, `I8I`, `19]`, `IÔI`, `II`), a speck read after it (`51.`, `10 ~`). Only
    for cells of a column of numbers: elsewhere `II` is a roman numeral."""
    return parse_number(text.strip().rstrip(_CELL_SPECKS).translate(_DIGIT_LOOKALIKES))


def _cells_repaired(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Rows with the text cells of number columns (most filled cells numbers, OCR damage
    allowed) read as OCR-damaged numbers (`ocr_number`; a cell that reads as none is
    kept), and the other text cells' known phrases given their tone marks (`đảng viên`,
    `chi ủy viên`: OCR of table type confuses them as of footnotes; `spelling.respell`)."""
    width = max((len(r) for r in rows), default=0)
    numeric: set[int] = set()
    for k in range(1, width):
        filled = [r[k] for r in rows if r[k] != ""]
        numbers = sum(not isinstance(c, str) or ocr_number(c) is not None for c in filled)
        digits = sum(any(ch.isdigit() for ch in str(c)) for c in filled)
        if 2 * numbers > len(filled) and 2 * digits > len(filled):  # not roman (Loại I, II)
            numeric.add(k)
    out = []
    for row in rows:
        fixed = list(row)
        for k, cell in enumerate(row[1:], start=1):
            if not isinstance(cell, str):
                continue
            value = ocr_number(cell) if k in numeric else None
            fixed[k] = respell(cell) if value is None else value
        out.append(fixed)
    return out


_STROKES = translation("stt-strokes")
ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _stt_repaired(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Rows with STT cells OCR damaged read as the number the sequence expects.

    An STT column counts groups in roman numerals and their items in arabic ones from 1
    (I, 1, 2, II, 1 ...). Its lone glyphs are what OCR damages: `I` and `1` read as `l`,
    `]`, `Ị`, and `II` as `H`. A cell that is no expected number but is drawn with the
    same strokes as exactly one of them (the next item, the next group) is that one; at
    the top, where `I` and `1` are both expected, the next row tells (`2` below: `1`)."""
    out = [list(r) for r in rows]
    roman, arabic = 0, 0  # the last group and item numbers read
    for i, row in enumerate(out):
        read = str(row[0]).strip()
        expected = [str(arabic + 1), ROMANS[roman] if roman < len(ROMANS) else ""]
        shape = read.translate(_STROKES)
        fits = [e for e in expected if e and e.translate(_STROKES) == shape]
        at_top = len(fits) == 2  # "1" or "I", read right or not: the row below tells
        if at_top and i + 1 < len(out):
            below = str(out[i + 1][0]).strip()
            fits = ["1"] if below == "2" else ["I"] if below.translate(_STROKES) == "i" else []
        if (at_top or read not in expected) and len(fits) == 1:
            row[0] = read = fits[0]
        if read in ROMANS:
            roman, arabic = ROMANS.index(read) + 1, 0
        elif read.isdigit():
            arabic = int(read)
    return out


def _is_data(row: Sequence[Cell]) -> bool:
    """Whether a row holds a number (the header rows hold none), OCR damage allowed when
    the cell has a digit: a first row read `2I | 19]` is data, not a second header row."""
    return any(not isinstance(c, str) or (any(ch.isdigit() for ch in c)
                                          and ocr_number(c) is not None) for c in row[1:])


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
        "rows": _stt_repaired(_cells_repaired(rows[head:])),
        "start": start,
        "end": end,
    }


def text_tables(text: str, lines: Sequence[tuple[int, int]]) -> list[Json]:
    """Tables written as runs of tab-separated lines (two or more).

    On scans, specks just outside a table's rules are read as lines of their own (`*`,
    `-`, `&`) and fall between its rows in reading order, each in a block of its own
    (blank lines around it): such gaps do not end a run (seed 6027, a phone photo: five
    rows cut into three tables). A gap of blank lines alone still does.
    """
    out: list[Json] = []
    runs: list[list[int]] = [[]]
    gap: list[str] = []  # lines since the run's last row, all blank or specks
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if "\t" in line:
            if gap and not any(g.strip() for g in gap):
                runs.append([])  # blank lines alone part two tables
            runs[-1].append(index)
            gap = []
        elif runs[-1] and not any(ch.isalnum() for ch in line):
            gap.append(line)
        elif runs[-1]:
            runs.append([])
            gap = []
    for run in runs:
        if len(run) >= 2:
            cells = [text[slice(*lines[i])].split("\t") for i in run]
            out.append(_table(cells, lines[run[0]][0], lines[run[-1]][1]))
    return out


def attach_titles(tables: list[Json], segs: Sequence[Seg]) -> None:
    """Give each table the `PHỤ LỤC n` line (title, number) and the caption under it."""
    pattern = regexes()["appendix"]
    heads: list[tuple[int, str | None, str, str]] = []
    for k, seg in enumerate(segs):
        text, folded, nxt = seg.text, seg.folded, k + 1
        if folded.strip() == "phu" and nxt < len(segs):  # "PHỤ" and "LỤC" read as two lines
            text = f"{text.strip()} {segs[nxt].text}"
            folded, nxt = f"{folded.strip()} {segs[nxt].folded}", nxt + 1
        m = pattern.match(folded)
        if m is None or not is_upper_line(text[:7]):
            continue
        title = text[m.start("title") :].strip() if m.group("title") else ""
        title = title if _has_letters(title) else ""  # a speck read beside "PHỤ LỤC 1"
        while not title and nxt < len(segs) and (
            not _has_letters(segs[nxt].text) or _stray_word(segs, nxt)
        ):
            nxt += 1  # specks OCR read as lines of their own ("2", ";", "-", "SỐ")
        if not title and nxt < len(segs) and "\t" not in segs[nxt].text:
            title, nxt = squash(segs[nxt].text), nxt + 1
        while (
            nxt < len(segs)
            and segs[nxt].line == segs[nxt - 1].line + 1
            and is_upper_line(segs[nxt].text)
            and "\t" not in segs[nxt].text
        ):
            title, nxt = squash(f"{title} {segs[nxt].text}"), nxt + 1
        label, number = appendix_label(text, m)
        heads.append((seg.start, number, label, title))
    for table in tables:
        above = [h for h in heads if h[0] < table["start"]]
        if above and not any(above[-1][0] < t["start"] < table["start"] for t in tables):
            _, table["number"], table["title"], caption = above[-1]
            table["caption"] = caption or None


APPENDIX = "PHỤ LỤC"


def appendix_label(text: str, m: re.Match[str]) -> tuple[str, str | None]:
    """The `PHỤ LỤC n` label of a line the `appendix` pattern matched (`m`, on the folded
    line) and its number n.

    The label is written as it names the appendix, whatever OCR made of its letters: the
    space dropped (`PHỤLỤC`), the P's bowl lost (`THỤ LỤC`) or the P read apart (`HỦ
    LỤC`). A number mixing digits and roman letters (`I1`, `1l`) is neither kind: OCR
    read a bold serif 1's foot or a speck beside it as `I`, so the digits are the number.
    """
    number = text[m.start("num") : m.end("num")] if m.group("num") else None
    if number and any(c.isdigit() for c in number) and any(c in "ivxl" for c in fold(number)):
        number = "".join(c for c in number if c.isdigit())
    return (f"{APPENDIX} {number}" if number else APPENDIX), number


def _stray_word(segs: Sequence[Seg], k: int) -> bool:
    """Segment `k` is one short word alone above a longer capitals line: a speck OCR read
    as letters, as a caption wrapped over lines never leaves so short a first line."""
    words = segs[k].text.split()
    below = segs[k + 1] if k + 1 < len(segs) else None
    return (
        len(words) == 1
        and len(words[0]) <= 3
        and below is not None
        and below.line == segs[k].line + 1
        and len(below.text.split()) >= 3
        and is_upper_line(below.text)
    )


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def layout_tables(pages: Sequence[Page], text: str) -> list[Json]:
    """Ruled tables read from OCR boxes, for scans whose text has no tab-separated rows.

    Tesseract reads each ruled cell as a line of its own (or glues neighbours with the
    rule read as "|"). The header row is the band of lines level with a `STT` line; the
    body lines below it group into rows by height, split into cells at "|" and wide gaps,
    and each cell goes to the header column nearest its centre. `PHỤ LỤC n` and the
    caption come from the lines above the header.
    """
    out: list[Json] = []
    cursor = 0
    for page in pages:
        offset = text.find(page.text, cursor) if page.text else -1
        if offset >= 0:
            cursor = offset + len(page.text)
        lines = sorted((ln for ln in page.lines if ln.words), key=lambda ln: ln.bbox[1])
        heads = [ln for ln in lines if fold(ln.words[0].text).strip("|! ") == "stt"]
        for head in heads or _headers_below_titles(lines):
            table = _layout_table(lines, head)
            if table is None:
                continue
            table["page"] = page.number
            anchor = table["title"] or "STT"
            at = page.text.find(anchor) if offset >= 0 else -1
            table["start"] = offset + at if at >= 0 else offset if offset >= 0 else 0
            table["end"] = cursor if offset >= 0 else 0
            out.append(table)
    return out


def _headers_below_titles(lines: Sequence[Line]) -> list[Line]:
    """Header rows found from the `PHỤ LỤC` title when OCR lost the `STT` cell: the first
    line below the title and its caption that two or more lines sit level with."""
    pattern = regexes()["appendix"]
    out: list[Line] = []
    for k, title in enumerate(lines):
        if not pattern.match(fold(title.text).strip("|!_ ")):
            continue
        for ln in lines[k + 1 : k + 8]:
            columns = _side_by_side(_band(lines, ln))
            if (is_upper_line(ln.text) and columns < 3) or ln.text.lstrip().startswith("("):
                continue  # the caption, "(Kèm theo ...)"
            if columns >= 3:
                out.append(ln)
            break
    return out


def _side_by_side(band: Sequence[Line]) -> int:
    """How many of the lines sit side by side (cells of a row, not centred title lines)."""
    count, right = 0, -1
    for ln in sorted(band, key=lambda x: x.bbox[0]):
        if ln.bbox[0] > right:
            count += 1
            right = ln.bbox[2]
    return count


def _band(lines: Sequence[Line], head: Line) -> list[Line]:
    """The lines level with `head` (a table row)."""
    h = _height(head)
    top, bottom = head.bbox[1] - h, head.bbox[3] + h
    return [ln for ln in lines if top <= _mid(ln) <= bottom]


def _layout_table(lines: Sequence[Line], head: Line) -> Json | None:
    h = _height(head)
    band = _band(lines, head)
    centers = sorted(_center(ln) for ln in band)
    header = [" ".join(ln.text for ln in band if _center(ln) == c) for c in centers]
    if len(centers) < 3:
        return None
    below = [ln for ln in lines if ln.bbox[1] > max(b.bbox[3] for b in band)][:4]
    left = min(ln.bbox[0] for ln in band)
    has_stt = any(fold(ln.text).strip("|! ").startswith("stt") for ln in band)
    if not has_stt and below and min(ln.bbox[0] for ln in below) < left - 2 * h:
        # the STT cell was lost: the rows start left of the header's first cell
        x0 = min(ln.bbox[0] for ln in below)
        centers.insert(0, x0 + h)
        header.insert(0, "")
    rows: list[list[str]] = []
    row_box: list[int] | None = None
    band_bottom = max(ln.bbox[3] for ln in band)
    for ln in (ln for ln in lines if ln.bbox[1] > band_bottom - h // 2 and ln not in band):
        if row_box is not None and ln.bbox[1] - row_box[3] > 2.5 * h:
            break
        if row_box is None or _mid(ln) > row_box[3]:
            rows.append([""] * len(centers))
            row_box = list(ln.bbox)
        row_box[3] = max(row_box[3], ln.bbox[3])
        for cell_text, cell_center in _line_cells(ln):
            k = min(range(len(centers)), key=lambda j: abs(centers[j] - cell_center))
            rows[-1][k] = squash(f"{rows[-1][k]} {cell_text}")
    if not rows:
        return None
    table = _table([header, *rows], 0, 0)
    table["title"], table["number"], table["caption"] = _title_above(lines, head)
    return table


def _line_cells(line: Line) -> list[tuple[str, float]]:
    """(text, x centre) of each cell of an OCR line: split at "|" and at wide gaps."""
    cells: list[tuple[list[str], int, int]] = []
    gap_limit = 1.5 * _height(line)
    prev_end: int | None = None
    for w in line.words:
        parts = [p for p in re.split(r"([|!\[\]])", w.text) if p]
        x0, x1 = w.bbox[0], w.bbox[2]
        for part in parts:
            if part in "|![]":
                prev_end = None  # a rule: the next part starts a cell
                continue
            if prev_end is None or x0 - prev_end > gap_limit or not cells:
                cells.append(([part], x0, x1))
            else:
                texts, a, _ = cells[-1]
                cells[-1] = ([*texts, part], a, x1)
            prev_end = x1
    return [(" ".join(t), (a + b) / 2) for t, a, b in cells]


def _title_above(
    lines: Sequence[Line], head: Line
) -> tuple[str | None, str | None, str | None]:
    """(`PHỤ LỤC n` label, n, caption) from the lines above a table's header row."""
    pattern = regexes()["appendix"]
    above = [ln for ln in lines if ln.bbox[3] < head.bbox[1]]
    for k in range(len(above) - 1, max(-1, len(above) - 8), -1):
        line = above[k].text.strip("|!_ ")  # rules and specks read at its edges
        m = pattern.match(fold(line))
        if m:
            caption = [ln.text for ln in above[k + 1 :]
                       if is_upper_line(ln.text) and not ln.text.lstrip().startswith("(")]
            label, number = appendix_label(line, m)
            return label, number, squash(" ".join(caption)) or None
    return None, None, None


def _height(line: Line) -> int:
    return max(1, line.bbox[3] - line.bbox[1])


def _mid(line: Line) -> float:
    return (line.bbox[1] + line.bbox[3]) / 2


def _center(line: Line) -> float:
    return (line.bbox[0] + line.bbox[2]) / 2
