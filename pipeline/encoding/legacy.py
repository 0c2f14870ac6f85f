"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI, VISCII, Windows-1258, VIQR and mojibake.

Every 8-bit decoder here works on the *Windows-1252 view* of the bytes: the string a
Windows program shows when it reads them as Windows-1252 (the five bytes that code page
leaves undefined become U+0081, U+008D, U+008F, U+0090, U+009D). The same decoders
therefore repair both raw bytes and text that was already read as Windows-1252 or Latin-1.
The encoders exist to make test and evaluation data; they refuse what the target
encoding cannot hold instead of guessing.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from importlib import resources

from pipeline.text.vietnamese import TONE_MARKS

_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
# Windows-1252 characters of bytes 0x80-0x9F, each mapped back to its C1 control twin.
_CP1252_HIGH = {
    bytes([byte]).decode("cp1252"): chr(byte)
    for byte in range(0x80, 0xA0)
    if bytes([byte]) not in _CP1252_UNDEFINED
}
_TO_LATIN1 = str.maketrans(_CP1252_HIGH)
_FROM_LATIN1 = str.maketrans({c1: char for char, c1 in _CP1252_HIGH.items()})

VIQR_TONES = {"'": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
VIQR_SHAPES = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
_SHAPE_BASES = {"\u0306": "aA", "\u0302": "aeoAEO", "\u031b": "ouOU"}
_VIQR_MARKS = "".join(VIQR_TONES) + "".join(VIQR_SHAPES)
_VOWELS = "aeiouyAEIOUY"


def cp1252_view(data: bytes) -> str:
    """The bytes as Windows-1252 would show them, undefined bytes kept as C1 controls."""
    return data.decode("latin-1").translate(_FROM_LATIN1)


def as_cp1252_view(text: str) -> str:
    """Text read as Latin-1 turned into its Windows-1252 view (C1 controls → “, ’, …)."""
    return text.translate(_FROM_LATIN1)


def cp1252_bytes(text: str) -> bytes | None:
    """The bytes behind text read as Windows-1252 or Latin-1, or None if it has other chars."""
    try:
        return text.translate(_TO_LATIN1).encode("latin-1")
    except UnicodeEncodeError:
        return None


def _rows(name: str) -> list[list[str]]:
    """Tab-separated rows of a data file of this package, comments skipped."""
    text = resources.files("pipeline.encoding").joinpath("data", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


class _Table:
    """One single-byte table: decoding translation and the encoder's reverse map."""

    def __init__(self, rows: list[tuple[int, str]], encode_rows: list[tuple[int, str]]):
        self.decode_map = {cp1252_view(bytes([byte])): letter for byte, letter in rows}
        self.decode_table = str.maketrans(self.decode_map)
        self.encode_map = {letter: bytes([byte]) for byte, letter in encode_rows}
        self.used_bytes = {byte for byte, _ in rows}


@functools.cache
def _tcvn3() -> _Table:
    rows = [(int(byte, 16), letter, kind) for byte, letter, kind in _rows("tcvn3.tsv")]
    return _Table([(b, c) for b, c, _ in rows], [(b, c) for b, c, k in rows if k == "vn3"])


@functools.cache
def _viscii() -> _Table:
    rows = [(int(byte, 16), letter) for byte, letter in _rows("viscii.tsv")]
    return _Table(rows, rows)


@functools.cache
def _vni() -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    """Pattern matching VNI sequences (longest first), their letters, and the reverse."""
    decode = {sequence: letter for sequence, letter in _rows("vni.tsv")}
    keys = sorted(decode, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(key) for key in keys))
    return pattern, decode, {letter: sequence for sequence, letter in decode.items()}


@functools.cache
def tcvn3_lowercase_letters() -> frozenset[str]:
    """Letters TCVN3 (.VnTime) has only in lowercase, so that a capital is written with the
    lowercase byte and drawn by a caps font (.VnTimeH): all toned vowels, not ă â ê ô ơ ư đ."""
    letters = set(_tcvn3().encode_map)
    return frozenset(c for c in letters if c.islower() and c.upper() not in letters)


def decode_tcvn3(view: str) -> str:
    """TCVN3/ABC text (Windows-1252 view) as Unicode; case restored for caps-font runs."""
    decoded = view.translate(_tcvn3().decode_table)
    return "\n".join(_restore_tcvn3_case(line) for line in decoded.split("\n"))


def decode_viscii(view: str) -> str:
    """VISCII text (Windows-1252 view) as Unicode."""
    return view.translate(_viscii().decode_table)


def decode_vni(view: str) -> str:
    """VNI Windows text (Windows-1252 view) as Unicode: base letter plus mark bytes."""
    pattern, table, _ = _vni()
    return pattern.sub(lambda match: table[match.group()], view)


def decode_cp1258(view: str) -> str | None:
    """Windows-1258 text (Windows-1252 view) as NFC Unicode, or None if not representable."""
    data = cp1252_bytes(view)
    if data is None:
        return None
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


_CAPS_WORD = re.compile(r"[^\W\d_]+")
_OPENERS = frozenset(" \t\r\"'“‘([-–—")


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` begins its line or follows `.`, `!` or `?`."""
    index = start
    while index > 0 and text[index - 1] in _OPENERS:
        index -= 1
    return index == 0 or text[index - 1] in ".!?"


def _restore_tcvn3_case(text: str) -> str:
    """Uppercase what a caps font drew in one line: TCVN3 stores toned capitals as lowercase bytes.

    A word with two or more capitals, no lowercase ASCII letter and a lowercase-only letter
    is a caps-font word (B¸O → BÁO), and so is a one-capital word with a space between it
    and a capitalised word (X· HéI → XÃ HỘI, BÝ TH¦ → BÍ THƯ); a
    line of caps-font words and no lowercase ASCII is uppercased whole; a word that starts
    a line or a sentence with a lowercase-only letter gets a capital first letter.
    """
    lowercase = tcvn3_lowercase_letters()
    words = list(_CAPS_WORD.finditer(text))
    if not any(char in lowercase for char in text):
        return text
    strong: list[bool] = []
    weak: list[bool] = []
    has_lower_ascii = False
    for match in words:
        word = match.group()
        ascii_lower = any("a" <= char <= "z" for char in word)
        has_lower_ascii |= ascii_lower
        upper = sum(char.isupper() for char in word)
        ambiguous = any(char in lowercase for char in word)
        strong.append(not ascii_lower and upper >= 2 and ambiguous)
        weak.append(not ascii_lower and upper == 1 and ambiguous)
    line_caps = any(strong) and not has_lower_ascii
    capital = [
        s or (m.group().isupper() and len(m.group()) > 1)
        for s, m in zip(strong, words, strict=True)
    ]

    def beside_caps(index: int) -> bool:
        """Whether a capitalised word is next to this one with only a space between."""
        before = index > 0 and capital[index - 1]
        before = before and text[words[index - 1].end() : words[index].start()].isspace()
        after = index + 1 < len(words) and capital[index + 1]
        after = after and text[words[index].end() : words[index + 1].start()].isspace()
        return bool(before or after)

    pieces: list[str] = []
    last = 0
    for index, match in enumerate(words):
        word = match.group()
        if line_caps or strong[index] or (weak[index] and beside_caps(index)):
            word = word.upper()
        elif word[0] in lowercase and _starts_sentence(text, match.start()):
            word = word[0].upper() + word[1:]
        pieces.append(text[last : match.start()])
        pieces.append(word)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _viqr_letter(base: str, shape: str, tone: str) -> str | None:
    """The letter for base + VIQR shape and tone marks, or None if they do not fit."""
    if shape and base not in _SHAPE_BASES[shape]:
        return None
    return unicodedata.normalize("NFC", base + shape + tone)


_VIQR_UNIT = re.compile(
    r"\\(?P<escaped>[" + re.escape(_VIQR_MARKS + "\\") + r"dD])"
    r"|(?P<dd>[dD][dD])"
    r"|(?P<vowel>[" + _VOWELS + r"])(?P<shape>[(^+]?)(?P<tone>['`?~.]?)"
)


