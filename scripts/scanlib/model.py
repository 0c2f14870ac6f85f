"""Data shared by the content generator, the layout engine and the degradation steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Run:
    """A piece of text in one style; `sup` is a footnote marker set small and raised; `hand`
    names a field (`number`, `day`) left blank in print and written in by hand."""

    text: str
    bold: bool = False
    italic: bool = False
    sup: bool = False
    hand: str = ""


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit; `region` names it in the truth boxes (header_left, body, ...)."""

    region: str
    runs: tuple[Run, ...]
    size: float = 14.0  # points
    align: str = "justify"  # left, center, right, justify
    indent_mm: float = 0.0  # first-line indent
    before_pt: float = 0.0  # space above
    underline: bool = False
    frame: bool = False  # drawn inside a rectangle (MẬT, KHẨN, Dự thảo)
    keep_next: bool = False  # never the last block on a page (headings)
    rule_after: bool = False  # a short centred rule under the block
    width_frac: float = 1.0  # fraction of the column the lines may fill
    fit: bool = False  # shrink (to 10 pt at least) rather than wrap, as typists do

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def plain(region: str, text: str, **kw: Any) -> Block:
    """A block of one run; `bold`/`italic` keywords style that run."""
    bold = bool(kw.pop("bold", False))
    italic = bool(kw.pop("italic", False))
    return Block(region, (Run(text, bold=bold, italic=italic),), **kw)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    bold_rows: frozenset[int] = frozenset()
    widths: tuple[float, ...] = ()  # column width fractions


@dataclass(frozen=True)
class Appendix:
    blocks: tuple[Block, ...]  # PHỤ LỤC n, caption, "(Kèm theo ...)"
    table: Table


@dataclass(frozen=True)
class DocStyle:
    """Per-document typesetting choices (sizes in points, lengths in millimetres)."""

    body_size: float = 14.0
    line_spacing: float = 1.25  # baseline distance / font size
    para_space_pt: float = 6.0
    indent_mm: float = 10.0
    margin_top: float = 20.0
    margin_bottom: float = 20.0
    margin_left: float = 30.0
    margin_right: float = 15.0
    left_col: float = 0.45  # header/closing left column width, fraction of the text width


@dataclass
class SynthDoc:
    """A generated document: its blocks in reading order and its truth fields."""

    seed: int
    family: str  # "party" or "state"
    split: str  # "train" or "heldout"
    style: DocStyle
    header_left: tuple[Block, ...]
    header_right: tuple[Block, ...]
    front: tuple[Block, ...]  # type, subject, "Kính gửi", ...
    body: tuple[Block, ...]
    footnotes: dict[str, str]  # marker -> footnote text
    closing_left: tuple[Block, ...]  # "Nơi nhận:" and its dash list
    closing_right: tuple[Block, ...]  # authority, title lines then the name (region signer_name)
    appendices: tuple[Appendix, ...]
    fields: Json
    seal_ring: str  # text around the seal rim
    signer_name: str
    target_pages: int = 1
    meta: Json = field(default_factory=dict)
