"""Bulk ingest: files and folders in, one validated record per document into the store.

The parent process plans page jobs, spreads them over worker processes, and is the only
writer. When all of a document's pages are back, a worker assembles its record and extracts
its fields (the parent does no CPU work of its own: on two cores that would come out of OCR);
the parent then writes it (JSON file, then one store transaction). A run killed at any moment
leaves no partial record, and a re-run skips every document already stored (same sha256) and
finishes the rest.
"""

from __future__ import annotations

import concurrent.futures as cf
import fnmatch
import hashlib
import json
import logging
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import cv2

from pipeline import __version__, poppler, sources, tesseract, workers
from pipeline.errors import InputFileError, SohoaError
from pipeline.options import CleanupOptions
from pipeline.pages import PageJob, PageOutcome, init_worker, process_page
from pipeline.record import Page, Provenance, Quality, Record, Source, Span

log = logging.getLogger(__name__)


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
    status: str  # "ingested", "partial", "skipped", "duplicate", "failed"
    reason: str = ""
    id: str | None = None
    pages: int = 0
    seconds: float = 0.0


@dataclass
class RunReport:
    started: str
    finished: str = ""
    elapsed_s: float = 0.0
    workers: int = 0
    pages_processed: int = 0
    pages_per_minute: float = 0.0
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def failures(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = {
            s: self.count(s) for s in ("ingested", "partial", "skipped", "duplicate", "failed")
        }
        return data

    def summary_lines(self) -> list[str]:
        counts = ", ".join(
            f"{self.count(s)} {s}"
            for s in ("ingested", "partial", "skipped", "duplicate", "failed")
        )
        lines = [
            f"{len(self.files)} files: {counts}",
            f"{self.pages_processed} pages in {self.elapsed_s:.1f} s "
            f"({self.pages_per_minute:.1f} pages/min, {self.workers} workers)",
        ]
        for item in self.files:
            if item.status in ("failed", "partial"):
                lines.append(f"  {item.status.upper()} {item.path}: {item.reason}")
        return lines


@dataclass
class _Document:
    """A planned document: its source and the page outcomes gathered so far."""

    index: int
    info: sources.SourceInfo
    started: float
    outcomes: dict[int, PageOutcome] = field(default_factory=dict)


@dataclass
class RecordJob:
    """A worker task: assemble one document's record from its page outcomes (in page order,
    page images left out: they go from the parent straight to the store)."""

    doc_index: int
    info: sources.SourceInfo
    outcomes: list[PageOutcome]


@dataclass
class RecordOutcome:
    doc_index: int
    record: Record | None = None
    error: str | None = None


def assemble_record(job: RecordJob) -> RecordOutcome:
    """The document's record with its fields, or why it could not be built."""
    try:
        return RecordOutcome(job.doc_index, record=build_record(job.info, job.outcomes))
    except SohoaError as error:
        return RecordOutcome(job.doc_index, error=str(error))
    except Exception as error:  # a bug or an unforeseen input must not stop the run
        log.exception("record of %s could not be built", job.info.path)
        return RecordOutcome(
            job.doc_index, error=f"internal error: {type(error).__name__}: {error}"
        )


Task = PageJob | RecordJob


def run_task(task: Task) -> PageOutcome | RecordOutcome:
    """What a worker runs: one page, or one finished document's record."""
    if isinstance(task, RecordJob):
        return assemble_record(task)
    return process_page(task)


class _Tasks:
    """The work still to hand out: finished documents' records first (they free memory and
    let the document be written), then page jobs in planned order."""

    def __init__(self, pages: list[PageJob]) -> None:
        self._pages = deque(pages)
        self._records: deque[RecordJob] = deque()

    def add_record(self, job: RecordJob) -> None:
        self._records.append(job)

    def pop(self) -> Task | None:
        if self._records:
            return self._records.popleft()
        if self._pages:
            return self._pages.popleft()
        return None


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
) -> RunReport:
    """Ingest every file under `paths` into `store`; returns the run report."""
    check_dependencies(options.lang)
    bar = progress or NoProgress()
    started = time.perf_counter()
    report = RunReport(started=_now(), workers=options.worker_count())

    def finish(outcome: FileOutcome) -> None:
        report.files.append(outcome)
        if on_file is not None:
            on_file(outcome)

    if options.out_dir is not None:
        remove_stale_temp_files(options.out_dir)
    if options.worker_count() > 1:
        workers.fork_server()
    documents, jobs = _plan(paths, store, options, finish)
    tasks = _Tasks(jobs)
    bar.start(len(jobs))
    try:
        for outcome in _run_tasks(tasks, options.worker_count()):
            document = documents[outcome.doc_index]
            if isinstance(outcome, RecordOutcome):
                finish(_write_document(document, outcome, store, options))
                del documents[outcome.doc_index]
                continue
            document.outcomes[outcome.page_number] = outcome
            report.pages_processed += 1
            bar.advance(1)
            if len(document.outcomes) < document.info.pages:
                continue
            if any(o.page is not None for o in document.outcomes.values()):
                tasks.add_record(_record_job(document))
            else:
                finish(_unreadable(document))
                del documents[outcome.doc_index]
    finally:
        bar.close()
        report.finished = _now()
        report.elapsed_s = round(time.perf_counter() - started, 3)
        minutes = report.elapsed_s / 60
        report.pages_per_minute = round(report.pages_processed / minutes, 1) if minutes else 0.0
    return report


