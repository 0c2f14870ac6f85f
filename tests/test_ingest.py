"""`sohoa ingest` end to end on real files: records, store, resume, bad input, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.record import Record, validate
from pipeline.storage import open_store
from pipeline.storage.sqlite import SqliteStore
from tests.conftest import ROOT, paragraph_lines, pdf_from_objects, render_lines

BODY = (
    "Hiện nay, Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh có 121 tổ chức cơ sở đảng, "
    "1.117 chi bộ trực thuộc, 14.103 đảng viên. Ban Chấp hành Đảng bộ Khối đã lãnh đạo "
    "thực hiện tốt công tác xây dựng Đảng và hệ thống chính trị."
)


def make_inputs(folder: Path, documents: int = 2) -> None:
    """Small real inputs: a 2-page PDF scan, a TIFF, a text file and some bad files."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(documents):
        pages = [render_lines(paragraph_lines(f"Văn bản {n}, trang {p}. {BODY}")) for p in (1, 2)]
        pages[0].save(
            folder / f"scan-{n}.pdf", save_all=True, append_images=pages[1:], resolution=200
        )
    render_lines(paragraph_lines(BODY)).convert("L").save(folder / "photo.tif", dpi=(200, 200))
    (folder / "notes.txt").write_text("BÁO CÁO\n\n" + BODY + "\n", encoding="utf-8")
    (folder / "empty.pdf").touch()
    (folder / "truncated.pdf").write_bytes((folder / "scan-0.pdf").read_bytes()[:2000])
    (folder / "looks-like.jpg").write_text("Đây là văn bản, không phải ảnh.\n", encoding="utf-8")


def _report(folder: Path) -> Path:
    """The one run report in a folder (named after the run's start time)."""
    (report,) = folder.glob("report-*.json")
    return report


def _is_record(path: Path) -> bool:
    return len(path.stem) == 64


def run_cli(*args: str) -> int:
    return main(["ingest", *args, "--progress", "never"])


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, int]:
    base = tmp_path_factory.mktemp("ingest")
    make_inputs(base / "in")
    db, out = base / "archive.sqlite", base / "out"
    code = run_cli(str(base / "in"), "--db", str(db), "--out", str(out), "-j", "2")
    return base, db, out, code


def test_exit_code_reports_failed_files(ingested: tuple[Path, Path, Path, int]) -> None:
    assert ingested[3] == 1


def test_report_names_every_failure(ingested: tuple[Path, Path, Path, int]) -> None:
    report = json.loads(_report(ingested[2]).read_text(encoding="utf-8"))
    status = {Path(f["path"]).name: (f["status"], f["reason"]) for f in report["files"]}
    assert status["empty.pdf"] == ("failed", "empty file (0 bytes)")
    assert status["truncated.pdf"][0] == "failed" and "PDF" in status["truncated.pdf"][1]
    for name in ("scan-0.pdf", "scan-1.pdf", "photo.tif", "notes.txt", "looks-like.jpg"):
        assert status[name][0] == "ingested", status[name]


def test_records_validate_and_round_trip(ingested: tuple[Path, Path, Path, int]) -> None:
    files = sorted(ingested[2].glob("*.json"))
    records = [json.loads(p.read_text(encoding="utf-8")) for p in files if _is_record(p)]
    assert len(records) == 5
    for data in records:
        validate(data)
        assert Record.from_dict(data).to_dict() == data
        assert data["id"] == data["source"]["sha256"]


def test_scan_pages_are_recognised(ingested: tuple[Path, Path, Path, int]) -> None:
    with open_store(str(ingested[1])) as store:
        records = {Path(r.source.path).name: r for r in store.iter_records()}
        pdf = records["scan-0.pdf"]
        assert [p.number for p in pdf.pages] == [1, 2]
        assert all(p.method == "ocr" and p.lines and p.confidence for p in pdf.pages)
        assert "14.103 đảng viên" in " ".join(pdf.text.split())
        assert "binarize" in pdf.pages[0].cleanup
        assert store.page_image(pdf.id, 2)[:8] == b"\x89PNG\r\n\x1a\n"
        assert pdf.provenance.engines["tesseract"] and "ocr" in pdf.provenance.timings
        text = records["looks-like.jpg"]
        assert text.source.media_type == "text/plain" and text.pages[0].method == "text"


def test_rerun_skips_everything_stored(ingested: tuple[Path, Path, Path, int]) -> None:
    base, db, _, _ = ingested
    report_path = base / "rerun.json"
    run_cli(str(base / "in"), "--db", str(db), "--report", str(report_path))
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["summary"]["skipped"] == 5 and report["pages_processed"] == 0


