"""Analysts' search over the store: text folding, query parsing, ranking, snippets, facets.

Typing without tone marks must find accented text, so the main full-text index holds text
folded the way FTS5 cannot do alone (`đ`→`d`; `unicode61 remove_diacritics 2` strips the
rest). A second, accent-exact index lets a query typed with tone marks rank exact matches
first. Query text never reaches FTS5 raw: every token is quoted by `match_expression`.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.record import Record

if TYPE_CHECKING:
    from pipeline.store import Store

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W_]+")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below

# Bump when the functions below change what is indexed: the store then rebuilds its index.
INDEX_VERSION = "1"


def fold_d(text: str) -> str:
    """NFC text with đ/Đ folded to d/D: what goes into the accent-free index."""
    return unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case text with every Vietnamese mark removed, for comparing in Python."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _old_tone_pairs() -> dict[str, str]:
    """Old-style tone placement in open syllables (òa, òe, ùy) → new style (oà, oè, uỳ)."""
    pairs: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for vowel in (first, first.upper()):
            for tone in _TONES:
                toned = unicodedata.normalize("NFC", vowel + tone)
                for second in seconds + seconds.upper():
                    pairs[toned + second] = vowel + unicodedata.normalize("NFC", second + tone)
    return pairs


_OLD_TONE_PAIRS = _old_tone_pairs()
_OLD_TONE = re.compile(
    f"[{''.join(sorted({pair[0] for pair in _OLD_TONE_PAIRS}))}][aeyAEY](?![^\\W_])"
)


def canonical_tones(text: str) -> str:
    """NFC text with one tone placement (hoà, not hòa; thuỷ, not thủy), so that both
    spellings meet in the accent-exact index."""
    nfc = unicodedata.normalize("NFC", text)
    return _OLD_TONE.sub(lambda m: _OLD_TONE_PAIRS.get(m.group(), m.group()), nfc)


def tokens(text: str) -> list[str]:
    """Word tokens the way FTS5's unicode61 tokenizer splits them (letters and digits)."""
    return _TOKEN.findall(text)


def has_marks(word: str) -> bool:
    """True when a word carries a tone mark, a vowel mark or đ."""
    return fold(word) != word.casefold()


def index_columns(record: Record) -> tuple[str, str, str]:
    """The (subject, meta, body) texts indexed for a record, before folding.

    The subject column carries the document type too, so "bao cao so ket" weighs on it; meta
    carries number, issuer lines, place and signer, searchable without a field prefix.
    """
    subject = " ".join(part for part in (record.doc_type, record.subject) if part)
    meta_parts = [record.doc_number, *record.issuer, record.place, record.signer.name]
    meta = "\n".join(part for part in meta_parts if part)
    body = record.text or "\n".join(page.text for page in record.pages)
    return subject, meta, body


# --- query parsing -----------------------------------------------------------------------

MAX_QUERY_CHARS = 500
MAX_TOKENS = 32
MAX_LIMIT = 100
MAX_PAGE = 1000
SUBJECT_WEIGHT, META_WEIGHT, BODY_WEIGHT = 8.0, 2.0, 1.0

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
class Term:
    """Words that must (or, negated, must not) occur; a phrase keeps them adjacent."""

    words: tuple[str, ...]
    phrase: bool = False
    negate: bool = False


@dataclass(frozen=True)
class Filters:
    """Field filters; None means "any"."""

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
class ParsedQuery:
    terms: tuple[Term, ...]
    filters: Filters
    notes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negate)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negate)


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


# --- running a search ----------------------------------------------------------------------

SNIPPET_CHARS = 240
RANK_LIMIT = 5000  # BM25 costs ~2 µs a document: score at most this many per query
FACET_SIZE = 20
FACETS = ("type", "issuer", "year", "place")
SORTS = ("relevance", "date")
FUZZY_MIN_CHARS = 3
FUZZY_VARIANTS = 4
# OCR confusions longer than one character (one-character ones are plain edits).
_OCR_CONFUSIONS = (("rn", "m"), ("cl", "d"), ("li", "h"), ("vv", "w"), ("ii", "u"), ("in", "m"))
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


@dataclass(frozen=True)
class _Plan:
    match: str | None  # accent-free MATCH expression, None to list by filters alone
    positive: str | None  # its required part, for the subject/meta tier of broad queries
    exact: str | None  # accent-exact MATCH expression for ranking
    exclude: str | None  # exclusions (already inside `match` when there is one)
    filters: Filters
    words: frozenset[str]  # folded words to highlight


