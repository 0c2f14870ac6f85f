"""Fields re-read with the restoration model where OCR's marks are the least reliable.

The text stage restores each page in `auto` mode, which keeps a line whose syllables are
all valid. Two kinds of text in a scan are read with valid but wrong marks that only the
field extractor can pick out:

* the subject (trích yếu), set bold or italic: `Tố công tác` for `Tổ công tác`, `phái
  triển` for `phát triển`. Restored again in `ocr` mode (the OCR channel weighed against
  the language model), it loses them; on 600 train subjects this fixed 6 and broke none.
* footnotes, in small type, restored the same way: `Khong tình các chì bọ đa giải thể`
  (seed 13089), `của Bạn Tổ chức ... so với bao cao lan trước,` (seed 15289). On the
  ~300 notes of four train sets (9000, 11000, 13000, 15000) it broke none.
* captions of appendix tables, set in bold capitals, where OCR confuses the small marks
  above capitals (`BÓI DƯƠNG ... ĐĂNG` for `BỒI DƯỠNG ... ĐẢNG`, `THÔNG KỂ` for `THỐNG KÊ`).
  Their marks are dropped and restored from the letters alone (`stripped` mode): there the
  language model knows more than OCR does.

Only scanned pages get this: typed text and text layers carry the marks as written.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Protocol

from pipeline.fields.rules import central_terms, year_names
from pipeline.text.vietnamese import fold, strip_marks, strip_tone

if TYPE_CHECKING:
    from pipeline.record import Record
    from pipeline.restore import Restorer


class FieldRepair(Protocol):
    """What the extractor asks of a repairer (a test may give a simpler one)."""

    def ocr_line(self, text: str) -> str:
        """`text` (one field, read by OCR) with OCR errors repaired."""
        ...

    def bold_line(self, text: str) -> str:
        """`text` (a line set in bold, read by OCR) with its tone marks repaired too."""
        ...

    def capitals(self, text: str) -> str:
        """`text` (a capitals line read by OCR) with its marks restored from its letters."""
        ...


class ModelRepair:
    """FieldRepair with the restoration model (`Restorer.load()`, cached per process)."""

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer

    @classmethod
    def load(cls) -> ModelRepair:
        from pipeline.restore import Restorer

        return cls(Restorer.load())

    def ocr_line(self, text: str) -> str:
        """OCR's line with the model's repairs, except a word the model changed without
        being sure of it: `Ất Ty` (Tỵ, its dot lost) became `Ất Ủy` at 0.36 (qn-07), a
        wrong subject nothing flagged; a valid OCR word is the safer reading. Year names
        (`Ất Ty`) are set as the calendar writes them."""
        result = self._restorer.restore(with_year_names(text), mode="ocr")
        ours, theirs = text.split(" "), result.text.split(" ")
        if not result.low_confidence_spans or len(ours) != len(theirs):
            return result.text
        unsure = [(start, end) for start, end, *_ in result.low_confidence_spans]
        kept, offset = [], 0
        for before, after in zip(ours, theirs, strict=True):
            end = offset + len(after)
            doubtful = any(start < end and offset < stop for start, stop in unsure)
            kept.append(before if before != after and doubtful else after)
            offset = end + 1
        return " ".join(kept)

    def capitals(self, text: str) -> str:
        return self._restorer.restore(strip_marks(text), mode="stripped").text

    def bold_line(self, text: str) -> str:
        """The OCR repair, then each lower-case word to which the language model gives
        another tone (its letters and vowel hats kept) takes the model's tone.

        On bold real subjects Tesseract keeps the hats and loses or swaps the tone (`đôi
        với`, `chuyền hóa`, `đề thực hiện`, `thị trân`), valid syllables that `ocr` mode
        keeps. Capitalised words (names, places) and hat changes (`đạt`/`đất`) keep OCR's
        reading: there the model guesses as often as it knows (corpus/real dev subjects).
        """
        repaired = self.ocr_line(text)
        guessed = self._restorer.restore(strip_marks(repaired), mode="stripped").text
        ours, theirs = repaired.split(" "), guessed.split(" ")
        if len(ours) != len(theirs):
            return repaired
        return " ".join(_tone_choice(a, b) for a, b in zip(ours, theirs, strict=True))


_WORD = re.compile(r"\w+")


def with_year_names(text: str) -> str:
    """`text` with each can chi year name written as the calendar writes it: OCR drops the
    dot of `Tỵ` and the restoration model, seeing a capitalised `Ty`, keeps it or guesses."""
    words = list(_WORD.finditer(text))
    pieces, done = [], 0
    for first, second in itertools.pairwise(words):
        if first.start() < done or not text[first.end():second.start()].isspace():
            continue
        if not (first.group()[0].isupper() and second.group()[0].isupper()):
            continue  # year names are capitalised; "giáp thân" may be a border and a body
        name = year_names().get(fold(f"{first.group()} {second.group()}"))
        if name is None:
            continue
        stem, branch = name.split(" ")
        if first.group().isupper() and len(first.group()) > 1:
            stem, branch = stem.upper(), branch.upper()
        gap = text[first.end():second.start()]
        pieces += [text[done:first.start()], stem, gap, branch]
        done = second.end()
    return "".join(pieces) + text[done:]


# "... ngày 25 tháng 10 năm 2017 của Ban Chấp hành Trung ương (khóa XII)", folded; the date
# and the body are one citation when no full stop or other date comes between them
_CENTRAL_CITATION = re.compile(
    r"(?:thang\s+(?P<month>\d{1,2})\s+nam\s+|\d{1,2}/(?P<month2>\d{1,2})/|nam\s+)"
    r"(?P<year>(?:19|20)\d\d)"
    r"[^.;\d]{0,40}?\b(?:ban chap hanh trung uong|bo chinh tri|ban bi thu)\s*,?\s*\(?\s*"
    r"khoa\s+(?P<term>[ivx]{1,5})\b"
)


def with_central_terms(text: str) -> str:
    """`text` with the term of a cited Central Committee, Politburo or Secretariat paper put
    right by the date printed with it, where OCR added or lost one stroke of the numeral
    ("năm 2017 của Ban Chấp hành Trung ương (khóa XI)" for XII, ex-96). A date in a
    congress's own month may be either term's and is left as read."""
    pieces, done = [], 0
    for cited in _CENTRAL_CITATION.finditer(fold(text)):
        month = cited.group("month") or cited.group("month2")
        term = _term_of(int(cited.group("year")), int(month) if month else None)
        start, end = cited.span("term")
        read = text[start:end]
        if term is None or read == term or not _one_stroke_apart(read.upper(), term):
            continue
        pieces += [text[done:start], term]
        done = end
    return "".join(pieces) + text[done:]


def _term_of(year: int, month: int | None) -> str | None:
    """The Central Committee term in office in that month, or that year when no month is
    printed (None in a congress's month, or its year when no month is printed)."""
    current = None
    for term, elected in central_terms().items():
        if (year, month or elected[1]) == elected:
            return None
        if (year, month or 0) > elected:
            current = term
    return current


def _one_stroke_apart(read: str, term: str) -> bool:
    """Whether a read numeral is the term with one I added or lost ("XI" for "XII")."""
    longer, shorter = (read, term) if len(read) > len(term) else (term, read)
    return len(longer) == len(shorter) + 1 and any(
        longer[:k] + longer[k + 1 :] == shorter for k in range(len(longer)) if longer[k] == "I"
    )


def _tone_choice(ocr: str, model: str) -> str:
    """The model's tone where it adds or changes one (OCR loses marks far more often than
    it invents one: `khóa D20` stays, the model's `khoa` would drop a printed mark)."""
    if ocr == model or not ocr[:1].islower() or strip_tone(ocr) != strip_tone(model):
        return ocr
    return model if strip_tone(model) != model else ocr


def for_record(record: Record) -> FieldRepair | None:
    """The repairer for a record: the model's when its text was OCR'd and restored (not
    with `--restore off`, which asks for the text as recognised), else none."""
    scanned = any(p.method == "ocr" for p in record.pages)
    restored = record.quality.restoration_confidence is not None
    return ModelRepair.load() if scanned and restored else None
