"""Restoration end to end with the committed model, the CLI, and training a tiny model."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from pipeline.cli import main
from pipeline.restore import Restorer
from pipeline.restore.syllable import canonical, skeleton

CORRECT = (
    "Ban Chấp hành Đảng bộ Khối đã ban hành Chương trình trọng tâm về nâng cao năng lực "
    "lãnh đạo của cấp ủy và chất lượng sinh hoạt chi bộ. Qua gần 3 năm triển khai thực "
    "hiện, các tổ chức cơ sở đảng đã cụ thể hóa nội dung, xây dựng kế hoạch và tổ chức "
    "thực hiện nghiêm túc, đạt được nhiều kết quả quan trọng."
)

# The opening of seed 003 (Tesseract `-l eng` on a real report) and its reading by hand.
SEED_003 = [
    (
        "Puoc su quan tim hudng dan cua cap ty cap trén, ngay sau Pai hoi (Pang bo",
        "Được sự quan tâm hướng dẫn của cấp ủy cấp trên, ngay sau Đại hội (Đảng bộ",
    ),
    (
        "xay dyng Quy ché lam viéc va phan cong nhiém vu cho ting thanh vién dé 1anh",
        "xây dựng Quy chế làm việc và phân công nhiệm vụ cho từng thành viên để lãnh",
    ),
    (
        "dao dang vién thuc hién tot nhiém vu chinh tri cta co quan. Viéc 1anh dao, diéu",
        "đạo đảng viên thực hiện tốt nhiệm vụ chính trị của cơ quan. Việc lãnh đạo, điều",
    ),
    (
        "dan chu, tap thé lanh dao, ca nhan phu trach; thuc hién tét cong tac tu phé binh va",
        "dân chủ, tập thể lãnh đạo, cá nhân phụ trách; thực hiện tốt công tác tự phê bình và",
    ),
    (
        "phé binh, tao dugc su doan két, théng nhat trong toan Pang bo.",
        "phê bình, tạo được sự đoàn kết, thống nhất trong toàn Đảng bộ.",
    ),
]


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.load()


def _accuracy(truth: str, output: str) -> float:
    pairs = list(zip(truth.split(), output.split(), strict=True))
    return sum((canonical(a) == canonical(b) and a[:1] == b[:1]) or a == b for a, b in pairs) / len(
        pairs
    )


def _cer(truth: str, output: str) -> float:
    return Levenshtein.distance(truth, output) / len(truth)


def test_stripped_paragraph_is_restored(restorer: Restorer) -> None:
    result = restorer.restore(skeleton(CORRECT), mode="stripped")
    assert _accuracy(CORRECT, result.text) >= 0.97
    assert result.changed > 40
    assert 0.0 < result.confidence <= 1.0


def test_stripped_seed_paragraph(restorer: Restorer, seeds_dir: Path) -> None:
    text = next(seeds_dir.glob("001_*.txt")).read_text(encoding="utf-8")
    paragraph = max(text.splitlines(), key=len)
    result = restorer.restore(skeleton(paragraph), mode="auto")
    assert _accuracy(paragraph, result.text) >= 0.97


def test_correct_text_is_unchanged(restorer: Restorer) -> None:
    result = restorer.restore(CORRECT)
    assert result.text == CORRECT
    assert result.changed == 0


def test_symbols_numbers_dates_case_and_lines_are_kept(restorer: Restorer) -> None:
    text = (
        "BAO CAO\nThuc hien Quyet dinh so 62-QD/TW, ngay 15/3/1993 va Chuong trinh so "
        "13-CTr/ĐUK (1.117 chi bo); Dang bo Khoi!\n\n  - Ket qua: 98,5%."
    )
    out = restorer.restore(text, mode="stripped").text
    assert out.split("\n")[0] == "BÁO CÁO"
    assert "62-QĐ/TW, ngày 15/3/1993" in out
    assert "13-CTr/ĐUK (1.117 chi bộ); Đảng bộ Khối!" in out
    assert out.endswith("\n\n  - Kết quả: 98,5%.")
    assert [len(line) for line in out.split("\n")] == [len(line) for line in text.split("\n")]


def test_low_confidence_spans_point_into_the_output(restorer: Restorer) -> None:
    result = restorer.restore("ban ve cac van de", mode="stripped")
    for start, end, text, confidence in result.low_confidence_spans:
        assert result.text[start:end] == text
        assert confidence < restorer.settings.threshold


def test_seed_003_ocr_lines_improve(restorer: Restorer) -> None:
    ocr = "\n".join(line for line, _ in SEED_003)
    truth = "\n".join(line for _, line in SEED_003)
    for mode in ("ocr", "auto"):
        repaired = restorer.restore(ocr, mode=mode).text
        assert _cer(truth, repaired) < 0.5 * _cer(truth, ocr), repaired


def test_seed_003_meets_its_cer_target(restorer: Restorer, seeds_dir: Path) -> None:
    # Issue 18: seed 003 through `sohoa restore --mode ocr`, against the hand truth of
    # corpus/restore/seed003.truth.txt, at most 1.5% CER (24.6% bare, 1.83% before the
    # confusion-key search and the punctuation cue).
    truth_file = Path(__file__).resolve().parent.parent / "corpus/restore/seed003.truth.txt"
    truth = truth_file.read_text(encoding="utf-8").split("\n")
    text = next(seeds_dir.glob("003_*.txt")).read_text(encoding="utf-8")
    repaired = restorer.restore(text, mode="ocr").text.split("\n")
    assert len(repaired) == len(truth)
    pairs = [
        (" ".join(canonical_words(t)), " ".join(canonical_words(o)))
        for t, o in zip(truth, repaired, strict=True)
    ]
    errors = sum(Levenshtein.distance(t, o) for t, o in pairs)
    assert errors / sum(len(t) for t, _ in pairs) <= 0.015


def canonical_words(line: str) -> list[str]:
    """Words with the tone at its canonical place (hoá = hòa), case kept."""
    return [
        canonical(w).upper() if w.isupper() and len(w) > 1 else
        canonical(w)[:1].upper() + canonical(w)[1:] if w[:1].isupper() else canonical(w)
        for w in line.split()
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        # A full stop before a blank line and a numbered heading ends a paragraph; the
        # language model, blind to lines, wrote `quan,`.
        ("an toan xa hoi tai co quan.\n\n1.2. Cong tac", "tại cơ quan.\n\n1.2. Công tác"),
        # A mark glued to letters is no sentence's end (a web address).
        ("Dang tai trang sinhvien.epu.edu.vn", "sinhvien.epu.edu.vn"),
    ],
)
def test_ocr_punctuation_reads_what_follows(restorer: Restorer, ocr: str, expected: str) -> None:
    assert expected in restorer.restore(ocr, mode="ocr").text


@pytest.mark.parametrize(
    ("token", "word"),
    [("caa", "của"), ("cia", "của"), ("s&", "sở"), ("Iy", "lý"), ("tt", "tốt")],
)
def test_ocr_candidates_follow_the_learned_confusions(
    restorer: Restorer, token: str, word: str
) -> None:
    # Short keys have dozens of neighbours at one edit: the search by the channel's own
    # confusions (a for ủ, & for ở, I for l, a dropped ố) finds the word among them.
    assert restorer.channel is not None
    found = restorer.channel.candidates(token, restorer.lexicon, restorer.lm.unigram_logp)
    assert word in [form for _, _, form in found]


def test_unknown_mode_is_refused(restorer: Restorer) -> None:
    from pipeline.errors import BadArgumentsError

    with pytest.raises(BadArgumentsError):
        restorer.restore("x", mode="fast")


def test_cli_restore_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"Dang bo Khoi da ban hanh QD/TW\n"))
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["restore", "-", "--mode", "stripped"]) == 0
    assert capsys.readouterr().out == "Đảng bộ Khối đã ban hành QĐ/TW\n"


def test_cli_restore_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    # A missing input is a bad argument (exit 2, issue 14), and the message names the file.
    assert main(["restore", "/nonexistent/file.txt"]) == 2
    assert "/nonexistent/file.txt" in capsys.readouterr().err


def test_train_lm_builds_a_usable_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "clean.txt"
    corpus.write_text((CORRECT + "\n") * 3, encoding="utf-8")
    out = tmp_path / "model"
    assert main(["train-lm", str(corpus), "--out", str(out), "--min-count", "1"]) == 0
    assert '"order": 3' in capsys.readouterr().out
    tiny = Restorer.load(out)
    result = tiny.restore(skeleton(CORRECT), mode="stripped")
    assert _accuracy(CORRECT, result.text) >= 0.95


def test_channel_adapts_to_a_document(restorer: Restorer) -> None:
    channel = restorer.channel
    assert channel is not None
    adapted = channel.adapted(
        Counter({("Đảng", "Pang"): 10, ("Đoàn", "Poan"): 10, ("Đại", "Pai"): 10})
    )
    assert adapted.cost("Đảng", "Pang") < channel.cost("Đảng", "Pang") - 2.0
    assert adapted.cost("thư", "thu") == channel.cost("thư", "thu")  # letters not seen


def test_footnote_small_print_is_repaired_as_ocr_output() -> None:
    """A footnote's small print read with other valid marks is kept by `auto`, which
    judges the line correct; the line's small type and note number send it to `ocr`."""
    from pipeline.record import Line, Page
    from pipeline.run.page import _repair_footnotes

    body = "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện."
    note = "1 Có biểu tống hợp chỉ tiết kèm theo báo cáo này."
    raw = f"{body}\n\n{note}"
    lines = [
        Line(body, [300, 2000, 2200, 2055], 95.0, 1, []),  # body type: 55 px
        Line(note, [300, 3200, 1500, 3242], 95.0, 2, []),  # small print: 42 px
    ]
    page = Page(number=1, text=raw, raw_text=raw, confidence=95.0, method="ocr", lines=lines)
    restorer = Restorer.load()
    auto = restorer.restore(raw, mode="auto")
    assert "tống hợp chỉ tiết" in auto.text  # what `auto` alone leaves
    text, spans = _repair_footnotes(restorer, page, auto.text, list(auto.low_confidence_spans))
    assert text.split("\n")[0] == auto.text.split("\n")[0]
    assert "tổng hợp chi tiết" in text.split("\n")[2]
    assert all(0 <= start < end <= len(text) for start, end, _, _ in spans)


def test_the_shipped_model_is_found_in_a_checkout_an_install_or_where_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.restore.restorer import SOURCE_TREE, default_model

    monkeypatch.delenv("SOHOA_MODEL", raising=False)
    assert default_model() == SOURCE_TREE / "models" / "restore"  # this checkout
    installed = default_model(tmp_path)  # a wheel: no models/ beside the package
    assert installed.parts[-4:] == ("share", "sohoa", "models", "restore")
    monkeypatch.setenv("SOHOA_MODEL", str(tmp_path))
    assert default_model() == tmp_path
