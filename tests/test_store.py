"""The stores, SQLite and PostgreSQL: one-transaction writes, replacement, idempotent
writes, round trips, images, versions, a database restart, and that both fold alike.

`make_record` and `png` are shared with the search and web tests.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from postgres import BACKENDS, PostgresCluster, new_archive

from pipeline.errors import BadArgumentsError
from pipeline.record import Page, Provenance, Quality, Record, Signer, Source, Span
from pipeline.storage import image_media_type, open_store
from pipeline.storage.search import search
from pipeline.storage.text import canonical_tones, fold, fold_d, tokens


def png(label: str = "", width: int = 120, height: int = 160) -> bytes:
    """A small real PNG page image."""
    image = Image.new("L", (width, height), 255)
    ImageDraw.Draw(image).text((8, 8), label[:12], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def make_record(
    seed: str,
    pages: list[str],
    *,
    subject: str | None = None,
    doc_type: str | None = None,
    type_code: str | None = None,
    issuer: list[str] | None = None,
    issuer_code: str | None = None,
    number: int | None = None,
    place: str | None = None,
    date: str | None = None,
    draft: str | None = None,
    low_spans: list[tuple[int, int]] | None = None,
) -> Record:
    """A record built from its page texts; id = sha256 of `seed`."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    text = "\n\n".join(pages)
    symbol = f"{type_code}/{issuer_code}" if type_code and issuer_code else None
    spans = [Span(s, e, text[s:e], 0.3) for s, e in (low_spans or [])]
    return Record(
        id=digest,
        source=Source(f"/archive/{seed}.pdf", digest, "application/pdf", len(pages)),
        text=text,
        raw_text=text.replace("đ", "d").replace("ư", "u"),
        pages=[
            Page(i, t, t.replace("đ", "d").replace("ư", "u"), 91.5)
            for i, t in enumerate(pages, start=1)
        ],
        provenance=Provenance("0.1.0", "2024-01-01T00:00:00+00:00"),
        family="party",
        doc_type=doc_type,
        type_code=type_code,
        number=number,
        symbol=symbol,
        doc_number=f"{number}-{symbol}" if number and symbol else None,
        issuer_code=issuer_code,
        issuer=issuer or [],
        place=place,
        date=date,
        subject=subject,
        draft=draft,
        signer=Signer("T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Văn An"),
        quality=Quality(90.0, 0.9, spans),
    )


REPORT = make_record(
    "report-196",
    [
        "Hiện nay, Đảng bộ Khối có 121 tổ chức cơ sở đảng và 14.103 đảng viên.",
        "Công tác kết nạp đảng viên mới được quan tâm; chi bộ sinh hoạt đều đặn.",
    ],
    subject="Sơ kết thực hiện Chương trình số 13-CTr/ĐUK",
    doc_type="BÁO CÁO",
    type_code="BC",
    issuer=["ĐẢNG BỘ TỈNH THANH HOÁ", "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH"],
    issuer_code="ĐUK",
    number=196,
    place="Thanh Hoá",
    date="2023-07-06",
)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty archive of each backend."""
    return new_archive(request, tmp_path)


def sql(db: str, statement: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
    """Run one statement on a SQLite store's file, beside the store (its tables by name)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def fts_count(db: str, table: str, match: str) -> int:
    rows = sql(db, f"SELECT count(*) AS n FROM {table} WHERE {table} MATCH ?", (match,))
    return int(rows[0]["n"])


def hits(store: object, query: str) -> int:
    return search(store, query).total  # type: ignore[arg-type]


