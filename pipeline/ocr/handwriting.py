"""Handwriting in the number and date of real documents, kept out of the text.

State bodies print "Số: /QĐ-UBND" and "Quảng Ngãi, ngày tháng 01 năm 2025" and write the
number and the day in ink after signing. OCR reads that ink as junk ("Số: ở§ /QĐ-UBND",
"ngày⁄{Ệ") or as wrong digits ("4" for 24). Measured on the 20 dev pages of corpus/real/:
handwritten digits stand 1.19-1.8 times as tall as the line's printed digits (the year, the
symbol), printed ones 0.95-1.05 times (a bold printed day on a generated photocopy 1.14);
of the handwritten days OCR read, about a third were right. So the slot's ink is left out
of the text and the field is left to a person (the record's `review` names it), never
filled with a likely wrong value.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from pipeline.record import Line, Word
from pipeline.text.vietnamese import strip_marks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandwritingSettings:
    taller: float = 1.17  # a slot word this much taller than the printed reference is ink
    glued_confidence: float = 85.0  # "Số:" with something glued, under this: ink glued
    slot_confidence: float = 70.0  # junk glued to a printed symbol, under this: ink


SETTINGS = HandwritingSettings()

_DAY = re.compile(r"^ng[àa]y", re.IGNORECASE)
_MONTH = re.compile(r"th[áa]ng$|^th[áa]ng", re.IGNORECASE)
_YEAR_WORD = re.compile(r"^n[ăa]m$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}[.,]?$")
_NUMBER_LABEL = re.compile(r"^(S[ốo]\s*[:.]?)(.*)$")
_SYMBOL = re.compile(r"^(.*?)(/\S+)$")  # "/QĐ-UBND", "934/TB-ĐHĐL"
_SYMBOL_CODE = re.compile(r"/\s*(?:\d{4}/)?[A-ZĐ]")  # "/QĐ-UBND", "-BC/ĐUK", "/2019/TT-BNV"
# what OCR makes of a printed number (and of a Party number's type: "196-BC", "05 -"), and of
# a printed day or month ("I1", "T6", "0]": letters it reads for digits); anything else is ink
_PRINTED_NUMBER = re.compile(r"[\dOoIl|]{1,5}(?:\s*-\s*[A-Za-zĐđ]{0,6})?-?|-|S[ốo]\s*[:.]?")
_DATE_DIGITS = re.compile(r"[\dilIoO|!sSqutT+\]]{1,2}[.,]?")


def without_handwriting(lines: list[Line]) -> list[Line]:
    """The page's lines with the ink of the number and date slots left out; a number label
    the ink's gap cut off from its symbol on the same row joins it again."""
    numbered = [_number_line(line) for line in lines]
    inked = any(_ink_left_out(a, b) for a, b in zip(lines, numbered, strict=True))
    cleaned = [_date_line(line, day_by_hand=inked) for line in numbered]
    joined: list[Line] = []
    for line in cleaned:
        previous = joined[-1] if joined else None
        if (previous is not None and _NUMBER_LABEL.fullmatch(previous.text.strip())
                and previous.text.strip().startswith("S") and line.text.lstrip().startswith("/")
                and _same_row(previous, line)):
            joined[-1] = _rebuilt(previous, [*previous.words, *line.words], union=line)
            continue
        joined.append(line)
    return joined


def _ink_left_out(before: Line, after: Line) -> bool:
    """Whether the number line lost junk no printed number is made of: evidence that the
    number was written by hand (a clean but taller digit alone is not enough)."""
    if before.text == after.text:
        return False
    kept = {w.text.strip() for w in after.words}
    return any(w.text.strip() not in kept and not _PRINTED_NUMBER.fullmatch(w.text.strip())
               for w in before.words)


def _same_row(a: Line, b: Line) -> bool:
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap > 0.5 * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])


def _height(word: Word) -> int:
    return word.bbox[3] - word.bbox[1]


def _date_line(line: Line, day_by_hand: bool = False) -> Line:
    """"<place>, ngày DD tháng MM năm YYYY": ink in the DD and MM slots is dropped.

    `day_by_hand`: the page's number was written by hand, and so, on every such document
    of corpus/real, was the day: whatever OCR read in the day slot is left out."""
    words = line.words
    year_at = next((i for i, w in enumerate(words) if _YEAR.match(w.text)
                    and i > 0 and _YEAR_WORD.match(words[i - 1].text)), None)
    day_at = next((i for i, w in enumerate(words) if _DAY.match(w.text)), None)
    if year_at is None or day_at is None or day_at > year_at:
        return line
    reference = _height(words[year_at])
    month_at = next((i for i in range(day_at, year_at) if _MONTH.search(words[i].text)), None)
    kept: list[Word] = []
    for i, word in enumerate(words):
        if not day_at <= i < year_at - 1:
            kept.append(word)
            continue
        text = word.text
        in_day_slot = month_at is not None and day_at < i < month_at
        if i == day_at and len(text) > 4 and (day_by_hand or _ink_glued(text[4:], word)):
            text = text[:4]  # "ngày⁄{Ệ", "ngày|5": the day written against the word
        elif (_MONTH.search(text) and (glued := re.match(r"^(.*?)(th[áa]ng)$", text, re.I))
              and glued.group(1) and (day_by_hand or _ink_glued(glued.group(1), word))):
            text = glued.group(2)  # "O†tháng", "04tháng"
        elif i != day_at and not _MONTH.search(text) and (
            (in_day_slot and day_by_hand)
            or _height(word) >= SETTINGS.taller * reference
            or not _DATE_DIGITS.fullmatch(strip_marks(text))
        ):
            log.debug("date slot ink left out: %r", text)
            continue
        kept.append(word if text == word.text else _printed_part(word, text, words))
    return line if kept == words else _rebuilt(line, kept)


