"""The checks of ``health-check``: what a check is (:class:`Check`, the statuses, the registry
that :func:`check` fills) and every check, in the order they are reported. The run, its result
and the public names are in :mod:`musicdb.ops.health`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.errors import MusicdbError
from musicdb.ops.health_thresholds import Thresholds

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    from musicdb.reports import CatalogFacts

OK, WARNING, CRITICAL, UNKNOWN = "ok", "warning", "critical", "unknown"
STATUSES = (OK, WARNING, CRITICAL, UNKNOWN)
EXIT_CODES = {OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3}
#: Which status wins when checks disagree: a check that could not run never hides a problem.
SEVERITY = {OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3}

#: Transaction IDs (and multixact IDs) wrap around at 2^31 of age.
XID_HORIZON = 2**31
#: The health check's own statements: short, and never queued behind a lock.
CHECK_STATEMENT_TIMEOUT_MS = 10_000
CHECK_LOCK_TIMEOUT_MS = 1_000


@dataclass
class Check:
    name: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    duration_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "status": self.status,
            "message": self.message,
            "details": self.details,
            "duration_ms": self.duration_ms,
        }


def worst(statuses: Iterable[str]) -> str:
    result = OK
    for status in statuses:
        if SEVERITY[status] > SEVERITY[result]:
            result = status
    return result


# -- running checks --------------------------------------------------------------------------------
@dataclass
class Context:
    target: DatabaseTarget
    conn: psycopg.Connection[Any]
    thresholds: Thresholds
    #: the run's catalog facts (index verdicts, table statistics), each computed once
    facts: CatalogFacts

    def rows(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(query, params).fetchall()

    def one(self, query: str | sql.Composed, params: Any = None) -> tuple[Any, ...]:
        row = self.conn.execute(query, params).fetchone()
        assert row is not None
        return row


class CannotRun(Exception):
    """Raised by a check that cannot run here; it becomes *unknown* with this reason."""


class OtherRole(CannotRun):
    """Raised by a check meant for the other role (a primary-only check on a standby, or the
    reverse): *unknown* with the reason, and left out of the run's overall status."""


CheckFn = Callable[[Context], Check]
CHECKS: dict[str, tuple[CheckFn, str]] = {}
#: Checks that work on connections of their own (never ``ctx.conn``): they run in a thread beside
#: the others, so the slowest of them (drift builds a scratch database) does not add its time.
OWN_CONNECTIONS: set[str] = set()


def check(
    name: str, description: str, *, own_connections: bool = False
) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = (fn, description)
        if own_connections:
            OWN_CONNECTIONS.add(name)
        return fn

    return register


def _level(value: float, warning: float, critical: float, *, higher_is_worse: bool = True) -> str:
    if higher_is_worse:
        return CRITICAL if value >= critical else WARNING if value >= warning else OK
    return CRITICAL if value <= critical else WARNING if value <= warning else OK


