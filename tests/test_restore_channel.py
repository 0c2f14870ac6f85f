"""The OCR channel's fast paths give exactly what the plain definitions give."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.restore import Restorer
from pipeline.restore.channel import NEAR_KEYS, Channel, _Spellings


@pytest.fixture(scope="module")
def channel() -> Channel:
    found = Restorer.load().channel
    assert found is not None
    return found


def _plain_cost(channel: Channel, truth: str, ocr: str) -> float:
    """Weighted edit distance, each cost looked up where it is used."""

    def substituted(t: str, o: str) -> float:
        outs = channel.sub.get(t)
        if outs is None or (t.isupper() and t.lower() in channel.sub and len(outs) < 3):
            outs, o = channel.sub.get(t.lower(), {}), o.lower()
        return -outs[o] if o in outs else (12.0 if o else 9.0)

    previous = [0.0]
    for o in ocr:
        previous.append(previous[-1] - channel.ins.get(o, -12.0))
    for t in truth:
        current = [previous[0] + substituted(t, "")]
        for j, o in enumerate(ocr, start=1):
            current.append(
                min(
                    previous[j - 1] + substituted(t, o),
                    previous[j] + substituted(t, ""),
                    current[j - 1] - channel.ins.get(o, -12.0),
                )
            )
        previous = current
    return previous[-1]


PAIRS = [
    ("Đảng", "Pang"), ("ĐẢNG", "PANG"), ("của", "cua"), ("người", "ngudi"), ("tốt", "tt"),
    ("Quyết", "Quyêt"), ("", "abc"), ("việc", ""), ("HĐND", "HDND"), ("lý", "Iy"),
    ("ủy", "ty"), ("İ", "i"), ("thư", "thu"),
]  # fmt: skip


@pytest.mark.parametrize(("truth", "ocr"), PAIRS)
def test_cost_is_the_plain_edit_distance(channel: Channel, truth: str, ocr: str) -> None:
    assert channel.cost(truth, ocr) == _plain_cost(channel, truth, ocr)
    adapted = channel.adapted(Counter({("Đảng", "Pang"): 9, ("của", "cua"): 4}))
    assert adapted.cost(truth, ocr) == _plain_cost(adapted, truth, ocr)


def test_cost_is_the_plain_edit_distance_token_after_token(channel: Channel) -> None:
    """`cost` keeps what it shares between forms scored against one OCR token: forms and
    tokens in any order, upper case and letters without statistics, give the plain sums."""
    rng = random.Random(7)
    words = ["Đảng", "của", "người", "tốt", "Quyết", "ĐỊNH", "lý", "ủy", "thư", "việc", "İ", ""]
    reads = ["Pang", "cua", "ngudi", "tt", "Iy", "ty", "thu", "QUYÊT", "c0ng", "", "İi", "¢ó"]
    adapted = channel.adapted(Counter({("Đảng", "Pang"): 9}))
    for _ in range(600):
        scorer = rng.choice([channel, adapted])
        truth, ocr = rng.choice(words), rng.choice(reads)
        scorer.cost.cache_clear()
        assert scorer.cost(truth, ocr) == _plain_cost(scorer, truth, ocr), (truth, ocr)


@pytest.mark.parametrize("token", ["tnh", "hanh", "nguoi", "qd", "chinh", "truong", "xa", "Iy"])
def test_candidates_are_those_of_the_whole_search(channel: Channel, token: str) -> None:
    restorer = Restorer.load()
    lexicon, unigram = restorer.lexicon, restorer.lm.unigram_logp
    found = channel.candidates(token, lexicon, unigram)
    key = channel.normalise(token)
    limit = 1 if len(key) <= 3 else 2
    skeletons = sorted(k for k in lexicon.candidates if k.isalpha())
    whole = process.extract(
        key, skeletons, scorer=Levenshtein.distance, score_cutoff=limit, limit=NEAR_KEYS
    )
    assert channel._near[key] == [k for k, _, _ in whole]
    adapted = channel.adapted(Counter({("Đảng", "Pang"): 9}))
    assert adapted._near is channel._near  # the adapted copy searches no key again
    assert channel.candidates(token, lexicon, unigram) == found


def test_near_spellings_are_those_of_scoring_all(channel: Channel) -> None:
    """The letter-set test drops no spelling the edit distance would keep: the same keys
    in the same order on lexicon spellings with a letter changed, dropped or added, and on
    keys with digits and letters outside a-z."""
    lexicon = Restorer.load().lexicon
    spellings = _Spellings(lexicon)
    skeletons = sorted(k for k in lexicon.candidates if k.isalpha())
    assert spellings.keys == skeletons
    rng = random.Random(13)
    keys = ["", "a", "qd", "tnh", "nguoi", "truong", "c0ng", "hoa-", "ßaç", "xxxxxxxxx"]
    for word in rng.sample(skeletons, 300):
        at = rng.randrange(len(word))
        letter = rng.choice("aeioudghnt1")
        keys += [word[:at] + letter + word[at + 1 :], word[:at] + word[at + 1 :], word + letter]
    for key in keys:
        limit = 1 if len(key) <= 3 else 2
        within = [k for k in skeletons if abs(len(k) - len(key)) <= limit]
        whole = process.extract(
            key, within, scorer=Levenshtein.distance, score_cutoff=limit, limit=NEAR_KEYS
        )
        assert spellings.near(key, limit) == [k for k, _, _ in whole], key
