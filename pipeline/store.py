"""The document store: SQLite (WAL, one writer) holding records, pages, page images and the
full-text indexes that `pipeline.search` queries.

Layout: `documents` (one small row per record: the filter and display columns search reads),
`records` (the whole record as JSON, page texts left out), `pages` (restored and raw text
per page, the one copy of it), `page_images` (cleaned page images), and two
contentless FTS5 indexes over (subject, meta, body), one row per document: `fts` (accent-free,
đ folded) and `fts_exact` (accents kept, one tone placement). Contentless tables need the
indexed values again to delete a row; they are recomputed from the stored record, and the
whole index is rebuilt when `search.INDEX_VERSION` changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.errors import BadArgumentsError, StoreBusyError, UnwritableOutputError
from pipeline.record import Record
from pipeline.search import INDEX_VERSION, canonical_tones, fold, fold_d, index_columns

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"
VOCABULARY_TTL_S = 300.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    media_type TEXT NOT NULL,
    n_pages INTEGER NOT NULL,
    doc_type TEXT,
    type_code TEXT,
    number INTEGER,
    symbol TEXT,
    doc_number TEXT,
    issuer_code TEXT,
    issuer TEXT,
    place TEXT,
    date TEXT,
    year INTEGER,
    subject TEXT,
    draft TEXT,
    type_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    place_key TEXT NOT NULL,
    symbol_key TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records(
    rid INTEGER PRIMARY KEY REFERENCES documents(rid) ON DELETE CASCADE,
    record_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);
CREATE INDEX IF NOT EXISTS documents_date ON documents(date);
CREATE INDEX IF NOT EXISTS documents_year ON documents(year);
CREATE INDEX IF NOT EXISTS documents_type ON documents(type_code, doc_type);
CREATE INDEX IF NOT EXISTS documents_issuer ON documents(issuer);
CREATE INDEX IF NOT EXISTS documents_place ON documents(place);
CREATE TABLE IF NOT EXISTS pages(
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    raw_text TEXT NOT NULL,
    confidence REAL,
    PRIMARY KEY(doc_id, number)
);
CREATE TABLE IF NOT EXISTS page_images(
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY(doc_id, number)
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    subject, meta, body, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_exact USING fts5(
    subject, meta, body, content='', tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
"""

