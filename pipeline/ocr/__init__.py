"""OCR: Tesseract `vie` words grouped into lines in reading order, with confidences."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import groupby

import cv2
import numpy as np

from pipeline.ocr import handwriting, missed_ink, red_ink, tables
from pipeline.programs import tesseract
from pipeline.record import Line, Word
from pipeline.text.confusions import confusions, translation

log = logging.getLogger(__name__)


def recognize_page(
    image: np.ndarray, lang: str = "vie", red: np.ndarray | None = None
) -> tuple[str, list[Line], float | None]:
    """Recognise one cleaned page: (text, lines in reading order, mean confidence 0..100).

    Ruled tables found on it are read cell by cell (`tables`), one line per table row, its
    cells joined by tabs; the whole-page read sees them painted white, and any of its words
    still inside a table are dropped. Ink the
    page's layout analysis skipped is read again (`missed_ink`); the handwritten number and
    day of a real document are left out (`handwriting`). The `red` ink cleanup took out of
    the page is searched for printed red lines, a name stamp (`red_ink`).
    """
    ruled = tables.read_tables(image, lang=lang)
    words = _recognize_content(_without_tables(image, ruled), lang)
    scale = image.shape[0] / 3508
    words = missed_ink.with_missed(image, words, [t.bbox for t in ruled], lang, scale)
    words = missed_ink.with_lost_words(image, words, [t.bbox for t in ruled], lang)
    if red is not None:
        words = red_ink.with_red_lines(red, words, lang)
    reach = round(TABLE_REACH * scale)
    words = [w for w in words if not any(_inside(w, t.bbox, reach) for t in ruled)]
    pieces = merge_overlapping_reads(drop_noise(split_columns(group_lines(words))))
    block = max((w.block for w in words), default=0)
    rows = [_table_line(r, block + k) for k, t in enumerate(ruled, 1) for r in t.rows]
    rows = [row for row in rows if row.words]
    ordered = join_form_rows(reading_order(pieces + rows))
    joined = join_row_pieces(ordered, lambda box: _read_line(image, box, lang))
    lines = legal_basis_semicolons(footnote_markers(handwriting.without_handwriting(joined)))
    table_words = [w for t in ruled for r in t.rows for cell in r.cells for w in cell]
    return page_text(lines), lines, mean_confidence(words + table_words)


def _without_tables(image: np.ndarray, ruled: list[tables.Table]) -> np.ndarray:
    """The page with its ruled tables painted white for the whole-page read: their cells
    are read one by one, and the whole-page words inside a table are dropped, so reading
    them there too was wasted (on the 11 dev pages with tables, 60% of their ink)."""
    if not ruled:
        return image
    page = image.copy()
    for left, top, right, bottom in (t.bbox for t in ruled):
        page[top : bottom + 1, left : right + 1] = 255
    return page


CONTENT_MARGIN = 60  # px of paper kept around the ink when the margins are cut off


def _recognize_content(image: np.ndarray, lang: str) -> list[tesseract.TsvWord]:
    """Tesseract on the page cut to its ink (plus a margin), boxes put back in page pixels.

    The blank margins are ~40% of an A4 page; without them Tesseract's layout analysis
    takes ~6% less time (0.511 -> 0.479 s a page on 22 train pages, same words).
    """
    ink = cv2.bitwise_not(image[::4, ::4])
    rows, cols = np.nonzero(ink)
    if not len(rows):
        return tesseract.recognize(image, lang=lang)
    height, width = image.shape
    top = max(0, int(rows.min()) * 4 - CONTENT_MARGIN)
    bottom = min(height, int(rows.max()) * 4 + 4 + CONTENT_MARGIN)
    left = max(0, int(cols.min()) * 4 - CONTENT_MARGIN)
    right = min(width, int(cols.max()) * 4 + 4 + CONTENT_MARGIN)
    words = tesseract.recognize(np.ascontiguousarray(image[top:bottom, left:right]), lang=lang)
    return [replace(w, left=w.left + left, top=w.top + top) for w in words]


def _inside(word: tesseract.TsvWord, box: tuple[int, int, int, int], reach: int) -> bool:
    """Whether the word's centre is in the box or within `reach` of it (an outer rule read
    as "|" sits on the edge)."""
    x, y = word.left + word.width / 2, word.top + word.height / 2
    return box[0] - reach <= x <= box[2] + reach and box[1] - reach <= y <= box[3] + reach


def _table_line(row: tables.TableRow, block: int) -> Line:
    """A table row as one line: cell texts joined by tabs (a wrapped cell's lines by a
    space), as text inputs write tables; an empty cell keeps its place."""
    cells = [[_word(w) for w in cell if not _is_noise(w)] for cell in row.cells]
    words = [w for cell in cells for w in cell]
    return Line(
        text="\t".join(" ".join(w.text for w in cell) for cell in cells),
        bbox=row.bbox,
        confidence=round(sum(w.confidence for w in words) / len(words), 1) if words else 0.0,
        block=block,
        words=words,
    )


TABLE_REACH = 20  # px at 300 DPI (A4 height 3508 px) around a table still inside it
NOISE_WORD_CONF = 40.0  # below this, a word with no letter or digit is a speck or a rule
NOISE_LINE_CONF = 25.0  # below this on average, a "line" is a signature scribble or a smudge


# Letters Tesseract's `vie` model emits that Vietnamese never uses, mapped to the ones meant.
LOOKALIKES = translation("eth") | translation("fraction-slash")
STAR_READINGS = frozenset(read for read, _ in confusions("header-star"))  # the header's "*"


def _is_noise(word: tesseract.TsvWord) -> bool:
    if word.text.strip() in STAR_READINGS:
        return False
    return word.confidence < NOISE_WORD_CONF and not any(ch.isalnum() for ch in word.text)


def _is_noise_line(line: Line) -> bool:
    return line.confidence < NOISE_LINE_CONF and line.text.strip() not in STAR_READINGS


SCRIBBLE_HEIGHT = 1.5  # text heights: taller "lines" below SCRIBBLE_CONF are signatures
SCRIBBLE_CONF = 70.0
PRINTED_WORD_CONF = 80.0  # a word this sure in a scribble-like "line" is print beside ink


def drop_noise(lines: list[Line]) -> list[Line]:
    """The header star restored, then smudges and signature scribbles dropped.

    Measured on 110 train pages: signatures come back as "lines" 1.6-3.7 text heights tall
    at confidence 26-69 ("[)WW", "lỳ2xư⁄"), while real lines that tall (headings in larger
    type) read at 78 or more.
    """
    if not lines:
        return lines
    text_height = median_height(lines)
    kept = []
    for line in _header_star(lines, text_height):
        scribble = (
            line.bbox[3] - line.bbox[1] > SCRIBBLE_HEIGHT * text_height
            and line.confidence < SCRIBBLE_CONF
        )
        if scribble or _is_noise_line(line):
            printed = _printed_words(line, text_height)
            one_row = printed and (
                max(w.bbox[1] for w in printed) - min(w.bbox[1] for w in printed)
                < 0.5 * text_height
            )
            if len(printed) >= 2 and one_row:  # ink beside a printed line: keep the print
                kept.append(_line_of(printed, line.block))
            continue  # a scribble, or a blob of several lines (a phone photo's closing)
        kept.append(line)
    return kept


def _printed_words(line: Line, text_height: float) -> list[Word]:
    """The words of a line that read as print: sure, and no taller than print is."""
    return [
        w for w in line.words
        if w.confidence >= PRINTED_WORD_CONF and sum(ch.isalnum() for ch in w.text) >= 2
        and w.bbox[3] - w.bbox[1] <= SCRIBBLE_HEIGHT * text_height
    ]


def _header_star(lines: list[Line], text_height: float) -> list[Line]:
    """The lone "*" under the issuing body (Hướng dẫn 36-HD/VPTW) comes back as "+", "x",
    "s%", ">zk" or "xe": a piece of at most three characters with a letter or digit, under
    3/4 of a text height tall, in the header band around the middle of the left column,
    is that star."""
    top = min(line.bbox[1] for line in lines)
    bottom = max(line.bbox[3] for line in lines)
    left = min(line.bbox[0] for line in lines)
    right = max(line.bbox[2] for line in lines)
    header_bottom = top + 0.2 * (bottom - top)
    centre = (left + right) / 2
    result = []
    for line in lines:
        text = line.text.strip()
        small = line.bbox[3] - line.bbox[1] < 0.75 * text_height
        middle = (line.bbox[0] + line.bbox[2]) / 2
        under_issuer = left + 0.2 * (centre - left) < middle < left + 0.8 * (centre - left)
        in_header = line.bbox[1] < header_bottom and under_issuer and _has_text(line)
        read_as_star = text in STAR_READINGS and len(line.words) == 1
        if read_as_star or (small and in_header and len(text) <= 3):
            star = Word(text="*", bbox=line.bbox, confidence=line.confidence)
            line = Line(
                text="*", bbox=line.bbox, confidence=line.confidence, block=line.block, words=[star]
            )
        result.append(line)
    return result


def group_lines(words: list[tesseract.TsvWord]) -> list[Line]:
    """Lines in Tesseract's reading order (block, paragraph, line), each with its words."""
    lines: list[Line] = []
    key = lambda w: (w.block, w.paragraph, w.line)  # noqa: E731
    for (block, _par, _line), group in groupby(words, key=key):
        members = [w for w in group if not _is_noise(w)]
        if not members:
            continue
        lines.append(_line_of([_word(w) for w in members], block))
    return lines


