"""The document record: typed dataclasses for every part, JSON round trip, and the JSON Schema
generated from the dataclasses themselves.

The contract is the one in DESIGN.md. Each attribute says what it holds in its annotation
(`Annotated[type, Doc(...)]`); `json_schema()` turns the dataclasses into the JSON Schema
that `pipeline/schema/record.schema.json` holds (a test keeps the file equal to it), so a
new field is declared once, in `Fields` (what extraction finds) or `Record`.

`SCHEMA_VERSION` changes whenever a key changes meaning (docs/ingest.md, "Record").
This module imports nothing else of the package.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Annotated, Any

# 1.1: `review`, `signatures`, page `blank` and `image_source`
# 1.2: every part typed: references, sections, tables, footnotes, figures and evidence have
#      fixed keys (they were free objects); no key changed or left, so 1.1 records still load
SCHEMA_VERSION = "1.2"
READS_VERSIONS = ("1.1", "1.2")  # older records load; `to_dict` writes SCHEMA_VERSION

Json = dict[str, Any]
Cell = str | int | float  # a table cell: a number when it reads as one, else its text


@dataclass(frozen=True)
class Doc:
    """What an attribute holds, for the JSON Schema: a description and extra keywords
    (`pattern`, `enum`, `minimum`, ...). `optional`: the key is left out of the JSON when
    its value is None (keys only some items have, such as a figure's `of`)."""

    text: str
    optional: bool = False
    schema: Json = field(default_factory=dict)


def doc(text: str, optional: bool = False, **schema: Any) -> Doc:
    return Doc(text, optional, schema)


SHA256 = {"pattern": "^[0-9a-f]{64}$"}
OFFSET = {"minimum": 0}


@dataclass
class Source:
    """The file a record was made from."""

    path: Annotated[str, doc("the path it was read from")]
    sha256: Annotated[str, doc("sha256 of its bytes", **SHA256)]
    media_type: Annotated[str, doc("detected from its content: application/pdf, image/png, ...")]
    pages: Annotated[int, doc("pages it holds", minimum=0)]
    size_bytes: Annotated[int, doc("its size", minimum=0)] = 0


@dataclass
class Word:
    """One OCR word."""

    text: Annotated[str, doc("as recognised")]
    bbox: Annotated[list[int], doc("x0, y0, x1, y1 in page pixels", minItems=4, maxItems=4)]
    confidence: Annotated[float, doc("Tesseract's word confidence, 0..100")]


@dataclass
class Line:
    """One OCR line, with its words."""

    text: Annotated[str, doc("as recognised")]
    bbox: Annotated[list[int], doc("x0, y0, x1, y1 in page pixels", minItems=4, maxItems=4)]
    confidence: Annotated[float, doc("mean word confidence, 0..100")]
    block: Annotated[int, doc("the text block it belongs to, in reading order")] = 0
    words: Annotated[list[Word], doc("its words, left to right")] = field(default_factory=list)


@dataclass(frozen=True)
class PageImage:
    """The cleaned page image the store keeps (PNG)."""

    media_type: Annotated[str, doc("image/png")]
    width: Annotated[int, doc("pixels")]
    height: Annotated[int, doc("pixels")]
    sha256: Annotated[str, doc("sha256 of the image bytes", **SHA256)]
    dpi: Annotated[int, doc("its resolution")] = 300


@dataclass(frozen=True)
class Page:
    """One page as read: its text and, for a scan, its lines and image. Immutable once
    built: a later stage makes a changed copy (`dataclasses.replace`)."""

    number: Annotated[int, doc("1-based", minimum=1)]
    text: Annotated[str, doc("restored text")]
    raw_text: Annotated[str, doc("as recognised or read")]
    confidence: Annotated[float | None, doc("mean OCR word confidence 0..100; null for text")]
    method: Annotated[str, doc("how it was read", enum=["ocr", "text-layer", "text"])] = "ocr"
    width: Annotated[int, doc("cleaned image width in pixels; 0 without image", **OFFSET)] = 0
    height: Annotated[int, doc("cleaned image height in pixels; 0 without image", **OFFSET)] = 0
    image: Annotated[PageImage | None, doc("the cleaned image the store keeps")] = None
    lines: Annotated[list[Line], doc("OCR lines in reading order")] = field(default_factory=list)
    cleanup: Annotated[list[str], doc("cleanup steps applied, in order")] = field(
        default_factory=list
    )
    errors: Annotated[list[str], doc("what went wrong on this page")] = field(default_factory=list)
    blank: Annotated[bool, doc("no ink worth reading; kept as a page, never a failure")] = False
    image_source: Annotated[
        str | None,
        doc(
            "embedded: the scanner's own image taken out of the PDF; rendered; file",
            enum=["embedded", "rendered", "file", None],
        ),
    ] = None


@dataclass
class Signer:
    """The signature block."""

    authority: Annotated[str | None, doc("the line above the title: 'T/M ĐẢNG ỦY'")] = None
    title: Annotated[str | None, doc("'BÍ THƯ'")] = None
    name: Annotated[str | None, doc("the signer's name")] = None


@dataclass
class ReviewItem:
    """A field a person should check: missing, unsure or only partly read."""

    field: Annotated[str, doc("the record key: number, date, doc_type, issuer, subject, ...")]
    reason: Annotated[str, doc("one line for the person who checks")]


@dataclass
class DigitalSignature:
    """A CMS signature of a signed PDF, as read offline from its signature dictionary."""

    signer: Annotated[str | None, doc("the certificate's common name")] = None
    organisation: Annotated[str | None, doc("the certificate's organisation")] = None
    time: Annotated[str | None, doc("ISO time of signing, as the signature states it")] = None
    intact: Annotated[
        bool | None, doc("the signed bytes hash to the signed digest; null: unchecked")
    ] = None
    covers_whole_file: Annotated[
        bool | None, doc("false when bytes were appended after signing")
    ] = None
    field_name: Annotated[str | None, doc("the PDF signature field")] = None


@dataclass
class Span:
    """A stretch of the record's text the restoration is unsure of."""

    start: Annotated[int, doc("offset in the record's text", **OFFSET)]
    end: Annotated[int, doc("offset in the record's text (exclusive)", **OFFSET)]
    text: Annotated[str, doc("the text there")]
    confidence: Annotated[float, doc("0..1", minimum=0, maximum=1)]


@dataclass
class Quality:
    """How sure the machine is of the text."""

    ocr_confidence: Annotated[float | None, doc("mean page confidence 0..100; null: no OCR")] = None
    restoration_confidence: Annotated[
        float | None, doc("mean restoration confidence 0..1; null: nothing restored")
    ] = None
    low_confidence_spans: Annotated[list[Span], doc("text the restoration is unsure of")] = field(
        default_factory=list
    )


@dataclass
class Provenance:
    """What made the record."""

    sohoa_version: Annotated[str, doc("the sohoa version")]
    created: Annotated[str, doc("ISO time the record was built")]
    engines: Annotated[dict[str, str], doc("program -> version")] = field(default_factory=dict)
    models: Annotated[dict[str, str], doc("model name -> version")] = field(default_factory=dict)
    timings: Annotated[dict[str, float], doc("stage -> seconds, summed over pages")] = field(
        default_factory=dict
    )
    options: Annotated[Json, doc("run options worth keeping")] = field(default_factory=dict)


# -- the parts field extraction finds -----------------------------------------------------
# `start` and `end` are offsets into the NFC form of the record's `text`.


@dataclass(frozen=True)
class Evidence:
    """Where a value came from in the record's text, and how sure the rule is."""

    start: Annotated[int, doc("offset in the text", **OFFSET)]
    end: Annotated[int, doc("offset in the text (exclusive)", **OFFSET)]
    text: Annotated[str, doc("the text there")]
    confidence: Annotated[float, doc("0..1, rounded to 3 places", minimum=0, maximum=1)]


@dataclass
class Reference:
    """A cited document: 'Chương trình số 13-CTr/ĐUK, ngày 07/4/2021 của Ban Chấp hành ...'.
    Mentions of one document are merged into one reference."""

    type: Annotated[str, doc("its type as named: 'Chương trình', 'Luật'")]
    number: Annotated[int | None, doc("13; null for a law cited by name")]
    symbol: Annotated[str | None, doc("'CTr/ĐUK'; null when not written")]
    date: Annotated[str | None, doc("ISO date, when cited")]
    issuer: Annotated[str | None, doc("'Ban Chấp hành Đảng bộ Khối', when cited")]
    text: Annotated[str, doc("the citation as written")]
    start: Annotated[int, doc("offset in the text", **OFFSET)]
    end: Annotated[int, doc("offset in the text (exclusive)", **OFFSET)]
    name: Annotated[str | None, doc("a law cited by its name: 'Lưu trữ'", optional=True)] = None


@dataclass
class Section:
    """A numbered heading of the body (I-, 1., 1.1., a))."""

    level: Annotated[int, doc("1 roman, 2 '1.', 3 '1.1.', 4 '1.1.1.', 5 'a)'", minimum=1)]
    number: Annotated[str, doc("'II', '1.2', 'a'")]
    title: Annotated[str, doc("the heading's words")]
    start: Annotated[int, doc("offset in the text", **OFFSET)]


@dataclass
class Footnote:
    """A note at the foot of a page, with its marker."""

    marker: Annotated[str, doc("'1', '*'")]
    text: Annotated[str, doc("the note")]
    start: Annotated[int, doc("offset in the text", **OFFSET)]
    end: Annotated[int, doc("offset in the text (exclusive)", **OFFSET)]


@dataclass
class Figure:
    """A key figure of the body: a count or a percentage with what it counts."""

    value: Annotated[int | float, doc("the number")]
    unit: Annotated[str, doc("'%' or the counted noun phrase")]
    noun: Annotated[str | None, doc("the words after the number ('chi bộ')")]
    text: Annotated[str, doc("the figure as written")]
    start: Annotated[int, doc("offset in the text", **OFFSET)]
    end: Annotated[int, doc("offset in the text (exclusive)", **OFFSET)]
    of: Annotated[int | float | None, doc("the whole of 'a/b' ('25/30 chi bộ')", optional=True)] = (
        None
    )
    qualifier: Annotated[str | None, doc("'trên', 'gần', ... before it", optional=True)] = None


@dataclass
class Table:
    """A table (an appendix, PHỤ LỤC) with its header and rows."""

    title: Annotated[str | None, doc("its label: 'PHỤ LỤC 1'")]
    number: Annotated[str | None, doc("the appendix number: '1', 'II'")]
    caption: Annotated[str | None, doc("the line(s) below the label")]
    header: Annotated[list[str], doc("one cell per column (multi-row headers joined)")]
    header_rows: Annotated[list[list[str]], doc("the header rows as written")]
    rows: Annotated[list[list[Cell]], doc("data rows; STT stays text, numbers become numbers")]
    start: Annotated[int, doc("offset in the text", **OFFSET)]
    end: Annotated[int, doc("offset in the text (exclusive)", **OFFSET)]
    page: Annotated[int | None, doc("the page it was read from by layout", optional=True)] = None


@dataclass(kw_only=True)
class Fields:
    """Everything field extraction finds in a document; the record is these plus what the
    pipeline knows of the source (`Record`)."""

    family: Annotated[str | None, doc("party or state", enum=["party", "state", None])] = None
    doc_type: Annotated[str | None, doc("'BÁO CÁO'")] = None
    type_code: Annotated[str | None, doc("'BC'")] = None
    number: Annotated[int | None, doc("196")] = None
    symbol: Annotated[str | None, doc("'BC/ĐUK'")] = None
    doc_number: Annotated[str | None, doc("'196-BC/ĐUK'")] = None
    issuer_code: Annotated[str | None, doc("'ĐUK'")] = None
    issuer: Annotated[list[str], doc("header lines of the issuing body, top-down")] = field(
        default_factory=list
    )
    national_heading: Annotated[str | None, doc("'ĐẢNG CỘNG SẢN VIỆT NAM'")] = None
    place: Annotated[str | None, doc("'Thanh Hoá'")] = None
    date: Annotated[
        str | None,
        doc(
            "ISO date; '2025-06' when the day is blank",
            pattern="^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        ),
    ] = None
    subject: Annotated[str | None, doc("the trích yếu")] = None
    draft: Annotated[str | None, doc("'Dự thảo lần 2'")] = None
    marks: Annotated[list[str], doc("MẬT, KHẨN, HOẢ TỐC ...")] = field(default_factory=list)
    term: Annotated[str | None, doc("'2020-2025'")] = None
    signer: Annotated[Signer, doc("the signature block")] = field(default_factory=Signer)
    recipients: Annotated[list[str], doc("Nơi nhận")] = field(default_factory=list)
    cc: Annotated[list[str], doc("Đồng kính gửi")] = field(default_factory=list)
    references: Annotated[list[Reference], doc("cited documents")] = field(default_factory=list)
    sections: Annotated[list[Section], doc("numbered headings")] = field(default_factory=list)
    tables: Annotated[list[Table], doc("tables and appendices")] = field(default_factory=list)
    footnotes: Annotated[list[Footnote], doc("footnotes")] = field(default_factory=list)
    figures: Annotated[list[Figure], doc("key figures of the body")] = field(default_factory=list)
    evidence: Annotated[
        dict[str, Evidence],
        doc("field key ('date', 'signer.name') -> where its value was read"),
    ] = field(default_factory=dict)
    review: Annotated[list[ReviewItem], doc("fields a person should check; empty when sure")] = (
        field(default_factory=list)
    )


@dataclass
class Record(Fields):
    """One document: its source, text and pages, the extracted `Fields`, quality and
    provenance."""

    id: Annotated[str, doc("sha256 of the source bytes", **SHA256)]
    source: Annotated[Source, doc("the file it was made from")]
    text: Annotated[str, doc("restored text, pages joined by a blank line")]
    raw_text: Annotated[str, doc("as recognised or read")]
    pages: Annotated[list[Page], doc("its pages, in order")]
    provenance: Annotated[Provenance, doc("what made it")]
    schema_version: Annotated[str, doc("the version of this schema")] = SCHEMA_VERSION
    language: Annotated[str, doc("'vi'")] = "vi"
    quality: Annotated[Quality, doc("how sure the machine is")] = field(default_factory=Quality)
    errors: Annotated[list[str], doc("pages or steps that failed")] = field(default_factory=list)
    signatures: Annotated[list[DigitalSignature], doc("digital signatures of a signed PDF")] = (
        field(default_factory=list)
    )

    def to_dict(self) -> Json:
        """Plain JSON data: the record's own keys first, then the fields."""
        data = plain(self)
        own = [f.name for f in dataclasses.fields(Record) if f.name not in _FIELD_NAMES]
        return {"schema_version": data["schema_version"]} | {k: data[k] for k in own} | data

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: Json) -> Record:
        """A record from JSON data of any version in READS_VERSIONS (it then says
        SCHEMA_VERSION: the data is a valid record of this version)."""
        rest = {k: v for k, v in data.items() if k != "schema_version"}
        built: Record = _build(cls, rest)
        return built

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(json.loads(text))


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Fields))


