"""Proper names as evidence: administrative units from the gazetteer, the address and rank
words before names (phường, quận, ấp, thị xã, đồng chí) or inside them (Nguyễn Thị Lan), and
personal names: a family name (data/surnames.txt) then middle and given names, whose common
spellings come from their counts in Wikipedia and in a list of modern names
(data/person_names.tsv): `Nguyen Trong Nam` is `Nguyễn Trọng Nam`, not `Trong Năm`, and
`Nguyen Ngoc Cuong` is `Cường` (Wikipedia alone, mostly historical people, said `Cương`).
A personal name is only looked for where one is expected: a line that is nothing but a name
(the signer's) and after đồng chí, ông, bà.

Given a word token and the text after it, `NameHints.find` says which written form each word
of a recognised name (or name word) should prefer; the restorer gives that form NAME_BONUS
nats on top of its other scores, so the language model still has the last word.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline.restore.gazetteer import PLACES_FILE, load_places
from pipeline.restore.syllable import canonical, skeleton

NAME_WORDS_FILE = Path(__file__).with_name("data") / "name_words.tsv"
SURNAMES_FILE = Path(__file__).with_name("data") / "surnames.txt"
PERSON_NAMES_FILE = Path(__file__).with_name("data") / "person_names.tsv"
NAME_SHARE = 0.05
"""A middle or given name's spelling is hinted when it is this common against the commonest
spelling of the same letters in that role; each hinted spelling gets PERSON_BONUS plus the log
of that ratio (Nam 640, Năm 9 as given names: Năm gets nothing)."""
PERSON_WORDS = frozenset({"đồng chí", "ông", "bà"})
"""Words before a personal name, not a place."""
MAX_PERSON_WORDS = 4
WOMAN_KEY = "thi"
"""A middle name spelt `thi` (Thị) marks a woman's name: its given name is looked up among
the given names of such names (role `given_thi`: `Hà Thị Lê Vân`, not `Văn`)."""
NAME_BONUS = 3.0
"""Log-score added to the form a name hint prefers (nats)."""
PERSON_BONUS = 5.0
"""Log-score of the commonest spelling of a middle or given name in a personal name (tried
3, 5, 8 on 40 generated train-split documents, marks stripped: signer names 30, 30, 31 right;
26 without personal names)."""
SHARE_WEIGHT = 6.0
"""Weight of that log ratio: in a name, the name's spelling counts, not how common the word
is (Kiên/Kiến). Tried 1, 3, 6, 10, 20 on 80 generated train-split documents, marks stripped:
signer names 61, 66, 71, 71, 71 right."""
SURNAME_BONUS = 6.0
"""The same for the family name that opens a personal name where one is expected (`Trương`
over `Trường`, which the language model prefers by far)."""
MAX_NAME_WORDS = 5
"""Longest place name matched, in syllables."""
_NEXT_WORD = re.compile(r"[ ]+([^\W\d_]+)")

Key = Callable[[str], str]
"""A token's mark-free lower-case spelling (skeleton, or the OCR channel's reading)."""


@dataclass(frozen=True)
class Hint:
    """Preferred spellings of one word and the log-score each gets; with `only`, the word is
    written as one of them (a middle or given name, a family name: a name line's `Nam` is
    not `năm`, whatever the language model says)."""

    forms: dict[str, float]
    only: bool = False


def title(word: str) -> bool:
    """Capitalised like a name: Tân, Định (not TÂN, not tân)."""
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


@dataclass(frozen=True)
class NameHints:
    """Place names by key, and the words before (`before`) or inside (`inside`) names."""

    places: dict[str, list[str]]
    before: dict[str, str]
    inside: dict[str, str]
    surnames: dict[str, list[str]] = field(default_factory=dict)
    """Family names by key."""
    roles: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    """"family", "middle", "given" and "given_thi" (the given names of women's names): the
    common spellings of each key in that role, with bonuses."""

    @classmethod
    def load(cls, places: Path = PLACES_FILE, words: Path = NAME_WORDS_FILE) -> NameHints:
        """Read the gazetteer, the name-word table and the personal-name tables."""
        before: dict[str, str] = {}
        inside: dict[str, str] = {}
        for line in _rows(words):
            key, form, where = line.split("\t")[:3]
            (before if where == "before" else inside)[key] = form
        by_letters: dict[str, list[str]] = defaultdict(list)
        for name in surnames():
            by_letters[skeleton(name).lower()].append(name)
        roles = {
            role: {key: _bonuses(forms, role) for key, forms in by_key.items()}
            for role, by_key in person_name_counts().items()
        }
        return cls(load_places(places), before, inside, dict(by_letters), roles)

    def find(
        self, text: str, start: int, end: int, line_end: int, key_of: Key, after_title: bool
    ) -> dict[int, Hint]:
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
        hints: dict[int, Hint] = {}
        for n in (3, 2, 1):  # an address or rank word, then a capitalised name
            form = self.before.get(" ".join(keys[:n]))
            if form is not None and len(words) > n and title(words[n][1]):
                for (at, _), part in zip(words[:n], form.split(), strict=True):
                    hints[at] = Hint({part: NAME_BONUS})
                if form in PERSON_WORDS:
                    hints.update(self._person(words[n:], keys[n:]))
                else:
                    hints.update(self._place(words[n:], keys[n:], 1))
                return hints
        if not title(words[0][1]):
            return hints
        if (
            len(words) <= MAX_PERSON_WORDS
            and _opens_line(text, start)
            and not text[position:line_end].strip()
        ):  # a line that is only capitalised words: a name (the signer's), or a place
            person = self._person(words, keys)
            if person:
                return person
        form = self.inside.get(keys[0])
        if form is not None and after_title and len(words) > 1 and title(words[1][1]):
            return {start: Hint({form: NAME_BONUS})}
        return self._place(words, keys, 2)

    def _person(self, words: list[tuple[int, str]], keys: list[str]) -> dict[int, Hint]:
        """Spellings for a personal name: a family name, then up to three capitalised words
        (middle names, and the given name last); empty when the words are no such name."""
        count = 0
        while count < min(len(words), MAX_PERSON_WORDS) and title(words[count][1]):
            count += 1
        if count < 2 or keys[0] not in self.surnames or " ".join(keys[:count]) in self.places:
            return {}
        family = self.roles.get("family", {}).get(keys[0])
        family_forms = family or dict.fromkeys(self.surnames[keys[0]], SURNAME_BONUS)
        hints = {words[0][0]: Hint(family_forms, True)}
        woman = WOMAN_KEY in keys[1 : count - 1]
        for i in range(1, count):
            role = "middle" if i < count - 1 else "given_thi" if woman else "given"
            forms = self.roles.get(role, {}).get(keys[i])
            if forms is None and role == "given_thi":
                forms = self.roles.get("given", {}).get(keys[i])
            if forms:
                hints[words[i][0]] = Hint(forms, True)
        return hints

    def _place(
        self, words: list[tuple[int, str]], keys: list[str], shortest: int
    ) -> dict[int, Hint]:
        """The longest gazetteer name the capitalised words open (at least `shortest` long)."""
        count = 0
        while count < min(len(words), MAX_NAME_WORDS) and title(words[count][1]):
            count += 1
        for n in range(count, shortest - 1, -1):
            names = self.places.get(" ".join(keys[:n]))
            if names:
                return {
                    at: Hint(
                        dict.fromkeys(
                            sorted({name.split()[i] for name in names if len(name.split()) == n}),
                            NAME_BONUS,
                        )
                    )
                    for i, (at, _) in enumerate(words[:n])
                }
        return {}


def _opens_line(text: str, start: int) -> bool:
    """Only spaces between the line's start and `start` (looked at back to the first other
    character, not the whole line: a long line would make this quadratic)."""
    at = start - 1
    while at >= 0 and text[at] in " \t":
        at -= 1
    return at < 0 or text[at] == "\n"


def _bonuses(counts: dict[str, int], role: str) -> dict[str, float]:
    """A bonus plus the weighted log share against the commonest spelling, for the common
    ones (Trịnh over Trình as a family name)."""
    top = max(counts.values())
    base = SURNAME_BONUS if role == "family" else PERSON_BONUS
    return {
        form: base + SHARE_WEIGHT * math.log(n / top)
        for form, n in counts.items()
        if n >= NAME_SHARE * top
    }


@cache
def person_name_counts() -> dict[str, dict[str, dict[str, int]]]:
    """Role ("family", "middle", "given", "given_thi") -> mark-free key -> spelling -> in
    how many personal names it stands in that role (data/person_names.tsv)."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for line in _rows(PERSON_NAMES_FILE):
        role, spelling, count = line.split("\t")
        # Thủy and Thuỷ are one name in two tone placements: counted apart, they were
        # two hints that each gave the same candidate a bonus (given_thi Thúy 28 + Thuý 9
        # against Thủy 26 + Thuỷ 4 made Thúy win by 5 nats instead of 1).
        form = canonical(spelling).capitalize()
        by_form = counts[role][skeleton(form).lower()]
        by_form[form] = by_form.get(form, 0) + int(count)
    return {role: dict(by_key) for role, by_key in counts.items()}


def surnames() -> list[str]:
    """The family names of data/surnames.txt, as names spell them, commonest first."""
    return [line.strip() for line in _rows(SURNAMES_FILE)]


def _rows(path: Path) -> list[str]:
    """The non-comment, non-empty lines of a data file (none when it is absent)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