# A blurred "%" after a number comes back as "°o" (30 times on 20 phone train pages, never
# on the other profiles); no Vietnamese text writes a degree sign and an "o" after a digit.
PERCENT_READ_AS_DEGREE = re.compile(r"(?<=\d)°o")


def _word(w: tesseract.TsvWord) -> Word:
    text = unicodedata.normalize("NFC", w.text).translate(LOOKALIKES)
    return Word(
        text=PERCENT_READ_AS_DEGREE.sub("%", text),
        bbox=[w.left, w.top, w.left + w.width, w.top + w.height],
        confidence=round(w.confidence, 1),
    )


def split_columns(lines: list[Line]) -> list[Line]:
    """Cut a line where a gap between two words is a column gap, not a word space.

    Tesseract often reads the two header columns ("ĐẢNG BỘ TỈNH ...  ĐẢNG CỘNG SẢN VIỆT NAM")
    or "Nơi nhận" beside the signature as one line. A gap is a column gap when it is wider
    than 2.5 text heights (~1 cm), or wider than one text height and three times the line's
    median word space; justified body text stretches all its spaces alike, so never splits.
    In the header band (top fifth of the text) the two columns can nearly touch, so there a
    gap twice the usual space near the middle of the text width is enough.
    """
    words = [w for line in lines for w in line.words]
    if not words:
        return lines
    text_height = median_height(words)
    left = min(w.bbox[0] for w in words)
    right = max(w.bbox[2] for w in words)
    top = min(w.bbox[1] for w in words)
    header_bottom = top + 0.2 * (max(w.bbox[3] for w in words) - top)
    middle = (left + 0.3 * (right - left), left + 0.7 * (right - left))
    pieces: list[Line] = []
    for line in lines:
        gaps = [b.bbox[0] - a.bbox[2] for a, b in zip(line.words, line.words[1:], strict=False)]
        usual = sorted(gaps)[len(gaps) // 2] if gaps else 0
        in_header = line.bbox[1] < header_bottom
        start = 0
        for i, gap in enumerate(gaps, start=1):
            centre = line.words[i].bbox[0] - gap / 2
            column_gap = gap > 2.5 * text_height or (gap > text_height and gap > 3 * usual)
            header_gap = (
                in_header
                and gap >= 2 * usual
                and gap > 0.5 * text_height
                and middle[0] < centre < middle[1]
            )
            if column_gap or header_gap:
                pieces.append(_line_of(line.words[start:i], line.block))
                start = i
        pieces.append(_line_of(line.words[start:], line.block))
    return pieces


SECOND_READ_CONF = 50.0  # a second read's word below this adds nothing to the line


def merge_overlapping_reads(lines: list[Line]) -> list[Line]:
    """Fold a piece lying over a longer line of its row into that line.

    Tesseract sometimes reads a line twice, the second time as fragments over it
    ("Hoá, ngày 13 tháng 3 năm 2023" and over it "ý"; "Số 945 /HỦU" and over it
    "ố 945-BC"). Printed lines never overlap, so the second read is no line of its own,
    but it may hold what the first missed: the year's last digit past its end ("năm 201" +
    "4"), the full form of a word cut short ("ngày 15 thá" + "tháng 5 năm 2025"), the year
    where the first read "202". Its words are merged in (`_merge_words`), the rest dropped.
    """
    merged = list(lines)
    for piece in sorted(lines, key=lambda ln: len(ln.text)):
        hosts = [
            other
            for other in merged
            if other is not piece
            and len(other.text) > len(piece.text)
            and _same_row(piece, other)
            and (
                -_gap(piece, other) >= 0.5 * median_height([piece, other])
                or _touches_end(other, piece)
            )
        ]
        if piece in merged and hosts:
            host = max(hosts, key=lambda ln: -_gap(piece, ln))
            at = merged.index(host)
            merged[at] = _line_of(_merge_words(host.words, piece.words), host.block)
            merged.remove(piece)
    return merged


GLUE_GAP = 0.25  # text heights: a piece closer than this to a line's end continues its word


def _touches_end(line: Line, piece: Line) -> bool:
    """The piece starts right where the line ends, closer than a word space: a second read
    of the line's last word ("năm 201" read, its "4" only the second time). Columns are
    never this close, so such a piece is no line of its own."""
    gap = piece.bbox[0] - line.bbox[2]
    return 0 <= gap < GLUE_GAP * median_height([line, piece])


def _merge_words(words: list[Word], again: list[Word]) -> list[Word]:
    """`words` with those of a second read of the same stretch: a confident word past
    either end is added (glued to the last word when it starts closer than a word space),
    one touching a shorter word it begins with, or lying over one shorter word, replaces
    it ("thá" by "tháng", "202" by "2024"); the others (a fragment between two words,
    "tháng ý 3") are left out."""
    result = sorted(words, key=lambda w: w.bbox[0])
    start, end = result[0].bbox[0], max(w.bbox[2] for w in result)
    for word in again:
        if word.confidence < SECOND_READ_CONF:
            continue
        under = [w for w in result if _overlap(w, word) > 0.5 * min(_width(w), _width(word))]
        cut = [w for w in result if _overlap(w, word) > 0 and _begins(word.text, w.text)]
        if len(cut) == 1:
            result[result.index(cut[0])] = word
        elif not under and word.bbox[2] <= start:
            result.insert(0, word)
        elif not under and word.bbox[0] >= end:
            last = max(result, key=lambda w: w.bbox[2])
            height = last.bbox[3] - last.bbox[1]
            if word.bbox[0] - last.bbox[2] < GLUE_GAP * height:
                result[result.index(last)] = _glued(last, word)
            else:
                result.append(word)
        elif len(under) == 1 and len(under[0].text) < len(word.text):
            result[result.index(under[0])] = word
        end = max(w.bbox[2] for w in result)
    return sorted(result, key=lambda w: w.bbox[0])


def _begins(longer: str, shorter: str) -> bool:
    return len(shorter) < len(longer) and longer.startswith(shorter)


def _glued(first: Word, rest: Word) -> Word:
    box = [min(first.bbox[0], rest.bbox[0]), min(first.bbox[1], rest.bbox[1]),
           max(first.bbox[2], rest.bbox[2]), max(first.bbox[3], rest.bbox[3])]  # fmt: skip
    return Word(first.text + rest.text, box, min(first.confidence, rest.confidence))


def _overlap(a: Word, b: Word) -> int:
    return min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])


