"""OCR error channel learned from (truth, OCR) page pairs: P(OCR token | true syllable).

Learning aligns each rendered page's text with what Tesseract read (character alignment on the
mark-free truth, which keeps positions), then counts character rewrites (Đ→P, ố→6, l→1, ư→w,
a dropped mark) and whole-token rewrites (ủy→ty, tốt→tt). Scoring a candidate is a weighted
edit distance with those learned costs, backed by the token table where it has evidence.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.restore.lexicon import Lexicon
from pipeline.restore.lm import Floats
from pipeline.restore.syllable import apply_case, canonical, case_pattern, skeleton

log = logging.getLogger(__name__)

MIN_CHAR_EVIDENCE = 30
"""Below this many observations of an upper-case truth character, use its lower-case stats."""
NEAR_KEYS, FORMS_PER_KEY = 25, 6
"""Candidate search: closest mark-free spellings, and the most frequent forms of each."""
ADAPT_PRIOR = 20.0
"""Pseudo-counts of the learned confusions when re-estimating them on one document."""
MIN_TABLE_COUNT = 2
"""A whole-token rewrite must be seen this often to be trusted on its own."""
ALT_LOGP, ALTS_PER_CHAR, ALT_KEYS = -5.0, 5, 48
"""Candidate search by the learned confusions: an OCR character may stand for each letter
it is read for with log P >= ALT_LOGP (the 5 likeliest), and a token's 48 likeliest
mark-free spellings so formed are looked up exactly (`caa` -> cua -> của, `Iy` -> ly)."""
DROP_LOGP = -2.0
"""A marked vowel OCR drops this often or more may be put back in a short token (tt -> tốt)."""
SHORT_KEY = 3
NEAR_CACHE_SIZE = 50_000
"""Distinct OCR keys whose nearest spellings are kept (a page has a few hundred)."""


PRIOR_FILE = Path(__file__).with_name("data") / "channel_prior.tsv"


def load_prior(path: Path) -> list[tuple[str, str, float]]:
    """(truth char, OCR char, log P) rows of a prior-confusion file (# lines are notes)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            truth, ocr, logp = line.split("\t")[:3]
            rows.append((truth, ocr, float(logp)))
    return rows


def _page_text(text: str) -> str:
    return " ".join(text.split())


def _core(token: str) -> str:
    """A whitespace token without the punctuation around it."""
    start, end = 0, len(token)
    while start < end and not token[start].isalnum():
        start += 1
    while end > start and not token[end - 1].isalnum():
        end -= 1
    return token[start:end]


@dataclass
class _Counts:
    sub: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    ins: Counter[str] = field(default_factory=Counter)
    ocr_chars: Counter[str] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    truth_tokens: Counter[str] = field(default_factory=Counter)


def _align_page(truth: str, ocr: str, counts: _Counts) -> None:
    """Count character and token rewrites of one page."""
    truth, ocr = _page_text(truth), _page_text(ocr)
    counts.ocr_chars.update(ocr)
    # ocr_at[i]: OCR index aligned with truth char i (or where it would be, for deletions).
    ocr_at = [0] * (len(truth) + 1)
    for op in Levenshtein.opcodes(skeleton(truth), ocr):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag in ("equal", "replace"):
            for k in range(i2 - i1):
                counts.sub[truth[i1 + k]][ocr[j1 + k]] += 1
                ocr_at[i1 + k] = j1 + k
        elif tag == "delete":
            for k in range(i1, i2):
                counts.sub[truth[k]][""] += 1
                ocr_at[k] = j1
        else:
            counts.ins.update(ocr[j1:j2])
    ocr_at[len(truth)] = len(ocr)
    # Token pairs: a truth token whose aligned OCR span is exactly one OCR token.
    ocr_starts = {0} | {j + 1 for j, char in enumerate(ocr) if char == " "}
    ocr_ends = {len(ocr)} | {j for j, char in enumerate(ocr) if char == " "}
    start = 0
    for word in truth.split(" "):
        end = start + len(word)
        j1, j2 = ocr_at[start], ocr_at[end - 1] + 1 if end > start else ocr_at[start]
        core = _core(word)
        if core:
            counts.truth_tokens[core] += 1
            span = ocr[j1:j2]
            if j1 in ocr_starts and j2 in ocr_ends and " " not in span and _core(span):
                counts.pairs[(core, _core(span))] += 1
        start = end + 1


def _pages(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    yield record["truth"], record["ocr"]


def learn_channel(paths: list[Path], lexicon: Lexicon) -> dict[str, object]:
    """Learn the channel from JSONL pair files; returns a JSON-ready dict for `Channel`."""
    counts = _Counts()
    pages = 0
    for truth, ocr in _pages(paths):
        _align_page(truth, ocr, counts)
        pages += 1
    sub = {
        t: {o: round(math.log(n / sum(outs.values())), 3) for o, n in outs.items()}
        for t, outs in counts.sub.items()
        if sum(outs.values()) >= 3
    }
    total_ocr = sum(counts.ocr_chars.values())
    ins = {o: round(math.log(n / total_ocr), 3) for o, n in counts.ins.items() if n >= 2}
    # Characters Tesseract invents (never in truth): dropped when glued to a word.
    junk = sorted(
        o for o, n in counts.ins.items()
        if not o.isalnum() and o != " " and n >= 3 and n >= 0.9 * counts.ocr_chars[o]
    )  # fmt: skip
    # Normalising map for candidate search: OCR char -> most likely mark-free letter.
    votes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for t, outs in counts.sub.items():
        for o, n in outs.items():
            if len(o) == 1:
                votes[o][skeleton(t).lower()] += n
    normal = {
        o: v.most_common(1)[0][0]
        for o, v in votes.items()
        if v.most_common(1)[0][0] != o.lower() and v.most_common(1)[0][0].isalpha()
    }
    # Non-alphanumeric characters that mostly stand for a letter (¢ for ở, ¥ for ý).
    as_letter: Counter[str] = Counter()
    for t, outs in counts.sub.items():
        if t.isalpha():
            as_letter.update({o: n for o, n in outs.items() if len(o) == 1 and not o.isalnum()})
    letterlike = sorted(
        o
        for o, n in as_letter.items()
        if o != " " and n >= 3 and n > counts.ins[o] + counts.sub[o][o]
    )
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for (truth_core, ocr_core), n in counts.pairs.items():
        if n >= MIN_TABLE_COUNT and truth_core != ocr_core:
            form = canonical(truth_core)
            if form in lexicon.index:
                p = n / counts.truth_tokens[truth_core]
                table[ocr_core.lower()][form] = round(math.log(p), 3)
    log.info("channel: %d pages, %d token rewrites, junk %s", pages, len(table), "".join(junk))
    return {
        "pages": pages,
        "sub": sub,
        "ins": ins,
        "junk": junk,
        "letterlike": letterlike,
        "normal": normal,
        "table": table,
    }


@dataclass(eq=False)
class Channel:
    """Learned OCR confusions and the candidate generator built on them."""

    sub: dict[str, dict[str, float]]
    ins: dict[str, float]
    junk: frozenset[str]
    letterlike: str
    normal: dict[str, str]
    table: dict[str, dict[str, float]]
    max_candidates: int = 10
    _spellings: _Spellings | None = field(default=None, repr=False)
    _alternatives: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)
    _dropped: list[str] = field(default_factory=list, repr=False)
    # OCR key -> its nearest mark-free spellings: the search depends on the lexicon alone,
    # so a document's adapted copy shares it (it was ~60% of restoring a page, redone by
    # each page's second, adapted pass)
    _near: dict[str, list[str]] = field(default_factory=dict, repr=False)
    # truth character -> (its OCR outcomes, whether they are its lower case's, deletion cost)
    _rows: dict[str, tuple[dict[str, float], bool, float]] = field(default_factory=dict, repr=False)
    # the OCR token `cost` last scored against, with what every score against it shares
    _against: _Against | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, path: Path, prior: Path | None = PRIOR_FILE) -> Channel:
        """Read a channel written by `learn_channel`, with the `prior` confusions it lacks."""
        data = json.loads(path.read_text(encoding="utf-8"))
        sub: dict[str, dict[str, float]] = data["sub"]
        for truth, ocr, logp in load_prior(prior) if prior is not None else []:
            sub.setdefault(truth, {}).setdefault(ocr, logp)
        return cls(
            sub,
            data["ins"],
            frozenset(data["junk"]),
            "".join(data["letterlike"]),
            data["normal"],
            data["table"],
        )

    def adapted(self, pairs: Counter[tuple[str, str]], prior: float = ADAPT_PRIOR) -> Channel:
        """This channel re-estimated on one document's confident (repaired, as read) pairs,
        each with the number of times it was seen.

        A scan has its own habits (seed 003 reads every Đ as P); counts from the document,
        with the learned probabilities as `prior` pseudo-counts per character, capture them.
        """
        counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for (truth, ocr), seen in pairs.items():
            for op in Levenshtein.opcodes(skeleton(truth), ocr):
                if op.tag in ("equal", "replace"):
                    for k in range(op.src_end - op.src_start):
                        counts[truth[op.src_start + k]][ocr[op.dest_start + k]] += seen
                elif op.tag == "delete":
                    for k in range(op.src_start, op.src_end):
                        counts[truth[k]][""] += seen
        sub = dict(self.sub)
        for truth, outs in counts.items():
            learned = self.sub.get(truth, {})
            total = sum(outs.values()) + prior
            sub[truth] = {
                ocr: round(
                    math.log((outs[ocr] + prior * math.exp(learned.get(ocr, -12.0))) / total), 3
                )
                for ocr in set(outs) | set(learned)
            }
        return replace(
            self, sub=sub, _spellings=self._spellings, _alternatives={}, _dropped=[],
            _near=self._near, _rows={},
        )  # fmt: skip

    def _ins_cost(self, ocr: str) -> float:
        return -self.ins.get(ocr, -12.0)

    def _row(self, truth: str) -> tuple[dict[str, float], bool, float]:
        """What one truth character is read as, found once: its OCR outcomes (those of its
        lower case when it has none, or too few beside a lower case that has them; OCR
        characters are then lowered too), whether they are its lower case's, and the cost
        of deleting it (9 when never seen)."""
        row = self._rows.get(truth)
        if row is None:
            outs = self.sub.get(truth)
            lowered = outs is None or (
                truth.isupper() and truth.lower() in self.sub and len(outs) < 3
            )
            if lowered:
                outs = self.sub.get(truth.lower(), {})
            assert outs is not None
            row = (outs, lowered, -outs[""] if "" in outs else 9.0)
            self._rows[truth] = row
        return row

    @lru_cache(maxsize=1 << 18)  # noqa: B019 - one channel per process, cached on purpose
    def cost(self, truth: str, ocr: str) -> float:
        """-log P(ocr | truth) by weighted edit distance with the learned costs (an unseen
        substitution 12, insertion 12, deletion 9)."""
        against = self._against
        if against is None or against.ocr != ocr:
            against = self._against = _Against(self, ocr)
        inserted = against.inserted
        previous = against.first
        for t in truth:
            substituted, deleted = against.row(t)
            left = previous[0] + deleted
            current = [left]
            for diagonal, above, sub, ins in zip(
                previous, previous[1:], substituted, inserted, strict=False
            ):
                # min(diagonal + sub, above + deleted, left + ins), written out: faster,
                # and the same first smallest
                cell, up, across = diagonal + sub, above + deleted, left + ins
                if up < cell:
                    cell = up
                if across < cell:
                    cell = across
                left = cell
                current.append(left)
            previous = current
        return previous[-1]

    def clean(self, token: str) -> str:
        """Drop characters Tesseract invents (¢, ®, ...) from a token."""
        return "".join(char for char in token if char not in self.junk) or token

    def syllable(self, token: str, lexicon: Lexicon) -> bool:
        """Whether an OCR token spells (up to marks) a Vietnamese syllable."""
        return self.normalise(token) in lexicon.syllable_keys

    def normalise(self, token: str) -> str:
        """Lower-case mark-free guess of what an OCR token spells, for fuzzy lookup."""
        return "".join(self._own_letter(char) for char in token)

    def _own_letter(self, char: str) -> str:
        """The mark-free letter an OCR character most likely stands for."""
        return self.normal.get(char, skeleton(char).lower())

    def candidates(
        self, token: str, lexicon: Lexicon, unigram: Floats, caps_line: bool = False
    ) -> list[tuple[int, float, str]]:
        """(LM id, log P(token | form), output text) for the best forms an OCR token may be."""
        if self._spellings is None:
            self._spellings = _Spellings(lexicon)
        key = self.normalise(token)
        near = self._near.get(key)
        if near is None:
            near = self._spellings.near(key, 1 if len(key) <= 3 else 2)
            if len(self._near) >= NEAR_CACHE_SIZE:
                self._near.clear()
            self._near[key] = near
        source = _case_source(token, caps_line)
        forms: dict[int, None] = {}
        for form in self.table.get(token.lower(), {}):
            forms[lexicon.id_of(form)] = None
        for skeleton_key in [*near, *self.confusable_keys(token, lexicon)]:
            for word_id in lexicon.candidates[skeleton_key][:FORMS_PER_KEY]:
                forms[int(word_id)] = None
        scored = []
        for word_id in forms:
            word = lexicon.words[word_id]
            # A capital I read for l (`Iy` for lý) says nothing of case: write the l small.
            lowered = source[:1] == "I" and word[:1] == "l" and not source.isupper()
            text = apply_case(source.lower() if lowered else source, word)
            channel = -self.cost(text, token)
            rewrite = self.table.get(token.lower(), {}).get(word)
            if rewrite is not None:
                channel = max(channel, rewrite)
            scored.append((channel + float(unigram[word_id]), word_id, channel, text))
        scored.sort(reverse=True)
        return [(w, c, t) for _, w, c, t in scored[: self.max_candidates]]

    def confusable_keys(self, token: str, lexicon: Lexicon) -> list[str]:
        """Mark-free spellings of the lexicon a token may be by its likeliest confusions:
        each character read as a letter it is often read for (`caa` -> cua, `cia` -> cua,
        `Iy` -> ly), and, in a short token, one dropped vowel put back (`tt` -> tot). The
        edit-distance search misses these where a short key has dozens of neighbours."""
        if not self._alternatives:
            self._learn_alternatives()
        beam: list[tuple[float, str]] = [(0.0, "")]
        for char in token:
            options = [(self._own_letter(char), 0.0), *self._alternatives.get(char, [])]
            beam = sorted(
                (cost - logp, key + letter) for cost, key in beam for letter, logp in options
            )[:ALT_KEYS]
        keys = [key for _, key in beam]
        base = keys[0]
        if len(base) <= SHORT_KEY:
            keys += [
                base[:at] + v + base[at:] for at in range(len(base) + 1) for v in self._dropped
            ]
        return [key for key in dict.fromkeys(keys) if key in lexicon.candidates]

    def _learn_alternatives(self) -> None:
        """OCR character -> [(letter, log P(char | letter))], and the vowels OCR drops."""
        found: defaultdict[str, dict[str, float]] = defaultdict(dict)
        dropped: set[str] = set()
        for truth, outs in self.sub.items():
            letter = skeleton(truth).lower()
            if len(letter) != 1 or not letter.isalpha():
                continue
            if outs.get("", -99.0) >= DROP_LOGP and truth.islower():
                dropped.add(letter)
            for ocr, logp in outs.items():
                if len(ocr) == 1 and logp >= ALT_LOGP and letter != self._own_letter(ocr):
                    found[ocr][letter] = max(logp, found[ocr].get(letter, -99.0))
        self._alternatives = {
            ocr: sorted(letters.items(), key=lambda item: -item[1])[:ALTS_PER_CHAR]
            for ocr, letters in found.items()
        }
        self._dropped = sorted(dropped)


