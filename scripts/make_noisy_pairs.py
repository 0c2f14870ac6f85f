"""Make (truth, OCR) page pairs for learning the OCR error channel and for evaluation.

Clean text is rendered into a 300 DPI page with Liberation Serif, lightly (or heavily)
degraded, and read back with Tesseract. Pages are appended to a JSONL file, one object per
page, so the script can be stopped and resumed; pages already present are skipped.

Example (train pairs from held-in legal lines, English model, as in seed 003):
    nice -n 10 .venv/bin/python scripts/make_noisy_pairs.py --split train --lang eng \
        --pages 150 --out work/pairs/train-eng.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.restore.corpus import open_text, split_lines

log = logging.getLogger("make_noisy_pairs")

FONTS = (  # (path, weight): Liberation Serif first; the others widen the channel's variety
    (Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"), 4),
    (Path("/usr/share/fonts/truetype/freefont/FreeSerif.ttf"), 3),
    (Path("/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf"), 1),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"), 1),
)
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DPI = 300
PAGE_W, PAGE_H = 2480, 3508  # A4 at 300 DPI
MARGIN_L, MARGIN_R, MARGIN_T = 260, 180, 200
EVAL_SEEDS = ("001", "002", "004")


@dataclass(frozen=True)
class Page:
    """A rendered page: its id, the exact text lines drawn, and the image."""

    page_id: str
    lines: list[str]
    image: Image.Image
    font: str


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap of one paragraph to the text width in pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def render(page_id: str, paragraphs: Iterator[str], rng: random.Random) -> Page:
    """Draw paragraphs onto a white A4 page until it is full."""
    size_pt = rng.choice([12, 13, 13, 14])
    available = [path for path, _ in FONTS if path.exists()]
    weights = [weight for path, weight in FONTS if path.exists()]
    font_path = rng.choices(available, weights)[0]
    font = ImageFont.truetype(str(font_path), round(size_pt * DPI / 72))
    line_h = round(size_pt * DPI / 72 * rng.uniform(1.25, 1.45))
    image = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN_T
    drawn: list[str] = []
    for paragraph in paragraphs:
        for line in wrap(paragraph, font, PAGE_W - MARGIN_L - MARGIN_R):
            if y + line_h > PAGE_H - MARGIN_T:
                return Page(page_id, drawn, image, font_path.stem)
            draw.text((MARGIN_L, y), line, font=font, fill=0)
            drawn.append(line)
            y += line_h
        y += line_h // 3
    return Page(page_id, drawn, image, font_path.stem)


def degrade(image: Image.Image, heavy: bool, rng: random.Random) -> tuple[Image.Image, str]:
    """Rotate slightly and apply one scan-like degradation; returns the image and its name.

    The light styles differ a lot in what Tesseract's English model makes of the marks
    (thin strokes turn Đ into P, bold ones ố into 6), so the channel sees them all.
    """
    out = image.rotate(rng.uniform(-0.4, 0.4), resample=Image.Resampling.BILINEAR, fillcolor=255)
    style = "heavy" if heavy else rng.choice(["scan", "scan", "thin", "thick", "bold", "lowres"])
    if style in ("heavy", "lowres"):
        factor = 0.4 if heavy else rng.uniform(0.33, 0.5)
        small = (round(PAGE_W * factor), round(PAGE_H * factor))
        out = out.resize(small, Image.Resampling.BILINEAR).resize(
            (PAGE_W, PAGE_H), Image.Resampling.BILINEAR
        )
    if style == "bold":
        out = out.filter(ImageFilter.MinFilter(3))
    if style in ("thin", "thick"):
        out = out.filter(ImageFilter.GaussianBlur(rng.uniform(1.1, 1.7)))
        cut = rng.uniform(70, 110) if style == "thin" else rng.uniform(180, 210)
        return out.point(lambda p: 0 if p < cut else 255), style
    blur = rng.uniform(0.8, 1.6) if heavy else rng.uniform(0.3, 0.9)
    out = out.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(out, dtype=np.float32)
    noise_rng = np.random.default_rng(rng.getrandbits(32))
    sigma = rng.uniform(18, 35) if heavy else rng.uniform(4, 14)
    pixels = pixels + noise_rng.normal(0.0, sigma, pixels.shape)
    if heavy:
        speckles = noise_rng.random(pixels.shape) < 0.002
        pixels[speckles] = 0
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), style


def paragraphs_for(split: str, seed: int) -> list[str]:
    """The pool of paragraphs a split draws from: held-in or held-out legal lines (+ seeds)."""
    corpus = SHARED / "corpus" / "vlc-legal.txt.xz"
    heldout = split == "heldout"
    lines = [line for line in split_lines(corpus, heldout) if len(line.split()) >= 6]
    if heldout:
        for seed_id in EVAL_SEEDS:
            path = next((SHARED / "seeds").glob(f"{seed_id}_*.txt"))
            lines.extend(line for line in open_text(path) if len(line.split()) >= 3)
    random.Random(seed).shuffle(lines)
    return lines


def done_ids(out: Path) -> set[str]:
    """Page ids already written, so a rerun resumes."""
    if not out.exists():
        return set()
    with out.open(encoding="utf-8") as handle:
        return {json.loads(line)["id"] for line in handle if line.strip()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["train", "heldout"], required=True)
    parser.add_argument("--lang", choices=["eng", "vie"], default="eng")
    parser.add_argument("--heavy", action="store_true", help="stronger degradation")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--psm", type=int, default=3, help="Tesseract page segmentation mode")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    pool = paragraphs_for(args.split, args.seed)
    done = done_ids(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for number in range(args.pages):
        rng = random.Random(f"{args.split}-{args.lang}-{args.heavy}-{args.seed}-{number}")
        page_id = (
            f"{args.split}-{args.lang}{'-heavy' if args.heavy else ''}-{args.seed}-{number:04d}"
        )
        if page_id in done:
            continue
        start = rng.randrange(len(pool))
        page = render(page_id, (pool[(start + k) % len(pool)] for k in range(len(pool))), rng)
        started = time.monotonic()
        degraded, style = degrade(page.image, args.heavy, rng)
        text = pytesseract.image_to_string(degraded, lang=args.lang, config=f"--psm {args.psm}")
        record = {
            "id": page_id,
            "split": args.split,
            "lang": args.lang,
            "heavy": args.heavy,
            "font": page.font,
            "style": style,
            "psm": args.psm,
            "truth": "\n".join(page.lines),
            "ocr": text,
        }
        with args.out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        log.info("%s: %d lines, OCR %.1fs", page_id, len(page.lines), time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
