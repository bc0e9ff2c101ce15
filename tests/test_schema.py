"""The schema the migrations build, checked through the catalog and behaviour.

Every expectation about tables, columns, keys and indexes is written out literally here (not read
back from ``musicdb.migrate.schema``), so a migration and the reference model cannot drift together
unnoticed; docs/schema.md explains them. The EXPLAIN checks run the query patterns' own SQL from
``musicdb.workload.patterns`` (the one definition ``musicdb bench`` runs too).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from musicdb import migrate
from musicdb.config import DatabaseTarget
from musicdb.migrate.snapshot import Difference, diff, snapshot
from musicdb.workload.patterns import PATTERNS, Pattern, explain

FIRST = "20250618_075008_initial_schema"
SECOND = "20250618_075149_add_performance_indexes"
THIRD = "20261128_090000_maintenance_log"
REVISIONS = (FIRST, SECOND, THIRD)
COMPATIBLE = "20261204_090000_platform_app_compatible"
PARTITIONED = "20261204_100000_partition_user_interactions"

# --- the schema, written out ------------------------------------------------------------------

COLUMNS = {
    "users": "id username email password_hash is_active is_admin created_at last_login "
    "default_language default_categories default_engines",
    "artists": "id name sort_name musicbrainz_id spotify_id bio country formed_year "
    "disbanded_year image_url thumbnail_url banner_url genres aliases members social_links "
    "popularity follower_count monthly_listeners is_verified verification_source "
    "extra_metadata search_vector search_document created_at updated_at last_synced",
    "albums": "id title upc catalog_number musicbrainz_id album_type release_date "
    "release_precision cover_url cover_url_small cover_url_large label total_tracks "
    "total_discs genres styles moods themes credits popularity rating rating_count "
    "extra_metadata is_remaster original_release_date version_notes search_vector search_document "
    "artist_id "
    "created_at updated_at last_synced",
    "tracks": "id title duration_ms isrc audio_fingerprint fingerprint_algorithm audio_features "
    "artist_id album_id explicit popularity preview_url lyrics extra_metadata search_vector "
    "search_document created_at updated_at last_analyzed",
    "artist_sources": "id artist_id source_type source_id source_uri source_extra_metadata "
    "is_primary last_synced sync_status created_at updated_at",
    "album_sources": "id album_id source_type source_id source_uri source_extra_metadata "
    "is_primary is_available geo_restrictions last_synced sync_status created_at updated_at",
    "track_sources": "id track_id source_type source_id source_uri source_extra_metadata "
    "is_available geo_restrictions audio_quality last_synced sync_status created_at updated_at",
    "playlists": "id uuid name owner_id is_public is_collaborative parent_id folder_type "
    "description cover_url tags is_dynamic dynamic_rules collaboration_mode "
    "max_tracks_per_user voting_enabled share_token password_hash expires_at play_count "
    "like_count share_count total_duration_ms extra_metadata version last_modified_by "
    "search_vector search_document created_at updated_at last_played_at",
    "playlist_tracks": "id playlist_id track_id position added_by added_at vote_count is_locked "
    "custom_note start_time_ms end_time_ms",
    "playlist_collaborators": "id playlist_id user_id can_add_tracks can_remove_tracks "
    "can_reorder_tracks can_invite_others can_change_details role invited_by "
    "invitation_status tracks_added tracks_removed last_active invited_at joined_at",
    "playlist_activities": "id playlist_id user_id activity_type activity_data "
    "playlist_version created_at",
    "playlist_track_votes": "id playlist_track_id user_id vote_type voted_at",
    "playlist_follows": "id user_id playlist_id followed_at notifications_enabled",
    "user_music_profiles": "id user_id favorite_genres disliked_genres favorite_decades "
    "preferred_audio_quality explicit_content_allowed discovery_mode energy_preference "
    "mood_preferences language_preferences total_listening_time_ms tracks_played "
    "unique_tracks_played unique_artists_played average_session_duration_ms discovery_ratio "
    "genre_diversity_score time_based_preferences device_preferences taste_vector "
    "last_taste_update created_at updated_at",
    "user_library": "id user_id track_id added_at tags rating play_count skip_count "
    "last_played_at total_play_time_ms notes is_favorite",
    "user_interactions": "id user_id track_id interaction_type context_type context_id "
    "play_duration_ms track_duration_ms completion_percentage skip_position_ms skip_reason "
    "device_type session_id extra_metadata created_at",
    "discovery_sessions": "id uuid user_id session_type session_name seed_type seed_data "
    "discovery_params tracks_presented tracks_played tracks_skipped tracks_liked "
    "tracks_added_to_library total_play_time_ms average_play_percentage discovery_score "
    "user_satisfaction algorithm_version is_active current_position started_at ended_at "
    "last_interaction_at",
    "discovery_session_tracks": "id session_id track_id position recommendation_score "
    "recommendation_reasons was_played was_skipped was_liked was_added_to_library "
    "play_duration_ms skip_time_ms presented_at interacted_at",
    "user_artist_follows": "id user_id artist_id followed_at follow_source notifications_enabled",
    "user_album_collections": "id user_id album_id added_at tags play_count",
}
PLATFORM_TABLES = set(COLUMNS)
OWN_TABLES = {"alembic_version", "maintenance_log"}
EVENT_TABLES = {"user_interactions", "playlist_activities", "discovery_session_tracks"}
UPDATED_AT_TABLES = {
    "tracks",
    "artists",
    "albums",
    "playlists",
    "user_music_profiles",
    "track_sources",
    "artist_sources",
    "album_sources",
}
CREATION_COLUMNS = {
    "created_at",
    "added_at",
    "followed_at",
    "invited_at",
    "voted_at",
    "presented_at",
    "started_at",
}
NULLABLE_JSONB = {
    "album_sources.geo_restrictions",
    "track_sources.geo_restrictions",
    "playlists.dynamic_rules",
    "user_music_profiles.taste_vector",
    "discovery_sessions.seed_data",
}

# (table, column) -> (referenced table, ON DELETE)
FOREIGN_KEYS = {
    ("albums", "artist_id"): ("artists", "SET NULL"),
    ("tracks", "artist_id"): ("artists", "SET NULL"),
    ("tracks", "album_id"): ("albums", "SET NULL"),
    ("artist_sources", "artist_id"): ("artists", "CASCADE"),
    ("album_sources", "album_id"): ("albums", "CASCADE"),
    ("track_sources", "track_id"): ("tracks", "CASCADE"),
    ("playlists", "owner_id"): ("users", "CASCADE"),
    ("playlists", "parent_id"): ("playlists", "SET NULL"),
    ("playlists", "last_modified_by"): ("users", "SET NULL"),
    ("playlist_tracks", "playlist_id"): ("playlists", "CASCADE"),
    ("playlist_tracks", "track_id"): ("tracks", "CASCADE"),
    ("playlist_tracks", "added_by"): ("users", "SET NULL"),
    ("playlist_collaborators", "playlist_id"): ("playlists", "CASCADE"),
    ("playlist_collaborators", "user_id"): ("users", "CASCADE"),
    ("playlist_collaborators", "invited_by"): ("users", "SET NULL"),
    ("playlist_activities", "playlist_id"): ("playlists", "CASCADE"),
    ("playlist_activities", "user_id"): ("users", "SET NULL"),
    ("playlist_track_votes", "playlist_track_id"): ("playlist_tracks", "CASCADE"),
    ("playlist_track_votes", "user_id"): ("users", "CASCADE"),
    ("playlist_follows", "user_id"): ("users", "CASCADE"),
    ("playlist_follows", "playlist_id"): ("playlists", "CASCADE"),
    ("user_music_profiles", "user_id"): ("users", "CASCADE"),
    ("user_library", "user_id"): ("users", "CASCADE"),
    ("user_library", "track_id"): ("tracks", "CASCADE"),
    ("user_interactions", "user_id"): ("users", "CASCADE"),
    ("user_interactions", "track_id"): ("tracks", "CASCADE"),
    ("discovery_sessions", "user_id"): ("users", "CASCADE"),
    ("discovery_session_tracks", "session_id"): ("discovery_sessions", "CASCADE"),
    ("discovery_session_tracks", "track_id"): ("tracks", "CASCADE"),
    ("user_artist_follows", "user_id"): ("users", "CASCADE"),
    ("user_artist_follows", "artist_id"): ("artists", "CASCADE"),
    ("user_album_collections", "user_id"): ("users", "CASCADE"),
    ("user_album_collections", "album_id"): ("albums", "CASCADE"),
}

# table -> unique column lists (constraints), beyond the primary key
UNIQUES = {
    "users": {("username",), ("email",)},
    "artists": {("musicbrainz_id",)},
    "albums": {("musicbrainz_id",)},
    "artist_sources": {("artist_id", "source_type", "source_id"), ("source_type", "source_id")},
    "album_sources": {("album_id", "source_type", "source_id"), ("source_type", "source_id")},
    # the compatible head: per parent only (the cross-parent rule comes with the contract)
    "track_sources": {("track_id", "source_type", "source_id")},
    "playlists": {("uuid",), ("share_token",)},
    "playlist_tracks": {("playlist_id", "position")},
    "playlist_collaborators": {("playlist_id", "user_id")},
    "playlist_track_votes": {("playlist_track_id", "user_id")},
    "playlist_follows": {("user_id", "playlist_id")},
    "user_music_profiles": {("user_id",)},
    "user_library": {("user_id", "track_id")},
    "discovery_sessions": {("uuid",)},
    "discovery_session_tracks": {("session_id", "position")},
    "user_artist_follows": {("user_id", "artist_id")},
    "user_album_collections": {("user_id", "album_id")},
}

NON_NEGATIVE = {
    ("tracks", "duration_ms"),
    ("user_interactions", "play_duration_ms"),
    ("playlists", "total_duration_ms"),
    ("albums", "total_tracks"),
}

JSONB_GIN = {
    ("tracks", "audio_features"),
    ("artists", "genres"),
    ("artists", "aliases"),
    ("artists", "social_links"),
    ("albums", "genres"),
    ("albums", "credits"),
    ("playlists", "tags"),
    ("playlists", "dynamic_rules"),
}

SEARCH_WEIGHTS = {
    "tracks": {"title": "A"},
    "artists": {"name": "A", "sort_name": "B"},
    "albums": {"title": "A", "label": "C"},
    "playlists": {"name": "A", "description": "B"},
}


# --- helpers ----------------------------------------------------------------------------------


def rows(conn: psycopg.Connection[Any], query: str, params: Any = None) -> list[tuple]:
    return conn.execute(query, params).fetchall()


def value(conn: psycopg.Connection[Any], query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def columns_of(conn: psycopg.Connection[Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table, column in rows(
        conn,
        """
        SELECT c.relname, a.attname FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped
        """,
    ):
        out.setdefault(table, set()).add(column)
    return out


def index_rows(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Every index of public: name, table, access method, key columns (as printed, with
    ordering), predicate, uniqueness, and the names of its plain key columns."""
    out = []
    for name, table, am, keys, predicate, unique, indnkeyatts, first_col in rows(
        conn,
        """
        SELECT i.relname, c.relname, am.amname,
               ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)
                       || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                     FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k),
               pg_get_expr(x.indpred, x.indrelid), x.indisunique, x.indnkeyatts,
               (SELECT a.attname FROM pg_attribute a
                 WHERE a.attrelid = x.indrelid AND a.attnum = x.indkey[0])
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_am am ON am.oid = i.relam
        WHERE n.nspname = 'public'
        """,
    ):
        out.append(
            {
                "name": name,
                "table": table,
                "am": am,
                "keys": list(keys),
                "predicate": predicate,
                "unique": unique,
                "nkeys": indnkeyatts,
                "first_column": first_col,
            }
        )
    return out


