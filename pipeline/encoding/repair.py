"""Per-line repair of text that was decoded to str the wrong way.

Each line is tried under every explanation of how it could have been garbled (UTF-8 read
as Windows-1252 once or more, a legacy 8-bit encoding read as Windows-1252, VIQR) and the
explanation is adopted only when it turns clearly more words into valid syllables without
breaking any. Correct NFC Vietnamese therefore comes out unchanged.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.encoding.legacy import (
    as_cp1252_view,
    cp1252_bytes,
    decode_cp1258,
    decode_tcvn3,
    decode_viqr,
    decode_viscii,
    decode_vni,
    unmojibake,
    unmojibake_lossy,
)
from pipeline.encoding.lexicon import (
    Plausibility,
    plain_syllables,
    plausibility,
    syllable_counts,
)

MAX_MOJIBAKE_ROUNDS = 3
"""UTF-8 read as Windows-1252 this many times over is still undone."""

LEGACY_DECODERS: dict[str, Callable[[str], str | None]] = {
    "tcvn3": decode_tcvn3,
    "vni": decode_vni,
    "viscii": decode_viscii,
    "cp1258": decode_cp1258,
}
"""Legacy 8-bit encodings, each decoding the Windows-1252 view of its bytes."""

_VOWEL = "[aeiouyAEIOUY]"
# A VIQR mark that cannot be ordinary punctuation: inside a word, a shape mark or ` ~ right
# after a vowel, or a word-initial dd before a vowel.
_VIQR_EVIDENCE = re.compile(
    rf"{_VOWEL}(?:[(^+]?['`?~.]|[(^+])(?=[A-Za-z])|{_VOWEL}[(^+`~]|\b[dD][dD]{_VOWEL}"
)
LEGACY_MAX_PLAIN_SHARE = 0.6
"""A legacy decoding (TCVN3, VNI, ...) whose result leaves this share or more of a line's
syllables without marks is no decoding but OCR that lost its marks: Tesseract's English
model writes é, ¢, ® into such lines (seed 003), and TCVN3 read them as ộ, Â, đ."""
LEGACY_MIN_SYLLABLES = 4
"""The plain-share test needs this many valid syllables on the line."""
_SELF_EVIDENT = frozenset({"mojibake", "mojibake×2", "mojibake×3", "latin1"})
_WORD_PART = re.compile(r"[^\W\d_]+")
_PUNCTUATION_RATIO = 20
"""A trailing `.`/`?` is read as punctuation when that reading's word is this much commoner."""


@dataclass(frozen=True, slots=True)
class RepairResult:
    """Repaired text, what each line was found to be, and whether anything changed.

    `kinds[i]` is "ok" for a line kept as it was, "nfd" for one only recomposed to NFC, or
    the repair applied: "viqr", "tcvn3", "vni", "viscii", "cp1258", "mojibake" (UTF-8 read
    as Windows-1252), "mojibake×2", "latin1" (Windows-1252 read as Latin-1), and
    combinations such as "mojibake+tcvn3".
    """

    text: str
    kinds: tuple[str, ...]
    changed: bool


def _last_word_count(text: str) -> int:
    words = _WORD_PART.findall(text)
    return syllable_counts().get(words[-1].lower(), 0) if words else 0


def _prefer_viqr(toned: str, literal: str) -> str:
    """Choose between `ddi.` as `đị` and as `đi.` by how common each word is."""
    if _last_word_count(literal) > _PUNCTUATION_RATIO * _last_word_count(toned):
        return literal
    return toned


_USUAL_PUNCTUATION = frozenset("“”‘’–—…•")


def _reading_score(text: str) -> tuple[float, ...]:
    """Rank readings of a word with lost bytes: valid syllables, no capital after a small
    letter (`đời`, not `đỐi`), Vietnamese letters and usual punctuation (`”`, not U+2001)."""
    score = plausibility(text)
    letters = _vietnamese_letters()
    usual = sum(char in letters or char in _USUAL_PUNCTUATION for char in text)
    mixed = sum(a.islower() and b.isupper() for a, b in itertools.pairwise(text))
    return (score.net, -mixed, usual, score.log_count)


def _marks_plausible(kind: str, fixed: str) -> bool:
    """False for a legacy decoding that leaves most of the line's syllables unmarked."""
    if kind.rsplit("+", 1)[-1] not in LEGACY_DECODERS:
        return True
    plain, total = plain_syllables(fixed)
    return total < LEGACY_MIN_SYLLABLES or plain < LEGACY_MAX_PLAIN_SHARE * total


def _maybe_viqr(line: str) -> bool:
    """Whether the line has only ASCII letters and a mark that only VIQR would put there."""
    if _VIQR_EVIDENCE.search(line) is None:
        return False
    return line.isascii() or not any(char.isalpha() for char in line if not char.isascii())


def _candidates(line: str) -> list[tuple[str, str]]:
    """(kind, text) for every way the line could be un-garbled, simplest first."""
    found: list[tuple[str, str]] = []
    if _maybe_viqr(line):
        found.append(("viqr", decode_viqr(line, _prefer_viqr)))
    if line.isascii():
        return found
    if cp1252_bytes(line) is None:
        if "\ufffd" in line:
            lossy = unmojibake_lossy(line, _reading_score)
            if lossy is not None:
                found.append(("mojibake", lossy))
        return found
    view = as_cp1252_view(line)
    if view != line:
        found.append(("latin1", view))
    layers = [("", view)]
    current = line
    for rounds in range(1, MAX_MOJIBAKE_ROUNDS + 1):
        undone = unmojibake(current)
        if undone is None and rounds == 1:
            undone = unmojibake_lossy(current, _reading_score)
        if undone is None:
            break
        current = undone
        kind = "mojibake" if rounds == 1 else f"mojibake×{rounds}"
        found.append((kind, current))
        if cp1252_bytes(current) is not None:
            layers.append((kind, as_cp1252_view(current)))
    for prefix, view in layers:
        for name, decoder in LEGACY_DECODERS.items():
            decoded = decoder(view)
            if decoded is not None and decoded != view:
                found.append((f"{prefix}+{name}" if prefix else name, decoded))
    return [(kind, unicodedata.normalize("NFC", text)) for kind, text in found]