def _plan(
    paths: Iterable[Path],
    store: WritesRecords,
    options: IngestOptions,
    finish: Callable[[FileOutcome], None],
) -> tuple[dict[int, _Document], list[PageJob]]:
    documents: dict[int, _Document] = {}
    jobs: list[PageJob] = []
    seen: dict[str, str] = {}
    for index, path in enumerate(discover(paths, options.include, options.exclude)):
        try:
            info = sources.inspect(path)
        except InputFileError as error:
            finish(FileOutcome(str(path), "failed", str(error)))
            continue
        if info.sha256 in seen:
            finish(
                FileOutcome(
                    str(path), "duplicate", f"same content as {seen[info.sha256]}", id=info.sha256
                )
            )
            continue
        seen[info.sha256] = str(path)
        if not options.force and store.has_document(info.sha256):
            finish(
                FileOutcome(
                    str(path), "skipped", "already in the store", id=info.sha256, pages=info.pages
                )
            )
            continue
        documents[index] = _Document(index, info, time.perf_counter())
        base = PageJob(
            doc_index=index,
            path=str(path),
            media_type=info.media_type,
            page=1,
            lang=options.lang,
            # PDF pages are rendered at options.dpi; an image keeps the resolution it states
            dpi=options.dpi if info.media_type == "application/pdf" else info.dpi or options.dpi,
            force_ocr=options.force_ocr,
            restore_mode=options.restore_mode,
            keep_image=options.keep_images,
            cleanup=options.cleanup,
        )
        jobs.extend(replace(base, page=n) for n in range(1, info.pages + 1))
    return documents, jobs


def _run_tasks(tasks: _Tasks, processes: int) -> Iterator[PageOutcome | RecordOutcome]:
    """Run tasks over `processes` worker processes, keeping only a few in flight.

    A bounded window keeps memory flat on huge PDFs and lets early documents finish (and be
    written) while later ones are still queued. Tasks added while results are being consumed
    (a finished document's record) are handed out next.
    """
    if processes <= 1:
        init_worker()
        while (task := tasks.pop()) is not None:
            yield run_task(task)
        return
    window = processes * 2
    context = workers.fork_server()
    with cf.ProcessPoolExecutor(
        max_workers=processes, initializer=init_worker, mp_context=context
    ) as pool:
        pending: set[cf.Future[PageOutcome | RecordOutcome]] = set()
        try:
            while True:
                while len(pending) < window and (task := tasks.pop()) is not None:
                    pending.add(pool.submit(run_task, task))
                if not pending:
                    return
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _record_job(document: _Document) -> RecordJob:
    outcomes = [document.outcomes[n] for n in sorted(document.outcomes)]
    return RecordJob(document.index, document.info, [replace(o, image_png=None) for o in outcomes])


def _unreadable(document: _Document) -> FileOutcome:
    """The outcome of a document none of whose pages could be read."""
    errors = [o.error for _, o in sorted(document.outcomes.items()) if o.error]
    return FileOutcome(
        str(document.info.path),
        "failed",
        errors[0] if errors else "no page could be read",
        id=document.info.sha256,
        pages=document.info.pages,
    )