def target(url: str) -> DatabaseTarget:
    return DatabaseTarget(url, "test")


def upgrade(url: str, revision: str = "head") -> None:
    migrate.upgrade(target(url), revision)


def downgrade(url: str, revision: str) -> None:
    migrate.downgrade(target(url), revision)


def snap(url: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return snapshot(conn)


def assert_same(expected: dict, actual: dict, ignore: tuple[str, ...] = ()) -> None:
    differences = diff(expected, actual, ignore=ignore)
    assert not differences, "\n".join(str(d) for d in differences)


class Seed:
    """A small, connected set of platform rows, inserted with raw SQL (server defaults only)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.user = self.insert("users", username="alice", email="a@x", password_hash="h")
        self.other = self.insert("users", username="bob", email="b@x", password_hash="h")
        self.artist = self.insert("artists", name="Artist")
        self.album = self.insert("albums", title="Album", artist_id=self.artist)
        self.track = self.insert(
            "tracks", title="Track", artist_id=self.artist, album_id=self.album
        )
        self.playlist = self.insert("playlists", name="List", owner_id=self.user)
        self.playlist_track = self.insert(
            "playlist_tracks",
            playlist_id=self.playlist,
            track_id=self.track,
            position=1,
            added_by=self.other,
        )
        self.session = self.insert("discovery_sessions", user_id=self.user, session_type="radio")

    def insert(self, table: str, **values: Any) -> int:
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.Placeholder() * len(values)),
        )
        return value(self.conn, query, list(values.values()))


@pytest.fixture
def seed(pg_conn: psycopg.Connection[Any]) -> Seed:
    return Seed(pg_conn)


# --- revisions ---------------------------------------------------------------------------------


def test_single_linear_history_with_the_platform_ids() -> None:
    script = migrate.script_directory()
    # one head (user_interactions partitioned) on the compatible head, on the merge of the main
    # line with the legacy branch
    (head,) = script.get_heads()
    assert head == PARTITIONED and script.get_revision(head).down_revision == COMPATIBLE
    assert THIRD in script.get_revision(script.get_revision(COMPATIBLE).down_revision).down_revision
    assert script.get_bases() == [FIRST]
    chain = [r.revision for r in script.walk_revisions("base", "heads")]
    assert [r for r in chain if r in REVISIONS] == [THIRD, SECOND, FIRST]
    assert script.get_revision(SECOND).down_revision == FIRST
    assert script.get_revision(THIRD).down_revision == SECOND
    for rev in REVISIONS:
        path = script.get_revision(rev).path
        assert path.endswith(f"{rev}.py")
    assert len(SECOND) == 39


def test_defect1_empty_to_head_builds_every_table(empty_db_url: str) -> None:
    """Defect 1: the chain builds a complete database from an empty one."""
    upgrade(empty_db_url)
    with psycopg.connect(empty_db_url) as conn:
        tables = set(columns_of(conn))
        assert tables == PLATFORM_TABLES | OWN_TABLES
        assert rows(conn, "SELECT version_num FROM alembic_version") == [migrate.heads()]


def test_defect9_version_column_holds_the_39_character_id(empty_db_url: str) -> None:
    """Defect 9: alembic_version.version_num is varchar(64) and takes the second id."""
    upgrade(empty_db_url, FIRST)
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        assert (
            value(
                conn,
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'alembic_version'::regclass AND attname = 'version_num'",
            )
            == "character varying(64)"
        )
        upgrade(empty_db_url, SECOND)
        assert rows(conn, "SELECT version_num FROM alembic_version") == [(SECOND,)]


def test_empty_head_base_head_gives_identical_snapshots(empty_db_url: str, db_url: str) -> None:
    upgrade(empty_db_url)
    first = snap(empty_db_url)
    assert_same(snap(db_url), first)  # the session template was migrated the same way
    downgrade(empty_db_url, "base")
    at_base = snap(empty_db_url)
    assert set(at_base["tables"]) == {"alembic_version"}
    for kind in ("functions", "views", "triggers"):
        assert at_base[kind] == {}
    upgrade(empty_db_url)
    assert_same(first, snap(empty_db_url))


def test_every_revision_up_down_up(empty_db_url: str) -> None:
    states = [snap(empty_db_url)]  # before any revision: nothing at all
    assert all(not v for v in states[0].values())
    previous = "base"
    for rev in REVISIONS:
        upgrade(empty_db_url, rev)
        after_up = snap(empty_db_url)
        assert after_up != states[-1]
        downgrade(empty_db_url, previous)
        # alembic_version stays once created; everything else is back as it was.
        assert_same(states[-1], snap(empty_db_url), ignore=("alembic_version",))
        upgrade(empty_db_url, rev)
        assert_same(after_up, snap(empty_db_url))
        states.append(after_up)
        previous = rev


def test_offline_sql_builds_the_same_schema(empty_db_url: str, db_url: str) -> None:
    script = migrate.offline_sql("base:head")
    assert "ALTER TABLE alembic_version ALTER COLUMN version_num TYPE VARCHAR(64)" in script
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        conn.execute(script)  # no parameters: sent as one simple query
    assert_same(snap(db_url), snap(empty_db_url))


def test_reference_metadata_matches_the_migrations(db_url: str) -> None:
    """musicdb.migrate.schema (the model) and the hand-written revisions describe one schema."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from musicdb.migrate import alembic_env
    from musicdb.migrate.schema import PLATFORM_TABLES as MODEL_TABLES
    from musicdb.migrate.schema import metadata

    assert set(MODEL_TABLES) == PLATFORM_TABLES
    engine = sa.create_engine(target(db_url).sqlalchemy_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True,
                            "include_object": alembic_env._include_object}
            )
            assert compare_metadata(ctx, metadata) == []
    finally:
        engine.dispose()


