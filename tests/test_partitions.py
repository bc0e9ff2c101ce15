"""user_interactions partitioned by month: conversion of a populated table, drift, contract,
downgrade (every row kept)."""

from __future__ import annotations

import datetime as dt

import psycopg

COMPATIBLE = "20261204_090000_platform_app_compatible"


def _one(url: str, query: str) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query).fetchone()[0]


def _digest(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT id, user_id, track_id, interaction_type, created_at "
                            "FROM user_interactions ORDER BY id").fetchall()  # fmt: skip


def test_populated_table_is_converted_kept_checked_contracted_and_downgraded(db_url, cli) -> None:
    assert cli("migrate", "down", COMPATIBLE, url=db_url).exit_code == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        user = conn.execute("INSERT INTO users (username, email, password_hash) "
                            "VALUES ('p', 'p@x', 'h') RETURNING id").fetchone()[0]  # fmt: skip
        track = conn.execute("INSERT INTO tracks (title) VALUES ('t') RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO user_interactions (user_id, track_id, interaction_type, "
                     "created_at) SELECT %s, %s, 'play', timestamp '2024-01-15' + n * interval "
                     "'9 days' FROM generate_series(1, 120) AS n", (user, track))  # fmt: skip
    before = _digest(db_url)
    up = cli("migrate", "up", url=db_url)
    assert up.exit_code == 0, up.stderr
    assert _one(db_url, "SELECT relkind::text FROM pg_class "
                        "WHERE oid = 'user_interactions'::regclass") == "p"  # fmt: skip
    assert _digest(db_url) == before
    assert _one(db_url, "SELECT count(*) FROM user_interactions_legacy") == len(before)
    # the application's insert (no id, no created_at) lands in the current month's partition
    with psycopg.connect(db_url, autocommit=True) as conn:
        new_id, where = conn.execute(
            "INSERT INTO user_interactions (user_id, track_id, interaction_type) "
            "VALUES (%s, %s, 'skip') RETURNING id, tableoid::regclass::text",
            (user, track)).fetchone()  # fmt: skip
        assert new_id > max(r[0] for r in before) and where == "user_interactions_legacy"
        nxt = (dt.datetime.now(dt.UTC).replace(day=1, tzinfo=None)
               + dt.timedelta(days=40)).replace(day=1)  # fmt: skip
        where = conn.execute(
            "INSERT INTO user_interactions (user_id, track_id, interaction_type, created_at) "
            "VALUES (%s, %s, 'play', %s) RETURNING tableoid::regclass::text",
            (user, track, nxt)).fetchone()[0]  # fmt: skip
        assert where == f"user_interactions_p{nxt:%Y%m}"
    before = _digest(db_url)
    assert cli("migrate", "check", url=db_url).exit_code == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"CREATE INDEX hand_made ON user_interactions_p{nxt:%Y%m} (device_type)")
    drift = cli("migrate", "check", url=db_url)
    assert drift.exit_code != 0 and f"user_interactions_p{nxt:%Y%m}" in drift.stdout
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP INDEX hand_made")
    done = cli("migrate", "contract", "--yes", url=db_url)
    assert done.exit_code == 0, done.stderr
    assert _one(db_url, "SELECT data_type FROM information_schema.columns WHERE table_name = "
                        "'user_interactions' AND column_name = 'created_at'"  # fmt: skip
                ) == "timestamp without time zone"
    assert _one(db_url, "SELECT data_type FROM information_schema.columns WHERE table_name = "
                        "'users' AND column_name = 'created_at'") == "timestamp with time zone"
    assert cli("migrate", "check", url=db_url).exit_code == 0
    assert cli("migrate", "contract", "--undo", "--yes", url=db_url).exit_code == 0
    assert cli("migrate", "check", url=db_url).exit_code == 0
    down = cli("migrate", "down", COMPATIBLE, url=db_url)
    assert down.exit_code == 0, down.stderr
    assert _one(db_url, "SELECT relkind::text FROM pg_class "
                        "WHERE oid = 'user_interactions'::regclass") == "r"  # fmt: skip
    assert _digest(db_url) == before
    assert cli("migrate", "check", url=db_url).exit_code == 0