_DOC_COLUMNS = (
    "id, sha256, path, media_type, n_pages, doc_type, type_code, number, symbol, doc_number, "
    "issuer_code, issuer, place, date, year, subject, draft, type_key, issuer_key, place_key, "
    "symbol_key, created"
)
_YEAR = re.compile(r"^(\d{4})")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def image_media_type(data: bytes) -> str:
    """Media type of image bytes from their magic number (the store never trusts a name)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return "application/octet-stream"


def _key(values: Sequence[str | None]) -> str:
    """Folded values between `|` separators, for exact-item and substring filters."""
    return "|" + "|".join(fold(v).strip() for v in values if v) + "|"


def _issuing_body(issuer: Sequence[str]) -> str | None:
    """The issuing body: the last header line (the parent body, when present, comes first)."""
    lines = [line.strip() for line in issuer if line.strip() and line.strip() != "*"]
    return lines[-1] if lines else None


def _record_json(record: Record) -> str:
    """The record as compact JSON without page texts, which live in `pages` alone."""
    data = record.to_dict()
    for page in data["pages"]:
        page["text"] = page["raw_text"] = ""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _document_row(record: Record) -> tuple[Any, ...]:
    year_match = _YEAR.match(record.date or "")
    return (
        record.id,
        record.source.sha256,
        record.source.path,
        record.source.media_type,
        len(record.pages) or record.source.pages,
        record.doc_type,
        record.type_code,
        record.number,
        record.symbol,
        record.doc_number,
        record.issuer_code,
        _issuing_body(record.issuer),
        record.place,
        record.date,
        int(year_match.group(1)) if year_match else None,
        record.subject,
        record.draft,
        _key([record.type_code, record.doc_type]),
        _key([record.issuer_code, *record.issuer]),
        _key([record.place]),
        _key([record.symbol, record.doc_number]),
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


@contextlib.contextmanager
def ingest_lock(db: str) -> Iterator[None]:
    """Held while an ingest writes to `db`: a second ingest into the same store stops at
    once (StoreBusyError, exit 2) instead of doing all the OCR a second time. An flock on
    `DB.lock`, released by the kernel whatever way the holder ends."""
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


class Store:
    """Records and their search indexes in one SQLite file; one writer, many readers.

    A writable store serialises its methods by a lock on its one connection. A read-only
    store (the web server's) gives each thread its own read connection, so a long read (a
    large record being downloaded) never holds up another thread's search.
    """

    def __init__(self, conn: sqlite3.Connection, path: str, *, readonly: bool = False) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._closed = False
        self._vocabulary: dict[str, int] | None = None
        self._vocabulary_lock = threading.Lock()
        self._vocabulary_read = (0, 0.0)  # data_version and time when it was read

    @classmethod
    def open(cls, db: str, *, readonly: bool = False) -> Store:
        """Open (creating unless `readonly`) the store at a SQLite path."""
        if db.startswith(("postgresql://", "postgres://")):
            raise BadArgumentsError("PostgreSQL not supported yet")
        if readonly and not Path(db).is_file():
            raise BadArgumentsError(f"no such database: {db}")
        try:
            conn = _connect(db, readonly)
        except sqlite3.OperationalError as error:
            raise BadArgumentsError(f"cannot open database {db}: {error}") from error
        except sqlite3.DatabaseError as error:
            raise BadArgumentsError(f"{db}: not a sohoa database ({error})") from error
        store = cls(conn, db, readonly=readonly)
        try:
            if not readonly:
                store._prepare()
            store._check_version()
        except sqlite3.DatabaseError as error:
            conn.close()
            raise BadArgumentsError(f"{db}: not a sohoa database ({error})") from error
        return store

    def _prepare(self) -> None:
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        with self._transaction():
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
            row = self._conn.execute(
                "SELECT value FROM meta WHERE key = 'index_version'"
            ).fetchone()
            if row is None or row["value"] != INDEX_VERSION:
                self._rebuild_index()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read with: this thread's own on a read-only store, else the one
        connection under the lock."""
        if not self.readonly:
            with self._lock:
                yield self._conn
            return
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path, True)
            with self._lock:
                if self._closed:
                    conn.close()
                    raise sqlite3.ProgrammingError("the store is closed")
                self._readers.append(conn)
            self._local.conn = conn
        yield conn

    def _check_version(self) -> None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or row["value"] != SCHEMA_VERSION:
            found = row["value"] if row else "none"
            raise BadArgumentsError(
                f"{self.path}: store schema {found}, this sohoa reads {SCHEMA_VERSION}"
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def _rebuild_index(self) -> None:
        """Re-derive both FTS indexes from the stored records (after an INDEX_VERSION change)."""
        self._conn.execute("INSERT INTO fts(fts) VALUES ('delete-all')")
        self._conn.execute("INSERT INTO fts_exact(fts_exact) VALUES ('delete-all')")
        count = 0
        for row in self._conn.execute("SELECT rid, id FROM documents"):
            self._index(row["rid"], self._load(row["rid"], row["id"]), "")
            count += 1
        self._conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('index_version', ?)", (INDEX_VERSION,)
        )
        if count:
            log.info("rebuilt the search index of %d documents", count)

    def _index(self, rid: int, record: Record, command: str) -> None:
        """Insert (command "") or delete (command "delete") a record's rows in both indexes."""
        columns = index_columns(record)
        folded = tuple(fold_d(c) for c in columns)
        exact = tuple(canonical_tones(c) for c in columns)
        if command:
            self._conn.execute(
                "INSERT INTO fts(fts, rowid, subject, meta, body) VALUES (?, ?, ?, ?, ?)",
                (command, rid, *folded),
            )
            self._conn.execute(
                "INSERT INTO fts_exact(fts_exact, rowid, subject, meta, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (command, rid, *exact),
            )
        else:
            self._conn.execute(
                "INSERT INTO fts(rowid, subject, meta, body) VALUES (?, ?, ?, ?)", (rid, *folded)
            )
            self._conn.execute(
                "INSERT INTO fts_exact(rowid, subject, meta, body) VALUES (?, ?, ?, ?)",
                (rid, *exact),
            )

    # --- writing -------------------------------------------------------------------------

    def add_document(self, record: Record, page_images: dict[int, bytes]) -> None:
        """Store a record, its pages, page images and index rows in one transaction,
        replacing a document with the same id (re-ingest with --force)."""
        with self._lock, self._transaction():
            self._delete(record.id)
            cursor = self._conn.execute(
                f"INSERT INTO documents({_DOC_COLUMNS}) VALUES "
                f"({', '.join('?' * len(_DOC_COLUMNS.split(',')))})",
                _document_row(record),
            )
            rid = cursor.lastrowid
            assert rid is not None
            self._conn.execute(
                "INSERT INTO records(rid, record_json) VALUES (?, ?)", (rid, _record_json(record))
            )
            self._conn.executemany(
                "INSERT INTO pages(doc_id, number, text, raw_text, confidence) "
                "VALUES (?, ?, ?, ?, ?)",
                [(record.id, p.number, p.text, p.raw_text, p.confidence) for p in record.pages],
            )
            self._conn.executemany(
                "INSERT INTO page_images(doc_id, number, media_type, data) VALUES (?, ?, ?, ?)",
                [
                    (record.id, number, image_media_type(data), data)
                    for number, data in sorted(page_images.items())
                ],
            )
            self._index(rid, record, "")
            self._vocabulary = None

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its index rows; False when there was none."""
        with self._lock, self._transaction():
            return self._delete(doc_id)

    def _delete(self, doc_id: str) -> bool:
        row = self._conn.execute("SELECT rid FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return False
        self._index(row["rid"], self._load(row["rid"], doc_id), "delete")
        self._conn.execute("DELETE FROM documents WHERE rid = ?", (row["rid"],))
        self._vocabulary = None
        return True

    # --- reading -------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        """Whether a complete document with this content is stored (a partial one, stored
        with fewer pages than its source has, is redone by the next ingest)."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT 1 FROM documents d JOIN records r ON r.rid = d.rid "
                "WHERE d.sha256 = ? "
                "AND d.n_pages >= coalesce(json_extract(r.record_json, '$.source.pages'), 0) "
                "LIMIT 1",
                (sha256,),
            ).fetchone()
        return row is not None

    def get_record(self, doc_id: str) -> Record | None:
        with self._reading() as conn:
            row = conn.execute("SELECT rid FROM documents WHERE id = ?", (doc_id,)).fetchone()
            return None if row is None else _load(conn, row["rid"], doc_id)

    def _load(self, rid: int, doc_id: str) -> Record:
        return _load(self._conn, rid, doc_id)

    def record_json_chunks(self, doc_id: str, batch: int = 50) -> Iterator[bytes] | None:
        """The stored record as UTF-8 JSON, in pieces (None when there is no such document).

        The stored JSON is sent as stored (read as bytes: never decoded, parsed or encoded
        again), each page's texts spliced back in from `pages` a batch of pages at a time:
        a 300-page record is never held whole twice, nor parsed.
        """
        with self._reading() as conn:
            row = conn.execute(
                "SELECT CAST(r.record_json AS BLOB) AS data "
                "FROM documents d JOIN records r ON r.rid = d.rid WHERE d.id = ?",
                (doc_id,),
            ).fetchone()
        if row is None:
            return None
        return self._chunks(doc_id, bytes(row["data"]), batch)

    def _chunks(self, doc_id: str, stored: bytes, batch: int) -> Iterator[bytes]:
        view = memoryview(stored)
        position = 0
        marks = _EMPTY_PAGE.finditer(stored)
        while True:
            found = [m for _, m in zip(range(batch), marks, strict=False)]
            if not found:
                break
            numbers = [int(m.group(1)) for m in found]
            with self._reading() as conn:
                rows = conn.execute(
                    "SELECT number, text, raw_text FROM pages WHERE doc_id = ? "
                    f"AND number IN ({', '.join('?' * len(numbers))})",
                    (doc_id, *numbers),
                ).fetchall()
            texts = {r["number"]: (r["text"], r["raw_text"]) for r in rows}
            parts: list[bytes | memoryview] = []
            for number, match in zip(numbers, found, strict=True):
                text, raw = texts.get(number, ("", ""))
                parts.append(view[position : match.start()])
                parts.append(
                    f'{{"number":{number},"text":{_dumps(text)},"raw_text":{_dumps(raw)}'.encode()
                )
                position = match.end()
            yield b"".join(parts)
        yield bytes(view[position:])

    def find_ids(self, prefix: str, limit: int = 2) -> list[str]:
        """Ids starting with a (hex) prefix, so commands can accept a short id."""
        if not re.fullmatch(r"[0-9a-fA-F]{1,64}", prefix):
            return []
        low = prefix.lower()
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT id FROM documents WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                (low, low + "g", limit),
            ).fetchall()
        return [row["id"] for row in rows]

    def page_image(self, doc_id: str, page: int) -> bytes | None:
        with self._reading() as conn:
            row = conn.execute(
                "SELECT data FROM page_images WHERE doc_id = ? AND number = ?", (doc_id, page)
            ).fetchone()
        return None if row is None else bytes(row["data"])

    def page_image_numbers(self, doc_id: str) -> list[int]:
        """Page numbers that have a stored image."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT number FROM page_images WHERE doc_id = ? ORDER BY number", (doc_id,)
            ).fetchall()
        return [row["number"] for row in rows]

    def iter_records(self) -> Iterator[Record]:
        """Every record in insertion order, read in batches so memory stays flat."""
        last = 0
        while True:
            with self._reading() as conn:
                rows = conn.execute(
                    "SELECT rid, id FROM documents WHERE rid > ? ORDER BY rid LIMIT 200", (last,)
                ).fetchall()
                records = [_load(conn, row["rid"], row["id"]) for row in rows]
            if not rows:
                return
            yield from records
            last = rows[-1]["rid"]

    def vocabulary(self) -> dict[str, int]:
        """Document frequency of each term of the accent-free index (for the fuzzy fallback).

        Reading it scans the whole index (about 1 s per 100,000 pages), so it is kept, and
        read again only when another process has written since, at most every few minutes.
        """
        with self._vocabulary_lock, self._reading() as conn:
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            read_version, read_at = self._vocabulary_read
            stale = version != read_version and time.monotonic() - read_at > VOCABULARY_TTL_S
            if self._vocabulary is None or stale:
                rows = conn.execute("SELECT term, doc FROM fts_vocab")
                self._vocabulary = {row["term"]: int(row["doc"]) for row in rows}
                self._vocabulary_read = (version, time.monotonic())
            return self._vocabulary

    def count_documents(self) -> int:
        with self._reading() as conn:
            row = conn.execute("SELECT count(*) AS n FROM documents").fetchone()
        return int(row["n"])

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        """Run one read query (for pipeline.search)."""
        with self._reading() as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_EMPTY_PAGE = re.compile(rb'\{"number":(\d+),"text":"","raw_text":""')


def _dumps(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _connect(db: str, readonly: bool) -> sqlite3.Connection:
    """A connection with the store's settings; read-only ones open the file in mode=ro."""
    if readonly:
        uri = Path(db).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    else:
        conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA cache_size = -32000")  # KiB: the FTS index and documents stay hot
    conn.execute("PRAGMA mmap_size = 268435456")
    return conn


def _load(conn: sqlite3.Connection, rid: int, doc_id: str) -> Record:
    """The stored record with its page texts put back from `pages`."""
    row = conn.execute("SELECT record_json FROM records WHERE rid = ?", (rid,)).fetchone()
    data = json.loads(row["record_json"])
    texts = {
        page["number"]: page
        for page in conn.execute(
            "SELECT number, text, raw_text FROM pages WHERE doc_id = ?", (doc_id,)
        )
    }
    for page in data["pages"]:
        stored = texts.get(page["number"])
        if stored is not None:
            page["text"], page["raw_text"] = stored["text"], stored["raw_text"]
    return Record.from_dict(data)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (autocommit connection)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._conn.execute("COMMIT")
        else:
            self._conn.execute("ROLLBACK")
