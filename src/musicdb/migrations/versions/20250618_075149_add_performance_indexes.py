"""performance indexes, full-text search, updated_at triggers, checks, popularity view

Revision ID: 20250618_075149_add_performance_indexes
Revises: 20250618_075008_initial_schema
Create Date: 2025-06-18 07:51:49

- Composite and time-ordered btrees for the named query patterns (Q1-Q12, docs/schema.md); with
  the unique constraints and model indexes of the first revision, every foreign key column now
  leads an index, and no btree duplicates another or is a left prefix of another.
- ``search_vector`` becomes a stored generated ``tsvector`` (weighted, 'english') with a GIN
  index, so it can never go stale and ``@@ websearch_to_tsquery(...)`` uses the index.
- JSONB GIN indexes: ``jsonb_path_ops`` on the list columns (queried with ``@>`` only), the
  default ``jsonb_ops`` on object columns (also queried for key existence ``?``).
- Partial indexes for the hot subsets (public collaborative playlists, high-energy and
  danceable tracks, active discovery sessions, favourites).
- ``update_updated_at_column()`` on exactly the 8 tables that have ``updated_at``.
- Non-negative checks on the 4 duration/count columns.
- ``mv_track_popularity`` with a unique index, so it can be refreshed concurrently; only
  ``play`` events count as listeners and as "last played".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "20250618_075149_add_performance_indexes"
down_revision = "20250618_075008_initial_schema"
branch_labels = None
depends_on = None

# table -> ((column, weight), ...)
SEARCH_WEIGHTS = {
    "tracks": (("title", "A"),),
    "artists": (("name", "A"), ("sort_name", "B")),
    "albums": (("title", "A"), ("label", "C")),
    "playlists": (("name", "A"), ("description", "B")),
}

UPDATED_AT_TABLES = (
    "tracks",
    "artists",
    "albums",
    "playlists",
    "user_music_profiles",
    "track_sources",
    "artist_sources",
    "album_sources",
)

# name -> (table, check expression)
NON_NEGATIVE_CHECKS = {
    "ck_tracks_duration_ms_non_negative": ("tracks", "duration_ms >= 0"),
    "ck_user_interactions_play_duration_ms_non_negative": (
        "user_interactions",
        "play_duration_ms >= 0",
    ),
    "ck_playlists_total_duration_ms_non_negative": ("playlists", "total_duration_ms >= 0"),
    "ck_albums_total_tracks_non_negative": ("albums", "total_tracks >= 0"),
}

# name -> (table, columns): btrees serving the named query patterns; the comment says which
# pattern and which foreign key each one serves.
BTREE_INDEXES = {
    # Q2 an artist's top tracks; covers fk tracks.artist_id
    "ix_tracks_artist_id_popularity": ("tracks", ["artist_id", "popularity DESC"]),
    # Q4 a user's latest interactions; covers fk user_interactions.user_id
    "ix_user_interactions_user_id_created_at": (
        "user_interactions",
        ["user_id", "created_at DESC"],
    ),
    # a track's plays/likes/skips (the popularity view); covers fk user_interactions.track_id
    "ix_user_interactions_track_id_interaction_type": (
        "user_interactions",
        ["track_id", "interaction_type"],
    ),
    # Q12 a playlist's activity feed, newest first; covers fk playlist_activities.playlist_id
    "ix_playlist_activities_playlist_id_created_at": (
        "playlist_activities",
        ["playlist_id", "created_at DESC"],
    ),
    # a user's library, newest first (user_id alone is led by uq_user_library_user_id_track_id)
    "ix_user_library_user_id_added_at": ("user_library", ["user_id", "added_at DESC"]),
    # a user's sessions of one type; covers fk discovery_sessions.user_id
    "ix_discovery_sessions_user_id_session_type": (
        "discovery_sessions",
        ["user_id", "session_type"],
    ),
    # available sources of one service
    "ix_track_sources_source_type_is_available": (
        "track_sources",
        ["source_type", "is_available"],
    ),
    # time-ordered scans (recent activity, retention jobs)
    "ix_user_interactions_created_at": ("user_interactions", ["created_at DESC"]),
    "ix_discovery_sessions_started_at": ("discovery_sessions", ["started_at DESC"]),
    "ix_playlist_activities_created_at": ("playlist_activities", ["created_at DESC"]),
    "ix_user_library_added_at": ("user_library", ["added_at DESC"]),
}

# name -> (table, column, path_ops)
JSONB_GIN_INDEXES = {
    "ix_tracks_audio_features": ("tracks", "audio_features", False),
    "ix_artists_genres": ("artists", "genres", True),  # Q6
    "ix_artists_aliases": ("artists", "aliases", True),
    "ix_artists_social_links": ("artists", "social_links", False),
    "ix_albums_genres": ("albums", "genres", True),
    "ix_albums_credits": ("albums", "credits", False),
    "ix_playlists_tags": ("playlists", "tags", True),
    "ix_playlists_dynamic_rules": ("playlists", "dynamic_rules", False),
}

ENERGY = "CAST((audio_features ->> 'energy') AS double precision)"
DANCEABILITY = "CAST((audio_features ->> 'danceability') AS double precision)"

# name -> (table, columns, predicate)
PARTIAL_INDEXES = {
    "ix_playlists_public_collaborative": (
        "playlists",
        ["is_public", "is_collaborative"],
        "is_public AND is_collaborative",
    ),
    # Q9 high-energy tracks
    "ix_tracks_high_energy": ("tracks", [f"({ENERGY})"], f"{ENERGY} > 0.8"),
    "ix_tracks_danceable": ("tracks", [f"({DANCEABILITY})"], f"{DANCEABILITY} > 0.7"),
    # Q11 a user's active discovery session
    "ix_discovery_sessions_user_id_active": ("discovery_sessions", ["user_id"], "is_active"),
    # Q8 a user's favourites, newest first: ordered, so the scan stops at the LIMIT however many
    # favourites a power user keeps
    "ix_user_library_user_id_added_at_favorite": (
        "user_library",
        ["user_id", "added_at DESC"],
        "is_favorite",
    ),
}

VIEW_SQL = """
CREATE MATERIALIZED VIEW mv_track_popularity AS
SELECT
    t.id AS track_id,
    t.title,
    t.artist_id,
    count(DISTINCT ui.user_id) FILTER (WHERE ui.interaction_type = 'play') AS unique_listeners,
    count(ui.id) FILTER (WHERE ui.interaction_type = 'play') AS total_plays,
    count(ui.id) FILTER (WHERE ui.interaction_type = 'like') AS total_likes,
    count(ui.id) FILTER (WHERE ui.interaction_type = 'skip') AS total_skips,
    CAST(avg(ui.play_duration_ms) FILTER (WHERE ui.interaction_type = 'play')
         AS double precision) AS avg_play_duration_ms,
    max(ui.created_at) FILTER (WHERE ui.interaction_type = 'play') AS last_played_at
