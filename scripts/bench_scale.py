"""Throughput of distributed ingest beside the local pool, on this machine, in one run.

    .venv/bin/python scripts/bench_scale.py [--count 8] [--workers 1,2,4] [--repeat 1]

Makes a corpus of generated scans (scripts/make_scans.py; or --corpus DIR), starts its own
redis-server on loopback in a temp folder, and ingests the corpus into a fresh SQLite store:
with the local pool (`sohoa ingest -j 1`, `-j 2`), then through the queue with 1, 2 and 4
`sohoa worker` processes (`-c N`, started and ready before the timed run). Each run's
pages/min come from its own run report, and for the queue what went into Redis during it
(bytes in, its memory's peak above the start) and how busy its processes were (`busy`: time
in tasks over processes x the span of the tasks; a long task alone at the end lowers it).
Printed: a markdown table, the queue's overhead per page for document tasks (one-page text
files) and for page tasks (ten-page text files, split), each against `-j 1` (both one
process, pages in sequence), the 2-process ratio (queue against `-j 2`), and a page's
result through Redis (docs/scale.md). --json writes it all.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def sohoa(*args: str, log: Path | None = None) -> subprocess.Popen[str]:
    out = log.open("w") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_corpus(folder: Path, count: int) -> Path:
    subprocess.run(
        [sys.executable, "scripts/make_scans.py", "--out", str(folder), "--count", str(count),
         "--profiles", "clean,photocopy,skew", "--max-pages", "2", "--seed", "301",
         "--formats", "pdf"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    scans = folder / "scans"  # the truth files (.txt, .json) stay out of the run
    scans.mkdir()
    for pdf in folder.glob("*.pdf"):
        pdf.rename(scans / pdf.name)
    return scans


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--dir", str(folder), "--appendonly", "yes",
         "--appendfsync", "everysec", "--save", "", "--logfile", str(folder / "redis.log")],
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return redis, f"redis://127.0.0.1:{port}/0"


def run_ingest(args: list[str], report: Path) -> dict[str, Any]:
    process = sohoa("ingest", *args, "--progress", "never", "--report", str(report))
    process.wait()
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return data


def local_run(corpus: Path, tmp: Path, jobs: int, tag: str) -> dict[str, Any]:
    db = tmp / f"local-{tag}.sqlite"
    return run_ingest([str(corpus), "--db", str(db), "-j", str(jobs)], tmp / f"local-{tag}.json")


class RedisWatch:
    """Bytes into Redis (every client: messages, states, kept pages) and the peak of its
    memory above the start, over a run, sampled every 0.1 s."""

    def __init__(self, queue: str) -> None:
        import redis

        self._client = redis.Redis.from_url(queue)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._start_in = int(self._client.info("stats")["total_net_input_bytes"])
        self._start_mem = int(self._client.info("memory")["used_memory"])
        self._peak = self._start_mem
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self._peak = max(self._peak, int(self._client.info("memory")["used_memory"]))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        sent = int(self._client.info("stats")["total_net_input_bytes"]) - self._start_in
        return {"redis_in_mb": round(sent / 2**20, 2),
                "redis_peak_mb": round((self._peak - self._start_mem) / 2**20, 2)}  # fmt: skip


def queue_run(corpus: Path, tmp: Path, queue: str, processes: int, tag: str) -> dict[str, Any]:
    db = tmp / f"queue-{tag}.sqlite"
    log = tmp / f"worker-{tag}.log"
    worker = sohoa("-v", "worker", "--queue", queue, "--db", str(db), "-c", str(processes),
                   log=log)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while " ready." not in log.read_text(errors="replace"):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        args = [str(corpus), "--queue", queue, "--db", str(db)]
        watch = RedisWatch(queue)
        report = run_ingest(args, tmp / f"queue-{tag}.json")
        report["redis"] = watch.stop()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    report["busy"] = busy_share(log, processes)
    return report


def busy_share(log: Path, processes: int) -> float:
    """The share of the worker processes' time spent in tasks, from the first task's start
    to the last one's end (1.0: no process idle while another still works). Under load every
    task is slower alike, so this shows a run's tail (one long task alone at the end) where
    pages/min mostly show the other jobs on the machine."""
    spans = [(end - seconds, end) for end, seconds in finished_tasks(log)]
    if not spans:
        return 0.0
    wall = max(e for _, e in spans) - min(s for s, _ in spans)
    return round(sum(e - s for s, e in spans) / (processes * wall), 3) if wall > 0 else 0.0


def make_texts(folder: Path, count: int, pages: int = 1) -> Path:
    """`count` distinct text files of `pages` pages (form feeds between them): pages whose
    own work is a few milliseconds, so what a run costs beyond it is the executor's."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = "\f".join(
            f"THÔNG BÁO số {n}, trang {p}\n\nHội nghị Ban Chấp hành Đảng bộ lần thứ {n} đã họp.\n"
            for p in range(1, pages + 1)
        )
        (folder / f"note-{n:03d}.txt").write_text(text, encoding="utf-8")
    return folder


