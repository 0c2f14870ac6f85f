"""From the cleaned page's pixels back to the original page image.

OCR word boxes are in the pixels of the cleaned image (`pipeline.run.page._ocr_page`), which
`cleanup.clean_page` may have turned by a right angle (`orientation:T`), upscaled
(`upscale:F`, uniform) and deskewed (`deskew:A`, a rotation about the centre on a canvas of
the same size). The original image is what was loaded: a PDF page rendered at the record's
dpi (covering its crop box, /Rotate applied) or an image file's frame (EXIF turn applied).
`page.cleanup` lists the steps in order, so the mapping is undone step by step into unit
coordinates (0..1 over the original image), which then scale to any target frame: PDF points,
original pixels. Uniform scaling needs no step of its own: the unit frame absorbs it.

`page_detect` (a perspective warp of a phone photo onto the page) is undone when the step
names the photo's size and the page's corners in it, `page_detect:WxH:x0,y0,x1,y1,x2,y2,x3,y3`
(top-left, top-right, bottom-right, bottom-left, photo pixels; the format proposed to the
cleanup stage). A bare `page_detect` cannot be undone: such pages map by plain scaling and
are flagged `exact=False`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from pipeline.record import Page

Box = tuple[float, float, float, float]  # x0, y0, x1, y1, y down


@dataclass(frozen=True)
class PageGeometry:
    width: int  # cleaned image, pixels
    height: int
    steps: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        """False when a step the record cannot undo (a perspective warp) was applied."""
        return "page_detect" not in self.steps

    def to_unit_point(self, x: float, y: float) -> tuple[float, float]:
        """A cleaned-image pixel position as (u, v) in 0..1 over the original image."""
        w, h = float(self.width), float(self.height)
        for step in reversed(self.steps):
            name, _, arg = step.partition(":")
            if name == "orientation":
                turn = int(arg) % 360
                if turn == 90:  # forward: src (x, y) -> (h_src - y, x); canvas swapped
                    x, y, w, h = y, w - x, h, w
                elif turn == 270:  # forward: src (x, y) -> (y, w_src - x)
                    x, y, w, h = h - y, x, h, w
                elif turn == 180:
                    x, y = w - x, h - y
            elif name == "page_detect" and arg:
                x, y, w, h = _unwarp(arg, x, y, w, h)
            elif name == "deskew":
                angle = math.radians(float(arg))
                # forward: cv2.getRotationMatrix2D(centre, angle) (counter-clockwise on
                # screen); the inverse turns the other way about the same centre
                cx, cy = w / 2, h / 2
                dx, dy = x - cx, y - cy
                cos, sin = math.cos(angle), math.sin(angle)
                x, y = cx + cos * dx - sin * dy, cy + sin * dx + cos * dy
        return x / w, y / h

    def to_unit_box(self, box: Box | list[int]) -> Box:
        """An axis-aligned box over the four mapped corners, clamped to the page."""
        x0, y0, x1, y1 = box
        corners = [self.to_unit_point(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        us = [min(1.0, max(0.0, c[0])) for c in corners]
        vs = [min(1.0, max(0.0, c[1])) for c in corners]
        return min(us), min(vs), max(us), max(vs)


def _unwarp(arg: str, x: float, y: float, w: float, h: float
            ) -> tuple[float, float, float, float]:
    """A point of the flattened page back in the photo: the inverse of the perspective warp
    `cleanup.flatten_page` made from the page's corners (see the module docstring)."""
    import cv2
    import numpy as np

    size, _, corners = arg.partition(":")
    width, height = (float(v) for v in size.split("x"))
    quad = np.array([float(v) for v in corners.split(",")], np.float32).reshape(4, 2)
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    back = cv2.getPerspectiveTransform(target, quad)
    px, py, pw = back @ np.array([x, y, 1.0])
    return float(px / pw), float(py / pw), width, height


EXIF_ORIENTATION = 0x0112
DEFAULT_DPI = 300


def original_sizes(media_type: str, source: Path, pages: list[Page]) -> dict[int, tuple[int, int]]:
    """Each page's original image size in pixels, the frame ALTO and hOCR coordinates use:
    an image file's frame as decoded (EXIF turn applied); for a PDF page, the scanner's
    image when the ingest took it out as is (`image_source` "embedded"), else the displayed
    crop box at the dpi the ingest rendered it (`page.image.dpi`, else 300)."""
    sizes: dict[int, tuple[int, int]] = {}
    if media_type == "application/pdf":
        import pikepdf

        from pipeline.archive.pdfpage import scan_draw

        with pikepdf.open(source) as pdf:
            for page in pages:
                src = pdf.pages[page.number - 1]
                if page.image_source == "embedded":  # the scanner's image, taken out as is
                    found = scan_draw(src.obj)
                    if found is not None:
                        sizes[page.number] = (int(found[0].Width), int(found[0].Height))
                        continue
                box = src.obj.get("/CropBox") or src.mediabox
                x0, y0, x1, y1 = (float(v) for v in box)
                width, height = x1 - x0, y1 - y0
                if int(src.obj.get("/Rotate", 0)) % 180 == 90:
                    width, height = height, width
                dpi = page.image.dpi if page.image else DEFAULT_DPI
                sizes[page.number] = (round(width * dpi / 72), round(height * dpi / 72))
        return sizes
    from PIL import Image

    with Image.open(source) as image:
        for page in pages:
            image.seek(page.number - 1)
            width, height = image.size
            if page.number == 1 and image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):
                width, height = height, width
            sizes[page.number] = (width, height)
    return sizes


def geometry_of(page: Page) -> PageGeometry:
    return PageGeometry(page.width, page.height, tuple(page.cleanup))


def to_pixels(geometry: PageGeometry, box: Box | list[int], size: tuple[int, int]
              ) -> tuple[int, int, int, int]:
    """A cleaned-image box as an original-image box in whole pixels."""
    u0, v0, u1, v1 = geometry.to_unit_box(box)
    width, height = size
    return round(u0 * width), round(v0 * height), round(u1 * width), round(v1 * height)
