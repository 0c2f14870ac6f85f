"""Handwriting: numbers and days written into printed blanks, notes written in the margins.

Digits are drawn as pen strokes (control points per digit, jittered, slanted and smoothed),
so no handwriting font is needed; margin notes, which need Vietnamese letters, are set in an
italic face one letter at a time with jittered size, position and angle. Everything is
deterministic given the `random.Random` passed in.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Pen = tuple[tuple[int, int, int], float]  # ink colour, stroke width as a fraction of the height

BLUE_INKS = ((28, 44, 150), (20, 60, 170), (35, 35, 120))
BLACK_INKS = ((30, 30, 36), (45, 40, 50))

# Pen strokes of each digit in a unit box: x in [0, 0.62], y in [0, 1] from the top.
DIGITS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.34, 0.0), (0.08, 0.18), (0.02, 0.55), (0.15, 0.93), (0.38, 1.0), (0.58, 0.75),
           (0.6, 0.35), (0.48, 0.05), (0.3, 0.02)]],
    "1": [[(0.18, 0.2), (0.4, 0.0), (0.36, 1.0)]],
    "2": [[(0.04, 0.26), (0.2, 0.03), (0.45, 0.0), (0.6, 0.18), (0.52, 0.45), (0.02, 1.0),
           (0.62, 0.96)]],
    "3": [[(0.04, 0.12), (0.32, 0.0), (0.58, 0.14), (0.46, 0.4), (0.22, 0.48), (0.5, 0.55),
           (0.62, 0.78), (0.45, 0.98), (0.18, 1.0), (0.0, 0.86)]],
    "4": [[(0.46, 0.0), (0.0, 0.68), (0.64, 0.66)], [(0.5, 0.3), (0.46, 1.0)]],
    "5": [[(0.6, 0.01), (0.14, 0.0), (0.08, 0.45), (0.4, 0.38), (0.62, 0.62), (0.52, 0.94),
           (0.22, 1.0), (0.0, 0.86)]],
    "6": [[(0.55, 0.02), (0.24, 0.2), (0.04, 0.6), (0.14, 0.96), (0.44, 0.98), (0.6, 0.74),
           (0.44, 0.5), (0.14, 0.56), (0.06, 0.72)]],
    "7": [[(0.0, 0.04), (0.64, 0.0), (0.22, 1.0)]],
    "8": [[(0.55, 0.12), (0.3, 0.0), (0.07, 0.14), (0.18, 0.38), (0.5, 0.55), (0.62, 0.8),
           (0.35, 1.0), (0.04, 0.84), (0.14, 0.6), (0.46, 0.4), (0.58, 0.2), (0.52, 0.1)]],
    "9": [[(0.58, 0.24), (0.35, 0.0), (0.07, 0.14), (0.12, 0.42), (0.4, 0.46), (0.6, 0.24),
           (0.52, 0.62), (0.36, 1.0)]],
    "/": [[(0.55, -0.05), (0.05, 1.05)]],
    "-": [[(0.05, 0.55), (0.55, 0.5)]],
    ".": [[(0.2, 0.95), (0.24, 0.98)]],
}  # fmt: skip
ADVANCE = {"1": 0.55, "/": 0.6, "-": 0.6, ".": 0.35}


def pen(seed: int) -> Pen:
    """The pen a document's numbers are written with: blue (60%) or black ink."""
    r = random.Random(f"pen-{seed}")
    ink = r.choice(BLUE_INKS) if r.random() < 0.6 else r.choice(BLACK_INKS)
    return ink, r.uniform(0.1, 0.14)


