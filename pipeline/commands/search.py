"""`sohoa search QUERY --db DB [filters]`: ranked hits with snippets, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable

from pipeline.errors import BadArgumentsError
from pipeline.storage import open_store
from pipeline.storage.search import (
    MAX_LIMIT,
    MAX_PAGE,
    SORTS,
    FacetValue,
    SearchResult,
    Snippet,
    make_filters,
    search,
)

log = logging.getLogger(__name__)

FACET_LABELS = {"type": "type", "issuer": "issuer", "year": "year", "place": "place"}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "search",
        help="search the restored text (accents optional)",
        description='Query syntax: words, "phrases", -exclude, field:value with fields type, '
        "issuer, year (2023 or 2020-2023), place, symbol, draft (yes/no), from, to; e.g. "
        'dang vien ket nap type:BC issuer:"huyện ủy". Typing tone marks ranks exact matches '
        "first; when nothing matches, an approximate search for OCR errors is tried and marked.",
    )
    parser.add_argument("query", nargs="?", default="", help="query text (empty: all documents)")
    parser.add_argument(
        "--db",
        default="archive.sqlite",
        help="SQLite file or postgresql:// URL (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--type", help="type symbol or name (BC, NQ, 'báo cáo')")
    parser.add_argument("--issuer", help="part of the issuer name or its symbol")
    parser.add_argument("--year", help="year or range: 2023, 2020-2023")
    parser.add_argument("--place", help="part of the place name")
    parser.add_argument("--symbol", help="part of the number/symbol (BC/ĐUK)")
    parser.add_argument("--draft", choices=("yes", "no"), help="drafts only, or no drafts")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY[-MM[-DD]]")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY[-MM[-DD]]")
    parser.add_argument("--sort", choices=SORTS, default="relevance")
    parser.add_argument(
        "--limit", type=bounded(1, MAX_LIMIT), default=10, help=f"hits per page (1-{MAX_LIMIT})"
    )
    parser.add_argument(
        "--page", type=bounded(1, MAX_PAGE), default=1, help=f"result page (1-{MAX_PAGE})"
    )
    parser.add_argument("--facets", action="store_true", help="also count hits by facet")
    parser.set_defaults(run=run)


def bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (else exit 2 saying so)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def run(args: argparse.Namespace) -> int:
    try:
        filters = make_filters(
            type=args.type,
            issuer=args.issuer,
            place=args.place,
            symbol=args.symbol,
            year=args.year,
            date_from=args.date_from,
            date_to=args.date_to,
            draft=args.draft,
        )
    except ValueError as error:
        raise BadArgumentsError(str(error)) from error
    with open_store(args.db, readonly=True) as store:
        result = search(
            store,
            args.query,
            filters=filters,
            sort=args.sort,
            limit=args.limit,
            page=args.page,
            facets=args.facets,
        )
    if result.error:
        raise BadArgumentsError(result.error)
    if result.total and result.page > result.pages:
        raise BadArgumentsError(
            f"--page {args.page}: the result has {result.pages} "
            f"page{'s' if result.pages != 1 else ''} of {result.limit} hits"
        )
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_result(result, color=sys.stdout.isatty()))
    return 0


def format_result(result: SearchResult, *, color: bool = False) -> str:
    """A readable listing: a summary line, one block per hit, then facet counts."""
    lines = [
        f"{'' if result.total_exact else 'more than '}{result.total} documents, "
        f"page {result.page}/{max(result.pages, 1)} "
        f"({result.elapsed_ms:.0f} ms, sorted by {result.sort})"
    ]
    if result.fuzzy:
        tried = "; ".join(f"{w} → {', '.join(v)}" for w, v in result.corrections.items())
        lines.append(f"APPROXIMATE MATCHES (possible OCR errors): {tried}")
    lines.extend(f"note: {note}" for note in result.notes)
    first = (result.page - 1) * result.limit
    for number, hit in enumerate(result.hits, start=first + 1):
        head = " | ".join(
            part
            for part in (
                hit.id[:12],
                hit.doc_type or hit.type_code or "?",
                hit.doc_number or "",
                hit.date or "",
                hit.issuer or "",
                hit.place or "",
                "draft" if hit.draft else "",
                "exact accents" if hit.exact else "",
            )
            if part
        )
        lines.append(f"\n{number:>3}. {head}")
        if hit.subject:
            lines.append(f"     {mark(Snippet(hit.subject, hit.subject_highlights), color)}")
        if hit.snippet.text:
            page = f"p.{hit.snippet.page}: " if hit.snippet.page else ""
            lines.append(f"     {page}{mark(hit.snippet, color)}")
    if result.facets:
        lines.append("")
        lines.extend(
            f"{FACET_LABELS[name]}: {format_facet(values)}"
            for name, values in result.facets.items()
            if values
        )
    return "\n".join(lines)


def format_facet(values: list[FacetValue]) -> str:
    return ", ".join(f"{v.label} ({v.count})" for v in values)


def mark(snippet: Snippet, color: bool) -> str:
    """The snippet with matched words in bold (terminal) or [brackets] (pipe)."""
    start_mark, end_mark = ("\033[1m", "\033[0m") if color else ("[", "]")
    out: list[str] = []
    last = 0
    for start, end in snippet.highlights:
        out.extend((snippet.text[last:start], start_mark, snippet.text[start:end], end_mark))
        last = end
    out.append(snippet.text[last:])
    return "".join(out)
