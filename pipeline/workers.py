"""The ingest workers' process context: a fork server, started as early as possible.

forkserver, not fork: a forked child of a parent that already ran OpenCV's or OpenMP's
thread pools can deadlock in its first call into them. The server imports `pipeline.preload`
once (the page stage's code and the restoration model; no OpenCV or Tesseract call runs), so
every worker is forked with them in memory. This module imports nothing heavy: the ingest
command starts the server before it imports the pipeline, so the server's ~0.7 s start
overlaps the parent's own imports and planning.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from multiprocessing.context import BaseContext


def fork_server() -> BaseContext:
    """The workers' process context, its fork server started (it keeps running)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.preload"])
    multiprocessing.forkserver.ensure_running()
    return context
