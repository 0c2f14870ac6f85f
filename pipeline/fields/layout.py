"""Line segments: the document's lines, with two-column lines cut into their columns.

Tesseract often reads the two header columns (issuing body | national heading, number |
place and date) and the closing columns (Nơi nhận | signature) as one line. Where pages
carry word boxes, a line is cut at a wide gap between words; otherwise it is cut by
content: before a national heading, a motto, an authority (T/M ...), a place-and-date,
or a title at the end of a recipients item.
"""

from __future__ import annotations

import itertools
import logging
import statistics
from collections.abc import Sequence

from rapidfuzz import fuzz

from pipeline.fields.match import Match
from pipeline.fields.rules import regexes
from pipeline.fields.settings import SETTINGS
from pipeline.fields.text import Seg, compact, is_upper_line, make_seg, split_lines
from pipeline.record import Line, Page

log = logging.getLogger(__name__)

_LAYOUT = SETTINGS.layout
_CUT_BEFORE = {"HEADING_PARTY", "HEADING_STATE", "MOTTO", "AUTHORITY"}
_PLACE_JOINERS = {"phố", "thị", "xã", "trấn", "Tp.", "TP.", "TP", "Tp"}
_PLACE_DASHES = {"-", "–"}  # inside a place's name ("Bà Rịa - Vũng Tàu"), never its start


def segments(
    text: str, folded: str, keywords: Sequence[Match], pages: Sequence[Page] | None = None
) -> list[Seg]:
    """The segments of `text`, in reading order (left column before right on each line)."""
    lines = split_lines(text)
    cuts: dict[int, set[int]] = {}
    right: set[int] = set()
    if pages:
        for index, offset in _layout_cuts(text, lines, pages):
            cuts.setdefault(index, set()).add(offset)
        right = _right_column_lines(text, lines, pages[0])
    for index, offset in _content_cuts(text, folded, lines, keywords):
        if index not in cuts or not cuts[index]:
            cuts.setdefault(index, set()).add(offset)
    segs: list[Seg] = []
    for index, (start, end) in enumerate(lines):
        bounds = [start, *sorted(c for c in cuts.get(index, ()) if start < c < end), end]
        for col, (a, b) in enumerate(itertools.pairwise(bounds)):
            seg = make_seg(text, folded, a, b, index, 1 if index in right else min(col, 1))
            if seg is not None:
                segs.append(seg)
    return segs


def _line_of(lines: Sequence[tuple[int, int]], pos: int) -> int:
    lo, hi = 0, len(lines) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if lines[mid][0] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _content_cuts(
    text: str, folded: str, lines: Sequence[tuple[int, int]], keywords: Sequence[Match]
) -> list[tuple[int, int]]:
    """(line, offset) cuts found from what a line says."""
    cuts: list[tuple[int, int]] = []
    for m in keywords:
        index = _line_of(lines, m.start)
        start, end = lines[index]
        before = text[start : m.start].strip(" *-–\t")
        if not before:
            continue
        if m.label in _CUT_BEFORE:
            gap = text[m.start - 2 : m.start] in ("  ", "\t") or text[m.start - 1] == "\t"
            if m.label == "AUTHORITY" and not (before.endswith(":") or gap):
                continue  # "Nơi nhận: T/M ĐẢNG ỦY" is cut; "T/M" inside a sentence is not
            cuts.append((index, m.start))
        elif m.label == "TITLE" and text[start:end].lstrip().startswith(("-", "–", "+")):
            tail = text[m.end : end].strip(" *")
            head = text[start : m.start].rstrip()
            if not tail and head.endswith((",", ";", ".")) and text[m.start : m.end].isupper():
                cuts.append((index, m.start))
    number = regexes()["number_in_line"]
    for index, (start, end) in enumerate(lines[:_LAYOUT.header_lines]):
        hit = number.search(folded, start, end)
        if hit is not None and is_upper_line(text[start : hit.start()]):
            cuts.append((index, hit.end()))  # "SỞ NỘI VỤ Số: 12/KH-SNV"
    date = regexes()["date_words"]
    for index, (start, end) in enumerate(lines[:_LAYOUT.header_lines]):
        hit = date.search(folded, start, end) if start < end else None
        if hit is None:
            continue
        place = place_start(text, start, hit.start())
        if place is not None and text[start:place].strip(" *\t"):
            cuts.append((index, place))
    return cuts


