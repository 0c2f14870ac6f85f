"""Where records and their search indexes live: the storage seam and its two backends.

`open_store(db)` opens the archive named by `db`: a `postgresql://` URL gives the
PostgreSQL backend (`storage.postgres`), anything else is a SQLite file path
(`storage.sqlite`). Both implement `Store` (`DocumentStore` + `SearchIndex`, in
`storage.protocol`); `storage.search` runs queries against either. No SQL lives outside
this package.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import StoreBusyError, UnwritableOutputError
from pipeline.storage.protocol import DocumentStore, SearchIndex, Store
from pipeline.storage.rows import image_media_type

__all__ = [
    "DocumentStore",
    "SearchIndex",
    "Store",
    "image_media_type",
    "ingest_lock",
    "is_postgres_url",
    "open_store",
]


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def open_store(db: str, *, readonly: bool = False) -> Store:
    """Open (creating its tables unless `readonly`) the archive at a SQLite path or a
    PostgreSQL URL. Raises BadArgumentsError when it cannot be opened or is no sohoa store."""
    if is_postgres_url(db):
        from pipeline.storage.postgres import PostgresStore

        return PostgresStore.open(db, readonly=readonly)
    from pipeline.storage.sqlite import SqliteStore

    return SqliteStore.open(db, readonly=readonly)


@contextlib.contextmanager
def ingest_lock(db: str) -> Iterator[None]:
    """Held while an ingest writes to `db`: a second ingest into the same store stops at
    once (StoreBusyError, exit 2) instead of doing all the OCR a second time. An flock on
    `DB.lock`, released by the kernel whatever way the holder ends. A PostgreSQL archive
    takes no lock: its writes are idempotent by content hash, so several ingests may feed it."""
    if is_postgres_url(db):
        yield
        return
    path = Path(db).with_name(Path(db).name + ".lock")
    try:
        handle = path.open("a+")
    except OSError as error:
        raise UnwritableOutputError(
            f"--db {db}: cannot create {path} ({error.strerror})"
        ) from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreBusyError(
                f"another ingest ({holder}) is writing to {db}; wait for it to finish "
                "(a rerun then resumes where it stopped)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
