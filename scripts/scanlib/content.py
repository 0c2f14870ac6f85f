"""Random but plausible Party and state documents, deterministic given a seed.

`draft_document(seed)` builds a document whose body is longer than needed, as a list of
units (a paragraph with the headings that open it); `Draft.assemble(k)` keeps the first k
units, numbers footnotes and articles, and derives the truth fields from what was kept,
so a caller can trim the body to a page count without the fields going stale.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from . import pools
from .model import Appendix, Block, DocStyle, Json, Run, SynthDoc, Table, plain
from .sources import legal_paragraphs, seed_text

T = TypeVar("T")

HELDOUT_MODULUS = 5  # documents whose seed % 5 == 0 form the held-out split

FN = "\x00FN\x00"  # footnote marker placeholder, numbered at assembly
ART = "\x00ART\x00"  # article number placeholder ("Điều {n}."), numbered at assembly


def split_of(seed: int) -> str:
    """The evaluation split of a document seed: every fifth seed is held out."""
    return "heldout" if seed % HELDOUT_MODULUS == 0 else "train"


def old_tone_style(text: str) -> str:
    """Write `oa, oe, uy` syllables the old way (Hóa -> Hoá, Thủy -> Thuỷ), as many archives do."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if len(word) < 2:
            return word
        first, last = word[-2], word[-1]
        decomposed = unicodedata.normalize("NFD", first)
        base, marks = decomposed[0], decomposed[1:]
        if marks and base in "oOuU" and last in "aeAEyY" and (base in "oO") != (last in "yY"):
            if base in "uU" and word[:-2].lower().endswith("q"):
                return word
            moved = unicodedata.normalize("NFC", last + marks)
            return word[:-2] + base + moved
        return word

    return re.sub(r"\w+", fix, text)


def vn_number(n: int) -> str:
    """Thousands grouped with dots, as Vietnamese documents print them (14.103)."""
    return f"{n:,}".replace(",", ".")


def short_date(d: dt.date) -> str:
    """`07/4/2021`: day padded to two digits, months 1 and 2 padded too."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{d.day:02d}/{month}/{d.year}"


def long_date(d: dt.date) -> str:
    """`ngày 06 tháng 7 năm 2023`, padding as in `short_date`."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def central_term(d: dt.date) -> str:
    """The Central Committee (khóa) in office on a date: XI from 2011, XII 2016, XIII 2021."""
    return "X" if d.year < 2011 else "XI" if d.year < 2016 else "XII" if d.year < 2021 else "XIII"


@dataclass
class Issuer:
    lines: list[tuple[str, bool]]  # header lines top-down, bold flag
    code: str
    place: str
    name: str  # how the body text names it ("Ban Thường vụ Huyện ủy")
    seal: str  # ring text of its seal
    signers: list[tuple[str | None, str]]  # (authority, title) options
    superiors: list[str]  # recipients that get a copy "(b/c)"
    lateral: list[str]  # other recipients
    archive: str  # "Lưu VPTU"
    decision_maker: str = ""  # line above "Căn cứ" in a decision (state)


@dataclass
class Unit:
    """Blocks that travel together, with the truth they carry."""

    blocks: list[Block]
    refs: list[Json] = field(default_factory=list)
    figures: list[Json] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    sections: list[Json] = field(default_factory=list)


@dataclass
class Draft:
    seed: int
    family: str
    style: DocStyle
    header_left: list[Block]
    header_right: list[Block]
    front: Unit
    intro: list[Unit]
    middle: list[Unit]
    outro: list[Unit]
    closing_left: list[Block]
    closing_right: list[Block]
    appendices: list[Appendix]
    fields: Json
    seal_ring: str
    signer_name: str
    target_pages: int

    def assemble(self, k: int) -> SynthDoc:
        """The document with the first `k` middle units; markers and fields follow."""
        units = [self.front, *self.intro, *self.middle[: max(0, k)], *self.outro]
        notes: dict[str, str] = {}
        article = 0
        body: list[Block] = []
        for unit in units[1:]:
            texts = iter(unit.footnotes)
            for block in unit.blocks:
                runs = []
                for run in block.runs:
                    if run.text == FN:
                        marker = str(len(notes) + 1)
                        notes[marker] = next(texts)
                        run = replace(run, text=marker)
                    elif ART in run.text:
                        article += 1
                        run = replace(run, text=run.text.replace(ART, str(article)))
                    runs.append(run)
                body.append(replace(block, runs=tuple(runs)))
        fields = dict(self.fields)
        fields["references"] = [r for u in units for r in u.refs]
        fields["figures"] = [f for u in units for f in u.figures]
        fields["sections"] = [s for u in units for s in u.sections]
        fields["footnotes"] = [{"marker": m, "text": t} for m, t in notes.items()]
        fields["tables"] = [_table_json(a) for a in self.appendices]
        return SynthDoc(
            seed=self.seed,
            family=self.family,
            split=split_of(self.seed),
            style=self.style,
            header_left=tuple(self.header_left),
            header_right=tuple(self.header_right),
            front=tuple(self.front.blocks),
            body=tuple(body),
            footnotes=notes,
            closing_left=tuple(self.closing_left),
            closing_right=tuple(self.closing_right),
            appendices=tuple(self.appendices),
            fields=fields,
            seal_ring=self.seal_ring,
            signer_name=self.signer_name,
            target_pages=self.target_pages,
        )


def _table_json(app: Appendix) -> Json:
    return {
        "title": " ".join(b.text for b in app.blocks if b.region == "appendix_title"),
        "caption": " ".join(b.text for b in app.blocks if b.region == "appendix_caption"),
        "header": list(app.table.header),
        "rows": [list(r) for r in app.table.rows],
    }


