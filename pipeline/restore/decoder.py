"""Second-order (trigram) forward-backward decoding over a lattice of candidates.

Every trigram score the lattice can need is computed in one vectorised LM call; the per-position
loop then only does small dense array operations. Posterior marginals give both the choice
(maximum posterior per syllable, which maximises expected syllable accuracy) and its confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.restore.lm import _SEED as _SEED_KEY
from pipeline.restore.lm import PAD, Floats, Ids, NgramLM, extend_keys

BOS_ID, EOS_ID = 1, 2
ONE = np.ones((1, 1))
ONE_MARGINAL = np.ones(1)


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
        sizes = np.array([len(c) for c in ids], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        flat_ids = np.fromiter((i for c in ids for i in c), dtype=np.int32, count=int(offsets[-1]))
        flat_local = np.fromiter(
            (s for c in local for s in c), dtype=np.float32, count=int(offsets[-1])
        )
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
    # Triples (a at i-2, b at i-1, c at i) for i >= 2: index their two pairs.
    ka, kb, kc = sizes[:-2], sizes[1:-1], sizes[2:]
    counts = ka * kb * kc
    starts = np.concatenate([[0], np.cumsum(counts)])
    pos = np.repeat(np.arange(2, len(sizes)), counts)
    j = np.arange(starts[-1]) - np.repeat(starts[:-1], counts)
    kb_r, kc_r = np.repeat(kb, counts), np.repeat(kc, counts)
    c = j % kc_r
    b = (j // kc_r) % kb_r
    a = j // (kc_r * kb_r)
    pair_ab = p_starts[pos - 2] + a * kb_r + b
    pair_bc = p_starts[pos - 1] + b * kc_r + c
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
    starts = np.concatenate([[0], np.cumsum(counts)])
    blocks = [
        probs[starts[i] : starts[i + 1]].reshape(sizes[i], sizes[i + 1], sizes[i + 2])
        for i in range(n - 2)
    ]
    # alphas[t]: mass of paths ending with (b at t+1, c at t+2); betas[t] the mass after them.
    alphas: list[NDArray[np.float64]] = []
    alpha = np.ones((1, 1))
    for block in blocks:
        if block.size == 1:  # three single-candidate positions: nothing to sum
            alpha = ONE
        else:
            alpha = (alpha[:, :, None] * block).sum(axis=0)
            alpha /= alpha.sum()
        alphas.append(alpha)
    beta = np.ones_like(alphas[-1])
    betas = [beta]
    for block in reversed(blocks[1:]):
        if block.size == 1:
            beta = ONE
        else:
            beta = (block * beta[None, :, :]).sum(axis=2)
            beta /= beta.sum()
        betas.append(beta)
    betas.reverse()
    choice = np.zeros(n - 3, dtype=np.int64)
    posterior = np.ones(n - 3, dtype=np.float32)
    marginals = []
    for i in range(n - 3):
        if sizes[i + 2] == 1:  # one candidate: chosen, posterior 1
            marginals.append(ONE_MARGINAL)
            continue
        marginal = (alphas[i] * betas[i]).sum(axis=0)
        marginal /= marginal.sum()
        best = int(marginal.argmax())
        choice[i] = best
        posterior[i] = marginal[best]
        marginals.append(marginal)
    return Decoded(choice, posterior, np.concatenate(marginals) if marginals else np.zeros(0))
