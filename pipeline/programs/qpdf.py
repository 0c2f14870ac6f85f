"""The one wrapper of the `qpdf` program (Debian package `qpdf`): its structural check."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from pipeline.errors import ArchiveError, MissingDependencyError

log = logging.getLogger(__name__)

TIMEOUT_S = 120


def check(path: Path) -> None:
    """`qpdf --check`: raise ArchiveError on errors (exit 2); warnings (3) are logged."""
    if shutil.which("qpdf") is None:
        raise MissingDependencyError("qpdf is not installed (apt-get install qpdf)")
    proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    if proc.returncode == 2:
        raise ArchiveError(f"qpdf --check: {proc.stdout.strip()[-300:]} {proc.stderr.strip()}")
    if proc.returncode == 3:
        log.warning("qpdf --check warnings on %s: %s", path, proc.stderr.strip()[:300])
