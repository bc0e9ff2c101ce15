"""``musicdb migrate ...``: schema migrations."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from musicdb.cli import _help
from musicdb.cli._common import (
    FormatOption,
    OutputFormat,
    StatementTimeout,
    app,
    confirm_or_refuse,
    error_line,
    require_primary,
    settings,
)
from musicdb.migrate import DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_LOCK_WAIT_S, DEFAULT_RETRIES

migrate_app = typer.Typer(help="Build and evolve the schema (Alembic, driven from code).",
                          no_args_is_help=True)
app.add_typer(migrate_app, name="migrate", rich_help_panel=_help.SCHEMA)

LockWait = Annotated[
    float,
    typer.Option("--lock-wait", metavar="SECONDS", min=0,
                 help="How long to wait for another migration to finish."),
]
LockTimeout = Annotated[
    int,
    typer.Option("--lock-timeout", metavar="MS", min=1,
                 help="lock_timeout for each statement, so a migration never queues behind "
                      "a long transaction."),
]
Retries = Annotated[
    int, typer.Option("--retries", min=0, help="Retries after a lock timeout.")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _progress(message: str) -> None:
    typer.echo(message, err=True)


def _run(ctx: typer.Context, action: Any, target: Any, revision: str, lock_wait: float,
         lock_timeout: int, statement_timeout: int, retries: int) -> Any:
    """Run ``migrate.upgrade`` or ``migrate.downgrade`` with the command's options and progress."""
    from musicdb.cli._progress import reporter

    with reporter(ctx) as shown:
        return action(target, revision, lock_wait_s=lock_wait, lock_timeout_ms=lock_timeout,
                      statement_timeout_ms=statement_timeout or None, retries=retries,
                      progress=shown)


@migrate_app.command(
    "up",
    epilog=_help.examples(
        "musicdb migrate up",
        "musicdb migrate up 20250618_075149_add_performance_indexes --lock-timeout 2000",
        "musicdb --quiet migrate up --lock-wait 300   # from a deploy script",
    ),
)
def up(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    lock_wait: LockWait = DEFAULT_LOCK_WAIT_S,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout: StatementTimeout = 0,
    retries: Retries = DEFAULT_RETRIES,
) -> None:
    """Upgrade to REVISION (default head): one transaction per revision, under a migration lock."""
    from musicdb import migrate

    migrate.resolve_revision(revision, steps="+")
    target = settings(ctx).target()
    require_primary(ctx, "migrate up")
    _progress(f"migrating {target.display} to {revision}")
    result = _run(ctx, migrate.upgrade, target, revision, lock_wait, lock_timeout,
                  statement_timeout, retries)
    if result.changed:
        _progress(f"now at {', '.join(result.after)}")
    else:
        _progress(f"already at {', '.join(result.after) or 'base'}; nothing to do")


@migrate_app.command(
    "down",
    epilog=_help.examples(
        "musicdb migrate down -- -1",
        "musicdb migrate down base --yes",
    ),
)
def down(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision, base, or -N steps.")],
    yes: Yes = False,
    lock_wait: LockWait = DEFAULT_LOCK_WAIT_S,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout: StatementTimeout = 0,
    retries: Retries = DEFAULT_RETRIES,
) -> None:
    """Downgrade to REVISION. Going to base, or more than one step, asks for --yes."""
    from musicdb import migrate

    target = settings(ctx).target()
    require_primary(ctx, "migrate down")
    current, steps = migrate.pending_downgrade(target, revision)
    if not steps:
        _progress(f"already at {', '.join(current) or 'base'}; nothing to do")
        return
    if revision == "base" or len(steps) > 1:
        what = f"undo {len(steps)} revisions ({', '.join(steps)})"
        confirm_or_refuse(yes, f"this would {what}; pass --yes to confirm",
                          f"This will {what} on {target.display}. Continue?")
    result = _run(ctx, migrate.downgrade, target, revision, lock_wait, lock_timeout,
                  statement_timeout, retries)
    _progress(f"now at {', '.join(result.after) or 'base'}")


