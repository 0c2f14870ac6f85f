"""Per-field precision, recall and F1 of field extraction, and its speed.

Inputs (any combination, one table each, then one F1 summary beside each other):
  * the hand-labelled seeds in corpus/labels (text of /work/shared/seeds);
  * documents from the scan generator (scripts/make_scans.py), read as their truth text;
  * `--scans N`: N generated documents rendered as scans (one degradation profile each,
    round robin over all profiles), written as PDFs and run through the whole pipeline
    (`sohoa ingest`, as a subprocess: cleanup, OCR, text repair, fields); scored per
    field and per profile. `--split heldout` (default: seed % 5 == 0) for reporting,
    `--split train` for development;
  * `--stripped N`: N generated documents typed without tone or vowel marks (text files),
    each made into a record by `sohoa ingest` (subprocess) and by `sohoa extract` (its
    `record_for`, in this process), scored apart: the two must agree (one record builder);
    a third column scores the fields read from the stripped text as it is (no restoration,
    what `extract` gave for a text file before it went through the ingest pipeline);
  * `--records DIR --truth DIR`: JSON records (e.g. `sohoa ingest --out DIR`) against truth
    files of the same name or <stem>.fields.json (a label file with "fields", or the scan
    generator's fields JSON).

Values are compared exactly after the normalisation of pipeline/fields/evaluate.py; seeds
read with Tesseract's English model (input "ocr-eng") are scored apart, letters and digits
only. For generated documents, references, sections and figures found in the filler
paragraphs (seed and legal-corpus sentences the generator reuses and whose citations its
truth does not list) are counted as "unlisted", not as false positives; see
`filler_text`. Timing: median extraction time of a generated 10-page document.

    .venv/bin/python scripts/eval_fields.py --generated 100 --scans 110 --split heldout \
        --scan-first-seed 5000
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

if __package__ in (None, ""):  # run as a file: make the `scripts` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.fields import extract_fields, repair
from pipeline.fields.evaluate import Counts, Unlisted, item_text, score, unmatched_truth
from pipeline.fields.text import compact
from pipeline.record import Record, plain
from pipeline.text.vietnamese import canonical_tones

log = logging.getLogger("eval_fields")

ROOT = Path(__file__).resolve().parents[1]
Json = dict[str, Any]
FILLER_MIN = 90.0  # rapidfuzz partial ratio of an item's words inside the filler text
FILLER_FUZZY_CHARS = 12  # shorter items must occur exactly


@dataclass
class Case:
    name: str
    pred: Json
    truth: Json
    loose: bool = False
    unlisted: Unlisted | None = None  # for generated documents: items found in filler
    text: str | None = None  # the text the extractor read (scans: after OCR and repair)


def _marked(text: str) -> str:
    """Letters (with their marks, one tone placement) and digits, lower case."""
    return "".join(c for c in canonical_tones(unicodedata.normalize("NFC", text)).casefold()
                   if c.isalnum())


def where_missed(text: str, field: str, value: Any) -> str:
    """Why a truth value was missed: "lost" when the text the extractor read does not hold
    it even with marks, case, spaces and punctuation ignored (OCR or repair lost it),
    "marks" when it holds it only with other tone or vowel marks, else "read" (the text
    holds it as it is, somewhere: most likely an extraction miss). A date counts as held
    when its day, month and year numbers follow one another."""
    if field == "date":  # ISO in the truth: look for its day, month and year, in order
        parts = [p.lstrip("0") for p in reversed(str(value).split("-"))]
        gaps = r"\D{0,12}?0?".join(re.escape(p) for p in parts)
        return "read" if re.search(gaps, compact(text)) else "lost"
    if isinstance(value, dict):
        if field == "tables":
            words = f"{value.get('title') or ''} {value.get('caption') or ''}"
        else:
            words = item_text(field, value)
    else:
        words = str(value)
    if compact(words) not in compact(text):
        return "lost"
    return "read" if _marked(words) in _marked(text) else "marks"


Groups = tuple[str, ...]  # the tables a case counts in


def seed_cases(labels: Path, shared: Path) -> Iterator[tuple[Groups, Case]]:
    """(groups, case) for each labelled seed."""
    for path in sorted(labels.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        source = shared / label["source"]
        if not source.exists():
            log.warning("skipping %s: %s not found", path.name, source)
            continue
        pred = plain(extract_fields(source.read_text(encoding="utf-8")))
        loose = label.get("input", "clean") != "clean"
        group = "seeds, OCR (loose)" if loose else "seeds, clean"
        yield (group,), Case(path.stem, pred, label["fields"], loose)


# -- generated documents -------------------------------------------------------------------


@cache
def _filler_pool() -> frozenset[str]:
    """Paragraph texts the generator copies from the seeds and the legal corpus."""
    from scripts.scanlib.sources import legal_paragraphs, seed_text

    seeds = seed_text()
    runs = [*seeds.paragraphs, *seeds.items]
    return frozenset(["".join(r.text for r in p) for p in runs] + list(legal_paragraphs()))


def filler_text(doc: Any) -> str:
    """The compact (folded letters and digits) text of a generated document's filler.

    Filler paragraphs are copied from the seed reports and the legal corpus; the citations,
    numbered paragraphs and figures inside them are real content of the page that the
    generator's truth does not list (it lists only what its templates insert). A body
    block is filler when its text, without footnote markers and a decision's "Điều n."
    prefix, is one of those paragraphs. Committee names with a citation in them, taken
    whole from the generator's pool into a subject, count as filler too.
    """
    from scripts.scanlib.pools import COMMITTEE_GROUPS

    pool = _filler_pool()
    out = []
    for block in doc.body:
        text = "".join(r.text for r in block.runs if not r.sup)
        text = re.sub(r"^Điều \d+\. ", "", text)
        if text in pool:
            out.append(compact(text))
    # A subject naming a committee "... việc thực hiện Chỉ thị số 28-CT/TW" cites a document
    # that the truth does not list either (the name comes whole from the generator's pool).
    subject = doc.fields.get("subject") or ""
    out.extend(compact(g) for g in COMMITTEE_GROUPS if g in subject and any(map(str.isdigit, g)))
    return "\n".join(out)


def unlisted_in(filler: str) -> Unlisted:
    """Predicate: a predicted item whose words occur in the filler text (exactly when
    short, else with a rapidfuzz partial ratio of FILLER_MIN, as OCR damages them)."""

    def check(field: str, item: Mapping[str, Any]) -> bool:
        needle = compact(item_text(field, item))
        if len(needle) < 3 or not filler:
            return False
        if needle in filler:
            return True
        return (
            len(needle) >= FILLER_FUZZY_CHARS
            and fuzz.partial_ratio(needle, filler, score_cutoff=FILLER_MIN) > 0
        )

    return check


def generated_text(seed: int, pages: int | None = None) -> tuple[str, Json, Any]:
    """A generated document's truth text, truth fields and the document itself."""
    from scripts.make_scans import make_document
    from scripts.scanlib.layout import layout, page_text

    doc = make_document(seed, pages=pages)
    text = "\n\n".join(page_text(p.lines) for p in layout(doc))
    return text, dict(doc.fields), doc


