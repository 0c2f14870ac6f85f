"""Build pipeline/restore/data/person_names.tsv: how often each syllable stands as a family
name, a middle name and a given name in Vietnamese Wikipedia
(`../shared/corpus/viwiki.txt.xz`, CC BY-SA; counts only, no text) and in a list of modern
names (`--modern`: 7,363 of the 7,651 distinct names of `uit_member.json` of
github.com/duyet/vietnamese-namedb, MIT, commit 2129070: members of a university in Hồ Chí
Minh City; counts only, the names are not kept).

    nice -n 10 .venv/bin/python scripts/build_person_names.py --modern work/names/uit_member.json

Wikipedia's people are largely historical (given `Cương` 42 names, `Cường` 33); the modern
list has `Cường` 117 and `Cương` 10, as signers of today's documents do. The two are mixed
with equal weight (the modern counts scaled to Wikipedia's number of names). The role
`given_thi` counts the given names of names with the middle name `Thị` (women's names:
`Vân`, not `Văn`).

A personal name is a family name of pipeline/restore/data/surnames.txt followed by one to
three capitalised syllables, with no capitalised word right before or after it, and no
place of the gazetteer (`Hà Nội`); its last syllable is the given name, the ones between
are middle names. Each distinct full name counts once, however often the text names that
person: mention counts favoured the famous (given `Ánh` 607 against `Anh` 391, after Nguyễn
Ánh). Forms seen in fewer than MIN_COUNT names in a role are left out.
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
sys.path.insert(0, str(ROOT))
from pipeline.restore.gazetteer import load_places  # noqa: E402

DATA = ROOT / "pipeline" / "restore" / "data"
MIN_COUNT = 3
SYLLABLE = r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,6}"
HEADER = """\
# Family, middle and given names (given_thi: given names of names with the middle name Thị):
# in how many distinct personal names each syllable stands in that role (family names from
# data/surnames.txt), Vietnamese Wikipedia (2017 extract, ../shared/corpus/viwiki.txt.xz,
# CC BY-SA) and a list of modern names (uit_member.json of github.com/duyet/vietnamese-namedb,
# MIT) mixed with equal weight; counts only, no text. Built by scripts/build_person_names.py;
# forms counted fewer than 3 times in a role left out.
# role<TAB>form<TAB>count
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "viwiki.txt.xz"
    )
    parser.add_argument("--out", type=Path, default=DATA / "person_names.tsv")
    parser.add_argument(
        "--modern", type=Path, default=None, help="modern names: JSON [{full_name}] or lines"
    )
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
    counts = role_counts(names)
    if args.modern is not None:
        modern = modern_names(args.modern, surnames)
        scale = len(names) / max(len(modern), 1)
        for key, n in role_counts(modern).items():
            counts[key] += n * scale
        print(f"{len(names)} names in Wikipedia, {len(modern)} modern names (x{scale:.2f})")
    rows = sorted((role, form, round(n)) for (role, form), n in counts.items() if n >= MIN_COUNT)
    body = "".join(f"{role}\t{form}\t{n}\n" for role, form, n in rows)
    args.out.write_text(HEADER + body, encoding="utf-8")
    print(f"{len(rows)} forms written to {args.out}")
    return 0


def role_counts(names: set[str]) -> Counter[tuple[str, str]]:
    """(role, form) -> in how many of the names the form stands in that role."""
    counts: Counter[tuple[str, str]] = Counter()
    for full in names:  # each person once: famous names (Nguyễn Ánh) are not weighted up
        if not all(part[:1].isupper() for part in full.split()):
            continue  # SYLLABLE's À-Ỹ range holds small letters too: `Nguyễn Văn đã` is no name
        counts[("family", full.split()[0])] += 1
        parts = full.split()[1:]
        for middle in parts[:-1]:
            counts[("middle", middle)] += 1
        counts[("given", parts[-1])] += 1
        if "Thị" in parts[:-1]:
            counts[("given_thi", parts[-1])] += 1
    return counts


def modern_names(path: Path, surnames: list[str]) -> set[str]:
    """Distinct full names of a JSON list of {"full_name": ...} (or a text, one a line) that
    open with a family name and are two to four capitalised syllables."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        entries = [str(item.get("full_name", "")) for item in json.loads(text)]
    else:
        entries = text.splitlines()
    shape = re.compile(rf"{SYLLABLE}(?: {SYLLABLE}){{1,3}}")
    known = set(surnames)
    names = set()
    for entry in entries:
        full = " ".join(unicodedata.normalize("NFC", entry).split())
        if shape.fullmatch(full) and full.split()[0] in known:
            names.add(full)
    return names


if __name__ == "__main__":
    sys.exit(main())
