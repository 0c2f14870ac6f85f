"""The restored words of a page with boxes, for every output (PDF/A, ALTO, hOCR): the OCR
word boxes of an OCR'd page, or the PDF's own text-layer word boxes (poppler) of a page whose
text came from its text layer."""

from __future__ import annotations

from pathlib import Path

from pipeline.archive.align import PlacedWord, place_words, text_layer_page
from pipeline.record import Page


def placed_words(page: Page, source: Path, media_type: str) -> tuple[Page, list[PlacedWord]]:
    """(the page whose width, height and cleanup steps frame the boxes, the placed words)."""
    placed = place_words(page)
    if placed or page.method != "text-layer" or media_type != "application/pdf":
        return page, placed
    from pipeline.programs import poppler

    layer = poppler.text_layer(source, page.number)
    lines = [[(w.text, w.box) for w in line]
             for flow in layer.flows for block in flow for line in block]
    if not lines or layer.width <= 0:
        return page, []
    width, height = layer.width, layer.height
    # pdftotext gives the word boxes on the page as shown (/Rotate applied) but the page's
    # size without its /Rotate: a turned page's width and height are swapped back
    if poppler.page_size(source, page.number).rotation % 180 == 90:
        width, height = height, width
    boxed = text_layer_page(page, width, height, lines)
    return boxed, place_words(boxed)
