"""What the catalog says about the partitions of ``user_interactions``, and the small statements
every partition command shares (a standalone month table shaped like a partition, row moves)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psycopg import sql

from musicdb.partitions import KEY, TABLE, add_months, month_start

if TYPE_CHECKING:
    import psycopg

PARTITIONS_SQL = """
SELECT c.relname, pg_catalog.pg_get_expr(c.relpartbound, c.oid), {pending},
       c.reltuples::bigint, pg_catalog.pg_total_relation_size(c.oid)
FROM pg_catalog.pg_inherits AS i
JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = to_regclass(%s)
"""

_RANGE = re.compile(r"FOR VALUES FROM \((.+)\) TO \((.+)\)")


@dataclass(frozen=True)
class Partition:
    """One partition: its bounds (``None`` for MINVALUE / MAXVALUE; both None for the default)."""

    name: str
    lower: dt.datetime | None
    upper: dt.datetime | None
    is_default: bool = False
    detach_pending: bool = False
    rows_estimate: int | None = None
    bytes: int = 0

    def covers(self, lower: dt.datetime, upper: dt.datetime) -> bool:
        """Whether the range [lower, upper) lies inside this partition's bounds."""
        return (not self.is_default and (self.lower is None or self.lower <= lower)
                and (self.upper is None or upper <= self.upper))

    def overlaps(self, lower: dt.datetime, upper: dt.datetime) -> bool:
        return (not self.is_default and (self.lower is None or self.lower < upper)
                and (self.upper is None or lower < self.upper))


def _bound(text: str) -> dt.datetime | None:
    text = text.strip()
    if text in ("MINVALUE", "MAXVALUE"):
        return None
    return dt.datetime.fromisoformat(text.strip("'"))


def as_datetime(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1)


def partitions(conn: psycopg.Connection[Any]) -> list[Partition]:
    """The partitions of ``user_interactions``, ordered by lower bound (the default last)."""
    pending = "i.inhdetachpending" if conn.info.server_version >= 140000 else "false"
    rows = conn.execute(sql.SQL(PARTITIONS_SQL).format(pending=sql.SQL(pending)),
                        (TABLE,)).fetchall()
    found = []
    for name, bound, detaching, tuples, size in rows:
        match = _RANGE.fullmatch(bound or "")
        estimate = None if tuples is None or tuples < 0 else int(tuples)
        if match is None:
            found.append(Partition(name, None, None, True, detaching, estimate, size))
        else:
            found.append(Partition(name, _bound(match.group(1)), _bound(match.group(2)), False,
                                   detaching, estimate, size))
    far = dt.datetime.min
    return sorted(found, key=lambda p: (p.is_default, p.lower or far, p.name))


def default_partition(parts: list[Partition]) -> Partition | None:
    return next((p for p in parts if p.is_default), None)


def server_month(conn: psycopg.Connection[Any]) -> dt.date:
    """The current month (first day) of the server's clock, in UTC."""
    row = conn.execute("SELECT (now() AT TIME ZONE 'UTC')::date").fetchone()
    assert row is not None
    return month_start(row[0])


def months_ahead(parts: list[Partition], current: dt.date) -> int:
    """How many whole months after *current* the partitions cover without a gap."""
    count, month = 0, add_months(current, 1)
    while any(p.covers(as_datetime(month), as_datetime(add_months(month, 1))) for p in parts):
        count += 1
        month = add_months(month, 1)
    return count


def column_names(conn: psycopg.Connection[Any]) -> list[str]:
    """The parent's columns, in order."""
    return [r[0] for r in conn.execute(
        "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(%s) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (TABLE,)).fetchall()]


def retention_cutoff(conn: psycopg.Connection[Any], months: int) -> dt.datetime:
    """The first day of the month *months* before the current one."""
    return as_datetime(add_months(server_month(conn), -months))


def wholly_before(parts: list[Partition], cutoff: dt.datetime) -> list[Partition]:
    """The partitions whose every row is older than *cutoff*, oldest first."""
    return [p for p in parts if not p.is_default and p.upper is not None and p.upper <= cutoff]


def columns(conn: psycopg.Connection[Any]) -> sql.Composable:
    """The parent's columns, in order, as a SQL list."""
    return sql.SQL(", ").join(map(sql.Identifier, column_names(conn)))


def exists(conn: psycopg.Connection[Any], name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (sql.Identifier(name).as_string(conn),)
                       ).fetchone()
    return bool(row and row[0])


def is_attached(conn: psycopg.Connection[Any], name: str) -> bool:
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c "
        "ON c.oid = i.inhrelid WHERE c.relname = %s AND i.inhparent = to_regclass(%s))",
        (name, TABLE)).fetchone()
    return bool(row and row[0])


def bound_check(name: str) -> str:
    return f"{name}_bound"[:63]


def create_standalone(conn: psycopg.Connection[Any], name: str, lower: dt.datetime,
                      upper: dt.datetime) -> None:
    """Create *name*, a table shaped like a partition of the parent (columns, defaults, checks,
    indexes, foreign keys) with a validated CHECK of the bounds [lower, upper), so ATTACH
    PARTITION neither scans it nor builds anything. One transaction: all of it or nothing."""
    with conn.transaction():
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                             "INCLUDING INDEXES INCLUDING STORAGE)").format(
            sql.Identifier(name), sql.Identifier(TABLE)))
        fkeys = conn.execute(
            "SELECT conname, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname", (TABLE,)
        ).fetchall()
        for fk_name, definition in fkeys:
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                sql.Identifier(name), sql.Identifier(fk_name))
                + sql.SQL(definition))  # PostgreSQL's own text of the catalog
        add_bound_check(conn, name, lower, upper, valid=True)


