"""The web server under concurrent reads: per-thread connections, the stored JSON streamed as
stored, paced downloads, and the review flags on the document page."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_store import make_record

from pipeline.record import Line, Record, ReviewItem, Word
from pipeline.storage import open_store
from pipeline.storage.search import search
from pipeline.web import create_app, paced

# page text that looks like the store's own splice marker must come back untouched
TRICKY = 'Trích: {"number":1,"text":"","raw_text":""} và "ngoặc" \\ cuối'


def _large(pages: int) -> Record:
    record = make_record("large", [f"trang {n}: báo cáo kết quả {TRICKY}" for n in range(pages)])
    lines = [Line("báo cáo", [1, 2, 3, 4], 90.0, 1, [Word("báo", [1, 2, 3, 4], 91.0)])]
    record.pages = [replace(p, lines=lines, blank=n == 3) for n, p in enumerate(record.pages)]
    record.review = [
        ReviewItem("date", "ngày viết tay: <script>alert(1)</script>"),
        ReviewItem("number", "số đọc không chắc"),
    ]
    return record


LARGE = _large(130)  # more pages than one streamed batch
SMALL = [make_record(f"doc{n}", [f"nghị quyết chi bộ số {n}"]) for n in range(20)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("webrel") / "s.db")
    with open_store(path) as writer:
        writer.add_document(LARGE, {})
        for record in SMALL:
            writer.add_document(record, {})
    return path


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with (
        open_store(db, readonly=True) as store,
        TestClient(create_app(store), base_url="http://127.0.0.1") as test_client,
    ):
        yield test_client


def test_the_record_is_streamed_as_stored_with_its_page_texts(client: TestClient) -> None:
    response = client.get(f"/api/documents/{LARGE.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == LARGE.to_dict()
    assert client.get(f"/api/documents/{'0' * 64}").status_code == 404


def test_the_document_page_shows_review_flags_escaped(client: TestClient) -> None:
    html = client.get(f"/documents/{LARGE.id}").text
    assert "Cần kiểm tra (2)" in html
    assert "Ngày ban hành</span>: ngày viết tay: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "1 trang trắng: 4" in html


def test_each_thread_reads_on_its_own_connection(db: str) -> None:
    """Searches and downloads from many threads at once, all right; each thread its own
    read connection (a long download never holds a lock another thread waits on)."""
    errors: list[BaseException] = []
    connections: set[int] = set()
    with open_store(db, readonly=True) as store:

        def work(n: int) -> None:
            try:
                for _ in range(5):
                    if n % 2:
                        data = b"".join(store.record_json_chunks(LARGE.id) or [])
                        assert json.loads(data)["id"] == LARGE.id
                    else:
                        result = search(store, "nghi quyet chi bo", limit=50)
                        assert result.total == 20, result.total
                with store._reading() as conn:
                    connections.add(id(conn))
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    assert len(connections) == 8


def test_a_closed_store_refuses_new_readers(db: str) -> None:
    store = open_store(db, readonly=True)
    store.close()
    with pytest.raises(Exception, match="closed"):
        store.count_documents()


def test_downloads_are_paced() -> None:
    chunks = [b"x" * 2**20] * 4
    started = time.monotonic()
    assert b"".join(paced(iter(chunks), 8 * 2**20)) == b"".join(chunks)
    assert time.monotonic() - started >= 0.45  # 4 MiB at 8 MiB/s; the last wait included


def test_partial_documents_are_not_complete(tmp_path: Path) -> None:
    """A document stored with fewer pages than its source has is redone by the next ingest."""
    record = make_record("partial", ["trang một", "trang hai"])
    record.pages = record.pages[:1]
    with open_store(str(tmp_path / "s.db")) as store:
        store.add_document(record, {})
        assert not store.has_document(record.source.sha256)
        whole = make_record("partial", ["trang một", "trang hai"])
        store.add_document(whole, {})
        assert store.has_document(record.source.sha256)
        assert store.count_documents() == 1