def _number_line(line: Line) -> Line:
    """"Số: NN/QĐ-UBND": ink in the NN slot is dropped, the printed symbol kept."""
    words = line.words
    if not words or not (label := _NUMBER_LABEL.match(words[0].text)):
        return line
    symbol_at = next((i for i, w in enumerate(words) if "/" in w.text), None)
    if symbol_at is None:
        return _number_alone(line, label)
    if symbol_at > 4 or not _SYMBOL_CODE.search(words[symbol_at].text):
        return line  # a sentence that opens with "Số" ("Số lượng 15/20 ..."), not a number
    symbol = words[symbol_at]
    parts = _SYMBOL.match(symbol.text)
    reference = _height(symbol)
    kept: list[Word] = []
    for i, word in enumerate(words):
        if i == 0 and label.group(2) and word.confidence < SETTINGS.glued_confidence:
            kept.append(_printed_part(word, label.group(1), words))
        elif 0 < i < symbol_at and (
            _height(word) >= SETTINGS.taller * reference
            or not _PRINTED_NUMBER.fullmatch(word.text.strip())
        ):
            log.debug("number slot ink left out: %r", word.text)
        elif (i == symbol_at and parts and parts.group(1) and _junk(parts.group(1))
              and word.confidence < SETTINGS.slot_confidence):
            kept.append(_printed_part(word, parts.group(2), words))  # "§†!+/UBND-KTTH"
        else:
            kept.append(word)
    return line if kept == words else _rebuilt(line, kept)


def _junk(number: str) -> bool:
    """A number's part that is no misread print: "§†!+" (ink), not "§24-BB" or "88G-CT"
    (an italic 8, a 6 read as G: digits still the most of it)."""
    head = number.split("-", 1)[0]
    digits = sum(ch.isdigit() for ch in head)
    return digits == 0 or digits < len(head) - digits


def _ink_glued(piece: str, word: Word) -> bool:
    """A piece OCR read into a printed word ("ngày|5", "O†tháng") is ink when it is no
    clean number, or when the word was read unsurely. Printed digits glued by OCR on a
    degraded generated page ("ngày06") are kept: a number read from ink there is flagged
    by the review's confidence check, not guessed away."""
    return not piece.isdigit() or word.confidence < SETTINGS.slot_confidence / 2


def _number_alone(line: Line, label: re.Match[str]) -> Line:
    """"Số: 8đ" cut off from its symbol (the ink's gap made two lines of one): the words
    after the label are ink unless they are digits read surely at the label's size."""
    words = line.words
    if len(words) > 3 or any(sum(c.isalpha() for c in w.text) > 2 for w in words[1:]):
        return line  # a sentence that opens with "Số", not a number line
    reference = _height(words[0])
    kept = [words[0] if not label.group(2) else _printed_part(words[0], label.group(1), words)]
    for word in words[1:]:
        if word.text.isdigit() and _height(word) < 1.25 * reference:
            kept.append(word)
        else:
            log.debug("number slot ink left out: %r", word.text)
    return line if kept == words else _rebuilt(line, kept)


def _printed_part(word: Word, text: str, line: list[Word]) -> Word:
    """The printed part of a word the ink was read into: OCR's confidence was the ink's,
    so the part gets the line's median confidence (what its printed words read at)."""
    scores = sorted(w.confidence for w in line)
    return Word(text=text, bbox=word.bbox, confidence=max(word.confidence,
                                                          scores[len(scores) // 2]))


def _rebuilt(line: Line, words: list[Word], union: Line | None = None) -> Line:
    box = line.bbox if union is None else [
        min(line.bbox[0], union.bbox[0]), min(line.bbox[1], union.bbox[1]),
        max(line.bbox[2], union.bbox[2]), max(line.bbox[3], union.bbox[3]),
    ]
    return Line(
        text=" ".join(w.text.strip() for w in words),
        bbox=box,
        confidence=line.confidence,
        block=line.block,
        words=words,
    )
