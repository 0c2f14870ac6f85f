"""`sohoa show ID --db DB [--json]`: one stored document's fields and text (ID prefix works)."""

from __future__ import annotations

import argparse
import logging

from pipeline.errors import BadArgumentsError
from pipeline.record import Record
from pipeline.storage import Store, open_store

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "show",
        help="print one stored document (fields and text)",
        description="Print a stored document's fields and restored text; ID may be a prefix.",
    )
    parser.add_argument("id", metavar="ID", help="document id (sha256) or a unique prefix")
    parser.add_argument(
        "--db",
        default="archive.sqlite",
        help="SQLite file or postgresql:// URL (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the whole record as JSON")
    parser.add_argument("--raw", action="store_true", help="print the raw OCR text instead")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store(args.db, readonly=True) as store:
        record = store.get_record(resolve_id(store, args.id))
    assert record is not None  # resolve_id found it
    print(record.to_json() if args.json else format_record(record, raw=args.raw))
    return 0


def resolve_id(store: Store, prefix: str) -> str:
    """The one stored id starting with `prefix`; BadArgumentsError when none or several."""
    ids = store.find_ids(prefix.strip())
    if not ids:
        raise BadArgumentsError(f"no document with id {prefix!r}")
    if len(ids) > 1:
        raise BadArgumentsError(f"id prefix {prefix!r} is ambiguous; give more characters")
    return ids[0]


def format_record(record: Record, *, raw: bool = False) -> str:
    """Fields one per line, then the restored (or raw) text."""
    signer = " ".join(
        part for part in (record.signer.authority, record.signer.title, record.signer.name) if part
    )
    fields = [
        ("id", record.id),
        ("source", f"{record.source.path} ({record.source.media_type}, {len(record.pages)} p.)"),
        ("type", record.doc_type or record.type_code),
        ("type symbol", record.type_code),
        ("number", record.doc_number),
        ("date", record.date),
        ("place", record.place),
        ("issuer", " / ".join(record.issuer)),
        ("subject", record.subject),
        ("draft", record.draft),
        ("marks", ", ".join(record.marks)),
        ("signer", signer),
        ("recipients", "; ".join(record.recipients)),
        ("ocr confidence", _number(record.quality.ocr_confidence)),
        ("restoration", _number(record.quality.restoration_confidence)),
        ("errors", "; ".join(record.errors)),
        ("needs review", "; ".join(f"{r.field}: {r.reason}" for r in record.review)),
        ("blank pages", ", ".join(str(p.number) for p in record.pages if p.blank)),
    ]
    width = max(len(name) for name, _ in fields)
    lines = [f"{name:<{width}}  {value}" for name, value in fields if value]
    text = record.raw_text if raw else record.text
    if not text:
        text = "\n\n".join(page.raw_text if raw else page.text for page in record.pages)
    lines.extend(["", "--- raw OCR ---" if raw else "--- text ---", text])
    return "\n".join(lines)


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}"
