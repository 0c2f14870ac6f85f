"""Failure injection with real processes, signals and file systems.

Each test runs `sohoa` as its own process and hurts it the way a bulk import gets hurt: a
worker killed (the OOM killer's SIGKILL), the parent killed or terminated, a full disk
(a small tmpfs, where the test may mount one), a file that vanishes mid-run, and bad
arguments. What must hold: no document lost, duplicated or half-written; the summary and
the report always written; no process left behind after 5 s; one-line reasons and the
documented exit codes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import ROOT, paragraph_lines, pdf_from_objects, render_lines

BODY = (
    "Ban Chấp hành Đảng bộ Khối đã lãnh đạo thực hiện tốt công tác xây dựng Đảng, "
    "kết nạp 1.117 đảng viên mới trong nhiệm kỳ 2020-2025."
)


def make_pdf(path: Path, pages: int, blank: tuple[int, ...] = ()) -> None:
    """A scanned-looking PDF at 100 dpi (fast to OCR); pages in `blank` have no ink."""
    images = [
        render_lines(
            [] if n in blank else paragraph_lines(f"{path.stem} trang {n}. {BODY}", 60),
            width=827,
            height=1169,
            size=22,
        )
        for n in range(1, pages + 1)
    ]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=100)


def sohoa(*args: str, tmp: Path, **popen: object) -> subprocess.Popen[str]:
    """`sohoa ARGS` as its own process (own session), its temp files under tmp/t."""
    (tmp / "t").mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp / "t")},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[call-overload]
    )


def run(*args: str, tmp: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    process = sohoa(*args, tmp=tmp)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def busy_workers(tmp: Path, count: int, timeout: float = 60) -> dict[int, int]:
    """Wait until `count` workers have each started a task; their pids and task numbers
    (each worker writes the number of the task it starts to a file named after its pid)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {}
        for marker in (tmp / "t").glob("sohoa-workers-*/*"):
            try:
                found[int(marker.name)] = int(marker.read_text())
            except (OSError, ValueError):
                continue
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"{count} busy workers not seen in {timeout} s")


def alive(pid: int) -> bool:
    """Running (a zombie no parent has reaped yet holds no memory: it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, their children, ...)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """The pids still alive after `seconds` (empty when all exited)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return set()
        time.sleep(0.1)
    return {p for p in pids if alive(p)}


