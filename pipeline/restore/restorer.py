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
from pipeline.restore.decoder import Decoded, Lattice, decode
from pipeline.restore.lexicon import Lexicon
from pipeline.restore.lm import NgramLM
from pipeline.restore.modes import CAPS_SHARE, LineMode, classify_lines
from pipeline.restore.syllable import apply_case, canonical, compose, parse, skeleton
from pipeline.restore.symbols import (
    KNOWN,
    Symbols,
    abbreviation,
    in_symbol,
    load_abbreviations,
    slash_abbreviation,
)
from pipeline.restore.tokens import NUM, Token, is_code, tokenize

log = logging.getLogger(__name__)

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "restore"
MODES = ("auto", "stripped", "ocr")
SWAPPED_PUNCTUATION = (",", ".", ";", ":")
OCR_CACHE_SIZE = 200_000
ADAPT_CONFIDENCE = 0.9
ADAPT_MIN_PAIRS = 30
SYMBOL_COST = 6.0
"""Largest channel cost (nats) at which an OCR'd symbol is read as a known one."""


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

    max_candidates: int = 10
    keep_penalty: float = 9.0
    """Log-score cost of changing a syllable on a line that already looks correct."""
    caps_keep_penalty: float = 4.0
    """The same on a line in capitals, where OCR drops the small marks (`PHO BI THƯ`):
    raw OCR of 154 train pages 1.551% -> 1.522% CER; correct seed text unchanged."""
    threshold: float = 0.6
    """Syllables with a posterior below this are reported as low-confidence spans."""
    style: str = "old"
    unknown_char_cost: float = 3.7
    """-log P(spelling | <unk>) per character (about 1/40 per letter)."""
    channel_weight: float = 1.0
    adapt: bool = True
    """Re-estimate the OCR channel on each document after a first pass, then decode again."""
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
        self.abbreviations = frozenset(load_abbreviations())
        self.symbols = symbols or Symbols([*KNOWN, *self.abbreviations])
        self.settings = settings
        self._num_id = lexicon.id_of(NUM)
        self._ocr_cache: dict[tuple[str, bool], list[tuple[int, float, str]]] = {}

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
        slots: list[_Slot] = []
        for start, end, line_mode in classify_lines(text, self.lexicon, mode):
            ocr = line_mode is LineMode.OCR
            caps = _caps_line(text, start)
            tokens = [
                Token(found.start + start, found.end + start, found.text, found.kind)
                for found in tokenize(text[start:end], letterlike if ocr else "")
            ]
            if ocr:
                tokens = self._join_fragments(text, tokens)
            for token in tokens:
                if not (ocr and self._is_junk(text, token)):  # Tesseract's ¢, ® glued to words
                    slots.append(self._slot(text, token, line_mode, caps))
        if not slots:
            return RestoreResult(text, 1.0, [], 0)
        lattice = Lattice.from_lists([s.ids for s in slots], [s.local for s in slots])
        decoded = decode(self.lm, lattice)
        if self.channel is not None and self.settings.adapt and any(s.ocr for s in slots):
            adapted = self._adapted(text, slots, decoded)
            if adapted is not None:
                return adapted.restore(text, mode)
        return self._assemble(text, slots, decoded.choice, decoded.posterior)

    def _adapted(self, text: str, slots: list[_Slot], decoded: Decoded) -> Restorer | None:
        """A restorer whose channel learned this document's confusions from a first pass."""
        assert self.channel is not None
        pairs = []
        for index, slot in enumerate(slots):
            choice = int(decoded.choice[index])
            chosen = self._written(slot, choice)
            if slot.ocr and decoded.posterior[index] >= ADAPT_CONFIDENCE:
                pairs.append((chosen, slot.token.text))
        if len(pairs) < ADAPT_MIN_PAIRS:
            return None
        settings = replace(self.settings, adapt=False)
        channel = self.channel.adapted(pairs)
        return Restorer(self.lm, self.lexicon, settings, channel, self.symbols)

    def _join_fragments(self, text: str, tokens: list[Token]) -> list[Token]:
        """Rejoin a word OCR split at a mark ("vi c" for "việc"): a piece that spells no word,
        one space after a word-like token, when the two together spell one."""
        assert self.channel is not None
        joined: list[Token] = []
        for token in tokens:
            previous = joined[-1] if joined else None
            if (
                previous is not None
                and token.kind in ("word", "mixed")
                and previous.kind in ("word", "mixed")
                and text[previous.end : token.start] == " "
                and not self.channel.syllable(token.text, self.lexicon)
                and self.channel.syllable(previous.text + token.text, self.lexicon)
            ):
                spanned = text[previous.start : token.end]
                joined[-1] = Token(previous.start, token.end, spanned.replace(" ", ""), "mixed")
            else:
                joined.append(token)
        return joined

    def _is_junk(self, text: str, token: Token) -> bool:
        """A punctuation run made only of characters OCR invents, glued to a word."""
        if self.channel is None or token.kind != "punct":
            return False
        if not all(char in self.channel.junk for char in token.text):
            return False
        before = text[token.start - 1] if token.start > 0 else " "
        after = text[token.end] if token.end < len(text) else " "
        return before.isalnum() or after.isalnum()

    def _slot(self, text: str, token: Token, mode: LineMode, caps: bool = False) -> _Slot:
        """The candidates of one token: LM ids, local log scores, how to write each."""
        if token.kind == "num" and not (mode is LineMode.OCR and len(token.text) == 1):
            return _Slot(token, [self._num_id], [0.0], [token.text], False)
        letterlike = self.channel.letterlike if self.channel is not None else ""
        standalone = mode is LineMode.OCR and all(char in letterlike for char in token.text)
        if (
            token.kind == "punct"
            and mode is LineMode.OCR
            and token.text in SWAPPED_PUNCTUATION
            and not _between_digits(text, token)  # 3,66 and 01.003 are numbers and codes
        ):
            return self._punctuation_slot(token)
        if token.kind == "punct" and not standalone:
            return _Slot(token, [self.lexicon.id_of(token.text[:3])], [0.0], [token.text], False)
        if token.kind == "word" and in_symbol(text, token.start, token.end):
            if mode is LineMode.OCR and self.channel is not None:
                repaired = self.symbols.nearest(token.text, self.channel.cost, SYMBOL_COST)
            else:
                repaired = self.symbols.repair(token.text)
            return _Slot(token, [self.lexicon.id_of(repaired.lower())], [0.0], [repaired], True)
        if kept := self._kept(text, token, mode, caps):
            return kept
        if mode is LineMode.OCR and self.channel is not None:
            return self._ocr_slot(text, token)
        if token.kind == "mixed":
            return _Slot(token, [0], [0.0], [token.text], True)
        own = canonical(token.text)
        own_id = self.lexicon.id_of(own)
        group = self.lexicon.candidates.get(skeleton(own))
        if group is None:
            return _Slot(token, [own_id], [0.0], [token.text], True)
        ids = group[: self.settings.max_candidates].tolist()
        if own_id and own_id not in ids:
            ids.append(own_id)
        penalty = 0.0
        if mode is LineMode.CLEAN:
            penalty = self.settings.caps_keep_penalty if caps else self.settings.keep_penalty
        local = [0.0 if i == own_id else -penalty for i in ids]
        return _Slot(token, ids, local, None, True, own_id)

    def _kept(self, text: str, token: Token, mode: LineMode, caps: bool) -> _Slot | None:
        """Abbreviations (HS, ĐT, GD&ĐT, UBND), short letters glued to `/` (t/h, V/v) and
        codes (Vi55) are written as they are; only D may become Đ of a known abbreviation
        where the marks may have been lost (`HDND` -> `HĐND`), never on a correct line."""
        if token.kind not in ("word", "mixed"):
            return None
        if mode is LineMode.OCR and (number := _misread_number(token.text)) is not None:
            return _Slot(token, [self._num_id], [0.0], [number], True)
        if is_code(token):
            return _Slot(token, [0], [0.0], [token.text], True)
        if token.kind == "word" and slash_abbreviation(text, token.start, token.end):
            forms = [token.text]  # no tone mark; only d may be đ (d/c for đ/c) when marks are lost
            if mode is not LineMode.CLEAN and token.text in "dD":
                forms.append("đ" if token.text == "d" else "Đ")
            ids = [self.lexicon.id_of(form.lower()) for form in forms]
            return _Slot(token, ids, [0.0] * len(forms), forms, True)
        if not abbreviation(token.text, self.lexicon.syllable_keys, self.abbreviations, caps):
            return None
        written = token.text if mode is LineMode.CLEAN else self.symbols.repair(token.text)
        word_id = self.lexicon.id_of(canonical(written)) if token.kind == "word" else 0
        return _Slot(token, [word_id], [0.0], [written], True)

    def _ocr_slot(self, text: str, token: Token) -> _Slot:
        """Channel candidates of an OCR token, plus the token itself as read."""
        assert self.channel is not None
        key = (token.text, _caps_line(text, token.start))
        found = self._ocr_cache.get(key)
        if found is None:  # documents repeat their words: search and score each once
            found = self.channel.candidates(token.text, self.lexicon, self.lm.unigram_logp, key[1])
            if len(self._ocr_cache) >= OCR_CACHE_SIZE:
                self._ocr_cache.clear()
            self._ocr_cache[key] = found
        if self.channel.syllable(token.text, self.lexicon):
            # A token that spells a syllable is a word misread, not a unit (em is not cm).
            found = [item for item in found if self.lexicon.is_syllable[item[0]]]
        weight = self.settings.channel_weight
        ids = [word_id for word_id, _, _ in found]
        local = [weight * score for _, score, _ in found]
        texts = [self._styled_text(token.text, form) for _, _, form in found]
        as_read = text[token.start : token.end]  # with the space of a rejoined fragment
        if token.text not in texts:
            own = {"num": self._num_id, "punct": self.lexicon.id_of(token.text[:3])}.get(
                token.kind, self.lexicon.id_of(canonical(token.text))
            )
            # P(<unk>) covers every unknown string: spell this one out, char by char.
            spelling = self.settings.unknown_char_cost * len(token.text) if own == 0 else 0.0
            ids.append(own)
            local.append(-weight * self.channel.cost(token.text, token.text) - spelling)
            texts.append(as_read)
        return _Slot(token, ids, local, texts, True, ocr=True)

    def _punctuation_slot(self, token: Token) -> _Slot:
        """OCR reads , as . and ; as : (and back): let the language model choose."""
        assert self.channel is not None
        marks = list(SWAPPED_PUNCTUATION)
        ids = [self.lexicon.id_of(mark) for mark in marks]
        local = [-self.channel.cost(mark, token.text) for mark in marks]
        return _Slot(token, ids, local, marks, False)

    def _styled_text(self, source: str, form: str) -> str:
        """A candidate written in the output tone style, keeping the source's case."""
        if self.settings.style == "old":
            return form
        parsed = parse(form.lower())
        return apply_case(source, compose(parsed, self.settings.style)) if parsed else form

    def _written(self, slot: _Slot, choice: int) -> str:
        """The output text of a slot's chosen candidate."""
        if slot.texts is not None:
            return slot.texts[choice]
        word_id = slot.ids[choice]
        if word_id == slot.own_id:
            return slot.token.text
        word = self.lexicon.words[word_id]
        parsed = parse(word) if self.settings.style != "old" else None
        return apply_case(slot.token.text, compose(parsed, self.settings.style) if parsed else word)

    def _assemble(
        self, text: str, slots: list[_Slot], choice: np.ndarray, posterior: np.ndarray
    ) -> RestoreResult:
        """Rewrite chosen forms into the text and map confidences onto the output."""
        pieces: list[str] = []
        spans: list[tuple[int, int, str, float]] = []
        cursor = out_len = changed = 0
        confidences = []
        for index, slot in enumerate(slots):
            chosen = self._written(slot, int(choice[index]))
            pieces.append(text[cursor : slot.token.start])
            out_len += slot.token.start - cursor
            if slot.syllable:
                confidence = float(posterior[index])
                confidences.append(confidence)
                changed += chosen != text[slot.token.start : slot.token.end]
                if confidence < self.settings.threshold:
                    spans.append((out_len, out_len + len(chosen), chosen, round(confidence, 3)))
            pieces.append(chosen)
            out_len += len(chosen)
            cursor = slot.token.end
        pieces.append(text[cursor:])
        mean = float(np.mean(confidences)) if confidences else 1.0
        return RestoreResult("".join(pieces), mean, spans, changed)


