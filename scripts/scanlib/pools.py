"""Word pools for synthetic Party and state documents: places, names, types, phrases.

Kept apart from the generator logic so the data can grow without touching the code.
Provinces and districts are the pre-2025 ones, which is what archives hold.
"""

from __future__ import annotations

# Type code -> type name as printed (capitals) and as cited in running text.
PARTY_TYPES: dict[str, tuple[str, str]] = {
    "NQ": ("NGHỊ QUYẾT", "Nghị quyết"),
    "QĐ": ("QUYẾT ĐỊNH", "Quyết định"),
    "CT": ("CHỈ THỊ", "Chỉ thị"),
    "KL": ("KẾT LUẬN", "Kết luận"),
    "QC": ("QUY CHẾ", "Quy chế"),
    "QĐi": ("QUY ĐỊNH", "Quy định"),
    "TT": ("THÔNG TRI", "Thông tri"),
    "HD": ("HƯỚNG DẪN", "Hướng dẫn"),
    "TB": ("THÔNG BÁO", "Thông báo"),
    "BC": ("BÁO CÁO", "Báo cáo"),
    "KH": ("KẾ HOẠCH", "Kế hoạch"),
    "CTr": ("CHƯƠNG TRÌNH", "Chương trình"),
    "TTr": ("TỜ TRÌNH", "Tờ trình"),
    "CV": ("CÔNG VĂN", "Công văn"),
    "BB": ("BIÊN BẢN", "Biên bản"),
    "ĐA": ("ĐỀ ÁN", "Đề án"),
}

# Relative frequency of each type among generated Party documents (reports dominate).
PARTY_TYPE_WEIGHTS: dict[str, float] = {
    "BC": 6, "KH": 3, "NQ": 1, "QĐ": 1, "CT": 0.7, "KL": 0.7, "QC": 0.4, "QĐi": 0.4,
    "TT": 0.3, "HD": 1, "TB": 1, "CTr": 1, "TTr": 0.5, "CV": 1.5, "BB": 0.3, "ĐA": 0.5,
}  # fmt: skip

STATE_TYPE_WEIGHTS: dict[str, float] = {"BC": 3, "QĐ": 3, "KH": 2, "TB": 1, "TTr": 1, "CT": 0.5}

# Drafting units in the symbol of a state công văn (507/UBND-KGVX, 1906/SGDĐT-CTrTT).
STATE_CV_UNITS: dict[str, tuple[str, ...]] = {
    "UBND": ("KGVX", "KTTH", "NC", "NNTN", "CNXD", "TH", "VX", "KT", "XD", "TCD"),
    "SO": ("VP", "KHTC", "TCCB", "CTrTT", "GDTrH", "NVY", "QLNS", "TTr", "PC"),
}
STATE_CV_ADDRESSEES: tuple[str, ...] = (
    "Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Nội vụ", "Sở Giáo dục và Đào tạo",
    "Sở Y tế", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Văn phòng Ủy ban nhân dân tỉnh",
    "Thường trực Hội đồng nhân dân tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
)  # fmt: skip

PROVINCES: tuple[str, ...] = (
    "An Giang", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh",
    "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An", "Nam Định", "Nghệ An",
    "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
)  # fmt: skip

# Centrally-run cities: their Party committee is a Thành ủy (ThU) with urban districts (QU).
CITIES: dict[str, tuple[str, ...]] = {
    "Hà Nội": ("Ba Đình", "Hoàn Kiếm", "Đống Đa", "Cầu Giấy", "Thanh Xuân", "Long Biên"),
    "Hải Phòng": ("Lê Chân", "Ngô Quyền", "Hồng Bàng", "Hải An"),
    "Đà Nẵng": ("Hải Châu", "Thanh Khê", "Sơn Trà", "Liên Chiểu"),
    "Cần Thơ": ("Ninh Kiều", "Bình Thủy", "Cái Răng"),
}

DISTRICTS: dict[str, tuple[str, ...]] = {
    "Thanh Hóa": ("Nga Sơn", "Hoằng Hóa", "Quảng Xương", "Thọ Xuân", "Hậu Lộc", "Nông Cống"),
    "Nghệ An": ("Diễn Châu", "Quỳnh Lưu", "Nam Đàn", "Yên Thành", "Đô Lương"),
    "Đồng Nai": ("Long Thành", "Nhơn Trạch", "Trảng Bom", "Định Quán", "Xuân Lộc"),
    "Hà Tĩnh": ("Cẩm Xuyên", "Đức Thọ", "Hương Sơn", "Can Lộc"),
    "Bắc Giang": ("Lạng Giang", "Yên Thế", "Lục Nam", "Hiệp Hòa"),
    "Quảng Nam": ("Duy Xuyên", "Thăng Bình", "Núi Thành", "Đại Lộc"),
    "Thái Bình": ("Vũ Thư", "Kiến Xương", "Tiền Hải", "Quỳnh Phụ"),
    "Lâm Đồng": ("Đức Trọng", "Lâm Hà", "Di Linh", "Bảo Lâm"),
    "Long An": ("Cần Giuộc", "Đức Hòa", "Bến Lức", "Tân Trụ"),
    "Sơn La": ("Mộc Châu", "Mai Sơn", "Thuận Châu", "Yên Châu"),
}

