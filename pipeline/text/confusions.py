"""OCR confusion tables: what Tesseract reads for a printed character, kept as data files.

Each table is `data/confusions/<name>.tsv` in this package: a header of `# ` lines saying
what the table is for and where it was measured, then one `read<TAB>meant` row a confusion
(`read` is what OCR wrote, `meant` what was printed). A row may start with `#` (the header
star's readings): only `#` followed by a space, or a lone `#`, opens a comment.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def confusions(name: str) -> tuple[tuple[str, str], ...]:
    """The (read, meant) rows of table `name`, in file order."""
    path = resources.files("pipeline.text") / "data" / "confusions" / f"{name}.tsv"
    rows: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line in ("", "#") or line.startswith("# "):
            continue
        read, meant = line.split("\t")
        rows.append((read, meant))
    return tuple(rows)


@cache
def translation(name: str) -> dict[int, str]:
    """Table `name` as a `str.translate` map (each `read` is one character)."""
    return str.maketrans(dict(confusions(name)))
