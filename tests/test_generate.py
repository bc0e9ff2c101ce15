"""``musicdb generate``: what it refuses, what it loads, and that the data looks real.

The tests that generate data are marked ``slow``; the refusals run in every quick run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest

from musicdb.config import DatabaseTarget
from musicdb.migrate.snapshot import diff, snapshot
from musicdb.workload import generate

UNTIL = "2026-01-01"


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # fixed names only


def _gen(cli, url: str, *extra: str):
    return cli("generate", "--scale", "0.002", "--seed", "11", "--until", UNTIL, "--format",
               "json", *extra, url=url)


@pytest.mark.slow
def test_generate_loads_every_table_and_reports_counts(cli, db_url, pg_server, template_db) -> None:
    result = _gen(cli, db_url)
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    by_table = {r["table"]: r["rows"] for r in doc["rows"]}
    assert set(generate.TABLES) <= set(by_table)
    for table in generate.TABLES:
        assert by_table[table] == _count(db_url, table) > 0, table
    assert doc["meta"]["seed"] == 11 and doc["meta"]["rows"] == sum(
        by_table[t] for t in generate.TABLES
    )
    assert "rows/s" in result.stderr
    # the view was refreshed, and the bulk load put back every index and constraint it set
    # aside: the schema is exactly the template's
    assert _count(db_url, "mv_track_popularity") == by_table["tracks"]
    with psycopg.connect(db_url) as after, pg_server.connect(template_db) as before:
        assert diff(snapshot(before), snapshot(after)) == []
        analyzed = after.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
            "AND relname = ANY(%s)",
            (list(generate.TABLES),),
        ).fetchone()[0]
    assert analyzed == len(generate.TABLES)


def test_generate_refuses_a_database_not_at_head(cli, empty_db_url) -> None:
    result = _gen(cli, empty_db_url)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("musicdb: error:")]
    assert len(errors) == 1 and "not at head" in errors[0] and "migrate up" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_generate_refuses_data_unless_append(cli, db_url) -> None:
    assert _gen(cli, db_url).exit_code == 0
    users = _count(db_url, "users")
    again = _gen(cli, db_url)
    assert again.exit_code == 1 and "--append" in again.stderr
    assert _count(db_url, "users") == users  # nothing changed
    more = _gen(cli, db_url, "--append")
    assert more.exit_code == 0, more.stderr
    assert _count(db_url, "users") == 2 * users
    # ids were given explicitly; the identity sequences moved past them
    with psycopg.connect(db_url, autocommit=True) as conn:
        new_id = conn.execute(
            "INSERT INTO users (username, email, password_hash) VALUES ('x', 'x@y', 'h') "
            "RETURNING id"
        ).fetchone()[0]
        before = conn.execute("SELECT max(id) FROM users WHERE username <> 'x'").fetchone()[0]
        assert new_id > before


@pytest.mark.slow
def test_same_seed_same_rows_in_this_process_or_a_second_one(pg_server, template_db) -> None:
    digests = []
    for parallel in (False, True):
        with pg_server.database(template_db) as name:
            generate.generate(DatabaseTarget(pg_server.url(name), "t"), scale=0.002, seed=5,
                              until=dt.date(2026, 1, 1), analyze=False,
                              parallel=parallel)
            with pg_server.connect(name) as conn:
                digests.append(conn.execute(
                    "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM ("
                    "SELECT id, title, duration_ms, audio_features, artist_id, created_at "
                    "FROM tracks) AS t"
                ).fetchone()[0] + conn.execute(
                    "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM ("
                    "SELECT id, user_id, track_id, interaction_type, created_at "
                    "FROM user_interactions) AS t"
                ).fetchone()[0] + conn.execute(
                    "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM ("
                    "SELECT id, user_id, track_id, added_at, is_favorite "
                    "FROM user_library) AS t"
                ).fetchone()[0])
    assert digests[0] == digests[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scale", "-1"), "--scale"),
        (("--users", "0"), "--users"),
        (("--until", "yesterday"), "not a date"),
    ],
)
def test_bad_options_are_usage_errors(cli, db_url, args, message) -> None:
    result = cli("generate", *args, url=db_url)
    assert result.exit_code == 2
    assert message in result.stderr
    assert _count(db_url, "users") == 0


# --- realism --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(pg_server: Any, template_db: str):
    with pg_server.database(template_db) as name:
        generate.generate(DatabaseTarget(pg_server.url(name), "t"), scale=0.02, seed=3,
                          until=dt.date(2026, 1, 1))
        with pg_server.connect(name) as conn:
            yield conn


def _one(conn: psycopg.Connection[Any], query: str) -> Any:
    return conn.execute(query).fetchone()[0]


@pytest.mark.slow
def test_popularity_is_skewed(data) -> None:
    plays = _one(data, "SELECT count(*) FROM user_interactions WHERE interaction_type = 'play'")
    top = _one(data, "SELECT sum(total_plays) FROM (SELECT total_plays FROM mv_track_popularity "
                     "ORDER BY total_plays DESC "
                     "LIMIT (SELECT count(*) / 100 FROM tracks)) AS t")
    assert top / plays > 0.2  # the top 1% of tracks get well over a fifth of the plays
    never = _one(data, "SELECT count(*) FROM mv_track_popularity WHERE total_plays = 0")
    assert never > 0


@pytest.mark.slow
def test_timestamps_span_a_year_with_a_daily_rhythm(data) -> None:
    low, high = data.execute(
        "SELECT min(created_at), max(created_at) FROM user_interactions"
    ).fetchone()
    end = dt.datetime(2026, 1, 1)  # naive UTC at the compatible head
    assert end - dt.timedelta(days=366) <= low and high <= end
    assert (high - low).days > 300
    night = _one(data, "SELECT count(*) FROM user_interactions "
                       "WHERE extract(hour FROM created_at) BETWEEN 2 AND 4")
    evening = _one(data, "SELECT count(*) FROM user_interactions WHERE "
                         "extract(hour FROM created_at) BETWEEN 19 AND 21")
    assert evening > 5 * night


@pytest.mark.slow
def test_jsonb_fields_hold_plausible_keys(data) -> None:
    bad_energy = _one(data, "SELECT count(*) FROM tracks WHERE NOT (audio_features ? 'energy' "
                            "AND (audio_features->>'energy')::float8 BETWEEN 0 AND 1 "
                            "AND (audio_features->>'danceability')::float8 "
                            "BETWEEN 0 AND 1)")
    assert bad_energy == 0
    genres = {r[0] for r in data.execute(
        "SELECT DISTINCT jsonb_array_elements_text(genres) FROM artists").fetchall()}
    assert genres and genres <= set(generate.GENRES)
    high = _one(data, "SELECT count(*) FROM tracks WHERE (audio_features->>'energy')::float8 > 0.8")
    assert 0 < high < _one(data, "SELECT count(*) FROM tracks") / 4
    assert _one(data, "SELECT count(*) FROM playlists WHERE is_dynamic "
                      "AND NOT dynamic_rules ? 'genre'") == 0


@pytest.mark.slow
def test_text_is_searchable(data) -> None:
    found = _one(data, "SELECT count(*) FROM tracks "
                       "WHERE search_document @@ websearch_to_tsquery('english', 'love')")
    assert found > 0
    stop_word = "SELECT count(*) FROM artists WHERE search_document @@ "
    assert _one(data, stop_word + "websearch_to_tsquery('english', 'the')") == 0
    assert _one(data, "SELECT count(*) FROM playlists WHERE search_document "
                      "@@ websearch_to_tsquery('english', 'tracks')") > 0


@pytest.mark.slow
def test_genres_are_a_large_vocabulary_with_zipf_like_use(data) -> None:
    """Hundreds of genres: the commonest is on a large share of the artists, a typical one on
    a fraction of a percent (what makes the GIN index of Q6 pay off)."""
    assert len(set(generate.GENRES)) >= 250
    artists = _one(data, "SELECT count(*) FROM artists")
    counts = [r[0] for r in data.execute(
        "SELECT count(*) FROM artists, jsonb_array_elements_text(genres) AS g "
        "GROUP BY g ORDER BY count(*) DESC").fetchall()]
    assert len(counts) > 100
    assert counts[0] > 0.15 * artists
    assert counts[len(counts) // 2] < 0.02 * artists


@pytest.mark.slow
def test_libraries_are_heavy_tailed_with_collectors(data) -> None:
    """Most users keep a few tracks; the collectors (one user in a hundred) hold about half of
    all library rows, the biggest library hundreds of times the median one."""
    query = "SELECT count(*) FROM user_library GROUP BY user_id ORDER BY 1 DESC"
    sizes = [r[0] for r in data.execute(query).fetchall()]
    users = _one(data, "SELECT count(*) FROM users")
    median = sizes[len(sizes) // 2]
    assert median <= 20
    assert sizes[0] >= 100 * median
    collectors = max(1, round(users / generate.POWER_USER_EVERY))
    assert 0.35 < sum(sizes[:collectors]) / sum(sizes) < 0.65
    assert sizes[0] <= generate.MAX_LIBRARY


@pytest.mark.slow
def test_a_few_percent_of_a_library_are_favourites(data) -> None:
    share = _one(data, "SELECT avg(is_favorite::int) FROM user_library")
    assert 0.01 < share < 0.06


@pytest.mark.slow
def test_bulk_load_writes_frozen_all_visible_pages(data) -> None:
    """COPY FREEZE into the truncated plain tables: the pages are all-visible straight after the
    load (a plain COPY leaves none so until a VACUUM), so no later pass has to set hint bits or
    freeze the rows. The last page of each of COPY's insert batches may stay unmarked.
    PostgreSQL refuses COPY FREEZE on a partitioned table: user_interactions is loaded by a plain
    COPY into its parent, which routes every event to its month's partition (made for the load),
    none to the default partition."""
    plain = data.execute(  # a plain COPY would leave relallvisible at 0
        "SELECT relname, relpages, relallvisible FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace AND NOT relispartition "
        "AND relpages >= 20").fetchall()
    assert len(plain) >= 3
    for name, pages, visible in plain:
        assert visible >= 0.5 * pages, (name, pages, visible)
    where = dict(data.execute(
        "SELECT tableoid::regclass::text, count(*) FROM user_interactions GROUP BY 1").fetchall())
    months = {f"user_interactions_p{y}{m:02d}" for y, m in
              [(2025, m) for m in range(1, 13)] + [(2024, 12)]}
    assert set(where) <= months and len(where) >= 12, where
    for name, rows in where.items():  # each month's rows, and only them, in its partition
        lo, hi = _one(data, f"SELECT min(created_at)::date || ' ' || max(created_at)::date "
                            f"FROM {name}").split()
        assert lo[:7].replace("-", "") == name[-6:] == hi[:7].replace("-", ""), (name, lo, hi)
        assert rows > 0
    assert _one(data, "SELECT count(*) FROM user_interactions_default") == 0
    assert _one(data, "SELECT to_regclass('user_interactions_legacy')") is None
