"""cli/_common: the one confirm-or-refuse rule and the one error line."""

from __future__ import annotations

import io

import pytest
import typer

from musicdb.cli._common import confirm_or_refuse


class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_yes_goes_on_without_asking(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin("", tty=False))
    confirm_or_refuse(True, "this would drop it; pass --yes", "Drop it?")
    assert capsys.readouterr().err == ""


def test_without_terminal_refuses_with_one_error_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin("y\n", tty=False))
    with pytest.raises(typer.Exit) as exc:
        confirm_or_refuse(False, "this would drop it; pass --yes", "Drop it?")
    assert exc.value.exit_code == 1
    assert capsys.readouterr().err == "musicdb: error: this would drop it; pass --yes\n"


@pytest.mark.parametrize(("answer", "goes_on"), [("y\n", True), ("n\n", False)])
def test_on_a_terminal_asks(monkeypatch, capsys, answer: str, goes_on: bool) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(answer, tty=True))
    if goes_on:
        confirm_or_refuse(False, "refused", "Drop it?")
    else:
        with pytest.raises(typer.Abort):
            confirm_or_refuse(False, "refused", "Drop it?")
    out = capsys.readouterr()
    assert "Drop it?" in out.out
    assert "musicdb: error" not in out.err
