"""Build the restoration model (vocabulary, syllable LM, OCR channel) from text files.

The committed production model (see models/restore/MODEL_CARD.md) is built by:
    nice -n 10 .venv/bin/python scripts/train_lm.py --production --out models/restore
and the evaluation model, which leaves out every held-out line and the clean seeds, by:
    nice -n 10 .venv/bin/python scripts/train_lm.py --production --eval-split --out work/eval-model
Any other text files can be given instead (`sohoa train-lm FILES... --out DIR` is the same).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.commands.train_lm import build_arg_parser, run

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    sys.exit(run(build_arg_parser().parse_args()))
