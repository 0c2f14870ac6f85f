"""`sohoa restore [FILE|-] [--mode auto|stripped|ocr]`: print repaired, tone-marked text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.encoding import decode_bytes
from pipeline.errors import BadArgumentsError, InputFileError
from pipeline.restore import MODES, Restorer


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `restore`."""
    parser = subparsers.add_parser(
        "restore",
        help="repair legacy encodings, restore tone marks and fix OCR errors in text",
    )
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        help="text file (UTF-8/16, Windows-1258, TCVN3, VNI, VISCII, VIQR), or - for stdin",
    )
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
        data = sys.stdin.buffer.read()
    else:
        path = Path(args.file)
        if not path.exists():
            raise BadArgumentsError(f"no such file: {args.file}")
        if path.is_dir():
            raise BadArgumentsError(f"{args.file} is a folder, not a text file")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputFileError(f"cannot read {args.file}: {error.strerror}") from error
    text = decode_bytes(data).text  # encoding detection and legacy/mojibake repair first
    result = Restorer.load(args.model).restore(text, mode=args.mode)
    sys.stdout.write(result.text)
    return 0
