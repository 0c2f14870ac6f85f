"""One record builder: a document's page outcomes in, its record (fields included) out.

Every path that makes a record goes through `build_record` (`sohoa ingest`, `sohoa extract`,
and any later one), so the same input gives the same record whichever command made it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache

import cv2

from pipeline import __version__, sources
from pipeline.programs import poppler, tesseract
from pipeline.record import Page, Provenance, Quality, Record, Source, Span, with_fields
from pipeline.run.jobs import PageOutcome
from pipeline.sources import pdf


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
        signatures=pdf.signatures(info.path) if info.media_type == "application/pdf" else [],
    )
    t0 = time.perf_counter()
    record = _with_fields(record)
    record.provenance.timings["fields"] = round(time.perf_counter() - t0, 4)
    return record


def _with_fields(record: Record) -> Record:
    """The record with the fields extracted from its text and pages."""
    from pipeline.fields import extract_fields, repair  # workers load it, the parent never

    fields = extract_fields(record.text, record.pages, repair.for_record(record))
    return with_fields(record, fields)


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
