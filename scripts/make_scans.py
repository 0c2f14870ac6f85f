"""Realistic synthetic scans of Vietnamese Party and state documents, with exact truth.

Each document is random but plausible (Hướng dẫn 36-HD/VPTW layout for Party documents,
Nghị định 30/2020 layout for state ones), deterministic given its seed, and comes with its
truth text, truth fields (record field names) and per-line truth boxes. Pages then go
through named degradation profiles (`PROFILES`), composable with `+`.

Splits: a document whose seed % 5 == 0 is "heldout", every other one is "train".

Truth text convention (what `cer` should compare an OCR result with): one line per printed
line; on page 1 the left header column (parent body, issuing body, "*", number, V/v,
MẬT/KHẨN) comes first, then the right column (national heading, place and date, draft
mark), then everything else top-down; the closing gives the "Nơi nhận" column before the
signature column; footnotes come last on their page; a table row is one line, its cells
separated by tabs; pages 2+ start with their page number. Pages are separated by one
empty line. Footnote markers are plain digits glued to the word they follow.

    python scripts/make_scans.py --out out/scans --count 20 --profiles all --max-pages 2

What real archive pages show and today's sets do not is asked for explicitly, so a set made
without these options is byte for byte what it was (docs/generator.md): `--handwritten`
(number and day left blank in print and written in ink; fields["handwritten"] flags them, the
truth text leaves them out), `--doc-type CV --family state` (công văn: 507/UBND-KGVX, V/v,
Kính gửi), `--pdf-stamp` (a portal's "Ký bởi / Cơ quan / Thời gian ký" text layer on page 1
of the scanned PDF), `--font typewriter|condensed` (a 1990s look on an uneven baseline), and
profile steps `verylowdpi`, `ccitt`, `colorscan`, `yellowed`, `margin_notes`,
`received_stamp` (or `--profiles real` for combinations seen on real pages).

    python scripts/make_scans.py --out out/real --count 10 --family state --handwritten \
        --pdf-stamp --profiles real
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import unicodedata
import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the `scripts` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

from scripts.scanlib.content import HELDOUT_MODULUS, draft_document, split_of
from scripts.scanlib.degrade import (
    PROFILES,
    REAL_PROFILES,
    STEPS,
    Canvas,
    parse_profile,
    quad_of,
)
from scripts.scanlib.layout import ALL_FONTS, FONTS, LU, draw_page, layout, page_text
from scripts.scanlib.model import SynthDoc
from scripts.scanlib.pdfstamp import signature_stamp
from scripts.scanlib.pools import PARTY_TYPES

FORMATS = ("images", "pdf", "tiff")
PDF_QUALITY = 80  # JPEG quality of PNG pages inside a PDF, as office scanners write them

__all__ = [
    "FONTS",
    "FORMATS",
    "HELDOUT_MODULUS",
    "PROFILES",
    "RenderedPage",
    "SynthDoc",
    "TruthLine",
    "aligned_text",
    "cer",
    "document_text",
    "make_document",
    "normalize",
    "render",
    "split_of",
    "write_document",
]


@dataclass
class TruthLine:
    text: str
    box: list[int]  # x0, y0, x1, y1 in page pixels after the profile's geometry, clipped
    quad: list[tuple[float, float]]  # the line's four corners (skewed/keystoned with the page)
    region: str  # header_left, header_right, mark, title, subject, front, heading,
    # subheading, body, footnote, recipients, signer, signer_name, page_number,
    # appendix_title, appendix_caption, appendix_note, table
    block: int  # lines of one paragraph or table share a block id
    cell: tuple[int, int] | None = None  # (row, column) of a table cell


@dataclass
class RenderedPage:
    number: int
    image: Image.Image
    dpi: int
    text: str  # truth text of the page
    lines: list[TruthLine]
    profile: str
    fmt: str = "png"  # "png" or "jpeg"
    quality: int = 92
    params: dict[str, Any] = field(default_factory=dict)  # skew angle, seal boxes, ...

    def region_text(self, *regions: str) -> str:
        """Truth lines of the given regions, in reading order (for CER by region)."""
        return "\n".join(ln.text for ln in self.lines if ln.region in regions)


def make_document(
    seed: int,
    family: str | None = None,
    pages: int | None = None,
    handwritten: bool = False,
    doc_type: str | None = None,
) -> SynthDoc:
    """A random document for `seed`; `pages` (default 1-4 by seed) is met exactly with
    Liberation Serif, while wider fonts may run one page over. `handwritten` leaves the
    number and the day blank in print and writes them by hand; `doc_type` forces a type
    code (see `draft_document`)."""
    draft = draft_document(seed, family, pages, handwritten=handwritten, doc_type=doc_type)
    target = draft.target_pages

    def count(k: int) -> int:
        return len(layout(draft.assemble(k)))

    n = len(draft.middle)
    lo, hi = 0, n  # largest k with count(k) <= target
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(mid) <= target:
            lo = mid
        else:
            hi = mid - 1
    k_max = lo
    lo, hi = 0, k_max  # smallest k that still reaches the target page count
    while lo < hi:
        mid = (lo + hi) // 2
        if count(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    if target == 1:  # a one-page document should not be a stub
        lo = max(lo, k_max // 2)
    k = random.Random(f"fill-{seed}").randint(lo, k_max)
    return draft.assemble(k)


def render(
    doc: SynthDoc, profile: str = "clean", dpi: int = 300, font: str = "liberation", seed: int = 0
) -> list[RenderedPage]:
    """Draw the document's pages and pass them through the profile's steps (`a+b+c`).

    A profile with `lowdpi` or `ccitt` is drawn at 200 DPI at most. Deterministic in (doc,
    profile, dpi, font, seed). Handwritten fields are not in the truth text; their blanks'
    boxes are in `params["handwritten"]`.
    """
    steps = parse_profile(profile)
    rdpi = min(dpi, 200) if "lowdpi" in steps or "ccitt" in steps else dpi
    laid = layout(doc, font)
    scale = rdpi / LU
    clean = [draw_page(p, font, rdpi, doc.seed) for p in laid]
    out = []
    for i, page in enumerate(laid):
        back = clean[i + 1] if i + 1 < len(clean) else (clean[i - 1] if i else None)
        canvas = Canvas(
            image=clean[i],
            dpi=rdpi,
            page=page.number,
            quads=[ln.quad(scale) for ln in page.lines],
            anchors={k: (v[0] * scale, v[1] * scale, v[2] * scale, v[3] * scale)
                     for k, v in page.anchors.items()},
            seal_ring=doc.seal_ring,
            family=font,
            back=back if "bleed" in steps else None,
        )  # fmt: skip
        for k, name in enumerate(steps):
            entropy = [
                seed & 0xFFFFFFFF,
                doc.seed & 0xFFFFFFFF,
                page.number,
                k,
                zlib.crc32(name.encode()),
            ]
            canvas = STEPS[name](canvas, np.random.default_rng(entropy))
        w, h = canvas.image.size
        params = canvas.params
        hand = [(k[5:], v) for k, v in canvas.anchors.items() if k.startswith("hand_")]
        if hand:  # what was written in by hand, and where (the printed blank)
            written = doc.fields.get("handwritten", {})
            params = {**params, "handwritten": [
                {"field": "number" if f == "number" else "date",
                 "text": written.get("number" if f == "number" else "date", ""),
                 "box": _box(quad_of(rect), w, h)}
                for f, rect in hand
            ]}  # fmt: skip
        lines = [
            TruthLine(ln.text, _box(quad, w, h), quad, ln.region, ln.block, ln.cell)
            for ln, quad in zip(page.lines, canvas.quads, strict=True)
        ]
        out.append(
            RenderedPage(
                number=page.number,
                image=canvas.image,
                dpi=canvas.dpi,
                text=page_text(page.lines),
                lines=lines,
                profile=profile,
                fmt=canvas.fmt,
                quality=canvas.quality,
                params=params,
            )
        )
    return out


def _box(quad: list[tuple[float, float]], w: int, h: int) -> list[int]:
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return [
        max(0, math.floor(min(xs))),
        max(0, math.floor(min(ys))),
        min(w, math.ceil(max(xs))),
        min(h, math.ceil(max(ys))),
    ]


def document_text(pages: list[RenderedPage]) -> str:
    """The document's truth text: page texts separated by an empty line."""
    return "\n\n".join(p.text for p in pages)


