"""Thresholds of the field stage, in one place (measured values, with where they came from)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewSettings:
    """When a field read from OCR goes to a person (`pipeline.fields.review`)."""

    # Tesseract word confidence under which a field's line is unsure. Printed words of the
    # real development pages read at 80-96; handwritten numbers and days, seal-covered
    # words and signatures at 0-60 (scripts/bench_real.py, docs/fields.md).
    min_word_confidence: float = 60.0
    # A capitals word of the issuer read at least this surely whose marks the text's repair
    # took away is flagged (ex-74: "ĐÔ" at 96 written "DO"; of the 22 issuer and subject
    # words with marks changed on the dev pages read at 90 or more, the two with marks taken
    # away were one right, one wrong).
    sure_word_confidence: float = 90.0
    name_words: tuple[int, int] = (2, 5)  # a Vietnamese personal name has 2-5 syllables
    # A signer's given name is flagged when the same name with another tone is seen at least
    # this often, and this many times as often (data/given_names.tsv: Hiền 105, Hiên 13).
    name_twin_min: int = 20
    # A signer's name read under this confidence whose given name has a tone twin at least a
    # fifth as common is flagged (ex-150: "Hiệu" at 76 for "Hiếu"); it flags 6 of the 82
    # right signers of the 108 dev documents ("Hiền" at 64-74 beside "Hiển", "Dũng", "Tân")
    sure_name_confidence: float = 80.0
    name_twin_ratio: float = 5.0
    # A line of a multi-line subject further than this share of the page width from both
    # the left edge and the centre of its widest line has lost words (qn-15: 0.06-0.08;
    # whole lines of the dev subjects sit within 0.01 of one or the other).
    line_alignment_slack: float = 0.03
    # A symbol word read under this confidence whose issuer code no list holds is flagged.
    # The symbol shares its line with the handwritten number, and right symbols of the dev
    # pages read at 34-56 beside it (known codes: QĐ-UBND, CT-UBND); a misread code
    # (ex-10: `CPKTKT` for `CĐKTKT`) at 37.
    symbol_min_confidence: float = 45.0
    # A source text is taken as written without marks when at most this share of its
    # letters carry one (a Vietnamese text: ~40%; a marks-stripped one: 0, a few kept in
    # names or quotes), over at least this many letters.
    unmarked_max_share: float = 0.01
    unmarked_min_letters: int = 200
    # There a given name is flagged when another spelling of its letters stands in at least
    # this share as many personal names (Hưng 278 against Hùng 335; Dung 110 against Dũng
    # 359 is not): on 129 marks-stripped generated documents it named all 7 names
    # restored wrong (Hưng as Hùng, Thủy as Thúy).
    unmarked_twin_share: float = 0.5



@dataclass(frozen=True)
class HeaderSettings:
    """How far down and how loosely the header is read (`pipeline.fields.header`)."""

    type_scan_lines: int = 45  # lines searched for the document type
    # rapidfuzz ratios (0-100) at which an OCR-damaged line still counts as what it resembles
    type_min_ratio: float = 88.0  # a document-type line ("BAOCAO", "BẢO CÁO")
    heading_min_ratio: float = 85.0  # the national heading, and each of its two halves
    place_min_ratio: float = 90.0  # a place against the known places
    place_from_issuer_ratio: float = 80.0  # a damaged place against a name in the issuer lines
    known_place_confidence: float = 0.9  # canonical_place's confidence of a known place
    place_date_top: float = 0.3  # the place and date line lies in this top share of page 1
    year_lookahead_lines: int = 3  # lines after "ngày .. tháng .. năm" searched for the year
    vv_subject_lines: int = 7  # lines a V/v subject may wrap onto (ex-08: six)
    untyped_head_lines: int = 15  # a header without a type line ends by this line
    place_words: int = 6  # words of the longest place name ("Thành phố Hồ Chí Minh")
    late_date_lines: int = 30  # lines searched for the date line OCR read below the subject


@dataclass(frozen=True)
class ClosingSettings:
    """The signature block and the recipients list (`closing`, `recipients`)."""

    phrase_min_ratio: float = 90.0  # a signature phrase read with a wrong letter
    name_window_lines: int = 12  # lines searched for the signer's name after the title
    last_name_lines: int = 8  # last lines searched for a name when no title was read
    # OCR may put the signature block (authority, title, a stamp's letters) inside the
    # recipients list: this many lines of it, each in capitals or this short, are skipped
    list_break_lines: int = 8
    list_break_chars: int = 12
    item_chars: int = 60  # a recipients item's line: the list fills half the page width
    fuzzy_letters: int = 10  # known recipients this long (letters) may have a letter or two wrong
    fuzzy_min_ratio: float = 90.0  # rapidfuzz ratio on the folded letters


@dataclass(frozen=True)
class BodySettings:
    """Sections and footnotes (`pipeline.fields.body`)."""

    title_chars: int = 200  # a section title longer than this is cut at a word
    # a run of footnotes may start this many numbers after the one expected (notes OCR lost)
    footnote_gap: int = 8


@dataclass(frozen=True)
class LayoutSettings:
    """Two-column header lines that OCR or a text layer merged (`pipeline.fields.layout`)."""

    header_lines: int = 20  # lines at the top of a page looked at
    column_gap: float = 0.05  # a gap wider than this share of the page width parts columns
    right_column: float = 0.45  # a line starting right of this share of the width is right


@dataclass(frozen=True)
class OwnTextSettings:
    """The body's phrases as evidence for header words (`pipeline.fields.own_text`)."""

    # neighbours (up to two each side) the body must write beside a header word's letters
    # for its marks to count as the header's
    company: int = 1
    shortest_word: int = 2  # letters; a shorter word is too common a spelling to take
    # a subject word goes back as read when the body writes it so beside the same neighbour
    # at least this many times as often as the repair's spelling (ex-74's "đề thi": 14 to 3)
    reading_majority: int = 3
    # words before a subject's misread number that the body must write before its number
    number_company: int = 2


@dataclass(frozen=True)
class FieldSettings:
    """Every threshold of the field stage, by the part that reads it."""

    review: ReviewSettings = ReviewSettings()
    header: HeaderSettings = HeaderSettings()
    closing: ClosingSettings = ClosingSettings()
    body: BodySettings = BodySettings()
    layout: LayoutSettings = LayoutSettings()
    own_text: OwnTextSettings = OwnTextSettings()
    # canonical_code's confidence from which an OCR-damaged code is taken for the known code
    # it resembles (a symbol's type code, a reference's, a state symbol's first code)
    known_code_confidence: float = 0.7


SETTINGS = FieldSettings()
REVIEW = SETTINGS.review
OWN_TEXT = SETTINGS.own_text
