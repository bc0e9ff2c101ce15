"""``musicdb migrate ...``: schema migrations."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from musicdb.cli._common import (
    FormatOption,
    OutputFormat,
    StatementTimeout,
    app,
    require_primary,
    settings,
)

migrate_app = typer.Typer(help="Build and evolve the schema (Alembic, driven from code).",
                          no_args_is_help=True)  # fmt: skip
app.add_typer(migrate_app, name="migrate")

LockWait = Annotated[
    float,
    typer.Option("--lock-wait", metavar="SECONDS", min=0,
                 help="How long to wait for another migration to finish."),
]  # fmt: skip
LockTimeout = Annotated[
    int,
    typer.Option("--lock-timeout", metavar="MS", min=1,
                 help="lock_timeout for each statement, so a migration never queues behind "
                      "a long transaction."),
]  # fmt: skip
Retries = Annotated[
    int, typer.Option("--retries", min=0, help="Retries after a lock timeout.")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _progress(message: str) -> None:
    typer.echo(message, err=True)


@migrate_app.command("up")
def up(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    lock_wait: LockWait = 60.0,
    lock_timeout: LockTimeout = 5000,
    statement_timeout: StatementTimeout = 0,
    retries: Retries = 3,
) -> None:
    """Upgrade to REVISION (default head): one transaction per revision, under a migration lock."""
    from musicdb import migrate

    migrate.resolve_revision(revision, steps="+")
    target = settings(ctx).target()
    require_primary(ctx, "migrate up")
    _progress(f"migrating {target.display} to {revision}")
    result = migrate.upgrade(
        target,
        revision,
        lock_wait_s=lock_wait,
        lock_timeout_ms=lock_timeout,
        statement_timeout_ms=statement_timeout or None,
        retries=retries,
        progress=_progress,
    )
    if result.changed:
        _progress(f"now at {', '.join(result.after)}")
    else:
        _progress(f"already at {', '.join(result.after) or 'base'}; nothing to do")


@migrate_app.command("down")
def down(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision, base, or -N steps.")],
    yes: Yes = False,
    lock_wait: LockWait = 60.0,
    lock_timeout: LockTimeout = 5000,
    statement_timeout: StatementTimeout = 0,
    retries: Retries = 3,
) -> None:
    """Downgrade to REVISION. Going to base, or more than one step, asks for --yes."""
    from musicdb import db, migrate

    target = settings(ctx).target()
    with db.connect(target) as conn:
        db.require_primary(conn, "migrate down")
        current = migrate.current_revisions(conn)
    _, steps = migrate.plan_downgrade(current, revision)
    if not steps:
        _progress(f"already at {', '.join(current) or 'base'}; nothing to do")
        return
    if (revision == "base" or len(steps) > 1) and not yes:
        what = f"undo {len(steps)} revisions ({', '.join(steps)})"
        if not sys.stdin.isatty():
            typer.echo(f"musicdb: error: this would {what}; pass --yes to confirm", err=True)
            raise typer.Exit(1)
        typer.confirm(f"This will {what} on {target.display}. Continue?", abort=True)
    result = migrate.downgrade(
        target,
        revision,
        lock_wait_s=lock_wait,
        lock_timeout_ms=lock_timeout,
        statement_timeout_ms=statement_timeout or None,
        retries=retries,
        progress=_progress,
    )
    _progress(f"now at {', '.join(result.after) or 'base'}")


@migrate_app.command("status")
def status(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when not at head.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The current revision(s), the head and the pending revisions."""
    from musicdb import migrate
    from musicdb.render import to_json

    state = migrate.status(settings(ctx).target())
    if fmt is OutputFormat.json:
        typer.echo(to_json(state.as_dict()))
    else:
        typer.echo(f"database  {state.database}")
        typer.echo(f"current   {', '.join(state.current) or 'base (empty)'}")
        typer.echo(f"head      {', '.join(state.heads)}")
        if state.unknown:
            typer.echo(f"unknown   {', '.join(state.unknown)} (not a revision musicdb knows)")
        typer.echo(f"pending   {', '.join(state.pending) or 'none'}")
        typer.echo("status    " + ("at head" if state.at_head else "NOT at head"))
        typer.echo("contract  " + (f"applied ({', '.join(state.contracted)}): the strict schema"
                                   if state.contracted else
                                   "not applied: the application-compatible schema "
                                   "(`musicdb migrate contract --dry-run` says what it needs)"))
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


