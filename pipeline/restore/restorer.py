"""`Restorer`: the public entry point that repairs a text with the trained model.

A text becomes one lattice (each word token with its candidates, everything else fixed), is
decoded once, and only the word tokens whose choice differs from the input are rewritten in
place, so spacing, punctuation, numbers and line structure are kept exactly.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.errors import BadArgumentsError, ModelError
from pipeline.restore.build import CHANNEL_FILE, LM_FILE, META_FILE, SYMBOLS_FILE, VOCAB_FILE
from pipeline.restore.cache import SURE, CacheWord, DocumentCache
from pipeline.restore.channel import Channel
from pipeline.restore.decoder import BOS_ID, Decoded, Lattice, decode
from pipeline.restore.lexicon import Lexicon
from pipeline.restore.lm import PAD, NgramLM
from pipeline.restore.modes import LineMode, caps_line, classify_lines
from pipeline.restore.names import Hint, NameHints, title
from pipeline.restore.syllable import apply_case, canonical, compose, parse, skeleton
from pipeline.restore.symbols import (
    KNOWN,
    Symbols,
    abbreviation,
    in_symbol,
    load_abbreviations,
    slash_abbreviation,
)
from pipeline.restore.tokens import NUM, Token, is_code, iter_tokens

log = logging.getLogger(__name__)

SOURCE_TREE = Path(__file__).resolve().parents[2]


def default_model(source_tree: Path = SOURCE_TREE) -> Path:
    """Where the shipped model is: $SOHOA_MODEL when set; `models/restore` of the source
    tree in a checkout or an editable install; else where a wheel puts it
    (`share/sohoa/models/restore` under the environment's prefix: pyproject's data-files)."""
    if chosen := os.environ.get("SOHOA_MODEL"):
        return Path(chosen)
    checkout = source_tree / "models" / "restore"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "sohoa" / "models" / "restore"


DEFAULT_MODEL = default_model()

MODES = ("auto", "stripped", "ocr")
SWAPPED_PUNCTUATION = (",", ".", ";", ":")
PUNCTUATION_CONTEXT = Path(__file__).with_name("data") / "punctuation_context.tsv"
"""P(what follows | mark) for the swapped marks (scripts/build_punctuation_context.py)."""
OCR_CACHE_SIZE = 20_000
"""Distinct OCR tokens whose candidates are kept (a page has a few hundred); each entry holds
up to 11 scored candidates, so 200,000 of them could take ~200 MB per restorer."""
ADAPT_CONFIDENCE = 0.9
ADAPT_MIN_PAIRS = 30
WORD_CACHE_SIZE = 50_000
"""Distinct words (with mode and line case) whose candidates are kept; each ~1 KB."""
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
    """Scale of log P(OCR token | syllable) against the language model."""
    adapt: bool = True
    """Re-estimate the OCR channel on each document after a first pass, then decode again."""
    names: bool = True
    """Prefer the gazetteer's place names and address words before names (names.py)."""
    window_slots: int = 400
    """Tokens decoded together at least (see `Restorer._windows`); memory grows with this."""
    max_window_slots: int = 2000
    """A window is cut here even without an exact boundary (issue 14: bounded memory)."""
    cache_weight: float = 1.0
    """Weight of the document's own word pairs in re-choosing a stripped word (cache.py);
    0 turns the cache off."""
    cache_smoothing: float = 1.0
    """Pseudo-occurrences of a word's own posterior in the cache's shares."""
    cache_unigram_weight: float = 0.3
    """Weight of the word's own spelling elsewhere, whatever its neighbours (tried 0, 0.3,
    0.6 on seed 001 and the real dev pages: 98.77/98.08, 98.81/98.18, 98.74/98.18%)."""
    cache_slots: int = 20_000
    """Decoded tokens held back for the cache before they are written (bounded memory)."""
    punctuation_context_weight: float = 0.5
    """Weight of log P(what follows | mark) when OCR's `,` `.` `;` `:` are re-chosen."""
    punctuation_context_floor: float = 0.001
    """Smallest P(what follows | mark) used (`,` ending a paragraph: 0.0002 in the corpus)."""


