"""``musicdb local ...``: the embedded local server."""

from __future__ import annotations

from typing import Annotated

import typer

from musicdb.cli import _help
from musicdb.cli._common import FormatOption, OutputFormat, app, confirm_or_refuse

local_app = typer.Typer(
    help="The embedded local PostgreSQL server (used when no database is configured).",
    no_args_is_help=True,
)
app.add_typer(local_app, name="local", rich_help_panel=_help.LOCAL)


def _cluster():  # type: ignore[no-untyped-def]
    from musicdb.local import LocalCluster

    return LocalCluster()


@local_app.command(
    "status",
    epilog=_help.examples(
        "musicdb local status",
        "musicdb local status --format json",
    ),
)
def status(fmt: FormatOption = OutputFormat.table) -> None:
    """Where the local server lives and whether it runs. Exit 1 when it is not running."""
    from musicdb.render import emit_document

    state = _cluster().status()
    emit_document(state.to_document(), fmt.value)
    if not state.running:
        raise typer.Exit(1)


@local_app.command(
    "start",
    epilog=_help.examples(
        "musicdb local start",
        "musicdb local start && musicdb migrate up",
    ),
)
def start() -> None:
    """Initialise (first time) and start the local server; print its URL."""
    from musicdb.config import mask_url

    typer.echo(mask_url(_cluster().start()))


@local_app.command(
    "url",
    epilog=_help.examples(
        "musicdb local url",
        "musicdb local url && musicdb local status   # where it runs, its version",
    ),
)
def url() -> None:
    """Print the local server's URL (starting it if needed), for psql or other tools."""
    from musicdb.config import mask_url

    typer.echo(mask_url(_cluster().start()))


@local_app.command(
    "stop",
    epilog=_help.examples(
        "musicdb local stop",
        "musicdb local stop && musicdb local status --format json",
    ),
)
def stop() -> None:
    """Stop the local server (its data stays)."""
    stopped = _cluster().stop()
    typer.echo("stopped" if stopped else "not running", err=True)


@local_app.command(
    "destroy",
    epilog=_help.examples(
        "musicdb local destroy",
        "musicdb local destroy --yes",
    ),
)
def destroy(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Stop the local server and delete its data folder, with every database in it."""
    cluster = _cluster()
    if not cluster.base_dir.exists():
        typer.echo(f"nothing to destroy in {cluster.base_dir}", err=True)
        return
    confirm_or_refuse(yes, "destroy deletes all local data; pass --yes",
                      f"Delete the local server and all its data in {cluster.base_dir}?")
    cluster.destroy()
    typer.echo(f"destroyed {cluster.base_dir}", err=True)
