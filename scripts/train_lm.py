"""Build the restoration model (vocabulary, syllable LM, OCR channel) from text files.

The committed production model (see models/restore/MODEL_CARD.md) is built by:
    nice -n 10 .venv/bin/python scripts/train_lm.py --production --real-dev --out models/restore
and the evaluation model, which leaves out every held-out line, the clean seeds and the real
pages, by:
    nice -n 10 .venv/bin/python scripts/train_lm.py --production --eval-split --out work/eval-model
Any other text files can be given instead (`sohoa train-lm FILES... --out DIR` is the same).

`--real-dev` adds the hand transcriptions of the real development set (corpus/real/pages of
the documents whose label says "split": "dev"; lines marked unsure left out) to the boosted
in-domain text, as issue 18 asks. Never the holdout pages, and never in the evaluation model.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.commands.train_lm import build_arg_parser, run  # noqa: E402

REAL = ROOT / "corpus" / "real"
UNSURE = "⟨?"


def real_dev_text(out: Path) -> Path:
    """The dev split's transcribed pages as one text file (written under build/)."""
    lines: list[str] = []
    for label_file in sorted((REAL / "labels").glob("*.json")):
        label = json.loads(label_file.read_text(encoding="utf-8"))
        if label.get("split") != "dev":
            continue
        for page in sorted((REAL / "pages").glob(f"{label['doc']}-p*.txt")):
            text = page.read_text(encoding="utf-8")
            lines += [line for line in text.split("\n") if line.strip() and UNSURE not in line]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    parser = build_arg_parser()
    parser.add_argument(
        "--real-dev", action="store_true", help="boost the real dev set's transcriptions too"
    )
    args = parser.parse_args()
    if args.real_dev:
        if args.eval_split:
            parser.error("--real-dev is never part of the evaluation model")
        args.boost = [*args.boost, real_dev_text(ROOT / "build" / "real-dev-pages.txt")]
    sys.exit(run(args))
