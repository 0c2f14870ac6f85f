"""What a person should check: every register field that is missing, unsure or only partly
read, with a one-line reason (the record's `review`).

On real documents the number and the day are written by hand after signing, seals cover
text and signatures come back as junk: a field read from such a line is not trusted. A field
is unsure when the OCR words it was read from are weak, when it holds characters no
Vietnamese document prints, or when its value does not look like what the field holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from functools import cache
from typing import NamedTuple

from pipeline.fields.closing import LAST_NAME_CONFIDENCE, family_names, without_rank
from pipeline.fields.names import phrase_words, spelled_words
from pipeline.fields.rules import doc_type_by_code, given_names, issuer_codes, words
from pipeline.fields.settings import REVIEW
from pipeline.fields.text import compact
from pipeline.record import Fields, Page, ReviewItem
from pipeline.restore.gazetteer import load_places, place_key
from pipeline.restore.names import person_name_counts
from pipeline.restore.syllable import canonical, parse, skeleton
from pipeline.text.vietnamese import canonical_tones, fold, strip_marks, strip_tone

# Characters a register field may hold: Vietnamese letters, digits, spaces and the
# punctuation of names, symbols and subjects. Anything else is OCR junk ("ngày⁄{Ệ", "ở§").
_FIELD_CHARS = re.compile(r"[\w\s.,;:/\-–&()“”\"'’]", re.UNICODE)


def review_items(r: Fields, text: str, pages: Sequence[Page] | None) -> list[ReviewItem]:
    """One item per register field a person should check (empty when all look sure)."""
    lines = _ocr_lines(text, pages)
    items: list[ReviewItem] = []

    def flag(name: str, reason: str) -> None:
        if all(item.field != name for item in items):
            items.append(ReviewItem(name, reason))

    unmarked = pages is not None and _without_marks(pages)  # names' marks are guesses
    untyped_letter = r.doc_type is None and r.symbol is not None and r.type_code is None
    if r.number is None and r.draft is None:
        flag("number", "number not read" + (" (written by hand?)" if r.symbol else ""))
    if r.symbol is None:
        flag("symbol", "symbol (ký hiệu) not found")
    if r.number is not None and (r.date is None or len(r.date) < 10) and pages:
        # the number and the day are filled in by hand together when the document is
        # issued: a read number beside an unread day may be a misread hand (ex-11: 572 read
        # "542" at confidence 85; qn-31 in a run without deskew: 5 read "2", no date read)
        flag("number", "the day was not read (written by hand?); the number may be "
             "handwritten too: check it")
    if r.date is None:
        flag("date", "date not found")
    elif len(r.date) == 7:
        flag("date", "day not read (written by hand or left blank)")
    elif len(r.date) == 4:
        flag("date", "day and month not read (written by hand or left blank)")
    if r.doc_type is None and not untyped_letter:
        flag("doc_type", "document type not found")
    if not r.issuer:
        flag("issuer", "issuing body not found")
    if not r.subject:
        flag("subject", "subject (trích yếu) not found")
    if not r.signer.name:
        flag("signer", "signer's name not found")
    elif (found := r.evidence.get("signer.name")) and found.confidence <= LAST_NAME_CONFIDENCE:
        flag("signer", "no signature block read: the name is the document's last name line")
    if r.place is None:
        flag("place", "place not found")

    values = {
        "number": r.doc_number, "symbol": r.symbol, "date": r.date, "issuer": " ".join(r.issuer),
        "subject": r.subject, "signer": r.signer.name, "place": r.place,
    }
    for name, value in values.items():
        if value and (junk := _junk(value)):
            flag(name, f"holds characters no document prints ({junk})")
    for name, value in values.items():
        if value and (mixed := _digit_with_marked_letter(value)):
            flag(name, f"'{mixed}' mixes digits with a marked letter, which no code or number "
                 "prints: a digit misread?")
    if r.subject and _looks_like_date_line(r.subject):
        flag("subject", "subject reads as a place and date line")
    subject_read = r.evidence["subject"].text if "subject" in r.evidence else r.subject
    if r.subject and (lone := _LONE_LETTER.search(f"{r.subject} {subject_read} ")):
        flag("subject", f"a lone letter '{lone.group(1)}' in the subject: a speck read as a "
             "letter, or a word lost?")
    if r.subject and (changed := _rewritten_word(r.subject, subject_read)):
        flag("subject", f"'{changed[1]}' as read was written '{changed[0]}' by the field's "
             "repair: check it")
    if r.subject and r.subject.count("(") != r.subject.count(")"):
        flag("subject", "a bracket in the subject is never closed or never opened: a 0 or "
             "a C misread, or a line lost?")
    if r.subject and (opening := _lower_opening(r, subject_read)):
        flag("subject", f"subject opens with '{opening}' in lower case: junk read before it, "
             "or its first word lost?")
    if r.issuer and (odd := _odd_issuer_word(r.issuer)):
        flag("issuer", f"an issuer line holds '{odd}', no word of a body's name: junk read "
             "beside it, or a word misread?")
    if r.issuer and (span := r.evidence.get("issuer")) and (
        dropped := _marks_dropped(text, lines, span.start, span.end)
    ):
        flag("issuer", f"'{dropped[0]}', read surely, was written '{dropped[1]}' by the text's "
             "repair, marks taken away: check it")
    read_as = r.evidence["issuer"].text if "issuer" in r.evidence else None
    if r.issuer and read_as and (added := _not_read(r.issuer, read_as)):
        flag("issuer", f"'{added}' is not on the page: put in from the known name the "
             "issuer line nearly matches (OCR lost it, or the document left it out?)")
    if r.issuer and unmarked and (place := _unsure_place(r.issuer)):
        flag("issuer", f"the text came without tone marks: the place '{place[0]}' may be "
             f"'{place[1]}': check it")
    if r.subject and (end := _open_end(r.subject)):
        flag("subject", f"subject ends with '{end}', which no subject ends with: its last "
             "line lost?")
    if r.signer.name and not _looks_like_name(r.signer.name):
        flag("signer", f"signer's name does not read as a name ({r.signer.name})")
    elif r.signer.name and (read := _surname_as_read(r)) and _named_from_text(r):
        flag("signer", f"no family name read before '{read}' (the signature's ink over it?); "
             f"'{r.signer.name.split()[0]}' taken from the same name in the text: check it")
    elif r.signer.name and read:
        flag("signer", f"family name read '{read}' under the signature's ink and taken as "
             f"'{r.signer.name.split()[0]}': check it")
    elif r.signer.name and _middle_and_given(r.signer.name):
        flag("signer", f"signer's name reads as a middle and a given name "
             f"({r.signer.name}): the family name lost under the signature?")
    elif r.signer.name and r.signer.name.split()[0] not in family_names():
        flag("signer", f"signer's name does not start with a known family name "
             f"({r.signer.name}): a word lost under the signature?")
    elif r.signer.name and len(r.signer.name.split()) == 2:
        # no dev signer has a two-word name, and both names read with two had lost a word
        # under the signature ("Hoàng Anh" for "Lê Hoàng Anh", ex-90; "Văn Khoa", ex-26)
        flag("signer", f"signer's name has two words ({r.signer.name}): a family or middle "
             "name lost under the signature?")
    elif r.signer.name and unmarked and (
        twin := _given_name_twin(r.signer.name.split()[-1])
    ):
        flag("signer", f"the text came without tone marks: the given name "
             f"'{r.signer.name.split()[-1]}' may be '{twin}' as well: check it")
    elif r.signer.name and (unsure := _unsure_tone(r, lines)):
        flag("signer", f"given name '{r.signer.name.split()[-1]}' read at confidence "
             f"{unsure[0]:.0f}; '{unsure[1]}' is a name as common: check the tone mark")
    elif r.signer.name and (common := _commoner_given_name(r.signer.name.split()[-1])):
        flag("signer", f"given name '{r.signer.name.split()[-1]}' is rare with this tone; "
             f"'{common}' is common: check the tone mark")
    elif r.signer.name and r.signer.name.split()[-1] not in given_names():
        flag("signer", f"given name '{r.signer.name.split()[-1]}' is not among the known "
             "given names: a rare name, or a misread one?")
    if (named := _type_named_by_symbol(r)) is not None:
        flag("doc_type", f"the type line reads '{r.doc_type}' but the symbol's code "
             f"'{r.type_code}' stands for '{named}'")
        flag("symbol", f"its code '{r.type_code}' does not match the type line '{r.doc_type}'")
    elif r.doc_type == "CÔNG VĂN" and not _LETTER_SUBJECT.match(fold(subject_read or "")):
        flag("doc_type", "no type line read, and no 'V/v' subject: taken for a công văn "
             "from its symbol; a type line lost?")

    if r.symbol and (left_out := _after_symbol(r, text)):
        flag("symbol", f"the number line goes on with '{left_out}' after the symbol, left "
             "out of it: a unit's code in brackets? check it")
    if r.symbol and (weak_code := _weak_unknown_code(r, lines)):
        flag("symbol", f"read from weak OCR ('{weak_code[1]}' at confidence {weak_code[0]:.0f}) "
             f"and its code '{r.issuer_code}' is no known issuer's: check it")

    evidence_keys = {
        "number": "doc_number", "date": "date", "doc_type": "doc_type", "issuer": "issuer",
        "subject": "subject", "signer": "signer.name", "place": "place",
    }
    for name, key in evidence_keys.items():
        span = r.evidence.get(key)
        if span is None or not lines:
            continue
        weakest = _weakest_word(lines, span.start, span.end, _own_words(name, r))
        if weakest is not None and weakest[0] < REVIEW.min_word_confidence:
            flag(name, f"read from weak OCR ('{weakest[1]}' at confidence {weakest[0]:.0f})")
        if name == "subject" and (ragged := _ragged_line(lines, span.start, span.end)):
            flag(name, f"line {ragged} is neither centred nor aligned with the others: "
                 "words may be missing (a seal or stamp over it?)")
    if r.issuer and (span := r.evidence.get("issuer")) and (
        stranger := _unknown_issuer_word(r.issuer, text[span.end :])
    ):  # last: a reason that says more about the word comes first
        flag("issuer", f"'{stranger}' is in no known body's name and nowhere else in the "
             "document: a word misread? check it")
    if r.number is not None and any(i.field == "date" and "weak OCR" in i.reason for i in items):
        # the day read weakly is the hand's: the number beside it may be too (ex-62: 358
        # read "253" at 66, its day 20 at 30)
        flag("number", "the date was read from weak OCR (a day written by hand?); the number "
             "may be handwritten too: check it")
    return items


# a công văn's subject opens with "V/v" (read "V/%v" too) or "Về" (folded: "v/v", "ve")
_LETTER_SUBJECT = re.compile(r"\s*(v[\Ww]{1,3}v|ve)\b")


def _after_symbol(r: Fields, text: str) -> str | None:
    """What the number line holds glued after the symbol read from it: a unit's code in
    brackets ("/TTr-CAT(C04)", "/CAT-PC04(Đ1)", Công an tỉnh's tờ trình and công văn),
    which the symbol's codes leave out."""
    span = r.evidence.get("symbol")
    if span is None:
        return None
    rest = text[span.end :].split("\n", 1)[0]
    return rest.strip() if rest.startswith("(") else None


def _rewritten_word(subject: str, read: str | None) -> tuple[str, str] | None:
    """A word of the subject whose letters (not only its marks) differ from the page's
    text it was read from: the field's repair rewrote one valid word as another ("lĩnh vực
    thi" written "lĩnh vực thú", ex-12 with the evaluation model). The subject's first word
    is left out: "V/v", "và việc" for "Về việc" are put right there on purpose."""
    ours, theirs = re.findall(r"\w+", subject), re.findall(r"\w+", read or "")
    matcher = SequenceMatcher(None, [fold(w) for w in ours], [fold(w) for w in theirs],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            for at, (mine, was) in enumerate(zip(ours[i1:i2], theirs[j1:j2], strict=True), i1):
                if at > 0 and mine.isalpha() and was.isalpha():
                    return mine, was
    return None


def _lower_opening(r: Fields, read: str | None) -> str | None:
    """The first word of a state document's subject under its type line when it is in
    lower case and not "về": such subjects open with a capital ("Về việc ...", "Ban hành
    ..."); "ec kiến thưởng" (ex-10, a grey-page ablation run) was junk glued before a
    misread word. A công văn's subject after "V/v" opens in lower case by rule, and so does
    a Party document's ("BÁO CÁO" / "kết quả ...")."""
    if (r.family != "state" or r.doc_type in (None, "CÔNG VĂN")
            or _LETTER_SUBJECT.match(fold(read or ""))):
        return None
    first = (r.subject or "").split()[0]
    return first if first[:1].islower() and fold(first) != "ve" else None


def _odd_issuer_word(lines: Sequence[str]) -> str | None:
    """The first word of the issuer's lines that no body's name is written with: a lone
    consonant (a seal's or a rule's edge: "TỈNH H TÂY NINH"; "Y" is a word: "SỞ Y TẾ"), a
    word read twice running ("TÂY TÂY"), or letters with a vowel that make no Vietnamese
    syllable ("BAND" for "BAN ĐIỀU"). Codes without a vowel (UBND, HĐND, GD&ĐT), known
    codes and the words of place names pass."""
    for line in lines:
        found = re.findall(r"[^\W\d_]+", line)
        for at, word in enumerate(found):
            vowel = set(strip_marks(word).upper()) & set("AEIOUY")
            if (len(word) == 1 and not vowel) or (at and word == found[at - 1]):
                return word
            if (vowel and parse(word.lower()) is None and word not in issuer_codes()
                    and word.upper() not in _place_words()):
                return word
    return None


def _unknown_issuer_word(issuer: Sequence[str], rest: str) -> str | None:
    """An issuer word spelled as no known name, code or place spells it and written
    nowhere in the rest of the document, which names its own body often ("BỘ CÔ NGAN" for
    BỘ CÔNG AN, ex-138; "THÔNG TIM", ex-72): such a word is likely misread. A body unknown
    to the lists passes when the text names it ("Tập đoàn Bưu chính ...")."""
    written = {canonical_tones(w.upper()) for w in _LETTERS.findall(rest)}
    for line in issuer:
        for word in _LETTERS.findall(line):
            spelled = canonical_tones(word.upper())
            if spelled not in spelled_words() and spelled not in written:
                return word
    return None


_LETTERS = re.compile(r"[^\W\d_]+")


def _not_read(issuer: Sequence[str], read: str) -> str | None:
    """An issuer word that is nowhere in the lines it was read from: a word the known
    phrase put in ("BỘ GIÁO DỤC ĐÀO TẠO" printed, ex-104, written "... VÀ ĐÀO TẠO")."""
    letters = compact(read)
    return next((w for line in issuer for w in line.split()
                 if compact(w) and compact(w) not in letters), None)


@cache
def _gazetteer() -> dict[str, list[str]]:
    """The restoration's place names by mark-free key (read once a process)."""
    return load_places()


@cache
def _place_words() -> frozenset[str]:
    """The words of the gazetteer's place names, in capitals: `ĐẮK LẮK`, `KRÔNG` are no
    Vietnamese syllables, but names."""
    return frozenset(word.upper() for names in _gazetteer().values() for name in names
                     for word in name.split())


def _open_end(subject: str) -> str | None:
    """The subject's last word when it is one that leaves a phrase open ("của", "về",
    "cho", the extractor's subject_open_ends, marks compared): the extractor found no line
    to go on with. Not "ban", which closes "của Ban" as often as it opens "Ban Thường vụ",
    nor "số" ("chuyển đổi số")."""
    last = subject.split()[-1].strip(".,;:")
    ends = set(words("subject_open_ends", folded=False)) - {"ban", "số"}
    return last if last.lower() in ends else None


def _type_named_by_symbol(r: Fields) -> str | None:
    """The type the symbol's code names, when a type line was read and names another
    ("QUYẾT ĐỊNH" over "/KH-UBND"): one of the two was misread."""
    typed = r.evidence.get("doc_type")
    numbered = r.evidence.get("doc_number")
    if not (r.doc_type and r.type_code and r.symbol and typed) or typed == numbered:
        return None  # no type line of its own: the type was named from the code
    named = doc_type_by_code(r.type_code, r.family)
    if named is None or named.heading == r.doc_type:
        return None
    return named.heading


def _junk(value: str) -> str:
    """Characters of a field no document prints: outside _FIELD_CHARS, or a modifier letter
    or symbol standing alone (`ˆ`, a speck read as a circumflex, ex-54 in a run without
    despeckling), which `\\w` lets through."""
    odd = {ch for ch in unicodedata.normalize("NFC", value)
           if not _FIELD_CHARS.match(ch) or unicodedata.category(ch) in ("Lm", "Sk")}
    return "".join(sorted(odd))


def _digit_with_marked_letter(value: str) -> str | None:
    """A word holding a digit and a letter with a tone or vowel mark ("khóa 1ó, 17" for
    "khóa 16, 17", ex-74): codes mix digits with bare capitals (D20, K16), never with
    marked vowels."""
    for word in re.findall(r"\w+", value):
        if any(ch.isdigit() for ch in word) and any(
            ch.isalpha() and unicodedata.normalize("NFD", ch) != ch for ch in word
        ):
            return word
    return None


@cache
def _names_by_letters() -> dict[str, list[tuple[int, str]]]:
    """Given names with their counts, by their letters without tone (`Hiên`, `Hiền` → `Hiên`)."""
    index: dict[str, list[tuple[int, str]]] = {}
    for name, count in given_names().items():
        index.setdefault(strip_tone(name), []).append((count, name))
    return index


def _unsure_tone(r: Fields, lines: list[OcrLine]) -> tuple[float, str] | None:
    """The given name's OCR confidence and a twin of it with another tone that names use
    at least a fifth as often, when the name was read less than surely: OCR swaps tone
    marks of small bold type ("Hiệu" at 76 for "Hiếu", ex-150; both common names)."""
    span = r.evidence.get("signer.name")
    given = (r.signer.name or "").split()[-1:]
    if span is None or not given or not lines:
        return None
    weakest = _weakest_word(lines, span.start, span.end, _own_words("signer", r))
    if weakest is None or weakest[0] >= REVIEW.sure_name_confidence:
        return None
    seen = given_names().get(given[0], 0)
    best = max(_tone_twins(given[0]), default=None)
    return (weakest[0], best[1]) if best and best[0] * REVIEW.name_twin_ratio >= seen else None


def _commoner_given_name(given: str) -> str | None:
    """The same name with another tone, when that one is far more common than the name as
    read (`Hiên` 13 times in the name counts, `Hiền` 105): OCR dropped or swapped a tone.
    A name with no commoner twin (`Căng`) is left alone: rare is not wrong."""
    seen = given_names().get(given, 0)
    best = max(_tone_twins(given), default=None)
    return best[1] if best and best[0] >= REVIEW.name_twin_ratio * seen else None


def _tone_twins(given: str) -> list[tuple[int, str]]:
    """The given names spelled with the same letters and another tone that names use at
    least `name_twin_min` times, with their counts."""
    return [(count, name) for count, name in _names_by_letters().get(strip_tone(given), [])
            if name != given and count >= REVIEW.name_twin_min]


def _without_marks(pages: Sequence[Page]) -> bool:
    """The document's source text carried (almost) no tone or vowel marks: every mark of its
    record was put there by restoration, names' marks included."""
    letters = [ch for page in pages for ch in page.raw_text if ch.isalpha()]
    marks = {ch for ch in set(letters) if ch != strip_marks(ch)}  # each letter looked up once
    marked = sum(ch in marks for ch in letters)
    return len(letters) >= REVIEW.unmarked_min_letters and (
        marked <= REVIEW.unmarked_max_share * len(letters))


def _unsure_place(lines: Sequence[str]) -> tuple[str, str] | None:
    """In a text restored from one without marks, a place name ending an issuer line after
    a unit word, written as no gazetteer name is ("VĨNH" for Vinh) or as one of two names
    the gazetteer spells alike but for marks (Yên Phú, Yên Phụ): (as written, the other)."""
    places, units = _gazetteer(), words("issuer_unit_words")
    for line in lines:
        tokens = line.split()
        for n in (3, 2, 1):
            if len(tokens) <= n or fold(tokens[-n - 1]) not in units:
                continue
            names = places.get(place_key(tokens[-n:]))
            if not names:
                continue
            written = " ".join(tokens[-n:])
            others = [name for name in names if name.upper() != written.upper()]
            if others:
                return written, others[0]
            break
    return None


def _given_name_twin(given: str) -> str | None:
    """Another spelling of a given name's letters that personal names use nearly as often
    (the restoration's own name counts): restored from `Hung`, `Hùng` (335) and `Hưng`
    (278) are both likely, and nothing in an unmarked text tells them apart."""
    forms = person_name_counts().get("given", {}).get(skeleton(given).lower(), {})
    written = canonical(given).capitalize()
    seen = forms.get(written, 0)
    twins = [(count, form) for form, count in forms.items() if form != written]
    best = max(twins, default=None)
    return best[1] if best and best[0] >= REVIEW.unmarked_twin_share * seen else None


def _surname_as_read(r: Fields) -> str | None:
    """The signer's first word as the page reads it, when the extractor put a family name
    in its place (`fields.closing`: "guyến" → "Nguyễn")."""
    read = _name_as_read(r)[:1]
    if read and r.signer.name and fold(read[0]) != fold(r.signer.name.split()[0]):
        return read[0]  # not a mark put right ("Định" → "Đinh"), letters the ink hid
    return None


def _named_from_text(r: Fields) -> bool:
    """The signer's name has more words than its line reads (`fields.closing` took the
    family name from the text)."""
    return len((r.signer.name or "").split()) > len(_name_as_read(r))


def _name_as_read(r: Fields) -> list[str]:
    """The words of the signer's name line as the page reads them, a rank left out."""
    span = r.evidence.get("signer.name")
    return without_rank(span.text.strip("() ")).split() if span is not None else []


# a consonant alone between words, not a point of a list ("điểm b", "mục c"): a speck or a
# seal's edge read as a letter ("Công ty Cổ phần n Công nghiệp", ex-32)
_LONE_LETTER = re.compile(
    r"(?<!\bđiểm)(?<!\bmục)(?<!\bkhoản)(?<!,)\s([bcdđghklmnpqrstvx])(?=\s)")


def _middle_and_given(name: str) -> bool:
    """A two-word name whose first word is a middle name ("Văn Khoa", ex-26): the family
    name was lost under the signature's ink; "Văn" alone is a rare family name."""
    parts = name.split()
    return len(parts) == 2 and fold(parts[0]) in words("middle_names")


def _looks_like_date_line(subject: str) -> bool:
    folded = fold(subject)
    return bool(re.search(r"\bngay\b.*\bthang\b.*\bnam\b", folded)) and len(folded) < 70


def _looks_like_name(name: str) -> bool:
    words = name.split()
    return REVIEW.name_words[0] <= len(words) <= REVIEW.name_words[1] and all(
        w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words
    )


class OcrLine(NamedTuple):
    """One OCR line of the document text: where it is in the text, its words' confidences,
    and where it is on its page."""

    start: int
    end: int
    words: list[tuple[float, str]]
    left: int
    right: int
    page_width: int


def _ocr_lines(text: str, pages: Sequence[Page] | None) -> list[OcrLine]:
    """The document text's lines that OCR read, with the confidences of their words.

    The text is the pages' restored texts joined by a blank line; restoration keeps a
    page's lines, and the page's non-blank raw lines are its OCR lines in order. A page
    where that does not hold (or that was not OCR'd) adds nothing.
    """
    if not pages:
        return []
    found: list[OcrLine] = []
    offset = 0
    for page in pages:
        page_text = unicodedata.normalize("NFC", page.text)
        restored = page_text.split("\n")
        raw = page.raw_text.split("\n")
        if page.method == "ocr" and len(restored) == len(raw):
            ocr = iter(page.lines)
            position = offset
            for restored_line, raw_line in zip(restored, raw, strict=True):
                if raw_line.strip():
                    line = next(ocr, None)
                    if line is None:
                        break
                    words = [(w.confidence, w.text) for w in line.words]
                    found.append(OcrLine(position, position + len(restored_line), words,
                                         line.bbox[0], line.bbox[2], page.width))
                position += len(restored_line) + 1
        offset += len(page_text) + 2
    if offset - 2 != len(text):
        return []  # not the text the pages make: no offsets to trust
    return found


def _weak_unknown_code(r: Fields, lines: list[OcrLine]) -> tuple[float, str] | None:
    """The symbol's least sure OCR word when it is under REVIEW.symbol_min_confidence and
    the symbol's issuer code is none the code list holds. The symbol's line holds the
    handwritten number too, so only words that are part of the symbol count."""
    span = r.evidence.get("symbol")
    if span is None or r.issuer_code is None or r.issuer_code in issuer_codes():
        return None
    symbol = fold(r.symbol or "")

    def in_symbol(word: str) -> bool:
        part = fold(word.strip(",.;:/ "))
        return len(part) >= 2 and part in symbol

    weakest = _weakest_word(lines, span.start, span.end, in_symbol)
    return weakest if weakest and weakest[0] < REVIEW.symbol_min_confidence else None


def _own_words(name: str, r: Fields) -> Callable[[str], bool] | None:
    """The words of a field's lines whose OCR confidence counts. A place shares its line
    with the date, whose day is often in ink: only its own words count. A type is one of a
    closed list and an issuer's known phrases are spelled from a list: a word with the
    letters of the type's words, or of a known phrase of the issuer (`names.phrase_words`),
    was vouched for by the list however unsurely it was read ("DẦN" at 56 in "UỶ BAN NHÂN
    DẦN", qn-07), while a weak word of other letters still counts ("TIM" at 32 in "CÔNG
    NGHỆ THÔNG TIM", ex-72; junk beside the type line)."""
    if name == "place":
        place = {fold(w) for w in (r.place or "").split()}
        return lambda word: fold(word.strip(",.;:")) in place
    if name == "doc_type":
        vouched = frozenset(fold(w) for w in (r.doc_type or "").split())
    elif name == "issuer":
        vouched = frozenset(w for line in r.issuer for w in phrase_words(line))
    else:
        return None
    return lambda word: fold(word.strip(",.;:")) not in vouched


def _weakest_word(
    lines: list[OcrLine], start: int, end: int, own: Callable[[str], bool] | None = None
) -> tuple[float, str] | None:
    """The least sure OCR word of the lines the span touches (of the field's `own` words,
    when given)."""
    words = [w for line in _touched_by(lines, start, end)
             for w in line.words if w[1].strip() and (own is None or own(w[1]))]
    return min(words, default=None)


def _touched_by(lines: list[OcrLine], start: int, end: int) -> list[OcrLine]:
    """The OCR lines a field's span start..end of the text touches."""
    return [line for line in lines if line.start < end and line.end > start]


def _marks_dropped(
    text: str, lines: list[OcrLine], start: int, end: int
) -> tuple[str, str] | None:
    """A capitals word of the span's lines that OCR read surely with marks and the text's
    repair wrote with fewer ("TÂY. ĐÔ" read at 96 became "TÂY. DO", ex-74): OCR loses
    marks of capitals far more often than it invents them, so a repair that takes marks
    away is the language model overruling a sure reading."""
    for line in _touched_by(lines, start, end):
        restored = text[line.start : line.end].split()
        if len(restored) != len(line.words):
            continue
        for mine, (confidence, read) in zip(restored, line.words, strict=True):
            mine, read = mine.strip(_EDGES), read.strip(_EDGES)
            if (
                confidence >= REVIEW.sure_word_confidence and read.isupper() and mine != read
                and fold(mine) == fold(read) and _mark_count(mine) < _mark_count(read)
            ):
                return read, mine
    return None


_EDGES = ".,;:()\"'"


def _mark_count(word: str) -> int:
    """Marks of a word, the bar of Đ counted as one."""
    decomposed = unicodedata.normalize("NFD", word)
    return sum(unicodedata.combining(ch) > 0 for ch in decomposed) + word.lower().count("đ")


def _ragged_line(lines: list[OcrLine], start: int, end: int) -> int | None:
    """The first line (1-based) of a multi-line field that is neither left-aligned nor
    centred with the field's widest line: words at its start or end were not read.

    A subject is set centred (or, in a letter, flush left); on qn-15 a stamp hid "thực
    hiện dự" at the start of the second line, which then sat 155 px right of the block's
    centre and 205 px right of its left edge, a wrong subject nothing flagged.
    """
    block = _touched_by(lines, start, end)
    if len(block) < 2:
        return None
    widest = max(block, key=lambda line: line.right - line.left)
    slack = REVIEW.line_alignment_slack * widest.page_width
    for number, line in enumerate(block, 1):
        left_off = abs(line.left - widest.left)
        centre_off = abs(line.left + line.right - widest.left - widest.right) / 2
        if left_off > slack and centre_off > slack:
            return number
    return None
