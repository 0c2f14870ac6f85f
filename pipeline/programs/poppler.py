"""Wrapper around poppler's pdfinfo, pdftoppm (through pdf2image), pdftotext and pdfimages.

Pages are rendered one at a time, so a 200-page PDF never sits in memory whole.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

from pipeline.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    MissingDependencyError,
)

log = logging.getLogger(__name__)

INSTALL_HINT = "install it with: apt-get install poppler-utils"
TIMEOUT_S = 120


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    encrypted: bool
    producer: str


@cache
def version() -> str:
    exe = shutil.which("pdfinfo")
    if exe is None:
        raise MissingDependencyError(f"poppler is not installed; {INSTALL_HINT}")
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False)
    first = (out.stderr or out.stdout).splitlines()
    return first[0].split()[-1] if first else "unknown"


def info(path: Path) -> PdfInfo:
    """Page count and encryption of a PDF; typed errors for encrypted, empty or broken files."""
    version()
    proc = subprocess.run(
        ["pdfinfo", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT_S,
        check=False,
    )
    message = proc.stderr.strip().splitlines()
    if proc.returncode != 0:
        joined = " ".join(message).lower()
        if "password" in joined or "encrypt" in joined:
            raise EncryptedPdfError("encrypted PDF: it needs a password to open")
        reason = message[-1] if message else f"pdfinfo exit code {proc.returncode}"
        raise CorruptFileError(f"damaged PDF: {reason[:160]}")
    fields: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    pages = int(fields.get("Pages", "0") or 0)
    if pages == 0:
        raise EmptyFileError("PDF has no pages")
    return PdfInfo(
        pages=pages,
        encrypted=fields.get("Encrypted", "no").startswith("yes"),
        producer=fields.get("Producer", ""),
    )


@dataclass(frozen=True)
class PageSize:
    """A page's size in points (1/72 inch) as `pdfinfo` gives it (its box, before the
    page's /Rotate is applied), and that rotation in degrees."""

    width: float
    height: float
    rotation: int


