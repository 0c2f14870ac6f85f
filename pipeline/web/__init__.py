"""The analysts' web UI and read-only JSON API over a store (FastAPI, server-rendered Jinja2).

Read-only by construction: GET routes only, a read-only SQLite connection, images served by
record id and page number (never by path). Every text goes through Jinja2 autoescaping, and
a strict Content-Security-Policy allows only this site's own script and style files.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import iterate_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pipeline import __version__
from pipeline.errors import ArchiveError
from pipeline.record import Record
from pipeline.storage import Store, image_media_type
from pipeline.storage.search import (
    MAX_LIMIT,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
    Filters,
    SearchResult,
    fold,
    highlights,
    make_filters,
    parse_query,
    search,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
ID_PATTERN = r"^[0-9a-f]{64}$"
MAX_FILTER_CHARS = 200
# A record download is paced to this rate: at full speed, two clients downloading a 300-page
# record (15 MB) kept a 2-core server's CPU busy and other users' searches waited
# (scripts/bench_web_load.py; docs/ingest.md, "Reliability").
DOWNLOAD_BYTES_PER_S = 16 * 2**20
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
FACET_TITLES = {
    "type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "year": "Năm",
    "place": "Địa danh",
}
FILTER_KEYS = ("type", "issuer", "year", "place", "symbol", "from", "to", "draft")
REVIEW_LABELS = {  # record keys as the analysts' page names them
    "number": "Số",
    "symbol": "Ký hiệu",
    "doc_number": "Số, ký hiệu",
    "date": "Ngày ban hành",
    "doc_type": "Tên loại",
    "issuer": "Cơ quan ban hành",
    "place": "Địa danh",
    "subject": "Trích yếu",
    "signer": "Người ký",
    "recipients": "Nơi nhận",
}

Text = Annotated[str | None, Query(max_length=MAX_FILTER_CHARS)]


@dataclass
class Segment:
    """A run of text that is all inside or all outside the marked spans."""

    text: str
    low: bool = False  # inside a low-confidence span
    hit: bool = False  # a word of the query


def segments(
    text: str, low: list[tuple[int, int]], hits: list[tuple[int, int]] | None = None
) -> list[Segment]:
    """Split `text` at the borders of low-confidence spans and query hits (clipped, any
    order, overlaps allowed), so a template can mark them without writing HTML itself."""
    size = len(text)
    low_delta: Counter[int] = Counter()
    hit_delta: Counter[int] = Counter()
    for spans, delta in ((low, low_delta), (hits or [], hit_delta)):
        for start, end in spans:
            start, end = max(0, start), min(size, end)
            if start < end:
                delta[start] += 1
                delta[end] -= 1
    cuts = sorted({0, size, *low_delta, *hit_delta})
    out: list[Segment] = []
    low_depth = hit_depth = 0
    for start, end in itertools.pairwise(cuts):
        low_depth += low_delta[start]
        hit_depth += hit_delta[start]
        is_low, is_hit = low_depth > 0, hit_depth > 0
        if out and out[-1].low == is_low and out[-1].hit == is_hit:
            out[-1].text += text[start:end]
        else:
            out.append(Segment(text[start:end], is_low, is_hit))
    return out


@dataclass(frozen=True)
class FilterParams:
    """The filter query parameters every search route takes, as the client gave them."""

    type: str | None
    issuer: str | None
    year: str | None
    place: str | None
    symbol: str | None
    date_from: str | None
    date_to: str | None
    draft: str | None

    def filters(self) -> Filters:
        """The validated filters; a malformed one is the client's error (400)."""
        try:
            return make_filters(**asdict(self))  # its fields are make_filters' keywords
        except ValueError as error:
            raise HTTPException(status_code=400, detail=str(error)) from error

    def as_query(self) -> dict[str, str | None]:
        """The parameters under their URL names (`from`, `to`)."""
        return {
            "type": self.type,
            "issuer": self.issuer,
            "year": self.year,
            "place": self.place,
            "symbol": self.symbol,
            "from": self.date_from,
            "to": self.date_to,
            "draft": self.draft,
        }


