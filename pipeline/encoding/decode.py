"""Bytes of a text file to NFC text: BOMs, UTF-16, UTF-8, Windows-1258 and legacy 8-bit
Vietnamese encodings, chosen by how Vietnamese each reading looks."""

from __future__ import annotations

import codecs
import collections
import logging
import unicodedata
from dataclasses import dataclass

from pipeline.encoding.legacy import cp1252_view
from pipeline.encoding.lexicon import plausibility
from pipeline.encoding.repair import LEGACY_DECODERS, clearly_better, repair_text

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
UTF16_MIN_NUL_SHARE = 0.2
"""Share of NUL bytes in one byte lane (and almost none in the other) that means UTF-16."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Decoded NFC text, the encoding found ("utf-8", "tcvn3", "utf-8+vni", ...) and notes."""

    text: str
    encoding: str
    notes: tuple[str, ...]


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 byte order whose high-byte lane is mostly NUL (ASCII in UTF-16), if any."""
    if len(data) < 2 or len(data) % 2:
        return None
    half = len(data) // 2
    even = data[0::2].count(0) / half
    odd = data[1::2].count(0) / half
    if odd >= UTF16_MIN_NUL_SHARE and even < UTF16_MIN_NUL_SHARE / 4:
        return "utf-16-le"
    if even >= UTF16_MIN_NUL_SHARE and odd < UTF16_MIN_NUL_SHARE / 4:
        return "utf-16-be"
    return None


def _best_legacy(view: str) -> tuple[str, str]:
    """(encoding, text) of the reading of 8-bit text that looks most like Vietnamese."""
    readings = [("cp1252", view)]
    for name, decoder in LEGACY_DECODERS.items():
        decoded = decoder(view)
        if decoded is not None:
            readings.append((name, unicodedata.normalize("NFC", decoded)))
    scored = [(plausibility(text), name, text) for name, text in readings]
    log.debug("8-bit readings: %s", {n: (s.valid, s.invalid) for s, n, _ in scored})
    plain = scored[0][0]
    better = [item for item in scored[1:] if clearly_better(item[0], plain)]
    if not better:
        return "cp1252", view
    _, name, text = max(better, key=lambda item: (item[0].net, item[0].log_count))
    return name, text


def _decode(data: bytes, notes: list[str]) -> tuple[str, str]:
    """(text, encoding) before repair."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name, errors="replace")
            if "\ufffd" in text:
                notes.append(f"invalid {name} sequences replaced by U+FFFD")
            return text, name
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
            notes.append(f"{utf16} without byte-order mark")
            return text, utf16
        except UnicodeDecodeError:
            pass
    if data.isascii():
        return data.decode("ascii"), "ascii"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8: dict[int, str] = {}
    for index, line in enumerate(lines):
        if not line.isascii():
            try:
                utf8[index] = line.decode("utf-8")
            except UnicodeDecodeError:
                continue
    legacy = [i for i, line in enumerate(lines) if i not in utf8 and not line.isascii()]
    if not utf8:
        name, text = _best_legacy(cp1252_view(data))
        return text, name
    name, decoded = _best_legacy(cp1252_view(b"\n".join(lines[i] for i in legacy)))
    fixed = dict(zip(legacy, decoded.split("\n"), strict=True))
    fixed.update(utf8)
    notes.append(f"mixed file: {len(utf8)} UTF-8 lines, {len(legacy)} {name} lines")
    text = "\n".join(
        fixed[i] if i in fixed else line.decode("ascii") for i, line in enumerate(lines)
    )
    return text, f"utf-8+{name}"


def decode_bytes(data: bytes, repair: bool = True) -> DecodedText:
    """Decode a text file's bytes to NFC text, then (by default) repair garbled lines.

    Repair (see `repair_text`) fixes lines that were garbled before the file was written:
    UTF-8 read as Windows-1252, legacy bytes pasted as Windows-1252 text, VIQR.
    """
    notes: list[str] = []
    text, encoding = _decode(data, notes)
    text = unicodedata.normalize("NFC", text)
    if repair:
        result = repair_text(text)
        if result.changed:
            tally = collections.Counter(k for k in result.kinds if k not in ("ok", "nfd"))
            if tally:
                notes.append("repaired lines: " + ", ".join(f"{k} {n}" for k, n in tally.items()))
            text = result.text
    return DecodedText(text, encoding, tuple(notes))
