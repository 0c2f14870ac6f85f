"""Vietnamese text primitives: the fold, the mark strippers and the one tone placement."""

from __future__ import annotations

import unicodedata
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.encoding import syllable_counts
from pipeline.fields.tables import ocr_number
from pipeline.fields.values import iso_date
from pipeline.storage.search import edit_variants
from pipeline.text.confusions import confusions, translation
from pipeline.text.vietnamese import (
    TONE_MARKS,
    canonical_tones,
    fold,
    set_tone_style,
    strip_marks,
    strip_tone,
    tone_equal,
)

syllable_words = st.builds(  # a Vietnamese syllable in lower, title or upper case
    lambda word, case: {0: word, 1: word.capitalize(), 2: word.upper()}[case],
    st.sampled_from(sorted(syllable_counts())),
    st.integers(0, 2),
)
_vietnamese = st.lists(
    st.one_of(syllable_words, st.sampled_from([" ", ", ", "-", "\n", "5", "(", ")", "“", "…"])),
    max_size=30,
).map("".join)
# Any text, Vietnamese-heavy: syllables, arbitrary code points and NFD pieces.
_nfd = _vietnamese.map(lambda t: unicodedata.normalize("NFD", t))
_text = st.one_of(_vietnamese, st.text(), _nfd)


# --- tone placement --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("Hòa", "Hoà"),
        ("HÒA", "HOÀ"),
        ("khỏe", "khoẻ"),
        ("thúy", "thuý"),
        ("ủy", "uỷ"),
        ("Ủy", "Uỷ"),
        ("tòa", "toà"),
        ("xóa", "xoá"),
        ("HỎA TỐC", "HOẢ TỐC"),
        ("Thanh Hóa", "Thanh Hoá"),
        ("òa", "oà"),
        ("hànghóa", "hànghoá"),  # two words OCR ran together
    ],
)
def test_tone_styles_differ_only_on_open_oa_oe_uy(old: str, new: str) -> None:
    assert set_tone_style(new, "old") == old
    assert set_tone_style(old, "new") == new
    assert set_tone_style(old, "old") == old
    assert set_tone_style(new, "new") == new
    assert tone_equal(old, new)
    assert canonical_tones(old) == canonical_tones(new) == old


@pytest.mark.parametrize(
    "word",
    [
        "quý",
        "quả",
        "hoàng",
        "toán",
        "khuyết",
        "huỳnh",
        "khuya",
        "thuở",
        "thuế",
        "già",
        "ngoài",
        "xoáy",
        "khuỷu",
        "mùa",
        "kìa",
        "Hoà-Bình?",
        "hoa",
        "HUY",
        "UBND",
        "café",
        "hoà1",  # a letter or digit after the rhyme: not the end of a syllable
    ],
)
def test_tone_style_leaves_other_syllables_alone(word: str) -> None:
    expected = {"Hoà-Bình?": "Hòa-Bình?"}.get(word, word)
    assert set_tone_style(word, "old") == expected
    assert set_tone_style(expected, "new") == word


def test_qu_never_carries_the_tone() -> None:
    """`qu`'s u is the onset: a mark OCR or a typist put on it belongs to the vowel after."""
    for style in ("old", "new"):
        assert set_tone_style("qúy Qũy QÙY", style) == "quý Quỹ QUỲ"  # type: ignore[arg-type]
    assert tone_equal("qúy", "quý")


def test_tone_equal_keeps_d_and_tones_distinct() -> None:
    assert not tone_equal("đảng", "dảng")
    assert not tone_equal("hòa", "hóa")
    assert tone_equal("hoa\u0300", "hòa")


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tone style"):
        set_tone_style("hoà", "modern")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(_text)
def test_canonical_tones_is_nfc_idempotent_and_keeps_letters(text: str) -> None:
    canonical = canonical_tones(text)
    assert unicodedata.is_normalized("NFC", canonical)
    assert canonical_tones(canonical) == canonical
    assert canonical_tones(set_tone_style(text, "new")) == canonical
    assert set_tone_style(canonical, "new") == set_tone_style(text, "new")
    assert strip_tone(canonical) == strip_tone(text)  # only a tone moved
    assert fold(canonical) == fold(unicodedata.normalize("NFC", text))


# --- fold and mark strippers -----------------------------------------------------------------


def test_fold() -> None:
    assert fold("ĐẢNG ỦY Đồng Tháp") == "dang uy dong thap"
    assert fold("Số 12–QĐ/UBND “Hoà”") == 'so 12-qd/ubnd "hoa"'
    assert fold("Ðà Nẵng\u00a0ƯỚC") == "da nang uoc"  # an eth typed for Đ, a no-break space
    long = "Ủy ban nhân dân tỉnh Khánh Hòa – " * 20  # the vectorised path
    assert fold(long) == "".join(fold(c) for c in long)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_fold_keeps_length_and_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded


