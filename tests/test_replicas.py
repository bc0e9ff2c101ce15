"""Read replicas: every read-only command against a real streaming standby, the refusal of the
writing commands, replication status and health, and index verdicts that count the replicas."""

from __future__ import annotations

import psycopg
import pytest

from helpers import run_cli

READ_ONLY = [
    ("analyze-indexes",),
    ("missing-indexes",),
    ("analyze-queries",),
    ("table-stats",),
    ("table-stats", "--exact", "2"),
    ("connection-stats",),
    ("lock-info",),
    ("health-check",),
    ("migrate", "status"),
    ("migrate", "history"),
    ("migrate", "check"),
    ("partitions", "status"),
    ("bench", "--iterations", "2", "--warmup", "0", "--keys", "2"),
]

WRITING = [
    (("migrate", "up"), "migrate up"),
    (("migrate", "down", "base", "--yes"), "migrate down"),
    (("refresh-view", "user_listening_stats"), "refresh-view"),
    (("vacuum-table", "users"), "vacuum-table"),
    (("vacuum-table", "--all"), "vacuum-table"),
    (("maintain", "daily"), "maintain daily"),
    (("maintain", "weekly"), "maintain weekly"),
    (("generate", "--users", "5", "--tracks", "5", "--interactions", "5"), "generate"),
    (("migrate", "contract", "--yes"), "migrate contract"),
    (("bench", "--compare-baseline", "--iterations", "1"), "bench --compare-baseline"),
    (("partitions", "premake"), "partitions premake"),
    (("partitions", "split"), "partitions split"),
    (("partitions", "retire", "--older-than", "24months", "--yes"), "partitions retire"),
    (("partitions", "restore", "user_interactions_p202401.copy.gz"), "partitions restore"),
]


