"""The ingest workers: their process context (a fork server, started as early as possible),
a pool that survives the death of one worker, and the parent-death signal that keeps no
worker alive after its parent is gone.

forkserver, not fork: a forked child of a parent that already ran OpenCV's or OpenMP's
thread pools can deadlock in its first call into them. The server imports `pipeline.run.preload`
once (the page stage's code and the restoration model; no OpenCV or Tesseract call runs), so
every worker is forked with them in memory. This module imports nothing heavy: the ingest
command starts the server before it imports the pipeline, so the server's ~0.7 s start
overlaps the parent's own imports and planning.

A dead worker (the OOM killer, a segfault in a native library, a `kill`) breaks a
`ProcessPoolExecutor` for good: every pending future fails. `WorkerPool` lets the caller
find out which task the dead worker was running (each worker writes the sequence number of
the task it starts into a small file named after its pid) and with what exit code it died,
so that task alone can fail and the rest run again on a fresh pool.

Workers log through a `logging.handlers.QueueHandler`: their records travel to the parent,
whose handlers write them, so `sohoa -v ingest -j 4` shows the workers' lines too.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import logging
import logging.handlers
import multiprocessing
import multiprocessing.forkserver
import os
import queue
import select
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
OOM_SCORE_ADJ = 500  # workers first in the OOM killer's choice (-1000..1000; 0 by default)


def fork_server() -> BaseContext:
    """The workers' process context, its fork server started (it keeps running)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.run.preload"])
    multiprocessing.forkserver.ensure_running()
    return context


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent exits (Linux; a no-op elsewhere).

    `parent`: the pid the caller expects as its parent; when the parent already died before
    the request took effect (the process was re-parented), exit now.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.debug("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
            return
    except (OSError, AttributeError):  # not Linux: the fork server's own pipe check remains
        return
    if parent is not None and parent > 0 and os.getppid() != parent:
        os._exit(1)


def watch(pid: int) -> None:
    """Kill this process as soon as process `pid` (the ingest parent) exits, whatever way.

    A daemon thread waits on a pidfd of `pid` (Linux 5.3+; elsewhere it polls every second).
    Needed because a worker's parent is the fork server, not the ingest process, and the
    fork server stays up as long as any worker holds its pipe: without this, workers and
    server outlive a killed parent for good, each waiting on the other.
    """
    try:
        fd: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGKILL)  # already gone
        return
    except (OSError, AttributeError):
        fd = None

    def wait() -> None:
        if fd is not None:
            select.select([fd], [], [])
        else:
            while _exists(pid):
                time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=wait, name=f"watch-{pid}", daemon=True).start()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_marker_dir: str | None = None
_log_queue: Any = None  # this worker's queue to the parent's log listener
LOG_FLUSH_S = 1.0  # longest a finished task waits for its log lines to leave the worker


def _init(
    marker_dir: str,
    server: int,
    parent: int,
    initializer: Callable[[], None] | None,
    log_queue: Any = None,
    log_level: int = logging.WARNING,
) -> None:
    """Each worker's set-up: die with the fork server and with the ingest process, note
    where to mark tasks, send log records to the parent, then the caller's initializer."""
    global _marker_dir, _log_queue
    if log_queue is not None:
        log_queue.cancel_join_thread()  # a worker's exit never waits on unsent log lines
        _log_queue = log_queue
        root = logging.getLogger()
        root.handlers[:] = [logging.handlers.QueueHandler(log_queue)]
        root.setLevel(log_level)
    # Ctrl-C reaches the whole process group: the parent handles it (and ends the workers)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # when memory runs out, the kernel should take a worker (its task fails, the run goes
    # on) before the parent, which holds the run's state and writes the report
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text(str(OOM_SCORE_ADJ), encoding="ascii")
    die_with_parent(server)
    watch(parent)
    _marker_dir = marker_dir
    if initializer is not None:
        initializer()


def _run(function: Callable[[Any], Any], seq: int, task: Any) -> Any:
    """Run one task in a worker, first writing its sequence number to this worker's marker."""
    if _marker_dir is not None:
        Path(_marker_dir, str(os.getpid())).write_text(str(seq), encoding="ascii")
    try:
        return function(task)
    finally:
        _flush_log_lines()


def _flush_log_lines() -> None:
    """Wait (at most LOG_FLUSH_S) until the task's log records have left this worker's
    queue buffer for the pipe: the worker may be told to exit right after its last result,
    and an exit does not wait on unsent lines (`cancel_join_thread`), so a page's last log
    line was sometimes lost under load."""
    buffer = getattr(_log_queue, "_buffer", None)  # multiprocessing.Queue's feeder buffer
    deadline = time.monotonic() + LOG_FLUSH_S
    while buffer and time.monotonic() < deadline:
        time.sleep(0.001)


