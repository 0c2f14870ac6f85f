"""Distributed ingest with real services: redis-server started here on loopback in a temp
folder, `sohoa worker` (Celery) processes, `sohoa ingest --queue`, and the faults a cluster
meets: a worker killed mid-page, Redis restarted mid-run (and PostgreSQL stopped, with the
storage package's PostgreSQL fixture). What must hold: every document in the store exactly
once, and the run's report saying so.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postgres import PostgresCluster

from pipeline.cleanup.options import CleanupOptions
from pipeline.run.jobs import DocumentJob, ErrorKind, JobError, PageJob
from tests.conftest import ROOT
from tests.test_faults import make_pdf

REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed")


# --- jobs as JSON --------------------------------------------------------------------------


def _round_trip(texts: list[str]) -> list[str]:
    """In a spawned interpreter: parse each job and write it again."""
    page, document, error = texts
    return [
        PageJob.from_json(page).to_json(),
        DocumentJob.from_json(document).to_json(),
        json.dumps(JobError.from_dict(json.loads(error)).__dict__),
    ]


def test_jobs_round_trip_as_json_in_a_spawned_process() -> None:
    page = PageJob(
        doc="ab" * 32, path="/data/Báo cáo.pdf", media_type="application/pdf", page=3,
        stated_dpi=150, force_ocr=True, restore_mode="ocr",
        cleanup=CleanupOptions(deskew=False, rules=True),
    )  # fmt: skip
    document = DocumentJob("cd" * 32, "/data/x.tif", "image/tiff", 1234, 2, page, 200)
    error = JobError(ErrorKind.WORKER_DIED, "worker died: signal 9 (SIGKILL)")
    texts = [page.to_json(), document.to_json(), json.dumps(error.__dict__)]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        back = pool.apply(_round_trip, (texts,))
    assert back == texts
    assert PageJob.from_json(back[0]) == page and PageJob.from_json(back[0]).key == (page.doc, 3)
    assert DocumentJob.from_json(back[1]) == document
    assert [j.page for j in document.page_jobs()] == [1, 2]
    assert JobError.from_dict(json.loads(back[2])) == error


def test_jobs_are_sent_longest_first_within_each_batch() -> None:
    from dataclasses import replace

    from pipeline.queue.app import QueueSettings
    from pipeline.queue.executor import longest_first

    page = PageJob(doc="ab" * 32, path="/data/a.pdf", media_type="application/pdf", page=1)
    jobs = [DocumentJob(f"{k:064x}", f"/data/{k}.pdf", "application/pdf", 1, pages, page)
            for k, pages in enumerate([1, 3, 2, 1, 5, 2, 1])]
    settings = replace(QueueSettings(), submit_batch_jobs=4, submit_batch_s=3600.0)
    assert [j.pages for j in longest_first(jobs, settings)] == [3, 2, 1, 1, 5, 2, 1]
    assert sorted(j.sha256 for j in longest_first(jobs, settings)) == sorted(
        j.sha256 for j in jobs)


def test_queue_settings_deliver_at_least_once() -> None:
    from pipeline.queue.app import SETTINGS, make_app

    conf = make_app("redis://127.0.0.1:1/0").conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    timeout = conf.broker_transport_options["visibility_timeout"]
    assert timeout > SETTINGS.time_limit(10_000) == SETTINGS.max_task_s
    assert SETTINGS.time_limit(2) == SETTINGS.base_time_limit_s + 2 * SETTINGS.page_time_limit_s


# --- services ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kill_three_deliveries(what: str, pid_of: Callable[[set[int]], int | None]) -> None:
    """SIGKILL the worker process of each of three deliveries of a task, in turn.
    `pid_of(killed)` gives the process running the delivery now, None while there is none;
    a process already killed is not a new delivery."""
    killed: set[int] = set()

    def kill() -> bool:
        pid = pid_of(killed)
        if pid is None or pid in killed:
            return False
        os.kill(pid, signal.SIGKILL)
        killed.add(pid)
        return True

    for _ in range(3):
        wait_for(what, kill, 90)


def wait_for(what: str, ready: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not seen in {timeout} s")


class RedisServer:
    """redis-server on loopback with its data in a temp folder; durable (AOF, fsync each
    write) so a restart keeps the queue, as a deployment must (deploy/)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS is not None
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "no", "--logfile", str(self.folder / "redis.log")],
        )  # fmt: skip
        wait_for("redis-server", self.ping, 10)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def client(self):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=0)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sohoa(*args: str, tmp: Path, log: Path | None = None) -> subprocess.Popen[str]:
    """`sohoa ARGS` in its own session; output to `log` (else piped)."""
    (tmp / "t").mkdir(exist_ok=True)
    out = log.open("w") if log is not None else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp / "t")},
        start_new_session=True,
        stdout=out,
        stderr=subprocess.STDOUT if log is not None else subprocess.PIPE,
        text=True,
    )


