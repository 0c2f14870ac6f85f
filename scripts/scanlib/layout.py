"""Page layout of a `SynthDoc` and drawing of the laid-out pages.

Layout works in 1/600-inch units with font metrics at that resolution, so line and page
breaks do not depend on the output DPI (only on the font family); drawing scales the
positions to the requested DPI. Lines are produced in the truth reading order: page
number, left header column, right header column, then top-down, with the "Nơi nhận"
column before the signature column and footnotes last.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .hand import pen, write_digits
from .model import Block, DocStyle, Run, SynthDoc, Table

LU = 600.0  # layout units per inch
PAGE_MM = (210.0, 297.0)  # A4 portrait
SUP_SCALE = 0.62  # footnote marker size relative to its line
FIT_MIN_PT = 10.0  # smallest size a `fit` header line is shrunk to
INK = (22, 22, 22)
SIGNATURE_INK = (28, 38, 120)

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_FILES: dict[str, tuple[str, str, str, str]] = {
    # regular, bold, italic, bold italic
    "liberation": (
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-BoldItalic.ttf",
    ),
    "dejavu": (
        "DejaVuSerif.ttf",
        "DejaVuSerif-Bold.ttf",
        "DejaVuSerif-Italic.ttf",
        "DejaVuSerif-BoldItalic.ttf",
    ),
    "freeserif": (
        "FreeSerif.ttf",
        "FreeSerifBold.ttf",
        "FreeSerifItalic.ttf",
        "FreeSerifBoldItalic.ttf",
    ),
    # Old looks, only when asked for by name (not in `FONTS`, the mix of today's sets):
    # a typewriter (fonts-freefont-ttf) and a condensed serif (fonts-dejavu-extra), both
    # drawn letter by letter on an uneven baseline with uneven ink, as 1990s pages are.
    "typewriter": (
        "FreeMono.ttf",
        "FreeMonoBold.ttf",
        "FreeMonoOblique.ttf",
        "FreeMonoBoldOblique.ttf",
    ),
    "condensed": (
        "DejaVuSerifCondensed.ttf",
        "DejaVuSerifCondensed-Bold.ttf",
        "DejaVuSerifCondensed-Italic.ttf",
        "DejaVuSerifCondensed-BoldItalic.ttf",
    ),
}
FONTS = ("liberation", "dejavu", "freeserif")  # the families `--font mix` draws from
OLD_FONTS = ("typewriter", "condensed")
ALL_FONTS = (*FONTS, *OLD_FONTS)


def mm(v: float) -> float:
    return v / 25.4 * LU


def pt(v: float) -> float:
    return v / 72.0 * LU


@cache
def font_file(family: str, bold: bool, italic: bool) -> Path:
    """Path of a Debian font file (fonts-liberation, fonts-dejavu-core, fonts-freefont-ttf)."""
    if family not in FONT_FILES:
        raise ValueError(f"unknown font {family!r}; choose one of {', '.join(ALL_FONTS)}")
    name = FONT_FILES[family][int(bold) + 2 * int(italic)]
    for root in FONT_DIRS:
        for path in sorted(root.rglob(name)) if root.is_dir() else []:
            return path
    raise FileNotFoundError(
        f"font file {name} not found under /usr/share/fonts; install the package"
    )


@cache
def get_font(family: str, bold: bool, italic: bool, px: int) -> ImageFont.FreeTypeFont:
    path = font_file(family, bold, italic)
    return ImageFont.truetype(str(path), max(1, px), layout_engine=ImageFont.Layout.BASIC)


@cache
def has_glyph(family: str, bold: bool, italic: bool, ch: str) -> bool:
    """False when the font would draw its .notdef box for `ch`."""
    if ch.isspace():
        return True
    f = get_font(family, bold, italic, 40)
    missing = f.getmask("\U0010fffd")
    mask = f.getmask(ch)
    return bool(mask.size != missing.size or bytes(mask) != bytes(missing))


def missing_glyphs(doc: SynthDoc, family: str) -> set[str]:
    """Characters of the document that the font family cannot draw."""
    chars = {(ch, r.bold, r.italic) for b in _all_blocks(doc) for r in b.runs for ch in set(r.text)}
    return {ch for ch, b, i in chars if not has_glyph(family, b, i, ch)}


def _all_blocks(doc: SynthDoc) -> list[Block]:
    blocks = [*doc.header_left, *doc.header_right, *doc.front, *doc.body]
    blocks += [*doc.closing_left, *doc.closing_right]
    for app in doc.appendices:
        blocks += list(app.blocks)
        blocks += [Block("table", (Run(c),)) for row in app.table.rows for c in row]
    blocks += [Block("footnote", (Run(t),)) for t in doc.footnotes.values()]
    return blocks


@dataclass
class PlacedRun:
    text: str
    x: float
    bold: bool = False
    italic: bool = False
    sup: bool = False
    hand: str = ""  # a field written by hand into a printed blank (`Run.hand`)
    width: float = 0.0  # the blank's width (hand runs only)


@dataclass
class PlacedLine:
    """One printed line: its truth text, its runs and its box (layout units)."""

    region: str
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float  # points
    runs: list[PlacedRun]
    block: int
    underline: bool = False
    cell: tuple[int, int] | None = None  # (row, column) of a table cell

    def quad(self, scale: float) -> list[tuple[float, float]]:
        """The line's box at `scale` as four corners, clockwise from the top left."""
        x0, y0, x1, y1 = (v * scale for v in (self.x0, self.top, self.x1, self.bottom))
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