def _width(word: Word) -> int:
    return max(1, word.bbox[2] - word.bbox[0])


def _line_of(words: list[Word], block: int) -> Line:
    return Line(
        text=" ".join(w.text for w in words),
        bbox=[
            min(w.bbox[0] for w in words),
            min(w.bbox[1] for w in words),
            max(w.bbox[2] for w in words),
            max(w.bbox[3] for w in words),
        ],
        confidence=round(sum(w.confidence for w in words) / len(words), 1),
        block=block,
        words=words,
    )


WIDE_LINE = 0.8  # of the text width: a line this wide is body text, read across
CENTRED_LINE = 0.06  # of the text width: a line whose middle is this near the centre is centred


def reading_order(lines: list[Line]) -> list[Line]:
    """Order lines top-down, reading two-column stretches column by column.

    A stretch is a run of lines (by height on the page) none of which crosses the page
    centre, holding lines on both sides: the header (issuing body | national heading, place
    and date) and the closing ("Nơi nhận" | signature). Its left column is read first, then
    its right one, the order a reader (and the archive register) expects. Rows split into
    three or more pieces are table rows and are read across.
    """
    if not lines:
        return lines
    left_edge = min(line.bbox[0] for line in lines)
    right_edge = max(line.bbox[2] for line in lines)
    centre = (left_edge + right_edge) / 2
    margin = 0.1 * (right_edge - left_edge)  # a column may reach a little past the centre
    by_top = _rows_left_to_right(sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0])))
    text_height = median_height(lines)
    cell_gap = 4.0 * text_height  # see _cells
    row_sizes: dict[int, int] = {}
    neighbours: dict[int, list[Line]] = {}
    for line in by_top:
        row = [other for other in by_top if _same_row(line, other) and _has_text(other)]
        row_sizes[id(line)] = _cells(row, cell_gap)
        neighbours[id(line)] = [
            other for other in row if other is not line and _gap(line, other) <= cell_gap
        ]

    span = right_edge - left_edge

    def fits(line: Line) -> str:
        width = line.bbox[2] - line.bbox[0]
        middle = (line.bbox[0] + line.bbox[2]) / 2
        if width >= WIDE_LINE * span or abs(middle - centre) < CENTRED_LINE * span:
            return "full"  # a body line, or a centred title ("QUYẾT ĐỊNH", "Kính gửi: ...")
        fits_left = line.bbox[2] < centre + margin
        fits_right = line.bbox[0] > centre - margin
        if fits_left != fits_right:
            return "left" if fits_left else "right"
        # a column line that crosses the centre: the state heading "CỘNG HÒA XÃ HỘI CHỦ
        # NGHĨA VIỆT NAM" is 60% of the text width, its left end within a few pixels of
        # the centre (a 0.3 degree turn of deskew moved it across)
        return "left" if middle < centre else "right"

    def side(line: Line) -> str:
        middle = (line.bbox[0] + line.bbox[2]) / 2
        if not any(ch.isalnum() or ch == "*" for ch in line.text):
            return "left" if middle < centre else "right"  # a rule or speck never splits
        if row_sizes[id(line)] >= 3:
            return "full"
        where = fits(line)
        if where == "full" and line.bbox[2] - line.bbox[0] < 0.2 * (right_edge - left_edge):
            # a short piece near the centre that Tesseract cut off a column's line
            # ("Hoằng" | "Hoá, ngày 13 tháng 3 năm 2023") goes with that line
            beside = {fits(other) for other in neighbours[id(line)]} - {"full"}
            if len(beside) == 1:
                return beside.pop()
        return where

    ordered: list[Line] = []
    stretch: list[Line] = []

    def flush() -> None:
        sides = {side(line) for line in stretch}
        if sides == {"left", "right"}:
            ordered.extend(line for line in stretch if side(line) == "left")
            ordered.extend(line for line in stretch if side(line) == "right")
        else:
            ordered.extend(stretch)
        stretch.clear()

    for line in by_top:
        where = side(line)
        if where == "full":
            flush()
            ordered.append(line)
            continue
        same_side = [other for other in stretch if side(other) == where]
        if stretch and _starts_below(line, stretch, same_side, text_height):
            flush()
        stretch.append(line)
    flush()
    return ordered


