"""``metrics`` and ``metrics serve``: the database as Prometheus metrics.

prometheus_client is imported only when a metrics command runs, never at start-up.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from musicdb.cli import _help
from musicdb.cli._common import StatementTimeout, app, settings
from musicdb.observe.options import (
    CATALOG_INTERVAL_S,
    DEFAULT_LISTEN,
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_MIN_INTERVAL_S,
    DEFAULT_STATEMENT_TIMEOUT_MS,
    DEFAULT_TOP_STATEMENTS,
    DEFAULT_TOP_TABLES,
    DRIFT_INTERVAL_S,
)

if TYPE_CHECKING:
    from musicdb.observe.options import MetricsOptions

metrics_app = typer.Typer(
    help="Prometheus metrics: print them once (node_exporter's textfile collector) or serve "
    "/metrics over HTTP.",
    invoke_without_command=True,
    no_args_is_help=False,
    epilog=_help.examples(
        "musicdb metrics",
        "musicdb metrics --output /var/lib/node_exporter/textfile/musicdb.prom",
    ),
)
app.add_typer(metrics_app, name="metrics", rich_help_panel=_help.MONITORING)

TopTables = Annotated[
    int, typer.Option("--top-tables", metavar="N", min=0, help="Export the N largest tables.")
]
TopStatements = Annotated[
    int,
    typer.Option("--top-statements", metavar="N", min=0,
                 help="Export the N statements of most total time (pg_stat_statements)."),
]
LockTimeoutMs = Annotated[
    int,
    typer.Option("--lock-timeout", metavar="MS", min=1,
                 help="lock_timeout: a scrape gives up rather than queue behind a lock."),
]
DriftInterval = Annotated[
    float,
    typer.Option("--drift-interval", metavar="SECONDS", min=0,
                 help="Check drift (builds a scratch database) at most this often; 0: never."),
]
CatalogInterval = Annotated[
    float,
    typer.Option("--catalog-interval", metavar="SECONDS", min=0,
                 help="Read every index's verdicts and every table's sizes and bloat again "
                      "after this many seconds (the other figures: on every scrape); 0: always."),
]


def _options(
    ctx: typer.Context, top_tables: int, top_statements: int, statement_timeout: int,
    lock_timeout: int, drift_interval: float, catalog_interval: float = CATALOG_INTERVAL_S,
) -> MetricsOptions:
    from musicdb.observe.options import MetricsOptions
    from musicdb.ops.health_thresholds import Thresholds

    thresholds = Thresholds.from_sources((), settings(ctx).environ)
    return MetricsOptions(top_tables=top_tables, top_statements=top_statements,
                          statement_timeout_ms=statement_timeout, lock_timeout_ms=lock_timeout,
                          drift_interval_s=drift_interval, catalog_interval_s=catalog_interval,
                          thresholds=thresholds)


@metrics_app.callback()
def metrics(
    ctx: typer.Context,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", show_default=False,
                     help="Write to FILE atomically (e.g. node_exporter's textfile directory)."),
    ] = None,
    top_tables: TopTables = DEFAULT_TOP_TABLES,
    top_statements: TopStatements = DEFAULT_TOP_STATEMENTS,
    statement_timeout: StatementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS,
    lock_timeout: LockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
    drift_interval: DriftInterval = DRIFT_INTERVAL_S,
) -> None:
    """Print the metrics once in the Prometheus text format (or write them to --output)."""
    if ctx.invoked_subcommand is not None:
        return
    from musicdb.observe import metrics as m

    options = _options(ctx, top_tables, top_statements, statement_timeout, lock_timeout,
                       drift_interval)
    target = settings(ctx).target()
    if output is None:
        sys.stdout.write(m.exposition(target, options).decode())
        return
    try:
        m.write_textfile(output, target, options)
    except OSError as exc:
        from musicdb.errors import MusicdbError

        raise MusicdbError(f"cannot write {output}: {exc.strerror or exc}") from exc


@metrics_app.command(
    "serve",
    epilog=_help.examples(
        "musicdb metrics serve",
        "musicdb metrics serve --listen 0.0.0.0:9187 --min-interval 30",
    ),
)
def serve(
    ctx: typer.Context,
    listen: Annotated[
        str,
        typer.Option("--listen", metavar="HOST:PORT",
                     help="Where to serve /metrics (localhost unless told otherwise)."),
    ] = DEFAULT_LISTEN,
    min_interval: Annotated[
        float,
        typer.Option("--min-interval", metavar="SECONDS", min=0,
                     help="Serve the last result to scrapes within this many seconds of it."),
    ] = DEFAULT_MIN_INTERVAL_S,
    top_tables: TopTables = DEFAULT_TOP_TABLES,
    top_statements: TopStatements = DEFAULT_TOP_STATEMENTS,
    statement_timeout: StatementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS,
    lock_timeout: LockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
    drift_interval: DriftInterval = DRIFT_INTERVAL_S,
    catalog_interval: CatalogInterval = CATALOG_INTERVAL_S,
) -> None:
    """Serve /metrics over HTTP until interrupted."""
    from musicdb.observe import metrics as m

    options = _options(ctx, top_tables, top_statements, statement_timeout, lock_timeout,
                       drift_interval, catalog_interval)
    collector = m.CachedCollector(
        m.Exporter(settings(ctx).target(), options, background_drift=True), min_interval
    )
    server = m.make_server(listen, collector)
    port = server.server_address[1]
    typer.echo(f"serving http://{listen.rpartition(':')[0]}:{port}/metrics", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
