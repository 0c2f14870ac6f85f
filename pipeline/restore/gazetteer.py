"""Names of Vietnamese administrative units (provinces, districts, communes and wards, before
and after the 2025 rearrangement), used by restoration as known proper names.

`data/places.txt` is built once, offline, by `python -m pipeline.restore.gazetteer JSON...`
from the General Statistics Office code lists as shipped in the PyPI package
vietnam-provinces (0.6.0: 63 provinces with districts and wards; 2025.10.1: 34 provinces
with their wards), `vietnam_provinces/data/nested-divisions.json`. Nothing is downloaded at
run time.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.restore.syllable import skeleton

PLACES_FILE = Path(__file__).with_name("data") / "places.txt"
UNIT_WORDS = ("Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Huyện", "Quận", "Phường", "Xã", "Đặc khu")
"""Type words that open a unit's full name ("Phường Tân Định"); the name is what follows."""
HEADER = """\
# Names of Vietnamese administrative units (provinces, districts, communes, wards), before
# and after the July 2025 rearrangement, type word dropped ("Phường Tân Định" -> "Tân Định"),
# numbered units ("Phường 1") left out. Source: the General Statistics Office (Tổng cục Thống
# kê) code lists as shipped in the PyPI package vietnam-provinces 0.6.0 and 2025.10.1
# (vietnam_provinces/data/nested-divisions.json, by Nguyễn Hồng Quân; the wheels state no
# licence); names of administrative units are public facts. Built by
# `python -m pipeline.restore.gazetteer nested-divisions.json...`. One name per line.
"""


def unit_name(full: str) -> str | None:
    """The proper name of a unit's full name, without its type word; None for numbered units."""
    full = unicodedata.normalize("NFC", " ".join(full.split()))
    for word in UNIT_WORDS:
        if full.lower().startswith(word.lower() + " "):
            full = full[len(word) + 1 :]
            break
    return None if not full or any(char.isdigit() for char in full) else full


def _units(divisions: Iterable[dict[str, object]]) -> Iterator[str]:
    for unit in divisions:
        yield str(unit["name"])
        for key in ("districts", "wards"):
            children = unit.get(key)
            if isinstance(children, list):
                yield from _units(children)


def build(paths: Iterable[Path]) -> list[str]:
    """Sorted distinct unit names of nested-divisions.json files."""
    names = set()
    for path in paths:
        for full in _units(json.loads(path.read_text(encoding="utf-8"))):
            name = unit_name(full)
            if name is not None:
                names.add(name)
    return sorted(names)


def load_places(path: Path = PLACES_FILE) -> dict[str, list[str]]:
    """Mark-free lower-case key ("tan dinh") -> the names spelled so ("Tân Định")."""
    places: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            places.setdefault(place_key(line.split()), []).append(line.strip())
    return places


def place_key(words: Iterable[str]) -> str:
    """The lookup key of a name's words: mark-free, lower case, one space apart."""
    return " ".join(skeleton(word).lower() for word in words)


if __name__ == "__main__":
    rows = build(Path(arg) for arg in sys.argv[1:])
    PLACES_FILE.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} names -> {PLACES_FILE}")