def _viqr_unit(match: re.Match[str]) -> str:
    if match.group("escaped") is not None:
        return match.group("escaped")
    if match.group("dd") is not None:
        return "Đ" if match.group("dd")[0] == "D" else "đ"
    vowel, shape_mark, tone_mark = match.group("vowel", "shape", "tone")
    shape = VIQR_SHAPES.get(shape_mark, "")
    tone = VIQR_TONES.get(tone_mark, "")
    return _viqr_letter(vowel, shape, tone) or match.group()


def decode_viqr_word(word: str) -> str:
    """One whitespace-free VIQR word as Unicode (`Vie^.t` → `Việt`), spec rules only."""
    return _VIQR_UNIT.sub(_viqr_unit, word)


def decode_viqr(text: str, prefer: Callable[[str, str], str] | None = None) -> str:
    """VIQR text as Unicode.

    A `.` or `?` after a word's last vowel, before the end or a capitalised word, can also
    be punctuation (`ddi.` is `đị` by the spec, `đi.` by intent); `prefer(a, b)` picks
    between the two readings when given.
    """
    pieces = re.split(r"(\s+)", text)
    out: list[str] = []
    for index, piece in enumerate(pieces):
        decoded = decode_viqr_word(piece)
        following = pieces[index + 2] if index + 2 < len(pieces) else ""
        if (
            prefer is not None
            and len(piece) > 1
            and piece[-1] in ".?"
            and piece[-2] in _VOWELS
            and not following[:1].islower()
        ):
            decoded = prefer(decoded, decode_viqr_word(piece[:-1]) + piece[-1])
        out.append(decoded)
    return "".join(out)