def _rows_left_to_right(by_top: list[Line]) -> list[Line]:
    """Lines in top-down order with the pieces of one printed row read left to right.

    Tesseract cuts a row into pieces at a seal, a signature or a wide space, and their tops
    differ by a few pixels: sorted by top alone, "ngày tháng 04 năm 2022" came before
    "Đồng Nai," (ex-11), "của Sở Y tế" after "tỉnh" (ex-14), "Thanh" before "Văn" in the
    signer's name (ex-13). Pieces that share a row (`_same_row`) side by side go together,
    at the row's highest top, left to right; lines that overlap across (two body lines
    that a stamp's box joined, qn-15) keep their order. Which column each piece belongs to
    is decided after this.
    """
    rows: list[list[Line]] = []
    for line in by_top:
        row = next((r for r in rows if any(_same_row(line, other) for other in r)
                    and all(_gap(line, other) >= 0 for other in r)), None)
        if row is None:
            rows.append([line])
        else:
            row.append(line)
    return [line for row in rows for line in sorted(row, key=lambda line: line.bbox[0])]


ROW_PIECE_GAP = 2.0  # text heights: pieces of a row this close are one printed line
ROW_PIECE_CONFIDENCE = 50.0  # a piece read weaker than this (a seal's edge: "Ta") stays apart
REREAD_BELOW = 70.0  # a joined line with a word this weak is read again whole
REREAD_TOLERANCE = 5.0  # mean confidence the whole reading may lose and still be kept
LINE_MARGIN = 0.25  # of the line's height, paper kept around a line read again


