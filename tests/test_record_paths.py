"""One record builder: `sohoa extract FILE` prints the record `sohoa ingest` writes for the
same file, for every input kind (pipeline/run/build.py, pipeline/commands/extract.py).

The only keys allowed to differ are the run's own clock: `provenance.created` (when the
record was built) and `provenance.timings` (how long each stage took on this run). Every
other key, `source.path` and `provenance.engines`/`models` included, must be equal.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.encoding import encode_vni
from pipeline.programs import tesseract
from tests.conftest import ROOT

SAMPLES = ROOT / "corpus" / "samples" / "scans"
REPORT = (Path(__file__).parent / "records" / "report.txt").read_text(encoding="utf-8")
RUN_CLOCK = ("created", "timings")  # provenance keys that say when and how fast this run was


def _stripped(text: str) -> str:
    """The text as typed on a keyboard without Vietnamese input: no tone or vowel marks."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


def _inputs(folder: Path) -> None:
    folder.mkdir()
    (folder / "typed.txt").write_text(REPORT, encoding="utf-8")
    (folder / "khong-dau.txt").write_text(_stripped(REPORT), encoding="utf-8")
    shutil.copy(SAMPLES / "002-excerpt-khong-dau.txt", folder / "khong-dau-002.txt")
    (folder / "vni.txt").write_bytes(encode_vni(REPORT))
    shutil.copy(SAMPLES / "004-excerpt-tcvn3.txt", folder / "tcvn3.txt")
    shutil.copy(SAMPLES / "000103-clean.png", folder / "clean.png")
    shutil.copy(SAMPLES / "000101-seal_signature+photocopy.pdf", folder / "scan.pdf")


def _without_run_clock(record: dict) -> dict:
    provenance = {k: v for k, v in record["provenance"].items() if k not in RUN_CLOCK}
    return {**record, "provenance": provenance}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """The inputs, and the records `sohoa ingest -j 2` wrote for them (built in workers)."""
    tesseract.require("vie")
    work = tmp_path_factory.mktemp("paths")
    folder = work / "in"
    _inputs(folder)
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db",
           str(work / "db.sqlite"), "--out", str(work / "out"), "-j", "2", "--progress", "never"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    records = {}
    for path in (work / "out").glob("[0-9a-f]*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        records[Path(data["source"]["path"]).name] = data
    return folder, records


@pytest.mark.parametrize(
    "name",
    ["typed.txt", "khong-dau.txt", "khong-dau-002.txt", "vni.txt", "tcvn3.txt", "clean.png",
     "scan.pdf"],
)
def test_extract_prints_the_record_ingest_writes(
    name: str, ingested: tuple[Path, dict[str, dict]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, records = ingested
    assert main(["extract", str(folder / name), "--compact"]) == 0
    extracted = json.loads(capsys.readouterr().out)
    assert _without_run_clock(extracted) == _without_run_clock(records[name])


def test_marks_stripped_text_is_restored_by_both(ingested: tuple[Path, dict[str, dict]]) -> None:
    """The case that differed: `extract` left a text typed without marks unrestored."""
    _, records = ingested
    stripped, typed = records["khong-dau.txt"], records["typed.txt"]
    assert stripped["provenance"]["models"]["restore"]
    assert stripped["raw_text"] == _stripped(REPORT).rstrip("\n") != stripped["text"]
    assert stripped["signer"] == typed["signer"]
    assert stripped["doc_type"] == typed["doc_type"] == "BÁO CÁO"
