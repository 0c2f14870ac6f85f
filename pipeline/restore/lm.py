"""Syllable n-gram language model: compact backoff tables and vectorised scoring.

An n-gram is stored by a 64-bit hash of its ids in a sorted array per order, with its
log-probability and (for lower orders) its backoff weight quantised to int16 (1/1000 nat).
Scoring a whole lattice at once is a few `np.searchsorted` calls, which is what makes the
decoder fast; a plain dict of tuples would be 20x slower and 10x larger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

Ids = NDArray[np.int32]
Keys = NDArray[np.uint64]
Floats = NDArray[np.float32]

QUANT = 1000.0
"""Log-probabilities are stored as round(-logp * QUANT) in int16."""
PAD = -1
"""Id of the history slot before <s>: never stored, so lookups fall back to lower orders."""

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SEED = np.uint64(0x9E3779B97F4A7C15)


def _mix64(x: Keys) -> Keys:
    """splitmix64 finaliser: spreads ids so sorted hash keys are uniform."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def extend_keys(prefix: Keys, column: Ids) -> Keys:
    """Keys of n-grams made by appending `column` to n-grams with keys `prefix`."""
    with np.errstate(over="ignore"):
        return _mix64(prefix ^ (column.astype(np.int64).astype(np.uint64) + _SEED))


def ngram_keys(columns: list[Ids]) -> Keys:
    """Hash n-grams given as one id array per position (all the same length)."""
    key = np.full(len(columns[0]), _SEED, dtype=np.uint64)
    for column in columns:
        key = extend_keys(key, column)
    return key


@dataclass
class Table:
    """One order's n-grams: sorted hash keys, log-probabilities and backoff weights (nats).

    `starts` indexes the keys by their top bits (about one key per bucket), so a lookup is one
    or two vectorised probes instead of a 22-step binary search: the decoder's hot path.
    """

    keys: Keys
    logp: Floats
    backoff: Floats
    starts: NDArray[np.int64] = field(init=False, repr=False)
    shift: np.uint64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        bits = max(int(np.ceil(np.log2(max(len(self.keys), 2)))), 1)
        self.shift = np.uint64(64 - bits)
        buckets = (self.keys >> self.shift).astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(np.bincount(buckets, minlength=1 << bits))])

    def lookup(self, keys: Keys) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
        """Which keys are present, and their positions (valid where present)."""
        buckets = (keys >> self.shift).astype(np.int64)
        pos = self.starts[buckets]
        end = self.starts[buckets + 1]
        found = np.zeros(len(keys), dtype=bool)
        active = np.flatnonzero(pos < end)
        while active.size:
            probe = pos[active]
            stored = self.keys[probe]
            wanted = keys[active]
            found[active[stored == wanted]] = True
            # Keys inside a bucket are sorted: stop once past the wanted key.
            active = active[(stored < wanted) & (probe + 1 < end[active])]
            pos[active] += 1
        return found, np.minimum(pos, max(len(self.keys) - 1, 0))


@dataclass
class NgramLM:
    """Backoff n-gram model over a fixed vocabulary; tables[0] is the unigram (by id)."""

    order: int
    unigram_logp: Floats
    unigram_backoff: Floats
    tables: list[Table]
    """tables[k] holds the (k+2)-grams."""

    def logprob(self, history: list[Ids], word: Ids) -> Floats:
        """log P(word | history) for many queries; history columns oldest first, PAD allowed."""
        history = history[-(self.order - 1) :] if self.order > 1 else []
        result = self.unigram_logp[word].astype(np.float32)
        # Walk from the unigram up: result holds log P(word | shortest history so far).
        for size in range(1, len(history) + 1):
            context = history[-size:]
            table = self.tables[size - 1]
            found, pos = table.lookup(ngram_keys([*context, word]))
            if size == 1:
                ctx_bo = np.where(context[0] >= 0, self.unigram_backoff[context[0]], 0.0)
            else:
                ctx_found, ctx_pos = self.tables[size - 2].lookup(ngram_keys(context))
                ctx_bo = np.where(ctx_found, self.tables[size - 2].backoff[ctx_pos], 0.0)
            result = np.where(found, table.logp[pos], result + ctx_bo).astype(np.float32)
        return result

    def size(self) -> int:
        """Number of stored n-grams of order 2 and above."""
        return sum(len(table.keys) for table in self.tables)

    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz with int16-quantised values."""
        arrays: dict[str, np.ndarray] = {
            "order": np.array([self.order]),
            "unigram_logp": _quantise(self.unigram_logp),
            "unigram_backoff": _quantise(self.unigram_backoff),
        }
        for index, table in enumerate(self.tables):
            arrays[f"keys{index}"] = table.keys
            arrays[f"logp{index}"] = _quantise(table.logp)
            if index < len(self.tables) - 1:
                arrays[f"backoff{index}"] = _quantise(table.backoff)
        np.savez_compressed(path, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: Path) -> NgramLM:
        """Read a model written by `save`."""
        with np.load(path) as data:
            order = int(data["order"][0])
            tables = []
            for index in range(order - 1):
                logp = _dequantise(data[f"logp{index}"])
                name = f"backoff{index}"
                backoff = _dequantise(data[name]) if name in data else np.zeros_like(logp)
                tables.append(Table(data[f"keys{index}"], logp, backoff))
            return cls(
                order,
                _dequantise(data["unigram_logp"]),
                _dequantise(data["unigram_backoff"]),
                tables,
            )


def _quantise(values: Floats) -> NDArray[np.int16]:
    return np.clip(np.round(-values * QUANT), -32768, 32767).astype(np.int16)


def _dequantise(values: NDArray[np.int16]) -> Floats:
    return (values.astype(np.float32) / np.float32(-QUANT)).astype(np.float32)
