"""``refresh-view``: refresh a materialized view, concurrently when it can.

A refresh takes a per-view advisory lock without waiting (:func:`musicdb.locks.refresh_view`): a
second refresh of the same view skips, which is the normal outcome of overlapping cron runs. The
lock is held by the session that runs the REFRESH, so a refresh whose client was killed keeps it
until its statement ends (or ``statement_timeout`` cancels it) and later runs still skip. The
shared rules are in :mod:`musicdb.ops.maintenance`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from musicdb import db, locks
from musicdb.config import DatabaseTarget
from musicdb.ops.maintenance import (
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_STATEMENT_TIMEOUT_MS,
    OP_REFRESH,
    OUTCOME_COLUMNS,
    Outcome,
    Progress,
    Relation,
    execute_timed,
    find_relation,
    last_success,
    list_relations,
    lock_not_available,
    record,
    server_now,
)
from musicdb.progress import as_progress
from musicdb.render import Column, Report

if TYPE_CHECKING:
    import psycopg


# -- refresh-view ---------------------------------------------------------------------------------
@dataclass
class RefreshResult(Outcome):
    KEYS: ClassVar[tuple[str, ...]] = (
        "view", "outcome", "mode", "rows", "duration_ms", "started_at", "finished_at",
        "message", "error", "sqlstate", "log_id",
    )

    view: str
    outcome: str  # ok | skipped | failed | timeout
    message: str
    mode: str | None = None  # concurrently | blocking
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    duration_ms: float | None = None
    rows: int | None = None
    error: str | None = None
    sqlstate: str | None = None
    log_id: int | None = None


def refresh_lock(view: Relation) -> locks.AdvisoryLock:
    """The advisory lock held while *view* is refreshed (named by lock-info)."""
    return locks.refresh_view(view.oid, view.qualified)


def concurrent_refresh_blocker(conn: psycopg.Connection[Any], view: Relation) -> str | None:
    """Why ``REFRESH ... CONCURRENTLY`` cannot run on *view*, or None when it can."""
    row = conn.execute(
        "SELECT relispopulated FROM pg_catalog.pg_class WHERE oid = %s", (view.oid,)
    ).fetchone()
    if not row:
        return "it no longer exists"
    if not row[0]:
        return "it is not populated (created WITH NO DATA), and CONCURRENTLY needs a populated view"
    # The server's rule (matview.c is_usable_unique_index): a valid, immediate unique btree index
    # on plain columns without a WHERE clause.
    usable = conn.execute(
        "SELECT count(*) FROM pg_catalog.pg_index AS i"
        " JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid"
        " JOIN pg_catalog.pg_am AS am ON am.oid = ic.relam"
        " WHERE i.indrelid = %s AND i.indisunique AND i.indimmediate AND i.indisvalid"
        "   AND i.indpred IS NULL AND i.indexprs IS NULL AND am.amname = 'btree'",
        (view.oid,),
    ).fetchone()
    if not usable or not usable[0]:
        return (
            "it has no unique index on plain columns without a WHERE clause, "
            "which CONCURRENTLY needs"
        )
    return None


def refresh_view(
    target: DatabaseTarget,
    name: str,
    *,
    allow_blocking: bool = False,
    wait_s: float = 0.0,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = DEFAULT_STATEMENT_TIMEOUT_MS,
    if_older_than: dt.timedelta | None = None,
    progress: Progress | None = None,
) -> RefreshResult:
    """Refresh the materialized view *name*; see the module's rules.

    Raises :class:`NotFound` / :class:`UsageError` for a name that is not a materialized view
    (nothing is changed then). Every other outcome is returned: ``ok``, ``skipped`` (another
    refresh holds the view's lock, or the last successful one is younger than *if_older_than*),
    ``failed`` or ``timeout`` (lock or statement timeout).
    """
    with db.connect(
        target,
        application_name="musicdb refresh-view",
        lock_timeout_ms=lock_timeout_ms,
        statement_timeout_ms=statement_timeout_ms or None,
    ) as conn:
        view = find_relation(conn, name, ("m",), "materialized view")
        with db.advisory_lock(
            target,
            refresh_lock(view),
            wait_s=wait_s,
            what="refresh-view",
            skip_if_busy=True,
            progress=progress,
            conn=conn,  # held by the refreshing backend: it outlives a killed client
        ) as held:
            if not held:
                return RefreshResult(
                    view.qualified,
                    "skipped",
                    f"another refresh of {view.qualified} is running (it holds the "
                    f"{refresh_lock(view).label}); skipped",
                )
            if if_older_than is not None:
                last = last_success(conn, view.qualified)
                now = server_now(conn)
                if last is not None and now - last < if_older_than:
                    age = (now - last).total_seconds()
                    return RefreshResult(
                        view.qualified,
                        "skipped",
                        f"last successful refresh of {view.qualified} finished {age:.0f} s ago, "
                        f"less than {if_older_than.total_seconds():.0f} s (--if-older-than); "
                        "skipped",
                    )
            as_progress(progress).start(f"refresh {view.qualified}")  # elapsed time only
            return _refresh_locked(
                conn, view, allow_blocking, lock_timeout_ms, statement_timeout_ms
            )


def _refresh_locked(
    conn: psycopg.Connection[Any],
    view: Relation,
    allow_blocking: bool,
    lock_timeout_ms: int,
    statement_timeout_ms: int | None,
) -> RefreshResult:
    from psycopg import sql

    blocker = concurrent_refresh_blocker(conn, view)
    mode = "concurrently" if blocker is None else "blocking"
    details: dict[str, Any] = {
        "mode": mode,
        "lock_timeout_ms": lock_timeout_ms,
        "statement_timeout_ms": statement_timeout_ms or None,
    }
    started_at = server_now(conn)
    if blocker is not None and not allow_blocking:
        message = (
            f"cannot refresh {view.qualified} CONCURRENTLY: {blocker}; pass --allow-blocking "
            "to refresh it with an ACCESS EXCLUSIVE lock that blocks its readers meanwhile"
        )
        details["refused"] = blocker
        log_id = record(conn, operation=OP_REFRESH, target=view.qualified, started_at=started_at,
                        finished_at=started_at, duration_ms=0.0, rows=None, outcome="failed",
                        error=message, details=details)
        return RefreshResult(view.qualified, "failed", message, mode=None, started_at=started_at,
                             finished_at=started_at, duration_ms=0.0, error=message,
                             log_id=log_id)
    if blocker is None:
        statement = sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}")
    else:
        details["why_not_concurrently"] = blocker
        statement = sql.SQL("REFRESH MATERIALIZED VIEW {}")
    outcome, error, sqlstate, duration_ms, finished_at = execute_timed(
        conn, statement.format(view.identifier())
    )
    rows = None
    if outcome == "ok":
        counted = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(view.identifier())
        ).fetchone()
        rows = int(counted[0]) if counted else None
        message = f"refreshed {view.qualified} {mode}: {rows} rows"
    elif outcome == "timeout" and lock_not_available(sqlstate):
        message = (
            f"refresh of {view.qualified} gave up: another session holds a conflicting lock on "
            f"it and lock_timeout ({lock_timeout_ms} ms, --lock-timeout) expired: {error}"
        )
    elif outcome == "timeout":
        message = (
            f"refresh of {view.qualified} was cancelled by statement_timeout "
            f"({statement_timeout_ms} ms, --statement-timeout): {error}"
        )
    else:
        message = f"refresh of {view.qualified} failed: {error}"
    if sqlstate:
        details["sqlstate"] = sqlstate
    log_id = record(conn, operation=OP_REFRESH, target=view.qualified, started_at=started_at,
                    finished_at=finished_at, duration_ms=duration_ms, rows=rows, outcome=outcome,
                    error=error, details=details)
    return RefreshResult(
        view.qualified,
        outcome,
        message,
        mode=mode,
        started_at=started_at,
        finished_at=finished_at,
        duration_ms=duration_ms,
        rows=rows,
        error=error,
        sqlstate=sqlstate,
        log_id=log_id,
    )


REFRESH_COLUMNS = (
    Column("view", "view"),
    Column("outcome", "outcome"),
    Column("mode", "mode"),
    Column("rows", "rows", "count"),
    Column("duration_ms", "duration", "ms"),
    Column("started_at", "started", "timestamp"),
    Column("finished_at", "finished", "timestamp"),
    *OUTCOME_COLUMNS,
)
def refresh_report(results: Sequence[RefreshResult]) -> Report:
    """The ``refresh-view`` report: one row per refresh."""
    return Report(name="refresh_view", title="Materialized view refresh",
                  columns=REFRESH_COLUMNS, rows=[r.as_dict() for r in results])


def refresh_all_views(
    target: DatabaseTarget,
    *,
    allow_blocking: bool = False,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = DEFAULT_STATEMENT_TIMEOUT_MS,
    progress: Progress | None = None,
) -> list[RefreshResult]:
    """Refresh every materialized view of the database (each under its own lock)."""
    with db.connect(target, application_name="musicdb refresh-view") as conn:
        views = list_relations(conn, ("m",))
    shown = as_progress(progress)
    results = []
    for view in views:
        shown.note(f"refreshing {view.qualified}")
        results.append(refresh_view(target, view.qualified, allow_blocking=allow_blocking,
                                    lock_timeout_ms=lock_timeout_ms,
                                    statement_timeout_ms=statement_timeout_ms))
    return results
