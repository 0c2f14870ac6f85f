"""Encoding repair: bytes or garbled text in, NFC Vietnamese out (issue "Text repair", 1).

`decode_bytes` reads a text file in any encoding Vietnamese archives hold (UTF-8/16,
Windows-1258, TCVN3/ABC, VNI, VISCII); `repair_text` fixes lines that were garbled before
(mojibake, legacy bytes pasted as Windows-1252, VIQR, NFD); correct NFC text is a fixed
point of both. The tone-placement and mark-stripping helpers are in `pipeline.text.vietnamese`.
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

__all__ = [
    "DecodedText",
    "RepairResult",
    "decode_bytes",
    "decode_viqr",
    "encode_cp1258",
    "encode_tcvn3",
    "encode_viqr",
    "encode_viscii",
    "encode_vni",
    "is_nfc_vietnamese_line",
    "mojibake",
    "plausibility",
    "repair_text",
    "syllable_counts",
]
