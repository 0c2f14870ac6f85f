"""`sohoa worker --queue URL --db DB [-c N]`: run the queue's document jobs on this machine.

Starts a Celery worker with N processes (default: one per core), each running one document
at a time with one single-threaded Tesseract, writing to the store at --db (a PostgreSQL
URL shared by every machine, or a SQLite file when all workers share this machine). Stop it
with SIGTERM (or Ctrl-C): it finishes the documents it is running; SIGQUIT (or a second
Ctrl-C) ends it at once, and the unfinished documents go back to the queue for another worker.
"""

from __future__ import annotations

import argparse
import logging
import os

from pipeline.errors import BadArgumentsError

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "worker",
        help="run queued ingest jobs (sent by `sohoa ingest --queue`) on this machine",
        description="Take documents from the queue, OCR and repair them, and write their "
        "records to the store. Run one per machine; `sohoa ingest --queue URL` sends the jobs.",
    )
    parser.add_argument("--queue", required=True, metavar="URL", help="redis://host:6379/0")
    parser.add_argument(
        "--db", required=True, help="the store the records go to (PostgreSQL URL or SQLite file)"
    )
    parser.add_argument(
        "-c", "--concurrency", type=int, default=0, help="worker processes (default: all cores)"
    )
    parser.add_argument("--lang", default="vie", help="Tesseract language checked at start")
    parser.add_argument("--name", help="this worker's name (default: sohoa-PID@HOST)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.queue.startswith(("redis://", "rediss://", "unix://")):
        raise BadArgumentsError(f"--queue {args.queue}: not a Redis URL (redis://host:6379/0)")
    if args.concurrency < 0:
        raise BadArgumentsError("--concurrency must be 0 (all cores) or more")
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one Tesseract thread a process, set before any fork
    from celery.signals import worker_process_init

    from pipeline.queue import tasks
    from pipeline.queue.app import QUEUE_NAME, make_app
    from pipeline.run import preload  # noqa: F401  (models in memory before the fork)
    from pipeline.run.ingest import check_dependencies
    from pipeline.storage import open_store

    check_dependencies(args.lang)
    open_store(args.db).close()  # an unreachable or foreign store: exit 2 now, not per job
    app = make_app(args.queue)
    tasks.register(app, args.db)
    worker_process_init.connect(tasks.worker_process_init, weak=False)
    processes = args.concurrency or os.cpu_count() or 1
    level = "INFO" if logging.getLogger().getEffectiveLevel() <= logging.INFO else "WARNING"
    name = args.name or f"sohoa-{os.getpid()}@%h"
    log.info("worker %s: %d processes on %s, writing to %s", name, processes, args.queue, args.db)
    argv = [
        "worker",
        f"--concurrency={processes}",
        "--pool=prefork",
        f"--queues={QUEUE_NAME}",
        f"--loglevel={level}",
        f"--hostname={name}",
        "--without-gossip",
        "--without-mingle",
    ]
    try:
        app.worker_main(argv)
    except SystemExit as done:
        return int(done.code or 0)
    return 0
