"""PDF/A-2b per document: the original page images with the restored text, invisible,
word by word on them.

Images are the source's own: a scanned PDF's image XObjects are copied with their streams
as they are (no recompression; only LZW or CMYK images, which PDF/A-2b with an sRGB output
intent cannot keep, are re-encoded losslessly), a JPEG file's bytes go in as DCTDecode,
a PNG's compressed data as FlateDecode with the PNG predictor, other images (TIFF, BMP,
WebP, a JPEG turned by EXIF) losslessly as Flate. A PDF page with no image of its own (born
digital) is rendered by poppler and stored as JPEG.

Words: `align.place_words` puts each restored word on its OCR box, `geometry` maps the box
from the cleaned image back to the original page, and each word is drawn in text rendering
mode 3 (invisible), sized to the height of its OCR box and scaled horizontally to its
width, so that a reader selects the word where it is printed (words whose boxes touch are
narrowed to leave a gap, and a space follows each word but the last of a line). A page
whose text came from the PDF's own text layer has its words placed on that layer's word
boxes (`words.placed_words`); a page with no boxes at all gets its text line by line down
the page.

`pikepdf.pdfa.save` adds the sRGB output intent and the pdfaid declaration, writes, reopens
and validates the written bytes (PDF/A-2b allowlist), then `qpdf --check` runs on the file.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from PIL import Image, ImageOps

from pipeline.archive.align import PlacedWord, place_words
from pipeline.archive.font import TextFont, build_font
from pipeline.archive.geometry import PageGeometry
from pipeline.archive.pdfpage import Matrix, image_draws, scan_draw
from pipeline.archive.words import placed_words
from pipeline.errors import ArchiveError
from pipeline.programs.qpdf import check as qpdf_check
from pipeline.record import Page, Record

log = logging.getLogger(__name__)

FLAVOUR = "2b"
RENDER_DPI = 300  # born-digital PDF pages without an image of their own
RENDER_JPEG_QUALITY = 85
DEFAULT_DPI = 300
MIN_GAP_EM = 0.2  # least gap drawn between two words of a line, in font sizes
EXIF_ORIENTATION = 0x0112


@dataclass
class PdfaResult:
    path: Path
    pages: int
    words: int = 0  # restored words drawn on an OCR box
    exact_words: int = 0  # of which one restored word on one OCR word
    unplaced_lines: int = 0  # text lines of pages without OCR words, drawn down the page
    inexact_pages: list[int] = field(default_factory=list)  # geometry not invertible
    rendered_pages: list[int] = field(default_factory=list)  # no image of their own
    bytes: int = 0
    seconds: float = 0.0  # building, writing and the pikepdf PDF/A validation
    check_seconds: float = 0.0  # qpdf --check


@dataclass
class _PageFrame:
    """A target page: its boxes in PDF user space and /Rotate."""

    mediabox: list[float]
    cropbox: list[float] | None
    rotate: int

    @property
    def view(self) -> list[float]:
        return self.cropbox or self.mediabox

    @property
    def shown(self) -> tuple[float, float]:
        """Width and height as displayed (after /Rotate)."""
        x0, y0, x1, y1 = self.view
        w, h = x1 - x0, y1 - y0
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def place(self, xd: float, yd: float) -> tuple[float, float]:
        """A displayed-frame point (points, origin bottom-left, y up) in user space."""
        x0, y0, x1, y1 = self.view
        if self.rotate == 90:
            return x0 + (x1 - x0) - yd, y0 + xd
        if self.rotate == 180:
            return x1 - xd, y1 - yd
        if self.rotate == 270:
            return x0 + yd, y1 - xd
        return x0 + xd, y0 + yd

    def text_axes(self) -> tuple[float, float, float, float]:
        """Text matrix a b c d: the displayed rightward and upward directions in user space."""
        return {90: (0.0, 1.0, -1.0, 0.0), 180: (-1.0, 0.0, 0.0, -1.0),
                270: (0.0, -1.0, 1.0, 0.0)}.get(self.rotate, (1.0, 0.0, 0.0, 1.0))


def write_pdfa(record: Record, source: Path, out: Path, qpdf: bool = True) -> PdfaResult:
    """Write `record`'s PDF/A-2b to `out` from its source file `source`.

    The written bytes pass pikepdf's PDF/A-2b validation or nothing is written (ArchiveError);
    `qpdf` also runs `qpdf --check` on them (~0.3-0.7 s for a 2-page colour scan)."""
    start = time.perf_counter()
    if record.source.media_type == "text/plain":
        raise ArchiveError("a text file has no page images to archive as PDF/A")
    if not source.is_file():
        raise ArchiveError(f"source file not found: {source}")
    result = PdfaResult(out, len(record.pages))
    pdf = pikepdf.new()
    placed = {page.number: place_words(page) for page in record.pages}
    text = "".join(p.text for p in record.pages)
    font, font_info = build_font(pdf, text + " ")
    if record.source.media_type == "application/pdf":
        with pikepdf.open(source) as original:
            for page in record.pages:
                _pdf_page(pdf, original, source, page, placed[page.number], font, font_info,
                          result)
    else:
        with Image.open(source) as image:
            for page in record.pages:
                _image_page(pdf, image, source, page, placed[page.number], font, font_info,
                            result)
    _metadata(pdf, record)
    out.parent.mkdir(parents=True, exist_ok=True)
    _save(pdf, out)
    result.seconds = time.perf_counter() - start
    if qpdf:
        qpdf_check(out)
        result.check_seconds = time.perf_counter() - start - result.seconds
    result.bytes = out.stat().st_size
    log.info("PDF/A %s: %d pages, %d words (%d one-to-one), %.2f s", out.name, result.pages,
             result.words, result.exact_words, result.seconds)
    return result


def _save(pdf: pikepdf.Pdf, out: Path) -> None:
    from pikepdf import pdfa  # needs fontTools and jsonschema (pikepdf[pdfa])

    try:
        pdfa.save(pdf, out, FLAVOUR, output_intent="sRGB")
    except pdfa.PdfaError as error:
        findings = "; ".join(f"{f.rule}: {f.message}" for f in error.report.findings[:5])
        raise ArchiveError(f"PDF/A-{FLAVOUR} check failed: {findings}") from error


# --- pages -------------------------------------------------------------------------------


def _new_page(pdf: pikepdf.Pdf, frame: _PageFrame, images: dict[str, pikepdf.Object],
              content: bytes, font: pikepdf.Dictionary) -> None:
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=frame.mediabox,
        Resources=pikepdf.Dictionary(
            XObject=pikepdf.Dictionary({f"/{k}": v for k, v in images.items()}),
            Font=pikepdf.Dictionary(F1=font),
        ),
        Contents=pdf.make_stream(content),
    )
    if frame.cropbox:
        page.CropBox = frame.cropbox
    if frame.rotate:
        page.Rotate = frame.rotate
    pdf.pages.append(pikepdf.Page(page))


def _pdf_page(pdf: pikepdf.Pdf, original: pikepdf.Pdf, source: Path, page: Page,
              placed: list[PlacedWord], font: pikepdf.Dictionary, info: TextFont,
              result: PdfaResult) -> None:
    src = original.pages[page.number - 1]
    mediabox = [float(v) for v in src.mediabox]
    cropbox = [float(v) for v in src.obj.CropBox] if "/CropBox" in src.obj else None
    if cropbox == mediabox:
        cropbox = None
    frame = _PageFrame(mediabox, cropbox, int(src.obj.get("/Rotate", 0)) % 360)
    if not placed:
        page, placed = placed_words(page, source, "application/pdf")
    images: dict[str, pikepdf.Object] = {}
    draws: list[str] = []
    for n, (xobj, ctm) in enumerate(image_draws(src.obj)):
        images[f"Im{n}"] = _copy_image(pdf, xobj)
        draws.append(f"q {_fmt_matrix(ctm)} cm /Im{n} Do Q")
    if not images:  # born digital: no scanner image to keep
        from pipeline.programs import poppler

        rgb = Image.fromarray(poppler.render_page(source, page.number, dpi=RENDER_DPI))
        if frame.rotate:  # poppler renders the page as shown; the page keeps its /Rotate
            rgb = rgb.rotate(frame.rotate, expand=True)
        images["Im0"] = _jpeg_stream(pdf, rgb)
        x0, y0, x1, y1 = frame.view  # poppler renders the crop box
        draws.append(f"q {_fmt_matrix((x1 - x0, 0, 0, y1 - y0, x0, y0))} cm /Im0 Do Q")
        result.rendered_pages.append(page.number)
    content = "\n".join(draws) + "\n" + _text_layer(
        page, placed, _word_frame(page, src.obj, frame), info, result)
    _new_page(pdf, frame, images, content.encode("latin-1"), font)


def _word_frame(page: Page, src: pikepdf.Object, frame: _PageFrame) -> _PageFrame:
    """Where the OCR'd image lies on the page: the scanner's image when the ingest took it
    out of the PDF (`image_source` "embedded": its pixels are the original frame), else the
    page as poppler rendered it (crop box, /Rotate applied)."""
    if page.image_source != "embedded":
        return frame
    found = scan_draw(src)
    if found is None:
        return frame
    a, b, c, d, e, f = found[1]
    if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0 or frame.rotate:
        log.warning("page %d: the scan is not drawn upright; words placed over the page",
                    page.number)
        return frame
    return _PageFrame([e, f, e + a, f + d], None, 0)


def _image_page(pdf: pikepdf.Pdf, image: Image.Image, source: Path, page: Page,
                placed: list[PlacedWord], font: pikepdf.Dictionary, info: TextFont,
                result: PdfaResult) -> None:
    index = page.number - 1
    image.seek(index)
    turned = index == 0 and image.getexif().get(EXIF_ORIENTATION, 1) != 1
    stream: pikepdf.Object | None = None
    if not turned and index == 0 and image.format == "JPEG" and image.mode in ("RGB", "L"):
        stream = pdf.make_stream(
            source.read_bytes(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
            Width=image.width, Height=image.height, BitsPerComponent=8,
            ColorSpace=pikepdf.Name.DeviceRGB if image.mode == "RGB" else pikepdf.Name.DeviceGray,
            Filter=pikepdf.Name.DCTDecode,
        )
    elif not turned and index == 0 and image.format == "PNG":
        stream = _png_stream(pdf, source.read_bytes())
    frame_image = ImageOps.exif_transpose(image) if turned else image
    if stream is None:
        stream = _flate_image(pdf, frame_image)
    width_px, height_px = frame_image.size
    dpi = _dpi(image, page)
    w, h = width_px * 72.0 / dpi, height_px * 72.0 / dpi
    frame = _PageFrame([0.0, 0.0, w, h], None, 0)
    content = f"q {_fmt_matrix((w, 0, 0, h, 0, 0))} cm /Im0 Do Q\n"
    content += _text_layer(page, placed, frame, info, result)
    _new_page(pdf, frame, {"Im0": stream}, content.encode("latin-1"), font)


def _dpi(image: Image.Image, page: Page) -> float:
    stated = image.info.get("dpi")
    if stated:
        try:
            value = float(stated[0])
        except (TypeError, ValueError, IndexError):
            value = 0.0
        if 50 <= value <= 2400:
            return value
    if page.image and 50 <= page.image.dpi <= 2400:
        return float(page.image.dpi)
    return float(DEFAULT_DPI)


# --- images ------------------------------------------------------------------------------


def _fmt_matrix(m: Matrix | tuple[float, ...], places: int = 4) -> str:
    return " ".join(_num(v, places) for v in m)


def _num(value: float, places: int = 4) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _filters(stream: pikepdf.Object) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value]
    return [str(value)]


def _copy_image(pdf: pikepdf.Pdf, xobj: pikepdf.Object) -> pikepdf.Object:
    """The image stream as it is, unless PDF/A-2b forbids it (LZW, CMYK under an sRGB
    intent, alternates): then decoded and stored losslessly as Flate."""
    colour = xobj.get("/ColorSpace")
    forbidden = "/LZWDecode" in _filters(xobj) or colour == pikepdf.Name.DeviceCMYK or any(
        key in xobj for key in ("/Alternates", "/OPI")
    )
    if not forbidden:
        copied = pdf.copy_foreign(xobj)
        if "/Interpolate" in copied:
            del copied.Interpolate
        return copied
    log.info("re-encoding an image PDF/A cannot keep (%s, %s)", _filters(xobj), colour)
    pil = pikepdf.PdfImage(xobj).as_pil_image()  # type: ignore[arg-type]
    return _flate_image(pdf, pil.convert("RGB") if pil.mode == "CMYK" else pil)


def _flate_image(pdf: pikepdf.Pdf, image: Image.Image) -> pikepdf.Object:
    if image.mode == "1":
        data = image.tobytes()  # 1 bit per pixel, rows padded to bytes, 0 = black
        return pdf.make_stream(
            zlib.compress(data, 6), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
            Width=image.width, Height=image.height, BitsPerComponent=1,
            ColorSpace=pikepdf.Name.DeviceGray, Filter=pikepdf.Name.FlateDecode,
        )
    if image.mode not in ("L", "RGB"):
        image = image.convert("L" if image.mode in ("I;16", "I", "F", "LA") else "RGB")
    return pdf.make_stream(
        zlib.compress(image.tobytes(), 6), Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image, Width=image.width, Height=image.height,
        BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceGray if image.mode == "L" else pikepdf.Name.DeviceRGB,
        Filter=pikepdf.Name.FlateDecode,
    )


def _jpeg_stream(pdf: pikepdf.Pdf, image: Image.Image) -> pikepdf.Object:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=RENDER_JPEG_QUALITY)
    return pdf.make_stream(
        buffer.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
        Width=image.width, Height=image.height, BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.DCTDecode,
    )


def _png_stream(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Object | None:
    """A PNG's own compressed data as a Flate image with the PNG predictor, when the PDF can
    take it as it is (8-bit grey or RGB, 1/2/4/8-bit palette or grey, not interlaced, no
    alpha); None otherwise."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, palette = 8, bytearray(), b""
    header: tuple[int, ...] = ()
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if not header or not idat:
        return None
    width, height, depth, colour, _, _, interlace = header
    if interlace or colour not in (0, 2, 3) or (colour == 2 and depth != 8):
        return None
    if colour == 3:
        if not palette:
            return None
        space: pikepdf.Object = pikepdf.Array([pikepdf.Name.Indexed, pikepdf.Name.DeviceRGB,
                                               len(palette) // 3 - 1, pikepdf.String(palette)])
    else:
        space = pikepdf.Name.DeviceRGB if colour == 2 else pikepdf.Name.DeviceGray
    colours = 3 if colour == 2 else 1
    return pdf.make_stream(
        bytes(idat), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
        Width=width, Height=height, BitsPerComponent=depth, ColorSpace=space,
        Filter=pikepdf.Name.FlateDecode,
        DecodeParms=pikepdf.Dictionary(Predictor=15, Colors=colours, BitsPerComponent=depth,
                                       Columns=width),
    )


# --- text layer --------------------------------------------------------------------------


def _text_layer(page: Page, placed: list[PlacedWord], frame: _PageFrame, info: TextFont,
                result: PdfaResult) -> str:
    ops = ["BT", "3 Tr"]
    shown_w, shown_h = frame.shown
    a, b, c, d = frame.text_axes()
    em = (info.ascent - info.descent) / 1000.0
    if placed and page.width and page.height:
        geometry = PageGeometry(page.width, page.height, tuple(page.cleanup))
        if not geometry.exact:
            result.inexact_pages.append(page.number)
        boxes = []
        for word in placed:
            box = word.box  # its own box: 99.96% IoU>=0.5 on the bench, 98.5% with line heights
            u0, v0, u1, v1 = geometry.to_unit_box(box)
            boxes.append([u0 * shown_w, (1 - v1) * shown_h, u1 * shown_w, (1 - v0) * shown_h])
        for k, word in enumerate(placed):
            left, bottom, right, top = boxes[k]
            size = max((top - bottom) / em, 1.0)
            # a space after a word with another after it on its line, and a gap before that
            # one: poppler breaks words on gaps, and touching boxes ran words together
            follows = k + 1 < len(placed) and placed[k + 1].text_line == word.text_line
            if follows:
                nxt = boxes[k + 1][0]
                gap = MIN_GAP_EM * size
                if nxt < right + gap:  # narrow this word to at most half, then move the next
                    right = max(left + 0.5 * (right - left), nxt - gap)
                    following = boxes[k + 1]
                    following[0] = max(nxt, min(right + gap, following[2] - 0.5 * (
                        following[2] - following[0])))
            shown = word.text + " " if follows else word.text
            natural = info.width(word.text) * size
            if natural <= 0 or right <= left:
                continue
            scale = 100.0 * (right - left) / natural
            x, y = frame.place(left, bottom - info.descent / 1000.0 * size)
            ops.append(f"/F1 {_num(size, 2)} Tf {_num(scale, 2)} Tz "  # 0.01 pt is plenty
                       f"{_fmt_matrix((a, b, c, d, x, y), 2)} Tm <{info.encode(shown).hex()}> Tj")
            result.words += 1
            result.exact_words += word.exact
    else:
        lines = [" ".join(ln.split()) for ln in page.text.split("\n") if ln.strip()]
        if lines:
            step = min(14.0, (shown_h - 72.0) / len(lines))
            size = step * 0.8
            for n, line in enumerate(lines):
                natural = info.width(line) * size
                scale = min(100.0, 100.0 * (shown_w - 72.0) / natural) if natural else 100.0
                x, y = frame.place(36.0, shown_h - 36.0 - (n + 1) * step)
                ops.append(f"/F1 {_num(size)} Tf {_num(scale)} Tz "
                           f"{_fmt_matrix((a, b, c, d, x, y))} Tm <{info.encode(line).hex()}> Tj")
            result.unplaced_lines += len(lines)
    ops.append("ET")
    return "\n".join(ops) + "\n"


# --- metadata ----------------------------------------------------------------------------


def _metadata(pdf: pikepdf.Pdf, record: Record) -> None:
    from pipeline import __version__
    from pipeline.archive.export import issuing_body, keyword_list, type_name

    title = record.subject or record.doc_number or Path(record.source.path).name
    body = issuing_body(record)
    words = keyword_list(record)
    description = [p for p in (type_name(record), record.doc_number, record.date) if p]
    for sig in record.signatures:
        state = {True: "toàn vẹn", False: "đã bị thay đổi", None: "chưa kiểm"}[sig.intact]
        description.append(
            f"Chữ ký số: {sig.signer or '?'}"
            + (f" ({sig.organisation})" if sig.organisation else "")
            + (f", {sig.time}" if sig.time else "") + f", {state}"
        )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        if body:
            meta["dc:creator"] = [body]
        meta["dc:description"] = "; ".join(description)
        meta["dc:language"] = {record.language}
        if words:
            meta["dc:subject"] = set(words)
            meta["pdf:Keywords"] = "; ".join(words)
        if record.date:
            meta["dc:date"] = [record.date]
        meta["dc:identifier"] = record.id
        meta["xmp:CreateDate"] = now
        meta["xmp:ModifyDate"] = now
        meta["xmp:MetadataDate"] = now
        meta["xmp:CreatorTool"] = f"sohoa {__version__}"
        meta["pdf:Producer"] = f"sohoa {__version__} (pikepdf {pikepdf.__version__})"
