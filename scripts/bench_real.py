"""Real-page benchmark: sohoa, bare Tesseract and OCRmyPDF on the hand-transcribed real set.

One run, same documents, same cores. The pages and register fields are the hand
transcriptions in corpus/real/ (see its README); the documents are ../shared/real-scans/.

    .venv/bin/python scripts/bench_real.py --split dev --jobs 2
    .venv/bin/python scripts/bench_real.py --split holdout --systems sohoa,bare

(a) bare:     `tesseract IMAGE stdout -l vie`, OMP_THREAD_LIMIT=1, one process per core, on the
              images taken out of the same PDFs (the scanner's own pixels; not timed) or the
              image files as they are
(b) ocrmypdf: `ocrmypdf -l vie --force-ocr --sidecar` on one-page PDFs of the transcribed
              pages (text only: OCRmyPDF's speed is measured by scripts/bench_ocr.py)
(c) sohoa:    `sohoa ingest DOCUMENTS -j N`, whole documents, fields included

Speed: each system reads the scanned PDFs and the image files in separate timed runs (issue
13 sets a target for each), the two systems one after the other kind by kind; the pooled row
is their sum.

Text is compared after NFC and one tone placement (hòa = hoà). "In reading order" is the CER
of the whole page; "order-free" first puts each recognised line where it aligns best in the
transcription (lines that align nowhere, junk, at the end; lines under 20 characters stay
with the line before them), then counts as in reading order; the order as read is one of the
orders, so order-free is never above reading order. (The issue's evaluator defines its
order-free CER its own way: compare trends, not digits.)
"Tone-only" counts words wrong only in their marks. Fields: each printed field of each
document is right, wrong or missing, and a wrong or missing one is "flagged" when the
record's `review` names it.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import ctypes
import difflib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.text.vietnamese import canonical_tones, strip_marks  # noqa: E402

REAL = ROOT / "corpus" / "real"
SCANS = ROOT.parent / "shared" / "real-scans"
UNSURE = "⟨?"
PR_SET_CHILD_SUBREAPER = 36  # prctl option (linux/prctl.h)
ANCHOR_CHARS = 20  # a recognised line shorter than this is not moved on its own
FIELDS = ("issuer", "doc_type", "subject", "signer", "number", "symbol", "date", "place")
PRINTED = ("issuer", "doc_type", "subject", "signer")


@dataclass
class Doc:
    name: str
    source: Path
    split: str
    label: dict[str, Any]
    pages: dict[int, str]  # transcribed page number -> truth text
    page_count: int = 0
    kind: str = ""


@dataclass
class Timed:
    """One timed run of a system over the pages of one input kind."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system CPU of the system's processes (its children)
    pages: int = 0
    # the machine's 1-minute load average when the run started and when it ended: a wall
    # ratio means something only where both systems ran on a quiet machine
    load: tuple[float, float] = (0.0, 0.0)


def load_now() -> float:
    return os.getloadavg()[0]


@dataclass
class Texts:
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system CPU of the system's processes (its children)
    pages: dict[str, str] = field(default_factory=dict)  # "doc-pN" -> text
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages_run: int = 0
    kinds: dict[str, Timed] = field(default_factory=dict)  # input kind -> its own timed run

    def add(self, kind: str, timed: Timed) -> None:
        self.kinds[kind] = timed
        self.seconds += timed.seconds
        self.cpu_seconds += timed.cpu_seconds
        self.pages_run += timed.pages

    def merge(self, other: Texts) -> None:
        """Take in another run's pages, records and timed kinds."""
        self.pages.update(other.pages)
        self.records.update(other.records)
        for kind, timed in other.kinds.items():
            self.add(kind, timed)


def input_kind(source: Path) -> str:
    """The two inputs issue 13's speed targets name: scanned PDFs and image files."""
    return "scanned PDFs" if source.suffix.lower() == ".pdf" else "image files"


