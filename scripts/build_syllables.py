"""Build `pipeline/encoding/data/syllables.tsv`: valid Vietnamese syllables with counts.

A syllable is kept when it parses as onset + rhyme + tone (stop codas only with sắc/nặng)
and is either in Debian's hunspell-vi word list or seen at least `--min-count` times in the
training text. Counts come from the held-in lines of the corpus (every 50th line is held out
for evaluation) plus the clean seed reports; forms are lowercase, NFC, old tone style.

    .venv/bin/python scripts/build_syllables.py \
        --corpus ../shared/corpus/vlc-legal.txt.xz --seeds ../shared/seeds
"""

from __future__ import annotations

import argparse
import collections
import lzma
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from pipeline.text.vietnamese import TONE_MARKS, canonical_tones

HUNSPELL = Path("/usr/share/hunspell/vi_VN.dic")
OUT = Path(__file__).resolve().parent.parent / "pipeline" / "encoding" / "data" / "syllables.tsv"
HELDOUT_EVERY = 50

# Vietnamese rhymes (vowel nucleus + optional coda), after any onset; after `qu` the `u`
# belongs to the onset, after `gi` the `i` may be absorbed (gì, giữ).
_RHYME_TEXT = """a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et ê êch êm ên ênh êp êt êu i ia ich im in inh ip it iu
    iêc iêm iên iêng iêp iêt iêu o oc oi om on ong op ot oong ooc ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
    uân uâng uât uây uê uêch uênh uơ uy uya uych uyn uynh uyt uyu uyên uyêt
    y ya ych yn ynh yt yêm yên yêng yêt yêu"""
RHYMES = frozenset(re.findall(r"\S+", _RHYME_TEXT))
ONSET = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?(.*)")
STOP = re.compile(r"(c|ch|p|t)$")
STOP_TONES = ("\u0301", "\u0323")  # a stop coda (p, t, c, ch) takes sắc or nặng only
WORD = re.compile(r"[^\W\d_]+")


def parses(word: str) -> bool:
    """Whether a lowercase NFC word is a phonotactically valid Vietnamese syllable."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [char for char in decomposed if char in TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    match = ONSET.fullmatch(bare)
    if match is None:
        return False
    onset, rhyme = match.group(1) or "", match.group(2)
    if onset == "gi":
        ok = rhyme == "" or rhyme in RHYMES or "i" + rhyme in RHYMES
    else:
        ok = rhyme in RHYMES
    if not ok or (onset == "qu" and rhyme.startswith(("u", "o"))):
        return False
    return not STOP.search(rhyme) or (len(tones) == 1 and tones[0] in STOP_TONES)


def count_text(lines: Iterable[str], counts: collections.Counter[str]) -> None:
    """Add the folded lowercase words of `lines` to `counts`."""
    for line in lines:
        for word in WORD.findall(unicodedata.normalize("NFC", line).lower()):
            counts[word] += 1


def main() -> None:
    """Count, filter and write the syllable table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()

    counts: collections.Counter[str] = collections.Counter()
    for path in args.corpus:
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            count_text((ln for i, ln in enumerate(handle) if i % HELDOUT_EVERY), counts)
    for seed in ("001", "002", "004"):
        for path in args.seeds.glob(f"{seed}_*.txt"):
            count_text(path.read_text(encoding="utf-8").splitlines(), counts)

    folded: collections.Counter[str] = collections.Counter()
    for word, count in counts.items():
        folded[canonical_tones(word)] += count
    listed = set()
    if HUNSPELL.exists():
        for line in HUNSPELL.read_text(encoding="utf-8").splitlines()[1:]:
            word = unicodedata.normalize("NFC", line.split("/")[0].strip())
            if word == word.lower():
                listed.add(canonical_tones(word))
    keep = {
        word: max(folded[word], 1)
        for word in set(folded) | listed
        if parses(word) and (word in listed or folded[word] >= args.min_count)
    }
    rows = sorted(keep.items(), key=lambda item: (-item[1], item[0]))
    OUT.write_text("".join(f"{word}\t{count}\n" for word, count in rows), encoding="utf-8")
    print(f"{len(rows)} syllables -> {OUT}")


if __name__ == "__main__":
    main()
