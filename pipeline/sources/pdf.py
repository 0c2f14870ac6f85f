"""PDF structure, read without rendering: digital signatures (pyHanko), the rectangles of
signature widgets, and the scanner's own page image (pikepdf).

Provincial e-government portals publish scans whose first page carries a small text layer:
the appearance of a digital signature ("Ký bởi: ... Thời gian ký: ..."). That text is the
signature's, not the page's; the signature itself belongs in the record.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from pipeline.errors import CorruptFileError
from pipeline.programs.poppler import ImagePlacement, PageSize
from pipeline.record import DigitalSignature

if TYPE_CHECKING:
    import pikepdf

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points from the top-left corner


def signature_boxes(path: Path, page: int) -> list[Box]:
    """Where the signature widgets of one 1-based page sit (their appearance is no page text)."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if not 1 <= page <= len(pdf.pages):
                return []
            obj = pdf.pages[page - 1].obj
            height = float(pikepdf.Page(obj).mediabox[3])
            boxes = []
            for annot in obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Widget" or "/Rect" not in annot:
                    continue
                is_signature = annot.get("/FT") == "/Sig" or (
                    "/Parent" in annot and annot["/Parent"].get("/FT") == "/Sig"
                )
                if is_signature:
                    x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                    boxes.append((min(x0, x1), height - max(y0, y1), max(x0, x1),
                                  height - min(y0, y1)))
            return boxes
    except (pikepdf.PdfError, ValueError, KeyError) as error:
        log.debug("signature widgets of page %d unreadable: %s", page, error)
        return []


# The operators a plain scanned page's content may hold: it draws one image (q/cm/Do/Q);
# the others only set colours or line styles that nothing is drawn with.
_DRAWING = frozenset({"q", "Q", "cm", "Do"})
_SETTINGS = frozenset({"g", "G", "rg", "RG", "k", "K", "cs", "CS", "sc", "SC", "scn", "SCN",
                       "w", "J", "j", "M", "d", "i", "ri"})
_COLOURS = {"/DeviceRGB": "rgb", "/DeviceGray": "gray", "/ICCBased": "icc"}
_ENCODINGS = {"": "image", "/FlateDecode": "image", "/DCTDecode": "jpeg",
              "/CCITTFaxDecode": "ccitt", "/JBIG2Decode": "jbig2"}
_TREE_DEPTH = 32  # page-tree levels searched for an inherited attribute (a loop must end)
Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class PlainScan:
    """A page that is one scanned image and nothing else, as pdfinfo and pdfimages -list
    describe it: no text, no annotation, one unmasked image drawn upright."""

    size: PageSize
    image: ImagePlacement


def plain_scan(path: Path, page: int) -> PlainScan | None:
    """The page, when it is a plain scan; None for any other page, or on any doubt.

    Read in-process with pikepdf (~1 ms): the three poppler programs that tell the same
    (pdftotext, pdfinfo, pdfimages) cost ~60 ms of CPU a page, ~5% of a scanned page's
    whole work. A page whose content holds anything but one image drawn through
    q/cm/Do/Q, that has annotations (a signature's stamp) or a /Rotate, or whose image is
    masked or in a format not listed here, is left to poppler as before. On the 171 pages
    of ../shared/real-scans and corpus/real/extra, 98 are plain scans, each with poppler's
    size and image listing.
    """
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if not 1 <= page <= len(pdf.pages):
                return None
            sheet = pdf.pages[page - 1]
            if sheet.obj.get("/Annots") or int(_inherited(sheet.obj, "/Rotate") or 0) % 360:
                return None
            size = _page_size(sheet.obj)
            drawn = _one_image(sheet, pikepdf.parse_content_stream(sheet))
            return _plain(drawn[0], drawn[1], size) if size and drawn else None
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.debug("page %d is left to poppler: %s", page, error)
        return None


