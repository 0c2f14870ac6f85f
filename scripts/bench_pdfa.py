"""PDF/A text layer and cost: CER of the extracted text against the record's restored text,
share of words whose extracted box overlaps their OCR box with IoU >= 0.5, size against the
input file, seconds per page.

    sohoa ingest SCANS... --db /tmp/b.sqlite --out /tmp/records
    python scripts/bench_pdfa.py --records /tmp/records --out /tmp/pdfa

Each record's source file must still be where the ingest read it (`source.path`).
CER: Levenshtein distance between the page texts (whitespace collapsed to one space) and
`pdftotext -raw` of the PDF/A, over the record's characters. IoU: `pdftotext -bbox` word
boxes matched to the placed words by text and best overlap; each is compared with
its OCR word box mapped to the page (one-to-one words; a word spread over a merged OCR box
is compared with its share of that box and counted apart).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from html import unescape
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import Levenshtein

from pipeline.archive.geometry import PageGeometry
from pipeline.archive.pdfa import write_pdfa
from pipeline.archive.words import placed_words
from pipeline.record import Record

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass
class Row:
    name: str
    pages: int
    cer: float
    words: int
    iou_ok: int
    spread: int
    spread_ok: int
    ratio: float
    seconds: float
    check_seconds: float
    found: bool
    notes: str
    truth_words: int = 0
    truth_ok: int = 0


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _rotation(pdf: Path, number: int) -> int:
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return int(doc.pages[number - 1].obj.get("/Rotate", 0))


def measure(record: Record, out: Path) -> Row:
    source = Path(record.source.path)
    result = write_pdfa(record, source, out)
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out), "-"],
                         capture_output=True, text=True, check=True).stdout
    expected = " ".join(" ".join(p.text for p in record.pages).split())
    got = " ".join(raw.split())
    cer = Levenshtein.distance(expected, got) / max(1, len(expected))
    bbox = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(out), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = iou_ok = spread = spread_ok = 0
    for page, (pw, ph, body) in zip(record.pages, PAGE.findall(bbox), strict=True):
        framed, placed = placed_words(page, source, record.source.media_type)
        if not placed:
            continue
        geometry = PageGeometry(framed.width, framed.height, tuple(framed.cleanup))
        width, height = float(pw), float(ph)
        if _rotation(out, page.number) % 180 == 90:  # pdftotext: boxes as shown, size not
            width, height = height, width
        found = [(unescape(m[4]), tuple(float(v) for v in m[:4])) for m in WORD.findall(body)]
        by_text: dict[str, list[tuple[float, ...]]] = {}
        for text, box in found:
            by_text.setdefault(text, []).append(box)
        for word in placed:
            u0, v0, u1, v1 = geometry.to_unit_box(word.box)
            box = (u0 * width, v0 * height, u1 * width, v1 * height)
            # the best overlap among the extracted words of the same text (poppler's reading
            # order is not the content order, so words are matched by text and place)
            ok = max((iou(box, other) for other in by_text.get(word.text, [])), default=0) >= 0.5
            if word.exact:
                words += 1
                iou_ok += ok
            else:
                spread += 1
                spread_ok += ok
    return Row(source.name, len(record.pages), cer, words, iou_ok, spread, spread_ok,
               result.bytes / source.stat().st_size, result.seconds / max(1, result.pages),
               result.check_seconds / max(1, result.pages),
               "đảng viên" in raw.lower(),
               ", ".join(filter(None, [
                   f"page_detect on p{result.inexact_pages}" if result.inexact_pages else "",
                   f"rendered p{result.rendered_pages}" if result.rendered_pages else "",
                   f"{result.unplaced_lines} lines without OCR boxes"
                   if result.unplaced_lines else "",
                   ",".join(sorted({p.image_source or "?" for p in record.pages}))])))


def truth_check(row: Row, record: Record, bbox: str, truth: Path) -> None:
    """Independent of the mapping: each word of the text layer (poppler's box, scaled to the
    scan's pixels) must have its centre inside the printed line that make_scans drew it in
    (the truth line's quad, in the original image's pixels) and that line must hold it."""
    import cv2
    import numpy as np

    pages = json.loads(truth.read_text(encoding="utf-8"))["pages"]
    for (pw, ph, body), page in zip(PAGE.findall(bbox), pages, strict=False):
        sx, sy = page["width"] / float(pw), page["height"] / float(ph)
        lines = [(np.array(line.get("quad") or _quad(line["box"]), np.float32),
                  line["text"].split()) for line in page.get("lines", [])]
        for m in WORD.findall(body):
            text = unescape(m[4])
            x = (float(m[0]) + float(m[2])) / 2 * sx
            y = (float(m[1]) + float(m[3])) / 2 * sy
            row.truth_words += 1
            row.truth_ok += any(
                cv2.pointPolygonTest(quad, (x, y), False) >= 0 and text in words
                for quad, words in lines)


def _quad(box: list[float]) -> list[list[float]]:
    x0, y0, x1, y1 = box
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=Path, required=True, help="folder of JSON records")
    ap.add_argument("--out", type=Path, required=True, help="folder for the PDF/A files")
    ap.add_argument("--truth", type=Path, help="make_scans output: check words against the "
                    "truth line boxes of NAME.pages.json for a source NAME.pdf")
    args = ap.parse_args(argv)
    rows: list[Row] = []
    warm = True  # the first document twice: imports, the font and the validator's rules
    for path in sorted(args.records.glob("*.json")):
        if not re.fullmatch(r"[0-9a-f]{64}\.json", path.name):  # run reports
            continue
        record = Record.from_json(path.read_text(encoding="utf-8"))
        if record.source.media_type == "text/plain" or not Path(record.source.path).is_file():
            continue
        if warm:
            write_pdfa(record, Path(record.source.path), args.out / "warm-up.pdf")
            warm = False
        out = args.out / f"{Path(record.source.path).stem}.pdf"
        row = measure(record, out)
        truth = args.truth / f"{Path(record.source.path).stem}.pages.json" if args.truth else None
        if truth is not None and truth.is_file() and record.source.media_type.endswith("pdf"):
            bbox = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(out), "-"],
                                  capture_output=True, text=True, check=True).stdout
            truth_check(row, record, bbox, truth)
        rows.append(row)
    print("| file | pages | CER % | words IoU>=0.5 | spread words IoU>=0.5 | size/input | "
          "s/page write | s/page qpdf | 'đảng viên' | in truth line | notes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.name} | {r.pages} | {100 * r.cer:.3f} | {r.iou_ok}/{r.words} | "
              f"{r.spread_ok}/{r.spread} | {r.ratio:.3f} | {r.seconds:.3f} | "
              f"{r.check_seconds:.3f} | {'yes' if r.found else 'no'} | "
              f"{f'{r.truth_ok}/{r.truth_words}' if r.truth_words else ''} | {r.notes} |")
    pages = sum(r.pages for r in rows)
    words = sum(r.words for r in rows)
    ok = sum(r.iou_ok for r in rows)
    spread = sum(r.spread for r in rows)
    spread_ok = sum(r.spread_ok for r in rows)
    chars_cer = max((r.cer for r in rows), default=0.0)
    print(f"| **all {len(rows)} files** | {pages} | max {100 * chars_cer:.3f} | "
          f"{ok}/{words} = {100 * ok / max(1, words):.2f}% | {spread_ok}/{spread} | "
          f"max {max((r.ratio for r in rows), default=0):.3f} | "
          f"{sum(r.seconds * r.pages for r in rows) / max(1, pages):.3f} | "
          f"{sum(r.check_seconds * r.pages for r in rows) / max(1, pages):.3f} | | "
          f"{sum(r.truth_ok for r in rows)}/{sum(r.truth_words for r in rows)} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
