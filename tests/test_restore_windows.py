"""Restoration in bounded windows (issue 14): the same output as one lattice, bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pipeline.restore import Restorer, Settings
from pipeline.restore.syllable import skeleton

REPO = Path(__file__).resolve().parent.parent
ONE_LATTICE = Settings(window_slots=10**9, max_window_slots=10**9)
"""The decoding before windows: the whole text is one lattice."""
SMALL_WINDOWS = Settings(window_slots=40, max_window_slots=10**9)
"""Many exact windows (cut only where two tokens in a row have one candidate each)."""
MEMORY_TEXT_BYTES = 200_000
"""One line of stripped seed text; the one-lattice decoder took about 1.3 GB for it."""
OCR_LINES = 50
PEAK_RSS_MB = 500
GROWTH_MB = 100
"""Peak RSS above the loaded model's: windows keep it near zero whatever the text's size."""


def _seed(seeds_dir: Path, prefix: str) -> str:
    return next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("prefix", "mode", "strip"),
    [
        ("001", "stripped", True),
        ("002", "auto", True),
        ("004", "auto", False),
        ("003", "ocr", False),
    ],
)
def test_windows_give_the_one_lattice_output(
    seeds_dir: Path, prefix: str, mode: str, strip: bool
) -> None:
    text = _seed(seeds_dir, prefix)
    if mode == "ocr":  # the first page: OCR decoding is slow, and it still adapts (30 pairs)
        text = "\n".join(text.splitlines()[:OCR_LINES])
    text = skeleton(text) if strip else text
    whole = Restorer.load(settings=ONE_LATTICE).restore(text, mode=mode)
    for settings in (Settings(), SMALL_WINDOWS):
        windowed = Restorer.load(settings=settings).restore(text, mode=mode)
        assert windowed.text == whole.text
        assert windowed.changed == whole.changed
        assert windowed.low_confidence_spans == whole.low_confidence_spans
        assert windowed.confidence == pytest.approx(whole.confidence, abs=1e-6)


def test_forced_cuts_keep_the_text_and_most_choices(seeds_dir: Path) -> None:
    # Windows cut every 12 tokens wherever they fall (no exact boundary needed): each one
    # is decoded given the last two choices before it, which changes few words if any.
    text = skeleton(_seed(seeds_dir, "001"))
    whole = Restorer.load(settings=ONE_LATTICE).restore(text, mode="stripped").text
    forced = Restorer.load(settings=Settings(window_slots=10, max_window_slots=12))
    cut = forced.restore(text, mode="stripped").text
    assert len(cut) == len(whole)
    pairs = list(zip(whole.split(), cut.split(), strict=True))
    assert sum(a != b for a, b in pairs) / len(pairs) < 0.01


def test_one_long_line_is_restored_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "line.txt"
    sys.path.insert(0, str(REPO / "scripts"))
    from bench_restore_memory import make_text

    make_text(path, MEMORY_TEXT_BYTES, one_line=True)
    script = REPO / "scripts" / "bench_restore_memory.py"
    done = subprocess.run(
        [sys.executable, str(script), "--child", str(path), "--mode", "auto"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["same_length"] and row["changed"] > 0
    assert row["peak_mb"] < PEAK_RSS_MB
    assert row["peak_mb"] - row["model_mb"] < GROWTH_MB


WORDS = [
    "dang",
    "vien",
    "chi",
    "bo",
    "ket",
    "nap",
    "Đảng",
    "ủy",
    "HĐND",
    "2025",
    "12",
    ",",
    ".",
    ";",
]


@hypothesis_settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from([*WORDS, "\n"]), min_size=1, max_size=80),
    st.sampled_from(["auto", "stripped", "ocr"]),
)
def test_windows_are_exact_on_any_text(words: list[str], mode: str) -> None:
    text = " ".join(words)
    whole = Restorer.load(settings=ONE_LATTICE).restore(text, mode=mode)
    windowed = Restorer.load(settings=Settings(window_slots=3, max_window_slots=10**9))
    assert windowed.restore(text, mode=mode).text == whole.text