def _smooth(points: list[tuple[float, float]], steps: int = 6) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the points."""
    if len(points) < 3:
        return points
    pts = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(steps):
            t = k / steps
            t2, t3 = t * t, t * t * t
            out.append((
                0.5 * (2 * x1 + (x2 - x0) * t + (2 * x0 - 5 * x1 + 4 * x2 - x3) * t2
                       + (3 * x1 - x0 - 3 * x2 + x3) * t3),
                0.5 * (2 * y1 + (y2 - y0) * t + (2 * y0 - 5 * y1 + 4 * y2 - y3) * t2
                       + (3 * y1 - y0 - 3 * y2 + y3) * t3),
            ))  # fmt: skip
    out.append(points[-1])
    return out


def digits_width(text: str, height: float) -> float:
    return sum(ADVANCE.get(ch, 0.78) for ch in text) * height


def draw_digits(
    draw: ImageDraw.ImageDraw,
    text: str,
    x: float,
    baseline: float,
    height: float,
    pen_: Pen,
    r: random.Random,
) -> tuple[float, float, float, float]:
    """Write `text` (digits, '/', '-', '.') by hand from (x, baseline); returns its box."""
    ink, wfrac = pen_
    slant = r.uniform(0.1, 0.3)  # forward lean
    width = max(1, round(height * wfrac))
    jit = 0.05 * height
    xs, ys = [x], [baseline - height]
    for ch in text:
        h = height * r.uniform(0.9, 1.08)
        sx = h * r.uniform(0.9, 1.1)
        top = baseline - h + r.uniform(-0.06, 0.06) * height
        for stroke in DIGITS.get(ch, []):
            pts = []
            for u, v in stroke:
                px = x + u * sx + slant * (1 - v) * h + r.uniform(-jit, jit)
                py = top + v * h + r.uniform(-jit, jit)
                pts.append((px, py))
            curve = _smooth(pts)
            draw.line(curve, fill=ink, width=width, joint="curve")
            xs += [p[0] for p in curve]
            ys += [p[1] for p in curve]
        x += ADVANCE.get(ch, 0.78) * h * r.uniform(0.95, 1.15)
    pad = width / 2
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def write_digits(
    draw: ImageDraw.ImageDraw,
    text: str,
    box: tuple[float, float, float, float],
    baseline: float,
    pen_: Pen,
    r: random.Random,
) -> tuple[float, float, float, float]:
    """Fill a printed blank (`box`, its line's `baseline`) with a handwritten number: a
    little larger than the print, not quite on the line, roughly centred in the blank."""
    x0, y0, x1, y1 = box
    height = (y1 - y0) * r.uniform(0.7, 0.88)
    w = digits_width(text, height)
    x = x0 + max(0.0, (x1 - x0 - w)) * r.uniform(0.25, 0.6)
    base = baseline + (y1 - y0) * r.uniform(-0.12, 0.06)
    return draw_digits(draw, text, x, base, height, pen_, r)


def write_note(
    img: Image.Image,
    text: str,
    xy: tuple[float, float],
    height: float,
    ink: tuple[int, int, int],
    r: random.Random,
    angle: float = 0.0,
) -> tuple[float, float, float, float]:
    """Write a short note (any Vietnamese text) in a hand-like italic at `xy` (top left),
    rotated by `angle` degrees; draws on `img` (RGB) and returns the note's pixel box."""
    from .layout import font_file  # layout imports this module

    path = str(font_file("freeserif", True, True))
    px = max(6, round(height))
    font = ImageFont.truetype(path, px, layout_engine=ImageFont.Layout.BASIC)
    w = int(font.getlength(text) * 1.25 + px)
    h = int(px * 2.2)
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    cx = px * 0.3
    base = h * 0.62
    drift = r.uniform(-0.04, 0.04)
    for ch in text:
        size = max(6, round(px * r.uniform(0.88, 1.12)))
        f = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
        d.text((cx, base + r.uniform(-0.06, 0.06) * px + drift * cx), ch, font=f, fill=255,
               anchor="ls")  # fmt: skip
        cx += f.getlength(ch) * r.uniform(1.0, 1.12)
    if px >= 40:  # a ballpoint's line is thicker than a bold italic's hairlines
        mask = mask.filter(ImageFilter.MaxFilter(3))
    mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    x, y = round(xy[0]), round(xy[1])
    color = Image.new("RGB", mask.size, ink)
    img.paste(color, (x, y), mask.point(lambda v: min(255, int(v * 0.92))))
    bbox = mask.getbbox() or (0, 0, 0, 0)
    return (x + bbox[0], y + bbox[1], x + bbox[2], y + bbox[3])

