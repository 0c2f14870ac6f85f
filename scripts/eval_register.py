"""The TT 02/2019 register on ingested records: how often Cơ quan ban hành is the full
issuing body, and how full each column is.

    python scripts/eval_register.py --records DIR [--truth SCANS_DIR] [--labels corpus/real/labels]

Expected body: `export.full_issuing_body` of the TRUE header lines (make_scans'
NAME.fields.json for a source NAME.pdf/.png/.jpg, or a dev-split hand label
corpus/real/labels/DOC.json for a source DOC.pdf/.jpg), in register case; a record scores
when its register value equals it exactly. Holdout labels are never read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.archive.export import (
    TT02_COLUMNS,
    full_issuing_body,
    issuing_body,
    register_case,
    tt02_row,
)
from pipeline.record import Record
from pipeline.text.vietnamese import tone_equal


def truth_issuer(stem: str, truth: Path | None, labels: Path | None) -> list[str] | None:
    if truth is not None and (truth / f"{stem}.fields.json").is_file():
        return list(json.loads((truth / f"{stem}.fields.json").read_text("utf-8"))["issuer"])
    if labels is not None and (labels / f"{stem}.json").is_file():
        label = json.loads((labels / f"{stem}.json").read_text("utf-8"))
        if label.get("split") == "dev":
            return list(label["fields"].get("issuer") or [])
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=Path, required=True, action="append")
    ap.add_argument("--truth", type=Path, help="make_scans output folder")
    ap.add_argument("--labels", type=Path, help="corpus/real/labels (dev split only)")
    ap.add_argument("--show", action="store_true", help="print every mismatch")
    args = ap.parse_args(argv)
    rows: list[list[str]] = []
    scored = right = 0
    for folder in args.records:
        for path in sorted(folder.glob("*.json")):
            if not re.fullmatch(r"[0-9a-f]{64}\.json", path.name):
                continue
            record = Record.from_json(path.read_text(encoding="utf-8"))
            rows.append(tt02_row(len(rows) + 1, record))
            truth = truth_issuer(Path(record.source.path).stem, args.truth, args.labels)
            if truth is None:
                continue
            scored += 1
            expected = register_case(full_issuing_body(truth))
            got = issuing_body(record)
            right += tone_equal(got, expected)  # hòa/hoà, ủy/uỷ: the same
            if not tone_equal(got, expected) and args.show:
                print(f"  {Path(record.source.path).name}: {got!r} != {expected!r}")
    print(f"documents: {len(rows)}; full issuing body right: {right}/{scored}"
          f" = {100 * right / max(1, scored):.1f}%")
    print("| column | filled |")
    print("|---|---|")
    for n, name in enumerate(TT02_COLUMNS):
        filled = sum(1 for r in rows if r[n].strip())
        print(f"| {name} | {filled}/{len(rows)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