def normalize(text: str) -> str:
    """NFC with every whitespace run collapsed to one space: the form CER is taken on."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(hyp: str, ref: str) -> float:
    """Character error rate: Levenshtein distance over the normalized reference length."""
    h, r = normalize(hyp), normalize(ref)
    return Levenshtein.distance(h, r) / max(1, len(r))


def aligned_text(words: Iterable[tuple[str, Sequence[float]]], page: RenderedPage) -> str:
    """OCR words (text, x0, y0, x1, y1 box) put into the truth reading order by position.

    Each word joins the truth line whose quadrilateral holds its centre (the deepest one if
    several do, the nearest within half a line height if none does); a line's words are
    ordered along the line; words near no line come last. CER of the result against
    `page.text` measures recognition without penalising the engine's own block order.
    """
    polys = [np.asarray(ln.quad, np.float32).reshape(-1, 1, 2) for ln in page.lines]
    heights = [max(1.0, (ln.box[3] - ln.box[1]) / 2) for ln in page.lines]
    per_line: list[list[tuple[float, str]]] = [[] for _ in page.lines]
    stray: list[str] = []
    for text, box in words:
        if not text.strip():
            continue
        c = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        best, depth = -1, -math.inf
        for i, poly in enumerate(polys):
            d = cv2.pointPolygonTest(poly, c, True)
            if d > depth and d >= -heights[i]:
                best, depth = i, d
        if best < 0:
            stray.append(text)
            continue
        (x0, y0), (x1, y1) = page.lines[best].quad[0], page.lines[best].quad[1]
        along = (c[0] - x0) * (x1 - x0) + (c[1] - y0) * (y1 - y0)
        per_line[best].append((along, text))
    lines = [" ".join(t for _, t in sorted(ws)) for ws in per_line]
    return "\n".join([*lines, *stray])


def _page_name(page: RenderedPage) -> str:
    return f"page-{page.number:03d}.{'jpg' if page.fmt == 'jpeg' else 'png'}"


def write_pdf(
    pages: list[RenderedPage], path: Path, stamp: dict[str, Any] | None = None
) -> None:
    """An image-only PDF at each page's resolution (JPEG pages, bilevel ones as CCITT G4);
    with `stamp` (`pdfstamp.signature_stamp`), its text (and its publisher's) is added as a
    small text layer at the top right of page 1, as e-government portals' signing software
    leaves it (needs pikepdf and fontTools)."""
    # Copies: Pillow leaves its per-save encoder settings on the images it writes.
    images = [
        p.image.copy() if p.image.mode in ("1", "L", "RGB") else p.image.convert("RGB")
        for p in pages
    ]
    extra: dict[str, Any] = {}
    if all(im.mode != "1" for im in images):  # Pillow takes no quality for CCITT pages
        extra["quality"] = min([p.quality for p in pages if p.fmt == "jpeg"] or [PDF_QUALITY])
    images[0].save(
        path, "PDF", save_all=True, append_images=images[1:], resolution=float(pages[0].dpi),
        **extra,
    )  # fmt: skip
    if stamp:
        from scripts.scanlib.pdfstamp import add_text_stamp

        publisher = stamp.get("publisher")
        add_text_stamp(path, stamp["text"].split("\n"),
                       publisher["text"].split("\n") if publisher else None)  # fmt: skip


def write_tiff(pages: list[RenderedPage], path: Path) -> None:
    """A multi-page TIFF as a scanner writes it (G4 for bilevel pages, else LZW)."""
    images = [p.image.copy() for p in pages]
    bilevel = all(im.mode == "1" for im in images)
    images[0].save(
        path, "TIFF", save_all=True, append_images=images[1:], dpi=(pages[0].dpi, pages[0].dpi),
        compression="group4" if bilevel else "tiff_lzw",
    )  # fmt: skip


def write_document(
    doc: SynthDoc,
    pages: list[RenderedPage],
    out_dir: Path,
    stem: str,
    font: str = "liberation",
    formats: Collection[str] = ("images", "pdf"),
    stamp: dict[str, Any] | None = None,
    sign: bool = False,
) -> dict[str, Path]:
    """Write the scan in `formats` (of `FORMATS`) and its truth; returns the paths.

    Layout: DIR/<stem>/page-001.png|jpg ("images"), DIR/<stem>.pdf ("pdf"), DIR/<stem>.tif
    ("tiff"), and always DIR/<stem>.txt, DIR/<stem>.fields.json, DIR/<stem>.pages.json.
    `stamp` (from `pdfstamp.signature_stamp`): the PDF's page 1 gets its text as a text
    layer, and fields.json its `signature_stamp` (signer, organisation, time, text); with
    `sign` too, the PDF is then signed (CMS, self-signed certificate in the signer's name,
    at the stamp's time) and fields.json gets `signatures` as the record holds them.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}; known: {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    folder = out_dir / stem
    paths: dict[str, Path] = {}
    signatures: list[dict[str, Any]] = []
    page_meta = []
    for page in pages:
        img_path = folder / _page_name(page)
        if "images" in formats:
            folder.mkdir(parents=True, exist_ok=True)
            if page.fmt == "jpeg":
                page.image.save(img_path, "JPEG", quality=page.quality, dpi=(page.dpi, page.dpi))
            else:
                page.image.save(img_path, "PNG", compress_level=3, dpi=(page.dpi, page.dpi))
            paths[f"page-{page.number:03d}"] = img_path
        page_meta.append(
            {
                "number": page.number,
                "image": f"{stem}/{img_path.name}" if "images" in formats else None,
                "width": page.image.size[0],
                "height": page.image.size[1],
                "dpi": page.dpi,
                "params": page.params,
                "text": page.text,
                "lines": [
                    {
                        "text": ln.text,
                        "box": ln.box,
                        "quad": ln.quad,
                        "region": ln.region,
                        "block": ln.block,
                        "cell": ln.cell,
                    }
                    for ln in page.lines
                ],
            }
        )
    if "pdf" in formats:
        paths["pdf"] = out_dir / f"{stem}.pdf"
        write_pdf(pages, paths["pdf"], stamp)
        if sign and stamp:
            from scripts.scanlib.pdfstamp import sign_pdf

            signatures = sign_pdf(paths["pdf"], stamp, doc.seed)
    if "tiff" in formats:
        paths["tiff"] = out_dir / f"{stem}.tif"
        write_tiff(pages, paths["tiff"])
    paths["txt"] = out_dir / f"{stem}.txt"
    paths["txt"].write_text(document_text(pages) + "\n", encoding="utf-8")
    paths["fields"] = out_dir / f"{stem}.fields.json"
    fields = {**doc.fields, "signature_stamp": stamp} if stamp else doc.fields
    if signatures:
        fields["signatures"] = signatures
    paths["fields"].write_text(json.dumps(fields, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["pages"] = out_dir / f"{stem}.pages.json"
    meta = {
        "seed": doc.seed,
        "split": doc.split,
        "family": doc.family,
        "profile": pages[0].profile if pages else None,
        "font": font,
        "pages": page_meta,
    }
    paths["pages"].write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths


def _profiles(spec: str) -> list[str]:
    if spec == "all":
        return list(PROFILES)
    if spec == "real":
        return list(REAL_PROFILES)
    names = [p.strip() for p in spec.split(",") if p.strip()]
    for name in names:
        parse_profile(name)
    return names


def _font_for(seed: int, choice: str) -> str:
    if choice != "mix":
        return choice
    return random.Random(f"font-{seed}").choices(FONTS, weights=[3, 1, 1])[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options for what real archive pages show are off by default, so the same "
        "seeds and options give the same files as before they existed (docs/generator.md).",
    )
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--count", type=int, default=10, help="documents to make")
    ap.add_argument("--profiles", default="clean",
                    help="comma list of profiles (steps joined by +), 'all' (one profile per "
                         f"step of: {', '.join(PROFILES)}) or 'real' ({', '.join(REAL_PROFILES)}); "
                         "steps imitating real archive pages, only by name: "
                         "verylowdpi (70-100 DPI JPEG), ccitt (1-bit 200 DPI, CCITT G4 in PDF "
                         "and TIFF; put it last), colorscan (colour office scan, JPEG), yellowed "
                         "(old paper), margin_notes (ink notes in the margins), received_stamp "
                         "(red 'CV ĐẾN' box with a handwritten number)")  # fmt: skip
    ap.add_argument("--seed", type=int, default=0, help="first document seed")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--max-pages", type=int, default=2, help="pages per document: 1..N by seed")
    ap.add_argument("--pages", type=int, default=None, help="exact pages per document")
    ap.add_argument("--font", default="mix", choices=[*ALL_FONTS, "mix"],
                    help=f"mix: one of {', '.join(FONTS)} by seed; typewriter (FreeMono) and "
                         "condensed (DejaVu Serif Condensed, fonts-dejavu-extra) give a 1990s "
                         "look, letters on an uneven baseline with uneven ink")  # fmt: skip
    ap.add_argument("--family", default=None, choices=["party", "state"])
    ap.add_argument("--doc-type", default=None, choices=list(PARTY_TYPES),
                    help="force the type code; with --family state, CV makes công văn as the "
                         "state writes them: 507/UBND-KGVX (no type code), 'V/v ...' under the "
                         "number, a 'Kính gửi:' line or list")  # fmt: skip
    ap.add_argument("--handwritten", action="store_true",
                    help="leave the number and the day of the date blank in print and write "
                         "them in ink (blue or black pen strokes), as offices do after signing; "
                         "the truth text leaves them out, fields.json keeps the values and "
                         "flags them in 'handwritten', pages.json has their boxes")  # fmt: skip
    ap.add_argument("--pdf-stamp", action="store_true",
                    help="add an e-government portal's signing stamp ('Ký bởi: ... / Cơ quan: "
                         "... / Thời gian ký: ...') as small real text at the top right of "
                         "the PDF's page 1, over the page image (pikepdf, fontTools)")  # fmt: skip
    ap.add_argument("--pdf-sign", action="store_true",
                    help="--pdf-stamp, then sign the PDF (CMS; self-signed certificate in the "
                         "signer's name, at the stamp's time; pyHanko); fields.json gets "
                         "'signatures' as the record holds them")  # fmt: skip
    ap.add_argument("--split", default="all", choices=["all", "train", "heldout"],
                    help=f"only this split (heldout: seed %% {HELDOUT_MODULUS} == 0)")  # fmt: skip
    ap.add_argument("--formats", default="images,pdf",
                    help=f"comma list of scan files to write: {', '.join(FORMATS)}")  # fmt: skip
    args = ap.parse_args(argv)
    profiles = _profiles(args.profiles)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    entries = []
    seed = args.seed
    made = 0
    while made < args.count:
        if args.split != "all" and split_of(seed) != args.split:
            seed += 1
            continue
        n_pages = args.pages or random.Random(f"pages-{seed}").randint(1, max(1, args.max_pages))
        doc = make_document(seed, args.family, n_pages, args.handwritten, args.doc_type)
        font = _font_for(seed, args.font)
        stamp = signature_stamp(doc.fields, seed) if args.pdf_stamp or args.pdf_sign else None
        for profile in profiles:
            pages = render(doc, profile, dpi=args.dpi, font=font, seed=seed)
            stem = f"{seed:06d}-{profile}"
            paths = write_document(
                doc, pages, args.out, stem, font=font, formats=formats, stamp=stamp,
                sign=args.pdf_sign,
            )
            entries.append(
                {
                    "stem": stem,
                    "seed": seed,
                    "split": doc.split,
                    "family": doc.family,
                    "doc_type": doc.fields["doc_type"],
                    "profile": profile,
                    "font": font,
                    "dpi": pages[0].dpi,
                    "pages": len(pages),
                    "files": {k: str(p.relative_to(args.out)) for k, p in paths.items()},
                }
            )
            print(f"{stem}: {len(pages)} page(s), {doc.fields['doc_number']}", file=sys.stderr)
        made += 1
        seed += 1
    _update_manifest(args.out / "manifest.json", entries, sys.argv[1:] if argv is None else argv)
    return 0


def _update_manifest(path: Path, entries: list[dict[str, Any]], argv: list[str]) -> None:
    """Add this run's documents to the folder's manifest; a re-made stem replaces its entry."""
    old: dict[str, Any] = (
        json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"runs": []}
    )
    stems = {e["stem"] for e in entries}
    kept = [e for e in old.get("documents", []) if e["stem"] not in stems]
    manifest = {
        "generator": "scripts/make_scans.py",
        "heldout_rule": f"seed % {HELDOUT_MODULUS} == 0",
        "runs": [*old.get("runs", []), argv],
        "documents": sorted([*kept, *entries], key=lambda e: str(e["stem"])),
    }
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