def _seconds(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _human(seconds: float) -> str:
    from musicdb.render import human_seconds

    return human_seconds(seconds)


def _names(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# -- the checks, in the order they are reported -------------------------------------------------
@check("at_head", "the database is at the migrations' head revision")
def check_at_head(ctx: Context) -> Check:
    from musicdb import migrate

    current = migrate.current_revisions(ctx.conn)
    heads = migrate.heads()
    details = {"current": list(current), "heads": list(heads)}
    if not current:
        return Check("at_head", CRITICAL,
                     "no revision stamped: the database is not under musicdb's migrations "
                     "(musicdb migrate up, or migrate adopt)", details)
    known = migrate.revision_graph()
    unknown = [r for r in current if r not in known]
    if unknown:
        details["unknown"] = unknown
        return Check("at_head", WARNING,
                     f"at revision {', '.join(unknown)}, which this musicdb does not know "
                     "(a newer version migrated it?)", details)
    if set(current) != set(heads):
        return Check("at_head", WARNING,
                     f"at {', '.join(current)}, not at head {', '.join(heads)} "
                     "(musicdb migrate up)", details)
    return Check("at_head", OK, f"at head {', '.join(heads)}", details)


@check("drift", "the live schema matches what its migrations build (needs CREATEDB)",
       own_connections=True)
def check_drift(ctx: Context) -> Check:
    from musicdb import migrate

    try:
        differences = migrate.drift(ctx.target)
    except MusicdbError as exc:
        raise CannotRun(exc.message) from exc
    if not differences:
        return Check("drift", OK, "the schema matches its migrations", {"differences": []})
    items = [f"{d.kind} {d.name} {d.change}" for d in differences]
    return Check("drift", WARNING,
                 f"{len(differences)} difference(s) from the migrations: {_names(items, 3)} "
                 "(musicdb migrate check)",
                 {"differences": [{"kind": d.kind, "name": d.name, "change": d.change}
                                  for d in differences]})


# The index and table checks judge what the DBA reports compute (musicdb.reports:
# analyze-indexes and table-stats), so a check and its report never disagree; the run's
# CatalogFacts computes each once for all the checks.

@check("invalid_indexes", "no index is left INVALID (a failed CREATE INDEX CONCURRENTLY)")
def check_invalid_indexes(ctx: Context) -> Check:
    # An index being built concurrently right now is invalid until it is done: not a problem.
    building = {r[0] for r in ctx.rows(
        "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_stat_progress_create_index AS p"
        " JOIN pg_catalog.pg_class AS c ON c.oid = p.index_relid"
        " JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace")}
    invalid: list[dict[str, Any]] = [
        {"index": r.qualified_index, "table": r.qualified_table, "bytes": r.size_bytes}
        for r in ctx.facts.index_verdicts.rows
        if "invalid" in r.verdicts and r.qualified_index not in building
    ]
    details = {"indexes": invalid}
    if invalid:
        return Check("invalid_indexes", CRITICAL,
                     f"{len(invalid)} invalid index(es): {_names([i['index'] for i in invalid])}; "
                     "they slow every write and serve no read: DROP INDEX CONCURRENTLY and build "
                     "again", details)
    return Check("invalid_indexes", OK, "no invalid index", details)


@check("unused_indexes", "indexes never scanned since statistics began (not PK/unique/FK)")
def check_unused_indexes(ctx: Context) -> Check:
    from musicdb.reports.indexes import judged_from, usage_judged, withheld_note

    # With replicas the age is the youngest server's (the verdicts compute it).
    since = ctx.facts.index_verdicts.since if ctx.facts.replicas else ctx.facts.stats_since
    age = since.stats_age_seconds
    minimum = ctx.thresholds.unused_index_min_stats_age.total_seconds()
    start, verdict_from = since.stats_since, judged_from(since, minimum)
    details: dict[str, Any] = {
        "stats_age_s": age, "indexes": [],
        "stats_since": start.isoformat() if start else None,
        "judged_from": verdict_from.isoformat() if verdict_from else None,
    }
    if not usage_judged(since, minimum):
        details["withheld"] = True
        return Check("unused_indexes", OK,
                     withheld_note(since, minimum, "-t unused_index_min_stats_age=AGE"),
                     details)
    unused: list[dict[str, Any]] = [
        {"index": r.qualified_index, "table": r.qualified_table, "bytes": r.size_bytes}
        for r in ctx.facts.index_verdicts.rows if "unused" in r.verdicts
    ]
    details["indexes"] = unused
    details["bytes"] = sum(i["bytes"] or 0 for i in unused)
    details["servers"] = [s.label for s in ctx.facts.index_verdicts.servers]
    if unused:
        return Check("unused_indexes", WARNING,
                     f"{len(unused)} index(es) never scanned in {_human(age or 0)}: "
                     f"{_names([i['index'] for i in unused])} (musicdb analyze-indexes)",
                     details)
    return Check("unused_indexes", OK, f"every index was scanned in {_human(age or 0)}", details)


@check("duplicate_indexes", "no exact duplicate or left-prefix-redundant btree index")
def check_duplicate_indexes(ctx: Context) -> Check:
    found: list[dict[str, Any]] = []
    for r in ctx.facts.index_verdicts.rows:
        if r.duplicate_of or r.prefix_of:
            kind = "duplicate" if r.duplicate_of else "left-prefix"
            found.append({"index": r.qualified_index, "table": r.qualified_table, "kind": kind,
                          "covered_by": r.duplicate_of or r.prefix_of,
                          "bytes": r.size_bytes})
    details = {"indexes": found, "bytes": sum(f["bytes"] or 0 for f in found)}
    if found:
        items = [f"{f['index']} ({f['kind']} of {f['covered_by']})" for f in found]
        return Check("duplicate_indexes", WARNING,
                     f"{len(found)} redundant index(es): {_names(items, 3)} "
                     "(musicdb analyze-indexes --duplicates)", details)
    return Check("duplicate_indexes", OK, "no duplicate or left-prefix-redundant index", details)


@check("dead_rows", "tables whose dead rows pile up (vacuum not keeping up)")
def check_dead_rows(ctx: Context) -> Check:
    t = ctx.thresholds
    tables: list[dict[str, Any]] = []
    status = OK
    for r in ctx.facts.table_stats.rows:
        dead, live = int(r.dead_rows or 0), int(r.live_rows or 0)
        if dead < max(1, t.dead_rows_min):
            continue
        ratio = dead / (dead + live)
        level = _level(ratio, t.dead_ratio_warning, t.dead_ratio_critical)
        if level != OK:
            tables.append({"table": r.qualified, "dead_rows": dead, "live_rows": live,
                           "dead_ratio": ratio, "status": level})
            status = worst((status, level))
    tables.sort(key=lambda x: -x["dead_ratio"])
    details = {"tables": tables}
    if tables:
        items = [f"{x['table']} {x['dead_ratio']:.0%}" for x in tables]
        return Check("dead_rows", status,
                     f"{len(tables)} table(s) over the dead-row ratio: {_names(items)} "
                     "(musicdb vacuum-table --all)", details)
    return Check("dead_rows", OK,
                 f"no table with {t.dead_rows_min}+ dead rows over "
                 f"{t.dead_ratio_warning:.0%}", details)


@check("bloat", "estimated table bloat (heap space holding no live rows) of large tables")
def check_bloat(ctx: Context) -> Check:
    t = ctx.thresholds
    tables = []
    status = OK
    judged = 0
    for r in ctx.facts.table_stats.rows:
        if (r.heap_bytes or 0) < t.bloat_min_bytes or r.bloat_ratio is None:
            continue
        judged += 1
        ratio = float(r.bloat_ratio)
        level = _level(ratio, t.bloat_ratio_warning, t.bloat_ratio_critical)
        if level != OK:
            tables.append({"table": r.qualified, "bytes": r.heap_bytes, "bloat_ratio": ratio,
                           "bloat_bytes": r.bloat_bytes, "basis": r.bloat_basis,
                           "status": level})
            status = worst((status, level))
    details = {"tables": tables, "tables_judged": judged, "min_bytes": t.bloat_min_bytes}
    if tables:
        items = [f"{x['table']} ~{x['bloat_ratio']:.0%}" for x in tables]
        return Check("bloat", status,
                     f"{len(tables)} table(s) with estimated bloat: {_names(items)} "
                     "(musicdb table-stats --exact; VACUUM FULL or pg_repack)",
                     details)
    return Check("bloat", OK,
                 f"no table of {t.bloat_min_bytes // (1024 * 1024)} MB+ over "
                 f"{t.bloat_ratio_warning:.0%} estimated bloat ({judged} judged)", details)


@check("wraparound", "transaction-ID and multixact headroom before wraparound")
def check_wraparound(ctx: Context) -> Check:
    t = ctx.thresholds
    rows = ctx.rows(
        "SELECT datname, age(datfrozenxid)::bigint, mxid_age(datminmxid)::bigint"
        " FROM pg_catalog.pg_database WHERE datallowconn ORDER BY 2 DESC"
    )
    databases = [{"database": r[0], "xid_age": r[1], "mxid_age": r[2],
                  "used": max(r[1], r[2]) / XID_HORIZON} for r in rows]
    if not databases:
        raise CannotRun("no database visible in pg_database")
    top = max(databases, key=lambda d: d["used"])
    status = _level(top["used"], t.wraparound_warning, t.wraparound_critical)
    message = (f"oldest: {top['database']} at xid age {top['xid_age']:,}, multixact age "
               f"{top['mxid_age']:,} ({top['used']:.1%} of the 2^31 horizon)")
    if status != OK:
        message += "; VACUUM (FREEZE) that database and look for what holds back the horizon"
    return Check("wraparound", status, message, {"databases": databases})


_SEQUENCES = """
SELECT s.schemaname || '.' || s.sequencename, s.last_value, s.min_value, s.max_value,
       s.increment_by, s.cycle,
       (SELECT min(CASE a.atttypid WHEN 'int2'::regtype THEN 32767
                                   WHEN 'int4'::regtype THEN 2147483647 END)
        FROM pg_catalog.pg_depend AS d
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i'))
FROM pg_catalog.pg_sequences AS s
JOIN pg_catalog.pg_namespace AS n ON n.nspname = s.schemaname
JOIN pg_catalog.pg_class AS c ON c.relnamespace = n.oid AND c.relname = s.sequencename
WHERE s.schemaname !~ '^pg_' AND s.schemaname <> 'information_schema'
ORDER BY 1
"""


@check("sequences", "sequences (and the integer columns they feed) far from their maximum")
def check_sequences(ctx: Context) -> Check:
    t = ctx.thresholds
    found = []
    status = OK
    unreadable = 0
    for name, last, low, high, step, cycle, column_max in ctx.rows(_SEQUENCES):
        if last is None:  # never used, or no USAGE/SELECT privilege on it
            unreadable += 1
            continue
        if cycle:
            continue
        if step > 0:
            limit = min(high, column_max) if column_max else high
            used = (last - low) / (limit - low) if limit > low else 1.0
        else:
            used = (high - last) / (high - low) if high > low else 1.0
        level = _level(used, t.sequence_warning, t.sequence_critical)
        if level != OK:
            found.append({"sequence": name, "last_value": last, "limit": limit if step > 0
                          else low, "used": used, "status": level})
            status = worst((status, level))
    details = {"sequences": found, "not_read": unreadable}
    if found:
        items = [f"{s['sequence']} {s['used']:.0%}" for s in found]
        return Check("sequences", status,
                     f"{len(found)} sequence(s) near their maximum: {_names(items)}; "
                     "widen the column to bigint", details)
    return Check("sequences", OK,
                 f"every used sequence is under {t.sequence_warning:.0%} of its range", details)


def _sessions(ctx: Context, where: str) -> tuple[list[dict[str, Any]], int]:
    """Client sessions other than ours matching *where*, and how many hide their details."""
    rows = ctx.rows(
        "SELECT pid, usename, application_name, state, now() - xact_start, now() - state_change,"
        " left(query, 200), xact_start IS NULL AND query = '<insufficient privilege>'"
        " FROM pg_catalog.pg_stat_activity"
        " WHERE backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()"
    )
    hidden = sum(1 for r in rows if r[7])
    out = [
        {"pid": r[0], "user": r[1], "application": r[2], "state": r[3],
         "transaction_s": _seconds(r[4]), "state_s": _seconds(r[5]), "query": r[6]}
        for r in rows if not r[7]
    ]
    if where == "transaction":
        out = [s for s in out if s["transaction_s"] is not None]
    elif where == "idle":
        out = [s for s in out if (s["state"] or "").startswith("idle in transaction")]
    return out, hidden


def _hidden_note(hidden: int) -> str:
    return (f"; {hidden} session(s) of other roles not visible (grant pg_read_all_stats)"
            if hidden else "")


@check("long_transactions", "no transaction open for long (holds back vacuum, keeps locks)")
def check_long_transactions(ctx: Context) -> Check:
    t = ctx.thresholds
    sessions, hidden = _sessions(ctx, "transaction")
    sessions.sort(key=lambda s: -(s["transaction_s"] or 0))
    longest = sessions[0]["transaction_s"] if sessions else 0.0
    status = _level(longest, t.long_transaction_warning.total_seconds(),
                    t.long_transaction_critical.total_seconds())
    over = [s for s in sessions if s["transaction_s"] >= t.long_transaction_warning.total_seconds()]
    details = {"longest_s": longest, "sessions": over, "hidden_sessions": hidden}
    if status == OK:
        return Check("long_transactions", OK,
                     f"longest open transaction {_human(longest)}{_hidden_note(hidden)}",
                     details)
    top = over[0]
    return Check("long_transactions", status,
                 f"{len(over)} transaction(s) open longer than "
                 f"{_human(t.long_transaction_warning.total_seconds())}; longest "
                 f"{_human(longest)} (pid {top['pid']}, {top['application'] or 'no application'}, "
                 f"{top['state']})", details)


@check("idle_in_transaction", "no session sits idle inside an open transaction")
def check_idle_in_transaction(ctx: Context) -> Check:
    t = ctx.thresholds
    sessions, hidden = _sessions(ctx, "idle")
    sessions.sort(key=lambda s: -(s["state_s"] or 0))
    longest = (sessions[0]["state_s"] or 0.0) if sessions else 0.0
    status = _level(longest, t.idle_in_transaction_warning.total_seconds(),
                    t.idle_in_transaction_critical.total_seconds())
    details = {"longest_s": longest, "sessions": sessions, "hidden_sessions": hidden}
    if status == OK:
        message = (f"{len(sessions)} session(s) idle in transaction, longest {_human(longest)}"
                   if sessions else "no session idle in transaction")
        return Check("idle_in_transaction", OK, message + _hidden_note(hidden), details)
    top = sessions[0]
    return Check("idle_in_transaction", status,
                 f"{len(sessions)} session(s) idle in transaction; longest {_human(longest)} "
                 f"(pid {top['pid']}, {top['application'] or 'no application'}); set "
                 "idle_in_transaction_session_timeout or fix the client", details)


@check("blocking", "no session waits long for a lock another session holds")
def check_blocking(ctx: Context) -> Check:
    t = ctx.thresholds
    rows = ctx.rows(
        "SELECT a.pid, pg_catalog.pg_blocking_pids(a.pid), a.application_name,"
        " now() - coalesce(min(l.waitstart), a.state_change), left(a.query, 200)"
        " FROM pg_catalog.pg_stat_activity AS a"
        " LEFT JOIN pg_catalog.pg_locks AS l ON l.pid = a.pid AND NOT l.granted"
        " WHERE a.wait_event_type = 'Lock' AND a.pid <> pg_catalog.pg_backend_pid()"
        " GROUP BY a.pid, a.application_name, a.state_change, a.query"
    )
    waiting = [{"pid": r[0], "blocked_by": list(r[1]), "application": r[2],
                "waiting_s": _seconds(r[3]) or 0.0, "query": r[4]}
               for r in rows if r[1]]
    waiting.sort(key=lambda w: -w["waiting_s"])
    longest = waiting[0]["waiting_s"] if waiting else 0.0
    status = _level(longest, t.blocking_warning.total_seconds(),
                    t.blocking_critical.total_seconds())
    blockers = sorted({pid for w in waiting for pid in w["blocked_by"]})
    details = {"waiting": waiting, "blockers": blockers, "longest_s": longest}
    if not waiting:
        return Check("blocking", OK, "no session waits for a lock", details)
    message = (f"{len(waiting)} session(s) waiting for locks held by pid(s) "
               f"{', '.join(map(str, blockers))}; longest wait {_human(longest)}")
    if status != OK:
        message += " (musicdb lock-info)"
    return Check("blocking", status, message, details)


@check("cache_hit_ratio", "share of block reads served from shared buffers in this database")
def check_cache_hit_ratio(ctx: Context) -> Check:
    t = ctx.thresholds
    hit, read = ctx.one(
        "SELECT blks_hit, blks_read FROM pg_catalog.pg_stat_database"
        " WHERE datname = current_database()"
    )
    total = int(hit or 0) + int(read or 0)
    ratio = (int(hit or 0) / total) if total else None
    details = {"blks_hit": hit, "blks_read": read, "ratio": ratio}
    if ratio is None or total < t.cache_hit_min_blocks:
        return Check("cache_hit_ratio", OK,
                     f"too little activity to judge ({total:,} block reads, "
                     f"cache_hit_min_blocks {t.cache_hit_min_blocks:,})", details)
    status = _level(ratio, t.cache_hit_warning, t.cache_hit_critical, higher_is_worse=False)
    message = f"{ratio:.2%} of {total:,} block reads hit the cache"
    if status != OK:
        message += " (shared_buffers too small for the working set?)"
    return Check("cache_hit_ratio", status, message, details)


@check("view_staleness", "every materialized view is populated and refreshed recently")
def check_view_staleness(ctx: Context) -> Check:
    from musicdb.ops import maintenance

    t = ctx.thresholds
    views = maintenance.list_relations(ctx.conn, ("m",))
    if not views:
        return Check("view_staleness", OK, "no materialized view", {"views": []})
    if not maintenance.log_available(ctx.conn):
        raise CannotRun("maintenance_log does not exist (musicdb migrate up), so refreshes "
                        "are not recorded")
    rows = ctx.rows(
        "SELECT target, max(coalesce(finished_at, started_at)) FILTER (WHERE outcome = 'ok'),"
        " max(started_at) FILTER (WHERE outcome <> 'ok'),"
        " (array_agg(duration_ms ORDER BY started_at DESC) FILTER (WHERE outcome = 'ok'))[1]"
        " FROM public.maintenance_log WHERE operation = %s AND target = ANY (%s) GROUP BY target",
        (maintenance.OP_REFRESH, [v.qualified for v in views]),
    )
    log = {r[0]: r for r in rows}
    now = ctx.one("SELECT now()")[0]
    items, status = [], OK
    for view in views:
        _, last_ok, last_failed, last_ms = log.get(view.qualified, (None, None, None, None))
        age = (now - last_ok).total_seconds() if last_ok else None
        if not view.populated:
            level, why = CRITICAL, "not populated: reading it fails"
        elif last_ok is None:
            level, why = WARNING, "never refreshed by musicdb"
        else:
            level = _level(age or 0.0, t.view_stale_warning.total_seconds(),
                           t.view_stale_critical.total_seconds())
            why = f"refreshed {_human(age or 0.0)} ago"
        if last_failed is not None and (last_ok is None or last_failed > last_ok):
            why += "; the latest refresh attempt failed"
        items.append({"view": view.qualified, "populated": view.populated,
                      "last_refresh": last_ok, "age_s": age, "last_failure": last_failed,
                      "last_duration_s": None if last_ms is None else float(last_ms) / 1000,
                      "status": level, "message": why})
        status = worst((status, level))
    details = {"views": items}
    bad = [f"{i['view']} ({i['message']})" for i in items if i["status"] != OK]
    if bad:
        return Check("view_staleness", status,
                     f"{_names(bad, 3)}; musicdb refresh-view NAME", details)
    oldest = max(i["age_s"] or 0.0 for i in items)
    message = f"{len(items)} view(s) refreshed within {_human(oldest)}"
    failing = [i["view"] for i in items if i["message"].endswith("attempt failed")]
    if failing:
        message += f"; the latest refresh attempt failed: {', '.join(failing)}"
    return Check("view_staleness", OK, message, details)


# The partitions of user_interactions (musicdb.partitions): kept ahead, default partition empty,
# nothing older than the retention.
def _partitions(ctx: Context) -> list[Any]:
    from musicdb.partitions import catalog, conversion

    if not conversion.is_partitioned(ctx.conn):
        return []
    return catalog.partitions(ctx.conn)


@check("partitions_ahead", "user_interactions has month partitions premade ahead")
def check_partitions_ahead(ctx: Context) -> Check:
    from musicdb.partitions import catalog

    parts = _partitions(ctx)
    if not parts:
        return Check("partitions_ahead", OK, "user_interactions is not partitioned", {})
    t = ctx.thresholds
    ahead = catalog.months_ahead(parts, catalog.server_month(ctx.conn))
    status = (CRITICAL if ahead <= t.partitions_ahead_critical
              else WARNING if ahead < t.partitions_ahead_warning else OK)
    message = f"{ahead} month(s) premade ahead"
    if status != OK:
        message += ("; events of a month without a partition go to the default partition "
                    "(musicdb partitions premake)")
    return Check("partitions_ahead", status, message, {"months_ahead": ahead})


@check("default_partition_rows", "the default partition of user_interactions holds no rows")
def check_default_partition_rows(ctx: Context) -> Check:
    from musicdb.partitions import catalog

    default = catalog.default_partition(_partitions(ctx))
    if default is None:
        return Check("default_partition_rows", OK, "no default partition", {})
    rows = catalog.count(ctx.conn, default.name)
    details = {"partition": default.name, "rows": rows}
    if rows:
        return Check("default_partition_rows", WARNING,
                     f"{default.name} holds {rows:,} row(s) no month partition covers "
                     "(musicdb partitions split; then premake)", details)
    return Check("default_partition_rows", OK, f"{default.name} is empty", details)


@check("partition_retention", "no partition of user_interactions is older than the retention")
def check_partition_retention(ctx: Context) -> Check:
    from musicdb.partitions import catalog

    months = ctx.thresholds.partition_retention_months
    cutoff = catalog.retention_cutoff(ctx.conn, months)
    old = [p.name for p in catalog.wholly_before(_partitions(ctx), cutoff)]
    details = {"retention_months": months, "cutoff": cutoff.isoformat(), "partitions": old}
    if old:
        return Check("partition_retention", WARNING,
                     f"{len(old)} partition(s) older than {months} months: {_names(old, 3)} "
                     f"(musicdb partitions retire --older-than {months}months)",
                     details)
    return Check("partition_retention", OK, f"no partition older than {months} months", details)


@check("pg_stat_statements", "pg_stat_statements is installed and collecting")
def check_pg_stat_statements(ctx: Context) -> Check:
    import psycopg

    row = ctx.rows("SELECT extversion FROM pg_catalog.pg_extension"
                   " WHERE extname = 'pg_stat_statements'")
    preload = ctx.one("SELECT current_setting('shared_preload_libraries')")[0]
    details: dict[str, Any] = {"version": row[0][0] if row else None,
                               "shared_preload_libraries": preload}
    if not row:
        raise CannotRun(
            "the pg_stat_statements extension is not installed in this database "
            "(CREATE EXTENSION pg_stat_statements; it needs shared_preload_libraries)"
        )
    schema = ctx.one("SELECT n.nspname FROM pg_catalog.pg_extension AS e JOIN"
                     " pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace"
                     " WHERE e.extname = 'pg_stat_statements'")[0]
    from psycopg import sql

    try:
        count = ctx.one(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier(schema, "pg_stat_statements")))[0]
    except psycopg.Error as exc:
        raise CannotRun(
            f"pg_stat_statements is installed but cannot be read: {db.describe_error(exc)}"
        ) from exc
    details["statements"] = count
    return Check("pg_stat_statements", OK,
                 f"version {details['version']}, {count} statement(s) tracked", details)


# -- replication: replay lag (either role), slots (the primary), the WAL receiver (a standby) --
def _replication(ctx: Context) -> Any:
    from musicdb.reports.replication import replication_status

    return replication_status(ctx.conn)


def _bytes(value: float) -> str:
    from musicdb.render import human_bytes

    return human_bytes(value)


@check("replay_lag", "standbys replay close behind the primary (seconds and bytes)")
def check_replay_lag(ctx: Context) -> Check:
    found = _replication(ctx)
    t = ctx.thresholds
    if found.role == "standby":
        lagging = list(found.rows)
    else:
        lagging = found.standbys()
        if not lagging:
            return Check("replay_lag", OK, "no standby connected", {"role": "primary",
                                                                   "standbys": []})
    items = []
    for row in lagging:
        seconds, size = row.replay_lag_s or 0.0, row.replay_lag_bytes or 0
        status = worst([
            _level(seconds, t.replay_lag_warning.total_seconds(),
                   t.replay_lag_critical.total_seconds()),
            _level(size, t.replay_lag_warning_bytes, t.replay_lag_critical_bytes),
        ])
        items.append({"name": row.name, "status": status, "replay_lag_s": row.replay_lag_s,
                      "replay_lag_bytes": row.replay_lag_bytes})
    details = {"role": found.role, "replay_paused": found.replay_paused, "standbys": items}
    status = worst(i["status"] for i in items)
    where = ("this standby replays {} behind {}" if found.role == "standby"
             else "standby {1} {0} behind")
    described = [where.format(f"{_human(i['replay_lag_s'] or 0.0)} / "
                              f"{_bytes(i['replay_lag_bytes'] or 0)}", i["name"])
                 for i in items]
    if status == OK:
        return Check("replay_lag", OK, f"within the lag thresholds: {_names(described, 3)}",
                     details)
    bad = [d for d, i in zip(described, items, strict=True) if i["status"] != OK]
    paused = " (replay is paused)" if found.replay_paused else ""
    return Check("replay_lag", status, _names(bad, 3) + paused, details)


@check("inactive_slots", "no inactive replication slot keeps WAL from being recycled (primary)")
def check_inactive_slots(ctx: Context) -> Check:
    found = _replication(ctx)
    if found.role != "primary":
        raise OtherRole("replication slots are judged on the primary: this server is a standby")
    inactive = [r for r in found.slots() if not r.active]
    items = [{"slot": r.name, "retained_bytes": r.retained_bytes, "wal_status": r.wal_status}
             for r in inactive]
    details = {"slots": len(found.slots()), "inactive": items}
    if not inactive:
        return Check("inactive_slots", OK, f"{len(found.slots())} slot(s), none inactive", details)
    limit = ctx.thresholds.slot_retained_critical_bytes
    status = CRITICAL if any((i["retained_bytes"] or 0) >= limit for i in items) else WARNING
    described = [f"{i['slot']} retains {_bytes(i['retained_bytes'] or 0)}" for i in items]
    return Check("inactive_slots", status,
                 f"{len(items)} inactive slot(s): {_names(described, 3)} (drop the slot with "
                 "pg_drop_replication_slot() or bring its consumer back)", details)


@check("wal_receiver", "a standby's WAL receiver is streaming from its upstream (standby)")
def check_wal_receiver(ctx: Context) -> Check:
    found = _replication(ctx)
    upstream = found.upstream()
    if found.role != "standby" or upstream is None:
        raise OtherRole("this server is the primary: it has no WAL receiver")
    details = {"upstream": upstream.name, "status": upstream.state, "slot": upstream.client}
    if upstream.state != "streaming":
        return Check("wal_receiver", CRITICAL,
                     f"the WAL receiver is {upstream.state} (upstream {upstream.name})",
                     details)
    return Check("wal_receiver", OK, f"streaming from {upstream.name}", details)
