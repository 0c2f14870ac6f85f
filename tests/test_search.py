"""Search: folding, query parsing, ranking, filters, fuzzy fallback, snippets, facets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from postgres import BACKENDS, new_archive
from test_store import REPORT, make_record, png

import pipeline.storage.search as search_module
from pipeline.storage import Store, open_store
from pipeline.storage.search import (
    MAX_QUERY_CHARS,
    Filters,
    Term,
    canonical_tones,
    edit_variants,
    fold,
    fold_d,
    has_marks,
    make_filters,
    make_snippet,
    parse_query,
    search,
)
from pipeline.storage.sqlite import exact_expression, match_expression

NGHI_QUYET = make_record(
    "nq-05",
    [
        "Ban Chấp hành Đảng bộ huyện quyết nghị về công tác kết nạp đảng viên trong năm 2022.",
        "Các chi bộ thực hiện nghiêm nguyên tắc tập trung dân chủ; hoà giải ở cơ sở.",
    ],
    subject="Về nâng cao chất lượng sinh hoạt chi bộ",
    doc_type="NGHỊ QUYẾT",
    type_code="NQ",
    issuer=["ĐẢNG BỘ TỈNH NGHỆ AN", "HUYỆN ỦY NAM ĐÀN"],
    issuer_code="HU",
    number=5,
    place="Nam Đàn",
    date="2022-03-15",
)
KE_HOACH = make_record(
    "kh-12",
    ["Kế hoạch tổ chức hội nghị học tập chuyên đề năm 2021 cho cán bộ, đảng viên."],
    subject="Tổ chức học tập chuyên đề",
    doc_type="KẾ HOẠCH",
    type_code="KH",
    issuer=["HUYỆN ỦY NAM ĐÀN"],
    issuer_code="HU",
    number=12,
    place="Nam Đàn",
    date="2021-06",
    draft="Dự thảo lần 2",
)
DANG_DOAN = make_record(
    "dang-doan",
    ["Dang đoàn Hội Nông dân làm việc với các dàng viên tại cơ sở."],
    subject="Làm việc tại cơ sở",
    doc_type="THÔNG BÁO",
    type_code="TB",
    date="2020-11-02",
)
# Residual OCR errors a restorer may leave: "đảng vlên", "kêt nạp" → "kct nạp".
GARBLED = make_record(
    "garbled",
    ["Công tác phát triển đảng vlên mới và kct nạp quần chúng ưu tú vào Đảng."],
    subject="Phát triển tổ chức",
    doc_type="BÁO CÁO",
    type_code="BC",
    date="2019-01-01",
)
HOSTILE = make_record(
    "hostile",
    ['Văn bản thử <script>alert("x")</script> & "ngoặc" NEAR(a b) * -x'],
    subject="<b>Thử</b> ký tự đặc biệt",
    date="2018",
)
RECORDS = [REPORT, NGHI_QUYET, KE_HOACH, DANG_DOAN, GARBLED, HOSTILE]


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    db = new_archive(request, tmp_path_factory.mktemp("search"))
    with open_store(db) as writer:
        for record in RECORDS:
            writer.add_document(record, {1: png()})
    with open_store(db, readonly=True) as reader:
        yield reader


def ids(store: Store, query: str, **kwargs: object) -> list[str]:
    result = search(store, query, limit=100, **kwargs)  # type: ignore[arg-type]
    assert result.error is None, result.error
    return [hit.id for hit in result.hits]


# --- text functions --------------------------------------------------------------------------


def test_fold() -> None:
    assert fold("Đảng viên KẾT NẠP") == "dang vien ket nap"
    assert fold_d("Đảng đoàn") == "Dảng doàn"
    assert fold("Quốc hội, Ưu tú") == "quoc hoi, uu tu"
    decomposed = "ke\u0302\u0301t na\u0323p"  # NFD input folds the same
    assert fold(decomposed) == "ket nap"


def test_canonical_tones_meets_both_spellings() -> None:
    assert canonical_tones("hòa bình, khỏe, thủy lợi") == "hoà bình, khoẻ, thuỷ lợi"
    assert canonical_tones("HÒA") == "HOÀ"
    assert canonical_tones("hoàn thành, quý, thuyền") == "hoàn thành, quý, thuyền"


def test_has_marks() -> None:
    assert has_marks("đang") and has_marks("viên") and not has_marks("Dang")


def test_edit_variants_cover_ocr_confusions() -> None:
    variants = edit_variants("vien")
    assert variants["vlen"] == variants["viem"] == 0  # misread characters
    assert variants["vie"] == variants["vienn"] == variants["vein"] == 1
    assert "vien" not in variants
    assert edit_variants("clang")["dang"] == edit_variants("narn")["nam"] == 0


# --- parsing ---------------------------------------------------------------------------------


def test_parse_words_phrases_exclusions_fields() -> None:
    parsed = parse_query(
        'dang vien "sinh hoạt chi bộ" -dự -"tổng kết" type:BC year:2020-2023 '
        'issuer:"huyện ủy" symbol:ĐUK place:Nam draft:yes from:2021 to:2023-06'
    )
    assert parsed.terms == (
        Term(("dang",)),
        Term(("vien",)),
        Term(("sinh", "hoạt", "chi", "bộ"), phrase=True),
        Term(("dự",), negate=True),
        Term(("tổng", "kết"), phrase=True, negate=True),
    )
    assert parsed.filters == Filters(
        type="bc",
        issuer="huyen uy",
        place="nam",
        symbol="duk",
        year_from=2020,
        year_to=2023,
        date_from="2021",
        date_to="2023-06",
        draft=True,
    )
    assert parsed.notes == ()


def test_parse_vietnamese_field_names_and_bad_values() -> None:
    parsed = parse_query("loại:NQ năm:2022 năm:hai draft:maybe -type:BC http://x")
    assert parsed.filters.type == "nq"
    assert parsed.filters.year_from == 2022  # the bad year:hai is ignored with a note
    assert len(parsed.notes) == 3
    assert [t.words for t in parsed.terms] == [("http", "x")]


def test_chunk_with_punctuation_is_a_phrase() -> None:
    assert parse_query("196-BC/ĐUK").terms == (Term(("196", "BC", "ĐUK"), phrase=True),)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced quote',
        "-",
        "- -",
        "*",
        "NEAR(",
        "NEAR(a b)",
        "a OR",
        "AND",
        "(",
        ")",
        "type:",
        ":",
        "::x",
        '"" ""',
        '-""',
        "\\",
        "a\x00b",
        "'; DROP TABLE documents; --",
        "^a",
        "a:b:c",
        "\u0301\u0300",
        "ĐẢNG*",
        "{x}",
        "col:x",
        "x" * MAX_QUERY_CHARS,
    ],
)
def test_malformed_queries_never_raise(store: Store, query: str) -> None:
    result = search(store, query)
    assert result.error is None
    assert result.total >= 0


def test_too_long_or_too_many_words_is_a_message(store: Store) -> None:
    result = search(store, "x" * (MAX_QUERY_CHARS + 1))
    assert result.error and "quá dài" in result.error and result.hits == []
    result = search(store, " ".join(["a"] * 40))
    assert result.error and "quá nhiều" in result.error


def test_match_expressions_quote_everything() -> None:
    parsed = parse_query('đảng NEAR( -"a b" OR')
    assert match_expression(parsed.terms) == '("dang" AND "near" AND "or") NOT (("a b"))'
    assert exact_expression(parsed.terms) == '"đảng"'
    assert match_expression(parse_query("-x").terms) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_query_gives_a_valid_match_expression(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    parsed = parse_query(text)
    for expr in (match_expression(parsed.terms), exact_expression(parsed.terms)):
        if expr:
            conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('ađêdang viênkếtnạp"-:*()^NEAR ORtype yearissuer2023BC')),
        max_size=60,
    )
)
def test_fuzzed_queries_against_the_store(store: Store, text: str) -> None:
    result = search(store, text, facets=True)
    assert result.error is None
    assert result.total >= len(result.hits)


# --- search behaviour ------------------------------------------------------------------------


def test_accent_free_query_finds_accented_text(store: Store) -> None:
    found = ids(store, "dang vien ket nap")
    assert set(found) >= {REPORT.id, NGHI_QUYET.id}


def test_d_folding_both_ways(store: Store) -> None:
    assert DANG_DOAN.id in ids(store, "dang doan")  # Đ/đ in the text, d in the query
    assert DANG_DOAN.id in ids(store, "Đảng đoàn")  # đ in the query, "Dang đoàn" in the text


def test_tone_marks_rank_exact_accent_first(store: Store) -> None:
    result = search(store, "đảng viên", limit=100)
    exact = [hit.exact for hit in result.hits]
    assert exact == sorted(exact, reverse=True)  # exact matches first
    by_id = {hit.id: hit.exact for hit in result.hits}
    assert by_id[REPORT.id] and not by_id[DANG_DOAN.id]  # "dàng viên" is not exact
    assert not any(hit.exact for hit in search(store, "dang vien").hits)


def test_old_and_new_tone_placement_match_exactly(store: Store) -> None:
    for query in ("hòa giải", "hoà giải"):
        hits = search(store, query).hits
        assert hits[0].id == NGHI_QUYET.id and hits[0].exact


def test_phrase_and_exclusion(store: Store) -> None:
    assert ids(store, '"sinh hoat chi bo"') == [NGHI_QUYET.id]
    assert NGHI_QUYET.id in ids(store, "chi bo")
    assert NGHI_QUYET.id not in ids(store, "dang vien -nghe")
    assert ids(store, "-dang") == [HOSTILE.id]  # exclusions alone list the rest


def test_field_filters(store: Store) -> None:
    assert ids(store, "type:NQ") == [NGHI_QUYET.id]
    assert ids(store, 'type:"nghị quyết"') == [NGHI_QUYET.id]
    assert set(ids(store, 'issuer:"huyện ủy"')) == {NGHI_QUYET.id, KE_HOACH.id}
    assert ids(store, "issuer:HU year:2021") == [KE_HOACH.id]
    assert ids(store, "symbol:ĐUK") == [REPORT.id]
    assert ids(store, "place:nam dan draft:yes") == [KE_HOACH.id]
    assert KE_HOACH.id not in ids(store, "draft:no")
    assert set(ids(store, "year:2021-2022")) == {NGHI_QUYET.id, KE_HOACH.id}


def test_date_range_keeps_partial_dates(store: Store) -> None:
    # KE_HOACH is dated "2021-06" (day left blank): inside June 2021 either way.
    found = ids(store, "", filters=make_filters(date_from="2021-06-10", date_to="2021-06-30"))
    assert found == [KE_HOACH.id]
    found = ids(store, "", filters=make_filters(date_from="2022-03-16"))
    assert set(found) == {REPORT.id}


def test_option_filters_override_query_fields(store: Store) -> None:
    assert ids(store, "type:BC", filters=make_filters(type="NQ")) == [NGHI_QUYET.id]
    with pytest.raises(ValueError, match="năm"):
        make_filters(year="20x3")
    with pytest.raises(ValueError, match="ngày"):
        make_filters(date_from="3/2021")


def test_sort_by_date_and_pagination(store: Store) -> None:
    dates = [hit.date for hit in search(store, "", sort="date", limit=100).hits]
    assert dates == ["2023-07-06", "2022-03-15", "2021-06", "2020-11-02", "2019-01-01", "2018"]
    first = search(store, "", sort="date", limit=4, page=1)
    second = search(store, "", sort="date", limit=4, page=2)
    beyond = search(store, "", sort="date", limit=4, page=9)
    assert first.total == second.total == beyond.total == len(RECORDS)
    assert first.pages == 2 and len(second.hits) == 2 and beyond.hits == []
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_fuzzy_fallback_is_marked(store: Store) -> None:
    result = search(store, "phat trien dang vien ket nap")
    assert result.fuzzy
    assert [hit.id for hit in result.hits] == [GARBLED.id]
    assert "vlen" in result.corrections["vien"] and "kct" in result.corrections["ket"]
    marked = {result.hits[0].snippet.text[s:e] for s, e in result.hits[0].snippet.highlights}
    assert {"vlên", "kct"} <= marked
    assert not search(store, "dang vien").fuzzy
    nothing = search(store, "zzqxw")
    assert nothing.total == 0 and not nothing.fuzzy


def test_snippet_highlights_original_accented_text(store: Store) -> None:
    hit = search(store, "ket nap dang vien").hits[0]
    words = {hit.snippet.text[s:e].lower() for s, e in hit.snippet.highlights}
    assert words == {"kết", "nạp", "đảng", "viên"}
    assert hit.snippet.page is not None


def test_snippet_picks_the_page_and_window() -> None:
    text = "mở đầu " * 100 + "kết nạp đảng viên mới" + " kết thúc" * 100
    snippet = make_snippet(text, frozenset({"dang", "vien"}))
    assert snippet.text.startswith("… ") and snippet.text.endswith(" …")
    assert len(snippet.text) <= 250
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["đảng", "viên"]


def test_subject_ranks_above_body(store: Store) -> None:
    # "chất lượng sinh hoạt" is NGHI_QUYET's subject; REPORT has "sinh hoạt" in its body.
    assert ids(store, "sinh hoat")[0] == NGHI_QUYET.id


def test_facets_count_the_matching_documents(store: Store) -> None:
    result = search(store, "dang", facets=True)
    assert result.facets is not None
    types = {v.value: v.count for v in result.facets["type"]}
    assert types["NQ"] == 1 and types["BC"] == 2
    assert {v.value for v in result.facets["issuer"]} == {
        "HUYỆN ỦY NAM ĐÀN",
        "ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
    }
    assert [v.value for v in result.facets["year"]] == sorted(
        [v.value for v in result.facets["year"]], reverse=True
    )
    assert sum(v.count for v in result.facets["type"]) <= result.total


def test_hostile_text_is_just_text(store: Store) -> None:
    hits = search(store, 'script alert "ngoặc"').hits
    assert [hit.id for hit in hits] == [HOSTILE.id]


def test_empty_store(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "empty.db")) as empty:
        result = search(empty, "dang vien", facets=True)
        assert result.total == 0 and not result.fuzzy and result.hits == []


def test_broad_queries_rank_subject_tier_then_date(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "RANK_LIMIT", 2)
    result = search(store, "dang", limit=100)
    assert result.ranking == "subject-then-date" and result.total == 5
    found = [hit.id for hit in result.hits]
    # "Đảng" in the issuer lines (meta column) of REPORT and NGHI_QUYET: that tier first.
    assert set(found[:2]) == {REPORT.id, NGHI_QUYET.id}
    assert found[2:] == [KE_HOACH.id, DANG_DOAN.id, GARBLED.id]  # then newest first
    assert any("quá nhiều" in note for note in result.notes)
    second = search(store, "dang", limit=2, page=2)
    assert [hit.id for hit in second.hits] == [KE_HOACH.id, DANG_DOAN.id]
    assert search(store, "dang", filters=make_filters(type="BC")).ranking == "relevance"


@pytest.mark.parametrize("head_ranked", [True, False])
@pytest.mark.parametrize("query", ["dang", "đảng", "Đảng viên", "chi bộ", '"chi bo" -hinh'])
def test_broad_query_pages_follow_one_order(
    store: Store, monkeypatch: pytest.MonkeyPatch, query: str, head_ranked: bool
) -> None:
    """Broad queries (PostgreSQL reads them a tier at a time): any page size gives the same
    sequence as one long page, in the order exact first, then the subject/meta tier by
    score (PostgreSQL: by date when it holds over RELEVANCE_LIMIT documents), then the rest
    newest first."""
    from pipeline.storage import postgres

    monkeypatch.setattr(search_module, "RANK_LIMIT", 1)
    if not head_ranked:
        if not isinstance(store, postgres.PostgresStore):
            pytest.skip("SQLite ranks the subject/meta tier whatever its size")
        monkeypatch.setattr(postgres, "RELEVANCE_LIMIT", 0)
    whole = search(store, query, limit=100)
    if whole.total <= 1:
        pytest.skip("needs more than one match")
    assert whole.ranking == "subject-then-date" and len(whole.hits) == whole.total
    for size in (1, 2, 3):
        pages = [search(store, query, limit=size, page=n) for n in range(1, whole.total + 1)]
        assert [h.id for p in pages for h in p.hits][: whole.total] == [h.id for h in whole.hits]
    keys = [(not h.exact, h.score == 0) for h in whole.hits]
    assert keys == sorted(keys)
    for group in ((e, z) for e in (False, True) for z in (False, True)):
        hits = [h for h, key in zip(whole.hits, keys, strict=True) if key == group]
        if group[1] or not head_ranked:
            dates = [h.date or "" for h in hits]
            assert dates == sorted(dates, reverse=True)
        else:
            scores = [h.score for h in hits]
            assert scores == sorted(scores, reverse=True)


def test_postgres_counts_broad_queries_up_to_a_cap(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL counts at most COUNT_LIMIT matches and says so; more matches than that
    are too many to rank (the tier order, as for more than RANK_LIMIT), and facets count
    the first COUNT_LIMIT matches."""
    from pipeline.commands.search import format_result
    from pipeline.storage import postgres

    exact = search(store, "dang", limit=3, facets=True)
    assert exact.total_exact and exact.total == 5
    if not isinstance(store, postgres.PostgresStore):
        pytest.skip("SQLite counts every match")
    monkeypatch.setattr(search_module, "RANK_LIMIT", 1)
    tiered = search(store, "dang", limit=3)
    monkeypatch.setattr(search_module, "RANK_LIMIT", 5000)
    monkeypatch.setattr(postgres, "COUNT_LIMIT", 4)
    capped = search(store, "dang", limit=3, facets=True)
    assert not capped.total_exact and capped.total == 4 and capped.pages == 2
    assert capped.ranking == "subject-then-date"
    assert [h.id for h in capped.hits] == [h.id for h in tiered.hits]
    assert capped.facets is not None
    assert sum(v.count for v in capped.facets["year"]) == 4
    assert any("4 văn bản khớp đầu" in note for note in capped.notes)
    assert format_result(capped).startswith("more than 4 documents")
    assert search(store, "dang", limit=3, page=3).hits == []
