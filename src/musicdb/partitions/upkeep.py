"""Keeping the months of ``user_interactions``: status, premake, split.

- :func:`status`: every partition with its bounds, size and oldest/newest event, the default
  partition's rows and how many months are premade ahead.
- :func:`premake`: create the coming months (idempotent; under the ``partitions`` job lock, tried
  once, so an overlapping cron run skips; every DDL under ``lock_timeout``).
- :func:`split`: move the rows of the converted legacy partition, and of the default partition,
  into month partitions in bounded batches. Every batch is one statement (the rows leave the
  source and reach the month's table together), so a kill at any moment loses and doubles
  nothing, and a rerun goes on from the catalog's state. The month's table is built standalone
  (shaped like a partition, with a validated CHECK of its bounds) and attached in one short
  transaction that scans nothing big.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psycopg import sql

from musicdb import db, locks
from musicdb.partitions import (
    DEFAULT,
    DEFAULT_BATCH_ROWS,
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_PREMAKE_MONTHS,
    KEY,
    LEGACY,
    TABLE,
    add_months,
    month_of,
    month_partition,
    month_start,
)
from musicdb.partitions import catalog as cat
from musicdb.partitions.conversion import is_partitioned
from musicdb.progress import Progress, as_progress

if TYPE_CHECKING:
    import psycopg

    from musicdb.config import DatabaseTarget
    from musicdb.render import Report



def require_partitioned(conn: psycopg.Connection[Any]) -> None:
    if not is_partitioned(conn):
        from musicdb.errors import MusicdbError

        raise MusicdbError(f"{TABLE} is not partitioned here; run `musicdb migrate up` first")


# -- status ---------------------------------------------------------------------------------------
@dataclass
class Status:
    rows: list[dict[str, Any]]
    current_month: dt.date
    months_ahead: int
    default_rows: int

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="partitions",
            title=f"{TABLE} partitions: {self.months_ahead} month(s) premade ahead, "
                  f"{self.default_rows} row(s) in the default partition",
            columns=[Column("partition", "partition"), Column("kind", "kind"),
                     Column("from", "from", "timestamp"), Column("to", "to", "timestamp"),
                     Column("rows_estimate", "rows (est.)", "count"),
                     Column("bytes", "size", "bytes"),
                     Column("oldest", "oldest event", "timestamp"),
                     Column("newest", "newest event", "timestamp")],
            rows=self.rows,
            meta={"current_month": self.current_month.isoformat(),
                  "months_ahead": self.months_ahead, "default_rows": self.default_rows},
        )


def _kind(part: cat.Partition) -> str:
    if part.is_default:
        return "default"
    if part.name == LEGACY:
        return "legacy"
    if part.detach_pending:
        return "detaching"
    return "month"


def status(conn: psycopg.Connection[Any]) -> Status:
    require_partitioned(conn)
    parts = cat.partitions(conn)
    current = cat.server_month(conn)
    rows = []
    default_rows = 0
    for part in parts:
        span = conn.execute(sql.SQL("SELECT min({}), max({}) FROM ONLY {}").format(
            sql.Identifier(KEY), sql.Identifier(KEY), sql.Identifier(part.name))).fetchone()
        first, last = span if span else (None, None)
        if part.is_default:
            default_rows = cat.count(conn, part.name)
        rows.append({"partition": part.name, "kind": _kind(part), "from": part.lower,
                     "to": part.upper,
                     "rows_estimate": default_rows if part.is_default else part.rows_estimate,
                     "bytes": part.bytes, "oldest": first, "newest": last})
    for month in _staged(conn):  # a split stopped while moving this month: rerun split
        name = month_partition(month)
        span = conn.execute(sql.SQL("SELECT count(*), min({}), max({}) FROM ONLY {}").format(
            sql.Identifier(KEY), sql.Identifier(KEY), sql.Identifier(name))).fetchone()
        count, first, last = span if span else (0, None, None)
        rows.append({"partition": name, "kind": "split in progress (not attached)",
                     "from": cat.as_datetime(month),
                     "to": cat.as_datetime(add_months(month, 1)), "rows_estimate": count,
                     "bytes": None, "oldest": first, "newest": last})
    return Status(rows, current, cat.months_ahead(parts, current), default_rows)


# -- premake --------------------------------------------------------------------------------------
@dataclass
class MonthOutcome:
    month: dt.date
    partition: str
    outcome: str  # created | exists | skipped | failed
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month.isoformat(), "partition": self.partition,
                "outcome": self.outcome, "message": self.message}


@dataclass
class PremakeResult:
    outcome: str  # ok | skipped | failed
    months: list[MonthOutcome] = field(default_factory=list)
    months_ahead: int = 0
    message: str = ""

    def summary(self) -> str:
        if self.outcome == "skipped":
            return f"partitions premake: skipped: {self.message}"
        created = sum(m.outcome == "created" for m in self.months)
        text = (f"partitions premake: {self.outcome}, {created} created, "
                f"{self.months_ahead} month(s) ahead")
        trouble = [f"{m.partition}: {m.message}" for m in self.months
                   if m.outcome in ("skipped", "failed")]
        return text + ("; " + "; ".join(trouble) if trouble else "")

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="partitions-premake", title=self.summary(),
            columns=[Column("month", "month"), Column("partition", "partition"),
                     Column("outcome", "outcome"), Column("message", "message", wrap=True)],
            rows=[m.as_dict() for m in self.months],
            meta={"outcome": self.outcome, "months_ahead": self.months_ahead,
                  "message": self.message},
        )


def create_months(
    conn: psycopg.Connection[Any], first: dt.date, last: dt.date,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
) -> list[MonthOutcome]:
    """Create the month partitions from *first* to *last* (first days, both included) that no
    partition covers yet. A month some partition covers is ``exists``; one that overlaps a
    partition in part, or whose rows sit in the default partition (``partitions split`` moves
    them), is ``skipped``; a lock not obtained within *lock_timeout_ms* is ``failed``."""
    import psycopg

    from musicdb.partitions.conversion import create_month

    out = []
    month = first
    while month <= last:
        lower, upper = cat.as_datetime(month), cat.as_datetime(add_months(month, 1))
        name = month_partition(month)
        parts = cat.partitions(conn)
        holder = next((p for p in parts if p.covers(lower, upper)), None)
        partial = next((p for p in parts if p.overlaps(lower, upper)), None)
        default = cat.default_partition(parts)
        if holder is not None:
            out.append(MonthOutcome(month, holder.name, "exists"))
        elif partial is not None:
            out.append(MonthOutcome(month, name, "skipped", f"overlaps {partial.name}"))
        elif default is not None and cat.has_rows(conn, default.name, lower, upper):
            out.append(MonthOutcome(month, name, "skipped",
                                    f"{default.name} holds rows of this month: run "
                                    "`musicdb partitions split`"))
        else:
            try:
                with conn.transaction():
                    db.set_timeouts(conn, lock_timeout_ms=lock_timeout_ms, local=True)
                    create_month(conn, month)
                out.append(MonthOutcome(month, name, "created"))
            except psycopg.errors.LockNotAvailable as exc:
                out.append(MonthOutcome(month, name, "failed", db.first_line(exc)))
        month = add_months(month, 1)
    return out


def premake(
    target: DatabaseTarget,
    months: int = DEFAULT_PREMAKE_MONTHS,
    *,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    wait_s: float = 0.0,
) -> PremakeResult:
    """Make sure the current month and the *months* after it have partitions (cron-safe)."""
    with db.connect(target, application_name="musicdb partitions premake") as conn:
        db.require_primary(conn, "partitions premake")
        require_partitioned(conn)
        with db.advisory_lock(target, locks.PARTITIONS, wait_s=wait_s, what="partitions",
                              skip_if_busy=True, conn=conn) as held:
            if not held:
                return PremakeResult("skipped", message="another partitions command holds the "
                                                        f"{locks.PARTITIONS.label}")
            current = cat.server_month(conn)
            done = create_months(conn, current, add_months(current, months), lock_timeout_ms)
            ahead = cat.months_ahead(cat.partitions(conn), current)
    failed = any(m.outcome == "failed" for m in done)
    return PremakeResult("failed" if failed else "ok", done, ahead)


# -- split ----------------------------------------------------------------------------------------
@dataclass
class SplitResult:
    moved: int = 0
    months: list[MonthOutcome] = field(default_factory=list)

    def summary(self) -> str:
        made = [m.partition for m in self.months if m.outcome == "created"]
        if not self.months:
            return "partitions split: nothing to split"
        return (f"partitions split: {self.moved} row(s) moved, {len(made)} month partition(s) "
                "attached")

    def to_report(self) -> Report:
        from musicdb.render import Column, Report

        return Report(
            name="partitions-split", title=self.summary(),
            columns=[Column("month", "month"), Column("partition", "partition"),
                     Column("outcome", "outcome"), Column("message", "message", wrap=True)],
            rows=[m.as_dict() for m in self.months], meta={"moved": self.moved},
        )


def _move_all(conn: psycopg.Connection[Any], source: str, target: str, lower: dt.datetime,
              upper: dt.datetime, batch: int, shown: Progress) -> int:
    moved = 0
    while True:
        n = cat.move_rows(conn, source, target, lower, upper, batch)  # autocommit: one batch
        moved += n
        shown.advance(n)
        if n < batch:
            return moved


def _estimate(conn: psycopg.Connection[Any], name: str) -> float | None:
    row = conn.execute("SELECT reltuples FROM pg_catalog.pg_class WHERE oid = to_regclass(%s)",
                       (sql.Identifier(name).as_string(conn),)).fetchone()
    return float(row[0]) if row and row[0] and row[0] > 0 else None


def _split_legacy(conn: psycopg.Connection[Any], batch: int, lock_timeout_ms: int,
                  shown: Progress, result: SplitResult) -> None:
    """Shrink the legacy partition from its oldest month on: each month's rows go to a table of
    their own, then one transaction re-bounds the legacy partition and attaches the month. The
    last month left becomes a month partition by name."""
    legacy = next((p for p in cat.partitions(conn) if p.name == LEGACY), None)
    if legacy is None or legacy.upper is None:
        return
    upper = legacy.upper
    shown.start(f"split {LEGACY}", total=_estimate(conn, LEGACY), unit="rows")
    while True:
        legacy = next(p for p in cat.partitions(conn) if p.name == LEGACY)
        last_month = add_months(month_start(upper), -1)
        if legacy.lower is not None:  # months are taken in turn, empty ones too: no gaps
            month = month_start(legacy.lower)
        else:
            first = cat.oldest(conn, LEGACY)
            month = month_start(first) if first is not None else last_month
            month = min([month, *(m for m in _staged(conn) if m < last_month)])
        if month >= last_month:
            # one month left: the legacy partition becomes that month's partition
            lower = cat.as_datetime(last_month)
            name = month_partition(last_month)
            db.set_timeouts(conn, lock_timeout_ms=lock_timeout_ms)
            if legacy.lower != lower:
                cat.add_bound_check(conn, LEGACY, lower, upper, valid=False)
                conn.execute(sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
                    sql.Identifier(LEGACY), sql.Identifier(cat.bound_check(LEGACY))))
            with conn.transaction():
                if legacy.lower != lower:
                    conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                        sql.Identifier(TABLE), sql.Identifier(LEGACY)))
                    cat.attach(conn, LEGACY, lower, upper)
                cat.drop_bound_check(conn, LEGACY)
                conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                    sql.Identifier(LEGACY), sql.Identifier(name)))
            conn.execute("RESET lock_timeout")
            result.months.append(MonthOutcome(last_month, name, "created",
                                              f"{LEGACY} renamed"))
            return
        lower, nxt = cat.as_datetime(month), cat.as_datetime(add_months(month, 1))
        name = month_partition(month)
        if not cat.exists(conn, name):
            cat.create_standalone(conn, name, lower, nxt)
        shown.note(f"{name}: moving rows")
        moved = _move_all(conn, LEGACY, name, lower, nxt, batch, shown)
        db.set_timeouts(conn, lock_timeout_ms=lock_timeout_ms)
        # from here on the legacy partition refuses rows of the month (NOT VALID: no scan) ...
        cat.add_bound_check(conn, LEGACY, nxt, upper, valid=False)
        moved += _move_all(conn, LEGACY, name, lower, nxt, batch, shown)  # ... the stragglers
        conn.execute(sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
            sql.Identifier(LEGACY), sql.Identifier(cat.bound_check(LEGACY))))
        with conn.transaction():
            conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                sql.Identifier(TABLE), sql.Identifier(LEGACY)))
            cat.attach(conn, name, lower, nxt)
            cat.attach(conn, LEGACY, nxt, upper)
            cat.drop_bound_check(conn, name)
            cat.drop_bound_check(conn, LEGACY)
        conn.execute("RESET lock_timeout")
        result.moved += moved
        result.months.append(MonthOutcome(month, name, "created", f"{moved} row(s) moved"))


def _split_default(conn: psycopg.Connection[Any], batch: int, lock_timeout_ms: int,
                   shown: Progress, result: SplitResult) -> None:
    """Give each month found in the default partition a partition of its own."""
    parts = cat.partitions(conn)
    default = cat.default_partition(parts)
    if default is None:
        return
    shown.start(f"split {default.name}", total=_estimate(conn, default.name), unit="rows")
    while True:
        first = cat.oldest(conn, default.name)
        attached = cat.partitions(conn)
        candidates = [m for m in _staged(conn) if not any(  # a month staged before a kill
            p.overlaps(cat.as_datetime(m), cat.as_datetime(add_months(m, 1))) for p in attached)]
        if first is not None:
            candidates.append(month_start(first))
        if not candidates:
            return
        month = min(candidates)
        lower, nxt = cat.as_datetime(month), cat.as_datetime(add_months(month, 1))
        name = month_partition(month)
        clash = next((p for p in cat.partitions(conn) if p.overlaps(lower, nxt)), None)
        if clash is not None:  # cannot happen through musicdb: a hand-made partition
            result.months.append(MonthOutcome(month, name, "failed",
                                              f"overlaps {clash.name}"))
            return
        if not cat.exists(conn, name):
            cat.create_standalone(conn, name, lower, nxt)
        shown.note(f"{name}: moving rows")
        moved = _move_all(conn, default.name, name, lower, nxt, batch, shown)
        with conn.transaction():
            db.set_timeouts(conn, lock_timeout_ms=lock_timeout_ms, local=True)
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE").format(
                sql.Identifier(TABLE)))
            conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                sql.Identifier(default.name)))
            moved += cat.move_rows(conn, default.name, name, lower, nxt, None)  # stragglers
            cat.attach(conn, name, lower, nxt)  # scans the default partition: small by now
            cat.drop_bound_check(conn, name)
        result.moved += moved
        result.months.append(MonthOutcome(month, name, "created", f"{moved} row(s) moved"))


def _staged(conn: psycopg.Connection[Any]) -> list[dt.date]:
    """The months whose table a split built and has not attached yet (a kill can leave one,
    holding rows already moved out of their source: the rerun goes on with it)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_catalog.pg_class AS c WHERE c.relkind = 'r' "
        "AND c.relnamespace = 'public'::regnamespace AND c.relname LIKE %s "
        "AND NOT c.relispartition", (f"{TABLE}\\_p%",)).fetchall()
    return sorted(m for (name,) in rows if (m := month_of(name)) is not None)


