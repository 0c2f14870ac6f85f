"""Issuing-body names as OCR leaves them, written the known way where that is certain.

OCR and text repair leave capitals lines of the header with dropped tone marks ("TINH UY
KHANH HOA"), a wrong mark ("TÍNH ỦY", "BAN TUYỂN GIÁO"), a doubled letter ("HUYỆN UÝỶ") or
glued words ("ỦY BAN NHÂN DÂN TỈNHLONGAN"). Body names are built from a small vocabulary
(data/patterns/words.json `issuer_words`, `issuer_phrases`, the issuer and signer lists,
the province and district names), so:

* a word OCR glued together (its folded letters are no Vietnamese syllable) is split into
  syllables (data/syllables.txt), known words preferred;
* a run of two or more words that folds like a known phrase ("KHANH HOA") is written as
  the phrase ("KHÁNH HÒA");
* a run of three or more words that is a known phrase but for one word OCR damaged by
  one letter ("ĐẢNG ỦY KHI CÁC CƠ QUAN TỈNH", "... DOANH NGHIỆP TIN") or one inner word
  it lost ("ỦY BAN DÂN TỈNH") is written as the phrase; the damaged word must have three
  letters or more both ways, so short words ("BỘ", "ỦY", "XÃ") are never exchanged;
* in the words a line starts with ("TÍNH ỦY ...", "HUYỆN UÝỶ ..."), a word that folds
  like one of the administrative words (`issuer_words`: TỈNH, ỦY, XÃ, ...) is written as
  that word. District names are known phrases too (data/districts.txt: "NÓNG CỐNG" →
  "NÔNG CỐNG"; "CAN LỘC" and "TỊNH BIÊN" are districts and stay); two districts alike but
  for their marks (PHÚ MỸ, PHÙ MỸ) stay as read, and so do commune names, which are not
  known.

A word already written like the known one, in either tone placement ("UỶ"/"ỦY"), stays.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from functools import cache

from rapidfuzz.distance import Levenshtein

from pipeline.fields.rules import (
    districts,
    issuer_codes,
    keyword_ids,
    places,
    syllables,
    words,
)
from pipeline.text.vietnamese import canonical_tones, fold

_MAX_PHRASE = 6  # words in the longest phrase compared
_NEAR_MIN = 3  # words in a run compared with a phrase one word off
_WILD = "*"
# "và" is never put back: names print it or leave it out ("BỘ GIÁO DỤC ĐÀO TẠO", ex-104)
_AND = "va"


@cache
def _vocabulary() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(phrase fold → spelling for runs of 2+ words, word fold → spelling for single
    words, folds of the known words outside district names)."""
    phrases: dict[str, str] = {}
    levels = [w.upper() for w in words("issuer_places", folded=False)]
    sources = [
        *words("issuer_phrases", folded=False),
        *(f"{h} {lv}" for h in words("issuer_heads", folded=False) for lv in levels),
        *words("signer_phrases", folded=False),
        *issuer_codes().values(),
        *places(),
        *keyword_ids("HEADING_PARTY"),
        *keyword_ids("HEADING_STATE"),
    ]
    for name in sources:
        upper = " ".join(name.upper().split())
        if len(upper.split()) >= 2:
            phrases.setdefault(fold(upper), upper)
    single: dict[str, str] = {}
    for word in words("issuer_words", folded=False):
        single.setdefault(fold(word.upper()), word.upper())
    # words that glued tokens are preferably cut into: not the districts' ("LONGAN" is
    # LONG AN, not LO NGAN as in Ngân Sơn)
    known = frozenset(w for p in [*phrases, *single] for w in p.split())
    spellings: dict[str, set[str]] = {}
    for name in districts():
        upper = " ".join(name.upper().split())
        spellings.setdefault(fold(upper), set()).add(upper)
    for key, spelled in spellings.items():  # two districts alike but for their marks
        if len(spelled) == 1 and len(key.split()) >= 2:  # (PHÚ MỸ, PHÙ MỸ): stay as read
            phrases.setdefault(key, spelled.pop())
    return phrases, single, known


@cache
def _near_index() -> tuple[dict[tuple[str, ...], list[tuple[str, ...]]],
                           dict[tuple[str, ...], list[tuple[str, ...]]]]:
    """Phrases of three or more words (folded word tuples), by each word made a wildcard,
    and (phrases of four or more) by each inner word but "và" left out."""
    wild: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    dropped: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in _vocabulary()[0]:
        words_ = tuple(key.split())
        if len(words_) < _NEAR_MIN:
            continue
        for k in range(len(words_)):
            wild.setdefault((*words_[:k], _WILD, *words_[k + 1 :]), []).append(words_)
            if 0 < k < len(words_) - 1 and len(words_) > _NEAR_MIN and words_[k] != _AND:
                dropped.setdefault(words_[:k] + words_[k + 1 :], []).append(words_)
    return wild, dropped


