"""The SQLite backend: one file (WAL, one writer) holding records, pages, page images and
two FTS5 indexes.

Layout: `documents` (one small row per record: the filter and display columns search reads),
`records` (the whole record as JSON, page texts left out), `pages` (restored and raw text
per page, the one copy of it), `page_images` (cleaned page images), and two
contentless FTS5 indexes over (subject, meta, body), one row per document: `fts` (accent-free,
đ folded; `unicode61 remove_diacritics 2` strips the other marks) and `fts_exact` (accents
kept, one tone placement). Contentless tables need the indexed values again to delete a row;
they are recomputed from the stored record, and the whole index is rebuilt when
`text.INDEX_VERSION` changes.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.errors import BadArgumentsError
from pipeline.record import Record
from pipeline.storage.protocol import (
    FacetCount,
    Filters,
    HitPage,
    PageText,
    Plan,
    Term,
)
from pipeline.storage.rows import (
    DOC_COLUMNS,
    HIT_COLUMNS,
    document_row,
    hit_rows,
    image_media_type,
    record_json,
    splice_pages,
    with_page_texts,
)
from pipeline.storage.text import (
    BODY_WEIGHT,
    INDEX_VERSION,
    META_WEIGHT,
    SUBJECT_WEIGHT,
    canonical_tones,
    fold,
    fold_d,
    has_marks,
    index_columns,
)

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

_DOC_COLUMNS = ", ".join(DOC_COLUMNS)


class SqliteStore:
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
    def open(cls, db: str, *, readonly: bool = False) -> SqliteStore:
        """Open (creating unless `readonly`) the store at a SQLite path."""
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
                f"({', '.join('?' * len(DOC_COLUMNS))})",
                document_row(record),
            )
            rid = cursor.lastrowid
            assert rid is not None
            self._conn.execute(
                "INSERT INTO records(rid, record_json) VALUES (?, ?)", (rid, record_json(record))
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
        def read_texts(numbers: list[int]) -> dict[int, tuple[str, str]]:
            with self._reading() as conn:
                rows = conn.execute(
                    "SELECT number, text, raw_text FROM pages WHERE doc_id = ? "
                    f"AND number IN ({', '.join('?' * len(numbers))})",
                    (doc_id, *numbers),
                ).fetchall()
            return {r["number"]: (r["text"], r["raw_text"]) for r in rows}

        return splice_pages(stored, read_texts, batch)

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

    def count_pages(self) -> int:
        with self._reading() as conn:
            row = conn.execute("SELECT count(*) AS n FROM pages").fetchone()
        return int(row["n"])

    def optimize(self) -> None:
        with self._lock:
            self._conn.execute("PRAGMA optimize")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- searching (SearchIndex) ---------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        with self._reading() as conn:
            return conn.execute(sql, params).fetchall()

    def run_plan(self, plan: Plan, sort: str, limit: int, offset: int) -> HitPage:
        return _run(self, _fts_plan(plan), sort, limit, offset)

    def facet_counts(self, plan: Plan) -> list[FacetCount]:
        return _facets(self, _fts_plan(plan))

    def page_texts(self, ids: Sequence[str]) -> list[PageText]:
        rows = self._query(
            f"SELECT doc_id, number, text FROM pages WHERE doc_id IN ({', '.join('?' * len(ids))})",
            list(ids),
        )
        return [PageText(row["doc_id"], row["number"], row["text"]) for row in rows]

    def term_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        vocabulary = self.vocabulary()
        return {w: vocabulary[w] for w in words if w in vocabulary}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


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
    texts = {
        page["number"]: (page["text"], page["raw_text"])
        for page in conn.execute(
            "SELECT number, text, raw_text FROM pages WHERE doc_id = ?", (doc_id,)
        )
    }
    return with_page_texts(row["record_json"], texts)


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


# --- FTS5 match expressions ----------------------------------------------------------------


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _term_expr(term: Term, normalize: Any) -> str:
    words = [normalize(w) for w in term.words]
    if term.phrase:
        return _quote(" ".join(words))
    return " AND ".join(_quote(w) for w in words)


def positive_expression(terms: Sequence[Term]) -> str | None:
    """The accent-free MATCH expression of the positive terms (all required), or None."""
    positive = [_term_expr(t, fold) for t in terms if not t.negate]
    return " AND ".join(positive) if positive else None


def match_expression(terms: Sequence[Term]) -> str | None:
    """The accent-free MATCH expression of the positive and negative terms, or None when
    there is no positive term. Every token is quoted, so no FTS5 syntax gets through."""
    return _combine(positive_expression(terms), exclusion_expression(terms))


def _combine(positive: str | None, negative: str | None) -> str | None:
    if not positive:
        return None
    return f"({positive}) NOT ({negative})" if negative else positive


def exclusion_expression(terms: Sequence[Term]) -> str | None:
    """The MATCH expression of the negated terms joined by OR, or None."""
    negative = [_term_expr(t, fold) for t in terms if t.negate]
    return " OR ".join(f"({n})" for n in negative) if negative else None


def exact_expression(terms: Sequence[Term]) -> str | None:
    """The accent-exact MATCH expression of the positive words typed with marks, or None.

    Words typed without marks stay free: "dang viên" ranks documents with "viên" first,
    whatever "dang" was accented as.
    """
    parts: list[str] = []
    for term in terms:
        if term.negate:
            continue
        marked = [w for w in term.words if has_marks(w)]
        if term.phrase and len(marked) == len(term.words):
            parts.append(_term_expr(term, _exact_token))
        else:
            parts.extend(_quote(_exact_token(w)) for w in marked)
    return " AND ".join(parts) if parts else None


def _exact_token(word: str) -> str:
    return canonical_tones(word).lower()


@dataclass(frozen=True)
class _Plan:
    match: str | None  # accent-free MATCH expression, None to list by filters alone
    positive: str | None  # its required part, for the subject/meta tier of broad queries
    exact: str | None  # accent-exact MATCH expression for ranking
    exclude: str | None  # exclusions (already inside `match` when there is one)
    filters: Filters
    rank_limit: int


def _fts_plan(plan: Plan) -> _Plan:
    """The FTS5 expressions of a plan (see protocol.Plan)."""
    positive: str | None
    exact: str | None
    if plan.corrections:
        positive, exact = _fuzzy_expression(plan.positive, plan.corrections), None
    else:
        positive, exact = positive_expression(plan.terms), exact_expression(plan.terms)
    exclude = exclusion_expression(plan.terms)
    return _Plan(
        match=_combine(positive, exclude),
        positive=positive,
        exact=exact,
        exclude=exclude,
        filters=plan.filters,
        rank_limit=plan.rank_limit,
    )


@dataclass(frozen=True)
class _Sql:
    """Pieces of the statement selecting the matching documents `d` (see `_select`)."""

    with_: str  # WITH m AS (the FTS matches), or ""
    source: str  # FROM … (documents d, joined to m when there is a match expression)
    where: str  # WHERE … (filters), or ""
    params: dict[str, Any]
    score: str = "0.0"
    exact: str = "0"
    head: str = ""  # LEFT JOIN of the subject/meta tier


def _select(plan: _Plan, ranking: str) -> _Sql:
    """The statement pieces for a plan. `ranking` says what the score is: "bm25" over all
    columns, "head" (BM25 of the documents holding every word in their subject or meta
    columns, 0 for the others) or "none" (0)."""
    params: dict[str, Any] = {}
    weights = f"{SUBJECT_WEIGHT}, {META_WEIGHT}, {BODY_WEIGHT}"
    with_, source, score, exact, head = "", "FROM documents AS d", "0.0", "0", ""
    if plan.match and ranking == "bm25":
        # A subquery SQLite flattens: BM25 is computed only for rows passing the filters.
        params["match"] = plan.match
        source = (
            f"FROM (SELECT rowid AS rid, -bm25(fts, {weights}) AS score FROM fts "
            "WHERE fts MATCH :match) AS m JOIN documents AS d ON d.rid = m.rid"
        )
        score = "m.score"
    elif plan.match:
        # Matched once, for both the count and the page of hits.
        params["match"] = plan.match
        with_ = "WITH m AS MATERIALIZED (SELECT rowid AS rid FROM fts WHERE fts MATCH :match) "
        source = "FROM m JOIN documents AS d ON d.rid = m.rid"
    if plan.match:
        if ranking == "head" and plan.positive:
            head = (
                f" LEFT JOIN (SELECT rowid AS rid, -bm25(fts, {weights}) AS score FROM fts "
                "WHERE fts MATCH :head) AS h ON h.rid = d.rid"
            )
            params["head"] = f"{{subject meta}} : ({plan.positive})"
            score = "coalesce(h.score, 0.0)"
        if plan.exact and ranking != "none":
            exact = "(d.rid IN (SELECT rowid FROM fts_exact WHERE fts_exact MATCH :exact))"
            params["exact"] = plan.exact
    clauses = _filter_clauses(plan.filters, params)
    if plan.exclude and not plan.match:
        clauses.append("d.rid NOT IN (SELECT rowid FROM fts WHERE fts MATCH :exclude)")
        params["exclude"] = plan.exclude
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return _Sql(with_, source, where, params, score, exact, head)


def _filter_clauses(filters: Filters, params: dict[str, Any]) -> list[str]:
    """SQL conditions on the folded key columns of `documents` (see rows.document_row)."""
    clauses: list[str] = []
    if filters.type:
        clauses.append("instr(d.type_key, :type) > 0")
        params["type"] = f"|{filters.type}|"
    for key in ("issuer", "place", "symbol"):
        value = getattr(filters, key)
        if value:
            clauses.append(f"instr(d.{key}_key, :{key}) > 0")
            params[key] = value
    if filters.year_from is not None:
        clauses.append("d.year >= :year_from")
        params["year_from"] = filters.year_from
    if filters.year_to is not None:
        clauses.append("d.year <= :year_to")
        params["year_to"] = filters.year_to
    # Partial dates ("2023-07") cover a span: keep them when the span meets the range.
    if filters.date_from:
        clauses.append("d.date || '~' >= :date_from")
        params["date_from"] = filters.date_from
    if filters.date_to:
        clauses.append("d.date <= :date_to || '~'")
        params["date_to"] = filters.date_to
    if filters.draft is not None:
        clauses.append("coalesce(d.draft, '') " + ("!= ''" if filters.draft else "= ''"))
    return clauses


def _ranking(store: SqliteStore, plan: _Plan, sort: str) -> str:
    """BM25 over every match while at most `rank_limit` documents match (counted only that
    far); beyond, the subject/meta tier by BM25 and then the rest by date."""
    if not plan.match or sort == "date":
        return "none"
    sql = _select(plan, "none")
    # Not the MATERIALIZED m of `sql.with_`: that would match everything before the LIMIT.
    matches = "(SELECT rowid AS rid FROM fts WHERE fts MATCH :match) AS m"
    source = sql.source.replace("FROM m ", f"FROM {matches} ", 1)
    capped = store._query(
        f"SELECT count(*) AS n FROM (SELECT 1 {source}{sql.where} LIMIT :cap)",
        {**sql.params, "cap": plan.rank_limit + 1},
    )
    return "bm25" if int(capped[0]["n"]) <= plan.rank_limit else "head"


# NULL dates sort last in DESC order; "none" follows the documents_date index.
_ORDER = {
    "none": "d.date DESC, d.rid DESC",
    "bm25": "exact DESC, score DESC, d.rid DESC",
    "head": "exact DESC, score DESC, d.date DESC, d.rid DESC",
}
_RANKING = {"none": "date", "bm25": "relevance", "head": "subject-then-date"}


def _run(store: SqliteStore, plan: _Plan, sort: str, limit: int, offset: int) -> HitPage:
    """One statement: the FTS matches once (WITH m), their count, and one page of hits."""
    ranking = _ranking(store, plan, sort)
    sql = _select(plan, ranking)
    params = {**sql.params, "limit": limit, "offset": offset}
    if sql.with_ and not sql.where:
        count = "SELECT count(*) AS n FROM m"
    else:
        count = f"SELECT count(*) AS n {sql.source}{sql.where}"
    columns = ", ".join(f"d.{c}" for c in HIT_COLUMNS)
    rows = store._query(
        f"{sql.with_}SELECT {columns}, {sql.score} AS score, {sql.exact} AS exact, "
        f"({count}) AS total {sql.source}{sql.head}{sql.where} "
        f"ORDER BY {_ORDER[ranking]} LIMIT :limit OFFSET :offset",
        params,
    )
    if rows:
        total = int(rows[0]["total"])
    else:
        total = int(store._query(f"{sql.with_}{count}", params)[0]["n"])
    hits = hit_rows(rows)
    return HitPage(total, _RANKING[ranking], hits)


def _facets(store: SqliteStore, plan: _Plan) -> list[FacetCount]:
    """Counts of the matching documents by type, issuer, year and place."""
    sql = _select(plan, "none")
    if sql.source == "FROM documents AS d" and not sql.where:
        table, prefix = "documents", ""  # everything: counted along the covering indexes
    else:
        table = "hits"
        columns = "d.type_code, d.doc_type, d.issuer, d.year, d.place"
        hits = f"hits AS MATERIALIZED (SELECT {columns} {sql.source}{sql.where}) "
        prefix = f"{sql.with_}, {hits}" if sql.with_ else f"WITH {hits}"
    rows = store._query(
        f"{prefix}SELECT 'type' AS facet, type_code AS a, doc_type AS b, count(*) AS n "
        f"FROM {table} GROUP BY type_code, doc_type "
        f"UNION ALL SELECT 'issuer', issuer, NULL, count(*) FROM {table} GROUP BY issuer "
        f"UNION ALL SELECT 'year', year, NULL, count(*) FROM {table} GROUP BY year "
        f"UNION ALL SELECT 'place', place, NULL, count(*) FROM {table} GROUP BY place",
        sql.params,
    )
    return [
        FacetCount(
            row["facet"],
            None if row["a"] is None else str(row["a"]),
            row["b"],
            int(row["n"]),
        )
        for row in rows
    ]


def _fuzzy_expression(terms: Sequence[Term], corrections: Mapping[str, Sequence[str]]) -> str:
    """The required part of the match expression with each corrected word replaced by
    (word OR variants); a phrase holding a corrected word is loosened to its words."""
    parts: list[str] = []
    for term in terms:
        folded = [fold(w) for w in term.words]
        if term.phrase and not any(w in corrections for w in folded):
            parts.append(_quote(" ".join(folded)))
            continue
        for word in folded:
            options = [word, *corrections.get(word, [])]
            alternatives = " OR ".join(_quote(o) for o in options)
            parts.append(f"({alternatives})" if len(options) > 1 else alternatives)
    return " AND ".join(parts)
