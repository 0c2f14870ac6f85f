"""Build pipeline/fields/data/given_names.tsv: how often each given name follows a Vietnamese
surname and middle names in running text (Vietnamese Wikipedia, `../shared/corpus/`).

    .venv/bin/python scripts/build_given_names.py [--corpus ../shared/corpus/viwiki.txt.xz]

A personal name is a known surname (data/patterns/words.json "surnames") followed by one to
three capitalised syllables; its last syllable is the given name. Names seen fewer than
MIN_COUNT times are left out. The review uses the counts to tell a signer's name OCR read
with a rare tone ("Hiên", 9) from the common name with the same letters ("Hiền", 1,2xx).
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pipeline" / "fields" / "data" / "given_names.tsv"
MIN_COUNT = 3
SYLLABLE = r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,6}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=ROOT.parent / "shared" / "corpus" / "viwiki.txt.xz")
    args = parser.parse_args(argv)
    words = json.loads((ROOT / "pipeline/fields/data/patterns/words.json").read_text("utf-8"))
    surnames = "|".join(sorted(words["surnames"], key=len, reverse=True))
    name = re.compile(rf"\b(?:{surnames})((?: {SYLLABLE}){{1,3}})\b")
    counts: Counter[str] = Counter()
    with lzma.open(args.corpus, "rt", encoding="utf-8") as corpus:
        for line in corpus:
            for match in name.finditer(unicodedata.normalize("NFC", line)):
                syllables = match.group(1).split()
                # À-Ỹ spans small letters too ("Trần đã"): each syllable must be a capital's
                if all(s[0].isupper() and s[1:].islower() for s in syllables):
                    counts[syllables[-1]] += 1
    kept = sorted((n, c) for n, c in counts.items() if c >= MIN_COUNT)
    header = [
        "# Given names and how often each ends a personal name in Vietnamese Wikipedia (2017",
        "# extract, ../shared/corpus/viwiki.txt.xz, CC BY-SA; counts only, no text), built by",
        f"# scripts/build_given_names.py; names seen under {MIN_COUNT} times left out.",
    ]
    OUT.write_text("\n".join(header + [f"{n}\t{c}" for n, c in kept]) + "\n", encoding="utf-8")
    print(f"{len(kept)} given names written to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
