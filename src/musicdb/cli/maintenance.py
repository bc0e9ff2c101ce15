"""``refresh-view``, ``vacuum-table``, ``health-check``, ``maintain``: cron-safe maintenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from musicdb.cli import _help
from musicdb.cli._common import (
    FormatOption,
    OutputFormat,
    ReplicaOption,
    StatementTimeout,
    app,
    require_primary,
    settings,
)
from musicdb.ops.maintenance import (
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_MIN_DEAD_RATIO,
    DEFAULT_MIN_DEAD_ROWS,
    DEFAULT_STATEMENT_TIMEOUT_MS,
)

if TYPE_CHECKING:
    from musicdb.render import Report

LockTimeout = Annotated[
    int,
    typer.Option("--lock-timeout", metavar="MS", min=1,
                 help="lock_timeout: give up instead of queueing (with every reader behind) "
                      "when another session holds a conflicting lock."),
]



def _fail(message: str, code: int = 1) -> Exception:
    """The error to raise: ``main`` prints it as one masked line and exits with *code*."""
    from musicdb.errors import MusicdbError

    return MusicdbError(message, exit_code=code)


def _emit_or_line(report: Report, fmt: OutputFormat, lines: list[str]) -> None:
    """JSON/CSV: the report; table: short lines (one per object), which cron mails read best."""
    from musicdb.cli._common import emit

    if fmt is OutputFormat.table:
        for line in lines:
            typer.echo(line)
    else:
        emit(report, fmt)


# -- refresh-view ---------------------------------------------------------------------------------
@app.command(
    "refresh-view",
    rich_help_panel=_help.MAINTENANCE,
    epilog=_help.examples(
        "musicdb refresh-view mv_track_popularity",
        "musicdb refresh-view mv_track_popularity --if-older-than 6h --wait 30",
        "musicdb refresh-view public.mv_track_popularity --allow-blocking --format json",
    ),
)
def refresh_view(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        help='A materialized view: name (found along the search_path) or schema.name, "Quoted" '
             "as in SQL.", autocompletion=_help.complete_views)],
    allow_blocking: Annotated[
        bool,
        typer.Option("--allow-blocking",
                     help="When CONCURRENTLY is impossible, refresh plainly (blocks readers)."),
    ] = False,
    wait: Annotated[
        float | None,
        typer.Option("--wait", metavar="SECONDS", min=0, show_default=False,
                     help="Wait up to SECONDS for another refresh of the view to finish instead "
                          "of skipping (--wait alone is not accepted: give seconds)."),
    ] = None,
    if_older_than: Annotated[
        str | None,
        typer.Option("--if-older-than", metavar="AGE", show_default=False,
                     help="Refresh only when the last successful refresh is older (e.g. 6h)."),
    ] = None,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout: StatementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """REFRESH MATERIALIZED VIEW (CONCURRENTLY when possible); skips when already running."""
    from musicdb.ops import refresh
    from musicdb.units import parse_duration

    age = parse_duration(if_older_than) if if_older_than else None
    require_primary(ctx, "refresh-view")
    from musicdb.cli._progress import reporter

    with reporter(ctx) as shown:
        result = refresh.refresh_view(
            settings(ctx).target(),
            name,
            allow_blocking=allow_blocking,
            wait_s=wait or 0.0,
            lock_timeout_ms=lock_timeout,
            statement_timeout_ms=statement_timeout or None,
            if_older_than=age,
            progress=shown,
        )
    report = refresh.refresh_report([result])
    if result.failed:
        if fmt is not OutputFormat.table:
            _emit_or_line(report, fmt, [])
        raise _fail(result.message)
    from musicdb.render import human_ms

    line = result.message
    if result.outcome == "ok" and result.duration_ms is not None:
        line += f" in {human_ms(result.duration_ms)}"
    if result.outcome == "ok" and result.log_id is None:
        line += " (not recorded: maintenance_log is missing; run musicdb migrate up)"
    _emit_or_line(report, fmt, [line])


# -- vacuum-table ---------------------------------------------------------------------------------
@app.command(
    "vacuum-table",
    rich_help_panel=_help.MAINTENANCE,
    epilog=_help.examples(
        "musicdb vacuum-table user_interactions",
        "musicdb vacuum-table --all --min-dead-ratio 20%",
        "musicdb vacuum-table tracks --full --yes",
    ),
)
def vacuum_table(
    ctx: typer.Context,
    table: Annotated[
        str | None, typer.Argument(help="A table: name (found along the search_path) or "
                                      "schema.name, \"Quoted\" as in SQL; or use --all.",
                                   autocompletion=_help.complete_tables)
    ] = None,
    all_tables: Annotated[
        bool, typer.Option("--all", help="Every table over the dead-row thresholds.")
    ] = False,
    min_dead_ratio: Annotated[
        str,
        typer.Option("--min-dead-ratio", metavar="R",
                     help="With --all: dead / (live + dead) rows, e.g. 0.1 or 10%."),
    ] = str(DEFAULT_MIN_DEAD_RATIO),
    min_dead_rows: Annotated[
        int,
        typer.Option("--min-dead-rows", min=0, help="With --all: at least this many dead rows."),
    ] = DEFAULT_MIN_DEAD_ROWS,
    full: Annotated[
        bool,
        typer.Option("--full", help="VACUUM FULL: rewrites the table under an ACCESS EXCLUSIVE "
                                    "lock (readers and writers wait); needs --yes."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Confirm --full.")] = False,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout: StatementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """VACUUM (ANALYZE) one table, or --all tables over a dead-row threshold."""
    from musicdb.errors import UsageError
    from musicdb.ops import vacuum
    from musicdb.render import human_ms
    from musicdb.units import parse_ratio

    if (table is None) == (not all_tables):
        raise UsageError("give one TABLE or --all (not both)")
    if full and not yes:
        raise UsageError(
            "--full rewrites the table under an ACCESS EXCLUSIVE lock that blocks its readers "
            "and writers; pass --yes to confirm"
        )
    ratio = parse_ratio(min_dead_ratio)
    target = settings(ctx).target()
    require_primary(ctx, "vacuum-table")
    timeouts: dict[str, Any] = {"lock_timeout_ms": lock_timeout,
                                "statement_timeout_ms": statement_timeout or None}
    if table is not None:
        results = [vacuum.vacuum_table(target, table, full=full, **timeouts)]
        notes: list[str] = []
    else:
        from musicdb.cli._progress import reporter

        with reporter(ctx) as shown:
            run = vacuum.vacuum_all(target, min_dead_ratio=ratio, min_dead_rows=min_dead_rows,
                                    full=full, progress=shown, **timeouts)
        results = run.results
        notes = [f"tables with {min_dead_rows}+ dead rows and a dead ratio of {ratio:.0%}+: "
                 f"{len(results)}"]
    report = vacuum.vacuum_report(results, notes)
    lines = [f"{r.table}: {r.outcome} in {human_ms(r.duration_ms or 0)}"
             + ("" if r.outcome == "ok" else f" ({r.message})") for r in results]
    if not results:
        lines = [f"no table has {min_dead_rows}+ dead rows and a dead ratio of {ratio:.0%}+; "
                 "nothing to do"]
    _emit_or_line(report, fmt, lines)
    failed = [r for r in results if r.failed]
    if failed:
        raise _fail(f"{len(failed)} of {len(results)} vacuum(s) failed: "
                    + "; ".join(r.message for r in failed[:3]))


# -- health-check ---------------------------------------------------------------------------------
@app.command(
    "health-check",
    rich_help_panel=_help.MAINTENANCE,
    epilog=_help.examples(
        "musicdb health-check",
        "musicdb health-check --skip drift -t view_stale_warning=2d",
        "musicdb health-check --list",
    ),
)
def health_check(
    ctx: typer.Context,
    threshold: Annotated[
        list[str] | None,
        typer.Option("--threshold", "-t", metavar="NAME=VALUE", show_default=False,
                     help="Set a threshold (repeatable), e.g. view_stale_warning=2d; "
                          "also MUSICDB_HEALTH_<NAME>. See --list."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="CHECK", show_default=False,
                     help="Run only this check (repeatable)."),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option("--skip", metavar="CHECK", show_default=False,
                     help="Do not run this check (repeatable), e.g. --skip drift."),
    ] = None,
    list_checks: Annotated[
        bool, typer.Option("--list", help="List the checks and thresholds, then exit.")
    ] = False,
    replica: ReplicaOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Run the health checks; exit 0 ok, 1 warning, 2 critical, 3 unknown (Nagios)."""
    from musicdb.ops import health

    thresholds = health.Thresholds.from_sources(threshold or (), settings(ctx).environ)
    if list_checks:
        from musicdb.cli._common import emit

        emit(health.CheckList(thresholds).to_report(), fmt)
        return
    result = health.run_checks(
        settings(ctx).target(), thresholds=thresholds, only=only or (), skip=skip or (),
        replicas=settings(ctx).replicas(replica or ()),
    )
    _emit_health(result, fmt)
    raise typer.Exit(result.exit_code)


