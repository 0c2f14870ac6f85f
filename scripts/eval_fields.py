"""Per-field precision, recall and F1 of field extraction, and its speed.

Inputs (any combination):
  * the hand-labelled seeds in corpus/labels (text of /work/shared/seeds);
  * documents from the scan generator (scripts/make_scans.py), read as their truth text;
  * `--records DIR --truth DIR`: JSON records (e.g. `sohoa ingest --out DIR`) against truth
    files of the same name or <stem>.fields.json (a label file with "fields", or the scan
    generator's fields JSON).

Values are compared exactly after the normalisation of pipeline/fields/evaluate.py; seeds
read with Tesseract's English model (input "ocr-eng") are scored apart, letters and digits
only. Timing: median extraction time of a generated 10-page document.

    .venv/bin/python scripts/eval_fields.py --generated 60
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import statistics
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the `scripts` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.fields import extract_fields
from pipeline.fields.evaluate import Counts, score

log = logging.getLogger("eval_fields")

ROOT = Path(__file__).resolve().parents[1]
Json = dict[str, Any]
Case = tuple[str, Json, Json, bool]  # name, predicted fields, truth fields, loose


def seed_cases(labels: Path, shared: Path) -> Iterator[tuple[str, Case]]:
    """(group, case) for each labelled seed."""
    for path in sorted(labels.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        source = shared / label["source"]
        if not source.exists():
            log.warning("skipping %s: %s not found", path.name, source)
            continue
        pred = dataclasses.asdict(extract_fields(source.read_text(encoding="utf-8")))
        loose = label.get("input", "clean") != "clean"
        group = "seeds, OCR (loose)" if loose else "seeds, clean"
        yield group, (path.stem, pred, label["fields"], loose)


def generated_text(seed: int, pages: int | None = None) -> tuple[str, Json]:
    """A generated document's truth text and truth fields."""
    from scripts.make_scans import make_document
    from scripts.scanlib.layout import layout, page_text

    doc = make_document(seed, pages=pages)
    text = "\n\n".join(page_text(p.lines) for p in layout(doc))
    return text, dict(doc.fields)


def generated_cases(count: int, first: int) -> Iterator[tuple[str, Case]]:
    for seed in range(first, first + count):
        text, truth = generated_text(seed)
        pred = dataclasses.asdict(extract_fields(text))
        yield "generated, text", (f"gen-{seed}", pred, truth, False)


def record_cases(records: Path, truth: Path) -> Iterator[tuple[str, Case]]:
    for path in sorted(records.glob("*.json")):
        other = truth / path.name
        if not other.exists():  # the scan generator's name: <stem>.fields.json
            other = truth / f"{path.stem}.fields.json"
        if not other.exists():
            log.warning("no truth for %s", path.name)
            continue
        pred = json.loads(path.read_text(encoding="utf-8"))
        data = json.loads(other.read_text(encoding="utf-8"))
        fields = data.get("fields", data)
        yield "records", (path.stem, pred, fields, data.get("input", "clean") != "clean")


def table(groups: Mapping[str, dict[str, Counts]], docs: Mapping[str, int]) -> str:
    lines = []
    for group, fields in groups.items():
        lines.append(f"\n{group} ({docs[group]} documents)")
        lines.append(f"{'field':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>4} {'fn':>4}")
        for name, c in fields.items():
            lines.append(
                f"{name:<18} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} "
                f"{c.tp:5d} {c.fp:4d} {c.fn:4d}"
            )
    return "\n".join(lines)


def timing(pages: int, runs: int) -> tuple[float, int]:
    """Median milliseconds to extract a generated document of `pages` pages."""
    text, _ = generated_text(7, pages)
    extract_fields(text)  # first call builds the rules
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        extract_fields(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "corpus" / "labels")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="folder holding seeds/ (default: %(default)s)")
    parser.add_argument("--generated", type=int, default=40, help="generated documents")
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--records", type=Path, help="folder of JSON records")
    parser.add_argument("--truth", type=Path, help="folder of truth files for --records")
    parser.add_argument("--no-seeds", action="store_true")
    parser.add_argument("--errors", action="store_true", help="print every mismatch")
    parser.add_argument("--time-pages", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the counts as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    sources: list[Iterator[tuple[str, Case]]] = []
    if not args.no_seeds:
        sources.append(seed_cases(args.labels, args.shared))
    if args.generated:
        sources.append(generated_cases(args.generated, args.first_seed))
    if args.records and args.truth:
        sources.append(record_cases(args.records, args.truth))
    groups: dict[str, dict[str, Counts]] = {}
    docs: dict[str, int] = {}
    for source in sources:
        for group, (name, pred, truth, loose) in source:
            docs[group] = docs.get(group, 0) + 1
            fields = groups.setdefault(group, {})
            for field, counts in score(pred, truth, loose).items():
                fields.setdefault(field, Counts()).add(counts)
                if args.errors and (counts.fp or counts.fn):
                    print(f"{name} {field}: {_show(pred, field)!r} != {_show(truth, field)!r}")
    print(table(groups, docs))
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