# --- tables, columns, types, defaults ------------------------------------------------------


def test_tables_and_their_columns(pg_conn: psycopg.Connection[Any]) -> None:
    actual = columns_of(pg_conn)
    assert set(actual) == PLATFORM_TABLES | OWN_TABLES
    for table, expected in COLUMNS.items():
        assert actual[table] == set(expected.split()), table
    assert actual["alembic_version"] == {"version_num"}
    assert actual["maintenance_log"] == {
        "id",
        "operation",
        "target",
        "started_at",
        "finished_at",
        "duration_ms",
        "rows",
        "outcome",
        "error",
        "details",
    }


def test_identity_primary_keys(pg_conn: psycopg.Connection[Any]) -> None:
    snap_ = snapshot(pg_conn)
    for table in PLATFORM_TABLES:
        col = snap_["columns"][f"{table}.id"]
        assert col["identity"] == "by default", table
        assert col["type"] == ("bigint" if table in EVENT_TABLES else "integer"), table
        key = "id, created_at" if table == "user_interactions" else "id"  # partitioned
        assert snap_["constraints"][f"{table}.pk_{table}"]["definition"] == f"PRIMARY KEY ({key})"


def test_timestamps_defaults_and_jsonb(pg_conn: psycopg.Connection[Any]) -> None:
    """At the compatible head the 44 timestamps of the 20 tables hold naive UTC (the deployed
    application compares them with naive utcnow()), with UTC-explicit defaults; musicdb's own
    maintenance_log keeps timestamptz. The strict timestamptz comes with the contract
    (test_contract.py)."""
    columns = snapshot(pg_conn)["columns"]
    naive = 0
    for name, col in columns.items():
        table, column = name.split(".")
        if table in ("alembic_version", "mv_track_popularity"):
            continue
        if "timestamp" in col["type"]:
            expected = ("timestamp with time zone" if table == "maintenance_log"
                        else "timestamp without time zone")
            assert col["type"] == expected, name
            naive += expected == "timestamp without time zone"
        if column in CREATION_COLUMNS and table in PLATFORM_TABLES:
            assert (col["nullable"], col["default"]) == (
                False, "timezone('utc'::text, now())"), name
        if col["type"] == "jsonb":
            if name in NULLABLE_JSONB:
                assert (col["nullable"], col["default"]) == (True, None), name
            else:
                assert not col["nullable"], name
                assert col["default"] in ("'[]'::jsonb", "'{}'::jsonb"), name
    assert columns["artists.genres"]["default"] == "'[]'::jsonb"
    assert columns["tracks.audio_features"]["default"] == "'{}'::jsonb"
    assert naive == 44
    assert columns["maintenance_log.started_at"]["default"] == "now()"
    assert columns["discovery_sessions.last_interaction_at"]["default"] == (
        "timezone('utc'::text, now())")
    assert columns["playlists.uuid"]["default"] == "gen_random_uuid()"
    assert columns["track_sources.source_id"] == {
        "type": "character varying(255)",
        "nullable": True,  # the application stores sources without an id (contract: NOT NULL)
        "default": None,
        "identity": None,
        "generated": None,
        "collation": None,
    }