@settings(max_examples=300, deadline=None)
@given(st.lists(syllable_words, max_size=12).map(" ".join))
def test_fold_of_vietnamese_is_stripped_lower_case(text: str) -> None:
    assert fold(text) == strip_marks(text).lower()
    assert fold(text) == fold(strip_tone(text)) == fold(canonical_tones(text))
    assert fold(text).isascii()


def test_strip_marks() -> None:
    assert strip_marks("Đảng viên kết nạp") == "Dang vien ket nap"
    assert strip_marks("Đảng viên kết nạp", keep_d=True) == "Đang vien ket nap"
    assert strip_marks("Hoà ƯỚC") == "Hoa UOC"


def test_strip_tone_keeps_hats_and_d() -> None:
    assert strip_tone("Đảng chuyển ƯỚC hoà") == "Đang chuyên ƯƠC hoa"


@settings(max_examples=300, deadline=None)
@given(_text)
def test_strippers_are_idempotent_and_drop_what_they_say(text: str) -> None:
    bare = strip_marks(text)
    assert strip_marks(bare) == bare
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", bare))
    toneless = strip_tone(text)
    assert strip_tone(toneless) == toneless
    assert not set(unicodedata.normalize("NFD", toneless)) & set(TONE_MARKS)
    assert strip_marks(toneless) == bare


# --- OCR confusion tables --------------------------------------------------------------------

# The tables as they stood in code before they became data files (fields/header, values,
# tables, body, rules; ocr; storage/search): loading must give exactly these.
_TABLES_IN_CODE: dict[str, dict[str, str]] = {
    "initial-d": {"p": "d", "b": "d"},
    "initial-b": {"r": "b"},
    "number-line-digits": {
        "Z": "2", "z": "2", "§": "8", "I": "1", "l": "1", "|": "1", "!": "1", "O": "0", "o": "0"
    },
    "digits": {"i": "1", "l": "1", "|": "1", "!": "1", "o": "0"},
    "date-digits": {
        "i": "1", "l": "1", "|": "1", "!": "1", "]": "1", "o": "0", "q": "0", "u": "0", "s": "8",
        "t": "1", "+": "1",
    },
    "cell-digits": dict.fromkeys("Il|!][Jjíì", "1") | dict.fromkeys("OoÔô", "0"),
    "stt-strokes": dict.fromkeys("Il1|!][íìỉịÍÌỈỊJj", "i") | {"H": "ii", "U": "ii"},
    "roman-strokes": {"1": "i", "|": "i", "l": "i", "h": "ii"},
    "footnote-marker": {"!": "1", "|": "1", "'": "1"},
    "code-letters": {
        "B": "Đ", "P": "Đ", "D": "Đ", "0": "O", "1": "I", "l": "I", "7": "T", "8": "B", "Y": "T"
    },
    "eth": {"Ð": "Đ", "ð": "đ", "Ɖ": "Đ"},
    "fraction-slash": {"⁄": "/", "∕": "/"},
    "header-star": dict.fromkeys("*+×xX¥#%※", "*"),
    "letter-pairs": {"rn": "m", "cl": "d", "li": "h", "vv": "w", "ii": "u", "in": "m"},
}  # fmt: skip


def test_every_confusion_table_says_what_it_is_for() -> None:
    folder = resources.files("pipeline.text") / "data" / "confusions"
    names = sorted(p.name.removesuffix(".tsv") for p in folder.iterdir() if p.name.endswith(".tsv"))
    assert names == sorted(_TABLES_IN_CODE)
    for name in names:
        lines = (folder / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
        note = [line for line in lines if line.startswith("# ")]
        assert len(note) >= 2, name  # what it is for, where it was measured
        assert all(line.count("\t") == 1 for line in lines if line not in note), name


@pytest.mark.parametrize("name", sorted(_TABLES_IN_CODE))
def test_confusion_tables_load_as_they_stood_in_code(name: str) -> None:
    rows = confusions(name)
    assert dict(rows) == _TABLES_IN_CODE[name]
    assert len(rows) == len(_TABLES_IN_CODE[name])  # no row given twice
    if all(len(read) == 1 for read, _ in rows):
        assert translation(name) == str.maketrans(_TABLES_IN_CODE[name])


def test_confusion_tables_at_work() -> None:
    assert iso_date("2O2I", "I2", "O5") is None  # raw letters are read only once folded
    assert iso_date("2o2i", "i2", "o5") == "2021-12-05"
    assert ocr_number("I8I") == 181
    assert "m" in edit_variants("rn") and "rn" in edit_variants("m")
