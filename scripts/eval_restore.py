"""Evaluate diacritic restoration and OCR correction against pyvi and a bigram baseline.

One run prints (see docs/restore.md):
  1. the main table: (a) syllable accuracy with marks stripped on the held-out legal slice
     (every 50th line of the legal corpus) and, apart, on the Party seeds 001, 002, 004;
     (b) CER and WER on Tesseract `-l eng` OCR of rendered held-out text; (c) share of
     syllables changed when the input is already correct; (d) syllables per CPU-second;
  2. the Party domain on its own, each set a row: seed 001 (read while tuning), seeds 002
     and 004 (held out: never read), and the real development set's transcriptions (state
     administrative documents), marks stripped, with correct input left unchanged;
  3. personal names and place names inside those sets;
  4. the real development set's OCR text (`--real`, the texts.json of
     `scripts/bench_real.py --split dev --systems sohoa,bare`): words OCR got right that
     repair broke, words OCR got wrong that repair fixed, CER before and after;
  5. seed 003 (Tesseract `-l eng` on a real Party report) through the `sohoa restore --mode
     ocr` path (encoding repair, then `ocr` mode) against its hand truth
     (`corpus/restore/seed003.truth.txt`): CER before and after repair, whole and by half.
Models that are missing are trained first, leaving out the held-out lines and the seeds:
    nice -n 10 .venv/bin/python scripts/eval_restore.py
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import string
import subprocess
import sys
import tempfile
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
"""Gazetteer place names: the names table reports the held-out syllables inside them."""
SURNAMES = frozenset(
    line.strip()
    for line in (REPO / "pipeline/restore/data/surnames.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
"""Family names: a capitalised run opening with one is a personal name (not a place)."""
REAL = REPO / "corpus" / "real"
SEED_003 = SHARED / "seeds" / "003_df078dc1419f2d79.txt"
SEED_003_TRUTH = REPO / "corpus" / "restore" / "seed003.truth.txt"
UNSURE = "⟨?"
"""A transcribed line holding this was not read with certainty: left out."""
EDGE = string.punctuation + "“”‘’…–—•"

System = Callable[[str, str], str]
"""(text, mode) -> repaired text."""


@dataclass(frozen=True)
class Scores:
    """One system's row of the table."""

    legal: float
    seeds: float
    cer: float
    wer: float
    cer_like_003: float
    changed: float
    speed: float


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


def is_title(word: str) -> bool:
    """Capitalised like a name: Lan, Định (not LAN, not lan)."""
    return word[:1].isupper() and word[1:] == word[1:].lower()


def name_positions(words: list[str], places: frozenset[str]) -> set[int]:
    """Indices of the words of personal names: two to four capitalised words that open with a
    family name (`Nguyễn Thị Lan`, `Tô Lâm`) and are not a gazetteer place (`Hà Nội`)."""
    found: set[int] = set()
    start = 0
    while start < len(words):
        end = start + 1
        if words[start] in SURNAMES:
            while end < len(words) and end - start < 4 and is_title(words[end]):
                end += 1
        if end - start >= 2 and " ".join(words[start:end]) not in places:
            found.update(range(start, end))
            start = end
        else:
            start += 1
    return found


Spans = Callable[[list[str], frozenset[str]], set[int]]
"""Which word indices of a line belong to the spans measured (names, places)."""


def span_accuracy(truth: list[str], output: list[str], spans: Spans) -> tuple[float, int]:
    """Share of the syllables inside the spans (names, places) restored exactly, and their
    number; a line whose word count changed counts them all wrong."""
    good = total = 0
    for t_line, o_line in zip(truth, output, strict=True):
        t_words = [t.text for t in tokenize(t_line) if t.kind == "word"]
        o_words = [t.text for t in tokenize(o_line) if t.kind == "word"]
        positions = spans(t_words, PLACES)
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


def evaluate(system: System, legal: list[str], seeds: list[str], pages: Pages) -> Scores:
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
    return Scores(
        legal=syllable_accuracy(legal, out_legal),
        seeds=syllable_accuracy(seeds, out_seeds),
        cer=cer,
        wer=wer,
        cer_like_003=cer_003,
        changed=changed_share(legal + seeds, out_clean),
        speed=syllables / max(elapsed, 1e-9),
    )


