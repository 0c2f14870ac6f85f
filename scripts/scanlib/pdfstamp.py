"""The digital-signature stamp of an e-government portal as a small text layer on a scanned PDF.

Provincial portals publish scans whose page 1 is the scanner's image with, in its top right
corner, a few lines of small real text left by the signing software ("Ký bởi: Ủy ban nhân dân
tỉnh ... / Cơ quan: ... / Thời gian ký: dd/mm/yyyy hh:mm:ss"). `add_text_stamp` writes such
a block over page 1 of an image-only PDF: a Type0 font (Liberation Serif, subset, glyph ids
kept, with a ToUnicode map so `pdftotext` reads it back) and a few text lines drawn after
the page image. Needs pikepdf and fontTools; the output is deterministic.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
from pathlib import Path
from typing import Any

from .layout import font_file

STAMP_PT = 5.5  # text size of the stamp, as on the portal scans
STAMP_COLOUR = (0.1, 0.1, 0.75)


def signature_stamp(fields: dict[str, Any], seed: int) -> dict[str, str]:
    """Who signed (the issuing body), its organisation and when: a little after the date."""
    r = random.Random(f"stamp-{seed}")
    place = str(fields.get("place") or "")
    issuer = [str(x) for x in fields.get("issuer") or []]
    lines = [x.lower() for x in issuer] or ["văn phòng"]

    def cap(t: str) -> str:
        return t[:1].upper() + t[1:]

    if fields.get("issuer_code") == "UBND":  # "Ủy ban nhân dân huyện Can Lộc"
        signer = cap(" ".join(lines))
    elif lines[-1].startswith("sở "):  # "Sở Nội vụ tỉnh Sóc Trăng"
        signer = f"Sở {cap(lines[-1][3:])} tỉnh {place}"
    elif len(lines) > 1:  # "Ban tổ chức Tỉnh ủy Bình Dương"
        signer = f"{cap(lines[-1])} {cap(lines[0])}"
    else:
        signer = cap(lines[0])
    signer = signer.replace(place.lower(), place)
    where = "Thành phố" if place in ("Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng") else "Tỉnh"
    day = dt.date.fromisoformat(str(fields["date"])) + dt.timedelta(days=r.choice([0, 0, 1, 2]))
    when = dt.datetime(day.year, day.month, day.day, r.randint(7, 17), r.randint(0, 59),
                       r.randint(0, 59))  # fmt: skip
    return {
        "signer": signer,
        "organisation": f"{where} {place}" if place else "",
        "time": when.isoformat(),
        "text": "\n".join(stamp_lines(signer, f"{where} {place}", when)),
    }


def stamp_lines(signer: str, organisation: str, when: dt.datetime) -> list[str]:
    return [
        f"Ký bởi: {signer}",
        f"Cơ quan: {organisation}",
        f"Thời gian ký: {when.strftime('%d/%m/%Y %H:%M:%S')}",
    ]


def _font_objects(pdf: Any, text: str) -> tuple[Any, dict[str, int], dict[int, float]]:
    """A Type0/Identity-H font for `text`'s characters; their glyph ids and widths."""
    import pikepdf
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = font_file("liberation", False, False)
    full = TTFont(str(path))
    cmap = full.getBestCmap()
    upm = full["head"].unitsPerEm
    chars = sorted(set(text))
    gids = {ch: full.getGlyphID(cmap[ord(ch)]) for ch in chars if ord(ch) in cmap}
    widths = {g: full["hmtx"][full.getGlyphName(g)][0] * 1000 / upm for g in gids.values()}
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset"
    opts = subset.Options()
    opts.retain_gids = True
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(full)
    buf = io.BytesIO()
    full.save(buf)
    font_file2 = pikepdf.Stream(pdf, buf.getvalue())
    font_file2.Length1 = len(buf.getvalue())
    name = pikepdf.Name("/SOHOAA+LiberationSerif")
    descriptor = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=name, Flags=6,
        FontBBox=[-543, -303, 1278, 981], ItalicAngle=0, Ascent=891, Descent=-216,
        CapHeight=662, StemV=80, FontFile2=font_file2,
    ))  # fmt: skip
    w_array: list[Any] = []
    for g in sorted(widths):
        w_array += [g, [round(widths[g], 1)]]
    cid = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=name,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=descriptor, CIDToGIDMap=pikepdf.Name.Identity, DW=1000, W=w_array,
    ))  # fmt: skip
    bf = "\n".join(
        f"<{g:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch, g in sorted(gids.items())
    )
    cmap_text = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(gids)} beginbfchar\n{bf}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=name,
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[cid],
        ToUnicode=pikepdf.Stream(pdf, cmap_text.encode("ascii")),
    ))  # fmt: skip
    return font, gids, widths


def add_text_stamp(path: Path, lines: list[str], size: float = STAMP_PT) -> None:
    """Draw `lines` as real text in the top right corner of page 1 of the PDF at `path`."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        font, gids, widths = _font_objects(pdf, "".join(lines))
        resources = page.obj.Resources
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font.FStamp = font
        _x0, _y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
        width = max(sum(widths.get(gids.get(ch, 0), 500) for ch in ln) for ln in lines) / 1000
        x = x1 - 8 - width * size
        lead = size * 1.1
        ops = ["q", "{:.3f} {:.3f} {:.3f} rg".format(*STAMP_COLOUR), "BT", f"/FStamp {size} Tf"]
        for i, ln in enumerate(lines):
            y = y1 - 4 - size - i * lead
            hexed = "".join(f"{gids.get(ch, 0):04X}" for ch in ln)
            ops += [f"1 0 0 1 {x:.2f} {y:.2f} Tm", f"<{hexed}> Tj"]
        ops += ["ET", "Q"]
        page.contents_add(pikepdf.Stream(pdf, ("\n".join(ops) + "\n").encode("ascii")))
        pdf.save(path, deterministic_id=True)