def join_row_pieces(
    lines: list[Line], read_line: Callable[[list[int]], list[Word]] | None = None
) -> list[Line]:
    """Pieces of one printed line that follow each other in reading order made one line.

    Tesseract cuts a line at a seal, a signature or a wide space ("Đồng Nai," | "ngày
    tháng 04 năm 2022", ex-11; "/TTr-UBND ngày" | "tháng" | "năm 2025 của Ủy ban", qn-29):
    a transcriber writes one line, and the fields read a place and date, a subject line or
    a name from one line. Pieces join when they share a row, the second starts right of
    the first within `ROW_PIECE_GAP` text heights (columns and table cells stand farther
    apart) and neither is a ruled table's row (cells joined by tabs) or read so weakly
    that it is more likely a seal's or a stamp's edge than words. It runs before the
    handwriting is taken out, so that a handwritten day cut off as its own piece ("Hải
    Dương, ngày Ì" | "tháng 01 năm 2011", ex-06) is judged in its slot.

    Where the pieces hold a weak word, Tesseract's cut may have split a word or read the
    same letters twice ("của Sở Y Y" | "têtỉnh tế", ex-14): `read_line` reads the whole
    line's box again as one line (`_surer_reading`).
    """
    if not lines:
        return lines
    reach = ROW_PIECE_GAP * median_height(lines)
    joined: list[Line] = []
    pieces: list[int] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if (previous is not None and _same_row(previous, line)
                and 0 <= line.bbox[0] - previous.bbox[2] <= reach
                and "\t" not in previous.text and "\t" not in line.text
                and min(previous.confidence, line.confidence) >= ROW_PIECE_CONFIDENCE):
            joined[-1] = _line_of(previous.words + line.words, previous.block)
            pieces[-1] += 1
            continue
        joined.append(line)
        pieces.append(1)
    if read_line is None:
        return joined
    return [_surer_reading(line, read_line) if count > 1 else line
            for line, count in zip(joined, pieces, strict=True)]


