"""The submitting side of distributed ingest: document jobs onto the queue, their outcomes
and progress read back from the queue's result store (`pipeline.run.executor`'s seam).

`ingest_on_queue` is `sohoa ingest --queue URL`: it plans the run as the local ingest does
(files inspected and hashed here, documents already stored skipped), sends one task per
document, or one a page for a long document (`QueueSettings.split_pages`; the page that
completes it writes the record), and builds the run report from what the workers put in the
result store. The workers write the records; this process writes only the report.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from celery import Celery
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from pipeline.queue.app import (
    PAGE_TASK_NAME,
    QUEUE_NAME,
    SETTINGS,
    TASK_NAME,
    QueueSettings,
    make_app,
)
from pipeline.run.executor import Executor
from pipeline.run.ingest import (
    FileOutcome,
    IngestOptions,
    NoProgress,
    Progress,
    RunReport,
    WritesRecords,
    check_dependencies,
    now,
    one_line,
    plan,
)
from pipeline.run.jobs import DocumentJob, Status

log = logging.getLogger(__name__)

POLL_BATCH = 500  # task states read in one round trip
POLL_KEYS_PER_S = 20_000  # at most this many task states read a second (a long backlog)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


@dataclass(frozen=True)
class _Sent:
    """A task on the queue: a whole document (`page` 0) or one page of a split one."""

    job: DocumentJob
    page: int = 0
    split: str = ""


@dataclass
class _Split:
    """A document sent as page tasks: the tasks not finished, its outcome once a page task
    returned it, and the page tasks that failed."""

    tasks: set[str] = field(default_factory=set)
    outcome: FileOutcome | None = None
    failures: list[str] = field(default_factory=list)


class QueueExecutor:
    """Runs document jobs on the queue's workers; outcomes come from the result store."""

    def __init__(
        self,
        app: Celery,
        store: WritesRecords,
        options: IngestOptions,
        settings: QueueSettings = SETTINGS,
        on_pages: Callable[[int], None] | None = None,
    ) -> None:
        self._app = app
        self._store = store
        self._force = options.force
        self._settings = settings
        self._common = {
            "force": options.force,
            "out_dir": str(options.out_dir.resolve()) if options.out_dir else None,
            "pdfa_dir": str(options.pdfa_dir.resolve()) if options.pdfa_dir else None,
        }
        self._on_pages = on_pages
        self._pending: dict[str, _Sent] = {}  # task id -> what it runs
        self._split: dict[str, _Split] = {}  # document sha256 -> its page tasks
        self._suspects: set[str] = set()  # pending tasks no worker held at the last check
        self._checked = time.monotonic()
        self._pages: dict[str, int] = {}  # task id -> pages it reported done

    def submit(self, job: DocumentJob) -> None:
        path = str(Path(job.path).resolve())  # the workers' own folder is another
        job = replace(job, path=path, page=replace(job.page, path=path))
        if job.pages < self._settings.split_pages:
            self._send(_Sent(job))
            return
        split = uuid.uuid4().hex  # this submission's pages, apart from any earlier one's
        for number in range(1, job.pages + 1):
            self._send(_Sent(job, number, split))

    def _send(self, sent: _Sent) -> None:
        args: dict[str, Any] = {"job": asdict(sent.job), **self._common}
        if sent.page:
            args.update(page=sent.page, split=sent.split)
        result = self._app.send_task(
            PAGE_TASK_NAME if sent.page else TASK_NAME,
            args=[args],
            queue=QUEUE_NAME,
            time_limit=self._settings.time_limit(1 if sent.page else sent.job.pages),
        )
        self._pending[result.id] = sent
        if sent.page:
            self._split.setdefault(sent.job.sha256, _Split()).tasks.add(result.id)

    def cancel(self) -> list[DocumentJob]:
        """Revoke the tasks not finished (a task already running finishes and is stored)."""
        dropped = list({s.job.sha256: s.job for s in self._pending.values()}.values())
        if self._pending:
            try:
                self._app.control.revoke(list(self._pending))
            except UNREACHABLE as error:
                log.warning("tasks not revoked (the queue is unreachable): %s", error)
        self._pending.clear()
        self._split.clear()
        return dropped

    def outcomes(self) -> Generator[FileOutcome, None, None]:
        unreachable_since: float | None = None
        while self._pending:
            try:
                finished = self._poll()
            except UNREACHABLE as error:
                if unreachable_since is None:
                    unreachable_since = time.monotonic()
                    log.warning("the queue is unreachable (%s); waiting for it", error)
                time.sleep(self._settings.poll_s * 2)
                continue
            if unreachable_since is not None:
                log.warning("the queue is back after %.0f s", time.monotonic() - unreachable_since)
                unreachable_since = None
            yield from finished
            if time.monotonic() - self._checked > self._settings.stranded_check_s:
                self._checked = time.monotonic()
                try:
                    self._send_stranded_again()
                except UNREACHABLE as error:
                    log.debug("stranded tasks not checked: %s", error)
            if self._pending:
                time.sleep(max(self._settings.poll_s, len(self._pending) / POLL_KEYS_PER_S))

    def _send_stranded_again(self) -> None:
        """Send again the jobs whose message no worker holds and the queue no longer has.

        Redis keeps a delivered message among its unacknowledged ones until it is
        acknowledged or the visibility timeout (8 h) puts it back in the queue. A worker
        that loses Redis drops the message it holds but has not started, and a worker
        machine that dies takes its running tasks' messages with it: either would wait 8 h.
        A pending task that no live worker holds (active, reserved or scheduled for a
        retry) while the queue is empty, at two checks in a row, is stranded: its job is
        sent again as a new task (the old one, if it ever runs, finds the document stored).
        """
        if not self._pending or self._app.backend.client.llen(QUEUE_NAME) > 0:
            self._suspects = set()  # a worker will get to what is queued; nothing to judge
            return
        replies = self._app.control.inspect(timeout=1.0)
        found = [replies.active(), replies.reserved(), replies.scheduled()]
        if not any(found):
            return  # no worker answered: nobody could hold it, nor run it if sent again
        held = {
            task.get("request", task).get("id")
            for per_worker in found
            for tasks in (per_worker or {}).values()
            for task in tasks
        }
        loose = set(self._pending) - held
        stranded = loose & self._suspects
        self._suspects = loose - stranded
        for task_id in stranded:
            sent = self._pending.pop(task_id)
            log.warning("%s: no worker holds its task (a worker lost Redis or died); sent "
                        "again", sent.job.path)  # fmt: skip
            if sent.page:
                self._split[sent.job.sha256].tasks.discard(task_id)
            self._send(sent)

    def _poll(self) -> list[FileOutcome]:
        """The outcomes of the tasks that finished since the last poll (and their pages)."""
        backend = self._app.backend
        finished: list[FileOutcome] = []
        ids = list(self._pending)
        for start in range(0, len(ids), POLL_BATCH):
            batch = ids[start : start + POLL_BATCH]
            keys = [backend.get_key_for_task(i) for i in batch]
            read = []
            for task_id, key, value in zip(batch, keys, backend.client.mget(keys), strict=True):
                if value is None:
                    continue  # not started yet
                meta = backend.decode_result(value)
                outcome = self._read(task_id, meta["status"], meta.get("result"))
                if outcome is not None:
                    finished.append(outcome)
                    read.append(key)
            if read:  # in the report now: the result store keeps no copy
                backend.client.delete(*read)
        return finished

    def _read(self, task_id: str, state: str, result: Any) -> FileOutcome | None:
        sent = self._pending[task_id]
        if sent.page:
            return self._read_page(task_id, sent, state, result)
        job = sent.job
        if state == "PROGRESS" and isinstance(result, dict):
            self._advance(task_id, int(result.get("pages", 0)))
            return None
        if state == "SUCCESS":
            outcome = FileOutcome.from_dict(result)
        elif state in ("FAILURE", "REVOKED"):
            outcome = self._failed(job, _failure(result))
        else:  # PENDING, STARTED, RETRY: still to come
            return None
        del self._pending[task_id]
        self._advance(task_id, job.pages)
        return outcome

    def _read_page(self, task_id: str, sent: _Sent, state: str, result: Any) -> FileOutcome | None:
        """A page task's end: a page done; the document's outcome when the page task that
        completed it returned it, or when its last page task ended and none did (a page
        task failed: the document is not written)."""
        if state not in ("SUCCESS", "FAILURE", "REVOKED"):
            return None
        job = sent.job
        split = self._split[job.sha256]
        del self._pending[task_id]
        split.tasks.discard(task_id)
        self._advance(task_id, 1)
        outcome: FileOutcome | None = None
        if state == "SUCCESS" and isinstance(result, dict) and result.get("outcome"):
            if split.outcome is None:
                outcome = split.outcome = FileOutcome.from_dict(result["outcome"])
        elif state != "SUCCESS":
            split.failures.append(f"page {sent.page}: {_failure(result)}")
        if not split.tasks:
            del self._split[job.sha256]
            if split.outcome is None:
                reason = "; ".join(split.failures) or "no page task wrote its record"
                outcome = self._failed(job, one_line(reason))
        return outcome

    def _failed(self, job: DocumentJob, reason: str) -> FileOutcome:
        """A document whose task failed; stored all the same when its task failed after the
        write (Redis restarting as the task ended): the store is the truth."""
        if not self._force and self._stored(job):
            log.warning("%s: stored, though its task failed: %s", job.path, reason)
            return FileOutcome(job.path, Status.INGESTED, id=job.sha256, pages=job.pages)
        return FileOutcome(job.path, Status.FAILED, reason, id=job.sha256)

    def _stored(self, job: DocumentJob) -> bool:
        try:
            return self._store.has_document(job.sha256)
        except Exception as error:  # the store unreachable too: the task's failure stands
            log.warning("%s: cannot ask the store (%s)", job.path, error)
            return False

    def _advance(self, task_id: str, pages: int) -> None:
        done = self._pages.get(task_id, 0)
        if pages > done:
            self._pages[task_id] = pages
            if self._on_pages is not None:
                self._on_pages(pages - done)


