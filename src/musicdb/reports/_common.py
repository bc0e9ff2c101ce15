"""What every report area shares: the typed result base, extension look-ups, argument checks and
the age of the cumulative statistics."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from musicdb.errors import MusicdbError, NotFound, UsageError
from musicdb.reports._sql import one

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Column, Report


#: The note of a report whose sizes come from pg_class.relpages rather than the files' sizes.
RELPAGES_NOTE = "sizes from pg_class.relpages (as of the last VACUUM/ANALYZE)"


class ReportUnavailable(MusicdbError):
    """A report cannot run here (a missing extension or setting); the message says what to do."""


RowT = TypeVar("RowT")


@dataclass(kw_only=True)
class ReportResult(Generic[RowT]):
    """A report's typed rows (raw values) plus the facts around them; :meth:`to_report` turns it
    into the :class:`musicdb.render.Report` the renderer draws.

    Subclasses name the report (``NAME``, ``TITLE``, ``COLUMNS``: each column key is an attribute
    of the row type) and say what goes into the report's notes and meta.
    """

    NAME: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    rows: list[RowT]
    server_version: str | None = None
    #: What happened while the report ran that people should know (a missing extension, ...).
    notes: list[str] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def name(self) -> str:
        return self.NAME

    def cells(self) -> list[dict[str, Any]]:
        """One ``{column key: raw value}`` dict per row."""
        keys = [c.key for c in self.COLUMNS]
        get = attrgetter(*keys)
        return [dict(zip(keys, get(row), strict=False)) for row in self.rows]  # same length

    def report_notes(self) -> list[str]:
        return list(self.notes)

    def report_meta(self) -> dict[str, Any]:
        return {}

    def to_report(self) -> Report:
        from musicdb.render import Report

        return Report(
            name=self.NAME,
            title=self.TITLE,
            columns=self.COLUMNS,
            rows=self.cells(),
            server_version=self.server_version,
            notes=self.report_notes(),
            meta=self.report_meta(),
            generated_at=self.generated_at,
        )


def version_label(conn: psycopg.Connection[Any]) -> str:
    return str(conn.info.parameter_status("server_version") or conn.info.server_version)


@dataclass(frozen=True)
class Extension:
    """An extension installed in this database: its version and the schema holding its objects."""

    name: str
    version: tuple[int, ...]
    schema: str


def extension(conn: psycopg.Connection[Any], name: str) -> Extension | None:
    """Extension *name* as installed in this database, or None."""
    row = conn.execute(
        "SELECT e.extversion, n.nspname FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        (name,),
    ).fetchone()
    if row is None:
        return None
    version = tuple(int(p) for p in re.findall(r"\d+", str(row[0]))) or (0,)
    return Extension(name, version, str(row[1]))


def create_extension_hint(conn: psycopg.Connection[Any], name: str, *, missing: str) -> str:
    """What to do about extension *name* not being installed here: *missing* when the server
    lacks it, else ``CREATE EXTENSION`` in this database (on the primary, when this is a
    standby: a standby cannot create it, and the primary's replicates)."""
    if not available_extension(conn, name):
        return missing
    from musicdb import db

    if db.in_recovery(conn):
        return f"CREATE EXTENSION {name} on the primary (this server is a standby)"
    return f"CREATE EXTENSION {name} in this database"


def installed_extension(conn: psycopg.Connection[Any], name: str) -> tuple[int, ...] | None:
    """The installed version of extension *name* in this database, or None."""
    found = extension(conn, name)
    return found.version if found else None


def available_extension(conn: psycopg.Connection[Any], name: str) -> bool:
    """Whether the server has extension *name* available to CREATE EXTENSION."""
    return bool(one(conn, "SELECT count(*) FROM pg_available_extensions WHERE name = %s", (name,)))


def check_schema(conn: psycopg.Connection[Any], schema: str | None) -> None:
    if schema is not None and not one(
        conn, "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
    ):
        raise NotFound(f"schema {schema!r} does not exist in this database")


def check_positive(name: str, value: int | None, *, allow_zero: bool = True) -> None:
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        raise UsageError(f"{name} must be {'zero or more' if allow_zero else 'positive'}")


@dataclass(frozen=True)
class StatsSince:
    """Since when the cumulative statistics of this database have been collected."""

    #: NULL when the counters were never reset
    stats_reset: dt.datetime | None
    server_started: dt.datetime | None
    #: the later of the reset and the server's start
    stats_since: dt.datetime | None
    stats_age_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "stats_reset": self.stats_reset,
            "server_started": self.server_started,
            "stats_since": self.stats_since,
            "stats_age_seconds": self.stats_age_seconds,
        }


def stats_since(conn: psycopg.Connection[Any]) -> StatsSince:
    """Since when the cumulative statistics of this database have been collected.

    ``stats_reset`` is NULL when the counters were never reset (they then run since the database
    was created or since the last crash: a crash, and a restart before PostgreSQL 15 without a
    clean shutdown, discard them); the server's start time bounds that from below.
    """
    row = conn.execute(
        "SELECT d.stats_reset, pg_postmaster_start_time(), now() "
        "FROM pg_stat_database d WHERE d.datname = current_database()"
    ).fetchone()
    reset, started, now = row if row else (None, None, None)
    since = max((t for t in (reset, started) if t is not None), default=None)
    age = (now - since).total_seconds() if since and now else None
    return StatsSince(reset, started, since, age)