@migrate_app.command("history")
def history(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The revision list, newest first, marking the current one(s) when a database answers."""
    from musicdb import migrate
    from musicdb.cli._common import emit
    from musicdb.render import Column, Report

    rows = []
    for info in migrate.history(_reachable_target(ctx)):
        row = info.as_dict()
        down = row["down_revision"]
        row["down_revision"] = ", ".join(down) if isinstance(down, tuple | list) else down
        row["marks"] = ", ".join(
            mark for mark, on in (("current", info.is_current), ("head", info.is_head)) if on
        )
        rows.append(row)
    emit(
        Report(
            name="migrate_history",
            title="Revisions (newest first)",
            columns=[
                Column("revision", "revision"),
                Column("down_revision", "down revision"),
                Column("marks", "marks"),
                Column("doc", "description", wrap=True),
                Column("is_current", "current", "bool"),
                Column("is_head", "head", "bool"),
            ],
            rows=rows,
        ),
        fmt,
    )


@migrate_app.command("sql")
def sql_(
    ctx: typer.Context,
    spec: Annotated[str, typer.Argument(metavar="[FROM:]TO",
                                        help="Revisions; FROM defaults to the live one.")] = "head",
) -> None:
    """Print the SQL a migration would run, without running it (offline mode)."""
    from musicdb import migrate

    target = None if ":" in spec else _reachable_target(ctx)
    typer.echo(migrate.offline_sql(spec, target), nl=False)


@migrate_app.command("check")
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


@migrate_app.command("adopt")
def adopt_(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run",
                                          help="Print what was found, the plan, what the "
                                               "application will notice and the SQL; change "
                                               "nothing.")] = False,
    yes: Yes = False,
    lock_wait: LockWait = 60.0,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Take over an existing database: say what it is; adopt the hand-built legacy layout
    (re-stamp it onto the legacy branch) so that `migrate up` converts it to head."""
    from musicdb import adopt
    from musicdb.render import to_json

    target = settings(ctx).target()
    found = adopt.inspect(target)
    if found.kind == "unknown" or (not found.adoptable) or dry_run:
        plan = adopt.plan(target, found) if found.adoptable else adopt.AdoptPlan(found)
        _show_adopt(plan, target, fmt, dry_run)
        if found.kind == "unknown":
            raise typer.Exit(1)
        return
    if not yes:
        if not sys.stdin.isatty():
            typer.echo("musicdb: error: adopting re-stamps the database; pass --yes to confirm "
                       "(or --dry-run to see the plan)", err=True)  # fmt: skip
            raise typer.Exit(1)
        typer.confirm(f"{found.message}. Adopt {target.display}?", abort=True)
    require_primary(ctx, "migrate adopt")
    result = adopt.adopt(target, lock_wait_s=lock_wait, progress=_progress)
    doc = {**result.inspection.as_dict(), "before": list(result.before),
           "after": list(result.after)}  # fmt: skip
    if fmt is OutputFormat.json:
        typer.echo(to_json(doc))
    else:
        typer.echo(f"adopted {target.display}: stamp {', '.join(result.before) or 'none'} -> "
                   f"{', '.join(result.after)}")  # fmt: skip
    _progress("next: musicdb migrate up (converts the database, one step per transaction)")


def _show_adopt(plan, target, fmt: OutputFormat, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    from musicdb import adopt, db
    from musicdb.render import to_json

    found = plan.inspection
    with db.connect(target) as conn:
        statements = plan.statements(conn)
    impacts = [{"step": s, "tables": t, "change": c} for s, t, c in adopt.WRITER_IMPACTS]
    if fmt is OutputFormat.json:
        doc = {"report": "migrate_adopt", "inspection": found.as_dict(), "dry_run": dry_run,
               "steps": [{"revision": r, "step": p.step, "title": p.title,
                          "transaction": p.transactional, "statements": len(p.statements)}
                         for r, p in plan.steps],
               "findings": plan.findings, "writer_impacts": impacts if plan.steps else [],
               "statements": statements}  # fmt: skip
        typer.echo(to_json(doc))
        return
    typer.echo(f"database  {found.database}")
    typer.echo(f"found     {found.kind}: {found.message}")
    for d in found.differences[:50]:
        typer.echo(f"  {d}"[:160])
    if len(found.differences) > 50:
        typer.echo(f"  ... and {len(found.differences) - 50} more (--format json lists all)")
    if not plan.steps:
        return
    typer.echo("\nplan (adopt re-stamps; `musicdb migrate up` runs the rest):")
    for revision, step in plan.steps:
        mode = "one transaction" if step.transactional else "outside a transaction"
        typer.echo(f"  {revision}  {step.title} ({len(step.statements)} statements, {mode})")
    typer.echo("\nwhat happens to rows (every removed row is kept in musicdb_adopt.quarantine):")
    for f in plan.findings:
        if f["kind"] not in ("index_dropped", "on_delete"):
            typer.echo(f"  [{f['step']}] {f['kind']}: {f['detail']}")
    typer.echo("\nwhat the application writing to this database will notice:")
    for i in impacts:
        typer.echo(f"  [{i['step']}] {i['tables']}: {i['change']}")
    typer.echo("\n-- SQL")
    for s in statements:
        params = f"  -- params: {s['params']}" if s["params"] else ""
        typer.echo(f"-- {s['revision']} ({s['step']} #{s['n']}) {s['why']}"[:300])
        typer.echo(f"{s['sql'].strip()};{params}")


@migrate_app.command("contract")
def contract_(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run",
                                          help="Print the checks and the SQL; change nothing.")
                       ] = False,
    undo: Annotated[bool, typer.Option("--undo",
                                       help="Return to the application-compatible schema "
                                            "(every row kept).")] = False,
    yes: Yes = False,
    lock_wait: LockWait = 60.0,
    lock_timeout: LockTimeout = 5000,
    statement_timeout: StatementTimeout = 0,
    retries: Retries = 3,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Apply the strict schema of docs/schema.md (search_vector generated, track source ids required
    and owned by one track, timestamptz) once the application no longer needs the compatible
    one. Refuses, listing why, while rows or recorded statements would be rejected."""
    from musicdb.migrate import contract
    from musicdb.render import to_json

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
        if fmt is OutputFormat.json:
            typer.echo(to_json({**found.as_dict(), "dry_run": dry_run}))
        else:
            typer.echo(f"database    {found.database}")
            typer.echo(f"main line   {', '.join(found.main) or 'base'}")
            typer.echo(f"contract    {', '.join(found.applied) or 'not applied'}")
            for reason in found.reasons:
                typer.echo(f"refused by  {reason}")
            for note in found.notes:
                typer.echo(f"note        {note}")
            if dry_run and not found.applied:
                typer.echo("\n-- SQL")
                typer.echo(contract.offline_sql(), nl=False)
        if found.applied:
            _progress("already contracted; nothing to do")
            return
        if found.reasons:
            typer.echo(f"musicdb: error: contract refused: {len(found.reasons)} reason(s) above",
                       err=True)  # fmt: skip
            raise typer.Exit(1)
        if dry_run:
            return
    if not yes:
        what = "undo the contract" if undo else "contract the schema"
        if not sys.stdin.isatty():
            typer.echo(f"musicdb: error: this would {what}; pass --yes to confirm", err=True)
            raise typer.Exit(1)
        typer.confirm(f"This will {what} on {target.display}. Continue?", abort=True)
    result = contract.run(target, undo=undo, progress=_progress, lock_wait_s=lock_wait,
                          lock_timeout_ms=lock_timeout,
                          statement_timeout_ms=statement_timeout or None, retries=retries)
    _progress("contract " + (f"applied ({', '.join(result.after)})" if result.after
                             else "undone: the application-compatible schema"))
