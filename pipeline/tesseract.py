"""Wrapper around the Tesseract program (through pytesseract), raising typed errors.

Tesseract is run single-threaded (`OMP_THREAD_LIMIT=1`): on this machine kind its OpenMP threads
make a page ~2.8x slower, so parallelism comes from one Tesseract per worker process instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytesseract

from pipeline.errors import MissingDependencyError, OcrError

log = logging.getLogger(__name__)

INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-vie"
DEFAULT_TIMEOUT_S = 300


@dataclass(frozen=True)
class TsvWord:
    """One word row of Tesseract's TSV output."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    block: int
    paragraph: int
    line: int


def single_threaded() -> None:
    """Make every Tesseract started by this process use one thread."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


@cache
def version() -> str:
    """Tesseract's version string; raises MissingDependencyError when it is not installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise MissingDependencyError(f"Tesseract is not installed; {INSTALL_HINT}")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).splitlines()
    return first[0].split()[-1] if first else "unknown"


@cache
def languages() -> frozenset[str]:
    version()
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def require(lang: str) -> None:
    """Fail early, with the install hint, when Tesseract or a language model is missing."""
    missing = [code for code in lang.split("+") if code not in languages()]
    if missing:
        raise MissingDependencyError(
            f"Tesseract language model(s) {', '.join(missing)} not installed; "
            f"install it with: apt-get install "
            + " ".join(f"tesseract-ocr-{code}" for code in missing)
        )


def orientation(image: Path, timeout_s: int = 60) -> tuple[int, float] | None:
    """Tesseract's orientation detection (`--psm 0`): degrees to turn the page clockwise to
    make it upright, and the detector's confidence; None when the page has too little text.

    About 0.7 s for a 300 DPI page, so it is asked only when the cheap ink-balance vote in
    `cleanup` is unsure (see `cleanup.is_upside_down`).
    """
    try:
        report = pytesseract.image_to_osd(str(image), config="--psm 0", timeout=timeout_s)
    except pytesseract.TesseractNotFoundError as error:
        raise MissingDependencyError(f"Tesseract is not installed; {INSTALL_HINT}") from error
    except pytesseract.TesseractError as error:  # a RuntimeError too: caught first
        log.debug("orientation detection gave up: %s", error.message.strip()[:200])
        return None
    except RuntimeError as error:  # pytesseract's timeout
        raise OcrError(f"Tesseract orientation detection timed out after {timeout_s} s") from error
    values = dict(line.split(":", 1) for line in report.splitlines() if ":" in line)
    try:
        return int(values["Rotate"].strip()), float(values["Orientation confidence"].strip())
    except (KeyError, ValueError):
        return None


def recognize(
    image: Path, lang: str = "vie", psm: int = 3, timeout_s: int = DEFAULT_TIMEOUT_S
) -> list[TsvWord]:
    """Run Tesseract on one page image file and return its words with boxes and confidences.

    A file, not an array: pytesseract would re-encode an array through Pillow (~0.2 s for a
    300 DPI page), while the caller already has the page as a compact 1-bit PNG.

    `tessedit_do_invert=0` skips Tesseract's retry of every low-confidence line as inverted
    text: our pages are already binarised black on white, and the retry costs time.
    """
    config = f"--psm {psm} -c tessedit_do_invert=0"
    try:
        data = pytesseract.image_to_data(
            str(image),
            lang=lang,
            config=config,
            output_type=pytesseract.Output.DICT,
            timeout=timeout_s,
        )
    except pytesseract.TesseractNotFoundError as error:
        raise MissingDependencyError(f"Tesseract is not installed; {INSTALL_HINT}") from error
    except pytesseract.TesseractError as error:  # a RuntimeError too: caught first
        raise OcrError(f"Tesseract failed: {error.message.strip()[:200]}") from error
    except RuntimeError as error:  # pytesseract's timeout
        raise OcrError(f"Tesseract timed out after {timeout_s} s") from error
    words: list[TsvWord] = []
    for i, text in enumerate(data["text"]):
        if int(data["level"][i]) != 5 or not str(text).strip():
            continue
        words.append(
            TsvWord(
                text=str(text),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                confidence=float(data["conf"][i]),
                block=int(data["block_num"][i]),
                paragraph=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
            )
        )
    return words
