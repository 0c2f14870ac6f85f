"""Training: interpolated modified Kneser-Ney n-gram estimation, pruning and static mixing.

Everything is numpy over id columns, so a 17 M-syllable corpus trains in minutes. Models
over the same vocabulary can be mixed (legal+seeds above Wikipedia), which beat pooling the
text in the prototype; the mixture is folded back into one backoff model so decoding pays
for one lookup, not two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pipeline.restore.lm import Ids, Keys, NgramLM, Table, ngram_keys

log = logging.getLogger(__name__)

BOS_ID, EOS_ID = 1, 2


@dataclass
class Counted:
    """Unique n-grams of one order: id columns, hash keys (sorted), raw and adjusted counts."""

    columns: list[Ids]
    keys: Keys
    raw: NDArray[np.int64]
    adjusted: NDArray[np.int64]


@dataclass
class TrainedLM:
    """A model plus the id columns of its n-grams, which mixing and pruning need."""

    lm: NgramLM
    columns: list[list[Ids]]
    """columns[k]: id columns of lm.tables[k], aligned with its keys."""


def count_ngrams(stream: Ids, order: int) -> list[Counted]:
    """Count n-grams of orders 2..order in a stream of ids where each line is <s> ... </s>."""
    result: list[Counted] = []
    length = len(stream)
    for n in range(2, order + 1):
        cols = [stream[i : length - n + 1 + i] for i in range(n)]
        valid = np.ones(length - n + 1, dtype=bool)
        for i in range(n - 1):
            valid &= cols[i] != EOS_ID
        for i in range(1, n):
            valid &= cols[i] != BOS_ID
        cols = [col[valid] for col in cols]
        keys = ngram_keys(cols)
        keys, first, raw = np.unique(keys, return_index=True, return_counts=True)
        result.append(Counted([col[first] for col in cols], keys, raw, raw.copy()))
        log.info("order %d: %d distinct", n, len(keys))
    # Lower orders use continuation counts, except n-grams that start with <s>.
    for index in range(len(result) - 1):
        lower, higher = result[index], result[index + 1]
        suffix, continuation = np.unique(ngram_keys(higher.columns[1:]), return_counts=True)
        pos = np.searchsorted(lower.keys, suffix)
        adjusted = np.zeros(len(lower.keys), dtype=np.int64)
        adjusted[pos] = continuation
        starts = lower.columns[0] == BOS_ID
        lower.adjusted = np.where(starts, lower.raw, adjusted)
    return result


def _discounts(counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """Modified Kneser-Ney discounts D(0)=0, D1, D2, D3+ from counts-of-counts."""
    n = [max(int(np.sum(counts == k)), 1) for k in (1, 2, 3, 4)]
    y = n[0] / (n[0] + 2 * n[1])
    d = [0.0, 1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]]
    return np.array([min(max(x, 0.05), k) if k else 0.0 for k, x in enumerate(d)])


def _unigram_counts(stream: Ids, bigrams: Counted, vocab_size: int) -> NDArray[np.int64]:
    """Continuation counts of words (distinct left neighbours); <s> is never predicted."""
    adjusted = np.bincount(bigrams.columns[1], minlength=vocab_size).astype(np.int64)
    adjusted[BOS_ID] = 0
    return adjusted


def estimate(stream: Ids, order: int, vocab_size: int, min_count: int = 2) -> TrainedLM:
    """Interpolated modified Kneser-Ney; highest-order n-grams seen < min_count times pruned."""
    counted = count_ngrams(stream, order)
    adjusted1 = _unigram_counts(stream, counted[0], vocab_size)
    d = _discounts(adjusted1[adjusted1 > 0])
    total = adjusted1.sum()
    classes = np.minimum(adjusted1, 3)
    gamma0 = (
        d[1] * np.sum(classes == 1) + d[2] * np.sum(classes == 2) + d[3] * np.sum(classes == 3)
    ) / total
    p1 = np.maximum(adjusted1 - d[classes], 0) / total + gamma0 / vocab_size
    unigram_logp = np.log(p1).astype(np.float32)
    unigram_backoff = np.zeros(vocab_size, dtype=np.float32)
    lm = NgramLM(order, unigram_logp, unigram_backoff, [])
    columns: list[list[Ids]] = []
    for level in counted:
        d = _discounts(level.adjusted)
        history = ngram_keys(level.columns[:-1])
        hist_keys, inverse = np.unique(history, return_inverse=True)
        classes = np.minimum(level.adjusted, 3)
        denominator = np.bincount(inverse, weights=level.adjusted.astype(np.float64))
        mass = np.bincount(inverse, weights=d[classes])
        gamma = mass / denominator
        lower = np.exp(lm.logprob(level.columns[1:-1], level.columns[-1]).astype(np.float64))
        prob = (level.adjusted - d[classes]) / denominator[inverse] + gamma[inverse] * lower
        table = Table(level.keys, np.log(prob).astype(np.float32), np.zeros(len(prob), np.float32))
        _set_backoff(lm, len(level.columns) - 1, hist_keys, level.columns[:-1], inverse, gamma)
        lm.tables.append(table)
        columns.append(level.columns)
    trained = TrainedLM(lm, columns)
    if min_count > 1:
        keep = counted[-1].raw >= min_count
        prune_top(trained, keep)
    return trained


def _set_backoff(
    lm: NgramLM, hist_order: int, hist_keys: Keys, hist_columns: list[Ids],
    inverse: NDArray[np.int64], gamma: NDArray[np.float64],
) -> None:  # fmt: skip
    """Store log gamma(h) on the history n-grams h (order hist_order)."""
    if hist_order == 1:
        first = np.zeros(len(hist_keys), dtype=np.int64)
        first[inverse] = np.arange(len(inverse))
        lm.unigram_backoff[hist_columns[0][first]] = np.log(gamma)
        return
    table = lm.tables[hist_order - 2]
    found, pos = table.lookup(hist_keys)
    table.backoff[pos[found]] = np.log(gamma[found])


def _renormalise(trained: TrainedLM, index: int) -> None:
    """Recompute backoff weights of the histories of tables[index] so each sums to one."""
    lm = trained.lm
    cols = trained.columns[index]
    table = lm.tables[index]
    hist_keys, inverse = np.unique(ngram_keys(cols[:-1]), return_inverse=True)
    seen = np.bincount(inverse, weights=np.exp(table.logp.astype(np.float64)))
    lower = np.exp(lm.logprob(cols[1:-1], cols[-1]).astype(np.float64))
    seen_lower = np.bincount(inverse, weights=lower)
    gamma = np.clip(1.0 - seen, 1e-9, None) / np.clip(1.0 - seen_lower, 1e-9, None)
    if index == 0:
        lm.unigram_backoff[:] = 0.0
    else:
        lm.tables[index - 1].backoff[:] = 0.0
    _set_backoff(lm, len(cols) - 1, hist_keys, cols[:-1], inverse, gamma)


def prune_top(trained: TrainedLM, keep: NDArray[np.bool_]) -> None:
    """Drop highest-order n-grams where `keep` is False and renormalise their histories."""
    index = len(trained.lm.tables) - 1
    table = trained.lm.tables[index]
    trained.lm.tables[index] = Table(table.keys[keep], table.logp[keep], table.backoff[keep])
    trained.columns[index] = [col[keep] for col in trained.columns[index]]
    _renormalise(trained, index)
    log.info("pruned order %d to %d n-grams", index + 2, int(keep.sum()))


def mix(models: list[TrainedLM], weights: list[float]) -> TrainedLM:
    """Static linear interpolation of models over one vocabulary, as one backoff model."""
    first = models[0].lm
    p1 = sum(
        w * np.exp(m.lm.unigram_logp.astype(np.float64))
        for m, w in zip(models, weights, strict=True)
    )
    lm = NgramLM(first.order, np.log(p1).astype(np.float32), np.zeros_like(first.unigram_logp), [])
    mixed = TrainedLM(lm, [])
    for index in range(first.order - 1):
        keys = np.concatenate([m.lm.tables[index].keys for m in models])
        cols = [np.concatenate([m.columns[index][k] for m in models]) for k in range(index + 2)]
        keys, first_pos = np.unique(keys, return_index=True)
        cols = [col[first_pos] for col in cols]
        prob = sum(
            w * np.exp(m.lm.logprob(cols[:-1], cols[-1]).astype(np.float64))
            for m, w in zip(models, weights, strict=True)
        )
        lm.tables.append(
            Table(keys, np.log(prob).astype(np.float32), np.zeros(len(keys), np.float32))
        )
        mixed.columns.append(cols)
        _renormalise(mixed, index)
    return mixed
