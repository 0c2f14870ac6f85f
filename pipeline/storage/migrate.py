"""Copy an archive into a PostgreSQL one (`sohoa migrate`): every record with its pages and
page images, BATCH documents per transaction, skipping documents the target already holds
with the same content, so an interrupted copy is resumed by running it again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.record import Record
from pipeline.storage.postgres import PostgresStore, content_sha256
from pipeline.storage.protocol import Store
from pipeline.storage.rows import record_json

log = logging.getLogger(__name__)

BATCH = 100


@dataclass
class CopyReport:
    copied: int = 0
    unchanged: int = 0  # already in the target with the same content
    pages: int = 0  # pages copied
    images: int = 0  # page images copied


def copy_archive(
    source: Store,
    target: PostgresStore,
    on_batch: Callable[[CopyReport], None] | None = None,
    batch_size: int = BATCH,
) -> CopyReport:
    """Copy every document of `source` missing from `target` or stored there with other
    content (an older version of it); `on_batch` is called after each batch written."""
    report = CopyReport()
    batch: list[tuple[Record, dict[int, bytes]]] = []

    def flush() -> None:
        target.add_documents(batch)
        report.copied += len(batch)
        report.pages += sum(len(record.pages) for record, _ in batch)
        report.images += sum(len(images) for _, images in batch)
        batch.clear()
        if on_batch is not None:
            on_batch(report)

    for record in source.iter_records():
        images = {}
        for number in source.page_image_numbers(record.id):
            data = source.page_image(record.id, number)
            if data is not None:
                images[number] = data
        if target.content_hash(record.id) == content_sha256(record_json(record), record, images):
            report.unchanged += 1
        else:
            batch.append((record, images))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    if report.copied:
        target.optimize()
    log.info(
        "copied %d documents (%d pages, %d images); %d were there already",
        report.copied,
        report.pages,
        report.images,
        report.unchanged,
    )
    return report