# Provincial cities (thành phố thuộc tỉnh), led by a Thành ủy under the Tỉnh ủy.
PROVINCIAL_CITIES: dict[str, tuple[str, ...]] = {
    "Thanh Hóa": ("Sầm Sơn",),
    "Nghệ An": ("Vinh",),
    "Đồng Nai": ("Biên Hòa", "Long Khánh"),
    "Lâm Đồng": ("Đà Lạt", "Bảo Lộc"),
    "Quảng Nam": ("Tam Kỳ", "Hội An"),
    "Long An": ("Tân An",),
    "Bắc Giang": ("Bắc Giang",),
}

COMMUNES: tuple[str, ...] = (
    "Tân Lập", "Đông Hòa", "Quảng Phú", "Hòa Bình", "Xuân Thành", "Nga Thạch", "Hoằng Phụ",
    "Diễn Kim", "Minh Khai", "Thanh Sơn", "Phú Lộc", "An Thịnh", "Đức Long", "Yên Lạc",
    "Tiến Thắng", "Quỳnh Thọ", "Xuân Hòa", "Hưng Đạo", "Cẩm Bình", "Nam Thanh",
)  # fmt: skip

HAMLETS: tuple[str, ...] = (
    "Đông", "Trung Hậu", "Phú Xuân", "Bắc Sơn", "Tân Hưng", "Yên Phú", "An Bình", "Hạ",
    "Đồng Tâm", "Liên Minh",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
    "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lương",
    "Mai", "Trịnh", "Cao", "Tạ",
)  # fmt: skip
MIDDLE_MALE: tuple[str, ...] = (
    "Văn", "Văn", "Đức", "Thanh", "Minh", "Hữu", "Quốc", "Xuân", "Công", "Đình", "Thế", "Anh",
    "Trọng", "Ngọc", "Hồng",
)  # fmt: skip
MIDDLE_FEMALE: tuple[str, ...] = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng")
GIVEN_MALE: tuple[str, ...] = (
    "Hải", "Sơn", "Việt", "Hùng", "Dũng", "Tuấn", "Thắng", "Long", "Nam", "Bình", "Cường",
    "Thành", "Trung", "Hiếu", "Toàn", "Quang", "Khánh", "Đông", "Phúc", "Lộc", "Thọ", "Quyết",
    "Tiến", "Hưng", "Kiên", "Chiến", "Nghĩa",
)  # fmt: skip
GIVEN_FEMALE: tuple[str, ...] = (
    "Lan", "Hương", "Hà", "Phương", "Linh", "Thủy", "Nga", "Hạnh", "Tâm", "Yến", "Hoa",
    "Huyền", "Trang", "Nhung", "Thảo", "Hằng",
)  # fmt: skip

TOPICS: tuple[str, ...] = (
    "nâng cao chất lượng sinh hoạt chi bộ",
    "tăng cường công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "công tác phát triển đảng viên",
    "tăng cường xây dựng, chỉnh đốn Đảng và hệ thống chính trị",
    "chuyển đổi số trong các cơ quan đảng",
    "công tác dân vận của hệ thống chính trị",
    "bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
    "công tác phòng, chống tham nhũng, lãng phí, tiêu cực",
    "nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng",
    "công tác cán bộ và quản lý đội ngũ cán bộ",
    "xây dựng tổ chức đảng, đoàn thể trong doanh nghiệp ngoài khu vực nhà nước",
    "thực hiện quy chế dân chủ ở cơ sở",
    "công tác bảo vệ chính trị nội bộ",
    "thực hành tiết kiệm, chống lãng phí",
    "xây dựng nông thôn mới gắn với đô thị văn minh",
    "công tác thông tin, báo cáo và lưu trữ tài liệu",
)

SECTION_TITLES: dict[str, tuple[str, ...]] = {
    "report": (
        "ĐẶC ĐIỂM TÌNH HÌNH", "TÌNH HÌNH TRIỂN KHAI", "KẾT QUẢ THỰC HIỆN",
        "CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", "ĐÁNH GIÁ CHUNG", "HẠN CHẾ VÀ NGUYÊN NHÂN",
        "BÀI HỌC KINH NGHIỆM", "PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "KIẾN NGHỊ, ĐỀ XUẤT",
        "NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM",
    ),
    "plan": (
        "MỤC ĐÍCH, YÊU CẦU", "NỘI DUNG", "NHIỆM VỤ VÀ GIẢI PHÁP", "THỜI GIAN, ĐỊA ĐIỂM",
        "KINH PHÍ THỰC HIỆN", "TỔ CHỨC THỰC HIỆN",
    ),
}  # fmt: skip