@dataclass(frozen=True)
class Death:
    """A worker that exited while the pool was running: its exit code (negative: killed by
    that signal) and the task it had last started, if its marker names one."""

    pid: int
    exitcode: int
    seq: int | None

    @property
    def reason(self) -> str:
        if self.exitcode < 0:
            try:
                name = signal.Signals(-self.exitcode).name
            except ValueError:
                name = "unknown"
            return f"worker died: signal {-self.exitcode} ({name})"
        return f"worker died: exit code {self.exitcode}"


class WorkerPool:
    """A process pool over the fork server whose dead workers can be identified."""

    def __init__(
        self,
        processes: int,
        function: Callable[[Any], Any],
        initializer: Callable[[], None] | None = None,
    ) -> None:
        context = fork_server()
        self._dir = tempfile.mkdtemp(prefix="sohoa-workers-")
        self._function = function
        self._processes: dict[int, Any] = {}
        server = _fork_server_pid()
        root = logging.getLogger()
        self._log_queue = context.Queue()
        self._listener = _LogListener(self._log_queue, *root.handlers)
        self._listener.start()
        self._executor = cf.ProcessPoolExecutor(
            max_workers=processes,
            mp_context=context,
            initializer=_init,
            initargs=(
                self._dir,
                server if server is not None else -1,
                os.getpid(),
                initializer,
                self._log_queue,
                root.getEffectiveLevel(),
            ),
        )

    def submit(self, seq: int, task: Any) -> cf.Future[Any]:
        future = self._executor.submit(_run, self._function, seq, task)
        # the executor starts workers on demand; keep each one's Process to read its exit code
        self._processes.update(getattr(self._executor, "_processes", None) or {})
        return future

    def deaths(self) -> list[Death]:
        """The workers that died, each with the task it was running (after the pool broke,
        its surviving workers were terminated by the executor: those show -SIGTERM too)."""
        found = []
        for pid, process in self._processes.items():
            process.join(timeout=2)
            code = process.exitcode
            if code is None or code == 0:
                continue
            marker = Path(self._dir, str(pid))
            try:
                seq: int | None = int(marker.read_text(encoding="ascii"))
            except (OSError, ValueError):
                seq = None
            found.append(Death(pid, code, seq))
        return found

    def peak_memory_kib(self) -> int:
        """The largest peak resident size (VmHWM) of the workers still running, in KiB
        (0 where /proc cannot tell)."""
        alive = [pid for pid, p in self._processes.items() if p.exitcode is None]
        return max((peak_memory_kib(pid) for pid in alive), default=0)

    def close(self, kill: bool = False) -> None:
        """Shut the pool down; `kill`: do not wait for running tasks (an interrupted run)."""
        if kill:
            for process in list(self._processes.values()):
                if process.exitcode is None:
                    with contextlib.suppress(OSError, ValueError):
                        process.kill()
        self._executor.shutdown(wait=not kill, cancel_futures=True)
        self._listener.stop()
        self._log_queue.close()
        shutil.rmtree(self._dir, ignore_errors=True)


class _LogListener(logging.handlers.QueueListener):
    """Writes the workers' log records with this process's handlers.

    It stops on an event, and its thread is left behind after a second: a worker killed
    while writing a record can leave the queue's lock held or half a record in its pipe,
    and a stop sentinel sent through the queue would then never arrive.
    """

    def __init__(self, log_queue: Any, *handlers: logging.Handler) -> None:
        super().__init__(log_queue, *handlers, respect_handler_level=True)
        self._records: Any = log_queue
        self._stopping = threading.Event()

    def dequeue(self, block: bool) -> Any:
        """The next record, or the sentinel (None) once stopping and nothing is left."""
        while True:
            try:
                return self._records.get(timeout=0.1)
            except queue.Empty:
                if self._stopping.is_set():
                    return None

    def stop(self) -> None:
        self._stopping.set()
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(timeout=1.0)
            self._thread = None


def peak_memory_kib(pid: int | str = "self") -> int:
    """A process's peak resident size in KiB (VmHWM in /proc; 0 where it cannot be read).

    Not `ru_maxrss`: Linux carries that over from the parent a process was forked from, so a
    small command started by a large one reports the large one's peak.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _fork_server_pid() -> int | None:
    """The running fork server's pid (the workers' parent), as multiprocessing keeps it."""
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    return pid if isinstance(pid, int) else None
