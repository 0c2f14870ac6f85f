"""Search benchmark: indexing rate, index size, and query latency via the library and HTTP.

Builds a store of generated Party-style documents whose pages are paragraphs of the shared
corpora (../shared/corpus/vlc-legal.txt.xz, viwiki.txt.xz) mixed with paragraphs of the seed
reports, under generated headers and fields; then times a fixed set of typical queries
(accent-free words, accented words, phrases, exclusions, filters, date sort, facets, fuzzy)
through `pipeline.search` and through `sohoa serve` (a real uvicorn on 127.0.0.1, queried
with httpx). Nothing generated is kept unless --db is given.

    nice -n 10 .venv/bin/python scripts/bench_search.py --docs 20000   # ~100,000 pages
    .venv/bin/python scripts/bench_search.py --docs 500                 # a quick run

With `--backend postgresql` (or `both`) the same documents also go into PostgreSQL, in
batches of BATCH documents per transaction (pages by COPY), into `--pg-url` or, without one,
a throwaway server started from the Debian binaries (as tests/postgres.py does); the table
then has a column pair per backend, and the hit counts of every query are compared.

    nice -n 10 .venv/bin/python scripts/bench_search.py --docs 20000 --backend both --no-http
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import lzma
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.record import Page, Provenance, Quality, Record, Signer, Source  # noqa: E402
from pipeline.storage import open_store  # noqa: E402
from pipeline.storage.postgres import PostgresStore  # noqa: E402
from pipeline.storage.search import make_filters, search  # noqa: E402

SHARED = ROOT.parent / "shared"
TYPES = [
    ("BÁO CÁO", "BC", "Báo cáo kết quả"),
    ("NGHỊ QUYẾT", "NQ", "Nghị quyết về"),
    ("KẾ HOẠCH", "KH", "Kế hoạch thực hiện"),
    ("CHƯƠNG TRÌNH", "CTr", "Chương trình hành động thực hiện"),
    ("THÔNG BÁO", "TB", "Thông báo kết luận về"),
    ("HƯỚNG DẪN", "HD", "Hướng dẫn thực hiện"),
    ("QUYẾT ĐỊNH", "QĐ", "Quyết định về việc"),
    ("CÔNG VĂN", "CV", "V/v"),
    ("TỜ TRÌNH", "TTr", "Tờ trình về"),
    ("CHỈ THỊ", "CT", "Chỉ thị về tăng cường"),
]
PROVINCES = [
    "Thanh Hoá",
    "Nghệ An",
    "Hà Tĩnh",
    "Đồng Nai",
    "Đồng Tháp",
    "Quảng Ninh",
    "Hải Dương",
    "Thái Bình",
    "Nam Định",
    "Bắc Giang",
    "Lâm Đồng",
    "Đắk Lắk",
    "Cần Thơ",
    "An Giang",
    "Bình Định",
    "Phú Thọ",
    "Hà Nội",
    "Đà Nẵng",
    "Khánh Hoà",
    "Sóc Trăng",
]
DISTRICTS = [
    "Nam Đàn",
    "Hưng Nguyên",
    "Thọ Xuân",
    "Tĩnh Gia",
    "Long Thành",
    "Cao Lãnh",
    "Đông Triều",
    "Kim Thành",
    "Tiền Hải",
    "Ý Yên",
    "Lục Nam",
    "Đức Trọng",
    "Krông Pắc",
    "Phong Điền",
    "Tuy Phước",
    "Thanh Sơn",
    "Sóc Sơn",
    "Hoà Vang",
    "Cam Lâm",
    "Mỹ Xuyên",
]
ISSUERS = [
    ("HUYỆN ỦY {district}", "HU", "ĐẢNG BỘ TỈNH {province}"),
    ("TỈNH ỦY {province}", "TU", None),
    ("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", "ĐUK", "ĐẢNG BỘ TỈNH {province}"),
    ("BAN TUYÊN GIÁO TỈNH ỦY", "BTGTU", "TỈNH ỦY {province}"),
    ("BAN TỔ CHỨC TỈNH ỦY", "BTCTU", "TỈNH ỦY {province}"),
    ("ĐẢNG ỦY XÃ {district}", "ĐU", "ĐẢNG BỘ HUYỆN {district}"),
    ("ỦY BAN KIỂM TRA TỈNH ỦY", "UBKTTU", "TỈNH ỦY {province}"),
]
NAMES = ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Đức Thắng", "Phạm Minh Châu", "Hoàng Thị Hoà"]

# (category, query, filters as make_filters keywords, sort, facets)
QUERIES: list[tuple[str, str, dict[str, str], str, bool]] = [
    ("words", "dang vien", {}, "relevance", False),
    ("words", "ket nap dang vien", {}, "relevance", False),
    ("words", "sinh hoat chi bo", {}, "relevance", False),
    ("words", "phat trien kinh te xa hoi", {}, "relevance", False),
    ("words", "quyen va nghia vu cua cong dan", {}, "relevance", False),
    ("words", "bao ve moi truong", {}, "relevance", False),
    ("accented", "đảng viên", {}, "relevance", False),
    ("accented", "kiểm tra giám sát", {}, "relevance", False),
    ("phrase", '"sinh hoat chi bo"', {}, "relevance", False),
    ("phrase", '"uy ban nhan dan"', {}, "relevance", False),
    ("phrase", '"nghi quyet dai hoi" dang bo', {}, "relevance", False),
    ("exclude", "bo luat -hinh su", {}, "relevance", False),
    ("filter", "type:BC dang vien", {}, "relevance", False),
    ("filter", "kinh te year:2020", {}, "relevance", False),
    ("filter", 'issuer:"huyen uy" can bo', {}, "relevance", False),
    ("filter", "to chuc", {"place": "nghe an", "date_from": "2018-01-01"}, "relevance", False),
    ("filter", "type:NQ year:2016-2019", {}, "relevance", False),
    ("sort", "dang vien", {}, "date", False),
    ("facets", "dang vien", {}, "relevance", True),
    ("facets", "", {}, "relevance", True),
    ("fuzzy", "dang vlen ket nap", {}, "relevance", False),
    ("fuzzy", "chuong trjnh hanh dong", {}, "relevance", False),
]


@dataclass
class Corpus:
    paragraphs: list[str]  # corpus paragraphs
    party: list[str]  # seed report paragraphs


def read_corpus(max_chars: int) -> Corpus:
    """Paragraphs of at least six words: all of the legal corpus, then Wikipedia up to
    `max_chars` characters in all; plus the clean seed reports' paragraphs."""
    paragraphs: list[str] = []
    total = 0
    for name in ("vlc-legal.txt.xz", "viwiki.txt.xz"):
        with lzma.open(SHARED / "corpus" / name, "rt", encoding="utf-8") as lines:
            for line in lines:
                line = line.strip()
                if len(line.split()) >= 6:
                    paragraphs.append(line)
                    total += len(line)
                    if total >= max_chars:
                        break
        if total >= max_chars:
            break
    party = [
        line.strip()
        for path in sorted((SHARED / "seeds").glob("*.txt"))
        if not path.name.startswith("003")  # 003 is raw OCR output
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.split()) >= 6
    ]
    return Corpus(paragraphs, party)