def _xlog_position(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
            "ELSE pg_current_wal_lsn() END::text"
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_standby_is_in_recovery(standby_db: str) -> None:
    with psycopg.connect(standby_db) as conn:
        row = conn.execute(
            "SELECT pg_is_in_recovery(), count(*) FROM pg_tables WHERE tablename = 'users'"
        ).fetchone()
    assert row == (True, 1)


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_read_only_command_works_on_standby(
    loaded_standby_db: str, args: tuple[str, ...]
) -> None:
    result = run_cli(*args, "--format", "json", url=loaded_standby_db)
    assert result.exit_code in (0, 1), result.stderr  # health-check/migrate check may find issues
    assert "read-only transaction" not in result.stderr, result.stderr
    assert "recovery" not in result.stderr.replace("needs the primary", ""), result.stderr
    # no part failed on the standby's refusal to write and hid it in a note or a check
    for refusal in ("read-only transaction", "recovery is in progress"):
        assert refusal not in result.stdout, result.stdout
    doc = result.json()
    assert doc


@pytest.mark.parametrize(("args", "what"), WRITING, ids=[" ".join(a) for a, _ in WRITING])
def test_writing_command_refuses_on_standby(
    standby_db: str, args: tuple[str, ...], what: str
) -> None:
    result = run_cli(*args, url=standby_db)
    assert result.exit_code == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("musicdb: error: "), result.stderr
    assert what in lines[0] and "standby" in lines[0], lines[0]


def test_parts_needing_the_primary_say_so(loaded_standby_db: str) -> None:
    check = run_cli("migrate", "check", "-f", "json", url=loaded_standby_db)
    assert check.exit_code == 0, check.stderr
    assert check.json()["meta"] == {"skipped": "standby"}
    assert "needs the primary" in check.json()["notes"][0]
    health = run_cli("health-check", "--only", "drift", "-f", "json", url=loaded_standby_db)
    (row,) = [r for r in health.json()["rows"] if r["check"] == "drift"]
    assert row["status"] == "unknown" and "needs the primary" in row["message"], row
    every = run_cli("health-check", "-f", "json", url=loaded_standby_db).json()["rows"]
    unknown = {r["check"] for r in every if r["status"] == "unknown"}
    assert unknown == {"drift", "inactive_slots"}, every


def test_replication_status_on_primary_and_standby(db_url: str, standby_db: str) -> None:
    primary = run_cli("replication-status", "-f", "json", url=db_url)
    assert primary.exit_code == 0, primary.stderr
    doc = primary.json()
    assert doc["meta"]["role"] == "primary"
    (standby,) = [r for r in doc["rows"] if r["kind"] == "standby"]
    assert standby["state"] == "streaming" and standby["sync_state"] == "async"
    assert standby["replay_lag_bytes"] is not None and standby["replay_lag_bytes"] >= 0
    on_standby = run_cli("replication-status", "-f", "json", url=standby_db)
    assert on_standby.exit_code == 0, on_standby.stderr
    doc = on_standby.json()
    assert doc["meta"] == {"role": "standby", "replay_paused": False}
    (upstream,) = doc["rows"]
    assert upstream["kind"] == "upstream" and upstream["state"] == "streaming"
    assert upstream["receive_lsn"] and upstream["replay_lsn"]
    csv = run_cli("replication-status", "-f", "csv", url=standby_db)
    assert csv.stdout.splitlines()[0].startswith("kind,name,")
    table = run_cli("replication-status", url=db_url)
    assert table.exit_code == 0 and "standby" in table.stdout


REPLICATION_CHECKS = ("--only", "replay_lag", "--only", "inactive_slots", "--only", "wal_receiver")


def _health(url: str, *args: str) -> dict[str, dict[str, object]]:
    result = run_cli("health-check", *args, "-f", "json", url=url)
    assert result.exit_code in (0, 1, 2, 3), result.stderr
    return {row["check"]: row for row in result.json()["rows"]}


def test_replication_checks_by_role(db_url: str, standby_db: str) -> None:
    on_primary = _health(db_url, *REPLICATION_CHECKS)
    assert on_primary["replay_lag"]["status"] == "ok"
    assert on_primary["inactive_slots"]["status"] == "ok"
    assert on_primary["wal_receiver"]["status"] == "unknown"
    assert "primary" in str(on_primary["wal_receiver"]["message"])
    assert on_primary["wal_receiver"]["details"] == {"other_role": True}
    on_standby = _health(standby_db, *REPLICATION_CHECKS)
    assert on_standby["wal_receiver"]["status"] == "ok"
    assert on_standby["replay_lag"]["status"] == "ok"
    assert on_standby["inactive_slots"]["status"] == "unknown"
    assert "standby" in str(on_standby["inactive_slots"]["message"])


def test_lag_appears_while_replay_is_paused(pg_server, pg_standby, db_url: str,
                                            standby_db: str) -> None:
    import time

    with pg_standby.server.connect() as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            with psycopg.connect(db_url, autocommit=True) as primary:
                primary.execute(
                    "CREATE TABLE lag_probe AS SELECT g FROM generate_series(1, 20000) g"
                )
                primary.execute("SELECT pg_switch_wal()")
            deadline = time.monotonic() + 30
            while True:  # the WAL reaches the standby; it is not replayed
                row = standby.execute("SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), "
                                      "pg_last_wal_replay_lsn())").fetchone()
                if row and row[0] and row[0] > 100_000 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            status = run_cli("replication-status", "-f", "json", url=standby_db).json()
            assert status["meta"]["replay_paused"] is True
            (upstream,) = status["rows"]
            assert upstream["replay_lag_bytes"] > 100_000
            checks = _health(standby_db, "--only", "replay_lag", "-t",
                             "replay_lag_warning_bytes=100KB")
            assert checks["replay_lag"]["status"] == "warning", checks["replay_lag"]
            assert "paused" in str(checks["replay_lag"]["message"])
            checks = _health(standby_db, "--only", "replay_lag", "-t",
                             "replay_lag_warning_bytes=1KB", "-t",
                             "replay_lag_critical_bytes=100KB")
            assert checks["replay_lag"]["status"] == "critical"
            from_primary = _health(db_url, "--only", "replay_lag", "-t",
                                   "replay_lag_warning_bytes=100KB")
            assert from_primary["replay_lag"]["status"] in ("warning", "critical")
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
    pg_standby.wait_for_replay()
    assert _health(standby_db, "--only", "replay_lag")["replay_lag"]["status"] == "ok"


def test_inactive_slot_retaining_wal(pg_server, db_url: str) -> None:
    with pg_server.connect() as conn:
        conn.execute("SELECT pg_create_physical_replication_slot('musicdb_test_idle', true)")
        try:
            with psycopg.connect(db_url, autocommit=True) as primary:
                primary.execute(
                    "CREATE TABLE wal_probe AS SELECT g FROM generate_series(1, 20000) g"
                )
            rows = run_cli("replication-status", "-f", "json", url=db_url).json()["rows"]
            (slot,) = [r for r in rows if r["kind"] == "slot" and r["name"] == "musicdb_test_idle"]
            assert slot["active"] is False and slot["retained_bytes"] > 100_000
            assert slot["wal_status"] in ("reserved", "extended")
            checks = _health(db_url, "--only", "inactive_slots")
            assert checks["inactive_slots"]["status"] == "warning"
            assert "musicdb_test_idle" in str(checks["inactive_slots"]["message"])
            checks = _health(db_url, "--only", "inactive_slots", "-t",
                             "slot_retained_critical_bytes=100KB")
            assert checks["inactive_slots"]["status"] == "critical"
        finally:
            conn.execute("SELECT pg_drop_replication_slot('musicdb_test_idle')")


STANDBY_ONLY_INDEX = "ix_discovery_sessions_started_at"


def _scan_on(url: str) -> None:
    """Use STANDBY_ONLY_INDEX once on the server at *url*, and wait until its counters show it."""
    import time

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute("EXPLAIN SELECT * FROM discovery_sessions ORDER BY started_at "
                            "DESC LIMIT 1").fetchall()
        assert STANDBY_ONLY_INDEX in str(plan)
        conn.execute("SELECT * FROM discovery_sessions ORDER BY started_at DESC LIMIT 1")
    deadline = time.monotonic() + 20
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute("SELECT pg_stat_get_numscans(%s::regclass)",
                               (STANDBY_ONLY_INDEX,)).fetchone()
            if row and row[0] or time.monotonic() > deadline:
                break
            time.sleep(0.2)


def _index_row(doc: dict, name: str) -> dict:
    return next(r for r in doc["rows"] if r["index"] == name)


def test_index_used_only_on_the_standby_is_not_unused(
    db_url: str, standby_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scan_on(standby_db)
    now = ("--min-stats-age", "0")  # a fresh test server's statistics are young: judge at once
    alone = run_cli("analyze-indexes", *now, "-f", "json", url=db_url).json()
    assert _index_row(alone, STANDBY_ONLY_INDEX)["verdicts"] == ["unused"]
    both = run_cli("analyze-indexes", *now, "--replica", standby_db, "-f", "json", url=db_url)
    assert both.exit_code == 0, both.stderr
    doc = both.json()
    row = _index_row(doc, STANDBY_ONLY_INDEX)
    assert row["verdicts"] == [] and row["scans"] >= 1
    assert len(row["used_on"]) == 1 and "standby" in row["used_on"][0]  # its socket folder
    assert [s["server"] for s in doc["meta"]["servers"]][1] == row["used_on"][0]
    assert any("summed over 2 servers" in n for n in doc["notes"])
    # others stay unused: unused on every server
    assert _index_row(doc, "ix_tracks_danceable")["verdicts"] == ["unused"]
    unused_only = run_cli("analyze-indexes", *now, "--unused", "--replica", standby_db, "-f",
                          "json", url=db_url).json()
    assert STANDBY_ONLY_INDEX not in {r["index"] for r in unused_only["rows"]}
    # the environment names the replicas too
    monkeypatch.setenv("MUSICDB_REPLICA_URLS", f"{standby_db}")
    from_env_run = run_cli("analyze-indexes", *now, "-f", "json", url=db_url)
    assert from_env_run.exit_code == 0, from_env_run.stderr
    from_env = from_env_run.json()
    assert _index_row(from_env, STANDBY_ONLY_INDEX)["verdicts"] == []
    monkeypatch.delenv("MUSICDB_REPLICA_URLS")

    young = ("-t", "unused_index_min_stats_age=0")
    alone_check = _health(db_url, "--only", "unused_indexes", *young)["unused_indexes"]
    assert f"public.{STANDBY_ONLY_INDEX}" in {i["index"] for i in alone_check["details"]["indexes"]}
    with_replica = _health(db_url, "--only", "unused_indexes", "--replica", standby_db, *young)
    names = {i["index"] for i in with_replica["unused_indexes"]["details"]["indexes"]}
    assert f"public.{STANDBY_ONLY_INDEX}" not in names and "public.ix_tracks_danceable" in names

    monthly = run_cli("maintain", "monthly", "--replica", standby_db, *young, "-f", "json",
                      url=db_url)
    review = next(r for r in monthly.json()["rows"] if r["step"] == "unused_index_review")
    assert STANDBY_ONLY_INDEX not in str(review) and "ix_tracks_danceable" in str(review)


def test_bad_replica_url_is_one_line(db_url: str) -> None:
    result = run_cli("analyze-indexes", "--replica", "", url=db_url)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "--replica" in result.stderr


def test_what_if_indexes_run_on_the_standby(loaded_standby_db: str) -> None:
    with psycopg.connect(loaded_standby_db) as conn:
        hypopg = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").fetchone()
    doc = run_cli("missing-indexes", "-f", "json", url=loaded_standby_db).json()
    if hypopg:  # hypopg keeps its hypothetical indexes in the session: it works read-only
        assert doc["meta"]["what_if_statements"] >= 1, doc
    else:  # the wheel's server has no hypopg: the note says where it would be installed
        assert doc["meta"]["hypopg"] == "not installed"
        assert "what-if indexes skipped" in doc["notes"][0]


def test_extension_hints_on_a_standby_name_the_primary(loaded_standby_db: str) -> None:
    with psycopg.connect(loaded_standby_db) as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pgstattuple'"
        ).fetchone()
    doc = run_cli("table-stats", "--exact", "1", "-f", "json", url=loaded_standby_db).json()
    (note,) = [n for n in doc["notes"] if "pgstattuple" in n]
    if available:
        assert "CREATE EXTENSION pgstattuple on the primary (this server is a standby)" in note
    else:
        assert "install PostgreSQL's contrib package" in note
