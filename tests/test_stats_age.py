"""Usage verdicts wait for evidence: 'unused' (analyze-indexes, the unused_indexes health check,
the monthly review) is withheld while the statistics are younger than the configured age; the
duplicate, redundant and invalid verdicts never wait."""

from __future__ import annotations

import datetime as dt

import psycopg

from musicdb.reports._common import stats_since
from musicdb.reports.indexes import MIN_STATS_AGE_S

#: An index the schema has and nothing has scanned on a fresh database.
NEVER_SCANNED = "ix_artists_genres"
DUPLICATE = "ix_tracks_title_again"


def _with_duplicate(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE INDEX {DUPLICATE} ON tracks (title)")
        conn.execute("CREATE INDEX ix_tracks_title_first ON tracks (title)")


def test_analyze_indexes_withholds_unused_below_the_age(cli, db_url, monkeypatch) -> None:
    _with_duplicate(db_url)
    young = cli("analyze-indexes", "--min-stats-age", "3650d", "--format", "json", url=db_url)
    doc = young.json()
    assert doc["meta"]["unused_verdicts"] == "withheld"
    assert not any("unused" in r["verdicts"] for r in doc["rows"])
    assert any("duplicate" in r["verdicts"] for r in doc["rows"])  # does not wait
    since = dt.datetime.fromisoformat(doc["meta"]["stats_since"])
    judged = dt.datetime.fromisoformat(doc["meta"]["unused_judged_from"])
    assert judged - since == dt.timedelta(days=3650)
    table = cli("analyze-indexes", "--min-stats-age", "3650d", url=db_url)
    assert f"a verdict is possible from {judged:%Y-%m-%d %H:%M}" in table.stderr
    assert f"statistics run since {since:%Y-%m-%d %H:%M}" in table.stderr
    assert cli("analyze-indexes", "--unused", "--min-stats-age", "3650d", "--format", "json",
               url=db_url).json()["rows"] == []

    monkeypatch.setenv("MUSICDB_MIN_STATS_AGE", "0")  # the environment sets the same age
    doc = cli("analyze-indexes", "--format", "json", url=db_url).json()
    assert doc["meta"]["unused_verdicts"] == "given"
    verdicts = {r["index"]: r["verdicts"] for r in doc["rows"]}
    assert "unused" in verdicts[NEVER_SCANNED]
    assert "duplicate" in verdicts[DUPLICATE] or "duplicate" in verdicts["ix_tracks_title_first"]
    monkeypatch.delenv("MUSICDB_MIN_STATS_AGE")
    default = cli("analyze-indexes", "--format", "json", url=db_url).json()
    assert default["meta"]["min_stats_age_seconds"] == MIN_STATS_AGE_S == 7 * 24 * 3600
    bad = cli("analyze-indexes", "--min-stats-age", "soon", url=db_url)
    assert bad.exit_code == 2 and "not a duration: 'soon'" in bad.stderr


def test_health_check_and_monthly_review_wait_for_the_age(cli, db_url, monkeypatch) -> None:
    only = ("--only", "unused_indexes")
    young = cli("health-check", *only, "-t", "unused_index_min_stats_age=3650d", "-f", "json",
                url=db_url)
    [row] = [r for r in young.json()["rows"] if r["check"] == "unused_indexes"]
    assert row["status"] == "ok" and row["details"]["withheld"] is True
    assert "withheld" in row["message"] and "a verdict is possible from" in row["message"]

    monkeypatch.setenv("MUSICDB_MIN_STATS_AGE", "0")
    old = cli("health-check", *only, "-f", "json", url=db_url)
    [row] = [r for r in old.json()["rows"] if r["check"] == "unused_indexes"]
    assert row["status"] == "warning", row
    assert f"public.{NEVER_SCANNED}" in [i["index"] for i in row["details"]["indexes"]]
    given = cli("maintain", "monthly", "--format", "json", url=db_url).json()
    [review] = [r for r in given["rows"] if r["step"] == "unused_index_review"]
    assert review["status"] == "warning" and NEVER_SCANNED in review["message"]

    monkeypatch.setenv("MUSICDB_MIN_STATS_AGE", "3650d")
    withheld = cli("maintain", "monthly", "--format", "json", url=db_url).json()
    [review] = [r for r in withheld["rows"] if r["step"] == "unused_index_review"]
    assert review["status"] == "ok" and "withheld" in review["message"]


def test_statistics_age_counts_from_the_later_of_reset_and_server_start(db_url) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_reset()")
        since = stats_since(conn)
    assert since.stats_reset is not None and since.server_started is not None
    assert since.stats_reset > since.server_started  # the reset came after the start
    assert since.stats_since == since.stats_reset
    assert since.stats_age_seconds is not None and since.stats_age_seconds < 3600


def test_usage_verdicts_on_both_sides_of_a_planted_age() -> None:
    from musicdb.reports._common import StatsSince
    from musicdb.reports.indexes import judged_from, usage_judged, withheld_note

    now = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
    reset, started = now - dt.timedelta(days=2), now - dt.timedelta(days=30)
    since = StatsSince(reset, started, reset, 2 * 86400.0)
    assert not usage_judged(since, 7 * 86400) and usage_judged(since, 86400)
    assert usage_judged(since, 0)
    assert judged_from(since, 7 * 86400) == reset + dt.timedelta(days=7)
    note = withheld_note(since, 7 * 86400, "--min-stats-age")
    assert "since 2026-12-02 12:00" in note and "possible from 2026-12-09 12:00" in note
    unknown = StatsSince(None, None, None, None)
    assert not usage_judged(unknown, 1) and judged_from(unknown, 1) is None


def test_partition_indexes_are_judged_through_their_partitioned_index(cli, db_url,
                                                                     monkeypatch) -> None:
    """user_interactions is partitioned: the months premade ahead have indexes nothing has read
    yet, which are not 'unused' one by one; the partitioned index counts its partitions'
    scans."""
    monkeypatch.setenv("MUSICDB_MIN_STATS_AGE", "0")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT count(*) FROM user_interactions WHERE user_id = 1")
        conn.execute("SELECT pg_stat_force_next_flush()")
    rows = cli("analyze-indexes", "--format", "json", url=db_url).json()["rows"]
    verdicts = {r["index"]: r for r in rows}
    parts = [r for r in rows if r["table"].startswith("user_interactions_p")]
    assert parts and not any("unused" in r["verdicts"] for r in parts)
    used = verdicts["ix_user_interactions_user_id_created_at"]
    assert used["scans"] > 0 and "unused" not in used["verdicts"], used
    idle = verdicts["ix_user_interactions_created_at"]
    assert idle["scans"] == 0 and "unused" in idle["verdicts"], idle
