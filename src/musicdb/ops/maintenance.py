"""What refresh-view (:mod:`musicdb.ops.refresh`) and vacuum-table (:mod:`musicdb.ops.vacuum`)
share: defaults, relation lookups, the maintenance log and timed execution of one statement.

Rules every maintenance operation follows:

- a user-given name is looked up in ``pg_class`` first (only the kinds the operation accepts) and
  then quoted with :class:`psycopg.sql.Identifier`; no user text is ever formatted into SQL;
- every statement runs under ``lock_timeout`` and ``statement_timeout`` (startup options of the
  connection), so maintenance never queues behind a long transaction with the application's
  queries queueing behind it;
- every refresh and vacuum that ran (or was refused for a reason the operator must act on) is
  recorded in ``maintenance_log``; ``health-check`` reads it for view staleness.

Functions return dataclasses and never print; the CLI renders them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from musicdb import db
from musicdb.errors import NotFound, UsageError
from musicdb.progress import Progress as Reporter
from musicdb.render import Column

if TYPE_CHECKING:
    import psycopg


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
              if rel.name != parts[-1] and rel.name.lower() == parts[-1].lower()]
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
    ).fetchone()
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


#: The columns of :func:`log_history`'s rows.
HISTORY_COLUMNS = ("id", "operation", "target", "started_at", "finished_at", "duration_ms", "rows",
                   "outcome", "error")


def log_history(
    conn: psycopg.Connection[Any], operation: str, *, limit: int = 20
) -> list[dict[str, Any]]:
    """The latest *limit* entries of *operation* in maintenance_log, newest first (empty when
    the table does not exist); each a dict of :data:`HISTORY_COLUMNS`."""
    if not log_available(conn):
        return []
    rows = conn.execute(
        "SELECT id, operation, target, started_at, finished_at, duration_ms, rows, outcome, error"
        " FROM public.maintenance_log WHERE operation = %s ORDER BY started_at DESC, id DESC"
        " LIMIT %s",
        (operation, limit),
    ).fetchall()
    return [dict(zip(HISTORY_COLUMNS, row, strict=True)) for row in rows]


def server_now(conn: psycopg.Connection[Any]) -> dt.datetime:
    row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    return row[0]


def _classify(exc: BaseException) -> tuple[str, str, str | None]:
    """(outcome, one-line message, sqlstate) of a failed maintenance statement."""
    from psycopg import errors

    sqlstate = getattr(exc, "sqlstate", None)
    message = db.describe_error(exc) or f"{type(exc).__name__}: {exc}"
    if isinstance(exc, errors.LockNotAvailable):  # lock_timeout fired
        return "timeout", message, sqlstate
    if isinstance(exc, errors.QueryCanceled) and "timeout" in message:  # statement_timeout
        return "timeout", message, sqlstate
    return "failed", message, sqlstate


def lock_not_available(sqlstate: str | None) -> bool:
    """Whether *sqlstate* (as :func:`_classify` returned it) is lock_not_available."""
    from psycopg import errors

    return sqlstate == errors.LockNotAvailable.sqlstate


def execute_timed(
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
    return outcome, error, sqlstate, (time.perf_counter() - clock) * 1000, server_now(conn)


class Outcome:
    """What every result shares: ``failed`` and ``as_dict`` (its keys in the order of ``KEYS``)."""

    KEYS: ClassVar[tuple[str, ...]]
    outcome: str

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "timeout")

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.KEYS}


#: The columns every maintenance report ends with.
OUTCOME_COLUMNS = (
    Column("message", "message", wrap=True),
    Column("error", "error", wrap=True),
    Column("log_id", "log id", "count"),
)
