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
                            "FROM user_interactions ORDER BY id").fetchall()


def test_populated_table_is_converted_kept_checked_contracted_and_downgraded(db_url, cli) -> None:
    assert cli("migrate", "down", COMPATIBLE, url=db_url).exit_code == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        user = conn.execute("INSERT INTO users (username, email, password_hash) "
                            "VALUES ('p', 'p@x', 'h') RETURNING id").fetchone()[0]
        track = conn.execute("INSERT INTO tracks (title) VALUES ('t') RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO user_interactions (user_id, track_id, interaction_type, "
                     "created_at) SELECT %s, %s, 'play', timestamp '2024-01-15' + n * interval "
                     "'9 days' FROM generate_series(1, 120) AS n", (user, track))
    before = _digest(db_url)
    up = cli("migrate", "up", url=db_url)
    assert up.exit_code == 0, up.stderr
    assert _one(db_url, "SELECT relkind::text FROM pg_class "
                        "WHERE oid = 'user_interactions'::regclass") == "p"
    assert _digest(db_url) == before
    assert _one(db_url, "SELECT count(*) FROM user_interactions_legacy") == len(before)
    # the application's insert (no id, no created_at) lands in the current month's partition
    with psycopg.connect(db_url, autocommit=True) as conn:
        new_id, where = conn.execute(
            "INSERT INTO user_interactions (user_id, track_id, interaction_type) "
            "VALUES (%s, %s, 'skip') RETURNING id, tableoid::regclass::text",
            (user, track)).fetchone()
        assert new_id > max(r[0] for r in before) and where == "user_interactions_legacy"
        nxt = (dt.datetime.now(dt.UTC).replace(day=1, tzinfo=None)
               + dt.timedelta(days=40)).replace(day=1)
        where = conn.execute(
            "INSERT INTO user_interactions (user_id, track_id, interaction_type, created_at) "
            "VALUES (%s, %s, 'play', %s) RETURNING tableoid::regclass::text",
            (user, track, nxt)).fetchone()[0]
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
                        "'user_interactions' AND column_name = 'created_at'"
                ) == "timestamp without time zone"
    assert _one(db_url, "SELECT data_type FROM information_schema.columns WHERE table_name = "
                        "'users' AND column_name = 'created_at'") == "timestamp with time zone"
    assert cli("migrate", "check", url=db_url).exit_code == 0
    assert cli("migrate", "contract", "--undo", "--yes", url=db_url).exit_code == 0
    assert cli("migrate", "check", url=db_url).exit_code == 0
    down = cli("migrate", "down", COMPATIBLE, url=db_url)
    assert down.exit_code == 0, down.stderr
    assert _one(db_url, "SELECT relkind::text FROM pg_class "
                        "WHERE oid = 'user_interactions'::regclass") == "r"
    assert _digest(db_url) == before
    assert cli("migrate", "check", url=db_url).exit_code == 0


# -- partitions status / premake / split / retire / restore ---------------------------------------
def _month(offset: int) -> dt.date:
    """The first day of the month *offset* months from the current one (UTC)."""
    from musicdb.partitions import add_months, month_start

    return add_months(month_start(dt.datetime.now(dt.UTC)), offset)


def _seed_events(url: str, months: list[int], per_month: int) -> None:
    """*per_month* events in each month offset of *months* (past ones land in the legacy
    partition, which covers everything before next month)."""
    with psycopg.connect(url, autocommit=True) as conn:
        user = conn.execute("INSERT INTO users (username, email, password_hash) VALUES "
                            "('e', 'e@x', 'h') ON CONFLICT (username) DO UPDATE "
                            "SET username = excluded.username RETURNING id").fetchone()[0]
        track = conn.execute("SELECT min(id) FROM tracks").fetchone()[0] or conn.execute(
            "INSERT INTO tracks (title) VALUES ('t') RETURNING id").fetchone()[0]
        for offset in months:
            conn.execute(
                "INSERT INTO user_interactions (user_id, track_id, interaction_type, created_at) "
                "SELECT %s, %s, 'play', %s + n * interval '1 minute' "
                "FROM generate_series(0, %s - 1) AS n", (user, track, _month(offset), per_month))


def _where(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT tableoid::regclass::text, count(*) "
                                 "FROM user_interactions GROUP BY 1").fetchall())


