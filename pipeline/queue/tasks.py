"""What a `sohoa worker` process runs: a document job whole, or one page of a long document,
written to the shared store.

A document task reads every page in order in its own process (one single-threaded
Tesseract), builds the record and writes it, and returns the document's outcome (the report's
line) to the result store. A long document (`QueueSettings.split_pages` pages or more) goes
out as one task a page instead: each runs the same page step as the local pool
(`run/page.process_page`) and keeps its outcome in Redis (`pages.PageResults`); the task whose
page completes the document builds the record from all of them (`run/build.build_record`,
through `run/ingest.gathered_document`), writes it, and returns the document's outcome.

Both are safe to run twice: a document already stored is not redone, a page already kept is
not read again, and a store write replaces any copy with the same content hash in one
transaction, so a job delivered twice, even to two workers at once, leaves one document. A
page task killed while it joins is delivered again, finds every page kept, and joins again.

A store that cannot be reached (PostgreSQL restarting) is waited for within the task, with
the pages' work kept; after `store_write_attempts` the task is retried as a whole, at most
`max_retries` times with growing delays. A job whose worker has died under it
`max_deliveries` times (a file that crashes a native library) fails instead of going round:
a document task fails the document, a page task fails its page (the document is stored
partial, as the local pool does).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, TypeVar

from celery import Celery, Task

from pipeline.errors import BadArgumentsError
from pipeline.queue.app import PAGE_TASK_NAME, SETTINGS, TASK_NAME, QueueSettings
from pipeline.queue.pages import PageResults
from pipeline.run.ingest import (
    FileOutcome,
    IngestOptions,
    gathered_document,
    one_line,
    run_document,
    unreadable,
    write_document,
)
from pipeline.run.jobs import DocumentJob, ErrorKind, JobError, PageOutcome, Status
from pipeline.run.page import init_worker, process_page
from pipeline.storage import Store, open_store

log = logging.getLogger(__name__)

R = TypeVar("R")


class KeptPagesLost(Exception):
    """A split document's finished pages went from Redis before its record was written
    (they expired): the document fails, and a rerun does it."""


class StoreUnreachable(Exception):
    """The store could not be opened for a reason that passes (its server is down)."""


def transient_errors() -> tuple[type[BaseException], ...]:
    """Store errors that pass (a database restarting, a lock held too long): tried again."""
    kinds: list[type[BaseException]] = [StoreUnreachable, sqlite3.OperationalError]
    try:
        import psycopg
    except ImportError:
        return tuple(kinds)
    return (*kinds, psycopg.OperationalError, psycopg.InterfaceError)


TRANSIENT = transient_errors()


class _Stores:
    """This worker process's store connection, opened on first use and after a failure."""

    def __init__(self) -> None:
        self.db = ""
        self._store: Store | None = None

    def get(self) -> Store:
        if self._store is None:
            try:
                self._store = open_store(self.db)
            except BadArgumentsError as error:  # unreachable now, or no store at all
                if isinstance(error.__cause__, TRANSIENT):
                    raise StoreUnreachable(str(error)) from error
                raise
        return self._store

    def drop(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:  # a connection already broken: nothing left to close
                log.debug("closing a broken store connection failed", exc_info=True)


STORES = _Stores()


def register(app: Celery, db: str, settings: QueueSettings = SETTINGS) -> None:
    """Give `app` the document and page tasks, writing to the store at `db`."""
    STORES.db = db
    # acknowledged after the work, and redelivered when the worker dies under it
    redelivered: dict[str, Any] = {
        "bind": True, "max_retries": settings.max_retries, "acks_late": True,
        "reject_on_worker_lost": True,
    }

    @app.task(name=TASK_NAME, **redelivered)
    def ingest_document(task: Task, payload: dict[str, Any]) -> dict[str, Any]:
        return run_payload(task, payload, settings)

    @app.task(name=PAGE_TASK_NAME, **redelivered)
    def ingest_page(task: Task, payload: dict[str, Any]) -> dict[str, Any]:
        return run_page_payload(task, payload, settings)


def _options(payload: dict[str, Any]) -> IngestOptions:
    return IngestOptions(
        force=bool(payload.get("force")),
        out_dir=Path(payload["out_dir"]) if payload.get("out_dir") else None,
        pdfa_dir=Path(payload["pdfa_dir"]) if payload.get("pdfa_dir") else None,
    )


def run_payload(task: Task, payload: dict[str, Any], settings: QueueSettings) -> dict[str, Any]:
    job = DocumentJob.from_dict(payload["job"])
    options = _options(payload)
    deliveries = _delivery(task)
    if deliveries > settings.max_deliveries:
        reason = f"worker died while running it {deliveries - 1} times"
        log.error("%s: %s; not tried again", job.path, reason)
        return _failed(job, ErrorKind.WORKER_DIED, reason)
    try:
        if not options.force and _with_store(lambda s: s.has_document(job.sha256), settings):
            # an earlier delivery of this job stored it (the submitter skips what was stored
            # before the run): its outcome stands
            return outcome_dict(_stored(job))
        started = time.perf_counter()
        document, built = run_document(job, on_page=_progress(task, job))
        if built is None:
            return outcome_dict(unreadable(document))
        outcome = _with_store(
            lambda s: write_document(document, built, s, options, started, TRANSIENT), settings
        )
    except TRANSIENT as error:
        return _retry_later(task, job, error, settings)
    return outcome_dict(outcome)


def run_page_payload(
    task: Task, payload: dict[str, Any], settings: QueueSettings
) -> dict[str, Any]:
    """One page of a split document; the page that completes it also writes its record.
    Returns {"page": n, "outcome": the document's outcome, or None while pages are left}."""
    job = DocumentJob.from_dict(payload["job"])
    number = int(payload["page"])
    options = _options(payload)
    backend = task.app.backend
    results = PageResults(
        backend.client, lambda call: backend.ensure(call, ()), job.sha256, str(payload["split"]),
        settings.page_results_expire_s,
    )  # fmt: skip
    deliveries = _delivery(task)
    try:
        if not options.force and _with_store(lambda s: s.has_document(job.sha256), settings):
            results.drop()  # a delivery before this one wrote the record
            return {"page": number, "outcome": outcome_dict(_stored(job))}
        done = results.count_with(number)
        if done is None:
            started = time.time()
            if deliveries > settings.max_deliveries:
                reason = f"worker died while running it {deliveries - 1} times"
                log.error("page %d of %s: %s; not tried again", number, job.path, reason)
                error = JobError(ErrorKind.WORKER_DIED, reason)
                page = PageOutcome(job.sha256, number, failure=error)
            else:
                page = process_page(replace(job.page, page=number))
            done, sent = results.put(page, started)
            log.debug("page %d of %s kept: %d bytes", number, job.path, sent)
        if done < job.pages:
            return {"page": number, "outcome": None}
        log.info("%s: all %d pages done; building and writing its record (pid %d)",
                 job.path, job.pages, os.getpid())  # fmt: skip
        outcomes, first = results.read()
        if len(outcomes) < job.pages:  # another delivery joined them first and dropped them
            if not options.force and _with_store(lambda s: s.has_document(job.sha256), settings):
                return {"page": number, "outcome": outcome_dict(_stored(job))}
            raise KeptPagesLost(f"{job.pages - len(outcomes)} finished pages left Redis")
        begun = time.perf_counter() - max(0.0, time.time() - first)
        document, built = gathered_document(job, outcomes, begun)
        if built is None:
            outcome = unreadable(document)
        else:
            outcome = _with_store(
                lambda s: write_document(document, built, s, options, begun, TRANSIENT),
                settings,
            )
        results.drop()
    except TRANSIENT as error:
        return {"page": number, "outcome": _retry_later(task, job, error, settings)}
    return {"page": number, "outcome": outcome_dict(outcome)}


def _stored(job: DocumentJob) -> FileOutcome:
    return FileOutcome(job.path, Status.INGESTED, id=job.sha256, pages=job.pages)


def _retry_later(
    task: Task, job: DocumentJob, error: BaseException, settings: QueueSettings
) -> dict[str, Any]:
    """The task retried later with a growing delay (raises Retry); after `max_retries`,
    the document's failed outcome."""
    countdown = min(
        settings.retry_backoff_s * 2**task.request.retries, settings.retry_backoff_max_s
    )
    if task.request.retries >= settings.max_retries:
        return _failed(job, ErrorKind.STORAGE, f"store unreachable: {error}")
    log.warning("%s: store unreachable (%s); task retried in %d s", job.path, error, countdown)
    raise task.retry(exc=error, countdown=countdown) from error


def _with_store(action: Callable[[Store], R], settings: QueueSettings) -> R:
    """`action` on this process's store, reconnecting with growing pauses (1, 2, 4, ... s)
    while the store cannot be reached; the last failure is raised."""
    pause = 1.0
    for attempt in range(1, settings.store_write_attempts + 1):
        try:
            return action(STORES.get())
        except TRANSIENT as error:
            STORES.drop()
            if attempt == settings.store_write_attempts:
                raise
            log.warning("store unreachable (%s); trying again in %.0f s", error, pause)
            time.sleep(pause)
            pause = min(pause * 2, 30.0)
    raise AssertionError("unreachable")


def _delivery(task: Task) -> int:
    """How often this job has been handed to a worker (retries apart): counted in the result
    store, since a worker that died could not count."""
    key = f"sohoa:deliveries:{task.request.id}:{task.request.retries}"
    try:
        client = task.app.backend.client
        count = int(client.incr(key))
        client.expire(key, SETTINGS.result_expires_s)
    except Exception as error:  # the count is a safeguard; the job itself can still run
        log.warning("delivery count not kept: %s", error)
        return 1
    return count


def _progress(task: Task, job: DocumentJob) -> Callable[[PageOutcome], None]:
    """Publish the pages done to the result store, where the submitter reads progress."""

    def done(outcome: PageOutcome) -> None:
        try:
            meta = {"pages": outcome.page_number, "pid": os.getpid()}
            task.update_state(state="PROGRESS", meta=meta)
        except Exception as error:  # progress is for show; the page's work stands
            log.debug("progress of %s not published: %s", job.path, error)

    return done


def _failed(job: DocumentJob, kind: ErrorKind, reason: str) -> dict[str, Any]:
    log.debug("%s failed (%s)", job.path, kind)
    return outcome_dict(FileOutcome(job.path, Status.FAILED, one_line(reason), id=job.sha256))


def outcome_dict(outcome: FileOutcome) -> dict[str, Any]:
    return asdict(outcome)


def worker_process_init(**_: Any) -> None:
    """Each worker process: one Tesseract thread and one OpenCV thread."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    init_worker()
