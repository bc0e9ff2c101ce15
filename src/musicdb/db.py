"""Connections: the one place that opens a psycopg connection to the platform database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from musicdb.config import DatabaseTarget
from musicdb.errors import ConnectionFailed, LockNotAvailable, NotOnStandby

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy

    from musicdb.locks import AdvisoryLock

APPLICATION_NAME = "musicdb"


def connect(
    target: DatabaseTarget | str,
    *,
    autocommit: bool = True,
    application_name: str = APPLICATION_NAME,
    connect_timeout: int = 10,
    lock_timeout_ms: int | None = None,
    statement_timeout_ms: int | None = None,
) -> psycopg.Connection[Any]:
    """Open a connection; an unreachable server becomes :class:`ConnectionFailed` (one line).

    Timeouts are sent as startup options, so they hold from the first statement on.
    """
    import psycopg

    if isinstance(target, str):
        target = DatabaseTarget(target, "argument")
    options = []
    if lock_timeout_ms is not None:
        options.append(f"-c lock_timeout={int(lock_timeout_ms)}")
    if statement_timeout_ms is not None:
        options.append(f"-c statement_timeout={int(statement_timeout_ms)}")
    kwargs: dict[str, Any] = {
        "autocommit": autocommit,
        "application_name": application_name,
        "connect_timeout": connect_timeout,
    }
    if options:
        kwargs["options"] = " ".join(options)
    try:
        return psycopg.connect(target.conninfo, **kwargs)
    except psycopg.OperationalError as exc:
        raise ConnectionFailed(
            f"cannot connect to {target.display} ({target.source}): {first_line(exc)}"
        ) from exc
    except psycopg.ProgrammingError as exc:  # e.g. an invalid connection string
        raise ConnectionFailed(
            f"invalid connection settings from {target.source}: {first_line(exc)}"
        ) from exc


def engine(target: DatabaseTarget, **connect_kwargs: Any) -> sqlalchemy.Engine:
    """A SQLAlchemy engine whose connections come from :func:`connect` (same errors, options)."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    return sqlalchemy.create_engine(
        "postgresql+psycopg://",
        creator=lambda: connect(target, autocommit=False, **connect_kwargs),
        poolclass=NullPool,
    )


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message (libpq's are multi-line)."""
    for raw in str(exc).splitlines():
        line = raw.strip()
        if line:
            return line
    return type(exc).__name__


def describe_error(exc: BaseException) -> str | None:
    """A one-line message for a driver error (psycopg, or SQLAlchemy wrapping it), else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if (type(current).__module__ or "").startswith("psycopg"):
            diag = getattr(current, "diag", None)
            primary = getattr(diag, "message_primary", None) if diag else None
            return primary or first_line(current)
        current = getattr(current, "orig", None) or current.__cause__
    return None


def server_version_num(conn: psycopg.Connection[Any]) -> int:
    """``server_version_num`` as an int, e.g. 150018."""
    return int(conn.info.server_version)


def in_recovery(conn: psycopg.Connection[Any]) -> bool:
    """Whether the server is a standby (in recovery: read-only, replaying WAL)."""
    row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
    return bool(row and row[0])


def server_role(conn: psycopg.Connection[Any]) -> str:
    """``standby`` for a server in recovery, else ``primary``."""
    return "standby" if in_recovery(conn) else "primary"


def require_primary(conn: psycopg.Connection[Any], what: str) -> None:
    """Refuse *what* (a writing command) on a standby: :class:`NotOnStandby`, one line, exit 1."""
    if in_recovery(conn):
        info = conn.info
        where = f"{info.host}:{info.port}/{info.dbname}"
        raise NotOnStandby(
            f"{what} writes, and the server at {where} is a standby (in recovery, read-only): "
            "run it against the primary"
        )


def set_timeouts(
    conn: psycopg.Connection[Any],
    *,
    lock_timeout_ms: int | None = None,
    statement_timeout_ms: int | None = None,
    local: bool = False,
) -> None:
    """Set lock/statement timeouts with bound values (``local``: for the current transaction)."""
    pairs = (("lock_timeout", lock_timeout_ms), ("statement_timeout", statement_timeout_ms))
    for name, value in pairs:
        if value is not None:
            conn.execute("SELECT set_config(%s, %s, %s)", (name, f"{int(value)}ms", local))


@contextmanager
def scratch_database(
    target: DatabaseTarget,
    *,
    prefix: str = "musicdb_scratch_",
    name: str | None = None,
    template: str = "template0",
    via: str | None = None,
    file_copy: bool = False,
    purpose: str = "this",
    refused: Callable[[Exception], Exception] | None = None,
) -> Iterator[DatabaseTarget]:
    """A throwaway database on *target*'s server, dropped (``WITH (FORCE)``) on exit; yields the
    target of the new database. The one way musicdb (and its tests) make scratch databases.

    It is a copy of *template* (by default ``template0``: empty), named *name* or *prefix* and a
    random suffix. ``CREATE``/``DROP DATABASE`` run on *target*'s own database, or on the
    database *via* (needed to copy the target's own database, to which nobody else may be
    connected meanwhile). *file_copy*: ``STRATEGY FILE_COPY`` (PostgreSQL 15+), faster for a
    large copy. Needs CREATEDB. On a standby: :class:`NotOnStandby` naming *purpose*; a failed
    ``CREATE DATABASE`` raises what *refused* makes of the psycopg error (else that error).
    """
    import uuid

    import psycopg
    from psycopg import sql

    from musicdb.config import url_with_database

    name = name or f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = target
    if via:
        admin = DatabaseTarget(url_with_database(target.conninfo, via), target.source)
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                              sql.Identifier(template))
    with connect(admin) as conn:
        if in_recovery(conn):
            raise NotOnStandby(
                f"{purpose} needs the primary: it builds a scratch database, and this server is "
                "a standby (read-only); run it against the primary"
            )
        if file_copy and server_version_num(conn) >= 150000:
            create += sql.SQL(" STRATEGY FILE_COPY")
        try:
            conn.execute(create)
        except psycopg.Error as exc:
            if refused is None:
                raise
            raise refused(exc) from exc
    try:
        # With libpq's environment the rest comes from PG* variables; the name is our own.
        yield DatabaseTarget(url_with_database(target.conninfo, name), "scratch")
    finally:
        with connect(admin) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def advisory_lock(
    target: DatabaseTarget,
    lock: AdvisoryLock,
    *,
    wait_s: float = 0.0,
    what: str = "musicdb",
    hint: str = "",
    skip_if_busy: bool = False,
    progress: Callable[[str], None] | None = None,
    conn: psycopg.Connection[Any] | None = None,
) -> Iterator[bool]:
    """Hold the session-level advisory *lock* (see :mod:`musicdb.locks`) on a connection of its
    own, or on *conn* (an autocommit connection, left open) when the lock must live as long as
    that session's work: a backend whose client died keeps it until its statement ends.

    Polls ``pg_try_advisory_lock`` (never queues inside the server) until *wait_s* has passed;
    ``wait_s=0`` tries once. When the lock stays busy it raises :class:`LockNotAvailable`, or,
    with ``skip_if_busy``, yields ``False`` so the caller can skip (cron overlap). Yields
    ``True`` while the lock is held; it is released on exit (or when the connection ends).
    """
    own = conn is None
    if conn is None:
        conn = connect(target, application_name=f"musicdb {what} lock")
    try:
        deadline = time.monotonic() + max(0.0, wait_s)
        delay = 0.05
        told = False
        while True:
            row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", lock.keys).fetchone()
            if row and row[0]:
                break
            if time.monotonic() >= deadline:
                if skip_if_busy:
                    yield False
                    return
                raise LockNotAvailable(
                    f"another {what} holds the {lock.label}; "
                    f"gave up after {wait_s:g} s" + (f" ({hint})" if hint else "")
                )
            if not told and progress is not None:
                progress(f"waiting for the {what} lock held by another session ...")
                told = True
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 1.0)
        try:
            yield True
        finally:
            if not (conn.closed or conn.broken):
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", lock.keys)
    finally:
        if own:
            conn.close()
