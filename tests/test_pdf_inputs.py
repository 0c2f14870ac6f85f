"""PDFs as archives receive them: scanned pages with a signature stamp as their only text,
another engine's OCR layer, the scanner's own image, and digital signatures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image

from pipeline import cleanup, sources
from pipeline.sources import pdf
from tests.conftest import render_lines

REAL_SCANS = Path(__file__).resolve().parents[2] / "shared" / "real-scans"
A4 = (595.0, 842.0)


def _page_image() -> Image.Image:
    lines = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "Số: 86/QĐ-UBND", "Đảng ủy đã lãnh đạo"]
    return render_lines(lines * 6).convert("RGB")


def _scan_pdf(
    path: Path,
    image: Image.Image,
    text: list[tuple[float, float, str]] = (),  # type: ignore[assignment]
    widget: tuple[float, float, float, float] | None = None,
    jpeg: bool = True,
    shown: bool = False,
) -> Path:
    """One page: `image` drawn over the whole page, `text` (x, y from the top, Latin-1) in
    Helvetica, invisible as OCR layers write it unless `shown`, and a signature widget at
    `widget` (x0, y0, x1, y1, PDF coordinates)."""
    doc = pikepdf.new()
    width, height = A4
    if jpeg:
        data = io.BytesIO()
        image.save(data, "JPEG", quality=90)
        xobject = pikepdf.Stream(doc, data.getvalue())
        xobject.Filter = pikepdf.Name.DCTDecode
        xobject.ColorSpace = pikepdf.Name.DeviceRGB
        xobject.BitsPerComponent = 8
    else:
        grey = np.asarray(image.convert("L"))
        xobject = pikepdf.Stream(doc, grey.tobytes())
        xobject.ColorSpace = pikepdf.Name.DeviceGray
        xobject.BitsPerComponent = 8
    xobject.Type = pikepdf.Name.XObject
    xobject.Subtype = pikepdf.Name.Image
    xobject.Width, xobject.Height = image.size
    ops = f"q {width} 0 0 {height} 0 0 cm /Im0 Do Q\n"
    mode = 0 if shown else 3
    for x, y, line in text:
        ops += f"BT {mode} Tr /F1 8 Tf {x} {height - y} Td ({line}) Tj ET\n"
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, width, height],
        Resources=pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(Im0=xobject),
            Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding,
            )),
        ),
        Contents=pikepdf.Stream(doc, ops.encode("latin-1")),
    )
    doc.pages.append(pikepdf.Page(page))
    if widget is not None:
        annot = doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig,
            Rect=list(widget), T=pikepdf.String("Signature1"), F=4,
        ))
        doc.pages[0].obj.Annots = pikepdf.Array([annot])
        doc.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([annot]), SigFlags=3)
    doc.save(path, compress_streams=False)  # page drawing left readable (tampering test)
    return path


STAMP = [
    (420, 12, "Ky boi: Uy ban nhan dan tinh Quang Ngai"),
    (420, 22, "Co quan: Tinh Quang Ngai"),
    (420, 32, "Thoi gian ky: 17/01/2025 13:33:13"),
]


def test_a_signature_stamp_is_not_the_text_of_a_scanned_page(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "signed.pdf", _page_image(), STAMP, widget=(410, 800, 595, 842))
    content = sources.pdf_page_content(path, 1)
    assert content.text is None and content.scan is not None
    assert "signature stamp" in content.reason


def test_a_number_and_day_signed_into_their_slots_are_page_text(tmp_path: Path) -> None:
    # qn-10: the e-office signs "542 /TB-UBND" and "06 thang" in as signature widgets
    body = [(40, 200 + 24 * i, "Thuc hien Cong van so 2003/UBDT ve viec tham du Hoi nghi")
            for i in range(5)]
    path = _scan_pdf(tmp_path / "digital.pdf", Image.new("RGB", (40, 40), "white"),
                     [(130, 120, "542 /TB-UBND"), *body], widget=(126, 710, 324, 739))
    content = sources.pdf_page_content(path, 1)
    assert content.text is not None and "542 /TB-UBND" in content.text
    assert "signature stamp" not in content.reason


def test_a_stamp_outside_a_widget_is_still_too_small_to_be_a_scanned_page(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "stamped.pdf", _page_image(), STAMP * 3)
    content = sources.pdf_page_content(path, 1)
    assert content.text is None and "of a scanned page's height" in content.reason


def test_another_engines_english_ocr_layer_is_redone(tmp_path: Path) -> None:
    garbage = [(40, 60 + 24 * i, "CONG HOA xA HOI can NGHiA VIET NAM Pang uy da 1anh dao")
               for i in range(30)]
    content = sources.pdf_page_content(_scan_pdf(tmp_path / "eng.pdf", _page_image(), garbage), 1)
    assert content.text is None and "marked letters" in content.reason
    assert content.scan is not None  # the scanner's image is what is read


def test_a_page_showing_text_over_a_background_image_is_rendered_whole(tmp_path: Path) -> None:
    # ex-82: a born-digital decision whose fonts map to no Vietnamese ("BO GIAO Dl)C"),
    # drawn over a page-sized picture holding only a faint background
    garbage = [(40, 60 + 24 * i, "CQNG HOA XA HQICHU NGHiA VI NAM BO GIAO DUC VA DAO TAO")
               for i in range(30)]
    background = Image.new("RGB", (1240, 1754), (250, 250, 248))
    path = _scan_pdf(tmp_path / "shown.pdf", background, garbage, shown=True)
    assert pdf.shows_text(path, 1)
    content = sources.pdf_page_content(path, 1)
    assert content.text is None and content.scan is None
    pixels, _, origin = sources.pdf_page_image(path, 1, content, 100)
    assert origin == "rendered" and (np.asarray(pixels) < 128).mean() > 0.001  # the text
    hidden = _scan_pdf(tmp_path / "hidden.pdf", background, garbage)
    assert not pdf.shows_text(hidden, 1)


def test_a_layered_page_whose_text_is_in_masks_is_rendered_whole(tmp_path: Path) -> None:
    # ex-114: scanning software kept a blank background image and painted the text over it
    # as 1-bit masks; the background alone, taken out as the page's scan, read nothing
    path = _scan_pdf(tmp_path / "layered.pdf", Image.new("RGB", (1240, 1754), (252, 252, 250)))
    text = np.asarray(render_lines(["Đảng ủy đã lãnh đạo", "Số: 86/QĐ-UBND"]).convert("L"))
    bits = np.packbits(text < 128, axis=1)  # 1 = ink; /Decode [1 0] paints the ones
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        mask = pikepdf.Stream(doc, bits.tobytes())
        mask.Type, mask.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        mask.Width, mask.Height = text.shape[1], text.shape[0]
        mask.ImageMask, mask.BitsPerComponent = True, 1
        mask.Decode = [1, 0]
        sheet = doc.pages[0]
        sheet.obj.Resources.XObject.Mk0 = mask
        sheet.obj.Contents = pikepdf.Stream(doc, (  # the text's mask over the whole page
            f"q {A4[0]} 0 0 {A4[1]} 0 0 cm /Im0 Do Q\n"
            f"q 0 g {A4[0]} 0 0 {A4[1]} 0 0 cm /Mk0 Do Q\n").encode())
        doc.save(path)
    content = sources.pdf_page_content(path, 1)
    assert content.scan is None  # not the background alone
    pixels, _, origin = sources.pdf_page_image(path, 1, content, 150)
    assert origin == "rendered" and (np.asarray(pixels) < 128).mean() > 0.001  # the text


@pytest.mark.parametrize(
    ("line", "kept"),
    [("Công tác cán bô và thành công cho nhân dân tháng này", True),
     # ex-66: a phone app's own OCR of a scanned tờ trình, words broken into non-syllables
     # ("ãc", "hãp"); Helvetica's encoding holds only Latin-1 letters
     ("Công tác cán bô ïng hãp nhân dân ãc tháng tïn", False)],
)
def test_a_scanned_pages_ocr_layer_is_kept_only_when_it_reads_as_vietnamese(
    tmp_path: Path, line: str, kept: bool
) -> None:
    layer = [(40, 60 + 24 * i, line) for i in range(30)]
    path = _scan_pdf(tmp_path / "layer.pdf", _page_image(), layer)
    content = sources.pdf_page_content(path, 1)
    assert (content.text is not None) is kept
    if not kept:
        assert "Vietnamese syllables" in content.reason


def test_a_born_digital_page_keeps_its_text(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "digital.pdf", Image.new("RGB", (40, 40), "white"),
                     [(40, 60 + 24 * i, "Bao cao so ket thuc hien Chuong trinh") for i in range(5)],
                     shown=True)
    content = sources.pdf_page_content(path, 1)
    assert content.scan is None and content.text is not None
    assert "Chuong trinh" in content.text


@pytest.mark.parametrize("jpeg", [True, False])
def test_the_scanners_image_is_taken_out_as_stored(tmp_path: Path, jpeg: bool) -> None:
    image = _page_image()
    path = _scan_pdf(tmp_path / "scan.pdf", image, jpeg=jpeg)
    content = sources.pdf_page_content(path, 1)
    assert content.scan is not None
    rgb, dpi, origin = sources.pdf_page_image(path, 1, content, dpi=300)
    assert origin == "embedded" and rgb.shape[:2] == (image.height, image.width)
    assert dpi == round(image.width / (A4[0] / 72))
    if jpeg:  # the same decoder on the same bytes: the same pixels
        data = io.BytesIO()
        image.save(data, "JPEG", quality=90)
        expected = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(data.getvalue(), np.uint8), cv2.IMREAD_COLOR),
            cv2.COLOR_BGR2RGB,
        )
    else:  # a grey scan comes out grey (2-D), not widened to RGB
        expected = np.asarray(image.convert("L"))
    assert np.array_equal(rgb, expected)


def test_a_grey_scan_cleans_as_its_rgb_widening_did(tmp_path: Path) -> None:
    """The grey page taken out of a PDF gives the cleaned page the RGB copy gave."""
    path = _scan_pdf(tmp_path / "scan.pdf", _page_image(), jpeg=False)
    content = sources.pdf_page_content(path, 1)
    grey, _, _ = sources.pdf_page_image(path, 1, content, dpi=300)
    assert grey.ndim == 2
    widened = np.repeat(grey[:, :, None], 3, axis=2)
    assert np.array_equal(cleanup.clean_page(grey).image, cleanup.clean_page(widened).image)


def test_a_rendered_page_is_checked_for_size_first(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "huge.pdf", Image.new("RGB", (40, 40), "white"))
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        doc.pages[0].obj.MediaBox = [0, 0, 60 * 72, 60 * 72]  # a 60-inch page
        doc.save(path)
    from pipeline.errors import ImageTooLargeError

    with pytest.raises(ImageTooLargeError):
        content = sources.pdf_page_content(path, 1)
        assert content.scan is None  # a 40 px background, no scan: the page is rendered
        sources.pdf_page_image(path, 1, content, dpi=300)


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân tỉnh Thử"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tỉnh Thử"),
    ])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def test_digital_signatures_are_read_and_checked_offline(tmp_path: Path) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key_path, cert_path = _self_signed(tmp_path)
    unsigned = _scan_pdf(tmp_path / "unsigned.pdf", _page_image())
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    assert signer is not None
    signed = tmp_path / "signed.pdf"
    with unsigned.open("rb") as source:
        writer = IncrementalPdfFileWriter(source)
        out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1"),
                               signer=signer)
        signed.write_bytes(out.getvalue())
    [found] = pdf.signatures(signed)
    assert (found.signer, found.organisation) == ("Ủy ban nhân dân tỉnh Thử", "Tỉnh Thử")
    assert found.intact is True and found.covers_whole_file is True and found.time
    assert json.loads(json.dumps(dataclasses.asdict(found)))["field_name"] == "Signature1"

    tampered = bytearray(signed.read_bytes())
    at = tampered.index(b"/Im0 Do")  # inside the signed bytes: the page's drawing
    tampered[at:at + 7] = b"/Im0 Dx"
    (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))
    [broken] = pdf.signatures(tmp_path / "tampered.pdf")
    assert broken.intact is False
    assert pdf.signatures(unsigned) == []


@pytest.mark.skipif(not (REAL_SCANS / "qn-01.pdf").exists(), reason="../shared/real-scans absent")
def test_a_real_signed_scan_is_ocrd_and_keeps_its_signatures() -> None:
    path = REAL_SCANS / "qn-01.pdf"
    first = sources.pdf_page_content(path, 1)
    assert first.text is None and first.scan is not None and first.scan.encoding == "jpeg"
    found = pdf.signatures(path)
    assert [s.signer for s in found] == [
        "Ủy ban nhân dân tỉnh Quảng Ngãi", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC"
    ]
    assert all(s.intact for s in found)
    assert found[0].covers_whole_file is False  # the portal signed again after it


def test_a_symbol_signed_in_after_its_number_joins_the_number_line() -> None:
    from pipeline.programs.poppler import TextLayer, TextWord

    def line(*words: tuple[str, float, float]) -> list[TextWord]:
        return [TextWord(text, (x0, 117.1, x1, 131.5)) for text, x0, x1 in words]

    header = [[line(("Số:", 112.8, 130.1), ("542", 131.3, 150.8))]]
    symbol = [[line(("/TB-UBND", 165.8, 227.2))]]  # qn-10: 15 pt after the number
    place = [[line(("Quảng", 289.0, 324.3), ("Ngãi,", 327.0, 352.0))]]  # the right column
    layer = TextLayer(595.0, 842.0, [header, place, symbol])
    assert layer.text().split("\n\n") == ["Số: 542 /TB-UBND", "Quảng Ngãi,"]


@pytest.mark.parametrize("jpeg", [True, False])
def test_a_plain_scan_is_read_in_process_as_poppler_reads_it(tmp_path: Path, jpeg: bool) -> None:
    from pipeline.programs import poppler

    path = _scan_pdf(tmp_path / "scan.pdf", _page_image(), jpeg=jpeg)
    plain = pdf.plain_scan(path, 1)
    assert plain is not None
    assert [plain.image] == poppler.page_images(path, 1)
    size = poppler.page_size(path, 1)
    assert (plain.size.width, plain.size.height, plain.size.rotation) == pytest.approx(
        (size.width, size.height, size.rotation))
    assert sources.pdf_page_content(path, 1).reason == "no text layer"


def test_a_page_with_text_or_a_signature_is_no_plain_scan(tmp_path: Path) -> None:
    """Text, annotations (a signature's stamp) and turned pages are left to poppler."""
    assert pdf.plain_scan(_scan_pdf(tmp_path / "ocr.pdf", _page_image(), STAMP), 1) is None
    signed = _scan_pdf(tmp_path / "signed.pdf", _page_image(), widget=(410, 800, 595, 842))
    assert pdf.plain_scan(signed, 1) is None
    turned = _scan_pdf(tmp_path / "turned.pdf", _page_image())
    with pikepdf.open(turned, allow_overwriting_input=True) as doc:
        doc.pages[0].obj.Rotate = 90
        doc.save(turned)
    assert pdf.plain_scan(turned, 1) is None


def test_a_page_read_blank_under_a_text_layer_of_its_own_is_reported_unreadable(
    tmp_path: Path,
) -> None:
    """A page whose text layer is not taken and whose image OCR finds no word in is no
    blank page: its text is drawn in a way that was not read (ex-82 before its visible
    text was rendered). It says so instead."""
    from pipeline.run.jobs import PageJob
    from pipeline.run.page import process_page

    garbage = [(40, 60 + 24 * i, "CONG HOA xA HOI can NGHiA VIET NAM Pang uy da 1anh dao")
               for i in range(30)]
    blank_scan = Image.new("RGB", (1240, 1754), "white")
    path = _scan_pdf(tmp_path / "unread.pdf", blank_scan, garbage)
    outcome = process_page(PageJob(doc="ab" * 32, path=str(path), media_type="application/pdf",
                                   page=1, keep_image=False))
    assert outcome.page is not None and not outcome.page.blank
    assert "text layer holds" in outcome.page.errors[0]
    empty = process_page(PageJob(doc="ab" * 32, path=str(_scan_pdf(tmp_path / "blank.pdf",
                                 blank_scan)), media_type="application/pdf", page=1,
                                 keep_image=False))
    assert empty.page is not None and empty.page.blank and not empty.page.errors


REAL_EXTRA = Path(__file__).resolve().parents[1] / "corpus" / "real" / "extra"


def test_a_real_born_digital_page_over_a_background_picture_is_rendered_and_read() -> None:
    # ex-82 (dev): fonts that map to no Vietnamese over a page-sized faint background; its
    # picture alone was read as a blank page
    path = REAL_EXTRA / "ex-82.pdf"
    content = sources.pdf_page_content(path, 1)
    assert content.text is None and content.scan is None and pdf.shows_text(path, 1)
    pixels, _, origin = sources.pdf_page_image(path, 1, content, 150)
    assert origin == "rendered" and (np.asarray(pixels) < 128).mean() > 0.02