def encode_viqr(text: str) -> str:
    """Unicode text as VIQR (RFC 1456), escaping literal marks after vowels and `dd`;
    non-ASCII punctuation (“ ” –) is kept as it is."""
    out: list[str] = []
    previous = ""
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
            previous = "d"
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        if marks and base in _VOWELS:
            shape = "".join(k for k, v in VIQR_SHAPES.items() if v in marks)
            tone = "".join(k for k, v in VIQR_TONES.items() if v in marks)
            out.append(base + shape + tone)
            previous = "mark" if shape or tone else base
            continue
        if char.isalpha() and not char.isascii():
            raise ValueError(f"VIQR cannot hold {char!r}")
        literal_mark = char in _VIQR_MARKS and (previous in _VOWELS or previous == "mark")
        if literal_mark or char == "\\" or (char in "dD" and previous in ("d", "D")):
            out.append("\\")
        out.append(char)
        previous = "mark" if literal_mark else char
    return "".join(out)


def _encode_single(text: str, table: dict[str, bytes], used: set[int], name: str) -> bytes:
    out = bytearray()
    for char in text:
        code = table.get(char)
        if code is None:
            code = cp1252_bytes(char)
            if code is None or (code[0] >= 0x80 and code[0] in used):
                raise ValueError(f"{name} cannot hold {char!r}")
        out += code
    return bytes(out)


def encode_tcvn3(text: str) -> bytes:
    """Unicode as TCVN3/ABC bytes the way .VnTime/.VnTimeH typists stored them.

    TCVN3 has no toned capitals: they are written with the lowercase byte (the caps font
    draws it as a capital), which is what the decoder's case restoration undoes.
    """
    table = _tcvn3()
    reverse = dict(table.encode_map)
    for letter, code in table.encode_map.items():
        reverse.setdefault(letter.upper(), code)
    return _encode_single(unicodedata.normalize("NFC", text), reverse, table.used_bytes, "TCVN3")


def encode_viscii(text: str) -> bytes:
    """Unicode as VISCII bytes."""
    table = _viscii()
    return _encode_single(
        unicodedata.normalize("NFC", text), table.encode_map, table.used_bytes, "VISCII"
    )


def encode_vni(text: str) -> bytes:
    """Unicode as VNI Windows bytes."""
    _, decode, reverse = _vni()
    used = {ord(char) for sequence in decode for char in sequence if not char.isascii()}
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        sequence = reverse.get(char)
        if sequence is not None:
            out += sequence.translate(_TO_LATIN1).encode("latin-1")
            continue
        code = cp1252_bytes(char)
        if code is None or code[0] in used:
            raise ValueError(f"VNI cannot hold {char!r}")
        out += code
    return bytes(out)