def with_fields(record: Record, fields: Fields) -> Record:
    """A copy of `record` holding `fields` (every extracted field replaced)."""
    return dataclasses.replace(record, **{name: getattr(fields, name) for name in _FIELD_NAMES})


# -- JSON ------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Plain JSON data of a typed value (a record or any part of one); keys marked optional
    are left out when None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        docs = _docs(type(value))
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None and docs[f.name].optional:
                continue
            out[f.name] = plain(item)
        return out
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _build(tp: Any, value: Any) -> Any:
    """Rebuild a typed value from plain JSON data, following the dataclass type hints."""
    if value is None:
        return None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp) if f.init}
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
def _docs(tp: type) -> dict[str, Doc]:
    """Each attribute's `Doc` (from its annotation)."""
    out = {}
    for name, hint in typing.get_type_hints(tp, include_extras=True).items():
        found = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Doc)]
        if not found:
            raise TypeError(f"{tp.__name__}.{name} has no Doc in its annotation")
        out[name] = found[0]
    return out


# -- JSON Schema -----------------------------------------------------------------------------

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_schema() -> Json:
    """The JSON Schema of a record, made from the dataclasses (draft 2020-12)."""
    defs: dict[str, Json] = {}
    top = _object_schema(Record, defs)
    top["properties"]["schema_version"] = {
        "description": "the version of this schema; older versions this sohoa reads: "
        + ", ".join(READS_VERSIONS[:-1]),
        "enum": list(READS_VERSIONS),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://sohoa.local/schema/record-{SCHEMA_VERSION}.json",
        "title": "sohoa document record",
        **top,
        "$defs": dict(sorted(defs.items())),
    }