def test_defect7_server_defaults_fill_a_raw_insert(seed: Seed) -> None:
    """Defect 7 (defaults): a bare INSERT gets every documented default from the server."""
    conn = seed.conn
    user = rows(
        conn,
        "SELECT is_active, is_admin, default_language, created_at IS NOT NULL FROM users "
        "WHERE id = %s",
        (seed.user,),
    )
    assert user == [(True, False, "en", True)]
    playlist = rows(
        conn,
        "SELECT uuid IS NOT NULL, is_public, collaboration_mode, version, total_duration_ms, "
        "tags, extra_metadata FROM playlists WHERE id = %s",
        (seed.playlist,),
    )
    assert playlist == [(True, False, "open", 1, 0, [], {})]
    album = rows(conn, "SELECT album_type, total_discs, popularity FROM albums")
    assert album == [("album", 1, 0.0)]
    profile = seed.insert("user_music_profiles", user_id=seed.user)
    assert rows(
        conn,
        "SELECT preferred_audio_quality, discovery_mode, energy_preference, "
        "explicit_content_allowed FROM user_music_profiles WHERE id = %s",
        (profile,),
    ) == [("high", "balanced", 0.5, True)]
    collab = seed.insert("playlist_collaborators", playlist_id=seed.playlist, user_id=seed.other)
    assert rows(
        conn,
        "SELECT can_add_tracks, can_invite_others, role, invitation_status "
        "FROM playlist_collaborators WHERE id = %s",
        (collab,),
    ) == [(True, False, "editor", "pending")]


# --- keys and constraints -------------------------------------------------------------------


def test_defect7_every_foreign_key_has_its_on_delete_action(pg_conn) -> None:
    actions = {"c": "CASCADE", "n": "SET NULL", "a": "NO ACTION", "r": "RESTRICT", "d": "DEFAULT"}
    found = {}
    for table, column, ref, deltype, name in rows(
        pg_conn,
        """
        SELECT c.relname, a.attname, r.relname, k.confdeltype::text, k.conname
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_class r ON r.oid = k.confrelid
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
          AND NOT c.relispartition
        """,
    ):
        found[(table, column)] = (ref, actions[deltype])
        assert name == f"fk_{table}_{column}_{ref}"
    assert found == FOREIGN_KEYS
    assert len(found) == 33


def test_unique_constraints(pg_conn: psycopg.Connection[Any]) -> None:
    found: dict[str, set[tuple[str, ...]]] = {}
    deferrable = {}
    for table, cols, name, is_deferrable, deferred in rows(
        pg_conn,
        """
        SELECT c.relname,
               ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY AS u(n, o)
                     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
                     ORDER BY u.o),
               k.conname, k.condeferrable, k.condeferred
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE k.contype = 'u' AND c.relnamespace = 'public'::regnamespace
        """,
    ):
        found.setdefault(table, set()).add(tuple(cols))
        assert name == f"uq_{table}_{'_'.join(cols)}"
        deferrable[name] = (is_deferrable, deferred)
    assert found == UNIQUES
    assert deferrable.pop("uq_playlist_tracks_playlist_id_position") == (True, False)
    assert set(deferrable.values()) == {(False, False)}


