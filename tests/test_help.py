"""``--help``: the commands grouped in panels, and every command ending with examples that parse."""

from __future__ import annotations

import shlex

import typer

from helpers import run_cli
from musicdb.cli import app
from musicdb.cli._help import DATA, LOCAL, MAINTENANCE, MONITORING, REPORTS, SCHEMA


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    """(path, command) for every leaf command under *group*."""
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


def _parse(root, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Parse *args* as the command line would (unknown options and bad values raise)."""
    ctx = root.make_context("musicdb", list(args))
    cmd, rest = root, [*ctx._protected_args, *ctx.args]
    while hasattr(cmd, "commands"):
        _, cmd, rest = cmd.resolve_command(ctx, rest)
        ctx = cmd.make_context(cmd.name, rest, parent=ctx)
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]


def test_top_level_help_groups_the_commands_in_panels() -> None:
    out = run_cli("--help").stdout
    headings = [line[:-1] for line in out.splitlines() if line.endswith(":") and line[0] != " "]
    assert headings[-6:] == [SCHEMA, REPORTS, MAINTENANCE, MONITORING, DATA, LOCAL]
    section = out[out.index(MAINTENANCE + ":"):out.index(DATA + ":")]
    assert "vacuum-table" in section and "maintain" in section and "generate" not in section


def test_every_command_ends_with_examples_that_parse() -> None:
    root = typer.main.get_command(app)
    leaves = list(_commands(root))
    assert len(leaves) >= 20
    for path, _ in leaves:
        out = run_cli(*path, "--help").stdout
        tail = out[out.rindex("Examples:"):].splitlines()[1:]
        examples = [line.strip() for line in tail if line.strip()]
        assert 2 <= len(examples) <= 3, (path, out)
        for example in examples:
            command = example.split("#")[0].split("&&")[0].split(">")[0]  # not the shell part
            words = shlex.split(command, posix=True)
            named = [w for w in words if not w.startswith("-")]  # global options may come first
            assert named[: len(path) + 1] == ["musicdb", *path], example
            _parse(root, words[1:])
