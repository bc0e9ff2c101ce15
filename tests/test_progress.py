"""Progress of long commands: on stderr, throttled when it is not a terminal, silenced by
--quiet; stdout carries only the result (so --format json parses)."""

from __future__ import annotations

import io
import json
import time

from helpers import run_cli
from musicdb.cli._progress import LineProgress
from musicdb.progress import Progress, as_progress

#: The long commands, in an order that works on one fresh database, each with JSON output.
LONG_COMMANDS = [
    ("migrate", "up"),
    ("generate", "--scale", "0.002", "--seed", "3", "--until", "2026-11-01", "--format", "json"),
    ("bench", "-p", "Q1,Q5", "-n", "3", "--warmup", "1", "--compare-baseline",
     "--baseline-iterations", "2", "--format", "json"),
    ("vacuum-table", "--all", "--min-dead-rows", "0", "--min-dead-ratio", "0", "--format", "json"),
    ("refresh-view", "mv_track_popularity", "--format", "json"),
    ("maintain", "weekly", "--format", "json"),
    ("migrate", "down", "--yes", "--", "-1"),
]

#: What each command's progress names (its task), shown when every line is let through.
TASKS = ["migrate: ", "user_interactions: ", "bench baseline: ", "vacuum: ",
         "refresh public.mv_track_popularity", "maintain weekly: ", "migrate: "]


def _run_all(url: str, *options: str) -> list[tuple[float, str, str]]:
    runs = []
    for args in LONG_COMMANDS:
        started = time.monotonic()
        result = run_cli(*options, *args, url=url)
        assert result.exit_code == 0, (args, result.stderr)
        if "json" in args:
            json.loads(result.stdout)  # stdout holds the result and nothing else
        else:
            assert result.stdout == ""
        runs.append((time.monotonic() - started, result.stdout, result.stderr))
    return runs


def test_every_long_command_shows_its_progress_unthrottled(empty_db_url, monkeypatch) -> None:
    monkeypatch.setenv("MUSICDB_PROGRESS_INTERVAL", "0")
    runs = _run_all(empty_db_url)
    for (_, _, err), task in zip(runs, TASKS, strict=True):
        assert task in err, err
    maintain = runs[5][2]  # object by object within the run's steps
    assert "(refreshing public.mv_track_popularity)" in maintain, maintain
    assert "(index_review)" in maintain


def test_progress_lines_are_throttled(pg_server, monkeypatch) -> None:
    interval = 0.25
    monkeypatch.setenv("MUSICDB_PROGRESS_INTERVAL", str(interval))
    with pg_server.database() as name:
        for elapsed, _, err in _run_all(pg_server.url(name)):
            # at most one line per interval, plus the command's own lines (start and summary)
            assert len(err.splitlines()) <= elapsed / interval + 3, err


def test_quiet_silences_progress(db_url, monkeypatch) -> None:
    monkeypatch.setenv("MUSICDB_PROGRESS_INTERVAL", "0")
    result = run_cli("--quiet", *LONG_COMMANDS[1], url=db_url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["report"] == "generate"
    assert "user_interactions: " not in result.stderr
    loud = run_cli("refresh-view", "mv_track_popularity", "--format", "json", url=db_url)
    quiet = run_cli("-q", "refresh-view", "mv_track_popularity", "--format", "json", url=db_url)
    assert "refresh public.mv_track_popularity" in loud.stderr
    assert quiet.stderr == "" and json.loads(quiet.stdout)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_line_progress_prints_at_most_one_line_per_interval() -> None:
    clock, out = _Clock(), io.StringIO()
    shown = LineProgress(out, 5.0, clock)
    shown.start("users", total=1000, unit="rows")
    for _ in range(10):  # ten advances within the first interval: nothing yet
        shown.advance(10)
        clock.now += 0.4
    assert out.getvalue() == ""
    clock.now += 1.0  # 5 s since the start
    shown.advance(100)
    assert out.getvalue() == "users: 200/1,000 rows, 40 rows/s, ETA 20 s\n"
    shown.note("indexes")  # within the interval: dropped
    clock.now += 5.0
    shown.note("ANALYZE")
    assert out.getvalue().splitlines()[-1] == "users: 200/1,000 rows, 20 rows/s, ETA 40 s (ANALYZE)"
    assert len(out.getvalue().splitlines()) == 2


def test_a_callable_receives_the_notes_and_none_is_silent() -> None:
    seen: list[str] = []
    shown = as_progress(seen.append)
    shown.start("x", total=2)
    shown.advance()
    shown("one")
    shown.note("two")
    assert seen == ["one", "two"]
    assert isinstance(as_progress(None), Progress)
    as_progress(None).note("nothing happens")


def test_rich_progress_draws_each_task_with_its_count_and_note() -> None:
    from musicdb.cli._progress import RichProgress

    out = io.StringIO()
    with RichProgress(out) as shown:
        shown.start("users", total=100, unit="rows")
        shown.advance(40)
        shown.note("indexes")
        shown.start("refresh mv_track_popularity")  # the previous task is shown as finished
        shown.note("running")
    lines = out.getvalue().splitlines()
    users = next(line for line in lines if line.startswith("users"))
    assert "100/100" in users and "indexes" in users
    assert any(line.startswith("refresh mv_track_popular") and "running" in line
               for line in lines)