@dataclass(frozen=True)
class _Slot:
    """One lattice position: a token, its candidates' LM ids and local scores, their texts
    (None: write the chosen word in the token's case, `own_id` meaning "as it was")."""

    token: Token
    ids: list[int]
    local: list[float]
    texts: list[str] | None
    syllable: bool
    """Counts for confidence and `changed` (words, not numbers or punctuation)."""
    own_id: int = -1
    ocr: bool = False
    """Candidates came from the OCR channel."""


DIGIT_LOOKALIKES = {"I": "1", "l": "1", "O": "0", "o": "0"}
"""Letters OCR reads in place of a digit inside a number (I57 for 157, 2O25 for 2025)."""
MIN_NUMBER_DIGITS = 2
"""A token is a misread number only with this many real digits besides the one letter."""


def _misread_number(token: str) -> str | None:
    """The number an OCR token is when one digit came out as a look-alike letter."""
    lookalikes = [char for char in token if char in DIGIT_LOOKALIKES]
    digits = sum(char.isdigit() for char in token)
    if len(lookalikes) != 1 or digits < MIN_NUMBER_DIGITS or digits + 1 != len(token):
        return None
    return "".join(DIGIT_LOOKALIKES.get(char, char) for char in token)


def _between_digits(text: str, token: Token) -> bool:
    """A punctuation token with a digit on each side (a decimal or a code: 3,66, 01.003)."""
    return (
        token.start > 0
        and token.end < len(text)
        and text[token.start - 1].isdigit()
        and text[token.end].isdigit()
    )


def _caps_line(text: str, position: int) -> bool:
    """Whether the line around `position` is written in capitals (a heading)."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    letters = [char for char in text[start : end if end >= 0 else len(text)] if char.isalpha()]
    return sum(char.isupper() for char in letters) > CAPS_SHARE * len(letters)


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
    return Restorer(
        lm, lexicon, settings, channel, Symbols([*KNOWN, *mined, *load_abbreviations()])
    )