class Restorer:
    """Diacritic restoration and OCR correction with one loaded model (cache the instance)."""

    def __init__(
        self,
        lm: NgramLM,
        lexicon: Lexicon,
        settings: Settings,
        channel: Channel | None = None,
        symbols: Symbols | None = None,
        names: NameHints | None = None,
    ) -> None:
        self.lm = lm
        self.lexicon = lexicon
        self.channel = channel
        self.abbreviations = frozenset(load_abbreviations())
        self.symbols = symbols or Symbols([*KNOWN, *self.abbreviations])
        self.settings = settings
        self._num_id = lexicon.id_of(NUM)
        self._ocr_cache: dict[tuple[str, bool], list[tuple[int, float, str]]] = {}
        self._word_cache: dict[tuple[str, LineMode, bool], _Slot] = {}
        self.names: NameHints | None = names
        self._name_openers = (
            frozenset(key.split()[0] for key in names.before) if names is not None else frozenset()
        )

    @classmethod
    def load(cls, path: Path | None = None, settings: Settings | None = None) -> Restorer:
        """Load a model directory (default: the committed `models/restore/`)."""
        return _load_cached(path or DEFAULT_MODEL, settings or Settings())

    def restore(self, text: str, mode: str = "auto") -> RestoreResult:
        """Repair `text`; mode "auto" decides per line, "stripped" and "ocr" force one kind."""
        if mode not in MODES:
            raise BadArgumentsError(f"unknown restore mode {mode!r}; use one of {MODES}")
        text = unicodedata.normalize("NFC", text)
        lines = classify_lines(text, self.lexicon, mode)
        adapt = self.channel is not None and self.settings.adapt
        result, pairs = self._run(text, lines, collect=adapt)
        if adapt and pairs.total() >= ADAPT_MIN_PAIRS:
            del result  # the first pass's text is not needed: keep one output in memory
            return self._adapted(pairs)._run(text, lines, collect=False)[0]
        return result

    def _run(
        self, text: str, lines: list[tuple[int, int, LineMode]], collect: bool
    ) -> tuple[RestoreResult, Counter[tuple[str, str]]]:
        """Decode the text window by window; with `collect`, also the confident OCR repairs
        (repaired, as read) that adaptation learns from. With the document cache on, windows
        are held back (up to `cache_slots` tokens) until the cache has counted them."""
        output = _Output()
        pairs: Counter[tuple[str, str]] = Counter()
        history: tuple[int, int] | None = None
        settings = self.settings
        cache = (
            DocumentCache(
                settings.cache_weight, settings.cache_smoothing, settings.cache_unigram_weight
            )
            if settings.cache_weight > 0
            else None
        )
        held: list[tuple[list[_Slot], Decoded]] = []
        held_slots = 0
        for window in self._windows(text, lines):
            lattice = Lattice.from_lists([s.ids for s in window], [s.local for s in window])
            decoded = decode(self.lm, lattice, history)
            if collect:
                choices = decoded.choice.tolist()
                for slot, choice, posterior in zip(window, choices, decoded.posterior, strict=True):
                    if slot.ocr and posterior >= ADAPT_CONFIDENCE:
                        pairs[(self._written(slot, choice), slot.token.text)] += 1
            chosen = [s.ids[int(c)] for s, c in zip(window[-2:], decoded.choice[-2:], strict=True)]
            last = [*(history or (PAD, BOS_ID)), *chosen][-2:]
            history = (last[0], last[1])
            if cache is None:
                choices = decoded.choice.tolist()
                written = [self._written(s, c) for s, c in zip(window, choices, strict=True)]
                output.add(text, window, written, decoded.posterior, settings.threshold)
                continue
            held.append((window, decoded))
            held_slots += len(window)
            if held_slots >= settings.cache_slots:
                self._write_cached(text, held, cache, output)
                held, held_slots = [], 0
        if cache is not None and held:
            self._write_cached(text, held, cache, output)
        return output.result(text), pairs

    def _write_cached(
        self,
        text: str,
        held: list[tuple[list[_Slot], Decoded]],
        cache: DocumentCache,
        output: _Output,
    ) -> None:
        """Count the held windows into the cache, re-choose their stripped words, write them."""
        runs: list[list[CacheWord]] = []
        for window, decoded in held:
            flat = decoded.marginals.tolist()
            sure = (decoded.posterior >= SURE).tolist()
            words: list[CacheWord] = []
            at = 0
            for slot, known in zip(window, sure, strict=True):
                size = len(slot.ids)
                key = (
                    _stripped_key(slot.token.text)
                    if slot.syllable and not slot.ocr and slot.token.kind == "word"
                    else None
                )
                open_ = slot.stripped and size > 1 and not known
                words.append(CacheWord(key, slot.ids, flat[at : at + size], open_))
                at += size
            runs.append(words)
        cache.add(runs)
        for (window, decoded), words in zip(held, runs, strict=True):
            choices = decoded.choice.tolist()
            posterior = decoded.posterior.copy()
            for at, word in enumerate(words):
                if word.open:
                    choices[at] = cache.choose(words, at)
                    posterior[at] = word.marginals[choices[at]]
            written = [self._written(s, c) for s, c in zip(window, choices, strict=True)]
            output.add(text, window, written, posterior, self.settings.threshold)

    def _windows(self, text: str, lines: list[tuple[int, int, LineMode]]) -> Iterator[list[_Slot]]:
        """The text's slots in windows of bounded size (memory grows with the window, not the
        text). A window ends, once it has `window_slots` slots, after two slots with one
        candidate each: a trigram path then passes through one state there, so decoding each
        side on its own gives exactly the posteriors of decoding the whole text. Without such
        a pair within `max_window_slots`, the window is cut there and the next one is decoded
        given this one's last two choices."""
        target, limit = self.settings.window_slots, self.settings.max_window_slots
        window: list[_Slot] = []
        for slot in self._slots(text, lines):
            window.append(slot)
            size = len(window)
            if size >= limit or (
                size >= target and len(window[-1].ids) == 1 and len(window[-2].ids) == 1
            ):
                yield window
                window = []
        if window:
            yield window

    def _slots(self, text: str, lines: list[tuple[int, int, LineMode]]) -> Iterator[_Slot]:
        """Every token's slot, line by line, generated as the decoder needs them."""
        letterlike = self.channel.letterlike if self.channel is not None else ""
        for start, end, line_mode in lines:
            ocr = line_mode is LineMode.OCR
            caps = caps_line(text, start, end)
            tokens = iter_tokens(text, start, end, letterlike if ocr else "")
            if ocr:
                tokens = self._join_fragments(text, tokens)
            hinted = self.names is not None and line_mode is not LineMode.CLEAN and not caps
            pending: dict[int, Hint] = {}
            after_title = False
            for token in tokens:
                if token.kind == "note":  # a footnote marker (viên¹) is copied through
                    continue
                if ocr and self._is_junk(text, token):  # Tesseract's ¢, ® glued to words
                    continue
                hint = None
                if hinted and token.kind == "word":
                    if token.start not in pending:
                        pending.update(self._name_hints(text, token, end, ocr, after_title))
                    hint = pending.pop(token.start, None)
                after_title = token.kind == "word" and title(token.text)
                yield self._slot(text, token, line_mode, caps, hint)

    def _name_hints(
        self, text: str, token: Token, line_end: int, ocr: bool, after_title: bool
    ) -> dict[int, Hint]:
        """Forms a name the token opens prefers (see `names.py`); checked only for tokens
        that can open one: capitalised words and the first words of address words."""
        assert self.names is not None
        key_of = self._ocr_key if ocr else _stripped_key
        if not title(token.text) and key_of(token.text) not in self._name_openers:
            return {}
        return self.names.find(text, token.start, token.end, line_end, key_of, after_title)

    def _ocr_key(self, word: str) -> str:
        assert self.channel is not None
        return self.channel.normalise(word)

    def _adapted(self, pairs: Counter[tuple[str, str]]) -> Restorer:
        """A restorer whose channel learned this document's confusions from a first pass."""
        assert self.channel is not None
        settings = replace(self.settings, adapt=False)
        channel = self.channel.adapted(pairs)
        restorer = Restorer(self.lm, self.lexicon, settings, channel, self.symbols, self.names)
        restorer.abbreviations = self.abbreviations
        restorer._word_cache = self._word_cache  # off OCR lines the channel is not used
        return restorer

    def _join_fragments(self, text: str, tokens: Iterable[Token]) -> Iterator[Token]:
        """Rejoin a word OCR split at a mark ("vi c" for "việc"): a piece that spells no word,
        one space after a word-like token, when the two together spell one."""
        assert self.channel is not None
        previous: Token | None = None
        for token in tokens:
            if (
                previous is not None
                and token.kind in ("word", "mixed")
                and previous.kind in ("word", "mixed")
                and text[previous.end : token.start] == " "
                and not self.channel.syllable(token.text, self.lexicon)
                and self.channel.syllable(previous.text + token.text, self.lexicon)
            ):
                spanned = text[previous.start : token.end]
                previous = Token(previous.start, token.end, spanned.replace(" ", ""), "mixed")
                continue
            if previous is not None:
                yield previous
            previous = token
        if previous is not None:
            yield previous

    def _is_junk(self, text: str, token: Token) -> bool:
        """A punctuation run made only of characters OCR invents, glued to a word."""
        if self.channel is None or token.kind != "punct":
            return False
        if not all(char in self.channel.junk for char in token.text):
            return False
        before = text[token.start - 1] if token.start > 0 else " "
        after = text[token.end] if token.end < len(text) else " "
        return before.isalnum() or after.isalnum()

    def _slot(
        self,
        text: str,
        token: Token,
        mode: LineMode,
        caps: bool = False,
        hint: Hint | None = None,
    ) -> _Slot:
        """The candidates of one token: LM ids, local log scores, how to write each; the
        forms in `hint` (a recognised name) get its bonus."""
        slot = self._candidates(text, token, mode, caps)
        return slot if not hint else self._hinted(slot, hint)

    def _hinted(self, slot: _Slot, hint: Hint) -> _Slot:
        """A slot whose candidates written as a hinted form get the hint's bonus (added if
        absent); the document cache leaves it alone (a name is not the word it spells)."""
        ids, local = list(slot.ids), list(slot.local)
        texts = None if slot.texts is None else list(slot.texts)
        wanted = {canonical(form) for form in hint.forms}
        for form, bonus in hint.forms.items():
            word_id = self.lexicon.id_of(canonical(form))
            if word_id == 0:
                continue
            if word_id not in ids:
                ids.append(word_id)
                cost = (
                    self.channel.cost(form, slot.token.text) if slot.ocr and self.channel else 0.0
                )
                local.append(-cost * self.settings.channel_weight if slot.ocr else min(local))
                if texts is not None:
                    texts.append(apply_case(slot.token.text, form.lower()))
            at = ids.index(word_id)
            local[at] += bonus
        if hint.only:
            keep = [i for i, word_id in enumerate(ids) if self.lexicon.words[word_id] in wanted]
            if keep:
                ids, local = [ids[i] for i in keep], [local[i] for i in keep]
                texts = None if texts is None else [texts[i] for i in keep]
        return replace(slot, ids=ids, local=local, texts=texts, stripped=False)

    def _candidates(self, text: str, token: Token, mode: LineMode, caps: bool) -> _Slot:
        """The candidates of one token: LM ids, local log scores, how to write each. A word
        off OCR lines and outside a symbol (`QD/TW`, `t/h`) has the same candidates wherever
        it stands: found once per spelling, mode and case of line (documents repeat words)."""
        if (
            token.kind != "word"
            or mode is LineMode.OCR
            or in_symbol(text, token.start, token.end)
            or slash_abbreviation(text, token.start, token.end)
        ):
            return self._new_candidates(text, token, mode, caps)
        key = (token.text, mode, caps)
        found = self._word_cache.get(key)
        if found is None:
            found = self._new_candidates(text, token, mode, caps)
            if len(self._word_cache) >= WORD_CACHE_SIZE:
                self._word_cache.clear()
            self._word_cache[key] = found
        return _Slot(
            token, found.ids, found.local, found.texts, found.syllable, found.own_id,
            found.ocr, found.stripped,
        )  # fmt: skip

    def _new_candidates(self, text: str, token: Token, mode: LineMode, caps: bool) -> _Slot:
        """`_candidates` of a token, found anew."""
        if token.kind == "num" and not (mode is LineMode.OCR and len(token.text) == 1):
            return _Slot(token, [self._num_id], [0.0], [token.text], False)
        letterlike = self.channel.letterlike if self.channel is not None else ""
        standalone = (
            mode is LineMode.OCR
            and all(char in letterlike for char in token.text)
            and not _separator(text, token)
        )
        if (
            token.kind == "punct"
            and mode is LineMode.OCR
            and token.text in SWAPPED_PUNCTUATION
            and not _between_digits(text, token)  # 3,66 and 01.003 are numbers and codes
        ):
            return self._punctuation_slot(text, token)
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
            return self._ocr_slot(text, token, caps)
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
        return _Slot(token, ids, local, None, True, own_id, stripped=mode is LineMode.STRIPPED)

    def _kept(self, text: str, token: Token, mode: LineMode, caps: bool) -> _Slot | None:
        """Abbreviations (HS, ĐT, GD&ĐT, UBND), short letters glued to `/` (t/h, V/v) and
        codes (Vi55) are written as they are; only D may become Đ of a known abbreviation
        where the marks may have been lost (`HDND` -> `HĐND`), never on a correct line."""
        if token.kind not in ("word", "mixed"):
            return None
        if mode is LineMode.OCR and (number := _misread_number(token.text)) is not None:
            return _Slot(token, [self._num_id], [0.0], [number], True)
        if mode is LineMode.OCR and (roman := _misread_roman(token.text)) is not None:
            return _Slot(token, [self.lexicon.id_of(roman.lower())], [0.0], [roman], True)
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

    def _ocr_slot(self, text: str, token: Token, caps: bool) -> _Slot:
        """Channel candidates of an OCR token, plus the token itself as read."""
        assert self.channel is not None
        key = (token.text, caps)
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

    def _punctuation_slot(self, text: str, token: Token) -> _Slot:
        """OCR reads , as . and ; as : (and back): the language model chooses, with what
        follows the mark as evidence (a capital or a paragraph's end after a full stop, a
        lower-case word after a comma), which the model, blind to case and lines, lacks."""
        assert self.channel is not None
        marks = list(SWAPPED_PUNCTUATION)
        ids = [self.lexicon.id_of(mark) for mark in marks]
        local = [-self.channel.cost(mark, token.text) for mark in marks]
        context = _following(text, token.end)
        if context is not None:
            table = _punctuation_context()
            floor, weight = (
                self.settings.punctuation_context_floor,
                self.settings.punctuation_context_weight,
            )
            for at, mark in enumerate(marks):
                local[at] += weight * math.log(max(table.get((mark, context), 0.0), floor))
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
        if self.settings.style == "old":
            return _cased(slot.token.text, word)
        parsed = parse(word)
        return apply_case(slot.token.text, compose(parsed, self.settings.style) if parsed else word)