def _surer_reading(line: Line, read_line: Callable[[list[int]], list[Word]]) -> Line:
    """The joined line read again whole when a word of it is weak, and kept unless it is
    clearly less sure: pieces read twice can be sure of their doubled words ("của Sở Y Y"
    | "têtỉnh tế": mean 87.8; read whole, "của Sở Y tế tỉnh Điện Biên.": 83.8)."""
    if min(w.confidence for w in line.words) >= REREAD_BELOW:
        return line
    words = read_line(line.bbox)
    if not words:
        return line
    whole = _line_of(words, line.block)  # its confidence: the mean of its words'
    if whole.confidence < line.confidence - REREAD_TOLERANCE:
        return line
    log.debug("line read again whole: %r -> %r", line.text, whole.text)
    return whole


def _read_line(image: np.ndarray, box: list[int], lang: str) -> list[Word]:
    """The words of one line's box of the page (and a little paper around it), read as
    one text line, in page pixels."""
    margin = round(LINE_MARGIN * (box[3] - box[1]))
    x0, y0 = max(0, box[0] - margin), max(0, box[1] - margin)
    x1, y1 = min(image.shape[1], box[2] + margin), min(image.shape[0], box[3] + margin)
    read = tables.read_alone(tables.Crop(image[y0:y1, x0:x1], x0, y0), lang)
    return [_word(w) for w in read if w.text.strip()]


# "Giới tính: Nam." — a form field: a short label, a colon, a value.
FORM_FIELD = re.compile(r"^[^\W\d][^:]{1,40}:\s*\w")