def page_size(path: Path, page: int) -> PageSize:
    """Size and rotation of one 1-based page, read before anything is rendered."""
    proc = subprocess.run(
        ["pdfinfo", "-f", str(page), "-l", str(page), str(path)],
        capture_output=True, text=True, errors="replace", timeout=TIMEOUT_S, check=False,
    )
    size = re.search(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", proc.stdout)
    turn = re.search(r"Page\s+\d+ rot:\s+(\d+)", proc.stdout)
    if proc.returncode != 0 or size is None:
        raise CorruptFileError(f"cannot read the size of page {page}")
    return PageSize(float(size[1]), float(size[2]), int(turn[1]) if turn else 0)


def render_page(path: Path, page: int, dpi: int = 300) -> np.ndarray:
    """Render one 1-based page to an RGB array."""
    try:
        images = convert_from_path(
            str(path), dpi=dpi, first_page=page, last_page=page, timeout=TIMEOUT_S
        )
    except PDFInfoNotInstalledError as error:
        raise MissingDependencyError(f"poppler is not installed; {INSTALL_HINT}") from error
    except (PDFPageCountError, PDFSyntaxError) as error:
        raise CorruptFileError(f"cannot render page {page}: {str(error)[:160]}") from error
    if not images:
        raise CorruptFileError(f"page {page} rendered to nothing")
    return np.asarray(images[0].convert("RGB"))


@dataclass(frozen=True)
class TextWord:
    """One word of a page's text layer; box in points from the page's top-left corner."""

    text: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class TextLayer:
    """A page's text layer as poppler reads it: words grouped in lines, lines in blocks."""

    width: float
    height: float
    flows: list[list[list[list[TextWord]]]]  # flows > blocks > lines > words, reading order

    def words(self) -> list[TextWord]:
        return [w for flow in self.flows for block in flow for line in block for w in line]

    def text(self, keep: Callable[[TextWord], bool] = lambda word: True) -> str:
        """The layer as pdftotext writes it (a blank line between flows), `keep`'s words only,
        with each one-line flow that continues a line of an earlier flow joined to it."""
        flows = []
        for flow in _with_fragments_joined(self.flows):
            lines = [" ".join(w.text for w in line if keep(w)) for block in flow for line in block]
            kept = "\n".join(line for line in lines if line)
            if kept:
                flows.append(kept)
        return "\n\n".join(flows)


# A one-line flow starting within this many line heights right of the end of an earlier
# line on the same baseline continues that line: qn-10's e-office signs the symbol
# "/TB-UBND" in 15 pt (1.05 line heights) after "Số: 542"; the two header columns are 6 apart.
FRAGMENT_GAP_LINES = 2.0


def _with_fragments_joined(
    flows: list[list[list[list[TextWord]]]],
) -> list[list[list[list[TextWord]]]]:
    """The flows, with every one-line flow that continues a line of an earlier flow (same
    baseline, a word's gap to its right) moved to the end of that line."""
    joined: list[list[list[list[TextWord]]]] = [[[list(line) for line in block] for block in flow]
                                                 for flow in flows]
    for index, flow in enumerate(joined):
        if len(flow) != 1 or len(flow[0]) != 1 or not flow[0][0]:
            continue
        fragment = flow[0][0]
        host = _line_continued_by(fragment, [line for earlier in joined[:index]
                                             for block in earlier for line in block if line])
        if host is not None:
            host.extend(fragment)
            flow[0][0] = []
    return [[[line for line in block if line] for block in flow] for flow in joined
            if any(line for block in flow for line in block)]


def _line_continued_by(fragment: list[TextWord], lines: list[list[TextWord]]
                       ) -> list[TextWord] | None:
    x0, top, _, bottom = fragment[0].box
    height = bottom - top
    for line in lines:
        _, line_top, x1, line_bottom = line[-1].box
        overlap = min(bottom, line_bottom) - max(top, line_top)
        if overlap >= 0.6 * height and 0 <= x0 - x1 <= FRAGMENT_GAP_LINES * height:
            return line
    return None


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def text_layer(path: Path, page: int) -> TextLayer:
    """The words of one 1-based page with their boxes (empty when there is no text layer)."""
    proc = subprocess.run(
        ["pdftotext", "-bbox-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page),
         str(path), "-"],
        capture_output=True, timeout=TIMEOUT_S, check=False,
    )
    out = proc.stdout.decode("utf-8", errors="replace")
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out)
    if proc.returncode != 0 or size is None:
        log.debug("pdftotext -bbox-layout failed on page %d: %s", page, proc.stderr[:200])
        return TextLayer(0.0, 0.0, [])
    flows: list[list[list[list[TextWord]]]] = []
    for flow in out.split("<flow>")[1:]:
        blocks = []
        for block in flow.split("<block ")[1:]:
            lines = []
            for line in block.split("<line ")[1:]:
                words = [
                    TextWord(html.unescape(m[5]),
                             (float(m[1]), float(m[2]), float(m[3]), float(m[4])))
                    for m in _WORD.finditer(line)
                ]
                if words:
                    lines.append(words)
            if lines:
                blocks.append(lines)
        if blocks:
            flows.append(blocks)
    return TextLayer(float(size[1]), float(size[2]), flows)


@dataclass(frozen=True)
class ImagePlacement:
    """One image drawn on a page, as `pdfimages -list` reports it."""

    kind: str  # "image", "smask", "mask" or "stencil"
    width: int  # pixels
    height: int
    color: str  # "rgb", "gray", "icc", "index", "cmyk" ...
    bits: int
    encoding: str  # "jpeg", "ccitt", "image" (flate), "jbig2", "jpx" ...
    object_id: int
    x_ppi: float  # pixels per inch as placed on the page
    y_ppi: float

    def placed_size(self) -> tuple[float, float]:
        """Width and height on the page, in points."""
        return self.width * 72 / max(self.x_ppi, 1e-6), self.height * 72 / max(self.y_ppi, 1e-6)


def page_images(path: Path, page: int) -> list[ImagePlacement]:
    """The images drawn on one 1-based page (nothing is decoded)."""
    proc = subprocess.run(
        ["pdfimages", "-list", "-f", str(page), "-l", str(page), str(path)],
        capture_output=True, text=True, errors="replace", timeout=TIMEOUT_S, check=False,
    )
    if proc.returncode != 0:
        log.debug("pdfimages -list failed on page %d: %s", page, proc.stderr[:200])
        return []
    found = []
    for row in proc.stdout.splitlines()[2:]:
        cells = row.split()
        if len(cells) < 14 or not cells[0].isdigit():
            continue
        try:
            found.append(ImagePlacement(
                kind=cells[2], width=int(cells[3]), height=int(cells[4]), color=cells[5],
                bits=int(cells[7]), encoding=cells[8], object_id=int(cells[10]),
                x_ppi=float(cells[12]), y_ppi=float(cells[13]),
            ))
        except ValueError:
            continue
    return found
