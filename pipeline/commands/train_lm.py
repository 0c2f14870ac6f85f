"""`sohoa train-lm FILES... --out DIR`: build a restoration model from clean text files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.errors import BadArgumentsError
from pipeline.restore.build import TrainSpec, build_model

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PRODUCTION_IN_DOMAIN = ("corpus/vlc-legal.txt.xz",)
PRODUCTION_GENERAL = ("corpus/viwiki.txt.xz",)
CLEAN_SEEDS = ("seeds/001_399e87c44336a24b.txt", "seeds/002_733a3f2f8d7c3fab.txt",
               "seeds/004_f85f0870cefe13e7.txt")  # fmt: skip
PAIRS_GLOB = "work/pairs/train-*.jsonl"
"""(truth, OCR) pages made by scripts/make_noisy_pairs.py (never the held-out ones)."""


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", type=Path, help="in-domain clean text (.txt or .xz)")
    parser.add_argument("--out", type=Path, required=True, help="model directory to write")
    parser.add_argument(
        "--general",
        nargs="*",
        type=Path,
        default=[],
        help="general text mixed in with weight 1 - --in-domain-weight",
    )
    parser.add_argument(
        "--boost",
        nargs="*",
        type=Path,
        default=[],
        help="small closest-to-target files, repeated --boost-times",
    )
    parser.add_argument("--boost-times", type=int, default=5)
    parser.add_argument("--in-domain-weight", type=float, default=0.3)
    parser.add_argument("--order", type=int, default=3)
    parser.add_argument(
        "--min-count", type=int, default=2, help="drop highest-order n-grams seen fewer times"
    )
    parser.add_argument(
        "--pairs",
        nargs="*",
        type=Path,
        default=[],
        help="JSONL (truth, OCR) pages from scripts/make_noisy_pairs.py",
    )
    parser.add_argument(
        "--drop-heldout",
        action="store_true",
        help="leave out every 50th line of the in-domain files",
    )
    parser.add_argument(
        "--production",
        action="store_true",
        help="use the shared corpus, seeds and pairs of this checkout",
    )
    parser.add_argument(
        "--eval-split",
        action="store_true",
        help="with --production: no seeds, no held-out lines (for evaluation)",
    )


def build_arg_parser() -> argparse.ArgumentParser:
    """Parser for scripts/train_lm.py (same options as the subcommand)."""
    parser = argparse.ArgumentParser(description=__doc__)
    _configure(parser)
    return parser


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `train-lm`."""
    parser = subparsers.add_parser("train-lm", help="build a restoration model from text files")
    _configure(parser)
    parser.set_defaults(run=run)


def spec_from_args(args: argparse.Namespace) -> TrainSpec:
    """Turn the options into a training spec (the --production preset fills in files)."""
    in_domain, general, boost = list(args.files), list(args.general), list(args.boost)
    pairs = list(args.pairs)
    drop = args.drop_heldout
    if args.production:
        in_domain += [SHARED / p for p in PRODUCTION_IN_DOMAIN]
        general += [SHARED / p for p in PRODUCTION_GENERAL]
        pairs += sorted(REPO.glob(PAIRS_GLOB))
        if args.eval_split:
            drop = True
        else:
            boost += [SHARED / p for p in CLEAN_SEEDS]
    missing = [p for p in [*in_domain, *general, *boost, *pairs] if not p.exists()]
    if missing:
        raise BadArgumentsError(f"missing input files: {', '.join(map(str, missing))}")
    if not in_domain and not boost:
        raise BadArgumentsError("give at least one text file (or --production)")
    return TrainSpec(
        in_domain=in_domain, general=general, boost=boost, boost_times=args.boost_times,
        in_domain_weight=args.in_domain_weight, order=args.order, min_count=args.min_count,
        drop_heldout=drop, pairs=pairs,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Train and print the model's summary as JSON."""
    meta = build_model(spec_from_args(args), args.out)
    print(json.dumps(meta, ensure_ascii=False, indent=1))
    return 0