@dataclass(frozen=True)
class TextSet:
    """Correct lines of one evaluation set; `held_out` sets are never read while tuning."""

    name: str
    lines: list[str]
    held_out: bool


def real_truths(split: str) -> dict[str, str]:
    """Transcribed pages of one split of the real set ("doc-pN" -> text), unsure lines out."""
    pages: dict[str, str] = {}
    for label_file in sorted((REAL / "labels").glob("*.json")):
        label = json.loads(label_file.read_text(encoding="utf-8"))
        if label.get("split") != split:
            continue
        for page in sorted((REAL / "pages").glob(f"{label['doc']}-p*.txt")):
            lines = page.read_text(encoding="utf-8").split("\n")
            pages[page.stem] = "\n".join(line for line in lines if UNSURE not in line)
    return pages


def party_sets() -> list[TextSet]:
    """Seed 001 (read while tuning), seeds 002 and 004 (held out), the real dev pages."""

    def seed_lines(name: str) -> list[str]:
        return [line for line in open_text(SHARED / name) if line.strip()]

    tune, *held = CLEAN_SEEDS
    real = [line for text in real_truths("dev").values() for line in text.split("\n")]
    return [
        TextSet("Party seed 001 (tuned on)", seed_lines(tune), False),
        TextSet("Party seeds 002, 004 (held out)", [x for n in held for x in seed_lines(n)], True),
        TextSet("real dev pages (state documents)", [x for x in real if x.strip()], False),
    ]


@dataclass(frozen=True)
class SetScores:
    """Marks stripped: syllables right; correct input: words left; names and places."""

    syllables: int
    stripped: float
    unchanged: float
    names: tuple[float, int]
    places: tuple[float, int]


def evaluate_set(system: System, lines: list[str]) -> SetScores:
    """Restore the set stripped (and as it is) and score it."""
    out = run_lines(system, [skeleton(line) for line in lines], "stripped")
    clean = run_lines(system, lines, "auto")
    return SetScores(
        syllables=sum(1 for line in lines for t in tokenize(line) if t.kind == "word"),
        stripped=syllable_accuracy(lines, out),
        unchanged=1.0 - changed_share(lines, clean),
        names=span_accuracy(lines, out, name_positions),
        places=span_accuracy(lines, out, place_positions),
    )


@dataclass(frozen=True)
class WordRepair:
    """Words of real OCR pages before and after repair, against the transcription."""

    pages: int
    words: int
    """Transcribed words that an OCR word aligns with."""
    ocr_right: int
    fixed: int
    broken: int
    cer_before: float
    cer_after: float

    @property
    def broken_share(self) -> float:
        return self.broken / max(self.ocr_right, 1)

    @property
    def ratio(self) -> float:
        return self.fixed / self.broken if self.broken else float("inf")


def broken_rate(repair: WordRepair) -> str:
    """`1 in N` of the words OCR got right that repair broke."""
    return f"1 in {1 / repair.broken_share:,.0f}" if repair.broken else "none"


def page_words(text: str) -> list[str]:
    """Whitespace words without edge punctuation, tone placement normalised, case kept."""
    words = (word.strip(EDGE) for word in text.split())
    return [canonical_case(word) for word in words if word]


def aligned(source: list[str], target: list[str]) -> dict[int, int]:
    """source index -> target index for words that align one to one (equal, or replaced in
    a block of the same length)."""
    pairs: dict[int, int] = {}
    for op in Levenshtein.opcodes(source, target):
        if op.tag == "equal" or (
            op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start
        ):
            for k in range(op.src_end - op.src_start):
                pairs[op.src_start + k] = op.dest_start + k
    return pairs