def encode_cp1258(text: str) -> bytes:
    """Unicode as Windows-1258: precomposed letters where the code page has them, else
    the letter without its tone followed by a combining tone byte (as Windows writes it)."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in decomposed if mark in TONE_MARKS)
        base = unicodedata.normalize(
            "NFC", "".join(mark for mark in decomposed if mark not in TONE_MARKS)
        )
        try:
            out += base.encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            raise ValueError(f"Windows-1258 cannot hold {char!r}") from None
    return bytes(out)


def mojibake(text: str, times: int = 1) -> str:
    """UTF-8 text read back as Windows-1252 `times` times (`đảng` → `Ä‘áº£ng`)."""
    for _ in range(times):
        text = cp1252_view(text.encode("utf-8"))
    return text


def unmojibake(text: str) -> str | None:
    """Undo one round of UTF-8-read-as-Windows-1252/Latin-1, or None if it was not that."""
    data = cp1252_bytes(text)
    if data is None or data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# Bytes lost on the way: Windows-1252 has no character for five bytes (a strict decoder
# writes U+FFFD for them or drops them), and the byte A0 of à, Ạ, Ỡ, Ơ shows as a no-break
# space that copying turns into a space or drops.
_UNDEFINED_CHOICES = [bytes([byte]) for byte in _CP1252_UNDEFINED]
_MISSING_CHOICES = [*_UNDEFINED_CHOICES, b"\xa0"]
_NBSP_AS_SPACE = re.compile("(Ã|Æ|á[º»]) ")
_MAX_LOST_IN_WORD = 3


def unmojibake_lossy(text: str, score: Callable[[str], tuple[float, ...]]) -> str | None:
    """Undo UTF-8-read-as-Windows-1252 that also lost bytes (`Ä�áº£ng`, `tÃ i`), or None.

    Each U+FFFD or missing continuation byte is tried as each byte that can go missing;
    a space after a lead byte is read as the no-break space it may have been, unless
    keeping it reads strictly better by `score(...)[0]`. `score` ranks readings of words.
    """
    if not _mostly_utf8(text):
        return None
    best: str | None = None
    for variant in (_NBSP_AS_SPACE.sub("\\1\xa0", text), text):
        words = [_lossy_word(word, score) for word in re.split(r"([ \t]+)", variant)]
        if any(word is None for word in words):
            continue
        decoded = "".join(word for word in words if word is not None)
        if decoded != text and (best is None or score(decoded)[0] > score(best)[0]):
            best = decoded
    return best


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
    # the starts of Á Í Ý à Đ Ơ Ạ..ỹ whose last byte was lost
    rb"|[\xc3\xc4\xc6](?![\x80-\xbf])|\xe1[\xba\xbb](?![\x80-\xbf])"
)
_MIN_UTF8_SHARE = 0.6


def _mostly_utf8(text: str) -> bool:
    """Whether most non-ASCII bytes behind the text form UTF-8 sequences, as in mojibake
    with a few bytes lost, and unlike legacy 8-bit text (which is not worth searching)."""
    data = cp1252_bytes(_NBSP_AS_SPACE.sub("\\1\xa0", text.replace("\ufffd", "\x81")))
    if data is None:
        return False
    high = sum(byte >= 0x80 for byte in data)
    covered = sum(len(match) for match in _UTF8_SEQUENCE.findall(data))
    return high > 0 and covered >= _MIN_UTF8_SHARE * high


def _lossy_word(word: str, score: Callable[[str], tuple[float, ...]]) -> str | None:
    """The best UTF-8 reading of one Windows-1252 word whose lost bytes show as U+FFFD or
    are missing from a multi-byte sequence."""
    units: list[list[bytes]] = []
    for char in word:
        code = cp1252_bytes(char)
        if char == "\ufffd":
            units.append(_UNDEFINED_CHOICES)
        elif code is None:
            return None
        else:
            units.append([code])
    units = _fill_truncated(units)
    lost = sum(len(unit) > 1 for unit in units)
    if lost > _MAX_LOST_IN_WORD:
        return None
    if not lost:
        try:
            return b"".join(unit[0] for unit in units).decode("utf-8")
        except UnicodeDecodeError:
            return None
    readings: list[str] = []
    for choice in itertools.product(*units):
        try:
            readings.append(b"".join(choice).decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return max(readings, key=score, default=None)


def _fill_truncated(units: list[list[bytes]]) -> list[list[bytes]]:
    """Insert a lost-byte choice where a UTF-8 lead byte has one continuation byte too few."""
    out: list[list[bytes]] = []
    index = 0
    while index < len(units):
        unit = units[index]
        out.append(unit)
        index += 1
        lead = unit[0][0] if len(unit) == 1 else 0
        need = 1 if 0xC2 <= lead <= 0xDF else 2 if 0xE0 <= lead <= 0xEF else 0
        have = 0
        while have < need and index < len(units) and _continuation(units[index]):
            out.append(units[index])
            index += 1
            have += 1
        if need and have == need - 1:
            out.append(_MISSING_CHOICES)
    return out


def _continuation(unit: list[bytes]) -> bool:
    return len(unit) > 1 or 0x80 <= unit[0][0] <= 0xBF
