"""Second-order (trigram) forward-backward decoding over a lattice of candidates.

Every trigram score the lattice can need is computed in one vectorised LM call; the per-position
loop then only does small dense array operations. Posterior marginals give both the choice
(maximum posterior per syllable, which maximises expected syllable accuracy) and its confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.restore.lm import PAD, Floats, Ids, NgramLM

BOS_ID, EOS_ID = 1, 2


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
    """Chosen candidate (index within its position) and its posterior, per position."""

    choice: NDArray[np.int64]
    posterior: Floats


def _framed(lattice: Lattice) -> tuple[Ids, Floats, NDArray[np.int64]]:
    """Prepend PAD and <s>, append </s>, so every real position has a two-word history."""
    ids = np.concatenate([[PAD, BOS_ID], lattice.ids, [EOS_ID]]).astype(np.int32)
    local = np.concatenate([[0.0, 0.0], lattice.local, [0.0]]).astype(np.float32)
    offsets = np.concatenate([[0, 1], lattice.offsets + 2, [lattice.offsets[-1] + 3]])
    return ids, local, offsets


def trigram_scores(lm: NgramLM, ids: Ids, local: Floats, offsets: NDArray[np.int64]) -> Floats:
    """Scores of all (a, b, c) triples for positions 2.., flattened position by position."""
    sizes = np.diff(offsets)
    n = len(sizes)
    ka, kb, kc = sizes[:-2], sizes[1:-1], sizes[2:]
    counts = ka * kb * kc
    starts = np.concatenate([[0], np.cumsum(counts)])
    pos = np.repeat(np.arange(2, n), counts)
    j = np.arange(starts[-1]) - np.repeat(starts[:-1], counts)
    kb_r, kc_r = np.repeat(kb, counts), np.repeat(kc, counts)
    c = j % kc_r
    b = (j // kc_r) % kb_r
    a = j // (kc_r * kb_r)
    u = ids[offsets[pos - 2] + a]
    v = ids[offsets[pos - 1] + b]
    w_index = offsets[pos] + c
    return lm.logprob([u, v], ids[w_index]) + local[w_index]


def decode(lm: NgramLM, lattice: Lattice) -> Decoded:
    """Posterior marginals of every candidate; pick the most probable per position."""
    ids, local, offsets = _framed(lattice)
    sizes = np.diff(offsets)
    n = len(sizes)
    scores = trigram_scores(lm, ids, local, offsets)
    counts = sizes[:-2] * sizes[1:-1] * sizes[2:]
    starts = np.concatenate([[0], np.cumsum(counts)])
    blocks = [
        scores[starts[i] : starts[i + 1]].reshape(sizes[i], sizes[i + 1], sizes[i + 2])
        for i in range(n - 2)
    ]
    # alpha[i]: log mass of paths ending with (b at i+1, c at i+2); beta likewise from the right.
    alphas: list[Floats] = []
    alpha: Floats = np.zeros((1, 1), dtype=np.float32)
    for block in blocks:
        x = alpha[:, :, None] + block
        top = x.max(axis=0)
        alpha = top + np.log(np.exp(x - top).sum(axis=0))
        alphas.append(alpha)
    betas: list[Floats] = [np.zeros_like(alphas[-1])]
    for block in reversed(blocks[1:]):
        # beta over (a, b) from block (a, b, c) and beta (b, c).
        x = block + betas[-1][None, :, :]
        top = x.max(axis=2)
        betas.append(top + np.log(np.exp(x - top[:, :, None]).sum(axis=2)))
    betas.reverse()
    total = float(np.logaddexp.reduce(alphas[-1].ravel()))
    choice = np.zeros(n - 3, dtype=np.int64)
    posterior = np.zeros(n - 3, dtype=np.float32)
    for i in range(n - 3):
        # Real position i sits at framed index i+2 = the "c" of alphas[i].
        joint = alphas[i] + betas[i]
        marginal = np.exp(np.logaddexp.reduce(joint, axis=0) - total)
        choice[i] = int(np.argmax(marginal))
        posterior[i] = marginal[choice[i]]
    return Decoded(choice, np.minimum(posterior, 1.0).astype(np.float32))