SUCCEEDED = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/ForkPoolWorker-\d+\] "
    r"Task sohoa\.ingest_(?:document|page)\[[^\]]+\] succeeded in ([0-9.e-]+)s"
)


def finished_tasks(log: Path) -> list[tuple[float, float]]:
    """(end as epoch seconds, run time) of every task a worker's log says succeeded."""
    done = []
    for line in log.read_text(errors="replace").splitlines():
        if found := SUCCEEDED.match(line):
            stamp = datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            done.append((stamp, float(found[2])))
    return sorted(done)


def task_overhead(tmp: Path, queue: str, count: int, pages: int) -> dict[str, float]:
    """The queue's cost a page, on `count` tiny documents of `pages` pages queued before one
    worker process starts (one task a document, or one a page when the documents are
    split): the gap between one task's end and the next one's, less the next one's own run
    time (fetching, acknowledging, storing the result), a task's, plus what the tasks do
    beyond the local path a page (their run time against the local documents' time, the
    median document of each: the stored-already check, the delivery count, progress or the
    page kept in Redis, and the join reading the pages back). A page's image is not in it:
    text pages have none."""
    import redis

    from pipeline.queue.app import QueueSettings

    corpus = make_texts(tmp / f"texts-{pages}", count, pages)
    local = local_run(corpus, tmp, 1, f"texts-{pages}")
    # medians over documents: the first one of `-j 1` also loads the models in the process
    local_page = statistics.median(f["seconds"] / f["pages"] for f in local["files"])
    db, log = tmp / f"queue-texts-{pages}.sqlite", tmp / f"worker-texts-{pages}.log"
    submitter = sohoa("ingest", str(corpus), "--queue", queue, "--db", str(db), "--progress",
                      "never", "--report", str(tmp / f"queue-texts-{pages}.json"))  # fmt: skip
    client = redis.Redis.from_url(queue)
    settings = QueueSettings()
    tasks = count * (pages if pages >= settings.split_pages else 1)
    deadline = time.monotonic() + 120
    while client.llen("sohoa") < tasks and time.monotonic() < deadline:
        time.sleep(0.05)
    worker = sohoa("-v", "worker", "--queue", queue, "--db", str(db), "-c", "1", log=log)
    try:
        submitter.wait(600)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)
    done = finished_tasks(log)
    gaps = [(b[0] - a[0]) - b[1] for a, b in itertools.pairwise(done)]
    group = max(1, len(done) // count)  # one worker process: a document's tasks in a row
    run_page = statistics.median(
        sum(r for _, r in done[i : i + group]) / pages for i in range(0, len(done), group)
    )
    dispatch = statistics.median(gaps)
    per_page = dispatch * len(done) / (count * pages) + max(0.0, run_page - local_page)
    return {
        "tasks": len(done),
        "pages": count * pages,
        "dispatch_s_per_task": round(dispatch, 4),
        "task_run_s_per_page": round(run_page, 4),
        "local_s_per_page": round(local_page, 4),
        "overhead_s_per_page": round(per_page, 4),
    }


def page_payload(db: Path, queue: str) -> dict[str, float]:
    """What a split document's page task keeps in Redis for the page that joins it: its
    cleaned image and its page JSON (lines with word boxes; estimated from the records), and
    a Redis SET + GET of that many bytes."""
    import redis

    with sqlite3.connect(db) as conn:
        images = [n for (n,) in conn.execute("SELECT length(data) FROM page_images")]
        records = conn.execute("SELECT length(record_json), n_pages FROM records "
                               "JOIN documents USING (rid)").fetchall()  # fmt: skip
    image = statistics.mean(images) if images else 0.0
    page_json = sum(r[0] for r in records) / max(1, sum(r[1] for r in records))
    size = int(image + page_json)
    client = redis.Redis.from_url(queue)
    blob = os.urandom(size)
    times = []
    for n in range(50):
        t0 = time.perf_counter()
        client.set(f"bench:{n}", blob)
        client.get(f"bench:{n}")
        times.append(time.perf_counter() - t0)
    client.delete(*[f"bench:{n}" for n in range(50)])
    return {
        "page_image_kb": round(image / 1024, 1),
        "page_json_kb": round(page_json / 1024, 1),
        "redis_set_get_ms": round(statistics.median(times) * 1000, 2),
    }


def store_writes(source: Path, target: str, copies: int) -> dict[str, float]:
    """Seconds a page of writing this run's documents to the store at `target` (a SQLite
    path or a PostgreSQL URL): each document written `copies` times under new ids, one
    `add_document` (one transaction) each, as a worker writes them."""
    import hashlib
    from dataclasses import replace

    from pipeline.storage import open_store

    with open_store(str(source), readonly=True) as store:
        documents = [
            (record, {n: store.page_image(record.id, n) or b"" for n in
                      store.page_image_numbers(record.id)})
            for record in store.iter_records()
        ]  # fmt: skip
    pages = sum(len(r.pages) for r, _ in documents) * copies
    size = sum(sum(map(len, images.values())) for _, images in documents) * copies
    with open_store(target) as store:
        t0 = time.perf_counter()
        for n in range(copies):
            for record, images in documents:
                new_id = hashlib.sha256(f"{record.id}-{n}".encode()).hexdigest()
                copy = replace(record, id=new_id, source=replace(record.source, sha256=new_id))
                store.add_document(copy, images)
        seconds = time.perf_counter() - t0
    return {
        "documents": len(documents) * copies,
        "pages": pages,
        "ms_per_page": round(seconds / pages * 1000, 2),
        "image_mb": round(size / 2**20, 1),
    }


def plan_rate(corpus: Path) -> dict[str, float]:
    """The submitting machine's own work a document (hash, inspect, job), in one process:
    `sohoa ingest --queue` plans documents one after another while the workers run them."""
    from pipeline.run.ingest import IngestOptions, plan

    class Empty:
        def has_document(self, sha256: str) -> bool:
            return False

        def add_document(self, record: object, page_images: object) -> None:
            raise AssertionError("planning writes nothing")

    t0 = time.perf_counter()
    jobs = list(plan([corpus], Empty(), IngestOptions(), lambda outcome: None))
    seconds = time.perf_counter() - t0
    pages = sum(job.pages for job in jobs)
    return {
        "documents": len(jobs),
        "ms_per_document": round(seconds / len(jobs) * 1000, 1),
        "ms_per_page": round(seconds / pages * 1000, 1),
        "mb_per_page": round(sum(j.size_bytes for j in jobs) / pages / 2**20, 3),
    }


def _median_run(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median pages/min (the upper one of an even count)."""
    ordered = sorted(reports, key=lambda r: float(r["pages_per_minute"]))
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="ingest this folder (default: generated)")
    parser.add_argument("--count", type=int, default=8, help="generated documents")
    parser.add_argument("--workers", default="1,2,4", help="queue worker processes to try")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (best round reported)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--texts", type=int, default=40, help="tiny documents for a task's cost")
    parser.add_argument("--text-pages", type=int, default=10, help="pages of a split one")
    parser.add_argument(
        "--pg", metavar="URL", help="also time store writes into this (empty) PostgreSQL database"
    )
    parser.add_argument("--copies", type=int, default=20, help="store writes: copies of the run")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-bench-scale-"))
    corpus = args.corpus or make_corpus(tmp / "corpus", args.count)
    redis, queue = start_redis(tmp)
    runs: dict[str, list[dict[str, Any]]] = {}
    loads: list[float] = []
    try:
        local_run(make_texts(tmp / "warm-up", 1), tmp, 1, "warm-up")  # imports off the disk
        for round_ in range(args.repeat):
            for jobs in (1, 2):
                runs.setdefault(f"local -j {jobs}", []).append(
                    local_run(corpus, tmp, jobs, f"{jobs}-{round_}")
                )
                loads.append(os.getloadavg()[0])
            for processes in (int(w) for w in args.workers.split(",")):
                runs.setdefault(f"queue, {processes} worker processes", []).append(
                    queue_run(corpus, tmp, queue, processes, f"{processes}-{round_}")
                )
                loads.append(os.getloadavg()[0])
        payload = page_payload(tmp / "local-1-0.sqlite", queue)
        per_task = task_overhead(tmp, queue, args.texts, 1)
        per_page = task_overhead(tmp, queue, max(1, args.texts // args.text_pages), args.text_pages)
        planning = plan_rate(corpus)
        writes = {
            "sqlite": store_writes(tmp / "local-1-0.sqlite", str(tmp / "w.sqlite"), args.copies)
        }
        if args.pg:
            writes["postgresql"] = store_writes(tmp / "local-1-0.sqlite", args.pg, args.copies)
    finally:
        redis.terminate()
        redis.wait(10)
    best = {name: _median_run(rs) for name, rs in runs.items()}
    print(f"corpus: {corpus} ({best['local -j 1']['pages_processed']} pages); "
          f"{os.cpu_count()} cores; load average during the runs "
          f"{min(loads):.1f}-{max(loads):.1f}")  # fmt: skip
    print("\n| run | pages | seconds | pages/min | s a page a process | busy | into Redis |")
    print("|---|---:|---:|---:|---:|---:|---|")
    results: dict[str, Any] = {
        "runs": {},
        "page_payload": payload,
        "task_overhead": per_task,
        "page_task_overhead": per_page,
        "store_writes": writes,
        "planning": planning,
        "loads": loads,
    }
    for name, report in best.items():
        pages, seconds = report["pages_processed"], report["elapsed_s"]
        processes = report["workers"] or 1
        a_page = seconds * processes / pages if pages else 0.0
        redis_use = report.get("redis", {})
        sent = f"{redis_use['redis_in_mb']} MB in, peak +{redis_use['redis_peak_mb']} MB" if (
            redis_use) else ""  # fmt: skip
        busy = f"{report['busy']:.0%}" if "busy" in report else ""
        print(f"| {name} | {pages} | {seconds:.1f} | {report['pages_per_minute']:.1f} | "
              f"{a_page:.2f} | {busy} | {sent} |")  # fmt: skip
        results["runs"][name] = {
            "pages": pages,
            "seconds": seconds,
            "pages_per_minute": report["pages_per_minute"],
            "processes": processes,
            "all_pages_per_minute": [r["pages_per_minute"] for r in runs[name]],
            "all_busy": [r["busy"] for r in runs[name] if "busy" in r],
            **redis_use,
        }
    from pipeline.queue.app import SETTINGS

    one = best["local -j 1"]
    sizes = [f["pages"] for f in one["files"] if f["pages"]]
    local_page = one["elapsed_s"] / max(1, one["pages_processed"])
    # a page of a split document also sends its image to Redis and the join reads it back
    page_cost = per_page["overhead_s_per_page"] + payload["redis_set_get_ms"] / 1000
    costs = [n * page_cost if n >= SETTINGS.split_pages else per_task["overhead_s_per_page"]
             for n in sizes]  # fmt: skip
    overhead = sum(costs) / max(1, sum(sizes))
    results["queue_overhead_s_per_page"] = round(overhead, 4)
    results["queue_overhead_share"] = round(overhead / local_page, 4)
    for name, cost in (("document", per_task), ("page", per_page)):
        ms = {k: v * 1000 for k, v in cost.items() if k not in ("tasks", "pages")}
        print(f"{name} tasks ({cost['pages']} text pages in {cost['tasks']} tasks): dispatch "
              f"{ms['dispatch_s_per_task']:.1f} ms a task; run {ms['task_run_s_per_page']:.1f} ms "
              f"a page, locally {ms['local_s_per_page']:.1f} ms; queue cost "
              f"{ms['overhead_s_per_page']:.1f} ms a page")  # fmt: skip
    split = sum(n for n in sizes if n >= SETTINGS.split_pages)
    print(f"queue cost on this corpus ({split} of {sum(sizes)} pages split, a split page "
          f"{page_cost * 1000:.1f} ms with its image): {overhead * 1000:+.0f} ms a page on "
          f"{local_page:.2f} s ({overhead / local_page:+.1%}; target <= +5%)")  # fmt: skip
    two, q2 = best["local -j 2"], best.get("queue, 2 worker processes")
    if q2 is not None:
        ratio = q2["pages_per_minute"] / two["pages_per_minute"]
        results["two_process_ratio"] = round(ratio, 4)
        print(f"2 processes: queue {q2['pages_per_minute']:.1f} pages/min, local pool "
              f"{two['pages_per_minute']:.1f} ({ratio - 1:+.1%}; target within 5%)")  # fmt: skip
    print(
        f"a split page kept in Redis: image {payload['page_image_kb']} KB + page "
        f"JSON {payload['page_json_kb']} KB, SET+GET {payload['redis_set_get_ms']} ms"
    )
    print(
        f"planning (submitter): {planning['ms_per_document']} ms a document, "
        f"{planning['ms_per_page']} ms a page; sources {planning['mb_per_page']} MB a page"
    )
    for backend, measured in writes.items():
        print(
            f"store writes, {backend}: {measured['ms_per_page']} ms a page "
            f"({measured['documents']} documents, {measured['pages']} pages, one writer)"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
