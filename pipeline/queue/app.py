"""The Celery application of distributed ingest and all of its settings, in one place.

Delivery is at least once: a task is acknowledged only when it has finished
(`task_acks_late`), and put back on the queue when the process running it dies
(`task_reject_on_worker_lost`), so a killed worker loses nothing; a job may therefore run
twice, and the task's write is idempotent (keyed by the document's content hash). Each
worker process takes one task at a time (prefetch 1): documents take seconds to minutes,
and a prefetched one would wait behind a long one while another worker idles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.backends.redis import RedisBackend

TASK_NAME = "sohoa.ingest_document"
PAGE_TASK_NAME = "sohoa.ingest_page"
QUEUE_NAME = "sohoa"


@dataclass(frozen=True)
class QueueSettings:
    """The queue's limits. A document task may take `page_time_limit_s` a page (a huge
    scan at 600 dpi measured 40 s; a normal page 2-8 s) plus `base_time_limit_s`, and at
    most `max_task_s`; the broker redelivers an unacknowledged task only after
    `visibility_timeout_s`, which must be longer than any task, or a running task would be
    handed to a second worker."""

    page_time_limit_s: int = 300
    base_time_limit_s: int = 120
    max_task_s: int = 6 * 3600
    visibility_timeout_s: int = 8 * 3600
    max_retries: int = 3  # a task whose store stayed unreachable is tried this often again
    retry_backoff_s: int = 10  # first retry after this, then doubling (with jitter)
    retry_backoff_max_s: int = 300
    max_deliveries: int = 3  # a document whose worker died this often fails (a poison file)
    store_write_attempts: int = 6  # within a task, before it is retried as a whole
    result_expires_s: int = 7 * 24 * 3600
    poll_s: float = 0.5  # how often the submitting ingest reads the tasks' states
    stranded_check_s: float = 10.0  # how often it looks for tasks a worker lost (twice: lost)
    # jobs are sent longest first within each batch planned in this many jobs or seconds:
    # a whole document is one task, so a long one sent last would run alone at the end
    submit_batch_jobs: int = 64
    submit_batch_s: float = 2.0
    # a document of at least this many pages goes out as one task a page, the last page done
    # building and writing the record (a long document would otherwise hold one process)
    split_pages: int = 3
    # a split document's finished pages wait in Redis for its last one at most this long
    page_results_expire_s: int = 24 * 3600

    def time_limit(self, pages: int) -> int:
        """The hard time limit of one document's task."""
        return min(self.base_time_limit_s + self.page_time_limit_s * pages, self.max_task_s)


SETTINGS = QueueSettings()


class ResultStore(RedisBackend):
    """Celery's Redis result store, its reads retried as its writes are: storing a task's
    state reads the key first, and a Redis restarting at that moment failed the task."""

    def get(self, key: Any) -> Any:
        return self.ensure(super().get, (key,))


def make_app(broker: str, settings: QueueSettings = SETTINGS) -> Celery:
    """The Celery app on the Redis at `broker`, which is also the result store (the queue's
    state: each task's progress and outcome, read by the submitting ingest)."""
    if settings.visibility_timeout_s <= settings.max_task_s:
        raise ValueError("the visibility timeout must be longer than the longest task")
    backend = f"{ResultStore.__module__}:{ResultStore.__name__}+{broker}"
    app = Celery("sohoa", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE_NAME,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=200,  # bounds a slow leak in a native library
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_publish_retry=True,  # a job sent while Redis restarts waits for it (~1 min)
        task_publish_retry_policy={
            "max_retries": 40,
            "interval_start": 0.5,
            "interval_step": 0.5,
            "interval_max": 2.0,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a restarting Redis is waited for
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_s},
        # a result stored while Redis restarts is tried again for up to a minute
        result_backend_transport_options={"retry_policy": {"max_retries": 60, "timeout": 60.0}},
        result_expires=settings.result_expires_s,
    )
    return app
