"""The SQLite store: one-transaction writes, replacement, round trips, images, versions.

`make_record` and `png` are shared with the search and web tests.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from pipeline.errors import BadArgumentsError
from pipeline.record import Page, Provenance, Quality, Record, Signer, Source, Span
from pipeline.storage import image_media_type, open_store


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


def test_round_trip_pages_and_images(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        assert not store.has_document(REPORT.source.sha256)
        store.add_document(REPORT, {1: png("p1"), 2: png("p2")})
        assert store.has_document(REPORT.source.sha256)
        assert store.count_documents() == 1
        assert store.get_record(REPORT.id) == REPORT
        assert store.get_record("0" * 64) is None
        image = store.page_image(REPORT.id, 2)
        assert image is not None and image_media_type(image) == "image/png"
        assert store.page_image(REPORT.id, 3) is None
        assert store.page_image_numbers(REPORT.id) == [1, 2]
        assert [r.id for r in store.iter_records()] == [REPORT.id]
        assert store.find_ids(REPORT.id[:6]) == [REPORT.id]
        assert store.find_ids("not-hex") == []
        row = sql(db, "SELECT * FROM documents")[0]
        assert row["issuer"] == "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH"
        assert row["year"] == 2023 and row["n_pages"] == 2
    with open_store(db, readonly=True) as again:
        assert again.get_record(REPORT.id) == REPORT
        with pytest.raises(sqlite3.OperationalError):
            again.add_document(REPORT, {})


def test_replace_keeps_index_consistent(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        store.add_document(REPORT, {1: png()})
        assert fts_count(db, "fts", '"dang" "vien"') == 1
        changed = make_record("report-196", ["Nghị quyết về công tác cán bộ."], subject="Khác")
        store.add_document(changed, {})
        assert store.count_documents() == 1
        assert fts_count(db, "fts", '"dang" "vien"') == 0
        assert fts_count(db, "fts", '"nghi" "quyet"') == 1
        assert fts_count(db, "fts_exact", '"nghị"') == 1
        assert store.page_image(changed.id, 1) is None
        assert store.count_pages() == 1
        assert store.delete_document(changed.id)
        assert not store.delete_document(changed.id)
        assert fts_count(db, "fts", '"nghi"') == 0


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    broken = make_record("broken", ["một", "hai"])
    broken.pages[1].number = 1  # duplicate page number violates the primary key
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.add_document(broken, {})
        assert store.count_documents() == 0
        assert fts_count(db, "fts", '"mot"') == 0


def test_index_rebuilt_when_version_changes(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        store.add_document(REPORT, {})
    sql(db, "UPDATE meta SET value = 'old' WHERE key = 'index_version'")
    sql(db, "INSERT INTO fts(fts) VALUES ('delete-all')")
    with open_store(db) as store:
        assert fts_count(db, "fts", '"ket" "nap"') == 1


def test_bad_databases(tmp_path: Path) -> None:
    with pytest.raises(BadArgumentsError, match="no such database"):
        open_store(str(tmp_path / "missing.db"), readonly=True)
    with pytest.raises(BadArgumentsError, match="cannot open database"):
        open_store(str(tmp_path / "no" / "such" / "dir.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BadArgumentsError, match="not a sohoa database"):
        open_store(str(junk))
