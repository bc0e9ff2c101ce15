"""refresh-view, vacuum-table and maintain against a real server: locks, timeouts, hostile names."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from helpers import MUSICDB, musicdb_subprocess_env
from musicdb.config import DatabaseTarget
from musicdb.ops import maintain, maintenance, refresh

VIEW = "mv_track_popularity"
QVIEW = f"public.{VIEW}"
#: A guard against a hung child process (a bug), not a speed limit.
HANG_GUARD_S = 120


def _target(url: str) -> DatabaseTarget:
    return DatabaseTarget(url, "test")


def _log(conn: psycopg.Connection[Any], target: str | None = None) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT id, operation, target, outcome, rows, duration_ms, error, details,"
        " started_at, finished_at FROM maintenance_log"
        + (" WHERE target = %s" if target else "") + " ORDER BY id",
        (target,) if target else None,
    )
    names = [c.name for c in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _catalog(conn: psycopg.Connection[Any]) -> set[tuple[str, str, str]]:
    """Every relation outside the system schemas: what a hostile name must not change."""
    rows = conn.execute(
        "SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
    ).fetchall()
    return {tuple(r) for r in rows}  # type: ignore[misc]


def _popen(url: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*MUSICDB, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=musicdb_subprocess_env(MUSICDB_DATABASE_URL=url, **env),
    )


def _wait_until(predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + HANG_GUARD_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def _waiting_on_lock(conn: psycopg.Connection[Any], application: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        " AND wait_event_type = 'Lock'",
        (application,),
    ).fetchone()
    return int(row[0]) if row else 0


def _hold_view_lock(conn: psycopg.Connection[Any]) -> None:
    """Take ACCESS EXCLUSIVE on the view in *conn*'s open transaction, as a plain REFRESH does
    (LOCK TABLE does not accept materialized views)."""
    assert not conn.autocommit
    conn.execute("REFRESH MATERIALIZED VIEW mv_track_popularity")


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("musicdb: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# -- data big enough for a refresh that takes a while ---------------------------------------------
LOAD = [
    # the rows are consistent by construction: skip the FK triggers (400k firings) while loading
    "SET session_replication_role = replica",
    "INSERT INTO users (username, email, password_hash)"
    " SELECT 'u' || g, 'u' || g || '@example.org', 'x' FROM generate_series(1, 2000) AS g",
    "INSERT INTO tracks (title) SELECT 'track ' || g FROM generate_series(1, 20000) AS g",
    "INSERT INTO user_interactions (user_id, track_id, interaction_type, play_duration_ms,"
    " created_at)"
    " SELECT (SELECT min(id) FROM users) + g % 2000,"
    "        (SELECT min(id) FROM tracks) + (g * 7) % 20000,"
    "        (ARRAY['play', 'play', 'play', 'skip', 'like'])[1 + g % 5], g % 240000,"
    "        now() - g * interval '1 second'"
    " FROM generate_series(1, 200000) AS g",
    "RESET session_replication_role",
    "ANALYZE",
    "REFRESH MATERIALIZED VIEW mv_track_popularity",
]


@pytest.fixture(scope="module")
def big_db_url(pg_server, template_db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """One database per module with 200k interactions behind the view (only refreshed here)."""
    with pg_server.database(template_db) as name:
        with pg_server.connect(name) as conn:
            # This database only serves refreshes: the event table's secondary indexes would
            # only slow the load down.
            for (index,) in conn.execute(
                "SELECT indexrelid::regclass::text FROM pg_index"
                " WHERE indrelid = 'user_interactions'::regclass AND NOT indisprimary"
            ).fetchall():
                conn.execute(psycopg.sql.SQL("DROP INDEX {}").format(psycopg.sql.Identifier(index)))
            for statement in LOAD:
                conn.execute(statement)
        yield pg_server.url(name)


@pytest.mark.slow  # loads 200,000 rows
def test_readers_are_not_blocked_by_a_concurrent_refresh(big_db_url: str) -> None:
    """SELECTs on the view keep answering while REFRESH ... CONCURRENTLY runs."""
    with psycopg.connect(big_db_url, autocommit=True) as conn:
        # new plays so that the refresh has a real difference to merge
        conn.execute("UPDATE user_interactions SET interaction_type = 'play'"
                     " WHERE id % 10 = 3")
        conn.execute("VACUUM ANALYZE user_interactions")
    outcome: dict[str, Any] = {}

    def run_refresh() -> None:
        outcome["result"] = refresh.refresh_view(_target(big_db_url), VIEW)

    during: list[float] = []
    other: list[float] = []
    with psycopg.connect(big_db_url, autocommit=True) as reader, \
            psycopg.connect(big_db_url, autocommit=True) as watcher:
        def refreshing() -> bool:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                " AND query LIKE 'REFRESH MATERIALIZED VIEW CONCURRENTLY%%'"
            ).fetchone()
            return bool(row and row[0])

        thread = threading.Thread(target=run_refresh)
        thread.start()
        while thread.is_alive():
            before = refreshing()
            clock = time.perf_counter()
            row = reader.execute(
                "SELECT count(*), max(total_plays) FROM mv_track_popularity"
            ).fetchone()
            latency = time.perf_counter() - clock
            assert row is not None and row[0] == 20000
            (during if before and refreshing() else other).append(latency)
        thread.join()
    result = outcome["result"]
    assert result.outcome == "ok", result.message
    assert result.mode == "concurrently"
    worst = max(during) * 1000 if during else None
    print(f"\nrefresh {result.duration_ms:.0f} ms; {len(during)} SELECTs answered while it ran, "
          f"worst latency {worst if worst is None else round(worst, 2)} ms; "
          f"{len(other)} outside")
    # Each of these SELECTs started and finished while the REFRESH statement was active.
    assert len(during) >= 3, (len(during), result.duration_ms)


def test_two_refreshes_at_once_one_refreshes_the_other_skips(db_url: str, pg_conn) -> None:
    before = len(_log(pg_conn, QVIEW))
    with psycopg.connect(db_url) as holder:
        # Keep the first refresh inside its lock wait so that the two certainly overlap.
        _hold_view_lock(holder)
        procs = [_popen(db_url, "refresh-view", VIEW, "--lock-timeout", "60000", "-f", "json")
                 for _ in range(2)]
        _wait_until(lambda: any(p.poll() is not None for p in procs), "one refresh skipped")
        _wait_until(lambda: _waiting_on_lock(pg_conn, "musicdb refresh-view") == 1,
                    "the other refresh waits for the view")
        holder.rollback()
    outputs = [p.communicate(timeout=HANG_GUARD_S) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    outcomes = sorted(json.loads(out)["rows"][0]["outcome"] for out, _ in outputs)
    assert outcomes == ["ok", "skipped"], outputs
    skipped = next(json.loads(o)["rows"][0] for o, _ in outputs
                   if json.loads(o)["rows"][0]["outcome"] == "skipped")
    assert "another refresh of public.mv_track_popularity is running" in skipped["message"]
    rows = _log(pg_conn, QVIEW)
    assert len(rows) == before + 1
    assert rows[-1]["outcome"] == "ok" and rows[-1]["details"]["mode"] == "concurrently"


def test_a_refresh_whose_client_was_killed_still_makes_the_next_run_skip(db_url, pg_conn,
                                                                         cli) -> None:
    """kill -9 of the client leaves its backend in the REFRESH (here: queued behind a lock); the
    view's lock is held by that backend, so the next run skips instead of queueing behind it."""
    with psycopg.connect(db_url) as holder:
        _hold_view_lock(holder)
        proc = _popen(db_url, "refresh-view", VIEW, "--lock-timeout", "600000")
        _wait_until(lambda: _waiting_on_lock(pg_conn, "musicdb refresh-view") == 1,
                    "the refresh waits for the view")
        proc.kill()
        proc.communicate(timeout=HANG_GUARD_S)
        assert _waiting_on_lock(pg_conn, "musicdb refresh-view") == 1  # the orphan is still there
        result = cli("refresh-view", VIEW, "-f", "json", url=db_url)
        holder.rollback()
    pg_conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = 'musicdb refresh-view'")
    assert result.exit_code == 0, result.stderr
    row = result.json()["rows"][0]
    assert row["outcome"] == "skipped", row
    assert "another refresh of public.mv_track_popularity is running" in row["message"]