def join_form_rows(lines: list[Line]) -> list[Line]:
    """Put a form field that the column splitter cut off back on its printed line.

    A decision's form rows ("Người đại diện hộ kinh doanh: Võ Tấn Hùng.   Giới tính:
    Nam.", qn-16) have a tab-wide gap that `split_columns` takes for a column gap; read as
    two columns, the right fields came after the whole left column. Both pieces of a row
    being fields ("label: value") is what tells a form from the header's or the closing's
    columns ("Nơi nhận:" has no value, "PHÓ CHỦ TỊCH" no label).
    """
    joined: list[Line] = []
    for line in lines:
        host = next((k for k, left in enumerate(joined)
                     if left.block == line.block and _same_row(left, line)
                     and left.bbox[2] < line.bbox[0]
                     and FORM_FIELD.match(left.text) and FORM_FIELD.match(line.text)), None)
        if host is None:
            joined.append(line)
        else:
            joined[host] = _line_of(joined[host].words + line.words, joined[host].block)
    return joined


def _starts_below(
    line: Line, stretch: list[Line], same_side: list[Line], text_height: float
) -> bool:
    """Whether `line` begins a new stretch: it lies below every line read so far and is
    no continuation of its own column (a gap of over three text heights above it, or it
    opens with a footnote marker). A short footnote under the closing ("1 Số liệu tính đến
    ...") is so, and is read after the signature, not between "Nơi nhận" and it; a long
    list beside the signature is not. (Two or 2.5 text heights split other closings:
    measured on the 110 dev pages, 0.83% -> 1.56% and 0.96% raw CER.)"""
    top = line.bbox[1]
    if top <= max(other.bbox[3] for other in stretch):
        return False
    above = max((other.bbox[3] for other in same_side), default=None)
    return above is None or top - above > 3.0 * text_height or _footnote_marked(line)


FOOTNOTE_MARKERS = frozenset("!'’")  # how Tesseract reads a superscript 1


def _footnote_marked(line: Line) -> bool:
    """A line opening with a footnote marker: a number of one or two digits, or the "!"
    and "'" that a superscript 1 is read as."""
    first = line.words[0].text if line.words else ""
    return (first.isdigit() and len(first) <= 2) or first in FOOTNOTE_MARKERS


MARKED_WORD = re.compile(r"^(.*\w)[!'’]([.,;:]*)$")  # "nước!." : a superscript 1 read as "!"


# The openers of a decision's preamble items (Nghị định 30/2020/NĐ-CP, Phụ lục I: each
# "Căn cứ ..." on its own line, ending with a semicolon).
BASIS_OPENERS = ("Căn cứ", "Xét", "Theo đề nghị")
BASIS_LINES = 4  # an item runs over at most this many lines


def legal_basis_semicolons(lines: list[Line]) -> list[Line]:
    """End each "Căn cứ ..." item that another item follows with its semicolon.

    Tesseract reads the small semicolon at the end of a line as a comma ("ngày 25/6/2015,"
    on qn-02, qn-05, qn-07), while the drafting rules end every legal-basis item but the
    last with ";". Only a final comma is changed, only inside the preamble's run of items.
    """
    out = list(lines)
    for k in range(len(out) - 1):
        last = out[k].words[-1] if out[k].words else None
        if last is None or not last.text.endswith(",") or not out[k + 1].text.startswith(
            BASIS_OPENERS
        ):
            continue
        item = out[max(0, k - BASIS_LINES + 1) : k + 1]
        if any(line.text.startswith("Căn cứ") for line in item):
            out[k] = _with_word(out[k], len(out[k].words) - 1, last.text[:-1] + ";")
    return out


def footnote_markers(lines: list[Line]) -> list[Line]:
    """Write back the footnote markers Tesseract reads as "!" or "'".

    A superscript 1 glued to a word ("nước¹.") comes back as "nước!." or "nước'.", and the
    footnote under the closing as "! Có biểu tổng hợp ...". Only when the page has as many
    such footnote lines as such marked words are the k-th of each written k: a report's
    "!" is otherwise left as read.
    """
    prose = [i for i, line in enumerate(lines) if "\t" not in line.text]  # no table rows
    notes = [
        i for i in prose if len(lines[i].words) > 1 and lines[i].words[0].text in FOOTNOTE_MARKERS
    ]
    marked = [
        (i, j)
        for i in prose
        if i not in notes
        for j, word in enumerate(lines[i].words)
        if MARKED_WORD.match(word.text)
    ]
    if not notes or len(notes) != len(marked) or min(notes) < max(i for i, _ in marked):
        return lines
    result = list(lines)
    for number, (i, j) in enumerate(marked, start=1):
        word = result[i].words[j]
        found = MARKED_WORD.match(word.text)
        assert found is not None
        result[i] = _with_word(result[i], j, f"{found.group(1)}{number}{found.group(2)}")
    for number, i in enumerate(notes, start=1):
        result[i] = _with_word(result[i], 0, str(number))
    return result


