"""Build pipeline/restore/data/punctuation_context.tsv: what follows each of `, . ; :` in
clean administrative text (the legal corpus, `../shared/corpus/vlc-legal.txt.xz`).

    nice -n 10 .venv/bin/python scripts/build_punctuation_context.py

OCR swaps `.` and `,` (and `;`, `:`); the language model, which sees no case and no line
ends, cannot tell `quan.` at a paragraph's end from `quan,` in a list. What follows can: a
full stop is followed by a capital or ends the paragraph, a comma by a lower-case word. The
table holds P(context | mark) for the contexts lower, upper, digit and end (of a paragraph:
a corpus line is one).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.restore.corpus import split_lines  # noqa: E402
from pipeline.restore.restorer import PUNCTUATION_CONTEXT, SWAPPED_PUNCTUATION  # noqa: E402

TOKEN = re.compile(r"\w+|[,.;:]")
HEADER = """\
# P(what follows | mark) for the marks OCR swaps, in the held-in lines of the legal corpus
# (../shared/corpus/vlc-legal.txt.xz: {lines:,} lines; the held-out slice left out), built by
# scripts/build_punctuation_context.py. Contexts: the next word starts lower-case, upper-case
# or with a digit, or the paragraph ends. Read by pipeline/restore/restorer.py.
# mark<TAB>context<TAB>probability<TAB>count
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared/corpus/vlc-legal.txt.xz"
    )
    parser.add_argument("--out", type=Path, default=PUNCTUATION_CONTEXT)
    args = parser.parse_args()
    counts: Counter[tuple[str, str]] = Counter()
    read = 0
    for line in split_lines(args.corpus, heldout=False):
        read += 1
        tokens = TOKEN.findall(line)
        for at, mark in enumerate(tokens):
            if mark not in SWAPPED_PUNCTUATION:
                continue
            if at + 1 == len(tokens):
                counts[(mark, "end")] += 1
            elif tokens[at + 1] not in SWAPPED_PUNCTUATION:
                first = tokens[at + 1][0]
                kind = "digit" if first.isdigit() else "upper" if first.isupper() else "lower"
                counts[(mark, kind)] += 1
    rows = [HEADER.format(lines=read)]
    for mark in SWAPPED_PUNCTUATION:
        total = sum(n for (m, _), n in counts.items() if m == mark)
        for kind in ("lower", "upper", "digit", "end"):
            n = counts[(mark, kind)]
            rows.append(f"{mark}\t{kind}\t{n / max(total, 1):.5f}\t{n}\n")
    args.out.write_text("".join(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
