"""The document's own body text as evidence for the words of its header.

A scan's header is set in capitals and its subject in bold, the two kinds of type that OCR
and the restoration model read worst; the body repeats many of their phrases in regular
type, which both read well. Where the body writes a phrase of the issuer or the subject, the
body's spelling is the better evidence of how the document writes it:

* an issuer word whose marks were lost in capitals takes the body's marks in the same phrase
  (ex-74: "TRƯỜNG ĐẠI HỌC TÂY. DO" beside the body's "Trường Đại học Tây Đô");
* a subject word the field repair changed goes back to OCR's reading when the body writes
  that reading beside the same neighbour and never the repair's (ex-10: the repair made
  "cấp trường" "cấp trưởng"; the body says "nghề cấp trường" three times).

Only marks are taken from the body, never letters: with letters, one neighbour in common
made "VÀ ĐÀO TẠO" "VÀ ĐÁP TẠO" (the body's "và đáp án") and two made "TỈNH" "TH" (qn-04).
A spelling counts only beside a neighbour of the header word (`OwnTextSettings`), and not
where the body writes the header's own spelling there too: then the header stands as read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.fields.names import phrase_words
from pipeline.fields.settings import OWN_TEXT
from pipeline.text.vietnamese import fold

_TOKEN = re.compile(r"\w+|[^\w\s]+")
_WORD = re.compile(r"\w+")
_JOINED = re.compile(r"\s*\.?\s+")  # two words of one header phrase: a stray stop between
_EDGES = ",.;:()\"'"


@dataclass(frozen=True)
class BodyWords:
    """The body's words in order (as written and folded), `None` where punctuation breaks
    a phrase."""

    words: list[str | None]
    folded: list[str | None] = field(init=False)
    at: dict[str, list[int]] = field(init=False)  # fold -> where the body has it

    def __post_init__(self) -> None:
        folded = [fold(w) if w else None for w in self.words]
        at: dict[str, list[int]] = {}
        for i, key in enumerate(folded):
            if key is not None:
                at.setdefault(key, []).append(i)
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "at", at)

    @classmethod
    def of(cls, text: str) -> BodyWords:
        return cls([m.group() if _WORD.fullmatch(m.group()) else None
                    for m in _TOKEN.finditer(text)])

    def folded_at(self, at: int) -> str | None:
        return self.folded[at] if 0 <= at < len(self.folded) else None

    def word_at(self, at: int) -> str | None:
        return self.words[at] if 0 <= at < len(self.words) else None


def issuer_as_written(lines: Sequence[str], body: BodyWords) -> list[str]:
    """The issuer lines, each word that the body writes otherwise in the same company
    written the body's way (in the line's case)."""
    return [_line_as_written(line, body) for line in lines]


def _line_as_written(line: str, body: BodyWords) -> str:
    known = phrase_words(line)  # a known phrase's words are spelled by the list, not here
    words = list(_WORD.finditer(line))
    texts = [w.group() for w in words]
    joined = [i > 0 and _JOINED.fullmatch(line[words[i - 1].end() : w.start()]) is not None
              for i, w in enumerate(words)]
    pieces, done = [], 0
    for i, word in enumerate(words):
        found = None if fold(word.group()) in known else _body_form(texts, i, joined, body)
        if found is None:
            continue
        form, joined_left = found
        start = word.start()
        if joined_left and "." in line[words[i - 1].end() : start]:
            start = words[i - 1].end()  # the body writes the two words as one phrase
            pieces += [line[done:start], " "]
        else:
            pieces.append(line[done:start])
        pieces.append(_cased(form, word.group()))
        done = word.end()
    return "".join(pieces) + line[done:]


def _body_form(
    texts: list[str], i: int, joined: list[bool], body: BodyWords
) -> tuple[str, bool] | None:
    """How the body writes word `i` of a header line in its company, and whether the word
    before it is of that company; none when the body writes the line's word there too, or
    two spellings as often."""
    word = texts[i]
    key = fold(word)
    if not word.isalpha() or len(key) < OWN_TEXT.shortest_word:
        return None
    left = [fold(texts[j]) for j in (i - 1, i - 2) if j >= 0 and all(joined[j + 1 : i + 1])]
    right = [fold(texts[j]) for j in (i + 1, i + 2)
             if j < len(texts) and all(joined[i + 1 : j + 1])]
    found: Counter[str] = Counter()
    with_left: set[str] = set()  # spellings the body writes after the word's left neighbour
    for at in body.at.get(key, ()):
        before, after = _company(body, at, left, -1), _company(body, at, right, 1)
        if before + after >= OWN_TEXT.company:
            form = (body.words[at] or "").lower()
            found[form] += 1
            if before:
                with_left.add(form)
    if not found or word.lower() in found:
        return None
    ranked = found.most_common(2)
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0], ranked[0][0] in with_left


def _company(body: BodyWords, at: int, side: list[str], step: int) -> int:
    """How many of a header word's neighbours on one side (nearest first) the body word
    at `at` has beside it."""
    matched = 0
    for n, neighbour in enumerate(side, 1):
        if body.folded_at(at + step * n) != neighbour:
            break
        matched += 1
    return matched


def _cased(form: str, like: str) -> str:
    if like.isupper():
        return form.upper()
    return form[:1].upper() + form[1:] if like[:1].isupper() else form


def subject_as_written(read: str, repaired: str, body: BodyWords) -> str:
    """The repaired subject, with each word the repair changed back as read when the body
    writes it as read beside the same neighbour, and as repaired there never or far less
    often: body lines are OCR'd too ("đề thi" 14 times, "để thi" 3, ex-74)."""
    before, after = read.split(" "), repaired.split(" ")
    if len(before) != len(after):
        return repaired
    kept = []
    for i, (mine, theirs) in enumerate(zip(before, after, strict=True)):
        neighbours = {fold(before[j].strip(_EDGES)) for j in (i - 1, i + 1)
                      if 0 <= j < len(before)}
        changed = _WORD.findall(mine) != _WORD.findall(theirs)  # a word, not punctuation
        as_read = _beside(mine, neighbours, body) if changed else 0
        back = as_read > 0 and as_read >= OWN_TEXT.reading_majority * _beside(
            theirs, neighbours, body)
        kept.append(mine if back else theirs)
    return " ".join(kept)


