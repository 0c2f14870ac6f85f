"""ALTO v4.4 XML per page: blocks, lines and words of the restored text, with boxes in the
original image's pixels (`geometry.original_sizes`) and OCR word confidences (WC, 0..1).

Each String carries a restored word (CONTENT) on its OCR box; where restoration changed
what OCR read, the OCR reading follows as an ALTERNATIVE. Files validate against the ALTO
4.4 schema shipped in `schema/` (`validate`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

from pipeline.archive.align import PlacedWord, place_words
from pipeline.archive.geometry import geometry_of, original_sizes, to_pixels
from pipeline.archive.words import placed_words
from pipeline.errors import ArchiveError
from pipeline.record import Page, Record

log = logging.getLogger(__name__)

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
Pixels = tuple[int, int, int, int]


def _e(parent: etree._Element | None, tag: str, **attrs: object) -> etree._Element:
    values = {k: str(v) for k, v in attrs.items() if v is not None}
    if parent is None:
        return etree.Element(f"{{{NS}}}{tag}", values, nsmap={None: NS, "xsi": XSI})
    return etree.SubElement(parent, f"{{{NS}}}{tag}", values)


def _box(box: Pixels) -> dict[str, int]:
    x0, y0, x1, y1 = box
    return {"HPOS": x0, "VPOS": y0, "WIDTH": max(0, x1 - x0), "HEIGHT": max(0, y1 - y0)}


def page_alto(record: Record, page: Page, size: tuple[int, int], image_name: str,
              source: Path | None = None) -> bytes:
    """One page as ALTO 4.4 (UTF-8 bytes); `source` lets a text-layer page use the PDF's
    own word boxes."""
    from pipeline import __version__

    root = _e(None, "alto")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    description = _e(root, "Description")
    _e(description, "MeasurementUnit").text = "pixel"
    info = _e(description, "sourceImageInformation")
    _e(info, "fileName").text = image_name
    processing = _e(description, "Processing", ID="sohoa")
    _e(processing, "processingDateTime").text = (
        record.provenance.created or dt.datetime.now(dt.UTC).isoformat())
    _e(processing, "processingStepDescription").text = (
        "OCR (Tesseract vie), tone-mark restoration and OCR-error repair; CONTENT is the "
        "restored word, ALTERNATIVE what OCR read")
    software = _e(processing, "processingSoftware")
    _e(software, "softwareName").text = "sohoa"
    _e(software, "softwareVersion").text = __version__

    layout = _e(root, "Layout")
    width, height = size
    confidence = None if page.confidence is None else round(page.confidence / 100, 3)
    alto_page = _e(layout, "Page", ID=f"p{page.number}", PHYSICAL_IMG_NR=page.number,
                   WIDTH=width, HEIGHT=height, PC=confidence, PROCESSINGREFS="sohoa")
    space = _e(alto_page, "PrintSpace", HPOS=0, VPOS=0, WIDTH=width, HEIGHT=height)
    if source is not None:
        page, placed = placed_words(page, source, record.source.media_type)
    else:
        placed = place_words(page)
    if placed:
        _placed_blocks(space, page, placed, size)
    else:
        _plain_block(space, page)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _placed_blocks(space: etree._Element, page: Page, placed: Sequence[PlacedWord],
                   size: tuple[int, int]) -> None:
    geometry = geometry_of(page)
    by_line: dict[int, list[PlacedWord]] = {}
    for word in placed:
        by_line.setdefault(word.ocr_line, []).append(word)
    block_el: etree._Element | None = None
    block_id: int | None = None
    block_boxes: list[Pixels] = []
    n_word = 0
    for n_line in sorted(by_line):
        line = page.lines[n_line]
        if block_el is None or line.block != block_id:
            _close_block(block_el, block_boxes)
            block_id = line.block
            block_el = _e(space, "TextBlock", ID=f"p{page.number}_b{n_line}")
            block_boxes = []
        line_box = to_pixels(geometry, line.bbox, size)
        block_boxes.append(line_box)
        line_el = _e(block_el, "TextLine", ID=f"p{page.number}_l{n_line}", **_box(line_box))
        words = by_line[n_line]
        for k, word in enumerate(words):
            box = to_pixels(geometry, word.box, size)
            n_word += 1
            string = _e(line_el, "String", ID=f"p{page.number}_w{n_word}", CONTENT=word.text,
                        WC=round(min(100.0, max(0.0, word.confidence)) / 100, 3), **_box(box))
            if word.ocr_text != word.text:
                _e(string, "ALTERNATIVE", PURPOSE="OCR").text = word.ocr_text
            if k + 1 < len(words):
                following = to_pixels(geometry, words[k + 1].box, size)
                _e(line_el, "SP", HPOS=box[2], VPOS=box[1], WIDTH=max(0, following[0] - box[2]))
    _close_block(block_el, block_boxes)


def _close_block(block: etree._Element | None, boxes: list[Pixels]) -> None:
    if block is None or not boxes:
        return
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
             max(b[3] for b in boxes))
    for key, value in _box(union).items():
        block.set(key, str(value))


def _plain_block(space: etree._Element, page: Page) -> None:
    """A page without OCR words (its text came from a text layer): lines without boxes."""
    lines = [ln.split() for ln in page.text.split("\n") if ln.strip()]
    if not lines:
        return
    block = _e(space, "TextBlock", ID=f"p{page.number}_b0")
    n_word = 0
    for n, words in enumerate(lines):
        line_el = _e(block, "TextLine", ID=f"p{page.number}_l{n}")
        for k, word in enumerate(words):
            n_word += 1
            _e(line_el, "String", ID=f"p{page.number}_w{n_word}", CONTENT=word)
            if k + 1 < len(words):
                _e(line_el, "SP")


def write_alto(record: Record, source: Path, folder: Path, stem: str) -> list[Path]:
    """One ALTO file per page, `STEM.pNNN.alto.xml`, each validated; the paths."""
    sizes = original_sizes(record.source.media_type, source, record.pages)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for page in record.pages:
        data = page_alto(record, page, sizes[page.number], source.name, source)
        validate(data)
        path = folder / f"{stem}.p{page.number:03d}.alto.xml"
        path.write_bytes(data)
        written.append(path)
    return written


@cache
def _schema() -> etree.XMLSchema:
    folder = resources.files("pipeline.archive").joinpath("schema")

    class Local(etree.Resolver):
        """The xlink schema ALTO imports from loc.gov, read from the shipped copy."""

        def resolve(self, url: str | None, pubid: str | None, context: object) -> object:
            if url and url.endswith("xlink.xsd"):
                return self.resolve_string(folder.joinpath("xlink.xsd").read_bytes(), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    doc = etree.fromstring(folder.joinpath("alto-4-4.xsd").read_bytes(), parser,
                           base_url="alto-4-4.xsd")
    return etree.XMLSchema(doc)


def validate(data: bytes) -> None:
    """Raise ArchiveError unless `data` is valid ALTO 4.4."""
    schema = _schema()
    doc = etree.fromstring(data)
    if not schema.validate(doc):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:3])
        raise ArchiveError(f"ALTO does not validate against alto-4-4.xsd: {errors}")
