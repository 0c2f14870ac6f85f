"""The PostgreSQL backend: the same records, pages, page images and search as the SQLite
store, for an archive that several machines write to (`--db postgresql://...`).

Layout: `documents` (the filter and display columns, the record JSON without page texts, and
four tsvectors), `pages`, `page_images` (bytea) and `terms` (every folded word ever indexed
with its document count up to FREQUENCY_CAP, for the fuzzy fallback). The tsvectors are
built here, in Python, from the tokens of the same folding functions the SQLite index uses
(`storage.text`), and handed over as tsvector literals, so PostgreSQL's parser,
dictionaries and locale never touch a word: `tsv`
(accent-free, đ folded; subject weight A, meta B, body D), `tsv_head` (subject and meta
only, for the subject-first tier of broad queries) and `tsv_exact` (accents kept, one tone
placement), and `tsv_pairs` (every two adjacent folded words of a column as one lexeme 'a b',
without positions, so a phrase is matched through the index instead of by reading each
candidate's `tsv` back).
Columns are one position apart, so a phrase never spans two of them. Ranking is
`ts_rank_cd` with the SQLite BM25 column weights scaled to 1; the substring filters on the
folded keys use `pg_trgm` indexes.

Writes are idempotent: a document is keyed by its id (the content hash); adding one already
stored with the same content (`content_sha256` of its JSON, texts and images) changes
nothing, and concurrent writers of one document take turns on an advisory lock. Every
operation reconnects when the server went away (a restart, a failover) and retries for up to
`RECONNECT_S`, so a writer survives a database restart; an operation is one transaction, so
a retried one never half-applies. PostgreSQL caps a tsvector at 16,383 positions and 256
positions per word: in a document longer than about 16,000 words a phrase near its end may
be missed (its words are still found).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row

from pipeline.errors import BadArgumentsError
from pipeline.record import Record
from pipeline.storage.protocol import (
    FacetCount,
    Filters,
    HitPage,
    HitRow,
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
    has_marks,
    index_columns,
    tokens,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = "pg2"  # pg1 (no tsv_pairs, no terms.docs) is upgraded on a writer's open
RECONNECT_S = 60.0  # how long an operation waits for the database to come back
CONNECT_TIMEOUT_S = 5
MAX_POSITIONS = 256  # PostgreSQL keeps this many positions per word of a tsvector
MAX_POSITION = 16383  # and positions up to this one
# `terms.docs`: a word's documents, counted this far (a word at the cap is no longer
# updated, so writers of common words never wait on each other's count).
FREQUENCY_CAP = 1_000
# ts_rank_cd normalization 2: the rank divided by the document's length, as BM25 favours a
# short document naming the words in its subject over a long body repeating them (on the
# search recall set, 0 of 60 subject documents ranked below another with 2 or 8; 2 with 1
# (log length), 11 with 0).
RANK_NORMALIZATION = 2
# ts_rank_cd reads each match's whole tsvector (about 28 µs a document of five pages,
# against 2 µs for BM25 in SQLite): relevance over at most this many matches (and at most
# search.RANK_LIMIT); beyond, the subject-first tier order, as SQLite beyond RANK_LIMIT.
RELEVANCE_LIMIT = 1000
# Matches are counted this far (and facets count the first this many): counting every
# match of a broad query visits each one (`dang vien` at 1,000,000 pages: 192,799 matches,
# 119 ms), and a phrase reads every candidate's tsv back to check positions (~25 µs each).
COUNT_LIMIT = 1000
# ts_rank_cd weights {D, C, B, A}: body, (unused), meta, subject, as SQLite's BM25 weights.
_RANK = (
    "'{"
    + ", ".join(str(w / SUBJECT_WEIGHT) for w in (BODY_WEIGHT, 0.0, META_WEIGHT, SUBJECT_WEIGHT))
    + "}'"
)
_LOCK_KEY = 0x736F686F61  # "sohoa": the advisory lock taken while the schema is created

_BULK_TABLES = ("documents", "pages", "terms")
_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS meta(key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    rid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE,
    sha256 text COLLATE "C" NOT NULL,
    path text NOT NULL,
    media_type text NOT NULL,
    n_pages integer NOT NULL,
    doc_type text,
    type_code text,
    number integer,
    symbol text,
    doc_number text,
    issuer_code text,
    issuer text,
    place text,
    date text COLLATE "C",
    year integer,
    subject text,
    draft text,
    type_key text COLLATE "C" NOT NULL,
    issuer_key text COLLATE "C" NOT NULL,
    place_key text COLLATE "C" NOT NULL,
    symbol_key text COLLATE "C" NOT NULL,
    created text NOT NULL,
    source_pages integer NOT NULL,
    content_sha256 text NOT NULL,
    record_json text NOT NULL,
    tsv tsvector NOT NULL,
    tsv_head tsvector NOT NULL,
    tsv_exact tsvector NOT NULL,
    tsv_pairs tsvector NOT NULL
);
CREATE TABLE IF NOT EXISTS pages(
    doc_id text COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number integer NOT NULL,
    text text NOT NULL,
    raw_text text NOT NULL,
    confidence real,
    PRIMARY KEY(doc_id, number)
);
CREATE TABLE IF NOT EXISTS page_images(
    doc_id text COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number integer NOT NULL,
    media_type text NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY(doc_id, number)
);
CREATE TABLE IF NOT EXISTS terms(term text COLLATE "C" PRIMARY KEY, docs integer NOT NULL)
"""
# Secondary indexes (name: table and method), apart from the tables so that a bulk load can
# build them after the rows (`bulk_start`).
_INDEXES = {
    "documents_sha256": "documents(sha256)",
    "documents_date": "documents(date DESC NULLS LAST, rid DESC)",
    "documents_year": "documents(year)",
    "documents_tsv": "documents USING gin(tsv)",
    "documents_tsv_head": "documents USING gin(tsv_head)",
    "documents_tsv_exact": "documents USING gin(tsv_exact)",
    "documents_tsv_pairs": "documents USING gin(tsv_pairs)",
    "documents_type_key": "documents USING gin(type_key gin_trgm_ops)",
    "documents_issuer_key": "documents USING gin(issuer_key gin_trgm_ops)",
    "documents_place_key": "documents USING gin(place_key gin_trgm_ops)",
    "documents_symbol_key": "documents USING gin(symbol_key gin_trgm_ops)",
}