def search(
    store: Store,
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
    plan = _Plan(
        match=match_expression(parsed.terms),
        positive=positive_expression(parsed.terms),
        exact=exact_expression(parsed.terms),
        exclude=exclusion_expression(parsed.terms),
        filters=merged,
        words=frozenset(fold(w) for t in parsed.positive for w in t.words),
    )
    _run(store, plan, result)
    if result.total == 0 and plan.match:
        corrections = _corrections(store, parsed.positive)
        if corrections:
            positive = _fuzzy_expression(parsed, corrections)
            fuzzy_plan = replace(
                plan,
                match=_combine(positive, plan.exclude),
                positive=positive,
                exact=None,
                words=plan.words.union(*corrections.values()),
            )
            _run(store, fuzzy_plan, result)
            if result.total:
                plan = fuzzy_plan
                result.fuzzy = True
                result.corrections = corrections
    if result.ranking == "subject-then-date":
        result.notes.append(
            f"{result.total} văn bản khớp, quá nhiều để xếp hạng hết: văn bản có đủ từ khóa "
            "trong trích yếu, số hiệu hoặc cơ quan ban hành đứng trước, còn lại theo ngày "
            "mới nhất; thêm từ khóa hoặc bộ lọc để xếp theo mức độ liên quan"
        )
    if facets:
        result.facets = _facets(store, plan)
    return _finish(result, started)


def _finish(result: SearchResult, started: float) -> SearchResult:
    result.pages = -(-result.total // result.limit)
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    log.debug("query %r: %d hits in %.1f ms", result.query, result.total, result.elapsed_ms)
    return result


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
    """SQL conditions on the folded key columns of `documents` (see pipeline.store)."""
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


def _ranking(store: Store, plan: _Plan, sort: str) -> str:
    """BM25 over every match while at most RANK_LIMIT documents match (counted only that
    far); beyond, the subject/meta tier by BM25 and then the rest by date."""
    if not plan.match or sort == "date":
        return "none"
    sql = _select(plan, "none")
    # Not the MATERIALIZED m of `sql.with_`: that would match everything before the LIMIT.
    matches = "(SELECT rowid AS rid FROM fts WHERE fts MATCH :match) AS m"
    source = sql.source.replace("FROM m ", f"FROM {matches} ", 1)
    capped = store.query(
        f"SELECT count(*) AS n FROM (SELECT 1 {source}{sql.where} LIMIT :cap)",
        {**sql.params, "cap": RANK_LIMIT + 1},
    )
    return "bm25" if int(capped[0]["n"]) <= RANK_LIMIT else "head"


# NULL dates sort last in DESC order; "none" follows the documents_date index.
_ORDER = {
    "none": "d.date DESC, d.rid DESC",
    "bm25": "exact DESC, score DESC, d.rid DESC",
    "head": "exact DESC, score DESC, d.date DESC, d.rid DESC",
}


def _run(store: Store, plan: _Plan, result: SearchResult) -> None:
    """One statement: the FTS matches once (WITH m), their count, and one page of hits."""
    ranking = _ranking(store, plan, result.sort)
    sql = _select(plan, ranking)
    params = {**sql.params, "limit": result.limit, "offset": (result.page - 1) * result.limit}
    if sql.with_ and not sql.where:
        count = "SELECT count(*) AS n FROM m"
    else:
        count = f"SELECT count(*) AS n {sql.source}{sql.where}"
    rows = store.query(
        f"{sql.with_}SELECT d.id, d.doc_type, d.type_code, d.doc_number, d.subject, d.issuer, "
        f"d.place, d.date, d.draft, d.n_pages, {sql.score} AS score, {sql.exact} AS exact, "
        f"({count}) AS total {sql.source}{sql.head}{sql.where} "
        f"ORDER BY {_ORDER[ranking]} LIMIT :limit OFFSET :offset",
        params,
    )
    if rows:
        result.total = int(rows[0]["total"])
    else:
        result.total = int(store.query(f"{sql.with_}{count}", params)[0]["n"])
    result.ranking = {"none": "date", "bm25": "relevance", "head": "subject-then-date"}[ranking]
    snippets = _snippets(store, [row["id"] for row in rows], plan.words)
    result.hits = [
        Hit(
            id=row["id"],
            score=float(row["score"]),
            exact=bool(row["exact"]),
            doc_type=row["doc_type"],
            type_code=row["type_code"],
            doc_number=row["doc_number"],
            subject=row["subject"],
            subject_highlights=highlights(row["subject"] or "", plan.words),
            issuer=row["issuer"],
            place=row["place"],
            date=row["date"],
            draft=row["draft"],
            n_pages=int(row["n_pages"]),
            snippet=snippets.get(row["id"], Snippet("", [])),
        )
        for row in rows
    ]


def _facets(store: Store, plan: _Plan) -> dict[str, list[FacetValue]]:
    """Counts of the matching documents by type, issuer, year and place."""
    sql = _select(plan, "none")
    if sql.source == "FROM documents AS d" and not sql.where:
        table, prefix = "documents", ""  # everything: counted along the covering indexes
    else:
        table = "hits"
        columns = "d.type_code, d.doc_type, d.issuer, d.year, d.place"
        hits = f"hits AS MATERIALIZED (SELECT {columns} {sql.source}{sql.where}) "
        prefix = f"{sql.with_}, {hits}" if sql.with_ else f"WITH {hits}"
    rows = store.query(
        f"{prefix}SELECT 'type' AS facet, type_code AS a, doc_type AS b, count(*) AS n "
        f"FROM {table} GROUP BY type_code, doc_type "
        f"UNION ALL SELECT 'issuer', issuer, NULL, count(*) FROM {table} GROUP BY issuer "
        f"UNION ALL SELECT 'year', year, NULL, count(*) FROM {table} GROUP BY year "
        f"UNION ALL SELECT 'place', place, NULL, count(*) FROM {table} GROUP BY place",
        sql.params,
    )
    tallies: dict[str, dict[str, list[Any]]] = {name: {} for name in FACETS}
    for row in rows:
        value = row["a"] if row["a"] is not None else row["b"]
        if value is None:
            continue
        label = row["b"] if row["facet"] == "type" and row["b"] is not None else value
        entry = tallies[row["facet"]].setdefault(str(value), [str(label), 0])
        entry[1] += int(row["n"])
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


def _snippets(store: Store, ids: Sequence[str], words: frozenset[str]) -> dict[str, Snippet]:
    """The best snippet of each document, from the page with the most distinct words."""
    if not ids:
        return {}
    rows = store.query(
        f"SELECT doc_id, number, text FROM pages WHERE doc_id IN ({', '.join('?' * len(ids))}) "
        "ORDER BY doc_id, number",
        list(ids),
    )
    best: dict[str, tuple[tuple[int, int], int, str, list[tuple[int, int]]]] = {}
    for row in rows:
        spans = highlights(row["text"], words)
        key = (_distinct(row["text"], spans), len(spans))
        current = best.get(row["doc_id"])
        if current is None or key > current[0]:
            best[row["doc_id"]] = (key, row["number"], row["text"], spans)
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


def _corrections(store: Store, positive: Sequence[Term]) -> dict[str, list[str]]:
    """Indexed variants of the query words: of the words absent from the index, or of every
    word when each is present but never all together; cheapest edit first, then the most
    frequent. Short words are left alone."""
    words = sorted({fold(w) for t in positive for w in t.words})
    long_words = [w for w in words if len(w) >= FUZZY_MIN_CHARS]
    frequencies = store.vocabulary()
    absent = [w for w in long_words if w not in frequencies]
    corrections: dict[str, list[str]] = {}
    for word in absent or long_words:
        costs = edit_variants(word)
        known = sorted(
            (v for v in costs if v in frequencies), key=lambda v: (costs[v], -frequencies[v], v)
        )
        if known:
            corrections[word] = known[:FUZZY_VARIANTS]
    return corrections


def _fuzzy_expression(parsed: ParsedQuery, corrections: dict[str, list[str]]) -> str:
    """The required part of the match expression with each corrected word replaced by
    (word OR variants); a phrase holding a corrected word is loosened to its words."""
    parts: list[str] = []
    for term in parsed.positive:
        folded = [fold(w) for w in term.words]
        if term.phrase and not any(w in corrections for w in folded):
            parts.append(_quote(" ".join(folded)))
            continue
        for word in folded:
            options = [word, *corrections.get(word, [])]
            alternatives = " OR ".join(_quote(o) for o in options)
            parts.append(f"({alternatives})" if len(options) > 1 else alternatives)
    return " AND ".join(parts)
