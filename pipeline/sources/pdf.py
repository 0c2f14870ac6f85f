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

import cv2
import numpy as np

from pipeline.errors import CorruptFileError
from pipeline.record import DigitalSignature

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


def decode_image(path: Path, object_id: int) -> np.ndarray:
    """The image XObject `object_id` as stored (the scanner's pixels), as RGB.

    1-bit CCITT and JPEG pages come out at their true resolution, with no resampling.
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
