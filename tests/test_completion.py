"""Shell completion through Typer's protocol, run against the installed console script."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import musicdb_subprocess_env

SCRIPT = Path(sys.executable).parent / "musicdb"


def _script() -> str:
    found = str(SCRIPT) if SCRIPT.is_file() else shutil.which("musicdb")
    assert found, "the musicdb console script is not installed beside this interpreter"
    return found


def _complete(shell: str, words: str, **env: str) -> subprocess.CompletedProcess[str]:
    """What the shell's completion function would receive for the command line *words*."""
    extra = {"_MUSICDB_COMPLETE": f"complete_{shell}", **env}
    if shell == "bash":
        count = len(shlex.split(words)) + words.endswith(" ")  # a quoted value is one word
        extra |= {"COMP_WORDS": words, "COMP_CWORD": str(count - 1)}
    else:
        extra |= {"_TYPER_COMPLETE_ARGS": words}
        if shell == "fish":
            extra["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return subprocess.run([_script()], check=False, env=musicdb_subprocess_env(**extra),
                          capture_output=True, text=True, timeout=60)


def _words(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0 and result.stderr == "", result
    return [line.split("\t")[0] for line in result.stdout.splitlines() if line]


def test_commands_options_and_format_values_complete() -> None:
    assert _words(_complete("bash", "musicdb vac")) == ["vacuum-table"]
    assert "--all" in _words(_complete("bash", "musicdb vacuum-table --a"))
    assert _words(_complete("bash", "musicdb migrate u")) == ["up"]
    assert _words(_complete("fish", "musicdb mig")) == ["migrate"]
    zsh = _complete("zsh", "musicdb analyze-indexes --format ")
    assert zsh.returncode == 0
    assert all(f'"{value}"' in zsh.stdout for value in ("table", "json", "csv")), zsh.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_for_each_shell(shell: str) -> None:
    result = subprocess.run([_script(), "--show-completion", shell], check=False,
                            capture_output=True, text=True, env=musicdb_subprocess_env(),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "_MUSICDB_COMPLETE" in result.stdout


def test_table_and_view_names_come_from_the_configured_database(db_url) -> None:
    quoted = shlex.quote(db_url)  # a keyword/value connection string holds spaces
    tables = _words(_complete("bash", f"musicdb --database-url {quoted} vacuum-table user"))
    assert "user_interactions" in tables and "users" in tables
    assert all(name.startswith("user") for name in tables) and "tracks" not in tables
    everything = _words(_complete("bash", "musicdb vacuum-table ", MUSICDB_DATABASE_URL=db_url))
    assert "tracks" in everything and "mv_track_popularity" not in everything
    views = _words(_complete("bash", "musicdb refresh-view ", MUSICDB_DATABASE_URL=db_url))
    assert views == ["mv_track_popularity"]


def test_an_unreachable_database_completes_nothing_quietly() -> None:
    # a port nothing listens on: the completion offers no name and prints no error
    url = "postgresql://nobody@127.0.0.1:1/nothing"
    assert _words(_complete("bash", f"musicdb --database-url {url} vacuum-table ")) == []
    assert _words(_complete("bash", "musicdb refresh-view ", MUSICDB_DATABASE_URL=url)) == []