@migrate_app.command(
    "status",
    epilog=_help.examples(
        "musicdb migrate status",
        "musicdb migrate status --check --format json   # exit 1 when not at head",
    ),
)
def status(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when not at head.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The current revision(s), the head and the pending revisions."""
    from musicdb import migrate
    from musicdb.render import emit_document

    state = migrate.status(settings(ctx).target())
    emit_document(state.to_document(), fmt.value)
    if check and not state.at_head:
        raise typer.Exit(1)


def _reachable_target(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """The configured database when it answers, else None (with a note on stderr)."""
    from musicdb import db
    from musicdb.errors import ConnectionFailed, LocalServerError

    try:
        target = settings(ctx).target()
        db.connect(target, connect_timeout=5).close()
    except (ConnectionFailed, LocalServerError) as exc:
        note = settings(ctx).mask(str(exc))
        _progress(f"note: no database reachable ({note}); working from the revisions alone")
        return None
    return target


@migrate_app.command(
    "history",
    epilog=_help.examples(
        "musicdb migrate history",
        "musicdb migrate history --format json",
    ),
)
def history(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The revision list, newest first, marking the current one(s) when a database answers."""
    from musicdb import migrate
    from musicdb.cli._common import emit

    emit(migrate.history_report(migrate.history(_reachable_target(ctx))), fmt)


@migrate_app.command(
    "sql",
    epilog=_help.examples(
        "musicdb migrate sql head > upgrade.sql",
        "musicdb migrate sql head:20250618_075149_add_performance_indexes   # a downgrade",
    ),
)
def sql_(
    ctx: typer.Context,
    spec: Annotated[str, typer.Argument(metavar="[FROM:]TO",
                                        help="Revisions; FROM defaults to the live one.")] = "head",
) -> None:
    """Print the SQL a migration would run, without running it (offline mode)."""
    from musicdb import migrate

    target = None if ":" in spec else _reachable_target(ctx)
    typer.echo(migrate.offline_sql(spec, target), nl=False)


@migrate_app.command(
    "check",
    epilog=_help.examples(
        "musicdb migrate check",
        "musicdb migrate check --format json",
    ),
)
def check(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Drift: compare the live schema with what the migrations build; exit 1 on any difference."""
    from musicdb import migrate
    from musicdb.cli._common import emit

    report = migrate.drift_report(settings(ctx).target())
    emit(report, fmt)
    if report.rows:
        typer.echo(f"drift: {len(report.rows)} difference(s)", err=True)
        raise typer.Exit(1)
    if report.meta.get("skipped"):
        if fmt is not OutputFormat.table:  # the table format prints its notes already
            typer.echo(report.notes[0], err=True)
        return
    typer.echo("no drift", err=True)


@migrate_app.command(
    "adopt",
    epilog=_help.examples(
        "musicdb migrate adopt --dry-run",
        "musicdb migrate adopt && musicdb migrate up",
    ),
)
def adopt_(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run",
                                          help="Print what was found, the plan, what the "
                                               "application will notice and the SQL; change "
                                               "nothing.")] = False,
    yes: Yes = False,
    lock_wait: LockWait = DEFAULT_LOCK_WAIT_S,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Take over an existing database: say what it is; adopt the hand-built legacy layout
    (re-stamp it onto the legacy branch) so that `migrate up` converts it to head."""
    from musicdb import adopt
    from musicdb.render import emit_document

    target = settings(ctx).target()
    found = adopt.inspect(target)
    if found.kind == "unknown" or (not found.adoptable) or dry_run:
        plan = adopt.plan(target, found)
        emit_document(plan.to_document(dry_run), fmt.value)
        if found.kind == "unknown":
            raise typer.Exit(1)
        return
    confirm_or_refuse(yes, "adopting re-stamps the database; pass --yes to confirm "
                           "(or --dry-run to see the plan)",
                      f"{found.message}. Adopt {target.display}?")
    require_primary(ctx, "migrate adopt")
    from musicdb.cli._progress import reporter

    with reporter(ctx) as shown:
        result = adopt.adopt(target, lock_wait_s=lock_wait, progress=shown)
    emit_document(result.to_document(), fmt.value)
    _progress("next: musicdb migrate up (converts the database, one step per transaction)")


@migrate_app.command(
    "contract",
    epilog=_help.examples(
        "musicdb migrate contract --dry-run",
        "musicdb migrate contract --yes",
        "musicdb migrate contract --undo --yes",
    ),
)
def contract_(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run",
                                          help="Print the checks and the SQL; change nothing.")
                       ] = False,
    undo: Annotated[bool, typer.Option("--undo",
                                       help="Return to the application-compatible schema "
                                            "(every row kept).")] = False,
    yes: Yes = False,
    lock_wait: LockWait = DEFAULT_LOCK_WAIT_S,
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT_MS,
    statement_timeout: StatementTimeout = 0,
    retries: Retries = DEFAULT_RETRIES,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Apply the strict schema of docs/schema.md (search_vector generated, track source ids required
    and owned by one track, timestamptz) once the application no longer needs the compatible
    one. Refuses, listing why, while rows or recorded statements would be rejected."""
    from musicdb.migrate import contract
    from musicdb.render import emit_document

    target = settings(ctx).target()
    if not dry_run:
        require_primary(ctx, "migrate contract")
    found = contract.plan(target)
    if undo:
        if not found.applied:
            _progress("not contracted; nothing to undo")
            return
        if dry_run:
            typer.echo(contract.offline_sql(undo=True), nl=False)
            return
    else:
        emit_document(found.to_document(dry_run), fmt.value)
        if fmt is OutputFormat.table and dry_run and not found.applied:
            typer.echo("\n-- SQL")
            typer.echo(contract.offline_sql(), nl=False)
        if found.applied:
            _progress("already contracted; nothing to do")
            return
        if found.reasons:
            error_line(f"contract refused: {len(found.reasons)} reason(s) above")
            raise typer.Exit(1)
        if dry_run:
            return
    what = "undo the contract" if undo else "contract the schema"
    confirm_or_refuse(yes, f"this would {what}; pass --yes to confirm",
                      f"This will {what} on {target.display}. Continue?")
    result = contract.run(target, undo=undo, progress=_progress, lock_wait_s=lock_wait,
                          lock_timeout_ms=lock_timeout,
                          statement_timeout_ms=statement_timeout or None, retries=retries)
    _progress("contract " + (f"applied ({', '.join(result.after)})" if result.after
                             else "undone: the application-compatible schema"))
