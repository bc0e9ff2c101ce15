"""What long work tells whoever runs it: one small interface the library calls, never prints.

The library calls :meth:`Progress.start` when a task begins (a table to load, a revision to
apply, a set of tables to vacuum), :meth:`Progress.advance` as units of it get done, and
:meth:`Progress.note` for what is happening now. The base class does nothing; the command line
draws it (a rich display on a terminal, throttled plain lines otherwise, nothing with
``--quiet``). A plain ``Callable[[str], None]`` is accepted wherever a Progress is, through
:func:`as_progress`: its notes go to the callable.
"""

from __future__ import annotations

from collections.abc import Callable

Notify = Callable[[str], None]


class Progress:
    """The interface (and the silent implementation). Calling it is :meth:`note`."""

    def start(self, name: str, total: float | None = None, unit: str = "") -> None:
        """A new task begins: *total* units of *unit* (None: unknown, elapsed time only)."""

    def advance(self, amount: float = 1) -> None:
        """*amount* more units of the current task are done."""

    def note(self, text: str) -> None:
        """What is happening now (one short line)."""

    def __call__(self, text: str) -> None:
        self.note(text)


class _Notes(Progress):
    """A Progress whose notes go to a callable; tasks and advances are dropped."""

    def __init__(self, notify: Notify) -> None:
        self.notify = notify

    def note(self, text: str) -> None:
        self.notify(text)


SILENT = Progress()


def as_progress(progress: Progress | Notify | None) -> Progress:
    """*progress* as a :class:`Progress` (None: silent; a callable: receives the notes)."""
    if progress is None:
        return SILENT
    if isinstance(progress, Progress):
        return progress
    return _Notes(progress)