def make_document(i: int, corpus: Corpus, seed: int, page_chars: int) -> Record:
    """Generated document `i`: a Party-style header on page 1, 1 to 9 pages (mean 5). Each
    document has its own random stream, so processes can generate any slice of them."""
    rng = random.Random(f"{seed}-{i}")
    doc_type, type_code, subject_head = rng.choice(TYPES)
    issuer_line, issuer_code, parent = rng.choice(ISSUERS)
    province, district = rng.choice(PROVINCES), rng.choice(DISTRICTS)
    issuer = [parent.format(province=province.upper(), district=district.upper())] if parent else []
    issuer.append(issuer_line.format(province=province.upper(), district=district.upper()))
    year, month, day = rng.randint(2010, 2024), rng.randint(1, 12), rng.randint(1, 28)
    number = rng.randint(1, 450)
    place = rng.choice((province, district))
    topic = " ".join(rng.choice(corpus.party or corpus.paragraphs).split()[:12]).rstrip(",.;:")
    subject = f"{subject_head} {topic[:1].lower()}{topic[1:]}"
    symbol = f"{type_code}/{issuer_code}"
    draft = "Dự thảo lần 2" if rng.random() < 0.05 else None
    header = "\n".join(
        [
            *issuer,
            "*",
            f"Số {number:02d}-{symbol}",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            f"{place}, ngày {day:02d} tháng {month} năm {year}",
            *([draft] if draft else []),
            doc_type,
            subject,
        ]
    )
    pages: list[Page] = []
    for number_of_page in range(1, rng.randint(1, 9) + 1):
        parts = [header] if number_of_page == 1 else []
        size = sum(len(p) for p in parts)
        while size < page_chars:
            source = corpus.party if rng.random() < 0.15 and corpus.party else corpus.paragraphs
            paragraph = rng.choice(source)
            parts.append(paragraph)
            size += len(paragraph) + 1
        text = "\n".join(parts)
        pages.append(Page(number_of_page, text, text, round(rng.uniform(70, 96), 1)))
    text = "\n\n".join(page.text for page in pages)
    digest = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
    return Record(
        id=digest,
        source=Source(f"/archive/bench/{i:06d}.pdf", digest, "application/pdf", len(pages)),
        text=text,
        raw_text=text,
        pages=pages,
        provenance=Provenance("bench", "2024-01-01T00:00:00+00:00"),
        family="party",
        doc_type=doc_type,
        type_code=type_code,
        number=number,
        symbol=symbol,
        doc_number=f"{number:02d}-{symbol}",
        issuer_code=issuer_code,
        issuer=issuer,
        place=place,
        date=f"{year}-{month:02d}-{day:02d}",
        subject=subject,
        draft=draft,
        signer=Signer("T/M BAN THƯỜNG VỤ", "BÍ THƯ", rng.choice(NAMES)),
        quality=Quality(85.0, 0.95, []),
    )