def _near_phrase(keys: Sequence[str]) -> str | None:
    """The one known phrase the folded words `keys` are, but for one word off by a letter
    or one inner word lost; None when there is none or more than one."""
    if len(keys) < _NEAR_MIN:
        return None
    wild, dropped = _near_index()
    found = set(dropped.get(tuple(keys), []))
    for k, word in enumerate(keys):
        shortest = 2 if word not in syllables() else 3  # "SỞ Y TF": no word is spelled "tf"
        for phrase in wild.get((*keys[:k], _WILD, *keys[k + 1 :]), []):
            other = phrase[k]
            if (min(len(word), len(other)) >= shortest and word.isalpha()
                    and Levenshtein.distance(word, other) == 1):
                found.add(phrase)
    if len(found) != 1:
        return None
    return _vocabulary()[0][" ".join(found.pop())]


def continues_phrase(above: str, line: str) -> bool:
    """`line` goes on with the name on the line above: its first word and the last word
    above are two words of a known phrase ("... CÁC CƠ" / "QUAN TỈNH"), and it is spelled
    as that phrase spells it, not like the body word it folds like ("QUAN", not "QUẬN")."""
    last, first = above.split()[-1:], line.split()[:1]
    if not last or not first:
        return False
    a, b = fold(last[0]), fold(first[0])
    written = canonical_tones(first[0].upper())
    body_words = (w.split()[0] for name in ("issuer_starts", "issuer_places")
                  for w in words(name, folded=False))
    if any(canonical_tones(w.upper()) == written for w in body_words):
        return False
    for key, spelled in _vocabulary()[0].items():
        keys, known = key.split(), spelled.split()
        if any(keys[k] == a and keys[k + 1] == b and canonical_tones(known[k + 1]) == written
               for k in range(len(keys) - 1)):
            return True
    return False


def canonical_issuer(line: str) -> str:
    """An issuer line with glued words split and known words written the known way."""
    tokens = [_drop_stray(t) for raw in _without_foreign_letters(line).strip(_LINE_EDGES).split()
              for t in _split_glued(raw) if not _BRACKET_JUNK.fullmatch(raw)]
    return " ".join(_known_words(_level_words(_respaced(tokens))))


def _respaced(tokens: list[str]) -> list[str]:
    """Runs of capitals tokens whose letters, spaces aside, are a known phrase's, cut as
    the phrase is: OCR put a space in the wrong place ("BỘ CÔNGAN", cut by syllables as
    "BỘ CÔ NGAN", ex-138). The letters stay as read; only the spaces move."""
    letters = _phrase_letters()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE, len(tokens) - i), 1, -1):
            run = tokens[i : i + n]
            cut = letters.get("".join(fold(t) for t in run))
            if (cut and [len(t) for t in run] != [len(w) for w in cut]
                    and all(t.isalpha() and t.isupper() for t in run)):
                joined = "".join(run)
                sizes = itertools.accumulate(len(w) for w in cut)
                starts = [0, *sizes]
                out.extend(joined[a:b] for a, b in itertools.pairwise(starts))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _level_words(tokens: list[str]) -> list[str]:
    """A capitals word one letter off the one level word it can be (TỈNH, HUYỆN, XÃ, ...)
    where a level stands, after a people's committee or council and before the whole of a
    known place's name: "UBND LINH KIÊN GIANG" (ex-108, the T under a seal's edge)."""
    levels = [w.upper() for w in words("issuer_places", folded=False) if " " not in w]
    rest = [fold(t.strip(" ,.;:")) for t in tokens]
    heads = set(words("issuer_abbreviations")) | {"dan"}  # UBND, HĐND, ... NHÂN DÂN
    out = list(tokens)
    for k in range(1, len(tokens) - 1):
        word = rest[k]
        if (not tokens[k].isupper() or rest[k - 1] not in heads
                or " ".join(rest[k + 1 :]) not in _place_folds()):
            continue
        near = [lv for lv in levels if Levenshtein.distance(fold(lv), word) <= 1]
        if len(near) == 1 and fold(near[0]) != word:
            out[k] = near[0]
    return out


