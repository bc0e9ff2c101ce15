"""``table-stats``: per table sizes, live and dead rows against autovacuum's threshold, estimated
(or, with pgstattuple, measured) bloat and the last maintenance."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicdb.render import Column
from musicdb.reports._common import (
    RELPAGES_NOTE,
    ReportResult,
    check_positive,
    check_schema,
    create_extension_hint,
    installed_extension,
    version_label,
)
from musicdb.reports._sql import fetch, one

if TYPE_CHECKING:
    import psycopg

#: How ``table-stats`` says why a table's bloat is unknown, and what to do about it.
_UNKNOWN_HINTS = {
    "never analyzed": "run ANALYZE",
    "stale statistics": "run ANALYZE",
    "no statistics": "run ANALYZE",
}


@dataclass(slots=True)
class TableRow:
    """One table: sizes in bytes, row counts, bloat and maintenance times (raw values)."""

    oid: int
    schema: str
    table: str
    heap_bytes: int
    index_bytes: int
    toast_bytes: int
    live_rows: int | None
    dead_rows: int | None
    #: dead rows at which autovacuum starts on it, and the dead rows against that
    dead_threshold: int | None
    dead_vs_threshold: float
    bloat_bytes: int | None
    bloat_ratio: float | None
    #: ``estimate``, ``pgstattuple`` or ``unknown: <why>``
    bloat_basis: str
    last_vacuum: dt.datetime | None
    last_autovacuum: dt.datetime | None
    last_analyze: dt.datetime | None
    last_autoanalyze: dt.datetime | None
    #: the table's fillfactor, in percent
    fillfactor: float

    @property
    def total_bytes(self) -> int:
        return self.heap_bytes + self.index_bytes + self.toast_bytes

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(kw_only=True)
class TableStats(ReportResult[TableRow]):
    NAME = "table-stats"
    TITLE = "Tables: sizes, dead rows, bloat, maintenance"
    COLUMNS = (
        Column("schema", "Schema"),
        Column("table", "Table"),
        Column("total_bytes", "Total", "bytes"),
        Column("heap_bytes", "Heap", "bytes"),
        Column("index_bytes", "Indexes", "bytes"),
        Column("toast_bytes", "TOAST", "bytes"),
        Column("live_rows", "Live rows", "count"),
        Column("dead_rows", "Dead rows", "count"),
        Column("dead_threshold", "Autovacuum at", "count", table=False),
        Column("dead_vs_threshold", "Dead/threshold", "ratio"),
        Column("bloat_bytes", "Bloat", "bytes"),
        Column("bloat_ratio", "Bloat %", "ratio"),
        Column("bloat_basis", "Bloat basis"),
        Column("last_vacuum", "Last vacuum", "timestamp", table=False),
        Column("last_autovacuum", "Last autovacuum", "timestamp"),
        Column("last_analyze", "Last analyze", "timestamp"),
        Column("last_autoanalyze", "Last autoanalyze", "timestamp", table=False),
    )

    #: tables in the catalog (``rows`` holds the largest *limit* of them)
    tables: int
    limit: int | None = None
    exact_sizes: bool = False
    #: how many tables pgstattuple measured (None: not asked)
    exact_measured: int | None = None

    def report_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "tables": self.tables,
            "shown": len(self.rows),
            "size_source": "pg_table_size" if self.exact_sizes else "pg_class.relpages",
        }
        if self.exact_measured is not None:
            meta["exact_measured"] = self.exact_measured
        return meta

    def report_notes(self) -> list[str]:
        notes = []
        if self.limit and self.tables > len(self.rows):
            notes.append(
                f"showing the {len(self.rows)} largest of {self.tables} tables (--limit 0: all)"
            )
        unknown: dict[str, int] = {}
        for row in self.rows:
            if row.bloat_basis.startswith("unknown"):
                unknown[row.bloat_basis] = unknown.get(row.bloat_basis, 0) + 1
        for basis, count in sorted(unknown.items()):
            reason = basis.removeprefix("unknown: ")
            hint = _UNKNOWN_HINTS.get(reason, "grant SELECT on the tables or run as their owner")
            notes.append(f"bloat unknown for {count} table(s): {reason} ({hint})")
        notes.extend(self.notes)
        if not self.exact_sizes:
            notes.append(RELPAGES_NOTE)
        return notes


def table_stats(
    conn: psycopg.Connection[Any],
    schema: str | None = None,
    *,
    limit: int | None = None,
    exact: int = 0,
    exact_sizes: bool = False,
) -> TableStats:
    """Per table: sizes, live/dead rows against autovacuum's threshold, bloat, last maintenance.

    Rows come largest first; *limit* keeps the first N (None: all). Bloat is a statistical estimate
    from the column statistics of the tables shown (``pg_statistic`` when the role may read it,
    else ``pg_stats``; see :func:`bloat_estimate`): ``bloat_basis`` says ``estimate`` or why it is
    unknown (then the bytes are NULL, never a guess); *exact* measures the first N tables with
    ``pgstattuple`` instead (``bloat_basis = "pgstattuple"``), which reads each of them in full.
    """
    check_schema(conn, schema)
    check_positive("--limit", limit)
    check_positive("--exact", exact)
    raw = fetch(
        conn, "table_stats", {"schema": schema, "exact_sizes": exact_sizes, "limit": limit or None}
    )
    widths = _table_widths(conn, raw)
    rows = []
    for r in raw:
        basis, bloat = bloat_estimate(r, widths.get(r["oid"]))
        heap_stats = r["heap_stats_bytes"]
        ratio = (bloat / heap_stats if heap_stats else 0.0) if bloat is not None else None
        rows.append(TableRow(
            r["oid"], r["schema_name"], r["table_name"], r["heap_bytes"], r["index_bytes"],
            r["toast_bytes"], r["live_rows"], r["dead_rows"], r["dead_threshold"],
            float(r["dead_vs_threshold"]), bloat, ratio, basis, r["last_vacuum"],
            r["last_autovacuum"], r["last_analyze"], r["last_autoanalyze"], float(r["fillfactor"]),
        ))
    result = TableStats(
        rows=rows,
        server_version=version_label(conn),
        tables=raw[0]["total_tables"] if raw else 0,
        limit=limit,
        exact_sizes=exact_sizes,
    )
    if exact:
        _measure_exact(conn, result, rows[:exact])
    return result


def _table_widths(
    conn: psycopg.Connection[Any], raw: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """``{oid: figures}`` the bloat estimate needs, for the tables of *raw* only.

    A role that may read ``pg_statistic`` (a superuser) gets them from there; any other role from
    the ``pg_stats`` view, which hides the columns it may not SELECT.
    """
    if not raw:
        return {}
    params = {
        "oids": [r["oid"] for r in raw],
        "schemas": [r["schema_name"] for r in raw],
        "tables": [r["table_name"] for r in raw],
    }
    direct = one(conn, "SELECT has_table_privilege('pg_catalog.pg_statistic', 'SELECT')")
    base = "table_widths_statistic" if direct else "table_widths"
    return {w["oid"]: w for w in fetch(conn, base, params)}


def bloat_estimate(r: Mapping[str, Any], w: Mapping[str, Any] | None) -> tuple[str, int | None]:
    """``(bloat_basis, bloat bytes or None)`` of one table from its pages, rows and column widths.

    Expected heap pages: rows / rows per page, a row being its header (23 bytes plus the NULL
    bitmap, MAXALIGNed), its data (the sum of average widths weighted by the non-NULL fraction,
    MAXALIGNed) and a 4-byte line pointer, pages holding (block size - 24) * fillfactor bytes.
    Unknown (None) when the statistics are missing, hidden or stale: never a guess.
    """
    ncols = int(w["ncols"]) if w else 0
    with_stats = int(w["ncols_with_stats"] or 0) if w else 0
    if r["relpages"] == 0:
        basis = "estimate"
    elif r["reltuples"] < 0:
        basis = "unknown: never analyzed"
    elif with_stats < ncols and not r["can_select"]:
        basis = "unknown: no SELECT privilege (pg_stats hides the statistics)"
    elif with_stats < ncols:
        basis = "unknown: no statistics"
    elif r["mod_since_analyze"] > r["analyze_threshold"]:
        basis = "unknown: stale statistics"
    else:
        basis = "estimate"
    if basis != "estimate":
        return basis, None
    bs = int(r["bs"])
    max_null_frac = float(w["max_null_frac"] or 0) if w else 0.0
    data_width = float(w["data_width"] or 0) if w else 0.0
    header = 23 + (math.ceil(ncols / 8) if max_null_frac > 0 else 0)
    tuple_bytes = math.ceil(header / 8) * 8 + math.ceil(data_width / 8) * 8 + 4
    per_page = max(math.floor((bs - 24) * float(r["fillfactor"]) / 100 / tuple_bytes), 1)
    expected = math.ceil(max(float(r["reltuples"]), 0.0) / per_page)
    return basis, max(int(r["relpages"]) - expected, 0) * bs


def _measure_exact(conn: psycopg.Connection[Any], result: TableStats, rows: list[TableRow]) -> None:
    """Replace the estimated bloat of *rows* by pgstattuple's measurement."""
    import psycopg

    if installed_extension(conn, "pgstattuple") is None:
        how = create_extension_hint(
            conn, "pgstattuple",
            missing="install PostgreSQL's contrib package, then CREATE EXTENSION pgstattuple",
        )
        result.notes.append(f"--exact needs the pgstattuple extension: {how}")
        return
    measured = 0
    for row in rows:
        try:
            with conn.transaction():
                got = conn.execute(
                    "SELECT table_len, dead_tuple_len, free_space FROM pgstattuple(%s::oid)",
                    (row.oid,),
                ).fetchone()
        except psycopg.errors.InsufficientPrivilege:
            result.notes.append(
                "--exact: pgstattuple needs the pg_stat_scan_tables role (or pg_monitor)"
            )
            return
        except psycopg.errors.UndefinedTable:
            continue  # dropped since the listing
        assert got is not None
        table_len, dead_len, free = got
        reserve = table_len * (100 - row.fillfactor) / 100
        bloat = max(int(dead_len + free - reserve), 0)
        row.bloat_bytes = bloat
        row.bloat_ratio = bloat / table_len if table_len else 0.0
        row.bloat_basis = "pgstattuple"
        measured += 1
    result.exact_measured = measured
