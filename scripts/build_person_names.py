"""Build pipeline/restore/data/person_names.tsv: how often each syllable stands as a family
name, a middle name and a given name in Vietnamese Wikipedia
(`../shared/corpus/viwiki.txt.xz`, CC BY-SA; counts only, no text).

    nice -n 10 .venv/bin/python scripts/build_person_names.py

A personal name is a family name of pipeline/restore/data/surnames.txt followed by one to
three capitalised syllables, with no capitalised word right before or after it, and no
place of the gazetteer (`Hà Nội`); its last syllable is the given name, the ones between
are middle names. Each distinct full name counts once, however often the text names that
person: mention counts favoured the famous (given `Ánh` 607 against `Anh` 391, after Nguyễn
Ánh). Forms seen in fewer than MIN_COUNT names in a role are left out.
"""

from __future__ import annotations

import argparse
import lzma
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.restore.gazetteer import load_places  # noqa: E402

DATA = ROOT / "pipeline" / "restore" / "data"
MIN_COUNT = 3
SYLLABLE = r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,6}"
HEADER = """\
# Family, middle and given names: in how many distinct personal names each syllable stands
# in that role (family names from (data/surnames.txt) in Vietnamese Wikipedia (2017 extract,
# ../shared/corpus/viwiki.txt.xz, CC BY-SA; counts only, no text), built by
# scripts/build_person_names.py; forms seen in fewer than 3 names in a role left out.
# role<TAB>form<TAB>count
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "viwiki.txt.xz"
    )
    parser.add_argument("--out", type=Path, default=DATA / "person_names.tsv")
    args = parser.parse_args(argv)
    surnames = [
        line.strip()
        for line in (DATA / "surnames.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    places = {name for names in load_places().values() for name in names}
    alternatives = "|".join(sorted(surnames, key=len, reverse=True))
    name = re.compile(rf"(?<![\wÀ-ỹ])(?:{alternatives})((?: {SYLLABLE}){{1,3}})(?! [A-ZĐÀ-Ỹ])\b")
    names: set[str] = set()
    with lzma.open(args.corpus, "rt", encoding="utf-8") as corpus:
        for line in corpus:
            for match in name.finditer(unicodedata.normalize("NFC", line)):
                start = match.start()
                if start >= 2 and line[start - 1] == " " and line[start - 2].isupper():
                    continue
                if match.group(0) in places:
                    continue
                names.add(match.group(0))
    counts: Counter[tuple[str, str]] = Counter()
    for full in names:  # each person once: famous names (Nguyễn Ánh) are not weighted up
        counts[("family", full.split()[0])] += 1
        parts = full.split()[1:]
        for middle in parts[:-1]:
            counts[("middle", middle)] += 1
        counts[("given", parts[-1])] += 1
    rows = sorted((role, form, n) for (role, form), n in counts.items() if n >= MIN_COUNT)
    body = "".join(f"{role}\t{form}\t{n}\n" for role, form, n in rows)
    args.out.write_text(HEADER + body, encoding="utf-8")
    print(f"{len(rows)} forms written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