def load(split: str, scans: Path) -> list[Doc]:
    docs = []
    for path in sorted((REAL / "labels").glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if split != "all" and label.get("split") != split:
            continue
        name = label["doc"]
        pages = {}
        for page_file in sorted((REAL / "pages").glob(f"{name}-p*.txt")):
            number = int(page_file.stem.rsplit("-p", 1)[1])
            pages[number] = page_file.read_text(encoding="utf-8")
        written = label["source"]  # "real-scans/qn-01.pdf", or a file kept in this repository
        source = ROOT / written if written.startswith("corpus/") else scans / Path(written).name
        docs.append(Doc(name, source, label.get("split", "?"), label, pages))
    return docs


def page_images(docs: list[Doc], work: Path) -> dict[str, Path]:
    """Every page of every document as the image a bare OCR run gets (not timed)."""
    from pipeline import sources
    from pipeline.programs import poppler

    images: dict[str, Path] = {}
    work.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        if doc.source.suffix.lower() != ".pdf":
            doc.page_count, doc.kind = 1, "image file"
            images[f"{doc.name}-p1"] = doc.source
            continue
        doc.page_count = poppler.info(doc.source).pages
        kinds = set()
        for number in range(1, doc.page_count + 1):
            content = sources.pdf_page_content(doc.source, number)
            scan = content.scan
            rgb, dpi, origin = sources.pdf_page_image(doc.source, number, content, 300)
            kinds.add(f"{scan.encoding} {origin}" if scan else origin)
            target = work / f"{doc.name}-p{number}.png"
            picture = Image.fromarray(rgb)
            if scan is not None and scan.bits == 1:
                picture = picture.convert("1")
            picture.save(target, dpi=(dpi, dpi))
            images[f"{doc.name}-p{number}"] = target
        doc.kind = ", ".join(sorted(kinds))
    return images


def adopt_descendants() -> None:
    """Become the subreaper of every process started from here (Linux), so that the CPU of
    `sohoa ingest`'s workers is counted: they are children of its forkserver, which ingest
    never waits for, so their time would otherwise go to init."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cannot become a subreaper: CPU seconds leave out sohoa's workers",
              file=sys.stderr)


def children_cpu(settle_s: float = 10.0) -> float:
    """CPU seconds (user + system) of every process started from here that has ended:
    what a system run as subprocesses cost, whatever else the machine was doing (wall time
    on a shared machine is not). Orphans adopted by `adopt_descendants` are waited for
    first (a forkserver ends just after its parent)."""
    deadline = time.monotonic() + settle_s
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break  # no child left
        if pid == 0:
            time.sleep(0.05)  # one still running: give it a moment to end
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def by_kind(docs: list[Doc]) -> dict[str, list[Doc]]:
    """Documents grouped by input kind; each system reads each group in its own timed run,
    so that a kind's pages/min and CPU a page are that system's own on those pages alone."""
    groups: dict[str, list[Doc]] = {}
    for doc in docs:
        groups.setdefault(input_kind(doc.source), []).append(doc)
    return groups


def run_bare(docs: list[Doc], images: dict[str, Path], jobs: int) -> Texts:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(item: tuple[str, Path]) -> tuple[str, str]:
        proc = subprocess.run(["tesseract", str(item[1]), "stdout", "-l", "vie"],
                              capture_output=True, text=True, env=env, check=True)
        return item[0], proc.stdout

    result = Texts()
    for kind, group in by_kind(docs).items():
        names = {d.name for d in group}
        mine = {key: path for key, path in images.items() if key.rsplit("-p", 1)[0] in names}
        start, cpu, load = time.perf_counter(), children_cpu(), load_now()
        with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
            result.pages.update(pool.map(one, mine.items()))
        result.add(kind, Timed(time.perf_counter() - start, children_cpu() - cpu, len(mine),
                               (load, load_now())))
    return result


def run_sohoa(docs: list[Doc], jobs: int, work: Path, extra: list[str]) -> Texts:
    result = Texts()
    for kind, group in by_kind(docs).items():
        folder = work / "inputs" / kind.replace(" ", "-")
        folder.mkdir(parents=True)
        for doc in group:
            (folder / f"{doc.name}{doc.source.suffix}").symlink_to(doc.source.resolve())
        start, cpu, load = time.perf_counter(), children_cpu(), load_now()
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db",
             str(work / "bench.sqlite"), "--out", str(work / "records"), "-j", str(jobs),
             "--progress", "never", *extra],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        seconds, cpu_seconds = time.perf_counter() - start, children_cpu() - cpu
        if proc.returncode not in (0, 1):
            raise SystemExit(f"sohoa ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")
        result.add(kind, Timed(seconds, cpu_seconds, sum(d.page_count for d in group),
                               (load, load_now())))
    for path in (work / "records").glob("[0-9a-f]*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        name = Path(record["source"]["path"]).stem
        result.records[name] = record
        for page in record["pages"]:
            result.pages[f"{name}-p{page['number']}"] = page["text"]
            result.pages[f"raw:{name}-p{page['number']}"] = page["raw_text"]
    return result


def run_ocrmypdf(docs: list[Doc], jobs: int, work: Path) -> Texts:
    work.mkdir(parents=True, exist_ok=True)
    result = Texts()
    start, cpu = time.perf_counter(), children_cpu()
    for doc in docs:
        for number in doc.pages:
            key = f"{doc.name}-p{number}"
            single = work / f"{key}.pdf"
            if doc.source.suffix.lower() == ".pdf":
                subprocess.run(["qpdf", str(doc.source), "--pages", ".", str(number), "--",
                                str(single)], check=False, capture_output=True)
                extra = ["--force-ocr"]
            else:
                single = doc.source
                extra = ["--image-dpi", "300"]
            sidecar = work / f"{key}.txt"
            proc = subprocess.run(
                ["ocrmypdf", "-q", "-l", "vie", "--jobs", str(jobs), "--output-type", "pdf",
                 "--optimize", "0", *extra, "--sidecar", str(sidecar), str(single),
                 str(work / f"{key}-out.pdf")],
                capture_output=True, text=True, check=False,
            )
            text = sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""
            result.pages[key] = text.split("\f")[0] if proc.returncode == 0 else ""
            result.pages_run += 1
    result.seconds = time.perf_counter() - start
    result.cpu_seconds = children_cpu() - cpu
    return result


# ---------------------------------------------------------------- text measures


def canonical(text: str) -> str:
    return canonical_tones(unicodedata.normalize("NFC", text))


def truth_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in canonical(text).splitlines() if line.strip()]


def flat(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


@dataclass
class PageScore:
    chars: int = 0
    ordered: int = 0  # edit distance in reading order
    free: int = 0  # edit distance, lines in any order
    tone_only: int = 0


def score_page(truth: str, hypothesis: str) -> PageScore:
    lines = [line.replace(" | ", " ") for line in truth_lines(truth) if UNSURE not in line]
    segments = [" ".join(line.split()) for line in canonical(hypothesis).splitlines()
                if line.strip()]
    reference = flat(lines)
    recognised = flat(segments)
    return PageScore(
        chars=len(reference),
        ordered=Levenshtein.distance(recognised, reference),
        free=_order_free(reference, segments),
        tone_only=_tone_only(reference.split(), recognised.split()),
    )


def _order_free(reference: str, segments: list[str]) -> int:
    """CER with the recognised lines put in the order of the transcription: each line goes
    where it aligns best in the transcribed text (a line that aligns nowhere, junk, goes to
    the end and counts as inserted); then the edit distance, as in reading order."""
    placed: list[tuple[float, int, str]] = []
    for k, segment in enumerate(segments):
        found = fuzz.partial_ratio_alignment(segment, reference) if segment else None
        if len(segment) < ANCHOR_CHARS and placed:
            where: float = placed[-1][0] + 0.5  # too short to place alone: stays with the last
        elif found is not None and found.score >= 60:
            where = found.dest_start
        else:
            where = len(reference)
        placed.append((where, k, segment))
    placed.sort()
    moved = Levenshtein.distance(flat([segment for _, _, segment in placed]), reference)
    return min(moved, Levenshtein.distance(flat(segments), reference))  # as read is one order


def _tone_only(truth: list[str], hyp: list[str]) -> int:
    """Words that differ only in their tone or vowel marks (đ kept apart from d)."""
    count = 0
    matcher = difflib.SequenceMatcher(a=truth, b=hyp, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "replace" or a1 - a0 != b1 - b0:
            continue
        for left, right in zip(truth[a0:a1], hyp[b0:b1], strict=True):
            if left != right and strip_marks(left, keep_d=True) == strip_marks(right, keep_d=True):
                count += 1
    return count


# ---------------------------------------------------------------- field measures


def _norm(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    # a dash is a dash: OCR cannot tell an en dash from an em dash or a hyphen
    text = re.sub(r"[–—]", "-", canonical(str(value)).casefold())
    text = re.sub(r"^(v/v|về việc)\s*:?\s*", "", text)
    return " ".join(re.sub(r"[.,;:]+$", "", text).split())


def field_value(name: str, fields: dict[str, Any]) -> str:
    if name == "signer":
        return _norm((fields.get("signer") or {}).get("name"))
    return _norm(fields.get(name))


def score_fields(doc: Doc, record: dict[str, Any] | None) -> dict[str, str]:
    """Each field: right, partial, wrong or missing; "+flag" when the record's review
    names it (a flag on a right field costs review precision)."""
    truth = doc.label.get("fields", {})
    flagged = {item["field"] for item in (record or {}).get("review", [])}
    out = {}
    for name in FIELDS:
        if name not in truth:
            continue
        expected = field_value(name, truth)
        got = field_value(name, record) if record else ""
        if got == expected:
            out[name] = "right+flag" if name in flagged else "right"
        else:
            status = "missing" if not got else "wrong"
            if name == "date" and got and expected.startswith(got):
                status = "partial"  # "2025-01" of "2025-01-16": the day was written by hand
            out[name] = status + ("+flag" if name in flagged else "")
    return out


# ---------------------------------------------------------------- report


def report(docs: list[Doc], systems: dict[str, Texts]) -> str:
    columns = []
    for name in systems:
        if name == "sohoa":
            columns.append(("sohoa raw", "raw:", name))
            columns.append(("sohoa", "", name))
        else:
            columns.append((name, "", name))
    out = ["| page | split | kind | chars | "
           + " | ".join(f"{c[0]} order / free / tone" for c in columns) + " |",
           "|---|---|---|---:|" + "---|" * len(columns)]
    totals: dict[tuple[str, str], PageScore] = {}
    worse = {c[0]: 0 for c in columns}
    for doc in docs:
        for number, truth in sorted(doc.pages.items()):
            key = f"{doc.name}-p{number}"
            cells = []
            scores = {}
            for label, prefix, system in columns:
                hypothesis = systems[system].pages.get(prefix + key, "")
                score = score_page(truth, hypothesis)
                scores[label] = score
                for split in (doc.split, "all"):
                    total = totals.setdefault((label, split), PageScore())
                    total.chars += score.chars
                    total.ordered += score.ordered
                    total.free += score.free
                    total.tone_only += score.tone_only
                cells.append(f"{100 * score.ordered / max(score.chars, 1):.1f}% / "
                             f"{100 * score.free / max(score.chars, 1):.1f}% / {score.tone_only}")
            if "bare" in scores:
                for label, score in scores.items():
                    if label != "bare" and score.free > scores["bare"].free:
                        worse[label] += 1
            chars = scores[columns[0][0]].chars
            row = f"| {key} | {doc.split} | {doc.kind} | {chars} | "
            out.append(row + " | ".join(cells) + " |")
    out += ["", "| system | split | CER in reading order | CER order-free | tone-only words |"
            " pages worse than bare (order-free) |", "|---|---|---:|---:|---:|---:|"]
    for (label, split), total in sorted(totals.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        out.append(f"| {label} | {split} | {100 * total.ordered / max(total.chars, 1):.2f}% | "
                   f"{100 * total.free / max(total.chars, 1):.2f}% | {total.tone_only} | "
                   f"{worse.get(label, 0) if split == 'all' else ''} |")
    if "sohoa" in systems:
        out += ["", _fields_table(docs, systems["sohoa"]), "", _inventory(docs, systems["sohoa"])]
    out += ["", _speed_table(systems), "", _kind_table(systems)]
    return "\n".join(out)


def _speed_table(systems: dict[str, Texts]) -> str:
    """Wall-clock pages/min (what a user waits) and CPU seconds a page (what the work
    costs, steady on a shared machine); each against bare Tesseract when it ran."""
    rows = ["| system | pages | seconds | pages/min | CPU s/page | vs bare, wall | "
            "vs bare, CPU |", "|---|---:|---:|---:|---:|---:|---:|"]
    bare = systems.get("bare")
    for name, texts in systems.items():
        if not texts.seconds or not texts.pages_run:
            continue
        per_page = texts.cpu_seconds / texts.pages_run
        wall = cpu = ""
        if bare is not None and bare.seconds and bare.pages_run:
            wall = f"{(texts.pages_run / texts.seconds) / (bare.pages_run / bare.seconds):.2f}x"
            if per_page:
                cpu = f"{(bare.cpu_seconds / bare.pages_run) / per_page:.2f}x"
        rows.append(f"| {name} | {texts.pages_run} | {texts.seconds:.1f} | "
                    f"{60 * texts.pages_run / texts.seconds:.1f} | {per_page:.2f} | "
                    f"{wall} | {cpu} |")
    return "\n".join(rows)


def _kind_table(systems: dict[str, Texts]) -> str:
    """sohoa against bare Tesseract by input kind (issue 13: scanned PDFs >= 1.3x, image
    files >= 1.0x), each kind from the two systems' own timed runs on the same pages, and
    all pages pooled (the sums of those runs). Load: the 1-minute load average at the start
    and end of each system's run (sohoa; bare)."""
    sohoa, bare = systems.get("sohoa"), systems.get("bare")
    if sohoa is None or bare is None:
        return ""
    rows = ["| input | pages | sohoa pages/min | sohoa CPU s/page | bare pages/min |"
            " bare CPU s/page | wall ratio | CPU ratio | load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|"]

    def spread(texts: Texts) -> tuple[float, float]:
        loads = [value for timed in texts.kinds.values() for value in timed.load]
        return (min(loads), max(loads)) if loads else (0.0, 0.0)

    pooled = {"all": (Timed(sohoa.seconds, sohoa.cpu_seconds, sohoa.pages_run, spread(sohoa)),
                      Timed(bare.seconds, bare.cpu_seconds, bare.pages_run, spread(bare)))}
    kinds = {k: (t, bare.kinds[k]) for k, t in sohoa.kinds.items() if k in bare.kinds}
    for kind, (mine, theirs) in {**kinds, **pooled}.items():
        if not (mine.seconds and mine.pages and theirs.seconds and theirs.pages):
            continue
        rate, bare_rate = 60 * mine.pages / mine.seconds, 60 * theirs.pages / theirs.seconds
        cpu, bare_cpu = mine.cpu_seconds / mine.pages, theirs.cpu_seconds / theirs.pages
        rows.append(f"| {kind} | {mine.pages} | {rate:.1f} | {cpu:.2f} | {bare_rate:.1f} | "
                    f"{bare_cpu:.2f} | {rate / bare_rate:.2f}x | "
                    f"{bare_cpu / cpu if cpu else 0:.2f}x | "
                    f"{min(mine.load):.1f}-{max(mine.load):.1f}; "
                    f"{min(theirs.load):.1f}-{max(theirs.load):.1f} |")
    return "\n".join(rows)


def _inventory(docs: list[Doc], sohoa: Texts) -> str:
    """Pages and digital signatures of each document as sohoa stored it: no page may be
    lost, and a signed scan's pages must be OCR'd, not taken from its signature stamp."""
    rows = ["| document | pages in file | pages stored | OCR'd | text layer | blank |"
            " signatures (intact) |", "|---|---:|---:|---:|---:|---:|---|"]
    for doc in docs:
        record = sohoa.records.get(doc.name)
        if record is None:
            rows.append(f"| {doc.name} | {doc.page_count} | NOT STORED | | | | |")
            continue
        pages = record["pages"]
        methods = [p["method"] for p in pages]
        signatures = record.get("signatures", [])
        intact = sum(1 for sig in signatures if sig.get("intact"))
        rows.append(
            f"| {doc.name} | {doc.page_count} | {len(pages)} | {methods.count('ocr')} | "
            f"{methods.count('text-layer')} | {sum(1 for p in pages if p.get('blank'))} | "
            f"{len(signatures)} ({intact}) |")
    return "\n".join(rows)


def batch(doc: Doc) -> str:
    """Which set of the corpus a document came in, so that a pooled figure does not hide a
    weak part: the real-scans folder (qn, epu), the extra scans of sessions 7-8 (ex-01 to
    ex-15), those of session 9 (ex-16 to ex-32: 2011-2012 Bắc Giang and Phú Thọ scans),
    those of session 10 (ex-33 to ex-52: 2010-2025 scans of ministries and nine provinces),
    those of issue 13's helper-27 (ex-53 to ex-72: 2012-2025 scans of new sources), those
    of session 12 (ex-73 to ex-84: Tây Đô university and Bắc Giang), those of session 13
    (ex-85 to ex-109: Kiên Giang health department, three universities, two ministries, An
    Giang, 2011-2023), those of session 14's helper-33 (ex-110 to ex-139: 2025-2026 Lâm Đồng
    scans, two Party documents and five of socio-political bodies among them) or those of its
    helper-34 (ex-140 on: 2012-2024 scans from the upload folders of provincial price and
    awards databases: a HĐND resolution, decrees, circulars, Quảng Bình, Vĩnh Long, Khánh Hòa,
    Bà Rịa - Vũng Tàu)."""
    if doc.name.startswith("ex-"):
        number = int(doc.name[3:])
        if number >= 140:
            return "ex-140.."
        if number >= 110:
            return "ex-110.."
        if number >= 85:
            return "ex-85..109"
        if number >= 73:
            return "ex-73..84"
        if number >= 53:
            return "ex-53..72"
        return "ex-33..52" if number >= 33 else "ex-16..32" if number >= 16 else "ex-01..15"
    return "qn/epu"


def _fields_table(docs: list[Doc], sohoa: Texts) -> str:
    rows = ["| document | split | " + " | ".join(FIELDS) + " |", "|---|---|" + "---|" * len(FIELDS)]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for doc in docs:
        scored = score_fields(doc, sohoa.records.get(doc.name))
        rows.append(f"| {doc.name} | {doc.split} | "
                    + " | ".join(scored.get(f, "") for f in FIELDS) + " |")
        for name, status in scored.items():
            for split in (doc.split, "all", f"{doc.split}, {batch(doc)}"):
                for group in (name, "printed" if name in PRINTED else "", "every"):
                    if group:
                        bucket = counts.setdefault((group, split), {})
                        bucket[status] = bucket.get(status, 0) + 1
    rows += ["", "| field | split | right | right, flagged | partial+flag | wrong+flag |"
             " missing+flag | partial unflagged | wrong unflagged | missing unflagged |"
             " review precision | review recall |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (group, split), bucket in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        total = sum(bucket.values())
        right = bucket.get("right", 0) + bucket.get("right+flag", 0)
        caught = sum(bucket.get(f"{k}+flag", 0) for k in ("partial", "wrong", "missing"))
        missed = sum(bucket.get(k, 0) for k in ("partial", "wrong", "missing"))
        flags = caught + bucket.get("right+flag", 0)
        precision = f"{caught / flags:.2f}" if flags else "-"
        recall = f"{caught / (caught + missed):.2f}" if caught + missed else "-"
        rows.append(
            f"| {group} | {split} | {right}/{total} ({100 * right / total:.0f}%) | "
            f"{bucket.get('right+flag', 0)} | {bucket.get('partial+flag', 0)} | "
            f"{bucket.get('wrong+flag', 0)} | {bucket.get('missing+flag', 0)} | "
            f"{bucket.get('partial', 0)} | {bucket.get('wrong', 0)} | {bucket.get('missing', 0)} | "
            f"{precision} | {recall} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="dev")
    parser.add_argument("--systems", default="sohoa,bare,ocrmypdf")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scans", type=Path, default=SCANS)
    parser.add_argument("--docs", help="comma-separated document names (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-real")
    parser.add_argument("--ingest-args", default="",
                        help="more `sohoa ingest` options, e.g. '--no-cleanup binarize'")
    args = parser.parse_args(argv)

    docs = load(args.split, args.scans)
    if args.docs:
        wanted = set(args.docs.split(","))
        docs = [d for d in docs if d.name in wanted]
    if not docs:
        raise SystemExit(f"no transcribed documents in {REAL} for split {args.split}")
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    images = page_images(docs, args.out / "images")
    adopt_descendants()
    names = args.systems.split(",")
    if unknown := set(names) - {"sohoa", "bare", "ocrmypdf"}:
        raise SystemExit(f"unknown system {', '.join(sorted(unknown))}")
    systems: dict[str, Texts] = {name: Texts() for name in names}
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp:
        # the timed systems take turns kind by kind, so that each kind's two runs follow each
        # other: on a shared machine the load drifts, and the ratio should not measure that
        for kind, group in by_kind(docs).items():
            for name in names:
                print(f"running {name} on {len(group)} documents ({kind}) ...", file=sys.stderr)
                if name == "bare":
                    systems[name].merge(run_bare(group, images, args.jobs))
                elif name == "sohoa":
                    systems[name].merge(run_sohoa(group, args.jobs, Path(tmp) / "sohoa",
                                                  args.ingest_args.split()))
        if "ocrmypdf" in names:
            print(f"running ocrmypdf on {len(docs)} documents ...", file=sys.stderr)
            systems["ocrmypdf"] = run_ocrmypdf(docs, args.jobs, Path(tmp) / "ocrmypdf")
    table = report(docs, systems)
    print(table)
    (args.out / "table.md").write_text(table + "\n", encoding="utf-8")
    dump = {name: {"pages": t.pages, "seconds": t.seconds, "cpu_seconds": t.cpu_seconds,
                   "kinds": {k: vars(v) for k, v in t.kinds.items()}}
            for name, t in systems.items()}
    (args.out / "texts.json").write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    if "sohoa" in systems:
        (args.out / "records.json").write_text(
            json.dumps(systems["sohoa"].records, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
