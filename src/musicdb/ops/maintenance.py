"""Cron-safe maintenance: refreshing materialized views and vacuuming tables.

Rules every operation here follows:

- a user-given name is looked up in ``pg_class`` first (only the kinds the operation accepts) and
  then quoted with :class:`psycopg.sql.Identifier`; no user text is ever formatted into SQL;
- every statement runs under ``lock_timeout`` and ``statement_timeout`` (startup options of the
  connection), so maintenance never queues behind a long transaction with the application's
  queries queueing behind it;
- a refresh takes a per-view advisory lock without waiting (``db.advisory_lock``): a second refresh
  of the same view skips, which is the normal outcome of overlapping cron runs. The lock is held by
  the session that runs the REFRESH, so a refresh whose client was killed keeps it until its
  statement ends (or ``statement_timeout`` cancels it) and later runs still skip;
- every refresh and vacuum that ran (or was refused for a reason the operator must act on) is
  recorded in ``maintenance_log``; ``health-check`` reads it for view staleness.

Functions return dataclasses and never print; the CLI renders them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import NotFound, UsageError
from musicdb.progress import Progress as Reporter
from musicdb.progress import as_progress
from musicdb.render import Column, Report

if TYPE_CHECKING:
    import psycopg

    from musicdb.reports import CatalogFacts

DEFAULT_LOCK_TIMEOUT_MS = 5_000
#: A refresh or vacuum that runs longer than an hour is cancelled (0 on the CLI = no limit).
DEFAULT_STATEMENT_TIMEOUT_MS = 3_600_000
DEFAULT_MIN_DEAD_RATIO = 0.10
#: Same as the server's default ``autovacuum_vacuum_threshold``: tiny tables are not worth a run.
DEFAULT_MIN_DEAD_ROWS = 50

OP_REFRESH = "refresh"
OP_VACUUM = "vacuum"
OP_VACUUM_FULL = "vacuum_full"

LOG_TABLE = "public.maintenance_log"

RELKIND_NAMES = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "i": "index",
    "I": "partitioned index",
    "S": "sequence",
    "f": "foreign table",
    "c": "composite type",
    "t": "TOAST table",
}

Progress = Reporter | Callable[[str], None]  # see musicdb.progress


# -- small parsers shared with health checks and the CLI -----------------------------------------
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400,
                 "w": 604800}  # fmt: skip


def parse_duration(text: str | float | dt.timedelta) -> dt.timedelta:
    """``"6h"``, ``"30m"``, ``"45s"``, ``"500ms"``, ``"2d"``, ``"1w"``; a bare number is seconds."""
    if isinstance(text, dt.timedelta):
        return text
    if isinstance(text, int | float):
        return dt.timedelta(seconds=float(text))
    match = _DURATION.match(text)
    if not match:
        raise UsageError(f"not a duration: {text!r} (expected e.g. 500ms, 45s, 30m, 6h, 2d, 1w)")
    unit = (match.group(2) or "s").lower()
    return dt.timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[unit])


def parse_ratio(text: str | float) -> float:
    """``0.2`` or ``"20%"`` -> 0.2; must lie in [0, 1]."""
    if isinstance(text, int | float):
        value = float(text)
    else:
        raw = text.strip()
        try:
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            raise UsageError(f"not a ratio: {text!r} (expected e.g. 0.2 or 20%)") from None
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"ratio out of range: {text!r} (expected between 0 and 1, or 0%-100%)")
    return value


# -- catalog lookups ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Relation:
    """A relation found in ``pg_class``: the only source of identifiers put into SQL."""

    oid: int
    schema: str
    name: str
    kind: str
    populated: bool = True

    @property
    def qualified(self) -> str:
        """``schema.name`` as psql users write it: each part quoted only where it must be, so it
        reads back as the same relation (and as maintenance_log records it)."""
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"

    @property
    def kind_name(self) -> str:
        return RELKIND_NAMES.get(self.kind, self.kind)

    def identifier(self) -> Any:
        from psycopg import sql

        return sql.Identifier(self.schema, self.name)


_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def quote_ident(name: str) -> str:
    """*name* as an SQL identifier, quoted only when it must be (PostgreSQL's ``quote_ident``).

    Keywords are quoted too: the server's list, read by :func:`load_keywords` before any
    relation is looked up.
    """
    if _PLAIN_IDENTIFIER.fullmatch(name) and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


#: The server's keywords that need quoting as identifiers (all but unreserved ones).
_KEYWORDS: set[str] = set()


def load_keywords(conn: psycopg.Connection[Any]) -> None:
    """Read the server's keywords for :func:`quote_ident` (once per process)."""
    if not _KEYWORDS:
        rows = conn.execute(
            "SELECT word FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'"
        ).fetchall()
        _KEYWORDS.update(r[0] for r in rows)


_USER_RELATIONS = """
SELECT c.oid, n.nspname, c.relname, c.relkind::text, c.relispopulated
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname <> 'information_schema'
  AND n.nspname !~ '^pg_'
"""


def list_relations(conn: psycopg.Connection[Any], kinds: Sequence[str]) -> list[Relation]:
    """Every user relation of *kinds* (e.g. ``("m",)`` for materialized views), by name."""
    load_keywords(conn)
    rows = conn.execute(
        _USER_RELATIONS + " AND c.relkind::text = ANY (%s) ORDER BY n.nspname, c.relname",
        (list(kinds),),
    ).fetchall()
    return [Relation(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def parse_name(conn: psycopg.Connection[Any], name: str, what: str) -> list[str]:
    """The parts of a relation name as psql users write it (``users``, ``public.users``,
    ``"My.Schema"."t.x"``), parsed by the server's own ``parse_ident``: unquoted parts are
    folded to lower case, quoted ones kept. A name that is not one is a :class:`UsageError`."""
    import psycopg

    hint = f'write a {what} as name or schema.name, "double-quoting" a part that needs it'
    if "\x00" in name:
        raise UsageError(f"{what} name {name!r} is not a valid name; {hint}")
    try:
        row = conn.execute("SELECT pg_catalog.parse_ident(%s)", (name,)).fetchone()
    except psycopg.errors.InvalidParameterValue:
        raise UsageError(f"{what} name {name!r} is not a valid name; {hint}") from None
    parts: list[str] = list(row[0]) if row else []
    if len(parts) == 3:
        database = conn.execute("SELECT pg_catalog.current_database()").fetchone()
        if database is None or parts[0] != database[0]:
            raise UsageError(f"{what} name {name!r} names another database; {hint}")
        parts = parts[1:]
    if not 1 <= len(parts) <= 2:
        raise UsageError(f"{what} name {name!r} has too many dotted parts; {hint}")
    return parts


def find_relation(
    conn: psycopg.Connection[Any], name: str, kinds: Sequence[str], what: str
) -> Relation:
    """The relation *name* of one of *kinds*, found exactly as PostgreSQL finds it.

    *name* is parsed by :func:`parse_name`; an unqualified name is looked up along the
    connection's ``search_path`` by ``to_regclass`` (the first schema holding a relation of that
    name wins, whatever its kind, as in a statement). The name only ever travels as a bound
    value; what is not a user relation of *kinds* is refused with one line (:class:`NotFound`).
    """
    load_keywords(conn)
    parts = parse_name(conn, name, what)
    row = conn.execute(
        "SELECT c.oid, n.nspname, c.relname, c.relkind::text, c.relispopulated"
        " FROM pg_catalog.pg_class AS c"
        " JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE c.oid = pg_catalog.to_regclass(pg_catalog.array_to_string("
        "   ARRAY(SELECT pg_catalog.quote_ident(p) FROM unnest(%s::text[]) WITH ORDINALITY AS"
        "         t(p, i) ORDER BY i), '.'))",
        (parts,),
    ).fetchone()
    plural = what + "s"
    if row is None:
        raise NotFound(_not_found(conn, name, parts, kinds, what))
    found = Relation(row[0], row[1], row[2], row[3], row[4])
    if found.schema in ("information_schema", "pg_catalog") or found.schema.startswith("pg_"):
        raise NotFound(
            f"{name!r} is {found.qualified}, a system {found.kind_name}; musicdb maintains the "
            f"database's own {plural} only"
        )
    if found.kind not in kinds:
        existing = ", ".join(rel.qualified for rel in list_relations(conn, kinds)) or "none"
        raise NotFound(
            f"{name!r} is {found.qualified}, a {found.kind_name}, not a {what}; {plural} in this "
            f"database: {existing}"
        )
    return found


def _not_found(
    conn: psycopg.Connection[Any], name: str, parts: list[str], kinds: Sequence[str], what: str
) -> str:
    """Why *name* found nothing, and what the user may have meant."""
    candidates = list_relations(conn, kinds)
    existing = ", ".join(rel.qualified for rel in candidates) or "none"
    message = f"no {what} named {name!r}"
    if len(parts) == 1:
        path = conn.execute("SELECT pg_catalog.current_schemas(false)").fetchone()
        schemas = ", ".join(quote_ident(s) for s in (path[0] if path else [])) or "none"
        message += f" on the search_path ({schemas})"
        elsewhere = [rel.qualified for rel in candidates if rel.name == parts[0]]
        if elsewhere:
            message += f"; give the schema: {', '.join(elsewhere)}"
    folded = [rel.qualified for rel in candidates
              if rel.name != parts[-1] and rel.name.lower() == parts[-1].lower()]  # fmt: skip
    if folded:
        message += f"; unquoted names are folded to lower case: did you mean {', '.join(folded)}?"
    return f"{message}; {what}s in this database: {existing}"


# -- the maintenance log --------------------------------------------------------------------------
def log_available(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (LOG_TABLE,)).fetchone()
    return bool(row and row[0])


def record(
    conn: psycopg.Connection[Any],
    *,
    operation: str,
    target: str,
    started_at: dt.datetime,
    finished_at: dt.datetime | None,
    duration_ms: float | None,
    rows: int | None,
    outcome: str,
    error: str | None,
    details: dict[str, Any],
) -> int | None:
    """Insert one row into maintenance_log; its id, or None when the table does not exist."""
    from psycopg.types.json import Jsonb

    if not log_available(conn):
        return None
    row = conn.execute(
        "INSERT INTO public.maintenance_log"
        " (operation, target, started_at, finished_at, duration_ms, rows, outcome, error, details)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (operation, target, started_at, finished_at, duration_ms, rows, outcome, error,
         Jsonb(details)),
    ).fetchone()  # fmt: skip
    return int(row[0]) if row else None


def last_success(
    conn: psycopg.Connection[Any], target: str, operation: str = OP_REFRESH
) -> dt.datetime | None:
    """When the last successful *operation* on *target* finished (None: never, or no log)."""
    if not log_available(conn):
        return None
    row = conn.execute(
        "SELECT max(coalesce(finished_at, started_at)) FROM public.maintenance_log"
        " WHERE target = %s AND operation = %s AND outcome = 'ok'",
        (target, operation),
    ).fetchone()
    return row[0] if row else None


def _server_now(conn: psycopg.Connection[Any]) -> dt.datetime:
    row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    return row[0]


def _classify(exc: BaseException) -> tuple[str, str, str | None]:
    """(outcome, one-line message, sqlstate) of a failed maintenance statement."""
    sqlstate = getattr(exc, "sqlstate", None)
    message = db.describe_error(exc) or f"{type(exc).__name__}: {exc}"
    if sqlstate == "55P03":  # lock_not_available: lock_timeout fired
        return "timeout", message, sqlstate
    if sqlstate == "57014" and "timeout" in message:  # query_canceled by statement_timeout
        return "timeout", message, sqlstate
    return "failed", message, sqlstate


def _execute_timed(
    conn: psycopg.Connection[Any], statement: Any
) -> tuple[str, str | None, str | None, float, dt.datetime]:
    """Run one maintenance statement: (outcome, error, sqlstate, duration_ms, finished_at).

    A server error is an outcome (see :func:`_classify`); anything else propagates.
    """
    clock = time.perf_counter()
    outcome, error, sqlstate = "ok", None, None
    try:
        conn.execute(statement)
    except Exception as exc:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            raise
        outcome, error, sqlstate = _classify(exc)
    return outcome, error, sqlstate, (time.perf_counter() - clock) * 1000, _server_now(conn)


class _Outcome:
    """What every result shares: ``failed`` and ``as_dict`` (its keys in the order of ``KEYS``)."""

    KEYS: ClassVar[tuple[str, ...]]
    outcome: str

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "timeout")

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.KEYS}