def test_text_layer_pdf_skips_ocr(tmp_path: Path) -> None:
    pdf = tmp_path / "born-digital.pdf"
    # a PDF with a real text layer, built by hand (Helvetica, ASCII body)
    content = (
        b"BT /F1 12 Tf 40 720 Td "
        b"(Bao cao so ket thuc hien Chuong trinh so 13 cua Ban Chap hanh Dang bo Khoi) Tj ET"
    )
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>"
        b"/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
    ]
    pdf.write_bytes(pdf_from_objects(objects))
    out = tmp_path / "out"
    assert run_cli(str(pdf), "--db", str(tmp_path / "db.sqlite"), "--out", str(out)) == 0
    record = json.loads(next(out.glob("[0-9a-f]*.json")).read_text(encoding="utf-8"))
    assert record["pages"][0]["method"] == "text-layer"
    assert "Chuong trinh so 13" in record["pages"][0]["raw_text"]


def test_bad_arguments_and_missing_paths(tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "x.sqlite")]) == 2
    assert main(["ingest"]) == 2


def _documents_in(db: Path) -> list[tuple[str, int, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT d.id, d.n_pages, (SELECT count(*) FROM pages p WHERE p.doc_id = d.id) "
            "FROM documents d"
        ).fetchall()


def test_sigkill_then_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_inputs(folder, documents=4)
    db, out = tmp_path / "archive.sqlite", tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "ingest",
        str(folder),
        "--db",
        str(db),
        "--out",
        str(out),
        "-j",
        "1",
        "--progress",
        "never",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if db.exists() and len(_documents_in(db)) >= 1:
                break
        except sqlite3.OperationalError:  # read while the schema was being created
            pass
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    stored = _documents_in(db)
    assert 1 <= len(stored) < 7, "the kill should land mid-run"
    assert all(pages == rows for _, pages, rows in stored), "no partial document"
    assert run_cli(str(folder), "--db", str(db), "--out", str(out)) == 1  # bad files remain
    final = _documents_in(db)
    assert len(final) == len({doc_id for doc_id, _, _ in final}) == 7
    assert all(pages == rows for _, pages, rows in final)
    assert not list(out.glob(".*.tmp")), "no temp file left behind"
    assert len([p for p in out.glob("*.json") if _is_record(p)]) == 7


def test_missing_tesseract_exits_3_with_install_hint(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Báo cáo\n", encoding="utf-8")
    bare_path = tmp_path / "tessdata"
    bare_path.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "ingest",
            str(tmp_path / "a.txt"),
            "--db",
            str(tmp_path / "db.sqlite"),
        ],
        cwd=ROOT,
        env={**os.environ, "TESSDATA_PREFIX": str(bare_path)},  # no language models
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3
    assert "apt-get install tesseract-ocr" in result.stderr


def test_dangling_link_is_reported_and_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (folder / "ok.txt").write_text("Báo cáo kết quả\n", encoding="utf-8")
    report = tmp_path / "report.json"
    code = run_cli(str(folder), "--db", str(tmp_path / "db.sqlite"), "--report", str(report))
    assert code == 1
    files = {Path(f["path"]).name: f for f in json.loads(report.read_text("utf-8"))["files"]}
    assert files["gone.pdf"]["status"] == "failed"
    assert files["gone.pdf"]["reason"].startswith("unreadable file")
    assert files["ok.txt"]["status"] == "ingested"


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    from pipeline.run.ingest import discover

    for name in ("a/x.pdf", "a/y.txt", "b/z.pdf", ".hidden/w.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], ["*.pdf"], ["b/*"])]
    assert found == ["a/x.pdf"]


def test_a_record_that_fails_to_write_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    """An unforeseen error while one record is written (a bug, a full disk) fails that file
    only, with its reason in the report."""
    from pipeline.run.ingest import IngestOptions, ingest

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(f"Báo cáo {name}\n\n{BODY}\n", encoding="utf-8")

    class FlakyStore(SqliteStore):
        def add_document(self, record: Record, page_images: dict[int, bytes]) -> None:
            if record.source.path.endswith("a.txt"):
                raise TypeError("Object of type int32 is not JSON serializable")
            super().add_document(record, page_images)

    store = FlakyStore.open(str(tmp_path / "db.sqlite"))
    try:
        report = ingest([folder], store, IngestOptions(jobs=1))
    finally:
        store.close()
    outcomes = {Path(f.path).name: f for f in report.files}
    assert outcomes["a.txt"].status == "failed"
    assert outcomes["a.txt"].reason.startswith("internal error: TypeError")
    assert outcomes["b.txt"].status == "ingested"


def test_a_record_that_fails_to_build_is_reported_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unforeseen error while one document's fields are extracted fails that file only."""
    from pipeline.run import build
    from pipeline.run.ingest import IngestOptions, ingest

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(f"Báo cáo {name}\n\n{BODY}\n", encoding="utf-8")
    fill = build._with_fields

    def flaky_fill(record: Record) -> Record:
        if record.source.path.endswith("a.txt"):
            raise IndexError("list index out of range")
        return fill(record)

    monkeypatch.setattr(build, "_with_fields", flaky_fill)
    store = open_store(str(tmp_path / "db.sqlite"))
    try:
        report = ingest([folder], store, IngestOptions(jobs=1))
        outcomes = {Path(f.path).name: f for f in report.files}
        assert not store.has_document(outcomes["a.txt"].id or "")
        assert store.has_document(outcomes["b.txt"].id or "")
    finally:
        store.close()
    assert outcomes["a.txt"].status == "failed"
    assert outcomes["a.txt"].reason == "internal error: IndexError: list index out of range"
    assert outcomes["b.txt"].status == "ingested"


def test_workers_extract_fields_and_the_parent_only_writes(tmp_path: Path) -> None:
    """With worker processes, records (fields included) are built in the workers: the parent
    never imports the field extractor or the restoration model, so on two cores none of its
    CPU comes out of OCR."""
    folder = tmp_path / "in"
    folder.mkdir()
    lines = ["ĐẢNG BỘ TỈNH ĐỒNG THÁP", "Số 12-BC/TU", "BÁO CÁO", "", BODY]
    for n in range(3):
        (folder / f"r{n}.txt").write_text("\n".join(lines) + f"\n{n}\n", encoding="utf-8")
    db, out = str(tmp_path / "db.sqlite"), str(tmp_path)
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from pipeline.run.ingest import IngestOptions, ingest\n"
        "from pipeline.restore.restorer import _load_cached\n"
        "from pipeline.storage import open_store\n"
        f"store = open_store({db!r})\n"
        f"options = IngestOptions(jobs=2, out_dir=Path({out!r}))\n"
        f"report = ingest([Path({str(folder)!r})], store, options)\n"
        "store.close()\n"
        "loaded = [m for m in sys.modules if m.startswith(('pipeline.fields', 'spacy'))]\n"
        "loaded += ['restoration model'] * _load_cached.cache_info().currsize\n"
        "print(json.dumps({'statuses': [f.status for f in report.files], 'loaded': loaded}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == ["ingested"] * 3
    assert result["loaded"] == []
    records = [json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("*.json")]
    assert len(records) == 3
    assert all(r["number"] == 12 and r["doc_type"] == "BÁO CÁO" for r in records)


def test_report_lists_each_documents_review_items(ingested: tuple[Path, Path, Path, int]) -> None:
    report = json.loads(_report(ingested[2]).read_text(encoding="utf-8"))
    flagged = [f for f in report["files"] if f["review"]]
    assert report["summary"]["needs_review"] == len(flagged)
    with open_store(str(ingested[1])) as store:
        for item in report["files"]:
            if item["status"] != "ingested":
                continue
            record = store.get_record(item["id"])
            assert record is not None
            assert item["review"] == [{"field": r.field, "reason": r.reason} for r in record.review]
            assert item["seconds"] < report["elapsed_s"]


def test_summary_names_review_fields_and_escapes_file_names() -> None:
    from pipeline.record import ReviewItem
    from pipeline.run.ingest import FileOutcome, RunReport

    report = RunReport(started="2026-01-01T00:00:00+00:00")
    report.files = [
        FileOutcome("a\nb.pdf", "partial", "pages 2-3 of 3: worker died: signal 9 (SIGKILL)"),
        FileOutcome(
            "c.pdf",
            "ingested",
            review=[ReviewItem("number", "viết tay"), ReviewItem("date", "ngày trống")],
        ),
        FileOutcome("d.pdf", "ingested"),
    ]
    lines = report.summary_lines()
    assert (
        lines[0]
        == "3 files: 2 ingested, 1 partial, 0 skipped, 0 duplicate, 0 failed; 1 need review"
    )
    assert "  PARTIAL a\\nb.pdf: pages 2-3 of 3: worker died: signal 9 (SIGKILL)" in lines
    assert "  needs review: number, date: c.pdf" in lines
    assert len(report.failures) == 1 and report.saved == 3


def test_worker_log_lines_reach_the_parent_with_any_jobs(tmp_path: Path) -> None:
    """`sohoa -v ingest -j 2`: pages run only in the workers, and each page's log line
    comes through their queue handler to the parent's stderr."""
    folder = tmp_path / "in"
    folder.mkdir()
    pages = [render_lines(paragraph_lines(f"Trang {p}. {BODY}")) for p in (1, 2)]
    pages[0].save(folder / "scan.pdf", save_all=True, append_images=pages[1:], resolution=200)
    (folder / "notes.txt").write_text(f"BÁO CÁO\n\n{BODY}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "-v", "ingest", str(folder),
         "--db", str(tmp_path / "db.sqlite"), "-j", "2", "--progress", "never"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [
        line.split(" in ")[0]
        for line in done.stderr.splitlines()
        if line.startswith("INFO pipeline.run.page: page ")
    ]
    assert sorted(lines) == [
        "INFO pipeline.run.page: page 1 of notes.txt: text",
        "INFO pipeline.run.page: page 1 of scan.pdf: ocr",
        "INFO pipeline.run.page: page 2 of scan.pdf: ocr",
    ]
