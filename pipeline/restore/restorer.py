"""`Restorer`: the public entry point that repairs a text with the trained model.

A text becomes one lattice (each word token with its candidates, everything else fixed), is
decoded once, and only the word tokens whose choice differs from the input are rewritten in
place, so spacing, punctuation, numbers and line structure are kept exactly.
"""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.errors import BadArgumentsError, ModelError
from pipeline.restore.build import LM_FILE, META_FILE, VOCAB_FILE
from pipeline.restore.decoder import Lattice, decode
from pipeline.restore.lexicon import Lexicon
from pipeline.restore.lm import NgramLM
from pipeline.restore.modes import LineMode, classify_lines
from pipeline.restore.syllable import apply_case, canonical, compose, parse, skeleton
from pipeline.restore.tokens import NUM, Token, tokenize

log = logging.getLogger(__name__)

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "restore"
MODES = ("auto", "stripped", "ocr")


@dataclass(frozen=True)
class RestoreResult:
    """Repaired text with its confidence; spans are (start, end, text, confidence) in `text`."""

    text: str
    confidence: float
    low_confidence_spans: list[tuple[int, int, str, float]]
    changed: int


@dataclass(frozen=True)
class Settings:
    """Decoding knobs; defaults were tuned on held-in data (see docs/restore.md)."""

    max_candidates: int = 8
    keep_penalty: float = 9.0
    """Log-score cost of changing a syllable on a line that already looks correct."""
    threshold: float = 0.6
    """Syllables with a posterior below this are reported as low-confidence spans."""
    style: str = "old"


class Restorer:
    """Diacritic restoration and OCR correction with one loaded model (cache the instance)."""

    def __init__(self, lm: NgramLM, lexicon: Lexicon, settings: Settings) -> None:
        self.lm = lm
        self.lexicon = lexicon
        self.settings = settings
        self._num_id = lexicon.id_of(NUM)

    @classmethod
    def load(cls, path: Path | None = None, settings: Settings | None = None) -> Restorer:
        """Load a model directory (default: the committed `models/restore/`)."""
        return _load_cached(path or DEFAULT_MODEL, settings or Settings())

    def restore(self, text: str, mode: str = "auto") -> RestoreResult:
        """Repair `text`; mode "auto" decides per line, "stripped" and "ocr" force one kind."""
        if mode not in MODES:
            raise BadArgumentsError(f"unknown restore mode {mode!r}; use one of {MODES}")
        text = unicodedata.normalize("NFC", text)
        tokens = tokenize(text)
        line_modes = classify_lines(text, tokens, self.lexicon, mode)
        positions: list[list[int]] = []
        scores: list[list[float]] = []
        forms: list[list[str]] = []
        word_index: list[int] = []
        for token_index, (token, line_mode) in enumerate(zip(tokens, line_modes, strict=True)):
            ids, local, texts = self._candidates(token, line_mode)
            if token.kind in ("word", "mixed"):
                word_index.append(token_index)
            positions.append(ids)
            scores.append(local)
            forms.append(texts)
        if not tokens:
            return RestoreResult(text, 1.0, [], 0)
        decoded = decode(self.lm, Lattice.from_lists(positions, scores))
        return self._assemble(text, tokens, forms, word_index, decoded.choice, decoded.posterior)

    def _candidates(self, token: Token, mode: LineMode) -> tuple[list[int], list[float], list[str]]:
        """Candidate LM ids, local log scores and output strings for one token."""
        if token.kind == "num":
            return [self._num_id], [0.0], [token.text]
        if token.kind == "punct":
            return [self.lexicon.id_of(token.text[:3])], [0.0], [token.text]
        if token.kind == "mixed":
            return [0], [0.0], [token.text]
        own = canonical(token.text)
        own_id = self.lexicon.id_of(own)
        group = self.lexicon.candidates.get(skeleton(own))
        if group is None:
            return [own_id], [0.0], [token.text]
        ids = [int(i) for i in group[: self.settings.max_candidates]]
        if own_id and own_id not in ids:
            ids.append(own_id)
        penalty = self.settings.keep_penalty if mode is LineMode.CLEAN else 0.0
        local = [0.0 if i == own_id else -penalty for i in ids]
        texts = [
            token.text if i == own_id else apply_case(token.text, self._styled(i)) for i in ids
        ]
        return ids, local, texts

    def _styled(self, word_id: int) -> str:
        word = self.lexicon.words[word_id]
        if self.settings.style == "old":
            return word
        parsed = parse(word)
        return compose(parsed, self.settings.style) if parsed is not None else word

    def _assemble(
        self,
        text: str,
        tokens: list[Token],
        forms: list[list[str]],
        word_index: list[int],
        choice: np.ndarray,
        posterior: np.ndarray,
    ) -> RestoreResult:
        """Rewrite chosen forms into the text and map confidences onto the output."""
        pieces: list[str] = []
        spans: list[tuple[int, int, str, float]] = []
        cursor = 0
        out_len = 0
        changed = 0
        confidences = []
        words = set(word_index)
        for index, token in enumerate(tokens):
            chosen = forms[index][int(choice[index])]
            pieces.append(text[cursor : token.start])
            out_len += token.start - cursor
            if index in words:
                confidence = float(posterior[index])
                confidences.append(confidence)
                if chosen != token.text:
                    changed += 1
                if confidence < self.settings.threshold:
                    spans.append((out_len, out_len + len(chosen), chosen, round(confidence, 3)))
            pieces.append(chosen)
            out_len += len(chosen)
            cursor = token.end
        pieces.append(text[cursor:])
        mean = float(np.mean(confidences)) if confidences else 1.0
        return RestoreResult("".join(pieces), mean, spans, changed)


@lru_cache(maxsize=4)
def _load_cached(path: Path, settings: Settings) -> Restorer:
    started = time.monotonic()
    try:
        lm = NgramLM.load(path / LM_FILE)
        lexicon = Lexicon.load(path / VOCAB_FILE)
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, KeyError, ValueError) as error:
        raise ModelError(f"cannot load restoration model from {path}: {error}") from error
    log.info(
        "loaded restoration model %s (%d n-grams) in %.2fs",
        path, meta.get("ngrams", 0), time.monotonic() - started,
    )  # fmt: skip
    return Restorer(lm, lexicon, settings)