def test_playlist_positions_can_be_swapped_in_one_transaction(seed: Seed) -> None:
    conn = seed.conn
    second = seed.insert(
        "playlist_tracks", playlist_id=seed.playlist, track_id=seed.track, position=2
    )
    with pytest.raises(errors.UniqueViolation):
        seed.insert("playlist_tracks", playlist_id=seed.playlist, track_id=seed.track, position=2)
    with conn.transaction():
        conn.execute("SET CONSTRAINTS uq_playlist_tracks_playlist_id_position DEFERRED")
        conn.execute(
            "UPDATE playlist_tracks SET position = 2 WHERE id = %s", (seed.playlist_track,)
        )
        conn.execute("UPDATE playlist_tracks SET position = 1 WHERE id = %s", (second,))
    assert rows(conn, "SELECT id FROM playlist_tracks ORDER BY position") == [
        (second,),
        (seed.playlist_track,),
    ]


@pytest.mark.parametrize(("table", "column"), sorted(NON_NEGATIVE))
def test_non_negative_checks(seed: Seed, table: str, column: str) -> None:
    conn = seed.conn
    name = f"ck_{table}_{column}_non_negative"
    assert (
        value(
            conn,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            (name,),
        )
        == f"CHECK (({column} >= 0))"
    )
    row_id = {
        "tracks": seed.track,
        "playlists": seed.playlist,
        "albums": seed.album,
        "user_interactions": None,
    }[table]
    if row_id is None:
        row_id = seed.insert(
            "user_interactions", user_id=seed.user, track_id=seed.track, interaction_type="play"
        )
    update = sql.SQL("UPDATE {} SET {} = %s WHERE id = %s").format(
        sql.Identifier(table), sql.Identifier(column)
    )
    conn.execute(update, (0, row_id))
    with pytest.raises(errors.CheckViolation) as info:
        conn.execute(update, (-1, row_id))
    assert info.value.diag.constraint_name == name


def test_other_checks(seed: Seed) -> None:
    conn = seed.conn
    with pytest.raises(errors.CheckViolation) as info:
        seed.insert("playlists", name="x", owner_id=seed.user, folder_type=True, is_dynamic=True)
    assert info.value.diag.constraint_name == "ck_folder_not_dynamic"
    for vote in (-1, 1):
        vote_id = seed.insert(
            "playlist_track_votes",
            playlist_track_id=seed.playlist_track,
            user_id=seed.user,
            vote_type=vote,
        )
        conn.execute("DELETE FROM playlist_track_votes WHERE id = %s", (vote_id,))
    for vote in (0, 2, -2):
        with pytest.raises(errors.CheckViolation):
            seed.insert(
                "playlist_track_votes",
                playlist_track_id=seed.playlist_track,
                user_id=seed.user,
                vote_type=vote,
            )
    seed.insert("user_library", user_id=seed.user, track_id=seed.track, rating=5)
    seed.insert("user_library", user_id=seed.other, track_id=seed.track)  # NULL rating is fine
    for rating in (0, 6):
        with pytest.raises(errors.CheckViolation) as info:
            conn.execute("UPDATE user_library SET rating = %s", (rating,))
        assert info.value.diag.constraint_name == "ck_user_library_rating"
    with pytest.raises(errors.CheckViolation):
        seed.insert("maintenance_log", operation="refresh", target="x", outcome="maybe")


def test_on_delete_cascade_and_set_null(seed: Seed) -> None:
    conn = seed.conn
    seed.insert("artist_sources", artist_id=seed.artist, source_type="spotify", source_id="a1")
    seed.insert("user_artist_follows", user_id=seed.user, artist_id=seed.artist)
    conn.execute("DELETE FROM artists WHERE id = %s", (seed.artist,))
    assert rows(conn, "SELECT artist_id FROM tracks") == [(None,)]
    assert rows(conn, "SELECT artist_id FROM albums") == [(None,)]
    assert value(conn, "SELECT count(*) FROM artist_sources") == 0
    assert value(conn, "SELECT count(*) FROM user_artist_follows") == 0

    # The other user added a track to alice's playlist; deleting bob keeps the entry.
    seed.insert(
        "playlist_activities",
        playlist_id=seed.playlist,
        user_id=seed.other,
        activity_type="add",
        playlist_version=1,
    )
    conn.execute("DELETE FROM users WHERE id = %s", (seed.other,))
    assert rows(conn, "SELECT added_by FROM playlist_tracks") == [(None,)]
    assert rows(conn, "SELECT user_id FROM playlist_activities") == [(None,)]

    seed.insert(
        "user_interactions", user_id=seed.user, track_id=seed.track, interaction_type="play"
    )
    seed.insert(
        "discovery_session_tracks", session_id=seed.session, track_id=seed.track, position=1
    )
    conn.execute("DELETE FROM users WHERE id = %s", (seed.user,))
    for table in (
        "playlists",
        "playlist_tracks",
        "playlist_activities",
        "user_interactions",
        "discovery_sessions",
        "discovery_session_tracks",
    ):
        assert value(conn, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))) == 0
    assert value(conn, "SELECT count(*) FROM tracks") == 1


def test_defect6_track_source_id_at_the_compatible_head(seed: Seed) -> None:
    """Defect 6 at the compatible head: what the deployed application writes is accepted (no
    id, an id another track has), a parent still holds one (source_type, source_id) once, and the
    artist and album sources keep both rules. The strict rule is test_contract.py's."""
    seed.insert("track_sources", track_id=seed.track, source_type="spotify", source_id=None)
    seed.insert("track_sources", track_id=seed.track, source_type="spotify", source_id=None)
    seed.insert("track_sources", track_id=seed.track, source_type="spotify", source_id="x")
    other = seed.insert("tracks", title="Another")
    seed.insert("track_sources", track_id=other, source_type="spotify", source_id="x")
    with pytest.raises(errors.UniqueViolation) as info:
        seed.insert("track_sources", track_id=other, source_type="spotify", source_id="x")
    assert info.value.diag.constraint_name == "uq_track_sources_track_id_source_type_source_id"
    seed.insert("artist_sources", artist_id=seed.artist, source_type="spotify", source_id="a")
    another = seed.insert("artists", name="Another")
    with pytest.raises(errors.UniqueViolation):
        seed.insert("artist_sources", artist_id=another, source_type="spotify", source_id="a")
    with pytest.raises(errors.NotNullViolation):
        seed.insert("album_sources", album_id=seed.album, source_type="spotify", source_id=None)