T = TypeVar("T")


# --- tsvector and tsquery literals -----------------------------------------------------------


def _vector(columns: Sequence[tuple[list[str], str]]) -> str:
    """A tsvector literal of (tokens, weight) columns, one position apart: every position of
    each token (the first MAX_POSITIONS, positions capped at 16,383 as PostgreSQL does)."""
    found: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    start = 1
    for words, weight in columns:
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(words, start):
            positions.setdefault(word, []).append(position)
        for word, at in positions.items():
            room = MAX_POSITIONS - counts.get(word, 0)
            if room <= 0:
                continue
            at = at[:room]
            counts[word] = counts.get(word, 0) + len(at)
            if at[-1] > MAX_POSITION:
                at = [min(p, MAX_POSITION) for p in at]
            found.setdefault(word, []).append(f"{weight},".join(map(str, at)) + weight)
        start += len(words) + 1
    return " ".join(f"'{word}':{','.join(parts)}" for word, parts in found.items())


@dataclass(frozen=True)
class Vectors:
    """A record's index columns, as tsvector literals."""

    tsv: str
    head: str
    exact: str
    pairs: str


def index_vectors(record: Record) -> Vectors:
    """The index columns of a record."""
    folded = _folded(record)
    exact = [tokens(canonical_tones(c).lower()) for c in index_columns(record)]
    return Vectors(
        _vector([(folded[0], "A"), (folded[1], "B"), (folded[2], "D")]),
        _vector([(folded[0], "A"), (folded[1], "B")]),
        _vector([(exact[0], ""), (exact[1], ""), (exact[2], "")]),
        _pairs_vector(folded),
    )


def _folded(record: Record) -> list[list[str]]:
    """The folded words of the (subject, meta, body) columns."""
    return [tokens(fold(c)) for c in index_columns(record)]


