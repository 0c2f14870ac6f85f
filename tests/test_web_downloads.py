"""The web UI offers a document's original file and a PDF/A of it (issue 16), built from a
real ingest: served only while the file on disk is the one that was indexed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.storage import open_store
from pipeline.web import create_app
from tests.conftest import ROOT, render_lines

LINES = ["ĐẢNG BỘ TỈNH THANH HÓA", "Số 196-BC/ĐUK", "BÁO CÁO",
         "Kết nạp đảng viên mới trong năm 2023", "Đảng ủy đã lãnh đạo các chi bộ."]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("downloads")
    scan = folder / "in" / "scan.png"
    scan.parent.mkdir()
    render_lines(LINES).save(scan, dpi=(200, 200))
    db = folder / "s.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ingest", str(scan.parent), "--db", str(db),
         "-j", "1", "--progress", "never"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    return scan, db


def _client(db: Path) -> TestClient:
    return TestClient(create_app(open_store(str(db), readonly=True)),
                      base_url="http://127.0.0.1")


def test_the_original_and_a_pdfa_are_offered(served: tuple[Path, Path], tmp_path: Path) -> None:
    scan, db = served
    client = _client(db)
    doc_id = client.get("/api/search", params={"q": "ket nap"}).json()["hits"][0]["id"]
    page = client.get(f"/documents/{doc_id}").text
    assert f"/api/documents/{doc_id}/original" in page and f"/api/documents/{doc_id}/pdfa" in page

    original = client.get(f"/api/documents/{doc_id}/original")
    assert original.status_code == 200 and original.content == scan.read_bytes()

    pdfa = client.get(f"/api/documents/{doc_id}/pdfa")
    assert pdfa.status_code == 200 and pdfa.content.startswith(b"%PDF-")
    (tmp_path / "a.pdf").write_bytes(pdfa.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "đảng viên" in text.lower()


def test_a_changed_or_missing_original_is_not_served(
    served: tuple[Path, Path], tmp_path: Path
) -> None:
    scan, db = served
    client = _client(db)
    doc_id = client.get("/api/search", params={"q": "ket nap"}).json()["hits"][0]["id"]
    kept = tmp_path / "kept.png"
    shutil.copy(scan, kept)
    try:
        scan.write_bytes(b"not the indexed file")
        assert client.get(f"/api/documents/{doc_id}/original").status_code == 404
        assert client.get(f"/api/documents/{doc_id}/pdfa").status_code == 404
        scan.unlink()
        assert client.get(f"/api/documents/{doc_id}/original").status_code == 404
    finally:
        shutil.copy(kept, scan)
    assert client.get("/api/documents/" + "0" * 64 + "/original").status_code == 404
