"""DBA reports: one ``.sql`` file per query, a small registry, one plain function per report.

Every report function takes an open psycopg connection and returns a typed result (a
:class:`ReportResult`: dataclass rows of raw values, bytes, milliseconds, counts, ratios, plus the
facts around them); its ``to_report()`` gives the :class:`musicdb.render.Report` that
:func:`musicdb.render.emit` turns into a table, JSON or CSV. The SQL reads ``pg_catalog``, binds
every value and never formats numbers.

The areas: :mod:`._sql` (the SQL files and their version variants), :mod:`.indexes`
(analyze-indexes, missing-indexes, with :mod:`.whatif` for hypopg), :mod:`.tables` (table-stats),
:mod:`.queries` (analyze-queries), :mod:`.activity` (connection-stats, lock-info) and
:mod:`.facts` (one run's catalog facts, computed once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb.errors import NotFound
from musicdb.reports._common import (
    Extension,
    ReportResult,
    ReportUnavailable,
    StatsSince,
    available_extension,
    extension,
    installed_extension,
    stats_since,
)
from musicdb.reports._sql import QUERY_SETTINGS, fetch, fetch_tuples, pick_sql_file, query_text
from musicdb.reports.activity import ConnectionStats, LockInfo, connection_stats, lock_info
from musicdb.reports.facts import CatalogFacts
from musicdb.reports.indexes import (
    IndexRow,
    IndexVerdicts,
    MissingIndexes,
    MissingIndexRow,
    index_verdicts,
    missing_indexes,
)
from musicdb.reports.queries import (
    QueryStats,
    analyze_queries,
    pg_stat_statements_extension,
    pg_stat_statements_version,
)
from musicdb.reports.tables import TableRow, TableStats, table_stats

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Column

__all__ = [
    "QUERY_SETTINGS", "REGISTRY", "CatalogFacts", "ConnectionStats", "Extension", "IndexRow",
    "IndexVerdicts", "LockInfo", "MissingIndexRow", "MissingIndexes", "QueryStats", "ReportSpec",
    "ReportResult", "ReportUnavailable", "StatsSince", "TableRow", "TableStats",
    "analyze_queries", "available_extension", "connection_stats", "extension", "fetch",
    "fetch_tuples", "index_verdicts", "installed_extension", "lock_info", "missing_indexes",
    "pg_stat_statements_extension", "pg_stat_statements_version", "pick_sql_file", "query_text",
    "register", "run", "stats_since", "table_stats",
]


@dataclass(frozen=True)
class ReportSpec:
    """A registered report: its CLI name, title, columns, SQL files and what it needs."""

    name: str
    title: str
    columns: tuple[Column, ...]
    sql: tuple[str, ...]
    function: Callable[..., ReportResult[Any]]
    #: Extensions or settings the report needs (documentation; the function says what is missing).
    needs: tuple[str, ...] = ()
    #: Parameters to use for a smoke run (every report must work with none).
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        result: type[ReportResult[Any]],
        function: Callable[..., ReportResult[Any]],
        sql: tuple[str, ...],
        **more: Any,
    ) -> ReportSpec:
        """The spec of the report whose function returns *result* (its name, title, columns)."""
        return cls(result.NAME, result.TITLE, result.COLUMNS, sql, function, **more)


REGISTRY: dict[str, ReportSpec] = {}


def register(spec: ReportSpec) -> ReportSpec:
    REGISTRY[spec.name] = spec
    return spec


def run(conn: psycopg.Connection[Any], name: str, **params: Any) -> ReportResult[Any]:
    """Run the registered report *name* with keyword *params*."""
    try:
        spec = REGISTRY[name]
    except KeyError:
        raise NotFound(f"no report named {name!r}; known: {', '.join(sorted(REGISTRY))}") from None
    return spec.function(conn, **params)


register(ReportSpec.of(IndexVerdicts, index_verdicts, ("index_verdicts",)))
register(ReportSpec.of(TableStats, table_stats, ("table_stats",), params={"exact": 1}))
register(ReportSpec.of(MissingIndexes, missing_indexes, ("fk_without_index", "seq_scan_tables"),
                       needs=("hypopg (optional)", "pg_stat_statements (optional)")))
register(ReportSpec.of(QueryStats, analyze_queries, ("query_stats", "query_texts"),
                       needs=("pg_stat_statements",)))
register(ReportSpec.of(ConnectionStats, connection_stats,
                       ("connection_groups", "connection_sessions")))
register(ReportSpec.of(LockInfo, lock_info, ("lock_waits",)))
