"""The progress bar of bulk runs: pages, pages/min and ETA on a terminal, silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import Never

from tqdm import tqdm


class PageProgress:
    """A tqdm bar over pages; drawn only when stderr is a terminal (quiet in logs and CI)."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.bar: tqdm[Never] | None = None
        self.started = 0.0
        self.done = 0

    def start(self, total_pages: int) -> None:
        self.started = time.perf_counter()
        if self.enabled:
            self.bar = tqdm(
                total=total_pages,
                unit="page",
                dynamic_ncols=True,
                file=sys.stderr,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} pages "
                "[{elapsed}<{remaining}{postfix}]",
            )

    def advance(self, pages: int) -> None:
        self.done += pages
        if self.bar is not None:
            minutes = (time.perf_counter() - self.started) / 60
            rate = self.done / minutes if minutes > 0 else 0.0
            self.bar.set_postfix_str(f"{rate:.1f} pages/min", refresh=False)
            self.bar.update(pages)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
