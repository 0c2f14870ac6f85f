"""What the ingest workers' fork server holds before it forks any worker.

The server (`multiprocessing`'s forkserver, see `pipeline.run.workers`) imports this module
once: the page and record stages' code, the default restoration model and the field
extractor's keyword pipeline. Every worker is then forked with them in memory, shared
copy-on-write, instead of each loading the ~29 MB model (0.57 s of CPU) and building the
spaCy pipeline (0.5 s) on its first task, at the start of every run. The server starts
while the parent still hashes and inspects the input files, so the load overlaps that too.
"""

from __future__ import annotations

import logging
import os
import sys

from pipeline.fields import match
from pipeline.restore import Restorer
from pipeline.run import (
    ingest,  # noqa: F401  (imported for the workers: pages and records)
    workers,
)

log = logging.getLogger(__name__)

if "multiprocessing.forkserver" in sys.modules and sys.argv[:1] == ["-c"]:
    # in the fork server: end with the ingest process that started it (see workers.watch)
    workers.die_with_parent()
    workers.watch(os.getppid())

try:
    Restorer.load()
except Exception as error:  # the fork server must start anyway: pages report the error
    log.warning("restoration model not preloaded: %s", error)
try:
    match.pipeline()
except Exception as error:  # likewise: record tasks report it
    log.warning("field extractor not preloaded: %s", error)
