"""Proper names as evidence: administrative units from the gazetteer, and the address and rank
words before names (phường, quận, ấp, thị xã, đồng chí) or inside them (Nguyễn Thị Lan).

Given a word token and the text after it, `NameHints.find` says which written form each word
of a recognised name (or name word) should prefer; the restorer gives that form NAME_BONUS
nats on top of its other scores, so the language model still has the last word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.restore.gazetteer import PLACES_FILE, load_places

NAME_WORDS_FILE = Path(__file__).with_name("data") / "name_words.tsv"
NAME_BONUS = 3.0
"""Log-score added to the form a name hint prefers (nats)."""
MAX_NAME_WORDS = 5
"""Longest place name matched, in syllables."""
_NEXT_WORD = re.compile(r"[ ]+([^\W\d_]+)")

Key = Callable[[str], str]
"""A token's mark-free lower-case spelling (skeleton, or the OCR channel's reading)."""


def title(word: str) -> bool:
    """Capitalised like a name: Tân, Định (not TÂN, not tân)."""
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


@dataclass(frozen=True)
class NameHints:
    """Place names by key, and the words before (`before`) or inside (`inside`) names."""

    places: dict[str, list[str]]
    before: dict[str, str]
    inside: dict[str, str]

    @classmethod
    def load(cls, places: Path = PLACES_FILE, words: Path = NAME_WORDS_FILE) -> NameHints:
        """Read the gazetteer and the name-word table."""
        before: dict[str, str] = {}
        inside: dict[str, str] = {}
        for line in words.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                key, form, where = line.split("\t")[:3]
                (before if where == "before" else inside)[key] = form
        return cls(load_places(places), before, inside)

    def find(
        self, text: str, start: int, end: int, line_end: int, key_of: Key, after_title: bool
    ) -> dict[int, list[str]]:
        """Preferred forms, by token start, for the word at text[start:end] and the words
        that follow it on its line; empty when it opens no name or name word."""
        words = [(start, text[start:end])]
        position = end
        while len(words) < MAX_NAME_WORDS + 3:
            match = _NEXT_WORD.match(text, position, line_end)
            if match is None:
                break
            words.append((match.start(1), match.group(1)))
            position = match.end()
        keys = [key_of(word) for _, word in words]
        hints: dict[int, list[str]] = {}
        for n in (3, 2, 1):  # an address or rank word, then a capitalised name
            form = self.before.get(" ".join(keys[:n]))
            if form is not None and len(words) > n and title(words[n][1]):
                for (at, _), part in zip(words[:n], form.split(), strict=True):
                    hints[at] = [part]
                hints.update(self._place(words[n:], keys[n:], 1))
                return hints
        if not title(words[0][1]):
            return hints
        form = self.inside.get(keys[0])
        if form is not None and after_title and len(words) > 1 and title(words[1][1]):
            return {start: [form]}
        return self._place(words, keys, 2)

    def _place(
        self, words: list[tuple[int, str]], keys: list[str], shortest: int
    ) -> dict[int, list[str]]:
        """The longest gazetteer name the capitalised words open (at least `shortest` long)."""
        count = 0
        while count < min(len(words), MAX_NAME_WORDS) and title(words[count][1]):
            count += 1
        for n in range(count, shortest - 1, -1):
            names = self.places.get(" ".join(keys[:n]))
            if names:
                return {
                    at: sorted({name.split()[i] for name in names if len(name.split()) == n})
                    for i, (at, _) in enumerate(words[:n])
                }
        return {}
