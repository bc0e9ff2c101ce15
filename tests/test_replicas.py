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
