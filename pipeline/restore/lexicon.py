"""Vocabulary and candidate lexicon: which written forms a mark-free token can stand for.

The vocabulary holds canonical lower-case forms (valid syllables from hunspell-vi and the
corpus, plus attested non-syllables such as "qđ" or "covid"); a token's candidates are the
vocabulary forms sharing its skeleton, most frequent first, so `QD` can become `QĐ`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pipeline.restore.syllable import canonical, parse, skeleton
from pipeline.restore.tokens import SPECIALS

HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")


@dataclass
class Lexicon:
    """Vocabulary (id -> canonical form) and skeleton -> candidate ids, best first."""

    words: list[str]
    index: dict[str, int] = field(init=False)
    candidates: dict[str, NDArray[np.int32]] = field(init=False)
    is_syllable: NDArray[np.bool_] = field(init=False)
    syllable_keys: frozenset[str] = field(init=False)
    """Skeletons of the Vietnamese syllables (not of abbreviations or stray letters)."""

    def __post_init__(self) -> None:
        self.index = {word: i for i, word in enumerate(self.words)}
        keys = _skeletons(self.words)
        groups: dict[str, list[int]] = {}
        for i in range(len(SPECIALS), len(keys)):
            groups.setdefault(keys[i], []).append(i)
        # Words are stored most frequent first, so each group is already ranked.
        self.candidates = {key: np.array(ids, dtype=np.int32) for key, ids in groups.items()}
        syllables = [parse(word) is not None for word in self.words]
        self.is_syllable = np.array(syllables)
        self.syllable_keys = frozenset(key for key, ok in zip(keys, syllables, strict=True) if ok)

    def id_of(self, form: str) -> int:
        """Id of a canonical form, 0 (<unk>) when unknown."""
        return self.index.get(form, 0)

    def save(self, path: Path) -> None:
        """One form per line, in id order."""
        path.write_text("\n".join(self.words) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read a vocabulary written by `save`."""
        return cls(path.read_text(encoding="utf-8").rstrip("\n").split("\n"))


def _skeletons(words: list[str]) -> list[str]:
    """Each word's skeleton, in one pass over the joined words (a character's skeleton
    does not depend on its neighbours, and no word holds a newline but in odd input)."""
    keys = skeleton("\n".join(words)).split("\n")
    return keys if len(keys) == len(words) else [skeleton(word) for word in words]


def hunspell_syllables(path: Path = HUNSPELL_DIC) -> set[str]:
    """Valid syllables of Debian's hunspell-vi (empty set if the package is missing)."""
    if not path.exists():
        return set()
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        word = canonical(unicodedata.normalize("NFC", line.split("/")[0]))
        if parse(word) is not None:
            words.add(word)
    return words


def build_vocabulary(
    counts: Counter[str],
    syllables: Iterable[str],
    syllable_floor: int = 3,
    other_floor: int = 5,
    max_size: int = 1 << 20,
) -> Lexicon:
    """Specials, then words by frequency: known syllables, attested syllables, other tokens."""
    known = set(syllables)
    chosen = []
    for word, count in counts.most_common():
        if word in SPECIALS or not word:
            continue
        if word in known:
            chosen.append(word)
        elif parse(word) is not None:
            if count >= syllable_floor:
                chosen.append(word)
        elif count >= other_floor:
            chosen.append(word)
    chosen_set = set(chosen)
    chosen.extend(sorted(known - chosen_set))
    return Lexicon(list(SPECIALS) + chosen[: max_size - len(SPECIALS)])
