"""What the ingest workers' fork server holds before it forks any worker.

The server (`multiprocessing`'s forkserver, see `ingest._start_fork_server`) imports this
module once: the page stage's code and the default restoration model. Every worker is then
forked with both in memory, shared copy-on-write, instead of each loading the ~29 MB model
on its first page (0.57 s of CPU a worker, at the start of every run). The server starts
while the parent still hashes and inspects the input files, so the load overlaps that too.
"""

from __future__ import annotations

import logging

from pipeline import pages  # noqa: F401  (imported for the workers)
from pipeline.restore import Restorer

log = logging.getLogger(__name__)

try:
    Restorer.load()
except Exception as error:  # the fork server must start anyway: pages report the error
    log.warning("restoration model not preloaded: %s", error)
