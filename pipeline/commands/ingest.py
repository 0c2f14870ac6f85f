"""`sohoa ingest PATH... --db DB [--out DIR] [-j N]`: bulk import with resume and a run report."""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import fields
from pathlib import Path

from pipeline import workers
from pipeline.errors import BadArgumentsError, ExitCode
from pipeline.options import CleanupOptions

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
        "-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)"
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
        help="run report JSON (default: DIR/report.json with --out, else "
        "sohoa-report.json beside the database)",
    )
    parser.add_argument("--progress", choices=("auto", "always", "never"), default="auto")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise BadArgumentsError(f"no such file or folder: {', '.join(missing)}")
    if args.jobs < 0:
        raise BadArgumentsError("--jobs must be 0 (all cores) or more")
    if args.jobs != 1:
        workers.fork_server()  # first: its start overlaps the imports below (~0.2 s a run)
    from pipeline.ingest import IngestOptions, check_dependencies, ingest, write_json_atomic
    from pipeline.progress import PageProgress
    from pipeline.store import Store

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
        cleanup=CleanupOptions(
            **{step: True for step in args.with_cleanup},
            **{step: False for step in args.no_cleanup},
        ),
    )
    check_dependencies(options.lang)  # before the store is created
    progress = PageProgress({"auto": None, "always": True, "never": False}[args.progress])
    report_path = args.report or (
        args.out / "report.json" if args.out else Path(args.db).with_name("sohoa-report.json")
    )
    with Store.open(args.db) as store:
        report = ingest(args.paths, store, options, progress)
        total = store.count_documents()
    write_json_atomic(report_path, report.to_dict())
    for line in report.summary_lines():
        print(line)
    print(f"store {args.db}: {total} documents; report {report_path}")
    log.debug("report: %s", json.dumps(report.to_dict(), ensure_ascii=False)[:500])
    return int(ExitCode.SOME_FILES_FAILED if report.failures else ExitCode.OK)
