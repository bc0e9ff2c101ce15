"""The errors musicdb reports to its users: one line each, with an exit code."""

from __future__ import annotations


class MusicdbError(Exception):
    """An error with a user-facing one-line message; ``exit_code`` follows the README's table."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class ConfigError(MusicdbError):
    """No usable database configuration, or a bad setting."""


class ConnectionFailed(MusicdbError):
    """The database could not be reached."""


class NotFound(MusicdbError):
    """A named object (table, view, revision) does not exist."""


class LockNotAvailable(MusicdbError):
    """A lock (advisory or relation) could not be obtained in time."""


class UsageError(MusicdbError):
    """A bad option or argument (exit code 2, like Typer's own usage errors)."""

    exit_code = 2


class NotOnStandby(MusicdbError):
    """A writing command (or a part of a command that writes) pointed at a standby."""


class LocalServerError(MusicdbError):
    """The embedded local server could not be initialised, started or stopped."""
