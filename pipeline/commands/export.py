"""`sohoa export --db DB --format FORMAT [--out FILE|DIR]`: archive exports.

Text formats (jsonl, csv, tt02) go to a file or stdout; `xlsx` is the TT 02/2019 register as
a workbook (needs --out FILE); `pdfa`, `alto`, `hocr` and `bag` write one or more files per
document into the folder --out DIR, from each record's source file.
`--records DIR` reads JSON records (from `sohoa ingest --out DIR`) instead of a store.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.archive.export import (
    FOLDER_FORMATS,
    FORMATS,
    ArchiveInfo,
    export_text,
    load_json_records,
    load_manifest,
    write_xlsx,
)
from pipeline.errors import ArchiveError, BadArgumentsError, ExitCode
from pipeline.record import Record

log = logging.getLogger(__name__)

RECORD_NAME = re.compile(r"[0-9a-f]{64}\.json")  # how `ingest --out` names a record


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "export",
        help="export records (JSON lines, CSV, the TT 02/2019 register) or archive files",
        description=(
            "Write the records of a store (or a folder of JSON records) as JSON lines, a flat "
            "CSV, the document-level register of Thông tư 02/2019/TT-BNV (tt02: CSV with a "
            "UTF-8 BOM; xlsx: a workbook), or per-document archive files from the source "
            "files: pdfa (PDF/A-2b with the restored text), alto (ALTO 4.4 per page), hocr "
            "(hOCR per page), bag (BagIt package with PDF/A, ALTO, record and original)."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", help="store to read (SQLite path or postgresql:// URL)")
    source.add_argument("--records", type=Path, metavar="DIR", help="folder of JSON records")
    parser.add_argument("--format", choices=FORMATS, default="tt02", help="default: %(default)s")
    parser.add_argument("--out", type=Path, metavar="FILE|DIR",
                        help="output file (default: stdout); a folder for pdfa/alto/hocr/bag")
    archive = parser.add_argument_group("register (tt02, xlsx)")
    archive.add_argument("--manifest", type=Path, metavar="FILE",
                         help="archive fields as JSON or TOML (phong, muc_luc, ho_so, ...)")
    archive.add_argument("--phong", help="Mã phông (overrides the manifest)")
    archive.add_argument("--muc-luc", help="Mục lục số (overrides the manifest)")
    archive.add_argument("--ho-so", help="Hồ sơ số (overrides the manifest)")
    parser.add_argument("--sources", type=Path, metavar="DIR",
                        help="find source files here by name when a record's path is gone")
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
    from pipeline.storage import open_store

    with open_store(db, readonly=True) as store:
        yield from store.iter_records()


def archive_info(args: argparse.Namespace) -> ArchiveInfo:
    info = ArchiveInfo()
    if args.manifest is not None:
        try:
            info = load_manifest(args.manifest)
        except (OSError, ValueError) as error:
            raise BadArgumentsError(f"--manifest {args.manifest}: {error}") from error
    for key in ("phong", "muc_luc", "ho_so"):
        value = getattr(args, key)
        if value:
            setattr(info, key, value)
    return info


def run(args: argparse.Namespace) -> int:
    if args.records is not None:
        records = _folder_records(args.records)
    elif args.db:
        records = _store_records(args.db)
    else:
        raise BadArgumentsError("give --db DB or --records DIR")
    if args.format in FOLDER_FORMATS:
        if args.out is None:
            raise BadArgumentsError(f"--format {args.format} writes files: give --out DIR")
        return _deliver(records, args.out, args.format, args.sources)
    info = archive_info(args)
    if args.format == "xlsx":
        if args.out is None:
            raise BadArgumentsError("--format xlsx writes a workbook: give --out FILE")
        with _partial(args.out) as partial:
            rows = write_xlsx(records, partial, info)
        log.info("wrote %s (%d rows)", args.out, rows)
        return 0
    chunks = export_text(records, args.format, info)
    if args.out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return 0
    with _partial(args.out) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
    log.info("wrote %s (%s)", args.out, args.format)
    return 0


@contextmanager
def _partial(out: Path) -> Iterator[Path]:
    """A file beside `out`, renamed to it when complete: a failed export leaves no file."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        yield partial
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _deliver(records: Iterator[Record], out: Path, kind: str, sources: Path | None) -> int:
    from pipeline.archive.deliver import deliver

    failed = done = 0
    for record in records:
        source = Path(record.source.path)
        if not source.is_file() and sources is not None:
            source = sources / source.name
        try:
            deliver(record, out, [kind], source)
            done += 1
        except ArchiveError as error:
            failed += 1
            log.error("%s: %s", record.source.path, error)
    log.info("%s: %d documents written, %d failed, into %s", kind, done, failed, out)
    return int(ExitCode.SOME_FILES_FAILED) if failed else 0
