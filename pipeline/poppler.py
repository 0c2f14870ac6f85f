"""Wrapper around poppler's pdfinfo, pdftoppm (through pdf2image) and pdftotext.

Pages are rendered one at a time, so a 200-page PDF never sits in memory whole.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
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


def page_text(path: Path, page: int) -> str:
    """The text layer of one 1-based page, in poppler's reading order ('' when there is none)."""
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        log.debug("pdftotext failed on page %d: %s", page, proc.stderr[:200])
        return ""
    return proc.stdout.decode("utf-8", errors="replace").replace("\f", "")