def test_refresh_gives_up_within_its_lock_timeout(db_url: str, pg_conn) -> None:
    with psycopg.connect(db_url) as holder:
        _hold_view_lock(holder)
        proc = subprocess.run(
            [*MUSICDB, "refresh-view", VIEW, "--lock-timeout", "300"],
            capture_output=True, text=True, timeout=HANG_GUARD_S, stdin=subprocess.DEVNULL,
            env=musicdb_subprocess_env(MUSICDB_DATABASE_URL=db_url), check=False,
        )
        holder.rollback()
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    line = _one_error_line(proc.stderr)
    assert "another session holds a conflicting lock" in line
    assert "lock_timeout (300 ms, --lock-timeout)" in line
    [row] = _log(pg_conn, QVIEW)
    assert row["outcome"] == "timeout"
    assert row["details"]["sqlstate"] == "55P03"  # lock_not_available: lock_timeout fired
    print(f"\nrefresh gave up after {row['duration_ms']:.0f} ms (lock_timeout 300 ms)")


# -- hostile and wrong names (defect 8 of docs/schema.md) ----------------------------------------
#: (command, name, exit code): 2 for what is not a name at all, 1 for a name that finds nothing
#: it may work on.
HOSTILE = [
    ("refresh-view", "mv_track_popularity; CREATE TABLE pwned(i int)", 2),
    ("refresh-view", 'mv_track_popularity"; CREATE TABLE pwned(i int); --', 2),
    ("refresh-view", "mv_track_popularity' OR '1'='1", 2),
    ("refresh-view", '"MV_TRACK_POPULARITY"', 1),  # quoted: case kept, so no such view
    ("refresh-view", "users", 1),  # an ordinary table
    ("refresh-view", "pg_catalog.pg_class", 1),
    ("refresh-view", "other_db.public.mv_track_popularity", 2),
    ("vacuum-table", VIEW, 1),  # a (materialized) view
    ("vacuum-table", "users; DROP TABLE tracks", 2),
    ("vacuum-table", 'users"; DROP TABLE tracks; --', 2),
    ("vacuum-table", "pg_catalog.pg_class", 1),
    ("vacuum-table", "pg_class", 1),  # pg_catalog is searched first
    ("vacuum-table", "a.b.c.d", 2),
    ("vacuum-table", "", 2),
]


