"""Drawing the library's progress (:mod:`musicdb.progress`) on stderr.

A terminal gets rich's live display; anything else (cron, CI, a pipe) gets a plain line at most
every ``MUSICDB_PROGRESS_INTERVAL`` seconds (default 5), so a cron mail stays short; ``--quiet``
draws nothing. stdout is never touched: it carries only the result.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import typer

from musicdb.progress import SILENT, Progress

INTERVAL_ENV = "MUSICDB_PROGRESS_INTERVAL"
DEFAULT_INTERVAL_S = 5.0


def _rate(done: float, elapsed: float, total: float | None, unit: str) -> str:
    if elapsed <= 0 or done <= 0:
        return ""
    rate = done / elapsed
    text = f", {rate:,.0f} {unit or 'units'}/s"
    if total:
        text += f", ETA {max(total - done, 0) / rate:.0f} s"
    return text


class LineProgress(Progress):
    """Plain lines, at most one per *interval* seconds (none before the first interval ends).

    While a task runs, a heartbeat thread prints its state when nothing was printed for an
    interval, so a long single statement still shows its elapsed time.
    """

    def __init__(self, stream: IO[str], interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.name = ""
        self.total: float | None = None
        self.unit = ""
        self.done = 0.0
        self.started = 0.0
        self.last_note = ""
        self.last_line = clock()  # work shorter than an interval prints nothing
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def status(self) -> str:
        elapsed = self.clock() - self.started
        if self.total is not None:
            head = f"{self.name}: {self.done:,.0f}/{self.total:,.0f} {self.unit}".rstrip()
            head += _rate(self.done, elapsed, self.total, self.unit)
        elif self.done:
            head = f"{self.name}: {self.done:,.0f} {self.unit}, {elapsed:.0f} s".replace("  ", " ")
        else:
            head = f"{self.name}: {elapsed:.0f} s"
        return f"{head} ({self.last_note})" if self.last_note else head

    def _emit(self, line: str, *, force: bool = False) -> None:
        with self.lock:
            now = self.clock()
            if force or now - self.last_line >= self.interval:
                self.last_line = now
                self.stream.write(line + "\n")
                self.stream.flush()

    def start(self, name: str, total: float | None = None, unit: str = "") -> None:
        self.name, self.total, self.unit = name, total, unit
        self.done, self.started, self.last_note = 0.0, self.clock(), ""
        self._emit(self.status())

    def advance(self, amount: float = 1) -> None:
        self.done += amount
        self.last_note = ""  # a note speaks of the unit in progress
        self._emit(self.status())

    def note(self, text: str) -> None:
        self.last_note = text
        self._emit(self.status() if self.name else text)

    def _beat(self) -> None:
        while not self.stop.wait(self.interval):
            if self.name:
                self._emit(self.status())

    def __enter__(self) -> LineProgress:
        if self.interval > 0:
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


class RichProgress(Progress):
    """rich's live display on a terminal: one bar per task, its rate, ETA and the last note."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import (
            Progress as Display,
        )

        class Rate(ProgressColumn):
            """Units per second of a task with a total (rows/s, revisions/s ...)."""

            def render(self, task: Any) -> Any:
                from rich.text import Text

                speed, unit = task.speed, task.fields.get("unit") or "units"
                return Text(f"{speed:,.0f} {unit}/s" if speed and task.total else "")

        self.display = Display(
            TextColumn("{task.description:<24}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            Rate(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}"),
            console=Console(file=stream),
            transient=False,
        )
        self.task: Any = None

    def start(self, name: str, total: float | None = None, unit: str = "") -> None:
        if self.task is not None:
            task = self.display.tasks[-1]
            if task.total is not None:
                self.display.update(self.task, completed=task.total)
            self.display.stop_task(self.task)
        self.task = self.display.add_task(name[:24], total=total, note="", unit=unit)

    def advance(self, amount: float = 1) -> None:
        if self.task is not None:
            self.display.advance(self.task, amount)

    def note(self, text: str) -> None:
        if self.task is None:
            self.display.console.print(text)
        else:
            self.display.update(self.task, note=text[:40])

    def __enter__(self) -> RichProgress:
        self.display.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.display.stop()


def quiet(ctx: typer.Context) -> bool:
    from musicdb.cli import QUIET_KEY

    return bool(ctx.find_root().meta.get(QUIET_KEY))


def interval() -> float:
    try:
        return max(float(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL_S)), 0.0)
    except ValueError:
        return DEFAULT_INTERVAL_S


@contextmanager
def reporter(ctx: typer.Context) -> Iterator[Progress]:
    """The Progress a command hands the library: rich, throttled lines, or silent (--quiet)."""
    if quiet(ctx):
        yield SILENT
        return
    stream = sys.stderr
    shown: RichProgress | LineProgress
    shown = RichProgress(stream) if stream.isatty() else LineProgress(stream, interval())
    with shown:
        yield shown