def _with_word(line: Line, index: int, text: str) -> Line:
    words = list(line.words)
    words[index] = Word(text=text, bbox=words[index].bbox, confidence=words[index].confidence)
    return Line(
        text=" ".join(w.text for w in words),
        bbox=line.bbox,
        confidence=line.confidence,
        block=line.block,
        words=words,
    )


BLANK_MAX_WORDS = 3  # a page with fewer sure words than this is blank (a seal, show-through)
# ...when its ink covers at most this share of it: blank real pages (seal remnants, specks)
# measured up to 0.15%, pages of text from 0.6% (a short closing) to 11%; a page with more
# ink and no words could not be read (ex-38 once cleaned wrong: 26% ink, read as blank).
BLANK_MAX_INK = 0.01
SURE_WORD_CONF = 75.0


def is_blank(lines: Sequence[Line]) -> bool:
    """Whether a page holds no text: what OCR made of it is a few specks read as marks.

    Real blank pages (the back of page 1, a seal alone on page 2) came back as 20-60 junk
    "lines" ("„", "tắt", "#4") with no run of sure words; the shortest real page of the
    development set (a closing: "Nơi nhận", two items, a title and a name) has 12.
    """
    sure = [
        w for line in lines for w in line.words
        if w.confidence >= SURE_WORD_CONF and sum(ch.isalnum() for ch in w.text) >= 2
    ]
    return len(sure) < BLANK_MAX_WORDS


def ink_share(image: np.ndarray) -> float:
    """The share of a cleaned page's pixels that are ink (dark)."""
    return float(np.count_nonzero(image < 128)) / image.size if image.size else 0.0


def median_height(boxes: Sequence[Line | Word]) -> int:
    """The median box height of a page's lines (or words): its text height, in pixels."""
    heights = sorted(box.bbox[3] - box.bbox[1] for box in boxes)
    return heights[len(heights) // 2]


def _has_text(line: Line) -> bool:
    return any(ch.isalnum() for ch in line.text)


def _cells(row: list[Line], gap: float) -> int:
    """How many separate cells a row holds: pieces closer than `gap`, or overlapping, are
    one cell. A signature title split at a wide space ("PHÓ BÍ" "THƯ"), a heading split
    where faded letters were lost ("ĐẢN" "NG SẢN VIỆT NAM") or a line Tesseract read twice
    is then no table row. Four text heights: measured on 110 train pages, two and three
    left a faded and a bleed header read across."""
    cells = 0
    right = float("-inf")
    for piece in sorted(row, key=lambda line: line.bbox[0]):
        if piece.bbox[0] - right > gap:
            cells += 1
        right = max(right, piece.bbox[2])
    return cells


def _gap(a: Line, b: Line) -> float:
    """Horizontal space between two boxes (negative when they overlap)."""
    return max(a.bbox[0], b.bbox[0]) - min(a.bbox[2], b.bbox[2])


def _same_row(a: Line, b: Line) -> bool:
    """Lines that overlap vertically by more than half the taller one (a tall signature
    scribble beside several short lines is in none of their rows)."""
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap > 0.5 * max(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])


def page_text(lines: list[Line]) -> str:
    """Lines joined by newlines, with a blank line where Tesseract starts a new block."""
    parts: list[str] = []
    previous_block: int | None = None
    for line in lines:
        if previous_block is not None and line.block != previous_block:
            parts.append("")
        parts.append(line.text)
        previous_block = line.block
    return "\n".join(parts)


def mean_confidence(words: list[tesseract.TsvWord]) -> float | None:
    scores = [w.confidence for w in words if w.confidence >= 0]
    return round(sum(scores) / len(scores), 2) if scores else None
