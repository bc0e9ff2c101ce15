"""What every command shares: the Typer app, the settings, output options and error exits.

Nothing heavy is imported here: ``musicdb --help`` must not pay for SQLAlchemy, alembic or psycopg.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from musicdb.cli._help import PanelGroup
from musicdb.config import Settings

if TYPE_CHECKING:
    import psycopg

    from musicdb.render import Report

app = typer.Typer(
    name="musicdb",
    help="Migrations, DBA reports and cron-safe maintenance for the music platform's PostgreSQL.",
    no_args_is_help=True,
    cls=PanelGroup,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format: table, json or csv.", case_sensitive=False),
]
StatementTimeout = Annotated[
    int,
    typer.Option("--statement-timeout", metavar="MS", min=0,
                 help="statement_timeout for each statement (0 = none)."),
]


def settings(ctx: typer.Context) -> Settings:
    """The settings the global options built (a bare Settings when called without them)."""
    root = ctx.find_root()
    if isinstance(root.obj, Settings):
        return root.obj
    root.obj = Settings()
    return root.obj


def connect(ctx: typer.Context, **kwargs: Any) -> psycopg.Connection[Any]:
    """A connection to the configured database (see :mod:`musicdb.config` for the order)."""
    from musicdb import db

    return db.connect(settings(ctx).target(), **kwargs)


MinStatsAgeOption = Annotated[
    str | None,
    typer.Option("--min-stats-age", metavar="AGE", envvar="MUSICDB_MIN_STATS_AGE",
                 show_default=False,
                 help="'unused' is withheld until the statistics are this old (since the later of "
                      "their reset and the server's start), e.g. 12h; 0 = always [default: 7d]."),
]
WhatIfOption = Annotated[
    int,
    typer.Option("--what-if", min=0,
                 help="How many of the costliest statements to try hypothetical indexes on "
                      "(hypopg; 0 = none)."),
]

ReplicaOption = Annotated[
    list[str] | None,
    typer.Option("--replica", metavar="URL", show_default=False,
                 help="Also read the index scans of this replica (repeatable; else "
                      "MUSICDB_REPLICA_URLS): an index scanned there is not unused."),
]


@contextmanager
def replica_connections(ctx: typer.Context, urls: list[str] | None) -> Iterator[list[Any]]:
    """Connections to the replicas of ``--replica`` (or ``MUSICDB_REPLICA_URLS``), closed after."""
    from musicdb import db

    with ExitStack() as stack:
        yield [stack.enter_context(db.connect(t, application_name="musicdb-report"))
               for t in settings(ctx).replicas(urls or ())]


def require_primary(ctx: typer.Context, what: str) -> None:
    """Refuse the writing command *what* when the configured server is a standby (exit 1)."""
    from musicdb import db

    with connect(ctx, application_name="musicdb") as conn:
        db.require_primary(conn, what)


def emit(report: Report, fmt: OutputFormat) -> None:
    """Render a report on stdout in the chosen format (notes go to stderr in table mode)."""
    from musicdb import render

    render.emit(report, fmt.value)


def error_line(message: str, args: Sequence[str] = ()) -> None:
    """Print ``musicdb: error: MESSAGE`` as one line on stderr, every password masked.

    The one place errors become lines: the passwords of the configuration (the command line's
    ``--database-url``, the environment's URLs and ``PGPASSWORD``) and any URL or ``password=``
    in the message are masked (:func:`musicdb.config.mask_secrets`).
    """
    from musicdb.config import configured_secrets, mask_secrets

    secrets = configured_secrets(args)
    line = " ".join(mask_secrets(message, secrets).split())
    print(f"musicdb: error: {line}", file=sys.stderr)


def confirm_or_refuse(yes: bool, refusal: str, question: str) -> None:
    """Go on when *yes*; ask *question* on a terminal; without one, refuse with exit 1.

    The refusal is one ``musicdb: error:`` line (*refusal*, ending with the flag to pass); a
    "no" on the terminal aborts (exit 1) without touching anything.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        error_line(refusal)
        raise typer.Exit(1)
    typer.confirm(question, abort=True)
