"""``analyze-queries``: the top statements of pg_stat_statements, and how to reach the extension."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicdb.errors import UsageError
from musicdb.render import Column
from musicdb.reports._common import (
    Extension,
    ReportResult,
    ReportUnavailable,
    check_positive,
    extension,
    version_label,
)
from musicdb.reports._sql import fetch, one, pick_sql_file

if TYPE_CHECKING:
    import psycopg

ORDERS = ("total", "mean", "calls")
HIDDEN_TEXT = "<insufficient privilege>"
DEFAULT_ORDER = "total"
DEFAULT_LIMIT = 20


def pg_stat_statements_extension(conn: psycopg.Connection[Any]) -> Extension:
    """pg_stat_statements as installed here (version and schema) and loaded, or
    :class:`ReportUnavailable` saying what to do.

    Its objects are called qualified with its schema (``CREATE EXTENSION ... SCHEMA ext`` puts them
    outside the search path). Whether the library is loaded is asked of the cheap
    ``pg_stat_statements_info`` view (1.9 on) rather than a read of every statement.
    """
    import psycopg
    from psycopg import sql

    found = extension(conn, "pg_stat_statements")
    if found is None:
        from musicdb import db

        if db.in_recovery(conn):
            raise ReportUnavailable(
                "pg_stat_statements is not installed in this database, and this server is a "
                "standby (read-only): run 'CREATE EXTENSION pg_stat_statements' on the primary"
            )
        preload = (
            ""
            if _preloaded(conn)
            else (" (and add it to shared_preload_libraries, then restart the server)")
        )
        raise ReportUnavailable(
            "pg_stat_statements is not installed in this database: run "
            f"'CREATE EXTENSION pg_stat_statements'{preload}"
        )
    probe = (
        "SELECT stats_reset FROM {}.pg_stat_statements_info"
        if found.version >= (1, 9)
        else "SELECT 1 FROM {}.pg_stat_statements(false) LIMIT 1"
    )
    try:
        with conn.transaction():
            conn.execute(sql.SQL(probe).format(sql.Identifier(found.schema)))
    except psycopg.errors.ObjectNotInPrerequisiteState:
        raise ReportUnavailable(
            "pg_stat_statements is installed but not loaded: add it to shared_preload_libraries "
            "in postgresql.conf and restart the server"
        ) from None
    return found


def pg_stat_statements_version(conn: psycopg.Connection[Any]) -> tuple[int, ...]:
    """The installed pg_stat_statements version (see :func:`pg_stat_statements_extension`)."""
    return pg_stat_statements_extension(conn).version


def _preloaded(conn: psycopg.Connection[Any]) -> bool:
    value = one(conn, "SELECT current_setting('shared_preload_libraries', true)")
    return value is not None and "pg_stat_statements" in str(value)


@dataclass(slots=True)
class QueryRow:
    """One statement of pg_stat_statements: its rank in the chosen order and its figures."""

    rank: int
    queryid: int | None
    calls: int
    rows: int
    mean_ms: float
    total_ms: float
    #: its share of the total time of all statements read (None: no time at all)
    share: float | None
    io_ms: float
    user: str | None
    #: the text, whitespace collapsed; :data:`HIDDEN_TEXT` when the role may not see it
    query: str


@dataclass(kw_only=True)
class QueryStats(ReportResult[QueryRow]):
    NAME = "analyze-queries"
    TITLE = "Top statements (pg_stat_statements)"
    COLUMNS = (
        Column("rank", "#", "count"),
        Column("calls", "Calls", "count"),
        Column("rows", "Rows", "count"),
        Column("mean_ms", "Mean", "ms"),
        Column("total_ms", "Total", "ms"),
        Column("share", "Share", "ratio"),
        Column("io_ms", "I/O", "ms"),
        Column("user", "User"),
        Column("query", "Query", wrap=True),
    )

    order: str
    #: statements pg_stat_statements holds (of this database unless all were asked)
    statements: int
    pss_version: tuple[int, ...]
    sql_file: str
    #: pg_stat_statements_info.stats_reset (1.9 on), else None
    stats_reset: dt.datetime | None = None
    hidden: int = 0

    def report_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "order": self.order,
            "statements": self.statements,
            "pg_stat_statements": ".".join(map(str, self.pss_version)),
            "sql_file": self.sql_file,
        }
        if self.stats_reset:
            meta["stats_reset"] = self.stats_reset
        return meta

    def report_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.hidden:
            notes.append(
                f"{self.hidden} statement text(s) hidden: other users' texts need "
                "pg_read_all_stats (or pg_monitor)"
            )
        return notes


def analyze_queries(
    conn: psycopg.Connection[Any],
    *,
    order: str = DEFAULT_ORDER,
    limit: int = DEFAULT_LIMIT,
    all_databases: bool = False,
) -> QueryStats:
    """Top statements from pg_stat_statements by total time, mean time or calls.

    Statistics are read without texts first (``pg_stat_statements(false)``); the texts are then
    fetched for the rows shown only. Texts keep their full length (whitespace collapsed); the table
    renderer cuts them to the terminal width.
    """
    if order not in ORDERS:
        raise UsageError(f"--order must be one of {', '.join(ORDERS)} (got {order!r})")
    check_positive("--limit", limit, allow_zero=False)
    ext = pg_stat_statements_extension(conn)
    pss, schema = ext.version, {"pss": ext.schema}
    params = {"order": order, "limit": limit, "all_databases": all_databases}
    stats = fetch(conn, "query_stats", params, pss_version=pss, identifiers=schema)
    ids = [r["queryid"] for r in stats if r["queryid"] is not None]
    texts: dict[tuple[Any, Any, Any], str] = {}
    if ids:
        for t in fetch(conn, "query_texts", {"queryids": ids}, pss_version=pss,
                       identifiers=schema):
            texts[(t["queryid"], t["userid"], t["dbid"])] = t["query"]
    rows = []
    hidden = 0
    for rank, r in enumerate(stats, 1):
        text = texts.get((r["queryid"], r["userid"], r["dbid"]))
        if text is None or text == HIDDEN_TEXT:
            hidden += 1
            text = HIDDEN_TEXT
        rows.append(QueryRow(
            rank, r["queryid"], r["calls"], r["rows"], float(r["mean_ms"]), float(r["total_ms"]),
            float(r["share"]) if r["share"] is not None else None, float(r["io_ms"]),
            r["user_name"], " ".join(text.split()),
        ))
    return QueryStats(
        rows=rows,
        server_version=version_label(conn),
        order=order,
        statements=stats[0]["statements"] if stats else 0,
        pss_version=pss,
        sql_file=pick_sql_file(
            "query_stats", server_version_num=conn.info.server_version, pss_version=pss
        ),
        stats_reset=_pss_info(conn, ext),
        hidden=hidden,
    )


def _pss_info(conn: psycopg.Connection[Any], ext: Extension) -> Any:
    """pg_stat_statements_info.stats_reset (pg_stat_statements 1.9 on), else None."""
    from psycopg import sql

    if ext.version < (1, 9):
        return None
    query = sql.SQL("SELECT stats_reset FROM {}.pg_stat_statements_info").format(
        sql.Identifier(ext.schema)
    )
    return one(conn, query)
