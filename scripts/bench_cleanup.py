"""Cleanup ablation: CER and time with all cleanup steps on, then with each one switched off.

Same generated pages as scripts/bench_ocr.py (every degradation profile, held-out split by
default). OCR is Tesseract `vie` through sohoa's own OCR stage (reading order included; an
unsure orientation vote asks Tesseract, as the ingest does); text repair is left out so the
table shows what the image steps alone are worth.

    .venv/bin/python scripts/bench_cleanup.py --per-profile 2 --jobs 2
    .venv/bin/python scripts/bench_cleanup.py --steps denoise   # default and denoise switched
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline import cleanup, ocr, sources  # noqa: E402
from pipeline.programs import tesseract  # noqa: E402
from pipeline.run.page import tesseract_orientation  # noqa: E402
from scripts.bench_ocr import BenchPage, cer, generate  # noqa: E402

STEPS = [f.name for f in fields(cleanup.CleanupOptions) if f.type in ("bool", bool)]


def run_page(job: tuple[BenchPage, cleanup.CleanupOptions]) -> tuple[str, float, float, float]:
    page, options = job
    tesseract.single_threaded()
    rgb = sources.load_image_page(page.image, 0)
    start = time.perf_counter()
    cleaned = cleanup.clean_page(rgb, options, orientation_check=tesseract_orientation)
    cleanup_s = time.perf_counter() - start
    start = time.perf_counter()
    text, _, _ = ocr.recognize_page(cleaned.image)
    ocr_s = time.perf_counter() - start
    return page.profile, cer(text, page.truth), cleanup_s, ocr_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-cleanup")
    parser.add_argument("--per-profile", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=9000)
    parser.add_argument("--split", choices=("heldout", "train"), default="heldout")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--steps", default=",".join(STEPS),
                        help="comma-separated steps to switch, one variant each (default: all)")
    args = parser.parse_args(argv)
    chosen = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = sorted(set(chosen) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {unknown}; choose from {STEPS}")
    pages = generate(args.out, args.per_profile, args.first_seed, args.split)
    default = cleanup.CleanupOptions()
    variants: list[tuple[str, cleanup.CleanupOptions]] = [("all default steps", default)]
    for step in chosen:
        flipped = not getattr(default, step)
        label = f"{'with' if flipped else 'without'} {step}"
        variants.append((label, replace(default, **{step: flipped})))
    if chosen == STEPS:
        variants.append(("no cleanup at all", cleanup.CleanupOptions.only()))
    profiles = list(dict.fromkeys(p.profile for p in pages))
    print(
        "| variant | mean CER | worst profile | "
        + " | ".join(profiles)
        + " | cleanup s/page | OCR s/page |"
    )
    print("|---|---:|---|" + "---:|" * (len(profiles) + 2))
    with ProcessPoolExecutor(args.jobs) as pool:
        for label, options in variants:
            results = list(pool.map(run_page, [(page, options) for page in pages]))
            by_profile = {p: [r[1] for r in results if r[0] == p] for p in profiles}
            means = {p: sum(v) / len(v) for p, v in by_profile.items()}
            worst = max(means, key=lambda p: means[p])
            mean = sum(r[1] for r in results) / len(results)
            cells = " | ".join(f"{100 * means[p]:.2f}%" for p in profiles)
            print(
                f"| {label} | {100 * mean:.2f}% | {worst} {100 * means[worst]:.1f}% | {cells} | "
                f"{sum(r[2] for r in results) / len(results):.2f} | "
                f"{sum(r[3] for r in results) / len(results):.2f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