class _Gen:
    """One document's random choices; every method draws from the same seeded stream."""

    def __init__(
        self,
        seed: int,
        family: str | None,
        pages: int | None,
        handwritten: bool = False,
        doc_type: str | None = None,
    ) -> None:
        # Options added later draw from their own streams, so that a document made without
        # them is the same as before they existed.
        self.handwritten = handwritten
        self.doc_type = doc_type
        self.r = random.Random(seed)
        self.seed = seed
        self.family = family or ("state" if self.r.random() < 0.2 else "party")
        self.pages = pages or self.r.choices([1, 2, 3, 4], weights=[4, 4, 2, 1])[0]
        start = dt.date(2012, 1, 1).toordinal()
        self.date = dt.date.fromordinal(self.r.randrange(start, dt.date(2025, 6, 30).toordinal()))
        self.old_tones = self.r.random() < 0.35
        self.province = self.r.choice(pools.PROVINCES)
        self.seeds = seed_text()
        self.legal = legal_paragraphs()
        self.style = self.make_style()
        self.issuer: Issuer
        self.used_titles: set[str] = set()
        self.used: set[tuple[str, int]] = set()  # (pool name, index) drawn by `fresh`

    # -- small helpers -------------------------------------------------------------------

    def tone(self, text: str) -> str:
        return old_tone_style(text) if self.old_tones else text

    def pick(self, seq: Any) -> Any:
        return self.r.choice(list(seq))

    def person(self) -> str:
        if self.r.random() < 0.3:
            mid, given = self.pick(pools.MIDDLE_FEMALE), self.pick(pools.GIVEN_FEMALE)
        else:
            mid, given = self.pick(pools.MIDDLE_MALE), self.pick(pools.GIVEN_MALE)
        return f"{self.pick(pools.SURNAMES)} {mid} {given}"

    def date_before(self, limit: dt.date, years: int = 8) -> dt.date:
        lo = limit.toordinal() - 365 * years
        return dt.date.fromordinal(self.r.randrange(lo, limit.toordinal() - 7))

    def term(self) -> str:
        start = 2020 if self.date.year < 2025 else 2025
        start = start - 5 if self.date.year < 2016 else start
        return f"{start}-{start + 5}"

    # -- issuers ---------------------------------------------------------------------------

    def party_issuer(self) -> Issuer:
        r, p = self.r, self.province
        P = p.upper()
        code = r.choices(
            ["TU", "HU", "ĐUK", "ĐU", "CB", "ThU", "QU", "BTCTU", "BTGTU", "BDVTU", "UBKTTU",
             "VPTU", "VPHU", "BTCHU", "ĐĐ", "BCSĐ", "BCĐ", "TW", "VPTW", "BTCTW", "BTGTW"],
            weights=[5, 6, 5, 3, 1.5, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0.7, 0.5, 0.5, 0.7, 0.5],
        )[0]  # fmt: skip
        district = self.pick(pools.DISTRICTS.get(p, pools.DISTRICTS["Thanh Hóa"]))
        if code in ("HU", "VPHU", "BTCHU", "ĐU", "CB") and p not in pools.DISTRICTS:
            self.province = p = "Thanh Hóa" if r.random() < 0.5 else self.pick(pools.DISTRICTS)
            P = p.upper()
            district = self.pick(pools.DISTRICTS[p])
        D = district.upper()
        tu_sup = ["Ban Thường vụ Tỉnh ủy (b/c)", "Thường trực Tỉnh ủy (b/c)"]
        hu_sup = ["Thường trực Huyện ủy (b/c)", "Ban Thường vụ Huyện ủy (b/c)"]
        ban_signers: list[tuple[str | None, str]] = [
            (None, "TRƯỞNG BAN"),
            ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
        ]
        if code == "TU":
            return Issuer(
                [(f"TỈNH ỦY {P}", True)], code, p, "Ban Thường vụ Tỉnh ủy", f"TỈNH ỦY {P}",
                [("T/M BAN THƯỜNG VỤ", "BÍ THƯ"), ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"),
                 ("T/M TỈNH ỦY", "BÍ THƯ")],
                ["Ban Bí thư (b/c)", "Ban Tổ chức Trung ương (b/c)",
                 "Văn phòng Trung ương Đảng (b/c)"],
                ["Các đồng chí Tỉnh ủy viên", "Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc",
                 "Các ban đảng, Văn phòng Tỉnh ủy", "Các sở, ban, ngành tỉnh"],
                "Lưu Văn phòng Tỉnh ủy",
            )  # fmt: skip
        if code == "ThU":
            if r.random() < 0.5:
                city = self.pick(pools.CITIES)
                self.province = city
                lines = [(f"THÀNH ỦY {city.upper()}", True)]
            else:
                prov = self.pick(pools.PROVINCIAL_CITIES)
                self.province = prov
                city = self.pick(pools.PROVINCIAL_CITIES[prov])
                lines = [(f"TỈNH ỦY {prov.upper()}", False), (f"THÀNH ỦY {city.upper()}", True)]
            return Issuer(
                lines, code, city, "Ban Thường vụ Thành ủy", f"THÀNH ỦY {city.upper()}",
                [("T/M BAN THƯỜNG VỤ", "BÍ THƯ"), ("T/M THÀNH ỦY", "PHÓ BÍ THƯ")],
                tu_sup, ["Các đồng chí Thành ủy viên", "Các đảng bộ, chi bộ trực thuộc",
                         "Các ban xây dựng Đảng Thành ủy"], "Lưu Văn phòng Thành ủy",
            )  # fmt: skip
        if code == "QU":
            city = self.pick(pools.CITIES)
            self.province = city
            q = self.pick(pools.CITIES[city])
            return Issuer(
                [(f"THÀNH ỦY {city.upper()}", False), (f"QUẬN ỦY {q.upper()}", True)], code,
                city, "Ban Thường vụ Quận ủy", f"QUẬN ỦY {q.upper()}",
                [("T/M BAN THƯỜNG VỤ", "BÍ THƯ"), ("K/T BÍ THƯ", "PHÓ BÍ THƯ")],
                ["Ban Thường vụ Thành ủy (b/c)", "Ban Tổ chức Thành ủy (b/c)"],
                ["Các đảng bộ, chi bộ cơ sở", "Các ban xây dựng Đảng Quận ủy"], "Lưu VPQU",
            )  # fmt: skip
        if code in ("HU", "VPHU", "BTCHU"):
            if code == "HU":
                lines = [(f"TỈNH ỦY {P}", False), (f"HUYỆN ỦY {D}", True)]
                name, seal = "Ban Thường vụ Huyện ủy", f"HUYỆN ỦY {D} TỈNH {P}"
                signers: list[tuple[str | None, str]] = [
                    ("T/M BAN THƯỜNG VỤ", "BÍ THƯ"), ("K/T BÍ THƯ", "PHÓ BÍ THƯ"),
                    ("T/M HUYỆN ỦY", "BÍ THƯ"),
                ]  # fmt: skip
            elif code == "VPHU":
                lines = [(f"HUYỆN ỦY {D}", False), ("VĂN PHÒNG", True)]
                name, seal = "Văn phòng Huyện ủy", f"VĂN PHÒNG HUYỆN ỦY {D}"
                signers = [
                    (None, "CHÁNH VĂN PHÒNG"),
                    ("K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"),
                ]
            else:
                lines = [(f"HUYỆN ỦY {D}", False), ("BAN TỔ CHỨC", True)]
                name, seal = "Ban Tổ chức Huyện ủy", f"BAN TỔ CHỨC HUYỆN ỦY {D}"
                signers = ban_signers
            return Issuer(
                lines, code, district, name, seal, signers,
                hu_sup if code != "HU"
                else ["Ban Thường vụ Tỉnh ủy (b/c)", "Ban Tổ chức Tỉnh ủy (b/c)"],
                ["Các đồng chí Ủy viên BCH Đảng bộ huyện", "Đảng ủy các xã, thị trấn",
                 "Các ban đảng, Văn phòng Huyện ủy"],
                "Lưu VPHU" if code != "BTCHU" else "Lưu Ban Tổ chức Huyện ủy",
            )  # fmt: skip
        if code == "ĐUK":
            body = self.pick(
                ["ĐẢNG ỦY KHỐI CƠ QUAN VÀ DOANH NGHIỆP TỈNH", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
                 "ĐẢNG ỦY KHỐI DOANH NGHIỆP TỈNH"]
            )  # fmt: skip
            return Issuer(
                [(f"ĐẢNG BỘ TỈNH {P}", False), (body, True)], code, p,
                self.pick(["Ban Thường vụ Đảng ủy Khối", "Ban Chấp hành Đảng bộ Khối"]),
                f"{body} {P}",
                [("T/M ĐẢNG ỦY", "BÍ THƯ"), ("K/T BÍ THƯ", "PHÓ BÍ THƯ"),
                 ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")],
                [*tu_sup, "Ban Tổ chức Tỉnh ủy (b/c)"],
                ["Các đồng chí UVBCH", "Các đảng bộ, chi bộ trực thuộc",
                 "Các Ban của Đảng ủy Khối"],
                "Lưu TT, TC",
            )  # fmt: skip
        if code in ("ĐU", "CB"):
            commune = self.pick(pools.COMMUNES)
            kind = "THỊ TRẤN" if r.random() < 0.2 else "XÃ"
            if code == "ĐU":
                lines = [(f"ĐẢNG BỘ HUYỆN {D}", False), (f"ĐẢNG ỦY {kind} {commune.upper()}", True)]
                name, seal = "Ban Thường vụ Đảng ủy", f"ĐẢNG ỦY {kind} {commune.upper()} HUYỆN {D}"
                signers = [("T/M ĐẢNG ỦY", "BÍ THƯ"), ("K/T BÍ THƯ", "PHÓ BÍ THƯ")]
            else:
                hamlet = self.pick(pools.HAMLETS)
                lines = [(f"ĐẢNG BỘ {kind} {commune.upper()}", False),
                         (f"CHI BỘ THÔN {hamlet.upper()}", True)]  # fmt: skip
                name, seal = "Chi bộ", f"ĐẢNG BỘ {kind} {commune.upper()}"
                signers = [("T/M CHI BỘ", "BÍ THƯ"), ("T/M CHI BỘ", "PHÓ BÍ THƯ")]
            return Issuer(
                lines, code, commune, name, seal, signers,
                ["Ban Thường vụ Huyện ủy (b/c)", "Thường trực Đảng ủy (b/c)"],
                ["Các chi bộ trực thuộc", "Các đồng chí đảng ủy viên",
                 "Các đoàn thể chính trị - xã hội"],
                "Lưu VP",
            )  # fmt: skip
        tu = (f"TỈNH ỦY {P}", False)
        ban: dict[str, tuple[str, str, list[tuple[str | None, str]]]] = {
            "BTCTU": ("BAN TỔ CHỨC", "Ban Tổ chức Tỉnh ủy", ban_signers),
            "BTGTU": ("BAN TUYÊN GIÁO", "Ban Tuyên giáo Tỉnh ủy", ban_signers),
            "BDVTU": ("BAN DÂN VẬN", "Ban Dân vận Tỉnh ủy", ban_signers),
            "UBKTTU": ("ỦY BAN KIỂM TRA", "Ủy ban Kiểm tra Tỉnh ủy",
                       [("T/M ỦY BAN KIỂM TRA", "CHỦ NHIỆM"), ("K/T CHỦ NHIỆM", "PHÓ CHỦ NHIỆM")]),
            "VPTU": ("VĂN PHÒNG", "Văn phòng Tỉnh ủy",
                     [(None, "CHÁNH VĂN PHÒNG"), ("K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG")]),
        }  # fmt: skip
        if code in ban:
            title, name, signers = ban[code]
            return Issuer(
                [tu, (title, True)],
                code,
                p,
                name,
                f"{title} TỈNH ỦY {P}",
                signers,
                ["Thường trực Tỉnh ủy (b/c)", "Ban Thường vụ Tỉnh ủy (b/c)"],
                ["Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc", "Các ban đảng Tỉnh ủy"],
                f"Lưu {code}",
            )
        if code in ("ĐĐ", "BCSĐ", "BCĐ"):
            if code == "ĐĐ":
                org = self.pick(pools.MASS_ORGS)
                body, name = f"ĐẢNG ĐOÀN {org} TỈNH", "Đảng đoàn"
                signers = [("T/M ĐẢNG ĐOÀN", "BÍ THƯ"), ("T/M ĐẢNG ĐOÀN", "PHÓ BÍ THƯ")]
            elif code == "BCSĐ":
                body, name = "BAN CÁN SỰ ĐẢNG ỦY BAN NHÂN DÂN TỈNH", "Ban Cán sự đảng"
                signers = [("T/M BAN CÁN SỰ ĐẢNG", "BÍ THƯ")]
            else:
                what = self.pick(["35", "CHUYỂN ĐỔI SỐ", "PHÒNG, CHỐNG THAM NHŨNG, TIÊU CỰC"])
                body = f"BAN CHỈ ĐẠO {what}"
                name = "Ban Chỉ đạo"
                signers = [("T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN"), ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")]
            return Issuer(
                [tu, (body, True)], code, p, name, f"TỈNH ỦY {P}", signers,
                ["Thường trực Tỉnh ủy (b/c)", "Ban Tổ chức Tỉnh ủy (b/c)"],
                ["Các đồng chí ủy viên", "Các cơ quan, đơn vị liên quan"], "Lưu VT",
            )  # fmt: skip
        self.province = "Hà Nội"
        tw = ("BAN CHẤP HÀNH TRUNG ƯƠNG", code == "TW")
        sub = {"VPTW": ("VĂN PHÒNG", "Văn phòng Trung ương Đảng"),
               "BTCTW": ("BAN TỔ CHỨC", "Ban Tổ chức Trung ương"),
               "BTGTW": ("BAN TUYÊN GIÁO", "Ban Tuyên giáo Trung ương")}  # fmt: skip
        lines = [tw] if code == "TW" else [tw, (sub[code][0], True)]
        name = "Ban Bí thư" if code == "TW" else sub[code][1]
        signers = (
            [("T/M BAN BÍ THƯ", "THƯỜNG TRỰC BAN BÍ THƯ"), ("T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ")]
            if code == "TW"
            else [(None, "TRƯỞNG BAN"), ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")]
        )
        if code == "VPTW":
            signers = [(None, "CHÁNH VĂN PHÒNG"), ("K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG")]
        return Issuer(
            lines, code, "Hà Nội", name, "BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG CỘNG SẢN VIỆT NAM",
            signers, [], ["Các tỉnh ủy, thành ủy", "Các ban đảng, ban cán sự đảng, đảng đoàn",
                          "Các đảng ủy trực thuộc Trung ương"], "Lưu Văn phòng Trung ương Đảng",
        )  # fmt: skip

    def state_issuer(self) -> Issuer:
        p, r = self.province, self.r
        P = p.upper()
        kind = r.choices(["tinh", "huyen", "so"], weights=[4, 2, 3])[0]
        if kind == "huyen" and p not in pools.DISTRICTS:
            self.province = p = self.pick(pools.DISTRICTS)
            P = p.upper()
        if kind == "so":
            dept, code, dept_name = self.pick(pools.DEPARTMENTS)
            return Issuer(
                [(f"ỦY BAN NHÂN DÂN TỈNH {P}", False), (dept, True)], code, p,
                dept_name, f"{dept} TỈNH {P}",
                [(None, "GIÁM ĐỐC"), ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")],
                ["UBND tỉnh (b/c)", "Giám đốc Sở (b/c)"],
                ["Các phòng, đơn vị thuộc Sở", "Các cơ quan, đơn vị có liên quan"],
                "Lưu: VT", decision_maker=f"GIÁM ĐỐC {dept}",
            )  # fmt: skip
        if kind == "huyen":
            d = self.pick(pools.DISTRICTS[p])
            unit, where, place = f"HUYỆN {d.upper()}", "huyện", d
        else:
            unit, where, place = f"TỈNH {P}", "tỉnh", p
        return Issuer(
            [("ỦY BAN NHÂN DÂN", True), (unit, True)], "UBND", place,
            f"Ủy ban nhân dân {where}", f"ỦY BAN NHÂN DÂN {unit}",
            [("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")],
            ["Thường trực Tỉnh ủy (b/c)" if where == "tỉnh" else "UBND tỉnh (b/c)",
             "Thường trực HĐND tỉnh (b/c)" if where == "tỉnh" else "Thường trực Huyện ủy (b/c)"],
            ["Chủ tịch, các PCT UBND", "Các sở, ban, ngành", "Như Điều 3"], "Lưu: VT",
            decision_maker=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {unit}",
        )  # fmt: skip

    # -- references and figures ----------------------------------------------------------

    def party_ref(self, own: str) -> tuple[str, Json]:
        r = self.r
        code = r.choices([own, "TW", "TU", "BTCTW", "HU", "ĐUK", "BTCTU"], [4, 4, 2, 1, 1, 1, 1])[0]
        if code == "TW":
            tcode = self.pick(["NQ", "NQ", "CT", "KL", "QĐ", "QĐi", "HD"])
        else:
            tcode = self.pick(["NQ", "CT", "KL", "KH", "KH", "CTr", "HD", "QĐ", "QĐi", "CV", "BC"])
        if tcode == "HD" and code == "TW":
            code = "BTCTW"
        number = r.randint(1, 60 if code == "TW" and tcode == "NQ" else 400)
        if tcode == "CV":
            number = r.randint(100, 5000)
        symbol = f"{tcode}/{code}"
        if tcode == "QC" and r.random() < 0.3:
            symbol += "-BDVTU"
        doc_number = f"{number:02d}-{symbol}"
        date = self.date_before(self.date)
        issuer = {
            "TW": self.pick(["Bộ Chính trị", "Ban Bí thư", "Ban Chấp hành Trung ương Đảng"])
            if tcode != "NQ"
            else f"Ban Chấp hành Trung ương Đảng khóa {central_term(date)}",
            "TU": self.pick(["Ban Thường vụ Tỉnh ủy", "Ban Chấp hành Đảng bộ tỉnh"]),
            "HU": "Ban Thường vụ Huyện ủy",
            "ĐUK": self.pick(["Ban Chấp hành Đảng bộ Khối", "Ban Thường vụ Đảng ủy Khối"]),
            "BTCTW": "Ban Tổ chức Trung ương",
            "BTCTU": "Ban Tổ chức Tỉnh ủy",
        }.get(code)
        text = f"{pools.PARTY_TYPES[tcode][1]} số {doc_number}"
        has_date = r.random() < 0.85
        if has_date:
            text += (", " if r.random() < 0.7 else " ") + f"ngày {short_date(date)}"
        if issuer is None or r.random() < 0.2:
            issuer = None
        else:
            text += f" của {issuer}"
        return text, {
            "text": text,
            "type": pools.PARTY_TYPES[tcode][1],
            "type_code": tcode,
            "number": number,
            "symbol": symbol,
            "doc_number": doc_number,
            "date": date.isoformat() if has_date else None,
            "issuer": issuer,
        }

    def state_ref(self) -> tuple[str, Json]:
        r = self.r
        laws = [
            ("Luật Tổ chức chính quyền địa phương", dt.date(2015, 6, 19)),
            ("Luật Cán bộ, công chức", dt.date(2008, 11, 13)),
            ("Luật Ban hành văn bản quy phạm pháp luật", dt.date(2015, 6, 22)),
            ("Luật Lưu trữ", dt.date(2011, 11, 11)),
            ("Luật Ngân sách nhà nước", dt.date(2015, 6, 25)),
        ]
        decrees = [
            ("Nghị định", 30, 2020, "NĐ-CP", dt.date(2020, 3, 5), "Chính phủ"),
            ("Nghị định", 138, 2020, "NĐ-CP", dt.date(2020, 11, 27), "Chính phủ"),
            ("Nghị định", 24, 2014, "NĐ-CP", dt.date(2014, 4, 4), "Chính phủ"),
            ("Thông tư", 2, 2019, "TT-BNV", dt.date(2019, 1, 24), "Bộ Nội vụ"),
        ]
        choice = r.random()
        if choice < 0.3:
            options = [x for x in laws if x[1] < self.date] or laws[:1]
            name, d = self.pick(options)
            text = f"{name} {long_date(d)}"
            return text, {"text": text, "type": "Luật", "type_code": None, "number": None,
                          "symbol": None, "doc_number": None, "date": d.isoformat(),
                          "issuer": "Quốc hội"}  # fmt: skip
        dec_options = [x for x in decrees if x[4] < self.date]
        if choice < 0.6 and dec_options:
            tname, num, year, sym, d, who = self.pick(dec_options)
            doc_number = f"{num:02d}/{year}/{sym}"
        else:
            tname, who = "Quyết định", "Ủy ban nhân dân tỉnh"
            num, d = r.randint(10, 3500), self.date_before(self.date)
            sym = "QĐ-UBND"
            doc_number = f"{num}/{sym}"
        text = f"{tname} số {doc_number} ngày {short_date(d)} của {who}"
        return text, {"text": text, "type": tname, "type_code": sym.split("-")[0],
                      "number": num, "symbol": sym, "doc_number": doc_number,
                      "date": d.isoformat(), "issuer": who}  # fmt: skip

    def ref(self, own: str) -> tuple[str, Json]:
        return self.party_ref(own) if self.family == "party" else self.state_ref()

    def figure_para(self, own: str, org: str) -> Unit:
        """A sentence with key figures, the kind an extractor should pick up."""
        r = self.r
        y = r.randint(max(2012, self.date.year - 3), self.date.year)
        figures: list[Json] = []

        def num(n: int, unit: str) -> str:
            text = f"{vn_number(n)} {unit}"
            figures.append({"text": text, "value": n, "unit": unit})
            return text

        def pct(qual: str = "") -> str:
            if r.random() < 0.5:
                v: float = r.randint(50, 100)
                shown = f"{int(v)}%"
            else:
                v = round(r.uniform(50, 99.9), 1)
                shown = f"{v:.1f}%".replace(".", ",")
            text = f"{qual} {shown}".strip()
            figures.append({"text": text, "value": v, "unit": "%", "qualifier": qual or None})
            return text

        n_org = r.randint(40, 400)
        ri = r.randint
        tcs = "tổ chức cơ sở đảng"
        templates = [
            lambda: (
                f"Hiện nay, {org} có {num(n_org, tcs)}, trong đó: "
                f"{num(ri(10, n_org // 2), 'đảng bộ')}, {num(ri(5, n_org // 2), 'chi bộ cơ sở')}, "
                f"{num(ri(300, 3000), 'chi bộ trực thuộc')} với "
                f"{num(ri(3000, 60000), 'đảng viên')}."
            ),
            lambda: (
                f"Trong năm {y}, toàn Đảng bộ đã kết nạp {num(ri(50, 900), 'đảng viên')} mới, "
                f"đạt {pct()} chỉ tiêu; có {pct('trên')} {tcs} được đánh giá "
                "hoàn thành tốt nhiệm vụ trở lên."
            ),
            lambda: (
                f"Công tác kiểm tra, giám sát được quan tâm; đã tiến hành kiểm tra "
                f"{num(ri(5, 120), 'tổ chức đảng')} và {num(ri(10, 400), 'đảng viên')}, "
                f"giám sát chuyên đề {num(ri(5, 90), 'tổ chức đảng')}; thi hành kỷ luật "
                f"{num(ri(1, 40), 'đảng viên')}."
            ),
            lambda: (
                f"Việc tổ chức sinh hoạt định kỳ của các chi bộ đạt {pct('trên')}, "
                f"sinh hoạt chuyên đề đạt {pct()}; {pct('gần')} đảng viên được đánh giá "
                "hoàn thành tốt nhiệm vụ."
            ),
            lambda: (
                f"Thu, nộp đảng phí năm {y} đạt {num(ri(200, 9000), 'triệu đồng')}, "
                f"tăng {pct()} so với cùng kỳ năm trước; công tác quản lý tài chính đảng "
                "bảo đảm đúng quy định."
            ),
            lambda: (
                f"{org[0].upper()}{org[1:]} đã tổ chức {num(ri(2, 60), 'hội nghị')} quán triệt "
                f"cho {num(ri(500, 20000), 'cán bộ, đảng viên')} tham dự, đạt {pct()}."
            ),
        ]
        state_templates = [
            lambda: (
                f"Năm {y}, {org} đã cử {num(ri(100, 5000), 'cán bộ, công chức')} tham gia "
                f"đào tạo, bồi dưỡng, đạt {pct()} kế hoạch đề ra."
            ),
            lambda: (
                f"Đã tiếp nhận và giải quyết {num(ri(500, 90000), 'hồ sơ')} thủ tục hành chính, "
                f"trong đó {pct('trên')} hồ sơ được giải quyết đúng và trước hạn."
            ),
            lambda: (
                f"Tổng kinh phí thực hiện năm {y} là {num(ri(200, 90000), 'triệu đồng')}, "
                f"giải ngân đạt {pct()} dự toán được giao."
            ),
        ]
        text = self.fresh(self.family, templates if self.family == "party" else state_templates)()
        return Unit([self.para_block(text)], figures=figures)

    # -- paragraphs --------------------------------------------------------------------------

    def para_block(self, text: str | tuple[Run, ...], italic: bool = False) -> Block:
        runs = (Run(text, italic=italic),) if isinstance(text, str) else text
        st = self.style
        return Block(
            "body", runs, size=st.body_size, indent_mm=st.indent_mm, before_pt=st.para_space_pt
        )

    def sourced_para(self) -> Unit:
        """A paragraph from the seeds or the legal corpus, else a template one."""
        r = self.r
        seeds, legal = self.seeds.paragraphs, self.legal
        w_seed = 0.5 if self.family == "party" else 0.1
        w_legal = 0.2 if self.family == "party" else 0.55
        x = r.random()
        if x < w_seed and seeds:
            return Unit([self.para_block(self.fresh("seeds", seeds))])
        if x < w_seed + w_legal and legal:
            return Unit([self.para_block(self.fresh("legal", legal))])
        return self.figure_para(self.issuer.code, self.org_phrase())

    def fresh(self, name: str, pool: Sequence[T]) -> T:
        """An item of the pool `name` not used yet in this document (any once all are)."""
        unused = [i for i in range(len(pool)) if (name, i) not in self.used]
        i = self.r.choice(unused or list(range(len(pool))))
        self.used.add((name, i))
        return pool[i]

    def org_phrase(self) -> str:
        if self.family == "state":
            return "toàn tỉnh"
        return self.pick(["Đảng bộ", "toàn Đảng bộ", f"Đảng bộ {self.issuer.place}"])

    def items_unit(self) -> Unit:
        items = list(self.seeds.items)
        if not items:
            return self.figure_para(self.issuer.code, self.org_phrase())
        n = self.r.randint(2, 4)
        blocks = [self.para_block(self.fresh("items", items)) for _ in range(n)]
        return Unit(blocks)

    def with_footnote(self, unit: Unit) -> Unit:
        """Put a footnote marker at the end of the unit's last block."""
        block = unit.blocks[-1]
        runs = list(block.runs)
        last = runs[-1]
        if not last.text.endswith("."):
            return unit
        runs[-1] = replace(last, text=last.text[:-1])
        runs += [Run(FN, sup=True), Run(".", bold=last.bold, italic=last.italic)]
        y = self.r.randint(self.date.year - 2, self.date.year)
        note = self.pick(pools.FOOTNOTES).format(
            y=y, n=vn_number(self.r.randint(200, 9000)), m=self.r.randint(10, 400)
        )
        unit.blocks[-1] = replace(block, runs=tuple(runs))
        unit.footnotes.append(note)
        return unit

    # -- document parts ----------------------------------------------------------------------

    def make_style(self) -> DocStyle:
        r = self.r
        return DocStyle(
            body_size=r.choice([13.0, 14.0, 14.0]),
            line_spacing=r.uniform(1.15, 1.4),
            para_space_pt=r.choice([3.0, 6.0, 6.0]),
            indent_mm=r.uniform(8, 12.7),
            margin_top=r.uniform(20, 25),
            margin_bottom=r.uniform(18, 23),
            margin_left=r.uniform(28, 35),
            margin_right=r.uniform(15, 20),
            left_col=0.45 if self.family == "party" else 0.42,
        )

    def build(self) -> Draft:
        r = self.r
        st = self.style
        if self.family == "party":
            self.issuer = self.party_issuer()
            tcode = r.choices(
                list(pools.PARTY_TYPE_WEIGHTS), list(pools.PARTY_TYPE_WEIGHTS.values())
            )[0]
        else:
            self.issuer = self.state_issuer()
            tcode = r.choices(
                list(pools.STATE_TYPE_WEIGHTS), list(pools.STATE_TYPE_WEIGHTS.values())
            )[0]
        if self.doc_type:
            tcode = self.doc_type
        iss = self.issuer
        type_name = pools.PARTY_TYPES[tcode][0]
        number = r.randint(1, 999) if self.family == "party" else r.randint(1, 3000)
        hr = random.Random(f"hand-{self.seed}")
        if self.family == "party":
            symbol = f"{tcode}/{iss.code}"
            doc_number = f"{number:02d}-{symbol}"
            number_line = f"Số {doc_number}"
        else:
            symbol = f"{tcode}-{iss.code}"
            if tcode == "CV":  # a state công văn: issuer code and drafting unit, no type code
                units = pools.STATE_CV_UNITS["UBND" if iss.code == "UBND" else "SO"]
                symbol = f"{iss.code}-{random.Random(f'cv-{self.seed}').choice(units)}"
            doc_number = f"{number:02d}/{symbol}"
            number_line = f"Số: {doc_number}"
        place = self.tone(iss.place)
        date_line = f"{place}, {long_date(self.date)}"
        handwritten: dict[str, str] = {}
        if self.handwritten:  # left blank by the typist, written in by hand after signing
            handwritten["number"] = str(number) if hr.random() < 0.8 else f"{number:02d}"
            day = self.date.day
            handwritten["date"] = str(day) if hr.random() < 0.5 else f"{day:02d}"
        marks: list[str] = []
        if r.random() < 0.12:
            marks.append(self.pick(["MẬT", "KHẨN", "HOẢ TỐC", "MẬT"]))
        draft = f"Dự thảo lần {r.randint(1, 3)}" if r.random() < 0.1 else None
        if draft and r.random() < 0.4:
            draft = "DỰ THẢO"
        subject, subject_refs, term = self.subject(tcode)
        issuer_lines = [self.tone(t) for t, _ in iss.lines]

        # header columns
        hs = 14.0 if self.family == "party" else 13.0
        left: list[Block] = [
            plain(
                "header_left",
                self.tone(t),
                bold=b,
                size=hs,
                align="center",
                fit=self.family == "state",
            )
            for t, b in iss.lines
        ]
        if self.family == "party":
            left.append(plain("header_left", "*", size=hs, align="center"))
        else:
            left[-1] = replace(left[-1], rule_after=True)
        if handwritten:
            lead, tail = number_line.split(" ", 1)
            tail = tail[len(f"{number:02d}") :]
            left.append(
                Block("header_left", (Run(f"{lead} "), Run(handwritten["number"], hand="number"),
                                      Run(tail)), size=hs, align="center", before_pt=2)
            )  # fmt: skip
        else:
            left.append(plain("header_left", number_line, size=hs, align="center", before_pt=2))
        if tcode == "CV":
            if self.family == "state":  # "V/v đăng ký bổ sung ...", as the state writes it
                subject = subject[:1].lower() + subject[1:]
            left.append(
                plain("header_left", f"V/v {subject}", italic=True, size=12, align="center",
                      before_pt=2, width_frac=0.9)
            )  # fmt: skip
        for mark in marks:
            left.append(
                plain("mark", mark, bold=True, size=14, align="center", frame=True, before_pt=8)
            )
        if self.family == "party":
            right = [
                plain("header_right", "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=15, fit=True,
                      align="center", underline=True),
                plain("header_right", date_line, italic=True, size=14, align="center",
                      before_pt=r.uniform(16, 26)),
            ]  # fmt: skip
            heading = "ĐẢNG CỘNG SẢN VIỆT NAM"
        else:
            right = [
                plain("header_right", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12,
                      fit=True, align="center"),
                plain("header_right", "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, fit=True,
                      align="center", underline=True),
                plain("header_right", date_line, italic=True, size=13, align="center",
                      before_pt=r.uniform(12, 20)),
            ]  # fmt: skip
            heading = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        if handwritten:  # the date line with its day left blank
            head, rest = date_line.split(f"ngày {self.date.day:02d}", 1)
            runs = (Run(f"{head}ngày ", italic=True),
                    Run(handwritten["date"], italic=True, hand="day"), Run(rest, italic=True))
            i = next(k for k, b in enumerate(right) if b.text == date_line)
            right[i] = replace(right[i], runs=runs)
        if draft:
            right.append(
                plain("mark", draft, bold=True, italic=True, size=13, align="center",
                      frame=True, before_pt=8)
            )  # fmt: skip

        # type, subject, addressee
        front_blocks: list[Block] = []
        if tcode != "CV":
            front_blocks.append(
                plain("title", type_name, bold=True, size=r.choice([15.0, 16.0]),
                      align="center", before_pt=r.uniform(14, 24))
            )  # fmt: skip
            front_blocks.append(
                plain("subject", subject, bold=True, size=14, align="center",
                      width_frac=0.85, rule_after=True)
            )  # fmt: skip
        if tcode in ("CV", "TTr"):
            to = self.pick(iss.superiors or ["Các tỉnh ủy, thành ủy"]).replace(" (b/c)", "")
            cv = random.Random(f"cv-{self.seed}")
            if self.family == "state" and tcode == "CV" and cv.random() < 0.5:
                # several addressees: "Kính gửi:" and a dash list under it
                many = cv.sample(pools.STATE_CV_ADDRESSEES, k=cv.randint(2, 4))
                indent = cv.uniform(25, 40)
                front_blocks.append(
                    plain("front", "Kính gửi:", size=st.body_size, align="left",
                          indent_mm=indent, before_pt=r.uniform(10, 18))
                )  # fmt: skip
                for i, item in enumerate(many):
                    end = "." if i == len(many) - 1 else ";"
                    front_blocks.append(
                        plain("front", f"- {self.tone(item)}{end}", size=st.body_size,
                              align="left", indent_mm=indent + 22)
                    )  # fmt: skip
            else:
                front_blocks.append(
                    plain("front", f"Kính gửi: {to}", size=st.body_size, align="center",
                          before_pt=r.uniform(10, 18))
                )  # fmt: skip
        if tcode == "QĐ" and self.family == "state":
            front_blocks.append(
                plain("front", iss.decision_maker, bold=True, size=14, align="center", before_pt=10)
            )
        front = Unit(front_blocks, refs=subject_refs)

        intro, middle, outro = self.body(tcode)

        # closing columns
        authority, title = self.pick(iss.signers)
        name = self.person()
        recipients = self.recipients()
        label_kw: dict[str, Any] = (
            {"underline": True, "size": 14}
            if self.family == "party"
            else {"bold": True, "italic": True, "size": 12}
        )
        closing_left = [plain("recipients", "Nơi nhận:", align="left", **label_kw)]
        for i, item in enumerate(recipients):
            end = "." if i == len(recipients) - 1 else ","
            closing_left.append(plain("recipients", f"- {item}{end}", size=12, align="left"))
        closing_right = [
            plain("signer", line, bold=True, size=14, align="center")
            for line in (authority, title)
            if line
        ]
        closing_right.append(plain("signer_name", name, bold=True, size=14, align="center"))

        appendices: list[Appendix] = []
        if self.pages >= 2 and tcode in ("BC", "KH", "ĐA", "CTr") and r.random() < 0.45:
            appendices.append(self.appendix(type_name, doc_number, date_line, handwritten))

        fields: Json = {
            "family": self.family,
            "doc_type": type_name,
            "type_code": tcode,
            "number": number,
            "symbol": symbol,
            "doc_number": doc_number,
            "issuer_code": iss.code,
            "issuer": issuer_lines,
            "national_heading": heading,
            "place": place,
            "date": self.date.isoformat(),
            "subject": subject,
            "draft": draft,
            "marks": marks,
            "term": term,
            "signer": {"authority": authority, "title": title, "name": name},
            "recipients": recipients,
        }
        if handwritten:  # the values above stay; these parts of them are in ink, not print
            fields["handwritten"] = handwritten
        return Draft(
            seed=self.seed, family=self.family, style=st, header_left=left, header_right=right,
            front=front, intro=intro, middle=middle, outro=outro, closing_left=closing_left,
            closing_right=closing_right, appendices=appendices, fields=fields,
            seal_ring=self.tone(iss.seal), signer_name=name, target_pages=self.pages,
        )  # fmt: skip

    def subject(self, tcode: str) -> tuple[str, list[Json], str | None]:
        """The trích yếu; any document it cites and any term (nhiệm kỳ) it names."""
        r = self.r
        topic = self.pick(pools.TOPICS)
        y = self.date.year
        refs: list[Json] = []
        term: str | None = None

        def cite() -> str:
            text, ref = self.ref(self.issuer.code)
            refs.append(ref)
            return text

        def with_term() -> str:
            nonlocal term
            term = self.term()
            return f"nhiệm kỳ {term}"

        options: dict[str, list[Any]] = {
            "BC": [
                lambda: f"Sơ kết {r.randint(2, 5)} năm thực hiện {cite()}",
                lambda: (
                    f"tổng kết công tác xây dựng Đảng năm {y - 1} và phương hướng, nhiệm vụ năm {y}"
                ),
                lambda: f"kết quả thực hiện {cite()}",
                lambda: f"công tác kiểm tra, giám sát 6 tháng đầu năm {y}",
                lambda: f"kết quả lãnh đạo thực hiện nhiệm vụ chính trị, {with_term()}",
                lambda: f"kết quả {topic}",
            ],
            "KH": [
                lambda: f"triển khai thực hiện {cite()}",
                lambda: f"học tập, quán triệt và triển khai thực hiện {cite()}",
                lambda: f"kiểm tra, giám sát năm {y}",
                lambda: f"thực hiện {topic} năm {y}",
            ],
            "QĐ": [
                lambda: f"về việc thành lập {self.pick(pools.COMMITTEE_GROUPS)}",
                lambda: f"về việc ban hành Quy chế làm việc, {with_term()}",
                lambda: f"về việc kiện toàn {self.pick(pools.COMMITTEE_GROUPS)}",
            ],
            "QC": [lambda: f"làm việc của Ban Chấp hành, {with_term()}"],
            "CTr": [
                lambda: f"công tác năm {y}",
                lambda: f"hành động thực hiện {cite()}",
                lambda: f"toàn khóa về {topic}, {with_term()}",
            ],
            "NQ": [
                lambda: f"về {topic} giai đoạn {y}-{y + 5}",
                lambda: f"về {topic}, {with_term()}",
            ],
            "ĐA": [lambda: f"{topic} giai đoạn {y}-{y + 5}"],
            "TB": [
                lambda: f"kết luận của Thường trực tại buổi làm việc về {topic}",
                lambda: f"ý kiến chỉ đạo về {topic}",
            ],
            "CV": [
                lambda: f"triển khai {topic}",
                lambda: f"báo cáo kết quả thực hiện {cite()}",
            ],
            "BB": [lambda: f"hội nghị Ban Chấp hành mở rộng về {topic}"],
            "TTr": [lambda: f"về việc đề nghị phê duyệt đề án {topic}"],
        }
        fallback = [lambda: f"về {topic}", lambda: f"thực hiện {cite()}"]
        text: str = self.pick(options.get(tcode, fallback))()
        if self.family == "state":
            if not text.startswith(("về ", "Về ")):
                text = f"về việc {text}" if tcode == "QĐ" else text
            text = text[0].upper() + text[1:]
        elif r.random() < 0.4 and not text.startswith("về"):
            text = text[0].upper() + text[1:]
        return text, refs, term

    def section_title(self, plan: bool) -> str:
        """A section title not yet used in this document."""
        pool = list(pools.SECTION_TITLES["plan" if plan else "report"])
        if not plan and self.seeds.sections:
            pool += list(self.seeds.sections)
        fresh = [t for t in dict.fromkeys(pool) if t not in self.used_titles] or pool
        title = str(self.pick(fresh))
        self.used_titles.add(title)
        # Seed titles name their own years (NĂM 2023, NĂM 2024): move them to this document's.
        return re.sub(
            r"\b(20\d\d)\b", lambda m: str(self.date.year + int(m.group(1)) - 2023), title
        )

    def body(self, tcode: str) -> tuple[list[Unit], list[Unit], list[Unit]]:
        """Intro units, the long trimmable middle, and outro units."""
        r, iss = self.r, self.issuer
        st = self.style
        intro: list[Unit] = []
        outro: list[Unit] = []
        middle: list[Unit] = []
        if tcode == "QĐ":
            grounds = ["Căn cứ Điều lệ Đảng Cộng sản Việt Nam;"] if self.family == "party" else []
            refs = []
            for _ in range(r.randint(1, 3)):
                text, ref = self.ref(iss.code)
                if f"Căn cứ {text};" not in grounds:
                    grounds.append(f"Căn cứ {text};")
                    refs.append(ref)
            grounds.append(
                f"Xét đề nghị của {self.pick(['Văn phòng', 'Ban Tổ chức', 'Sở Nội vụ'])},"
            )
            blocks = [
                self.para_block(g, italic=self.family == "state")
                for g in (grounds if self.family == "state" else [f"- {g}" for g in grounds])
            ]
            intro.append(Unit(blocks, refs=refs))
            decide = "QUYẾT ĐỊNH:" if self.family == "state" else "QUYẾT ĐỊNH"
            intro.append(Unit([plain("heading", decide, bold=True, size=14, align="center",
                                     before_pt=8, keep_next=True)]))  # fmt: skip
            for _ in range(40):
                unit = self.sourced_para()
                first = unit.blocks[0]
                unit.blocks[0] = replace(first, runs=(Run(f"Điều {ART}. ", bold=True), *first.runs))
                middle.append(unit)
            last = f"Điều {ART}. "
            tail = (
                "Văn phòng, các cơ quan, đơn vị và cá nhân có liên quan "
                "chịu trách nhiệm thi hành Quyết định này."
            )
            outro.append(Unit([self.para_block((Run(last, bold=True), Run(tail)))]))
            return intro, middle, outro

        text, ref = self.ref(iss.code)
        verb = {"KH": "xây dựng Kế hoạch thực hiện như sau:", "BC": "báo cáo kết quả như sau:"}
        opening = self.pick(["Thực hiện", "Căn cứ", "Thực hiện"])
        intro_text = f"{opening} {text}, {iss.name} {verb.get(tcode, 'thông báo như sau:')}"
        if tcode == "CV":
            intro_text = (
                f"{opening} {text}, {iss.name} đề nghị các cơ quan, đơn vị "
                "thực hiện một số nội dung sau:"
            )
        intro.append(Unit([self.para_block(intro_text)], refs=[ref]))

        plan = tcode in ("KH", "HD", "CTr", "ĐA", "TT")
        dash = r.random() < 0.4
        fn_budget = r.choice([0, 0, 1, 1, 2])
        for si in range(8 if tcode != "CV" else 0):
            sub_n = r.choice([0, 1, 2, 2, 3])
            heading = f"{pools.ROMAN[si]}{'-' if dash else '.'} {self.section_title(plan)}"
            pending = [plain("heading", heading, bold=True, size=st.body_size, align="left",
                             before_pt=st.para_space_pt + 4, keep_next=True)]  # fmt: skip
            section: Json = {
                "number": pools.ROMAN[si],
                "title": heading.split(" ", 1)[1],
                "level": 1,
            }
            pending_sections = [section]
            for sj in range(max(1, sub_n)):
                if sub_n:
                    sub = self.pick(list(pools.SUBSECTION_TITLES) + list(self.seeds.subsections))
                    title = f"{sj + 1}{'-' if dash else '.'} {sub}"
                    pending.append(
                        plain("subheading", title, bold=True, size=st.body_size, align="justify",
                              indent_mm=st.indent_mm, before_pt=st.para_space_pt, keep_next=True)
                    )  # fmt: skip
                    pending_sections.append({"number": str(sj + 1), "title": sub, "level": 2})
                for _ in range(r.randint(1, 3)):
                    unit = self.items_unit() if r.random() < 0.15 else self.sourced_para()
                    if fn_budget and r.random() < 0.15:
                        unit = self.with_footnote(unit)
                        fn_budget -= 1
                    unit.blocks[:0] = pending
                    unit.sections[:0] = pending_sections
                    pending, pending_sections = [], []
                    middle.append(unit)
        if tcode == "CV":
            middle.extend(self.sourced_para() for _ in range(30))
        closing = {
            "BC": f"Trên đây là báo cáo {self.pick(['kết quả thực hiện', 'tình hình và kết quả'])} "
            f"của {iss.name}.",
            "KH": f"Các cấp ủy, tổ chức đảng căn cứ Kế hoạch này xây dựng kế hoạch thực hiện, "
            f"báo cáo kết quả về {iss.name} trước ngày {short_date(self.date_after())}.",
        }.get(tcode, "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện.")
        if r.random() < 0.5:
            closing += "/."
        outro.append(Unit([self.para_block(closing)]))
        return intro, middle, outro

    def date_after(self) -> dt.date:
        return dt.date.fromordinal(self.date.toordinal() + self.r.randint(20, 200))

    def recipients(self) -> list[str]:
        iss, r = self.issuer, self.r
        sup = r.sample(iss.superiors, k=min(len(iss.superiors), r.randint(1, 2)))
        lat = r.sample(iss.lateral, k=min(len(iss.lateral), r.randint(1, 3)))
        return [self.tone(x) for x in (*sup, *lat, iss.archive)]

    def appendix(
        self,
        type_name: str,
        doc_number: str,
        date_line: str,
        handwritten: dict[str, str] | None = None,
    ) -> Appendix:
        r = self.r
        y = self.date.year
        years = [f"Năm {x}" for x in range(y - r.randint(1, 3), y + 1)]
        header = ("STT", "NỘI DUNG", *years)
        rows: list[tuple[str, ...]] = []
        bold: set[int] = set()
        groups = r.sample(list(pools.TABLE_ROWS), k=r.randint(1, 2))
        for gi, (label, items) in enumerate(groups):
            bold.add(len(rows))
            totals = [r.randint(50, 900) for _ in years]
            rows.append((pools.ROMAN[gi], label, *map(str, totals)))
            for ii, item in enumerate(items):
                vals = [
                    str(r.randint(0, max(1, t // 2))).zfill(2 if r.random() < 0.3 else 1)
                    for t in totals
                ]
                rows.append((str(ii + 1), item, *vals))
        caption = groups[0][0].upper() if len(groups) == 1 else self.pick(pools.TABLE_CAPTIONS)
        rest = (1 - 0.08 - 0.45) / len(years)
        table = Table(header, tuple(rows), frozenset(bold), (0.08, 0.45, *[rest] * len(years)))
        blocks = (
            plain("appendix_title", f"PHỤ LỤC{' 1' if r.random() < 0.5 else ''}", bold=True,
                  size=14, align="center"),
            plain("appendix_caption", caption, bold=True, size=14,
                  align="center", width_frac=0.85),
            plain("appendix_note",
                  f"(Kèm theo {type_name.capitalize()} số {doc_number}, {long_date(self.date)})",
                  italic=True, size=13, align="center", width_frac=0.9, before_pt=2),
        )  # fmt: skip
        if handwritten:  # the same blanks, filled in by the same hand
            number = doc_number.split("/")[0].split("-")[0]
            day = f"ngày {self.date.day:02d}"
            head, rest = long_date(self.date).split(day, 1)
            runs = (
                Run(f"(Kèm theo {type_name.capitalize()} số ", italic=True),
                Run(handwritten["number"], italic=True, hand="number"),
                Run(f"{doc_number[len(number):]}, {head}ngày ", italic=True),
                Run(handwritten["date"], italic=True, hand="day"),
                Run(f"{rest})", italic=True),
            )
            blocks = (*blocks[:2], replace(blocks[2], runs=runs))
        return Appendix(blocks, table)


def draft_document(
    seed: int,
    family: str | None = None,
    pages: int | None = None,
    handwritten: bool = False,
    doc_type: str | None = None,
) -> Draft:
    """A document with more body than needed; see `Draft.assemble`.

    `handwritten`: the number and the day of the date are left blank in print and written
    in by hand (fields["handwritten"] maps `number` and `date` to the handwritten text);
    `doc_type`: force a type code (`CV`, `QĐ`, ...); a state `CV` gets a công văn symbol
    without type code (`507/UBND-KGVX`), a "V/v" subject under the number and "Kính gửi".
    """
    if family not in (None, "party", "state"):
        raise ValueError(f"family must be 'party' or 'state', not {family!r}")
    if doc_type is not None and doc_type not in pools.PARTY_TYPES:
        raise ValueError(f"doc_type must be one of {', '.join(pools.PARTY_TYPES)}")
    return _Gen(seed, family, pages, handwritten, doc_type).build()