def test_round_trip_pages_and_images(db: str) -> None:
    with open_store(db) as store:
        assert not store.has_document(REPORT.source.sha256)
        store.add_document(REPORT, {1: png("p1"), 2: png("p2")})
        assert store.has_document(REPORT.source.sha256)
        assert store.count_documents() == 1 and store.count_pages() == 2
        assert store.get_record(REPORT.id) == REPORT
        assert store.get_record("0" * 64) is None
        image = store.page_image(REPORT.id, 2)
        assert image is not None and image_media_type(image) == "image/png"
        assert store.page_image(REPORT.id, 3) is None
        assert store.page_image_numbers(REPORT.id) == [1, 2]
        assert [r.id for r in store.iter_records()] == [REPORT.id]
        assert store.find_ids(REPORT.id[:6]) == [REPORT.id]
        assert store.find_ids("not-hex") == []
        chunks = store.record_json_chunks(REPORT.id, batch=1)
        assert chunks is not None
        assert Record.from_dict(json.loads(b"".join(chunks))) == REPORT
        hit = search(store, "").hits[0]
        assert hit.issuer == "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH"
        assert hit.date == "2023-07-06" and hit.n_pages == 2
    with open_store(db, readonly=True) as again:
        assert again.get_record(REPORT.id) == REPORT
        with pytest.raises((sqlite3.OperationalError, psycopg.errors.ReadOnlySqlTransaction)):
            again.add_document(make_record("other", ["khác"]), {})
        assert again.count_documents() == 1


def test_replace_keeps_index_consistent(db: str) -> None:
    with open_store(db) as store:
        store.add_document(REPORT, {1: png()})
        assert hits(store, "dang vien") == 1
        changed = make_record("report-196", ["Nghị quyết về công tác cán bộ."], subject="Khác")
        store.add_document(changed, {})
        assert store.count_documents() == 1
        assert hits(store, "dang vien") == 0
        assert hits(store, "nghi quyet") == 1
        assert search(store, "nghị").hits[0].exact
        assert store.page_image(changed.id, 1) is None
        assert store.count_pages() == 1
        assert store.delete_document(changed.id)
        assert not store.delete_document(changed.id)
        assert hits(store, "nghi") == 0 and store.count_pages() == 0


def test_failed_write_leaves_nothing(db: str) -> None:
    record = make_record("broken", ["một", "hai"])
    # a duplicate page number violates the primary key
    broken = replace(record, pages=[record.pages[0], replace(record.pages[1], number=1)])
    with open_store(db) as store:
        with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
            store.add_document(broken, {})
        assert store.count_documents() == 0
        assert hits(store, "mot") == 0


def test_a_document_written_twice_is_stored_once(db: str) -> None:
    """Writes are idempotent by content hash: a job delivered twice, or two writers racing
    with the same document, leave one copy."""
    with open_store(db) as store:
        store.add_document(REPORT, {1: png()})
        store.add_document(REPORT, {1: png()})
        assert store.count_documents() == 1 and store.count_pages() == 2
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with open_store(db) as writer:
                writer.add_document(REPORT, {1: png(), 2: png("2")})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with open_store(db, readonly=True) as store:
        assert store.count_documents() == 1 and store.page_image_numbers(REPORT.id) == [1, 2]
        assert hits(store, "ket nap") == 1