# --- indexes ------------------------------------------------------------------------------


def test_defect5_every_foreign_key_leads_an_index(pg_conn: psycopg.Connection[Any]) -> None:
    """Defect 5 (8 FK columns had no index): every FK column leads a valid, non-partial index."""
    leading = {
        (ix["table"], ix["first_column"])
        for ix in index_rows(pg_conn)
        if ix["predicate"] is None and ix["am"] == "btree"
    }
    uncovered = [fk for fk in FOREIGN_KEYS if fk not in leading]
    assert uncovered == []


def test_defect5_no_duplicate_or_left_prefix_redundant_index(pg_conn) -> None:
    """Defect 5: no two indexes with the same definition, and no btree whose key columns are
    a left prefix of another btree's on the same table with the same predicate (a DESC column
    counts as the same column). A unique index is never the redundant one when the longer
    index is not unique, as it enforces something."""
    indexes = index_rows(pg_conn)
    signatures: dict[tuple, str] = {}
    for ix in indexes:
        sig = (ix["table"], ix["am"], tuple(ix["keys"]), ix["predicate"])
        assert sig not in signatures, f"{ix['name']} duplicates {signatures[sig]}"
        signatures[sig] = ix["name"]

    def plain(keys: list[str]) -> tuple[str, ...]:
        return tuple(re.sub(r" DESC$", "", k) for k in keys)

    redundant = []
    btrees = [ix for ix in indexes if ix["am"] == "btree"]
    for short in btrees:
        for long in btrees:
            if short is long or short["table"] != long["table"]:
                continue
            if short["predicate"] != long["predicate"]:
                continue
            a, b = plain(short["keys"]), plain(long["keys"])
            if len(a) <= len(b) and b[: len(a)] == a:
                if short["unique"] and (len(a) < len(b) or not long["unique"]):
                    continue  # the shorter one enforces uniqueness
                redundant.append(f"{short['name']} {a} is a prefix of {long['name']} {b}")
    assert redundant == []


def test_performance_indexes_exist(pg_conn: psycopg.Connection[Any]) -> None:
    by_name = {ix["name"]: ix for ix in index_rows(pg_conn)}

    def keys(name: str) -> tuple[str, list[str], str | None]:
        ix = by_name[name]
        return ix["table"], ix["keys"], ix["predicate"]

    assert keys("ix_user_interactions_user_id_created_at") == (
        "user_interactions",
        ["user_id", "created_at DESC"],
        None,
    )
    assert keys("ix_user_interactions_track_id_interaction_type") == (
        "user_interactions",
        ["track_id", "interaction_type"],
        None,
    )
    assert keys("ix_tracks_artist_id_popularity") == (
        "tracks",
        ["artist_id", "popularity DESC"],
        None,
    )
    assert keys("ix_playlist_activities_playlist_id_created_at") == (
        "playlist_activities",
        ["playlist_id", "created_at DESC"],
        None,
    )
    assert keys("ix_user_library_user_id_added_at") == (
        "user_library",
        ["user_id", "added_at DESC"],
        None,
    )
    assert keys("ix_discovery_sessions_user_id_session_type") == (
        "discovery_sessions",
        ["user_id", "session_type"],
        None,
    )
    assert keys("ix_track_sources_source_type_is_available") == (
        "track_sources",
        ["source_type", "is_available"],
        None,
    )
    for table, column in (
        ("user_interactions", "created_at"),
        ("discovery_sessions", "started_at"),
        ("playlist_activities", "created_at"),
        ("user_library", "added_at"),
    ):
        assert keys(f"ix_{table}_{column}") == (table, [f"{column} DESC"], None)
    assert keys("ix_playlists_public_collaborative") == (
        "playlists",
        ["is_public", "is_collaborative"],
        "(is_public AND is_collaborative)",
    )
    assert keys("ix_discovery_sessions_user_id_active") == (
        "discovery_sessions",
        ["user_id"],
        "is_active",
    )
    assert keys("ix_user_library_user_id_added_at_favorite") == (
        "user_library",
        ["user_id", "added_at DESC"],
        "is_favorite",
    )
    for name, key, threshold in (
        ("ix_tracks_high_energy", "energy", "0.8"),
        ("ix_tracks_danceable", "danceability", "0.7"),
    ):
        assert keys(name) == (
            "tracks",
            [f"((audio_features ->> '{key}'::text)::double precision)"],
            f"(((audio_features ->> '{key}'::text))::double precision > "
            f"({threshold})::double precision)",
        )

    gin = {(ix["table"], ix["keys"][0]): ix for ix in by_name.values() if ix["am"] == "gin"}
    assert set(gin) == JSONB_GIN | {(t, "search_document") for t in SEARCH_WEIGHTS}
    opclasses = dict(
        rows(
            pg_conn,
            """
            SELECT i.relname, oc.opcname FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_opclass oc ON oc.oid = x.indclass[0]
            WHERE i.relam = (SELECT oid FROM pg_am WHERE amname = 'gin')
            """,
        )
    )
    path_ops = {name for name, opc in opclasses.items() if opc == "jsonb_path_ops"}
    assert path_ops == {
        "ix_artists_genres",
        "ix_artists_aliases",
        "ix_albums_genres",
        "ix_playlists_tags",
    }
    assert all(ix["valid"] for ix in snapshot(pg_conn)["indexes"].values())


#: One example argument tuple per query pattern (the SQL comes from musicdb.workload.patterns).
EXAMPLE_ARGS: dict[str, tuple[Any, ...]] = {
    "Q1": (1,), "Q2": (1,), "Q3": ("x",), "Q4": (1,), "Q5": (), "Q6": ('["jazz"]',),
    "Q7": (1,), "Q8": (1,), "Q9": (0.9,), "Q10": ("spotify", "x"), "Q11": (1,), "Q12": (1,),
}