def word_repairs(
    truth: dict[str, str], before: dict[str, str], after: dict[str, str]
) -> WordRepair:
    """Count, over the pages, OCR words that were right and that repair broke, and OCR
    words that were wrong and that repair made right (each OCR word aligned to one
    transcribed word, and to the repaired word at its place)."""
    words = right = fixed = broken = 0
    keys = [key for key in truth if key in before and key in after]
    for key in keys:
        t_words, o_words, r_words = (page_words(x[key]) for x in (truth, before, after))
        to_truth, to_repaired = aligned(o_words, t_words), aligned(o_words, r_words)
        for i, j in to_truth.items():
            words += 1
            ocr_ok = o_words[i] == t_words[j]
            k = to_repaired.get(i)
            repaired_ok = k is not None and r_words[k] == t_words[j]
            right += ocr_ok
            fixed += repaired_ok and not ocr_ok
            broken += ocr_ok and not repaired_ok
    cer_before = error_rates([truth[k] for k in keys], [before[k] for k in keys])[0]
    cer_after = error_rates([truth[k] for k in keys], [after[k] for k in keys])[0]
    return WordRepair(len(keys), words, right, fixed, broken, cer_before, cer_after)


def real_ocr_rows(texts_json: Path, restorer: Restorer) -> dict[str, WordRepair]:
    """The dev pages' OCR (bare Tesseract and sohoa's own OCR, from bench_real's texts.json)
    repaired by `restorer` in `auto` mode, and sohoa ingest's own repair as shipped."""
    truth = real_truths("dev")
    texts = json.loads(texts_json.read_text(encoding="utf-8"))
    rows: dict[str, WordRepair] = {}

    def repaired(pages: dict[str, str]) -> dict[str, str]:
        return {k: restorer.restore(v, mode="auto").text for k, v in pages.items() if k in truth}

    if "bare" in texts:
        bare = texts["bare"]["pages"]
        rows["bare `tesseract -l vie`, this model (auto)"] = word_repairs(
            truth, bare, repaired(bare)
        )
    if "sohoa" in texts:
        pages = texts["sohoa"]["pages"]
        raw = {k[4:]: v for k, v in pages.items() if k.startswith("raw:")}
        shipped = {k: v for k, v in pages.items() if not k.startswith("raw:")}
        rows["sohoa ingest OCR, this model (auto)"] = word_repairs(truth, raw, repaired(raw))
        rows["sohoa ingest OCR, its own repair (models/restore)"] = word_repairs(
            truth, raw, shipped
        )
    return rows


@dataclass(frozen=True)
class SeedOcr:
    """Seed 003's CER against its hand truth, bare and repaired, on lines [start, end)."""

    name: str
    chars: int
    bare: float
    repaired: float


def seed_003_rows(restorer: Restorer) -> list[SeedOcr]:
    """Seed 003 as `sohoa restore --mode ocr` reads it (bytes decoded and legacy encodings
    repaired first), line by line against the hand truth: all of it and each half."""
    from pipeline.encoding import decode_bytes

    text = decode_bytes(SEED_003.read_bytes()).text
    repaired = restorer.restore(text, mode="ocr").text.split("\n")
    bare = text.split("\n")
    truth = SEED_003_TRUTH.read_text(encoding="utf-8").split("\n")
    if not len(truth) == len(bare) == len(repaired):
        raise SystemExit(f"seed 003: {len(truth)} truth lines, {len(bare)} seed lines")
    half = len(truth) // 2
    rows = []
    for name, start, end in (("all", 0, len(truth)), ("lines 1-142", 0, half),
                             ("lines 143-285", half, len(truth))):  # fmt: skip
        t = truth[start:end]
        chars = sum(len(" ".join(line.split())) for line in t)
        rows.append(SeedOcr(name, chars, error_rates(t, bare[start:end])[0],
                            error_rates(t, repaired[start:end])[0]))  # fmt: skip
    return rows


FIELDS_CHECKED = ("signer", "place", "issuer")


def field_text(fields: dict[str, object], name: str) -> str:
    """A field's comparable value (the signer's name; the issuer's lines joined)."""
    from pipeline.fields.evaluate import norm

    value = fields.get(name)
    if name == "signer":
        value = value.get("name") if isinstance(value, dict) else None
    if isinstance(value, list):
        value = " / ".join(str(v) for v in value)
    return norm(value)


