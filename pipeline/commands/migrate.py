"""`sohoa migrate --from archive.sqlite --to postgresql://...`: copy a SQLite archive into
PostgreSQL; idempotent and resumable (documents already copied, same content, are skipped)."""

from __future__ import annotations

import argparse
import sys

from pipeline.errors import BadArgumentsError
from pipeline.storage import is_postgres_url, open_store
from pipeline.storage.migrate import CopyReport, copy_archive
from pipeline.storage.postgres import PostgresStore


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "migrate",
        help="copy a SQLite archive into PostgreSQL (resumable)",
        description="Copy every record, page text and page image of an archive into a "
        "PostgreSQL database. Run it again to resume an interrupted copy or to bring "
        "over documents added since: documents already there with the same content are "
        "skipped.",
    )
    parser.add_argument("--from", dest="source", required=True, metavar="DB", help="archive")
    parser.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="postgresql://user@host/db"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not is_postgres_url(args.target):
        raise BadArgumentsError(f"--to {args.target}: not a postgresql:// URL")
    with open_store(args.source, readonly=True) as source:
        total = source.count_documents()
        with PostgresStore.open(args.target) as target:

            def progress(report: CopyReport) -> None:
                done = report.copied + report.unchanged
                if sys.stderr.isatty():
                    print(f"\r{done}/{total} documents", end="", file=sys.stderr, flush=True)

            report = copy_archive(source, target, progress)
            in_target = target.count_documents()
    print(file=sys.stderr)
    print(
        f"copied {report.copied} documents ({report.pages} pages, {report.images} page images); "
        f"{report.unchanged} already there; {in_target} documents in the target"
    )
    return 0
