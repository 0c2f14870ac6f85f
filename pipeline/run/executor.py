"""The executor seam: where an ingest run's tasks run.

An executor takes tasks (`submit`), gives their outcomes back as they finish (`outcomes`),
and drops what has not started (`cancel`). The ingest loop sees only that, so the same loop
runs its pages in this process (`InlineExecutor`, one job), on this machine's fork-server
pool (`PoolExecutor`), and its documents on a queue's workers (`pipeline.queue.executor`).

The local executors hand out urgent tasks (a finished document's record: it frees memory and
lets the document be written) before the rest, and keep only a few tasks in flight, so memory
stays flat on huge PDFs and early documents are written while later ones still wait.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import logging
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, Protocol, TypeVar

from pipeline.run import workers

log = logging.getLogger(__name__)

T = TypeVar("T")
O_co = TypeVar("O_co", covariant=True)
SUSPECT_LIMIT = 2  # a task running on a dead worker this often, its killer unknown, fails


class Executor(Protocol[T, O_co]):
    """Runs tasks somewhere; the caller submits, reads outcomes, and may cancel."""

    def submit(self, task: T) -> None:
        """Queue a task; it may be submitted while outcomes are being read."""
        ...

    def outcomes(self) -> Generator[O_co, None, None]:
        """Outcomes as tasks finish, until none is queued or running (closing it early:
        a local executor also stops the tasks still running)."""
        ...

    def cancel(self) -> list[T]:
        """Drop every task not yet started; returns them."""
        ...


class DocTask(Protocol):
    @property
    def doc(self) -> str: ...


Task = TypeVar("Task", bound=DocTask)
Outcome = TypeVar("Outcome")


class _Queue(Generic[Task]):
    """Tasks not yet handed out: tasks to run again after a worker died first, then urgent
    ones, then the rest in submitted order. Notes when each document's first task left."""

    def __init__(self, urgent: Callable[[Task], bool]) -> None:
        self._urgent = urgent
        self._again: deque[Task] = deque()
        self._first: deque[Task] = deque()
        self._rest: deque[Task] = deque()
        self.started: dict[str, float] = {}  # doc -> perf_counter at its first task

    def add(self, task: Task) -> None:
        (self._first if self._urgent(task) else self._rest).append(task)

    def again(self, tasks: list[Task]) -> None:
        """Hand these out next, in this order."""
        self._again.extendleft(reversed(tasks))

    def clear(self) -> list[Task]:
        dropped = [*self._again, *self._first, *self._rest]
        for queue in (self._again, self._first, self._rest):
            queue.clear()
        return dropped

    def pop(self) -> Task | None:
        for queue in (self._again, self._first, self._rest):
            if queue:
                task = queue.popleft()
                self.started.setdefault(task.doc, time.perf_counter())
                return task
        return None


class _Queued(Generic[Task, Outcome]):
    """What both local executors share: the tasks waiting, urgent ones first, and when each
    document's first task was handed out; `peak_kib`, the largest peak memory seen."""

    def __init__(self, urgent: Callable[[Task], bool]) -> None:
        self._queue: _Queue[Task] = _Queue(urgent)
        self.peak_kib = 0

    def submit(self, task: Task) -> None:
        self._queue.add(task)

    def started(self, doc: str) -> float | None:
        return self._queue.started.get(doc)

    def cancel(self) -> list[Task]:
        return self._queue.clear()


class InlineExecutor(_Queued[Task, Outcome]):
    """Tasks run one at a time in this process (`-j 1`: no workers to start or feed)."""

    def __init__(
        self,
        function: Callable[[Task], Outcome],
        initializer: Callable[[], None] | None = None,
        urgent: Callable[[Task], bool] = lambda task: False,
    ) -> None:
        super().__init__(urgent)
        self._function = function
        self._initializer = initializer

    def outcomes(self) -> Generator[Outcome, None, None]:
        if self._initializer is not None:
            self._initializer()
        try:
            while (task := self._queue.pop()) is not None:
                yield self._function(task)
        finally:
            self.peak_kib = max(self.peak_kib, workers.peak_memory_kib())


class PoolExecutor(_Queued[Task, Outcome]):
    """Tasks over `processes` fork-server workers (`workers.WorkerPool`), surviving deaths.

    When a worker dies the pool is broken: the task that worker was running fails (its
    outcome is `on_death(task, "worker died: signal 9 (SIGKILL)")`), every other task in
    flight is handed out again, and a new pool takes over. `peak_kib` is the largest peak
    memory of a worker seen so far.
    """

    def __init__(
        self,
        processes: int,
        function: Callable[[Task], Outcome],
        on_death: Callable[[Task, str], Outcome],
        initializer: Callable[[], None] | None = None,
        urgent: Callable[[Task], bool] = lambda task: False,
        describe: Callable[[Task], str] = repr,
    ) -> None:
        super().__init__(urgent)
        self._processes = processes
        self._function = function
        self._on_death = on_death
        self._initializer = initializer
        self._describe = describe
        self._suspected: dict[int, int] = {}  # id(task) -> breaks it was running in

    def outcomes(self) -> Generator[Outcome, None, None]:
        window = self._processes * 2
        numbers = itertools.count()
        while True:
            pool = workers.WorkerPool(self._processes, self._function, self._initializer)
            pending: dict[cf.Future[Outcome], tuple[int, Task]] = {}
            lost: list[tuple[int, Task]] = []
            clean = False
            try:
                while not lost:
                    while len(pending) < window and (task := self._queue.pop()) is not None:
                        number = next(numbers)
                        pending[pool.submit(number, task)] = (number, task)
                    if not pending:
                        clean = True
                        self.peak_kib = max(self.peak_kib, pool.peak_memory_kib())
                        return
                    done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    for future in sorted(done, key=lambda f: pending[f][0]):
                        number, task = pending.pop(future)
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            lost.append((number, task))
                            continue
                        except Exception as error:  # the result could not come back (pickling)
                            log.error("task %d failed in its worker: %r", number, error)
                            result = self._on_death(task, f"internal error: {error!r}")
                        yield result
                # the pool is broken: every future still pending fails the same way
                cf.wait(pending)
                lost.extend(sorted(pending.values(), key=lambda item: item[0]))
                pending.clear()
                deaths = pool.deaths()
                clean = True
            finally:
                pool.close(kill=not clean)
            yield from self.after_break(lost, deaths)

    def after_break(
        self, lost: list[tuple[int, Task]], deaths: list[workers.Death]
    ) -> Iterator[Outcome]:
        """Fail the task a dead worker was running; hand the rest out again.

        The executor terminates the surviving workers of a broken pool with SIGTERM, so a
        worker that died any other way is the one that broke it. When none did (the killer
        was itself a SIGTERM), every task that was running is suspected: it runs again, and
        fails once it has been running at SUSPECT_LIMIT breaks.
        """
        running = {d.seq: d for d in deaths if d.seq is not None}
        killers = {s: d for s, d in running.items() if d.exitcode != -signal.SIGTERM}
        again: list[Task] = []
        for number, task in lost:
            death = killers.get(number)
            if death is None and not killers and number in running:
                self._suspected[id(task)] = self._suspected.get(id(task), 0) + 1
                if self._suspected[id(task)] >= SUSPECT_LIMIT:
                    death = running[number]
            if death is not None:
                log.warning(
                    "%s while running %s; the pool is restarted",
                    death.reason,
                    self._describe(task),
                )
                yield self._on_death(task, death.reason)
            else:
                again.append(task)
        if not killers and not running:
            log.warning("a worker died between tasks; the pool is restarted")
        self._queue.again(again)
