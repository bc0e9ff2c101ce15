"""``musicdb migrate``: safe upgrades under a lock and timeouts, status, history, SQL, drift."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

import psycopg
import pytest

from helpers import MUSICDB, musicdb_subprocess_env
from musicdb import migrate
from musicdb.config import DatabaseTarget

INITIAL = "20250618_075008_initial_schema"
PERFORMANCE = "20250618_075149_add_performance_indexes"


def _revisions(url: str) -> tuple[str, ...]:
    with psycopg.connect(url, autocommit=True) as conn:
        return migrate.current_revisions(conn)


def _head() -> str:
    (head,) = migrate.heads()
    return head


def test_status_json_and_check_exit_codes(cli, db_url, empty_db_url) -> None:
    at_head = cli("migrate", "status", "--format", "json", "--check", url=db_url)
    assert at_head.exit_code == 0, at_head.stderr
    doc = at_head.json()
    assert doc["at_head"] is True
    assert doc["current"] == [_head()] and doc["pending"] == []

    empty = cli("migrate", "status", "--format", "json", "--check", url=empty_db_url)
    assert empty.exit_code == 1
    doc = empty.json()
    assert doc["current"] == [] and doc["at_head"] is False
    assert doc["pending"][:2] == [INITIAL, PERFORMANCE]
    assert doc["pending"][-1] == _head()
    assert cli("migrate", "status", url=empty_db_url).exit_code == 0  # without --check: informs


#: A revision's progress line (the interval set to 0 shows every one): "(applied REV (N statements"
APPLIED = re.compile(r"\(applied (\S+) \((\d+) statements")


def test_up_reports_progress_per_revision_and_is_idempotent(cli, empty_db_url, monkeypatch) -> None:
    monkeypatch.setenv("MUSICDB_PROGRESS_INTERVAL", "0")  # every progress line, unthrottled
    first = cli("migrate", "up", url=empty_db_url)
    assert first.exit_code == 0, first.stderr
    applied = APPLIED.findall(first.stderr)
    assert all(int(count) > 0 for _, count in applied)
    assert [rev for rev, _ in applied] == list(
        reversed([r.revision for r in migrate.script_directory().walk_revisions()])
    )
    assert _revisions(empty_db_url) == (_head(),)
    again = cli("migrate", "up", url=empty_db_url)
    assert again.exit_code == 0
    assert "nothing to do" in again.stderr
    assert "applied" not in again.stderr


def test_up_to_a_named_revision_and_unknown_revision(cli, empty_db_url) -> None:
    assert cli("migrate", "up", INITIAL, url=empty_db_url).exit_code == 0
    assert _revisions(empty_db_url) == (INITIAL,)
    bad = cli("migrate", "up", "no_such_revision", url=empty_db_url)
    assert bad.exit_code == 2  # a usage error, like every bad revision argument
    assert "unknown revision 'no_such_revision'" in bad.stderr
    assert _revisions(empty_db_url) == (INITIAL,)


def test_down_is_guarded_for_base_and_several_steps(cli, db_url) -> None:
    refused = cli("migrate", "down", "base", url=db_url)
    assert refused.exit_code == 1
    assert "--yes" in refused.stderr
    assert _revisions(db_url) == (_head(),)
    refused = cli("migrate", "down", INITIAL, url=db_url)
    assert refused.exit_code == 1 and _revisions(db_url) == (_head(),)

    one_step = cli("migrate", "down", "--", "-1", url=db_url)
    assert one_step.exit_code == 0, one_step.stderr
    compatible = migrate.script_directory().get_revision(_head()).down_revision
    assert _revisions(db_url) == (compatible,)  # partitioning sits on the compatible head
    assert cli("migrate", "down", "--", "-1", url=db_url).exit_code == 0
    merge = migrate.script_directory().get_revision(compatible).down_revision
    assert _revisions(db_url) == (merge,)  # the compatible head sits on the merge
    # the merge joins the legacy (adoption) branch: one step down un-merges it
    assert cli("migrate", "down", "--", "-1", url=db_url).exit_code == 0
    assert set(_revisions(db_url)) == set(migrate.script_directory().get_revision(
        merge).down_revision)

    done = cli("migrate", "down", "base", "--yes", url=db_url)
    assert done.exit_code == 0, done.stderr
    assert _revisions(db_url) == ()
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm', 'v') "
            "AND c.relname <> 'alembic_version'"
        ).fetchone()
    assert row == (0,)


@pytest.mark.parametrize(
    "args",
    [
        ("down", "--", "-abc"),
        ("down", "--", "+1"),
        ("down", "--", "-0"),
        ("down", "head"),
        ("down", "--", "-1"),
        ("down", "no_such_revision"),
        ("down", PERFORMANCE),
        ("sql", ":"),
        ("sql", "::"),
        ("sql", ""),
        ("sql", "base:"),
        ("sql", ":head"),
        ("sql", "--", "-1"),
        ("sql", "head@-1"),
        ("sql", "2025"),
        ("up", "nonsense_rev"),
        ("up", "--", "-1"),
        ("up", "+99"),
    ],
)
def test_bad_revision_arguments_are_one_line_usage_errors(cli, empty_db_url, args) -> None:
    """At base: every bad revision argument is exit 2 and one line, and nothing changes."""
    result = cli("migrate", *args, url=empty_db_url)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("musicdb: error:")]
    assert len(errors) == 1 and "unexpected" not in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert _revisions(empty_db_url) == ()


def test_down_refuses_more_steps_than_the_history_has(cli, db_url) -> None:
    """At head the main line is six revisions above base (initial, performance, maintenance_log,
    the legacy merge, the compatible head, partitioning): -999 is refused, nothing dropped."""
    result = cli("migrate", "down", "--yes", "--", "-999", url=db_url)
    assert result.exit_code == 2, result.stderr
    assert "cannot go down 999 step(s): the database is 6 step(s) above base" in result.stderr
    assert _revisions(db_url) == (_head(),)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regclass('public.tracks') IS NOT NULL").fetchone() == (True,)
    assert migrate.steps_below((_head(),)) == 6
    assert migrate.plan_downgrade((_head(),), "-6")[0] == "base"


def test_two_concurrent_upgrades_both_succeed_once(empty_db_url) -> None:
    env = musicdb_subprocess_env(MUSICDB_DATABASE_URL=empty_db_url, MUSICDB_PROGRESS_INTERVAL="0")
    procs = [
        subprocess.Popen([*MUSICDB, "migrate", "up"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    applied = [rev for _, err in outs for rev, _ in APPLIED.findall(err)]
    revisions = [r.revision for r in migrate.script_directory().walk_revisions()]
    assert sorted(applied) == sorted(revisions), outs  # each revision applied exactly once
    assert all("Traceback" not in err for _, err in outs)
    assert _revisions(empty_db_url) == (_head(),)


def test_migration_lock_wait_is_bounded(empty_db_url) -> None:
    target = DatabaseTarget(empty_db_url, "test")
    with migrate.migration_lock(target), pytest.raises(migrate.LockNotAvailable) as info:
        migrate.upgrade(target, "head", lock_wait_s=0.3)
    assert "--lock-wait" in str(info.value)
    assert _revisions(empty_db_url) == ()


def test_upgrade_facing_a_locked_table_times_out_and_stays(cli, empty_db_url) -> None:
    assert cli("migrate", "up", INITIAL, url=empty_db_url).exit_code == 0
    holder = psycopg.connect(empty_db_url)
    ready = threading.Event()

    def hold() -> None:
        # An open write transaction on tracks: CREATE INDEX (SHARE lock) must wait for it.
        holder.execute("LOCK TABLE tracks IN ROW EXCLUSIVE MODE")
        ready.set()

    threading.Thread(target=hold).start()
    assert ready.wait(10)
    try:
        started = time.monotonic()
        result = cli("migrate", "up", "--lock-timeout", "200", "--retries", "1", url=empty_db_url)
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    print(f"locked-table upgrade gave up after {elapsed:.2f} s")
    assert result.exit_code == 1
    assert "could not get a lock within 200 ms" in result.stderr
    assert "after 2 attempts" in result.stderr
    assert f"stays at {INITIAL}" in result.stderr
    assert "Traceback" not in result.stderr
    assert _revisions(empty_db_url) == (INITIAL,)
    # and once the lock is gone the same command goes through
    assert cli("migrate", "up", url=empty_db_url).exit_code == 0
    assert _revisions(empty_db_url) == (_head(),)


def test_offline_sql(cli, db_url) -> None:
    full = cli("migrate", "sql", "base:head")
    assert full.exit_code == 0, full.stderr
    assert "CREATE TABLE tracks" in full.stdout or "CREATE TABLE public.tracks" in full.stdout
    assert "CREATE MATERIALIZED VIEW mv_track_popularity" in full.stdout
    assert f"'{PERFORMANCE}'" in full.stdout  # the version row is written too
    # FROM defaults to the live revision: nothing to do at head
    live = cli("migrate", "sql", "head", url=db_url)
    assert live.exit_code == 0
    assert "CREATE TABLE" not in live.stdout
    step = cli("migrate", "sql", f"{INITIAL}:{PERFORMANCE}")
    assert "CREATE MATERIALIZED VIEW" in step.stdout and "CREATE TABLE users" not in step.stdout
    down = cli("migrate", "sql", f"{PERFORMANCE}:{INITIAL}")
    assert "DROP MATERIALIZED VIEW" in down.stdout
    assert _revisions(db_url) == (_head(),)  # offline: nothing ran


def test_history_marks_current_and_head(cli, db_url) -> None:
    result = cli("migrate", "history", "--format", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    rows = result.json()["rows"]
    assert [r["revision"] for r in rows][-2:] == [PERFORMANCE, INITIAL]
    current = [r["revision"] for r in rows if r["is_current"]]
    assert current == [_head()]
    assert [r["revision"] for r in rows if r["is_head"]] == [_head()]


def test_check_reports_no_drift_on_a_fresh_head(cli, db_url) -> None:
    result = cli("migrate", "check", "--format", "json", url=db_url)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.json()["rows"] == []


def test_check_reports_every_drift(cli, db_url) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP INDEX ix_user_interactions_user_id_created_at")
        conn.execute("ALTER TABLE tracks ADD COLUMN mood text")
        conn.execute("DROP MATERIALIZED VIEW mv_track_popularity")
        conn.execute(
            "CREATE MATERIALIZED VIEW mv_track_popularity AS "
            "SELECT id AS track_id, title FROM tracks"
        )
    result = cli("migrate", "check", "--format", "json", url=db_url)
    assert result.exit_code == 1
    found = {(r["kind"], r["name"], r["change"]) for r in result.json()["rows"]}
    assert ("indexes", "ix_user_interactions_user_id_created_at", "missing") in found, found
    assert any(k == "columns" and "mood" in n and c == "extra" for k, n, c in found), found
    assert any(k == "views" and "mv_track_popularity" in n for k, n, _ in found), found
    assert "drift:" in result.stderr


@pytest.mark.slow  # builds a wheel and a virtualenv
def test_built_wheel_migrates_from_a_fresh_virtualenv(tmp_path: Path, empty_db_url) -> None:
    """The revisions and SQL files really ship inside the wheel."""
    root = Path(__file__).resolve().parents[1]
    source = tmp_path / "source"  # a clean copy: no stale build/ folder can leak into the wheel
    shutil.copytree(root / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    wheelhouse = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(wheelhouse), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (wheel,) = wheelhouse.glob("musicdb-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # musicdb itself only from the wheel; its dependencies from this environment (added last).
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    Path(site, "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = musicdb_subprocess_env(MUSICDB_DATABASE_URL=empty_db_url)
    env.pop("PYTHONPATH", None)
    where = subprocess.run([str(python), "-c", "import musicdb; print(musicdb.__file__)"],
                           check=True, capture_output=True, text=True, env=env)
    assert where.stdout.strip().startswith(site), where.stdout
    up = subprocess.run([str(python), "-m", "musicdb", "migrate", "up"], capture_output=True,
                        text=True, env=env, timeout=300, check=False)
    assert up.returncode == 0, up.stderr
    assert _revisions(empty_db_url) == (_head(),)
    assert os.path.exists(Path(site) / "musicdb" / "migrations" / "versions")
