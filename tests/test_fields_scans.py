"""Field extraction on scanned documents: header lines OCR moved or wrapped, footnote
markers and appendix labels OCR damaged, and the re-reading of a scan's subject and table
captions with the restoration model. Each case is a habit seen on train scans (seeds
9000-9363, scripts/eval_fields.py --split train); none comes from the held-out split."""

from __future__ import annotations

import pytest

from pipeline.fields import extract_fields
from pipeline.fields.repair import ModelRepair
from pipeline.record import Page

TABLE = ("STT\tNỘI DUNG\tNăm 2018\tNăm 2019\nI\tBồi dưỡng nghiệp vụ công tác đảng\t148\t277\n"
         "1\t- Bí thư chi bộ\t55\t37\n2\t- Phó Bí thư chi bộ\t40\t68\n")


def _report(head: str, body: str = "Nội dung báo cáo.\n") -> str:
    return (f"TỈNH ỦY HƯNG YÊN\n*\nSố 734-BC/TU\n{head}\n\n"
            f"Căn cứ Báo cáo số 128-BC/TU, ngày 03/01/2020, Ban Thường vụ Tỉnh ủy báo cáo.\n"
            f"{body}\nNơi nhận:\n- Lưu VP.\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nTrần Văn Hải\n")


def _scan(text: str) -> list[Page]:
    return [Page(1, text, text, 80.0, method="ocr")]


# -- header ---------------------------------------------------------------------------------


def test_wrapped_place_and_date_line_after_the_type_line() -> None:
    """Seed 9144 (jpeg): the right column read after the type line, its year wrapped."""
    text = _report("KẾT LUẬN\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nKiên Giang, ngày 19 tháng 6 năm\n2022\n"
                   "thực hiện Chỉ thị số 327-CT/TW của Ban Bí thư")
    r = extract_fields(text)
    assert (r.date, r.place) == ("2022-06-19", "Kiên Giang")
    assert r.subject == "thực hiện Chỉ thị số 327-CT/TW của Ban Bí thư"


def test_draft_mark_read_after_the_type_line() -> None:
    """Seed 9131 (jpeg): "Dự thảo lần 3" between the type line and the subject."""
    text = _report("KẾ HOẠCH\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nHà Nội, ngày 11 tháng 3 năm 2013\n\n"
                   "Dự thảo lần 3\nthực hiện công tác phát triển đảng viên năm\n2013")
    r = extract_fields(text)
    assert r.draft == "Dự thảo lần 3"
    assert r.subject == "thực hiện công tác phát triển đảng viên năm 2013"


def test_subject_goes_on_after_a_blank_line_when_its_line_cannot_end() -> None:
    """Seed 9058 (skew): OCR put a blank line between "của Ban" and "Thường vụ Tỉnh ủy"."""
    text = _report("BÁO CÁO\nSơ kết 5 năm thực hiện Nghị quyết số 74-NQ/TU của Ban\n\n"
                   "Thường vụ Tỉnh ủy")
    assert extract_fields(text).subject == (
        "Sơ kết 5 năm thực hiện Nghị quyết số 74-NQ/TU của Ban Thường vụ Tỉnh ủy")
    text = _report("BÁO CÁO\nSơ kết 5 năm thực hiện Nghị quyết số 74-NQ/TU\n\n"
                   "Thường vụ Tỉnh ủy chỉ đạo như sau.")
    assert extract_fields(text).subject == "Sơ kết 5 năm thực hiện Nghị quyết số 74-NQ/TU"


