"""Field extraction: each seed matches its hand label; unit cases for every rule."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pipeline.fields import extract_fields
from pipeline.fields.evaluate import score

ROOT = Path(__file__).resolve().parents[1]
LABELS = sorted((ROOT / "corpus" / "labels").glob("*.json"))
SHARED = ROOT.parent / "shared"


def _label(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _seed_text(label: dict) -> str:
    path = SHARED / label["source"]
    if not path.exists():
        pytest.skip(f"seed not present: {path}")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [p for p in LABELS if _label(p)["input"] == "clean"],
                         ids=lambda p: p.stem[:3])
def test_clean_seed_matches_label(path: Path) -> None:
    label = _label(path)
    result = extract_fields(_seed_text(label))
    counts = score(dataclasses.asdict(result), label["fields"])
    wrong = {k: (c.fp, c.fn) for k, c in counts.items() if c.fp or c.fn}
    assert wrong == {}


def test_garbled_seed_keeps_the_readable_fields() -> None:
    label = _label(next(p for p in LABELS if p.stem.startswith("003")))
    result = extract_fields(_seed_text(label))
    assert result.doc_type == "BÁO CÁO"
    assert result.symbol == "BC/ĐU" and result.number is None
    assert result.date == "2025-06"  # the draft leaves the day blank
    assert result.place == "Đồng Tháp"
    assert result.draft == "Dự thảo lần 2"
    assert result.national_heading == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert result.term == "2020-2025"
    assert result.signer.title == "BI THU"
    assert len(result.recipients) == 4
