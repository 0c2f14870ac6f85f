"""Distributed ingest: documents on a Celery queue (Redis), run by `sohoa worker`s on any
number of machines, written to a shared store (PostgreSQL, or one SQLite file on one machine).

`app` builds the Celery application and holds every queue setting (acknowledged late,
prefetch 1, requeued when a worker dies, a visibility timeout longer than the longest job,
bounded retries, a time limit per task); `tasks` is what a worker runs (one whole document:
its pages, its record, its write); `executor` is the submitting side behind the ingest
executor seam (`pipeline.run.executor`): it sends document jobs and reads their outcomes from
the queue's result store. Why a task is a document and not a page: docs/scale.md.
"""