UTF8_ERRORS = "surrogatepass"
"""Lone surrogates (text decoded with surrogateescape) survive the UTF-8 buffer unchanged."""


@lru_cache(maxsize=65_536)
def _stripped_key(word: str) -> str:
    return skeleton(word).lower()


@lru_cache(maxsize=65_536)
def _cased(source: str, word: str) -> str:
    """`word` in the case of `source` (the same pairs recur in a document)."""
    return apply_case(source, word)


class _Output:
    """The repaired text built window by window: chosen forms written over their tokens,
    everything between copied; confidences and low-confidence spans in output offsets.

    The text grows as UTF-8 in one buffer (about 1.2 bytes a character for Vietnamese, where
    a str of window pieces takes 2 and joining them doubles that): a 50 MB line peaked at
    471 MB with joined str pieces."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.windows = 0
        self.spans: list[tuple[int, int, str, float]] = []
        self.cursor = self.length = self.changed = self.scored = 0
        self.confidence = 0.0

    def add(
        self,
        text: str,
        window: list[_Slot],
        written: list[str],
        posterior: np.ndarray,
        threshold: float,
    ) -> None:
        """Write one decoded window (one string per window keeps the piece count small)."""
        pieces: list[str] = []
        for slot, chosen, confidence in zip(window, written, posterior.tolist(), strict=True):
            pieces.append(text[self.cursor : slot.token.start])
            self.length += slot.token.start - self.cursor
            if slot.syllable:
                self.confidence += confidence
                self.scored += 1
                self.changed += chosen != text[slot.token.start : slot.token.end]
                if confidence < threshold:
                    end = self.length + len(chosen)
                    self.spans.append((self.length, end, chosen, round(confidence, 3)))
            pieces.append(chosen)
            self.length += len(chosen)
            self.cursor = slot.token.end
        self.buffer += "".join(pieces).encode("utf-8", UTF8_ERRORS)
        self.windows += 1

    def result(self, text: str) -> RestoreResult:
        """The whole text, the mean confidence of its word tokens, spans and changes."""
        if not self.windows:
            return RestoreResult(text, 1.0, [], 0)
        self.buffer += text[self.cursor :].encode("utf-8", UTF8_ERRORS)
        repaired = self.buffer.decode("utf-8", UTF8_ERRORS)
        self.buffer = bytearray()
        mean = self.confidence / self.scored if self.scored else 1.0
        return RestoreResult(repaired, mean, self.spans, self.changed)


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
    stripped: bool = False
    """A word of a stripped line: the document cache may re-choose it."""


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


ROMAN_STROKES = str.maketrans({"]": "I", "[": "I", "|": "I", "l": "I", "1": "I", "!": "I"})
"""What OCR reads for the I of a roman numeral ("khoá X]" for khóa XI, "Xl", "X1")."""
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|VI{0,3}|I{1,3})")  # I to XXXIX: terms, congresses


def _misread_roman(token: str) -> str | None:
    """The roman numeral an OCR token is when a capital X or V is followed by strokes
    read as marks or small letters ("X]", "Xl", "VI|"): no Vietnamese word is spelled so,
    and the language model would make one of it ("khoá X]" became "khoá Xử")."""
    if len(token) < 2 or token[0] not in "XV" or (token.isalpha() and token.isupper()):
        return None
    roman = token.translate(ROMAN_STROKES)
    return roman if roman != token and _ROMAN.fullmatch(roman) else None


def _separator(text: str, token: Token) -> bool:
    """A `|` or `&` standing alone between spaces, not a misread letter: a `|` is a table
    cell border or a rule (the real set's tables are written `1 | D12 | 7h30`; OCR made them
    `1 l D12 l 7h30`), a `&` joins two names (`Khảo thí & Đảm bảo`, `Sở KH & ĐT`: all 15
    lone `&` of the real dev scans' OCR; the channel's ở -> & is never seen there alone)."""
    return (
        set(token.text) in ({"|"}, {"&"})
        and (token.start == 0 or text[token.start - 1].isspace())
        and (token.end == len(text) or text[token.end].isspace())
    )


def _following(text: str, at: int) -> str | None:
    """What follows a mark at `at`: "end" (of the text, or of a paragraph: a blank line and
    a number, the next heading or list item), "lower", "upper" or "digit" (the next word's
    first character, over line breaks: a blank line alone does not end a paragraph on a
    page, where footnotes and page breaks cut sentences), None for anything else, and for a
    mark glued to what follows (`sinhvien.epu.edu.vn`, a name or a number, not a sentence)."""
    if at < len(text) and not text[at].isspace():
        return None
    newlines = 0
    while at < len(text) and text[at].isspace():
        newlines += text[at] == "\n"
        at += 1
    if at == len(text):
        return "end"
    char = text[at]
    if char.isdigit():
        return "end" if newlines >= 2 else "digit"
    if char.isalpha():
        return "upper" if char.isupper() else "lower"
    return None


@lru_cache(maxsize=1)
def _punctuation_context() -> dict[tuple[str, str], float]:
    """(mark, context) -> P(context | mark), read once."""
    table: dict[tuple[str, str], float] = {}
    for line in PUNCTUATION_CONTEXT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            mark, context, probability = line.split("\t")[:3]
            table[(mark, context)] = float(probability)
    return table


def _between_digits(text: str, token: Token) -> bool:
    """A punctuation token with a digit on each side (a decimal or a code: 3,66, 01.003)."""
    return (
        token.start > 0
        and token.end < len(text)
        and text[token.start - 1].isdigit()
        and text[token.end].isdigit()
    )


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
    symbols = Symbols([*KNOWN, *mined, *load_abbreviations()])
    names = NameHints.load() if settings.names else None
    return Restorer(lm, lexicon, settings, channel, symbols, names)