FROM tracks AS t
LEFT JOIN user_interactions AS ui ON ui.track_id = t.id
GROUP BY t.id, t.title, t.artist_id
WITH DATA
"""

# name -> (columns, unique)
VIEW_INDEXES = {
    # makes REFRESH MATERIALIZED VIEW CONCURRENTLY possible
    "uq_mv_track_popularity_track_id": (["track_id"], True),
    # Q5 top tracks
    "ix_mv_track_popularity_total_plays": (["total_plays DESC"], False),
    "ix_mv_track_popularity_unique_listeners": (["unique_listeners DESC"], False),
}

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$
"""


def _search_expression(table: str) -> str:
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce({column}, '')), '{weight}')"
        for column, weight in SEARCH_WEIGHTS[table]
    )


def _columns(columns: list[str]) -> list:
    return [sa.text(c) if not c.isidentifier() else c for c in columns]


def upgrade() -> None:
    for name, (table, check) in NON_NEGATIVE_CHECKS.items():
        op.create_check_constraint(op.f(name), table, check)

    for name, (table, columns) in BTREE_INDEXES.items():
        op.create_index(op.f(name), table, _columns(columns))

    for name, (table, column, path_ops) in JSONB_GIN_INDEXES.items():
        ops = {"postgresql_ops": {column: "jsonb_path_ops"}} if path_ops else {}
        op.create_index(op.f(name), table, [column], postgresql_using="gin", **ops)

    for name, (table, columns, predicate) in PARTIAL_INDEXES.items():
        op.create_index(op.f(name), table, _columns(columns), postgresql_where=sa.text(predicate))

    for table in SEARCH_WEIGHTS:
        op.add_column(
            table,
            sa.Column(
                "search_vector",
                TSVECTOR,
                sa.Computed(_search_expression(table), persisted=True),
            ),
        )
        op.create_index(
            op.f(f"ix_{table}_search_vector"), table, ["search_vector"], postgresql_using="gin"
        )

    op.execute(FUNCTION_SQL)
    for table in UPDATED_AT_TABLES:
        op.execute(
            f"CREATE TRIGGER trg_{table}_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()"
        )

    op.execute(VIEW_SQL)
    for name, (columns, unique) in VIEW_INDEXES.items():
        op.create_index(op.f(name), "mv_track_popularity", _columns(columns), unique=unique)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW mv_track_popularity")

    for table in UPDATED_AT_TABLES:
        op.execute(f"DROP TRIGGER trg_{table}_updated_at ON {table}")
    op.execute("DROP FUNCTION update_updated_at_column()")

    for table in SEARCH_WEIGHTS:
        op.drop_index(op.f(f"ix_{table}_search_vector"), table_name=table)
        op.drop_column(table, "search_vector")

    for name, (table, *_rest) in PARTIAL_INDEXES.items():
        op.drop_index(op.f(name), table_name=table)
    for name, (table, *_rest) in JSONB_GIN_INDEXES.items():
        op.drop_index(op.f(name), table_name=table)
    for name, (table, *_rest) in BTREE_INDEXES.items():
        op.drop_index(op.f(name), table_name=table)

    for name, (table, _check) in NON_NEGATIVE_CHECKS.items():
        op.drop_constraint(op.f(name), table, type_="check")
