"""Ink that Tesseract's page layout analysis skipped, found and read again.

Tesseract sometimes drops whole regions of a page: the signer's name under a signature
scribble, the `Lưu` line beside it, a header line next to a seal or stamp, a line of a
blurred phone photo. Its words never come back, so no later stage can repair them.
Here every ink piece of the cleaned page that no recognised word (or ruled table) covers is
collected; pieces the size of letters are joined into lines, and those lines are cut out
(their own ink only) and read in one Tesseract call, stacked like table cells.

A word Tesseract read at low confidence (`WEAK_WORD`) does not hide its ink: a wrapped year
read as "SƯ ng" at confidence 18 is read again here and the new reading replaces it (see
`_replaces`).

Measured on 110 train pages (dev sets bleed, phone and s3, PDF input), same cleanup with
and without this step, raw OCR CER 0.873% -> 0.738%: signer names and `Lưu` lines under a
scribble, faded header lines; details in docs/ingest.md "Skipped ink".

A word whose ink touches a pen stroke or a seal's ring is no piece of its own: it is part
of a scribble-sized piece that this step leaves out. `with_lost_words` reads such a line's
band again where ink beside or inside the line was left uncovered (the signer's family
name under the signature, real dev scans ex-11 and ex-56).
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.ocr.tables import Crop, read_stack
from pipeline.programs import tesseract
from pipeline.programs.opencv import label_ink
from pipeline.text.vietnamese import strip_marks

log = logging.getLogger(__name__)

SCALE = 2  # the ink is labelled on a half-size copy
WORD_REACH = 0.25  # text heights around a word's box that count as covered by it
MAX_HEIGHT = 2.0  # text heights: taller pieces are scribbles, seals or vertical rules
RULE_HEIGHT = 0.3  # text heights: flatter pieces wider than RULE_WIDTH are rules
RULE_WIDTH = 3.0
JOIN_GAP = 1.2  # text heights between pieces of one line
MIN_LINE_WIDTH = 1.5  # text heights
MAX_LINE_HEIGHT = 1.6  # text heights: a taller "line" is pieces of a scribble; read in the
# stack it also made Tesseract lose the signer's name stacked under it
LETTER_HEIGHT = 0.5  # text heights: a line needs at least one piece this tall
MARK_HEIGHT = 0.4  # text heights: a lower piece is a tone or vowel mark, a dot or a comma


def text_height(words: Sequence[tesseract.TsvWord]) -> int | None:
    """Median box height of the words holding a letter (None without any)."""
    heights = sorted(w.height for w in words if any(ch.isalpha() for ch in w.text))
    return heights[len(heights) // 2] if heights else None


Box = tuple[int, int, int, int]


TALL_WORD = 1.6  # text heights: a word boxed taller took in ink of the line below or above


def _word_boxes(words: Sequence[tesseract.TsvWord], height: int) -> list[Box]:
    """Word boxes, a box much taller than the text cut to the band of its line's other
    words: Tesseract read "ngày 25 ... năm" over a wrapped "2012" as "ngày 5" with boxes
    two lines tall, which covered the year."""
    bands: dict[tuple[int, int, int], list[tesseract.TsvWord]] = {}
    for w in words:
        bands.setdefault((w.block, w.paragraph, w.line), []).append(w)
    boxes = []
    for w in words:
        top, bottom = w.top, w.top + w.height
        if w.height > TALL_WORD * height:
            mates = [
                m for m in bands[(w.block, w.paragraph, w.line)] if m.height <= TALL_WORD * height
            ]
            if mates:
                top = max(top, int(np.median([m.top for m in mates])))
                bottom = min(bottom, int(np.median([m.top + m.height for m in mates])))
        boxes.append((w.left, top, w.left + w.width, bottom))
    return boxes


def missed_crops(
    page: np.ndarray, words: Sequence[tesseract.TsvWord], covered_boxes: Sequence[Box]
) -> list[Crop]:
    """Lines of ink on the binary `page` that neither a word nor one of `covered_boxes`
    (x0, y0, x1, y1, page pixels) covers, each cut out with only its own ink."""
    height = text_height(words)
    if height is None:
        return []
    return _crops(page, height, [*_word_boxes(words, height), *covered_boxes])


def _crops(page: np.ndarray, height: int, covered_boxes: Sequence[Box]) -> list[Crop]:
    unit = height / SCALE  # a text height on the half-size copy
    ink = (page[::SCALE, ::SCALE] < 128).astype(np.uint8)
    covered = np.zeros_like(ink)
    reach = max(1, round(WORD_REACH * unit))
    for x0, y0, x1, y1 in covered_boxes:
        covered[
            max(0, y0 // SCALE - reach) : y1 // SCALE + reach + 1,
            max(0, x0 // SCALE - reach) : x1 // SCALE + reach + 1,
        ] = 1
    count, labels, stats = label_ink(ink)
    area = stats[:, cv2.CC_STAT_AREA]
    tall = stats[:, cv2.CC_STAT_HEIGHT]
    wide = stats[:, cv2.CC_STAT_WIDTH]
    covered_area = np.bincount(labels[covered > 0], minlength=count)
    rule = (tall < RULE_HEIGHT * unit) & (wide > RULE_WIDTH * unit)
    loose = (covered_area < 0.5 * area) & (tall <= MAX_HEIGHT * unit) & ~rule
    loose[0] = False
    if not loose.any():
        return []
    mask = loose[labels].astype(np.uint8)
    join = np.ones((max(1, round(0.4 * unit)), max(3, round(JOIN_GAP * unit))), np.uint8)
    n_lines, line_of_pixel, line_stats = label_ink(cv2.dilate(mask, join))
    line_of = np.zeros(count, np.int32)
    line_of[labels[mask > 0]] = line_of_pixel[mask > 0]
    crops = []
    for line in range(1, n_lines):
        x, y, w, h = (int(v) for v in line_stats[line][:4])  # NumPy ints break JSON
        members = np.nonzero(loose & (line_of == line))[0]
        ink_height = _ink_height(stats, members)
        if ink_height > MAX_LINE_HEIGHT * unit:
            members = _on_one_row(stats, members, unit)
            ink_height = h = _ink_height(stats, members)
            y = int(stats[members, cv2.CC_STAT_TOP].min())
        if (
            w < MIN_LINE_WIDTH * unit
            or ink_height > MAX_LINE_HEIGHT * unit
            or not (tall[members] >= LETTER_HEIGHT * unit).any()
        ):
            continue
        chosen = np.zeros(count, bool)
        chosen[members] = True
        own = chosen[labels[y : y + h, x : x + w]]
        own = np.repeat(np.repeat(own, SCALE, axis=0), SCALE, axis=1)
        region = page[y * SCALE : (y + h) * SCALE, x * SCALE : (x + w) * SCALE]
        own = own[: region.shape[0], : region.shape[1]]
        image = np.where(own & (region < 128), 0, 255).astype(np.uint8)
        crops.append(Crop(image, x * SCALE, y * SCALE))
    return crops


def _ink_height(stats: np.ndarray, members: np.ndarray) -> int:
    tops = stats[members, cv2.CC_STAT_TOP]
    return int((tops + stats[members, cv2.CC_STAT_HEIGHT]).max() - tops.min())


def _on_one_row(stats: np.ndarray, members: np.ndarray, unit: float) -> np.ndarray:
    """The members of a line too tall to read that make one row: those crossing the
    median of the members' centres, and marks (pieces under MARK_HEIGHT: accents, dots).
    A letter's tail of the line above, left uncovered beside its word's box, joins a year
    wrapped under "ngày" that is read on its own."""
    tops = stats[members, cv2.CC_STAT_TOP]
    heights = stats[members, cv2.CC_STAT_HEIGHT]
    middle = float(np.median(tops + heights / 2))
    crossing = (tops <= middle) & (tops + heights >= middle)
    kept = members[crossing | (heights < MARK_HEIGHT * unit)]
    return kept if crossing.any() else members


def with_missed(
    page: np.ndarray,
    words: Sequence[tesseract.TsvWord],
    covered_boxes: Sequence[Box],
    lang: str,
    scale: float,
) -> list[tesseract.TsvWord]:
    """The page's words with those of its uncovered ink lines added.

    A recovered piece on the row of a recognised word close beside it joins that word's
    line ("CHỦ" read, "NHIỆM" skipped: "CHỦ NHIỆM"), unless it only repeats the end of the
    word on its left (an underlined "Nơi" is read in full but boxed as "N", so its "ơi"
    looks skipped): then that word's box is widened over it, or the gap it left would
    split "Nơi" from "nhận:" as two columns. Other pieces become lines of their own, in
    blocks after the page's. Pieces read at low confidence are smudges and are left out.
    """
    height = text_height(words)
    if height is None:
        return list(words)
    boxes = _word_boxes(words, height)
    weak = [_weak(w, height) for w in words]
    strong = [b for b, low in zip(boxes, weak, strict=True) if not low]
    crops = _crops(page, height, [*strong, *covered_boxes])
    if not crops:
        return list(words)
    keys = {(w.block, w.paragraph, w.line): rank for rank, w in reversed(list(enumerate(words)))}
    ranked = [(keys[(w.block, w.paragraph, w.line)], w) for w in words]  # ranked[i]: words[i]
    new_block = max(w.block for w in words) + 1
    replaced: set[int] = set()
    strong_or_none = [_NO_BOX if low else b for b, low in zip(boxes, weak, strict=True)]
    for found in read_stack(crops, lang, scale):
        if not found or statistics.fmean(w.confidence for w in found) < MIN_CONFIDENCE:
            continue
        piece = box_of(found)
        under = {i for i, b in enumerate(boxes) if weak[i] and _meets(piece, b)}
        if under and not _replaces(piece, found, [words[i] for i in sorted(under)],
                                   [boxes[i] for i in sorted(under)]):
            continue  # the weak words stay: the page read that ink, in its context
        replaced |= under
        at = _host(strong_or_none, piece, height)  # a weak word hosts no piece
        if at is None:
            ranked.extend((len(words) + new_block, replace(w, block=new_block)) for w in found)
            new_block += 1
            continue
        host = words[at]
        if _repeats_end(host, found):  # the word's box grows over its own ink
            grown = ranked[at][1]  # as widened by an earlier piece, if one was
            x1 = max(grown.left + grown.width, *(w.left + w.width for w in found))
            ranked[at] = (ranked[at][0], replace(grown, width=x1 - grown.left))
        else:
            rank = keys[(host.block, host.paragraph, host.line)]
            ranked.extend(
                (rank, replace(w, block=host.block, paragraph=host.paragraph, line=host.line))
                for w in found
            )
    ranked = [item for i, item in enumerate(ranked) if i not in replaced]
    ranked.sort(key=lambda item: (item[0], item[1].left))
    log.debug("read %d skipped ink lines, %d weak words read again", len(crops), len(replaced))
    return [w for _, w in ranked]


MIN_CONFIDENCE = 45.0  # mean of a recovered line: smudges read as "Ơp" at 34, text at 51-97
MIN_REPLACING = 3  # letters and digits of a piece that replaces weak words
SAME_READING = 0.5  # normalised edit distance up to which two readings are one
WEAK_WORD = 30.0  # a word read at lower confidence does not cover its ink: it is read again
# with the skipped ink, and a piece read there (at MIN_CONFIDENCE) takes its place
HOST_GAP = 1.5  # text heights between a recovered piece and a word of its row


_NO_BOX = (0, 0, 0, 0)


def _weak(word: tesseract.TsvWord, height: int) -> bool:
    """A word of letter size read at low confidence: its ink is read again. Smaller weak
    "words" are marks Tesseract boxed apart from their letter (the hook of an `Ả`), which
    read alone come back as other marks."""
    return (
        word.confidence < WEAK_WORD
        and any(ch.isalnum() for ch in word.text)  # not a speck read as a quote or dash
        and word.height >= LETTER_HEIGHT * height
        and word.width >= LETTER_HEIGHT * height
    )


def _covers(piece: Box, word: Box) -> bool:
    """The piece's box holds most of the word's box (the piece read that word's ink)."""
    shared = shared_area(piece, word)
    return shared > 0 and shared >= 0.5 * box_area(word)


def shared_area(a: Box, b: Box) -> int:
    """Area of the two boxes' overlap (0 when they do not overlap)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0


def box_area(box: Box) -> int:
    """Area of a (left, top, right, bottom) box."""
    return (box[2] - box[0]) * (box[3] - box[1])


def box_of(words: Sequence[tesseract.TsvWord]) -> Box:
    """The box around the words, (left, top, right, bottom)."""
    return (
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.left + w.width for w in words),
        max(w.top + w.height for w in words),
    )


def _host(boxes: Sequence[Box], box: Box, height: int) -> int | None:
    """Index of the recognised word nearest beside `box` on its row, if within HOST_GAP.
    Rows are told by the words' boxes cut to their lines' bands (`_word_boxes`): a year
    wrapped under a word boxed two lines tall is no part of that word's line."""
    x0, y0, x1, y1 = box
    best: tuple[float, int] | None = None
    for i, (left, top, right, bottom) in enumerate(boxes):
        overlap = min(y1, bottom) - max(y0, top)
        if overlap < 0.5 * min(y1 - y0, bottom - top):
            continue
        gap = max(left - x1, x0 - right)
        if gap <= HOST_GAP * height and (best is None or gap < best[0]):
            best = (gap, i)
    return best[1] if best else None


def _meets(a: Box, b: Box) -> bool:
    """The boxes share a third of the smaller one's area (not a sliver of an edge)."""
    shared = shared_area(a, b)
    return shared > 0 and 3 * shared >= min(box_area(a), box_area(b))


def _replaces(
    piece: Box, found: Sequence[tesseract.TsvWord], weak: Sequence[tesseract.TsvWord],
    weak_boxes: Sequence[Box],
) -> bool:
    """A piece read over weak words replaces them when it is a reading of their ink (it
    holds most of each one's box), a word rather than a stray letter (three letters or
    digits: a crop of a lone glyph's leftover ink reads as anything, `l` as `9`), and not
    the same reading again (`_alike`)."""
    text = " ".join(w.text for w in found)
    return (
        all(_covers(piece, b) for b in weak_boxes)
        and len(_bare(text)) >= MIN_REPLACING
        and not _alike(" ".join(w.text for w in weak), text)
    )


def _alike(weak: str, again: str) -> bool:
    """The ink was read alike both times (letters without marks at most half different:
    `VIỆT`/`VIÊT`, `890-TTr/ĐUK`/`§90-TTr/ĐĐUK`, `thẻo`/`thủdo`): the weak word was text
    read unsurely, not a misreading (`SƯ ng` for `2015`), and the crop, cut from its
    context (a mark under the line's rule, the word's neighbours), reads no better."""
    return Levenshtein.normalized_distance(_bare(weak), _bare(again)) <= SAME_READING


def _bare(text: str) -> str:
    """Letters and digits without marks, lower case (`VIỆT` and `VIÊT` alike)."""
    return "".join(c for c in strip_marks(text).lower() if c.isalnum())


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _repeats_end(host: tesseract.TsvWord, found: Sequence[tesseract.TsvWord]) -> bool:
    piece = _letters("".join(w.text for w in found))
    return bool(piece) and found[0].left > host.left and _letters(host.text).endswith(piece)


LOST_REACH = 8.0  # text heights left of a line searched for ink its read lost
LOST_GAP = 1.0  # text heights of blank columns that end that ink
LOST_INK = 0.3  # text heights squared: less uncovered ink is a speck or a stroke's end
LOST_CONF = 70.0  # each word read there: a scribble's slice reads lower
LOST_WORDS = 3  # at most this many words are added to a line
LOST_TOUCH = 1.5  # text heights above or below a line within which touching ink is looked for
LOST_GAP_WIDTH = 4.0  # text heights: a wider gap inside a "line" joins two columns


def with_lost_words(
    page: np.ndarray, words: Sequence[tesseract.TsvWord], covered_boxes: Sequence[Box], lang: str
) -> list[tesseract.TsvWord]:
    """The page's words with the words a line lost to a touching stroke added.

    A word touched by a signature's stroke or a seal's ring becomes part of one tall ink
    piece that both the page's read and the skipped-ink step leave out as a scribble: the
    signer's family name under the pen ("Hữu Trí" for "Huỳnh Hữu Trí", "TS. Anh Đức" for
    "TS. Lê Anh Đức"). Cut to the band of its line, that ink reads as the word. So where a
    line has ink no sure word covers just left of its first word, touching ink that reaches
    well above or below the line, or in a gap between its words up to LOST_GAP_WIDTH wide,
    the band of the line is read again on its own as one line (psm 7), and the words read
    on that ink are added when the band reads the line's own words alike and each new one
    is a sure word of letters (a slice of a scribble reads as junk or at low confidence; a
    handwritten number has digits). ~0.015 CPU s a page (24 dev pages).
    """
    height = text_height(words)
    if height is None:
        return list(words)
    boxes = _word_boxes(words, height)
    sure = [_sure(w) for w in words]  # a weak word hides no ink
    ink = page[::SCALE, ::SCALE] < 128  # on a half-size copy, as skipped ink is found
    covered = np.zeros(ink.shape, bool)
    reach = max(1, round(WORD_REACH * height))
    strong = [b for b, ok in zip(boxes, sure, strict=True) if ok]
    for x0, y0, x1, y1 in [*strong, *covered_boxes]:
        covered[
            max(0, (y0 - reach) // SCALE) : (y1 + reach) // SCALE + 1,
            max(0, (x0 - reach) // SCALE) : (x1 + reach) // SCALE + 1,
        ] = True
    uncovered = ink & ~covered
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(words):
        if sure[i]:
            lines.setdefault(_line_key(w), []).append(i)
    crops, read_lines = [], []
    for members in lines.values():
        members.sort(key=lambda i: boxes[i][0])
        if not any(ch.isalpha() for w in members for ch in words[w].text):
            continue
        top = min(boxes[i][1] for i in members)
        bottom = max(boxes[i][3] for i in members)
        start = _lost_ink(uncovered, members, boxes, top, bottom, height)
        if start is None:
            continue
        y0 = max(0, top - round(0.5 * height))
        y1 = min(page.shape[0], bottom + round(0.25 * height))
        x = max(0, start - round(0.3 * height))
        right = boxes[members[-1]][2] + round(0.3 * height)
        crops.append(Crop(np.ascontiguousarray(page[y0:y1, x:right]), x, y0))
        read_lines.append((members, top, bottom))
    if not crops:
        return list(words)
    gained: dict[tuple[int, int, int], list[tesseract.TsvWord]] = {}
    for (members, top, bottom), crop in zip(read_lines, crops, strict=True):
        found = [  # each band on its own, as one line: a stack's layout would vary its reading
            replace(w, left=w.left + crop.x, top=w.top + crop.y)
            for w in tesseract.recognize(crop.image, lang=lang, psm=7)
        ]
        lost = _lost_words([words[i] for i in members], [boxes[i] for i in members], found,
                           [*strong, *covered_boxes])
        if lost:
            host = words[members[0]]
            gained[_line_key(host)] = [  # in the band of the line it was read in: a rule
                replace(  # or ring read with it must not stretch it into the next line
                    w, block=host.block, paragraph=host.paragraph, line=host.line,
                    top=max(w.top, top),
                    height=max(1, min(w.top + w.height, bottom) - max(w.top, top)),
                )
                for w in lost
            ]
    log.debug("read %d lines again for lost words, gained %s", len(crops),
              [w.text for v in gained.values() for w in v])
    if not gained:
        return list(words)
    out: list[tesseract.TsvWord] = []
    done: set[tuple[int, int, int]] = set()
    for w in words:
        key = _line_key(w)
        if key not in gained:
            out.append(w)
        elif key not in done:  # the line's words in their order, the gained ones among them
            done.add(key)
            new = gained[key]
            line = [  # a weak word stays unless a gained word was read on its ink
                m for m in words if _line_key(m) == key
                and (_sure(m) or not any(_meets(box_of([m]), box_of([n])) for n in new))
            ]
            out.extend(sorted([*line, *new], key=lambda m: m.left))
    return out


def _sure(word: tesseract.TsvWord) -> bool:
    """A word read surely enough to hide its ink: not weak, and holding a letter or digit
    (a family name and the pen stroke touching it read "_%" at 32 in one tall box, ex-110:
    "Châu" under it was never looked for)."""
    return word.confidence >= WEAK_WORD and any(ch.isalnum() for ch in word.text)


def _line_key(word: tesseract.TsvWord) -> tuple[int, int, int]:
    return word.block, word.paragraph, word.line


def _lost_ink(
    uncovered: np.ndarray, members: list[int], boxes: Sequence[Box],
    top: int, bottom: int, height: int,
) -> int | None:
    """Where a line's band is read again from (page pixels): the leftmost column of the
    uncovered ink that runs up to its first word, when that ink touches ink reaching well
    above or below the line (a pen stroke or a seal's ring: ink left of a line that touches
    nothing is a margin note, a stamp or the skipped-ink step's to find); else its first
    word's left edge when a gap between its words holds a word's worth of uncovered ink;
    None otherwise. `uncovered` is half-size."""
    unit = height / SCALE
    top, bottom = top // SCALE, bottom // SCALE + 1
    first = boxes[members[0]][0] // SCALE
    low = max(0, first - round(LOST_REACH * unit))
    columns = uncovered[top:bottom, low:first].sum(axis=0)
    start, last = None, first
    for x in range(first - 1, low - 1, -1):
        if columns[x - low]:
            start = last = x
        elif last - x > LOST_GAP * unit:
            break
    if start is not None and _touched(uncovered, start, first, top, bottom, unit):
        return start * SCALE
    for a, b in itertools.pairwise(members):
        left, right = boxes[a][2] // SCALE, boxes[b][0] // SCALE
        if right - left <= LOST_GAP_WIDTH * unit and _word_of_ink(
            uncovered, left, right, top, bottom, unit
        ):
            return first * SCALE  # ink between two words of a line: a word lost there
    return None


def _touched(
    uncovered: np.ndarray, left: int, right: int, top: int, bottom: int, unit: float
) -> bool:
    """The columns left..right of the band top..bottom (half-size) hold a word's worth of
    uncovered ink, and uncovered ink goes on above or below the band beyond a mark's
    reach (LOST_TOUCH text heights)."""
    if not _word_of_ink(uncovered, left, right, top, bottom, unit):
        return False
    above = uncovered[max(0, top - round(LOST_TOUCH * unit)) : max(0, top - round(0.6 * unit)),
                      left:right]
    below = uncovered[bottom + round(0.6 * unit) : bottom + round(LOST_TOUCH * unit),
                      left:right]
    return bool(above.any() or below.any())


def _word_of_ink(
    uncovered: np.ndarray, left: int, right: int, top: int, bottom: int, unit: float
) -> bool:
    """The columns left..right of the band top..bottom (half-size) hold at least LOST_INK
    text heights squared of uncovered ink: a word's worth, not a speck."""
    return right > left and uncovered[top:bottom, left:right].sum() >= LOST_INK * unit**2


_RULE_READ = re.compile(r"[-_—–=~.]+")  # what OCR makes of a slice of a ruled line


def _lost_words(
    line: Sequence[tesseract.TsvWord], line_boxes: Sequence[Box],
    found: Sequence[tesseract.TsvWord], taken: Sequence[Box],
) -> list[tesseract.TsvWord]:
    """The words the band read on uncovered ink, when it read each of the line's own
    words alike where they are and each new word is a sure word of letters that no sure
    word or recovered piece was read on (`taken`: their own boxes, met as a line's words
    are; not the margin around them that counts as covered when uncovered ink is looked
    for, which on a tightly set subject reaches into the next line). A piece read as
    dashes is the rule that hid them, not a word: a stamp's top edge drawn under "thực
    hiện dự" (qn-15) read "—_" before them."""
    new: list[tesseract.TsvWord] = []
    again: list[tuple[tesseract.TsvWord, tesseract.TsvWord]] = []
    for w in found:
        if _RULE_READ.fullmatch(w.text):
            continue
        box = box_of([w])
        mate = next((k for k, b in enumerate(line_boxes) if _meets(box, b)), None)
        if mate is None:
            new.append(w)
        else:
            again.append((line[mate], w))
    if not new or len(new) > LOST_WORDS or len(again) < len(line):
        return []
    if not all(_alike(old.text, w.text) for old, w in again):
        return []
    for w in new:
        box = box_of([w])
        if (
            w.confidence < LOST_CONF
            or not w.text.rstrip(".").isalpha()
            or any(_meets(box, b) for b in taken)
        ):
            return []
    return list(new)
