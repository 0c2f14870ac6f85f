"""The `sohoa` console script: parses arguments, configures logging, maps errors to exit codes.

Each subcommand lives in `pipeline/commands/<name>.py` with `add_parser(subparsers)` and
`run(args) -> int`; this module only wires them together, so exit codes are decided here alone.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from pipeline import __version__
from pipeline.errors import ExitCode, SohoaError, exit_code_for

log = logging.getLogger(__name__)

COMMAND_MODULES = [
    "ingest",
    "restore",
    "extract",
    "search",
    "show",
    "serve",
    "export",
    "migrate",
    "train_lm",
    "worker",
]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The program's parser; given the `command` about to run, with that subcommand alone:
    each command module imports what it runs on (all of them ~0.35 CPU s: OpenCV, psycopg,
    the pipeline), and `sohoa ingest` starts its fork server, the longest wait before the
    first page, only once its own module runs."""
    parser = argparse.ArgumentParser(
        prog="sohoa",
        description="Digitize Vietnamese Party reports: OCR, text repair, fields, search.",
    )
    parser.add_argument("--version", action="version", version=f"sohoa {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = (command or "").replace("-", "_")  # train-lm lives in train_lm.py
    for name in [wanted] if wanted in COMMAND_MODULES else COMMAND_MODULES:
        try:
            module = importlib.import_module(f"pipeline.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"pipeline.commands.{name}":
                raise
            continue  # command not built yet in this checkout
        module.add_parser(sub)
    return parser


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (a service manager, `kill`) stops a command the way Ctrl-C does."""
    raise KeyboardInterrupt


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names: its first word that is not an option (the program's own
    options, -v and --version, take no value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and int(ExitCode.BAD_ARGUMENTS)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        code: int = args.run(args)
        return code
    except SohoaError as error:
        print(f"sohoa: {error}", file=sys.stderr)
        return int(exit_code_for(error))
    except KeyboardInterrupt:
        print("sohoa: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except OSError as error:  # a full disk, a lost permission: one line, not a traceback
        where = f" ({error.filename})" if error.filename else ""
        print(f"sohoa: {error.strerror or error}{where}", file=sys.stderr)
        log.debug("OS error", exc_info=True)
        return int(exit_code_for(error))
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def run() -> None:
    """The `sohoa` program: `main`, then the exit. An interrupted run (Ctrl-C, SIGTERM) has
    written its report and summary when `main` returns; it then leaves at once, so that no
    interpreter-exit hook races the pool it killed (a hook's traceback once followed the
    summary of a SIGTERMed ingest)."""
    code = main()
    if code == ExitCode.INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
