"""Small value parsers shared by the builders: dates, document symbols, numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import Levenshtein

from pipeline.fields.rules import canonical_code, doc_type_by_code, doc_types, issuer_codes
from pipeline.fields.settings import SETTINGS
from pipeline.record import Evidence as Evidence  # the builders import it from here
from pipeline.text.confusions import translation

_YEARS = range(1930, date.today().year + 1)  # no document is dated after it is read


OCR_DIGITS = translation("digits")  # a 1's stem read as i, l, | or !; 0 as o
DATE_DIGITS = translation("date-digits")  # italic "Š" is 8; "Q6", "Ú1": a 0; "TÌ": 11; "†0": 10


def iso_date(year: str | None, month: str | None, day: str | None) -> str | None:
    """ISO date, or "YYYY-MM" when the day is blank (a draft); None when not a real date.

    Parts come from folded text, where OCR may have read 1 as i, l or | ("tháng I2").
    """
    year, month, day = (p.translate(DATE_DIGITS) if p else p for p in (year, month, day))
    if not year or not month or len(year) != 4 or not (year + month + (day or "")).isdigit():
        return None
    y, m = int(year), int(month)
    if y not in _YEARS or not 1 <= m <= 12:
        return None
    if not day:
        return f"{y:04d}-{m:02d}"
    d = int(day)
    days = [31, 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31]
    if not 1 <= d <= days[m - 1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def date_from_text(folded: str) -> str | None:
    """An ISO date from "07/4/2021", "01-10-1997" or "ngày 07 tháng 4 năm 2021" (folded)."""
    digits = re.findall(r"\d+", folded.translate(OCR_DIGITS))
    if len(digits) == 3:
        return iso_date(digits[2], digits[1], digits[0])
    if len(digits) == 2 and re.search(r"th[a-z]{1,3}ng", folded):
        return iso_date(digits[1], digits[0], None)
    return None


@dataclass(frozen=True)
class Symbol:
    """A parsed document number and symbol."""

    number: int | None
    symbol: str  # "BC/ĐUK" (Party) or "QĐ-UBND" (state)
    doc_number: str | None  # "196-BC/ĐUK", "12/QĐ-UBND", "02/2019/TT-BNV"
    type_code: str | None
    issuer_code: str | None
    family: str  # "party" or "state"
    confidence: float




def parse_symbol(
    number: str | None,
    year: str | None,
    type_raw: str,
    issuer_raw: str,
    party: bool,
    expected_type: str | None = None,
) -> Symbol:
    """Build a Symbol from the written parts, mapping OCR-damaged codes onto known ones.

    `expected_type` is the code the cited type implies ("Quyết định" → QĐ); a written code
    within two edits of it is read as that code.
    """
    type_known = {t.code for t in doc_types()}
    issuer_known = set(issuer_codes())
    type_code: str | None
    type_code, t_conf = canonical_code(type_raw, type_known)
    if (
        expected_type
        and type_code != expected_type
        and t_conf < 0.9
        and Levenshtein.distance(type_raw.upper(), expected_type.upper()) <= 2
    ):
        type_code, t_conf = expected_type, 0.75
    issuers, i_conf = [], 1.0
    for part in issuer_raw.split("-"):
        code, conf = canonical_code(part, issuer_known)
        issuers.append(code)
        i_conf = min(i_conf, conf if conf > 0.5 else 0.9)  # unknown but well-formed: keep
    issuer_code = "-".join(issuers)
    num = int(number) if number else None
    if party:
        symbol = f"{type_code}/{issuer_code}"
        doc_number = f"{num:02d}-{symbol}" if num is not None else None
    else:
        if _grown_code(type_raw, type_code, t_conf, expected_type):
            type_code, t_conf = type_raw, 0.6  # a body's code, as unknown codes are
        if doc_type_by_code(type_code) is None and (
            type_code in issuer_known or t_conf < SETTINGS.known_code_confidence
        ):  # Công văn: "123/UBND-VP", "1906/SGDĐT-CTrTT" have no type code, only units
            symbol = f"{type_code}-{issuer_code}"
            issuer_code, type_code = symbol, None
        else:
            symbol = f"{type_code}-{issuer_code}"
        middle = f"/{year}" if year else ""
        doc_number = f"{num:02d}{middle}/{symbol}" if num is not None else None
    return Symbol(
        number=num,
        symbol=symbol,
        doc_number=doc_number,
        type_code=type_code,
        issuer_code=issuer_code,
        family="party" if party else "state",
        confidence=min(t_conf, i_conf),
    )


def _grown_code(raw: str, code: str, confidence: float, expected: str | None) -> bool:
    """A state symbol's first code that became a type code only by dropping a letter:
    "682/SCT-QLĐN" is Sở Công Thương's công văn, not a Chỉ thị (CT) of "QLĐN" (ex-40). A
    department's code is its type's letters and one more often enough (SCT, STC, STP) that
    such a match is not a type; a repeated Đ ("QĐĐ") or the type the text cites is."""
    bare = re.sub("Đ+", "Đ", raw.translate(translation("eth")).upper())
    return (
        confidence <= SETTINGS.known_code_confidence
        and len(bare) > len(code)
        and code != expected
    )


def parse_number(text: str) -> int | float | None:
    """A Vietnamese number: "14.103" → 14103, "56,3" → 56.3, "03" → 3."""
    t = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
        return int(t.replace(".", ""))
    if re.fullmatch(r"\d+", t):
        return int(t)
    if re.fullmatch(r"\d+,\d+", t):
        return float(t.replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", t):
        return float(t.replace(".", "").replace(",", "."))
    return None
