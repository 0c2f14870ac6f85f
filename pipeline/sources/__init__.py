"""Sources: detect what a file is from its content and turn it into pages.

A page is either an image (scans, photos, PDF pages without a text layer) or text (text files,
PDF pages with a real text layer). Nothing here writes to the source file.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from pipeline.errors import (
    CorruptFileError,
    EmptyFileError,
    ImageTooLargeError,
    InputFileError,
    UnsupportedFileError,
)
from pipeline.programs import poppler
from pipeline.restore.syllable import parse
from pipeline.sources import pdf
from pipeline.text.vietnamese import fold

log = logging.getLogger(__name__)

MAX_PIXELS = 200_000_000  # decompression-bomb limit per page
TEXT_LAYER_MIN_LETTERS = 40  # fewer letters than this on a PDF page: treat it as a scan
# A scanned page's text layer must span this share of the page's height to be its text: a
# signature stamp or a header line spans ~5%, a page of text 50-90%.
TEXT_LAYER_MIN_HEIGHT_SHARE = 0.25
# About a quarter of the letters of Vietnamese text carry marks (real pages: 25-26%); an
# earlier OCR run with an English model left none (a real scan's layer: 0%).
TEXT_LAYER_MIN_MARKED_SHARE = 0.08
# Of a scanned page's text layer's lower-case and capitalised words of 2+ letters, this
# share must be Vietnamese syllables: born-digital layers of the real set: 0.994-1.000; a
# phone app's own OCR of a real tờ trình (ex-66, "từ°ilương", "iứng", "hãp"): 0.976.
TEXT_LAYER_MIN_SYLLABLE_SHARE = 0.99
# What a signing stamp prints and a document's text does not (real portal PDFs, corpus/real),
# matched on folded text: "Ký bởi", "Thời gian ký", "Cơ quan:", an e-mail, a signing time.
STAMP_MARKERS = re.compile(
    r"ky boi|thoi gian ky|co quan:|ngay ky|nguoi ky|@|\b\d{1,2}:\d{2}:\d{2}\b|[+-]07:00"
)
CAMERA_DEFAULT_DPI = 72
MIN_SCAN_PPI = 50  # real scans come at 70-300 dpi; a coarser full-page image is a background
FULL_PAGE_SHARE = 0.9  # an image this share of the page's width and height is the page's scan
# 1-bit masks painted over a page's image covering this share of the page: the page is
# layered (a background image and its text as masks, ex-114) and is rendered whole
LAYERED_MASK_SHARE = 0.02

# Pillow's own bomb guard fires at 2x its limit; ours is checked before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
]


@dataclass(frozen=True)
class SourceInfo:
    """What a file is: enough to plan its page jobs without decoding any page."""

    path: Path
    sha256: str
    media_type: str
    size_bytes: int
    pages: int
    dpi: int | None = None  # for images, when the file says


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sniff_media_type(head: bytes) -> str:
    """Media type from the first bytes of a file; the file name is never consulted."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    # a PDF may carry junk before its header (allowed within the first 1024 bytes)
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if _looks_like_text(head):
        return "text/plain"
    raise UnsupportedFileError("not a PDF, image or text file (unrecognised content)")


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if not head:
        return False
    sample = head[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without BOM: every other byte NUL
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        return max(even, odd) > len(sample) // 3 and min(even, odd) < len(sample) // 20
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 100


def inspect(path: Path) -> SourceInfo:
    """Identify a file and count its pages; raise an InputFileError subclass if unreadable."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise EmptyFileError("empty file (0 bytes)")
        with path.open("rb") as handle:
            head = handle.read(8192)
        digest = sha256_file(path)
    except PermissionError as error:
        raise InputFileError(f"unreadable file: permission denied ({error.strerror})") from error
    except IsADirectoryError as error:
        raise InputFileError("is a directory") from error
    except OSError as error:
        raise InputFileError(f"unreadable file: {error.strerror or error}") from error
    media_type = sniff_media_type(head)
    dpi: int | None = None
    if media_type == "application/pdf":
        pages = poppler.info(path).pages
    elif media_type.startswith("image/"):
        pages, dpi = _image_pages(path)
    else:
        pages = len(read_text_pages(path))
    return SourceInfo(path, digest, media_type, size, pages, dpi)


def _image_pages(path: Path) -> tuple[int, int | None]:
    try:
        with warnings.catch_warnings():  # our own limit below gives the clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            frames = int(getattr(image, "n_frames", 1))
            for index in range(frames):
                image.seek(index)
                _check_pixels(image.size)
            dpi = image.info.get("dpi")
    except InputFileError:
        raise
    except Image.DecompressionBombError as error:
        raise ImageTooLargeError(f"image too large: {error}") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise CorruptFileError(f"damaged image: {str(error)[:160]}") from error
    resolution = round(float(dpi[0])) if dpi and float(dpi[0]) > 1 else None
    return frames, resolution


def trusted_dpi(stated: int | None) -> int | None:
    """An image's stated resolution, unless it is the 72 that cameras and editors write
    whatever the pixels are: a photo's pixels say nothing of its size."""
    return None if stated == CAMERA_DEFAULT_DPI else stated


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise ImageTooLargeError(
            f"image too large: {width}x{height} = {width * height / 1e6:.0f} megapixels "
            f"(limit {MAX_PIXELS / 1e6:.0f}; possible decompression bomb)"
        )
    if width < 16 or height < 16:
        raise CorruptFileError(f"image too small to be a page: {width}x{height}")


EXIF_ORIENTATION = 0x0112


def load_image_page(path: Path, index: int) -> np.ndarray:
    """Decode frame `index` (0-based) of an image file to RGB, honouring EXIF rotation."""
    try:
        with Image.open(path) as image:
            image.seek(index)
            _check_pixels(image.size)
            if index == 0 and image.format in ("PNG", "JPEG") and image.mode in ("RGB", "L"):
                fast = _decode_with_opencv(path)
                if fast is not None:
                    return fast
            frame: Image.Image = image
            if index == 0 and image.getexif().get(EXIF_ORIENTATION, 1) != 1:
                frame = ImageOps.exif_transpose(image)
            if frame.mode != "RGB":  # an RGB page is not copied again (~30 ms a page)
                frame = frame.convert("RGB")
            return np.asarray(frame)
    except InputFileError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise CorruptFileError(f"damaged image, frame {index + 1}: {str(error)[:160]}") from error


def _decode_with_opencv(path: Path) -> np.ndarray | None:
    """A PNG or JPEG page decoded by OpenCV (EXIF turn applied): the same pixels as Pillow
    gives, ~20 ms sooner on a 300 DPI page. None when OpenCV cannot read it."""
    data = np.fromfile(path, dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        return None
    rgb: np.ndarray = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return rgb


@dataclass(frozen=True)
class PdfPageContent:
    """What a PDF page holds: its own text, or an image to OCR (and where that image is)."""

    text: str | None  # the page's text layer, when it really is the page's text
    scan: poppler.ImagePlacement | None  # the one image that is the whole page, if any
    reason: str  # why the text layer was used or not (logged, and kept for the record)
    size: poppler.PageSize  # read once: the scan is judged by it, a render checked by it
    layer_letters: int = 0  # letters of a text layer not taken (OCR should find words too)


def pdf_page_content(path: Path, page: int) -> PdfPageContent:
    """Decide whether a PDF page's text layer is its text (like OCRmyPDF's skip-text, but
    never for a signature stamp or a layer over a small part of a scanned page).

    The appearance of a digital signature is text inside a signature widget: it is left
    out. A page that is one scanned image keeps its text layer only when that layer spans
    a real share of the page's height; else the page is OCR'd.
    """
    plain = pdf.plain_scan(path, page)
    if plain is not None:  # one scanned image and nothing else: read without poppler
        return PdfPageContent(None, _full_page_scan([plain.image], plain.size),
                              "no text layer", plain.size)
    layer = poppler.text_layer(path, page)
    size = poppler.page_size(path, page)
    images = poppler.page_images(path, page)
    scan = _full_page_scan(images, size)
    words = layer.words()
    if not words:
        return PdfPageContent(None, scan, "no text layer", size)
    widgets = pdf.signature_boxes(path, page) if layer.width else []
    stamps = [box for box in widgets if _is_stamp([w for w in words if _inside(w, box)])]

    def on_page(word: poppler.TextWord) -> bool:
        return not any(_inside(word, box) for box in stamps)

    kept = [w for w in words if on_page(w)]
    text = layer.text(on_page)
    letters = sum(1 for ch in text if ch.isalpha())
    dropped = len(words) - len(kept)
    stamp_note = f" ({dropped} words of a signature stamp left out)" if dropped else ""

    def refused(reason: str) -> PdfPageContent:  # the layer is not the page's text: OCR it
        return PdfPageContent(None, _unless_shown(scan, path, page), reason, size, letters)

    if letters < TEXT_LAYER_MIN_LETTERS:
        reason = f"text layer has {letters} letters{stamp_note}"
        return refused(reason)
    share = _height_share([w.box for w in kept], layer.height)
    if scan is not None and share < TEXT_LAYER_MIN_HEIGHT_SHARE:
        reason = f"text layer spans {share:.0%} of a scanned page's height{stamp_note}"
        return refused(reason)
    marked = sum(1 for ch in text if ch.isalpha() and not ch.isascii()) / letters
    if scan is not None and marked < TEXT_LAYER_MIN_MARKED_SHARE:
        reason = (f"a scanned page's text layer has {marked:.0%} marked letters "
                  "(another engine's OCR without Vietnamese)")
        return refused(reason)
    syllables = _syllable_share(text)
    if _under_image(images, size) and syllables < TEXT_LAYER_MIN_SYLLABLE_SHARE:
        reason = (f"a scanned page's text layer has {syllables:.1%} Vietnamese syllables "
                  "(another engine's OCR with errors)")
        return refused(reason)
    reason = f"text layer spans {share:.0%} of the page{stamp_note}"
    return PdfPageContent(text, scan, reason, size)


def _unless_shown(
    scan: poppler.ImagePlacement | None, path: Path, page: int
) -> poppler.ImagePlacement | None:
    """The scanned image to read for a page whose text layer is not taken, unless the page
    shows text besides it (`pdf.shows_text`): then the page is rendered whole."""
    return scan if scan is None or not pdf.shows_text(path, page) else None


def _under_image(images: list[poppler.ImagePlacement], size: poppler.PageSize) -> bool:
    """An image covers the page, upright or turned (a phone app places its photo turned a
    quarter, ex-66): a text layer there is an OCR of that image, not the page's own text."""
    page = size.width * size.height
    return any(
        _scanned(image) and math.prod(image.placed_size()) >= FULL_PAGE_SHARE**2 * page
        for image in images
    )


def _scanned(image: poppler.ImagePlacement) -> bool:
    """A raster image at a scan's resolution: not a coarse page background, not a mask."""
    return image.kind == "image" and min(image.x_ppi, image.y_ppi) >= MIN_SCAN_PPI


def _syllable_share(text: str) -> float:
    """The share of a text's words written as words (lower case or capitalised, 2+
    letters) that are Vietnamese syllables; 1.0 when it has none. Capitals and mixed-case
    words are left out: codes and abbreviations (UBND, TTg) are no syllables."""
    written = [w for w in re.findall(r"[^\W\d_]+", text)
               if len(w) > 1 and (w.islower() or (w[0].isupper() and w[1:].islower()))]
    if not written:
        return 1.0
    return sum(parse(w.lower()) is not None for w in written) / len(written)


def _inside(word: poppler.TextWord, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = word.box
    return box[0] <= (x0 + x1) / 2 <= box[2] and box[1] <= (y0 + y1) / 2 <= box[3]


def _is_stamp(words: list[poppler.TextWord]) -> bool:
    """Whether a signature widget's words are a signing stamp ("Ký bởi: ... Thời gian ký:
    ...", an e-mail, a signing time) rather than document text. The provincial e-office
    signs the number and the day into their slots as signature widgets too (qn-10:
    "542 /TB-UBND", "06 tháng"): those words are the document's own."""
    return bool(STAMP_MARKERS.search(fold(" ".join(w.text for w in words))))


def _height_share(boxes: list[tuple[float, float, float, float]], height: float) -> float:
    """Share of the page's height that lines of text cover (overlaps counted once)."""
    if height <= 0:
        return 0.0
    covered, end = 0.0, -1.0
    for _, top, _, bottom in sorted(boxes, key=lambda box: box[1]):
        if bottom <= end:
            continue
        covered += bottom - max(top, end)
        end = bottom
    return covered / height


_EXTRACTABLE = {("jpeg", "rgb"), ("jpeg", "gray"), ("jpeg", "icc"), ("ccitt", "gray"),
                ("image", "rgb"), ("image", "gray"), ("jbig2", "gray")}


def _full_page_scan(
    images: list[poppler.ImagePlacement], size: poppler.PageSize
) -> poppler.ImagePlacement | None:
    """The one image drawn over the whole page, upright, with no mask: the scanner's page.
    None for a layered page, whose text is in masks painted over a background image
    (scanning software's compression, ex-114: the background alone is a blank page)."""
    page = size.width * size.height
    masks = sum(math.prod(image.placed_size()) for image in images if image.kind == "stencil")
    if masks >= LAYERED_MASK_SHARE * page:
        return None
    for image in images:
        width, height = image.placed_size()
        if (
            _scanned(image)
            and width >= FULL_PAGE_SHARE * size.width
            and height >= FULL_PAGE_SHARE * size.height
        ):
            upright = size.rotation % 360 == 0 and abs(image.x_ppi - image.y_ppi) <= 2
            return image if upright and (image.encoding, image.color) in _EXTRACTABLE else None
    return None


def pdf_page_image(
    path: Path, page: int, content: PdfPageContent, dpi: int
) -> tuple[np.ndarray, int, str]:
    """The page as RGB pixels (grey, 2-D, for a 1-bit or grey scan), its resolution and
    where they came from.

    A page that is one scanned image gives the scanner's own pixels at their true
    resolution ("embedded"): no second resampling, and ~8x cheaper than rendering (0.15 s
    against 1.2 s for a 300 dpi A4 JPEG page). Any other page is rendered at `dpi`
    ("rendered"), after its pixel count is checked.
    """
    scan = content.scan
    if scan is not None:
        _check_pixels((scan.width, scan.height))
        try:
            rgb = pdf.decode_image(path, scan.object_id)
        except CorruptFileError as error:
            log.info("page %d: rendering instead of taking its image out (%s)", page, error)
        else:
            if rgb.shape[:2] == (scan.height, scan.width):
                return rgb, round(scan.x_ppi), "embedded"
    size = content.size
    _check_pixels((round(size.width * dpi / 72), round(size.height * dpi / 72)))
    return poppler.render_page(path, page, dpi=dpi), dpi, "rendered"


def read_text_pages(path: Path) -> list[str]:
    """Decode a text file (UTF-8/16, Windows-1258, legacy Vietnamese encodings) into pages.

    Form feeds separate pages; a file without them is one page.
    """
    from pipeline.encoding import decode_bytes  # text-file decoding and legacy repair

    data = path.read_bytes()
    text = decode_bytes(data).text
    if not text.strip():
        raise EmptyFileError("text file has no text")
    pages = [page.strip("\n") for page in text.split("\f")]
    return [page for page in pages if page.strip()] or [text]
