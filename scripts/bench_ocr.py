"""OCR benchmark: sohoa ingest vs bare Tesseract vs OCRmyPDF on the same generated pages.

One run, same pages, same cores. For each system: pages/min, CER against the truth per
degradation profile, and peak RSS of the largest process. The pages come from
scripts/make_scans.py (every profile), so the truth text is exact.

    .venv/bin/python scripts/bench_ocr.py --per-profile 2 --jobs 2 --out build/bench-ocr

(a) bare:     `tesseract PAGE - -l vie`, OMP_THREAD_LIMIT=1, one process per core, raw pages
(b) ocrmypdf: `ocrmypdf -l vie --jobs N --output-type pdf --optimize 0 --sidecar` per document
(c) sohoa:    `sohoa ingest PAGES -j N` (cleanup + OCR + text repair), raw pages; more ingest
              options from $SOHOA_BENCH_INGEST_ARGS (an ablation: "--no-cleanup grey_ocr")
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.procstat import watch  # noqa: E402


@dataclass
class BenchPage:
    profile: str
    image: Path  # the raw degraded page, as a scanner or phone would give it
    truth: str


@dataclass
class SystemResult:
    name: str
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    texts: dict[Path, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """NFC, whitespace runs collapsed: CER counts characters, not layout."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(hypothesis: str, truth: str) -> float:
    ref = normalise(truth)
    return Levenshtein.distance(normalise(hypothesis), ref) / max(len(ref), 1)


def generate(out: Path, per_profile: int, first_seed: int, split: str) -> list[BenchPage]:
    """Generated one-page documents, every profile, from the generator's held-out split
    (seed % 5 == 0, for the numbers we report) or its train split (for development)."""
    from scripts.make_scans import PROFILES, make_document, render, write_document

    pages: list[BenchPage] = []
    seed = first_seed - first_seed % 5 + (0 if split == "heldout" else 1)
    for profile in PROFILES:
        for _ in range(per_profile):
            seed += 5
            doc = make_document(seed, pages=1)
            rendered = render(doc, profile, seed=seed)
            paths = write_document(doc, rendered, out, f"{profile}-{seed}")
            pages.append(BenchPage(profile, paths["page-001"], rendered[0].text))
    return pages