class _Spellings:
    """The lexicon's mark-free spellings, sorted, with each one's length and letter set:
    what the search for a key's nearest spellings looks through (one per lexicon; a
    document's adapted channel shares it)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.keys = sorted(key for key in lexicon.candidates if key.isalpha())
        self.lengths = np.array([len(key) for key in self.keys])
        self.letters = np.array([_letter_set(key) for key in self.keys], dtype=np.uint32)
        # (key length, edit limit) -> the spellings whose length is within the limit (no
        # other can be that near), as positions, with their letter sets
        self._within: dict[tuple[int, int], tuple[NDArray[np.intp], NDArray[np.uint32]]] = {}

    def near(self, key: str, limit: int) -> list[str]:
        """The NEAR_KEYS spellings nearest to `key` by edit distance, at most `limit` edits
        away, nearest first (ties in their sorted order)."""
        within = self._within.get((len(key), limit))
        if within is None:
            at = np.flatnonzero(np.abs(self.lengths - len(key)) <= limit)
            within = self._within[(len(key), limit)] = (at, self.letters[at])
        at, letters = within
        # An edit takes at most one letter out of a word's set of letters and puts at most
        # one in, so a spelling within `limit` edits has at most 2 * limit letters that the
        # key lacks or the key has and it lacks. Only those are scored, in their order: the
        # same answer as scoring all, ~5x faster.
        differ = np.bitwise_count(letters ^ np.uint32(_letter_set(key)))
        chosen = [self.keys[i] for i in at[differ <= 2 * limit].tolist()]
        found = process.extract(
            key, chosen, scorer=Levenshtein.distance, score_cutoff=limit, limit=NEAR_KEYS
        )
        return [k for k, _, _ in found]


def _letter_set(text: str) -> int:
    """The letters of a text as bits (a-z one each, any other character one of 6 shared
    bits: sharing a bit can only make two sets look closer)."""
    bits = 0
    for char in set(text):
        code = ord(char) - 97
        bits |= 1 << (code if 0 <= code < 26 else 26 + ord(char) % 6)
    return bits


class _Against:
    """What scoring forms against one OCR token shares: its insertion costs, the first row
    of the edit distance, and each truth character's substitution costs along it (a
    token's ~90 candidate forms are scored one after another, from a few dozen letters)."""

    def __init__(self, channel: Channel, ocr: str) -> None:
        self.channel = channel
        self.ocr = ocr
        self.inserted = [channel._ins_cost(o) for o in ocr]
        self.first = [0.0]
        for cost in self.inserted:
            self.first.append(self.first[-1] + cost)
        self._rows: dict[str, tuple[list[float], float]] = {}

    def row(self, truth: str) -> tuple[list[float], float]:
        """A truth character's cost of being read as each OCR character, and of being
        dropped."""
        found = self._rows.get(truth)
        if found is None:
            outs, lowered, deleted = self.channel._row(truth)
            chars = [o.lower() for o in self.ocr] if lowered else list(self.ocr)
            found = ([-outs[o] if o in outs else 12.0 for o in chars], deleted)
            self._rows[truth] = found
        return found


def _case_source(token: str, caps_line: bool) -> str:
    """OCR case noise is not evidence: cAc, TrưỜng count as lower or Title, and so does a
    short all-capital token (BO for Bộ, where ộ was read as O) on a line in lower case."""
    pattern = case_pattern(token)
    if pattern == "mixed" or (pattern == "upper" and not caps_line and len(token) <= 3):
        return token[0] + token[1:].lower()
    return token