def clearly_better(candidate: Plausibility, original: Plausibility) -> bool:
    """Fewer invalid words and enough gain to act on: all words valid now, or a gain of
    two or more with valid words at least twice the invalid ones (so one foreign word
    like `São` cannot flip a line into `Só`). Turning neutral text into words is no gain:
    `(B”` is not VISCII `(BỢ`."""
    gain = candidate.net - original.net
    if candidate.invalid >= original.invalid or gain < 1:
        return False
    return candidate.invalid == 0 or (gain >= 2 and candidate.valid >= 2 * candidate.invalid)


def _acceptable(kind: str, fixed: str, score: Plausibility, line: _Line) -> bool:
    """Clearly better; or, for a decoding that is evidence by itself (valid UTF-8 behind
    Windows-1252 text, C1 controls from a Latin-1 reading), no worse and cleaner."""
    if clearly_better(score, line.score):
        return True
    return (
        kind.split("+")[0] in _SELF_EVIDENT
        and score.invalid <= line.score.invalid
        and score.net >= line.score.net
        and _suspicious(fixed) < _suspicious(line.normal)
    )


def _suspicious(text: str) -> int:
    """Characters that correct Vietnamese text rarely has (§ ¸ µ Ã …): garbling residue."""
    letters = _vietnamese_letters()
    return sum(
        1
        for char in text
        if not char.isascii() and char not in letters and not "\u2000" <= char <= "\u206f"
    )


@functools.cache
def _vietnamese_letters() -> frozenset[str]:
    lower = {char for word in syllable_counts() for char in word} | {"đ"}
    return frozenset(lower | {char.upper() for char in lower} | {"\u00a0"})


_NEUTRAL = Plausibility(0, 0, 0.0)


@dataclass(slots=True)
class _Line:
    original: str
    normal: str
    score: Plausibility
    options: list[tuple[str, str, Plausibility]]


def _choose(line: _Line) -> tuple[str, str] | None:
    """The best acceptable repair; one of more steps must be clearly better than one of fewer."""
    best: tuple[str, str, Plausibility] | None = None
    for steps in sorted({kind.count("+") for kind, _, _ in line.options}):
        level = [
            option
            for option in line.options
            if option[0].count("+") == steps and _acceptable(*option, line)
        ]
        if not level:
            continue
        top = max(level, key=lambda option: (option[2].net, option[2].log_count))
        if best is None or clearly_better(top[2], best[2]):
            best = top
    return None if best is None else (best[0], best[1])


def repair_text(text: str) -> RepairResult:
    """Repair garbled lines of `text` (split at "\\n"); correct NFC lines are left as they are.

    A line with no clear winner is repaired in a second pass with the repair most other
    lines needed, when that leaves it no worse and with fewer stray symbols (`§UK` → `ĐUK`).
    """
    lines: list[_Line] = []
    for original in text.split("\n"):
        normal = unicodedata.normalize("NFC", original)
        options = [
            (kind, fixed, plausibility(fixed))
            for kind, fixed in _candidates(normal)
            if _marks_plausible(kind, fixed)
        ]
        viqr = any(kind == "viqr" for kind, _, _ in options)
        score = plausibility(normal, viqr=viqr) if options else _NEUTRAL
        lines.append(_Line(original, normal, score, options))

    chosen: list[tuple[str, str] | None] = []
    for line in lines:
        chosen.append(_choose(line))
    tally = collections.Counter(choice[0] for choice in chosen if choice is not None)
    dominant = tally.most_common(1)[0][0] if tally else None

    out: list[str] = []
    kinds: list[str] = []
    for line, choice in zip(lines, chosen, strict=True):
        if choice is None and dominant is not None:
            choice = _follow_dominant(line, dominant)
        elif choice is not None and dominant is not None and choice[0] != dominant:
            choice = _prefer_dominant(line, choice, dominant)
        if choice is not None:
            kinds.append(choice[0])
            out.append(choice[1])
        else:
            kinds.append("ok" if line.normal == line.original else "nfd")
            out.append(line.normal)
    repaired = "\n".join(out)
    return RepairResult(repaired, tuple(kinds), repaired != text)


def _follow_dominant(line: _Line, dominant: str) -> tuple[str, str] | None:
    """The document's usual repair for a line that gave no clear answer of its own."""
    for kind, fixed, score in line.options:
        if (
            kind == dominant
            and score.net >= line.score.net
            and score.invalid <= line.score.invalid
            and _suspicious(fixed) < _suspicious(line.normal)
        ):
            return kind, fixed
    return None


def _prefer_dominant(line: _Line, choice: tuple[str, str], dominant: str) -> tuple[str, str]:
    """On a tie with the document's usual repair, take the usual one."""
    scores = {kind: score for kind, _, score in line.options}
    for kind, fixed, score in line.options:
        if (
            kind == dominant
            and score.net >= scores[choice[0]].net
            and clearly_better(score, line.score)
        ):
            return kind, fixed
    return choice
