"""``musicdb generate`` and ``musicdb bench``: realistic data at scale, and the query patterns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from musicdb.cli import _help
from musicdb.cli._common import (
    FormatOption,
    OutputFormat,
    app,
    emit,
    require_primary,
    settings,
)
from musicdb.workload.bench import (
    DEFAULT_BASELINE_ITERATIONS,
    DEFAULT_ITERATIONS,
    DEFAULT_MAX_REGRESSION,
)

DEFAULT_RESULTS = Path("musicdb-bench.jsonl")


def _note(message: str) -> None:
    typer.echo(message, err=True)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


@app.command(
    "generate",
    rich_help_panel=_help.DATA,
    epilog=_help.examples(
        "musicdb generate --scale 1",
        "musicdb generate --users 500 --tracks 5000 --seed 7 --until 2026-11-01",
        "musicdb generate --scale 0.1 --append",
    ),
)
def generate_(
    ctx: typer.Context,
    scale: Annotated[float, typer.Option("--scale", "-s", min=0.0,
                     help="1 = about 10k users, 200k tracks, 1M interactions, 1M playlist "
                          "entries; the other tables in proportion.")] = 1.0,
    users: Annotated[int | None, typer.Option("--users", min=1,
                     help="Users (and, in proportion, playlists, libraries, sessions, follows).",
                     show_default=False)] = None,
    tracks: Annotated[int | None, typer.Option("--tracks", min=1,
                      help="Tracks (and, in proportion, artists, albums and sources).",
                      show_default=False)] = None,
    interactions: Annotated[int | None, typer.Option("--interactions", min=0,
                            help="user_interactions rows.", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option("--seed",
                    help="Seed for a reproducible run (same seed and --until: same rows).",
                    show_default=False)] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD",
                     help="Timestamps fall in the 365 days before this date (default: today).",
                     show_default=False)] = None,
    append: Annotated[bool, typer.Option("--append",
                      help="Add to a database that already holds data.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Load synthetic but realistic data (COPY, foreign-key order, one transaction)."""
    from musicdb.workload import generate

    until_date = _parse_date(until)
    target = settings(ctx).target()
    require_primary(ctx, "generate")
    counts = generate.plan_counts(scale, users=users, tracks=tracks, interactions=interactions)
    _note(f"generating {sum(counts.values()):,} rows into {target.display}")
    from musicdb.cli._progress import reporter

    with reporter(ctx) as shown:
        result = generate.generate(
            target,
            scale=scale,
            users=users,
            tracks=tracks,
            interactions=interactions,
            seed=seed,
            until=until_date,
            append=append,
            progress=shown,
        )
    emit(result.report(), fmt)
    _note(
        f"{result.rows:,} rows in {result.total_seconds:.1f} s: "
        f"{result.load_rows_per_s:,.0f} rows/s loading, "
        f"{result.overall_rows_per_s:,.0f} rows/s overall (seed {result.seed})"
    )


@app.command(
    "bench",
    rich_help_panel=_help.DATA,
    epilog=_help.examples(
        "musicdb bench",
        "musicdb bench -p Q1,Q5 -n 50 --compare-baseline",
        "musicdb bench --save --against musicdb-bench.jsonl",
    ),
)
def bench_(
    ctx: typer.Context,
    pattern: Annotated[list[str] | None, typer.Option("--pattern", "-p", metavar="Q",
                       help="Patterns to run (Q1..Q12; repeat or comma-separate). "
                            "Default: all.", show_default=False)] = None,
    iterations: Annotated[int, typer.Option("--iterations", "-n", min=1,
                          help="Timed runs per pattern.")] = DEFAULT_ITERATIONS,
    warmup: Annotated[int, typer.Option("--warmup", min=0,
                      help="Untimed runs first (the driver prepares after 5).")] = 10,
    keys: Annotated[int, typer.Option("--keys", min=1,
                    help="Busy and uniformly drawn keys sampled per pattern (each).")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Seed for drawing keys.")] = 1,
    compare_baseline: Annotated[bool, typer.Option("--compare-baseline",
                                help="Also time a copy of the database without the "
                                     "performance indexes and report the speed-up.")] = False,
    baseline_iterations: Annotated[int, typer.Option("--baseline-iterations", min=1,
                                   help="Timed runs per pattern on the baseline copy."),
                           ] = DEFAULT_BASELINE_ITERATIONS,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1,
                       help="Concurrent workers sharing a connection pool.")] = 1,
    pool_size: Annotated[int | None, typer.Option("--pool-size", min=1,
                         help="Pool connections (default: one per worker).",
                         show_default=False)] = None,
    pool_timeout: Annotated[float, typer.Option("--pool-timeout", min=0.0, metavar="SECONDS",
                            help="How long a worker waits for a pooled connection.")] = 30.0,
    save: Annotated[bool, typer.Option("--save",
                    help="Append this run to the results file.")] = False,
    results_file: Annotated[Path, typer.Option("--results-file", metavar="FILE",
                            help="JSON-lines file --save appends to.")] = DEFAULT_RESULTS,
    against: Annotated[Path | None, typer.Option("--against", metavar="FILE",
                       help="Compare p95 with the last run in FILE (results file or a "
                            "--format json document); exit 1 on a regression.",
                       show_default=False)] = None,
    max_regression: Annotated[float, typer.Option("--max-regression", min=0.0, metavar="RATIO",
                              help="A p95 more than RATIO times the previous one "
                                   "is a regression.")] = DEFAULT_MAX_REGRESSION,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Time the query patterns Q1-Q12: p50/p95/p99 and the indexes each plan uses."""
    from musicdb.workload import bench, patterns

    chosen = patterns.select(pattern)
    target = settings(ctx).target()
    from musicdb.cli._progress import reporter

    with reporter(ctx) as shown:
        result = bench.run(
            target,
            chosen,
            iterations=iterations,
            warmup=warmup,
            seed=seed,
            keys=keys,
            compare_baseline=compare_baseline,
            baseline_iterations=baseline_iterations,
            workers=workers,
            pool_size=pool_size,
            pool_timeout_s=pool_timeout,
            against=against,
            max_regression=max_regression,
            progress=shown,
        )
    emit(result.report(), fmt)
    if save:
        bench.save_run(result, results_file)
        _note(f"saved this run to {results_file}")
    if result.regressed:
        _note(f"p95 regressed by more than {max_regression:g}x: {', '.join(result.regressed)}")
        raise typer.Exit(1)