def _emit_health(result: Any, fmt: OutputFormat) -> None:
    from musicdb.cli._common import emit

    report = result.to_report()
    if fmt is OutputFormat.table:
        typer.echo(result.summary())
    emit(report, fmt)


# -- maintain -------------------------------------------------------------------------------------
@app.command(
    "maintain",
    rich_help_panel=_help.MAINTENANCE,
    epilog=_help.examples(
        "musicdb maintain daily",
        "musicdb maintain weekly --wait 600 --format json",
        "musicdb maintain --crontab --log-dir /var/log/musicdb",
    ),
)
def maintain(
    ctx: typer.Context,
    schedule: Annotated[
        str | None,
        typer.Argument(metavar="[daily|weekly|monthly]", show_default=False,
                       help="Which schedule to run."),
    ] = None,
    crontab: Annotated[
        bool, typer.Option("--crontab", help="Print ready-to-paste crontab lines and exit.")
    ] = False,
    log_dir: Annotated[
        str, typer.Option("--log-dir", help="With --crontab: where the cron lines append logs.")
    ] = "/var/log/musicdb",
    wait: Annotated[
        float,
        typer.Option("--wait", metavar="SECONDS", min=0,
                     help="Wait up to SECONDS for an overlapping run instead of skipping."),
    ] = 0.0,
    allow_blocking: Annotated[
        bool,
        typer.Option("--allow-blocking",
                     help="weekly: refresh views that cannot be refreshed CONCURRENTLY plainly."),
    ] = False,
    min_dead_ratio: Annotated[
        str, typer.Option("--min-dead-ratio", metavar="R", help="monthly: vacuum threshold.")
    ] = str(DEFAULT_MIN_DEAD_RATIO),
    threshold: Annotated[
        list[str] | None,
        typer.Option("--threshold", "-t", metavar="NAME=VALUE", show_default=False,
                     help="daily: a health-check threshold (repeatable)."),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option("--skip", metavar="CHECK", show_default=False,
                     help="daily: a health check not to run (repeatable)."),
    ] = None,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout: StatementTimeout = DEFAULT_STATEMENT_TIMEOUT_MS,
    replica: ReplicaOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Run the daily, weekly or monthly maintenance as one cron-safe job."""
    from musicdb.errors import UsageError
    from musicdb.ops import health
    from musicdb.ops import maintain as sched
    from musicdb.units import parse_ratio

    if crontab:
        typer.echo(sched.crontab(sched.musicdb_command(), log_dir))
        return
    if schedule not in sched.SCHEDULES:
        expected = f"{', '.join(sched.SCHEDULES)} (or --crontab)"
        if schedule is None:
            raise UsageError(f"give a schedule: {expected}")
        raise UsageError(f"{schedule!r} is not a schedule; expected {expected}")
    options = sched.MaintainOptions(
        thresholds=health.Thresholds.from_sources(threshold or (), settings(ctx).environ),
        skip_checks=tuple(skip or ()),
        allow_blocking=allow_blocking,
        min_dead_ratio=parse_ratio(min_dead_ratio),
        lock_timeout_ms=lock_timeout,
        statement_timeout_ms=statement_timeout or None,
        replicas=tuple(settings(ctx).replicas(replica or ())),
    )
    health.select_checks(skip=options.skip_checks)  # a bad name is a usage error before any work
    require_primary(ctx, f"maintain {schedule}")
    from musicdb.cli._progress import reporter

    with reporter(ctx) as shown:
        result = sched.maintain(settings(ctx).target(), schedule, options=options, wait_s=wait,
                                progress=shown)
    from musicdb.cli._common import emit

    report = result.to_report()
    if fmt is OutputFormat.table:
        typer.echo(result.summary())
        if result.steps:
            emit(report, fmt)
    else:
        emit(report, fmt)
    if result.exit_code:
        raise _fail(result.summary(), result.exit_code)