@pytest.mark.parametrize(("lines", "subject"), [
    # seed 9101: a code letter read as a digit ("C1", written as the known "CT"); seed
    # 9342: a cited date
    ("V⁄v báo cáo kết quả thực hiện Chỉ thị số\n399-C1/BTCTW, ngày 29/5/2007 của Ban\n"
     "Tổ chức Trung ương", "báo cáo kết quả thực hiện Chỉ thị số 399-CT/BTCTW, ngày "
     "29/5/2007 của Ban Tổ chức Trung ương"),
    ("V/v báo cáo kết quả thực hiện Nghị quyết\nsố 44-NQ/HU\nngày 02/02/2015 của Ban\n"
     "Thường vụ Huyện ủy", "báo cáo kết quả thực hiện Nghị quyết số 44-NQ/HU ngày "
     "02/02/2015 của Ban Thường vụ Huyện ủy"),
    # seed 11291: the next line is a place-and-date line whose year OCR lost
    ("V/v báo cáo kết quả thực hiện Kết luận số\n387-KL/BTCTW, ngày 15/9/2014 của Ban\n"
     "Tổ chức Trung ương\nBắc Giang, ngày 15 tháng 01 năm", "báo cáo kết quả thực hiện Kết "
     "luận số 387-KL/BTCTW, ngày 15/9/2014 của Ban Tổ chức Trung ương"),
    # seed 9332: a wrapped line opening with "theo" in small letters is no body opener
    ("VX% Triển khai đẩy mạnh học tập và làm\ntheo tư tưởng, đạo đức, phong cách Hồ Chí\nMinh",
     "Triển khai đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
])
def test_cong_van_subject_wrapped_over_citation_lines(lines: str, subject: str) -> None:
    text = (f"TỈNH ỦY QUẢNG NAM\n*\nSố 952-CV/TU\n{lines}\nĐẢNG CỘNG SẢN VIỆT NAM\n"
            "Tam Kỳ, ngày 14 tháng 6 năm 2012\nKính gửi: Thường trực Tỉnh ủy\n"
            "Thực hiện Báo cáo số 16-BC/TU, Ban Thường vụ đề nghị như sau:\nNội dung.\n")
    assert extract_fields(text).subject == subject


@pytest.mark.parametrize(("line", "date"), [
    ("Mộc Châu, ngày 30 tháng T0 năm 2024", "2024-10-30"),  # seed 9034: 1 read as T
    ("Trà Vinh, ngày ]4 tháng l2 năm 2022", "2022-12-14"),  # seed 9267
    ("Hải Phòng, ngày †0 tháng 02 năm 2013", "2013-02-10"),  # seed 9314
    ("Cẩm Xuyên, ngày 28 tháng I] năm 2016", "2016-11-28"),  # seed 9121
    ("Long An, ngày 27 tháng 0T năm 2016", "2016-01-27"),  # seed 11203
    ("Cao Bằng, ngày 01 tháng 11! năm 2012", "2012-11-01"),  # seed 11199: a speck after it
])
def test_date_digits_read_as_brackets_and_daggers(line: str, date: str) -> None:
    text = _report(f"ĐẢNG CỘNG SẢN VIỆT NAM\n{line}\nBÁO CÁO\nkết quả công tác")
    assert extract_fields(text).date == date


def test_subject_punctuation_ocr_damaged_in_a_citation() -> None:
    """Seeds 9259 (";" for ","), 9011 (a speck inside a code), 11058 and 11307 (a gap read
    inside "BTCTU", which repair made "BTC Từ")."""
    text = _report("BÁO CÁO\nSơ kết 2 năm thực hiện Chỉ thị số 180-CT/TW; ngày 02/8/2008 của "
                   "Ban Chấp hành Trung ương Đảng, Kế hoạch số 79-KH/UBKT'TU và Quyết định "
                   "số 261-QĐ/BTC Từ, ngày 22/7/2008")
    assert extract_fields(text).subject == (
        "Sơ kết 2 năm thực hiện Chỉ thị số 180-CT/TW, ngày 02/8/2008 của Ban Chấp hành "
        "Trung ương Đảng, Kế hoạch số 79-KH/UBKTTU và Quyết định số 261-QĐ/BTCTU, ngày "
        "22/7/2008")


def test_subject_name_parted_from_it_by_a_blank_line() -> None:
    """Seed 11229 (faded): "Hồ Chí Minh" wrapped and set apart by OCR's blank lines."""
    text = _report("HƯỚNG DẪN\nvề đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách\n\n"
                   "Hồ Chí Minh\n")
    assert extract_fields(text).subject == (
        "về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")


# -- footnotes and tables -------------------------------------------------------------------


def test_footnote_markers_read_as_question_mark_or_backquote() -> None:
    """Seeds 9311, 9307, 9054: a raised 2 read as "?" or "`", on the next line or alone at
    the foot of a later page; seed 9184: "2?" (the number and a speck)."""
    body = ("Đảng bộ có 14.103 đảng viên1.\n\n1 Không tính các chi bộ đã giải thể.\n"
            "? Số liệu tính đến ngày 31/12/2016.\n\n2\n")
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [(n.marker, n.text) for n in r.footnotes] == [
        ("1", "Không tính các chi bộ đã giải thể."), ("2", "Số liệu tính đến ngày 31/12/2016.")]
    body = ("Đảng bộ có 14.103 đảng viên1.\n\n1 Có biểu tổng hợp chi tiết kèm theo báo cáo.\n\n"
            "2\n\nCác chi bộ hoàn thành tốt nhiệm vụ2.\n\n"
            "` Theo số liệu thống kê của Ban Tổ chức, có điều chỉnh so với lần\ntrước.\n\n3\n")
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [(n.marker, n.text[:20]) for n in r.footnotes] == [
        ("1", "Có biểu tổng hợp chi"), ("2", "Theo số liệu thống k")]
    body = "Đảng bộ có 14.103 đảng viên.\n\n1 Số liệu tính đến ngày 30/6/2022.\n2? Số liệu năm.\n"
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [n.text for n in r.footnotes][1] == "Số liệu năm."


def test_note_number_whose_leading_1_ocr_read_as_a_letter() -> None:
    """Seeds 25103 (jpeg), 29149 (faded): "và i50 đảng viên", "có I.111" in a note are
    150 and 1.111; a word is left alone."""
    body = ("Đảng bộ có 14.103 đảng viên1.\n\n1 Trong đó có I.895 đảng viên nữ và i50 đảng "
            "viên là người dân tộc thiểu số, ngày l7/3/2015 tại xã Ia Lâu.\n")
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [n.text for n in r.footnotes] == [
        "Trong đó có 1.895 đảng viên nữ và 150 đảng viên là người dân tộc thiểu số, ngày "
        "17/3/2015 tại xã Ia Lâu."]


def test_footnote_marker_read_as_a_dagger() -> None:
    """Seeds 25098 (photocopy) and 25337 (jpeg): a raised 1 read as "†", at a page foot and
    after the signer's name; a "+" list item in the body (a dagger folds to "+") is none."""
    body = ("Đảng bộ có 14.103 đảng viên1.\n+ Theo kế hoạch của Ban Tổ chức, chi bộ họp.\n\n"
            "† Theo số liệu thống kê của Ban Tổ chức, có điều chỉnh so với báo cáo.\n")
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [(n.marker, n.text) for n in r.footnotes] == [
        ("1", "Theo số liệu thống kê của Ban Tổ chức, có điều chỉnh so với báo cáo.")]
    signed = _report("BÁO CÁO\nkết quả công tác") + "\n† Số liệu tính đến ngày 31/12/2015.\n"
    r = extract_fields(signed, _scan(signed))
    assert [(n.marker, n.text) for n in r.footnotes] == [
        ("1", "Số liệu tính đến ngày 31/12/2015.")]


def test_note_marker_lost_takes_the_number_expected_not_a_body_lines() -> None:
    """Seed 11353 (faded): body lines opening with numbers ("9 kiến nghị, ...") are no
    notes, and a note read as ": Theo ..." or "? Số ..." at the last page's foot (seed
    11136) takes the number after the last note found."""
    body = ("Đảng bộ có 14.103 đảng viên1.\n\n1 Có biểu tổng hợp chi tiết kèm theo báo cáo.\n\n"
            "2\n\nCó 21 khó khăn, vướng mắc; 14 kiến nghị, đề xuất (trong đó 5 thuộc Huyện ủy;\n"
            "9 kiến nghị, đề xuất thuộc thẩm quyền của Đảng ủy xã).\nTrong năm 2016, kết nạp "
            "52 đảng viên mới.\n")
    closing = "\n\n: Số liệu tính đến ngày 30/6/2016.\n"
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body) + closing)
    assert [(n.marker, n.text) for n in r.footnotes] == [
        ("1", "Có biểu tổng hợp chi tiết kèm theo báo cáo."),
        ("2", "Số liệu tính đến ngày 30/6/2016.")]


