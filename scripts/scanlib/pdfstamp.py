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
PUBLISHER_PT = 7.9
VN_TIME = dt.timezone(dt.timedelta(hours=7))


def signature_stamp(fields: dict[str, Any], seed: int) -> dict[str, Any]:
    """Who signed (the issuing body), its organisation and when (a little after the
    document's date); most of the time (70%) also the portal that published it a little
    later (`publisher`: "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", its e-mail, its time), whose block
    of text sits to the left of the signer's on the real pages."""
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
    if any("huyện" in x for x in lines):
        where = "Huyện"
    elif place in ("Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ"):
        where = "Thành phố"
    else:
        where = "Tỉnh"
    organisation = f"{where} {place}".strip()
    day = dt.date.fromisoformat(str(fields["date"])) + dt.timedelta(days=r.choice([0, 0, 1, 2]))
    when = dt.datetime(day.year, day.month, day.day, r.randint(7, 16), r.randint(0, 59),
                       r.randint(0, 59), tzinfo=VN_TIME)  # fmt: skip
    stamp: dict[str, Any] = {
        "signer": signer,
        "organisation": organisation,
        "locality": place,
        "time": when.isoformat(),
        "text": "\n".join(stamp_lines(signer, organisation, when)),
        "publisher": None,
    }
    if r.random() < 0.7:
        from unidecode import unidecode

        later = when + dt.timedelta(minutes=r.randint(20, 240))
        email = f"ttcbth@{unidecode(place).lower().replace(' ', '')}.gov.vn"
        stamp["publisher"] = {
            "signer": "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC",
            "organisation": f"ỦY BAN NHÂN DÂN {where.upper()} {place.upper()}",
            "locality": place,
            "time": later.isoformat(),
            "text": "\n".join(["TRUNG TÂM CÔNG BÁO", "VÀ TIN HỌC", email,
                               later.strftime("%d.%m.%Y %H:%M:%S +07:00")]),
        }  # fmt: skip
    return stamp


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


def add_text_stamp(path: Path, lines: list[str], publisher: list[str] | None = None) -> None:
    """Draw `lines` as real text in the top right corner of page 1 of the PDF at `path`
    (5.5 pt, blue, as the signing software leaves it) and `publisher`'s lines, if any, to
    their left (8 pt, black), as on the Quảng Ngãi portal's PDFs."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]
        font, gids, widths = _font_objects(pdf, "".join(lines + (publisher or [])))
        resources = page.obj.Resources
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font.FStamp = font
        _x0, _y0, x1, y1 = (float(v) for v in page.obj.MediaBox)

        def width(ln: str) -> float:
            return sum(widths.get(gids.get(ch, 0), 500) for ch in ln) / 1000

        ops = ["q"]

        def block(text: list[str], size: float, x: float, top: float, colour: str) -> None:
            ops.extend([colour, "BT", f"/FStamp {size} Tf"])
            for i, ln in enumerate(text):
                y = y1 - top - size - i * size * 1.1
                hexed = "".join(f"{gids.get(ch, 0):04X}" for ch in ln)
                ops.extend([f"1 0 0 1 {x:.2f} {y:.2f} Tm", f"<{hexed}> Tj"])
            ops.append("ET")

        x = x1 - 8 - max(width(ln) for ln in lines) * STAMP_PT
        block(lines, STAMP_PT, x, 4, "{:.3f} {:.3f} {:.3f} rg".format(*STAMP_COLOUR))
        if publisher:
            px = x - 40 - max(width(ln) for ln in publisher) * PUBLISHER_PT
            block(publisher, PUBLISHER_PT, px, 7, "0 0 0 rg")
        ops.append("Q")
        page.contents_add(pikepdf.Stream(pdf, ("\n".join(ops) + "\n").encode("ascii")))
        pdf.save(path, deterministic_id=True)


class _SigningKey:
    """One RSA key per process: key generation is the slow part of signing."""

    key: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls.key is None:
            from cryptography.hazmat.primitives.asymmetric import rsa

            cls.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls.key


def _self_signed(signer: str, organisation: str, locality: str, when: dt.datetime,
                 serial: int) -> Any:  # fmt: skip
    """A pyHanko signer with a self-signed certificate in these names."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = _SigningKey.get()
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, signer),
        x509.NameAttribute(NameOID.LOCALITY_NAME, locality or "Việt Nam"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or signer),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
    ])  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(when - dt.timedelta(days=365))
        .not_valid_after(when + dt.timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )


def sign_pdf(path: Path, stamp: dict[str, Any], seed: int) -> list[dict[str, Any]]:
    """Sign the PDF at `path` as the portal's PDFs are signed: `Signature1` by the stamp's
    signer at the stamp's time, then (when the stamp has a publisher) `Signature2` by the
    publishing centre, an incremental update after which the first signature no longer
    covers the whole file. Invisible fields; self-signed certificates in those names; CMS
    by pyHanko. Returns the signatures as the record's `signatures` holds them. Not
    byte-reproducible (a fresh key per process)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    parties = [stamp] + ([stamp["publisher"]] if stamp.get("publisher") else [])
    out: list[dict[str, Any]] = []
    for i, party in enumerate(parties):
        when = dt.datetime.fromisoformat(party["time"])

        class _AtStampTime(signers.PdfSigner):  # type: ignore[misc]
            def init_signing_session(
                self, pdf_out: Any, existing_fields_only: bool = False, _when: Any = when
            ) -> Any:
                session = super().init_signing_session(pdf_out, existing_fields_only)
                session.system_time = _when
                return session

        signer = _self_signed(party["signer"], party["organisation"], party["locality"], when,
                              1000 + 2 * seed + i)  # fmt: skip
        field = f"Signature{i + 1}"
        meta = signers.PdfSignatureMetadata(field_name=field, location=party["locality"])
        with open(path, "rb") as fh:
            signed = _AtStampTime(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(fh))
        Path(path).write_bytes(signed.getvalue())
        out.append({
            "signer": party["signer"],
            "organisation": party["organisation"],
            "time": when.isoformat(),
            "intact": True,
            "covers_whole_file": i == len(parties) - 1,
            "field_name": field,
        })  # fmt: skip
    return out