@cache
def _place_folds() -> frozenset[str]:
    """Folds of the known provinces' and districts' names."""
    return frozenset(fold(name) for name in (*places(), *districts()))


# Marks of Vietnamese letters (NFD): the five tones, circumflex, breve and horn
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def _without_foreign_letters(line: str) -> str:
    """The line without letters that carry a mark no Vietnamese letter has ("TỈÏNH",
    ex-30: a speck over a letter read as a diaeresis, a second I)."""
    kept = [ch for ch in line if all(
        m in _VIETNAMESE_MARKS for m in unicodedata.normalize("NFD", ch)[1:])]
    return "".join(kept)


# A token of brackets, bars or quotes alone is a seal's or a border's edge or a speck read as
# text ("TỈNH [ QUẢNG NGÃI", qn-29; "` TRƯỜNG ĐẠI HỌC", ex-86); an issuer line prints none.
_BRACKET_JUNK = re.compile(r"[\[\]{}|()<>_~`'\"*»«•]+")
# what an issuer line never starts or ends with: a dash there is a speck ("- BỘ GIÁO DỤC",
# ex-86) or a rule's end, though one may join two names inside it
_LINE_EDGES = " ,.;:-–—"


def _drop_stray(token: str) -> str:
    """A capitals word that is no syllable but a known word with one letter doubled, or
    with a stray consonant before an onset no Vietnamese word starts with, that word as
    written: OCR reads a marked vowel twice ("UÝỶ" → "UỶ") or a seal's edge as a letter
    ("GNGÃI" → "NGÃI", qn-29). Place names of other languages ("ĐẮK LẮK") stay."""
    folded = fold(token)
    if not token.isalpha() or not token.isupper() or len(folded) < 3 or folded in syllables():
        return token
    known = _vocabulary()[2]
    if _stray_onset(folded) and folded[1:] in known:
        return token[1:]
    abbreviations = {a for a in words("issuer_abbreviations") if len(a) == len(folded) - 1}
    shorter = [k for k in range(len(token)) if folded[:k] + folded[k + 1 :] in abbreviations]
    if len(shorter) == 1:  # "UBXND" (ex-108): a speck of a seal's edge read as a letter
        return token[: shorter[0]] + token[shorter[0] + 1 :]
    for k in range(1, len(token)):
        if folded[k] == folded[k - 1] and folded[:k] + folded[k + 1 :] in known:
            return token[:k] + token[k + 1 :]
    return token


_VOWELS = set("aeiouy")
_ONSET_PAIRS = {"ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr"}


def _stray_onset(folded: str) -> bool:
    """Two consonants start the word and no Vietnamese onset is spelled so ("gn", "rt")."""
    return (len(folded) >= 4 and folded[0] not in _VOWELS and folded[1] not in _VOWELS
            and folded[:2] not in _ONSET_PAIRS)


def _split_glued(token: str) -> list[str]:
    """A capitals token that is no syllable, cut into syllables ("TỈNHLONGAN")."""
    core = token.strip(" ,.;:")
    folded = fold(core)
    if not core.isalpha() or not core.isupper() or len(folded) < 4 or folded in syllables():
        return [token]
    cut = _phrase_letters().get(folded) or _segment(folded)
    if cut is None or len(cut) < 2:
        return [token]
    out, pos = [], 0
    for piece in cut:
        out.append(core[pos : pos + len(piece)])
        pos += len(piece)
    lead = token[: token.index(core)]
    tail = token[token.index(core) + len(core) :]
    out[0], out[-1] = lead + out[0], out[-1] + tail
    return out


@cache
def _phrase_letters() -> dict[str, list[str]]:
    """Known phrases by their letters without spaces ("bocongan" -> bo cong an): a glued
    token that is a known phrase is cut as the phrase is, where syllables alone could cut
    it otherwise ("BỘCÔNGAN" as "BỘ CÔ NGAN", ex-132)."""
    return {key.replace(" ", ""): key.split() for key in _vocabulary()[0]}


def splits_into_syllables(folded: str) -> bool:
    """The folded letters are Vietnamese syllables written without spaces ("tinhuyhoabinh")."""
    return _segment(folded) is not None


def _segment(folded: str) -> list[str] | None:
    """The split of `folded` into syllables with the most known words, then the fewest
    pieces; None when there is none."""
    known = _vocabulary()[2]
    valid = syllables() | set(words("issuer_abbreviations"))  # "UBNDTỈNH" (ex-30)
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(folded) + 1)
    best[0] = (0, 0, [])
    for end in range(1, len(folded) + 1):
        for start in range(max(0, end - 7), end):
            prev = best[start]
            piece = folded[start:end]
            if prev is None or piece not in valid:
                continue
            score = (prev[0] + (piece in known), prev[1] - 1, [*prev[2], piece])
            current = best[end]
            if current is None or score[:2] > current[:2]:
                best[end] = score
    found = best[len(folded)]
    return found[2] if found else None


