"""Peak resident memory of a process tree, sampled from /proc while it runs (Linux).

`getrusage(RUSAGE_CHILDREN)` misses processes whose parent never waits for them (pool
workers under a forkserver), so benchmarks sample every descendant's VmHWM instead.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def descendants(pid: int) -> set[int]:
    found = {pid}
    changed = True
    while changed:
        changed = False
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in found:
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent in found:
                found.add(int(entry.name))
                changed = True
    return found


def peak_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def watch(process: subprocess.Popen[str], interval: float = 0.3) -> dict[int, tuple[str, int]]:
    """Sample until `process` exits: pid -> (command line, peak KiB) for its whole tree."""
    peaks: dict[int, tuple[str, int]] = {}
    while process.poll() is None:
        for pid in descendants(process.pid):
            value = peak_kib(pid)
            if value is not None:
                name = peaks.get(pid, (command_line(pid), 0))[0]
                peaks[pid] = (name, max(value, peaks.get(pid, (name, 0))[1]))
        time.sleep(interval)
    return peaks
