"""Memory benchmark: a long PDF streams page by page through `sohoa ingest`.

Builds an image-only PDF of N pages (default 200) from generated scans, ingests it with
`-j N`, and samples every process of the run (the parent and each worker) from /proc while
it works, reporting each one's peak resident memory (VmHWM) and the wall time.

    .venv/bin/python scripts/bench_memory.py --pages 200 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.procstat import watch  # noqa: E402


def build_pdf(path: Path, pages: int) -> None:
    """A long scan: generated one-page documents repeated (one decoded page at a time)."""
    from scripts.make_scans import make_document, render

    images = [
        render(make_document(seed, pages=1), "photocopy", dpi=300, seed=seed)[0].image
        for seed in (11, 12, 13, 14)
    ]
    first, rest = images[0], [images[(n + 1) % len(images)] for n in range(pages - 1)]
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=300.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        pdf = Path(tmp) / "long.pdf"
        build_pdf(pdf, args.pages)
        size_mb = pdf.stat().st_size / 1e6
        command = [
            sys.executable,
            "-m",
            "pipeline.cli",
            "ingest",
            str(pdf),
            "--db",
            str(Path(tmp) / "db.sqlite"),
            "-j",
            str(args.jobs),
            "--progress",
            "never",
        ]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        peaks = watch(process)
        seconds = time.perf_counter() - start
        output = process.stdout.read() if process.stdout else ""
    kinds: dict[str, list[int]] = {}
    # Workers are forked from the fork server and share its command line; it was started
    # first. It holds the preloaded restoration model, so its size no longer tells it apart.
    server = min(
        (pid for pid, (name, _) in peaks.items() if "forkserver" in name and "main" in name),
        default=None,
    )
    for pid, (name, kib) in peaks.items():
        if pid == process.pid:
            kind = "sohoa parent"
        elif "tesseract" in name:
            kind = "tesseract"
        elif "pdftoppm" in name:
            kind = "pdftoppm (page render)"
        elif pid == server:
            kind = "forkserver (preloaded model, shared with the workers)"
        else:
            kind = "sohoa worker"
        kinds.setdefault(kind, []).append(kib)
    print(
        f"{args.pages}-page PDF ({size_mb:.0f} MB), -j {args.jobs}: {seconds:.0f} s, "
        f"{args.pages / seconds * 60:.1f} pages/min"
    )
    print("| process | count | peak RSS (largest) |")
    print("|---|---:|---:|")
    for kind, values in sorted(kinds.items(), key=lambda item: -max(item[1])):
        print(f"| {kind} | {len(values)} | {max(values) / 1024:.0f} MB |")
    print(output.strip().splitlines()[0] if output.strip() else "(no summary)")
    return process.returncode if process.returncode in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
