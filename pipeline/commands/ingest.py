"""`sohoa ingest PATH... --db DB [--out DIR] [-j N | --queue URL]`: bulk import with resume
and a run report; with `--queue` the documents go to `sohoa worker`s (docs/scale.md)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cleanup.options import CleanupOptions
from pipeline.errors import BadArgumentsError, ExitCode, InterruptedRun, UnwritableOutputError
from pipeline.run import workers

if TYPE_CHECKING:
    from pipeline.run.ingest import FileOutcome

log = logging.getLogger(__name__)

CLEANUP_STEPS = tuple(f.name for f in fields(CleanupOptions) if f.type in ("bool", bool))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "ingest",
        help="OCR, repair and store files and folders (recursive); resumes",
        description="Import scans (PDF, TIFF, JPEG, PNG) and text files into the archive. "
        "Documents already stored (same sha256) are skipped unless --force.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--db", default="archive.sqlite", help="SQLite file (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="also write one JSON record per document here")
    parser.add_argument(
        "--pdfa",
        type=Path,
        metavar="DIR",
        help="also write each scanned document as PDF/A-2b (restored text "
        "under the page images) here",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)"
    )
    parser.add_argument(
        "--queue",
        metavar="URL",
        help="send the documents to the `sohoa worker`s on this Redis (redis://host:6379/0) "
        "instead of running them here; the workers write to their own --db",
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only files matching (name or relative path); repeatable",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files matching; repeatable",
    )
    parser.add_argument("--force", action="store_true", help="redo documents already stored")
    parser.add_argument(
        "--force-ocr", action="store_true", help="OCR PDF pages even when they carry a text layer"
    )
    parser.add_argument("--lang", default="vie", help="Tesseract language (default: vie)")
    parser.add_argument(
        "--restore-mode",
        default="auto",
        choices=("auto", "stripped", "ocr", "off"),
        help="text repair mode (default: auto)",
    )
    parser.add_argument(
        "--no-cleanup",
        action="append",
        default=[],
        choices=CLEANUP_STEPS,
        metavar="STEP",
        help=f"switch off a cleanup step: {', '.join(CLEANUP_STEPS)}",
    )
    parser.add_argument(
        "--with-cleanup",
        action="append",
        default=[],
        choices=CLEANUP_STEPS,
        metavar="STEP",
        help="switch on a step that is off by default (rules: erase ruled lines)",
    )
    parser.add_argument(
        "--no-images", action="store_true", help="do not keep the cleaned page images"
    )
    parser.add_argument(
        "--report",
        type=Path,
        help="run report JSON (default: DIR/report-<start time>.json with --out, else "
        "DB.report-<start time>.json beside the database; never overwritten)",
    )
    parser.add_argument("--progress", choices=("auto", "always", "never"), default="auto")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise BadArgumentsError(f"no such file or folder: {', '.join(missing)}")
    if args.jobs < 0:
        raise BadArgumentsError("--jobs must be 0 (all cores) or more")
    if args.queue and not args.queue.startswith(("redis://", "rediss://", "unix://")):
        raise BadArgumentsError(f"--queue {args.queue}: not a Redis URL (redis://host:6379/0)")
    if args.jobs != 1 and not args.queue:
        workers.fork_server()  # first: its start overlaps the imports below (~0.2 s a run)
    from pipeline.run.ingest import (
        IngestOptions,
        RunReport,
        check_dependencies,
        discover,
        ingest,
        printable,
        storage_reason,
        write_json_atomic,
    )
    from pipeline.run.progress import PageProgress
    from pipeline.storage import ingest_lock, open_store

    options = IngestOptions(
        jobs=args.jobs,
        force=args.force,
        force_ocr=args.force_ocr,
        out_dir=args.out,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        lang=args.lang,
        restore_mode=args.restore_mode,
        keep_images=not args.no_images,
        pdfa_dir=args.pdfa,
        cleanup=CleanupOptions(
            **{step: True for step in args.with_cleanup},
            **{step: False for step in args.no_cleanup},
        ),
    )
    if next(discover(args.paths, options.include, options.exclude), None) is None:
        given = " ".join(f"--include {g}" for g in args.include)
        given += " ".join(f" --exclude {g}" for g in args.exclude)
        raise BadArgumentsError(
            f"no files to ingest under {', '.join(map(str, args.paths))}"
            + (f" matching {given.strip()}" if given else "")
        )
    check_dependencies(options.lang)  # before the store is created
    started = datetime.now(UTC)
    report_path = args.report or default_report_path(args.db, args.out, started)
    check_writable(args.db, args.out, report_path, pdfa=args.pdfa)
    progress = PageProgress({"auto": None, "always": True, "never": False}[args.progress])
    report = RunReport(started=started.isoformat(timespec="seconds"))
    on_file = None if progress.enabled else _log_line
    interrupted = False
    crashed: Exception | None = None
    total: int | None = None
    with ingest_lock(args.db), open_store(args.db) as store:
        try:
            if args.queue:
                from pipeline.queue.executor import ingest_on_queue

                ingest_on_queue(args.paths, store, options, args.queue, progress, on_file, report)
            else:
                ingest(args.paths, store, options, progress, on_file=on_file, report=report)
        except KeyboardInterrupt:
            interrupted = True
        except Exception as error:  # whatever stopped the run, the report and summary come
            crashed = error
            report.stopped = f"{type(error).__name__}: {error}"
        total = store.count_documents()
    try:
        write_json_atomic(report_path, report.to_dict())
        written = f"report {report_path}"
    except Exception as error:  # the summary is printed anyway, this failure on its own line
        reason = storage_reason(error) or f"{type(error).__name__}: {error}"
        written = f"THE REPORT COULD NOT BE WRITTEN: {printable(reason)}"
    for line in report.summary_lines():
        print(line)
    print(f"store {args.db}: {total} documents; {written}", flush=True)
    log.debug("report: %s", json.dumps(report.to_dict(), ensure_ascii=False)[:500])
    if crashed is not None:
        raise crashed
    if interrupted:
        raise InterruptedRun(
            f"interrupted: {report.saved} documents saved by this run; run the same command "
            "again to resume (documents already stored are skipped)"
        )
    if "THE REPORT" in written:
        return int(ExitCode.SOME_FILES_FAILED)
    return int(ExitCode.SOME_FILES_FAILED if report.failures or report.stopped else ExitCode.OK)


def default_report_path(db: str, out: Path | None, started: datetime) -> Path:
    """The run's own report: named after its start time (never overwriting an earlier run's),
    in the --out folder, else beside the database and named after it."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    if out is not None:
        base = out / f"report-{stamp}"
    elif _is_postgres_url(db):
        base = Path(f"report-{stamp}")
    else:
        db_path = Path(db)
        base = db_path.with_name(f"{db_path.name}.report-{stamp}")
    path, n = base.with_name(base.name + ".json"), 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}.json")
    return path


