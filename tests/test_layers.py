"""The package's layers (.importlinter): entry points over orchestration over stages over
primitives, with no import cycle between stages. import-linter checks the real import graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_layer_contract_is_kept() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_every_package_of_the_pipeline_is_in_a_layer() -> None:
    contract = (ROOT / ".importlinter").read_text(encoding="utf-8")
    layered = {name.split(".")[1] for name in contract.split() if name.startswith("pipeline.")}
    modules = {p.stem if p.is_file() else p.name for p in (ROOT / "pipeline").iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem != "__init__"}
    assert modules - layered == set()
