"""The ``musicdb`` command line: parse options, call one library function, render, exit.

Commands live in one module per area; each registers itself on the shared Typer app.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from musicdb import __version__
from musicdb.cli._common import app
from musicdb.config import Settings
from musicdb.errors import MusicdbError

#: ``ctx.meta`` key of ``--quiet`` (read by :func:`musicdb.cli._progress.reporter`)
QUIET_KEY = "musicdb.quiet"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"musicdb {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            metavar="URL",
            help="postgresql://... (else MUSICDB_DATABASE_URL, DATABASE_URL, PG* variables, "
            "or the embedded local server).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress on stderr (results and errors stay).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = Settings(database_url=database_url, debug=debug)
    ctx.meta[QUIET_KEY] = quiet


# Registration: each module adds its commands to ``app`` when imported, in the order --help
# lists them.
# isort: off
from musicdb.cli import migrate as _migrate  # noqa: E402, F401
from musicdb.cli import reports as _reports  # noqa: E402, F401
from musicdb.cli import report as _report  # noqa: E402, F401
from musicdb.cli import maintenance as _maintenance  # noqa: E402, F401
from musicdb.cli import partitions as _partitions  # noqa: E402, F401
from musicdb.cli import data as _data  # noqa: E402, F401
from musicdb.cli import local as _local  # noqa: E402, F401
from musicdb.cli import metrics as _metrics  # noqa: E402, F401
# isort: on


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every failure into one line on stderr and an exit code.

    Every line goes through :func:`musicdb.cli._common.error_line`, which masks passwords; so do
    the tracebacks of ``--debug``.
    """
    from typer._click import exceptions as click_exceptions  # typer vendors click

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = app(args=args, prog_name="musicdb", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click_exceptions.UsageError as exc:
        hint = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        _fail(args, exc.format_message() + hint, exc.exit_code)
    except click_exceptions.ClickException as exc:
        _fail(args, exc.format_message(), exc.exit_code)
    except typer.Abort:
        print("musicdb: aborted", file=sys.stderr)
        sys.exit(1)
    except MusicdbError as exc:
        _fail(args, exc.message, exc.exit_code, exc if debug else None)
    except KeyboardInterrupt:
        print("musicdb: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        from musicdb.db import describe_error

        message = describe_error(exc)
        if message is None:
            message = f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)"
        _fail(args, message, 1, exc if debug else None)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(args: list[str], message: str, code: int, exc: BaseException | None = None) -> None:
    """Print *message* as one masked line (with ``--debug``, *exc*'s masked traceback first)."""
    from musicdb.cli._common import error_line

    if exc is not None:
        import traceback

        from musicdb.config import configured_secrets, mask_secrets

        secrets = configured_secrets(args)
        sys.stderr.write(mask_secrets("".join(traceback.format_exception(exc)), secrets))
    error_line(message, args)
    sys.exit(code)