@cache
def spelled_words() -> frozenset[str]:
    """Every word of the known names, codes and places as they are spelled (capitals, one
    tone placement): the words an issuer line is written with."""
    phrases, single, _ = _vocabulary()
    names = [*phrases.values(), *single.values(), *issuer_codes(), *places(), *districts(),
             *words("issuer_starts", folded=False)]  # "BCH", "UBND" and the like
    return frozenset(canonical_tones(w.upper()) for name in names for w in name.split())


def phrase_words(line: str) -> frozenset[str]:
    """Folds of the words of an issuer line that stand in a run of two or more words which
    is a known phrase but for its marks ("ỦY BAN NHÂN DÂN", "ĐỒNG NAI"): words the phrase
    vouches for, however unsurely OCR read them."""
    phrases = _vocabulary()[0]
    keys = [fold(t.strip(" ,.;:")) for t in line.split()]
    covered: set[int] = set()
    for n in range(2, _MAX_PHRASE + 1):
        for i in range(len(keys) - n + 1):
            if " ".join(keys[i : i + n]) in phrases:
                covered.update(range(i, i + n))
    return frozenset(keys[i] for i in covered)


def _known_words(tokens: list[str]) -> list[str]:
    """Known phrases where they cover the most words (then the fewest phrases), and the
    administrative words a name starts with."""
    phrases, single, _ = _vocabulary()
    levels = set(words("issuer_places"))  # "huyện", "xã": a place name follows
    keys = [fold(t.strip(" ,.;:")) for t in tokens]
    # best[i]: (words covered, -words near-matched, -phrases, runs) for tokens[:i];
    # a run is (length, spelling of the phrase it is, or None for a single word)
    Run = tuple[int, str | None]
    best: list[tuple[int, int, int, tuple[Run, ...]]] = [(0, 0, 0, ())]
    for i in range(1, len(tokens) + 1):
        prev = best[i - 1]
        options = [(prev[0], prev[1], prev[2], (*prev[3], (1, None)))]
        for n in range(2, min(_MAX_PHRASE, i) + 1):
            covered, near, count, runs = best[i - n]
            exact = phrases.get(" ".join(keys[i - n : i]))
            known = exact or _near_phrase(keys[i - n : i])
            if known is not None:
                options.append((covered + n, near - (exact is None) * n, count - 1,
                                (*runs, (n, known))))
        best.append(max(options, key=lambda o: o[:3]))
    out: list[str] = []
    leading = True  # still in the administrative words a name starts with
    i = 0
    for n, phrase in best[-1][3]:
        run = tokens[i : i + n]
        if phrase is not None:
            spelled = phrase.split()
            out.extend(_prefer_written(run, spelled))
            leading = leading and all(fold(w) in single and fold(w) not in levels
                                      for w in spelled)
        else:
            word = _single(run[0], single) if leading else run[0]
            leading = leading and fold(word) in single and fold(word) not in levels
            out.append(word)
        i += n
    return out


def _prefer_written(run: list[str], known: list[str]) -> list[str]:
    """The known spelling, except words already written that way in the other placement;
    a word the run lost (one fewer word than the phrase) is put back as the phrase has it."""
    if len(known) == len(run) + 1:
        k = next((k for k in range(1, len(run)) if fold(run[k]) != fold(known[k])), len(run))
        return [*_prefer_written(run[:k], known[:k]), known[k],
                *_prefer_written(run[k:], known[k + 1 :])]
    return [w if canonical_tones(w) == canonical_tones(k) else k for w, k in zip(run, known,
                                                                                   strict=True)]


def _single(token: str, single: dict[str, str]) -> str:
    key = fold(token)
    if not token.isupper() or not token.isalpha():
        return token
    spelled = single.get(key)
    if spelled is None and key not in syllables() and len(key) >= 3:  # "UÝỶ": a doubled letter
        shorter = {key[:k] + key[k + 1 :] for k in range(len(key))}
        hits = {single[s] for s in shorter if s in single}
        spelled = hits.pop() if len(hits) == 1 else None
    if spelled is None or canonical_tones(spelled) == canonical_tones(token):
        return token
    return spelled