def test_defect_8_hostile_names_are_refused_and_change_nothing(db_url, pg_conn, cli) -> None:
    pg_conn.execute("INSERT INTO tracks (title) VALUES ('kept')")
    catalog = _catalog(pg_conn)
    for command, name, code in HOSTILE:
        result = cli(command, name, url=db_url)
        assert result.exit_code == code, (command, name, result.stdout, result.stderr)
        line = _one_error_line(result.stderr)
        assert repr(name) in line
        assert result.stdout == ""
    assert _catalog(pg_conn) == catalog
    assert pg_conn.execute("SELECT to_regclass('public.pwned')").fetchone() == (None,)
    assert pg_conn.execute("SELECT title FROM tracks").fetchall() == [("kept",)]
    assert _log(pg_conn) == []  # nothing ran, nothing was recorded


def test_wrong_kind_and_unknown_names_list_what_exists(db_url, cli) -> None:
    result = cli("refresh-view", "users", url=db_url)
    assert "'users' is public.users, a table, not a materialized view" in result.stderr
    assert "materialized views in this database: public.mv_track_popularity" in result.stderr
    result = cli("refresh-view", "nope", url=db_url)
    assert result.exit_code == 1
    assert "no materialized view named 'nope'" in result.stderr
    result = cli("vacuum-table", VIEW, url=db_url)
    assert "is public.mv_track_popularity, a materialized view, not a table" in result.stderr


