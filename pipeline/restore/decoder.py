"""Second-order (trigram) forward-backward decoding over a lattice of candidates.

Every trigram score the lattice can need is computed in one vectorised LM call; the per-position
loop then only does small dense array operations. Posterior marginals give both the choice
(maximum posterior per syllable, which maximises expected syllable accuracy) and its confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
from numpy.typing import NDArray

from pipeline.restore.lm import _SEED as _SEED_KEY
from pipeline.restore.lm import PAD, Floats, Ids, NgramLM, extend_keys

BOS_ID, EOS_ID = 1, 2
ONE = np.ones((1, 1))
_add = np.add.reduce


@dataclass(frozen=True)
class Lattice:
    """Candidates per position, flattened: ids[offsets[i]:offsets[i+1]] belong to position i."""

    ids: Ids
    local: Floats
    """Log score of each candidate on its own (channel and prior)."""
    offsets: NDArray[np.int64]

    @classmethod
    def from_lists(cls, ids: list[list[int]], local: list[list[float]]) -> Lattice:
        """Build from per-position lists."""
        sizes = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        count = int(offsets[-1])
        flat_ids = np.fromiter(chain.from_iterable(ids), dtype=np.int32, count=count)
        flat_local = np.fromiter(chain.from_iterable(local), dtype=np.float32, count=count)
        return cls(flat_ids, flat_local, offsets)


@dataclass(frozen=True)
class Decoded:
    """Chosen candidate (index within its position) and its posterior, per position, and
    every candidate's posterior (flattened like the lattice's ids)."""

    choice: NDArray[np.int64]
    posterior: Floats
    marginals: NDArray[np.float64]


def _framed(
    lattice: Lattice, history: tuple[int, int] | None = None
) -> tuple[Ids, Floats, NDArray[np.int64]]:
    """Prepend PAD and <s> (or the two words before a window), append </s>, so every real
    position has a two-word history."""
    ids = np.concatenate([list(history or (PAD, BOS_ID)), lattice.ids, [EOS_ID]]).astype(np.int32)
    local = np.concatenate([[0.0, 0.0], lattice.local, [0.0]]).astype(np.float32)
    offsets = np.concatenate([[0, 1], lattice.offsets + 2, [lattice.offsets[-1] + 3]])
    return ids, local, offsets


def _pairs(sizes: NDArray[np.int64], first: int) -> tuple[NDArray[np.int64], ...]:
    """Enumerate (left, right) candidate pairs of positions (i-1, i) for i >= first.

    Returns each pair's position, local left and right indices, and per-position start.
    """
    left, right = sizes[first - 1 : -1], sizes[first:]
    counts = left * right
    starts = np.concatenate([[0], np.cumsum(counts)])
    pos = np.repeat(np.arange(first, len(sizes)), counts)
    j = np.arange(starts[-1]) - np.repeat(starts[:-1], counts)
    k_right = np.repeat(right, counts)
    return pos, j // k_right, j % k_right, starts


def lattice_scores(lm: NgramLM, ids: Ids, local: Floats, offsets: NDArray[np.int64]) -> Floats:
    """log P(c | a b) + local(c) for all triples of positions 2.., flattened per position.

    Bigram pairs are scored once; a trigram is looked up only where its (a, b) context was
    seen, since an unseen context has no trigrams: this cuts the lookups about tenfold.
    """
    sizes = np.diff(offsets)
    bigrams, trigrams = lm.tables[0], lm.tables[1] if lm.order >= 3 else None
    # Pairs (b at i-1, c at i) for i >= 1.
    p_pos, p_b, p_c, p_starts = _pairs(sizes, 1)
    b_ids = ids[offsets[p_pos - 1] + p_b]
    c_flat = offsets[p_pos] + p_c
    c_ids = ids[c_flat]
    pair_keys = extend_keys(extend_keys(np.full(len(b_ids), _SEED_KEY, np.uint64), b_ids), c_ids)
    found2, at2 = bigrams.lookup(pair_keys)
    unigram_bo = np.where(b_ids >= 0, lm.unigram_backoff[b_ids], np.float32(0.0))
    p2 = np.where(found2, bigrams.logp[at2], unigram_bo + lm.unigram_logp[c_ids])
    bo2 = np.where(found2, bigrams.backoff[at2], np.float32(0.0))
    # Triples (a at i-2, b at i-1, c at i) for i >= 2, in order of i, a, b, c: index their
    # two pairs. Each pair (a, b) is followed by the candidates of c in turn; the pairs
    # (b, c) of position i run through once for each a.
    ka, kb, kc = sizes[:-2], sizes[1:-1], sizes[2:]
    counts = ka * kb * kc
    starts = np.concatenate([[0], np.cumsum(counts)])
    with_triples = p_starts[-2]  # the pairs of positions 1 .. n-2
    pair_ab = np.repeat(np.arange(with_triples), sizes[p_pos[:with_triples] + 1])
    block = np.repeat(kb * kc, counts)
    within = np.arange(starts[-1]) - np.repeat(starts[:-1], counts)
    pair_bc = np.repeat(p_starts[1:-1], counts) + within % block
    scores = p2[pair_bc] + bo2[pair_ab]
    if trigrams is not None:
        seen = np.flatnonzero(found2[pair_ab])
        keys = extend_keys(pair_keys[pair_ab[seen]], c_ids[pair_bc[seen]])
        found3, at3 = trigrams.lookup(keys)
        scores[seen[found3]] = trigrams.logp[at3[found3]]
    return (scores + local[c_flat[pair_bc]]).astype(np.float64)


def decode(lm: NgramLM, lattice: Lattice, history: tuple[int, int] | None = None) -> Decoded:
    """Posterior marginals of every candidate; pick the most probable per position.

    `history`: the two words before this lattice when it continues a longer text (a window),
    else the start of a text."""
    ids, local, offsets = _framed(lattice, history)
    sizes = np.diff(offsets)
    n = len(sizes)
    probs = lattice_scores(lm, ids, local, offsets)
    # Scaled probabilities, normalised at every step, instead of log-sum-exp: fewer array ops.
    probs = np.exp(probs - probs.max())
    counts = sizes[:-2] * sizes[1:-1] * sizes[2:]
    starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
    size_list = sizes.tolist()
    blocks = [
        probs[starts[i] : starts[i + 1]].reshape(size_list[i], size_list[i + 1], size_list[i + 2])
        for i in range(n - 2)
    ]
    # alphas[t]: mass of paths ending with (b at t+1, c at t+2); betas[t] the mass after them.
    # The loops run once per token: plain ufunc calls (np.add.reduce), fewest array ops.
    alphas: list[NDArray[np.float64]] = []
    alpha = ONE
    for block in blocks:
        if block.size == 1:  # three single-candidate positions: nothing to sum
            alpha = ONE
        else:
            alpha = _add(alpha[:, :, None] * block, 0)
            alpha /= _add(alpha, None)
        alphas.append(alpha)
    beta = np.ones_like(alphas[-1])
    betas = [beta]
    for block in reversed(blocks[1:]):
        if block.size == 1:
            beta = ONE
        else:
            beta = _add(block * beta[None, :, :], 2)
            beta /= _add(beta, None)
        betas.append(beta)
    betas.reverse()
    return _marginals(alphas, betas, sizes[2:-1], sizes[1:-2] * sizes[2:-1])


def _marginals(
    alphas: list[NDArray[np.float64]],
    betas: list[NDArray[np.float64]],
    sizes: NDArray[np.int64],
    pair_counts: NDArray[np.int64],
) -> Decoded:
    """Each real position's candidate posteriors from its (previous, current) pair masses,
    summed over the previous candidate, all positions in a few whole-array operations
    (a per-position loop made the decoder's most numerous small calls)."""
    m = len(sizes)
    if m == 0:
        return Decoded(np.zeros(0, np.int64), np.ones(0, np.float32), np.zeros(0))
    # pair_counts[i] = (candidates at i-1) * (candidates at i): the size of alphas[i].
    mass = np.concatenate([alpha.ravel() for alpha in alphas[:m]]) * np.concatenate(
        [beta.ravel() for beta in betas[:m]]
    )
    position = np.repeat(np.arange(m), pair_counts)
    pair_starts = np.concatenate([[0], np.cumsum(pair_counts)])
    candidate_starts = np.concatenate([[0], np.cumsum(sizes)])
    target = (
        candidate_starts[position]
        + (np.arange(len(mass)) - pair_starts[position]) % sizes[position]
    )
    marginals: NDArray[np.float64] = np.bincount(
        target, weights=mass, minlength=int(candidate_starts[-1])
    ).astype(np.float64, copy=False)
    owner = np.repeat(np.arange(m), sizes)
    marginals /= np.add.reduceat(marginals, candidate_starts[:-1])[owner]
    single = sizes == 1  # one candidate: chosen, posterior 1
    marginals[single[owner]] = 1.0
    np.nan_to_num(marginals, copy=False)  # an underflowed window: the first candidate
    best = np.maximum.reduceat(marginals, candidate_starts[:-1])
    first = np.flatnonzero(marginals == best[owner])
    first = first[np.concatenate([[True], owner[first][1:] != owner[first][:-1]])]
    choice = first - candidate_starts[:-1]
    return Decoded(choice, best.astype(np.float32), marginals)
