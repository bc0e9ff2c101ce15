"""``musicdb partitions ...``: the monthly partitions of user_interactions."""

from __future__ import annotations

from typing import Annotated

import typer

from musicdb.cli import _help
from musicdb.cli._common import (
    FormatOption,
    OutputFormat,
    app,
    confirm_or_refuse,
    connect,
    emit,
    require_primary,
    settings,
)
from musicdb.cli.maintenance import LockTimeout
from musicdb.errors import MusicdbError
from musicdb.partitions import (
    DEFAULT_BATCH_ROWS,
    DEFAULT_LOCK_TIMEOUT_MS,
    DEFAULT_PREMAKE_MONTHS,
)

partitions_app = typer.Typer(help="Monthly partitions of user_interactions: premake, split, "
                                  "retire (with an archive), restore.",
                             no_args_is_help=True)
app.add_typer(partitions_app, name="partitions", rich_help_panel=_help.MAINTENANCE)



def _emit(report: object, fmt: OutputFormat, line: str) -> None:
    """Table: the summary line, then the rows; JSON/CSV: the report."""
    if fmt is OutputFormat.table:
        typer.echo(line)
    emit(report, fmt)  # type: ignore[arg-type]


@partitions_app.command(
    "status",
    epilog=_help.examples(
        "musicdb partitions status",
        "musicdb partitions status --format json",
        "musicdb partitions status --format csv > partitions.csv",
    ),
)
def status(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Every partition: bounds, rows, size, oldest and newest event; months premade ahead."""
    from musicdb.partitions import upkeep

    with connect(ctx, application_name="musicdb partitions status") as conn:
        found = upkeep.status(conn)
    emit(found.to_report(), fmt)


@partitions_app.command(
    "premake",
    epilog=_help.examples(
        "musicdb partitions premake",
        "musicdb partitions premake --months 6",
        "musicdb --quiet partitions premake --lock-timeout 2000   # from cron",
    ),
)
def premake(
    ctx: typer.Context,
    months: Annotated[int, typer.Option("--months", min=0, max=120,
                                        help="Months to create after the current one.")
                      ] = DEFAULT_PREMAKE_MONTHS,
    wait: Annotated[
        float, typer.Option("--wait", metavar="SECONDS", min=0,
                            help="Wait up to SECONDS for another partitions command instead "
                                 "of skipping.")] = 0.0,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Create the partitions of the current month and the next ones (idempotent, cron-safe)."""
    from musicdb.partitions import upkeep

    require_primary(ctx, "partitions premake")
    result = upkeep.premake(settings(ctx).target(), months, lock_timeout_ms=lock_timeout,
                            wait_s=wait)
    _emit(result.to_report(), fmt, result.summary())
    if result.outcome == "failed":
        raise MusicdbError(result.summary())


@partitions_app.command(
    "split",
    epilog=_help.examples(
        "musicdb partitions split",
        "musicdb partitions split --batch-rows 5000 --lock-timeout 2000",
        "musicdb --quiet partitions split --format json",
    ),
)
def split(
    ctx: typer.Context,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1,
                                            help="Rows moved per transaction.")
                          ] = DEFAULT_BATCH_ROWS,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Move the legacy and default partitions' rows into month partitions (resumable)."""
    from musicdb.cli._progress import reporter
    from musicdb.partitions import upkeep

    require_primary(ctx, "partitions split")
    with reporter(ctx) as shown:
        result = upkeep.split(settings(ctx).target(), batch_rows=batch_rows,
                              lock_timeout_ms=lock_timeout, progress=shown)
    _emit(result.to_report(), fmt, result.summary())
    failed = [m for m in result.months if m.outcome == "failed"]
    if failed:
        raise MusicdbError("; ".join(f"{m.partition}: {m.message}" for m in failed))


@partitions_app.command(
    "retire",
    epilog=_help.examples(
        "musicdb partitions retire --older-than 24months --archive /srv/archive/musicdb",
        "musicdb partitions retire --older-than 2y --archive /srv/archive/musicdb --yes",
        "musicdb partitions retire --older-than 36months --yes --format json",
    ),
)
def retire(
    ctx: typer.Context,
    older_than: Annotated[str, typer.Option("--older-than", metavar="MONTHS",
                                            help="Retire the months wholly before this many "
                                                 "months ago, e.g. 24months or 2y.")],
    archive: Annotated[str | None, typer.Option("--archive", metavar="DIR", show_default=False,
                                                help="First write each month to DIR as a "
                                                     "compressed COPY file with a checksum.")
                       ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Archive (optional), detach and drop the months older than --older-than."""
    from musicdb.cli._progress import reporter
    from musicdb.partitions import archive as arch
    from musicdb.units import parse_months

    months = parse_months(older_than)
    require_primary(ctx, "partitions retire")
    with connect(ctx, application_name="musicdb partitions retire") as conn:
        from musicdb.partitions import upkeep

        upkeep.require_partitioned(conn)
        cutoff, old = arch.candidates(conn, months)
    if not old:
        typer.echo(f"partitions retire: no partition wholly before {cutoff:%Y-%m-%d}; "
                   "nothing to do")
        return
    names = ", ".join(p.name for p in old)
    kept = f" (archived to {archive} first)" if archive else " without an archive"
    confirm_or_refuse(
        yes,
        f"retiring drops {len(old)} partition(s) of user_interactions ({names}){kept}; "
        "pass --yes to confirm",
        f"Drop {len(old)} partition(s) ({names}){kept}?",
    )
    with reporter(ctx) as shown:
        result = arch.retire(settings(ctx).target(), months, archive_dir=archive,
                             lock_timeout_ms=lock_timeout, progress=shown)
    _emit(result.to_report(), fmt, result.summary())
    if result.failed:
        raise MusicdbError(result.summary())


@partitions_app.command(
    "restore",
    epilog=_help.examples(
        "musicdb partitions restore /srv/archive/musicdb/user_interactions_p202401.copy.gz",
        "musicdb partitions restore user_interactions_p202401.copy.gz --format json",
    ),
)
def restore(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE",
                                        help="An archive written by partitions retire (its "
                                             ".json manifest beside it).")],
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Load a retired month's archive back as its partition (checksum verified first)."""
    from musicdb.cli._progress import reporter
    from musicdb.partitions import archive as arch

    require_primary(ctx, "partitions restore")
    with reporter(ctx) as shown:
        done = arch.restore(settings(ctx).target(), file, lock_timeout_ms=lock_timeout,
                            progress=shown)
    _emit(done.to_report(), fmt, f"partitions restore: {done.rows} row(s) back in "
                                 f"{done.partition}")
