"""The units of work of an ingest run and what comes back from them, shared by every executor
(this machine's worker pool, the queue's workers on other machines).

Jobs are keyed by content: a document by its sha256, a page by that and its number, so the
same job planned twice (a rerun, a message delivered twice) names the same work. They are
plain frozen data and travel as JSON (`to_json`/`from_json`): a queue carries them between
machines and Python versions where pickles would not do. Failures are typed (`JobError`: a
kind and a one-line message), and a document's fate is a `Status`, never a free string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Self, cast

from pipeline import sources
from pipeline.cleanup.options import CleanupOptions
from pipeline.errors import (
    InputFileError,
    ModelError,
    OcrError,
    SohoaError,
)
from pipeline.record import Page, Span


class Status(StrEnum):
    """What became of one input file in a run (the report's `status`)."""

    INGESTED = "ingested"
    PARTIAL = "partial"  # stored, but some pages failed: counts as a failure, a rerun redoes it
    SKIPPED = "skipped"  # already in the store
    DUPLICATE = "duplicate"  # same content as another file of the same run
    FAILED = "failed"


class ErrorKind(StrEnum):
    """Why a job failed, for the report and for deciding whether to try again."""

    INPUT = "input"  # the file or page cannot be read as a document
    OCR = "ocr"  # Tesseract failed on the page
    MODEL = "model"  # a trained model is missing or damaged
    PIPELINE = "pipeline"  # another failure the pipeline raised on purpose
    WORKER_DIED = "worker-died"  # the process running the job was killed
    STORAGE = "storage"  # the record could not be written
    INTERNAL = "internal"  # a bug or an unforeseen input


@dataclass(frozen=True)
class JobError:
    """A job's failure: its kind and a one-line message."""

    kind: ErrorKind
    message: str

    @classmethod
    def of(cls, error: BaseException) -> JobError:
        """The typed error for an exception a job raised."""
        if isinstance(error, InputFileError):
            return cls(ErrorKind.INPUT, str(error))
        if isinstance(error, OcrError):
            return cls(ErrorKind.OCR, str(error))
        if isinstance(error, ModelError):
            return cls(ErrorKind.MODEL, str(error))
        if isinstance(error, SohoaError):
            return cls(ErrorKind.PIPELINE, str(error))
        return cls(ErrorKind.INTERNAL, f"internal error: {type(error).__name__}: {error}")

    def __str__(self) -> str:
        return self.message

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobError:
        return cls(ErrorKind(data["kind"]), str(data["message"]))


class _JsonJob:
    """A job written to and read back from JSON (what a queue message carries): each job
    class says how its nested parts are rebuilt in `from_dict`."""

    def to_json(self) -> str:
        return json.dumps(asdict(cast(Any, self)), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Self:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        raise NotImplementedError


@dataclass(frozen=True)
class PageJob(_JsonJob):
    """One page of one document: what a worker needs to clean, recognise and repair it."""

    doc: str  # the document's sha256
    path: str
    media_type: str
    page: int  # 1-based
    lang: str = "vie"
    dpi: int = 300  # PDF pages are rendered at this; for images, the resolution they state
    stated_dpi: int | None = None  # an image's own resolution, when it says one worth trusting
    force_ocr: bool = False
    restore_mode: str = "auto"  # "auto", "stripped", "ocr" or "off"
    keep_image: bool = True
    cleanup: CleanupOptions = field(default_factory=CleanupOptions)

    @property
    def key(self) -> tuple[str, int]:
        return (self.doc, self.page)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageJob:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["cleanup"] = CleanupOptions(**data.get("cleanup", {}))
        return cls(**values)


@dataclass(frozen=True)
class DocumentJob(_JsonJob):
    """One document to ingest: its source (as `sources.inspect` found it) and the settings
    of its pages. A queue's worker runs it whole; the local pool runs its pages."""

    sha256: str
    path: str
    media_type: str
    size_bytes: int
    pages: int
    page: PageJob  # the settings every page shares (its `page` number is 1)
    source_dpi: int | None = None  # the resolution an image file states, if any

    @classmethod
    def plan(
        cls,
        info: sources.SourceInfo,
        *,
        lang: str = "vie",
        dpi: int = 300,
        force_ocr: bool = False,
        restore_mode: str = "auto",
        keep_images: bool = True,
        cleanup: CleanupOptions | None = None,
    ) -> DocumentJob:
        page = PageJob(
            doc=info.sha256,
            path=str(info.path),
            media_type=info.media_type,
            page=1,
            lang=lang,
            # PDF pages are rendered at `dpi`; an image keeps the resolution it states
            dpi=dpi if info.media_type == "application/pdf" else info.dpi or dpi,
            stated_dpi=sources.trusted_dpi(info.dpi),
            force_ocr=force_ocr,
            restore_mode=restore_mode,
            keep_image=keep_images,
            cleanup=cleanup or CleanupOptions(),
        )
        return cls(
            info.sha256,
            str(info.path),
            info.media_type,
            info.size_bytes,
            info.pages,
            page,
            info.dpi,
        )

    @property
    def key(self) -> str:
        return self.sha256

    @property
    def info(self) -> sources.SourceInfo:
        return sources.SourceInfo(
            Path(self.path), self.sha256, self.media_type, self.size_bytes, self.pages,
            self.source_dpi,
        )  # fmt: skip

    def page_jobs(self) -> list[PageJob]:
        return [replace(self.page, page=n) for n in range(1, self.pages + 1)]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocumentJob:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["page"] = PageJob.from_dict(data["page"])
        return cls(**values)


@dataclass(frozen=True)
class PageOutcome:
    """What one page job gave: its page (None when it failed, then `failure` says why), the
    cleaned image to store, and what repairing its text found. Immutable once made."""

    doc: str
    page_number: int
    page: Page | None = None
    image_png: bytes | None = None
    restoration_confidence: float | None = None
    low_confidence_spans: tuple[Span, ...] = ()
    failure: JobError | None = None
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The failure as the record and the report list it ("page 3: ...")."""
        if self.failure is not None:
            return f"page {self.page_number}: {self.failure.message}"
        if self.page is not None and self.page.errors:  # read, but not well enough
            return f"page {self.page_number}: {'; '.join(self.page.errors)}"
        return None
