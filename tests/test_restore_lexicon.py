"""The lexicon's tables, built in bulk, are the per-word definitions."""

from __future__ import annotations

import pytest

from pipeline.restore import Restorer
from pipeline.restore.lexicon import Lexicon
from pipeline.restore.syllable import parse, skeleton
from pipeline.restore.tokens import SPECIALS


@pytest.mark.parametrize("odd", [[], ["Đồng\ný", "QĐ"], ["\n"]])
def test_tables_are_the_per_word_definitions(odd: list[str]) -> None:
    words = [*Restorer.load().lexicon.words[:3000], *odd]
    lexicon = Lexicon(words)
    groups: dict[str, list[int]] = {}
    for i, word in enumerate(words[len(SPECIALS) :], start=len(SPECIALS)):
        groups.setdefault(skeleton(word), []).append(i)
    assert list(lexicon.candidates) == list(groups)
    assert all(lexicon.candidates[key].tolist() == ids for key, ids in groups.items())
    assert lexicon.is_syllable.tolist() == [parse(word) is not None for word in words]
    assert lexicon.syllable_keys == {skeleton(w) for w in words if parse(w) is not None}