Rect = tuple[float, float, float, float]


@dataclass
class PageLayout:
    number: int
    lines: list[PlacedLine] = field(default_factory=list)
    rules: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    frames: list[Rect] = field(default_factory=list)
    anchors: dict[str, Rect] = field(default_factory=dict)


def page_text(lines: list[PlacedLine]) -> str:
    """Truth text of a page: one line per printed line; a table row is one line, cells
    separated by tabs (a wrapped cell's lines joined by a space)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.cell is None:
            out.append(line.text)
            i += 1
            continue
        row = line.cell[0]
        cells: dict[int, list[str]] = {}
        while (
            i < len(lines) and (c := lines[i].cell) and c[0] == row and lines[i].block == line.block
        ):
            cells.setdefault(c[1], []).append(lines[i].text)
            i += 1
        out.append("\t".join(" ".join(cells[k]) for k in sorted(cells)))
    return "\n".join(out)


Word = list[Run]


def split_words(runs: tuple[Run, ...]) -> list[Word]:
    """Words as lists of styled pieces; a word may mix styles (`viên` + marker + `.`)."""
    words: list[Word] = []
    current: Word = []
    for run in runs:
        for i, part in enumerate(run.text.split(" ")):
            if i and current:
                words.append(current)
                current = []
            if part:
                current.append(Run(part, run.bold, run.italic, run.sup, run.hand))
    if current:
        words.append(current)
    return words


class _Flow:
    """Places blocks on pages top-down; one instance lays out one document."""

    def __init__(self, doc: SynthDoc, family: str) -> None:
        self.doc, self.family = doc, family
        st: DocStyle = doc.style
        self.st = st
        self.W, self.H = mm(PAGE_MM[0]), mm(PAGE_MM[1])
        self.ml, self.mt = mm(st.margin_left), mm(st.margin_top)
        self.mb = mm(st.margin_bottom)
        self.tw = self.W - self.ml - mm(st.margin_right)
        self.pages: list[PageLayout] = []
        self.block_id = 0
        self.notes: list[str] = []  # footnote markers placed on the current page
        self.y = 0.0
        self._widths: dict[tuple[str, bool, bool, bool, str, float], float] = {}

    # -- measuring ---------------------------------------------------------------------

    def width(self, piece: Run, size: float) -> float:
        key = (piece.text, piece.bold, piece.italic, piece.sup, piece.hand, size)
        if key not in self._widths:
            px = round(pt(size * (SUP_SCALE if piece.sup else 1.0)))
            f = get_font(self.family, piece.bold, piece.italic, px)
            w = f.getlength(piece.text)
            if piece.hand:  # the blank a typist leaves for a number written in after signing
                w = max(w * 1.6, pt(size) * (2.4 if piece.hand == "number" else 1.6))
            self._widths[key] = w
        return self._widths[key]

    def word_width(self, word: Word, size: float) -> float:
        return sum(self.width(p, size) for p in word)

    def space(self, size: float) -> float:
        return self.width(Run(" "), size)

    def metrics(self, size: float) -> tuple[float, float]:
        asc, desc = get_font(self.family, False, False, round(pt(size))).getmetrics()
        return float(asc), float(desc)

    def wrap(self, block: Block, width: float) -> list[list[Word]]:
        words = split_words(block.runs)
        lines: list[list[Word]] = []
        current: list[Word] = []
        used = 0.0
        space = self.space(block.size)
        avail = width - mm(block.indent_mm)
        for word in words:
            w = self.word_width(word, block.size)
            if current and used + space + w > avail:
                lines.append(current)
                current, used, avail = [], 0.0, width
            used += (space if current else 0.0) + w
            current.append(word)
        if current:
            lines.append(current)
        return lines

    # -- placing -------------------------------------------------------------------------

    def next_block(self) -> int:
        self.block_id += 1
        return self.block_id

    def make_line(
        self,
        block: Block,
        words: list[Word],
        col: tuple[float, float],
        y: float,
        lh: float,
        first: bool,
        last: bool,
        bid: int,
    ) -> PlacedLine:
        x_col, w_col = col
        size = block.size
        widths = [self.word_width(w, size) for w in words]
        space = self.space(size)
        natural = sum(widths) + space * (len(words) - 1)
        indent = mm(block.indent_mm) if first and block.align in ("justify", "left") else 0.0
        gap = space
        if block.align == "center":
            x = x_col + (w_col - natural) / 2
        elif block.align == "right":
            x = x_col + w_col - natural
        else:
            x = x_col + indent
            if block.align == "justify" and not last and len(words) > 1:
                avail = w_col * block.width_frac - indent
                gap = max(space, (avail - sum(widths)) / (len(words) - 1))
        asc, desc = self.metrics(size)
        baseline = y + (lh - asc - desc) / 2 + asc
        runs: list[PlacedRun] = []
        cursor = x
        for word, wide in zip(words, widths, strict=True):
            px = cursor
            for piece in word:
                runs.append(PlacedRun(piece.text, px, piece.bold, piece.italic, piece.sup))
                if piece.hand:
                    runs[-1].hand, runs[-1].width = piece.hand, self.width(piece, size)
                px += self.width(piece, size)
            cursor += wide + gap
        x1 = cursor - gap
        # Handwritten pieces are not print: the truth text leaves them out (see `hand_fields`).
        texts = ("".join(p.text for p in w if not p.hand) for w in words)
        text = " ".join(t for t in texts if t)
        return PlacedLine(
            block.region, text, x, x1, baseline - asc, baseline + desc, baseline, size, runs,
            bid, underline=block.underline,
        )  # fmt: skip

    def new_page(self, numbered: bool = True) -> PageLayout:
        if self.pages:
            self.finish_page()
        page = PageLayout(len(self.pages) + 1)
        self.pages.append(page)
        self.notes = []
        self.y = self.mt
        if numbered and page.number > 1:
            block = Block("page_number", (Run(str(page.number)),), size=13, align="center")
            lh = pt(13) * 1.2
            line = self.make_line(
                block, split_words(block.runs), (self.ml, self.tw), self.mt * 0.4, lh, True,
                True, self.next_block(),
            )  # fmt: skip
            page.lines.append(line)
        return page

    @property
    def page(self) -> PageLayout:
        return self.pages[-1]

    def note_lines(self, markers: list[str]) -> list[tuple[Block, list[list[Word]]]]:
        size = 11.0
        out = []
        for m in markers:
            block = Block(
                "footnote", (Run(m, sup=True), Run(" " + self.doc.footnotes[m])), size=size
            )
            out.append((block, self.wrap(block, self.tw)))
        return out

    def notes_height(self, markers: list[str]) -> float:
        if not markers:
            return 0.0
        lines = sum(len(ls) for _, ls in self.note_lines(markers))
        return lines * pt(11) * 1.15 + mm(4)

    def bottom(self, extra: list[str] | None = None) -> float:
        return self.H - self.mb - self.notes_height(self.notes + (extra or []))

    def finish_page(self) -> None:
        page = self.page
        for ln in page.lines:
            for r in ln.runs:
                if r.hand:
                    page.anchors[f"hand_{r.hand}"] = (r.x, ln.top, r.x + r.width, ln.bottom)
        body = [ln for ln in page.lines if ln.region in ("body", "heading", "subheading")]
        if body:
            page.anchors["body"] = (
                min(ln.x0 for ln in body),
                min(ln.top for ln in body),
                max(ln.x1 for ln in body),
                max(ln.bottom for ln in body),
            )
        if not self.notes:
            return
        lh = pt(11) * 1.15
        y = self.H - self.mb - self.notes_height(self.notes) + mm(4)
        page.rules.append((self.ml, y - mm(2), self.ml + self.tw * 0.3, y - mm(2), pt(0.6)))
        for block, lines in self.note_lines(self.notes):
            bid = self.next_block()
            for i, words in enumerate(lines):
                page.lines.append(
                    self.make_line(
                        block, words, (self.ml, self.tw), y, lh, i == 0, i == len(lines) - 1, bid
                    )
                )
                y += lh

    # -- document parts ------------------------------------------------------------------

    def column(self, blocks: tuple[Block, ...], x: float, w: float, y: float) -> float:
        """Stack centred blocks in a header or closing column; returns the y below them."""
        for block in blocks:
            if block.fit:
                block = self.shrink_to_fit(block, w * block.width_frac - mm(4))
            y += pt(block.before_pt)
            lh = pt(block.size) * 1.18
            lines = self.wrap(block, w * block.width_frac)
            bid = self.next_block()
            placed = []
            for i, words in enumerate(lines):
                line = self.make_line(block, words, (x, w), y, lh, i == 0, True, bid)
                placed.append(line)
                y += lh
            self.page.lines.extend(placed)
            if block.frame and placed:
                pad = mm(1.5)
                self.page.frames.append(
                    (
                        min(ln.x0 for ln in placed) - pad,
                        min(ln.top for ln in placed) - pad,
                        max(ln.x1 for ln in placed) + pad,
                        max(ln.bottom for ln in placed) + pad,
                    )
                )
                y += 2 * pad
            if block.rule_after:
                half = min(w * 0.22, (max(ln.x1 - ln.x0 for ln in placed) if placed else w) / 3)
                mid = x + w / 2
                page_y = y + mm(1)
                self.page.rules.append((mid - half, page_y, mid + half, page_y, pt(0.8)))
                y += mm(2)
        return y

    def shrink_to_fit(self, block: Block, width: float) -> Block:
        size = block.size
        while size > FIT_MIN_PT and len(self.wrap(replace(block, size=size), width)) > 1:
            size -= 0.5
        return replace(block, size=size)

    def header(self) -> None:
        lw = self.tw * self.st.left_col
        # The header spreads a little into the side margins, as on real documents.
        x_left = self.ml - mm(8)
        y_left = self.column(self.doc.header_left, x_left, lw + mm(8), self.mt)
        y_right = self.column(self.doc.header_right, self.ml + lw, self.tw - lw + mm(6), self.mt)
        self.y = max(y_left, y_right)

    def flow(self, block: Block, spacing: float, following: Block | None = None) -> None:
        """Place a full-width block line by line, breaking pages and placing footnotes."""
        if self.y > self.mt + 1:
            self.y += pt(block.before_pt)
        lh = pt(block.size) * spacing
        lines = self.wrap(block, self.tw * block.width_frac)
        if block.keep_next and following is not None:
            need = len(lines) * lh + 2 * pt(following.size) * spacing
            if self.y + need > self.bottom():
                self.new_page()
        bid = self.next_block()
        col = (
            (self.ml + self.tw * (1 - block.width_frac) / 2, self.tw * block.width_frac)
            if block.align == "center"
            else (self.ml, self.tw)
        )
        placed = []
        for i, words in enumerate(lines):
            markers = [p.text for w in words for p in w if p.sup]
            if self.y + lh > self.bottom(markers):
                self.new_page()
            self.notes += markers
            line = self.make_line(block, words, col, self.y, lh, i == 0, i == len(lines) - 1, bid)
            self.page.lines.append(line)
            placed.append(line)
            self.y += lh
        if block.rule_after and placed:
            mid = self.ml + self.tw / 2
            self.page.rules.append(
                (mid - mm(15), self.y + mm(2.5), mid + mm(15), self.y + mm(2.5), pt(0.8))
            )
            self.y += mm(4.5)

    def closing(self) -> None:
        """'Nơi nhận' on the left, the signature block on the right, kept on one page."""
        lw = self.tw * self.st.left_col
        left = self.doc.closing_left
        right = [b for b in self.doc.closing_right if b.region != "signer_name"]
        name = [b for b in self.doc.closing_right if b.region == "signer_name"]
        gap = mm(26)
        hl = sum(pt(b.size) * 1.18 * len(self.wrap(b, lw)) for b in left)
        hr = sum(pt(b.size) * 1.18 for b in self.doc.closing_right) + gap
        top = self.y + pt(12)
        if top + max(hl, hr) > self.bottom():
            self.new_page()
            top = self.y
        self.column(tuple(left), self.ml, lw, top + pt(2))
        rx, rw = self.ml + lw, self.tw - lw
        y = self.column(tuple(right), rx, rw, top)
        ink = (rx + rw * 0.15, y + mm(2), rx + rw * 0.85, y + gap - mm(3))
        y_end = self.column(tuple(name), rx, rw, y + gap)
        self.page.anchors["signature"] = (rx, top, rx + rw, y_end)
        self.page.anchors["signature_ink"] = ink
        self.y = max(y_end, top + hl)

    def table(self, table: Table) -> None:
        widths = [w * self.tw for w in table.widths]
        xs = [self.ml + sum(widths[:i]) for i in range(len(widths) + 1)]
        size = 12.0
        lh = pt(size) * 1.18
        pad = mm(1.2)
        bid = self.next_block()
        thin = pt(0.7)
        rows = [table.header, *table.rows]
        for ri, row in enumerate(rows):
            bold = ri == 0 or (ri - 1) in table.bold_rows
            cells = []
            for ci, text in enumerate(row):
                align = "left" if ci == 1 and ri > 0 else "center"
                block = Block("table", (Run(text, bold=bold),), size=size, align=align)
                cells.append((block, self.wrap(block, widths[ci] - 2 * pad) if text else []))
            h = max(1, *(len(ls) for _, ls in cells)) * lh + 2 * pad
            if self.y + h > self.bottom():
                self.new_page(numbered=False)
            y0 = self.y
            for ci, (block, lines) in enumerate(cells):
                for li, words in enumerate(lines):
                    line = self.make_line(
                        block, words, (xs[ci] + pad, widths[ci] - 2 * pad), y0 + pad + li * lh,
                        lh, False, True, bid,
                    )  # fmt: skip
                    line.cell = (ri, ci)
                    self.page.lines.append(line)
            for yy in (y0, y0 + h):
                self.page.rules.append((xs[0], yy, xs[-1], yy, thin))
            for xx in xs:
                self.page.rules.append((xx, y0, xx, y0 + h, thin))
            self.y = y0 + h

    def run(self) -> list[PageLayout]:
        self.new_page(numbered=False)
        self.header()
        spacing = self.st.line_spacing
        blocks = [*self.doc.front, *self.doc.body]
        for i, block in enumerate(blocks):
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            self.flow(block, spacing if block.region in ("body", "subheading") else 1.2, following)
        self.closing()
        for app in self.doc.appendices:
            self.new_page(numbered=False)
            for block in app.blocks:
                self.flow(block, 1.2)
            self.y += mm(4)
            self.table(app.table)
        self.finish_page()
        return self.pages


def layout(doc: SynthDoc, family: str = "liberation") -> list[PageLayout]:
    """Lay the document out on A4 pages with one of the `FONTS` families."""
    missing = missing_glyphs(doc, family)
    if missing:
        raise ValueError(f"font {family!r} lacks glyphs for {''.join(sorted(missing))!r}")
    return _Flow(doc, family).run()


def _catmull_rom(points: list[tuple[float, float]], steps: int = 8) -> list[tuple[float, float]]:
    """A smooth curve through the control points."""
    pts = np.asarray([points[0], *points, points[-1]], np.float64)
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(steps):
            t = k / steps
            a = 2 * p0 - 5 * p1 + 4 * p2 - p3
            b = 3 * p1 - p0 - 3 * p2 + p3
            q = 0.5 * (2 * p1 + (p2 - p0) * t + a * t * t + b * t * t * t)
            out.append((float(q[0]), float(q[1])))
    out.append(points[-1])
    return out


def _signature(draw: ImageDraw.ImageDraw, rect: Rect, scale: float, seed: int) -> None:
    """A hand-signature-like scribble: a capital loop, a cursive run, a flourish."""
    r = random.Random(seed)
    x0, y0, x1, y1 = (v * scale for v in rect)
    w, h = x1 - x0, y1 - y0
    x = x0 + w * r.uniform(0.1, 0.3)
    mid = y0 + h * r.uniform(0.45, 0.6)
    slant = r.uniform(0.1, 0.35)
    # capital: up, round over the top, back down through the start
    cap = h * r.uniform(0.35, 0.5)
    ctrl = [(x, mid + cap * 0.3), (x + w * 0.02, mid - cap), (x + w * 0.08, mid - cap * 0.8),
            (x + w * 0.05, mid + cap * 0.2), (x + w * 0.1, mid)]  # fmt: skip
    x += w * 0.1
    for i in range(r.randint(5, 10)):  # cursive letters: alternating peaks and troughs
        x += w * r.uniform(0.025, 0.06)
        up = i % 2 == 0
        amp = h * r.uniform(0.08, 0.3) * (1.6 if up and r.random() < 0.25 else 1.0)
        ctrl.append((x + (slant * amp if up else 0.0), mid - amp if up else mid + amp * 0.3))
    # flourish: a long stroke back under the name, or a rising tail
    if r.random() < 0.6:
        ctrl += [(x + w * 0.05, mid + h * 0.15), (x0 + w * r.uniform(0.1, 0.3), mid + h * 0.3)]
    else:
        ctrl += [(x + w * 0.08, mid - h * r.uniform(0.2, 0.4))]
    pts = _catmull_rom(ctrl)
    width = max(1, round(mm(r.uniform(0.35, 0.55)) * scale))
    draw.line(pts, fill=SIGNATURE_INK, width=width, joint="curve")


def _old_run(
    draw: ImageDraw.ImageDraw,
    run: PlacedRun,
    font: ImageFont.FreeTypeFont,
    scale: float,
    y: float,
    line: PlacedLine,
    tilt: float,
    r: random.Random,
) -> None:
    """A run typed letter by letter: each letter a little off the baseline, inked unevenly,
    the line drifting up or down along its length."""
    x = run.x * scale
    span = max(1.0, (line.x1 - line.x0) * scale)
    jitter = pt(line.size) * 0.035 * scale
    for ch in run.text:
        dy = tilt * (x - line.x0 * scale) / span + r.gauss(0, jitter)
        v = int(min(120, max(0, r.gauss(INK[0] + 12, 18))))
        draw.text((x, y + dy), ch, font=font, fill=(v, v, v + 4), anchor="ls")
        x += font.getlength(ch)


def draw_page(page: PageLayout, family: str, dpi: int, seed: int) -> Image.Image:
    """Draw a laid-out page on white paper at `dpi`; the signature scribble is seeded."""
    scale = dpi / LU
    size = (round(mm(PAGE_MM[0]) * scale), round(mm(PAGE_MM[1]) * scale))
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    old = random.Random(f"old-{seed}-{page.number}") if family in OLD_FONTS else None
    for line in page.lines:
        tilt = old.uniform(-1, 1) * pt(0.5) * scale if old else 0.0
        for run in line.runs:
            if run.hand:
                continue
            px = round(pt(line.size * (SUP_SCALE if run.sup else 1.0)) * scale)
            font = get_font(family, run.bold, run.italic, px)
            y = line.baseline * scale - (pt(line.size) * 0.36 * scale if run.sup else 0.0)
            if old is None:
                draw.text((run.x * scale, y), run.text, font=font, fill=INK, anchor="ls")
            else:
                _old_run(draw, run, font, scale, y, line, tilt, old)
        if line.underline:
            uy = (line.baseline + pt(line.size) * 0.14) * scale
            width = max(1, round(pt(line.size) * 0.06 * scale))
            draw.line([(line.x0 * scale, uy), (line.x1 * scale, uy)], fill=INK, width=width)
    for x0, y0, x1, y1, w in page.rules:
        width = max(1, round(w * scale))
        draw.line([(x0 * scale, y0 * scale), (x1 * scale, y1 * scale)], fill=INK, width=width)
    for x0, y0, x1, y1 in page.frames:
        width = max(1, round(pt(1.2) * scale))
        draw.rectangle([x0 * scale, y0 * scale, x1 * scale, y1 * scale], outline=INK, width=width)
    if "signature_ink" in page.anchors:
        _signature(draw, page.anchors["signature_ink"], scale, seed)
    for line in page.lines:
        for run in line.runs:
            if run.hand:
                box = (run.x * scale, line.top * scale, (run.x + run.width) * scale,
                       line.bottom * scale)  # fmt: skip
                write_digits(draw, run.text, box, line.baseline * scale, pen(seed),
                             random.Random(f"hand-{seed}-{run.hand}"))  # fmt: skip
    return img
