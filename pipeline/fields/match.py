"""The pure matching step: keyword spans (spaCy SpanRuler) and regex hits on folded text.

Building fields from these matches happens elsewhere (header.py, body.py, closing.py), so
the rules can be inspected and tested apart from how a record is filled.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.fields.rules import span_patterns

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass(frozen=True)
class Match:
    label: str  # DOC_TYPE, TITLE, AUTHORITY, ...
    id: str  # canonical form, e.g. "BÁO CÁO"
    start: int  # character offsets in the document text
    end: int


class FoldedTokenizer:
    """Split folded text into words and punctuation, keeping every character.

    spaCy's Vietnamese tokenizer either calls pyvi (about 55 ms for ten pages, the whole
    budget) or splits on spaces only ("Hoá," stays one token); this keeps punctuation apart
    and whitespace runs as tokens, so `doc.text` is the input and offsets carry over.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for m in _TOKEN.finditer(text):
            tok = m.group()
            if tok == " " and words and not spaces[-1] and not words[-1].isspace():
                spaces[-1] = True
            else:
                words.append(tok)
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)


@cache
def pipeline() -> Language:
    """A blank Vietnamese pipeline with the keyword SpanRuler (built once per process)."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.tokenizer = FoldedTokenizer(nlp.vocab)
    ruler = nlp.add_pipe(
        "span_ruler", config={"spans_key": "fields", "phrase_matcher_attr": "LOWER"}
    )
    ruler.add_patterns(list(span_patterns()))  # type: ignore[attr-defined]
    log.debug("span ruler built with %d patterns", len(span_patterns()))
    return nlp


def keyword_matches(folded: str, spans: Sequence[tuple[int, int]] | None = None) -> list[Match]:
    """Every keyword span in the folded text (or in the given pieces of it), by position.

    Matching only the short lines (headings, signature, lists) keeps a ten-page document
    well inside the time budget; long body lines hold no keyword the builders use.
    """
    if spans is None:
        spans = [(0, len(folded))]
    starts: list[int] = []
    pieces: list[str] = []
    pos = 0
    for a, b in spans:
        starts.append(pos)
        pieces.append(folded[a:b])
        pos += b - a + 1
    doc = pipeline()("\n".join(pieces))
    found = []
    for span in doc.spans["fields"]:
        k = bisect_right(starts, span.start_char) - 1
        shift = spans[k][0] - starts[k]
        found.append(Match(span.label_, span.id_, span.start_char + shift, span.end_char + shift))
    return sorted(found, key=lambda m: (m.start, -m.end))
