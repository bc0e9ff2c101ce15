"""``vacuum-table``: VACUUM (ANALYZE) one table, or every table past the dead-row thresholds;
``--full`` rewrites under ACCESS EXCLUSIVE. The shared rules are in :mod:`musicdb.ops.maintenance`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.ops.maintenance import (
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_MIN_DEAD_RATIO,
    DEFAULT_MIN_DEAD_ROWS,
    DEFAULT_STATEMENT_TIMEOUT_MS,
    OP_VACUUM,
    OP_VACUUM_FULL,
    OUTCOME_COLUMNS,
    Outcome,
    Progress,
    Relation,
    execute_timed,
    find_relation,
    list_relations,
    lock_not_available,
    record,
    server_now,
)
from musicdb.progress import as_progress
from musicdb.render import Column, Report

if TYPE_CHECKING:
    import psycopg

    from musicdb.reports import CatalogFacts


# -- vacuum-table ---------------------------------------------------------------------------------
@dataclass
class VacuumResult(Outcome):
    KEYS: ClassVar[tuple[str, ...]] = (
        "table", "outcome", "full", "duration_ms", "dead_rows_before", "dead_ratio_before",
        "live_rows", "started_at", "finished_at", "message", "error", "sqlstate", "log_id",
    )

    table: str
    outcome: str  # ok | failed | timeout
    message: str
    full: bool = False
    duration_ms: float | None = None
    dead_rows_before: int | None = None
    dead_ratio_before: float | None = None
    live_rows: int | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None
    sqlstate: str | None = None
    log_id: int | None = None


@dataclass(frozen=True)
class DeadRows:
    table: Relation
    live_rows: int
    dead_rows: int

    @property
    def dead_ratio(self) -> float:
        total = self.live_rows + self.dead_rows
        return self.dead_rows / total if total else 0.0


def dead_rows(conn: psycopg.Connection[Any], table: Relation) -> DeadRows | None:
    """One table's live and dead row counts from the cumulative statistics (None: it is gone).

    The same counters as ``table-stats`` (``pg_stat_get_live_tuples``/``_dead_tuples``), read for
    one table: VACUUM reads them before and after each table, and ``reports.table_stats`` has no
    per-table filter (it reads the whole catalog and ``pg_stats``: 789 ms on a 5,000-table catalog,
    benchmarks/reports.md), which would cost twice that per vacuumed table.
    """
    row = conn.execute(
        "SELECT pg_catalog.pg_stat_get_live_tuples(c.oid),"
        " pg_catalog.pg_stat_get_dead_tuples(c.oid)"
        " FROM pg_catalog.pg_class AS c WHERE c.oid = %s",
        (table.oid,),
    ).fetchone()
    return DeadRows(table, int(row[0]), int(row[1])) if row else None


def vacuum_candidates(
    conn: psycopg.Connection[Any],
    *,
    min_dead_ratio: float = DEFAULT_MIN_DEAD_RATIO,
    min_dead_rows: int = DEFAULT_MIN_DEAD_ROWS,
    facts: CatalogFacts | None = None,
) -> list[DeadRows]:
    """Tables whose dead rows reach both thresholds, the most dead rows first.

    The counts are those of ``reports.table_stats`` (what ``table-stats`` and the ``dead_rows``
    health check show), taken from *facts* when the caller has them for this connection; only
    ordinary user tables are candidates (not materialized views).
    """
    from musicdb.reports import CatalogFacts

    facts = facts or CatalogFacts(conn)
    tables = {rel.oid: rel for rel in list_relations(conn, ("r",))}
    found = []
    for row in facts.table_stats.rows:
        table = tables.get(row.oid)
        if table is None:
            continue
        d = DeadRows(table, int(row.live_rows or 0), int(row.dead_rows or 0))
        if d.dead_rows >= max(1, min_dead_rows) and d.dead_ratio >= min_dead_ratio:
            found.append(d)
    return sorted(found, key=lambda d: (-d.dead_rows, d.table.qualified))


def _vacuum_one(
    conn: psycopg.Connection[Any],
    table: Relation,
    *,
    full: bool,
    lock_timeout_ms: int,
    statement_timeout_ms: int | None,
) -> VacuumResult:
    from psycopg import sql

    before = dead_rows(conn, table)
    started_at = server_now(conn)
    options = sql.SQL("FULL, ANALYZE" if full else "ANALYZE")
    statement = sql.SQL("VACUUM ({}) {}").format(options, table.identifier())
    # autocommit: VACUUM cannot run inside a transaction block
    outcome, error, sqlstate, duration_ms, finished_at = execute_timed(conn, statement)
    after = dead_rows(conn, table)
    what = "VACUUM (FULL, ANALYZE)" if full else "VACUUM (ANALYZE)"
    if outcome == "ok":
        message = f"{what} {table.qualified}: ok"
    elif lock_not_available(sqlstate):
        message = (
            f"{what} {table.qualified} gave up: another session holds a conflicting lock and "
            f"lock_timeout ({lock_timeout_ms} ms, --lock-timeout) expired"
        )
    else:
        message = f"{what} {table.qualified} {outcome}: {error}"
    details: dict[str, Any] = {
        "full": full,
        "dead_rows_before": before.dead_rows if before else None,
        "dead_rows_after": after.dead_rows if after else None,
        "lock_timeout_ms": lock_timeout_ms,
        "statement_timeout_ms": statement_timeout_ms or None,
    }
    if sqlstate:
        details["sqlstate"] = sqlstate
    live = after.live_rows if after else None
    log_id = record(conn, operation=OP_VACUUM_FULL if full else OP_VACUUM,
                    target=table.qualified, started_at=started_at, finished_at=finished_at,
                    duration_ms=duration_ms, rows=live, outcome=outcome, error=error,
                    details=details)
    return VacuumResult(
        table.qualified,
        outcome,
        message,
        full=full,
        duration_ms=duration_ms,
        dead_rows_before=before.dead_rows if before else None,
        dead_ratio_before=before.dead_ratio if before else None,
        live_rows=live,
        started_at=started_at,
        finished_at=finished_at,
        error=error,
        sqlstate=sqlstate,
        log_id=log_id,
    )


def _vacuum_connection(
    target: DatabaseTarget, lock_timeout_ms: int, statement_timeout_ms: int | None
) -> psycopg.Connection[Any]:
    return db.connect(
        target,
        autocommit=True,
        application_name="musicdb vacuum-table",
        lock_timeout_ms=lock_timeout_ms,
        statement_timeout_ms=statement_timeout_ms or None,
    )


def vacuum_table(
    target: DatabaseTarget,
    name: str,
    *,
    full: bool = False,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = DEFAULT_STATEMENT_TIMEOUT_MS,
) -> VacuumResult:
    """``VACUUM (ANALYZE)`` (or ``FULL``) of the ordinary table *name*; the outcome as data."""
    with _vacuum_connection(target, lock_timeout_ms, statement_timeout_ms) as conn:
        table = find_relation(conn, name, ("r",), "table")
        return _vacuum_one(conn, table, full=full, lock_timeout_ms=lock_timeout_ms,
                           statement_timeout_ms=statement_timeout_ms)


@dataclass
class VacuumRun:
    """``vacuum_all``: the thresholds used and one result per table that reached them."""

    min_dead_ratio: float
    min_dead_rows: int
    results: list[VacuumResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)


def vacuum_all(
    target: DatabaseTarget,
    *,
    min_dead_ratio: float = DEFAULT_MIN_DEAD_RATIO,
    min_dead_rows: int = DEFAULT_MIN_DEAD_ROWS,
    full: bool = False,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout_ms: int | None = DEFAULT_STATEMENT_TIMEOUT_MS,
    progress: Progress | None = None,
) -> VacuumRun:
    """Vacuum every table over the dead-row thresholds; one failure does not stop the others."""
    run = VacuumRun(min_dead_ratio, min_dead_rows)
    with _vacuum_connection(target, lock_timeout_ms, statement_timeout_ms) as conn:
        candidates = vacuum_candidates(
            conn, min_dead_ratio=min_dead_ratio, min_dead_rows=min_dead_rows
        )
        shown = as_progress(progress)
        shown.start("vacuum", total=len(candidates), unit="tables")
        for candidate in candidates:
            shown.note(f"vacuuming {candidate.table.qualified}")
            run.results.append(
                _vacuum_one(conn, candidate.table, full=full, lock_timeout_ms=lock_timeout_ms,
                            statement_timeout_ms=statement_timeout_ms)
            )
            shown.advance()
    return run


VACUUM_COLUMNS = (
    Column("table", "table"),
    Column("outcome", "outcome"),
    Column("full", "full", "bool"),
    Column("duration_ms", "duration", "ms"),
    Column("dead_rows_before", "dead rows before", "count"),
    Column("dead_ratio_before", "dead ratio before", "ratio"),
    Column("live_rows", "live rows", "count"),
    *OUTCOME_COLUMNS,
)


def vacuum_report(results: Sequence[VacuumResult], notes: Sequence[str] = ()) -> Report:
    """The ``vacuum-table`` report: one row per vacuumed table."""
    return Report(name="vacuum_table", title="VACUUM", columns=VACUUM_COLUMNS,
                  rows=[r.as_dict() for r in results], notes=list(notes))
