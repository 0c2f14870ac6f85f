"""A name stamped in red under the signature is read, though the red channel that hides the
seal hides it too (pipeline.ocr.red_ink; ex-96, ex-102, ex-108: "Hà Văn Phúc")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import ImageDraw, ImageFont

from pipeline import cleanup, ocr, sources
from pipeline.run.page import tesseract_orientation
from tests.conftest import FONT, render_lines

SEAL_RED = (215, 35, 45)
BODY = ["Do tính chất quan trọng của Hội nghị, đề nghị các đồng chí", "sắp xếp công việc tham dự.",
        "", "Nơi nhận:", "- Lưu VT.", "", "GIÁM ĐỐC"]


def _page(name: str | None) -> np.ndarray:
    image = render_lines(BODY)
    draw = ImageDraw.Draw(image)
    draw.ellipse((700, 520, 1000, 820), outline=SEAL_RED, width=9)  # a seal's ring
    draw.ellipse((730, 550, 970, 790), outline=SEAL_RED, width=3)
    if name:
        draw.text((1000, 840), name, font=ImageFont.truetype(FONT, 36), fill=SEAL_RED)
    return np.asarray(image)


def test_a_red_name_stamp_is_read_and_the_seal_adds_nothing() -> None:
    cleaned = cleanup.clean_page(_page("Hà Văn Phúc"))
    assert cleaned.red is not None
    text, _, _ = ocr.recognize_page(cleaned.image)
    assert "Phúc" not in text  # the red channel took the stamp out with the seal
    text, _, _ = ocr.recognize_page(cleaned.image, red=cleaned.red)
    assert "Hà Văn Phúc" in text.splitlines()
    cleaned = cleanup.clean_page(_page(None))
    alone, _, _ = ocr.recognize_page(cleaned.image, red=cleaned.red)
    assert alone == ocr.recognize_page(cleaned.image)[0]


def test_a_page_without_red_carries_no_red_layer() -> None:
    assert cleanup.clean_page(np.asarray(render_lines(BODY))).red is None


def test_a_real_red_name_stamp_is_read() -> None:
    # ex-96 (dev): Sở Y tế Kiên Giang's "PHÓ GIÁM ĐỐC" / "Hà Văn Phúc" stamped in red beside
    # the seal; without the red lines the page ends at the black "GIÁM ĐỐC"
    path = Path(__file__).resolve().parents[1] / "corpus" / "real" / "extra" / "ex-96.pdf"
    content = sources.pdf_page_content(path, 1)
    rgb, dpi, _ = sources.pdf_page_image(path, 1, content, 300)
    cleaned = cleanup.clean_page(rgb, orientation_check=tesseract_orientation, dpi=dpi)
    text, _, _ = ocr.recognize_page(cleaned.image, red=cleaned.red)
    assert "Hà Văn Phúc" in text.splitlines()
    assert "Hà Văn Phúc" not in ocr.recognize_page(cleaned.image)[0]
