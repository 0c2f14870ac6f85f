"""Body text sources: the clean seed reports and a seeded sample of the legal corpus.

Both live in the shared folder beside the repository (`../shared`, or `$SOHOA_SHARED`);
neither is copied into the repo. Without them the generator falls back to its own
templates, so tests run anywhere, but the body text then differs: truth is deterministic
given the seed *and* the sources present.
"""

from __future__ import annotations

import logging
import lzma
import os
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .model import Run

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
CLEAN_SEEDS = ("001_", "002_", "004_")  # 003 is garbled OCR without a truth
LEGAL_FILE = "corpus/vlc-legal.txt.xz"
LEGAL_SAMPLE = 3000
LEGAL_SAMPLE_SEED = 20240601

_VI_LETTERS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
ALLOWED_CHARS = frozenset(
    "".join(chr(c) for c in range(32, 127)) + _VI_LETTERS + _VI_LETTERS.upper() + "“”‘’–…"
)


def shared_dir() -> Path:
    """The shared data folder: `$SOHOA_SHARED`, else `shared/` beside the repository."""
    env = os.environ.get("SOHOA_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def printable(text: str) -> bool:
    """True when every character is one the generator's fonts and truth convention allow."""
    return set(text) <= ALLOWED_CHARS


def parse_markup(text: str) -> tuple[Run, ...]:
    """Turn the seeds' `*italic*` / `**bold**` marks into runs; unbalanced marks are dropped."""
    parts = re.split(r"(\*\*|\*)", text)
    if parts.count("*") % 2 or parts.count("**") % 2:
        return (Run(re.sub(r"\*+", "", text)),)
    runs: list[Run] = []
    bold = italic = False
    for part in parts:
        if part == "**":
            bold = not bold
        elif part == "*":
            italic = not italic
        elif part:
            runs.append(Run(part, bold=bold, italic=italic))
    return tuple(runs)


@dataclass(frozen=True)
class SeedText:
    paragraphs: tuple[tuple[Run, ...], ...]  # running paragraphs
    items: tuple[tuple[Run, ...], ...]  # "- ..." list items, dash included
    sections: tuple[str, ...]  # roman-numbered section titles, number stripped
    subsections: tuple[str, ...]


_SECTION = re.compile(r"^[IVX]+[.-] +(.+)$")
_SUBSECTION = re.compile(r"^\d+[.-] +(.{5,90})$")


@cache
def seed_text() -> SeedText:
    """Paragraphs, list items and headings from the clean seed reports (empty when absent)."""
    folder = shared_dir() / "seeds"
    paragraphs: list[tuple[Run, ...]] = []
    items: list[tuple[Run, ...]] = []
    sections: list[str] = []
    subsections: list[str] = []
    files = sorted(p for p in folder.glob("*.txt") if p.name.startswith(CLEAN_SEEDS))
    if not files:
        log.warning("no seed reports under %s; body text comes from templates only", folder)
    for path in files:
        prev = "."
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line:
                continue
            # A paragraph cut by a page break in the source follows a long line with no end
            # (headings are short and end without punctuation too).
            cut = len(prev) > 120 and not prev.endswith((".", ";", ":", ")", "*"))
            prev = line
            if "\t" in line or not printable(line) or cut:
                continue
            if m := _SECTION.match(line):
                if m.group(1).isupper():
                    sections.append(m.group(1).strip())
                continue
            if (m := _SUBSECTION.match(line)) and not line.endswith((".", ";")):
                subsections.append(m.group(1).strip())
                continue
            if len(line) < 80 or not line.endswith((".", ";", ":", ")")):
                continue
            if line[0].islower() or line.startswith(("Nơi nhận", "Trên đây")):
                continue
            runs = parse_markup(line)
            (items if line.startswith("- ") else paragraphs).append(runs)
    return SeedText(tuple(paragraphs), tuple(items), tuple(sections), tuple(subsections))


_LEGAL_SKIP = re.compile(r"^(Điều|Chương|Mục|Phần|Căn cứ|Luật này|Bộ luật này)\b")
_LEGAL_NUMBER = re.compile(r"^(\d+(\.\d+)*\.|[a-zđ]\))\s+")


@cache
def legal_paragraphs(sample: int = LEGAL_SAMPLE) -> tuple[str, ...]:
    """A fixed, seeded reservoir sample of running paragraphs from the legal corpus.

    One streaming pass over the xz file; only the sample is kept in memory.
    """
    path = shared_dir() / LEGAL_FILE
    if not path.exists():
        log.warning("legal corpus %s not found; body text comes from seeds and templates", path)
        return ()
    rng = random.Random(LEGAL_SAMPLE_SEED)
    kept: list[str] = []
    seen = 0
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for raw in fh:
            line = _LEGAL_NUMBER.sub("", raw.strip())
            if not 80 <= len(line) <= 600 or _LEGAL_SKIP.match(line) or line.isupper():
                continue
            if not line[0].isupper() or not line.endswith((".", ";", ":")):
                continue
            if not printable(line):
                continue
            line = line[:-1] + "." if line.endswith((";", ":")) else line
            seen += 1
            if len(kept) < sample:
                kept.append(line)
            elif (j := rng.randrange(seen)) < sample:
                kept[j] = line
    return tuple(kept)
