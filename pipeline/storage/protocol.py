"""The storage seam: what the rest of sohoa asks of an archive, whatever database holds it.

`DocumentStore` keeps records, page texts and page images; `SearchIndex` answers a search
`Plan` (parsed terms, filters, fuzzy corrections) with counts, one page of hit rows, facet
counts and page texts for snippets. Both backends (`storage.sqlite`, `storage.postgres`) are
one object implementing both, the `Store`; `pipeline.storage.open_store` picks one from the
database name. Query parsing, snippets and the fuzzy fallback live above the seam, in
`storage.search`, so every backend inherits them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import TracebackType
from typing import Protocol

from pipeline.record import Record


@dataclass(frozen=True)
class Term:
    """Words that must (or, negated, must not) occur; a phrase keeps them adjacent."""

    words: tuple[str, ...]
    phrase: bool = False
    negate: bool = False


class Terms:
    """The positive and the negated terms of a query (`terms`, set by the dataclass)."""

    terms: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negate)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negate)


@dataclass(frozen=True)
class Filters:
    """Field filters; None means "any". Text values are folded (`text.fold`)."""

    type: str | None = None
    issuer: str | None = None
    place: str | None = None
    symbol: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    draft: bool | None = None

    def merged(self, other: Filters) -> Filters:
        """These filters with every value set in `other` taking precedence."""
        updates = {k: v for k, v in asdict(other).items() if v is not None}
        return replace(self, **updates)


@dataclass(frozen=True)
class Plan(Terms):
    """A parsed query as a backend runs it.

    Without `corrections`, the positive terms are required as typed (folded), the negated
    ones excluded, and the positive words typed with marks decide `HitRow.exact`. With
    `corrections` (the fuzzy fallback), each corrected folded word may be replaced by any of
    its variants, a phrase holding one is loosened to its words, and nothing is exact.
    Ranking: relevance over every match while at most `rank_limit` documents match; beyond
    that, documents holding every word in their subject or meta text first, then by date.
    """

    terms: tuple[Term, ...]
    filters: Filters
    words: frozenset[str]  # folded words to highlight
    rank_limit: int
    corrections: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class HitRow:
    """One matching document's display columns, as the index returns them."""

    id: str
    doc_type: str | None
    type_code: str | None
    doc_number: str | None
    subject: str | None
    issuer: str | None
    place: str | None
    date: str | None
    draft: str | None
    n_pages: int
    score: float  # higher is better; 0 when not ranked by relevance
    exact: bool  # holds the words typed with marks, accents and all


@dataclass(frozen=True)
class HitPage:
    """The number of matching documents and one page of them, in rank order."""

    total: int
    ranking: str  # "relevance", "date" or "subject-then-date" (see Plan)
    rows: list[HitRow]
    # False when the backend counted only this far: more than `total` documents match, and
    # facets count the first `total` of them (PostgreSQL, see postgres.COUNT_LIMIT)
    total_exact: bool = True


@dataclass(frozen=True)
class FacetCount:
    """Matching documents with one facet value (`label`: what to show, when it differs)."""

    facet: str  # "type", "issuer", "year" or "place"
    value: str | None
    label: str | None
    count: int


@dataclass(frozen=True)
class PageText:
    doc_id: str
    number: int
    text: str


class DocumentStore(Protocol):
    """Records, their page texts and page images, keyed by the record id (a content hash).

    Adding a document whose id is stored replaces it (re-ingest with --force); adding the
    same record twice leaves one copy. A complete document is one stored with as many pages
    as its source has.
    """

    readonly: bool

    def add_document(self, record: Record, page_images: dict[int, bytes]) -> None: ...

    def delete_document(self, doc_id: str) -> bool: ...

    def has_document(self, sha256: str) -> bool: ...

    def get_record(self, doc_id: str) -> Record | None: ...

    def record_json_chunks(self, doc_id: str, batch: int = 50) -> Iterator[bytes] | None: ...

    def find_ids(self, prefix: str, limit: int = 2) -> list[str]: ...

    def page_image(self, doc_id: str, page: int) -> bytes | None: ...

    def page_image_numbers(self, doc_id: str) -> list[int]: ...

    def iter_records(self) -> Iterator[Record]: ...

    def count_documents(self) -> int: ...

    def count_pages(self) -> int: ...

    def optimize(self) -> None:
        """Tidy up after a bulk load (planner statistics, write-ahead log)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class SearchIndex(Protocol):
    """Full-text matching, ranking, filters and facets over the stored documents."""

    def run_plan(self, plan: Plan, sort: str, limit: int, offset: int) -> HitPage:
        """Count the documents matching `plan` and return one page of them; `sort` is
        "relevance" or "date" (newest first)."""
        ...

    def facet_counts(self, plan: Plan) -> list[FacetCount]:
        """Counts of the matching documents by type, issuer, year and place."""
        ...

    def page_texts(self, ids: Sequence[str]) -> list[PageText]:
        """The restored text of every page of these documents (for snippets)."""
        ...

    def term_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """Document frequency of each of `words` found in the accent-free index (folded
        words; for the fuzzy fallback)."""
        ...


class Store(DocumentStore, SearchIndex, Protocol):
    """An archive: a document store that is its own search index (every backend)."""
