"""initial schema: the 20 platform tables, their keys, constraints and model indexes

Revision ID: 20250618_075008_initial_schema
Revises:
Create Date: 2025-06-18 07:50:08

Builds the platform's tables from an empty database (the original first revision created
nothing). Every foreign key has an ON DELETE action, every default is a server default, and
every constraint and index has an explicit name. The foreign keys not covered here by a unique
constraint or a single-column index are covered by the composite indexes of the next revision.

It also widens ``alembic_version.version_num`` to 64 characters: the next revision's id is 39
characters long and Alembic creates the column as varchar(32). Alembic creates the version
table before this revision runs and writes the first id (30 characters) after it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "20250618_075008_initial_schema"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMPTZ = sa.DateTime(timezone=True)
FLOAT8 = sa.Double()
NOW = sa.text("now()")
TRUE = sa.text("true")
FALSE = sa.text("false")
ZERO = sa.text("0")


def _id(table: str, big: bool = False) -> list[sa.SchemaItem]:
    return [
        sa.Column(
            "id", sa.BigInteger if big else sa.Integer, sa.Identity(always=False), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _now(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, TIMESTAMPTZ, nullable=nullable, server_default=NOW)


def _ts(name: str) -> sa.Column:
    return sa.Column(name, TIMESTAMPTZ, nullable=True)


def _jlist(name: str) -> sa.Column:
    return sa.Column(name, JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))


def _jobj(name: str) -> sa.Column:
    return sa.Column(name, JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))


def _flag(name: str, default: bool) -> sa.Column:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=TRUE if default else FALSE)


def _count(name: str, type_: type[sa.types.TypeEngine] = sa.Integer) -> sa.Column:
    return sa.Column(name, type_, nullable=False, server_default=ZERO)


def _fk(table: str, column: str, target: str, ondelete: str, nullable: bool = False) -> list:
    return [
        sa.Column(column, sa.Integer, nullable=nullable),
        sa.ForeignKeyConstraint(
            [column],
            [f"{target}.id"],
            name=op.f(f"fk_{table}_{column}_{target}"),
            ondelete=ondelete,
        ),
    ]


def _unique(table: str, *columns: str, **kwargs) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"), **kwargs)


def _varchar(name: str, length: int, nullable: bool = True, default: str | None = None):
    server_default = sa.text(f"'{default}'") if default is not None else None
    return sa.Column(name, sa.String(length), nullable=nullable, server_default=server_default)


def _source_table(parent: str, *, primary: bool, availability: bool, quality: bool) -> None:
    table = f"{parent}_sources"
    columns: list = [
        *_id(table),
        *_fk(table, f"{parent}_id", f"{parent}s", "CASCADE"),
        _varchar("source_type", 50, nullable=False),
        _varchar("source_id", 255, nullable=False),
        _varchar("source_uri", 500),
        _jobj("source_extra_metadata"),
    ]
    if primary:
        columns.append(_flag("is_primary", False))
    if availability:
        columns += [_flag("is_available", True), sa.Column("geo_restrictions", JSONB)]
    if quality:
        columns.append(_varchar("audio_quality", 20))
    columns += [
        _ts("last_synced"),
        _varchar("sync_status", 20, nullable=False, default="active"),
        _now("created_at"),
        _now("updated_at"),
        _unique(table, f"{parent}_id", "source_type", "source_id"),
        _unique(table, "source_type", "source_id"),
    ]
    op.create_table(table, *columns)


# name -> (table, columns): the single-column indexes that cover foreign keys no unique
# constraint or composite index leads with.
MODEL_INDEXES = {
    "ix_albums_artist_id": ("albums", ["artist_id"]),
    "ix_tracks_album_id": ("tracks", ["album_id"]),
    "ix_playlists_owner_id": ("playlists", ["owner_id"]),
    "ix_playlists_parent_id": ("playlists", ["parent_id"]),
    "ix_playlists_last_modified_by": ("playlists", ["last_modified_by"]),
    "ix_playlist_tracks_track_id": ("playlist_tracks", ["track_id"]),
    "ix_playlist_tracks_added_by": ("playlist_tracks", ["added_by"]),
    "ix_playlist_collaborators_user_id": ("playlist_collaborators", ["user_id"]),
    "ix_playlist_collaborators_invited_by": ("playlist_collaborators", ["invited_by"]),
    "ix_playlist_activities_user_id": ("playlist_activities", ["user_id"]),
    "ix_playlist_track_votes_user_id": ("playlist_track_votes", ["user_id"]),
    "ix_playlist_follows_playlist_id": ("playlist_follows", ["playlist_id"]),
    "ix_user_library_track_id": ("user_library", ["track_id"]),
    "ix_discovery_session_tracks_track_id": ("discovery_session_tracks", ["track_id"]),
    "ix_user_artist_follows_artist_id": ("user_artist_follows", ["artist_id"]),
    "ix_user_album_collections_album_id": ("user_album_collections", ["album_id"]),
}

# Creation order; dropped in reverse.
TABLES = (
    "users",
    "artists",
    "albums",
    "tracks",
    "artist_sources",
    "album_sources",
    "track_sources",
    "playlists",
    "playlist_tracks",
    "playlist_collaborators",
    "playlist_activities",
    "playlist_track_votes",
    "playlist_follows",
    "user_music_profiles",
    "user_library",
    "user_interactions",
    "discovery_sessions",
    "discovery_session_tracks",
    "user_artist_follows",
    "user_album_collections",
)


def _version_table() -> tuple[str, str | None]:
    ctx = op.get_context()
    return ctx.version_table, ctx.version_table_schema


def upgrade() -> None:
    version_table, version_schema = _version_table()
    op.alter_column(
        version_table,
        "version_num",
        type_=sa.String(64),
        existing_type=sa.String(32),
        existing_nullable=False,
        schema=version_schema,
    )

    op.create_table(
        "users",
        *_id("users"),
        _varchar("username", 80, nullable=False),
        _varchar("email", 120, nullable=False),
        _varchar("password_hash", 255, nullable=False),
        _flag("is_active", True),
        _flag("is_admin", False),
        _now("created_at"),
        _ts("last_login"),
        _varchar("default_language", 10, nullable=False, default="en"),
        sa.Column("default_categories", sa.Text),
        sa.Column("default_engines", sa.Text),
        _unique("users", "username"),
        _unique("users", "email"),
    )

    op.create_table(
        "artists",
        *_id("artists"),
        _varchar("name", 255, nullable=False),
        _varchar("sort_name", 255),
        _varchar("musicbrainz_id", 36),
        _varchar("spotify_id", 255),
        sa.Column("bio", sa.Text),
        _varchar("country", 2),
        sa.Column("formed_year", sa.Integer),
        sa.Column("disbanded_year", sa.Integer),
        _varchar("image_url", 500),
        _varchar("thumbnail_url", 500),
        _varchar("banner_url", 500),
        _jlist("genres"),
        _jlist("aliases"),
        _jlist("members"),
        _jobj("social_links"),
        sa.Column("popularity", FLOAT8, nullable=False, server_default=ZERO),
        _count("follower_count"),
        sa.Column("monthly_listeners", sa.Integer),
        _flag("is_verified", False),
        _varchar("verification_source", 50),
        _jobj("extra_metadata"),
        _now("created_at"),
        _now("updated_at"),
        _ts("last_synced"),
        _unique("artists", "musicbrainz_id"),
    )

    op.create_table(
        "albums",
        *_id("albums"),
        _varchar("title", 255, nullable=False),
        _varchar("upc", 12),
        _varchar("catalog_number", 100),
        _varchar("musicbrainz_id", 36),
        _varchar("album_type", 20, nullable=False, default="album"),
        sa.Column("release_date", sa.Date),
        _varchar("release_precision", 10),
        _varchar("cover_url", 500),
        _varchar("cover_url_small", 500),
        _varchar("cover_url_large", 500),
        _varchar("label", 255),
        sa.Column("total_tracks", sa.Integer),
        sa.Column("total_discs", sa.Integer, nullable=False, server_default=sa.text("1")),
        _jlist("genres"),
        _jlist("styles"),
        _jlist("moods"),
        _jlist("themes"),
        _jobj("credits"),
        sa.Column("popularity", FLOAT8, nullable=False, server_default=ZERO),
        sa.Column("rating", FLOAT8),
        _count("rating_count"),
        _jobj("extra_metadata"),
        _flag("is_remaster", False),
        sa.Column("original_release_date", sa.Date),
        sa.Column("version_notes", sa.Text),
        *_fk("albums", "artist_id", "artists", "SET NULL", nullable=True),
        _now("created_at"),
        _now("updated_at"),
        _ts("last_synced"),
        _unique("albums", "musicbrainz_id"),
    )

    op.create_table(
        "tracks",
        *_id("tracks"),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Integer),
        _varchar("isrc", 12),
        _varchar("audio_fingerprint", 255),
        _varchar("fingerprint_algorithm", 50),
        _jobj("audio_features"),
        *_fk("tracks", "artist_id", "artists", "SET NULL", nullable=True),
        *_fk("tracks", "album_id", "albums", "SET NULL", nullable=True),
        _flag("explicit", False),
        sa.Column("popularity", FLOAT8, nullable=False, server_default=ZERO),
        _varchar("preview_url", 500),
        sa.Column("lyrics", sa.Text),
        _jobj("extra_metadata"),
        _now("created_at"),
        _now("updated_at"),
        _ts("last_analyzed"),
    )

    _source_table("artist", primary=True, availability=False, quality=False)
    _source_table("album", primary=True, availability=True, quality=False)
    _source_table("track", primary=False, availability=True, quality=True)

    op.create_table(
        "playlists",
        *_id("playlists"),
        sa.Column(
            "uuid",
            UUID(as_uuid=True),
            nullable=False,
            server_default=sa.text("gen_random_uuid()"),
        ),
        _varchar("name", 255, nullable=False),
        *_fk("playlists", "owner_id", "users", "CASCADE"),
        _flag("is_public", False),
        _flag("is_collaborative", False),
        *_fk("playlists", "parent_id", "playlists", "SET NULL", nullable=True),
        _flag("folder_type", False),
        sa.Column("description", sa.Text),
        _varchar("cover_url", 500),
        _jlist("tags"),
        _flag("is_dynamic", False),
        sa.Column("dynamic_rules", JSONB),
        _varchar("collaboration_mode", 20, nullable=False, default="open"),
        sa.Column("max_tracks_per_user", sa.Integer),
        _flag("voting_enabled", False),
        _varchar("share_token", 32),
        _varchar("password_hash", 255),
        _ts("expires_at"),
        _count("play_count"),
        _count("like_count"),
        _count("share_count"),
        _count("total_duration_ms", sa.BigInteger),
        _jobj("extra_metadata"),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        *_fk("playlists", "last_modified_by", "users", "SET NULL", nullable=True),
        _now("created_at"),
        _now("updated_at"),
        _ts("last_played_at"),
        _unique("playlists", "uuid"),
        _unique("playlists", "share_token"),
        sa.CheckConstraint("NOT (folder_type AND is_dynamic)", name=op.f("ck_folder_not_dynamic")),
    )

    op.create_table(
        "playlist_tracks",
        *_id("playlist_tracks"),
        *_fk("playlist_tracks", "playlist_id", "playlists", "CASCADE"),
        *_fk("playlist_tracks", "track_id", "tracks", "CASCADE"),
        sa.Column("position", sa.Integer, nullable=False),
        *_fk("playlist_tracks", "added_by", "users", "SET NULL", nullable=True),
        _now("added_at"),
        _count("vote_count"),
        _flag("is_locked", False),
        _varchar("custom_note", 500),
        sa.Column("start_time_ms", sa.Integer),
        sa.Column("end_time_ms", sa.Integer),
        # Deferrable so that a reorder can swap positions inside one transaction.
        _unique(
            "playlist_tracks", "playlist_id", "position", deferrable=True, initially="IMMEDIATE"
        ),
    )

    op.create_table(
        "playlist_collaborators",
        *_id("playlist_collaborators"),
        *_fk("playlist_collaborators", "playlist_id", "playlists", "CASCADE"),
        *_fk("playlist_collaborators", "user_id", "users", "CASCADE"),
        _flag("can_add_tracks", True),
        _flag("can_remove_tracks", True),
        _flag("can_reorder_tracks", True),
        _flag("can_invite_others", False),
        _flag("can_change_details", False),
        _varchar("role", 20, nullable=False, default="editor"),
        *_fk("playlist_collaborators", "invited_by", "users", "SET NULL", nullable=True),
        _varchar("invitation_status", 20, nullable=False, default="pending"),
        _count("tracks_added"),
        _count("tracks_removed"),
        _ts("last_active"),
        _now("invited_at"),
        _ts("joined_at"),
        _unique("playlist_collaborators", "playlist_id", "user_id"),
    )

    op.create_table(
        "playlist_activities",
        *_id("playlist_activities", big=True),
        *_fk("playlist_activities", "playlist_id", "playlists", "CASCADE"),
        *_fk("playlist_activities", "user_id", "users", "SET NULL", nullable=True),
        _varchar("activity_type", 50, nullable=False),
        _jobj("activity_data"),
        sa.Column("playlist_version", sa.Integer, nullable=False),
        _now("created_at"),
    )

    op.create_table(
        "playlist_track_votes",
        *_id("playlist_track_votes"),
        *_fk("playlist_track_votes", "playlist_track_id", "playlist_tracks", "CASCADE"),
        *_fk("playlist_track_votes", "user_id", "users", "CASCADE"),
        sa.Column("vote_type", sa.SmallInteger, nullable=False),
        _now("voted_at"),
        sa.CheckConstraint("vote_type IN (-1, 1)", name=op.f("ck_playlist_track_votes_vote_type")),
        _unique("playlist_track_votes", "playlist_track_id", "user_id"),
    )

    op.create_table(
        "playlist_follows",
        *_id("playlist_follows"),
        *_fk("playlist_follows", "user_id", "users", "CASCADE"),
        *_fk("playlist_follows", "playlist_id", "playlists", "CASCADE"),
        _now("followed_at"),
        _flag("notifications_enabled", True),
        _unique("playlist_follows", "user_id", "playlist_id"),
    )

    op.create_table(
        "user_music_profiles",
        *_id("user_music_profiles"),
        *_fk("user_music_profiles", "user_id", "users", "CASCADE"),
        _jlist("favorite_genres"),
        _jlist("disliked_genres"),
        _jlist("favorite_decades"),
        _varchar("preferred_audio_quality", 20, nullable=False, default="high"),
        _flag("explicit_content_allowed", True),
        _varchar("discovery_mode", 20, nullable=False, default="balanced"),
        sa.Column("energy_preference", FLOAT8, nullable=False, server_default=sa.text("0.5")),
        _jobj("mood_preferences"),
        _jlist("language_preferences"),
        _count("total_listening_time_ms", sa.BigInteger),
        _count("tracks_played"),
        _count("unique_tracks_played"),
        _count("unique_artists_played"),
        _count("average_session_duration_ms", sa.BigInteger),
        sa.Column("discovery_ratio", FLOAT8, nullable=False, server_default=ZERO),
        sa.Column("genre_diversity_score", FLOAT8, nullable=False, server_default=ZERO),
        _jobj("time_based_preferences"),
        _jobj("device_preferences"),
        sa.Column("taste_vector", JSONB),
        _ts("last_taste_update"),
        _now("created_at"),
        _now("updated_at"),
        _unique("user_music_profiles", "user_id"),
    )

    op.create_table(
        "user_library",
        *_id("user_library"),
        *_fk("user_library", "user_id", "users", "CASCADE"),
        *_fk("user_library", "track_id", "tracks", "CASCADE"),
        _now("added_at"),
        _jlist("tags"),
        sa.Column("rating", sa.Integer),
        _count("play_count"),
        _count("skip_count"),
        _ts("last_played_at"),
        _count("total_play_time_ms", sa.BigInteger),
        sa.Column("notes", sa.Text),
        _flag("is_favorite", False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_user_library_rating")),
        _unique("user_library", "user_id", "track_id"),
    )

    op.create_table(
        "user_interactions",
        *_id("user_interactions", big=True),
        *_fk("user_interactions", "user_id", "users", "CASCADE"),
        *_fk("user_interactions", "track_id", "tracks", "CASCADE"),
        _varchar("interaction_type", 50, nullable=False),
        _varchar("context_type", 50),
        _varchar("context_id", 255),
        sa.Column("play_duration_ms", sa.Integer),
        sa.Column("track_duration_ms", sa.Integer),
        sa.Column("completion_percentage", FLOAT8),
        sa.Column("skip_position_ms", sa.Integer),
        _varchar("skip_reason", 50),
        _varchar("device_type", 50),
        sa.Column("session_id", UUID(as_uuid=True)),
        _jobj("extra_metadata"),
        _now("created_at"),
    )

    op.create_table(
        "discovery_sessions",
        *_id("discovery_sessions"),
        sa.Column(
            "uuid",
            UUID(as_uuid=True),
            nullable=False,
            server_default=sa.text("gen_random_uuid()"),
        ),
        *_fk("discovery_sessions", "user_id", "users", "CASCADE"),
        _varchar("session_type", 50, nullable=False),
        _varchar("session_name", 255),
        _varchar("seed_type", 50),
        sa.Column("seed_data", JSONB),
        _jobj("discovery_params"),
        _count("tracks_presented"),
        _count("tracks_played"),
        _count("tracks_skipped"),
        _count("tracks_liked"),
        _count("tracks_added_to_library"),
        _count("total_play_time_ms", sa.BigInteger),
        sa.Column("average_play_percentage", FLOAT8, nullable=False, server_default=ZERO),
        sa.Column("discovery_score", FLOAT8),
        sa.Column("user_satisfaction", FLOAT8),
        _varchar("algorithm_version", 50),
        _flag("is_active", True),
        _count("current_position"),
        _now("started_at"),
        _ts("ended_at"),
        _now("last_interaction_at", nullable=True),
        _unique("discovery_sessions", "uuid"),
    )

    op.create_table(
        "discovery_session_tracks",
        *_id("discovery_session_tracks", big=True),
        *_fk("discovery_session_tracks", "session_id", "discovery_sessions", "CASCADE"),
        *_fk("discovery_session_tracks", "track_id", "tracks", "CASCADE"),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("recommendation_score", FLOAT8),
        _jlist("recommendation_reasons"),
        _flag("was_played", False),
        _flag("was_skipped", False),
        _flag("was_liked", False),
        _flag("was_added_to_library", False),
        sa.Column("play_duration_ms", sa.Integer),
        sa.Column("skip_time_ms", sa.Integer),
        _now("presented_at"),
        _ts("interacted_at"),
        _unique("discovery_session_tracks", "session_id", "position"),
    )

    op.create_table(
        "user_artist_follows",
        *_id("user_artist_follows"),
        *_fk("user_artist_follows", "user_id", "users", "CASCADE"),
        *_fk("user_artist_follows", "artist_id", "artists", "CASCADE"),
        _now("followed_at"),
        _varchar("follow_source", 50),
        _flag("notifications_enabled", True),
        _unique("user_artist_follows", "user_id", "artist_id"),
    )

    op.create_table(
        "user_album_collections",
        *_id("user_album_collections"),
        *_fk("user_album_collections", "user_id", "users", "CASCADE"),
        *_fk("user_album_collections", "album_id", "albums", "CASCADE"),
        _now("added_at"),
        _jlist("tags"),
        _count("play_count"),
        _unique("user_album_collections", "user_id", "album_id"),
    )

    for name, (table, columns) in MODEL_INDEXES.items():
        op.create_index(op.f(name), table, columns)


def downgrade() -> None:
    for name, (table, _columns) in MODEL_INDEXES.items():
        op.drop_index(op.f(name), table_name=table)
    for table in reversed(TABLES):
        op.drop_table(table)

    version_table, version_schema = _version_table()
    op.alter_column(
        version_table,
        "version_num",
        type_=sa.String(32),
        existing_type=sa.String(64),
        existing_nullable=False,
        schema=version_schema,
    )