def split(
    target: DatabaseTarget,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS,
    progress: Progress | Callable[[str], None] | None = None,
) -> SplitResult:
    """Move the legacy partition's and the default partition's rows into month partitions."""
    shown = as_progress(progress)
    result = SplitResult()
    with db.connect(target, application_name="musicdb partitions split") as conn:
        db.require_primary(conn, "partitions split")
        require_partitioned(conn)
        with db.advisory_lock(target, locks.PARTITIONS, what="partitions", conn=conn):
            _split_legacy(conn, batch_rows, lock_timeout_ms, shown, result)
            _split_default(conn, batch_rows, lock_timeout_ms, shown, result)
    return result


# -- generate's load ------------------------------------------------------------------------------
def prepare_load(conn: psycopg.Connection[Any], first: dt.date, last: dt.date) -> None:
    """Before ``generate`` loads events dated *first* .. *last*: month partitions for that range
    and the premade months after it. Inside generate's transaction, which holds the table's
    ACCESS EXCLUSIVE lock and has just emptied it: an empty legacy partition (a database the
    migrations built) makes way for the months."""
    if not is_partitioned(conn):
        return
    if cat.exists(conn, LEGACY) and not cat.has_rows(conn, LEGACY):
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
            sql.Identifier(TABLE), sql.Identifier(LEGACY)))
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(LEGACY)))
    current = cat.server_month(conn)
    end = max(month_start(last), add_months(current, DEFAULT_PREMAKE_MONTHS))
    for done in create_months(conn, month_start(first), end):
        if done.outcome == "failed":
            from musicdb.errors import LockNotAvailable

            raise LockNotAvailable(f"{done.partition}: {done.message}")


__all__ = ["DEFAULT", "PremakeResult", "SplitResult", "Status", "premake", "prepare_load",
           "split", "status"]
