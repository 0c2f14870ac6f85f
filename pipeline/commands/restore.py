"""`sohoa restore [FILE|-] [--mode auto|stripped|ocr]`: print repaired, tone-marked text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.restore import MODES, Restorer


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `restore`."""
    parser = subparsers.add_parser(
        "restore", help="restore tone marks and fix OCR errors in UTF-8 text"
    )
    parser.add_argument("file", nargs="?", default="-", help="UTF-8 text file, or - for stdin")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="auto",
        help="auto: judge each line; stripped: marks removed; ocr: OCR noise",
    )
    parser.add_argument("--model", type=Path, default=None, help="model directory")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the text, repair it, write it to stdout."""
    if args.file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputFileError(f"cannot read {args.file} as UTF-8 text: {error}") from error
    result = Restorer.load(args.model).restore(text, mode=args.mode)
    sys.stdout.write(result.text)
    return 0
