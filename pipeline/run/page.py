"""The page step: one page job in (`jobs.PageJob`), one immutable `jobs.PageOutcome` out.

`process_page` loads the page, cleans it, recognises it and repairs its text, and never
raises: a failure comes back as a typed error so the run can report it and go on.
"""

from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from pipeline import cleanup, ocr, sources
from pipeline.errors import SohoaError
from pipeline.programs import tesseract
from pipeline.record import Page, PageImage, Span
from pipeline.restore import Restorer
from pipeline.run.jobs import JobError, PageJob, PageOutcome

log = logging.getLogger(__name__)


def init_worker() -> None:
    """Per-process set-up: one Tesseract thread and one OpenCV thread per worker."""
    tesseract.single_threaded()
    cv2.setNumThreads(1)


def process_page(job: PageJob) -> PageOutcome:
    """The page's outcome; a failure is its typed error, never an exception."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        page, png = _read(job, timings)
        text, confidence, spans = _repair(job, page, timings)
        if page.method == "ocr" and not page.raw_text.strip() and not page.errors:
            page = replace(page, blank=True)  # no ink worth reading: a page, not a failure
        outcome = PageOutcome(
            job.doc,
            job.page,
            page=replace(page, text=text),
            image_png=png,
            restoration_confidence=confidence,
            low_confidence_spans=spans,
        )
    except Exception as error:  # a bug or an unforeseen input must not stop the run
        if not isinstance(error, SohoaError):
            log.exception("page %d of %s failed", job.page, job.path)
        outcome = PageOutcome(job.doc, job.page, failure=JobError.of(error))
    timings["page_total"] = time.perf_counter() - start
    log.info(
        "page %d of %s: %s in %.1f s",
        job.page,
        Path(job.path).name,
        outcome.page.method if outcome.page else f"failed ({outcome.failure})",
        timings["page_total"],
    )
    return replace(outcome, timings=timings)


def _read(job: PageJob, timings: dict[str, float]) -> tuple[Page, bytes | None]:
    """The page as read or recognised (text not yet repaired) and its cleaned image to keep."""
    path = Path(job.path)
    clock = time.perf_counter
    if job.media_type == "text/plain":
        t0 = clock()
        raw = sources.read_text_pages(path)[job.page - 1]
        timings["read"] = clock() - t0
        return Page(number=job.page, text=raw, raw_text=raw, confidence=None, method="text"), None
    content = None
    if job.media_type == "application/pdf":
        t0 = clock()
        content = sources.pdf_page_content(path, job.page)
        timings["text_layer"] = clock() - t0
        log.debug("%s page %d: %s", path.name, job.page, content.reason)
    if content is not None and content.text is not None and not job.force_ocr:
        text = unicodedata.normalize("NFC", content.text)
        page = Page(number=job.page, text=text, raw_text=text, confidence=None, method="text-layer")
        return page, None
    return _ocr_page(job, path, timings, content)


def _ocr_page(
    job: PageJob, path: Path, timings: dict[str, float], content: sources.PdfPageContent | None
) -> tuple[Page, bytes | None]:
    clock = time.perf_counter
    t0 = clock()
    dpi = job.dpi
    if content is not None:
        rgb, dpi, image_source = sources.pdf_page_image(path, job.page, content, job.dpi)
        stated: int | None = dpi
    else:
        rgb, image_source = sources.load_image_page(path, job.page - 1), "file"
        stated = job.stated_dpi
    timings["load"] = clock() - t0

    cleaned = cleanup.clean_page(
        rgb, job.cleanup, orientation_check=tesseract_orientation, dpi=stated
    )
    del rgb
    for step, seconds in cleaned.timings.items():
        timings[f"cleanup.{step}"] = seconds

    t0 = clock()
    png = cleanup.encode_png(cleaned.image, bilevel="binarize" in cleaned.steps)
    timings["encode_image"] = clock() - t0

    t0 = clock()
    raw, lines, confidence = ocr.recognize_page(cleaned.image, lang=job.lang, red=cleaned.red)
    timings["ocr"] = clock() - t0

    blank = ocr.is_blank(lines)
    errors = []
    if blank and (unread := _unread(cleaned.image, content)):
        blank = False  # no words, yet something there to read: unreadable, not blank
        errors.append(unread)
        log.warning("%s page %d: %s", path.name, job.page, unread)
    if blank:
        log.debug("%s page %d is blank", path.name, job.page)
    if blank or errors:  # kept as a page; what OCR made of its marks is not text
        raw = ""
    height, width = cleaned.image.shape[:2]
    image_meta = None
    if job.keep_image:
        image_meta = PageImage("image/png", width, height, hashlib.sha256(png).hexdigest(), dpi)
    page = Page(
        number=job.page,
        text=raw,
        raw_text=raw,
        confidence=confidence,
        method="ocr",
        width=width,
        height=height,
        image=image_meta,
        lines=lines,
        cleanup=cleaned.steps,
        blank=blank,
        errors=errors,
        image_source=image_source,
    )
    return page, png if job.keep_image else None


def _unread(image: np.ndarray, content: sources.PdfPageContent | None) -> str | None:
    """Why a page OCR found no words on is unreadable rather than blank: ink all over it,
    or a text layer of its own whose text is drawn in a way that was not read (ex-82 read
    only its background picture before `sources.pdf.shows_text`); None for a blank page."""
    if (ink := ocr.ink_share(image)) > ocr.BLANK_MAX_INK:
        return f"no words read from a page with ink on {ink:.0%} of it: unreadable, check its image"
    if content is not None and content.layer_letters >= sources.TEXT_LAYER_MIN_LETTERS:
        return (f"no words read, yet the page's text layer holds {content.layer_letters} "
                "letters: unreadable as drawn, check it")
    return None


MIN_ORIENTATION_CONFIDENCE = 2.0  # Tesseract's OSD: upright pages measured 15-24


def tesseract_orientation(grey: np.ndarray) -> int | None:
    """Tesseract's opinion on how far to turn a page clockwise (0, 90, 180, 270), or None.

    Asked on a binarised copy: on the grey copy of a phone photo it found "too few
    characters" where the binary page gave a confident answer (~0.7 s).
    """
    binary = cleanup.binarize(cleanup.normalize_background(grey))
    found = tesseract.orientation(binary)
    if found is None or found[1] < MIN_ORIENTATION_CONFIDENCE:
        return None
    log.debug("orientation check: turn %d (confidence %.1f)", *found)
    return found[0]


def _repair(
    job: PageJob, page: Page, timings: dict[str, float]
) -> tuple[str, float | None, tuple[Span, ...]]:
    """The page's text with tone marks restored and OCR errors repaired, the restoration's
    confidence and its doubtful spans; raw_text keeps what was recognised or read."""
    if job.restore_mode == "off" or not page.raw_text.strip():
        return page.text, None, ()
    t0 = time.perf_counter()
    restorer = Restorer.load()  # cached per model path
    result = restorer.restore(page.raw_text, mode=job.restore_mode)
    text, spans = result.text, list(result.low_confidence_spans)
    if job.restore_mode == "auto":
        text, spans = _repair_footnotes(restorer, page, text, spans)
    timings["restore"] = time.perf_counter() - t0
    return (
        text,
        result.confidence,
        tuple(
            Span(start=s[0], end=s[1], text=s[2], confidence=round(float(s[3]), 3)) for s in spans
        ),
    )


SMALL_PRINT = 0.85  # line height under this share of the page's median: a footnote's type
RawSpan = tuple[int, int, str, float]


def _repair_footnotes(
    restorer: Restorer, page: Page, text: str, spans: list[RawSpan]
) -> tuple[str, list[RawSpan]]:
    """Footnotes restored as OCR output, line by line.

    `auto` judges a footnote line correct when OCR gave its small print other, but valid,
    tone marks (`tống hợp chỉ tiết` for `tổng hợp chi tiết`), so it keeps them; the line's
    small type and its number say it is OCR'd small print, and the `ocr` mode repairs it.
    Only recognised lines that open with a note number, in small type, are redone.
    """
    raw_lines = page.raw_text.split("\n")
    lines = text.split("\n")
    if len(raw_lines) != len(lines) or not page.lines:
        return text, spans
    median = ocr.median_height(page.lines)
    ocr_lines = iter(page.lines)
    offset = 0
    for index, raw in enumerate(raw_lines):
        if not raw:
            offset += len(lines[index]) + 1
            continue
        line = next(ocr_lines, None)
        if line is None or line.text != raw:
            return text, spans  # not the page's recognised lines: leave the text as it is
        first = raw.split(" ", 1)[0]
        small = line.bbox[3] - line.bbox[1] < SMALL_PRINT * median
        if small and first.isdigit() and len(first) <= 2 and " " in raw and "\t" not in raw:
            redone = restorer.restore(raw, mode="ocr")
            start, end = offset, offset + len(lines[index])
            shift = len(redone.text) - len(lines[index])
            spans = [s for s in spans if s[1] <= start or s[0] >= end]
            spans = [
                (a + shift, b + shift, t, c) if a >= end else (a, b, t, c) for a, b, t, c in spans
            ]
            spans += [(a + start, b + start, t, c) for a, b, t, c in redone.low_confidence_spans]
            lines[index] = redone.text
        offset += len(lines[index]) + 1
    return "\n".join(lines), sorted(spans)
