"""Shared fixtures: the repo root on sys.path (for `scripts.*`), seeds, rendered pages."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is not beside the repository")
    return path


def render_lines(
    lines: list[str], width: int = 1654, height: int = 2339, size: int = 36
) -> Image.Image:
    """A plain A4 page at 200 DPI with the given lines: quick OCR fixtures for unit tests.

    Full Party-document layouts and degradations come from scripts/make_scans.py.
    """
    font = ImageFont.truetype(FONT, size)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = 150
    for line in lines:
        draw.text((140, y), line, font=font, fill="black")
        y += int(size * 1.5)
    return image


def paragraph_lines(text: str, width: int = 70) -> list[str]:
    return [line for para in text.splitlines() for line in textwrap.wrap(para, width)]
