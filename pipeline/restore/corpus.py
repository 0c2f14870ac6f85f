"""Reading training text and the fixed held-out split shared by training, pairs and evaluation."""

from __future__ import annotations

import lzma
import unicodedata
from collections.abc import Iterator
from pathlib import Path

HELDOUT_EVERY = 50
"""Every 50th line (0, 50, 100, ...) of an in-domain corpus is held out for evaluation."""


def open_text(path: Path) -> Iterator[str]:
    """Yield NFC lines of a UTF-8 text file, transparently decompressing `.xz`."""
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            yield unicodedata.normalize("NFC", line.rstrip("\n"))


def is_heldout(index: int) -> bool:
    """Whether line `index` of an in-domain corpus belongs to the evaluation slice."""
    return index % HELDOUT_EVERY == 0


def split_lines(path: Path, heldout: bool) -> Iterator[str]:
    """Yield only the held-out (or only the held-in) lines of `path`."""
    for index, line in enumerate(open_text(path)):
        if is_heldout(index) == heldout:
            yield line
