"""The decoder's posteriors against every path of small lattices, summed one by one."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from pipeline.restore import Restorer
from pipeline.restore.decoder import BOS_ID, EOS_ID, Lattice, decode
from pipeline.restore.lm import PAD


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.load()


def path_marginals(
    restorer: Restorer, ids: list[list[int]], local: list[list[float]]
) -> list[float]:
    """Each candidate's posterior by enumerating every path: log P(w | two before) from the
    model's own n-gram lookup, plus the candidates' local scores, and </s> at the end."""
    lm = restorer.lm
    totals = [[0.0] * len(c) for c in ids]
    for path in itertools.product(*(range(len(c)) for c in ids)):
        words = [PAD, BOS_ID, *(ids[i][k] for i, k in enumerate(path)), EOS_ID]
        columns = [np.array(words[j : len(words) - 2 + j], dtype=np.int32) for j in range(3)]
        score = float(lm.logprob(columns[:2], columns[2]).sum())
        score += sum(local[i][k] for i, k in enumerate(path))
        for i, k in enumerate(path):
            totals[i][k] += math.exp(score)
    return [mass / sum(row) for row in totals for mass in row]


@pytest.mark.parametrize("seed", range(6))
def test_posteriors_equal_those_of_every_path(restorer: Restorer, seed: int) -> None:
    rng = np.random.default_rng(seed)
    words = ["của", "cua", "cửa", "chi", "bộ", "bổ", "đảng", "đang", "ủy", "ban", ",", "năm"]
    vocab = [restorer.lexicon.id_of(word) for word in words]
    sizes = rng.integers(1, 4, size=int(rng.integers(1, 7)))
    ids = [list(rng.choice(vocab, size=int(k), replace=False)) for k in sizes]
    local = [list(rng.normal(0.0, 2.0, size=int(k))) for k in sizes]
    decoded = decode(restorer.lm, Lattice.from_lists(ids, local))
    expected = path_marginals(restorer, ids, local)
    assert np.allclose(decoded.marginals, expected, rtol=1e-4, atol=1e-6)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for i, (start, end) in enumerate(itertools.pairwise(starts)):
        assert decoded.choice[i] == int(np.argmax(expected[start:end]))
        assert decoded.posterior[i] == pytest.approx(max(expected[start:end]), rel=1e-4)
