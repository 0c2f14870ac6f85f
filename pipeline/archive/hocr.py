"""hOCR 1.2 per page: the restored words on their OCR boxes, in the original image's pixels
(as ALTO), with `x_wconf` (0..100); the OCR reading of a word restoration changed is kept
in `data-ocr`. Blocks are `ocr_carea`, lines `ocr_line`, words `ocrx_word`."""

from __future__ import annotations

from html import escape
from pathlib import Path

from pipeline.archive.align import PlacedWord, place_words
from pipeline.archive.geometry import geometry_of, original_sizes, to_pixels
from pipeline.archive.words import placed_words
from pipeline.record import Page, Record


def _bbox(box: tuple[int, int, int, int]) -> str:
    return "bbox {} {} {} {}".format(*box)


def page_hocr(record: Record, page: Page, size: tuple[int, int], image_name: str,
              source: Path | None = None) -> str:
    """One page as an hOCR (XHTML) document; `source` lets a text-layer page use the PDF's
    own word boxes."""
    from pipeline import __version__

    width, height = size
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
        f'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{record.language}" '
        f'lang="{record.language}">',
        "<head>",
        f"<title>{escape(record.subject or image_name)}</title>",
        '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
        f'<meta name="ocr-system" content="sohoa {__version__} (Tesseract vie, restored)"/>',
        '<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_line ocrx_word"/>',
        "</head>",
        "<body>",
        f'<div class="ocr_page" id="page_{page.number}" title="image '
        f'&quot;{escape(image_name)}&quot;; {_bbox((0, 0, width, height))}; '
        f'ppageno {page.number - 1}">',
    ]
    if source is not None:
        page, placed = placed_words(page, source, record.source.media_type)
    else:
        placed = place_words(page)
    if placed:
        out.extend(_areas(page, placed, size))
    out += ["</div>", "</body>", "</html>", ""]
    return "\n".join(out)


def _areas(page: Page, placed: list[PlacedWord], size: tuple[int, int]) -> list[str]:
    geometry = geometry_of(page)
    by_line: dict[int, list[PlacedWord]] = {}
    for word in placed:
        by_line.setdefault(word.ocr_line, []).append(word)
    out: list[str] = []
    block: int | None = None
    n_word = 0
    for n_line in sorted(by_line):
        line = page.lines[n_line]
        if block is None or line.block != block:
            if block is not None:
                out.append("</div>")
            block = line.block
            out.append(f'<div class="ocr_carea" id="block_{page.number}_{n_line}">')
        box = to_pixels(geometry, line.bbox, size)
        out.append(f'<span class="ocr_line" id="line_{page.number}_{n_line}" '
                   f'title="{_bbox(box)}">')
        for word in by_line[n_line]:
            n_word += 1
            wbox = to_pixels(geometry, word.box, size)
            conf = round(min(100.0, max(0.0, word.confidence)))
            ocr = f' data-ocr="{escape(word.ocr_text)}"' if word.ocr_text != word.text else ""
            out.append(f'<span class="ocrx_word" id="word_{page.number}_{n_word}" '
                       f'title="{_bbox(wbox)}; x_wconf {conf}"{ocr}>{escape(word.text)}</span>')
        out.append("</span>")
    if block is not None:
        out.append("</div>")
    return out


def write_hocr(record: Record, source: Path, folder: Path, stem: str) -> list[Path]:
    """One hOCR file per page, `STEM.pNNN.hocr`; the paths."""
    sizes = original_sizes(record.source.media_type, source, record.pages)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for page in record.pages:
        path = folder / f"{stem}.p{page.number:03d}.hocr"
        path.write_text(page_hocr(record, page, sizes[page.number], source.name, source),
                        encoding="utf-8")
        written.append(path)
    return written
