"""Evaluate diacritic restoration and OCR correction against pyvi and a bigram baseline.

One run prints one table (see docs/restore.md):
  (a) syllable accuracy on held-out in-domain text with marks stripped
      (every 50th line of the legal corpus, and the clean seeds 001, 002, 004);
  (b) CER and WER on Tesseract `-l eng` OCR of rendered held-out text (raw OCR vs systems);
  (c) share of syllables changed when the input is already correct;
  (d) syllables per CPU-second, model load time, peak RSS.
Models that are missing are trained first, leaving out the held-out lines and the seeds:
    nice -n 10 .venv/bin/python scripts/eval_restore.py
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.commands.train_lm import CLEAN_SEEDS, PRODUCTION_IN_DOMAIN, SHARED
from pipeline.restore import Restorer, Settings
from pipeline.restore.build import TrainSpec, build_model
from pipeline.restore.corpus import open_text, split_lines
from pipeline.restore.gazetteer import load_places
from pipeline.restore.syllable import canonical, case_pattern, skeleton
from pipeline.restore.tokens import tokenize

log = logging.getLogger("eval_restore")
REPO = Path(__file__).resolve().parent.parent

PLACES = frozenset(name for names in load_places().values() for name in names)
"""Gazetteer place names: (a) also reports the held-out syllables inside them."""

System = Callable[[str, str], str]
"""(text, mode) -> repaired text."""


@dataclass(frozen=True)
class Scores:
    """One system's row of the table."""

    legal: float
    seeds: float
    combined: float
    cer: float
    wer: float
    cer_like_003: float
    changed: float
    speed: float
    places: float


def same(a: str, b: str) -> bool:
    """Syllables equal up to tone placement (hoà = hòa), with the same case."""
    return canonical(a) == canonical(b) and case_pattern(a) == case_pattern(b)


def syllable_accuracy(truth: list[str], output: list[str]) -> float:
    """Share of word tokens restored exactly (token streams align: stripping keeps lengths)."""
    good = total = 0
    for t_line, o_line in zip(truth, output, strict=True):
        t_words = [t.text for t in tokenize(t_line) if t.kind == "word"]
        o_words = [t.text for t in tokenize(o_line) if t.kind == "word"]
        if len(t_words) != len(o_words):
            total += len(t_words)
            continue
        good += sum(same(a, b) for a, b in zip(t_words, o_words, strict=True))
        total += len(t_words)
    return good / max(total, 1)


def place_positions(words: list[str], places: frozenset[str]) -> set[int]:
    """Indices of the words that belong to a gazetteer place name of two or more syllables."""
    found: set[int] = set()
    for start in range(len(words)):
        for n in range(min(5, len(words) - start), 1, -1):
            if " ".join(words[start : start + n]) in places:
                found.update(range(start, start + n))
                break
    return found


def place_accuracy(
    truth: list[str], output: list[str], places: frozenset[str]
) -> tuple[float, int]:
    """Share of the syllables of place names (as the gazetteer writes them) restored exactly."""
    good = total = 0
    for t_line, o_line in zip(truth, output, strict=True):
        t_words = [t.text for t in tokenize(t_line) if t.kind == "word"]
        o_words = [t.text for t in tokenize(o_line) if t.kind == "word"]
        positions = place_positions(t_words, places)
        total += len(positions)
        if len(t_words) == len(o_words):
            good += sum(same(t_words[i], o_words[i]) for i in positions)
    return good / max(total, 1), total


def changed_share(truth: list[str], output: list[str]) -> float:
    """Share of word tokens of correct input that a system rewrote."""
    changed = total = 0
    for t_line, o_line in zip(truth, output, strict=True):
        t_words = [t.text for t in tokenize(t_line) if t.kind == "word"]
        o_words = [t.text for t in tokenize(o_line) if t.kind == "word"]
        total += len(t_words)
        if len(t_words) != len(o_words):
            changed += len(t_words)
        else:
            changed += sum(not same(a, b) for a, b in zip(t_words, o_words, strict=True))
    return changed / max(total, 1)


