"""Peak memory of restoring large texts (issue 14: a 50 MB one-line file was OOM-killed).

Each size runs in a fresh process (`--child`) that loads the model, reads the file and
restores it; the parent reports the child's peak RSS (VmHWM) and wall time. The texts are the
seed reports repeated: as lines, and joined into one line.
    nice -n 10 .venv/bin/python scripts/bench_restore_memory.py --sizes 1 50 --shape one-line
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
MB = 1 << 20


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def make_text(path: Path, size: int, one_line: bool, marks: bool = False) -> None:
    """Write about `size` bytes of seed text (stripped of marks unless `marks`)."""
    sys.path.insert(0, str(REPO))
    from pipeline.restore.syllable import skeleton

    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00[124]_*.txt"))]
    text = "\n".join(seeds) if marks else skeleton("\n".join(seeds))
    if one_line:
        text = " ".join(text.split())
    unit = text.encode("utf-8")
    separator = b" " if one_line else b"\n"
    with path.open("wb") as handle:
        written = 0
        while written < size:
            handle.write(unit + separator)
            written += len(unit) + 1


def child(path: Path, mode: str) -> None:
    """Restore one file and print its measurements as JSON."""
    sys.path.insert(0, str(REPO))
    from pipeline.restore import Restorer

    restorer = Restorer.load()
    loaded = peak_rss_mb()
    text = path.read_text(encoding="utf-8")
    started = time.monotonic()
    result = restorer.restore(text, mode=mode)
    seconds = time.monotonic() - started
    print(
        json.dumps(
            {
                "bytes": path.stat().st_size,
                "seconds": round(seconds, 1),
                "peak_mb": round(peak_rss_mb(), 1),
                "model_mb": round(loaded, 1),
                "changed": result.changed,
                "same_length": len(result.text) == len(text),
            }
        )
    )


def measure(path: Path, mode: str) -> dict[str, object]:
    """Run the child on `path` and return its JSON line."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--mode", mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0], help="MB")
    parser.add_argument("--shape", choices=["lines", "one-line", "both"], default="both")
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mode)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            shapes = {"lines": (False,), "one-line": (True,), "both": (False, True)}
            for one_line in shapes[args.shape]:
                path = Path(folder) / f"{size}-{one_line}.txt"
                make_text(path, int(size * MB), one_line)
                row = measure(path, args.mode)
                shape = "one line" if one_line else "lines"
                print(f"{size:g} MB, {shape}, mode {args.mode}: {json.dumps(row)}", flush=True)
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