#: The columns every maintenance report ends with.
_OUTCOME_COLUMNS = (
    Column("message", "message", wrap=True),
    Column("error", "error", wrap=True),
    Column("log_id", "log id", "count"),
)


# -- refresh-view ---------------------------------------------------------------------------------
@dataclass
class RefreshResult(_Outcome):
    KEYS: ClassVar[tuple[str, ...]] = (
        "view", "outcome", "mode", "rows", "duration_ms", "started_at", "finished_at",
        "message", "error", "sqlstate", "log_id",
    )  # fmt: skip

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


def refresh_lock_key(view: Relation) -> int:
    """The advisory lock key of refreshes of *view* (stable, 32-bit, shown by lock-info)."""
    return zlib.crc32(f"musicdb.refresh-view:{view.qualified}".encode())


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
            refresh_lock_key(view),
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
                    f"another refresh of {view.qualified} is running (advisory lock "
                    f"{refresh_lock_key(view)}); skipped",
                )
            if if_older_than is not None:
                last = last_success(conn, view.qualified)
                now = _server_now(conn)
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
    started_at = _server_now(conn)
    if blocker is not None and not allow_blocking:
        message = (
            f"cannot refresh {view.qualified} CONCURRENTLY: {blocker}; pass --allow-blocking "
            "to refresh it with an ACCESS EXCLUSIVE lock that blocks its readers meanwhile"
        )
        details["refused"] = blocker
        log_id = record(conn, operation=OP_REFRESH, target=view.qualified, started_at=started_at,
                        finished_at=started_at, duration_ms=0.0, rows=None, outcome="failed",
                        error=message, details=details)  # fmt: skip
        return RefreshResult(view.qualified, "failed", message, mode=None, started_at=started_at,
                             finished_at=started_at, duration_ms=0.0, error=message,
                             log_id=log_id)  # fmt: skip
    if blocker is None:
        statement = sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}")
    else:
        details["why_not_concurrently"] = blocker
        statement = sql.SQL("REFRESH MATERIALIZED VIEW {}")
    outcome, error, sqlstate, duration_ms, finished_at = _execute_timed(
        conn, statement.format(view.identifier())
    )
    rows = None
    if outcome == "ok":
        counted = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(view.identifier())
        ).fetchone()
        rows = int(counted[0]) if counted else None
        message = f"refreshed {view.qualified} {mode}: {rows} rows"
    elif outcome == "timeout" and sqlstate == "55P03":
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
                    error=error, details=details)  # fmt: skip
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