def shows_text(path: Path, page: int) -> bool:
    """Whether the page's content draws text that can be seen (any text render mode but
    3 and 7, which OCR layers use), on the page or in a form it draws. Such a page is more
    than its scanned image: a born-digital page over a background picture whose fonts
    carry no usable Unicode (ex-82: "BO GIAO Dl)C" for "BỘ GIÁO DỤC", its "image" a 0.3%
    ink background), or a scan with a typed number. It is rendered, not taken from its
    image. On any doubt, True: rendering is slower but never loses what the page shows."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if not 1 <= page <= len(pdf.pages):
                return True
            sheet = pdf.pages[page - 1]
            return _draws_visible_text(sheet.obj, pikepdf.parse_content_stream(sheet), 0)
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.debug("page %d: its text's visibility is not known: %s", page, error)
        return True


_SHOWING = {"Tj", "TJ", "'", '"'}
_HIDDEN_MODES = {3, 7}  # invisible, and invisible added to the clip


def _draws_visible_text(
    owner: pikepdf.Object,
    instructions: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage],
    depth: int,
) -> bool:
    """Whether these instructions (of a page or form `owner`) show text in a visible mode."""
    import pikepdf

    mode, saved = 0, []
    resources = owner.get("/Resources")
    forms = resources.get("/XObject") if resources is not None else None
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operator, operands = str(instruction.operator), instruction.operands
        if operator == "q":
            saved.append(mode)
        elif operator == "Q" and saved:
            mode = saved.pop()
        elif operator == "Tr":
            mode = int(operands[0])
        elif operator in _SHOWING and mode not in _HIDDEN_MODES:
            return True
        elif operator == "Do" and forms is not None and depth < _FORM_DEPTH:
            form = forms.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == "/Form" and _draws_visible_text(
                form, pikepdf.parse_content_stream(form), depth + 1
            ):
                return True
    return False


_FORM_DEPTH = 4  # forms drawn inside forms followed this deep


def _inherited(node: pikepdf.Object, key: str) -> pikepdf.Object | None:
    """A page attribute set on the page or on a node of the page tree above it."""
    current: pikepdf.Object | None = node
    for _ in range(_TREE_DEPTH):
        if current is None:
            return None
        value = current.get(key)
        if value is not None:
            return value
        current = current.get("/Parent")
    return None


def _page_size(sheet: pikepdf.Object) -> PageSize | None:
    """The crop box clipped to the media box: the size pdfinfo gives."""
    media = _box(_inherited(sheet, "/MediaBox"))
    if media is None:
        return None
    crop = _box(_inherited(sheet, "/CropBox")) or media
    x0, y0 = max(media[0], crop[0]), max(media[1], crop[1])
    x1, y1 = min(media[2], crop[2]), min(media[3], crop[3])
    if x1 <= x0 or y1 <= y0:
        x0, y0, x1, y1 = media
    return PageSize(x1 - x0, y1 - y0, 0)


def _box(value: pikepdf.Object | None) -> Box | None:
    if value is None:
        return None
    a, b, c, d = (float(v) for v in value)
    return min(a, c), min(b, d), max(a, c), max(b, d)


def _one_image(
    sheet: pikepdf.Page,
    instructions: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage],
) -> tuple[pikepdf.Object, Matrix] | None:
    """The one image XObject the page's content draws, and the matrix it is drawn with."""
    ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    saved: list[Matrix] = []
    drawn = None
    xobjects = sheet.resources.get("/XObject")
    if xobjects is None:
        return None
    for instruction in instructions:
        operator, operands = str(instruction.operator), instruction.operands
        if operator in _SETTINGS:
            continue
        if operator not in _DRAWING:
            return None
        if operator == "q":
            saved.append(ctm)
        elif operator == "Q":
            if not saved:
                return None
            ctm = saved.pop()
        elif operator == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            p, q, r, s, t, u = ctm
            ctm = (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
                   e * p + f * r + t, e * q + f * s + u)
        else:
            image = xobjects.get(str(operands[0]))
            if drawn is not None or image is None or image.get("/Subtype") != "/Image":
                return None
            drawn = (image, ctm)
    return drawn


def _plain(image: pikepdf.Object, ctm: Matrix, size: PageSize) -> PlainScan | None:
    """The image as `pdfimages -list` lists it, when it is plainly an upright scan."""
    import pikepdf

    a, b, c, d, _, _ = ctm
    if b or c or a <= 0 or d <= 0 or any(k in image for k in ("/ImageMask", "/SMask", "/Mask")):
        return None
    filters = image.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        if len(filters) != 1:
            return None
        filters = filters[0]
    space = image.get("/ColorSpace")
    if isinstance(space, pikepdf.Array):
        space = space[0]
    encoding = _ENCODINGS.get("" if filters is None else str(filters))
    colour = _COLOURS.get(str(space))
    object_id = image.objgen[0]
    if encoding is None or colour is None or not object_id:
        return None
    width, height = int(image["/Width"]), int(image["/Height"])
    bits = int(image.get("/BitsPerComponent", 1))
    return PlainScan(size, ImagePlacement(
        kind="image", width=width, height=height, color=colour, bits=bits,
        encoding=encoding, object_id=object_id, x_ppi=_ppi(width, a), y_ppi=_ppi(height, d),
    ))  # fmt: skip


