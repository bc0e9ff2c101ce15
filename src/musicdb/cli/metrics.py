"""``metrics`` and ``metrics serve``: the database as Prometheus metrics.

prometheus_client is imported only when a metrics command runs, never at start-up.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from musicdb.cli._common import app, settings

if TYPE_CHECKING:
    from musicdb.observe.metrics import MetricsOptions

metrics_app = typer.Typer(
    help="Prometheus metrics: print them once (node_exporter's textfile collector) or serve "
    "/metrics over HTTP.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(metrics_app, name="metrics")

TopTables = Annotated[
    int, typer.Option("--top-tables", metavar="N", min=0, help="Export the N largest tables.")
]
TopStatements = Annotated[
    int,
    typer.Option("--top-statements", metavar="N", min=0,
                 help="Export the N statements of most total time (pg_stat_statements)."),
]  # fmt: skip
StatementTimeoutMs = Annotated[
    int, typer.Option("--statement-timeout", metavar="MS", min=1, help="statement_timeout.")
]
LockTimeoutMs = Annotated[
    int, typer.Option("--lock-timeout", metavar="MS", min=1, help="lock_timeout.")
]
DriftInterval = Annotated[
    float,
    typer.Option("--drift-interval", metavar="SECONDS", min=0,
                 help="Check drift (builds a scratch database) at most this often; 0: never."),
]  # fmt: skip


def _options(
    ctx: typer.Context, top_tables: int, top_statements: int, statement_timeout: int,
    lock_timeout: int, drift_interval: float,
) -> MetricsOptions:  # fmt: skip
    from musicdb.observe.metrics import MetricsOptions
    from musicdb.ops.health_thresholds import Thresholds

    thresholds = Thresholds.from_sources((), settings(ctx).environ)
    return MetricsOptions(top_tables=top_tables, top_statements=top_statements,
                          statement_timeout_ms=statement_timeout, lock_timeout_ms=lock_timeout,
                          drift_interval_s=drift_interval, thresholds=thresholds)  # fmt: skip


@metrics_app.callback()
def metrics(
    ctx: typer.Context,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", show_default=False,
                     help="Write to FILE atomically (e.g. node_exporter's textfile directory)."),
    ] = None,
    top_tables: TopTables = 50,
    top_statements: TopStatements = 50,
    statement_timeout: StatementTimeoutMs = 5_000,
    lock_timeout: LockTimeoutMs = 500,
    drift_interval: DriftInterval = 3600.0,
) -> None:
    """Print the metrics once in the Prometheus text format (or write them to --output)."""
    if ctx.invoked_subcommand is not None:
        return
    from musicdb.observe import metrics as m

    options = _options(ctx, top_tables, top_statements, statement_timeout, lock_timeout,
                       drift_interval)  # fmt: skip
    target = settings(ctx).target()
    if output is None:
        sys.stdout.write(m.exposition(target, options).decode())
        return
    try:
        m.write_textfile(output, target, options)
    except OSError as exc:
        from musicdb.errors import MusicdbError

        raise MusicdbError(f"cannot write {output}: {exc.strerror or exc}") from exc


@metrics_app.command("serve")
def serve(
    ctx: typer.Context,
    listen: Annotated[
        str,
        typer.Option("--listen", metavar="HOST:PORT",
                     help="Where to serve /metrics (localhost unless told otherwise)."),
    ] = "127.0.0.1:9187",
    min_interval: Annotated[
        float,
        typer.Option("--min-interval", metavar="SECONDS", min=0,
                     help="Serve the last result to scrapes within this many seconds of it."),
    ] = 15.0,
    top_tables: TopTables = 50,
    top_statements: TopStatements = 50,
    statement_timeout: StatementTimeoutMs = 5_000,
    lock_timeout: LockTimeoutMs = 500,
    drift_interval: DriftInterval = 3600.0,
) -> None:
    """Serve /metrics over HTTP until interrupted."""
    from musicdb.observe import metrics as m

    options = _options(ctx, top_tables, top_statements, statement_timeout, lock_timeout,
                       drift_interval)  # fmt: skip
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
