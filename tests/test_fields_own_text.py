"""The body's own words as evidence for the header's marks (pipeline.fields.own_text), on
lines of the real dev scans ex-74 and ex-10."""

from __future__ import annotations

from pipeline.fields.own_text import (
    BodyWords,
    issuer_as_written,
    subject_as_written,
    subject_letters_as_written,
    subject_numbers_as_written,
)

EX74_BODY = (
    "Căn cứ Quyết định số 1065/QĐ-ĐHTĐ của Hiệu trưởng Trường Đại học Tây Đô về việc ban "
    "hành quy định tổ chức thi kết thúc học phần;\nGiảng viên thực hiện ra đề thi và đáp án."
)


def test_an_issuer_word_takes_the_marks_the_body_writes_in_its_phrase() -> None:
    # ex-74: OCR read "TÂY. ĐÔ", the text's repair wrote "TÂY. DO"; the body says "Tây Đô"
    body = BodyWords.of(EX74_BODY)
    lines = ["BỘ GIÁO DỤC VÀ ĐÀO TẠO", "TRƯỜNG ĐẠI HỌC TÂY. DO"]
    assert issuer_as_written(lines, body) == ["BỘ GIÁO DỤC VÀ ĐÀO TẠO", "TRƯỜNG ĐẠI HỌC TÂY ĐÔ"]


def test_the_body_never_changes_an_issuer_words_letters() -> None:
    # "và đáp án" is one letter from "VÀ ĐÀO": letters are the header's own
    body = BodyWords.of(EX74_BODY)
    assert issuer_as_written(["SỞ GIÁO DỤC VÀ ĐÀO TẠO"], body) == ["SỞ GIÁO DỤC VÀ ĐÀO TẠO"]


def test_a_word_without_the_bodys_company_is_left_as_read() -> None:
    body = BodyWords.of("Đô thị loại I; học sinh Tây Ninh.")
    assert issuer_as_written(["TRƯỜNG ĐẠI HỌC TÂY DO"], body) == ["TRƯỜNG ĐẠI HỌC TÂY DO"]


def test_the_body_writing_the_headers_own_spelling_too_leaves_it() -> None:
    body = BodyWords.of("Trường Đại học Tây Đô và Trường Đại học Tây Do")
    assert issuer_as_written(["TRƯỜNG ĐẠI HỌC TÂY DO"], body) == ["TRƯỜNG ĐẠI HỌC TÂY DO"]


EX10_READ = "Về việc khen thưởng học sinh, sinh viên giỏi nghề cấp trường năm học 2015 - 2016"
EX10_BODY = (
    "Căn cứ kết quả tại Hội thi học sinh, sinh viên giỏi nghề cấp trường năm học 2015 - 2016,"
    " thưởng mỗi học sinh 50.000đ"
)


def test_a_subject_word_the_repair_changed_goes_back_when_the_body_writes_it_as_read() -> None:
    repaired = EX10_READ.replace("cấp trường", "cấp trưởng")
    assert subject_as_written(EX10_READ, repaired, BodyWords.of(EX10_BODY)) == EX10_READ


def test_a_repair_the_body_does_not_contradict_stands() -> None:
    read = "Về việc triển khai công tác đôi với học sinh"
    repaired = "Về việc triển khai công tác đối với học sinh"
    body = BodyWords.of("Thực hiện đối với học sinh các lớp; công tác đôi khi chậm.")
    assert subject_as_written(read, repaired, body) == repaired


EX74_READ = "Về việc triển khai thực hiện công tác đề thi học kỳ 3"


def test_the_bodys_majority_reading_wins_over_its_few_misreads() -> None:
    # ex-74: the repair made "đề thi" "để thi"; the body's OCR reads "đề thi" mostly, "để" too
    repaired = EX74_READ.replace("đề thi", "để thi")
    body = BodyWords.of("ra đề thi đúng; định dạng đề thi; duyệt đề thi; túi đựng để thi.")
    assert subject_as_written(EX74_READ, repaired, body) == EX74_READ


def test_a_body_reading_not_far_more_often_leaves_the_repair() -> None:
    repaired = EX74_READ.replace("đề thi", "để thi")
    body = BodyWords.of("ra đề thi đúng; định dạng đề thi; túi đựng để thi.")
    assert subject_as_written(EX74_READ, repaired, body) == repaired


def test_a_misread_number_takes_the_bodys_digits_after_the_same_words() -> None:
    # ex-74: "khóa 16" in the bold subject read "khóa 1ó"; the body writes "khóa 16" twice
    subject = "các lớp Đại học khóa 1ó, 17, 18, 19"
    body = BodyWords.of("các lớp đại học khóa 16, 17, 18, 19; lớp đại học khóa 16, 17.")
    assert subject_numbers_as_written(subject, body) == "các lớp Đại học khóa 16, 17, 18, 19"


def test_a_misread_number_stays_when_the_body_writes_two_numbers_there() -> None:
    subject = "các lớp Đại học khóa 1ó, 17"
    body = BodyWords.of("đại học khóa 16, 17; đại học khóa 15.")
    assert subject_numbers_as_written(subject, body) == subject


def test_a_zero_read_as_a_bracket_takes_the_bodys_number() -> None:
    # ex-116: "Đề án 06" in the bold subject read "Đề án (6", a bracket never closed
    subject = "Báo cáo kết quả triển khai Đề án (6 tháng 10/2025"
    body = BodyWords.of("giai đoạn 2022 - 2025 (viết tắt là Đề án 06). Kết quả Đề án 06.")
    assert subject_numbers_as_written(subject, body) == (
        "Báo cáo kết quả triển khai Đề án 06 tháng 10/2025")
    closed = "Báo cáo (6 tháng) Đề án 06"  # a bracket that is closed is the document's
    assert subject_numbers_as_written(closed, body) == closed


def test_a_word_the_body_never_writes_takes_the_bodys_word_between_the_same_neighbours() -> None:
    # ex-110: "Ban Vì sự tiến bộ của phụ nữ" in the italic subject read "Ban Pì sự"
    body = BodyWords.of("cử đại diện lãnh đạo tham gia Ban Vì sự tiến bộ của phụ nữ;")
    subject = "cử lãnh đạo Ban tham gia Ban Pì sự tiến bộ của phụ nữ"
    assert subject_letters_as_written(subject, body) == (
        "cử lãnh đạo Ban tham gia Ban Vì sự tiến bộ của phụ nữ")


def test_a_word_the_body_writes_too_or_far_from_the_bodys_stays() -> None:
    body = BodyWords.of("Ban Vì sự tiến bộ; Ban Pì sự; Ban Chỉ sự")
    assert subject_letters_as_written("Ban Pì sự", body) == "Ban Pì sự"
    assert subject_letters_as_written("Ban Tổ sự", BodyWords.of("Ban Chỉ sự")) == "Ban Tổ sự"