def test_a_name_with_quotes_is_quoted_as_an_identifier(db_url, pg_conn, cli) -> None:
    pg_conn.execute('CREATE MATERIALIZED VIEW "odd ""name""; x" AS SELECT 1 AS id')
    pg_conn.execute('CREATE UNIQUE INDEX odd_id ON "odd ""name""; x" (id)')
    pg_conn.execute('CREATE TABLE "odd table; DROP TABLE users" (i int)')
    catalog = _catalog(pg_conn)
    result = cli("refresh-view", '"odd ""name""; x"', "-f", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.json()["rows"][0]["view"] == 'public."odd ""name""; x"'
    assert result.json()["rows"][0]["mode"] == "concurrently"
    result = cli("vacuum-table", '"odd table; DROP TABLE users"', url=db_url)
    assert result.exit_code == 0, result.stderr
    assert _catalog(pg_conn) == catalog  # users is still there
    assert [r["operation"] for r in _log(pg_conn)] == ["refresh", "vacuum"]


def test_unqualified_names_follow_the_search_path_like_postgresql(db_url, pg_conn, cli) -> None:
    """to_regclass semantics: a schema off the search_path is never searched; the first schema
    on it that holds the name wins; quoted and dotted names are read as psql reads them."""
    pg_conn.execute("CREATE SCHEMA other; CREATE TABLE other.secret (i int)")
    pg_conn.execute("CREATE SCHEMA s2; CREATE TABLE s2.users (i int)")
    pg_conn.execute('CREATE TABLE "Users" (i int)')
    pg_conn.execute('CREATE SCHEMA "My.Schema"; CREATE MATERIALIZED VIEW "My.Schema"."t.x" AS'
                    " SELECT 1 AS id")
    result = cli("vacuum-table", "secret", url=db_url)
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert "no table named 'secret' on the search_path (public); give the schema: other.secret" \
        in line
    assert cli("vacuum-table", "other.secret", url=db_url).stdout.startswith("other.secret: ok")
    assert cli("vacuum-table", "users", url=db_url).stdout.startswith("public.users: ok")
    assert cli("vacuum-table", "USERS", url=db_url).stdout.startswith("public.users: ok")
    assert cli("vacuum-table", '"Users"', url=db_url).stdout.startswith('public."Users": ok')
    dbname = pg_conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    pg_conn.execute(sql.SQL("ALTER DATABASE {} SET search_path = s2, public").format(
        sql.Identifier(dbname)))
    assert cli("vacuum-table", "users", url=db_url).stdout.startswith("s2.users: ok")
    assert cli("vacuum-table", f"{dbname}.public.users", url=db_url).stdout.startswith(
        "public.users: ok")
    result = cli("refresh-view", '"My.Schema"."t.x"', "--allow-blocking", url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('refreshed "My.Schema"."t.x" blocking: 1 rows')
    assert [r["target"] for r in _log(pg_conn) if r["operation"] == "refresh"] == [
        '"My.Schema"."t.x"']


def test_maintain_names_a_bad_schedule(cli) -> None:
    result = cli("maintain", "yearly")
    assert result.exit_code == 2
    assert _one_error_line(result.stderr) == (
        "musicdb: error: 'yearly' is not a schedule; expected daily, weekly, monthly (or --crontab)"
    )
    assert cli("maintain").exit_code == 2


# -- refresh modes ---------------------------------------------------------------------------------
def test_refresh_records_start_end_duration_rows(db_url, pg_conn, cli) -> None:
    pg_conn.execute("INSERT INTO tracks (title) SELECT 't' || g FROM generate_series(1, 25) g")
    result = cli("refresh-view", VIEW, url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("refreshed public.mv_track_popularity concurrently: 25 rows")
    [row] = _log(pg_conn, QVIEW)
    assert (row["operation"], row["outcome"], row["rows"]) == ("refresh", "ok", 25)
    assert row["finished_at"] >= row["started_at"] and row["duration_ms"] >= 0
    assert row["error"] is None


def test_no_concurrent_refresh_without_unique_index_unless_allowed(db_url, pg_conn, cli) -> None:
    pg_conn.execute("CREATE MATERIALIZED VIEW mv_plain AS SELECT id FROM tracks")
    result = cli("refresh-view", "mv_plain", url=db_url)
    assert result.exit_code == 1
    line = _one_error_line(result.stderr)
    assert "cannot refresh public.mv_plain CONCURRENTLY: it has no unique index" in line
    assert "--allow-blocking" in line
    result = cli("refresh-view", "mv_plain", "--allow-blocking", "-f", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.json()["rows"][0]["mode"] == "blocking"
    assert [(r["outcome"], r["details"].get("mode")) for r in _log(pg_conn, "public.mv_plain")] \
        == [("failed", "blocking"), ("ok", "blocking")]


def test_unpopulated_view_needs_allow_blocking(db_url, pg_conn, cli) -> None:
    pg_conn.execute("CREATE MATERIALIZED VIEW mv_empty AS SELECT id FROM tracks WITH NO DATA")
    pg_conn.execute("CREATE UNIQUE INDEX ON mv_empty (id)")
    result = cli("refresh-view", "mv_empty", url=db_url)
    assert result.exit_code == 1
    assert "it is not populated" in result.stderr
    assert cli("refresh-view", "mv_empty", "--allow-blocking", url=db_url).exit_code == 0
    assert pg_conn.execute("SELECT relispopulated FROM pg_class WHERE relname = 'mv_empty'"
                           ).fetchone() == (True,)
    # populated now, so the next refresh is concurrent again
    result = cli("refresh-view", "mv_empty", "-f", "json", url=db_url)
    assert result.json()["rows"][0]["mode"] == "concurrently"


def test_if_older_than(db_url, pg_conn, cli) -> None:
    assert cli("refresh-view", VIEW, "--if-older-than", "6h", url=db_url).exit_code == 0
    result = cli("refresh-view", VIEW, "--if-older-than", "6h", url=db_url)
    assert result.exit_code == 0
    assert "skipped" in result.stdout and "--if-older-than" in result.stdout
    assert len(_log(pg_conn, QVIEW)) == 1
    pg_conn.execute("UPDATE maintenance_log SET started_at = started_at - interval '7 hours',"
                    " finished_at = finished_at - interval '7 hours'")
    result = cli("refresh-view", VIEW, "--if-older-than", "6h", url=db_url)
    assert result.stdout.startswith("refreshed"), result.stdout
    assert len(_log(pg_conn, QVIEW)) == 2
    bad = cli("refresh-view", VIEW, "--if-older-than", "soon", url=db_url)
    assert bad.exit_code == 2 and "not a duration" in bad.stderr


def test_wait_takes_the_lock_when_the_other_refresh_ends(db_url, pg_conn) -> None:
    row = pg_conn.execute("SELECT %s::regclass::oid", (QVIEW,)).fetchone()
    view = maintenance.Relation(int(row[0]), "public", VIEW, "m")
    keys = refresh.refresh_lock(view).keys
    with psycopg.connect(db_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", keys)
        # progress every 0 s: the waiting note shows at once (by default it is throttled)
        proc = _popen(db_url, "refresh-view", VIEW, "--wait", "60", MUSICDB_PROGRESS_INTERVAL="0")
        assert proc.stderr is not None
        first = proc.stderr.readline()  # printed once it found the lock taken
        assert "waiting for the refresh-view lock" in first
        other.execute("SELECT pg_advisory_unlock(%s, %s)", keys)
    out, err = proc.communicate(timeout=HANG_GUARD_S)
    assert proc.returncode == 0, err
    assert out.startswith("refreshed public.mv_track_popularity concurrently")
    assert len(_log(pg_conn, QVIEW)) == 1


# -- vacuum ----------------------------------------------------------------------------------------
def _make_dead_rows(conn: psycopg.Connection[Any], table: str = "artists", n: int = 1000) -> None:
    # Autovacuum would clean them up on its own schedule (naptime 1 min) and race the test.
    conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    conn.execute(f"INSERT INTO {table} (name) SELECT 'a' || g FROM generate_series(1, {n}) g")
    conn.execute(f"DELETE FROM {table} WHERE id % 5 <> 0")
    conn.execute("SELECT pg_stat_force_next_flush()")  # PG 15+: report the dead rows now


def test_vacuum_one_table(db_url, pg_conn, cli) -> None:
    _make_dead_rows(pg_conn)
    result = cli("vacuum-table", "artists", "-f", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    [row] = result.json()["rows"]
    assert row["outcome"] == "ok" and row["full"] is False
    assert row["dead_rows_before"] == 800 and row["live_rows"] == 200
    [logged] = _log(pg_conn, "public.artists")
    assert logged["operation"] == "vacuum" and logged["outcome"] == "ok"
    assert logged["details"]["dead_rows_before"] == 800
    assert logged["details"]["dead_rows_after"] == 0


def test_vacuum_all_over_the_threshold(db_url, pg_conn, cli) -> None:
    _make_dead_rows(pg_conn, "artists")
    pg_conn.execute("ALTER TABLE albums SET (autovacuum_enabled = false)")
    pg_conn.execute("INSERT INTO albums (title) SELECT 'b' || g FROM generate_series(1, 1000) g")
    pg_conn.execute("DELETE FROM albums WHERE id % 10 = 0")  # 10 % dead
    pg_conn.execute("SELECT pg_stat_force_next_flush()")
    result = cli("vacuum-table", "--all", "--min-dead-ratio", "30%", url=db_url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("public.artists: ok in "), result.stdout
    result = cli("vacuum-table", "--all", "--min-dead-ratio", "0.05", "-f", "json", url=db_url)
    assert [r["table"] for r in result.json()["rows"]] == ["public.albums"]
    assert [(r["target"], r["operation"]) for r in _log(pg_conn)] == [
        ("public.artists", "vacuum"), ("public.albums", "vacuum")]


def test_vacuum_full_needs_yes_and_usage_errors(db_url, pg_conn, cli) -> None:
    result = cli("vacuum-table", "artists", "--full", url=db_url)
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert cli("vacuum-table", url=db_url).exit_code == 2
    assert cli("vacuum-table", "artists", "--all", url=db_url).exit_code == 2
    bad = cli("vacuum-table", "--all", "--min-dead-ratio", "2", url=db_url)
    assert bad.exit_code == 2 and "ratio out of range" in bad.stderr
    assert _log(pg_conn) == []
    result = cli("vacuum-table", "artists", "--full", "--yes", url=db_url)
    assert result.exit_code == 0, result.stderr
    assert [r["operation"] for r in _log(pg_conn)] == ["vacuum_full"]


def test_vacuum_gives_up_within_its_lock_timeout(db_url, pg_conn, cli) -> None:
    with psycopg.connect(db_url) as holder:
        holder.execute("LOCK TABLE artists IN SHARE UPDATE EXCLUSIVE MODE")
        result = cli("vacuum-table", "artists", "--lock-timeout", "200", url=db_url)
        holder.rollback()
    assert result.exit_code == 1
    assert result.stdout.startswith("public.artists: timeout in ")
    assert "lock_timeout (200 ms" in _one_error_line(result.stderr)
    assert [r["outcome"] for r in _log(pg_conn)] == ["timeout"]


# -- maintain --------------------------------------------------------------------------------------
def test_maintain_each_schedule_end_to_end(db_url, pg_conn, cli) -> None:
    _make_dead_rows(pg_conn)
    pg_conn.execute("CREATE EXTENSION pg_stat_statements")
    result = cli("maintain", "daily", "-f", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert [r["step"] for r in doc["rows"]] == list(maintain.SCHEDULES["daily"])
    assert doc["meta"]["outcome"] == "ok"
    steps = {r["step"]: r for r in doc["rows"]}
    assert steps["slow_queries"]["status"] == "ok"
    assert steps["slow_queries"]["details"]["statements"]  # this very test's statements
    assert steps["connections"]["details"]["max_connections"] > 0
    assert steps["premake_partitions"]["status"] == "ok"  # user_interactions kept ahead
    health_step = steps["health_check"]
    # the view was never refreshed by musicdb: a warning, which does not fail the job
    assert health_step["status"] == "warning"
    assert any(c["check"] == "view_staleness" for c in health_step["details"]["not_ok"])

    result = cli("maintain", "weekly", "-f", "json", url=db_url)
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert [r["step"] for r in doc["rows"]] == ["refresh_views", "index_review"]
    assert doc["rows"][0]["details"]["views"][0]["outcome"] == "ok"

    result = cli("maintain", "monthly", url=db_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("maintain monthly: ok, 3 step(s)")
    assert [(r["operation"], r["target"]) for r in _log(pg_conn)] == [
        ("refresh", QVIEW), ("vacuum", "public.artists")]
    # the daily health check now finds the view fresh
    result = cli("health-check", "--only", "view_staleness", url=db_url)
    assert result.exit_code == 0, result.stdout


def test_maintain_fails_when_a_step_fails(db_url, pg_conn, cli) -> None:
    pg_conn.execute("CREATE MATERIALIZED VIEW mv_plain AS SELECT id FROM tracks")
    result = cli("maintain", "weekly", "-f", "json", url=db_url)
    assert result.exit_code == 1
    doc = result.json()
    assert doc["meta"]["outcome"] == "failed"
    assert doc["rows"][0]["status"] == "failed"
    assert "mv_plain" in doc["rows"][0]["message"]
    assert doc["rows"][1]["status"] != "failed"  # the next step still ran
    assert "failed: refresh_views" in _one_error_line(result.stderr)
    # the other view was refreshed all the same
    assert [r["outcome"] for r in _log(pg_conn, QVIEW)] == ["ok"]


def test_overlapping_maintain_run_skips(db_url, pg_conn) -> None:
    with psycopg.connect(db_url) as holder:
        _hold_view_lock(holder)  # keeps the first run inside its refresh
        first = _popen(db_url, "maintain", "weekly", "--lock-timeout", "60000")
        _wait_until(lambda: _waiting_on_lock(pg_conn, "musicdb refresh-view") == 1,
                    "the first run is refreshing")
        second = subprocess.run(
            [*MUSICDB, "maintain", "weekly", "-f", "json"], capture_output=True, text=True,
            env=musicdb_subprocess_env(MUSICDB_DATABASE_URL=db_url), timeout=HANG_GUARD_S,
            stdin=subprocess.DEVNULL, check=False,
        )
        holder.rollback()
    out, err = first.communicate(timeout=HANG_GUARD_S)
    assert second.returncode == 0, second.stderr
    doc = json.loads(second.stdout)
    assert doc["meta"]["outcome"] == "skipped" and doc["rows"] == []
    assert "another maintain weekly run holds the job lock" in doc["meta"]["message"]
    assert first.returncode == 0, err
    assert out.startswith("maintain weekly: ok")
    assert [r["outcome"] for r in _log(pg_conn, QVIEW)] == ["ok"]


def test_maintain_crontab_and_usage(cli) -> None:
    result = cli("maintain", "--crontab", "--log-dir", "/srv/log")
    assert result.exit_code == 0
    jobs = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert len(jobs) == 3
    for job, (name, when) in zip(jobs, maintain.CRON_TIMES.items(), strict=True):
        assert job.startswith(f"{when} /")
        assert f" maintain {name} --format json >> /srv/log/maintain-{name}.json" in job
    assert "MUSICDB_DATABASE_URL" in result.stdout
    assert cli("maintain").exit_code == 2
    assert cli("maintain", "hourly").exit_code == 2


def test_maintain_daily_runs_the_health_checks_once(db_url, monkeypatch) -> None:
    from musicdb.ops import health

    runs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    real = health.run_checks

    def counted(target, *, only=(), skip=(), **kwargs):
        runs.append((tuple(only), tuple(skip)))
        return real(target, only=only, skip=skip, **kwargs)

    monkeypatch.setattr(health, "run_checks", counted)
    target = DatabaseTarget(db_url, "test")
    result = maintain.maintain(target, "daily")
    steps = {s.name: s for s in result.steps}
    assert runs == [((), ())]  # the connections step judged the sessions from that one run
    assert [c["check"] for c in steps["connections"].details["checks"]] == list(
        maintain.SESSION_CHECKS
    )
    runs.clear()
    options = maintain.MaintainOptions(skip_checks=("blocking",))
    maintain.maintain(target, "daily", options=options)
    assert runs == [((), ("blocking",)), (maintain.SESSION_CHECKS, ())]