def test_index_rebuilt_when_version_changes(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        store.add_document(REPORT, {})
    sql(db, "UPDATE meta SET value = 'old' WHERE key = 'index_version'")
    sql(db, "INSERT INTO fts(fts) VALUES ('delete-all')")
    with open_store(db) as store:
        assert fts_count(db, "fts", '"ket" "nap"') == 1


def test_postgres_index_rebuilt_when_version_changes(postgres: PostgresCluster) -> None:
    url = postgres.new_database()
    with open_store(url) as store:
        store.add_document(REPORT, {})
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'index_version'")
        conn.execute("UPDATE documents SET tsv = '', tsv_head = '', tsv_exact = '', tsv_pairs = ''")
        conn.execute("UPDATE terms SET docs = 0")
    with open_store(url) as store:
        assert hits(store, "ket nap") == 1 and search(store, "kết nạp").hits[0].exact


def test_postgres_bulk_load_matches_ordinary_writes(postgres: PostgresCluster) -> None:
    """bulk_start/bulk_copy/bulk_finish store what add_documents stores, and leave the
    indexes built (other writers opening the store meanwhile do not build them)."""
    from pipeline.storage.postgres import PostgresStore

    other = make_record("other", ["Kế hoạch tổ chức hội nghị"], subject="Về hội nghị")
    ordinary, bulk = postgres.new_database(), postgres.new_database()
    with open_store(ordinary) as store:
        store.add_documents([(REPORT, {1: png("p1"), 2: png("p2")}), (other, {})])
    with PostgresStore.open(bulk) as store:
        store.bulk_start()
        store.bulk_copy([(REPORT, {1: png("p1"), 2: png("p2")})])
        with PostgresStore.open(bulk):
            pass
        with psycopg.connect(bulk) as conn:
            row = conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'documents_tsv'")
            assert row.fetchone() == (0,)
        store.bulk_copy([(other, {})])
        store.bulk_finish()
    for url in (ordinary, bulk):
        with open_store(url, readonly=True) as store:
            assert store.get_record(REPORT.id) == REPORT and store.get_record(other.id) == other
            assert store.page_image(REPORT.id, 2) == png("p2")
            assert store.content_hash(REPORT.id) is not None
            assert [h.id for h in search(store, "hội nghị").hits] == [other.id]
            assert search(store, "kết nạp").hits[0].exact
    with psycopg.connect(bulk) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
        assert {"documents_tsv", "documents_tsv_exact", "documents_date"} <= names
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'bulk_load'").fetchone() == (0,)
    with open_store(ordinary) as a, open_store(bulk) as b:
        assert a.content_hash(REPORT.id) == b.content_hash(REPORT.id)


def test_postgres_store_survives_a_restart(postgres: PostgresCluster) -> None:
    """The server stopped for a few seconds: the next operations wait for it and reconnect."""
    url = postgres.new_database()
    with open_store(url) as store, open_store(url, readonly=True) as reader:
        store.add_document(REPORT, {})
        assert reader.count_documents() == 1
        postgres.stop()
        try:
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(url, connect_timeout=2).close()
            restart = threading.Timer(3.0, postgres.start)
            restart.start()
            started = time.monotonic()
            store.add_document(make_record("after", ["Sau khi khởi động lại."]), {})
            assert time.monotonic() - started >= 2.5
        finally:
            restart.join()
        assert reader.count_documents() == 2
        assert hits(reader, "khoi dong lai") == 1


def test_bad_databases(tmp_path: Path, postgres: PostgresCluster) -> None:
    with pytest.raises(BadArgumentsError, match="no such database"):
        open_store(str(tmp_path / "missing.db"), readonly=True)
    with pytest.raises(BadArgumentsError, match="cannot open database"):
        open_store(str(tmp_path / "no" / "such" / "dir.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BadArgumentsError, match="not a sohoa database"):
        open_store(str(junk))
    with pytest.raises(BadArgumentsError, match="cannot connect"):
        open_store("postgresql://postgres:secret@127.0.0.1:1/sohoa")
    empty = postgres.new_database()
    with pytest.raises(BadArgumentsError, match="store schema none"):
        open_store(empty, readonly=True)


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list(VIETNAMESE + VIETNAMESE.upper() + " 0123.-/\n")), max_size=60
    )
)
def test_both_backends_fold_alike(text: str) -> None:
    """The words SQLite's accent-free index holds (FTS5 unicode61 over `fold_d` text) are
    the words the PostgreSQL backend indexes (`tokens(fold(text))`), and likewise for the
    accent-exact index: one folding for both backends."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE e USING fts5(a, tokenize='unicode61 remove_diacritics 0')")
    conn.execute("CREATE VIRTUAL TABLE fv USING fts5vocab(f, 'instance')")
    conn.execute("CREATE VIRTUAL TABLE ev USING fts5vocab(e, 'instance')")
    conn.execute("INSERT INTO f(a) VALUES (?)", (fold_d(text),))
    conn.execute("INSERT INTO e(a) VALUES (?)", (canonical_tones(text),))
    folded = [t for (t,) in conn.execute("SELECT term FROM fv ORDER BY offset")]
    exact = [t for (t,) in conn.execute("SELECT term FROM ev ORDER BY offset")]
    assert folded == tokens(fold(text))
    assert exact == tokens(canonical_tones(text).lower())


def test_migrate_copies_a_sqlite_archive_and_resumes(
    tmp_path: Path, postgres: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_search import RECORDS

    from pipeline.cli import main
    from pipeline.storage.migrate import CopyReport, copy_archive
    from pipeline.storage.postgres import PostgresStore

    db, url = str(tmp_path / "a.db"), postgres.new_database()
    with open_store(db) as store:
        for n, record in enumerate(RECORDS):
            store.add_document(record, {1: png(str(n))})

    def stop_after_two(report: CopyReport) -> None:
        if report.copied == 2:
            raise KeyboardInterrupt

    with open_store(db, readonly=True) as source, PostgresStore.open(url) as target:
        with pytest.raises(KeyboardInterrupt):
            copy_archive(source, target, stop_after_two, batch_size=1)
        assert target.count_documents() == 2
    assert main(["migrate", "--from", db, "--to", url]) == 0
    assert f"copied {len(RECORDS) - 2} documents" in capsys.readouterr().out
    assert main(["migrate", "--from", db, "--to", url]) == 0
    assert "copied 0 documents" in capsys.readouterr().out
    with open_store(db) as store:
        store.add_document(make_record("report-196", ["Bản sửa đổi."]), {})
    assert main(["migrate", "--from", db, "--to", url]) == 0
    assert "copied 1 documents" in capsys.readouterr().out
    with open_store(db, readonly=True) as source, open_store(url, readonly=True) as target:
        assert target.count_documents() == source.count_documents() == len(RECORDS)
        for record in source.iter_records():
            assert target.get_record(record.id) == record
            assert target.page_image(record.id, 1) == source.page_image(record.id, 1)
        for query in ("dang vien", "Đảng", "sua doi", "-dang", "type:BC", "kct nap"):
            # the same documents (ranked by BM25 in SQLite, ts_rank_cd in PostgreSQL)
            found, expected = search(target, query), search(source, query)
            assert {h.id for h in found.hits} == {h.id for h in expected.hits}, query
            assert (found.total, found.fuzzy) == (expected.total, expected.fuzzy), query
    assert main(["migrate", "--from", db]) == 2
    assert main(["migrate", "--from", db, "--to", str(tmp_path / "b.db")]) == 2


def test_postgres_phrases_find_what_sqlite_finds(tmp_path: Path, postgres: PostgresCluster) -> None:
    """Phrases are matched on PostgreSQL's word pairs (`tsv_pairs`): the same documents as
    FTS5's phrases, also where a phrase's pairs are all there but apart, where words repeat,
    and where a phrase would run from the subject into the body."""
    rng = random.Random(17)
    vocabulary = ["đảng", "viên", "chi", "bộ", "nghị", "quyết"]
    records = [
        make_record(
            f"phrase-{i}",
            [" ".join(rng.choices(vocabulary, k=rng.randint(2, 25))) for _ in range(2)],
            subject=" ".join(rng.choices(vocabulary, k=3)),
        )
        for i in range(50)
    ]
    records += [
        make_record("apart", ["nghị quyết. Quyết đảng, đảng viên"], subject="Về"),
        make_record("across", ["quyết đảng"], subject="Chi bộ nghị"),
        make_record("repeat", ["đảng đảng đảng viên"], subject="Về"),
    ]
    lite, pg = str(tmp_path / "p.db"), postgres.new_database()
    for db in (lite, pg):
        with open_store(db) as store:
            for record in records:
                store.add_document(record, {})
    queries = ['"nghi quyet dang vien"', '"bo nghi"', '"dang dang dang"', '"chi bo" -"dang vien"']
    queries += [
        " ".join(
            [
                f'"{" ".join(rng.choices(vocabulary, k=rng.randint(2, 4)))}"',
                *rng.sample(["dang", "-vien", '"bo chi"', "quyết"], k=rng.randint(0, 2)),
            ]
        )
        for _ in range(60)
    ]
    with open_store(lite, readonly=True) as a, open_store(pg, readonly=True) as b:
        for query in queries:
            expected, found = search(a, query, limit=100), search(b, query, limit=100)
            assert found.total == expected.total and not found.fuzzy, query
            assert {h.id for h in found.hits} == {h.id for h in expected.hits}, query
        apart, across = records[-3].id, records[-2].id
        assert apart in {h.id for h in search(b, '"nghi quyet" "quyet dang"', limit=100).hits}
        assert apart not in {h.id for h in search(b, '"nghi quyet dang"', limit=100).hits}
        assert across in {h.id for h in search(b, '"chi bo nghi" quyet', limit=100).hits}
        assert across not in {h.id for h in search(b, '"nghi quyet"', limit=100).hits}


def test_postgres_term_counts_follow_writes(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`terms` counts each word's documents for the fuzzy fallback, through additions,
    replacements, deletions and a bulk load, up to FREQUENCY_CAP, where it stays."""
    from pipeline.storage import postgres as backend

    monkeypatch.setattr(backend, "FREQUENCY_CAP", 3)
    url = postgres.new_database()
    words = ["dang", "vien", "chi", "bo", "moi"]
    a, b = make_record("a", ["đảng viên chi bộ"]), make_record("b", ["đảng viên"])
    with backend.PostgresStore.open(url) as store:
        store.add_documents([(a, {}), (b, {})])
        store.add_document(make_record("c", ["Đảng"]), {})
        assert store.term_frequencies(words) == {"dang": 3, "vien": 2, "chi": 1, "bo": 1}
        store.add_document(replace(a, text="đảng viên mới", pages=a.pages[:0]), {})
        assert store.term_frequencies(words) == {"dang": 3, "vien": 2, "moi": 1}
        assert store.delete_document(b.id)
        assert store.term_frequencies(words) == {"dang": 3, "vien": 1, "moi": 1}
        store.bulk_start()
        store.bulk_copy([(make_record(f"n{i}", ["viên chi"]), {}) for i in range(4)])
        store.bulk_finish()
        assert store.term_frequencies(words) == {"dang": 3, "vien": 3, "chi": 3, "moi": 1}
        assert store.delete_document(make_record("n0", []).id)
        # at the cap a count stays (about the cap or more): its row is never locked
        assert store.term_frequencies(words) == {"dang": 3, "vien": 3, "chi": 3, "moi": 1}