def place_start(text: str, line_start: int, date_start: int) -> int | None:
    """Where the place name before ", ngày ..." begins: after the last all-capitals word."""
    prefix = text[line_start:date_start].rstrip(" ,\t")
    words = prefix.split(" ")
    pos = line_start + len(prefix)
    first = None
    for word in reversed(words):
        bare = word.strip(",.")
        letters = [c for c in bare if c.isalpha()]
        pos -= len(word)
        if not word:
            pos -= 1
            continue
        titled = bool(letters) and letters[0].isupper() and not all(c.isupper() for c in letters)
        if titled or word in _PLACE_JOINERS or (len(letters) == 1 and letters[0].isupper()):
            first = pos
            pos -= 1
            continue
        if word in _PLACE_DASHES and first is not None:
            pos -= 1
            continue
        break
    return first


def _layout_cuts(
    text: str, lines: Sequence[tuple[int, int]], pages: Sequence[Page]
) -> list[tuple[int, int]]:
    """(line, offset) cuts at wide gaps between the words of OCR lines.

    A text line is matched to its OCR line by word count and fuzzy similarity, in order,
    so the cut survives text repair changing the letters but not the words.
    """
    cuts: list[tuple[int, int]] = []
    cursor = 0
    for page in pages:
        if not page.lines or not page.text:
            continue
        begin = text.find(page.text, cursor)
        if begin < 0:
            log.debug("page %d text not found in the document text", page.number)
            continue
        cursor = begin + len(page.text)
        first = _line_of(lines, begin)
        last = _line_of(lines, cursor)
        candidates = list(range(first, last + 1))
        width = page.width or max((ln.bbox[2] for ln in page.lines), default=0)
        at = 0
        for ocr in page.lines:
            split = _gap_splits(ocr, width)
            if not split:
                continue
            found = _find_line(text, lines, candidates[at:], ocr)
            if found is None:
                continue
            at = candidates.index(found) + 1
            start, end = lines[found]
            spans = _word_spans(text, start, end)
            cuts.extend((found, spans[k][0]) for k in split if k < len(spans))
    return cuts


def _right_column_lines(
    text: str, lines: Sequence[tuple[int, int]], page: Page
) -> set[int]:
    """Header lines of the first page that OCR read wholly inside the right column.

    On skewed or photographed pages the two header columns can come out line by line
    interleaved ("ĐẢNG CỘNG SẢN" / "ĐẢNG BỘ XÃ ..." / "VIỆT NAM"); where a line sits on
    the page tells which column it belongs to.
    """
    width = page.width or max((ln.bbox[2] for ln in page.lines), default=0)
    if not page.lines or not page.text or width <= 0:
        return set()
    begin = text.find(page.text)
    if begin < 0:
        return set()
    first = _line_of(lines, begin)
    candidates = list(range(first, min(len(lines), first + _LAYOUT.header_lines)))
    out: set[int] = set()
    top = sorted(page.lines, key=lambda ln: ln.bbox[1])[: _LAYOUT.header_lines]
    for ocr in sorted(top, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        if ocr.bbox[0] <= width * _LAYOUT.right_column or _gap_splits(ocr, width):
            continue
        found = _find_line(text, lines, candidates, ocr)
        if found is not None and is_upper_line(text[slice(*lines[found])]):
            out.add(found)
    return out


def _gap_splits(ocr: Line, width: int) -> list[int]:
    """Indices of the words that start a new column in an OCR line."""
    words = ocr.words
    if len(words) < 2 or width <= 0:
        return []
    gaps = [b.bbox[0] - a.bbox[2] for a, b in itertools.pairwise(words)]
    typical = statistics.median(gaps)
    limit = max(width * _LAYOUT.column_gap, 4 * max(typical, 1))
    return [i + 1 for i, g in enumerate(gaps) if g > limit]


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for word in text[start:end].split():
        at = text.find(word, pos, end)
        spans.append((at, at + len(word)))
        pos = at + len(word)
    return spans


def _find_line(
    text: str, lines: Sequence[tuple[int, int]], candidates: Sequence[int], ocr: Line
) -> int | None:
    """The text line that reads like the OCR line, searched forward from the cursor."""
    want = len(ocr.words)
    target = compact(ocr.text)
    best, best_score = None, 0.0
    for index in candidates[:60]:
        start, end = lines[index]
        piece = text[start:end]
        if abs(len(piece.split()) - want) > 0:
            continue
        score = fuzz.ratio(compact(piece), target)
        if score > best_score:
            best, best_score = index, score
        if score >= 95:
            break
    return best if best_score >= 60 else None