def _failure(result: Any) -> str:
    """A failed task's reason on one line."""
    if isinstance(result, dict) and "exc_type" in result:
        kind = result["exc_type"]
        message = result.get("exc_message")
        text = " ".join(map(str, message)) if isinstance(message, list | tuple) else message
        if kind == "TimeLimitExceeded":
            return one_line(f"time limit exceeded ({text} s)")
        return one_line(f"{kind}: {text}" if text else kind)
    return one_line(f"task failed: {result}")


def longest_first(jobs: Iterable[DocumentJob], settings: QueueSettings) -> Iterator[DocumentJob]:
    """The planned jobs in batches (`submit_batch_jobs` jobs, or what `submit_batch_s`
    of planning gave), each sent longest first.

    A task is a whole document, so the run ends when the last one does: sent last, a long
    document runs alone while the other workers idle (12 documents of 1-2 pages on 2
    processes: 10.5% behind the local pool, which splits pages). Longest first is the
    classic bound for that tail; batches keep the first jobs going out while later files
    are still being planned."""
    batch: list[DocumentJob] = []
    started = time.monotonic()
    for job in jobs:
        batch.append(job)
        full = len(batch) >= settings.submit_batch_jobs
        if full or time.monotonic() - started >= settings.submit_batch_s:
            yield from sorted(batch, key=lambda j: j.pages, reverse=True)
            batch, started = [], time.monotonic()
    yield from sorted(batch, key=lambda j: j.pages, reverse=True)


