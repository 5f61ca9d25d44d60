"""Progress of a live pull: a rich bar per source on a terminal, nothing at all for cron.

The HTTP layer and the connectors report three things: a page arrived (with its
record count), a request was answered, and a wait started (rate limit, backoff,
Jobber's cost bucket), which the bar shows *as a wait*, so a pause is never
mistaken for a hang. :func:`make_progress` picks the rich display only when
asked for and stderr is a terminal; otherwise the silent :class:`PullProgress`.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["PullProgress", "RichPullProgress", "make_progress"]


class PullProgress:
    """The silent progress sink (cron, tests); also the interface the others implement."""

    def __init__(self) -> None:
        self.pages = 0
        self.records = 0
        self.waits: list[tuple[float, str]] = []

    def page(self, stream: str, records: int) -> None:
        self.pages += 1
        self.records += records

    def waiting(self, seconds: float, reason: str) -> None:
        self.waits.append((seconds, reason))

    def request(self, method: str, path: str, status: int) -> None:
        pass

    def close(self) -> None:
        pass


class RichPullProgress(PullProgress):
    """One rich progress line per source: pages, records, and the current wait."""

    def __init__(self, label: str, console: Any = None):
        super().__init__()
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TextColumn("{task.fields[pages]} pages, {task.fields[records]} records"),
            TextColumn("[yellow]{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=None, pages=0, records=0, status="")
        self._progress.start()

    def page(self, stream: str, records: int) -> None:
        super().page(stream, records)
        self._progress.update(self._task, pages=self.pages, records=self.records, status=f"{stream}")

    def waiting(self, seconds: float, reason: str) -> None:
        super().waiting(seconds, reason)
        self._progress.update(self._task, status=f"waiting {seconds:.1f} s: {reason}")

    def close(self) -> None:
        self._progress.update(self._task, status="done")
        self._progress.stop()


def make_progress(label: str, enabled: bool) -> PullProgress:
    """A rich display when ``enabled`` and stderr is a terminal; the silent sink otherwise."""
    if enabled and sys.stderr.isatty():
        return RichPullProgress(label)
    return PullProgress()
