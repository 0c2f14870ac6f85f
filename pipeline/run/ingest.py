"""Bulk ingest: files and folders in, one validated record per document into the store.

The parent process plans page jobs, spreads them over worker processes, and is the only
writer. When all of a document's pages are back, a worker assembles its record and extracts
its fields (the parent does no CPU work of its own: on two cores that would come out of OCR);
the parent then writes it (JSON file, then one store transaction). A run killed at any moment
leaves no partial record, and a re-run skips every document already stored (same sha256) and
finishes the rest.

Faults stay local (docs/ingest.md, "Reliability"): a worker that dies fails the one page or
record it was running ("worker died: signal 9 (SIGKILL)") and the pool is rebuilt for the
rest; a document that lost pages is stored as partial, counts as a failure, and is redone by
the next run; a blank page is a page (marked blank), not a failure; a full disk stops the
run with the documents not yet written left for a rerun.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import json
import logging
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pipeline import sources
from pipeline.cleanup.options import CleanupOptions
from pipeline.errors import DiskFullError, InputFileError, SohoaError
from pipeline.programs import poppler, tesseract
from pipeline.record import Record, ReviewItem
from pipeline.run import workers
from pipeline.run.build import build_record
from pipeline.run.executor import InlineExecutor, PoolExecutor
from pipeline.run.jobs import DocumentJob, ErrorKind, JobError, PageJob, PageOutcome, Status
from pipeline.run.page import init_worker, process_page

log = logging.getLogger(__name__)

# A text input larger than this is refused before it is read (the largest real report seen
# is well under 1 MB; decoding and restoring a text costs memory in proportion to its size).
MAX_TEXT_BYTES = 10 * 1024 * 1024
MAX_REASON_CHARS = 300  # a reason is one line of the summary
STATUSES = tuple(Status)


@dataclass(frozen=True)
class IngestOptions:
    jobs: int = 0  # 0: one worker per core
    force: bool = False
    force_ocr: bool = False
    out_dir: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    lang: str = "vie"
    dpi: int = 300
    restore_mode: str = "auto"
    keep_images: bool = True
    cleanup: CleanupOptions = field(default_factory=CleanupOptions)
    pdfa_dir: Path | None = None  # also write each scanned document's PDF/A here

    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else os.cpu_count() or 1


class Progress(Protocol):
    """What the ingest loop reports; drawn by the parent process only."""

    def start(self, total_pages: int) -> None: ...
    def advance(self, pages: int) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, total_pages: int) -> None:
        pass

    def advance(self, pages: int) -> None:
        pass

    def close(self) -> None:
        pass


class WritesRecords(Protocol):
    def has_document(self, sha256: str) -> bool: ...
    def add_document(self, record: Record, page_images: dict[int, bytes]) -> None: ...


@dataclass
class FileOutcome:
    path: str
    status: Status
    reason: str = ""  # one line
    id: str | None = None
    pages: int = 0
    seconds: float = 0.0  # from its first page handed to a worker to its record written
    review: list[ReviewItem] = field(default_factory=list)  # fields a person should check

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileOutcome:
        """The outcome from its report entry (as a queue's worker sends it back)."""
        values = {**data, "status": Status(data["status"])}
        values["review"] = [ReviewItem(**item) for item in data.get("review", [])]
        return cls(**values)


@dataclass
class RunReport:
    started: str
    finished: str = ""
    elapsed_s: float = 0.0
    workers: int = 0
    pages_processed: int = 0
    pages_per_minute: float = 0.0
    worker_peak_mb: float = 0.0  # largest peak (VmHWM) of a worker (-j 1: of this process)
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM: the rest is left for a rerun
    stopped: str = ""  # why the run stopped early (a full disk), else ""
    unfinished: list[str] = field(default_factory=list)  # stopped early: documents not written
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failures(self) -> list[FileOutcome]:
        """Files that failed or lost pages: either makes the run exit 1."""
        return [f for f in self.files if f.status in (Status.FAILED, Status.PARTIAL)]

    @property
    def saved(self) -> int:
        """Documents written by this run (complete or partial)."""
        return self.count(Status.INGESTED) + self.count(Status.PARTIAL)

    @property
    def needs_review(self) -> list[FileOutcome]:
        return [f for f in self.files if f.review]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = {s: self.count(s) for s in STATUSES}
        data["summary"]["needs_review"] = len(self.needs_review)
        return data

    def summary_lines(self) -> list[str]:
        counts = ", ".join(f"{self.count(s)} {s}" for s in STATUSES)
        lines = [
            f"{len(self.files)} files: {counts}; {len(self.needs_review)} need review",
            f"{self.pages_processed} pages in {self.elapsed_s:.1f} s "
            f"({self.pages_per_minute:.1f} pages/min, {self.workers} workers"
            + (f", peak {self.worker_peak_mb:.0f} MB a worker)" if self.worker_peak_mb else ")"),
        ]
        for item in self.files:
            if item.status in (Status.FAILED, Status.PARTIAL):
                lines.append(f"  {item.status.upper()} {printable(item.path)}: {item.reason}")
        for item in self.needs_review:
            fields = ", ".join(dict.fromkeys(r.field for r in item.review))
            lines.append(f"  needs review: {fields}: {printable(item.path)}")
        why = "interrupted" if self.interrupted else "stopped early"
        if self.stopped:
            why += f": {self.stopped}"
        if self.stopped or self.unfinished:
            lines.append(
                f"{why}; {len(self.unfinished)} documents not finished (a rerun does them)"
            )
        return lines


def printable(text: str) -> str:
    """One line whatever the text holds: control characters (a newline in a file name)
    written as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def one_line(reason: str) -> str:
    """A reason on one line: whitespace runs (a program's multi-line message) collapsed."""
    text = printable(" ".join(reason.split()))
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


@dataclass
class _Document:
    """A planned document: its job and the page outcomes gathered so far."""

    job: DocumentJob
    started: float
    outcomes: dict[int, PageOutcome] = field(default_factory=dict)

    @property
    def info(self) -> sources.SourceInfo:
        return self.job.info


@dataclass(frozen=True)
class RecordJob:
    """A worker task: assemble one document's record from its page outcomes (in page order,
    page images left out: they go from the parent straight to the store)."""

    doc: str  # the document's sha256
    info: sources.SourceInfo
    outcomes: list[PageOutcome]


@dataclass(frozen=True)
class RecordOutcome:
    doc: str
    record: Record | None = None
    failure: JobError | None = None


def assemble_record(job: RecordJob) -> RecordOutcome:
    """The document's record with its fields, or why it could not be built."""
    try:
        return RecordOutcome(job.doc, record=build_record(job.info, job.outcomes))
    except Exception as error:  # a bug or an unforeseen input must not stop the run
        if not isinstance(error, SohoaError):
            log.exception("record of %s could not be built", job.info.path)
        return RecordOutcome(job.doc, failure=JobError.of(error))


Task = PageJob | RecordJob


Outcome = PageOutcome | RecordOutcome


def run_task(task: Task) -> Outcome:
    """What a worker runs: one page, or one finished document's record."""
    if isinstance(task, RecordJob):
        return assemble_record(task)
    return process_page(task)


def failed_task(task: Task, reason: str) -> Outcome:
    """The outcome of a task that could not run (its worker died)."""
    error = JobError(ErrorKind.WORKER_DIED, reason)
    if isinstance(task, RecordJob):
        return RecordOutcome(task.doc, failure=error)
    return PageOutcome(task.doc, task.page, failure=error)


def local_executor(processes: int) -> InlineExecutor[Task, Outcome] | PoolExecutor[Task, Outcome]:
    """This machine's executor: tasks in this process for one job, else the worker pool.
    A finished document's record goes before the pages still waiting."""
    urgent = lambda task: isinstance(task, RecordJob)  # noqa: E731
    if processes <= 1:
        return InlineExecutor(run_task, init_worker, urgent)
    return PoolExecutor(processes, run_task, failed_task, init_worker, urgent, _name)


def discover(
    paths: Iterable[Path], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> Iterator[Path]:
    """Files under the given paths (folders recursively, sorted), filtered by glob patterns.

    Patterns match the file name or its path relative to the folder given; hidden files and
    folders inside a given folder are skipped.
    """
    include, exclude = tuple(include), tuple(exclude)

    def wanted(relative: str) -> bool:
        name = relative.rsplit("/", 1)[-1]
        matches = lambda pats: any(  # noqa: E731
            fnmatch.fnmatch(name, p) or fnmatch.fnmatch(relative, p) for p in pats
        )
        return (not include or matches(include)) and not matches(exclude)

    for root in paths:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    path = Path(dirpath) / name
                    if wanted(path.relative_to(root).as_posix()):
                        yield path
        elif wanted(root.name):
            yield root


def check_dependencies(lang: str) -> None:
    """Fail before any work when Tesseract, its language model or poppler is missing."""
    tesseract.require(lang)
    poppler.version()


def ingest(
    paths: Iterable[Path],
    store: WritesRecords,
    options: IngestOptions,
    progress: Progress | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    report: RunReport | None = None,
) -> RunReport:
    """Ingest every file under `paths` into `store`; returns the run report.

    `report`, when given, is filled as the run goes, so a caller still holds what was done
    when the run is interrupted (KeyboardInterrupt propagates; `report.interrupted` is set).
    """
    check_dependencies(options.lang)
    bar = progress or NoProgress()
    started = time.perf_counter()
    if report is None:
        report = RunReport(started=now())
    report.workers = options.worker_count()
    run = report

    def finish(outcome: FileOutcome) -> None:
        run.files.append(outcome)
        if on_file is not None:
            on_file(outcome)

    if options.out_dir is not None:
        remove_stale_temp_files(options.out_dir)
    if options.worker_count() > 1:
        workers.fork_server()
    documents: dict[str, _Document] = {}
    executor = local_executor(options.worker_count())
    try:
        for job in plan(paths, store, options, finish):
            documents[job.sha256] = _Document(job, time.perf_counter())
            for page_job in job.page_jobs():
                executor.submit(page_job)
        bar.start(sum(d.info.pages for d in documents.values()))
        with contextlib.closing(executor.outcomes()) as outcomes:
            for outcome in outcomes:
                document = documents[outcome.doc]
                if isinstance(outcome, RecordOutcome):
                    first = executor.started(outcome.doc) or document.started
                    try:
                        written = write_document(document, outcome, store, options, first)
                    except DiskFullError as error:
                        finish(_failed_document(document, str(error)))
                        del documents[outcome.doc]
                        run.stopped = str(error)
                        executor.cancel()  # no more OCR for documents that cannot be written
                        run.unfinished = [str(d.info.path) for d in documents.values()]
                        documents.clear()
                        break
                    finish(written)
                    del documents[outcome.doc]
                    continue
                document.outcomes[outcome.page_number] = outcome
                report.pages_processed += 1
                bar.advance(1)
                if len(document.outcomes) < document.info.pages:
                    continue
                if any(o.page is not None for o in document.outcomes.values()):
                    executor.submit(_record_job(document))
                else:
                    finish(unreadable(document))
                    del documents[outcome.doc]
    except KeyboardInterrupt:
        report.interrupted = True
        report.unfinished = [str(d.info.path) for d in documents.values()]
        raise
    finally:
        bar.close()
        report.worker_peak_mb = round(executor.peak_kib / 1024, 1)
        report.finished = now()
        report.elapsed_s = round(time.perf_counter() - started, 3)
        minutes = report.elapsed_s / 60
        report.pages_per_minute = round(report.pages_processed / minutes, 1) if minutes else 0.0
    return report


def _failed_document(document: _Document, reason: str) -> FileOutcome:
    info = document.info
    return FileOutcome(str(info.path), Status.FAILED, one_line(reason), id=info.sha256, pages=0)


def plan(
    paths: Iterable[Path],
    store: WritesRecords,
    options: IngestOptions,
    finish: Callable[[FileOutcome], None],
) -> Iterator[DocumentJob]:
    """The documents to ingest, one job each; files that fail to open, have no pages,
    repeat another file or are already stored are `finish`ed here instead."""
    seen: dict[str, str] = {}
    for path in discover(paths, options.include, options.exclude):
        try:
            _check_text_size(path)
            info = sources.inspect(path)
        except InputFileError as error:
            reason = str(error)
            if _NO_PAGES.search(reason):  # poppler's words for a PDF whose page tree is empty
                reason = "the PDF has no pages"
            finish(FileOutcome(str(path), Status.FAILED, one_line(reason)))
            continue
        if info.pages < 1:
            finish(FileOutcome(str(path), Status.FAILED, "the file has no pages", id=info.sha256))
            continue
        if info.sha256 in seen:
            reason = f"same content as {seen[info.sha256]}"
            finish(FileOutcome(str(path), Status.DUPLICATE, reason, id=info.sha256))
            continue
        seen[info.sha256] = str(path)
        if not options.force and store.has_document(info.sha256):
            finish(
                FileOutcome(
                    str(path),
                    Status.SKIPPED,
                    "already in the store",
                    id=info.sha256,
                    pages=info.pages,
                )
            )
            continue
        yield DocumentJob.plan(
            info,
            lang=options.lang,
            dpi=options.dpi,
            force_ocr=options.force_ocr,
            restore_mode=options.restore_mode,
            keep_images=options.keep_images,
            cleanup=options.cleanup,
        )


def _check_text_size(path: Path) -> None:
    """Refuse a text input over MAX_TEXT_BYTES before anything reads it whole."""
    try:
        size = path.stat().st_size
        if size <= MAX_TEXT_BYTES:
            return
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return  # inspect() gives the reason
    if sources.sniff_media_type(head) == "text/plain":
        raise InputFileError(
            f"text file too large: {size / 2**20:.1f} MB (the limit is "
            f"{MAX_TEXT_BYTES // 2**20} MB); split it into smaller files"
        )


_NO_PAGES = re.compile(r"can not be after the last page \(0\)")


def _name(task: Task) -> str:
    if isinstance(task, RecordJob):
        return f"the record of {printable(str(task.info.path))}"
    return f"page {task.page} of {printable(task.path)}"


def _record_job(document: _Document) -> RecordJob:
    outcomes = [document.outcomes[n] for n in sorted(document.outcomes)]
    return RecordJob(
        document.job.sha256, document.info, [replace(o, image_png=None) for o in outcomes]
    )


def run_document(
    job: DocumentJob, on_page: Callable[[PageOutcome], None] | None = None
) -> tuple[_Document, RecordOutcome | None]:
    """One whole document in this process, pages in order, then its record (None when no
    page could be read): what a queue's worker runs before it writes."""
    document = _Document(job, time.perf_counter())
    for page_job in job.page_jobs():
        outcome = process_page(page_job)
        document.outcomes[page_job.page] = outcome
        if on_page is not None:
            on_page(outcome)
    return document, _record_of(document)


def gathered_document(
    job: DocumentJob, outcomes: Mapping[int, PageOutcome], started: float
) -> tuple[_Document, RecordOutcome | None]:
    """A document whose pages ran elsewhere (a queue's page tasks) and its record, built as
    `run_document` builds it (None when no page could be read)."""
    document = _Document(job, started, dict(outcomes))
    return document, _record_of(document)


def _record_of(document: _Document) -> RecordOutcome | None:
    if not any(o.page is not None for o in document.outcomes.values()):
        return None
    return assemble_record(_record_job(document))


def unreadable(document: _Document) -> FileOutcome:
    """The outcome of a document none of whose pages could be read."""
    return FileOutcome(
        str(document.info.path),
        Status.FAILED,
        page_errors(document.outcomes) or "no page could be read",
        id=document.info.sha256,
        pages=document.info.pages,
    )


_PAGE_PREFIX = re.compile(r"^page (\d+): ")


def page_errors(outcomes: Mapping[int, PageOutcome]) -> str:
    """The pages that failed and why, on one line: pages with the same reason grouped
    ("pages 10-22 of 22: poppler: ... ; page 3 of 22: ...")."""
    reasons: dict[str, list[int]] = {}
    for number, outcome in sorted(outcomes.items()):
        if outcome.error:
            reason = one_line(_PAGE_PREFIX.sub("", outcome.error))
            reason = reason.replace(f"page {number}", "the page")  # pages group by reason
            reasons.setdefault(reason, []).append(number)
    total = len(outcomes)
    parts = []
    for reason, numbers in reasons.items():
        label = "page" if len(numbers) == 1 else "pages"
        parts.append(f"{label} {_ranges(numbers)} of {total}: {reason}")
    return one_line("; ".join(parts))


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    groups: list[list[int]] = []
    for n in numbers:
        if groups and n == groups[-1][-1] + 1:
            groups[-1].append(n)
        else:
            groups.append([n])
    return ", ".join(f"{g[0]}-{g[-1]}" if len(g) > 1 else str(g[0]) for g in groups)


def storage_reason(error: BaseException) -> str | None:
    """A one-line reason for a failure to write (full disk, no permission, read-only), or
    None when the error is something else."""
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"cannot write{where}: {error.strerror or error}"
    if isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError):
        message = str(error)
        if any(k in message for k in ("full", "readonly", "read-only", "disk I/O", "locked")):
            return f"cannot write to the store: {message}"
    return None


def _disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error)


def write_document(
    document: _Document,
    built: RecordOutcome,
    store: WritesRecords,
    options: IngestOptions,
    first_started: float,
    transient: tuple[type[BaseException], ...] = (),
) -> FileOutcome:
    """Write one document (JSON file, then the store); its outcome. Raises DiskFullError
    when the disk is full: the run cannot go on; and the `transient` errors (a database
    that is restarting), which the caller tries again."""
    info = document.info
    path = str(info.path)
    outcomes = [document.outcomes[n] for n in sorted(document.outcomes)]
    pages = sum(1 for o in outcomes if o.page is not None)
    record = built.record
    if record is None:
        reason = one_line(str(built.failure or "the record could not be built"))
        return FileOutcome(path, Status.FAILED, reason, id=info.sha256, pages=pages)
    try:
        if options.out_dir is not None:
            write_json_atomic(options.out_dir / f"{record.id}.json", record.to_dict())
        images = {o.page_number: o.image_png for o in outcomes if o.image_png is not None}
        store.add_document(record, images)
    except transient:
        raise
    except SohoaError as error:
        return FileOutcome(path, Status.FAILED, one_line(str(error)), id=info.sha256, pages=pages)
    except Exception as error:  # a bug, a full disk, a lost permission: this file fails
        why = storage_reason(error)
        if why is None:
            log.exception("record of %s could not be written", printable(path))
            why = f"internal error: {type(error).__name__}: {error}"
        else:
            log.debug("record of %s could not be written", printable(path), exc_info=True)
        if _disk_full(error):
            raise DiskFullError(one_line(why)) from error
        return FileOutcome(path, Status.FAILED, one_line(why), id=info.sha256, pages=pages)
    archived = _write_pdfa(record, info.path, options.pdfa_dir)
    seconds = round(time.perf_counter() - first_started, 2)
    review = list(record.review)
    if any(o.error for o in outcomes):
        reason = page_errors(document.outcomes)
        return FileOutcome(
            path, Status.PARTIAL, reason, id=record.id, pages=pages, seconds=seconds, review=review
        )
    return FileOutcome(
        path,
        Status.INGESTED,
        archived or "",
        id=record.id,
        pages=pages,
        seconds=seconds,
        review=review,
    )


def _write_pdfa(record: Record, source: Path, folder: Path | None) -> str | None:
    """`--pdfa DIR`: the document's PDF/A (scans only); a failure is the outcome's reason,
    the record stays stored."""
    if folder is None or record.source.media_type == "text/plain":
        return None
    from pipeline.archive.deliver import deliver

    try:
        deliver(record, folder, ["pdfa"], source)
    except SohoaError as error:
        log.warning("PDF/A of %s not written: %s", printable(str(source)), error)
        return one_line(f"PDF/A not written: {error}")
    except OSError as error:  # a full disk, a lost permission: the next record meets it too
        log.warning("PDF/A of %s not written: %s", printable(str(source)), error)
        return one_line(f"PDF/A not written: {storage_reason(error)}")
    return None


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON next to its final name, fsync, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            # one write: json.dump writes each token through the temp file's wrapper
            # (~290,000 calls for 12 records, ~20% of the writing); the same bytes
            handle.write(json.dumps(data, ensure_ascii=False, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def remove_stale_temp_files(folder: Path) -> None:
    """Delete temp files a killed run left behind (never a finished record)."""
    for stale in folder.glob(".*.json.*.tmp"):
        stale.unlink(missing_ok=True)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