def generated_cases(count: int, first: int) -> Iterator[tuple[Groups, Case]]:
    for seed in range(first, first + count):
        text, truth, doc = generated_text(seed)
        pred = plain(extract_fields(text))
        yield ("generated, text",), Case(
            f"gen-{seed}", pred, truth, unlisted=unlisted_in(filler_text(doc))
        )


# -- generated scans through the whole pipeline --------------------------------------------


@dataclass
class ScanDoc:
    stem: str
    seed: int
    profile: str
    pages: int
    truth: Json
    filler: str


def make_scan_set(
    folder: Path, count: int, first: int, split: str, profiles: Sequence[str], max_pages: int
) -> list[ScanDoc]:
    """Generate `count` documents of `split` from seed `first` on, each as a PDF scan with
    one profile (round robin), the way `make_scans.py` does; existing PDFs are kept."""
    from scripts.make_scans import _font_for, make_document, render, split_of, write_document

    folder.mkdir(parents=True, exist_ok=True)
    out: list[ScanDoc] = []
    seed = first
    while len(out) < count:
        if split != "all" and split_of(seed) != split:
            seed += 1
            continue
        profile = profiles[len(out) % len(profiles)]
        n_pages = random.Random(f"pages-{seed}").randint(1, max(1, max_pages))
        doc = make_document(seed, None, n_pages)
        stem = f"{seed:06d}-{profile}"
        pdf = folder / f"{stem}.pdf"
        if pdf.exists() and (folder / f"{stem}.fields.json").exists():
            pages = json.loads((folder / f"{stem}.pages.json").read_text("utf-8"))["pages"]
            n = len(pages)
        else:
            font = _font_for(seed, "mix")
            rendered = render(doc, profile, dpi=300, font=font, seed=seed)
            write_document(doc, rendered, folder, stem, font=font, formats=("pdf",))
            n = len(rendered)
        out.append(ScanDoc(stem, seed, profile, n, dict(doc.fields), filler_text(doc)))
        seed += 1
    return out


