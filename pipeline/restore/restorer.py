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
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.errors import BadArgumentsError, ModelError
from pipeline.restore.build import CHANNEL_FILE, LM_FILE, META_FILE, SYMBOLS_FILE, VOCAB_FILE
from pipeline.restore.channel import Channel
from pipeline.restore.decoder import Lattice, decode
from pipeline.restore.lexicon import Lexicon
from pipeline.restore.lm import NgramLM
from pipeline.restore.modes import LineMode, classify_lines
from pipeline.restore.syllable import apply_case, canonical, compose, parse, skeleton
from pipeline.restore.symbols import KNOWN, Symbols, in_symbol
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
    unknown_char_cost: float = 3.7
    """-log P(spelling | <unk>) per character (about 1/40 per letter)."""
    channel_weight: float = 1.0
    """Scale of log P(OCR token | syllable) against the language model."""


class Restorer:
    """Diacritic restoration and OCR correction with one loaded model (cache the instance)."""

    def __init__(
        self,
        lm: NgramLM,
        lexicon: Lexicon,
        settings: Settings,
        channel: Channel | None = None,
        symbols: Symbols | None = None,
    ) -> None:
        self.lm = lm
        self.lexicon = lexicon
        self.channel = channel
        self.symbols = symbols or Symbols(KNOWN)
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
        letterlike = self.channel.letterlike if self.channel is not None else ""
        tokens: list[Token] = []
        line_modes: list[LineMode] = []
        for start, end, line_mode in classify_lines(text, self.lexicon, mode):
            ocr = line_mode is LineMode.OCR
            for token in tokenize(text[start:end], letterlike if ocr else ""):
                tokens.append(replace(token, start=token.start + start, end=token.end + start))
                line_modes.append(line_mode)
        positions: list[list[int]] = []
        scores: list[list[float]] = []
        forms: list[list[str]] = []
        word_index: list[int] = []
        kept: list[Token] = []
        for token, line_mode in zip(tokens, line_modes, strict=True):
            if line_mode is LineMode.OCR and self._is_junk(text, token):
                continue  # Tesseract's invented marks (¢, ®) glued to a word
            token_index = len(kept)
            kept.append(token)
            ids, local, texts = self._candidates(text, token, line_mode)
            if token.kind in ("word", "mixed") or len(texts) > 1:
                word_index.append(token_index)
            positions.append(ids)
            scores.append(local)
            forms.append(texts)
        if not kept:
            return RestoreResult(text, 1.0, [], 0)
        decoded = decode(self.lm, Lattice.from_lists(positions, scores))
        return self._assemble(text, kept, forms, word_index, decoded.choice, decoded.posterior)

    def _is_junk(self, text: str, token: Token) -> bool:
        """A punctuation run made only of characters OCR invents, glued to a word."""
        if self.channel is None or token.kind != "punct":
            return False
        if not all(char in self.channel.junk for char in token.text):
            return False
        before = text[token.start - 1] if token.start > 0 else " "
        after = text[token.end] if token.end < len(text) else " "
        return before.isalnum() or after.isalnum()

    def _candidates(
        self, text: str, token: Token, mode: LineMode
    ) -> tuple[list[int], list[float], list[str]]:
        """Candidate LM ids, local log scores and output strings for one token."""
        if token.kind == "num" and not (mode is LineMode.OCR and len(token.text) == 1):
            return [self._num_id], [0.0], [token.text]
        letterlike = self.channel.letterlike if self.channel is not None else ""
        standalone = mode is LineMode.OCR and all(char in letterlike for char in token.text)
        if token.kind == "punct" and not standalone:
            return [self.lexicon.id_of(token.text[:3])], [0.0], [token.text]
        if token.kind == "word" and in_symbol(text, token.start, token.end):
            repaired = self.symbols.repair(token.text)
            return [self.lexicon.id_of(repaired.lower())], [0.0], [repaired]
        if mode is LineMode.OCR and self.channel is not None:
            return self._ocr_candidates(text, token)
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

    def _ocr_candidates(self, text: str, token: Token) -> tuple[list[int], list[float], list[str]]:
        """Channel candidates of an OCR token, plus the token itself as read."""
        assert self.channel is not None
        found = self.channel.candidates(
            token.text, self.lexicon, self.lm.unigram_logp, _caps_line(text, token.start)
        )
        weight = self.settings.channel_weight
        ids = [word_id for word_id, _, _ in found]
        local = [weight * score for _, score, _ in found]
        texts = [self._styled_text(token.text, form) for _, _, form in found]
        if token.text not in texts:
            own = {"num": self._num_id, "punct": self.lexicon.id_of(token.text[:3])}.get(
                token.kind, self.lexicon.id_of(canonical(token.text))
            )
            # P(<unk>) covers every unknown string: spell this one out, char by char.
            spelling = self.settings.unknown_char_cost * len(token.text) if own == 0 else 0.0
            ids.append(own)
            local.append(-weight * self.channel.cost(token.text, token.text) - spelling)
            texts.append(token.text)
        return ids, local, texts

    def _styled_text(self, source: str, form: str) -> str:
        """A candidate written in the output tone style, keeping the source's case."""
        if self.settings.style == "old":
            return form
        parsed = parse(form.lower())
        return apply_case(source, compose(parsed, self.settings.style)) if parsed else form

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


def _caps_line(text: str, position: int) -> bool:
    """Whether the line around `position` is written in capitals (a heading)."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    letters = [char for char in text[start : end if end >= 0 else len(text)] if char.isalpha()]
    return sum(char.isupper() for char in letters) > 0.6 * len(letters)


@lru_cache(maxsize=4)
def _load_cached(path: Path, settings: Settings) -> Restorer:
    started = time.monotonic()
    try:
        lm = NgramLM.load(path / LM_FILE)
        lexicon = Lexicon.load(path / VOCAB_FILE)
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, KeyError, ValueError) as error:
        raise ModelError(f"cannot load restoration model from {path}: {error}") from error
    channel_path = path / CHANNEL_FILE
    channel = Channel.load(channel_path) if channel_path.exists() else None
    symbols_path = path / SYMBOLS_FILE
    mined = symbols_path.read_text(encoding="utf-8").split() if symbols_path.exists() else []
    log.info(
        "loaded restoration model %s (%d n-grams) in %.2fs",
        path, meta.get("ngrams", 0), time.monotonic() - started,
    )  # fmt: skip
    return Restorer(lm, lexicon, settings, channel, Symbols([*KNOWN, *mined]))
