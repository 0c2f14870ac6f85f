"""Analysts' search over an archive: query parsing, the plan, snippets, facets, fuzzy fallback.

Everything here is the same for every backend: a query is parsed into terms and filters,
run as a `Plan` through the store's `SearchIndex` (storage.sqlite: FTS5; storage.postgres:
tsvector), and the hits get their snippets here, from the page texts. Query text never
reaches a database raw: each backend quotes every token.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from pipeline.storage.protocol import FacetCount, Filters, Plan, SearchIndex, Term, Terms
from pipeline.storage.text import canonical_tones, fold, fold_d, has_marks, index_columns, tokens
from pipeline.text.confusions import confusions

__all__ = [
    "Filters",
    "Term",
    "canonical_tones",
    "fold",
    "fold_d",
    "has_marks",
    "index_columns",
    "tokens",
]

log = logging.getLogger(__name__)

# --- query parsing -----------------------------------------------------------------------

MAX_QUERY_CHARS = 500
MAX_TOKENS = 32
MAX_LIMIT = 100
MAX_PAGE = 1000

# Field names accepted in a query, English and Vietnamese (compared after folding).
FIELDS = {
    "type": "type",
    "loai": "type",
    "issuer": "issuer",
    "coquan": "issuer",
    "year": "year",
    "nam": "year",
    "place": "place",
    "noi": "place",
    "symbol": "symbol",
    "kyhieu": "symbol",
    "draft": "draft",
    "duthao": "draft",
    "from": "date_from",
    "tu": "date_from",
    "to": "date_to",
    "den": "date_to",
}
_FIELD = re.compile(r"([^\W\d_]+):(?=\S)")
_WORD_CHUNK = re.compile(r'[^\s"]+')
_VALUE = re.compile(r"\S+")
_YEARS = re.compile(r"^(\d{4})(?:\s*[-–]\s*(\d{4}))?$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_YES = {"yes", "y", "true", "1", "co", "c"}
_NO = {"no", "n", "false", "0", "khong", "k"}


@dataclass(frozen=True)
class ParsedQuery(Terms):
    terms: tuple[Term, ...]
    filters: Filters
    notes: tuple[str, ...] = ()
    error: str | None = None


def make_filters(
    *,
    type: str | None = None,
    issuer: str | None = None,
    place: str | None = None,
    symbol: str | None = None,
    year: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    draft: str | None = None,
) -> Filters:
    """Filters from user-given strings (CLI options, API parameters).

    Raises ValueError with a message fit for the user when a value cannot be read.
    """
    values: dict[str, Any] = {}
    given = {
        "type": type,
        "issuer": issuer,
        "place": place,
        "symbol": symbol,
        "year": year,
        "date_from": date_from,
        "date_to": date_to,
        "draft": draft,
    }
    for key, value in given.items():
        if value is not None and value.strip():
            error = _set_filter(values, key, value.strip())
            if error:
                raise ValueError(error)
    return Filters(**values)


def _real_date(value: str) -> bool:
    """A `YYYY`, `YYYY-MM` or `YYYY-MM-DD` bound names a real month and day (not 2023-13)."""
    year, month, day = [*value.split("-"), "01", "01"][:3]
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _set_filter(values: dict[str, Any], key: str, value: str) -> str | None:
    """Put one parsed filter value into `values`; return a message when it is unreadable."""
    if key == "year":
        match = _YEARS.match(value)
        if not match:
            return f"năm không hợp lệ: {value!r} (ví dụ 2023 hoặc 2020-2023)"
        low = int(match.group(1))
        high = int(match.group(2) or low)
        values["year_from"], values["year_to"] = min(low, high), max(low, high)
    elif key in ("date_from", "date_to"):
        if not _DATE.match(value) or not _real_date(value):
            return f"ngày không hợp lệ: {value!r} (dạng YYYY, YYYY-MM hoặc YYYY-MM-DD)"
        values[key] = value
    elif key == "draft":
        folded = fold(value)
        if folded not in _YES | _NO:
            return f"draft nhận yes hoặc no, không nhận {value!r}"
        values["draft"] = folded in _YES
    else:
        folded = " ".join(fold(value).split())
        if not folded:
            return f"giá trị trống cho {key}"
        values[key] = folded
    return None


def parse_query(text: str) -> ParsedQuery:
    """Read a query: words, "phrases", -exclusions and field:value filters.

    Never raises: anything that is not syntax is read as plain words, and what cannot be used
    is reported in `notes` (or `error`, for queries too long to run).
    """
    if len(text) > MAX_QUERY_CHARS:
        error = f"truy vấn quá dài (tối đa {MAX_QUERY_CHARS} ký tự)"
        return ParsedQuery((), Filters(), error=error)
    terms: list[Term] = []
    values: dict[str, Any] = {}
    notes: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        if text[pos].isspace():
            pos += 1
            continue
        negate = text[pos] == "-"
        if negate:
            pos += 1
            if pos >= end or text[pos].isspace():
                continue
        if text[pos] == '"':
            value, pos = _quoted(text, pos)
            _add_term(terms, value, negate)
            continue
        field_match = _FIELD.match(text, pos)
        key = FIELDS.get(fold(field_match.group(1))) if field_match else None
        if field_match and key:
            pos = field_match.end()
            if text[pos] == '"':
                value, pos = _quoted(text, pos)
            else:
                value_match = _VALUE.match(text, pos)
                assert value_match is not None  # the field pattern saw a non-space here
                value, pos = value_match.group(), value_match.end()
            if negate:
                notes.append(f"bỏ qua -{field_match.group(1)}: không hỗ trợ loại trừ theo trường")
            elif value.strip():
                problem = _set_filter(values, key, value.strip())
                if problem:
                    notes.append(f"bỏ qua {field_match.group(1)}: {problem}")
            continue
        chunk = _WORD_CHUNK.match(text, pos)
        assert chunk is not None  # not a space and not a quote, so at least one character
        pos = chunk.end()
        _add_term(terms, chunk.group(), negate)
    if sum(len(t.words) for t in terms) > MAX_TOKENS:
        return ParsedQuery((), Filters(), error=f"truy vấn có quá nhiều từ (tối đa {MAX_TOKENS})")
    return ParsedQuery(tuple(terms), Filters(**values), tuple(notes))


def _quoted(text: str, pos: int) -> tuple[str, int]:
    """The text between a quote at `pos` and the next one (or the end, when unbalanced)."""
    close = text.find('"', pos + 1)
    if close < 0:
        return text[pos + 1 :], len(text)
    return text[pos + 1 : close], close + 1


def _add_term(terms: list[Term], value: str, negate: bool) -> None:
    """Add a term from typed text: several tokens, quoted or in one chunk (196-BC/ĐUK), form
    a phrase; text without letters or digits (`*`, `(`) adds nothing."""
    words = tuple(unicodedata.normalize("NFC", w) for w in tokens(value))
    if words:
        terms.append(Term(words, phrase=len(words) > 1, negate=negate))


# --- running a search ----------------------------------------------------------------------

SNIPPET_CHARS = 240
RANK_LIMIT = 5000  # relevance costs ~2 µs a document (SQLite BM25): rank at most this many
FACET_SIZE = 20
FACETS = ("type", "issuer", "year", "place")
SORTS = ("relevance", "date")
FUZZY_MIN_CHARS = 3
FUZZY_VARIANTS = 4
# OCR confusions longer than one character (one-character ones are plain edits).
_OCR_CONFUSIONS = confusions("letter-pairs")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _letter_variants() -> dict[str, str]:
    """For each base letter, a regex class of every letter that folds to it (a → [aàá…ặ])."""
    variants: dict[str, set[str]] = {}
    for code in range(0x41, 0x1F00):
        char = chr(code)
        base = fold(char)
        if len(base) == 1 and base.isalpha() and base.isascii():
            variants.setdefault(base, set()).update({char, char.lower(), char.upper()})
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in variants.items()}


_LETTER_VARIANTS = _letter_variants()


@lru_cache(maxsize=256)
def _words_regex(words: frozenset[str]) -> re.Pattern[str]:
    """A regex finding the folded `words` in original (NFC, accented, any case) text."""
    alternatives = [
        "".join(_LETTER_VARIANTS.get(ch, re.escape(ch)) for ch in word)
        for word in sorted(words, key=len, reverse=True)
    ]
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})(?![^\W_])")


_BLANKS = str.maketrans("\n\r\t\f\v", "     ")


@dataclass
class Snippet:
    """A passage of the original (accented) text and the offsets of matched words in it."""

    text: str
    highlights: list[tuple[int, int]]
    page: int | None = None


@dataclass
class Hit:
    id: str
    score: float  # higher is better (negated BM25); 0 without query words
    exact: bool  # matched the words typed with tone marks exactly
    doc_type: str | None
    type_code: str | None
    doc_number: str | None
    subject: str | None
    subject_highlights: list[tuple[int, int]]
    issuer: str | None
    place: str | None
    date: str | None
    draft: str | None
    n_pages: int
    snippet: Snippet


@dataclass
class FacetValue:
    value: str  # what to filter on
    label: str  # what to show
    count: int


@dataclass
class SearchResult:
    """One page of hits, and what the user should know about how they were found."""

    query: str
    total: int = 0
    total_exact: bool = True  # False: more than `total` documents match (counted this far)
    page: int = 1
    limit: int = 10
    sort: str = "relevance"
    # How hits were ordered: "relevance" (BM25), "date", or "subject-then-date" when too many
    # documents match to score them all (RANK_LIMIT): those holding every word in their
    # subject, number or issuer first (by BM25), then the others by date.
    ranking: str = "relevance"
    hits: list[Hit] = field(default_factory=list)
    fuzzy: bool = False  # found only by the approximate fallback
    corrections: dict[str, list[str]] = field(default_factory=dict)  # word -> variants tried
    facets: dict[str, list[FacetValue]] | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the query was not run; the message says why
    pages: int = 0  # number of result pages
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def search(
    store: SearchIndex,
    query: str,
    *,
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int = 10,
    page: int = 1,
    facets: bool = False,
) -> SearchResult:
    """Run a query against the store. Never raises on query text: problems come back in
    `error` (query not run) or `notes` (parts ignored)."""
    started = time.perf_counter()
    result = SearchResult(
        query=query,
        page=min(max(page, 1), MAX_PAGE),
        limit=min(max(limit, 1), MAX_LIMIT),
        sort=sort if sort in SORTS else "relevance",
    )
    if sort not in SORTS:
        result.notes.append(f"sắp xếp {sort!r} không hợp lệ; dùng mức độ liên quan")
    parsed = parse_query(query)
    result.notes.extend(parsed.notes)
    if parsed.error:
        result.error = parsed.error
        return _finish(result, started)
    merged = parsed.filters.merged(filters) if filters else parsed.filters
    if query.strip() and not parsed.terms and parsed.filters == Filters() and not parsed.notes:
        result.notes.append("truy vấn không có từ nào để tìm; hiển thị mọi văn bản")
    plan = Plan(
        terms=parsed.terms,
        filters=merged,
        words=frozenset(fold(w) for t in parsed.positive for w in t.words),
        rank_limit=RANK_LIMIT,
    )
    _run(store, plan, result)
    if result.total == 0 and parsed.positive:
        corrections = _corrections(store, parsed.positive)
        if corrections:
            fuzzy_plan = Plan(
                terms=parsed.terms,
                filters=merged,
                words=plan.words.union(*corrections.values()),
                rank_limit=RANK_LIMIT,
                corrections=corrections,
            )
            _run(store, fuzzy_plan, result)
            if result.total:
                plan = fuzzy_plan
                result.fuzzy = True
                result.corrections = corrections
    if result.ranking == "subject-then-date":
        more = "" if result.total_exact else "hơn "
        result.notes.append(
            f"{more}{result.total} văn bản khớp, quá nhiều để xếp hạng hết: văn bản có đủ từ khóa "
            "trong trích yếu, số hiệu hoặc cơ quan ban hành đứng trước, còn lại theo ngày "
            "mới nhất; thêm từ khóa hoặc bộ lọc để xếp theo mức độ liên quan"
        )
    if facets:
        result.facets = _facets(store, plan)
        if not result.total_exact:
            result.notes.append(f"số đếm theo nhóm tính trên {result.total} văn bản khớp đầu")
    return _finish(result, started)


def _finish(result: SearchResult, started: float) -> SearchResult:
    result.pages = -(-result.total // result.limit)
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    log.debug("query %r: %d hits in %.1f ms", result.query, result.total, result.elapsed_ms)
    return result


def _run(store: SearchIndex, plan: Plan, result: SearchResult) -> None:
    """One page of hits with their snippets, and the number of matching documents."""
    found = store.run_plan(plan, result.sort, result.limit, (result.page - 1) * result.limit)
    result.total = found.total
    result.total_exact = found.total_exact
    result.ranking = found.ranking
    snippets = _snippets(store, [row.id for row in found.rows], plan.words)
    result.hits = [
        Hit(
            id=row.id,
            score=row.score,
            exact=row.exact,
            doc_type=row.doc_type,
            type_code=row.type_code,
            doc_number=row.doc_number,
            subject=row.subject,
            subject_highlights=highlights(row.subject or "", plan.words),
            issuer=row.issuer,
            place=row.place,
            date=row.date,
            draft=row.draft,
            n_pages=row.n_pages,
            snippet=snippets.get(row.id, Snippet("", [])),
        )
        for row in found.rows
    ]


def _facets(store: SearchIndex, plan: Plan) -> dict[str, list[FacetValue]]:
    """The FACET_SIZE most frequent values of each facet among the matching documents."""
    return facet_values(store.facet_counts(plan))


def facet_values(rows: Sequence[FacetCount]) -> dict[str, list[FacetValue]]:
    """Facet counts merged by value (a type by its code, else its name) and ordered: years
    newest first, the others by count."""
    tallies: dict[str, dict[str, list[Any]]] = {name: {} for name in FACETS}
    for row in rows:
        value = row.value if row.value is not None else row.label
        if value is None:
            continue
        label = row.label if row.facet == "type" and row.label is not None else value
        entry = tallies[row.facet].setdefault(str(value), [str(label), 0])
        entry[1] += row.count
    counts: dict[str, list[FacetValue]] = {
        name: [FacetValue(value, label, n) for value, (label, n) in entries.items()]
        for name, entries in tallies.items()
    }
    for name, values in counts.items():
        if name == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label))
        del values[FACET_SIZE:]
    return counts


# --- snippets --------------------------------------------------------------------------------


def highlights(text: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """Offsets in `text` of the words whose folded form is one of `words`."""
    if not words or not text:
        return []
    return [m.span() for m in _words_regex(words).finditer(text)]


def make_snippet(text: str, words: frozenset[str], size: int = SNIPPET_CHARS) -> Snippet:
    """The passage of about `size` characters holding the most distinct query words."""
    return _snippet(text, highlights(text, words), size)


def _snippet(text: str, spans: list[tuple[int, int]], size: int = SNIPPET_CHARS) -> Snippet:
    if not spans:
        start, end = 0, _cut(text, size)
    else:
        start = _best_window(text, spans, size)
        start = _word_start(text, max(0, start - size // 5))
        end = start + _cut(text[start:], size)
    passage = text[start:end].translate(_BLANKS)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    marks = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return Snippet(prefix + passage + suffix, marks)


@lru_cache(maxsize=8192)
def _fold_word(word: str) -> str:
    return fold(word)


def _distinct(text: str, spans: list[tuple[int, int]]) -> int:
    return len({_fold_word(text[s:e]) for s, e in spans})


def _best_window(text: str, spans: list[tuple[int, int]], size: int) -> int:
    """Start offset of the hit that opens the window with the most distinct words."""
    words = [_fold_word(text[s:e]) for s, e in spans]
    best_start, best_key = spans[0][0], (0, 0)
    right = 0
    for left, (start, _) in enumerate(spans):
        right = max(right, left)
        while right + 1 < len(spans) and spans[right + 1][1] - start <= size * 3 // 4:
            right += 1
        key = (len(set(words[left : right + 1])), right - left + 1)
        if key > best_key:
            best_start, best_key = start, key
    return best_start


def _word_start(text: str, pos: int) -> int:
    """`pos` moved forward to the start of a word (not inside one)."""
    if pos == 0:
        return 0
    while pos < len(text) and not text[pos - 1].isspace():
        pos += 1
    return pos if pos < len(text) else 0


def _cut(text: str, size: int) -> int:
    """Length of the prefix of `text` of at most `size` characters ending between words."""
    if len(text) <= size:
        return len(text)
    space = text.rfind(" ", size // 2, size)
    return space if space > 0 else size


def _snippets(store: SearchIndex, ids: Sequence[str], words: frozenset[str]) -> dict[str, Snippet]:
    """The best snippet of each document, from the page with the most distinct words."""
    if not ids:
        return {}
    best: dict[str, tuple[tuple[int, int], int, str, list[tuple[int, int]]]] = {}
    for page in sorted(store.page_texts(ids), key=lambda p: (p.doc_id, p.number)):
        spans = highlights(page.text, words)
        key = (_distinct(page.text, spans), len(spans))
        current = best.get(page.doc_id)
        if current is None or key > current[0]:
            best[page.doc_id] = (key, page.number, page.text, spans)
    snippets: dict[str, Snippet] = {}
    for doc_id, (_, number, text, spans) in best.items():
        snippet = _snippet(text, spans)
        snippet.page = number
        snippets[doc_id] = snippet
    return snippets


# --- fuzzy fallback --------------------------------------------------------------------------


def edit_variants(word: str) -> dict[str, int]:
    """Folded words one edit away from `word`, with a cost: 0 for what OCR does most (one
    character misread, or a multi-character confusion such as rn↔m), 1 for a character
    dropped, added or swapped with its neighbour."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants = dict.fromkeys((a + b[1:] for a, b in splits if b), 1)
    variants.update(dict.fromkeys((a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1), 1))
    variants.update(dict.fromkeys((a + c + b for a, b in splits for c in _ALPHABET), 1))
    variants.update(dict.fromkeys((a + c + b[1:] for a, b in splits if b for c in _ALPHABET), 0))
    for left, right in _OCR_CONFUSIONS:
        for old, new in ((left, right), (right, left)):
            start = word.find(old)
            while start >= 0:
                variants[word[:start] + new + word[start + len(old) :]] = 0
                start = word.find(old, start + 1)
    variants.pop(word, None)
    variants.pop("", None)
    return variants


def _corrections(store: SearchIndex, positive: Sequence[Term]) -> dict[str, list[str]]:
    """Indexed variants of the query words: of the words absent from the index, or of every
    word when each is present but never all together; cheapest edit first, then the most
    frequent. Short words are left alone."""
    words = sorted({fold(w) for t in positive for w in t.words})
    long_words = [w for w in words if len(w) >= FUZZY_MIN_CHARS]
    present = store.term_frequencies(long_words)
    absent = [w for w in long_words if w not in present]
    corrections: dict[str, list[str]] = {}
    for word in absent or long_words:
        costs = edit_variants(word)
        frequencies = store.term_frequencies(sorted(costs))
        known = sorted(frequencies, key=lambda v: (costs[v], -frequencies[v], v))
        if known:
            corrections[word] = known[:FUZZY_VARIANTS]
    return corrections
