"""`sohoa extract FILE`: one JSON record on stdout (text, image or PDF input).

Text files become a record here (decoded with the encoding repair of pipeline.sources);
images and PDFs go through the OCR pipeline of pipeline.run.ingest, without a store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.errors import BadArgumentsError, InputFileError
from pipeline.record import Page, Provenance, Record, Source

if TYPE_CHECKING:
    from pipeline.sources import SourceInfo

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
    """The record of one file: fields extracted, text restored where the pipeline does."""
    from pipeline import sources  # imported here: building the CLI's parser stays light

    info = sources.inspect(path)
    if info.media_type == "text/plain":
        return text_record(info)
    return _ocr_record(path)


def text_record(info: SourceInfo) -> Record:
    """A record for a text file: one page per form-feed section, fields extracted."""
    from pipeline import sources

    texts = sources.read_text_pages(info.path)
    pages = [
        Page(number=i + 1, text=t, raw_text=t, confidence=None, method="text")
        for i, t in enumerate(texts)
    ]
    text = "\n\n".join(texts)
    record = Record(
        id=info.sha256,
        source=Source(str(info.path), info.sha256, info.media_type, len(pages), info.size_bytes),
        text=text,
        raw_text=text,
        pages=pages,
        provenance=Provenance(
            sohoa_version=__version__,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        ),
    )
    # imported here, not at the top: spaCy takes ~0.5 s and every command builds the parser
    from pipeline.fields import extract_fields

    started = time.perf_counter()
    extract_fields(text, pages).apply(record)
    record.provenance.timings["fields"] = round(time.perf_counter() - started, 4)
    return record


class _Collector:
    """A store stand-in for ingest: keeps the one record instead of writing it."""

    def __init__(self) -> None:
        self.records: list[Record] = []

    def has_document(self, sha256: str) -> bool:
        return False

    def add_document(self, record: Record, page_images: dict[int, bytes]) -> None:
        self.records.append(record)


def _ocr_record(path: Path) -> Record:
    from pipeline.run import ingest

    collector = _Collector()
    report = ingest.ingest([path], collector, ingest.IngestOptions(jobs=1, keep_images=False))
    if not collector.records:
        reason = report.failures[0].reason if report.failures else "no record produced"
        raise InputFileError(f"{path}: {reason}")
    return collector.records[0]
