"""OCR: Tesseract `vie` words grouped into lines in reading order, with confidences."""

from __future__ import annotations

import logging
import tempfile
import unicodedata
from itertools import groupby
from pathlib import Path

from pipeline import tesseract
from pipeline.record import Line, Word

log = logging.getLogger(__name__)


def recognize_page(png: bytes, lang: str = "vie") -> tuple[str, list[Line], float | None]:
    """Recognise one cleaned page given as PNG bytes: (text, lines, mean confidence 0..100)."""
    with tempfile.NamedTemporaryFile(prefix="sohoa-page-", suffix=".png") as handle:
        handle.write(png)
        handle.flush()
        words = tesseract.recognize(Path(handle.name), lang=lang)
    lines = group_lines(words)
    return page_text(lines), lines, mean_confidence(words)


def group_lines(words: list[tesseract.TsvWord]) -> list[Line]:
    """Lines in Tesseract's reading order (block, paragraph, line), each with its words."""
    lines: list[Line] = []
    key = lambda w: (w.block, w.paragraph, w.line)  # noqa: E731
    for (block, _par, _line), group in groupby(words, key=key):
        members = list(group)
        line_words = [
            Word(
                text=unicodedata.normalize("NFC", w.text),
                bbox=[w.left, w.top, w.left + w.width, w.top + w.height],
                confidence=round(w.confidence, 1),
            )
            for w in members
        ]
        lines.append(
            Line(
                text=" ".join(w.text for w in line_words),
                bbox=[
                    min(w.bbox[0] for w in line_words),
                    min(w.bbox[1] for w in line_words),
                    max(w.bbox[2] for w in line_words),
                    max(w.bbox[3] for w in line_words),
                ],
                confidence=round(sum(w.confidence for w in line_words) / len(line_words), 1),
                block=block,
                words=line_words,
            )
        )
    return lines


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
