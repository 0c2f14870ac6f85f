"""The document cache (pipeline/restore/cache.py): a word pair's spelling elsewhere in the
same document decides a stripped word the trigram gets wrong, and nothing else."""

from __future__ import annotations

import pytest

from pipeline.restore import Restorer, Settings
from pipeline.restore.cache import CacheWord, DocumentCache

PARTY = (
    "Cap uy chi dao cac chi bo thuc hien. Cac cap uy, to chuc dang va dang vien deu tham gia. "
    "Hoi nghi cap uy mo rong da thong nhat. Ban Thuong vu Dang uy yeu cau cap uy co so kiem "
    "diem. Cap uy cac cap can nang cao nang luc lanh dao."
)


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.load()


def test_the_document_decides_a_pair_the_trigram_misreads(restorer: Restorer) -> None:
    without = Restorer.load(None, Settings(cache_weight=0.0)).restore(PARTY, mode="stripped")
    assert "Hội nghị cấp úy" in without.text  # the trigram alone: a military rank
    result = restorer.restore(PARTY, mode="stripped")
    assert "Hội nghị cấp ủy mở rộng" in result.text
    assert result.text.count("cấp ủy") + result.text.count("Cấp ủy") == 5


def test_correct_text_is_evidence_only(restorer: Restorer) -> None:
    correct = (
        "Cấp ủy chỉ đạo các chi bộ. Các cấp ủy đều tham gia. Hội nghị cấp ủy mở rộng.\n"
        "Sĩ quan cấp úy được bổ nhiệm theo quy định."
    )
    assert restorer.restore(correct).text == correct
    # A stripped line in the same document learns from the correct ones.
    mixed = correct + "\nCap uy co so kiem diem, hoi nghi cap uy thong nhat."
    assert restorer.restore(mixed).text.endswith("hội nghị cấp ủy thống nhất.")


def _word(key: str, ids: list[int], marginals: list[float], open_: bool = True) -> CacheWord:
    return CacheWord(key, ids, marginals, open_)


def test_cache_without_evidence_keeps_the_best_posterior() -> None:
    cache = DocumentCache(weight=1.0, smoothing=1.0)
    words = [_word("cap", [1], [1.0]), _word("uy", [2, 3], [0.4, 0.6])]
    cache.add([words])
    assert cache.choose(words, 1) == 1  # only itself was counted
    # Three confident "cấp ủy" elsewhere tip the uncertain one.
    for _ in range(3):
        cache.add([[_word("cap", [1], [1.0]), _word("uy", [2, 3], [0.99, 0.01])]])
    assert cache.choose(words, 1) == 0
    # A closed word (a correct or OCR line) is never re-chosen.
    closed = [words[0], _word("uy", [2, 3], [0.4, 0.6], open_=False)]
    assert cache.choose(closed, 1) == 1
