"""Web UI and JSON API through FastAPI's test client: pages, API, escaping, limits, fuzzing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_search import GARBLED, HOSTILE, KE_HOACH, NGHI_QUYET, RECORDS
from test_store import REPORT, make_record, png

from pipeline.record import validate
from pipeline.storage import open_store
from pipeline.web import create_app, segments

LOW_TEXT = "Đồng chí Bí thư chủ trì hội nghị kiểm điểm."
LOW = make_record(
    "low-confidence",
    [LOW_TEXT],
    subject="Kiểm điểm tập thể",
    low_spans=[(0, 7), (LOW_TEXT.index("hội"), LOW_TEXT.index("hội") + 7)],
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = str(tmp_path_factory.mktemp("web") / "s.db")
    with open_store(path) as writer:
        for record in [*RECORDS, LOW]:
            writer.add_document(record, {n: png(f"p{n}") for n in range(1, len(record.pages) + 1)})
    with (
        open_store(path, readonly=True) as store,
        TestClient(create_app(store), base_url="http://127.0.0.1") as test_client,
    ):
        yield test_client


def test_segments_mark_spans_and_hits() -> None:
    parts = segments("abcdefgh", [(1, 4), (3, 6), (50, 60)], [(2, 3), (7, 8)])
    assert [(p.text, p.low, p.hit) for p in parts] == [
        ("a", False, False),
        ("b", True, False),
        ("c", True, True),
        ("def", True, False),
        ("g", False, False),
        ("h", False, True),
    ]
    assert [p.text for p in segments("", [(0, 3)])] == []


def test_home_lists_everything_with_facets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'Tìm thấy <strong id="total">7</strong> văn bản' in html
    for title in ("Loại văn bản", "Cơ quan ban hành", "Năm", "Địa danh"):
        assert title in html
    assert 'HUYỆN ỦY NAM ĐÀN</a> <span class="count">2</span>' in html


def test_search_page_highlights_and_filters(client: TestClient) -> None:
    html = client.get("/", params={"q": "ket nap", "type": "NQ"}).text
    assert '<strong id="total">1</strong>' in html
    assert "<mark>kết</mark> <mark>nạp</mark>" in html
    assert 'title="Bỏ lọc"' in html


def test_fuzzy_results_are_marked(client: TestClient) -> None:
    html = client.get("/", params={"q": "dang vien ket nap quan chung"}).text
    assert "kết quả gần đúng" in html and GARBLED.doc_type in html


def test_document_page(client: TestClient) -> None:
    html = client.get(f"/documents/{NGHI_QUYET.id}", params={"q": "chi bo"}).text
    assert "Cơ quan ban hành" in html and "HUYỆN ỦY NAM ĐÀN" in html
    assert f'src="/api/documents/{NGHI_QUYET.id}/pages/2/image"' in html
    assert 'id="toggle-raw"' in html and '<article id="raw" class="body raw" hidden>' in html
    assert "<mark>chi</mark> <mark>bộ</mark>" in html
    assert f'href="/api/documents/{NGHI_QUYET.id}?download=true"' in html


def test_low_confidence_spans_marked(client: TestClient) -> None:
    html = client.get(f"/documents/{LOW.id}").text
    assert '<span class="low" title="Độ tin cậy thấp">Đồng ch</span>' in html
    assert '<span class="low" title="Độ tin cậy thấp">hội ngh</span>' in html


def test_hostile_text_is_escaped(client: TestClient) -> None:
    page = client.get(f"/documents/{HOSTILE.id}").text
    hits = client.get("/?q=script+alert").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(" in hits
    for html in (page, hits):
        assert "<script>alert" not in html and "<b>Thử" not in html
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_api_search_and_facets(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "đảng viên", "facets": "true"}).json()
    assert data["total"] >= 3 and data["hits"][0]["exact"] is True
    assert data["facets"]["type"]
    first = data["hits"][0]["snippet"]
    assert all(first["text"][s:e] for s, e in first["highlights"])
    facets = client.get("/api/facets", params={"issuer": "huyện ủy"}).json()
    assert facets["total"] == 2
    assert {v["value"] for v in facets["facets"]["type"]} == {"NQ", "KH"}
    drafts = client.get("/api/search", params={"draft": "yes"}).json()
    assert [hit["id"] for hit in drafts["hits"]] == [KE_HOACH.id]


def test_api_document_and_image(client: TestClient) -> None:
    response = client.get(f"/api/documents/{REPORT.id}")
    assert response.status_code == 200
    validate(response.json())
    assert response.json() == json.loads(REPORT.to_json())
    download = client.get(f"/api/documents/{REPORT.id}", params={"download": "true"})
    assert download.headers["content-disposition"] == f'attachment; filename="{REPORT.id}.json"'
    image = client.get(f"/api/documents/{REPORT.id}/pages/2/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/api/documents/{'0' * 64}", 404),
        (f"/api/documents/{REPORT.id}/pages/9/image", 404),
        (f"/api/documents/{REPORT.id}/pages/0/image", 422),
        (f"/api/documents/{REPORT.id}/pages/-1/image", 422),
        ("/api/documents/..%2F..%2Fetc%2Fpasswd/pages/1/image", 404),
        ("/api/documents/%2E%2E/pages/1/image", 422),
        (f"/api/documents/{REPORT.id.upper()}", 422),
        ("/documents/../../etc/passwd", 404),
        (f"/documents/{'f' * 64}", 404),
        ("/documents/abc", 422),
        ("/api/search?q=" + "x" * 501, 422),
        ("/?q=" + "x" * 501, 422),
        ("/api/search?q=" + "a%20" * 40, 400),
        ("/api/search?year=20x3", 400),
        ("/api/search?from=yesterday", 400),
        ("/api/search?to=2023-13-01", 400),  # no 13th month
        ("/api/facets?from=2023-02-29", 400),
        ("/?from=2023-00", 400),
        ("/api/search?draft=maybe", 400),
        ("/api/search?sort=random", 422),
        ("/api/search?limit=1000", 422),
        ("/api/search?page=0", 422),
        ("/api/search?issuer=" + "x" * 201, 422),
        ("/?year=abc", 400),
        ("/static/../pipeline/store.py", 404),
    ],
)
def test_bad_requests_get_4xx(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text


def test_read_only_and_local_host_only(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for url in ("/api/search", f"/api/documents/{REPORT.id}", "/"):
            assert client.request(method, url).status_code == 405
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/search",
        "/api/facets",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/pages/{number}/image",
        "/api/documents/{doc_id}/original",
        "/api/documents/{doc_id}/pdfa",
    }
    assert all(set(ops) == {"get"} for ops in schema["paths"].values())


QUERY_TEXT = st.text(
    alphabet=st.sampled_from(list('aăâđêdang viênkếtnạp"-:*()^NEAR ORtype year2023BC<>&%\\/\x00')),
    max_size=80,
)
FILTER_TEXT = st.one_of(st.none(), st.text(max_size=30))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=QUERY_TEXT,
    year=FILTER_TEXT,
    issuer=FILTER_TEXT,
    date_from=FILTER_TEXT,
    sort=st.sampled_from(["relevance", "date", "x"]),
)
def test_fuzzed_http_queries_never_500(
    client: TestClient,
    q: str,
    year: str | None,
    issuer: str | None,
    date_from: str | None,
    sort: str,
) -> None:
    params = {"q": q, "year": year, "issuer": issuer, "from": date_from, "sort": sort}
    given_params = {k: v for k, v in params.items() if v is not None}
    for url in ("/api/search", "/api/facets", "/"):
        response = client.get(url, params=given_params)
        assert response.status_code < 500, (url, given_params, response.text)