class Worker:
    """A `sohoa worker` process group; `ready` once Celery says so in its log."""

    def __init__(self, queue: str, db: str, tmp: Path, processes: int = 2) -> None:
        self.log = tmp / f"worker-{time.monotonic_ns()}.log"
        self.process = sohoa(
            "-v", "worker", "--queue", queue, "--db", db, "-c", str(processes),
            tmp=tmp, log=self.log,
        )  # fmt: skip
        wait_for("a ready worker", lambda: " ready." in self.text() or self.process.poll(), 60)
        assert self.process.poll() is None, self.text()

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(queue: str, db: str, processes: int = 2) -> Worker:
        worker = Worker(queue, db, tmp_path, processes)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def inputs(folder: Path, documents: int, pages: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(documents):
        make_pdf(folder / f"doc-{n}.pdf", pages)
    (folder / "note.txt").write_text(
        "BÁO CÁO\n\nHiện nay Đảng bộ Khối có 121 tổ chức cơ sở đảng, 14.103 đảng viên.\n",
        encoding="utf-8",
    )
    return folder


def stored(db: Path) -> list[tuple[str, int, int, int]]:
    """(id, pages stored, page rows, source pages) of every stored document."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT d.id, d.n_pages, (SELECT count(*) FROM pages p WHERE p.doc_id = d.id), "
            "json_extract(r.record_json, '$.source.pages') "
            "FROM documents d JOIN records r ON r.rid = d.rid"
        ).fetchall()


def assert_each_stored_once(db: Path, expected: int) -> None:
    rows = stored(db)
    assert len(rows) == expected == len({r[0] for r in rows}), rows
    assert all(n == pages == source for _, n, pages, source in rows), rows


def task_states(server: RedisServer) -> list[dict]:
    client = server.client()
    return [
        json.loads(value)
        for key in client.scan_iter("celery-task-meta-*")
        if (value := client.get(key)) is not None
    ]


def split_keys(server: RedisServer) -> list[bytes]:
    """The keys holding split documents' finished pages."""
    return list(server.client().scan_iter("sohoa:split:*"))


def pages_kept(server: RedisServer) -> int:
    client = server.client()
    return sum(int(client.hlen(key)) for key in client.scan_iter("sohoa:split:*:pages"))


def finish(process: subprocess.Popen[str], timeout: float = 180) -> tuple[int, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, out + err


def submit(tmp: Path, folder: Path, queue: str, db: str, name: str) -> subprocess.Popen[str]:
    """`sohoa ingest FOLDER --queue QUEUE --db DB`, its report at tmp/NAME."""
    args = ["--queue", queue, "--db", db, "--report", str(tmp / name), "--progress", "never"]
    return sohoa("ingest", str(folder), *args, tmp=tmp)


def report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# --- distributed ingest --------------------------------------------------------------------


@needs_redis
def test_a_queued_ingest_stores_what_a_local_ingest_stores(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    folder = inputs(tmp_path / "in", documents=2, pages=1)
    make_pdf(folder / "long.pdf", 3)  # sent as page tasks, joined by the last one
    local, queued = tmp_path / "local.sqlite", tmp_path / "queued.sqlite"
    start_worker(redis_server.url, str(queued))
    args = ("--db", str(local), "-j", "1", "--progress", "never")
    code, out = finish(sohoa("ingest", str(folder), *args, tmp=tmp_path))
    assert code == 0, out
    code, out = finish(submit(tmp_path, folder, redis_server.url, str(queued), "queued.json"))
    assert code == 0, out
    assert "4 files: 4 ingested" in out
    ran = report(tmp_path / "queued.json")
    assert ran["pages_processed"] == 6 and ran["workers"] == 2
    assert {f["status"] for f in ran["files"]} == {"ingested"}
    assert_each_stored_once(queued, 4)
    assert split_keys(redis_server) == []  # the split document's pages left Redis

    from pipeline.storage import open_store

    def comparable(db: Path) -> dict[str, dict]:
        with open_store(str(db)) as store:
            records = {r.id: r.to_dict() for r in store.iter_records()}
        for data in records.values():
            del data["provenance"]  # timings and creation times differ
        return records

    assert comparable(queued) == comparable(local)
    # a second submission finds everything stored: nothing is queued again
    code, out = finish(submit(tmp_path, folder, redis_server.url, str(queued), "again.json"))
    assert code == 0 and "4 skipped" in out, out


@needs_redis
def test_a_worker_killed_mid_page_loses_and_duplicates_nothing(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """Killed twice: on a page task of a split document some of whose pages are already
    kept, then on page 2 of a document task; every document stored once, whole."""
    folder = inputs(tmp_path / "in", documents=2, pages=4)  # split: one task a page
    make_pdf(folder / "short.pdf", 2)  # one task
    db = tmp_path / "archive.sqlite"
    start_worker(redis_server.url, str(db))
    run = submit(tmp_path, folder, redis_server.url, str(db), "r.json")
    killed: list[int] = []

    def kill(pid: int) -> bool:
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
        return True

    def a_page_task_mid_document() -> bool:
        if pages_kept(redis_server) < 1:
            return False
        running = [s["result"]["pid"] for s in task_states(redis_server)
                   if s["status"] == "STARTED"]  # fmt: skip
        return bool(running) and kill(running[0])

    def a_document_task_on_page_2() -> bool:
        for state in task_states(redis_server):
            result = state.get("result") or {}
            if state["status"] == "PROGRESS" and result.get("pages") == 1:
                return result["pid"] not in killed and kill(result["pid"])
        return False

    wait_for("a split document past its first page", a_page_task_mid_document, 90)
    wait_for("a document past its first page", a_document_task_on_page_2, 120)
    code, out = finish(run)
    assert code == 0, out
    assert "4 files: 4 ingested" in out
    assert report(tmp_path / "r.json")["pages_processed"] == 11
    assert_each_stored_once(db, 4)
    assert split_keys(redis_server) == []


@needs_redis
def test_a_worker_killed_while_it_joins_the_pages_loses_and_duplicates_nothing(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """The page task that completes a split document is killed while it writes the record
    (held up by a write lock this test takes on the store): its redelivery finds every page
    kept, reads none again, and writes the record once."""
    folder = tmp_path / "in"
    folder.mkdir()
    make_pdf(folder / "long.pdf", 3)
    db = tmp_path / "archive.sqlite"
    worker = start_worker(redis_server.url, str(db), processes=1)
    run = submit(tmp_path, folder, redis_server.url, str(db), "r.json")
    # the worker process opens the store on its first page; then no one else may write
    wait_for("a first page kept", lambda: pages_kept(redis_server) >= 1, 90)
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    joins = "all 3 pages done; building and writing its record (pid "
    wait_for("the join", lambda: joins in worker.text(), 90)
    time.sleep(0.5)
    assert stored(db) == [] and pages_kept(redis_server) == 3
    pid = int(worker.text().split(joins)[1].split(")")[0])
    os.kill(pid, signal.SIGKILL)
    lock.rollback()
    lock.close()
    code, out = finish(run)
    assert code == 0, out + worker.text()[-3000:]
    assert "1 files: 1 ingested" in out
    assert_each_stored_once(db, 1)
    assert split_keys(redis_server) == []
    log = worker.text()
    assert log.count(joins) == 2, log[-3000:]
    assert [log.count(f"page {n} of long.pdf: ocr") for n in (1, 2, 3)] == [1, 1, 1]


@needs_redis
def test_a_page_whose_worker_dies_every_time_fails_alone_after_three_deliveries(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """A page task whose process is killed at every delivery fails its page only, as the
    local pool fails a page whose worker died: the document is stored partial, with the
    other pages, and the reason names the page."""
    folder = tmp_path / "in"
    folder.mkdir()
    make_pdf(folder / "long.pdf", 3)
    db = tmp_path / "archive.sqlite"
    start_worker(redis_server.url, str(db), processes=1)
    run = submit(tmp_path, folder, redis_server.url, str(db), "r.json")
    client = redis_server.client()

    def running() -> dict[str, int]:
        """task id -> pid of each task running now."""
        found = {}
        for key in client.scan_iter("celery-task-meta-*"):
            state = json.loads(client.get(key) or "{}")
            if state.get("status") == "STARTED":
                found[key.decode().removeprefix("celery-task-meta-")] = state["result"]["pid"]
        return found

    first: list[str] = []

    def page_1_running() -> bool:  # the first page task sent, its page not yet kept
        tasks = running()
        if len(tasks) == 1 and pages_kept(redis_server) == 0:
            first.extend(tasks)
        return bool(first)

    wait_for("page 1 running", page_1_running, 90)
    victim = first[0]
    kill_three_deliveries("a delivery of page 1", lambda killed: running().get(victim))
    code, out = finish(run)
    assert code == 1, out
    (entry,) = report(tmp_path / "r.json")["files"]
    assert entry["status"] == "partial", entry
    assert entry["reason"] == "page 1 of 3: worker died while running it 3 times", entry
    ((_, n_pages, page_rows, source_pages),) = stored(db)
    assert (n_pages, page_rows, source_pages) == (2, 2, 3)
    assert split_keys(redis_server) == []


@needs_redis
def test_a_killed_run_resumes_with_no_duplicates(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """The submitter and every worker process SIGKILLed while split documents have pages
    kept; a new worker and the same command again store every document once."""
    folder = inputs(tmp_path / "in", documents=3, pages=3)
    db = tmp_path / "archive.sqlite"
    worker = start_worker(redis_server.url, str(db))
    run = submit(tmp_path, folder, redis_server.url, str(db), "r.json")
    wait_for("a split document past its first page", lambda: pages_kept(redis_server) >= 2, 90)
    for process in (run, worker.process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    start_worker(redis_server.url, str(db))
    again = submit(tmp_path, folder, redis_server.url, str(db), "again.json")
    code, out = finish(again)
    assert code == 0, out
    files = report(tmp_path / "again.json")["files"]
    assert {f["status"] for f in files} <= {"ingested", "skipped"} and len(files) == 4
    assert_each_stored_once(db, 4)


@needs_redis
def test_a_redis_restart_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    folder = inputs(tmp_path / "in", documents=6, pages=2)
    db = tmp_path / "archive.sqlite"
    worker = start_worker(redis_server.url, str(db), processes=1)
    run = submit(tmp_path, folder, redis_server.url, str(db), "r.json")
    for _ in range(2):  # twice: once early, once as later documents run
        wait_for(
            "a running document",
            lambda: any(s["status"] in ("STARTED", "PROGRESS") for s in task_states(redis_server)),
            90,
        )
        redis_server.stop()
        time.sleep(2)
        redis_server.start()
    code, out = finish(run)
    assert code == 0, out + worker.text()[-3000:]
    assert "7 files: 7 ingested" in out
    assert_each_stored_once(db, 7)


@needs_redis
def test_a_postgres_stop_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path,
    redis_server: RedisServer,
    start_worker: Callable[..., Worker],
    postgres: PostgresCluster,
) -> None:
    from pipeline.storage import open_store

    folder = inputs(tmp_path / "in", documents=4, pages=2)
    url = postgres.new_database()
    worker = start_worker(redis_server.url, url)
    run = submit(tmp_path, folder, redis_server.url, url, "r.json")
    wait_for(
        "a running document",
        lambda: any(s["status"] in ("STARTED", "PROGRESS") for s in task_states(redis_server)),
        90,
    )
    postgres.stop()
    time.sleep(4)
    postgres.start()
    code, out = finish(run)
    assert code == 0, out + worker.text()[-3000:]
    assert "5 files: 5 ingested" in out
    with open_store(url) as store:
        assert store.count_documents() == 5 and store.count_pages() == 4 * 2 + 1
        ids = {r.id for r in store.iter_records()}
    assert ids == {f["id"] for f in report(tmp_path / "r.json")["files"]}


@needs_redis
def test_a_document_whose_worker_dies_every_time_fails_after_three_deliveries(
    tmp_path: Path, redis_server: RedisServer, start_worker: Callable[..., Worker]
) -> None:
    """A file that kills its worker process whenever it runs (a native crash) fails with a
    reason instead of going round the queue for ever; the other documents are stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    make_pdf(folder / "poison.pdf", 2)  # under split_pages: one document task
    db = tmp_path / "archive.sqlite"
    start_worker(redis_server.url, str(db), processes=1)
    run = submit(tmp_path, folder, redis_server.url, str(db), "r.json")

    def on_page_2(killed: set[int]) -> int | None:
        for state in task_states(redis_server):
            result = state.get("result") or {}
            if state["status"] == "PROGRESS" and result.get("pid") not in killed:
                return int(result["pid"])
        return None

    kill_three_deliveries("a delivery past its first page", on_page_2)
    code, out = finish(run)
    assert code == 1, out
    (entry,) = report(tmp_path / "r.json")["files"]
    assert (entry["status"], entry["reason"]) == ("failed", "worker died while running it 3 times")
    assert stored(db) == []
