"""DBA reports: ``analyze-indexes``, ``missing-indexes``, ``analyze-queries``, ``table-stats``,
``connection-stats`` and ``lock-info``. Each is a thin wrapper over a function of
:mod:`musicdb.reports`; the data goes to stdout in the chosen ``--format``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from musicdb.cli import _help
from musicdb.cli._common import (
    FormatOption,
    MinStatsAgeOption,
    OutputFormat,
    ReplicaOption,
    WhatIfOption,
    app,
    connect,
    emit,
    replica_connections,
)
from musicdb.reports.indexes import DEFAULT_MIN_ROWS, DEFAULT_WHAT_IF
from musicdb.reports.queries import DEFAULT_LIMIT, DEFAULT_ORDER

if TYPE_CHECKING:
    from musicdb.reports import ReportResult

SchemaOption = Annotated[
    str | None,
    typer.Option("--schema", metavar="NAME", help="Only this schema.", show_default=False),
]
ExactSizes = Annotated[
    bool,
    typer.Option("--exact-sizes",
                 help="Sizes from pg_relation_size() (opens every relation) instead of "
                      "pg_class.relpages."),
]


def _run(ctx: typer.Context, fmt: OutputFormat, build: Callable[[Any], ReportResult[Any]]) -> None:
    with connect(ctx, application_name="musicdb-report") as conn:
        result = build(conn)
    emit(result.to_report(), fmt)


@app.command(
    "analyze-indexes",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb analyze-indexes",
        "musicdb analyze-indexes --unused --min-stats-age 1d",
        "musicdb analyze-indexes --duplicates --format json",
    ),
)
def analyze_indexes(
    ctx: typer.Context,
    unused: Annotated[bool, typer.Option("--unused", help="Only unused indexes.")] = False,
    duplicates: Annotated[
        bool, typer.Option("--duplicates", help="Only exact duplicates and prefix-redundant ones.")
    ] = False,
    invalid: Annotated[bool, typer.Option("--invalid", help="Only invalid indexes.")] = False,
    schema: SchemaOption = None,
    exact_sizes: ExactSizes = False,
    min_stats_age: MinStatsAgeOption = None,
    replica: ReplicaOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Every index: scans, tuples read, size, verdicts (unused, duplicate, redundant, invalid);
    with --replica, scans summed over the replicas too."""
    from musicdb import reports
    from musicdb.units import parse_duration

    min_age_s = (reports.indexes.MIN_STATS_AGE_S if min_stats_age is None
                 else parse_duration(min_stats_age).total_seconds())
    with replica_connections(ctx, replica) as replicas:
        _run(ctx, fmt, lambda conn: reports.index_verdicts(
            conn, schema, unused=unused, duplicates=duplicates, invalid=invalid,
            exact_sizes=exact_sizes, min_stats_age_s=min_age_s, replicas=replicas))


@app.command(
    "missing-indexes",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb missing-indexes",
        "musicdb missing-indexes --min-rows 100000 --what-if 0 --format csv",
    ),
)
def missing_indexes(
    ctx: typer.Context,
    schema: SchemaOption = None,
    min_rows: Annotated[
        int,
        typer.Option(
            "--min-rows", min=0, help="Tables smaller than this are never 'dominated by seq scans'."
        ),
    ] = DEFAULT_MIN_ROWS,
    what_if: WhatIfOption = DEFAULT_WHAT_IF,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """FK columns without an index, seq-scan-heavy tables, hypopg what-if indexes."""
    from musicdb import reports

    _run(ctx, fmt, lambda conn: reports.missing_indexes(
        conn, schema, min_rows=min_rows, what_if=what_if))


@app.command(
    "analyze-queries",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb analyze-queries",
        "musicdb analyze-queries --order mean --limit 5 --format json",
    ),
)
def analyze_queries(
    ctx: typer.Context,
    order: Annotated[
        str, typer.Option("--order", help="total (time), mean (time) or calls.")
    ] = DEFAULT_ORDER,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many statements.")
    ] = DEFAULT_LIMIT,
    all_databases: Annotated[
        bool, typer.Option("--all-databases", help="Statements of every database.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Top statements from pg_stat_statements by total time, mean time or calls."""
    from musicdb import reports

    _run(ctx, fmt, lambda conn: reports.analyze_queries(
        conn, order=order, limit=limit, all_databases=all_databases))


@app.command(
    "table-stats",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb table-stats",
        "musicdb table-stats --limit 5 --format csv",
    ),
)
def table_stats(
    ctx: typer.Context,
    schema: SchemaOption = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="The N largest tables (0 = all).")
    ] = 50,
    exact: Annotated[
        int,
        typer.Option(
            "--exact",
            metavar="N",
            min=0,
            help="Measure the bloat of the N largest tables with pgstattuple (reads them in full).",
        ),
    ] = 0,
    exact_sizes: ExactSizes = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Per table: sizes, live/dead rows against autovacuum's threshold, bloat, last maintenance."""
    from musicdb import reports

    _run(ctx, fmt, lambda conn: reports.table_stats(
        conn, schema, limit=limit or None, exact=exact, exact_sizes=exact_sizes))


@app.command(
    "connection-stats",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb connection-stats",
        "musicdb connection-stats --format json",
    ),
)
def connection_stats(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Connections by state, application and user; longest query, oldest transaction, idle in
    transaction."""
    from musicdb import reports

    _run(ctx, fmt, reports.connection_stats)


@app.command(
    "lock-info",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb lock-info",
        "musicdb lock-info --format json",
    ),
)
def lock_info(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Who blocks whom (a tree), waiting time, lock mode and target, query text."""
    from musicdb import reports

    _run(ctx, fmt, reports.lock_info)


@app.command(
    "replication-status",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb replication-status",
        "musicdb replication-status --format json",
    ),
)
def replication_status(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """On a primary: its standbys (lag in bytes and seconds) and replication slots (WAL retained);
    on a standby: its upstream, receive/replay positions and replay lag."""
    from musicdb.reports.replication import replication_status as build

    _run(ctx, fmt, build)