def test_status_and_premake_are_idempotent_and_skip_on_overlap(db_url, cli) -> None:
    from musicdb import locks

    status = cli("partitions", "status", "--format", "json", url=db_url)
    assert status.exit_code == 0, status.stderr
    doc = status.json()
    kinds = {r["partition"]: r["kind"] for r in doc["rows"]}
    assert kinds["user_interactions_legacy"] == "legacy"
    assert kinds["user_interactions_default"] == "default"
    assert doc["meta"]["months_ahead"] == 4 and doc["meta"]["default_rows"] == 0
    table = cli("partitions", "status", url=db_url)
    assert table.exit_code == 0 and "user_interactions_legacy" in table.stdout, table
    csv = cli("partitions", "status", "--format", "csv", url=db_url).stdout.splitlines()
    assert csv[0].startswith("partition,kind,from,to") and len(csv) == len(doc["rows"]) + 1
    made = cli("partitions", "premake", "--months", "6", "--format", "json", url=db_url)
    assert made.exit_code == 0, made.stderr
    outcomes = {r["partition"]: r["outcome"] for r in made.json()["rows"]}
    assert outcomes[f"user_interactions_p{_month(5):%Y%m}"] == "created"
    assert outcomes[f"user_interactions_p{_month(2):%Y%m}"] == "exists"
    assert outcomes["user_interactions_legacy"] == "exists"  # the current month
    assert made.json()["meta"]["months_ahead"] == 6
    again = cli("partitions", "premake", "--months", "6", "--format", "json", url=db_url)
    assert {r["outcome"] for r in again.json()["rows"]} == {"exists"}
    # an event of a month not made yet lands in the default partition: premake leaves that month
    # (split moves it), reports it and still makes the others
    _seed_events(db_url, [9], 3)
    assert _where(db_url) == {"user_interactions_default": 3}
    nine = cli("partitions", "premake", "--months", "10", "--format", "json", url=db_url)
    assert nine.exit_code == 0, nine.stderr
    rows = {r["partition"]: r for r in nine.json()["rows"]}
    assert rows[f"user_interactions_p{_month(9):%Y%m}"]["outcome"] == "skipped"
    assert "split" in rows[f"user_interactions_p{_month(9):%Y%m}"]["message"]
    assert rows[f"user_interactions_p{_month(10):%Y%m}"]["outcome"] == "created"
    assert cli("partitions", "status", "-f", "json", url=db_url).json()["meta"][
        "default_rows"] == 3
    # cron overlap: another holder of the partitions lock makes premake skip, exit 0
    with psycopg.connect(db_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", locks.PARTITIONS.keys)
        busy = cli("partitions", "premake", url=db_url)
        assert busy.exit_code == 0 and "skipped" in busy.stdout, busy
    assert cli("migrate", "check", url=db_url).exit_code == 0  # premade months are not drift


def test_split_killed_midway_then_rerun_keeps_every_row_once(db_url, cli) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    _seed_events(db_url, [-4, -3, -2, -1, 0], 60)
    _seed_events(db_url, [8], 5)  # in the default partition
    before = _digest(db_url)
    assert sum(_where(db_url).values()) == len(before) == 305
    first = _month(-4)
    staged = f"user_interactions_p{first:%Y%m}"
    env = {**os.environ, "MUSICDB_PROGRESS_INTERVAL": "3600"}
    with psycopg.connect(db_url) as blocker:
        # the 40th event of the first month is locked: the split moves a first batch of 25
        # rows of that month, then its second batch waits there
        blocker.execute("SELECT 1 FROM user_interactions WHERE created_at = %s FOR UPDATE",
                        (dt.datetime.combine(first, dt.time(0, 39)),))
        proc = subprocess.Popen([sys.executable, "-m", "musicdb", "--database-url", db_url,
                                 "partitions", "split", "--batch-rows", "25"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with psycopg.connect(db_url, autocommit=True) as watch:
            for _ in range(600):
                waiting = watch.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = "
                    "'musicdb partitions split' AND wait_event_type = 'Lock'").fetchall()
                if waiting or proc.poll() is not None:
                    break
                time.sleep(0.05)
            assert waiting, proc.communicate()
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            for (pid,) in waiting:  # the orphaned backend goes too (as a restart would)
                watch.execute("SELECT pg_terminate_backend(%s)", (pid,))
        blocker.rollback()
    halfway = _where(db_url)
    # killed between two batches: 25 rows in the month's table (not attached yet, so not seen
    # through the parent), the others where they were; none lost, none doubled
    assert halfway == {"user_interactions_legacy": 300 - 25, "user_interactions_default": 5}
    assert _one(db_url, f"SELECT count(*) FROM {staged}") == 25
    shown = {r["partition"]: r for r in cli("partitions", "status", "-f", "json",
                                             url=db_url).json()["rows"]}
    assert shown[staged]["kind"].startswith("split in progress") and shown[staged][
        "rows_estimate"] == 25, shown[staged]
    rerun = cli("partitions", "split", "--batch-rows", "25", url=db_url)
    assert rerun.exit_code == 0, rerun.stderr
    assert _digest(db_url) == before  # every row, exactly once (ids are unique in the digest)
    where = _where(db_url)
    assert where == {**{f"user_interactions_p{_month(k):%Y%m}": 60 for k in range(-4, 1)},
                     f"user_interactions_p{_month(8):%Y%m}": 5}
    status = cli("partitions", "status", "-f", "json", url=db_url).json()
    assert "user_interactions_legacy" not in {r["partition"] for r in status["rows"]}
    assert status["meta"]["default_rows"] == 0
    assert cli("migrate", "check", url=db_url).exit_code == 0
    # the application's insert still lands in the current month
    with psycopg.connect(db_url, autocommit=True) as conn:
        where_now = conn.execute(
            "INSERT INTO user_interactions (user_id, track_id, interaction_type) SELECT user_id, "
            "track_id, 'like' FROM user_interactions LIMIT 1 RETURNING tableoid::regclass::text"
        ).fetchone()[0]
    assert where_now == f"user_interactions_p{_month(0):%Y%m}"


def test_retire_archives_refuses_without_yes_and_restore_loads_back(db_url, cli, tmp_path) -> None:
    _seed_events(db_url, [-27, -26, -25, -1], 40)
    assert cli("partitions", "split", url=db_url).exit_code == 0
    before = _digest(db_url)
    old = [f"user_interactions_p{_month(k):%Y%m}" for k in (-27, -26, -25)]
    refused = cli("partitions", "retire", "--older-than", "24months", url=db_url)
    assert refused.exit_code == 1 and "--yes" in refused.stderr, refused
    assert _digest(db_url) == before
    # an archive that cannot be written: nothing is dropped
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    failed = cli("partitions", "retire", "--older-than", "24months", "--archive", str(blocked),
                 "--yes", url=db_url)
    assert failed.exit_code == 1 and len(failed.stderr.splitlines()) == 1, failed
    assert _digest(db_url) == before
    archive = tmp_path / "archive"
    done = cli("partitions", "retire", "--older-than", "2y", "--archive", str(archive), "--yes",
               "--format", "json", url=db_url)
    assert done.exit_code == 0, done.stderr
    rows = {r["partition"]: r for r in done.json()["rows"]}
    assert set(rows) == set(old) and {r["rows"] for r in rows.values()} == {40}
    assert set(_where(db_url)) == {f"user_interactions_p{_month(-1):%Y%m}"}
    files = sorted(p.name for p in archive.iterdir())
    assert files == sorted([f"{n}.copy.gz" for n in old] + [f"{n}.copy.gz.json" for n in old])
    # a damaged archive is refused; the intact ones load back, every row as it was
    victim = archive / f"{old[0]}.copy.gz"
    data = victim.read_bytes()
    victim.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    bad = cli("partitions", "restore", str(victim), url=db_url)
    assert bad.exit_code == 1 and "checksum" in bad.stderr, bad
    victim.write_bytes(data)
    for name in old:
        back = cli("partitions", "restore", str(archive / f"{name}.copy.gz"), url=db_url)
        assert back.exit_code == 0, back.stderr
    assert _digest(db_url) == before
    twice = cli("partitions", "restore", str(victim), url=db_url)
    assert twice.exit_code == 1 and "already" in twice.stderr, twice
    assert cli("migrate", "check", url=db_url).exit_code == 0
    # without a default partition PostgreSQL allows DETACH ... CONCURRENTLY (outside a
    # transaction): retire uses it
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE user_interactions_default")
    again = cli("partitions", "retire", "--older-than", "24months", "--yes", "-f", "json",
                url=db_url)
    assert again.exit_code == 0, again.stderr
    assert {r["detach"] for r in again.json()["rows"]} == {"concurrently"}
    assert set(_where(db_url)) == {f"user_interactions_p{_month(-1):%Y%m}"}


def _checks(url: str, cli) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    result = cli("health-check", "--only", "partitions_ahead", "--only", "default_partition_rows",
                 "--only", "partition_retention", "-f", "json", url=url)
    return {r["check"]: r for r in result.json()["rows"]}


def test_health_checks_and_maintain_keep_the_months(db_url, cli) -> None:
    checks = _checks(db_url, cli)
    assert {c["status"] for c in checks.values()} == {"ok"}, checks
    assert checks["partitions_ahead"]["details"]["months_ahead"] == 4
    with psycopg.connect(db_url, autocommit=True) as conn:
        for k in (2, 3, 4):
            conn.execute(f"DROP TABLE user_interactions_p{_month(k):%Y%m}")
    assert _checks(db_url, cli)["partitions_ahead"]["status"] == "warning"  # 1 month ahead
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE user_interactions_p{_month(1):%Y%m}")
    assert _checks(db_url, cli)["partitions_ahead"]["status"] == "critical"
    _seed_events(db_url, [-30, 1], 2)  # an old month (in legacy), and next month's (default)
    checks = _checks(db_url, cli)
    assert checks["default_partition_rows"]["status"] == "warning"
    assert checks["default_partition_rows"]["details"]["rows"] == 2
    assert checks["partition_retention"]["status"] == "ok"  # legacy reaches into this month
    # maintain daily premakes (the month with rows in the default partition waits for split)
    daily = cli("maintain", "daily", "--format", "json", url=db_url)
    step = next(r for r in daily.json()["rows"] if r["step"] == "premake_partitions")
    assert step["status"] == "ok" and step["details"]["months_ahead"] == 0, step
    assert cli("partitions", "split", url=db_url).exit_code == 0
    monthly = cli("maintain", "monthly", "--format", "json", url=db_url)
    step = next(r for r in monthly.json()["rows"] if r["step"] == "premake_partitions")
    assert step["status"] == "ok" and step["details"]["months_ahead"] == 3, step
    checks = _checks(db_url, cli)
    assert checks["partitions_ahead"]["status"] == "ok"
    assert checks["default_partition_rows"]["status"] == "ok"
    old = checks["partition_retention"]
    assert old["status"] == "warning" and f"user_interactions_p{_month(-30):%Y%m}" in old[
        "message"], old
    assert "retire" in old["message"]
    # a premade month is no drift; a hand-made difference in one is
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"CREATE INDEX hand_made ON user_interactions_p{_month(3):%Y%m} (session_id)")
    drift = cli("migrate", "check", url=db_url)
    assert drift.exit_code != 0 and f"user_interactions_p{_month(3):%Y%m}" in drift.stdout


def test_bad_input_is_one_line_and_changes_nothing(db_url, cli, tmp_path) -> None:
    before = cli("partitions", "status", "-f", "json", url=db_url).json()["rows"]
    stray = tmp_path / "user_interactions_p202401.copy.gz"
    stray.write_bytes(b"not an archive")
    for args, code, words in [
        (("retire", "--older-than", "soon", "--yes"), 2, "not a number of months"),
        (("retire", "--older-than", "0months", "--yes"), 2, "at least 1 month"),
        (("restore", str(tmp_path / "missing.copy.gz")), 2, "no such archive file"),
        (("restore", str(stray)), 2, "no manifest"),
        (("premake", "--months", "-1"), 2, "--months"),
    ]:
        result = cli("partitions", *args, url=db_url)
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == code and len(lines) == 1 and words in lines[0], (args, result)
    assert cli("partitions", "status", "-f", "json", url=db_url).json()["rows"] == before
    nothing = cli("partitions", "retire", "--older-than", "24months", url=db_url)
    assert nothing.exit_code == 0 and "nothing to do" in nothing.stdout, nothing


def test_metrics_export_the_months_ahead_and_the_default_rows(db_url, cli) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from musicdb.config import DatabaseTarget
    from musicdb.observe import metrics

    def scrape() -> dict[str, float]:
        text = metrics.exposition(DatabaseTarget(db_url, "test"),
                                  metrics.MetricsOptions(drift_interval_s=0)).decode()
        return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
                if s.name.startswith("musicdb_partitions_") or s.labels.get("part") == "partitions"}

    first = scrape()
    assert first == {"musicdb_scrape_error": 0, "musicdb_partitions_months_ahead": 4,
                     "musicdb_partitions_default_rows": 0}
    _seed_events(db_url, [9], 3)  # a month not made yet: the default partition
    assert cli("partitions", "premake", "--months", "6", url=db_url).exit_code == 0
    later = scrape()
    assert later["musicdb_partitions_months_ahead"] == 6
    assert later["musicdb_partitions_default_rows"] == 3