def filter_params(
    type: Text = None,
    issuer: Text = None,
    year: Text = None,
    place: Text = None,
    symbol: Text = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    draft: Annotated[str | None, Query(max_length=5)] = None,
) -> FilterParams:
    """One declaration of the filter parameters, shared by the routes (a dependency)."""
    return FilterParams(type, issuer, year, place, symbol, date_from, date_to, draft)


Filtered = Annotated[FilterParams, Depends(filter_params)]


def paced(chunks: Iterator[bytes], rate: float) -> Iterator[bytes]:
    """The chunks, sent no faster than `rate` bytes a second on average (runs in a worker
    thread: its sleeps hold up nothing else)."""
    started = time.monotonic()
    sent = 0
    for chunk in chunks:
        yield chunk
        sent += len(chunk)
        ahead = sent / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)


def create_app(store: Store, *, bind_host: str = "127.0.0.1") -> FastAPI:
    """The FastAPI application over an open (read-only) store, which the caller closes."""
    app = FastAPI(
        title="sohoa",
        version=__version__,
        description="Read-only search over restored Vietnamese Party documents.",
        docs_url=None,  # Swagger UI would load scripts from a CDN; the schema is enough
        redoc_url=None,
    )
    hosts = ["127.0.0.1", "localhost"] if bind_host in LOOPBACK_HOSTS else ["*"]
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.globals["facet_titles"] = FACET_TITLES
    templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": error.status_code, "message": error.detail},
            status_code=error.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in error.errors()
        ]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": detail}, status_code=422)
        message = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)
        return templates.TemplateResponse(
            request, "error.html", {"status": 422, "message": message}, status_code=422
        )

    def run_search(
        q: str,
        filters: Filters,
        sort: str,
        limit: int,
        page: int,
        facets: bool,
    ) -> SearchResult:
        result = search(store, q, filters=filters, sort=sort, limit=limit, page=page, facets=facets)
        if result.error:
            raise HTTPException(status_code=400, detail=result.error)
        return result

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(
        request: Request,
        given: Filtered,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
        sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    ) -> Response:
        result = run_search(q, given.filters(), sort, 20, page, True)
        params = {"q": q, **given.as_query(), "sort": sort}
        active = {k: v for k, v in params.items() if v}

        def url(**changes: Any) -> str:
            merged = {**active, **changes}
            return "/?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

        def doc_url(doc_id: str) -> str:
            return f"/documents/{doc_id}" + (f"?{urlencode({'q': q})}" if q.strip() else "")

        return templates.TemplateResponse(
            request,
            "search.html",
            {
                "result": result,
                "params": params,
                "active_filters": {k: active[k] for k in FILTER_KEYS if k in active},
                "url": url,
                "doc_url": doc_url,
                "segments": segments,
                "sorts": SORTS,
                "total_documents": store.count_documents(),
            },
        )

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document(
        request: Request,
        doc_id: Annotated[str, PathParam(pattern=ID_PATTERN)],
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    ) -> Response:
        record = store.get_record(doc_id)
        if record is None:
            raise HTTPException(status_code=404, detail="Không tìm thấy văn bản")
        parsed = parse_query(q)
        words = frozenset(fold(w) for t in parsed.positive for w in t.words)
        text = record.text or "\n\n".join(p.text for p in record.pages)
        raw = record.raw_text or "\n\n".join(p.raw_text for p in record.pages)
        low = [(s.start, s.end) for s in record.quality.low_confidence_spans]
        return templates.TemplateResponse(
            request,
            "document.html",
            {
                "record": record,
                "text_segments": segments(text, low, highlights(text, words)),
                "raw_text": raw,
                "low_count": len(low),
                "images": store.page_image_numbers(record.id),
                "q": q,
                "review_labels": REVIEW_LABELS,
                "blank_pages": [p.number for p in record.pages if p.blank],
            },
        )

    @app.get("/api/search", response_model=SearchResult, tags=["search"])
    def api_search(
        given: Filtered,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="query text")] = "",
        sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        facets: bool = False,
    ) -> SearchResult:
        """Ranked documents with snippets; same query syntax as `sohoa search`."""
        return run_search(q, given.filters(), sort, limit, page, facets)

    @app.get("/api/facets", tags=["search"])
    def api_facets(
        given: Filtered,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    ) -> dict[str, Any]:
        """Counts of matching documents by type, issuer, year and place."""
        result = run_search(q, given.filters(), "relevance", 1, 1, True)
        return {
            "query": q,
            "total": result.total,
            "total_exact": result.total_exact,
            "fuzzy": result.fuzzy,
            "facets": result.facets,
        }

    @app.get("/api/documents/{doc_id}", response_model=Record, tags=["documents"])
    def api_document(
        doc_id: Annotated[str, PathParam(pattern=ID_PATTERN)], download: bool = False
    ) -> Response:
        """The whole record (schema: pipeline/schema/record.schema.json), as stored (compact
        JSON), streamed a few pages at a time."""
        chunks = store.record_json_chunks(doc_id)
        if chunks is None:
            raise HTTPException(status_code=404, detail="document not found")
        headers = (
            {"Content-Disposition": f'attachment; filename="{doc_id}.json"'} if download else {}
        )
        return StreamingResponse(
            iterate_in_threadpool(paced(chunks, DOWNLOAD_BYTES_PER_S)),
            media_type="application/json; charset=utf-8",
            headers=headers,
        )

    @app.get(
        "/api/documents/{doc_id}/pages/{number}/image",
        tags=["documents"],
        response_class=Response,
        responses={200: {"content": {"image/png": {}}, "description": "the cleaned page"}},
    )
    def api_page_image(
        doc_id: Annotated[str, PathParam(pattern=ID_PATTERN)],
        number: Annotated[int, PathParam(ge=1, le=100_000)],
    ) -> Response:
        """The cleaned image of one page, by record id and 1-based page number."""
        data = store.page_image(doc_id, number)
        if data is None:
            raise HTTPException(status_code=404, detail="page image not found")
        return Response(
            data,
            media_type=image_media_type(data),
            headers={"Cache-Control": "private, max-age=3600"},
        )

    def indexed_source(record: Record) -> Path:
        """The record's source file, only while it is the file that was indexed (its
        sha256 is the record's id): a moved, changed or replaced file is not served."""
        from pipeline.sources import sha256_file  # here: it brings OpenCV, only for this

        path = Path(record.source.path)
        try:
            if path.is_file() and sha256_file(path) == record.id:
                return path
        except OSError:
            pass
        raise HTTPException(status_code=404, detail="the original file is no longer here")

    @app.get("/api/documents/{doc_id}/original", tags=["documents"], response_class=Response)
    def api_original(doc_id: Annotated[str, PathParam(pattern=ID_PATTERN)]) -> Response:
        """The original file as it was ingested (checked by its sha256 before it is sent)."""
        record = store.get_record(doc_id)
        if record is None:
            raise HTTPException(status_code=404, detail="document not found")
        path = indexed_source(record)
        return FileResponse(path, media_type=record.source.media_type,
                            filename=f"{doc_id[:12]}{path.suffix.lower()}")

    @app.get("/api/documents/{doc_id}/pdfa", tags=["documents"], response_class=Response,
             responses={200: {"content": {"application/pdf": {}}}})
    def api_pdfa(doc_id: Annotated[str, PathParam(pattern=ID_PATTERN)]) -> Response:
        """A PDF/A-2b of the document: the original page images with the restored text as
        an invisible layer (made on request from the original, `docs/archive.md`)."""
        from pipeline.archive.pdfa import write_pdfa

        record = store.get_record(doc_id)
        if record is None:
            raise HTTPException(status_code=404, detail="document not found")
        source = indexed_source(record)
        with tempfile.TemporaryDirectory(prefix="sohoa-pdfa-") as work:
            out = Path(work) / "document.pdf"
            try:
                write_pdfa(record, source, out, qpdf=False)
            except ArchiveError as error:
                raise HTTPException(status_code=422, detail=str(error)) from error
            data = out.read_bytes()
        return Response(data, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{doc_id[:12]}-pdfa.pdf"'})

    return app