SUBSECTION_TITLES: tuple[str, ...] = (
    "Tình hình chung", "Công tác chính trị, tư tưởng",
    "Công tác tổ chức, cán bộ và xây dựng tổ chức đảng",
    "Công tác kiểm tra, giám sát và thi hành kỷ luật đảng", "Công tác dân vận",
    "Công tác phát triển đảng viên", "Ưu điểm", "Hạn chế, khuyết điểm", "Nguyên nhân",
    "Mục đích", "Yêu cầu", "Công tác lãnh đạo, chỉ đạo triển khai thực hiện",
    "Kết quả thực hiện các chỉ tiêu", "Về nâng cao chất lượng sinh hoạt chi bộ",
    "Về công tác quản lý đảng viên", "Trách nhiệm của các cấp ủy, tổ chức đảng",
    "Chế độ thông tin, báo cáo",
)  # fmt: skip

COMMITTEE_GROUPS: tuple[str, ...] = (
    "Tổ công tác giúp việc Ban Chỉ đạo",
    "Đoàn kiểm tra việc thực hiện Chỉ thị số 28-CT/TW",
    "Tổ biên tập văn kiện Đại hội",
    "Hội đồng thi đua, khen thưởng",
    "Ban Chỉ đạo chuyển đổi số",
    "Tiểu ban Văn kiện Đại hội",
)

MASS_ORGS: tuple[str, ...] = (
    "HỘI NÔNG DÂN", "LIÊN ĐOÀN LAO ĐỘNG", "HỘI LIÊN HIỆP PHỤ NỮ", "HỘI CỰU CHIẾN BINH",
    "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM",
)  # fmt: skip

# (header line, code, name in running text)
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("SỞ NỘI VỤ", "SNV", "Sở Nội vụ"),
    ("SỞ TÀI CHÍNH", "STC", "Sở Tài chính"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", "Sở Giáo dục và Đào tạo"),
    ("SỞ Y TẾ", "SYT", "Sở Y tế"),
    ("SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "SKHĐT", "Sở Kế hoạch và Đầu tư"),
)

ROMAN: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII",
)  # fmt: skip

ORDINALS: tuple[str, ...] = (
    "nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười",
)  # fmt: skip

# Footnote texts; "{y}" and "{n}" are filled by the generator.
FOOTNOTES: tuple[str, ...] = (
    "Số liệu tính đến ngày 30/6/{y}.",
    "Số liệu tính đến ngày 31/12/{y}, theo báo cáo của các cấp ủy trực thuộc.",
    "Trong đó có {n} đảng viên nữ và {m} đảng viên là người dân tộc thiểu số.",
    "Không tính các chi bộ đã giải thể, sáp nhập trong kỳ báo cáo.",
    "Có biểu tổng hợp chi tiết kèm theo báo cáo này.",
    "Theo số liệu thống kê của Ban Tổ chức, có điều chỉnh so với báo cáo lần trước.",
)

TABLE_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Xếp loại tổ chức cơ sở đảng",
        (
            "- Hoàn thành xuất sắc nhiệm vụ",
            "- Hoàn thành tốt nhiệm vụ",
            "- Hoàn thành nhiệm vụ",
            "- Không hoàn thành nhiệm vụ",
        ),
    ),
    (
        "Kết nạp đảng viên mới",
        ("- Nữ", "- Dân tộc thiểu số", "- Đoàn viên", "- Người có đạo"),
    ),
    (
        "Kiểm tra, giám sát",
        (
            "- Kiểm tra tổ chức đảng",
            "- Kiểm tra đảng viên",
            "- Giám sát chuyên đề",
            "- Thi hành kỷ luật",
        ),
    ),
    (
        "Dự sinh hoạt chi bộ",
        ("- Sinh hoạt định kỳ", "- Sinh hoạt chuyên đề"),
    ),
    (
        "Bồi dưỡng nghiệp vụ công tác đảng",
        ("- Bí thư chi bộ", "- Phó Bí thư chi bộ", "- Chi ủy viên", "- Đảng ủy viên"),
    ),
)

# Captions of appendix tables that gather several groups of rows.
TABLE_CAPTIONS: tuple[str, ...] = (
    "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU",
    "SỐ LIỆU TỔNG HỢP CÔNG TÁC XÂY DỰNG ĐẢNG",
    "BIỂU THỐNG KÊ KẾT QUẢ THỰC HIỆN",
)
