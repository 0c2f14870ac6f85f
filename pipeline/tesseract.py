"""Wrapper around the Tesseract program (through pytesseract), raising typed errors.

Tesseract is run single-threaded (`OMP_THREAD_LIMIT=1`): on this machine kind its OpenMP threads
make a page ~2.8x slower, so parallelism comes from one Tesseract per worker process instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
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
    except RuntimeError as error:  # pytesseract raises RuntimeError on timeout
        raise OcrError(f"Tesseract timed out after {timeout_s} s") from error
    except pytesseract.TesseractError as error:
        raise OcrError(f"Tesseract failed: {error.message.strip()[:200]}") from error
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


def recognize_array(
    image: np.ndarray, lang: str = "vie", psm: int = 6, timeout_s: int = DEFAULT_TIMEOUT_S
) -> list[TsvWord]:
    """`recognize` on an image array (a crop, a composed strip), written as a temporary
    1-bit PNG when it is binary (a few ms for a table's cells, against pytesseract's
    Pillow round trip)."""
    binary = bool(np.isin(image, (0, 255)).all())
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1, *([cv2.IMWRITE_PNG_BILEVEL, 1] if binary else [])]
    with tempfile.NamedTemporaryFile(prefix="sohoa-crop-", suffix=".png") as handle:
        ok, buffer = cv2.imencode(".png", image, params)
        if not ok:
            raise OcrError("could not encode an image for Tesseract")
        handle.write(buffer.tobytes())
        handle.flush()
        return recognize(Path(handle.name), lang=lang, psm=psm, timeout_s=timeout_s)