def _pairs(words: Sequence[str]) -> list[str]:
    """Each two adjacent words as one lexeme 'a b' (a token holds no space)."""
    return [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _pairs_vector(columns: Sequence[Sequence[str]]) -> str:
    """The `tsv_pairs` literal: the pairs of each column, without positions (a tenth of
    the cost of building them with positions, and smaller). A two-word phrase is one of
    them, answered by the index alone; a longer phrase holds all of its pairs, and is then
    checked on `tsv` (few candidates that hold them all are not a match)."""
    return " ".join(sorted({f"'{pair}'" for words in columns for pair in _pairs(words)}))


def _lexemes(tsv: str) -> list[str]:
    """The words of a tsvector literal of `_vector` (they hold neither spaces nor quotes)."""
    return [entry.split("':", 1)[0][1:] for entry in tsv.split(" ") if entry]


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _words(words: Sequence[str]) -> str:
    """One word, or a phrase of adjacent words."""
    if len(words) == 1:
        return _lexeme(words[0])
    return "(" + " <-> ".join(_lexeme(w) for w in words) + ")"


def _term_query(term: Term, normalize: Callable[[str], str]) -> str:
    words = [normalize(w) for w in term.words]
    if term.phrase:
        return _words(words)
    return " & ".join(_lexeme(w) for w in words)


@dataclass(frozen=True)
class _Part:
    """One required part of a plan: its query on `tsv`, and for a phrase of several words
    its pairs on `tsv_pairs` (`_pairs_vector`), which decide a two-word phrase alone."""

    tsv: str
    pairs: str | None = None
    pairs_decide: bool = False


def _parts(plan: Plan) -> list[_Part]:
    """The positive terms, fuzzy alternatives in place of corrected words (a phrase holding
    a corrected word loosened to its words)."""
    parts: list[_Part] = []
    for term in plan.positive:
        folded = [fold(w) for w in term.words]
        if not plan.corrections or (term.phrase and not any(w in plan.corrections for w in folded)):
            pairs = " & ".join(_lexeme(p) for p in _pairs(folded)) if term.phrase else ""
            parts.append(_Part(_term_query(term, fold), pairs or None, len(folded) == 2))
            continue
        for word in folded:
            options = [word, *plan.corrections.get(word, [])]
            alternatives = " | ".join(_lexeme(o) for o in options)
            parts.append(_Part(f"({alternatives})" if len(options) > 1 else alternatives))
    return parts


def _joined(queries: Sequence[str]) -> str | None:
    return " & ".join(f"({q})" for q in queries) if queries else None


def _exclusion(plan: Plan) -> str | None:
    negative = [_term_query(t, fold) for t in plan.negative]
    return " | ".join(f"({n})" for n in negative) if negative else None


def _exact(plan: Plan) -> str | None:
    """The positive words typed with marks, accents and all (see sqlite.exact_expression)."""
    if plan.corrections:
        return None
    parts: list[str] = []
    for term in plan.positive:
        marked = [w for w in term.words if has_marks(w)]
        if term.phrase and len(marked) == len(term.words):
            parts.append(_term_query(term, _exact_token))
        else:
            parts.extend(_lexeme(_exact_token(w)) for w in marked)
    return " & ".join(f"({p})" for p in parts) if parts else None


def _exact_token(word: str) -> str:
    return canonical_tones(word).lower()


# --- the store -----------------------------------------------------------------------------


@dataclass
class _Query:
    """The matching documents `d` of a plan: WHERE conditions and their parameters."""

    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    positive: str | None = None
    exact: str | None = None
    exclude: str | None = None
    filters: list[str] = field(default_factory=list)  # the conditions on other columns

    def clause(self) -> str:
        return f" WHERE {' AND '.join(self.where)}" if self.where else ""


def _like(value: str) -> str:
    """A LIKE pattern for `value` anywhere in the text (pg_trgm indexes it)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(plan: Plan) -> _Query:
    query = _Query()
    filters: Filters = plan.filters
    if filters.type:
        query.where.append("d.type_key LIKE %(type)s")
        query.params["type"] = _like(f"|{filters.type}|")
    for key in ("issuer", "place", "symbol"):
        value = getattr(filters, key)
        if value:
            query.where.append(f"d.{key}_key LIKE %({key})s")
            query.params[key] = _like(value)
    # The year is the date's first four digits (rows.document_row): the same bounds on the
    # date let a walk of the date index start and stop at those years instead of reading
    # every newer document first (180 ms at 1,000,000 pages for `year:2016-2019`).
    if filters.year_from is not None:
        query.where.append("d.year >= %(year_from)s AND d.date >= %(year_from_date)s")
        query.params["year_from"] = filters.year_from
        query.params["year_from_date"] = f"{filters.year_from:04d}"
    if filters.year_to is not None:
        query.where.append("d.year <= %(year_to)s AND d.date <= %(year_to_date)s")
        query.params["year_to"] = filters.year_to
        query.params["year_to_date"] = f"{filters.year_to:04d}~"
    # Partial dates ("2023-07") cover a span: keep them when the span meets the range.
    if filters.date_from:
        query.where.append("d.date || '~' >= %(date_from)s")
        query.params["date_from"] = filters.date_from
    if filters.date_to:
        query.where.append("d.date <= %(date_to)s || '~'")
        query.params["date_to"] = filters.date_to
    if filters.draft is not None:
        query.where.append("coalesce(d.draft, '') " + ("!= ''" if filters.draft else "= ''"))
    query.filters = list(query.where)
    # The text last: a row read in date order is tested on the cheap columns first, and
    # its tsv read out of TOAST only when they pass. Phrases of several words are matched
    # on tsv_pairs (first: the rarer condition), the other words and exclusions on tsv; a
    # phrase of three words or more is then checked on tsv by the function behind @@
    # (`ts_match_vq`), which no index serves: a GIN scan for it would intersect the posting
    # lists of all its words (60-110 ms for a phrase of common words at 1,000,000 pages).
    parts, exclude = _parts(plan), _exclusion(plan)
    positive = _joined([p.tsv for p in parts])
    pairs = _joined([p.pairs for p in parts if p.pairs])
    words = _joined([p.tsv for p in parts if not p.pairs])
    phrases = _joined([p.tsv for p in parts if p.pairs and not p.pairs_decide])
    if positive:
        query.positive = positive
        query.exact = _exact(plan)
    if pairs:
        query.where.append("d.tsv_pairs @@ %(pairs)s::tsquery")
        query.params["pairs"] = pairs
    if words:
        query.where.append("d.tsv @@ %(match)s::tsquery")
        query.params["match"] = f"({words}) & !({exclude})" if exclude else words
    elif exclude:
        query.where.append("NOT d.tsv @@ %(exclude)s::tsquery")
    if phrases:
        query.where.append("ts_match_vq(d.tsv, %(phrases)s::tsquery)")
        query.params["phrases"] = phrases
    if exclude:
        query.exclude = exclude
        query.params["exclude"] = exclude
    return query


class PostgresStore:
    """An archive in a PostgreSQL database; any number of writers and readers, on any
    machine. Each thread gets its own connection."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.path = url
        self.readonly = readonly
        self._local = threading.local()
        self._connections: list[psycopg.Connection[dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def open(cls, url: str, *, readonly: bool = False) -> PostgresStore:
        """Connect (creating the tables unless `readonly`) and check the schema version."""
        store = cls(url, readonly=readonly)
        try:
            conn = store._connection()
        except psycopg.Error as error:
            raise BadArgumentsError(f"cannot connect to {_safe(url)}: {error}") from error
        try:
            if not readonly and store._prepare(conn):
                store.optimize()
            store._check_version(conn)
        except BaseException:
            store.close()
            raise
        return store

    def _connect(self) -> psycopg.Connection[dict[str, Any]]:
        options = "-c default_transaction_read_only=on" if self.readonly else ""
        return psycopg.connect(
            self.path,
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=CONNECT_TIMEOUT_S,
            options=options,
            application_name="sohoa",
        )

    def _connection(self) -> psycopg.Connection[dict[str, Any]]:
        """This thread's connection, made again when the last one broke."""
        conn: psycopg.Connection[dict[str, Any]] | None = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed:
            return conn
        if self._closed:
            raise psycopg.InterfaceError("the store is closed")
        conn = self._connect()
        with self._lock:
            if self._closed:
                conn.close()
                raise psycopg.InterfaceError("the store is closed")
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    def _run(self, work: Callable[[psycopg.Connection[dict[str, Any]]], T]) -> T:
        """`work` in one transaction; when the connection is lost (server restarted or
        unreachable), reconnect and run it again, for up to RECONNECT_S."""
        deadline = time.monotonic() + RECONNECT_S
        delay = 0.1
        while True:
            conn: psycopg.Connection[dict[str, Any]] | None = None
            try:
                conn = self._connection()
                with conn.transaction():
                    return work(conn)
            except psycopg.OperationalError as error:
                if conn is not None and not conn.closed and not conn.broken:
                    raise  # the statement failed, the connection is fine
                if conn is not None:
                    self._forget(conn)
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("database connection lost (%s); retrying in %.1f s", error, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _forget(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        conn.close()
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None

    def _prepare(self, conn: psycopg.Connection[dict[str, Any]]) -> bool:
        """Create the tables (once, whichever writer comes first), upgrade a store of the
        previous schema, and rebuild the search columns when INDEX_VERSION changed; True
        when an upgrade rewrote rows (the caller then refreshes the statistics)."""
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            for statement in _SCHEMA.split(";\n"):
                conn.execute(statement)
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            upgrade = row is not None and row["value"] == "pg1"
            if upgrade:
                _upgrade_pg1(conn)
            if not _bulk_loading(conn):
                _create_indexes(conn)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO NOTHING",
                (SCHEMA_VERSION,),
            )
            row = conn.execute("SELECT value FROM meta WHERE key = 'index_version'").fetchone()
            if row is None or row["value"] != INDEX_VERSION:
                _reindex(conn, everything=True)
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('index_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (INDEX_VERSION,),
                )
        return upgrade

    def _check_version(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except psycopg.errors.UndefinedTable:
            row = None
        if row is None or row["value"] != SCHEMA_VERSION:
            found = row["value"] if row else "none"
            hint = " (open it once for writing to upgrade it)" if found == "pg1" else ""
            raise BadArgumentsError(
                f"{_safe(self.path)}: store schema {found}, this sohoa reads {SCHEMA_VERSION}"
                + hint
            )

    # --- writing -------------------------------------------------------------------------

    def add_document(self, record: Record, page_images: dict[int, bytes]) -> None:
        """Store a record, its pages, page images and index columns in one transaction,
        replacing a document with the same id unless it holds the same content already."""
        self.add_documents([(record, page_images)])

    def add_documents(self, documents: Sequence[tuple[Record, dict[int, bytes]]]) -> int:
        """`add_document` for a batch in one transaction (pages sent by COPY), for bulk
        copies; returns how many documents were written (not there with that content)."""
        prepared = [_Write.of(record, images) for record, images in documents]
        return self._run(lambda conn: _write(conn, prepared))

    def bulk_start(self) -> None:
        """Begin loading many documents into a new archive: the secondary indexes are
        dropped, to be built once by `bulk_finish` (building a GIN index over the rows is
        several times faster than updating it row by row), and autovacuum is off for the
        tables until then; the meta key `bulk_load` keeps other writers opening the store
        from creating them meanwhile. Searches still work, slowly, until `bulk_finish`."""

        def work(conn: psycopg.Connection[dict[str, Any]]) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('bulk_load', 'on') "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
            for name in _INDEXES:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
            for table in _BULK_TABLES:  # autovacuum would rescan the growing tables meanwhile
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")

        self._run(work)

    def bulk_copy(self, documents: Sequence[tuple[Record, dict[int, bytes]]]) -> int:
        """Write a batch of new documents by COPY, in one transaction, without the checks of
        `add_documents`: none of them may be stored already (a repeated id fails on the
        unique key). The commit does not wait for the WAL to reach the disk
        (`synchronous_commit = off`): a crash of the server may lose the last batches
        committed (well under a second of them), never half a batch; load those again."""
        prepared = [_Write.of(record, images) for record, images in documents]

        def work(conn: psycopg.Connection[dict[str, Any]]) -> int:
            conn.execute("SET LOCAL synchronous_commit = off")
            _copy(conn, prepared)
            return len(prepared)

        return self._run(work)

    def bulk_finish(self) -> None:
        """Build the secondary indexes dropped by `bulk_start` (with 1 GB of
        maintenance_work_mem), clear the mark, and refresh the statistics (`optimize`)."""

        def work(conn: psycopg.Connection[dict[str, Any]]) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            _create_indexes(conn)
            for table in _BULK_TABLES:
                conn.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")
            conn.execute("DELETE FROM meta WHERE key = 'bulk_load'")

        self._run(work)
        self.optimize()

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document (its pages and images go with it); False when there was none."""

        def work(conn: psycopg.Connection[dict[str, Any]]) -> bool:
            removed = conn.execute(
                "DELETE FROM documents WHERE id = %s RETURNING tsvector_to_array(tsv) AS words",
                (doc_id,),
            ).fetchall()
            _count_terms(conn, [], [row["words"] for row in removed])
            return bool(removed)

        return self._run(work)

    # --- reading -------------------------------------------------------------------------

    def _fetch(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return self._run(lambda conn: conn.execute(sql, params).fetchall())

    def has_document(self, sha256: str) -> bool:
        """Whether a complete document with this content is stored (see DocumentStore)."""
        rows = self._fetch(
            "SELECT 1 FROM documents WHERE sha256 = %s AND n_pages >= source_pages LIMIT 1",
            (sha256,),
        )
        return bool(rows)

    def content_hash(self, doc_id: str) -> str | None:
        """The stored content hash of a document (see `content_sha256`), None when absent."""
        rows = self._fetch("SELECT content_sha256 FROM documents WHERE id = %s", (doc_id,))
        return str(rows[0]["content_sha256"]) if rows else None

    def get_record(self, doc_id: str) -> Record | None:
        def work(conn: psycopg.Connection[dict[str, Any]]) -> Record | None:
            row = conn.execute(
                "SELECT record_json FROM documents WHERE id = %s", (doc_id,)
            ).fetchone()
            return None if row is None else _load(conn, doc_id, row["record_json"])

        return self._run(work)

    def record_json_chunks(self, doc_id: str, batch: int = 50) -> Iterator[bytes] | None:
        """The stored record as UTF-8 JSON, in pieces, page texts spliced back a batch of
        pages at a time (None when there is no such document)."""
        rows = self._fetch("SELECT record_json FROM documents WHERE id = %s", (doc_id,))
        if not rows:
            return None

        def read_texts(numbers: list[int]) -> dict[int, tuple[str, str]]:
            found = self._fetch(
                "SELECT number, text, raw_text FROM pages WHERE doc_id = %s AND number = ANY(%s)",
                (doc_id, numbers),
            )
            return {r["number"]: (r["text"], r["raw_text"]) for r in found}

        return splice_pages(rows[0]["record_json"].encode(), read_texts, batch)

    def find_ids(self, prefix: str, limit: int = 2) -> list[str]:
        """Ids starting with a (hex) prefix, so commands can accept a short id."""
        if not prefix or len(prefix) > 64 or any(c not in "0123456789abcdefABCDEF" for c in prefix):
            return []
        low = prefix.lower()
        rows = self._fetch(
            "SELECT id FROM documents WHERE id >= %s AND id < %s ORDER BY id LIMIT %s",
            (low, low + "g", limit),
        )
        return [row["id"] for row in rows]

    def page_image(self, doc_id: str, page: int) -> bytes | None:
        rows = self._fetch(
            "SELECT data FROM page_images WHERE doc_id = %s AND number = %s", (doc_id, page)
        )
        return bytes(rows[0]["data"]) if rows else None

    def page_image_numbers(self, doc_id: str) -> list[int]:
        rows = self._fetch(
            "SELECT number FROM page_images WHERE doc_id = %s ORDER BY number", (doc_id,)
        )
        return [row["number"] for row in rows]

    def iter_records(self) -> Iterator[Record]:
        """Every record in insertion order, read in batches so memory stays flat."""
        last = 0
        while True:

            def work(
                conn: psycopg.Connection[dict[str, Any]], after: int = last
            ) -> tuple[int, list[Record]]:
                rows = conn.execute(
                    "SELECT rid, id, record_json FROM documents WHERE rid > %s "
                    "ORDER BY rid LIMIT 200",
                    (after,),
                ).fetchall()
                records = [_load(conn, row["id"], row["record_json"]) for row in rows]
                return (rows[-1]["rid"] if rows else after), records

            last, records = self._run(work)
            if not records:
                return
            yield from records

    def count_documents(self) -> int:
        return int(self._fetch("SELECT count(*) AS n FROM documents")[0]["n"])

    def count_pages(self) -> int:
        return int(self._fetch("SELECT count(*) AS n FROM pages")[0]["n"])

    def optimize(self) -> None:
        """VACUUM ANALYZE: fresh statistics for the planner, and a visibility map so counts
        of many matches need not read the rows."""
        conn = self._connection()
        for table in ("documents", "pages", "terms"):
            conn.execute(f"VACUUM ANALYZE {table}")

    # --- searching (SearchIndex) ---------------------------------------------------------

    def run_plan(self, plan: Plan, sort: str, limit: int, offset: int) -> HitPage:
        query = _matches(plan)
        return self._run(lambda conn: _run_plan(conn, plan, query, sort, limit, offset))

    def facet_counts(self, plan: Plan) -> list[FacetCount]:
        query = _matches(plan)
        sql = (
            "SELECT grouping(type_code, doc_type) AS t, grouping(issuer) AS i, "
            "grouping(year) AS y, type_code, doc_type, issuer, year, place, count(*) AS n "
            "FROM (SELECT d.type_code, d.doc_type, d.issuer, d.year, d.place "
            f"FROM documents AS d{query.clause()} LIMIT {COUNT_LIMIT}) AS d "
            "GROUP BY GROUPING SETS ((type_code, doc_type), (issuer), (year), (place))"
        )

        def work(conn: psycopg.Connection[dict[str, Any]]) -> list[dict[str, Any]]:
            _use_index(conn, query)
            return conn.execute(sql, query.params).fetchall()

        rows = self._run(work)
        counts: list[FacetCount] = []
        for row in rows:
            if row["t"] == 0:
                counts.append(FacetCount("type", row["type_code"], row["doc_type"], row["n"]))
            elif row["i"] == 0:
                counts.append(FacetCount("issuer", row["issuer"], None, row["n"]))
            elif row["y"] == 0:
                year = None if row["year"] is None else str(row["year"])
                counts.append(FacetCount("year", year, None, row["n"]))
            else:
                counts.append(FacetCount("place", row["place"], None, row["n"]))
        return counts

    def page_texts(self, ids: Sequence[str]) -> list[PageText]:
        rows = self._fetch(
            "SELECT doc_id, number, text FROM pages WHERE doc_id = ANY(%s)", (list(ids),)
        )
        return [PageText(row["doc_id"], row["number"], row["text"]) for row in rows]

    def term_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """Document frequency (up to FREQUENCY_CAP) of each indexed word of `words`, as
        `terms` keeps it: a primary-key probe a word (counting them in the index read a
        common word's whole posting list, 15-20 ms at 1,000,000 pages)."""
        if not words:
            return {}
        rows = self._fetch(
            "SELECT term, docs FROM terms WHERE term = ANY(%s) AND docs > 0", (list(words),)
        )
        return {row["term"]: int(row["docs"]) for row in rows}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_HIT_SELECT = ", ".join(f"d.{c}" for c in HIT_COLUMNS)


def _run_plan(
    conn: psycopg.Connection[dict[str, Any]],
    plan: Plan,
    query: _Query,
    sort: str,
    limit: int,
    offset: int,
) -> HitPage:
    """Relevance (ts_rank_cd) over every match while at most `rank_limit` match; beyond,
    the subject/meta tier first, then the rest by date (`_tiers`). The matches are counted
    first, up to COUNT_LIMIT, then one page is read in that order."""
    source = f"FROM documents AS d{query.clause()}"
    params = {**query.params, "limit": limit, "offset": offset}
    _use_index(conn, query)
    total = _count(conn, query, COUNT_LIMIT)
    exact_total = total <= COUNT_LIMIT
    total = min(total, COUNT_LIMIT)
    ranking = "date"
    if query.positive and sort != "date":
        limit_ranked = min(plan.rank_limit, RELEVANCE_LIMIT)
        ranked = exact_total and total <= limit_ranked
        ranking = "relevance" if ranked else "subject-then-date"
    if offset >= total:
        return HitPage(total, ranking, [], exact_total)
    if ranking == "subject-then-date":
        return HitPage(total, ranking, _tiers(conn, query, limit, offset), exact_total)
    score, exact = "0.0", "false"
    order = "d.date DESC NULLS LAST, d.rid DESC"
    if ranking == "relevance":
        # at most RELEVANCE_LIMIT matches: each one's tsv (and tsv_exact) read once
        score = f"ts_rank_cd({_RANK}, d.tsv, %(positive)s::tsquery, {RANK_NORMALIZATION})"
        order = "exact DESC, score DESC, d.rid DESC"
        params["positive"] = query.positive
        if query.exact:
            exact = "d.tsv_exact @@ %(exact)s::tsquery"
            params["exact"] = query.exact
    _walk_dates(conn, ranking == "date")
    rows = conn.execute(
        f"SELECT {_HIT_SELECT}, ({score})::float8 AS score, ({exact}) AS exact {source} "
        f"ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s",
        params,
    ).fetchall()
    return HitPage(total, ranking, hit_rows(rows), exact_total)


def _walk_dates(conn: psycopg.Connection[dict[str, Any]], walk: bool) -> None:
    """Whether the next statements (ordered by date, LIMITed) must walk the date index and
    stop when they have their rows: the planner underestimates how many documents hold
    several common words (196 estimated, 9,213 found) and would otherwise collect every
    match through the GIN index to sort them, reading each one's tsv (1 s at 1,000,000
    pages for `kinh te year:2020`)."""
    conn.execute(f"SET LOCAL enable_bitmapscan = {'off' if walk else 'on'}")


def _count(conn: psycopg.Connection[dict[str, Any]], query: _Query, cap: int) -> int:
    """The number of matches, counted up to cap + 1."""
    row = conn.execute(
        f"SELECT count(*) AS n FROM (SELECT 1 FROM documents AS d{query.clause()} "
        "LIMIT %(cap)s) AS m",
        {**query.params, "cap": cap + 1},
    ).fetchone()
    assert row is not None
    return int(row["n"])


def _tiers(
    conn: psycopg.Connection[dict[str, Any]], query: _Query, limit: int, offset: int
) -> list[HitRow]:
    """One page of a broad query's matches in the order: exact accents first; within each,
    the documents holding every word in their subject or meta text (`tsv_head`), by rank
    while at most RELEVANCE_LIMIT do (else newest first), then the rest newest first. The
    same order as one ORDER BY over every match, read a tier at a time and only as far as
    the page needs: ranking or testing each of 100,000s of matches costs seconds at
    1,000,000 pages.

    What costs is reading a document's `tsv` or `tsv_exact` out of TOAST (20-30 µs), so
    those tests are made last, on the rows in order, until the page is full: the head tier
    is matched and ranked on `tsv_head` alone (holding the words there implies holding them
    in `tsv`), then its rows are tested for the exclusions and exact accents in rank order
    (`OFFSET 0` keeps the planner from testing every row before sorting); the tiers in date
    order walk the date index and test each row as they go."""
    head = "d.tsv_head @@ %(positive)s::tsquery"
    ranked = f"ts_rank_cd({_RANK}, d.tsv_head, %(positive)s::tsquery, {RANK_NORMALIZATION})"
    late = ["NOT d.tsv @@ %(exclude)s::tsquery"] if query.exclude else []
    marked = "d.tsv_exact @@ %(exact)s::tsquery"
    sides = [(True, [marked]), (False, [f"NOT {marked}"])] if query.exact else [(False, [])]
    params = {**query.params, "positive": query.positive, "exact": query.exact}
    by_date = "ORDER BY d.date DESC NULLS LAST, d.rid DESC LIMIT %(n)s"
    source = "FROM documents AS d"
    head_query = _Query(where=[*query.filters, head], params=params)
    ranked_head = _count(conn, head_query, RELEVANCE_LIMIT) <= RELEVANCE_LIMIT
    if ranked_head:
        head_tier = (
            f"SELECT {_HIT_SELECT}, d.score FROM (SELECT {_HIT_SELECT}, d.tsv, d.tsv_exact, "
            f"{ranked}::float8 AS score FROM documents AS d WHERE {' AND '.join(head_query.where)} "
            "ORDER BY score DESC, d.date DESC NULLS LAST, d.rid DESC OFFSET 0) AS d "
            "WHERE {conditions} LIMIT %(n)s"
        )
    else:
        head_tier = (
            f"SELECT {_HIT_SELECT}, {ranked}::float8 AS score FROM documents AS d "
            f"WHERE {' AND '.join(head_query.where)} AND {{conditions}} {by_date}"
        )
    rows: list[dict[str, Any]] = []
    skip = offset
    for exact, marks in sides:
        text = query.where[len(query.filters) :]
        rest = " AND ".join([*query.filters, f"NOT {head}", *text, *marks])
        statements = [
            (head_tier.replace("{conditions}", " AND ".join(["true", *late, *marks])), ranked_head),
            (f"SELECT {_HIT_SELECT}, 0.0::float8 AS score {source} WHERE {rest} {by_date}", False),
        ]
        for sql, bitmap in statements:
            _walk_dates(conn, not bitmap)
            found = conn.execute(sql, {**params, "n": skip + limit - len(rows)}).fetchall()
            rows += [{**row, "exact": exact} for row in found[skip:]]
            skip = max(0, skip - len(found))
            if len(rows) >= limit:
                return hit_rows(rows)
    return hit_rows(rows)


@dataclass(frozen=True)
class _Write:
    """A document ready to write: its row, JSON, content hash and index columns."""

    record: Record
    images: dict[int, bytes]
    stored: str
    content: str
    vectors: Vectors

    @classmethod
    def of(cls, record: Record, images: dict[int, bytes]) -> _Write:
        stored = record_json(record)
        content = content_sha256(stored, record, images)
        return cls(record, images, stored, content, index_vectors(record))


_INSERT_DOCUMENT = (
    f"INSERT INTO documents({', '.join(DOC_COLUMNS)}, source_pages, content_sha256, "
    f"record_json, tsv, tsv_head, tsv_exact, tsv_pairs) VALUES "
    f"({', '.join(['%s'] * len(DOC_COLUMNS))}, %s, %s, %s, %s::tsvector, %s::tsvector, "
    "%s::tsvector, %s::tsvector)"
)


def _vector_values(vectors: Vectors) -> tuple[str, str, str, str]:
    return vectors.tsv, vectors.head, vectors.exact, vectors.pairs


def _write(conn: psycopg.Connection[dict[str, Any]], documents: Sequence[_Write]) -> int:
    """Write the documents not stored with the same content, replacing older versions;
    writers of the same document take turns on an advisory lock keyed by its id."""
    written: list[_Write] = []
    removed: list[list[str]] = []  # the words of the versions replaced
    for doc in sorted(documents, key=lambda d: d.record.id):  # one lock order for all writers
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (doc.record.id,))
        row = conn.execute(
            "SELECT content_sha256 FROM documents WHERE id = %s", (doc.record.id,)
        ).fetchone()
        if row is not None and row["content_sha256"] == doc.content:
            continue
        if row is not None:
            old = conn.execute(
                "DELETE FROM documents WHERE id = %s RETURNING tsvector_to_array(tsv) AS words",
                (doc.record.id,),
            ).fetchall()
            removed.extend(r["words"] for r in old)
        record = doc.record
        conn.execute(
            _INSERT_DOCUMENT,
            (
                *document_row(record),
                record.source.pages or 0,
                doc.content,
                doc.stored,
                *_vector_values(doc.vectors),
            ),
        )
        written.append(doc)
    with conn.cursor() as cursor:
        _copy_pages(cursor, written)
    _count_terms(conn, [_lexemes(doc.vectors.tsv) for doc in written], removed)
    return len(written)


def _copy(conn: psycopg.Connection[dict[str, Any]], documents: Sequence[_Write]) -> None:
    """COPY new documents, their pages and page images, and add their words to `terms`."""
    with conn.cursor() as cursor:
        columns = f"{', '.join(DOC_COLUMNS)}, source_pages, content_sha256, record_json"
        vectors = "tsv, tsv_head, tsv_exact, tsv_pairs"
        with cursor.copy(f"COPY documents({columns}, {vectors}) FROM STDIN") as copy:
            for doc in documents:
                copy.write_row(
                    (
                        *document_row(doc.record),
                        doc.record.source.pages or 0,
                        doc.content,
                        doc.stored,
                        *_vector_values(doc.vectors),
                    )
                )
        _copy_pages(cursor, documents)
    _count_terms(conn, [_lexemes(doc.vectors.tsv) for doc in documents])


def _copy_pages(cursor: psycopg.Cursor[dict[str, Any]], documents: Sequence[_Write]) -> None:
    with cursor.copy("COPY pages(doc_id, number, text, raw_text, confidence) FROM STDIN") as copy:
        for doc in documents:
            for page in doc.record.pages:
                copy.write_row(
                    (doc.record.id, page.number, page.text, page.raw_text, page.confidence)
                )
    with cursor.copy("COPY page_images(doc_id, number, media_type, data) FROM STDIN") as copy:
        for doc in documents:
            for number, data in sorted(doc.images.items()):
                copy.write_row((doc.record.id, number, image_media_type(data), data))


def _bulk_loading(conn: psycopg.Connection[dict[str, Any]]) -> bool:
    row = conn.execute("SELECT value FROM meta WHERE key = 'bulk_load'").fetchone()
    return row is not None


def _create_indexes(conn: psycopg.Connection[dict[str, Any]]) -> None:
    for name, spec in _INDEXES.items():
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def _use_index(conn: psycopg.Connection[dict[str, Any]], query: _Query) -> None:
    """Match through the GIN index, never by reading every row: the planner does not count
    what reading a tsvector out of TOAST costs, and picks a sequential scan when most
    documents match (476 ms against 31 ms for `dang vien` over 12,000 documents)."""
    if "match" in query.params or "pairs" in query.params:
        conn.execute("SET LOCAL enable_seqscan = off")


def _count_terms(
    conn: psycopg.Connection[dict[str, Any]],
    added: Sequence[Sequence[str]],
    removed: Sequence[Sequence[str]] = (),
) -> None:
    """Add the words of the documents written (each document's distinct words) to `terms`
    and move the document counts by those written and removed. A count at FREQUENCY_CAP
    is left alone (removals then no longer lower it: it means 'about the cap or more'), so
    the rows of common words are never locked; the others are locked in word order, and
    new words inserted in word order, so concurrent writers never deadlock."""
    delta: Counter[str] = Counter()
    for words in added:
        delta.update(words)
    for words in removed:
        delta.subtract(words)
    new = sorted(w for w, n in delta.items() if n > 0)
    inserted = {
        row["term"]
        for row in conn.execute(
            "INSERT INTO terms(term, docs) SELECT w, least(n, %s) "
            "FROM unnest(%s::text[], %s::int[]) AS u(w, n) ORDER BY w "
            "ON CONFLICT DO NOTHING RETURNING term",
            (FREQUENCY_CAP, new, [delta[w] for w in new]),
        )
    }
    changed = sorted(w for w, n in delta.items() if n and w not in inserted)
    if not changed:
        return
    conn.execute(
        "SELECT 1 FROM terms WHERE term = ANY(%s) AND docs < %s ORDER BY term FOR UPDATE",
        (changed, FREQUENCY_CAP),
    )
    conn.execute(
        "UPDATE terms SET docs = greatest(0, least(%s, docs + u.n)) "
        "FROM unnest(%s::text[], %s::int[]) AS u(w, n) WHERE term = u.w AND docs < %s",
        (FREQUENCY_CAP, changed, [delta[w] for w in changed], FREQUENCY_CAP),
    )


REINDEX_BATCH = 500  # documents read and rewritten a statement when the index is rebuilt


def _reindex(conn: psycopg.Connection[dict[str, Any]], *, everything: bool) -> None:
    """Compute every document's index columns again from its stored record and pages, a
    batch at a time, and count the terms afresh: all four columns (INDEX_VERSION changed),
    or `tsv_pairs` alone (the pg1 upgrade; rewriting the others would copy them into new
    TOAST for nothing)."""
    counts: Counter[str] = Counter()
    last, done = 0, 0
    while True:
        rows = conn.execute(
            "SELECT rid, id, record_json FROM documents WHERE rid > %s ORDER BY rid LIMIT %s",
            (last, REINDEX_BATCH),
        ).fetchall()
        if not rows:
            break
        texts: dict[str, dict[int, tuple[str, str]]] = {}
        for page in conn.execute(
            "SELECT doc_id, number, text, raw_text FROM pages WHERE doc_id = ANY(%s)",
            ([row["id"] for row in rows],),
        ):
            texts.setdefault(page["doc_id"], {})[page["number"]] = (page["text"], page["raw_text"])
        records = [with_page_texts(row["record_json"], texts.get(row["id"], {})) for row in rows]
        rids = [row["rid"] for row in rows]
        if everything:
            vectors = [index_vectors(record) for record in records]
            for v in vectors:
                counts.update(_lexemes(v.tsv))
            conn.execute(
                "UPDATE documents AS d SET tsv = u.tsv::tsvector, tsv_head = u.head::tsvector, "
                "tsv_exact = u.exact::tsvector, tsv_pairs = u.pairs::tsvector "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
                "AS u(rid, tsv, head, exact, pairs) WHERE d.rid = u.rid",
                (rids, *(list(c) for c in zip(*map(_vector_values, vectors), strict=True))),
            )
        else:
            folded = [_folded(record) for record in records]
            for columns in folded:
                counts.update({word for words in columns for word in words})
            conn.execute(
                "UPDATE documents AS d SET tsv_pairs = u.pairs::tsvector "
                "FROM unnest(%s::bigint[], %s::text[]) AS u(rid, pairs) WHERE d.rid = u.rid",
                (rids, [_pairs_vector(columns) for columns in folded]),
            )
        last, done = rids[-1], done + len(rows)
        if done % (REINDEX_BATCH * 40) == 0:
            log.info("index columns computed again for %d documents", done)
    conn.execute("UPDATE terms SET docs = 0 WHERE docs <> 0")
    words = sorted(counts)
    conn.execute(
        "INSERT INTO terms(term, docs) SELECT w, least(n, %s) "
        "FROM unnest(%s::text[], %s::int[]) AS u(w, n) "
        "ON CONFLICT (term) DO UPDATE SET docs = excluded.docs",
        (FREQUENCY_CAP, words, [counts[w] for w in words]),
    )
    if done:
        log.info("rebuilt the search index of %d documents", done)


def _upgrade_pg1(conn: psycopg.Connection[dict[str, Any]]) -> None:
    """Schema pg1 -> pg2: the `tsv_pairs` column computed for every document and the
    document counts of `terms`. Every row is rewritten, so the secondary indexes are
    dropped first and built again after (`_create_indexes`, in the same transaction):
    building a GIN index is several times faster than updating it row by row. Stop the
    writers of the old version first (they would fail on the new column)."""
    log.info("upgrading the store from schema pg1 to %s", SCHEMA_VERSION)
    conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for name in _INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.execute("ALTER TABLE documents ADD COLUMN tsv_pairs tsvector NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE documents ALTER COLUMN tsv_pairs DROP DEFAULT")
    conn.execute("ALTER TABLE terms ADD COLUMN docs integer NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE terms ALTER COLUMN docs DROP DEFAULT")
    _reindex(conn, everything=False)
    conn.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (SCHEMA_VERSION,))


def _load(conn: psycopg.Connection[dict[str, Any]], doc_id: str, stored: str) -> Record:
    """The stored record with its page texts put back from `pages`."""
    rows = conn.execute(
        "SELECT number, text, raw_text FROM pages WHERE doc_id = %s", (doc_id,)
    ).fetchall()
    return with_page_texts(stored, {r["number"]: (r["text"], r["raw_text"]) for r in rows})


def content_sha256(stored: str, record: Record, page_images: dict[int, bytes]) -> str:
    """What makes two writes of a document the same: its stored JSON, its page texts and
    confidences, and its page images."""
    digest = hashlib.sha256(stored.encode())
    for page in record.pages:
        digest.update(f"\0{page.number}\0{page.text}\0{page.raw_text}\0{page.confidence}".encode())
    for number, data in sorted(page_images.items()):
        digest.update(f"\0image {number}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"
