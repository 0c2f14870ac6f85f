"""Measure encoding repair: encode clean text in each legacy form and count exact recoveries.

Paragraphs come from the clean seed reports (001, 002, 004) and the held-out lines of the
legal corpus (every 50th line, the slice no syllable count was taken from). Each paragraph
is encoded on its own, so a paragraph is the only evidence the detector gets; whole seed
files are also decoded in one piece. Paragraphs an encoding cannot hold (e.g. `≥` in
TCVN3) are left out of that row and counted in the `skipped` column.

    nice -n 10 .venv/bin/python scripts/eval_encoding.py \
        --corpus ../shared/corpus/vlc-legal.txt.xz --seeds ../shared/seeds -n 2000
"""

from __future__ import annotations

import argparse
import itertools
import lzma
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from pipeline.encoding import (
    decode_bytes,
    encode_cp1258,
    encode_tcvn3,
    encode_viqr,
    encode_viscii,
    encode_vni,
    mojibake,
    repair_text,
)

HELDOUT_EVERY = 50


def _latin1(data: bytes) -> str:
    return data.decode("latin-1")


def _cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="strict")


def _replaced(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


def _spaced(text: str) -> str:
    return mojibake(text).replace("\xa0", " ")


def _bytes_case(encode: Callable[[str], bytes]) -> Callable[[str], str]:
    return lambda text: decode_bytes(encode(text)).text


def _text_case(garble: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: repair_text(garble(text)).text


CASES: dict[str, tuple[Callable[[str], object], Callable[[str], str]]] = {
    "bytes: TCVN3 (ABC)": (encode_tcvn3, _bytes_case(encode_tcvn3)),
    "bytes: VNI Windows": (encode_vni, _bytes_case(encode_vni)),
    "bytes: VISCII": (encode_viscii, _bytes_case(encode_viscii)),
    "bytes: Windows-1258 (decomposed)": (encode_cp1258, _bytes_case(encode_cp1258)),
    "bytes: UTF-16 LE, no BOM": (
        lambda t: t.encode("utf-16-le"),
        _bytes_case(lambda t: t.encode("utf-16-le")),
    ),
    "bytes: UTF-8": (lambda t: t.encode(), _bytes_case(lambda t: t.encode())),
    "text: UTF-8 read as cp1252": (mojibake, _text_case(mojibake)),
    "text: UTF-8 read as cp1252 twice": (
        lambda t: mojibake(t, 2),
        _text_case(lambda t: mojibake(t, 2)),
    ),
    "text: UTF-8 read as cp1252, lost bytes as U+FFFD": (
        _replaced,
        _text_case(_replaced),
    ),
    "text: UTF-8 read as cp1252, no-break spaces as spaces": (
        _spaced,
        _text_case(_spaced),
    ),
    "text: TCVN3 read as cp1252": (
        lambda t: _cp1252(encode_tcvn3(t)),
        _text_case(lambda t: _cp1252(encode_tcvn3(t))),
    ),
    "text: VNI read as Latin-1": (
        lambda t: _latin1(encode_vni(t)),
        _text_case(lambda t: _latin1(encode_vni(t))),
    ),
    "text: VISCII read as Latin-1": (
        lambda t: _latin1(encode_viscii(t)),
        _text_case(lambda t: _latin1(encode_viscii(t))),
    ),
    "text: VIQR": (encode_viqr, _text_case(encode_viqr)),
    "text: NFD": (
        lambda t: unicodedata.normalize("NFD", t),
        _text_case(lambda t: unicodedata.normalize("NFD", t)),
    ),
    "text: correct NFC, left unchanged": (str, _text_case(str)),
}


def load_paragraphs(corpus: Path, seeds: Path, limit: int) -> list[str]:
    """Non-empty seed lines plus `limit` held-out corpus lines."""
    paragraphs = []
    for seed in ("001", "002", "004"):
        for path in sorted(seeds.glob(f"{seed}_*.txt")):
            paragraphs += [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln]
    with lzma.open(corpus, "rt", encoding="utf-8") as handle:
        taken = 0
        for index, line in enumerate(handle):
            line = line.rstrip("\n")
            if index % HELDOUT_EVERY == 0 and line.strip():
                paragraphs.append(line)
                taken += 1
                if taken >= limit:
                    break
    return paragraphs


def main() -> None:
    """Print a Markdown table of exact-recovery rates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("-n", type=int, default=2000, help="held-out corpus paragraphs")
    parser.add_argument("--show", type=int, default=0, help="print this many failures a row")
    parser.add_argument(
        "--also-correct",
        type=Path,
        help="another clean corpus (e.g. viwiki.txt.xz, rich in foreign names) whose first "
        "--also-n lines must come out of repair_text unchanged",
    )
    parser.add_argument("--also-n", type=int, default=30000)
    args = parser.parse_args()
    paragraphs = load_paragraphs(args.corpus, args.seeds, args.n)
    print(f"{len(paragraphs)} paragraphs ({args.n} corpus, rest seeds)\n")
    print("| input | paragraphs | exact | exact ignoring case | skipped | ms/paragraph |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (encode, recover) in CASES.items():
        total = exact = caseless = skipped = 0
        shown = 0
        started = time.perf_counter()
        for text in paragraphs:
            try:
                encode(text)
            except ValueError:
                skipped += 1
                continue
            total += 1
            got = recover(text)
            exact += got == text
            caseless += got.lower() == text.lower()
            if got.lower() != text.lower() and shown < args.show:
                shown += 1
                at = next(
                    i for i, (a, b) in enumerate(zip(got + "\0", text, strict=False)) if a != b
                )
                start = max(0, at - 40)
                print(f"  {name} at {at}\n    want {text[start : at + 60]!r}")
                print(f"    got  {got[start : at + 60]!r}")
        elapsed = (time.perf_counter() - started) * 1000 / max(total, 1)
        rates = f"{exact / max(total, 1):.2%} | {caseless / max(total, 1):.2%}"
        print(f"| {name} | {total} | {rates} | {skipped} | {elapsed:.2f} |")

    if args.also_correct:
        with lzma.open(args.also_correct, "rt", encoding="utf-8") as handle:
            lines = [line.rstrip("\n") for line in itertools.islice(handle, args.also_n)]
        kept = sum(repair_text(line).text == line for line in lines)
        print(f"\n{args.also_correct.name}: {kept}/{len(lines)} correct lines left unchanged")

    print("\nWhole seed files, one decode each (characters the encoding lacks → `?`):\n")
    print("| seed | TCVN3 | VNI | VISCII | Windows-1258 |")
    print("|---|---|---|---|---|")
    for seed in ("001", "002", "004"):
        for path in sorted(args.seeds.glob(f"{seed}_*.txt")):
            cells = []
            for encode_bytes in (encode_tcvn3, encode_vni, encode_viscii, encode_cp1258):
                text = holdable(path.read_text(encoding="utf-8"), encode_bytes)
                decoded = decode_bytes(encode_bytes(text))
                want_lines = text.split("\n")
                got_lines = decoded.text.split("\n")
                same = sum(a == b for a, b in zip(got_lines, want_lines, strict=False))
                cells.append(f"{decoded.encoding}, {same}/{len(want_lines)} lines exact")
            print(f"| {path.name} | " + " | ".join(cells) + " |")


def holdable(text: str, encode: Callable[[str], bytes]) -> str:
    """`text` with each character `encode` cannot hold replaced by `?`."""
    out = []
    for char in text:
        try:
            encode(char)
        except ValueError:
            char = "?"
        out.append(char)
    return "".join(out)


if __name__ == "__main__":
    main()
