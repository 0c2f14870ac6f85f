"""Distributed ingest: documents on a Celery queue (Redis), run by `sohoa worker`s on any
number of machines, written to a shared store (PostgreSQL, or one SQLite file on one machine).

`app` builds the Celery application and holds every queue setting (acknowledged late,
prefetch 1, requeued when a worker dies, a visibility timeout longer than the longest job,
bounded retries, a time limit per task); `tasks` is what a worker runs (a document whole:
its pages, its record, its write; or one page of a long document, the last page writing the
record); `pages` keeps a long document's finished pages in Redis until then; `executor` is
the submitting side behind the ingest executor seam (`pipeline.run.executor`): it sends the
jobs and reads their outcomes from the queue's result store. Why and when a document is
split into page tasks: docs/scale.md.
"""
