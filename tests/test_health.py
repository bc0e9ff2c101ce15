"""health-check: each of the four exit codes from a real condition, thresholds, the JSON schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
import uuid
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from musicdb.config import DatabaseTarget
from musicdb.errors import UsageError
from musicdb.ops import health, refresh

VIEW = "mv_track_popularity"
#: Statistics of a server that has run for long would call every index of a fresh database unused.
YOUNG_STATS = ("-t", "unused_index_min_stats_age=3650d")


def _statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {row["check"]: row["status"] for row in doc["rows"]}


def _problems(doc: dict[str, Any]) -> list[str]:
    """The checks not ok, leaving out those meant for the other role (wal_receiver here)."""
    return [r["check"] for r in doc["rows"]
            if r["status"] != "ok" and not r["details"].get("other_role")]


def _healthy(url: str, conn: psycopg.Connection[Any]) -> None:
    """What a well-kept database has: pg_stat_statements, and a view refreshed by musicdb."""
    conn.execute("CREATE SCHEMA ext")
    conn.execute("CREATE EXTENSION pg_stat_statements SCHEMA ext")
    result = refresh.refresh_view(DatabaseTarget(url, "test"), VIEW)
    assert result.outcome == "ok", result.message


def test_exit_0_when_everything_is_ok(db_url, pg_conn, cli) -> None:
    _healthy(db_url, pg_conn)
    result = cli("health-check", *YOUNG_STATS, "-f", "json", url=db_url)
    doc = result.json()
    assert result.exit_code == 0, doc["meta"]["summary"]
    assert list(_statuses(doc)) == list(health.CHECK_NAMES)  # every check ran, drift included
    # wal_receiver is for standbys: unknown on a primary, and left out of the overall status
    assert {k: v for k, v in _statuses(doc).items() if v != "ok"} == {"wal_receiver": "unknown"}
    # the stable JSON schema
    assert set(doc) == {"report", "generated_at", "server_version", "columns", "rows", "meta"}
    assert doc["report"] == "health_check"
    assert [c["name"] for c in doc["columns"]] == [
        "check", "status", "message", "details", "duration_ms"]
    assert set(doc["meta"]) == {"status", "exit_code", "counts", "summary", "database",
                                "thresholds"}
    assert doc["meta"]["status"] == "ok" and doc["meta"]["exit_code"] == 0
    assert doc["meta"]["counts"] == {"ok": len(health.CHECK_NAMES) - 1, "warning": 0,
                                     "critical": 0, "unknown": 1}
    assert doc["meta"]["thresholds"]["view_stale_warning"] == 8 * 86400
    staleness = next(r for r in doc["rows"] if r["check"] == "view_staleness")
    assert staleness["details"]["views"][0]["view"] == f"public.{VIEW}"
    # the human form: a Nagios-style first line, then the table
    table = cli("health-check", *YOUNG_STATS, "--skip", "drift", url=db_url)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].startswith("MUSICDB OK - 20 ok, 0 warning")


def test_exit_1_view_never_refreshed_or_stale(db_url, pg_conn, cli, monkeypatch) -> None:
    pg_conn.execute("CREATE SCHEMA ext")
    pg_conn.execute("CREATE EXTENSION pg_stat_statements SCHEMA ext")
    result = cli("health-check", *YOUNG_STATS, "--skip", "drift", "-f", "json", url=db_url)
    assert result.exit_code == 1
    doc = result.json()
    assert _problems(doc) == ["view_staleness"]
    row = next(r for r in doc["rows"] if r["check"] == "view_staleness")
    assert "never refreshed by musicdb" in row["message"]
    # a refresh ten days ago: stale (warning after 8 days, critical after 15)
    pg_conn.execute(
        "INSERT INTO maintenance_log (operation, target, started_at, finished_at, outcome)"
        " VALUES ('refresh', %s, now() - interval '10 days', now() - interval '10 days', 'ok')",
        (f"public.{VIEW}",),
    )
    result = cli("health-check", "--only", "view_staleness", url=db_url)
    assert result.exit_code == 1
    assert "refreshed 10d 0h ago" in result.stdout.splitlines()[0]
    # thresholds: from the environment, and an option over it
    monkeypatch.setenv("MUSICDB_HEALTH_VIEW_STALE_WARNING", "30d")
    monkeypatch.setenv("MUSICDB_HEALTH_VIEW_STALE_CRITICAL", "60d")
    assert cli("health-check", "--only", "view_staleness", url=db_url).exit_code == 0
    result = cli("health-check", "--only", "view_staleness", "-t", "view_stale_critical=9d",
                 url=db_url)
    assert result.exit_code == 2
    # a failed attempt after the last success is said
    pg_conn.execute("INSERT INTO maintenance_log (operation, target, outcome, error)"
                    " VALUES ('refresh', %s, 'timeout', 'lock')", (f"public.{VIEW}",))
    result = cli("health-check", "--only", "view_staleness", "-f", "json", url=db_url)
    row = next(r for r in result.json()["rows"] if r["check"] == "view_staleness")
    assert row["status"] == "ok"
    assert "the latest refresh attempt failed: public.mv_track_popularity" in row["message"]


def test_exit_2_invalid_index(db_url, pg_conn, cli) -> None:
    _healthy(db_url, pg_conn)
    pg_conn.execute("INSERT INTO tracks (title) VALUES ('same'), ('same')")
    with pytest.raises(psycopg.errors.UniqueViolation):
        pg_conn.execute("CREATE UNIQUE INDEX CONCURRENTLY ix_tracks_title_bad ON tracks (title)")
    result = cli("health-check", *YOUNG_STATS, "--skip", "drift", "-f", "json", url=db_url)
    assert result.exit_code == 2, result.stdout
    doc = result.json()
    assert _problems(doc) == ["invalid_indexes"]
    row = next(r for r in doc["rows"] if r["check"] == "invalid_indexes")
    assert row["status"] == "critical"
    assert row["details"]["indexes"][0]["index"] == "public.ix_tracks_title_bad"
    assert doc["meta"]["summary"].startswith("MUSICDB CRITICAL - ")


def test_exit_3_extension_missing(db_url, pg_conn, cli) -> None:
    result = refresh.refresh_view(DatabaseTarget(db_url, "test"), VIEW)
    assert result.outcome == "ok"
    result = cli("health-check", *YOUNG_STATS, "--skip", "drift", "-f", "json", url=db_url)
    assert result.exit_code == 3
    doc = result.json()
    assert _problems(doc) == ["pg_stat_statements"]
    row = next(r for r in doc["rows"] if r["check"] == "pg_stat_statements")
    assert "CREATE EXTENSION pg_stat_statements" in row["message"]


def test_unknown_never_hides_a_warning() -> None:
    assert health.worst(["ok", "unknown", "warning"]) == "warning"
    assert health.worst(["unknown", "critical", "warning"]) == "critical"
    assert health.worst(["ok", "unknown"]) == "unknown"
    assert health.worst([]) == "ok"


def test_blocking_and_idle_in_transaction(db_url, cli) -> None:
    with psycopg.connect(db_url, application_name="blocker") as blocker, \
            psycopg.connect(db_url, application_name="victim", autocommit=True) as victim, \
            psycopg.connect(db_url, autocommit=True) as watch:
        blocker.execute("LOCK TABLE tracks IN ACCESS EXCLUSIVE MODE")  # then idle in transaction
        thread = threading.Thread(target=lambda: victim.execute("SELECT count(*) FROM tracks"))
        thread.start()
        waiting = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'victim'"
                   " AND wait_event_type = 'Lock'")
        while not watch.execute(waiting).fetchone()[0]:
            time.sleep(0.02)
        only = ("--only", "blocking", "--only", "idle_in_transaction")
        result = cli("health-check", *only, "-f", "json", url=db_url)
        assert result.exit_code == 0  # waiting and idle for a moment only: fine by default
        result = cli("health-check", *only, "-t", "blocking_warning=0s",
                     "-t", "idle_in_transaction_warning=0s", "-f", "json", url=db_url)
        assert result.exit_code == 1
        rows = {r["check"]: r for r in result.json()["rows"]}
        blocker_pid = blocker.info.backend_pid
        assert rows["blocking"]["details"]["blockers"] == [blocker_pid]
        assert rows["blocking"]["details"]["waiting"][0]["pid"] == victim.info.backend_pid
        assert rows["idle_in_transaction"]["status"] == "warning"
        assert rows["idle_in_transaction"]["details"]["sessions"][0]["pid"] == blocker_pid
        result = cli("health-check", *only, "-t", "blocking_critical=0s", url=db_url)
        assert result.exit_code == 2
        assert "blocking critical" in result.stdout.splitlines()[0]
        blocker.rollback()
        thread.join()


def test_sequences_and_dead_rows(db_url, pg_conn, cli) -> None:
    # users.id is an integer identity: its sequence stops at 2^31 - 1
    pg_conn.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 2000000000)")
    pg_conn.execute("INSERT INTO artists (name) SELECT 'a' || g FROM generate_series(1, 500) g")
    pg_conn.execute("DELETE FROM artists WHERE id % 3 = 0")  # a third dead: a warning
    pg_conn.execute("SELECT pg_stat_force_next_flush()")
    result = cli("health-check", "--only", "sequences", "--only", "dead_rows",
                 "-t", "dead_rows_min=100", "-f", "json", url=db_url)
    rows = {r["check"]: r for r in result.json()["rows"]}
    assert rows["sequences"]["status"] == "critical"
    assert rows["sequences"]["details"]["sequences"][0]["sequence"] == "public.users_id_seq"
    assert rows["dead_rows"]["status"] == "warning"
    assert rows["dead_rows"]["details"]["tables"][0]["table"] == "public.artists"
    assert result.exit_code == 2


def test_not_at_head_is_a_warning(db_url, pg_conn, cli) -> None:
    pg_conn.execute("UPDATE alembic_version SET version_num ="
                    " '20250618_075149_add_performance_indexes'")
    result = cli("health-check", "--only", "at_head", url=db_url)
    assert result.exit_code == 1
    assert "not at head" in result.stdout


def test_unreachable_database_is_critical(cli) -> None:
    result = cli("health-check", "-f", "json",
                 url="postgresql://bob:hunter2@127.0.0.1:1/nowhere")
    assert result.exit_code == 2
    doc = result.json()
    assert doc["rows"][0]["check"] == "connectivity" and doc["rows"][0]["status"] == "critical"
    assert {r["status"] for r in doc["rows"][1:]} == {"unknown"}
    assert "hunter2" not in result.stdout + result.stderr


def test_checks_that_cannot_run_are_unknown_not_a_crash(db_url, pg_conn, pg_server, cli) -> None:
    """A role without CREATEDB nor rights on maintenance_log: the drift and staleness checks are
    unknown with the reason; the others still run."""
    password = uuid.uuid4().hex
    with pg_server.role("health_ro", password=password) as role:
        pg_conn.execute(psycopg.sql.SQL("GRANT SELECT ON alembic_version TO {}").format(
            psycopg.sql.Identifier(role)))
        result = cli("health-check", "-f", "json",
                     url=make_conninfo(db_url, user=role, password=password))
    doc = result.json()
    rows = {r["check"]: r for r in doc["rows"]}
    assert list(rows) == list(health.CHECK_NAMES)
    assert rows["connectivity"]["status"] == "ok"
    assert rows["drift"]["status"] == "unknown"
    assert "CREATEDB" in rows["drift"]["message"]
    assert rows["view_staleness"]["status"] == "unknown"
    assert "permission denied" in rows["view_staleness"]["message"]
    assert result.exit_code == health.EXIT_CODES[doc["meta"]["status"]]
    assert result.exit_code in (1, 3)  # warnings may come from the fresh database
    assert password not in result.stdout + result.stderr
    # the database is named with its password masked (this connection string has one)
    shown = doc["meta"]["database"]
    assert f"user={role}" in shown and "password=***" in shown


def test_thresholds_from_environment_and_options() -> None:
    env = {"MUSICDB_HEALTH_BLOCKING_WARNING": "2m", "MUSICDB_HEALTH_CACHE_HIT_WARNING": "95%",
           "MUSICDB_HEALTH_BLOAT_MIN_BYTES": "1GB", "OTHER": "x"}
    t = health.Thresholds.from_sources(["blocking_warning=45s"], env)
    assert t.blocking_warning.total_seconds() == 45  # the option wins over the environment
    assert t.cache_hit_warning == 0.95
    assert t.bloat_min_bytes == 1024**3
    assert t.view_stale_warning == health.Thresholds().view_stale_warning
    for bad in (["nope=1"], ["blocking_warning"], ["blocking_warning=soon"],
                ["cache_hit_warning=150%"]):
        with pytest.raises(UsageError):
            health.Thresholds.from_sources(bad, {})
    with pytest.raises(UsageError, match="MUSICDB_HEALTH"):
        health.Thresholds.from_sources([], {"MUSICDB_HEALTH_DEAD_ROWS_MIN": "many"})


def test_bad_check_name_is_a_usage_error(cli) -> None:
    result = cli("health-check", "--only", "nope", url="postgresql://x@127.0.0.1:1/x")
    assert result.exit_code == 2
    assert "unknown check 'nope'" in result.stderr


def test_index_checks_use_the_index_verdicts(db_url, pg_conn, cli) -> None:
    only = ("--only", "duplicate_indexes", "--only", "unused_indexes")
    result = cli("health-check", *only, *YOUNG_STATS, "-f", "json", url=db_url)
    assert result.exit_code == 0, result.stdout  # the schema has no redundant index
    pg_conn.execute("CREATE INDEX ix_tracks_artist_again ON tracks (artist_id)")
    result = cli("health-check", *only, *YOUNG_STATS, "-f", "json", url=db_url)
    rows = {r["check"]: r for r in result.json()["rows"]}
    assert result.exit_code == 1
    [found] = rows["duplicate_indexes"]["details"]["indexes"]
    assert found["index"] == "public.ix_tracks_artist_again"
    assert rows["unused_indexes"]["status"] == "ok"  # statistics too young to judge
    result = cli("health-check", *only, "-t", "unused_index_min_stats_age=0s", "-f", "json",
                 url=db_url)
    rows = {r["check"]: r for r in result.json()["rows"]}
    unused = [i["index"] for i in rows["unused_indexes"]["details"]["indexes"]]
    assert "public.ix_artists_genres" in unused  # a GIN index nothing queried yet
    assert "public.ix_tracks_artist_again" not in unused  # it backs the FK tracks.artist_id
    assert not any(name.startswith("public.pk_") for name in unused)  # keys are never unused


def test_one_run_computes_each_catalog_fact_once(db_url, monkeypatch) -> None:
    from musicdb.reports import indexes, tables

    calls: list[str] = []

    def counted(name: str, fn):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(indexes, "index_verdicts", counted("indexes", indexes.index_verdicts))
    monkeypatch.setattr(tables, "table_stats", counted("tables", tables.table_stats))
    thresholds = health.Thresholds(unused_index_min_stats_age=dt.timedelta(0))
    result = health.run_checks(DatabaseTarget(db_url, "test"), thresholds=thresholds,
                               skip=("drift",))
    by_name = {c.name: c for c in result.checks}
    # three checks read the index verdicts and two the table statistics: each is computed once
    readers = ("invalid_indexes", "unused_indexes", "duplicate_indexes", "dead_rows", "bloat")
    assert {by_name[n].status for n in readers} <= {health.OK, health.WARNING}
    assert sorted(calls) == ["indexes", "tables"]


def test_list_honours_the_format(cli) -> None:
    doc = cli("health-check", "--list", "-f", "json").json()
    assert doc["report"] == "health_checks"
    assert [r["name"] for r in doc["rows"] if r["kind"] == "check"] == list(health.CHECK_NAMES)
    rows = list(csv.reader(io.StringIO(cli("health-check", "--list", "-f", "csv").stdout)))
    assert rows[0] == ["kind", "name", "description", "value"]
    assert ["threshold", "dead_rows_min", "", "10000"] in rows
    table = cli("health-check", "--list").stdout
    assert "view_stale_warning" in table and "drift" in table