def test_body_line_opening_with_a_number_and_a_small_letter_is_no_note() -> None:
    """Seed 11256: "1 và khoản 2 Điều này ..." is the rest of "... khoản" above it."""
    body = ("Kinh phí thực hiện các quy định tại điểm a, b và d khoản\n\n"
            "1 và khoản 2 Điều này do ngân sách nhà nước bảo đảm.\n\n2\n")
    assert extract_fields(_report("BÁO CÁO\nkết quả công tác", body)).footnotes == []


def test_body_sentence_wrapped_before_a_number_is_no_note() -> None:
    """Seed 15659 (phone): "... điểm a, i và k khoản" / "1 Điều 28 của Luật này." with a
    blank line below it is the body going on, not a note at the page foot."""
    body = ("Áp dụng biện pháp khắc phục hậu quả quy định tại các điểm a, i và k khoản\n"
            "1 Điều 28 của Luật này.\nTrên đây là báo cáo kết quả thực hiện./.\n\n")
    assert extract_fields(_report("BÁO CÁO\nkết quả công tác", body)).footnotes == []


def test_footnote_date_whose_slashes_ocr_lost() -> None:
    """Seed 9053 (bleed): "31/12/2013" in a note's small type read as "3112.2013"."""
    body = ("Đảng bộ có 14.103 đảng viên.\n\n1 Số liệu tính đến ngày 3112.2013, theo báo cáo "
            "của các cấp ủy.\n2 Số liệu tính đến ngày 4513.2013 theo kế hoạch.\n"
            "3 Số liệu tính đến ngày 31 12 2014, theo báo cáo.\n"  # seed 17122 (bleed)
            "4 Số liệu tính đến ngày 31/12/2022. theo báo cáo.\n\n2\n")  # seed 19082 (phone)
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [n.text[:36] for n in r.footnotes] == [
        "Số liệu tính đến ngày 31/12/2013, th", "Số liệu tính đến ngày 4513.2013 theo",
        "Số liệu tính đến ngày 31/12/2014, th", "Số liệu tính đến ngày 31/12/2022, th"]