def error_rates(truth: list[str], output: list[str]) -> tuple[float, float]:
    """CER and WER over whole pages, whitespace collapsed, tone placement normalised."""
    chars = char_errors = words = word_errors = 0
    for t_page, o_page in zip(truth, output, strict=True):
        t_words = [canonical_case(w) for w in t_page.split()]
        o_words = [canonical_case(w) for w in o_page.split()]
        t_text, o_text = " ".join(t_words), " ".join(o_words)
        chars += len(t_text)
        char_errors += Levenshtein.distance(t_text, o_text)
        words += len(t_words)
        word_errors += Levenshtein.distance(t_words, o_words)
    return char_errors / max(chars, 1), word_errors / max(words, 1)


def canonical_case(word: str) -> str:
    """A word with its tone moved to the canonical place, case kept."""
    lower = canonical(word)
    return (
        lower.upper()
        if word.isupper() and len(word) > 1
        else (lower[:1].upper() + lower[1:] if word[:1].isupper() else lower)
    )


def run_lines(system: System, lines: list[str], mode: str, chunk: int = 40) -> list[str]:
    """Restore lines in documents of `chunk` lines (the decoder sees context across lines)."""
    out: list[str] = []
    for start in range(0, len(lines), chunk):
        block = lines[start : start + chunk]
        restored = system("\n".join(block), mode).split("\n")
        out.extend(restored if len(restored) == len(block) else block)
    return out


def restorer_system(restorer: Restorer) -> System:
    """Our model as a system."""
    return lambda text, mode: restorer.restore(text, mode=mode).text


def pyvi_system() -> System:
    """pyvi's add_accents on each line (it only knows stripped text)."""
    from pyvi import ViUtils

    def line(text: str) -> str:
        try:
            return str(ViUtils.add_accents(skeleton(text))) if text.strip() else text
        except KeyError:  # pyvi fails on some letter pairs of OCR output ("dw")
            return text

    return lambda text, mode: "\n".join(line(part) for part in text.split("\n"))


def ensure_model(path: Path, order: int) -> None:
    """Train the evaluation model (held-out lines and seeds left out) if it is missing."""
    if (path / "lm.npz").exists():
        return
    pairs = sorted((REPO / "work" / "pairs").glob("train-*.jsonl"))
    spec = TrainSpec(
        in_domain=[SHARED / p for p in PRODUCTION_IN_DOMAIN],
        general=[SHARED / "corpus" / "viwiki.txt.xz"],
        order=order,
        drop_heldout=True,
        pairs=pairs,
    )
    log.info("training %s (order %d)", path, order)
    build_model(spec, path)


def heldout_sets(limit: int) -> tuple[list[str], list[str]]:
    """Held-out legal lines and the clean seed lines (non-empty)."""
    legal = [line for line in split_lines(SHARED / PRODUCTION_IN_DOMAIN[0], True) if line.strip()]
    seeds = [line for name in CLEAN_SEEDS for line in open_text(SHARED / name) if line.strip()]
    return legal[:limit], seeds


@dataclass(frozen=True)
class Pages:
    """Held-out (truth, OCR) pages; `like_003` marks those not set in Nimbus Roman, whose
    glyphs make Tesseract drop whole letters, unlike the seed-003 scan."""

    truth: list[str]
    ocr: list[str]
    like_003: list[bool]

    def subset(self) -> tuple[list[str], list[str]]:
        keep = [i for i, flag in enumerate(self.like_003) if flag]
        return [self.truth[i] for i in keep], [self.ocr[i] for i in keep]


def ocr_pages(path: Path) -> Pages:
    """Held-out pairs written by scripts/make_noisy_pairs.py."""
    records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return Pages(
        [r["truth"] for r in records],
        [r["ocr"].strip() for r in records],
        ["Nimbus" not in r.get("font", "") for r in records],
    )


