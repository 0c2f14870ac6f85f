"""The document as its own evidence: how a word is written elsewhere in the same document,
next to the same word, decides between spellings the trigram cannot tell apart.

A Party report repeats its vocabulary (`chi bộ` thirty times, `cấp ủy` twenty). With marks
stripped, the trigram reads `sinh hoat chi bo` as `sinh hoạt chỉ bộ`: two words back,
`sinh hoạt chỉ` is likelier. Everywhere else in the report `chi bo` is `chi bộ`. After the
decoder has given every candidate its posterior, each word's posteriors are counted by the
mark-free pair it forms with the next word and with the word before; a stripped word is then
re-chosen by its posterior times, for each side, the share its spelling has among the other
occurrences of that pair in the document (a cache model over word pairs), and, with a
smaller weight, the share it has among all occurrences of the word (`ủy` in a Party report).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

Key = tuple[str, str, bool]
"""(this word's key, the neighbour's key, neighbour is the next word); the neighbour's key
is "" for the word alone."""
SURE = 0.999
"""A word whose best posterior reaches this is not re-chosen (it saves the time of most
words; flipping one would need a pair seen hundreds of times the other way)."""
MIN_MASS = 1e-3
"""Posterior mass below this is not counted."""


class CacheWord(NamedTuple):
    """One word of the document: its mark-free key, its candidates' ids and posteriors, and
    whether it may be re-chosen (`open`: a stripped word with several candidates whose best
    posterior is under SURE; correct and OCR words only give evidence)."""

    key: str | None
    ids: Sequence[int]
    marginals: Sequence[float]
    open: bool


@dataclass
class DocumentCache:
    """Soft counts of each spelling (word id) by mark-free word pair."""

    weight: float
    """Exponent of the shares (0: the cache changes nothing)."""
    smoothing: float
    """Pseudo-occurrences of the word's own posterior in each share (little evidence, little
    change)."""
    unigram_weight: float = 0.0
    """Exponent of the word's share among all its occurrences (0: pairs only)."""
    counts: dict[Key, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    totals: dict[Key, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, runs: Sequence[Sequence[CacheWord]]) -> None:
        """Count runs of consecutive words (a neighbour is None at a run's edges). Only the
        pairs an uncertain stripped word of these runs (or of earlier ones) asks about are
        counted: most words are sure, and counting every pair cost a tenth of the time."""
        wanted = self.counts.keys() | {
            key
            for words in runs
            for at, word in enumerate(words)
            if word.open
            for key in self._keys(words, at)
        }
        asked = {key[0] for key in wanted}
        for words in runs:
            for at, word in enumerate(words):
                if word.key not in asked:
                    continue
                for key in self._keys(words, at):
                    if key not in wanted:
                        continue
                    table = self.counts[key]
                    for word_id, mass in zip(word.ids, word.marginals, strict=True):
                        if mass > MIN_MASS:
                            table[word_id] = table.get(word_id, 0.0) + mass
                    self.totals[key] += 1.0

    def choose(self, words: Sequence[CacheWord], at: int) -> int:
        """Index of the candidate to write for words[at] (its best posterior, re-weighed)."""
        word = words[at]
        marginals = word.marginals
        if not word.open or self.weight == 0.0:
            return max(range(len(marginals)), key=marginals.__getitem__)
        scores = [math.log(max(mass, 1e-12)) for mass in marginals]
        for key in self._keys(words, at):
            others = self.totals.get(key, 0.0) - 1.0  # this word's own count left out
            if others < 0.5:
                continue
            weight = self.unigram_weight if key[1] == "" else self.weight
            table = self.counts[key]
            for index, (word_id, mass) in enumerate(zip(word.ids, marginals, strict=True)):
                elsewhere = max(table.get(word_id, 0.0) - mass, 0.0)
                share = (elsewhere + self.smoothing * mass) / (others + self.smoothing)
                scores[index] += weight * math.log(max(share, 1e-12))
        return max(range(len(scores)), key=scores.__getitem__)

    def _keys(self, words: Sequence[CacheWord], at: int) -> list[Key]:
        key = words[at].key
        if key is None:
            return []
        keys: list[Key] = [(key, "", False)] if self.unigram_weight else []
        if at > 0 and (before := words[at - 1].key) is not None:
            keys.append((key, before, False))
        if at + 1 < len(words) and (after := words[at + 1].key) is not None:
            keys.append((key, after, True))
        return keys