def _object_schema(tp: type, defs: dict[str, Json]) -> Json:
    hints = _hints(tp)
    docs = _docs(tp)
    properties: Json = {}
    required = []
    for f in dataclasses.fields(tp):
        about = docs[f.name]
        properties[f.name] = {
            "description": about.text,
            **_type_schema(hints[f.name], defs),
            **about.schema,
        }
        if not about.optional:
            required.append(f.name)
    return {
        "description": " ".join((tp.__doc__ or "").split()),
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


def _type_schema(tp: Any, defs: dict[str, Json]) -> Json:
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    if tp is Any:
        return {}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = _def_name(tp)
        if name not in defs:
            defs[name] = {}  # claimed before its own parts are described
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_schema(a, defs) for a in args if a is not type(None)]
        nullable = type(None) in args
        if all(set(p) == {"type"} for p in parts):
            names = [p["type"] for p in parts] + (["null"] if nullable else [])
            return {"type": names[0] if len(names) == 1 else names}
        return {"anyOf": parts + ([{"type": "null"}] if nullable else [])}
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs)}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _def_name(tp: type) -> str:
    """`ReviewItem` -> `review_item`."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in tp.__name__).lstrip("_")


@cache
def schema() -> Json:
    """The JSON Schema of a record, as shipped (pipeline/schema/record.schema.json)."""
    text = resources.files("pipeline").joinpath("schema/record.schema.json").read_text("utf-8")
    loaded: Json = json.loads(text)
    return loaded


def validate(data: Json) -> None:
    """Raise jsonschema.ValidationError when `data` does not follow the record schema."""
    import jsonschema

    jsonschema.validate(data, schema())


def write_schema() -> None:
    """Write `json_schema()` to pipeline/schema/record.schema.json (after a model change:
    `python -m pipeline.record`)."""
    target = resources.files("pipeline").joinpath("schema/record.schema.json")
    with resources.as_file(target) as path:
        path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    write_schema()
