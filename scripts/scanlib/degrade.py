"""Scan and photo degradations: named, composable steps, each deterministic given its rng.

A step takes a `Canvas` (page image, truth line quadrilaterals, anchors) and returns one;
steps that move pixels (skew, lowdpi, phone) move the quads and anchors with them, so the
truth stays aligned with the picture. Sizes are given at 300 DPI and scaled to the canvas's DPI.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from .hand import BLACK_INKS, BLUE_INKS, draw_digits, write_note
from .layout import get_font

Rect = tuple[float, float, float, float]
Quad = list[tuple[float, float]]  # corners clockwise from the top left
FloatArray = np.ndarray[Any, Any]


@dataclass
class Canvas:
    """One page on its way through the degradation steps."""

    image: Image.Image
    dpi: int
    page: int  # 1-based page number
    quads: list[Quad]  # one pixel quadrilateral per truth line
    anchors: dict[str, Rect]  # pixel rectangles: signature, signature_ink, body
    seal_ring: str = ""
    family: str = "liberation"
    back: Image.Image | None = None  # the other side of the sheet, for `bleed`
    fmt: str = "png"  # file format the page is written in
    quality: int = 92  # JPEG quality when fmt == "jpeg"
    params: dict[str, Any] = field(default_factory=dict)  # what the steps chose

    @property
    def s(self) -> float:
        """Scale of sizes given at 300 DPI."""
        return self.dpi / 300.0


Step = Callable[[Canvas, np.random.Generator], Canvas]


# -- pixel helpers --------------------------------------------------------------------------


def _rgb(img: Image.Image) -> FloatArray:
    return np.asarray(img.convert("RGB"), dtype=np.float32)


def _gray(img: Image.Image) -> FloatArray:
    return np.asarray(img.convert("L"), dtype=np.float32)


def _img(arr: FloatArray) -> Image.Image:
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _smooth_field(
    rng: np.random.Generator, shape: tuple[int, int], cells: int, lo: float, hi: float
) -> FloatArray:
    """Low-frequency noise in [lo, hi]: blotches, uneven ink, paper tone."""
    h, w = shape
    gh, gw = max(2, cells * h // max(h, w)), max(2, cells * w // max(h, w))
    grid = rng.random((gh + 1, gw + 1)).astype(np.float32)
    field_ = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    field_ = (field_ - field_.min()) / max(1e-6, float(field_.max() - field_.min()))
    return (lo + (hi - lo) * field_).astype(np.float32)


def _transform(points: Quad, m: np.ndarray[Any, Any]) -> Quad:
    pts = np.hstack([np.asarray(points, np.float64), np.ones((len(points), 1))])
    out = (m @ pts.T).T
    out = out[:, :2] / out[:, 2:3]
    return [(round(float(x), 1), round(float(y), 1)) for x, y in out]


def _transform_rect(rect: Rect, m: np.ndarray[Any, Any]) -> Rect:
    xs, ys = zip(*_transform(quad_of(rect), m), strict=True)
    return (min(xs), min(ys), max(xs), max(ys))


def quad_of(rect: Rect) -> Quad:
    x0, y0, x1, y1 = rect
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _move(canvas: Canvas, m: np.ndarray[Any, Any], image: Image.Image) -> Canvas:
    """A canvas with a new image and its quads and anchors mapped by the 3x3 matrix `m`."""
    quads = [_transform(q, m) for q in canvas.quads]
    anchors = {k: _transform_rect(v, m) for k, v in canvas.anchors.items()}
    return replace(canvas, image=image, quads=quads, anchors=anchors)


def _jpeg_roundtrip(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, subsampling=2 if img.mode == "RGB" else 0)
    buf.seek(0)
    return Image.open(buf).convert(img.mode)


# -- the seal -------------------------------------------------------------------------------


def _star(cx: float, cy: float, r: float, rot: float = -math.pi / 2) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.38
        a = rot + i * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def seal_mask(diameter: int, ring: str, family: str, rng: np.random.Generator) -> Image.Image:
    """Ink mask (L, 255 = ink) of a round seal: rims, text around the rim, a star inside."""
    d = diameter
    img = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(img)
    c = d / 2
    outer_w = max(2, round(d * 0.035))
    draw.ellipse([outer_w / 2, outer_w / 2, d - outer_w / 2, d - outer_w / 2], outline=255,
                 width=outer_w)  # fmt: skip
    inner_r = d * 0.31
    draw.ellipse([c - inner_r, c - inner_r, c + inner_r, c + inner_r], outline=255,
                 width=max(1, round(d * 0.01)))  # fmt: skip
    draw.polygon(_star(c, c, d * 0.17), fill=255)
    # Text around the rim, clockwise from the lower left, leaving a gap at the bottom.
    text = ring.upper()
    font = get_font(family, True, False, max(6, round(d * 0.085)))
    radius = d * 0.385
    n = max(1, len(text))
    span = math.radians(min(290.0, 20.0 * n))  # letters evenly spaced, centred at the top
    start = math.radians(270) - span / 2
    for i, ch in enumerate(text):
        if ch == " ":
            continue
        a = start + span * (i + 0.5) / n
        x, y = c + radius * math.cos(a), c + radius * math.sin(a)
        size = round(d * 0.12)
        glyph = Image.new("L", (size, size), 0)
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        img.paste(glyph, (round(x - size / 2), round(y - size / 2)), glyph)
    return img.rotate(float(rng.uniform(-40, 40)), resample=Image.Resampling.BICUBIC)


def stamp(canvas: Canvas, center: tuple[float, float], rng: np.random.Generator) -> Canvas:
    """Press a red seal at `center`: translucent ink, uneven pressure, a few dropouts."""
    diameter = round(rng.uniform(34, 40) / 25.4 * canvas.dpi)
    ink: FloatArray = np.asarray(
        seal_mask(diameter, canvas.seal_ring, canvas.family, rng), np.float32
    )
    mask: FloatArray = cv2.GaussianBlur(ink, (0, 0), 0.6 * canvas.s) / 255.0
    size = (int(mask.shape[0]), int(mask.shape[1]))
    pressure = _smooth_field(rng, size, 4, 0.45, 1.0)
    grain = rng.random(size) > rng.uniform(0.02, 0.12)
    alpha = mask * pressure * grain * rng.uniform(0.75, 0.95)
    color = (
        np.array([rng.uniform(185, 225), rng.uniform(20, 60), rng.uniform(30, 70)], np.float32)
        / 255.0
    )
    page = _rgb(canvas.image)
    h, w = page.shape[:2]
    x0, y0 = round(center[0] - diameter / 2), round(center[1] - diameter / 2)
    sx0, sy0 = max(0, -x0), max(0, -y0)
    px0, py0 = max(0, x0), max(0, y0)
    px1, py1 = min(w, x0 + diameter), min(h, y0 + diameter)
    if px1 <= px0 or py1 <= py0:
        return canvas
    a = alpha[sy0 : sy0 + py1 - py0, sx0 : sx0 + px1 - px0, None]
    region = page[py0:py1, px0:px1]
    page[py0:py1, px0:px1] = region * (1 - a) + region * color * a
    seals = [*canvas.params.get("seals", []), [px0, py0, px1, py1]]
    return replace(canvas, image=_img(page), params={**canvas.params, "seals": seals})


# -- the profiles ---------------------------------------------------------------------------


def clean(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """The page as rendered."""
    return canvas


def photocopy(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Grey copy: toner spread, grey paper, speckle, a streak, an edge shadow, slight blur."""
    s = canvas.s
    g = _gray(canvas.image)
    h, w = g.shape
    k = max(3, round(3 * s) | 1)
    g = 0.55 * g + 0.45 * cv2.erode(g, np.ones((k, k), np.uint8))  # toner spread
    gain = rng.uniform(1.1, 1.35)
    g = 255 - np.clip((255 - g) * gain, 0, 255)
    g *= rng.uniform(0.86, 0.96) * _smooth_field(rng, g.shape, 6, 0.96, 1.0)
    g += rng.normal(0, rng.uniform(6, 12), g.shape).astype(np.float32)
    n = int(h * w * rng.uniform(2e-4, 8e-4) / (s * s))
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    radii = np.maximum(1, (rng.random(n) * 2.2 * s)).astype(int)
    for y, x, r in zip(ys, xs, radii, strict=True):
        cv2.circle(g, (int(x), int(y)), int(r), float(rng.uniform(0, 90)), -1)
    if rng.random() < 0.6:  # a drum streak
        x = int(rng.integers(0, w))
        band = max(2, int(rng.uniform(3, 14) * s))
        g[:, x : x + band] -= rng.uniform(15, 45)
    edge = int(rng.uniform(0.01, 0.04) * w)
    ramp = np.linspace(rng.uniform(60, 140), 0, edge, dtype=np.float32)
    side = int(rng.integers(0, 4))
    if side == 0:
        g[:, :edge] -= ramp[None, :]
    elif side == 1:
        g[:, w - edge :] -= ramp[None, ::-1]
    elif side == 2:
        g[:edge, :] -= ramp[:, None]
    else:
        g[h - edge :, :] -= ramp[::-1, None]
    g = cv2.GaussianBlur(g, (0, 0), rng.uniform(0.5, 0.9) * s)
    return replace(canvas, image=_img(g))


