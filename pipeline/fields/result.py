"""FieldsResult: the extracted fields, kept apart from the record until `apply`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.record import Record, ReviewItem, Signer

Json = dict[str, Any]


@dataclass
class FieldsResult:
    """Every field extraction produces, with the evidence span behind each one."""

    family: str | None = None
    doc_type: str | None = None
    type_code: str | None = None
    number: int | None = None
    symbol: str | None = None
    doc_number: str | None = None
    issuer_code: str | None = None
    issuer: list[str] = field(default_factory=list)
    national_heading: str | None = None
    place: str | None = None
    date: str | None = None
    subject: str | None = None
    draft: str | None = None
    marks: list[str] = field(default_factory=list)
    term: str | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    references: list[Json] = field(default_factory=list)
    sections: list[Json] = field(default_factory=list)
    tables: list[Json] = field(default_factory=list)
    footnotes: list[Json] = field(default_factory=list)
    figures: list[Json] = field(default_factory=list)
    evidence: dict[str, Json] = field(default_factory=dict)
    review: list[ReviewItem] = field(default_factory=list)

    def apply(self, record: Record) -> Record:
        """Copy the fields onto `record` (in place, also returned); evidence is merged."""
        for name in (
            "family", "doc_type", "type_code", "number", "symbol", "doc_number",
            "issuer_code", "national_heading", "place", "date", "subject", "draft", "term",
        ):
            setattr(record, name, getattr(self, name))
        for name in (
            "issuer", "marks", "recipients", "cc", "references", "sections", "tables",
            "footnotes", "figures",
        ):
            setattr(record, name, list(getattr(self, name)))
        record.signer = Signer(self.signer.authority, self.signer.title, self.signer.name)
        record.evidence = {**record.evidence, **self.evidence}
        record.review = [ReviewItem(item.field, item.reason) for item in self.review]
        return record
