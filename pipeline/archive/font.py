"""An embedded, subset TrueType font for an invisible text layer, with a ToUnicode map.

The text layer is drawn in rendering mode 3 (invisible), so the glyphs are never seen; what
matters is that every character maps back to its Unicode text (ToUnicode) and that the
widths the PDF states equal the font program's (PDF/A). Each distinct character gets its
own CID; CIDToGIDMap points it at the font's glyph, or at '?' when the font has none (the
ToUnicode entry still gives the real character, so extraction loses nothing).

The font is DejaVu Sans from Debian's `fonts-dejavu-core` (full Vietnamese coverage,
Bitstream Vera licence: embedding allowed), subset with fontTools to the characters used,
its outlines emptied (widths, cmap and metrics kept).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph

from pipeline.errors import MissingDependencyError

log = logging.getLogger(__name__)

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
FALLBACK_CHAR = "?"


@cache
def font_path() -> Path:
    for path in FONT_PATHS:
        if path.is_file():
            return path
    raise MissingDependencyError(
        "no TrueType font for the PDF text layer; install fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core)"
    )


LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "MATH", "kern", "FFTM", "BASE", "JSTF")


@cache
def _font_bytes() -> bytes:
    """The font without its layout tables (an invisible layer needs no shaping); loading
    DejaVu's GSUB/GPOS took ~0.6 s of every subset."""
    font = TTFont(font_path(), lazy=True)
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@dataclass
class TextFont:
    """The characters of one document, their CIDs and advance widths (1/1000 em)."""

    chars: dict[str, int] = field(default_factory=dict)  # char -> CID (1..n)
    widths: dict[str, float] = field(default_factory=dict)
    ascent: float = 0.0  # 1/1000 em
    descent: float = 0.0  # negative

    def encode(self, text: str) -> bytes:
        return b"".join(self.chars[ch].to_bytes(2, "big") for ch in text)

    def width(self, text: str) -> float:
        """Advance width of `text` at size 1 (in em)."""
        return sum(self.widths[ch] for ch in text) / 1000.0


def build_font(pdf: pikepdf.Pdf, text: str) -> tuple[pikepdf.Dictionary, TextFont]:
    """A Type0 font object for `pdf` covering every character of `text` (whitespace aside)."""
    chars = sorted({ch for ch in text if not ch.isspace()} | {FALLBACK_CHAR, " "})
    full = TTFont(io.BytesIO(_font_bytes()))
    cmap = full.getBestCmap()
    missing = [ch for ch in chars if ord(ch) not in cmap]
    if missing:
        log.warning("font %s lacks %d character(s) (%s): drawn as '?', extracted as themselves",
                    font_path().name, len(missing), "".join(missing[:10]))
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += list(LAYOUT_TABLES)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars if ord(ch) in cmap])
    subsetter.subset(full)
    _empty_outlines(full)
    buffer = io.BytesIO()
    full.save(buffer)
    program = buffer.getvalue()
    font = TTFont(io.BytesIO(program))
    sub_cmap = font.getBestCmap()
    glyph_order = font.getGlyphOrder()
    gid_of = {name: gid for gid, name in enumerate(glyph_order)}
    upm = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    scale = 1000.0 / upm

    info = TextFont(ascent=font["hhea"].ascent * scale, descent=font["hhea"].descent * scale)
    cid_to_gid = bytearray(2)  # CID 0: .notdef
    widths: list[int] = []
    for cid, ch in enumerate(chars, start=1):
        name = sub_cmap.get(ord(ch)) or sub_cmap[ord(FALLBACK_CHAR)]
        gid = gid_of[name]
        cid_to_gid += gid.to_bytes(2, "big")
        advance = round(hmtx[name][0] * scale)
        widths.append(advance)
        info.chars[ch] = cid
        info.widths[ch] = advance

    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    base = f"{tag}+{font_path().stem.replace(' ', '')}"
    head = font["head"]
    descriptor = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/" + base),
        Flags=32,
        FontBBox=[round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        ItalicAngle=0,
        Ascent=round(info.ascent),
        Descent=round(info.descent),
        CapHeight=round(getattr(font["OS/2"], "sCapHeight", 0) * scale) or round(info.ascent),
        StemV=80,
        FontFile2=pdf.make_stream(program, Length1=len(program)),
    ))
    cid_font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/" + base),
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=descriptor,
        DW=1000,
        W=[1, pikepdf.Array(widths)],
        CIDToGIDMap=pdf.make_stream(bytes(cid_to_gid)),
    ))
    type0 = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/" + base),
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=[cid_font],
        ToUnicode=pdf.make_stream(_to_unicode(info.chars)),
    ))
    return type0, info


def _empty_outlines(font: TTFont) -> None:
    """Every glyph without contours (advance widths kept): the layer is never drawn, so the
    outlines are dead weight (a 100-glyph DejaVu subset: ~7.7 KB -> ~2 KB), as OCRmyPDF's
    glyphless font does."""
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        glyph = Glyph()
        glyph.numberOfContours = 0
        glyf[name] = glyph
    for tag in ("hdmx", "VDMX", "LTSH"):
        if tag in font:
            del font[tag]


def _to_unicode(chars: dict[str, int]) -> bytes:
    """A ToUnicode CMap: each CID to its character (UTF-16BE)."""
    entries = sorted((cid, ch) for ch, cid in chars.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for cid, ch in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")