def skew(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Fed crooked: rotated 1-5 degrees either way about the page centre."""
    angle = float(rng.uniform(1.0, 5.0) * rng.choice([-1.0, 1.0]))
    img = canvas.image
    fill: int | tuple[int, ...] = 255 if img.mode in ("L", "1") else (255, 255, 255)
    rotated = img.convert("L" if img.mode == "1" else img.mode).rotate(
        angle, resample=Image.Resampling.BICUBIC, fillcolor=fill
    )
    cx, cy = img.size[0] / 2, img.size[1] / 2
    t = math.radians(angle)
    c, s_ = math.cos(t), math.sin(t)
    m = np.array(
        [[c, s_, cx - c * cx - s_ * cy], [-s_, c, cy + s_ * cx - c * cy], [0, 0, 1]], np.float64
    )
    out = _move(canvas, m, rotated)
    out.params = {**canvas.params, "skew_degrees": round(angle, 3)}
    return out


def seal_signature(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """The issuer's red seal over the left third of the signature, as the rules prescribe."""
    sig = canvas.anchors.get("signature")
    if sig is None:
        return canvas
    x0, y0, x1, y1 = sig
    cx = x0 + (x1 - x0) * rng.uniform(0.22, 0.36)
    cy = (y0 + y1) / 2 + rng.uniform(-0.05, 0.05) * (y1 - y0)
    return stamp(canvas, (cx, cy), rng)


def seal_body(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """A seal stamped across the body text (page 1 always, later pages sometimes)."""
    body = canvas.anchors.get("body")
    if body is None or (canvas.page > 1 and rng.random() > 0.35):
        return canvas
    x0, y0, x1, y1 = body
    cx = rng.uniform(x0 + 0.15 * (x1 - x0), x1 - 0.15 * (x1 - x0))
    cy = rng.uniform(y0 + 0.1 * (y1 - y0), y1 - 0.1 * (y1 - y0))
    return stamp(canvas, (cx, cy), rng)


def jpeg(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Passed through a messaging app: downsampled, saved as a low-quality JPEG, shown
    back at full size, so blocking and ringing eat into the strokes."""
    img = canvas.image.convert("RGB" if canvas.image.mode != "L" else "L")
    f = rng.uniform(0.45, 0.7)
    small = img.resize((round(img.size[0] * f), round(img.size[1] * f)), Image.Resampling.BOX)
    q = int(rng.integers(6, 16))
    small = _jpeg_roundtrip(small, q)
    out = small.resize(img.size, Image.Resampling.BICUBIC)
    params = {**canvas.params, "jpeg_quality": q, "jpeg_scale": round(f, 3)}
    return replace(canvas, image=out, fmt="jpeg", quality=90, params=params)


def uneven_light(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Lit from one side or with a vignette: a smooth illumination gradient."""
    arr = _rgb(canvas.image)
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    strength = rng.uniform(0.45, 0.7)
    if rng.random() < 0.5:
        a = rng.uniform(0, math.tau)
        t = (xx / w - 0.5) * math.cos(a) + (yy / h - 0.5) * math.sin(a)
        t = (t - t.min()) / (t.max() - t.min())
        light = 1 - strength * t
    else:
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        rr = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
        light = 1 - strength * np.clip(rr / rr.max(), 0, 1) ** 1.5
    light *= _smooth_field(rng, (h, w), 3, 0.92, 1.0)
    return replace(canvas, image=_img(arr * light[..., None]))


def faded(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Old light print: weak, uneven ink with worn-out specks, on yellowed paper."""
    arr = _rgb(canvas.image)
    h, w = arr.shape[:2]
    k = rng.uniform(0.3, 0.5) * _smooth_field(rng, (h, w), 8, 0.7, 1.25)
    worn = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 1.2 * canvas.s)
    cut = np.quantile(worn, 1 - rng.uniform(0.15, 0.3))
    k *= np.where(worn > cut, rng.uniform(0.2, 0.5), 1.0).astype(np.float32)
    arr = 255 - (255 - arr) * k[..., None]
    tint = np.array([1.0, rng.uniform(0.95, 0.99), rng.uniform(0.85, 0.93)], np.float32)
    arr = arr * tint * rng.uniform(0.92, 0.98)
    arr += rng.normal(0, 3, arr.shape[:2]).astype(np.float32)[..., None]
    arr = cv2.GaussianBlur(arr, (0, 0), 0.5 * canvas.s)
    return replace(canvas, image=_img(arr))


def lowdpi(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """A 200 DPI office scan, grey or (half the time) bilevel from a fixed threshold."""
    img = canvas.image
    out = canvas
    if canvas.dpi > 200:
        f = 200 / canvas.dpi
        size = (round(img.size[0] * f), round(img.size[1] * f))
        m = np.diag([f, f, 1.0])
        out = _move(canvas, m, img.resize(size, Image.Resampling.BOX))
        out.dpi = 200
    g = _gray(out.image)
    g = cv2.GaussianBlur(g, (0, 0), rng.uniform(0.3, 0.6))
    if rng.random() < 0.5:
        thr = rng.uniform(140, 185)
        image = Image.fromarray(((g > thr) * 255).astype(np.uint8)).convert("1")
        params = {**canvas.params, "bilevel_threshold": round(thr, 1)}
    else:
        image, params = _img(g), dict(canvas.params)
    return replace(out, image=image, params=params)


def bleed(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Show-through: the other side of the sheet, mirrored, blurred and faint."""
    back = canvas.back if canvas.back is not None else canvas.image
    back = ImageOps.mirror(back.convert("L")).resize(canvas.image.size)
    dark: FloatArray = 1 - _gray(back) / 255.0
    b: FloatArray = cv2.GaussianBlur(dark, (0, 0), rng.uniform(1.0, 2.2) * canvas.s)
    h, w = b.shape
    dx, dy = int(rng.uniform(-0.03, 0.03) * w), int(rng.uniform(-0.02, 0.02) * h)
    b = np.roll(b, (dy, dx), axis=(0, 1))
    a = rng.uniform(0.3, 0.5)
    arr = _rgb(canvas.image) * (1 - a * b)[..., None]
    return replace(canvas, image=_img(arr))


def phone(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """A phone photo: keystone, page on a dark desk, a shadow, colour cast, blur, noise."""
    s = canvas.s
    page = _rgb(canvas.image)
    h, w = page.shape[:2]
    scale = rng.uniform(0.8, 0.9)
    pw, ph = w * scale, h * scale
    ox, oy = (
        (w - pw) / 2 + rng.uniform(-0.03, 0.03) * w,
        (h - ph) / 2 + rng.uniform(-0.02, 0.02) * h,
    )
    keystone = rng.uniform(0.0, 0.07) * pw
    jit = 0.012 * w
    dst = np.array(
        [
            [ox + keystone, oy],
            [ox + pw - keystone, oy],
            [ox + pw, oy + ph],
            [ox, oy + ph],
        ],
        np.float32,
    ) + rng.uniform(-jit, jit, (4, 2)).astype(np.float32)
    angle = math.radians(rng.uniform(-3, 3))
    cx, cy = w / 2, h / 2
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    dst = ((dst - [cx, cy]) @ rot.T + [cx, cy]).astype(np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), m, (w, h), flags=cv2.INTER_LINEAR)
    desk = np.array([rng.uniform(50, 110), rng.uniform(40, 95), rng.uniform(30, 80)], np.float32)
    bg = desk * _smooth_field(rng, (h, w), 10, 0.75, 1.1)[..., None]
    arr = warped * mask[..., None] + bg * (1 - mask[..., None])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, math.tau)
    t = (xx / w - 0.5) * math.cos(a) + (yy / h - 0.5) * math.sin(a)
    light = 1 - rng.uniform(0.15, 0.35) * (t - t.min()) / (t.max() - t.min())
    # The photographer's shadow: a soft-edged half-plane across one part of the frame.
    b = rng.uniform(0, math.tau)
    d = (xx / w - rng.uniform(0.3, 0.7)) * math.cos(b) + (
        yy / h - rng.uniform(0.3, 0.7)
    ) * math.sin(b)
    edge = 1 / (1 + np.exp(-d / rng.uniform(0.02, 0.06)))
    light *= 1 - rng.uniform(0.25, 0.45) * edge
    cast = (
        np.array([1.0, rng.uniform(0.93, 0.98), rng.uniform(0.8, 0.9)], np.float32)
        if rng.random() < 0.6
        else np.array([rng.uniform(0.88, 0.95), rng.uniform(0.95, 0.99), 1.0], np.float32)
    )
    arr = arr * light[..., None] * cast
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.8, 1.5) * s)
    arr += rng.normal(0, rng.uniform(3, 6), arr.shape).astype(np.float32)
    q = int(rng.integers(78, 90))
    img = _jpeg_roundtrip(_img(arr), q)
    out = _move(canvas, m.astype(np.float64), img)
    out.fmt, out.quality = "jpeg", q
    out.params = {**canvas.params, "phone_quad": dst.round(1).tolist()}
    return out


# -- what real archive pages show (steps added later; not in `PROFILES`, so `--profiles all`
# makes what it always made) -----------------------------------------------------------------


def _mm(canvas: Canvas, v: float) -> float:
    return v / 25.4 * canvas.dpi


def verylowdpi(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """A 70-100 DPI scan (old scanners, fax-grade archive copies): area-resampled, a little
    soft, colour or grey, saved as a JPEG."""
    img = canvas.image.convert("RGB" if rng.random() < 0.5 else "L")
    dpi = int(rng.integers(70, 101))
    f = dpi / canvas.dpi
    size = (round(img.size[0] * f), round(img.size[1] * f))
    arr = cv2.GaussianBlur(np.asarray(img, np.float32), (0, 0), 0.35 / f)
    small = cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
    out = _move(canvas, np.diag([f, f, 1.0]), _img(small))
    q = int(rng.integers(70, 90))
    out.dpi, out.fmt, out.quality = dpi, "jpeg", q
    out.params = {**canvas.params, "scan_dpi": dpi}
    return out


def ccitt(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """A 1-bit office scan at 200 DPI (written as CCITT G4 in PDFs and TIFFs): a fixed
    threshold that thins light strokes and blackens seals, and a little salt noise. Put it
    last in a profile: later steps would turn the page grey again."""
    out = canvas
    if canvas.dpi != 200:
        f = 200 / canvas.dpi
        img = canvas.image
        size = (round(img.size[0] * f), round(img.size[1] * f))
        out = _move(canvas, np.diag([f, f, 1.0]), img.resize(size, Image.Resampling.BOX))
        out.dpi = 200
    g = cv2.GaussianBlur(_gray(out.image), (0, 0), rng.uniform(0.3, 0.7))
    thr = rng.uniform(135, 185)
    ink = g < thr
    h, w = ink.shape
    n = int(h * w * rng.uniform(2e-5, 1e-4))
    ink[rng.integers(0, h, n), rng.integers(0, w, n)] = True
    image = Image.fromarray((~ink * 255).astype(np.uint8)).convert("1")
    params = {**canvas.params, "bilevel_threshold": round(thr, 1)}
    return replace(out, image=image, fmt="png", params=params)


def colorscan(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """A colour office scan as e-government portals publish it: off-white paper, slightly
    soft print, sensor noise, saved as a JPEG (embedded as DCT in the PDF)."""
    arr = _rgb(canvas.image)
    h, w = arr.shape[:2]
    paper = np.array([rng.uniform(243, 252), rng.uniform(241, 250), rng.uniform(232, 246)],
                     np.float32) / 255.0  # fmt: skip
    arr = arr * paper * _smooth_field(rng, (h, w), 5, 0.97, 1.0)[..., None]
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.4, 0.8) * canvas.s)
    arr += rng.normal(0, rng.uniform(1.5, 3.5), arr.shape).astype(np.float32)
    q = int(rng.integers(72, 90))
    return replace(canvas, image=_img(arr), fmt="jpeg", quality=q)


def yellowed(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Decades-old paper: yellow-brown tone, darker towards the edges, blotches and
    foxing specks, ink gone a little brown and weak."""
    arr = _rgb(canvas.image)
    h, w = arr.shape[:2]
    tone = np.array([rng.uniform(0.94, 0.99), rng.uniform(0.88, 0.94), rng.uniform(0.7, 0.82)],
                    np.float32)  # fmt: skip
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    edge = np.minimum(np.minimum(xx, w - 1 - xx) / w, np.minimum(yy, h - 1 - yy) / h)
    rim = 1 - rng.uniform(0.08, 0.18) * np.exp(-edge / rng.uniform(0.015, 0.04))
    paper = _smooth_field(rng, (h, w), 7, 0.9, 1.02) * rim
    ink = 255 - (255 - arr) * rng.uniform(0.75, 0.92)  # weaker, browner print
    ink = ink * np.array([1.0, 0.97, 0.9], np.float32)
    arr = ink * tone * paper[..., None]
    spots = np.zeros((h, w), np.float32)
    n = int(rng.integers(20, 120))
    for y, x in zip(rng.integers(0, h, n), rng.integers(0, w, n), strict=True):
        r = max(1, int(rng.uniform(0.5, 3.0) * canvas.s * 3))
        cv2.circle(spots, (int(x), int(y)), r, float(rng.uniform(0.1, 0.35)), -1)
    spots = cv2.GaussianBlur(spots, (0, 0), 1.5 * canvas.s)
    arr = arr * (1 - spots[..., None] * np.array([0.3, 0.5, 0.8], np.float32))
    arr = cv2.GaussianBlur(arr, (0, 0), 0.4 * canvas.s)
    arr += rng.normal(0, 2.5, arr.shape[:2]).astype(np.float32)[..., None]
    return replace(canvas, image=_img(arr), params={**canvas.params, "yellowed": True})


NOTES = (
    "Chuyển đ/c Chánh VP", "Đã xem", "Lưu hồ sơ", "VP tham mưu", "Kính chuyển P.TH",
    "Đ/c PCT xem, chỉ đạo", "Gấp", "Photo gửi các phòng", "Chuyển Sở Nội vụ", "Đã phô tô",
    "P.KT nghiên cứu, báo cáo", "Trình đ/c Chủ tịch", "Theo dõi", "Đ/c Hùng xử lý",
)  # fmt: skip


def margin_notes(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """Notes written in ink in the margins (who it goes to, "Đã xem", a date) and a mark
    beside a body paragraph; none of it is in the truth text (params `margin_notes`)."""
    body = canvas.anchors.get("body")
    img = canvas.image.convert("RGB")
    w, h = img.size
    r = random.Random(int(rng.integers(0, 2**31)))
    ink = r.choice([*BLUE_INKS, *BLUE_INKS, *BLACK_INKS, (170, 30, 40)])
    height = _mm(canvas, r.uniform(4.5, 6.5))
    notes = []
    x_left = _mm(canvas, r.uniform(3, 8))
    places = ["top", "left"] + (["bottom"] if r.random() < 0.4 else [])
    for where in r.sample(places, k=r.randint(1, len(places))):
        text = r.choice(NOTES)
        if r.random() < 0.4:
            text += f" {r.randint(1, 28)}/{r.randint(1, 12)}"
        if where == "top":
            xy = (w * r.uniform(0.1, 0.45), _mm(canvas, r.uniform(3, 9)))
            angle = r.uniform(-6, 4)
        elif where == "bottom":
            xy = (w * r.uniform(0.1, 0.5), h - _mm(canvas, r.uniform(12, 17)))
            angle = r.uniform(-5, 5)
        else:  # up the left margin, beside the body
            y0 = body[1] if body else h * 0.3
            y1 = body[3] if body else h * 0.7
            xy = (x_left, r.uniform(y0, max(y0 + 1, y1 - _mm(canvas, 60))))
            angle = r.uniform(80, 95)
        box = write_note(img, text, xy, height, ink, r, angle)
        notes.append({"text": text, "box": [round(v) for v in box]})
    draw = ImageDraw.Draw(img)
    if body and r.random() < 0.7:  # a reviewer's bar beside a paragraph
        x = body[0] - _mm(canvas, r.uniform(3, 6))
        y0 = r.uniform(body[1], body[3] - _mm(canvas, 20))
        y1 = y0 + _mm(canvas, r.uniform(8, 25))
        pts = [(x + r.uniform(-2, 2) * canvas.s, y0 + (y1 - y0) * t / 6) for t in range(7)]
        draw.line(pts, fill=ink, width=max(1, round(_mm(canvas, 0.4))), joint="curve")
    return replace(canvas, image=img, params={**canvas.params, "margin_notes": notes})


def received_stamp(canvas: Canvas, rng: np.random.Generator) -> Canvas:
    """The receiving office's "CÔNG VĂN ĐẾN" box stamp (page 1), in red ink at an angle,
    its number and date written in by hand; it may cover the first body lines."""
    if canvas.page != 1:
        return canvas
    r = random.Random(int(rng.integers(0, 2**31)))
    s = canvas.dpi / 25.4  # pixels per mm
    bw, bh = round(52 * s), round(24 * s)
    box = Image.new("L", (bw, bh), 0)
    d = ImageDraw.Draw(box)
    lw = max(1, round(0.45 * s))
    d.rectangle([lw, lw, bw - lw, bh - lw], outline=255, width=lw)
    small = get_font(canvas.family if canvas.family in ("liberation", "dejavu") else "liberation",
                     True, False, max(6, round(2.6 * s)))  # fmt: skip
    big = get_font("liberation", True, False, max(7, round(4.2 * s)))
    d.text((bw / 2, 3.2 * s), r.choice(["VĂN PHÒNG UBND TỈNH", "SỞ NỘI VỤ", "VĂN THƯ"]),
           font=small, fill=255, anchor="mm")  # fmt: skip
    d.line([(2 * s, 5.6 * s), (bw - 2 * s, 5.6 * s)], fill=255, width=lw)
    d.text((4 * s, 11 * s), "CV", font=big, fill=255, anchor="lm")
    d.text((4 * s, 17.5 * s), "ĐẾN", font=big, fill=255, anchor="lm")
    d.line([(17 * s, 5.6 * s), (17 * s, bh - lw)], fill=255, width=lw)
    for i, label in enumerate(("Số:", "Ngày:", "Chuyển:")):
        d.text((18.5 * s, (9.5 + 5.5 * i) * s), label, font=small, fill=255, anchor="lm")
    box = box.rotate(r.uniform(-4, 4), resample=Image.Resampling.BICUBIC, expand=True)
    img = canvas.image.convert("RGB")
    body = canvas.anchors.get("body")
    x = round(_mm(canvas, r.uniform(4, 15)))
    y = round((body[1] if body else img.size[1] * 0.25) + _mm(canvas, r.uniform(-6, 10)))
    red = (int(r.uniform(185, 215)), int(r.uniform(30, 60)), int(r.uniform(40, 70)))
    alpha = box.point(lambda v: int(v * 0.85))
    img.paste(Image.new("RGB", box.size, red), (x, y), alpha)
    draw = ImageDraw.Draw(img)
    pen_ink = r.choice(BLUE_INKS)
    number = str(r.randint(10, 3999))
    day = f"{r.randint(1, 28)}/{r.randint(1, 12)}"
    for text, row in ((number, 0), (day, 1)):
        draw_digits(draw, text, x + 30 * s, y + (12.2 + 5.5 * row) * s, 3.6 * s,
                    (pen_ink, 0.09), r)  # fmt: skip
    stamp_box = [x, y, x + box.size[0], y + box.size[1]]
    params = {**canvas.params, "received_stamp": {"box": stamp_box, "number": number}}
    return replace(canvas, image=img, params=params)


PROFILES: dict[str, Step] = {
    "clean": clean,
    "photocopy": photocopy,
    "skew": skew,
    "seal_signature": seal_signature,
    "seal_body": seal_body,
    "jpeg": jpeg,
    "uneven_light": uneven_light,
    "faded": faded,
    "lowdpi": lowdpi,
    "bleed": bleed,
    "phone": phone,
}


# Steps that imitate what real archive pages showed (see docs/generator.md); asked for by
# name or through `REAL_PROFILES`, never part of `--profiles all`.
REAL_STEPS: dict[str, Step] = {
    "verylowdpi": verylowdpi,
    "ccitt": ccitt,
    "colorscan": colorscan,
    "yellowed": yellowed,
    "margin_notes": margin_notes,
    "received_stamp": received_stamp,
}
STEPS: dict[str, Step] = {**PROFILES, **REAL_STEPS}

# `--profiles real`: combinations seen on real pages.
REAL_PROFILES: tuple[str, ...] = (
    "seal_signature+colorscan",
    "seal_signature+seal_body+margin_notes+colorscan",
    "seal_signature+received_stamp+ccitt",
    "seal_signature+margin_notes+verylowdpi",
    "seal_signature+yellowed+bleed",
)


def parse_profile(spec: str) -> list[str]:
    """`"seal_signature+photocopy+skew"` -> its step names, checked against `STEPS`."""
    names = [p.strip() for p in spec.split("+") if p.strip()]
    unknown = [n for n in names if n not in STEPS]
    if unknown or not names:
        raise ValueError(
            f"unknown profile step(s) {unknown or spec!r}; known: {', '.join(STEPS)}"
        )
    return names