def evaluate(
    system: System, legal: list[str], seeds: list[str], pages: tuple[list[str], list[str]]
) -> Scores:
    """All measures for one system."""
    stripped_legal = [skeleton(line) for line in legal]
    started = time.process_time()
    out_legal = run_lines(system, stripped_legal, "stripped")
    elapsed = time.process_time() - started
    syllables = sum(1 for line in legal for t in tokenize(line) if t.kind == "word")
    out_seeds = run_lines(system, [skeleton(line) for line in seeds], "stripped")
    out_pages = [system(page, "ocr") for page in pages.ocr]
    cer, wer = error_rates(pages.truth, out_pages)
    kept = [i for i, flag in enumerate(pages.like_003) if flag]
    cer_003, _ = error_rates([pages.truth[i] for i in kept], [out_pages[i] for i in kept])
    out_clean = run_lines(system, legal + seeds, "auto")
    places, _ = place_accuracy(legal + seeds, out_legal + out_seeds, PLACES)
    return Scores(
        legal=syllable_accuracy(legal, out_legal),
        seeds=syllable_accuracy(seeds, out_seeds),
        combined=syllable_accuracy(legal + seeds, out_legal + out_seeds),
        cer=cer,
        wer=wer,
        cer_like_003=cer_003,
        changed=changed_share(legal + seeds, out_clean),
        speed=syllables / max(elapsed, 1e-9),
        places=places,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "work" / "eval-model")
    parser.add_argument("--baseline", type=Path, default=REPO / "work" / "eval-bigram")
    pairs = REPO / "work" / "pairs"
    parser.add_argument("--pairs", type=Path, default=pairs / "heldout-eng.jsonl")
    parser.add_argument(
        "--vie-pairs",
        type=Path,
        default=pairs / "heldout-vie.jsonl",
        help="held-out `-l vie` pages of degraded scans (one extra line)",
    )
    parser.add_argument("--limit", type=int, default=100000, help="at most this many legal lines")
    parser.add_argument("--no-pyvi", action="store_true")
    parser.add_argument("--no-bigram", action="store_true", help="leave out the bigram row")
    parser.add_argument("--no-names", action="store_true", help="without the gazetteer hints")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ensure_model(args.model, 3)
    if not args.no_bigram:
        ensure_model(args.baseline, 2)
    legal, seeds = heldout_sets(args.limit)
    pages = ocr_pages(args.pairs)
    rows: dict[str, Scores] = {}
    started = time.monotonic()
    ours = Restorer.load(args.model, Settings(names=not args.no_names))
    load_s = time.monotonic() - started
    rows["sohoa: KN trigram + learned channel"] = evaluate(
        restorer_system(ours), legal, seeds, pages
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    vie = ocr_pages(args.vie_pairs) if args.vie_pairs.exists() else None
    vie_line = ""
    if vie is not None:
        repaired = [ours.restore(page, mode="auto").text for page in vie.ocr]
        raw, fixed = error_rates(vie.truth, vie.ocr)[0], error_rates(vie.truth, repaired)[0]
        vie_line = (
            f"`-l vie` on {len(vie.ocr)} degraded pages: CER {raw:.2%} raw, {fixed:.2%} repaired"
        )
    if not args.no_bigram:
        rows["bigram + Viterbi (same data)"] = evaluate(
            restorer_system(Restorer.load(args.baseline)), legal, seeds, pages
        )
    if not args.no_pyvi:
        rows["pyvi 0.1.1 add_accents"] = evaluate(pyvi_system(), legal, seeds, pages)
    raw_cer, raw_wer = error_rates(pages.truth, pages.ocr)
    raw_003, _ = error_rates(*pages.subset())
    syllables = sum(1 for line in legal for t in tokenize(line) if t.kind == "word")
    seed_syllables = sum(1 for line in seeds for t in tokenize(line) if t.kind == "word")
    print(
        f"\nheld-out: {len(legal)} legal lines ({syllables} syllables), {len(seeds)} seed "
        f"lines ({seed_syllables} syllables), {len(pages.ocr)} OCR pages "
        f"({sum(pages.like_003)} not in Nimbus Roman)\n"
    )
    print(
        "| system | (a) legal | (a) Party seeds | (a) both | (a) places | (b) CER | "
        "(b) CER, 003-like | (b) WER | (c) changed | (d) syl/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| raw OCR (`-l eng`) | | | | | {raw_cer:.2%} | {raw_003:.2%} | {raw_wer:.2%} | | |")
    for name, s in rows.items():
        print(
            f"| {name} | {s.legal:.2%} | {s.seeds:.2%} | {s.combined:.2%} | {s.places:.2%} | "
            f"{s.cer:.2%} | {s.cer_like_003:.2%} | {s.wer:.2%} | {s.changed:.3%} | "
            f"{s.speed:,.0f} |"
        )
    _, place_syllables = place_accuracy(legal + seeds, legal + seeds, PLACES)
    print(f"(a) places: {place_syllables} held-out syllables inside gazetteer names")
    print(f"\nsohoa model load {load_s:.2f}s; peak RSS after evaluating it {rss:.0f} MB")
    if vie_line:
        print(vie_line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
