"""Copy an archive into a PostgreSQL one (`sohoa migrate`): every record with its pages and
page images, one document per transaction, skipping documents the target already holds with
the same content, so an interrupted copy is resumed by running it again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.storage.postgres import PostgresStore, content_sha256
from pipeline.storage.protocol import Store
from pipeline.storage.rows import record_json

log = logging.getLogger(__name__)


@dataclass
class CopyReport:
    copied: int = 0
    unchanged: int = 0  # already in the target with the same content
    pages: int = 0  # pages copied
    images: int = 0  # page images copied


def copy_archive(
    source: Store,
    target: PostgresStore,
    on_document: Callable[[CopyReport], None] | None = None,
) -> CopyReport:
    """Copy every document of `source` missing from `target` or stored there with other
    content (an older version of it); `on_document` is called after each document."""
    report = CopyReport()
    for record in source.iter_records():
        images = {}
        for number in source.page_image_numbers(record.id):
            data = source.page_image(record.id, number)
            if data is not None:
                images[number] = data
        if target.content_hash(record.id) == content_sha256(record_json(record), record, images):
            report.unchanged += 1
        else:
            target.add_document(record, images)
            report.copied += 1
            report.pages += len(record.pages)
            report.images += len(images)
        if on_document is not None:
            on_document(report)
    log.info(
        "copied %d documents (%d pages, %d images); %d were there already",
        report.copied,
        report.pages,
        report.images,
        report.unchanged,
    )
    return report
