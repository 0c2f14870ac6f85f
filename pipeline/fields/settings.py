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
    name_words: tuple[int, int] = (2, 5)  # a Vietnamese personal name has 2-5 syllables
    # A signer's given name is flagged when the same name with another tone is seen at least
    # this often, and this many times as often (data/given_names.tsv: Hiền 105, Hiên 13).
    name_twin_min: int = 20
    name_twin_ratio: float = 5.0
    # A line of a multi-line subject further than this share of the page width from both
    # the left edge and the centre of its widest line has lost words (qn-15: 0.06-0.08;
    # whole lines of the dev subjects sit within 0.01 of one or the other).
    line_alignment_slack: float = 0.03


REVIEW = ReviewSettings()
