"""`sohoa extract FILE`: one JSON record on stdout (text, image or PDF input).

Every input goes through the ingest pipeline (pipeline.run.ingest, one process, no store):
the record equals the one `sohoa ingest` writes for the same file (tests/test_record_paths.py).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipeline.errors import BadArgumentsError, InputFileError
from pipeline.record import Record

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "extract",
        help="print one file's record (fields and text) as JSON",
        description="Read one text, image or PDF file and print its JSON record on stdout.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--compact", action="store_true", help="one line of JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise BadArgumentsError(f"no such file: {args.file}")
    if args.file.is_dir():
        raise BadArgumentsError(f"{args.file} is a folder: extract reads one file")
    record = record_for(args.file)
    print(record.to_json(indent=None if args.compact else 1))
    return 0


def record_for(path: Path) -> Record:
    """The record of one file, built as `sohoa ingest` builds it (the same page jobs and
    `pipeline.run.build.build_record`, in this process), so both commands give the same record."""
    from pipeline.run import ingest  # imported here: building the CLI's parser stays light

    collector = _Collector()
    report = ingest.ingest([path], collector, ingest.IngestOptions(jobs=1))
    if not collector.records:
        reason = report.failures[0].reason if report.failures else "no record produced"
        raise InputFileError(f"{path}: {reason}")
    return collector.records[0]


class _Collector:
    """A store stand-in for ingest: keeps the one record instead of writing it."""

    def __init__(self) -> None:
        self.records: list[Record] = []

    def has_document(self, sha256: str) -> bool:
        return False

    def add_document(self, record: Record, page_images: dict[int, bytes]) -> None:
        self.records.append(record)