def test_every_query_pattern_has_example_arguments() -> None:
    assert set(EXAMPLE_ARGS) == {p.name for p in PATTERNS}


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.name for p in PATTERNS])
def test_named_query_patterns_use_their_index(pg_conn, pattern: Pattern) -> None:
    """On the fresh schema (sequential scans disabled), each pattern's SQL as ``musicdb bench``
    runs it is planned on the index the schema added for it."""
    if pattern.name == "Q10":
        # Make the choice real: many rows of few services, so only the (source_type, source_id)
        # index is selective.
        track = value(pg_conn, "INSERT INTO tracks (title) VALUES ('t') RETURNING id")
        pg_conn.execute(
            "INSERT INTO track_sources (track_id, source_type, source_id) "
            "SELECT %s, (ARRAY['spotify', 'youtube', 'deezer'])[1 + n %% 3], n::text "
            "FROM generate_series(1, 3000) AS n",
            (track,),
        )
        pg_conn.execute("ANALYZE track_sources")
    pg_conn.execute("SET enable_seqscan = off")
    facts = explain(pg_conn, pattern, EXAMPLE_ARGS[pattern.name])
    assert pattern.index in facts.indexes, (facts.indexes, facts.node_types)


# --- triggers ------------------------------------------------------------------------------


def test_exactly_eight_updated_at_triggers(pg_conn: psycopg.Connection[Any]) -> None:
    triggers = snapshot(pg_conn)["triggers"]
    assert set(triggers) == {f"{t}.trg_{t}_updated_at" for t in UPDATED_AT_TABLES}
    for name, trig in triggers.items():
        table = name.split(".")[0]
        assert trig["definition"] == (
            f"CREATE TRIGGER trg_{table}_updated_at BEFORE UPDATE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION update_updated_at_column()"
        )
    with_column = {t for t, cols in columns_of(pg_conn).items() if "updated_at" in cols}
    assert with_column == UPDATED_AT_TABLES


def test_defect2_updates_on_tables_without_updated_at_succeed(seed: Seed) -> None:
    """Defect 2: users, discovery_sessions and playlist_activities had a trigger writing a
    column they do not have, so every UPDATE failed."""
    conn = seed.conn
    activity = seed.insert(
        "playlist_activities",
        playlist_id=seed.playlist,
        user_id=seed.user,
        activity_type="create",
        playlist_version=1,
    )
    conn.execute("UPDATE users SET last_login = now() WHERE id = %s", (seed.user,))
    conn.execute("UPDATE discovery_sessions SET is_active = false WHERE id = %s", (seed.session,))
    conn.execute("UPDATE playlist_activities SET playlist_version = 2 WHERE id = %s", (activity,))
    assert value(conn, "SELECT is_active FROM discovery_sessions") is False
    assert value(conn, "SELECT playlist_version FROM playlist_activities") == 2


def test_defect2_updated_at_moves_on_all_eight_tables(seed: Seed) -> None:
    """Defect 2: every table with updated_at (the source tables included) maintains it."""
    ids = {
        "tracks": seed.track,
        "artists": seed.artist,
        "albums": seed.album,
        "playlists": seed.playlist,
        "user_music_profiles": seed.insert("user_music_profiles", user_id=seed.user),
        "track_sources": seed.insert(
            "track_sources", track_id=seed.track, source_type="s", source_id="t"
        ),
        "artist_sources": seed.insert(
            "artist_sources", artist_id=seed.artist, source_type="s", source_id="a"
        ),
        "album_sources": seed.insert(
            "album_sources", album_id=seed.album, source_type="s", source_id="b"
        ),
    }
    assert set(ids) == UPDATED_AT_TABLES
    old = dt.datetime(2000, 1, 1)  # naive UTC at the compatible head
    conn = seed.conn
    for table, row_id in ids.items():
        ident = sql.Identifier(table)
        # Even an explicit old value is overwritten by the trigger ...
        conn.execute(
            sql.SQL("UPDATE {} SET updated_at = %s WHERE id = %s").format(ident), (old, row_id)
        )
        after = value(
            conn, sql.SQL("SELECT updated_at FROM {} WHERE id = %s").format(ident), (row_id,)
        )
        assert after > old, table
        # ... and any other update moves it to the transaction's time.
        with conn.transaction():
            conn.execute(
                sql.SQL("UPDATE {} SET created_at = created_at WHERE id = %s").format(ident),
                (row_id,),
            )
            now = value(conn, "SELECT timezone('utc', now())")
            changed = value(
                conn, sql.SQL("SELECT updated_at FROM {} WHERE id = %s").format(ident), (row_id,)
            )
        assert changed == now > after, table


# --- full-text search --------------------------------------------------------------------


def test_defect4_search_vector_is_generated_and_weighted(pg_conn) -> None:
    """Defect 4: the search document is a stored generated tsvector, maintained by the server
    (``search_document`` at the compatible head, where ``search_vector`` is the application's
    plain text column, which nothing reads)."""
    columns = snapshot(pg_conn)["columns"]
    for table, weights in SEARCH_WEIGHTS.items():
        assert columns[f"{table}.search_vector"]["type"] == "text"
        assert columns[f"{table}.search_vector"]["generated"] is None
        col = columns[f"{table}.search_document"]
        assert col["type"] == "tsvector"
        generated = col["generated"]
        assert generated is not None, table
        for column, weight in weights.items():
            assert f"COALESCE({column}, ''::" in generated, (table, column)
            pattern = rf"COALESCE\({column}, ''::[a-z ]+\)(\)::text)?\), '{weight}'::\"char\""
            assert re.search(pattern, generated), (table, column, generated)
        assert generated.count("to_tsvector('english'::regconfig") == len(weights)
    with pytest.raises(errors.GeneratedAlways):
        pg_conn.execute("INSERT INTO tracks (title, search_document) VALUES ('x', 'x')")
    # the application's write: a varchar-typed text, which the search does not use
    pg_conn.execute("INSERT INTO tracks (title, search_vector) VALUES ('y', %s::varchar)",
                    ("stale words",))
    assert value(pg_conn, "SELECT count(*) FROM tracks WHERE search_document @@ "
                          "websearch_to_tsquery('english', 'stale')") == 0