@pytest.mark.parametrize(("label", "title"), [
    ("THỤ LỤC „\nˆ", "PHỤ LỤC"),  # seed 9212 (seal): the P's bowl lost under the seal
    ("PHỤ LỤC 1.\nSỐ", "PHỤ LỤC 1"),  # seed 9071 (photocopy): a speck read as a word
    ("HỦ LỤC\nP", "PHỤ LỤC"),  # seed 11161 (faded): the P read on a line of its own
    ("PHỤULỤC\n -", "PHỤ LỤC"),  # seed 15251 (seal): a U read twice, a speck below
    ("PHỤLỤC1.", "PHỤ LỤC 1"),  # seed 17391 (seal_body): the number glued to the label
])
def test_appendix_label_and_caption_ocr_damaged(label: str, title: str) -> None:
    body = (f"Nội dung.\n\n{label}\nBỒI DƯỠNG NGHIỆP VỤ CÔNG TÁC ĐẢNG\n"
            f"(Kèm theo Báo cáo số 734-BC/TU, ngày 18 tháng 9 năm 2018)\n\n{TABLE}")
    (table,) = extract_fields(_report("BÁO CÁO\nkết quả công tác", body)).tables
    assert (table.title, table.caption) == (title, "BỒI DƯỠNG NGHIỆP VỤ CÔNG TÁC ĐẢNG")