# -- vacuum-table ---------------------------------------------------------------------------------
@dataclass
class VacuumResult(_Outcome):
    KEYS: ClassVar[tuple[str, ...]] = (
        "table", "outcome", "full", "duration_ms", "dead_rows_before", "dead_ratio_before",
        "live_rows", "started_at", "finished_at", "message", "error", "sqlstate", "log_id",
    )  # fmt: skip

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
    started_at = _server_now(conn)
    options = sql.SQL("FULL, ANALYZE" if full else "ANALYZE")
    statement = sql.SQL("VACUUM ({}) {}").format(options, table.identifier())
    # autocommit: VACUUM cannot run inside a transaction block
    outcome, error, sqlstate, duration_ms, finished_at = _execute_timed(conn, statement)
    after = dead_rows(conn, table)
    what = "VACUUM (FULL, ANALYZE)" if full else "VACUUM (ANALYZE)"
    if outcome == "ok":
        message = f"{what} {table.qualified}: ok"
    elif sqlstate == "55P03":
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
                    details=details)  # fmt: skip
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
                           statement_timeout_ms=statement_timeout_ms)  # fmt: skip


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
                            statement_timeout_ms=statement_timeout_ms)  # fmt: skip
            )
            shown.advance()
    return run


# -- reports of the results (rendered by the CLI) -------------------------------------------------
REFRESH_COLUMNS = (
    Column("view", "view"),
    Column("outcome", "outcome"),
    Column("mode", "mode"),
    Column("rows", "rows", "count"),
    Column("duration_ms", "duration", "ms"),
    Column("started_at", "started", "timestamp"),
    Column("finished_at", "finished", "timestamp"),
    *_OUTCOME_COLUMNS,
)
VACUUM_COLUMNS = (
    Column("table", "table"),
    Column("outcome", "outcome"),
    Column("full", "full", "bool"),
    Column("duration_ms", "duration", "ms"),
    Column("dead_rows_before", "dead rows before", "count"),
    Column("dead_ratio_before", "dead ratio before", "ratio"),
    Column("live_rows", "live rows", "count"),
    *_OUTCOME_COLUMNS,
)


def refresh_report(results: Sequence[RefreshResult]) -> Report:
    """The ``refresh-view`` report: one row per refresh."""
    return Report(name="refresh_view", title="Materialized view refresh",
                  columns=REFRESH_COLUMNS, rows=[r.as_dict() for r in results])  # fmt: skip


def vacuum_report(results: Sequence[VacuumResult], notes: Sequence[str] = ()) -> Report:
    """The ``vacuum-table`` report: one row per vacuumed table."""
    return Report(name="vacuum_table", title="VACUUM", columns=VACUUM_COLUMNS,
                  rows=[r.as_dict() for r in results], notes=list(notes))  # fmt: skip


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
                                    statement_timeout_ms=statement_timeout_ms))  # fmt: skip
    return results
