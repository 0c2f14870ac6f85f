"""Building a restoration model directory from text files (and optional OCR pairs).

One function, `build_model`, is behind both `sohoa train-lm` and `scripts/train_lm.py`, so
an archive can train on its own clean documents the same way the shipped model was built.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np

from pipeline.restore.channel import learn_channel
from pipeline.restore.corpus import is_heldout, open_text
from pipeline.restore.kn import TrainedLM, estimate, mix
from pipeline.restore.lexicon import Lexicon, build_vocabulary, hunspell_syllables
from pipeline.restore.lm import Ids
from pipeline.restore.symbols import mine as mine_symbols
from pipeline.restore.tokens import lm_forms

log = logging.getLogger(__name__)

LM_FILE, VOCAB_FILE, META_FILE = "lm.npz", "vocab.txt", "meta.json"
CHANNEL_FILE, SYMBOLS_FILE = "channel.json", "symbols.txt"


@dataclass(frozen=True)
class TrainSpec:
    """What to train on: in-domain files (weighted), general files, and how."""

    in_domain: list[Path]
    general: list[Path] = field(default_factory=list)
    boost: list[Path] = field(default_factory=list)
    """Small, closest-to-target files (clean seed reports), repeated `boost_times` in-domain."""
    boost_times: int = 5
    in_domain_weight: float = 0.3
    order: int = 3
    min_count: int = 2
    drop_heldout: bool = False
    """Leave out the fixed evaluation slice (every 50th line) of the in-domain files."""
    pairs: list[Path] = field(default_factory=list)


def training_lines(paths: list[Path], drop_heldout: bool) -> Iterator[str]:
    """Lines of the files, without the held-out slice when asked."""
    for path in paths:
        for index, line in enumerate(open_text(path)):
            if not (drop_heldout and is_heldout(index)):
                yield line


def read_forms(paths: list[Path], drop_heldout: bool) -> list[list[str]]:
    """LM forms of every non-empty line of the files."""
    lines = [forms for line in training_lines(paths, drop_heldout) if (forms := lm_forms(line))]
    log.info("read %s: %d lines", ", ".join(p.name for p in paths), len(lines))
    return lines


def encode(lines: list[list[str]], lexicon: Lexicon, times: int = 1) -> Ids:
    """One id stream, each line as <s> ... </s>, unknown forms as <unk>."""
    index = lexicon.index
    stream: list[int] = []
    for forms in lines:
        ids = [1, *(index.get(form, 0) for form in forms), 2]
        for _ in range(times):
            stream.extend(ids)
    return np.array(stream, dtype=np.int32)


def build_model(spec: TrainSpec, out: Path) -> dict[str, object]:
    """Train vocabulary, language model (and channel, if pairs are given) into `out`."""
    started = time.monotonic()
    in_domain = read_forms(spec.in_domain, spec.drop_heldout)
    boost = read_forms(spec.boost, False)
    general = read_forms(spec.general, False)
    counts: Counter[str] = Counter()
    for group, times in ((in_domain, 1), (boost, spec.boost_times), (general, 1)):
        for forms in group:
            for form in forms:
                counts[form] += times
    lexicon = build_vocabulary(counts, hunspell_syllables())
    log.info("vocabulary: %d forms", len(lexicon.words))
    vocab_size = len(lexicon.words)
    local = np.concatenate([encode(in_domain, lexicon), encode(boost, lexicon, spec.boost_times)])
    models: list[TrainedLM] = [estimate(local, spec.order, vocab_size, spec.min_count)]
    weights = [1.0]
    if general:
        models.append(estimate(encode(general, lexicon), spec.order, vocab_size, spec.min_count))
        weights = [spec.in_domain_weight, 1.0 - spec.in_domain_weight]
    trained = mix(models, weights) if len(models) > 1 else models[0]
    out.mkdir(parents=True, exist_ok=True)
    symbols = mine_symbols(
        chain(training_lines(spec.in_domain, spec.drop_heldout), training_lines(spec.boost, False))
    )
    (out / SYMBOLS_FILE).write_text("\n".join(sorted(symbols)) + "\n", encoding="utf-8")
    trained.lm.save(out / LM_FILE)
    lexicon.save(out / VOCAB_FILE)
    meta: dict[str, object] = {
        "order": spec.order,
        "vocabulary": vocab_size,
        "ngrams": trained.lm.size(),
        "in_domain": [p.name for p in spec.in_domain],
        "general": [p.name for p in spec.general],
        "boost": [p.name for p in spec.boost],
        "boost_times": spec.boost_times,
        "in_domain_weight": spec.in_domain_weight,
        "min_count": spec.min_count,
        "drop_heldout": spec.drop_heldout,
        "syllables": int(sum(len(f) for f in in_domain) + sum(len(f) for f in general)),
        "seconds": round(time.monotonic() - started, 1),
    }
    if spec.pairs:
        channel = learn_channel(spec.pairs, lexicon)
        (out / CHANNEL_FILE).write_text(json.dumps(channel, ensure_ascii=False), encoding="utf-8")
        meta["pairs"] = [p.name for p in spec.pairs]
    (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    log.info("model written to %s in %.0fs", out, time.monotonic() - started)
    return meta