def _write_document(
    document: _Document, built: RecordOutcome, store: WritesRecords, options: IngestOptions
) -> FileOutcome:
    info = document.info
    path = str(info.path)
    outcomes = [document.outcomes[n] for n in sorted(document.outcomes)]
    errors = [o.error for o in outcomes if o.error]
    pages = sum(1 for o in outcomes if o.page is not None)
    record = built.record
    if record is None:
        return FileOutcome(path, "failed", built.error or "", id=info.sha256, pages=pages)
    try:
        if options.out_dir is not None:
            write_json_atomic(options.out_dir / f"{record.id}.json", record.to_dict())
        images = {o.page_number: o.image_png for o in outcomes if o.image_png is not None}
        store.add_document(record, images)
    except SohoaError as error:
        return FileOutcome(path, "failed", str(error), id=info.sha256, pages=pages)
    except Exception as error:  # a bug or an unforeseen input must not stop the run
        log.exception("record of %s could not be written", path)
        reason = f"internal error: {type(error).__name__}: {error}"
        return FileOutcome(path, "failed", reason, id=info.sha256, pages=pages)
    seconds = round(time.perf_counter() - document.started, 2)
    if errors:
        return FileOutcome(
            path, "partial", "; ".join(errors), id=record.id, pages=pages, seconds=seconds
        )
    return FileOutcome(path, "ingested", id=record.id, pages=pages, seconds=seconds)


def build_record(info: sources.SourceInfo, outcomes: list[PageOutcome]) -> Record:
    """Assemble the document record from its page outcomes and fill the extracted fields."""
    pages: list[Page] = [o.page for o in outcomes if o.page is not None]
    text_parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for outcome in outcomes:
        if outcome.page is None:
            continue
        if text_parts:
            offset += 2  # the "\n\n" between pages
        spans.extend(
            replace(s, start=s.start + offset, end=s.end + offset)
            for s in outcome.low_confidence_spans
        )
        text_parts.append(outcome.page.text)
        offset += len(outcome.page.text)
    timings: dict[str, float] = {}
    for outcome in outcomes:
        for stage, seconds in outcome.timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
    ocr_scores = [p.confidence for p in pages if p.confidence is not None]
    restore_scores = [
        o.restoration_confidence for o in outcomes if o.restoration_confidence is not None
    ]
    record = Record(
        id=info.sha256,
        source=Source(
            path=str(info.path),
            sha256=info.sha256,
            media_type=info.media_type,
            pages=info.pages,
            size_bytes=info.size_bytes,
        ),
        text="\n\n".join(text_parts),
        raw_text="\n\n".join(p.raw_text for p in pages),
        pages=pages,
        provenance=Provenance(
            sohoa_version=__version__,
            created=_now(),
            engines=_engine_versions(),
            models=_model_versions(),
            timings=timings,
        ),
        quality=Quality(
            ocr_confidence=round(sum(ocr_scores) / len(ocr_scores), 2) if ocr_scores else None,
            restoration_confidence=(
                round(sum(restore_scores) / len(restore_scores), 4) if restore_scores else None
            ),
            low_confidence_spans=spans,
        ),
        errors=[o.error for o in outcomes if o.error],
    )
    t0 = time.perf_counter()
    _fill_fields(record)
    record.provenance.timings["fields"] = round(time.perf_counter() - t0, 4)
    return record


def _fill_fields(record: Record) -> None:
    from pipeline.fields import extract_fields, repair

    extract_fields(record.text, record.pages, repair.for_record(record)).apply(record)


def _engine_versions() -> dict[str, str]:
    return {
        "tesseract": tesseract.version(),
        "poppler": poppler.version(),
        "opencv": cv2.__version__,
    }


@cache
def _model_versions() -> dict[str, str]:
    """Each model named by its kind and a digest of its metadata file (changes on retrain)."""
    from pipeline.restore.restorer import DEFAULT_MODEL

    meta = DEFAULT_MODEL / "meta.json"
    order = json.loads(meta.read_text(encoding="utf-8")).get("order", "?")
    digest = hashlib.sha256(meta.read_bytes()).hexdigest()[:12]
    return {"restore": f"syllable-{order}gram-kn/{digest}"}


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON next to its final name, fsync, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