def add_bound_check(conn: psycopg.Connection[Any], name: str, lower: dt.datetime | None,
                    upper: dt.datetime | None, *, valid: bool) -> None:
    """(Re)place the CHECK that proves *name*'s rows lie in [lower, upper)."""
    check = bound_check(name)
    parts = [sql.SQL("{} IS NOT NULL").format(sql.Identifier(KEY))]
    if lower is not None:
        parts.append(sql.SQL("{} >= {}").format(sql.Identifier(KEY), sql.Literal(lower)))
    if upper is not None:
        parts.append(sql.SQL("{} < {}").format(sql.Identifier(KEY), sql.Literal(upper)))
    conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(
        sql.Identifier(name), sql.Identifier(check)))
    conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({}){}").format(
        sql.Identifier(name), sql.Identifier(check), sql.SQL(" AND ").join(parts),
        sql.SQL("" if valid else " NOT VALID")))


def drop_bound_check(conn: psycopg.Connection[Any], name: str) -> None:
    conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(
        sql.Identifier(name), sql.Identifier(bound_check(name))))


def attach(conn: psycopg.Connection[Any], name: str, lower: dt.datetime | None,
           upper: dt.datetime | None) -> None:
    low = sql.SQL("MINVALUE") if lower is None else sql.Literal(lower)
    high = sql.SQL("MAXVALUE") if upper is None else sql.Literal(upper)
    conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})").format(
        sql.Identifier(TABLE), sql.Identifier(name), low, high))


def move_rows(conn: psycopg.Connection[Any], source: str, target: str, lower: dt.datetime,
              upper: dt.datetime, limit: int | None) -> int:
    """Move up to *limit* rows of [lower, upper) from *source* to *target* in one statement (both
    the delete and the insert commit together, or neither): the number moved."""
    cols = columns(conn)
    pick = sql.SQL("SELECT ctid FROM ONLY {} WHERE {} >= %(lo)s AND {} < %(hi)s{}").format(
        sql.Identifier(source), sql.Identifier(KEY), sql.Identifier(KEY),
        sql.SQL("" if limit is None else " ORDER BY {} LIMIT %(n)s").format(sql.Identifier(KEY)))
    stmt = sql.SQL("WITH moved AS (DELETE FROM ONLY {} WHERE ctid = ANY(ARRAY({})) RETURNING {}) "
                   "INSERT INTO {} ({}) SELECT {} FROM moved").format(
        sql.Identifier(source), pick, cols, sql.Identifier(target), cols, cols)
    cur = conn.execute(stmt, {"lo": lower, "hi": upper, "n": limit})
    return max(cur.rowcount, 0)


def has_rows(conn: psycopg.Connection[Any], name: str, lower: dt.datetime | None = None,
             upper: dt.datetime | None = None) -> bool:
    where: list[sql.Composable] = [sql.SQL("true")]
    if lower is not None:
        where.append(sql.SQL("{} >= {}").format(sql.Identifier(KEY), sql.Literal(lower)))
    if upper is not None:
        where.append(sql.SQL("{} < {}").format(sql.Identifier(KEY), sql.Literal(upper)))
    row = conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM ONLY {} WHERE {})").format(
        sql.Identifier(name), sql.SQL(" AND ").join(where))).fetchone()
    return bool(row and row[0])


def count(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM ONLY {}").format(sql.Identifier(name))
                       ).fetchone()
    return int(row[0]) if row else 0


def oldest(conn: psycopg.Connection[Any], name: str) -> dt.datetime | None:
    row = conn.execute(sql.SQL("SELECT min({}) FROM ONLY {}").format(
        sql.Identifier(KEY), sql.Identifier(name))).fetchone()
    return row[0] if row else None