BATCH = 200  # documents per PostgreSQL transaction


def build(db: str, docs: int, corpus: Corpus, page_chars: int, seed: int) -> Build:
    """Store `docs` generated documents one transaction each (SQLite: add_document) or
    BATCH a transaction (PostgreSQL: add_documents), then `optimize`; the time is the
    writing's, generation left out."""
    pages = 0
    spent = cpu = 0.0
    with open_store(db) as store:
        batch: list[tuple[Record, dict[int, bytes]]] = []
        for i in range(docs):
            record = make_document(i, corpus, seed, page_chars)
            pages += len(record.pages)
            started, started_cpu = time.perf_counter(), time.process_time()
            if isinstance(store, PostgresStore):
                batch.append((record, {}))
                if len(batch) == BATCH or i == docs - 1:
                    store.add_documents(batch)
                    batch.clear()
            else:
                store.add_document(record, {})
            spent += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
            if (i + 1) % max(1, docs // 10) == 0:
                print(f"  {i + 1}/{docs} documents, {pages / spent:.0f} pages/s", flush=True)
        started, started_cpu = time.perf_counter(), time.process_time()
        store.optimize()
        spent += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
    return Build(pages, spent, cpu, 0.0)


@dataclass
class Build:
    pages: int
    wall_s: float  # loading (for a bulk load: generation included, in the worker processes)
    cpu_s: float  # CPU of the processes writing (not the server's)
    index_s: float  # a bulk load's index build and VACUUM ANALYZE, wall


BULK_BATCH = 500  # documents per COPY transaction in a bulk load
_corpus: Corpus | None = None  # the corpus, inherited by the forked loading processes
_store: PostgresStore | None = None  # a loading process's connection


def _bulk_batch(task: tuple[str, int, int, int, int]) -> tuple[int, float]:
    """Generate documents start..stop and COPY them; (pages, CPU seconds) of this process."""
    global _store
    db, start, stop, seed, page_chars = task
    assert _corpus is not None
    started = time.process_time()
    if _store is None:
        _store = PostgresStore.open(db)
    batch = [(make_document(i, _corpus, seed, page_chars), {}) for i in range(start, stop)]
    _store.bulk_copy(batch)
    return sum(len(r.pages) for r, _ in batch), time.process_time() - started


def bulk_build(db: str, docs: int, corpus: Corpus, page_chars: int, seed: int, jobs: int) -> Build:
    """Load PostgreSQL with `PostgresStore.bulk_start/bulk_copy/bulk_finish`: `jobs`
    processes generate documents and COPY them (BULK_BATCH a transaction) into tables
    without secondary indexes, which are built at the end."""
    global _corpus
    _corpus = corpus
    with PostgresStore.open(db) as store:
        store.bulk_start()
    tasks = [
        (db, start, min(start + BULK_BATCH, docs), seed, page_chars)
        for start in range(0, docs, BULK_BATCH)
    ]
    pages = 0
    cpu = 0.0
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for done, (n, spent) in enumerate(pool.imap_unordered(_bulk_batch, tasks), 1):
            pages += n
            cpu += spent
            if done % max(1, len(tasks) // 20) == 0:
                rate = pages / (time.perf_counter() - started)
                print(
                    f"  {done}/{len(tasks)} batches, {pages} pages, {rate:.0f} pages/s", flush=True
                )
    wall = time.perf_counter() - started
    started = time.perf_counter()
    with PostgresStore.open(db) as store:
        store.bulk_finish()
    return Build(pages, wall, cpu, time.perf_counter() - started)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95


def server_cpu_s(db: str) -> float:
    """CPU seconds used so far by the PostgreSQL processes serving database `db` (a URL),
    read from /proc: the work a query does in the server, which the client's CPU time
    leaves out. 0 for a SQLite path."""
    if "://" not in db:
        return 0.0
    name = db.rsplit("/", 1)[-1].split("?")[0]
    ticks = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes()
            if command.startswith(b"postgres: ") and f" {name} ".encode() in command:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def time_library(
    db: str, runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], list[tuple[int, bool]]]:
    """Wall and CPU milliseconds per query, by category, through pipeline.search (warm), and
    each query's number of hits (and whether it is exact, see `total_exact`). CPU is this
    process's plus, for PostgreSQL, the server's (its mean over the runs of a query: /proc
    counts in 10 ms ticks)."""
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    totals: list[tuple[int, bool]] = []
    with open_store(db, readonly=True) as store:
        for category, query, filters, sort, facets in QUERIES:
            options = make_filters(**filters)
            search(store, query, filters=options, sort=sort, facets=facets)  # warm-up
            server_started = server_cpu_s(db)
            client: list[float] = []
            for _ in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                result = search(store, query, filters=options, sort=sort, facets=facets)
                wall.setdefault(category, []).append((time.perf_counter() - started) * 1000)
                client.append((time.process_time() - started_cpu) * 1000)
            server = (server_cpu_s(db) - server_started) * 1000 / runs
            cpu.setdefault(category, []).extend(c + server for c in client)
            flag = " (fuzzy)" if result.fuzzy else ""
            more = "" if result.total_exact else "more than "
            p50, p95 = percentiles(wall[category][-runs:])
            print(
                f"  {category:8} {query!r}: {more}{result.total} hits, "
                f"ranking {result.ranking}{flag}; p50/p95 {p50:.1f}/{p95:.1f} ms wall, "
                f"CPU {statistics.mean(client) + server:.1f} ms (client "
                f"{statistics.mean(client):.1f} + server {server:.1f})"
            )
            totals.append((result.total, result.total_exact))
    return wall, cpu, totals


def compare_hits(sqlite: list[tuple[int, bool]], postgres: list[tuple[int, bool]]) -> str:
    """Every query's count must be the same, except where PostgreSQL counted only up to its
    COUNT_LIMIT: there SQLite's exact count must be above that cap."""
    capped = 0
    differ: list[str] = []
    for (category, query, *_), (lite, _), (pg, exact) in zip(
        QUERIES, sqlite, postgres, strict=True
    ):
        if not exact:
            capped += 1
        if (exact and lite != pg) or (not exact and lite <= pg):
            differ.append(f"{category} {query!r}: SQLite {lite}, PostgreSQL {pg}")
    if differ:
        return "DIFFERENT: " + "; ".join(differ)
    return f"identical ({capped} counted by PostgreSQL only up to its cap, SQLite above it)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(db: str, port: int) -> Iterator[None]:
    """`sohoa serve` in a child process while the context lasts."""
    command = [sys.executable, "-m", "pipeline.cli", "serve", "--db", db, "--port", str(port)]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        child.terminate()
        child.wait(timeout=10)


def time_http(db: str, runs: int) -> dict[str, list[float]]:
    """Wall milliseconds per query, by category, through GET /api/search on a real uvicorn."""
    port = free_port()
    times: dict[str, list[float]] = {}
    with serving(db, port), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.get("/openapi.json").raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        for category, query, filters, sort, facets in QUERIES:
            params = {"q": query, "sort": sort, "facets": str(facets).lower()}
            params |= {"from" if k == "date_from" else k: v for k, v in filters.items()}
            client.get("/api/search", params=params).raise_for_status()  # warm-up
            for _ in range(runs):
                started = time.perf_counter()
                client.get("/api/search", params=params).raise_for_status()
                times.setdefault(category, []).append((time.perf_counter() - started) * 1000)
    return times


def table(columns: dict[str, dict[str, list[float]]]) -> str:
    """Markdown: one row per query category (and all), p50/p95 for each timing column."""
    head = " | ".join(f"{name} p50 ms | {name} p95 ms" for name in columns)
    rows = [f"| queries | {head} |", "|---|" + "---:|" * (2 * len(columns))]
    for category in [*dict.fromkeys(c for c, *_ in QUERIES), "all"]:
        cells = []
        for times in columns.values():
            if category == "all":
                samples = list(itertools.chain.from_iterable(times.values()))
            else:
                samples = times.get(category, [])
            p50, p95 = percentiles(samples) if samples else (float("nan"), float("nan"))
            cells.append(f"{p50:.1f} | {p95:.1f}")
        name = f"**{category}**" if category == "all" else category
        rows.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(rows)


@contextmanager
def postgres_database(url: str | None) -> Iterator[str]:
    """`url`, or a database of a throwaway server started for the run."""
    if url:
        yield url
        return
    from tests.postgres import PostgresCluster, server_bin

    bin_dir = server_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed; give --pg-url")
    cluster = PostgresCluster(bin_dir, settings=BENCH_SETTINGS)
    try:
        yield cluster.new_database()
    finally:
        cluster.remove()


# The throwaway server: durable writes (the tests' server is not), memory for a large index.
BENCH_SETTINGS = (
    "fsync = on\nfull_page_writes = on\n"
    "shared_buffers = 2GB\nwork_mem = 64MB\nmaintenance_work_mem = 512MB\n"
    "effective_cache_size = 8GB\nmax_wal_size = 8GB\njit = off\n"
)


def store_size(db: str) -> float:
    """MiB on disk: the SQLite file and its WAL."""
    return (
        sum(
            Path(db + suffix).stat().st_size
            for suffix in ("", "-wal")
            if Path(db + suffix).exists()
        )
        / 2**20
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents (mean 5 pages)")
    parser.add_argument("--page-chars", type=int, default=1800, help="characters per page")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each query")
    parser.add_argument("--db", help="build (or reuse, with --reuse) this SQLite store and keep it")
    parser.add_argument(
        "--pg-url", help="PostgreSQL database to build into (default: a new server)"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--reuse", action="store_true", help="time queries on existing stores")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP timings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg-load",
        choices=("bulk", "transactions"),
        default="bulk",
        help="PostgreSQL: COPY into tables without secondary indexes, then build them "
        "(bulk), or add_documents batches as ingest writes (transactions)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes for a bulk load")
    args = parser.parse_args()
    if args.reuse and not (args.db or args.pg_url):
        parser.error("--reuse needs --db or --pg-url")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    columns: dict[str, dict[str, list[float]]] = {}
    lines: list[str] = []
    hits: dict[str, list[tuple[int, bool]]] = {}
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-") as scratch:
        corpus: Corpus | None = None
        if not args.reuse:
            started = time.perf_counter()
            corpus = read_corpus(max_chars=min(60_000_000, args.docs * 5 * args.page_chars))
            print(
                f"corpus: {len(corpus.paragraphs)} paragraphs + {len(corpus.party)} seed "
                f"paragraphs ({time.perf_counter() - started:.0f} s)"
            )
        for backend in backends:
            with contextlib.ExitStack() as stack:
                if backend == "sqlite":
                    db = args.db or os.path.join(scratch, "bench.db")
                    if not args.reuse:
                        for suffix in ("", "-wal", "-shm"):
                            Path(db + suffix).unlink(missing_ok=True)
                else:
                    db = stack.enter_context(postgres_database(args.pg_url))
                name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
                if corpus is not None:
                    print(f"{name}: indexing")
                    if backend == "postgresql" and args.pg_load == "bulk":
                        made = bulk_build(
                            db, args.docs, corpus, args.page_chars, args.seed, args.jobs
                        )
                        how = f"bulk, {args.jobs} processes generating and copying"
                    else:
                        made = build(db, args.docs, corpus, args.page_chars, args.seed)
                        how = (
                            "one transaction a document"
                            if backend == "sqlite"
                            else (f"{BATCH} documents a transaction")
                        )
                    total_s = made.wall_s + made.index_s
                    lines.append(
                        f"{name} indexing ({how}): {made.pages / total_s:.0f} pages/s wall "
                        f"({made.wall_s:.0f} s loading + {made.index_s:.0f} s building indexes), "
                        f"{made.pages / made.cpu_s:.0f} pages/s CPU in the loading processes "
                        f"({made.cpu_s:.0f} s CPU)"
                    )
                if backend == "postgresql" and args.reuse:
                    PostgresStore.open(db).close()  # a writer's open upgrades an older schema
                with open_store(db, readonly=True) as store:
                    docs, pages = store.count_documents(), store.count_pages()
                size = store_size(db) if backend == "sqlite" else None
                lines.append(
                    f"{name}: {docs} documents, {pages} pages"
                    + (f", store size {size:.0f} MiB" if size is not None else "")
                )
                print(f"{name}: library queries")
                wall, cpu_times, hits[name] = time_library(db, args.runs)
                columns[f"{name} library"] = wall
                columns[f"{name} CPU"] = cpu_times
                if not args.no_http:
                    columns[f"{name} HTTP"] = time_http(db, args.runs)

    print(f"\ncommand: {' '.join(sys.argv)}")
    print("\n".join(lines))
    if len(hits) == 2:
        print(f"hits per query, SQLite vs PostgreSQL: {compare_hits(*hits.values())}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} on {os.cpu_count()} CPUs")
    print(f"latency over {args.runs} runs of each query (after one warm-up):\n")
    print(table(columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