def _ppi(pixels: int, points: float) -> float:
    """Pixels per inch as pdfimages prints them: rounded to a whole number."""
    return float(f"{abs(pixels * 72 / points):.0f}")


def decode_image(path: Path, object_id: int) -> np.ndarray:
    """The image XObject `object_id` as stored (the scanner's pixels): RGB, or grey (2-D)
    for a 1-bit or grey image.

    1-bit CCITT and JPEG pages come out at their true resolution, with no resampling. A
    1-bit page is not widened to RGB: cleanup reads one grey channel, and the widening was
    most of its load (0.034 of 0.048 CPU s on the 26 CCITT dev pages).
    """
    import pikepdf
    from pikepdf import PdfImage

    try:
        with pikepdf.open(path) as pdf:
            stream = pdf.get_object((object_id, 0))
            if not isinstance(stream, pikepdf.Stream):
                raise CorruptFileError(f"object {object_id} is not an image")
            image = PdfImage(stream)
            if image.filters == ["/DCTDecode"]:
                jpeg = io.BytesIO()  # OpenCV's libjpeg-turbo decodes ~2x faster than Pillow
                image.extract_to(stream=jpeg)
                bgr = cv2.imdecode(np.frombuffer(jpeg.getvalue(), np.uint8), cv2.IMREAD_COLOR)
                if bgr is not None:
                    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            pil = image.as_pil_image()
    except (pikepdf.PdfError, pikepdf.DependencyError, NotImplementedError, ValueError,
            OSError, KeyError) as error:  # JBIG2 needs jbig2dec: the page is rendered instead
        raise CorruptFileError(f"embedded image {object_id} unreadable: {error}") from error
    if pil.mode in ("1", "L"):
        return np.asarray(pil.convert("L"))
    if pil.mode != "RGB":
        pil = pil.convert("RGB")
    return np.asarray(pil)


@dataclass(frozen=True)
class _Subject:
    common_name: str | None
    organisation: str | None


def signatures(path: Path) -> list[DigitalSignature]:
    """Every CMS signature of a PDF, with whether its signed bytes are intact (offline).

    Intact means: the byte ranges it covers hash to the digest it signed, and the signature
    over that digest verifies with the signer's certificate. Trust in the certificate (a
    path to a Vietnamese government CA) is not judged: it needs the CA's certificates.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyHanko's import warns about DSA deprecation
        from pyhanko.pdf_utils.misc import PdfReadError
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation.generic_cms import validate_sig_integrity
        from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    found: list[DigitalSignature] = []
    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            for embedded in reader.embedded_signatures:
                subject = _subject_of(embedded)
                intact: bool | None
                try:
                    digest = embedded.compute_digest()
                    checks = validate_sig_integrity(
                        embedded.signer_info, embedded.signer_cert, "data", digest,
                        DefaultSignatureValidator(),
                    )
                    intact = all(checks)
                except Exception as error:  # pyHanko raises many kinds on odd signatures
                    log.debug("signature %s not checked: %s", embedded.field_name, error)
                    intact = None
                stamp = embedded.self_reported_timestamp
                found.append(DigitalSignature(
                    signer=subject.common_name,
                    organisation=subject.organisation,
                    time=stamp.isoformat() if stamp else None,
                    intact=intact,
                    covers_whole_file=_covers_whole_file(embedded),
                    field_name=str(embedded.field_name) if embedded.field_name else None,
                ))
    except (PdfReadError, OSError, ValueError, KeyError) as error:
        log.debug("signatures of %s unreadable: %s", path, error)
    return found


def _subject_of(embedded: object) -> _Subject:
    try:
        native = embedded.signer_cert.subject.native  # type: ignore[attr-defined]
    except Exception:  # no certificate, or one pyHanko cannot parse
        return _Subject(None, None)
    def text(key: str) -> str | None:
        value = native.get(key)
        return str(value) if value else None

    return _Subject(text("common_name"), text("organization_name"))


def _covers_whole_file(embedded: object) -> bool | None:
    """False when the file was changed after this signature (a later revision)."""
    try:
        coverage = embedded.evaluate_signature_coverage()  # type: ignore[attr-defined]
    except Exception:
        return None
    return bool(coverage.name == "ENTIRE_FILE")
