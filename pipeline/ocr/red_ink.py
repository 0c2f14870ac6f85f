"""Printed red lines: a name stamp under the signature.

The page Tesseract reads is the red channel, where red seal ink turns white so that the
seal does not cover the text (`cleanup.red_channel`). Some offices also stamp the signer's
title and name in red ("PHÓ GIÁM ĐỐC" / "Hà Văn Phúc", Sở Y tế Kiên Giang, ex-96, ex-102,
ex-108), and those went with the seal. So the red ink taken out (`CleanedPage.red`) is
searched for lines of letter-sized pieces outside the seals' rings, each such line is read
on its own (psm 7), and the words of a sure reading of letters are added to the page: a
seal's ring and its curved lettering are no lines of letter-sized pieces, and what is read
there below RED_SURE stays out.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence

import cv2
import numpy as np

from pipeline.ocr.missed_ink import Box, box_area, box_of, shared_area, text_height
from pipeline.programs import tesseract

log = logging.getLogger(__name__)

RED_SURE = 80.0  # each word of a red line's reading must be read at this or more
RED_WORDS = 2  # a sure red line has this many words at least: one word alone was a seal's
# inner lettering whose ring broke apart ("ĐẠI", "HỌC", "TRƯỞNG" on three dev pages)
SEAL_SIZE = 3.0  # text heights: a red piece this tall and wide is a seal (its ring)
LETTER_SIZE = (0.3, 1.6)  # text heights: a letter's height, from a dot-less letter to Ộ
LINE_GAP = 1.5  # text heights between two letters of one line
MIN_LETTERS = 4  # pieces a line needs (a speck or two near a seal is not a line)
BAND_MARGIN = 0.4  # text heights above and below a line's pieces in the band read
BAND_REACH = 1.5  # text heights left and right: a first letter joined to a seal's ring


def with_red_lines(
    red: np.ndarray, words: Sequence[tesseract.TsvWord], lang: str
) -> list[tesseract.TsvWord]:
    """The page's words with those of the red lines read surely added, each line in a
    block of its own after the page's."""
    height = text_height(words)
    if height is None:
        return list(words)
    lines = _red_lines(red < 128, height)
    if not lines:
        return list(words)
    taken = [box_of([w]) for w in words]
    block = max((w.block for w in words), default=0)
    added: list[tesseract.TsvWord] = []
    for x0, y0, x1, y1 in lines:
        if any(_overlaps((x0, y0, x1, y1), box) for box in taken):
            continue  # the page's read has it already (red ink over black text)
        margin, reach = round(BAND_MARGIN * height), round(BAND_REACH * height)
        top, left = max(0, y0 - margin), max(0, x0 - reach)
        band = np.ascontiguousarray(red[top : y1 + margin, left : x1 + reach])
        read = _sure_core(tesseract.recognize(band, lang=lang, psm=7))
        if not read:
            continue
        block += 1
        added += [
            tesseract.TsvWord(
                text=w.text, confidence=w.confidence, left=w.left + left, top=w.top + top,
                width=w.width, height=w.height, block=block, paragraph=1, line=1,
            )
            for w in read
        ]
    if added:
        log.debug("red lines read: %s", " / ".join(w.text for w in added))
    return [*words, *added]


def _sure_core(read: list[tesseract.TsvWord]) -> list[tesseract.TsvWord]:
    """The line's reading without the junk at its ends (a piece of a seal's ring beside
    the name: "ZZ Hà Văn Phúc"), when every word left, RED_WORDS at least, is a sure word
    of letters; else nothing."""
    def sure(word: tesseract.TsvWord) -> bool:  # letters, not a modifier mark ("ˆ")
        letters = word.text.strip(".,;:")
        return word.confidence >= RED_SURE and bool(letters) and all(
            unicodedata.category(ch) in ("Lu", "Ll") for ch in letters)

    while read and not sure(read[0]):
        read = read[1:]
    while read and not sure(read[-1]):
        read = read[:-1]
    return read if len(read) >= RED_WORDS and all(sure(w) for w in read) else []


def _red_lines(ink: np.ndarray, height: int) -> list[Box]:
    """Boxes of the rows of letter-sized red pieces outside the seals."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    seals: list[Box] = []
    letters: list[Box] = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if w >= SEAL_SIZE * height and h >= SEAL_SIZE * height:
            seals.append((x, y, x + w, y + h))
        elif LETTER_SIZE[0] * height <= h <= LETTER_SIZE[1] * height and w <= 2 * h + height:
            letters.append((x, y, x + w, y + h))
    letters = [b for b in letters if not any(_inside(b, seal) for seal in seals)]
    rows: list[list[Box]] = []
    for box in sorted(letters):
        row = next((r for r in rows if _same_row(r[-1], box, height)), None)
        if row is None:
            rows.append([box])
        else:
            row.append(box)
    return [
        (min(b[0] for b in r), min(b[1] for b in r), max(b[2] for b in r), max(b[3] for b in r))
        for r in rows if len(r) >= MIN_LETTERS
    ]


def _same_row(last: Box, box: Box, height: int) -> bool:
    """The piece goes on the row whose last piece ends just left of it at its height."""
    overlap = min(last[3], box[3]) - max(last[1], box[1])
    return overlap >= 0.5 * min(last[3] - last[1], box[3] - box[1]) and (
        box[0] - last[2] <= LINE_GAP * height
    )


def _inside(box: Box, outer: Box) -> bool:
    """The box's centre lies in `outer`."""
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def _overlaps(a: Box, b: Box) -> bool:
    """`b` covers 30% of `a` or more."""
    shared = shared_area(a, b)
    return shared > 0 and shared >= 0.3 * box_area(a)
