"""Recall: accent-free queries find every document holding the accented words, and the
document whose subject holds them ranks first.

The documents are paragraphs of the clean seed reports (../shared/seeds/001, 002, 004); the
truth is computed with unidecode, independently of the search module's own folding.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import BACKENDS, new_archive
from test_store import make_record
from unidecode import unidecode

from pipeline.record import Record
from pipeline.storage import Store, open_store
from pipeline.storage.search import has_marks, index_columns, search

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED_FILES = ("001_399e87c44336a24b.txt", "002_733a3f2f8d7c3fab.txt", "004_f85f0870cefe13e7.txt")
PAIRS = 60
WORD = re.compile(r"[^\W_]+")

pytestmark = pytest.mark.skipif(
    not all((SEEDS / name).is_file() for name in SEED_FILES),
    reason=f"seed reports not found in {SEEDS}",
)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def plain(text: str) -> set[str]:
    """Accent-free lower-case words, by unidecode (not by pipeline.search.fold)."""
    return {w for w in words(unidecode(text).lower())}


def corpus() -> tuple[list[Record], list[tuple[str, Record]]]:
    """Base documents of three seed paragraphs each, and (phrase, subject document) pairs."""
    paragraphs = [
        line.strip()
        for name in SEED_FILES
        for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()
        if len(line.split()) >= 8
    ]
    base = [
        make_record(f"seed-doc-{i}", paragraphs[i : i + 3], date=f"{2015 + i % 9}-01-01")
        for i in range(0, len(paragraphs), 3)
    ]
    document_frequency: Counter[tuple[str, str]] = Counter()
    for record in base:
        bigrams = set()
        for page in record.pages:
            tokens = words(page.text.lower())
            bigrams |= {(a, b) for a, b in itertools.pairwise(tokens) if has_marks(a + b)}
        document_frequency.update(bigrams)
    candidates = sorted(
        (
            pair
            for pair, n in document_frequency.items()
            if 2 <= n <= 40 and min(map(len, pair)) > 1
        ),
        key=lambda pair: (-document_frequency[pair], pair),
    )
    pairs: list[tuple[str, Record]] = []
    used: set[str] = set()
    for a, b in candidates:
        if a in used and b in used:
            continue  # prefer pairs that bring new words
        used |= {a, b}
        phrase = f"{a} {b}"
        subject_doc = make_record(
            f"subject-{phrase}",
            ["Nội dung chi tiết xem phụ lục kèm theo."],
            subject=f"Về {phrase}",
            doc_type="BÁO CÁO",
            type_code="BC",
        )
        pairs.append((phrase, subject_doc))
        if len(pairs) == PAIRS:
            break
    return base, pairs


@pytest.fixture(scope="module", params=BACKENDS)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, list[Record], list]]:
    base, pairs = corpus()
    records = base + [doc for _, doc in pairs]
    db = new_archive(request, tmp_path_factory.mktemp("recall"))
    with open_store(db) as store:
        for record in records:
            store.add_document(record, {})
        yield store, records, pairs


def test_recall_and_subject_first(built: tuple[Store, list[Record], list]) -> None:
    store, records, pairs = built
    assert len(pairs) >= 50
    indexed = {r.id: plain(" ".join(index_columns(r))) for r in records}
    for phrase, subject_doc in pairs:
        query = unidecode(phrase)
        assert not any(has_marks(w) for w in query.split())
        truth = {doc_id for doc_id, vocab in indexed.items() if plain(phrase) <= vocab}
        result = search(store, query, limit=100)
        found = [hit.id for hit in result.hits]
        assert not result.fuzzy
        assert set(found) == truth, phrase
        assert result.total == len(truth) >= 3, phrase
        assert found[0] == subject_doc.id, phrase
