"""OCR layout logic (pure) and one real Tesseract run on a generated Party document."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import cleanup, ocr
from pipeline.errors import OcrError
from pipeline.programs import tesseract
from pipeline.record import Line, Word


def line(text: str, x0: int, y0: int, x1: int, y1: int, block: int = 1) -> Line:
    words = []
    step = (x1 - x0) // max(1, len(text.split()))
    for i, token in enumerate(text.split()):
        words.append(Word(token, [x0 + i * step, y0, x0 + (i + 1) * step - 10, y1], 95.0))
    return Line(text, [x0, y0, x1, y1], 95.0, block, words)


def test_header_columns_are_read_left_then_right() -> None:
    merged = line("ĐẢNG BỘ TỈNH", 380, 280, 1000, 335)
    right = line("ĐẢNG CỘNG SẢN VIỆT NAM", 1310, 280, 2170, 335)
    merged = Line(
        "ĐẢNG BỘ TỈNH ĐẢNG CỘNG SẢN VIỆT NAM",
        [380, 280, 2170, 335],
        95.0,
        1,
        merged.words + right.words,
    )
    lines = [
        merged,
        line("*", 740, 360, 765, 385),
        line("Số 196-BC/ĐUK", 560, 430, 940, 480),
        line("Thanh Hoá, ngày 06 tháng 7 năm 2023", 1310, 440, 2170, 495),
        line("BÁO CÁO", 1160, 590, 1470, 650),
        line(
            "Thực hiện Nghị quyết Đại hội Đảng bộ Khối Cơ quan và Doanh nghiệp", 380, 800, 2250, 850
        ),
    ]
    ordered = ocr.reading_order(ocr.split_columns(lines))
    assert [piece.text for piece in ordered] == [
        "ĐẢNG BỘ TỈNH",
        "*",
        "Số 196-BC/ĐUK",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Thanh Hoá, ngày 06 tháng 7 năm 2023",
        "BÁO CÁO",
        "Thực hiện Nghị quyết Đại hội Đảng bộ Khối Cơ quan và Doanh nghiệp",
    ]


def test_closing_columns_then_a_footnote_under_them() -> None:
    """Nơi nhận (left) before the signature (right); a short footnote at the foot of the
    page after both, though it fits in the left column; a list longer than the signature
    block stays in its column."""
    lines = [
        line("Nơi nhận:", 415, 2437, 642, 2479),
        line("- Ban Thường vụ Tỉnh uỷ (b/c),", 414, 2504, 1043, 2550),
        line("- Các ban đảng Tỉnh uỷ,", 414, 2563, 892, 2609),
        line("- Các huyện uỷ, thị uỷ,", 414, 2622, 892, 2668),
        line("- Lưu VT.", 414, 2683, 713, 2716),
        line("K/T TRƯỞNG BAN", 1486, 2421, 1996, 2471),
        line("PHÓ TRƯỞNG BAN", 1472, 2489, 2010, 2540),
        line("Đặng Hồng Thủy", 1526, 2600, 1956, 2655),
        line("1 Có biểu tổng hợp kèm theo.", 417, 3232, 1319, 3277),
    ]
    ordered = [piece.text for piece in ocr.reading_order(lines)]
    assert ordered == [
        "Nơi nhận:",
        "- Ban Thường vụ Tỉnh uỷ (b/c),",
        "- Các ban đảng Tỉnh uỷ,",
        "- Các huyện uỷ, thị uỷ,",
        "- Lưu VT.",
        "K/T TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        "Đặng Hồng Thủy",
        "1 Có biểu tổng hợp kèm theo.",
    ]


def test_pieces_of_one_printed_row_are_read_left_to_right() -> None:
    """ex-11: the place and the date of one line, cut apart by Tesseract, the right piece's
    top 4 px higher; ex-14: a subject line cut in three at a seal."""
    lines = [
        line("TRƯỜNG ĐẠI HỌC ĐỒNG NAI", 150, 200, 700, 245),
        line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 820, 195, 1450, 240),
        line("ngày tháng 04 năm 2022", 1030, 271, 1406, 318),
        line("Đồng Nai,", 874, 275, 1010, 313),
        line("QUYẾT ĐỊNH", 650, 380, 950, 430),
        line("tỉnh tế", 817, 505, 926, 561),
        line("của Sở Y", 664, 509, 801, 561),
        line("Điện Biên", 934, 512, 1100, 557),
    ]
    ordered = [piece.text for piece in ocr.reading_order(lines)]
    assert ordered == [
        "TRƯỜNG ĐẠI HỌC ĐỒNG NAI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Đồng Nai,",
        "ngày tháng 04 năm 2022",
        "QUYẾT ĐỊNH",
        "của Sở Y",
        "tỉnh tế",
        "Điện Biên",
    ]


def test_pieces_of_one_printed_line_are_joined_and_columns_are_not() -> None:
    lines = [
        line("ỦY BAN NHÂN DÂN", 339, 181, 844, 237),
        line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1100, 185, 2100, 235),
        line("Đồng Nai,", 874, 275, 1010, 313),
        line("ngày tháng 04 năm 2022", 1030, 271, 1406, 318),
        line("/TTr-UBND ngày", 1035, 2338, 1448, 2393),
        line("tháng", 1540, 2338, 1672, 2405),
        line("năm 2025 của Ủy ban", 1744, 2326, 2276, 2416),
        line("1\tNguyễn Văn A\tTrưởng phòng", 300, 2500, 1500, 2550),
        line("x", 1560, 2500, 1600, 2550),
    ]
    joined = [piece.text for piece in ocr.join_row_pieces(lines)]
    assert joined == [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Đồng Nai, ngày tháng 04 năm 2022",
        "/TTr-UBND ngày tháng năm 2025 của Ủy ban",
        "1\tNguyễn Văn A\tTrưởng phòng",
        "x",
    ]
    seal_edge = Line("Ta", [134, 188, 205, 235], 31.7, 1, [Word("Ta", [134, 188, 205, 235], 31.7)])
    kept_apart = ocr.join_row_pieces([seal_edge, line("ỦY BAN NHÂN DÂN", 250, 181, 755, 237)])
    assert [piece.text for piece in kept_apart] == ["Ta", "ỦY BAN NHÂN DÂN"]  # qn-15


def test_a_joined_line_with_a_weak_word_is_read_again_and_kept_when_surer() -> None:
    # ex-14: "của Sở Y Y" | "têtỉnh tế" | "Điện Biên": the seal's cut read "Y tế tỉnh" twice
    weak = Line("têtỉnh tế", [817, 505, 926, 561], 55.0, 1,
                [Word("têtỉnh", [817, 505, 880, 561], 50.0),
                 Word("tế", [890, 505, 926, 561], 60.0)])
    pieces = [line("của Sở Y Y", 664, 509, 801, 561), weak, line("Điện Biên", 934, 512, 1100, 557)]
    asked: list[list[int]] = []

    def read_line(box: list[int]) -> list[Word]:
        asked.append(box)
        return [Word(t, [664 + 70 * k, 505, 724 + 70 * k, 561], 93.0)
                for k, t in enumerate(["của", "Sở", "Y", "tế", "tỉnh", "Điện", "Biên"])]

    joined = ocr.join_row_pieces(pieces, read_line)
    assert [piece.text for piece in joined] == ["của Sở Y tế tỉnh Điện Biên"]
    assert asked == [[664, 505, 1090, 561]]  # the words' box

    def worse(box: list[int]) -> list[Word]:
        return [Word("xx", box, 20.0)]

    assert [p.text for p in ocr.join_row_pieces(pieces, worse)] == [
        "của Sở Y Y têtỉnh tế Điện Biên"]


def test_a_footnote_marker_ends_the_closing_even_close_under_it() -> None:
    lines = [
        line("Nơi nhận:", 314, 2353, 511, 2391),
        line("- Lưu Văn phòng Tỉnh ủy.", 313, 2727, 768, 2769),
        line("TM TỈNH ỦY", 1378, 2338, 1703, 2384),
        line("Dương Minh Thủy", 1337, 2742, 1745, 2789),
        line("! Có biểu tổng hợp kèm theo báo cáo này.", 315, 2888, 1103, 2927),
    ]
    ordered = [piece.text for piece in ocr.reading_order(lines)]
    assert ordered[-1].startswith("! Có biểu") and ordered[-2] == "Dương Minh Thủy"


def test_footnote_markers_read_as_bangs_are_written_back() -> None:
    lines = [
        line("nhân dân tỉnh theo luật định!.", 313, 2000, 1500, 2045),
        line("Dương Minh Thủy", 1337, 2742, 1745, 2789),
        line("! Có biểu tổng hợp kèm theo báo cáo này.", 315, 2888, 1103, 2927),
    ]
    fixed = [piece.text for piece in ocr.footnote_markers(lines)]
    assert fixed[0] == "nhân dân tỉnh theo luật định1." and fixed[2].startswith("1 Có biểu")
    unpaired = [line("Thật tuyệt vời!", 313, 2000, 900, 2045), lines[1]]
    assert [piece.text for piece in ocr.footnote_markers(unpaired)] == [
        "Thật tuyệt vời!",
        "Dương Minh Thủy",
    ]


def test_pieces_cut_off_a_column_line_stay_in_that_column() -> None:
    """Tesseract cut "Hoằng" off the date line and read "ý" a second time over it; the
    signature title came as "PHÓ BÍ" + "THƯ" beside a recipients item: no table row."""
    lines = [
        line("TỈNH UỶ THANH HOÁ", 422, 282, 1020, 360),
        line("ĐẢNG CỘNG SẢN VIỆT NAM", 1349, 282, 2203, 337),
        line("*", 710, 432, 733, 453),
        line("Hoằng", 1309, 463, 1435, 506),
        line("Hoá, ngày 13 tháng 3 năm 2023", 1484, 464, 2240, 513),
        line("ý", 1920, 477, 1947, 517),
        line("Số 387-BC/HU", 544, 505, 898, 548),
        line("Nơi nhận:", 344, 2191, 568, 2234),
        line("K/T BÍ THƯ", 1569, 2173, 1889, 2225),
        line("- Ban Thường vụ Huyện ủy (b/c),", 341, 2258, 1008, 2305),
        line("PHÓ BÍ", 1557, 2241, 1754, 2294),
        line("THƯ", 1814, 2249, 1902, 2294),
    ]
    ordered = [piece.text for piece in ocr.reading_order(ocr.merge_overlapping_reads(lines))]
    assert ordered == [
        "TỈNH UỶ THANH HOÁ",
        "*",
        "Số 387-BC/HU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Hoằng",
        "Hoá, ngày 13 tháng 3 năm 2023",
        "Nơi nhận:",
        "- Ban Thường vụ Huyện ủy (b/c),",
        "K/T BÍ THƯ",
        "PHÓ BÍ",
        "THƯ",
    ]


def test_a_second_read_adds_what_the_first_missed() -> None:
    date = line("Bến Lức, ngày 15 thúng 3 năm 202", 1330, 440, 2210, 495)
    again = line("ăm 2024", 1990, 450, 2200, 495)
    merged = [piece.text for piece in ocr.merge_overlapping_reads([date, again])]
    assert merged == ["Bến Lức, ngày 15 thúng 3 năm 2024"]  # the longer "2024" replaces "202"
    whole = line("Bến Lức, ngày 15 tháng 3 năm 2024", 1330, 440, 2230, 495)
    assert [p.text for p in ocr.merge_overlapping_reads([whole, again])] == [whole.text]
    boxes = [(1330, 1449), (1472, 1580), (1601, 1711), (1727, 1785), (1804, 1932), (1956, 1983),
             (1998, 2093), (2111, 2191)]  # as Tesseract boxed them
    texts = ["Xuân", "Hòa,", "ngày", "30", "tháng", "4", "năm", "201"]
    words = [Word(t, [x0, 437, x1, 485], 96.0) for t, (x0, x1) in zip(texts, boxes, strict=True)]
    cut = Line(" ".join(texts), [1330, 437, 2191, 485], 96.0, 1, words)
    tail = Line("4", [2199, 438, 2225, 475], 76.0, 2, [Word("4", [2199, 438, 2225, 475], 76.0)])
    glued = ["Xuân Hòa, ngày 30 tháng 4 năm 2014"]  # "4" starts closer than a word space
    assert [p.text for p in ocr.merge_overlapping_reads([cut, tail])] == glued
    fragments = Line(
        "ga 4 nã 4",
        [1522, 434, 2225, 475],
        60.0,
        2,
        [
            Word("ga", [1522, 434, 1532, 444], 7.0),  # under the first read's "Hòa,"
            Word("4", [1951, 437, 1978, 475], 97.0),
            Word("nã", [2034, 437, 2050, 444], 73.0),
            Word("4", [2199, 438, 2225, 475], 76.0),  # past its end: the year's last digit
        ],
    )
    assert [p.text for p in ocr.merge_overlapping_reads([cut, fragments])] == glued
    far = Line("4", [2260, 438, 2286, 475], 76.0, 2, [Word("4", [2260, 438, 2286, 475], 76.0)])
    assert [p.text for p in ocr.merge_overlapping_reads([cut, far])] == [cut.text, "4"]


def test_a_second_read_completes_a_word_cut_short() -> None:
    """"Thanh Hoá, ngày 15 thá" read first, "tháng 5 năm 2025" over its end: "tháng" is
    boxed apart from "thá" (they touch by 26 px), but "thá" is its beginning."""
    first = Line("Thanh Hoá, ngày 15 thá", [1330, 440, 1880, 490], 96.0, 1, [
        Word("Thanh", [1330, 440, 1460, 490], 96.0), Word("Hoá,", [1480, 440, 1580, 490], 96.0),
        Word("ngày", [1600, 440, 1700, 490], 96.0), Word("15", [1720, 440, 1775, 490], 96.0),
        Word("thá", [1795, 440, 1880, 490], 96.0)])  # fmt: skip
    again = Line("tháng 5 năm 2025", [1854, 441, 2254, 490], 90.0, 2, [
        Word("tháng", [1854, 441, 1938, 490], 90.0),  # boxed apart: touches "thá" by 26 px
        Word("5", [1958, 441, 1984, 490], 90.0), Word("năm", [2004, 441, 2104, 490], 90.0),
        Word("2025", [2124, 441, 2254, 490], 90.0)])  # fmt: skip
    merged = [p.text for p in ocr.merge_overlapping_reads([first, again])]
    assert merged == ["Thanh Hoá, ngày 15 tháng 5 năm 2025"]


def test_table_rows_are_read_across() -> None:
    rows = []
    for n, y in enumerate((1000, 1060, 1120)):
        rows += [
            line(str(n + 1), 380, y, 420, y + 45),
            line("Đảng viên", 600, y, 900, y + 45),
            line("14.103", 1500, y, 1650, y + 45),
            line("15.000", 1900, y, 2050, y + 45),
        ]
    ordered = ocr.reading_order(rows)
    assert [piece.text for piece in ordered[:4]] == ["1", "Đảng viên", "14.103", "15.000"]


def test_noise_words_and_star() -> None:
    speck = tesseract.TsvWord("_", 10, 10, 5, 3, 12.0, 1, 1, 1)
    star = tesseract.TsvWord("+", 740, 360, 25, 25, 30.0, 2, 1, 1)
    assert ocr._is_noise(speck) and not ocr._is_noise(star)
    body = [line("Thực hiện Nghị quyết số 46-NQ/TW", 380, 1000 + 60 * i, 2200, 1045 + 60 * i)
            for i in range(20)]  # fmt: skip
    header = [
        line("HUYỆN ỦY THỌ XUÂN", 424, 349, 1062, 400),
        line(">zk", 732, 432, 756, 455),
        line("Số 945-BC/HU", 566, 504, 922, 550),
        line("[)WW", 1508, 2462, 1905, 2602),  # a signature, 3 text heights tall
        line("_", 1168, 337, 1175, 343),  # a speck between the columns is no star
    ]
    header[3] = Line("[)WW", header[3].bbox, 51.0, 1, header[3].words)
    kept = [piece.text for piece in ocr.drop_noise(header + body)]
    assert kept[:3] == ["HUYỆN ỦY THỌ XUÂN", "*", "Số 945-BC/HU"]
    assert "[)WW" not in kept and "_" in kept


def test_generated_clean_page_reads_nearly_exactly() -> None:
    from scripts.make_scans import cer, make_document, render

    doc = make_document(7001, pages=1)  # a training-split seed
    page = render(doc, "clean", dpi=300)[0]
    tesseract.single_threaded()
    cleaned = cleanup.clean_page(np.asarray(page.image.convert("RGB")))
    text, _, confidence = ocr.recognize_page(cleaned.image)
    assert confidence is not None and confidence > 85
    assert cer(text, page.text) < 0.02


def test_a_binary_page_packed_to_one_bit_reads_as_its_bytes() -> None:
    from scripts.make_scans import make_document, render

    page = render(make_document(7002, pages=1), "clean", dpi=300)[0]
    tesseract.single_threaded()
    binary = cleanup.clean_page(np.asarray(page.image.convert("RGB"))).image[:1200]
    assert set(np.unique(binary)) == {0, 255}  # handed over at one bit a pixel
    packed = tesseract.recognize(binary)
    assert len(packed) > 20 and packed == tesseract.recognize(binary, pack=False)


def test_engine_refuses_what_it_cannot_read_and_has_no_opinion_on_a_blank_page() -> None:
    blank = np.full((200, 200), 255, np.uint8)
    assert tesseract.orientation(blank) is None  # too few characters
    assert tesseract.recognize(blank) == []
    with pytest.raises(OcrError, match="8-bit single-channel"):
        tesseract.recognize(np.zeros((20, 20, 3), np.uint8))


def test_tsv_rows_become_words() -> None:
    tsv = (
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n"
        "5\t1\t2\t1\t3\t1\t380\t280\t210\t55\t96.5\tĐẢNG\n"
        "5\t1\t2\t1\t3\t2\t600\t280\t80\t55\t91\t \n"
    )
    assert tesseract.parse_tsv(tsv) == [tesseract.TsvWord("ĐẢNG", 380, 280, 210, 55, 96.5, 2, 1, 3)]


def test_a_blurred_percent_sign_is_written_back() -> None:
    def read(text: str) -> str:
        return ocr._word(tesseract.TsvWord(text, 0, 0, 80, 40, 90.0, 1, 1, 1)).text

    assert read("80°o,") == "80%,"
    assert read("30°C") == "30°C"  # a real degree sign stays


def test_a_page_of_specks_is_blank_and_a_short_closing_is_not() -> None:
    from pipeline.ocr import is_blank
    from pipeline.record import Line, Word

    def line(*words: tuple[str, float]) -> Line:
        return Line(" ".join(t for t, _ in words), [0, 0, 10, 10], 50.0, 1,
                    [Word(t, [0, 0, 10, 10], c) for t, c in words])

    specks = [line(("„", 30.0)), line(("tắt", 41.0)), line(("#4", 20.0)), line(("“Hi", 80.0))]
    closing = [line(("Nơi", 95.0), ("nhận:", 93.0)), line(("-", 90.0), ("Như", 96.0),
               ("trên;", 94.0)), line(("CHỦ", 96.0), ("TỊCH", 95.0))]
    assert is_blank(specks) and not is_blank(closing)


def test_a_printed_line_beside_handwriting_is_kept() -> None:
    from pipeline.ocr import drop_noise
    from pipeline.record import Line, Word

    def word(text: str, conf: float, top: int, bottom: int, x: int) -> Word:
        return Word(text, [x, top, x + 80, bottom], conf)

    body = [Line(f"dòng {k}", [0, 100 * k, 900, 100 * k + 40], 95.0, 1,
                 [word("dòng", 95.0, 100 * k, 100 * k + 40, 0)]) for k in range(1, 8)]
    # "Số: 86 /QĐ-UBND" with a tall inked 86 read as junk: a tall line at low mean confidence
    inked = [word("Số:", 93.0, 900, 940, 0), word("ở§", 5.0, 860, 990, 100),
             word("/QĐ-UBND", 90.0, 900, 940, 200)]
    scribble = Line("Số: ở§ /QĐ-UBND", [0, 860, 300, 990], 40.0, 1, inked)
    signature = Line("[)WW", [0, 1100, 300, 1250], 30.0, 1, [word("[)WW", 30.0, 1100, 1250, 0)])
    kept = drop_noise([*body, scribble, signature])
    assert [line.text for line in kept][-1] == "Số: /QĐ-UBND"


def test_form_fields_cut_by_the_column_splitter_go_back_on_their_line() -> None:
    # qn-16: two form rows with a tab-wide gap, read as two columns
    rows = [line("Người đại diện hộ kinh doanh: Võ Tấn Hùng.", 488, 3065, 1539, 3131, 10),
            line("Sinh ngày: 23/4/1973.", 490, 3169, 994, 3225, 10),
            line("Giới tính: Nam.", 1680, 3077, 2044, 3120, 10),
            line("Dân tộc: Kinh.", 1678, 3170, 2019, 3222, 10)]
    assert [ln.text for ln in ocr.join_form_rows(rows)] == [
        "Người đại diện hộ kinh doanh: Võ Tấn Hùng. Giới tính: Nam.",
        "Sinh ngày: 23/4/1973. Dân tộc: Kinh.",
    ]


def test_the_closing_columns_are_no_form() -> None:
    closing = [line("Nơi nhận:", 300, 3000, 520, 3050),
               line("KT. CHỦ TỊCH", 1500, 3000, 1900, 3050),
               line("- Như Điều 3;", 300, 3060, 600, 3110),
               line("PHÓ CHỦ TỊCH", 1500, 3060, 1900, 3110)]
    assert ocr.join_form_rows(closing) == closing


def test_a_fraction_slash_is_read_as_the_slash_it_is() -> None:
    # epu-01: "22⁄82025"; qn-05: "3 1⁄2024QH15" (U+2044, which no document prints)
    word = tesseract.TsvWord("22⁄8/2025", 10, 10, 200, 40, 91.0, 1, 1, 1)
    assert ocr._word(word).text == "22/8/2025"


def test_a_legal_basis_item_followed_by_another_ends_with_its_semicolon() -> None:
    # qn-02: the semicolon at the end of a "Căn cứ" line was read as a comma
    lines = [line("Căn cứ Luật Tài nguyên, môi trường biển ngày 25/6/2015,", 300, 100, 2000, 150),
             line("Căn cứ Nghị định số 40/2016/NĐ-CP ngày 15/5/2016 của Chính phủ,", 300, 160,
                  2000, 210),
             line("Theo đề nghị của Giám đốc Sở Tài nguyên và Môi trường,", 300, 220, 2000, 270),
             line("QUYẾT ĐỊNH:", 1000, 280, 1400, 330)]
    fixed = [ln.text for ln in ocr.legal_basis_semicolons(lines)]
    assert fixed[0].endswith("2015;") and fixed[1].endswith("Chính phủ;")
    assert fixed[2].endswith("Môi trường,")  # the last item is no "Căn cứ": left as read
