"""The document record: dataclasses that round-trip to JSON and validate against the schema.

The contract is the one in DESIGN.md; `SCHEMA_VERSION` changes whenever a key changes meaning.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_VERSION = "1.1"  # 1.1: `review`, `signatures`, page `blank` and `image_source`

Json = dict[str, Any]


@dataclass
class Source:
    path: str
    sha256: str
    media_type: str
    pages: int
    size_bytes: int = 0


@dataclass
class Word:
    text: str
    bbox: list[int]  # x0, y0, x1, y1 in page pixels
    confidence: float


@dataclass
class Line:
    text: str
    bbox: list[int]
    confidence: float
    block: int = 0
    words: list[Word] = field(default_factory=list)


@dataclass
class PageImage:
    media_type: str
    width: int
    height: int
    sha256: str
    dpi: int = 300


@dataclass
class Page:
    number: int  # 1-based
    text: str  # restored
    raw_text: str  # as recognised or read
    confidence: float | None  # mean OCR word confidence 0..100; None for text inputs
    method: str = "ocr"  # "ocr", "text-layer" or "text"
    width: int = 0
    height: int = 0
    image: PageImage | None = None
    lines: list[Line] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)  # cleanup steps applied, in order
    errors: list[str] = field(default_factory=list)
    blank: bool = False  # no ink worth reading: kept as a page, never a failure
    image_source: str | None = None  # "embedded" (the scanner's image), "rendered", "file"


@dataclass
class Signer:
    authority: str | None = None  # "T/M ĐẢNG ỦY"
    title: str | None = None  # "BÍ THƯ"
    name: str | None = None


@dataclass
class ReviewItem:
    """A field a person should check: missing, unsure or only partly read."""

    field: str  # the record key: "number", "date", "doc_type", "issuer", "subject", "signer"
    reason: str  # one line, for the person who checks


@dataclass
class DigitalSignature:
    """A CMS signature of a signed PDF, as read offline from its signature dictionary."""

    signer: str | None = None  # the certificate's common name
    organisation: str | None = None
    time: str | None = None  # ISO timestamp of signing, as the signature states it
    intact: bool | None = None  # the signed bytes hash to the signed digest; None: unchecked
    covers_whole_file: bool | None = None  # False when bytes were appended after signing
    field_name: str | None = None


@dataclass
class Span:
    start: int
    end: int
    text: str
    confidence: float


@dataclass
class Quality:
    ocr_confidence: float | None = None
    restoration_confidence: float | None = None
    low_confidence_spans: list[Span] = field(default_factory=list)


@dataclass
class Provenance:
    sohoa_version: str
    created: str  # ISO timestamp
    engines: dict[str, str] = field(default_factory=dict)  # program -> version
    models: dict[str, str] = field(default_factory=dict)  # model name -> version
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Record:
    id: str  # sha256 of the source bytes
    source: Source
    text: str
    raw_text: str
    pages: list[Page]
    provenance: Provenance
    schema_version: str = SCHEMA_VERSION
    family: str | None = None  # "party" or "state"
    doc_type: str | None = None  # "BÁO CÁO"
    type_code: str | None = None  # "BC"
    number: int | None = None
    symbol: str | None = None  # "BC/ĐUK"
    doc_number: str | None = None  # "196-BC/ĐUK"
    issuer_code: str | None = None  # "ĐUK"
    issuer: list[str] = field(default_factory=list)  # header lines, top-down
    national_heading: str | None = None
    place: str | None = None
    date: str | None = None  # ISO date, or partial "2025-06" when the day is blank
    subject: str | None = None
    draft: str | None = None
    marks: list[str] = field(default_factory=list)  # MẬT, KHẨN, HOẢ TỐC ...
    term: str | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)  # "Đồng kính gửi"
    references: list[Json] = field(default_factory=list)
    sections: list[Json] = field(default_factory=list)
    tables: list[Json] = field(default_factory=list)
    footnotes: list[Json] = field(default_factory=list)
    figures: list[Json] = field(default_factory=list)
    evidence: dict[str, Json] = field(default_factory=dict)
    language: str = "vi"
    quality: Quality = field(default_factory=Quality)
    errors: list[str] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    signatures: list[DigitalSignature] = field(default_factory=list)

    def to_dict(self) -> Json:
        return dataclasses.asdict(self)

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: Json) -> Record:
        return _build(cls, data)

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(json.loads(text))


def _build(tp: Any, value: Any) -> Any:
    """Rebuild a typed value from plain JSON data, following the dataclass type hints."""
    if value is None:
        return None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: _build(hints[k], v) for k, v in value.items() if k in known})
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _build(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        return [_build(args[0], v) for v in value]
    if origin is dict:
        return {k: _build(args[1], v) for k, v in value.items()}
    return value


@cache
def _hints(tp: type) -> dict[str, Any]:
    return typing.get_type_hints(tp)


@cache
def schema() -> Json:
    """The JSON Schema of a record (pipeline/schema/record.schema.json)."""
    text = resources.files("pipeline").joinpath("schema/record.schema.json").read_text("utf-8")
    loaded: Json = json.loads(text)
    return loaded


def validate(data: Json) -> None:
    """Raise jsonschema.ValidationError when `data` does not follow the record schema."""
    import jsonschema

    jsonschema.validate(data, schema())