def stored(db: Path) -> list[tuple[str, int, int, int]]:
    """(id, pages stored, page rows, source pages) of every stored document."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT d.id, d.n_pages, (SELECT count(*) FROM pages p WHERE p.doc_id = d.id), "
            "json_extract(r.record_json, '$.source.pages') "
            "FROM documents d JOIN records r ON r.rid = d.rid"
        ).fetchall()


def report_of(folder: Path) -> dict:
    (path,) = folder.glob("*report-*.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def pdfs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        make_pdf(folder / f"doc-{n}.pdf", 2)
    return folder


def test_a_killed_worker_fails_only_its_page_and_a_rerun_completes(
    tmp_path: Path, pdfs: Path
) -> None:
    db, out = tmp_path / "db.sqlite", tmp_path / "out"
    args = ("ingest", str(pdfs), "--db", str(db), "--out", str(out), "-j", "2")
    process = sohoa(*args, tmp=tmp_path)
    victim = next(iter(busy_workers(tmp_path, 1)))
    os.kill(victim, signal.SIGKILL)  # what the OOM killer does
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "3 files:" in stdout and "report" in stdout
    files = report_of(out)["files"]
    died = [f for f in files if "worker died: signal 9 (SIGKILL)" in f["reason"]]
    assert len(died) == 1, files
    assert died[0]["status"] in ("partial", "failed")
    assert sorted(f["status"] for f in files if f not in died) == ["ingested", "ingested"]
    assert "worker died: signal 9" in stdout  # the summary line names it
    assert 0 < report_of(out)["worker_peak_mb"] < 500
    # a rerun redoes the document that lost its page, and only that one
    again = run(*args, tmp=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    docs = stored(db)
    assert len(docs) == len({d[0] for d in docs}) == 3
    assert all(n == rows == pages == 2 for _, n, rows, pages in docs)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_no_process_outlives_its_parent(tmp_path: Path, pdfs: Path, how: signal.Signals) -> None:
    db, out = tmp_path / "db.sqlite", tmp_path / "out"
    args = ("ingest", str(pdfs), "--db", str(db), "--out", str(out), "-j", "2")
    process = sohoa(*args, tmp=tmp_path)
    for pid in busy_workers(tmp_path, 2):  # the OOM killer takes a worker before the parent
        assert Path(f"/proc/{pid}/oom_score_adj").read_text().strip() == "500"
    family = descendants(process.pid)  # the fork server, the workers, the resource tracker
    assert len(family) >= 3
    os.kill(process.pid, how)  # the parent only, not its process group
    process.wait(timeout=60)  # not communicate(): an orphan would hold its pipes open
    left = gone_within(family, 5.0)
    for pid in left:  # leave nothing behind for the next test, whatever the outcome
        os.kill(pid, signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=10)
    assert not left, f"still running 5 s after the parent's {how.name}: {sorted(left)}"
    if how == signal.SIGTERM:
        assert process.returncode == 130
        assert " files: " in stdout and "; report " in stdout  # the summary, the report
        assert "interrupted:" in stderr and "run the same command again to resume" in stderr
        assert "Traceback" not in stderr
        report = report_of(out)
        assert report["interrupted"] is True
        assert f"{report['summary']['ingested']} documents saved" in stderr
    docs = stored(db)
    assert all(n == rows == 2 for _, n, rows, _ in docs), "no partial document"
    # a rerun after a kill finishes without duplicates: tests/test_ingest.py


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 96 KiB tmpfs (root only); skipped where this process may not mount one."""
    mount = tmp_path / "small"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) here to make a small tmpfs")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_run_with_one_line_reasons_and_a_rerun_finishes(
    tmp_path: Path, small_disk: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(8):
        (folder / f"t{n}.txt").write_text(f"BÁO CÁO số {n}\n\n" + BODY * 60 + "\n", "utf-8")
    db = tmp_path / "db.sqlite"
    args = ("ingest", str(folder), "--db", str(db), "--out", str(small_disk), "-j", "1")
    full = run(*args, "--restore-mode", "off", tmp=tmp_path)
    assert full.returncode == 1, full.stdout + full.stderr
    assert "Traceback" not in full.stderr and "internal error" not in full.stdout
    assert "No space left on device" in full.stdout
    (stop,) = [x for x in full.stdout.splitlines() if x.startswith("stopped early: ")]
    assert stop.endswith("documents not finished (a rerun does them)"), stop
    assert " files: " in full.stdout  # the summary, and the report or why it is missing
    assert ("; report " in full.stdout) != ("THE REPORT COULD NOT BE WRITTEN" in full.stdout)
    written = len(stored(db))
    assert 0 < written < 8
    assert not list(small_disk.glob(".*.tmp")), "no half-written record left"
    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    again = run(*args, "--restore-mode", "off", tmp=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    docs = stored(db)
    assert len(docs) == len({d[0] for d in docs}) == 8
    assert len([p for p in small_disk.glob("*.json") if len(p.stem) == 64]) == 8


def test_a_report_that_cannot_be_written_is_said_on_its_own_line(
    tmp_path: Path, small_disk: Path
) -> None:
    subprocess.run(["mount", "-o", "remount,size=8k", str(small_disk)], check=True)
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(60):
        (folder / f"t{n:02d}.txt").write_text(f"BÁO CÁO số {n}\n", "utf-8")
    report = small_disk / "report.json"  # 8 KiB: room for the start-up check, not the report
    done = run(
        "ingest", str(folder), "--db", str(tmp_path / "db.sqlite"), "--report", str(report),
        "-j", "1", "--restore-mode", "off", tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "60 files: 60 ingested" in done.stdout
    (line,) = [x for x in done.stdout.splitlines() if "THE REPORT COULD NOT BE WRITTEN" in x]
    assert line.endswith("No space left on device")
    assert len(stored(tmp_path / "db.sqlite")) == 60


def test_a_file_that_vanishes_mid_run_fails_in_one_line(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        make_pdf(folder / f"doc-{n}.pdf", 2)
    db, out = tmp_path / "db.sqlite", tmp_path / "out"
    args = ("ingest", str(folder), "--db", str(db), "--out", str(out), "-j", "2")
    process = sohoa(*args, tmp=tmp_path)
    busy_workers(tmp_path, 1)  # planned: its pages are queued behind the first ones
    (folder / "doc-2.pdf").unlink()  # its pages are beyond the first window of tasks
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    (line,) = [x for x in stdout.splitlines() if "doc-2.pdf" in x]
    assert line.startswith("  FAILED") and "pages 1-2 of 2:" in line
    assert len(stored(db)) == 2  # a failed document is not stored: any rerun does it


def test_a_blank_page_is_a_page_not_a_failure(tmp_path: Path) -> None:
    make_pdf(tmp_path / "with-blank.pdf", 3, blank=(2,))
    out = tmp_path / "out"
    done = run(
        "ingest", str(tmp_path / "with-blank.pdf"), "--db", str(tmp_path / "db.sqlite"),
        "--out", str(out), "-j", "1", tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (record_path,) = [p for p in out.glob("*.json") if len(p.stem) == 64]
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert [p["blank"] for p in record["pages"]] == [False, True, False]
    assert record["errors"] == []
    report = report_of(out)
    assert report["files"][0]["status"] == "ingested"
    assert 0 < report["worker_peak_mb"] < 500  # -j 1: this process did the work


# --- early checks and bad input: one line, the documented exit code, no OCR done ---------


def test_unwritable_outputs_are_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Báo cáo\n", encoding="utf-8")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    db = str(tmp_path / "db.sqlite")
    cases = [
        (("--db", db, "--out", str(a_file)), "not a folder"),
        (("--db", db, "--out", str(a_file / "sub")), "cannot create it"),
        (("--db", db, "--pdfa", str(a_file)), "--pdfa"),
        (("--db", str(tmp_path / "nowhere" / "db.sqlite")), "does not exist"),
        (("--db", str(tmp_path)), "cannot write the database"),
        (("--db", db, "--report", str(tmp_path / "nowhere" / "r.json")), "does not exist"),
    ]
    for extra, message in cases:
        done = run("ingest", str(tmp_path / "a.txt"), *extra, "-j", "1", tmp=tmp_path)
        assert done.returncode == 2, (extra, done.stderr)
        assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not Path(db).exists(), "nothing was written"


def test_a_second_ingest_into_the_same_store_stops_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Báo cáo\n", encoding="utf-8")
    db = tmp_path / "db.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from pipeline.storage import ingest_lock\n"
         f"with ingest_lock({str(db)!r}):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(60)\n"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = run("ingest", str(tmp_path / "a.txt"), "--db", str(db), tmp=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    assert f"another ingest (pid {holder.pid}) is writing to {db}" in done.stderr


def test_bad_inputs_each_fail_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "huge.txt").open("w", encoding="utf-8") as handle:
        line = "bao cao ket qua cong tac xay dung dang\n"
        handle.write(line * (50 * 2**20 // len(line) + 1))
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    (folder / "no-pages.pdf").write_bytes(pdf_from_objects(objects))
    (folder / "two\nlines.txt").write_text("Báo cáo\n", encoding="utf-8")
    report = tmp_path / "r.json"
    # run under a small parent that reports its child's peak memory (ru_maxrss, KiB; an upper
    # bound: Linux counts the forking parent's peak in it, and this parent is small)
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout)\n"
        "sys.stderr.write(done.stderr)\n"
        "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(done.returncode)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "pipeline.cli", "ingest",
         str(folder), "--db", str(tmp_path / "db.sqlite"), "-j", "1", "--report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    peak_mb = int(lines.pop().split()[1]) / 1024
    assert peak_mb < 500, f"{peak_mb:.0f} MB"  # the 50 MB text is refused, never read whole
    assert "  FAILED " + str(folder / "no-pages.pdf") + ": the PDF has no pages" in lines
    (huge,) = [x for x in lines if "huge.txt" in x]
    assert "text file too large: 50.0 MB (the limit is 10 MB)" in huge
    assert any(str(folder / "two\\nlines.txt") in x for x in lines), "newline escaped"
    assert sum("lines.txt" in x for x in lines) == 0 or all(
        "two\\n" in x for x in lines if "lines.txt" in x
    )
    files = {Path(f["path"]).name: f for f in json.loads(report.read_text("utf-8"))["files"]}
    assert files["two\nlines.txt"]["status"] == "ingested"
    # no terminal: one plain line per document on stderr as it is done
    assert any(x.startswith("ingested ") for x in done.stderr.splitlines())


def huge_page_pdf(path: Path, inches: int) -> None:
    """A 600-byte PDF whose one page is `inches` square (at 300 dpi: inches² × 90,000 px)."""
    points = inches * 72
    content = b"BT /F1 48 Tf 100 100 Td (Bao cao) Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 %d %d]/Resources<</Font<</F1 4 0 R>>>>"
        b"/Contents 5 0 R>>" % (points, points),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
    ]
    path.write_bytes(pdf_from_objects(objects))


def test_huge_pdf_pages_fail_in_one_line_within_500_mb_a_worker(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    huge_page_pdf(folder / "60-inch.pdf", 60)  # 324 MP at 300 dpi
    huge_page_pdf(folder / "200-inch.pdf", 200)  # 3,600 MP: beyond what poppler renders
    out = tmp_path / "out"
    done = run(
        "ingest", str(folder), "--db", str(tmp_path / "db.sqlite"), "--out", str(out),
        "-j", "2", "--force-ocr", tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    report = report_of(out)
    for item in report["files"]:
        assert item["status"] == "failed" and "too large" in item["reason"], item
        assert "\n" not in item["reason"]
    assert 0 < report["worker_peak_mb"] < 500


def test_include_that_matches_nothing_is_a_bad_argument(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Báo cáo\n", encoding="utf-8")
    done = run(
        "ingest", str(tmp_path), "--db", str(tmp_path / "db.sqlite"), "--include", "*.pdf",
        tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no files to ingest" in done.stderr and "--include *.pdf" in done.stderr


# --- the other commands ------------------------------------------------------------------


def test_restore_and_extract_name_a_missing_file(tmp_path: Path) -> None:
    for command in ("restore", "extract"):
        done = run(command, str(tmp_path / "nope.txt"), tmp=tmp_path)
        assert done.returncode == 2
        assert done.stderr.strip() == f"sohoa: no such file: {tmp_path / 'nope.txt'}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    from pipeline.storage import open_store
    from tests.test_store import make_record

    db = tmp_path / "s.sqlite"
    with open_store(str(db)) as store:
        for n in range(3):
            store.add_document(make_record(f"r{n}", [f"báo cáo {n}"]), {})
    return db


def test_serve_port_errors_and_signals(tmp_path: Path, small_store: Path) -> None:
    db = str(small_store)
    done = run("serve", "--db", db, "--port", "99999", tmp=tmp_path)
    assert done.returncode == 2 and "out of range" in done.stderr
    assert "Traceback" not in done.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--db", db, "--port", str(port), tmp=tmp_path)
    assert done.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    for how in (signal.SIGINT, signal.SIGTERM):
        port = _free_port()
        server = sohoa("serve", "--db", db, "--port", str(port), tmp=tmp_path)
        assert server.stdout is not None and "serving" in server.stdout.readline()
        server.send_signal(how)
        _, stderr = server.communicate(timeout=20)
        assert server.returncode == 130, (how, stderr)


def test_search_checks_limit_and_page(tmp_path: Path, small_store: Path) -> None:
    db = str(small_store)
    for bad in (("--limit", "0"), ("--limit", "500"), ("--page", "0")):
        done = run("search", "bao cao", "--db", db, *bad, tmp=tmp_path)
        assert done.returncode == 2, bad
    done = run("search", "bao cao", "--db", db, "--limit", "2", "--page", "99", tmp=tmp_path)
    assert done.returncode == 2
    assert "--page 99: the result has 2 pages of 2 hits" in done.stderr


def test_export_skips_reports_and_leaves_no_file_when_it_fails(
    tmp_path: Path, small_store: Path
) -> None:
    from pipeline.storage import open_store

    records = tmp_path / "records"
    records.mkdir()
    with open_store(str(small_store), readonly=True) as store:
        for record in store.iter_records():
            (records / f"{record.id}.json").write_text(record.to_json(), encoding="utf-8")
    (records / "report-20260101T000000Z.json").write_text('{"files": []}', encoding="utf-8")
    out = tmp_path / "export.csv"
    done = run("export", "--records", str(records), "--format", "csv", "--out", str(out),
               tmp=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(out.read_text(encoding="utf-8-sig").strip().splitlines()) == 4
    failed = tmp_path / "failed.csv"
    done = run("export", "--db", str(tmp_path / "missing.sqlite"), "--out", str(failed),
               tmp=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert not failed.exists() and not list(tmp_path.glob(".failed.csv*"))
    nowhere = tmp_path / "nowhere" / "x.csv"  # an OS error anywhere: one line, no traceback
    done = run("export", "--db", str(small_store), "--out", str(nowhere), tmp=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("sohoa: No such file or directory")


def test_make_scans_help(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "scripts/make_scans.py", "--help"], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0 and b"usage" in done.stdout


def test_after_a_break_only_the_killers_task_fails() -> None:
    """Which tasks of a broken pool fail and which run again (no processes needed)."""
    from pipeline.run.executor import PoolExecutor
    from pipeline.run.ingest import failed_task, run_task
    from pipeline.run.jobs import ErrorKind, PageJob
    from pipeline.run.workers import Death

    jobs = [PageJob(doc="ab" * 32, path="a.pdf", media_type="application/pdf", page=n)
            for n in (1, 2, 3)]  # fmt: skip
    lost = list(enumerate(jobs))
    # the OOM killer took the worker running task 1; the executor then SIGTERMed the other
    executor = PoolExecutor(2, run_task, failed_task)
    deaths = [Death(101, -9, 1), Death(102, -15, 2)]
    failed = list(executor.after_break(lost, deaths))
    assert [(o.page_number, o.error) for o in failed] == [
        (2, "page 2: worker died: signal 9 (SIGKILL)")
    ]
    assert failed[0].failure.kind == ErrorKind.WORKER_DIED
    assert [t.page for t in executor.cancel()] == [1, 3]  # run again, in order
    # a worker killed by SIGTERM by hand: no killer known; the running tasks are suspects,
    # run again once, and fail at their second break
    executor = PoolExecutor(2, run_task, failed_task)
    both = [Death(101, -15, 1), Death(102, -15, 2)]
    assert list(executor.after_break(lost, both)) == []
    assert [t.page for t in executor.cancel()] == [1, 2, 3]
    again = list(executor.after_break(lost, [Death(103, -15, 1)]))
    assert [(o.page_number, o.error) for o in again] == [
        (2, "page 2: worker died: signal 15 (SIGTERM)")
    ]
    assert [t.page for t in executor.cancel()] == [1, 3]


def test_a_page_of_ink_with_no_words_is_unreadable_not_blank(tmp_path: Path) -> None:
    # ex-38 once came out of cleanup as 26% black blobs and was stored as a blank page
    rng = np.random.default_rng(7)
    page = np.full((2339, 1654), 255, np.uint8)
    for _ in range(400):  # ink blots: no letters in them
        x, y = int(rng.integers(100, 1500)), int(rng.integers(100, 2200))
        cv2.ellipse(page, (x, y), (int(rng.integers(15, 60)), int(rng.integers(10, 40))),
                    float(rng.integers(0, 180)), 0, 360, 0, -1)
    cv2.imwrite(str(tmp_path / "blots.png"), page)
    out = tmp_path / "out"
    done = run(
        "ingest", str(tmp_path / "blots.png"), "--db", str(tmp_path / "db.sqlite"),
        "--out", str(out), "-j", "1", tmp=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # a page not read is a failure to report
    (record_path,) = [p for p in out.glob("*.json") if len(p.stem) == 64]
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["pages"][0]["blank"] is False
    assert "unreadable" in record["pages"][0]["errors"][0]
    assert record["errors"] and "unreadable" in record["errors"][0]
    (entry,) = report_of(out)["files"]
    assert entry["status"] == "partial" and "unreadable" in entry["reason"], entry
