"""``musicdb report``: the database analysis report as one HTML, Markdown or JSON file (built
by :mod:`musicdb.observe.report`)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from musicdb.cli import _help
from musicdb.cli._common import (
    MinStatsAgeOption,
    ReplicaOption,
    StatementTimeout,
    WhatIfOption,
    app,
    settings,
)
from musicdb.observe.report import (
    BENCH_FILE,
    DEFAULT_LIMIT,
    DEFAULT_STATEMENT_TIMEOUT_MS,
)
from musicdb.reports.indexes import DEFAULT_WHAT_IF


@app.command(
    "report",
    rich_help_panel=_help.REPORTS,
    epilog=_help.examples(
        "musicdb report --output report.html",
        "musicdb report --output report.md --limit 50 --no-drift",
        "musicdb report --output - --format json > report.json",
    ),
)
def report(
    ctx: typer.Context,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="FILE", show_default=False,
                     help="Write the report here (- for stdout); .html, .md or .json chooses "
                          "the format."),
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="FORMAT", show_default=False,
                     help="html, markdown or json [default: from the file's name]."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Rows of each long table in HTML and Markdown "
                                                 "(the JSON has them all).")
    ] = DEFAULT_LIMIT,
    statement_timeout: StatementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS,
    drift: Annotated[
        bool,
        typer.Option("--drift/--no-drift",
                     help="Compare the schema with its migrations (builds a scratch database)."),
    ] = True,
    what_if: WhatIfOption = DEFAULT_WHAT_IF,
    min_stats_age: MinStatsAgeOption = None,
    bench_file: Annotated[
        Path,
        typer.Option("--bench-file", metavar="FILE",
                     help="Results of 'musicdb bench --save', charted when the file exists."),
    ] = BENCH_FILE,
    replica: ReplicaOption = None,
) -> None:
    """The database analysis report: server and schema, tables, index review with the statements
    that fix each finding, top queries, connections and locks, health checks, view staleness and
    benchmark history; read-only. One self-contained HTML file (charts as inline SVG, no script),
    Markdown, or JSON."""
    from musicdb.cli._progress import reporter
    from musicdb.observe.report import build_report, format_for
    from musicdb.observe.report_render import render
    from musicdb.ops.health_thresholds import Thresholds

    chosen = format_for(output, fmt)
    config = settings(ctx)
    thresholds = Thresholds.from_sources((), config.environ)
    if min_stats_age is not None:
        thresholds = thresholds.with_values({"unused_index_min_stats_age": min_stats_age},
                                            "--min-stats-age")
    with reporter(ctx) as shown:
        result = build_report(
            config.target(), limit=limit, statement_timeout_ms=statement_timeout,
            bench_file=bench_file, drift=drift, what_if=what_if,
            thresholds=thresholds,
            replicas=config.replicas(replica or ()), progress=shown,
        )
    text = render(result, chosen)
    if output == "-":
        sys.stdout.write(text)
        return
    _write(Path(output), text)
    missing = [s.key for s in result.sections if s.unavailable]
    typer.echo(f"wrote {output} ({chosen}, {len(text.encode()) / 1024:,.0f} kB) in "
               f"{result.seconds:.1f} s" + (f"; unavailable: {', '.join(missing)}"
                                            if missing else ""))


def _write(path: Path, text: str) -> None:
    """Write *text* to *path* whole or not at all (a temporary file beside it, then renamed)."""
    from musicdb.errors import UsageError

    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would create it
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