def test_postgres_upgrades_a_pg1_store(postgres: PostgresCluster) -> None:
    """A store of schema pg1 (no word pairs, no term counts) is refused by readers and
    upgraded by the first writer: pairs computed, counts taken, indexes built again."""
    url = postgres.new_database()
    other = make_record("other", ["Kế hoạch tổ chức hội nghị"], subject="Về hội nghị")
    with open_store(url) as store:
        store.add_documents([(REPORT, {}), (other, {})])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE documents DROP COLUMN tsv_pairs")
        conn.execute("ALTER TABLE terms DROP COLUMN docs")
        conn.execute("UPDATE meta SET value = 'pg1' WHERE key = 'schema_version'")
    with pytest.raises(BadArgumentsError, match=r"store schema pg1, .* to upgrade it"):
        open_store(url, readonly=True)
    with open_store(url):
        pass
    with open_store(url, readonly=True) as store:
        assert [h.id for h in search(store, '"ket nap dang vien"').hits] == [REPORT.id]
        assert [h.id for h in search(store, '"to chuc hoi nghi"').hits] == [other.id]
        assert search(store, '"nap ket"').fuzzy  # not as a phrase
        assert store.term_frequencies(["hoi", "nghi", "dang"]) == {"hoi": 1, "nghi": 1, "dang": 1}
    with psycopg.connect(url) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
        assert {"documents_tsv_pairs", "documents_tsv", "documents_date"} <= names
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert row == ("pg2",)