@pytest.mark.parametrize(
    ("table", "strong", "weak"),
    [
        ("tracks", "title", None),
        ("artists", "name", "sort_name"),
        ("albums", "title", "label"),
        ("playlists", "name", "description"),
    ],
)
def test_full_text_search_ranks_by_weight(seed: Seed, table: str, strong: str, weak) -> None:
    conn = seed.conn
    extra = {"owner_id": seed.user} if table == "playlists" else {}
    other = "name" if table in ("artists", "playlists") else "title"
    in_strong = seed.insert(table, **{strong: "Midnight Harbour Lights"}, **extra)
    in_weak = None
    if weak:
        in_weak = seed.insert(table, **{other: "Unrelated", weak: "midnight harbours"}, **extra)
    seed.insert(table, **{other: "Nothing here"}, **extra)
    query = sql.SQL(
        "SELECT id FROM {} WHERE search_document @@ websearch_to_tsquery('english', %s) "
        "ORDER BY ts_rank(search_document, websearch_to_tsquery('english', %s)) DESC, id"
    ).format(sql.Identifier(table))
    found = [r[0] for r in rows(conn, query, ("midnight harbour", "midnight harbour"))]
    assert found == ([in_strong, in_weak] if weak else [in_strong])
    # the vector follows updates of its source columns
    conn.execute(
        sql.SQL("UPDATE {} SET {} = 'Silence' WHERE id = %s").format(
            sql.Identifier(table), sql.Identifier(strong)
        ),
        (in_strong,),
    )
    found = [r[0] for r in rows(conn, query, ("midnight harbour", "midnight harbour"))]
    assert found == ([in_weak] if weak else [])


# --- the materialized view -------------------------------------------------------------------


def test_defect3_view_refreshes_concurrently_and_counts_only_plays(seed: Seed) -> None:
    """Defect 3: the view has a unique index (so CONCURRENTLY works), and listeners and
    last-played count only plays, not skips or likes."""
    conn = seed.conn
    indexes = {
        name: ix["definition"]
        for name, ix in snapshot(conn)["indexes"].items()
        if ix["table"] == "mv_track_popularity"
    }
    assert indexes == {
        "uq_mv_track_popularity_track_id": "CREATE UNIQUE INDEX uq_mv_track_popularity_track_id "
        "ON mv_track_popularity USING btree (track_id)",
        "ix_mv_track_popularity_total_plays": "CREATE INDEX ix_mv_track_popularity_total_plays "
        "ON mv_track_popularity USING btree (total_plays DESC)",
        "ix_mv_track_popularity_unique_listeners": "CREATE INDEX "
        "ix_mv_track_popularity_unique_listeners ON mv_track_popularity USING btree "
        "(unique_listeners DESC)",
    }
    quiet = seed.insert("tracks", title="Never played")
    t0 = dt.datetime(2025, 1, 1)  # naive UTC at the compatible head
    events = [
        (seed.user, "play", 1000, t0),
        (seed.user, "play", 3000, t0 + dt.timedelta(hours=1)),
        (seed.other, "skip", 10, t0 + dt.timedelta(hours=5)),
        (seed.other, "like", None, t0 + dt.timedelta(hours=6)),
    ]
    for user, kind, duration, at in events:
        seed.insert(
            "user_interactions",
            user_id=user,
            track_id=seed.track,
            interaction_type=kind,
            play_duration_ms=duration,
            created_at=at,
        )
    conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_track_popularity")
    got = rows(
        conn,
        "SELECT track_id, title, artist_id, unique_listeners, total_plays, total_likes, "
        "total_skips, avg_play_duration_ms, last_played_at FROM mv_track_popularity "
        "ORDER BY track_id",
    )
    assert got == [
        (seed.track, "Track", seed.artist, 1, 2, 1, 1, 2000.0, t0 + dt.timedelta(hours=1)),
        (quiet, "Never played", None, 0, 0, 0, 0, None, None),
    ]
    conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_track_popularity")  # and again


# --- snapshot / diff ----------------------------------------------------------------------


def test_diff_reports_missing_extra_and_changed(pg_conn: psycopg.Connection[Any]) -> None:
    before = snapshot(pg_conn)
    pg_conn.execute("DROP INDEX ix_tracks_album_id")
    pg_conn.execute("CREATE INDEX ix_extra ON tracks (isrc)")
    pg_conn.execute("ALTER TABLE tracks ALTER COLUMN lyrics SET DEFAULT 'la'")
    pg_conn.execute("DROP TRIGGER trg_albums_updated_at ON albums")
    differences = diff(before, snapshot(pg_conn))
    found = {(d.kind, d.name, d.change) for d in differences}
    assert found == {
        ("indexes", "ix_tracks_album_id", "missing"),
        ("indexes", "ix_extra", "extra"),
        ("columns", "tracks.lyrics", "changed"),
        ("triggers", "albums.trg_albums_updated_at", "missing"),
    }
    changed = next(d for d in differences if d.change == "changed")
    assert str(changed) == (
        "column tracks.lyrics: changed (default expected None, actual \"'la'::text\")"
    )
    assert all("\n" not in str(d) for d in differences)
    assert Difference("views", "v", "extra").__str__() == "view v: extra"


def test_snapshot_leaves_out_extension_objects(pg_conn: psycopg.Connection[Any]) -> None:
    before = snapshot(pg_conn)
    pg_conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    assert diff(before, snapshot(pg_conn)) == []


@pytest.fixture
def search_path_conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db_url, autocommit=True, options="-c search_path=pg_catalog") as conn:
        yield conn


def test_snapshot_does_not_depend_on_search_path(pg_conn, search_path_conn) -> None:
    assert_same(snapshot(pg_conn), snapshot(search_path_conn))
