"""`sohoa export --db DB --format jsonl|csv|tt02 [--out FILE]`: archive exports.

`--records DIR` reads JSON records (from `sohoa ingest --out DIR`) instead of a store.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import BadArgumentsError
from pipeline.export import FORMATS, export_text, load_json_records
from pipeline.record import Record

log = logging.getLogger(__name__)

RECORD_NAME = re.compile(r"[0-9a-f]{64}\.json")  # how `ingest --out` names a record


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "export",
        help="export records as JSON lines, CSV or the TT 02/2019 register",
        description=(
            "Write the records of a store (or a folder of JSON records) as JSON lines, a flat "
            "CSV, or the document-level register of Thông tư 02/2019/TT-BNV (CSV, UTF-8 BOM)."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", help="store to read (SQLite path or postgresql:// URL)")
    source.add_argument("--records", type=Path, metavar="DIR", help="folder of JSON records")
    parser.add_argument("--format", choices=FORMATS, default="tt02", help="default: %(default)s")
    parser.add_argument("--out", type=Path, metavar="FILE", help="output file (default: stdout)")
    parser.set_defaults(run=run)


def _folder_records(folder: Path) -> Iterator[Record]:
    if not folder.is_dir():
        raise BadArgumentsError(f"--records {folder}: not a folder")
    for path in sorted(folder.glob("*.json")):
        if not RECORD_NAME.fullmatch(path.name):  # a run report, or anything else not a record
            log.info("--records: %s is not a record file (ID.json), left out", path.name)
            continue
        yield from load_json_records([path.read_text(encoding="utf-8")])


def _store_records(db: str) -> Iterator[Record]:
    from pipeline.store import Store

    with Store.open(db, readonly=True) as store:
        yield from store.iter_records()


def run(args: argparse.Namespace) -> int:
    if args.records is not None:
        records = _folder_records(args.records)
    elif args.db:
        records = _store_records(args.db)
    else:
        raise BadArgumentsError("give --db DB or --records DIR")
    chunks = export_text(records, args.format)
    if args.out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return 0
    # written beside the target and renamed when complete: a failed export leaves no file
    partial = args.out.with_name(f".{args.out.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        partial.replace(args.out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log.info("wrote %s (%s)", args.out, args.format)
    return 0
