"""Issuing-body names as OCR leaves them, written the known way where that is certain.

OCR and text repair leave capitals lines of the header with dropped tone marks ("TINH UY
KHANH HOA"), a wrong mark ("TÍNH ỦY", "BAN TUYỂN GIÁO"), a doubled letter ("HUYỆN UÝỶ") or
glued words ("ỦY BAN NHÂN DÂN TỈNHLONGAN"). Body names are built from a small vocabulary
(data/patterns/words.json `issuer_words`, `issuer_phrases`, the issuer and signer lists,
the province names), so:

* a word OCR glued together (its folded letters are no Vietnamese syllable) is split into
  syllables (data/syllables.txt), known words preferred;
* a run of two or more words that folds like a known phrase ("KHANH HOA") is written as
  the phrase ("KHÁNH HÒA");
* in the words a line starts with ("TÍNH ỦY ...", "HUYỆN UÝỶ ..."), a word that folds
  like one of the administrative words (`issuer_words`: TỈNH, ỦY, XÃ, ...) is written as
  that word. Names of districts and communes are not known and stay as read ("CAN LỘC" is
  not turned into "CẦN ...", "TỊNH BIÊN" not into "TỈNH ...").

A word already written like the known one, in either tone placement ("UỶ"/"ỦY"), stays.
"""

from __future__ import annotations

from functools import cache

from pipeline.fields.rules import issuer_codes, keyword_ids, places, syllables, words
from pipeline.fields.text import fold, normalize_tones

_MAX_PHRASE = 6  # words in the longest phrase compared


@cache
def _vocabulary() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(phrase fold → spelling for runs of 2+ words, word fold → spelling for single
    words, folds of every known word)."""
    phrases: dict[str, str] = {}
    levels = [w.upper() for w in words("issuer_places", folded=False)]
    sources = [
        *words("issuer_phrases", folded=False),
        *(f"{h} {lv}" for h in words("issuer_heads", folded=False) for lv in levels),
        *words("signer_phrases", folded=False),
        *issuer_codes().values(),
        *places(),
        *keyword_ids("HEADING_PARTY"),
        *keyword_ids("HEADING_STATE"),
    ]
    for name in sources:
        upper = " ".join(name.upper().split())
        if len(upper.split()) >= 2:
            phrases.setdefault(fold(upper), upper)
    single: dict[str, str] = {}
    for word in words("issuer_words", folded=False):
        single.setdefault(fold(word.upper()), word.upper())
    known = frozenset(w for p in [*phrases, *single] for w in p.split())
    return phrases, single, known


def canonical_issuer(line: str) -> str:
    """An issuer line with glued words split and known words written the known way."""
    tokens = [_drop_stray(t) for raw in line.strip(" ,.;:").split() for t in _split_glued(raw)]
    return " ".join(_known_words(tokens))


def _drop_stray(token: str) -> str:
    """A capitals word that is no syllable but a known word with one letter doubled, that
    word as written ("UÝỶ" → "UỶ"): OCR reads a marked vowel twice."""
    folded = fold(token)
    if not token.isalpha() or not token.isupper() or len(folded) < 3 or folded in syllables():
        return token
    known = _vocabulary()[2]
    for k in range(1, len(token)):
        if folded[k] == folded[k - 1] and folded[:k] + folded[k + 1 :] in known:
            return token[:k] + token[k + 1 :]
    return token


def _split_glued(token: str) -> list[str]:
    """A capitals token that is no syllable, cut into syllables ("TỈNHLONGAN")."""
    core = token.strip(" ,.;:")
    folded = fold(core)
    if not core.isalpha() or not core.isupper() or len(folded) < 4 or folded in syllables():
        return [token]
    cut = _segment(folded)
    if cut is None or len(cut) < 2:
        return [token]
    out, pos = [], 0
    for piece in cut:
        out.append(core[pos : pos + len(piece)])
        pos += len(piece)
    lead = token[: token.index(core)]
    tail = token[token.index(core) + len(core) :]
    out[0], out[-1] = lead + out[0], out[-1] + tail
    return out


def _segment(folded: str) -> list[str] | None:
    """The split of `folded` into syllables with the most known words, then the fewest
    pieces; None when there is none."""
    known = _vocabulary()[2]
    valid = syllables()
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(folded) + 1)
    best[0] = (0, 0, [])
    for end in range(1, len(folded) + 1):
        for start in range(max(0, end - 7), end):
            prev = best[start]
            piece = folded[start:end]
            if prev is None or piece not in valid:
                continue
            score = (prev[0] + (piece in known), prev[1] - 1, [*prev[2], piece])
            current = best[end]
            if current is None or score[:2] > current[:2]:
                best[end] = score
    found = best[len(folded)]
    return found[2] if found else None


def _known_words(tokens: list[str]) -> list[str]:
    """Known phrases where they cover the most words (then the fewest phrases), and the
    administrative words a name starts with."""
    phrases, single, _ = _vocabulary()
    levels = set(words("issuer_places"))  # "huyện", "xã": a place name follows
    keys = [fold(t.strip(" ,.;:")) for t in tokens]
    # best[i]: (words covered, -phrases, phrase lengths) for tokens[:i]
    best: list[tuple[int, int, tuple[int, ...]]] = [(0, 0, ())]
    for i in range(1, len(tokens) + 1):
        options = [(best[i - 1][0], best[i - 1][1], (*best[i - 1][2], 1))]
        for n in range(2, min(_MAX_PHRASE, i) + 1):
            if " ".join(keys[i - n : i]) in phrases:
                covered, count, cuts = best[i - n]
                options.append((covered + n, count - 1, (*cuts, n)))
        best.append(max(options, key=lambda o: o[:2]))
    out: list[str] = []
    leading = True  # still in the administrative words a name starts with
    i = 0
    for n in best[-1][2]:
        run = tokens[i : i + n]
        if n > 1:
            spelled = phrases[" ".join(keys[i : i + n])].split()
            out.extend(_prefer_written(run, spelled))
            leading = leading and all(fold(w) in single and fold(w) not in levels
                                      for w in spelled)
        else:
            word = _single(run[0], single) if leading else run[0]
            leading = leading and fold(word) in single and fold(word) not in levels
            out.append(word)
        i += n
    return out


def _prefer_written(run: list[str], known: list[str]) -> list[str]:
    """The known spelling, except words already written that way in the other placement."""
    return [w if normalize_tones(w) == normalize_tones(k) else k for w, k in zip(run, known,
                                                                                   strict=True)]


def _single(token: str, single: dict[str, str]) -> str:
    key = fold(token)
    if not token.isupper() or not token.isalpha():
        return token
    spelled = single.get(key)
    if spelled is None and key not in syllables() and len(key) >= 3:  # "UÝỶ": a doubled letter
        shorter = {key[:k] + key[k + 1 :] for k in range(len(key))}
        hits = {single[s] for s in shorter if s in single}
        spelled = hits.pop() if len(hits) == 1 else None
    if spelled is None or normalize_tones(spelled) == normalize_tones(token):
        return token
    return spelled