def workers_listening(app: Celery) -> int:
    """The worker processes listening on the queue now (0 when none answers within 1 s)."""
    try:
        stats = app.control.inspect(timeout=1.0).stats() or {}
    except UNREACHABLE:
        return 0
    return sum(int(s.get("pool", {}).get("max-concurrency", 0)) for s in stats.values())


def ingest_on_queue(
    paths: Iterable[Path],
    store: WritesRecords,
    options: IngestOptions,
    queue: str,
    progress: Progress | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    report: RunReport | None = None,
) -> RunReport:
    """`ingest` with the documents run by the queue's workers; the same report."""
    check_dependencies(options.lang)
    bar = progress or NoProgress()
    started = time.perf_counter()
    run = report if report is not None else RunReport(started=now())
    app = make_app(queue)

    def finish(outcome: FileOutcome) -> None:
        run.files.append(outcome)
        if on_file is not None:
            on_file(outcome)

    def pages_done(pages: int) -> None:
        run.pages_processed += pages
        bar.advance(pages)

    executor: Executor[DocumentJob, FileOutcome] = QueueExecutor(
        app, store, options, on_pages=pages_done
    )
    submitted: dict[str, DocumentJob] = {}
    try:
        for job in longest_first(plan(paths, store, options, finish), SETTINGS):
            executor.submit(job)
            submitted[job.sha256] = job
        bar.start(sum(job.pages for job in submitted.values()))
        run.workers = workers_listening(app)
        if submitted and not run.workers:
            log.warning("no worker listens on %s yet; the jobs wait for one", queue)
        for outcome in executor.outcomes():
            submitted.pop(outcome.id or "", None)
            finish(outcome)
    except KeyboardInterrupt:
        run.interrupted = True
        executor.cancel()
        run.unfinished = [job.path for job in submitted.values()]
        raise
    finally:
        bar.close()
        run.finished = now()
        run.elapsed_s = round(time.perf_counter() - started, 3)
        minutes = run.elapsed_s / 60
        run.pages_per_minute = round(run.pages_processed / minutes, 1) if minutes else 0.0
    return run
