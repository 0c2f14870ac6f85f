"""Web head-of-line benchmark: search latency while other clients download the largest record.

Builds a store of generated documents (scripts/bench_search.py's generator) plus one
300-page record carrying every page's OCR lines and words (~18 MB of JSON, like a real
300-page scan), starts `sohoa serve` on it (a real uvicorn), and times GET /api/search with
the benchmark's typical queries: first alone, then while `--downloaders` clients download
GET /api/documents/ID of the large record in a loop. `--tree DIR` serves with the code of
another checkout (e.g. `git archive COMMIT pipeline | tar -x -C DIR`) to compare.

    nice -n 10 .venv/bin/python scripts/bench_web_load.py --docs 2000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.record import Line, Page, Provenance, Record, Source, Word  # noqa: E402
from pipeline.storage import open_store  # noqa: E402
from scripts.bench_search import (  # noqa: E402
    QUERIES,
    build,
    free_port,
    percentiles,
    read_corpus,
)


def large_record(pages: int, corpus_paragraphs: list[str]) -> Record:
    """A scan-like record: `pages` pages, each with ~40 lines of ~12 boxed words."""
    made: list[Page] = []
    words_pool = " ".join(corpus_paragraphs[:2000]).split()
    k = 0
    for number in range(1, pages + 1):
        lines = []
        for row in range(40):
            words = []
            for col in range(12):
                text = words_pool[k % len(words_pool)]
                k += 1
                words.append(Word(text, [100 + col * 180, 200 + row * 80, 260 + col * 180,
                                         250 + row * 80], 91.25))  # fmt: skip
            lines.append(Line(" ".join(w.text for w in words), [100, 200 + row * 80, 2300,
                              250 + row * 80], 90.5, 1, words))  # fmt: skip
        text = "\n".join(line.text for line in lines)
        made.append(Page(number, text, text, 90.0, width=2480, height=3508, lines=lines))
    digest = hashlib.sha256(b"bench-large-record").hexdigest()
    text = "\n\n".join(p.text for p in made)
    return Record(
        id=digest,
        source=Source("/archive/large.pdf", digest, "application/pdf", pages),
        text=text,
        raw_text=text,
        pages=made,
        provenance=Provenance("bench", "2024-01-01T00:00:00+00:00"),
        doc_type="BÁO CÁO",
        subject="Báo cáo tổng kết nhiệm kỳ",
    )


def wait_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/search", params={"q": "x"}, timeout=2).status_code:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not come up")


def time_searches(base: str, rounds: int) -> list[float]:
    samples = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(rounds):
            for _category, query, filters, sort, facets in QUERIES:
                params = {"q": query, "sort": sort, **filters}
                if facets:
                    params["facets"] = "true"
                started = time.perf_counter()
                response = client.get("/api/search", params=params)
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    return samples


def download_loop(base: str, doc_id: str, stop: threading.Event, sizes: list[int]) -> None:
    """Download the record again and again: with curl where there is one (the clients are
    other machines in real use; a Python client here would take the server's CPU)."""
    curl = shutil.which("curl")
    with httpx.Client(base_url=base, timeout=300) as client:
        while not stop.is_set():
            if curl:
                done = subprocess.run(
                    [curl, "-s", "-o", "/dev/null", "-w", "%{size_download}",
                     f"{base}/api/documents/{doc_id}"],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                sizes.append(int(done.stdout))
                continue
            size = 0
            with client.stream("GET", f"/api/documents/{doc_id}") as response:
                for chunk in response.iter_bytes():
                    size += len(chunk)
            sizes.append(size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=300, help="pages of the large record")
    parser.add_argument("--rounds", type=int, default=8, help="passes over the query set")
    parser.add_argument("--downloaders", type=int, default=2)
    parser.add_argument("--db", help="keep (or reuse) the store here")
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree to serve from")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-web-")
    db = args.db or os.path.join(folder, "web.sqlite")
    corpus = read_corpus(max_chars=args.docs * 5 * 1800 + 1_000_000)
    big = large_record(args.pages, corpus.paragraphs)
    if not Path(db).exists():
        print(f"building {args.docs} documents + one {args.pages}-page record ...", flush=True)
        build(db, args.docs, corpus, 1800, seed=7)
        with open_store(db) as store:
            store.add_document(big, {})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(args.tree)}
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve", "--db", db, "--port", str(port)],
        cwd=args.tree,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_up(base)
        size = len(httpx.get(f"{base}/api/documents/{big.id}", timeout=300).content)
        print(f"serving from {args.tree}; large record: {size / 1e6:.1f} MB of JSON")
        time_searches(base, 1)  # warm-up
        alone = time_searches(base, args.rounds)
        stop = threading.Event()
        sizes: list[int] = []
        threads = [
            threading.Thread(target=download_loop, args=(base, big.id, stop, sizes))
            for _ in range(args.downloaders)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        started = time.perf_counter()
        loaded = time_searches(base, args.rounds)
        seconds = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=20)
    for label, samples in (("alone", alone), (f"{args.downloaders} downloading", loaded)):
        p50, p95 = percentiles(samples)
        print(f"search {label:14}: n={len(samples)} p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
              f"max {max(samples):.1f} ms")  # fmt: skip
    print(f"downloads completed while searching: {len(sizes)} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
