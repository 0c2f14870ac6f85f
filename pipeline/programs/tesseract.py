"""Wrapper around the Tesseract engine, raising typed errors.

Tesseract runs in-process through its C++ API (tesserocr), one engine per worker process,
kept loaded between pages. Measured against one `tesseract` command per page (pytesseract),
pages interleaved in one process: 1.21 s against 1.71 s a page, the same words (CER on 110
train pages 0.85%/0.71% against 0.83%/0.73%): no process start, no model load (~0.12 s), no
image file to write and decode, no TSV to parse. The tesserocr wheel carries its own
libtesseract (5.5); the language models are the system's (`tesseract-ocr-vie`).

Tesseract is run single-threaded (`OMP_THREAD_LIMIT=1`): on this machine kind its OpenMP threads
make a page ~2.8x slower, so parallelism comes from one Tesseract per worker process instead.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import cv2
import numpy as np

from pipeline.errors import MissingDependencyError, OcrError

if TYPE_CHECKING:
    import tesserocr

log = logging.getLogger(__name__)

INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-vie"
DEFAULT_TIMEOUT_S = 300
# Where Debian and others put the language models; TESSDATA_PREFIX overrides.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)


@dataclass(frozen=True)
class TsvWord:
    """One recognised word with its box, confidence and place in Tesseract's layout."""

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
    """Make every Tesseract engine started by this process use one thread."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _tesserocr() -> ModuleType:
    """The binding, imported on first use (a broken install fails with the typed error)."""
    try:
        import tesserocr
    except ImportError as error:  # the package's own dependency: a broken install
        raise MissingDependencyError(
            "the Tesseract binding (tesserocr) is not installed; run scripts/bootstrap.sh"
        ) from error
    return tesserocr


@cache
def tessdata_dir() -> Path:
    """The folder holding the `*.traineddata` language models (TESSDATA_PREFIX, as for
    Tesseract itself, else the first of the usual places that holds any)."""
    override = os.environ.get("TESSDATA_PREFIX")
    for folder in [override] if override else TESSDATA_DIRS:
        if any(Path(folder).glob("*.traineddata")):
            return Path(folder)
    raise MissingDependencyError(f"Tesseract's language models are not installed; {INSTALL_HINT}")


@cache
def version() -> str:
    """The version of the Tesseract library that recognises the pages."""
    module = _tesserocr()
    first = str(module.tesseract_version()).splitlines()
    return first[0].split()[-1] if first else "unknown"


@cache
def languages() -> frozenset[str]:
    return frozenset(path.stem for path in tessdata_dir().glob("*.traineddata"))


def require(lang: str) -> None:
    """Fail early, with the install hint, when a language model is missing."""
    missing = [code for code in lang.split("+") if code not in languages()]
    if missing:
        raise MissingDependencyError(
            f"Tesseract language model(s) {', '.join(missing)} not installed; "
            f"install it with: apt-get install "
            + " ".join(f"tesseract-ocr-{code}" for code in missing)
        )


_engines: dict[str, tesserocr.PyTessBaseAPI] = {}


def _engine(lang: str) -> tesserocr.PyTessBaseAPI:
    """This process's engine for `lang`, loaded on first use and kept."""
    engine = _engines.get(lang)
    if engine is None:
        module = _tesserocr()
        require(lang)
        try:
            engine = module.PyTessBaseAPI(path=f"{tessdata_dir()}/", lang=lang)
        except RuntimeError as error:
            raise OcrError(f"Tesseract could not load {lang!r}: {error}") from error
        # Skip Tesseract's retry of every low-confidence line as inverted text: our pages
        # are already binarised black on white, and the retry costs time.
        engine.SetVariable("tessedit_do_invert", "0")
        # Skip the test of every text row for fixed-pitch (typewriter) spacing: the LSTM
        # model finds the words itself, and the test was ~4% of a page's read (the same
        # words and boxes on the 111 OCR'd real dev pages with and without it).
        engine.SetVariable("textord_disable_pitch_test", "1")
        _engines[lang] = engine
    return engine


def _set_image(engine: tesserocr.PyTessBaseAPI, image: np.ndarray, pack: bool = False) -> bytes:
    """Hand a grey (or 0/255 binary) page to the engine without encoding it.

    With `pack`, a page that holds only 0 and 255 goes in at one bit a pixel (1 = white):
    Tesseract then takes it as its binary image instead of thresholding it again (the
    same words, ~2% of a page's read). Tesseract does not copy the pixels: the caller
    keeps the returned buffer alive until recognition is done.
    """
    if image.ndim != 2 or image.dtype != np.uint8:
        raise OcrError(f"Tesseract needs an 8-bit single-channel image, got {image.dtype}")
    height, width = image.shape
    if pack and not cv2.countNonZero(cv2.inRange(image, 1, 254)):
        bits = np.packbits(image > 127, axis=1)
        packed = bits.tobytes()
        engine.SetImageBytes(packed, width, height, 0, bits.shape[1])
        return packed
    pixels = np.ascontiguousarray(image).tobytes()
    engine.SetImageBytes(pixels, width, height, 1, width)
    return pixels


def recognize(
    image: np.ndarray,
    lang: str = "vie",
    psm: int = 3,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    pack: bool = True,
) -> list[TsvWord]:
    """Recognise one page image and return its words with boxes and confidences (a 0/255
    page handed over at one bit a pixel unless `pack` is off: see `_set_image`)."""
    engine = _engine(lang)
    engine.SetPageSegMode(psm)
    pixels = _set_image(engine, image, pack)
    if not engine.Recognize(timeout=timeout_s * 1000):
        raise OcrError(f"Tesseract gave up on the page (time limit {timeout_s} s)")
    words = parse_tsv(engine.GetTSVText(0))
    del pixels  # only now may the buffer go
    return words


def parse_tsv(tsv: str) -> list[TsvWord]:
    """Word rows (level 5) of Tesseract's TSV output, without empty ones."""
    words: list[TsvWord] = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        words.append(
            TsvWord(
                text=cells[11],
                left=int(cells[6]),
                top=int(cells[7]),
                width=int(cells[8]),
                height=int(cells[9]),
                confidence=float(cells[10]),
                block=int(cells[2]),
                paragraph=int(cells[3]),
                line=int(cells[4]),
            )
        )
    return words


def orientation(image: np.ndarray) -> tuple[int, float] | None:
    """Tesseract's orientation detection: degrees to turn the page clockwise to make it
    upright, and the detector's confidence; None when the page has too little text.

    About 0.7 s for a 300 DPI page, so it is asked only when the cheap ink-balance vote in
    `cleanup` is unsure (see `cleanup.is_upside_down`).
    """
    if "osd" not in languages():
        log.warning("no orientation model (apt-get install tesseract-ocr-osd): vote alone")
        return None
    engine = _engine("osd")
    engine.SetPageSegMode(0)  # orientation and script detection only
    pixels = _set_image(engine, image)
    found = engine.DetectOrientationScript()
    del pixels  # only now may the buffer go
    if not found:
        return None
    # orient_deg is how far the image was turned clockwise; undo it
    return (360 - int(found["orient_deg"])) % 360, float(found["orient_conf"])
