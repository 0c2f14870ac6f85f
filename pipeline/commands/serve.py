"""`sohoa serve --db DB [--host 127.0.0.1] [--port 8765]`: the analysts' web UI and JSON API."""

from __future__ import annotations

import argparse
import logging

from pipeline.errors import MissingDependencyError
from pipeline.store import Store

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "serve",
        help="web UI and read-only JSON API for analysts",
        description="Serve the search UI and a read-only JSON API (OpenAPI at /openapi.json). "
        "Listens on 127.0.0.1 unless --host says otherwise.",
    )
    parser.add_argument("--db", default="archive.sqlite", help="SQLite file (default: %(default)s)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default: %(default)s)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError as error:
        raise MissingDependencyError("uvicorn is needed: pip install uvicorn") from error
    # imported here, not at the top: every command builds the parser, only this one serves
    from pipeline.web import LOOPBACK_HOSTS, create_app

    store = Store.open(args.db, readonly=True)
    if args.host not in LOOPBACK_HOSTS:
        log.warning("serving on %s: anyone who can reach it can read the archive", args.host)
    app = create_app(store, bind_host=args.host)
    print(f"sohoa: serving {args.db} on http://{args.host}:{args.port}/")
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        store.close()
    return 0
