"""Archive files: PDF/A-2b (the original page images with the restored text, word by word,
under them), ALTO, hOCR, BagIt packages and the export command that writes them.

One real page goes through the whole pipeline (`record_for`: cleanup, Tesseract, restoration,
fields) as a colour JPEG and as a PDF holding that JPEG; the PDF/A files are then checked with
pikepdf's PDF/A validator, `qpdf --check` and `pdftotext`.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from lxml import etree
from pikepdf import pdfa
from PIL import Image, ImageDraw
from rapidfuzz.distance import Levenshtein

from pipeline.archive import alto
from pipeline.archive.align import place_words
from pipeline.archive.alto import write_alto
from pipeline.archive.bag import validate_bag, write_bag
from pipeline.archive.geometry import PageGeometry
from pipeline.archive.hocr import write_hocr
from pipeline.archive.pdfa import write_pdfa
from pipeline.cleanup import rotate, rotate_right_angle
from pipeline.cli import main
from pipeline.commands.extract import record_for
from pipeline.errors import ArchiveError
from pipeline.record import DigitalSignature, Line, Page, Record, Word
from tests.conftest import render_lines

LINES = [
    "ĐẢNG BỘ TỈNH NGHỆ AN",
    "BÁO CÁO",
    "Kết quả kết nạp đảng viên mới năm 2023",
    "Chi bộ đã kết nạp được 12 đảng viên mới, đạt kế hoạch đề ra.",
    "Công tác phát triển đảng viên được các cấp ủy quan tâm.",
]


def _pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Record]]:
    folder = tmp_path_factory.mktemp("scans")
    image = render_lines(LINES)
    draw = ImageDraw.Draw(image)
    draw.ellipse((1100, 1500, 1400, 1800), outline=(200, 20, 20), width=12)  # a red seal
    jpeg = folder / "page.jpg"
    image.save(jpeg, "JPEG", quality=85, dpi=(200, 200))
    pdf = folder / "page.pdf"
    Image.open(jpeg).save(pdf, "PDF", resolution=200.0)
    return {name: (path, record_for(path)) for name, path in (("jpeg", jpeg), ("pdf", pdf))}


@pytest.mark.parametrize("kind", ["jpeg", "pdf"])
def test_pdfa_passes_the_checks_and_keeps_the_restored_text(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path, kind: str
) -> None:
    source, record = scans[kind]
    out = tmp_path / "doc.pdf"
    result = write_pdfa(record, source, out)
    assert result.words == len(record.text.split()) and result.exact_words == result.words
    assert pdfa.validate_written(out, "2b").passed
    assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0

    raw = _pdftotext(out, "-raw")
    expected = _words(record.pages[0].text)
    assert "đảng viên" in raw and "đảng viên" in expected
    assert Levenshtein.distance(expected, _words(raw)) / len(expected) <= 0.001
    assert "đảng viên" in _pdftotext(out)  # poppler's own reading order too
    assert out.stat().st_size <= 1.2 * source.stat().st_size


def test_pdfa_keeps_the_scanned_image_bytes_and_colour(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    jpeg, record = scans["jpeg"]
    out = tmp_path / "jpeg.pdf"
    write_pdfa(record, jpeg, out)
    with pikepdf.open(out) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        assert image.read_raw_bytes() == jpeg.read_bytes()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.ColorSpace == pikepdf.Name.DeviceRGB
    source, record = scans["pdf"]
    out = tmp_path / "pdf.pdf"
    write_pdfa(record, source, out)
    with pikepdf.open(source) as original, pikepdf.open(out) as pdf:
        (before,) = original.pages[0].Resources.XObject.values()
        (after,) = pdf.pages[0].Resources.XObject.values()
        assert after.read_raw_bytes() == before.read_raw_bytes()
        assert pdf.pages[0].mediabox == original.pages[0].mediabox


def test_pdfa_metadata_output_intent_and_font(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    source, record = scans["jpeg"]
    record.subject = "Kết quả kết nạp đảng viên mới năm 2023"
    record.issuer = ["TỈNH ỦY AN GIANG", "VĂN PHÒNG"]
    record.date = "2023-07-06"
    record.signatures = [DigitalSignature(signer="Ủy ban nhân dân tỉnh Quảng Ngãi",
                                          time="2025-01-16T10:00:00+07:00", intact=True)]
    out = tmp_path / "doc.pdf"
    write_pdfa(record, source, out)
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == record.subject
        assert meta["dc:creator"] == ["Văn phòng Tỉnh ủy An Giang"]
        assert "2023-07-06" in str(meta["dc:date"])
        assert str(pdf.docinfo["/Title"]) == record.subject
        assert "Chữ ký số: Ủy ban nhân dân tỉnh Quảng Ngãi" in meta["dc:description"]
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1 and intent.DestOutputProfile.N == 3
        font = pdf.pages[0].Resources.Font.F1
        descendant = font.DescendantFonts[0]
        assert "/FontFile2" in descendant.FontDescriptor
        assert b"beginbfchar" in font.ToUnicode.read_bytes()
        assert "/Encrypt" not in pdf.trailer
        assert "/Names" not in pdf.Root and "/OpenAction" not in pdf.Root


@pytest.mark.parametrize("kind", ["jpeg", "pdf"])
def test_words_sit_on_their_ocr_boxes(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path, kind: str
) -> None:
    source, record = scans[kind]
    out = tmp_path / "doc.pdf"
    write_pdfa(record, source, out)
    page = record.pages[0]
    geometry = PageGeometry(page.width, page.height, tuple(page.cleanup))
    with Image.open(scans["jpeg"][0]) as image:  # the PDF is this image on an A4 page
        scale = 72.0 / image.info["dpi"][0]
        width, height = image.width * scale, image.height * scale
    found = _bbox_words(_pdftotext(out, "-bbox"))
    hits = 0
    placed = place_words(page)
    for word in placed:
        u0, v0, u1, v1 = geometry.to_unit_box(word.box)
        box = (u0 * width, v0 * height, u1 * width, v1 * height)
        hits += max((_iou(box, b) for t, b in found if t == word.text), default=0.0) >= 0.5
    assert hits >= 0.98 * len(placed)


def test_restored_words_that_merge_are_spread_over_their_boxes(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    source, record = scans["jpeg"]
    words = record.pages[0].text.split()
    # restoration joining two words ("kết nạp" -> "kếtnạp"), dropping one, adding one
    text = record.pages[0].text.replace("kết nạp", "kếtnạp", 1).replace("năm", "năm mới nay", 1)
    page = replace(record.pages[0], text=text)
    record = replace(record, pages=[page, *record.pages[1:]])
    placed = place_words(page)
    assert [w.text for w in placed] == page.text.split()
    assert len(placed) != len(words) and not all(w.exact for w in placed)
    out = tmp_path / "doc.pdf"
    write_pdfa(record, source, out)
    assert _words(_pdftotext(out, "-raw")) == _words(page.text)


def test_align_spreads_a_line_over_its_box() -> None:
    line = Line("Dang vien moi", [100, 50, 400, 80], 90.0, words=[
        Word("Dang", [100, 50, 180, 80], 91.0), Word("vien", [200, 50, 280, 80], 92.0),
        Word("moi", [300, 50, 400, 80], 93.0)])
    page = Page(1, "Đảng viên mới", "Dang vien moi", 92.0, lines=[line], width=500, height=100)
    placed = place_words(page)
    assert [(w.text, w.box, w.exact) for w in placed] == [
        ("Đảng", (100, 50, 180, 80), True), ("viên", (200, 50, 280, 80), True),
        ("mới", (300, 50, 400, 80), True)]
    page = replace(page, text="Đảng viên mới kết nạp")  # two words more than OCR read
    placed = place_words(page)
    assert [w.text for w in placed] == page.text.split()
    assert placed[0].exact and placed[-1].box[2] <= 400 and placed[2].box[0] >= 300


def test_geometry_undoes_the_cleanup_turns_upscale_and_deskew() -> None:
    """A dot followed through the cleanup's own geometric operations comes back home."""
    original = np.full((300, 200), 255, np.uint8)
    cv2.circle(original, (50, 80), 3, 0, -1)
    image = rotate_right_angle(original, 90)
    image = cv2.resize(image, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    image = rotate(image, 3.0)
    image = rotate_right_angle(image, 180)
    steps = ("orientation:90", "upscale:1.50", "deskew:3.00", "orientation:180")
    ys, xs = np.nonzero(image < 128)
    geometry = PageGeometry(image.shape[1], image.shape[0], steps)
    u, v = geometry.to_unit_point(float(xs.mean()), float(ys.mean()))
    assert abs(u * 200 - 50) < 1.5 and abs(v * 300 - 80) < 1.5
    assert geometry.exact and not PageGeometry(10, 10, ("page_detect",)).exact
    turned = PageGeometry(300, 200, ("orientation:270",))
    assert turned.to_unit_point(80, 150) == pytest.approx((50 / 200, 80 / 300))


def test_a_text_file_has_no_images_to_archive(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Báo cáo kết quả đảng viên\n", encoding="utf-8")
    record = record_for(text)
    with pytest.raises(ArchiveError):
        write_pdfa(record, text, tmp_path / "a.pdf")
    assert not (tmp_path / "a.pdf").exists()


def _bbox_words(html: str) -> list[tuple[str, tuple[float, float, float, float]]]:
    from html import unescape

    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</'
    return [(unescape(m[4]), (float(m[0]), float(m[1]), float(m[2]), float(m[3])))
            for m in re.findall(pattern, html)]


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union else 0.0




# --- ALTO, hOCR, bags, the export command ---------------------------------------------------


def test_alto_validates_and_carries_restored_words_boxes_and_confidences(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    source, record = scans["jpeg"]
    (path,) = write_alto(record, source, tmp_path, "doc")
    data = path.read_bytes()
    alto.validate(data)
    ns = {"a": alto.NS}
    doc = etree.fromstring(data)
    strings = doc.findall(".//a:String", ns)
    assert [s.get("CONTENT") for s in strings] == record.pages[0].text.split()
    assert all(0.0 <= float(s.get("WC")) <= 1.0 for s in strings)
    with Image.open(source) as image:
        width, height = image.size
    page = doc.find(".//a:Page", ns)
    assert (int(page.get("WIDTH")), int(page.get("HEIGHT"))) == (width, height)
    for s in strings:
        x, y, w, h = (float(s.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height and w > 0 and h > 0
    # the schema is really checked: a String without CONTENT is refused
    del strings[0].attrib["CONTENT"]
    with pytest.raises(ArchiveError, match="CONTENT"):
        alto.validate(etree.tostring(doc))


def test_hocr_has_words_with_boxes_and_confidences(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    source, record = scans["pdf"]
    (path,) = write_hocr(record, source, tmp_path, "doc")
    doc = etree.parse(str(path))
    words = doc.findall(".//{http://www.w3.org/1999/xhtml}span[@class='ocrx_word']")
    assert [w.text for w in words] == record.pages[0].text.split()
    for word in words:
        assert re.fullmatch(r"bbox \d+ \d+ \d+ \d+; x_wconf \d+", word.get("title"))
    page = doc.find(".//{http://www.w3.org/1999/xhtml}div[@class='ocr_page']")
    # the PDF page in pixels at the dpi the ingest rendered it (no upscale or turn here:
    # the cleaned page's own size, give or take poppler's rounding)
    width, height = map(int, re.search(r"bbox 0 0 (\d+) (\d+)", page.get("title")).groups())
    assert "upscale" not in str(record.pages[0].cleanup)
    assert abs(width - record.pages[0].width) <= 1 and abs(height - record.pages[0].height) <= 1


def test_bag_is_complete_and_validates_and_a_changed_file_is_caught(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    source, record = scans["jpeg"]
    result = write_bag(record, source, tmp_path, "doc")
    bag = result.path
    validate_bag(bag)
    payload = sorted(p.relative_to(bag / "data").as_posix()
                     for p in (bag / "data").rglob("*") if p.is_file())
    assert payload == ["alto/doc.p001.alto.xml", "doc.json", "doc.pdf", "original/page.jpg"]
    assert (bag / "data" / "original" / "page.jpg").read_bytes() == source.read_bytes()
    manifest = (bag / "manifest-sha256.txt").read_text()
    assert "data/doc.pdf" in manifest and len(manifest.split()[0]) == 64
    assert Record.from_json((bag / "data" / "doc.json").read_text()).id == record.id
    assert not list(tmp_path.glob(".*partial"))
    (bag / "data" / "doc.json").write_text("{}")
    with pytest.raises(ArchiveError):
        validate_bag(bag)


def test_export_command_writes_pdfa_and_bags_from_stored_records(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    text = tmp_path / "a.txt"
    text.write_text("Báo cáo\n", encoding="utf-8")
    for record in [r for _, r in scans.values()] + [record_for(text)]:
        (folder / f"{record.id}.json").write_text(record.to_json(), encoding="utf-8")
    out = tmp_path / "out"
    # the text record has no images: reported, exit 1, the others written
    assert main(["export", "--records", str(folder), "--format", "pdfa", "--out", str(out)]) == 1
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 2 and all(pdfa.validate_written(p, "2b").passed for p in pdfs)
    assert main(["export", "--records", str(folder), "--format", "bag", "--out", str(out)]) == 1
    bags = sorted((out / "bags").iterdir())
    assert len(bags) == 2
    for bag in bags:
        validate_bag(bag)
    assert main(["export", "--records", str(folder), "--format", "pdfa"]) == 2  # no --out


def test_ingest_writes_the_pdfa_of_each_scan(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    source, _record = scans["jpeg"]
    text = tmp_path / "note.txt"
    text.write_text("Báo cáo kết quả kết nạp đảng viên\n", encoding="utf-8")
    out = tmp_path / "pdfa"
    db = tmp_path / "a.sqlite"
    assert main(["ingest", str(source), str(text), "--db", str(db), "--pdfa", str(out),
                 "-j", "1", "--progress", "never"]) == 0
    (pdf,) = out.glob("*.pdf")  # the text file has no page image: no PDF/A
    assert pdf.name.startswith("page-")
    assert pdfa.validate_written(pdf, "2b").passed
    assert "đảng viên" in _pdftotext(pdf, "-raw")


def test_geometry_undoes_a_recorded_page_detect_warp() -> None:
    """A phone photo flattened as `cleanup.flatten_page` does, with the corners recorded in
    the step (`page_detect:WxH:corners`): a dot on the flat page maps back into the photo."""
    photo = np.full((400, 300), 90, np.uint8)
    quad = np.array([[40, 30], [270, 50], [260, 380], [20, 360]], np.float32)
    cv2.fillConvexPoly(photo, quad.astype(np.int32), 255)
    cv2.circle(photo, (150, 200), 4, 0, -1)
    width, height = 240, 330
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      np.float32)
    flat = cv2.warpPerspective(photo, cv2.getPerspectiveTransform(quad, target),
                               (width, height), flags=cv2.INTER_CUBIC)
    ys, xs = np.nonzero(flat < 60)
    corners = ",".join(f"{v:g}" for v in quad.ravel())
    geometry = PageGeometry(width, height, (f"page_detect:300x400:{corners}",))
    u, v = geometry.to_unit_point(float(xs.mean()), float(ys.mean()))
    assert abs(u * 300 - 150) < 1.5 and abs(v * 400 - 200) < 1.5


@pytest.mark.parametrize("rotate", [0, 90])
def test_a_born_digital_page_gets_its_restored_words_on_the_layer_word_boxes(
    tmp_path: Path, rotate: int
) -> None:
    """A page whose text came from the PDF's own text layer: rendered as its image, its
    restored words placed on the layer's word boxes (poppler), not stacked down the page;
    also on a landscape page made with /Rotate 90 and content turned in user space."""
    text = b"Bao cao so ket thuc hien Chuong trinh so 13 cua Ban Chap hanh Dang bo Khoi"
    place = b"0 1 -1 0 500 40 Tm" if rotate else b"40 720 Td"
    content = b"BT /F1 12 Tf " + place + b" (" + text + b") Tj ET"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    if rotate:
        page.Rotate = rotate
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
    page.Contents = pdf.make_stream(content)
    source = tmp_path / "born-digital.pdf"
    pdf.save(source)
    record = record_for(source)
    assert record.pages[0].method == "text-layer" and not record.pages[0].lines
    out = tmp_path / "out.pdf"
    result = write_pdfa(record, source, out)
    assert result.rendered_pages == [1] and result.unplaced_lines == 0
    assert result.words == len(record.pages[0].text.split()) == text.count(b" ") + 1
    assert _words(_pdftotext(out, "-raw")) == _words(record.pages[0].text)
    found = _bbox_words(_pdftotext(out, "-bbox"))
    original = _bbox_words(_pdftotext(source, "-bbox"))
    assert len(found) == len(original)
    assert all(_iou(a[1], b[1]) >= 0.5 for a, b in zip(found, original, strict=True))
    (alto_path,) = write_alto(record, source, tmp_path, "doc")  # ALTO on the same boxes
    strings = etree.fromstring(alto_path.read_bytes()).findall(f".//{{{alto.NS}}}String")
    assert [s.get("CONTENT") for s in strings] == record.pages[0].text.split()
    assert all(s.get("HPOS") is not None for s in strings)


def test_a_multipage_bilevel_tiff_keeps_its_pages_as_1_bit_images(tmp_path: Path) -> None:
    pages = [render_lines(LINES[:3]).convert("1"), render_lines(LINES[3:]).convert("1")]
    source = tmp_path / "scan.tif"
    pages[0].save(source, save_all=True, append_images=pages[1:], compression="group4",
                  dpi=(200, 200))
    record = record_for(source)
    out = tmp_path / "scan.pdf"
    result = write_pdfa(record, source, out)
    assert result.pages == 2 and result.words == len(record.text.split())
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            image = page.Resources.XObject.Im0
            assert image.BitsPerComponent == 1 and image.ColorSpace == pikepdf.Name.DeviceGray
            assert float(page.mediabox[2]) == pytest.approx(1654 * 72 / 200, abs=0.01)
    assert pdfa.validate_written(out, "2b").passed
    assert "đảng viên" in _pdftotext(out, "-raw")
    shown = subprocess.run(["pdftoppm", "-gray", "-r", "20", "-f", "1", "-l", "1", str(out)],
                           capture_output=True, check=True).stdout
    page = np.asarray(Image.open(io.BytesIO(shown)))
    assert page.mean() > 200  # white paper, black print: not inverted


def test_a_page_with_rotate_keeps_it_and_its_words_land_where_a_reader_shows_them(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    """A scan stored sideways with /Rotate 90 (the reader turns it upright): the ingest
    renders it upright; the PDF/A keeps /Rotate and draws the words along the turned page."""
    jpeg, upright = scans["jpeg"]
    with Image.open(jpeg) as image:
        sideways = image.rotate(90, expand=True)  # counter-clockwise: /Rotate 90 undoes it
        source = tmp_path / "sideways.pdf"
        sideways.save(source, "PDF", resolution=200.0)
    with pikepdf.open(source, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Rotate = 90
        pdf.save(source)
    record = record_for(source)
    out = tmp_path / "out.pdf"
    write_pdfa(record, source, out)
    with pikepdf.open(out) as pdf:
        assert int(pdf.pages[0].Rotate) == 90
    assert "đảng viên" in _pdftotext(out, "-raw")
    # the words as a reader shows them: on the same places as on the upright PDF/A
    straight = tmp_path / "upright.pdf"
    write_pdfa(upright, jpeg, straight)
    found = _bbox_words(_pdftotext(out, "-bbox"))
    expected = _bbox_words(_pdftotext(straight, "-bbox"))
    hits = sum(max((_iou(box, b) for t, b in found if t == text), default=0.0) >= 0.5
               for text, box in expected)
    assert hits >= 0.9 * len(expected)


def test_export_reads_a_store_and_finds_moved_sources_with_sources_dir(
    scans: dict[str, tuple[Path, Record]], tmp_path: Path
) -> None:
    from pipeline.storage import open_store

    jpeg, record = scans["jpeg"]
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / jpeg.name).write_bytes(jpeg.read_bytes())
    gone = Record.from_dict(record.to_dict())
    gone.source.path = str(tmp_path / "nowhere" / jpeg.name)
    db = str(tmp_path / "a.sqlite")
    with open_store(db) as store:
        store.add_document(gone, {})
    out = tmp_path / "out"
    assert main(["export", "--db", db, "--format", "hocr", "--out", str(out)]) == 1
    assert main(["export", "--db", db, "--format", "hocr", "--out", str(out),
                 "--sources", str(moved)]) == 0
    assert len(list((out / "hocr").glob("*.hocr"))) == 1