def check_writable(db: str, out: Path | None, report: Path, pdfa: Path | None = None) -> None:
    """Before any OCR: the database, the --out and --pdfa folders and the report's folder
    can be written (exit 2 naming the one that cannot)."""
    db_path = Path(db)
    if _is_postgres_url(db):
        pass  # opening the store says whether it can be reached
    elif db_path.exists() and (db_path.is_dir() or not os.access(db_path, os.W_OK)):
        raise UnwritableOutputError(f"--db {db}: cannot write the database (no write permission)")
    else:
        _probe_folder(db_path.parent if str(db_path.parent) else Path("."), f"--db {db}")
    for flag, folder in (("--out", out), ("--pdfa", pdfa)):
        if folder is None:
            continue
        if folder.exists() and not folder.is_dir():
            raise UnwritableOutputError(f"{flag} {folder}: not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UnwritableOutputError(
                f"{flag} {folder}: cannot create it ({error.strerror})"
            ) from error
        _probe_folder(folder, f"{flag} {folder}")
    _probe_folder(report.parent, f"report {report}")


def _is_postgres_url(db: str) -> bool:
    from pipeline.storage import is_postgres_url  # imported late: the fork server starts first

    return is_postgres_url(db)


def _probe_folder(folder: Path, what: str) -> None:
    """Create and remove a small file in `folder`, or raise UnwritableOutputError."""
    if not folder.is_dir():
        raise UnwritableOutputError(f"{what}: the folder {folder} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sohoa-probe-") as probe:
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        raise UnwritableOutputError(
            f"{what}: cannot write in {folder} ({error.strerror})"
        ) from error


def _log_line(outcome: FileOutcome) -> None:
    """One plain line per document on stderr when no progress bar is drawn (cron, nohup)."""
    if outcome.status == "skipped":
        return
    detail = f"{outcome.pages} pages, {outcome.seconds:.1f} s" if outcome.pages else ""
    reason = f": {outcome.reason}" if outcome.reason else ""
    review = (
        f"; needs review: {', '.join(dict.fromkeys(r.field for r in outcome.review))}"
        if outcome.review
        else ""
    )
    from pipeline.run.ingest import printable

    print(
        f"{outcome.status} {printable(outcome.path)}"
        + (f" ({detail})" if detail else "")
        + reason
        + review,
        file=sys.stderr,
        flush=True,
    )