def run_bare(pages: list[BenchPage], jobs: int) -> dict[str, str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(page: BenchPage) -> tuple[str, str]:
        proc = subprocess.run(
            ["tesseract", str(page.image), "stdout", "-l", "vie"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return str(page.image), proc.stdout

    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(one, pages))


def run_ocrmypdf(pages: list[BenchPage], jobs: int, work: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    for page in pages:
        pdf = page.image.parent.with_suffix(".pdf")
        sidecar = work / f"{pdf.stem}.txt"
        subprocess.run(
            [
                "ocrmypdf",
                "-q",
                "-l",
                "vie",
                "--jobs",
                str(jobs),
                "--output-type",
                "pdf",
                "--optimize",
                "0",
                "--sidecar",
                str(sidecar),
                str(pdf),
                str(work / pdf.name),
            ],
            check=True,
            capture_output=True,
        )
        texts[str(page.image)] = sidecar.read_text(encoding="utf-8").split("\f")[0]
    return texts


def run_sohoa(pages: list[BenchPage], jobs: int, work: Path) -> dict[str, str]:
    folder = work / "inputs"
    folder.mkdir()
    links = {}
    for page in pages:
        link = folder / f"{page.image.parent.name}{page.image.suffix}"
        link.symlink_to(page.image.resolve())
        links[str(link)] = str(page.image)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "ingest",
            str(folder),
            "--db",
            str(work / "bench.sqlite"),
            "--out",
            str(work / "records"),
            "-j",
            str(jobs),
            "--progress",
            "never",
            *os.environ.get("SOHOA_BENCH_INGEST_ARGS", "").split(),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    texts: dict[str, str] = {}
    for path in (work / "records").glob("[0-9a-f]*.json"):  # not the run reports
        record = json.loads(path.read_text(encoding="utf-8"))
        original = links[record["source"]["path"]]
        texts[original] = record["text"]
        texts["raw:" + original] = record["raw_text"]
    return texts


def run_system(name: str, pages: list[BenchPage], jobs: int) -> SystemResult:
    """Run one system in this (fresh) process."""
    result = SystemResult(name)
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        start = time.perf_counter()
        if name == "bare":
            result.texts = {Path(k): v for k, v in run_bare(pages, jobs).items()}
        elif name == "ocrmypdf":
            result.texts = {Path(k): v for k, v in run_ocrmypdf(pages, jobs, Path(tmp)).items()}
        else:
            result.texts = {Path(k): v for k, v in run_sohoa(pages, jobs, Path(tmp)).items()}
        result.seconds = time.perf_counter() - start
    return result


def _in_fresh_process(name: str, manifest: Path, jobs: int, out: Path) -> SystemResult:
    """Run one system in a child process; peak RSS is the largest process of its tree."""
    result_file = out / f"result-{name}.json"
    process = subprocess.Popen(
        [sys.executable, __file__, "--run-system", name, "--manifest", str(manifest),
         "--jobs", str(jobs), "--result", str(result_file)],
        cwd=ROOT, text=True,
    )  # fmt: skip
    peaks = watch(process)
    if process.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {process.returncode}")
    data = json.loads(result_file.read_text(encoding="utf-8"))
    largest = max((kib for pid, (_, kib) in peaks.items() if pid != process.pid), default=0)
    return SystemResult(
        name, data["seconds"], largest / 1024, {Path(k): v for k, v in data["texts"].items()}
    )


def table(pages: list[BenchPage], results: list[SystemResult]) -> str:
    columns: list[tuple[str, SystemResult, str]] = []
    for result in results:
        if result.name == "sohoa":
            columns.append(("sohoa raw OCR", result, "raw:"))
            columns.append(("sohoa (restored)", result, ""))
        else:
            columns.append((result.name, result, ""))
    profiles = list(dict.fromkeys(p.profile for p in pages))
    lines = [
        "| profile | pages | " + " | ".join(c[0] + " CER" for c in columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]

    def rate(selected: list[BenchPage], result: SystemResult, prefix: str) -> float:
        errors = sum(
            Levenshtein.distance(
                normalise(result.texts.get(Path(prefix + str(p.image)), "")), normalise(p.truth)
            )
            for p in selected
        )
        return errors / max(1, sum(len(normalise(p.truth)) for p in selected))

    degraded_rates: dict[str, list[float]] = {c[0]: [] for c in columns}
    for profile in profiles:
        selected = [p for p in pages if p.profile == profile]
        cells = []
        for label, result, prefix in columns:
            value = rate(selected, result, prefix)
            if profile != "clean":
                degraded_rates[label].append(value)
            cells.append(f"{100 * value:.2f}%")
        lines.append(f"| {profile} | {len(selected)} | " + " | ".join(cells) + " |")
    lines.append(
        "| degraded mean | | "
        + " | ".join(f"{100 * sum(v) / max(1, len(v)):.2f}%" for v in degraded_rates.values())
        + " |"
    )
    lines.append(
        "| degraded worst | | "
        + " | ".join(f"{100 * max(v, default=0):.2f}%" for v in degraded_rates.values())
        + " |"
    )
    lines += [
        "",
        "| system | seconds | pages/min | peak RSS (largest process of the run) |",
        "|---|---:|---:|---:|",
    ]
    for result in results:
        per_min = len(pages) / result.seconds * 60
        lines.append(
            f"| {result.name} | {result.seconds:.1f} | {per_min:.1f} | "
            f"{result.peak_rss_mb:.0f} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-ocr")
    parser.add_argument("--per-profile", type=int, default=2, help="pages per profile")
    parser.add_argument("--first-seed", type=int, default=9000)
    parser.add_argument(
        "--split",
        choices=("heldout", "train"),
        default="heldout",
        help="generator split: report on heldout, develop on train",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--systems", default="bare,ocrmypdf,sohoa")
    parser.add_argument("--run-system", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_system:  # child mode: one system, results as JSON on stdout
        pages = [
            BenchPage(p["profile"], Path(p["image"]), p["truth"])
            for p in json.loads(args.manifest.read_text(encoding="utf-8"))
        ]
        result = run_system(args.run_system, pages, args.jobs)
        texts = {str(k): v for k, v in result.texts.items()}
        args.result.write_text(
            json.dumps({"seconds": result.seconds, "texts": texts}, ensure_ascii=False),
            encoding="utf-8",
        )
        return 0

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    pages = generate(args.out / "pages", args.per_profile, args.first_seed, args.split)
    manifest = args.out / "manifest.json"
    manifest.write_text(
        json.dumps(
            [{"profile": p.profile, "image": str(p.image), "truth": p.truth} for p in pages],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    results = []
    for name in args.systems.split(","):
        print(f"running {name} on {len(pages)} pages with {args.jobs} jobs ...", file=sys.stderr)
        results.append(_in_fresh_process(name, manifest, args.jobs, args.out))
    report = table(pages, results)
    print(report)
    (args.out / "table.md").write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