def stripped_fields(
    count: int, first_seed: int, jobs: int
) -> dict[str, tuple[int, int, int, int, int]]:
    """Marks-stripped documents through `sohoa ingest` (the record `sohoa extract` prints is
    the same): held-out generated documents (scripts/make_scans.py, seed % 5 == 0) and the
    clean seeds 001, 002, 004 with their labels. Per field: (right, documents, of them seeds
    right, wrong ones the record's review names, right ones it names)."""
    from pipeline.text.vietnamese import strip_marks
    from scripts.eval_fields import generated_text
    from scripts.scanlib.content import split_of

    truths: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="eval-restore-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        seed = first_seed
        while len(truths) < count:
            if split_of(seed) == "heldout":
                text, fields, _ = generated_text(seed)
                (folder / f"gen-{seed}.txt").write_text(strip_marks(text), encoding="utf-8")
                truths[f"gen-{seed}"] = fields
            seed += 1
        for name in CLEAN_SEEDS:
            stem = Path(name).stem
            label = json.loads((REPO / "corpus/labels" / f"{stem}.json").read_text("utf-8"))
            text = (SHARED / name).read_text(encoding="utf-8")
            (folder / f"{stem}.txt").write_text(strip_marks(text), encoding="utf-8")
            truths[stem] = label["fields"]
        command = [sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db",
                   str(Path(tmp) / "db.sqlite"), "--out", str(Path(tmp) / "records"),
                   "-j", str(jobs), "--progress", "never"]  # fmt: skip
        subprocess.run(command, cwd=REPO, capture_output=True, check=False)
        records = {}
        for path in (Path(tmp) / "records").glob("[0-9a-f]*.json"):
            record = json.loads(path.read_text(encoding="utf-8"))
            records[Path(record["source"]["path"]).stem] = record
    scores: dict[str, tuple[int, int, int, int, int]] = {}
    for name in FIELDS_CHECKED:
        right = total = seeds = flagged = doubted = 0
        for stem, truth in truths.items():
            expected = field_text(truth, name)
            if not expected:
                continue
            got = field_text(records.get(stem, {}), name)
            total += 1
            right += got == expected
            seeds += got == expected and not stem.startswith("gen-")
            review = {item["field"] for item in records.get(stem, {}).get("review", [])}
            flagged += got != expected and name in review
            doubted += got == expected and name in review
            if got != expected:
                log.info("%s %s: %r, expected %r", stem, name, got, expected)
        scores[name] = (right, total, seeds, flagged, doubted)
    return scores


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
    parser.add_argument(
        "--real",
        type=Path,
        default=REPO / "build" / "bench-real" / "texts.json",
        help="texts.json of `scripts/bench_real.py --split dev --systems sohoa,bare`",
    )
    parser.add_argument(
        "--seed-003-only",
        action="store_true",
        help="only seed 003's CER, with the committed model (models/restore) and --model",
    )
    parser.add_argument("--limit", type=int, default=100000, help="at most this many legal lines")
    parser.add_argument("--no-pyvi", action="store_true")
    parser.add_argument("--no-bigram", action="store_true", help="leave out the bigram row")
    parser.add_argument("--no-names", action="store_true", help="without the gazetteer hints")
    parser.add_argument("--no-cache", action="store_true", help="without the document cache")
    parser.add_argument(
        "--fields",
        type=int,
        default=0,
        help="this many held-out generated documents (and the clean seeds), marks stripped, "
        "through `sohoa ingest` (the committed model): signer, place, issuer",
    )
    parser.add_argument(
        "--fields-first-seed",
        type=int,
        default=5000,
        help="the generated documents' first seed (5000: the standard sample; 7000 and 9000 "
        "were the second and third)",
    )
    parser.add_argument(
        "--fields-only", action="store_true", help="only the --fields table (no model needed)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.fields_only:
        print_fields(args.fields or 40, args.fields_first_seed)
        return 0
    ensure_model(args.model, 3)
    if args.seed_003_only:
        print_seed_003(args.model)
        return 0
    if not args.no_bigram:
        ensure_model(args.baseline, 2)
    legal, seeds = heldout_sets(args.limit)
    pages = ocr_pages(args.pairs) if args.pairs.exists() else Pages([], [], [])
    rows: dict[str, Scores] = {}
    started = time.monotonic()
    settings = Settings(names=not args.no_names)
    if args.no_cache:
        settings = Settings(names=not args.no_names, cache_weight=0.0)
    ours = Restorer.load(args.model, settings)
    load_s = time.monotonic() - started
    rows["sohoa: KN trigram + learned channel"] = evaluate(
        restorer_system(ours), legal, seeds, pages
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sets = party_sets()
    set_rows = {s.name: evaluate_set(restorer_system(ours), s.lines) for s in sets}
    real_rows = real_ocr_rows(args.real, ours) if args.real.exists() else {}
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
    print_tables(legal, seeds, pages, rows, set_rows, real_rows)
    if args.fields:
        print_fields(args.fields, args.fields_first_seed)
    print_seed_003(args.model)
    print(f"\nsohoa model load {load_s:.2f}s; peak RSS after evaluating it {rss:.0f} MB")
    if vie_line:
        print(vie_line)
    return 0


def print_fields(count: int, first_seed: int) -> None:
    """The table of marks-stripped documents through ingest."""
    print(f"\nMarks-stripped documents through `sohoa ingest` (models/restore; {count} generated "
          f"from seed {first_seed}, and the 3 clean seeds):\n")  # fmt: skip
    print("| field | right | documents | share | of them the 3 clean seeds |"
          " wrong, flagged in review | wrong, unflagged | right, flagged |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (right, total, seeds_right, flagged, doubted) in stripped_fields(
        count, first_seed, 2
    ).items():
        print(f"| {name} | {right} | {total} | {right / max(total, 1):.1%} | {seeds_right} | "
              f"{flagged} | {total - right - flagged} | {doubted} |")


def print_seed_003(model: Path) -> None:
    """Seed 003's CER table, with the committed model and the evaluation model (neither
    has seen the seed)."""
    print("\nSeed 003 (`-l eng` OCR of a real report) through `sohoa restore --mode ocr`, "
          "CER against corpus/restore/seed003.truth.txt:\n")  # fmt: skip
    print("| model | lines | characters | CER bare OCR | CER repaired |")
    print("|---|---|---|---|---|")
    for label, path in (("models/restore (shipped)", None), ("evaluation model", model)):
        for row in seed_003_rows(Restorer.load(path)):
            print(f"| {label} | {row.name} | {row.chars:,} | {row.bare:.2%} | {row.repaired:.2%} |")


def print_tables(
    legal: list[str],
    seeds: list[str],
    pages: Pages,
    rows: dict[str, Scores],
    set_rows: dict[str, SetScores],
    real_rows: dict[str, WordRepair],
) -> None:
    """The four tables of the module docstring, in Markdown."""
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
        "| system | (a) legal | (a) Party seeds | (b) CER | (b) CER, 003-like | (b) WER | "
        "(c) changed | (d) syl/s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(f"| raw OCR (`-l eng`) | | | {raw_cer:.2%} | {raw_003:.2%} | {raw_wer:.2%} | | |")
    for name, s in rows.items():
        print(
            f"| {name} | {s.legal:.2%} | {s.seeds:.2%} | {s.cer:.2%} | {s.cer_like_003:.2%} | "
            f"{s.wer:.2%} | {s.changed:.3%} | {s.speed:,.0f} |"
        )
    print("\nParty domain and real pages, each set alone (sohoa, this model):\n")
    print(
        "| set | syllables | marks stripped: right | correct input: unchanged | "
        "personal names: right (syllables) | places: right (syllables) |"
    )
    print("|---|---|---|---|---|---|")
    for name, r in set_rows.items():
        print(
            f"| {name} | {r.syllables:,} | {r.stripped:.2%} | {r.unchanged:.3%} | "
            f"{r.names[0]:.2%} ({r.names[1]}) | {r.places[0]:.2%} ({r.places[1]}) |"
        )
    _, legal_places = span_accuracy(legal, legal, place_positions)
    _, legal_names = span_accuracy(legal, legal, name_positions)
    print(f"(legal slice: {legal_names} syllables in personal names, {legal_places} in places)")
    if not real_rows:
        return
    print("\nReal development pages: OCR words before and after repair (dev split only):\n")
    print(
        "| OCR, repair | pages | aligned words | OCR right | fixed | broken | "
        "broken per OCR-right word | fixed : broken | CER before | CER after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, w in real_rows.items():
        print(
            f"| {name} | {w.pages} | {w.words:,} | {w.ocr_right:,} | {w.fixed} | {w.broken} | "
            f"{broken_rate(w)} | {w.ratio:.1f} : 1 | "
            f"{w.cer_before:.2%} | {w.cer_after:.2%} |"
        )


if __name__ == "__main__":
    sys.exit(main())
