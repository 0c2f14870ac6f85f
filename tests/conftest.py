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


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF written by hand: `objects` numbered from 1 (1 is the catalog), with its xref."""
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    body += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


# A throwaway PostgreSQL server for the tests that need one (tests/postgres.py).
from postgres import postgres  # noqa: E402, F401