# -- re-reading with the restoration model --------------------------------------------------


class _Recorder:
    """A FieldRepair that marks what it was given, to see what the extractor sends it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def ocr_line(self, text: str) -> str:
        self.calls.append(("ocr_line", text))
        return f"<{text}>"

    def capitals(self, text: str) -> str:
        self.calls.append(("capitals", text))
        return f"[{text}]"

    def bold_line(self, text: str) -> str:
        self.calls.append(("bold_line", text))
        return f"<{text}>"


def test_repair_reads_a_scans_subject_and_capitals_captions_only() -> None:
    body = (f"Có 14.103 đảng viên1.\n\n1 Không tình các chì bộ đã giải thể.\n\n"
            f"PHỤ LỤC 1\nBÓI DƯƠNG NGHIỆP VỤ CÔNG TÁC ĐĂNG\n"
            f"(Kèm theo Báo cáo số 734-BC/TU, ngày 18 tháng 9 năm 2018)\n\n{TABLE}")
    text = _report("BÁO CÁO\nVề việc thành lập Tố kiểm tra", body)
    repair = _Recorder()
    r = extract_fields(text, _scan(text), repair)
    assert r.subject == "<Về việc thành lập Tố kiểm tra>"
    assert [n.text for n in r.footnotes] == ["<Không tình các chi bộ đã giải thể.>"]
    assert r.tables[0].caption == "[BÓI DƯƠNG NGHIỆP VỤ CÔNG TÁC ĐĂNG]"
    typed = _Recorder()  # typed text (a text page) carries its marks as written
    r = extract_fields(text, [Page(1, text, text, None, method="text")], typed)
    assert typed.calls == [] and r.subject == "Về việc thành lập Tố kiểm tra"


def test_model_repair_restores_marks_ocr_confused() -> None:
    repair = ModelRepair.load()
    # real bold subjects (corpus/real qn-01, qn-03): a lost or swapped tone is put back,
    # a name and a printed mark the model would drop are kept
    assert repair.bold_line("xếp lương đôi với ông Bạch Đăng Ngọc") == (
        "xếp lương đối với ông Bạch Đăng Ngọc")
    assert repair.bold_line("an toàn xã hội chuyền hóa đạt năm 2024") == (
        "an toàn xã hội chuyển hóa đạt năm 2024")
    assert repair.bold_line("cho sinh viên khóa D20") == "cho sinh viên khóa D20"
    assert repair.capitals("BÓI DƯƠNG NGHIỆP VỤ CÔNG TÁC ĐĂNG") == (
        "BỒI DƯỠNG NGHIỆP VỤ CÔNG TÁC ĐẢNG")
    assert repair.capitals("BIỂU THÔNG KỂ KẾT QUẢ THỰC HIỆN") == "BIỂU THỐNG KÊ KẾT QUẢ THỰC HIỆN"
    assert repair.ocr_line("Về việc thành lập Tố công tác giúp việc Ban Chỉ đạo") == (
        "Về việc thành lập Tổ công tác giúp việc Ban Chỉ đạo")
    # seed 15289 (phone): a note's small type, its last period read as a comma
    assert repair.ocr_line("Theo số liệu thống kê của Bạn Tổ chức, có điều chỉnh so với bao "
                           "cao lan trước,") == (
        "Theo số liệu thống kê của Ban Tổ chức, có điều chỉnh so với báo cáo lần trước.")


def test_section_title_wrapped_onto_the_next_line() -> None:
    """Seeds 11173, 11239: a heading's title wraps where a parenthesis is still open, or
    onto a line opening with a small letter; a paragraph after it opens with a capital."""
    body = ("I. NHẬN XÉT, ĐÁNH GIÁ\n1. Những kiến nghị, đề xuất của các Tổ huyện (tổng\n"
            "hợp từ báo cáo hoạt động của Tổ năm 2023)\nTrong năm 2018, toàn Đảng bộ đã kết "
            "nạp 443 đảng viên mới.\n2. Về việc nâng cao chất lượng sinh hoạt chi bộ khu dân\n"
            "cư\nCác cấp ủy đã xây dựng kế hoạch.\n3. Công tác dân vận\nĐảng bộ đã tổ chức "
            "hội nghị.\n")
    r = extract_fields(_report("BÁO CÁO\nkết quả công tác", body))
    assert [s.title for s in r.sections] == [
        "NHẬN XÉT, ĐÁNH GIÁ",
        "Những kiến nghị, đề xuất của các Tổ huyện (tổng hợp từ báo cáo hoạt động của Tổ "
        "năm 2023)",
        "Về việc nâng cao chất lượng sinh hoạt chi bộ khu dân cư",
        "Công tác dân vận",
    ]


def test_note_after_the_signature_whose_number_ocr_lost() -> None:
    """Seed 13202 (uneven light): the last page's note came back with no marker at all,
    and the body's marker as a quote; after the signer's name only notes follow."""
    page1 = _report("BÁO CÁO\nkết quả công tác", "Đảng bộ có 14.103 đảng viên1.\n\n"
                    "1 Số liệu tính đến ngày 31/12/2010.").split("\nNơi nhận:")[0]
    page2 = ("Đảng bộ đã kết nạp 73 đảng viên”.\nNơi nhận:\n- Lưu VP.\nT/M BAN THƯỜNG VỤ\n"
             "BÍ THƯ\n\nTrần Văn Hải\n\nTrong đó có 2.862 đảng viên nữ và 145 đảng viên là "
             "người dân tộc thiểu số.")
    text = f"{page1}\n\n{page2}"
    r = extract_fields(text, [Page(1, page1, page1, 80.0), Page(2, page2, page2, 80.0)])
    assert [(n.marker, n.text[:12]) for n in r.footnotes] == [
        ("1", "Số liệu tính"), ("2", "Trong đó có ")]
    # seed 15111 (seal): its number read as "*"; seed 15289 (phone): its period as a comma;
    # seed 17268 (jpeg): its period lost; seed 25333 (skew): its number read as "ˆ"
    for foot in ("* Trong đó có 2.862 đảng viên nữ.", "Trong đó có 2.862 đảng viên nữ,",
                 "Trong đó có 2.862 đảng viên nữ", "ˆ Trong đó có 2.862 đảng viên nữ."):
        last = page2.split("\n\nTrong đó")[0] + "\n\n" + foot
        text = f"{page1}\n\n{last}"
        r = extract_fields(text, [Page(1, page1, page1, 80.0), Page(2, last, last, 80.0)])
        assert [(n.marker, n.text) for n in r.footnotes][1] == ("2", foot.lstrip("*ˆ "))
    one = _report("BÁO CÁO\nkết quả công tác") + "\nSố liệu tính đến ngày 31/12/2010."
    r = extract_fields(one, [Page(1, one, one, 80.0)])  # the first note: number 1
    assert [(n.marker, n.text) for n in r.footnotes] == [
        ("1", "Số liệu tính đến ngày 31/12/2010.")]
    r = extract_fields(one)  # typed text: no pages to tell a page foot
    assert r.footnotes == []
    # seed 29164 (faded): the signer's page is followed by an appendix page
    appendix = "PHỤ LỤC 1\nKẾT QUẢ THỰC HIỆN\nSTT\tNỘI DUNG\tNăm 2014\n1\t- Nữ\t13"
    text = f"{one}\n\n{appendix}"
    r = extract_fields(text, [Page(1, one, one, 80.0), Page(2, appendix, appendix, 80.0)])
    assert [(n.marker, n.text) for n in r.footnotes] == [
        ("1", "Số liệu tính đến ngày 31/12/2010.")]


def test_a_record_gets_the_models_repairer_only_when_scanned_and_restored() -> None:
    """Ingest and the evaluation build the repairer from the record (`for_record`)."""
    from dataclasses import replace

    from pipeline.fields.repair import for_record
    from pipeline.record import Quality
    from tests.test_store import make_record

    scanned = make_record("scan", ["TỈNH ỦY HƯNG YÊN\nBÁO CÁO\nkết quả"])
    scanned.quality = Quality(ocr_confidence=91.5, restoration_confidence=0.99)
    repairer = for_record(scanned)
    assert repairer is not None and repairer.ocr_line("Về việc thành lập Tố công tác giúp "
                                                      "việc Ban Chỉ đạo").startswith(
        "Về việc thành lập Tổ công tác")
    scanned.quality = Quality(ocr_confidence=91.5, restoration_confidence=None)
    assert for_record(scanned) is None  # --restore off: the text as recognised
    typed = replace(scanned, pages=[replace(p, method="text") for p in scanned.pages])
    typed.quality = Quality(restoration_confidence=0.99)
    assert for_record(typed) is None


# -- places ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("read", "place"), [
    ("Nông Công", "Nông Cống"),  # seed 7059 (seal): a district's marks misread
    ("Báo Lam", "Bảo Lâm"),  # seed 7087 (seal)
    ("Phù Mỹ", "Phù Mỹ"),  # a district read right stays, though Phú Mỹ folds the same
    ("Thanh Hoá", "Thanh Hoá"),  # a province as written, either tone placement
    ("Thành Hóa", "Thanh Hóa"),  # a tie between a province and a district: the province
])
def test_district_places_with_their_marks(read: str, place: str) -> None:
    text = (f"HUYỆN ỦY {read.upper()}\n*\nSố 734-BC/HU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
            f"{read}, ngày 14 tháng 6 năm 2012\nBÁO CÁO\nkết quả công tác\nNội dung.\n")
    r = extract_fields(text, _scan(text))
    assert r.place == place


@pytest.mark.parametrize(("line", "name"), [
    ("HUYỆN ỦY NÓNG CỐNG", "HUYỆN ỦY NÔNG CỐNG"),  # seed 15399 (phone)
    ("HUYỆN UỶ CẤM XUYÊN", "HUYỆN UỶ CẨM XUYÊN"),  # seed 15209 (phone)
    ("HUYỆN ỦY PHÙ MỸ", "HUYỆN ỦY PHÙ MỸ"),  # two districts alike but for marks: as read
    ("ỦY BAN NHÂN DÂN TỈNHLONGAN", "ỦY BAN NHÂN DÂN TỈNH LONG AN"),  # not LO NGAN
])
def test_issuer_lines_spell_district_names(line: str, name: str) -> None:
    from pipeline.fields.names import canonical_issuer

    assert canonical_issuer(line) == name


class _Verbatim:
    """A FieldRepair that changes nothing: what the extractor itself does around it shows."""

    def ocr_line(self, text: str) -> str:
        return text

    def capitals(self, text: str) -> str:
        return text

    def bold_line(self, text: str) -> str:
        return text


def test_a_year_name_in_the_subject_is_written_as_the_calendar_writes_it() -> None:
    # qn-07: "Tết Nguyên đán Ất Ty" (the dot of Tỵ lost) in the subject and in the body too,
    # where the body's spelling must not take the year name back from the calendar's
    subject = "Về việc hỗ trợ quà Tết nhân dịp Tết Nguyên đán Ất Ty - năm 2025"
    text = _report(f"BÁO CÁO\n{subject}", "Quà Tết Nguyên đán Ất Ty cho hộ nghèo.\n")
    r = extract_fields(text, _scan(text), _Verbatim())
    assert r.subject == "Về việc hỗ trợ quà Tết nhân dịp Tết Nguyên đán Ất Tỵ - năm 2025"
