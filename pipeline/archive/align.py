"""The restored words of a page on the OCR word boxes.

A page's `text` is the restored text, its `lines[].words` the OCR words with boxes in
cleaned-image pixels. Restoration keeps the word count of a line almost always; the tokens
are still aligned over the whole page (difflib on accent-free lower-case keys) so that a
merged, split, added or dropped word moves no other word off its box. A run of restored
words that does not match one-to-one is spread over the box of the OCR words it replaces,
one OCR line at a time, in proportion to the characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from pipeline.record import Line, Page, Word
from pipeline.text.vietnamese import fold

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PlacedWord:
    text: str  # restored
    box: Box  # cleaned-image pixels, x0 y0 x1 y1
    line_box: Box  # the OCR line it sits on (its height sets the text size)
    confidence: float  # OCR confidence 0..100 of the word(s) under it
    ocr_text: str  # what OCR read there
    text_line: int  # index of its line in page.text
    exact: bool  # one restored word on one OCR word
    ocr_line: int = 0  # index of its OCR line in page.lines


@dataclass(frozen=True)
class _OcrWord:
    word: Word
    line: int
    line_box: Box


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(tok, n) for n, line in enumerate(text.split("\n")) for tok in line.split()]


def place_words(page: Page) -> list[PlacedWord]:
    """Every restored token of the page with a box, in the order of page.text; tokens of a
    page without OCR words get none (empty list)."""
    ocr = [
        _OcrWord(w, n, _box(line.bbox))
        for n, line in enumerate(page.lines)
        for w in line.words
        if w.text.strip()
    ]
    tokens = _tokens(page.text)
    if not ocr or not tokens:
        return []
    matcher = SequenceMatcher(None, [fold(t) for t, _ in tokens], [fold(o.word.text) for o in ocr],
                              autojunk=False)
    placed: list[PlacedWord] = []
    for i1, i2, j1, j2 in _groups(matcher.get_opcodes(), len(ocr)):
        placed.extend(_place_group(tokens[i1:i2], ocr[j1:j2]))
    return placed


def _groups(
    opcodes: Sequence[tuple[str, int, int, int, int]], n_ocr: int
) -> list[tuple[int, int, int, int]]:
    """Opcodes as (i1, i2, j1, j2) groups with both restored and OCR words: equal runs split
    one-to-one, OCR words no restored word matches are left unused, restored words with no
    OCR word join the group before them (the first group when they lead the page)."""
    out: list[list[int]] = []
    lead: int | None = None
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            pieces = [[i, i + 1, j, j + 1] for i, j in zip(range(i1, i2), range(j1, j2),
                                                           strict=True)]
        else:
            pieces = [[i1, i2, j1, j2]]
        for piece in pieces:
            if piece[0] == piece[1]:
                continue  # OCR words left over
            if piece[2] == piece[3]:  # restored words without an OCR word
                if out:
                    out[-1][1] = piece[1]
                elif lead is None:
                    lead = piece[0]
                continue
            if lead is not None:
                piece[0], lead = lead, None
            out.append(piece)
    return [(g[0], g[1], g[2], g[3]) for g in out]


def _place_group(tokens: list[tuple[str, int]], words: list[_OcrWord]) -> list[PlacedWord]:
    if len(tokens) == len(words):
        return [
            PlacedWord(t, _box(o.word.bbox), o.line_box, o.word.confidence, o.word.text, n,
                       exact=True, ocr_line=o.line)
            for (t, n), o in zip(tokens, words, strict=True)
        ]
    # split the OCR words into runs on one OCR line; share the tokens out by characters
    runs: list[list[_OcrWord]] = []
    for o in words:
        if runs and runs[-1][-1].line == o.line:
            runs[-1].append(o)
        else:
            runs.append([o])
    weights = [sum(len(o.word.text) + 1 for o in run) for run in runs]
    total = float(sum(weights))
    placed: list[PlacedWord] = []
    start, seen = 0, 0.0
    for k, run in enumerate(runs):
        seen += weights[k]
        end = len(tokens) if k == len(runs) - 1 else round(len(tokens) * seen / total)
        share = tokens[start:end]
        start = max(start, end)
        if share:
            placed.extend(_spread(share, run))
    return placed


def _spread(tokens: list[tuple[str, int]], run: list[_OcrWord]) -> list[PlacedWord]:
    """Tokens laid side by side over the union box of a run of OCR words on one line."""
    x0 = min(o.word.bbox[0] for o in run)
    y0 = min(o.word.bbox[1] for o in run)
    x1 = max(o.word.bbox[2] for o in run)
    y1 = max(o.word.bbox[3] for o in run)
    confidence = min(o.word.confidence for o in run)
    ocr_text = " ".join(o.word.text for o in run)
    chars = sum(len(t) for t, _ in tokens) + len(tokens) - 1
    unit = (x1 - x0) / max(chars, 1)
    placed: list[PlacedWord] = []
    x = float(x0)
    for t, n in tokens:
        right = x + unit * len(t)
        placed.append(PlacedWord(t, (x, y0, right, y1), run[0].line_box, confidence, ocr_text, n,
                                 exact=False, ocr_line=run[0].line))
        x = right + unit
    return placed


def _box(bbox: list[int] | Box) -> Box:
    x0, y0, x1, y1 = bbox
    return float(x0), float(y0), float(x1), float(y1)


LAYER_SCALE = 10  # text-layer boxes are in points; a tenth of a point as the "pixel"


def text_layer_page(page: Page, width: float, height: float,
                    lines: list[list[tuple[str, tuple[float, float, float, float]]]]) -> Page:
    """A page whose text came from the PDF's own text layer, with that layer's words (boxes
    in points from the top-left corner of the displayed page) as its OCR words, so that its
    restored text can be placed word by word like an OCR'd page's."""
    built: list[Line] = []
    for n, words in enumerate(lines):
        boxes = [[round(v * LAYER_SCALE) for v in box] for _, box in words]
        line_box = [min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes)]
        built.append(Line(" ".join(t for t, _ in words), line_box, 100.0, block=n,
                          words=[Word(t, b, 100.0) for (t, _), b in zip(words, boxes,
                                                                        strict=True)]))
    return Page(page.number, page.text, page.raw_text, page.confidence, page.method,
                width=round(width * LAYER_SCALE), height=round(height * LAYER_SCALE),
                lines=built)
