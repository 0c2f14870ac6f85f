"""Encoding repair: bytes or garbled text in, NFC Vietnamese out (issue "Text repair", 1).

`decode_bytes` reads a text file in any encoding Vietnamese archives hold (UTF-8/16,
Windows-1258, TCVN3/ABC, VNI, VISCII); `repair_text` fixes lines that were garbled before
(mojibake, legacy bytes pasted as Windows-1252, VIQR, NFD); correct NFC text is a fixed
point of both. `set_tone_style` and `tone_equal` deal with the hòa/hoà placement styles.
See docs/encoding.md.
"""

from pipeline.encoding.decode import DecodedText, decode_bytes
from pipeline.encoding.legacy import (
    decode_viqr,
    encode_cp1258,
    encode_tcvn3,
    encode_viqr,
    encode_viscii,
    encode_vni,
    mojibake,
)
from pipeline.encoding.lexicon import is_nfc_vietnamese_line, plausibility, syllable_counts
from pipeline.encoding.repair import RepairResult, repair_text
from pipeline.encoding.tone import (
    DEFAULT_TONE_STYLE,
    ToneStyle,
    fold_tone_style,
    set_tone_style,
    strip_marks,
    tone_equal,
)

__all__ = [
    "DEFAULT_TONE_STYLE",
    "DecodedText",
    "RepairResult",
    "ToneStyle",
    "decode_bytes",
    "decode_viqr",
    "encode_cp1258",
    "encode_tcvn3",
    "encode_viqr",
    "encode_viscii",
    "encode_vni",
    "fold_tone_style",
    "is_nfc_vietnamese_line",
    "mojibake",
    "plausibility",
    "repair_text",
    "set_tone_style",
    "strip_marks",
    "syllable_counts",
    "tone_equal",
]