_MIXED = re.compile(r"(?=\w*\d)(?=\w*[^\W\d])\w+")  # digits and letters in one word
_OPEN_DIGITS = re.compile(r"\(\d+")  # digits after a bracket never closed


def subject_numbers_as_written(subject: str, body: BodyWords) -> str:
    """The subject with each word that mixes digits and letters ("khóa 1ó, 17", ex-74) or
    follows a bracket never closed ("Đề án (6", ex-116) written as the body writes the
    number after the same two words, when the body writes it there as digits alone and
    one way only: bold type is where OCR misreads digits."""
    words = subject.split(" ")
    unbalanced = subject.count("(") != subject.count(")")
    for i, word in enumerate(words):
        core = word.strip(_EDGES)
        if _OPEN_DIGITS.fullmatch(word.rstrip(",.;:")) and unbalanced:
            core = word.rstrip(",.;:")  # "Đề án (6 tháng 10": a 0 read as a bracket (ex-116)
        elif not _MIXED.fullmatch(core):
            continue
        left = [fold(words[j].strip(_EDGES)) for j in (i - 1, i - 2) if j >= 0]
        if len(left) != OWN_TEXT.number_company:
            continue
        after_left = (at + 1 for at in body.at.get(left[0], ()))
        forms = {
            other
            for at, other in ((at, body.word_at(at)) for at in after_left)
            if other is not None and other.isdigit() and len(other) == len(core)
            and _company(body, at, left, -1) == len(left)
        }
        if len(forms) == 1:
            words[i] = word.replace(core, forms.pop())
    return " ".join(words)


def subject_letters_as_written(subject: str, body: BodyWords) -> str:
    """The subject with each word the body never writes, one letter off the one word the
    body writes between the same two neighbours, written as the body does ("Ban Pì sự tiến
    bộ" for the body's "Ban Vì sự tiến bộ", ex-110): bold type is read worse than the
    body's regular type, and the phrase shows it is the same word."""
    words = subject.split(" ")
    for i in range(1, len(words) - 1):
        core = words[i].strip(_EDGES)
        key = fold(core)
        if not core.isalpha() or core.isupper() or key in body.at:
            continue
        left, right = fold(words[i - 1].strip(_EDGES)), fold(words[i + 1].strip(_EDGES))
        after_left = (at + 1 for at in body.at.get(left, ()))
        forms = {
            other
            for at, other in ((at, body.word_at(at)) for at in after_left)
            if other is not None and body.folded_at(at + 1) == right
            and _one_letter_off(key, fold(other))
        }
        if len(forms) == 1:
            words[i] = words[i].replace(core, _cased(forms.pop().lower(), core))
    return " ".join(words)


def _one_letter_off(a: str, b: str) -> bool:
    """Same length, one letter different (folded words)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _beside(word: str, neighbours: set[str], body: BodyWords) -> int:
    """How often the body writes `word` (marks and all) right beside one of `neighbours`."""
    wanted = word.strip(_EDGES).lower()
    return sum(
        (body.words[at] or "").lower() == wanted
        and (body.folded_at(at - 1) in neighbours or body.folded_at(at + 1) in neighbours)
        for at in body.at.get(fold(wanted), ())
    )
