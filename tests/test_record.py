"""The typed record: its JSON Schema made from the dataclasses, old records loading, parts
typed end to end (pipeline/record.py)."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from pipeline import record as model
from pipeline.fields import extract_fields
from pipeline.record import (
    SCHEMA_VERSION,
    Evidence,
    Figure,
    Record,
    Reference,
    Table,
    json_schema,
    plain,
    schema,
    validate,
    with_fields,
)

RECORDS = Path(__file__).parent / "records"
OLD = sorted(RECORDS.glob("*-1.1.json"))


def _old(name: str) -> dict:
    return json.loads((RECORDS / name).read_text(encoding="utf-8"))


def test_the_shipped_schema_is_the_one_the_dataclasses_make() -> None:
    """pipeline/schema/record.schema.json is generated: after changing a dataclass, run
    `python -m pipeline.record` and commit the file."""
    assert schema() == json_schema()


def _dataclasses(tp: type, seen: dict[str, type]) -> dict[str, type]:
    for f in dataclasses.fields(tp):
        for inner in _types_in(model._hints(tp)[f.name]):
            if dataclasses.is_dataclass(inner) and inner.__name__ not in seen:
                seen[inner.__name__] = inner
                _dataclasses(inner, seen)
    return seen


def _types_in(tp: object) -> list[object]:
    args = getattr(tp, "__args__", None)
    return [tp] if not args else [t for a in args for t in _types_in(a)]


def test_every_part_is_described_with_its_keys() -> None:
    """Every dataclass of the record is a schema definition listing each of its attributes
    with a description; none is left a free object."""
    found = _dataclasses(Record, {})
    assert {"Reference", "Section", "Table", "Footnote", "Figure", "Evidence", "ReviewItem",
            "DigitalSignature", "Signer", "Page"} <= set(found)  # fmt: skip
    defs = json_schema()["$defs"]
    for cls in found.values():
        spec = defs[model._def_name(cls)]
        assert spec["additionalProperties"] is False and spec["description"], cls
        assert list(spec["properties"]) == [f.name for f in dataclasses.fields(cls)], cls
        assert all(p["description"] for p in spec["properties"].values()), cls
    top = json_schema()["properties"]
    for name in ("references", "sections", "tables", "footnotes", "figures"):
        assert top[name]["items"]["$ref"].startswith("#/$defs/"), name
    assert top["evidence"]["additionalProperties"] == {"$ref": "#/$defs/evidence"}


@pytest.mark.parametrize("path", OLD, ids=lambda p: p.stem)
def test_a_1_1_record_loads_validates_and_keeps_every_key(path: Path) -> None:
    """A record written with schema 1.1 is valid, loads into the typed model, and writes
    back the same JSON but for its version."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.1"
    validate(data)
    record = Record.from_dict(data)
    out = record.to_dict()
    assert out["schema_version"] == SCHEMA_VERSION == "1.2"
    assert {**out, "schema_version": "1.1"} == data
    validate(out)
    assert Record.from_json(record.to_json()) == record


def test_parts_are_typed() -> None:
    record = Record.from_dict(_old("report-1.1.json"))
    law = record.references[2]
    assert isinstance(law, Reference) and (law.type, law.name, law.number) == (
        "Luật", "Tổ chức chính quyền địa phương", None)  # fmt: skip
    assert record.references[0].name is None and record.references[0].number == 13
    figures = {f.value: f for f in record.figures}
    assert all(isinstance(f, Figure) for f in record.figures)
    assert (figures[80].qualifier, figures[80].unit, figures[25].of) == ("trên", "%", 30)
    (table,) = record.tables
    assert isinstance(table, Table) and table.rows == [["I", "Tổng số", 1117, 56.3],
                                                       ["1", "- Nữ", 3, ""]]  # fmt: skip
    assert [(n.marker, n.text) for n in record.footnotes] == [("1", "Số liệu đến ngày 30/6/2023.")]
    assert [(s.level, s.number) for s in record.sections] == [(1, "I"), (2, "1"), (1, "II")]
    evidence = record.evidence["doc_number"]
    assert isinstance(evidence, Evidence)
    assert record.text[evidence.start : evidence.end] == evidence.text


def test_keys_only_some_items_have_are_left_out_when_empty() -> None:
    """`name` (a law cited by name), `of`, `qualifier` (figures) and `page` (a table read by
    layout) appear only on the items that have them, as in schema 1.1."""
    figure = Figure(value=5, unit="%", noun=None, text="5%", start=0, end=2)
    assert plain(figure) == {"value": 5, "unit": "%", "noun": None, "text": "5%", "start": 0,
                             "end": 2}  # fmt: skip
    assert plain(dataclasses.replace(figure, of=10))["of"] == 10
    required = json_schema()["$defs"]["figure"]["required"]
    assert "of" not in required and "noun" in required


def test_extracted_fields_become_the_records_fields() -> None:
    """Extraction gives `Fields`, the record extends them: one declaration per field."""
    old = Record.from_dict(_old("report-1.1.json"))
    blank = Record(old.id, old.source, old.text, old.raw_text, old.pages, old.provenance)
    rebuilt = with_fields(blank, extract_fields(old.text, old.pages))
    assert rebuilt.to_dict() == {**old.to_dict(), "provenance": rebuilt.to_dict()["provenance"]}
    assert blank.references == []  # with_fields copies; the record it was given is kept


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("references", {"type": "Luật", "number": None, "symbol": None, "date": None,
                        "issuer": None, "text": "Luật", "start": 0, "end": 4, "extra": 1}),
        ("figures", {"value": "năm", "unit": "%", "noun": None, "text": "", "start": 0, "end": 0}),
        ("footnotes", {"marker": "1", "text": "x", "start": 0}),
        ("tables", {"title": None, "number": None, "caption": None, "header": [],
                    "header_rows": [], "rows": [[{"cell": 1}]], "start": 0, "end": 0}),
    ],
)  # fmt: skip
def test_a_part_of_the_wrong_shape_is_refused(part: str, value: dict) -> None:
    data = _old("report-1.1.json")
    data[part] = [value]
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_the_model_imports_nothing_else_of_the_package() -> None:
    tree = ast.parse(Path(model.__file__).read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith("pipeline")]