def run_ingest(folder: Path, work: Path, jobs: int, include: str = "*.pdf") -> tuple[float, str]:
    """`sohoa ingest` on the `include` files of `folder` (niced, as a subprocess): wall
    seconds and its summary line (documents already in the store are skipped, their records
    kept)."""
    sohoa = shutil.which("sohoa", path=str(Path(sys.executable).parent)) or "sohoa"
    cmd = [
        "nice", "-n", "10", sohoa, "ingest", str(folder), "--include", include,
        "--db", str(work / "archive.sqlite"), "--out", str(work / "records"),
        "-j", str(jobs), "--progress", "never",
    ]  # fmt: skip
    log.info("running: %s", " ".join(cmd))
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some files failed, reported per document below
        raise SystemExit(f"sohoa ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    lines = (done.stdout + done.stderr).splitlines()
    for line in lines[-6:]:
        log.info("ingest: %s", line)
    summary = next((ln.strip() for ln in lines if " files: " in ln), "")
    return seconds, summary


def scan_cases(
    docs: Sequence[ScanDoc], records: Path, stale: list[str]
) -> Iterator[tuple[Groups, Case]]:
    """Cases from the records ingest wrote; fields are read again from each record's text
    and pages with the current extractor (the call ingest makes), so a kept scan folder
    can be scored after changing the extractor without running OCR again. Records whose
    stored fields differ from the fresh ones are listed in `stale`."""
    by_stem: dict[str, Json] = {}
    for path in records.glob("[0-9a-f]*.json"):  # records are named by id; not the run reports
        data = json.loads(path.read_text(encoding="utf-8"))
        by_stem[Path(data["source"]["path"]).stem] = data
    for d in docs:
        data = by_stem.get(d.stem)
        pred: Json = {}
        if data is None:
            log.warning("%s: no record (ingest failed?)", d.stem)
        else:
            record = Record.from_dict(data)
            fields = extract_fields(record.text, record.pages, repair.for_record(record))
            pred = plain(fields)
            if any(pred[k] != data.get(k) for k in ("doc_number", "subject", "recipients",
                                                     "issuer", "signer", "references")):
                stale.append(d.stem)
        groups = ("scans, all profiles", f"scans: {d.profile}")
        text = data["text"] if data else ""
        yield groups, Case(d.stem, pred, d.truth, unlisted=unlisted_in(d.filler), text=text)


STRIPPED_GROUPS = ("stripped, ingest", "stripped, extract", "stripped, no restoration")


def stripped_cases(count: int, first: int, work: Path, jobs: int
                   ) -> Iterator[tuple[Groups, Case]]:  # fmt: skip
    """Generated documents typed without marks, made into records by `sohoa ingest` and by
    `sohoa extract`, and read without restoration; the records' own fields are scored."""
    from pipeline.commands.extract import record_for
    from pipeline.text.vietnamese import strip_marks

    folder = work / "stripped"
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for seed in range(first, first + count):
        text, truth, doc = generated_text(seed)
        path = folder / f"gen-{seed}.txt"
        path.write_text(strip_marks(text), encoding="utf-8")
        docs.append((path, truth, unlisted_in(filler_text(doc))))
    (work / "stripped-ingest").mkdir(exist_ok=True)
    _, summary = run_ingest(folder, work / "stripped-ingest", jobs, include="*.txt")
    log.info("stripped: %s", summary)
    ingested: dict[str, Json] = {}
    for path in (work / "stripped-ingest" / "records").glob("[0-9a-f]*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        ingested[Path(data["source"]["path"]).name] = data
    for path, truth, unlisted in docs:
        extracted = record_for(path).to_dict()
        bare = plain(extract_fields(path.read_text(encoding="utf-8")))
        for group, pred in zip(STRIPPED_GROUPS, (ingested.get(path.name, {}), extracted, bare),
                               strict=True):
            yield (group,), Case(path.stem, pred, truth, unlisted=unlisted)


def macro_f1(fields: Mapping[str, Counts]) -> float:
    """The mean F1 of the fields that have any item (truth or found) in the group."""
    scores = [c.f1 for c in fields.values() if c.tp + c.fp + c.fn]
    return sum(scores) / len(scores) if scores else 0.0


def record_cases(records: Path, truth: Path) -> Iterator[tuple[Groups, Case]]:
    for path in sorted(records.glob("[0-9a-f]*.json")):  # not the run reports
        other = truth / path.name
        if not other.exists():  # the scan generator's name: <stem>.fields.json
            other = truth / f"{path.stem}.fields.json"
        if not other.exists():
            log.warning("no truth for %s", path.name)
            continue
        pred = json.loads(path.read_text(encoding="utf-8"))
        data = json.loads(other.read_text(encoding="utf-8"))
        fields = data.get("fields", data)
        yield ("records",), Case(path.stem, pred, fields, data.get("input", "clean") != "clean")


# -- tables ----------------------------------------------------------------------------------


def table(groups: Mapping[str, dict[str, Counts]], docs: Mapping[str, int],
          missed: Mapping[str, dict[str, dict[str, int]]] | None = None) -> str:  # fmt: skip
    """P/R/F1 per field; for scans, `missed` splits the misses (fn) by `where_missed`:
    lost before extraction, present with other marks, present as it is."""
    lines = []
    for group, fields in groups.items():
        why = (missed or {}).get(group)
        lines.append(f"\n{group} ({docs[group]} documents)")
        lines.append(f"{'field':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>4} {'fn':>4}"
                     f" {'unlisted':>8}" + ("  fn: lost marks read" if why is not None else ""))
        for name, c in fields.items():
            row = (f"{name:<18} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} "
                   f"{c.tp:5d} {c.fp:4d} {c.fn:4d} {c.unlisted:8d}")
            if why is not None:
                w = why.get(name, {})
                row += "      " + "".join(f"{w.get(k, 0):5d}" for k in ("lost", "marks", "read"))
            lines.append(row)
    return "\n".join(lines)


def f1_table(groups: Mapping[str, dict[str, Counts]], names: Sequence[str], title: str,
             labels: Sequence[str] | None = None) -> str:  # fmt: skip
    """F1 of every field (rows) in each of the groups `names` (columns)."""
    names = [n for n in names if n in groups]
    if not names:
        return ""
    labels = list(labels or names)
    width = max(6, *(len(x) for x in labels))
    fields = list(dict.fromkeys(f for n in names for f in groups[n]))
    out = [f"\n{title}", f"{'field':<18} " + " ".join(f"{x:>{width}}" for x in labels)]
    for field in fields:
        cells = []
        for n in names:
            c = groups[n].get(field)
            cells.append(f"{c.f1:{width}.3f}" if c and c.tp + c.fp + c.fn else f"{'-':>{width}}")
        out.append(f"{field:<18} " + " ".join(cells))
    return "\n".join(out)


def timing(pages: int, runs: int) -> tuple[float, int]:
    """Median milliseconds to extract a generated document of `pages` pages."""
    text, _, _ = generated_text(7, pages)
    extract_fields(text)  # first call builds the rules
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        extract_fields(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(text)


def main(argv: list[str] | None = None) -> int:
    from scripts.make_scans import PROFILES

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "corpus" / "labels")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="folder holding seeds/ (default: %(default)s)")
    parser.add_argument("--generated", type=int, default=40, help="generated documents")
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--scans", type=int, default=0,
                        help="generated scans to run through `sohoa ingest` (default: none)")
    parser.add_argument("--split", choices=["heldout", "train", "all"], default="heldout",
                        help="scan seeds: heldout (seed %% 5 == 0, for reporting), train "
                             "(for development)")
    parser.add_argument("--scan-first-seed", type=int, default=2000)
    parser.add_argument("--profiles", default="all",
                        help="comma list of degradation profiles for --scans (default: all)")
    parser.add_argument("--max-pages", type=int, default=2, help="scan pages: 1..N by seed")
    parser.add_argument("--scan-dir", type=Path,
                        help="keep scans, store and records here and reuse them on the next "
                             "run (default: a temporary folder, removed)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="ingest worker processes")
    parser.add_argument("--stripped", type=int, default=0,
                        help="generated documents typed without marks, through ingest and "
                        "extract (default: none)")
    parser.add_argument("--records", type=Path, help="folder of JSON records")
    parser.add_argument("--truth", type=Path, help="folder of truth files for --records")
    parser.add_argument("--no-seeds", action="store_true")
    parser.add_argument("--errors", action="store_true", help="print every mismatch")
    parser.add_argument("--time-pages", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the counts as JSON here")
    args = parser.parse_args(argv)  # fmt: skip
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    sources: list[Iterator[tuple[Groups, Case]]] = []
    work = args.scan_dir or Path(tempfile.mkdtemp(prefix="sohoa-eval-fields-"))
    if args.stripped:
        sources.append(stripped_cases(args.stripped, args.first_seed, work, args.jobs))
    if not args.no_seeds:
        sources.append(seed_cases(args.labels, args.shared))
    if args.generated:
        sources.append(generated_cases(args.generated, args.first_seed))
    if args.records and args.truth:
        sources.append(record_cases(args.records, args.truth))
    profiles = list(PROFILES) if args.profiles == "all" else args.profiles.split(",")
    stale: list[str] = []
    scan_note = ""
    if args.scans:
        docs = make_scan_set(work / "scans", args.scans, args.scan_first_seed, args.split,
                             profiles, args.max_pages)  # fmt: skip
        seconds, summary = run_ingest(work / "scans", work, args.jobs)
        pages = sum(d.pages for d in docs)
        scan_note = (f"\nscans: {len(docs)} documents ({args.split} split, seeds "
                     f"{docs[0].seed}-{docs[-1].seed}), {pages} pages, "
                     f"{len(profiles)} profiles; sohoa ingest -j {args.jobs}: {seconds:.0f} s"
                     f" ({summary})")
        sources.append(scan_cases(docs, work / "records", stale))
    groups: dict[str, dict[str, Counts]] = {}
    docs_in: dict[str, int] = {}
    missed: dict[str, dict[str, dict[str, int]]] = {}
    for source in sources:
        for names, case in source:
            counts = score(case.pred, case.truth, case.loose, case.unlisted)
            why: list[tuple[str, str]] = []
            if case.text is not None:
                for field, c in counts.items():
                    if c.fn and field != "family":  # derived from the heading, not written
                        for value in unmatched_truth(field, case.pred, case.truth, case.loose):
                            why.append((field, where_missed(case.text, field, value)))
            for group in names:
                docs_in[group] = docs_in.get(group, 0) + 1
                fields = groups.setdefault(group, {})
                for field, c in counts.items():
                    fields.setdefault(field, Counts()).add(c)
                if case.text is not None:
                    into = missed.setdefault(group, {})
                    for field, kind in why:
                        slot = into.setdefault(field, {})
                        slot[kind] = slot.get(kind, 0) + 1
            if args.errors:
                for field, c in counts.items():
                    if c.fp or c.fn:
                        print(f"{case.name} {field}: {_show(case.pred, field)!r} != "
                              f"{_show(case.truth, field)!r}")  # fmt: skip
    if (args.scans or args.stripped) and args.scan_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    main_groups = [g for g in groups if not g.startswith("scans: ") and g not in STRIPPED_GROUPS]
    print(table({g: groups[g] for g in main_groups}, docs_in, missed))
    print(f1_table(groups, main_groups, "F1 side by side",
                   [g.split(",")[0] if g.startswith("scans") else g for g in main_groups]))
    if args.stripped:
        stripped = [g for g in STRIPPED_GROUPS if g in groups]
        print(f1_table(groups, stripped, f"F1, {args.stripped} generated documents typed "
                       "without marks", [g.split(", ")[1] for g in stripped]))
        print("macro F1           " + " ".join(f"{macro_f1(groups[g]):>14.3f}"
                                               for g in stripped))
    per_profile = [f"scans: {p}" for p in profiles]
    print(f1_table(groups, per_profile, "F1 per profile (scans)", profiles))
    if scan_note:
        print(scan_note)
        if stale:
            shown = ", ".join(stale[:5]) + (", ..." if len(stale) > 5 else "")
            print(f"{len(stale)} record(s) hold fields of an older extractor (re-read): {shown}")
    if args.time_pages:
        ms, chars = timing(args.time_pages, 21)
        print(f"\nextraction time, {args.time_pages}-page generated document ({chars} chars): "
              f"{ms:.1f} ms (median of 21)")
    if args.json:
        out = {g: {f: dataclasses.asdict(c) for f, c in fs.items()} for g, fs in groups.items()}
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


def _show(fields: Mapping[str, Any], name: str) -> Any:
    if name.startswith("signer."):
        return (fields.get("signer") or {}).get(name.split(".", 1)[1])
    value = fields.get(name)
    if name in ("references", "sections", "footnotes", "tables", "figures") and isinstance(
        value, list
    ):
        keys = ("type", "number", "symbol", "date", "level", "title", "marker", "text", "value",
                "unit")
        return [{k: v for k, v in item.items() if k in keys} for item in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
