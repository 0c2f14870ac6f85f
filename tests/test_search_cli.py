"""`sohoa search` and `sohoa show` through the CLI entry point."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from postgres import BACKENDS, new_archive
from test_search import GARBLED, KE_HOACH, NGHI_QUYET, RECORDS
from test_store import REPORT

from pipeline.cli import main
from pipeline.errors import ExitCode
from pipeline.record import Record
from pipeline.storage import open_store


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = new_archive(request, tmp_path_factory.mktemp("cli"))
    with open_store(path) as store:
        for record in RECORDS:
            store.add_document(record, {})
    return path


def test_search_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "ket nap", "--db", db, "--type", "NQ", "--facets"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 documents, page 1/1")
    assert NGHI_QUYET.id[:12] in out and "[kết] [nạp]" in out
    assert "type: NGHỊ QUYẾT (1)" in out and "issuer: HUYỆN ỦY NAM ĐÀN (1)" in out


def test_search_json_with_filters(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["search", "", "--db", db, "--json", "--from", "2021-01-01", "--to", "2022-12-31"]
    assert main([*args, "--sort", "date", "--limit", "1", "--page", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2 and data["pages"] == 2
    assert [hit["id"] for hit in data["hits"]] == [KE_HOACH.id]


def test_search_fuzzy_is_marked(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "phat trien dang vien ket nap", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "APPROXIMATE MATCHES" in out and GARBLED.id[:12] in out


def test_search_bad_input(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "x", "--db", db, "--year", "twenty"]) == ExitCode.BAD_ARGUMENTS
    assert main(["search", "x" * 600, "--db", db]) == ExitCode.BAD_ARGUMENTS
    missing = str(tmp_path / "none.db")
    assert main(["search", "x", "--db", missing]) == ExitCode.BAD_ARGUMENTS
    assert "no such database" in capsys.readouterr().err
    assert main(["search", '"NEAR( -', "--db", db]) == 0


def test_show(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", REPORT.id[:8], "--db", db]) == 0
    out = capsys.readouterr().out
    assert "number" in out and "196-BC/ĐUK" in out and "--- text ---" in out
    assert REPORT.pages[1].text in out
    assert main(["show", REPORT.id, "--db", db, "--json"]) == 0
    assert Record.from_json(capsys.readouterr().out) == REPORT
    assert main(["show", REPORT.id[:8], "--db", db, "--raw"]) == 0
    assert "--- raw OCR ---" in capsys.readouterr().out


def test_show_unknown_or_ambiguous(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "f" * 64, "--db", db]) == ExitCode.BAD_ARGUMENTS
    assert main(["show", "../etc", "--db", db]) == ExitCode.BAD_ARGUMENTS
    assert "no document" in capsys.readouterr().err
    assert main(["show", "f", "--db", db]) == ExitCode.BAD_ARGUMENTS  # f2… and fc…
    assert "ambiguous" in capsys.readouterr().err


def test_show_lists_review_items_and_blank_pages() -> None:
    from test_store import make_record

    from pipeline.commands.show import format_record
    from pipeline.record import ReviewItem

    record = make_record("review", ["trang một", "", "trang ba"])
    record.pages[1] = replace(record.pages[1], blank=True)
    record.review = [ReviewItem("number", "số viết tay"), ReviewItem("date", "ngày trống")]
    lines = format_record(record).splitlines()
    assert any(x.split() == ["needs", "review", "number:", "số", "viết", "tay;", "date:",
                             "ngày", "trống"] for x in lines)  # fmt: skip
    assert any(x.split() == ["blank", "pages", "2"] for x in lines)
