"""SQLAlchemy description of the platform schema at the head revision.

This module is the reference model of the schema (docs/schema.md) at the compatible head (the
expand revision ``20261204_090000_platform_app_compatible``, see :mod:`musicdb.migrate.compat`):
the 20 platform tables (plus the ``maintenance_log`` table that musicdb itself records maintenance
runs in), their keys, defaults, checks and indexes. It differs from the strict target (which
``musicdb migrate contract`` applies) in what the deployed application needs: timestamps without
time zone holding UTC, ``search_vector`` a plain text column beside the generated
``search_document``, and a nullable ``track_sources.source_id`` without the cross-parent unique
constraint. :mod:`musicdb.models` maps ORM classes onto these tables. The migrations in
``musicdb.migrations.versions`` are frozen, hand-written copies of it; they never import this
module, so changing it never rewrites history. Objects that SQLAlchemy metadata cannot describe
(the ``updated_at`` function and triggers, the ``mv_track_popularity`` materialized view) live only
in the migrations.

Only migration code and :mod:`musicdb.models` import this module, never the CLI at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, UUID
from sqlalchemy.sql.elements import conv

if TYPE_CHECKING:
    from sqlalchemy.schema import SchemaItem

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(column_0_label)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: The tables that carry ``updated_at`` and therefore the ``BEFORE UPDATE`` trigger.
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

#: Full-text search: table -> ((column, weight), ...), all with the 'english' configuration.
SEARCH_WEIGHTS = {
    "tracks": (("title", "A"),),
    "artists": (("name", "A"), ("sort_name", "B")),
    "albums": (("title", "A"), ("label", "C")),
    "playlists": (("name", "A"), ("description", "B")),
}

MATERIALIZED_VIEWS = ("mv_track_popularity",)

TIMESTAMPTZ = sa.DateTime(timezone=True)
#: The platform's timestamps at the compatible head: naive, holding UTC.
TIMESTAMP = sa.DateTime(timezone=False)
FLOAT8: sa.Double[float] = sa.Double()
NOW = sa.text("now()")
UTC_NOW = sa.text("timezone('utc'::text, now())")
TRUE = sa.text("true")
FALSE = sa.text("false")
ZERO = sa.text("0")


def search_vector_expression(table: str) -> str:
    """The ``GENERATED ALWAYS AS (...)`` expression of ``<table>.search_document`` (named
    ``search_vector`` once contracted)."""
    parts = [
        f"setweight(to_tsvector('english', coalesce({column}, '')), '{weight}')"
        for column, weight in SEARCH_WEIGHTS[table]
    ]
    return " || ".join(parts)


def _id(big: bool = False) -> sa.Column:
    return sa.Column(
        "id", sa.BigInteger if big else sa.Integer, sa.Identity(always=False), primary_key=True
    )


def _now(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, TIMESTAMP, nullable=nullable, server_default=UTC_NOW)


def _ts(name: str) -> sa.Column:
    return sa.Column(name, TIMESTAMP)


def _jlist(name: str) -> sa.Column:
    return sa.Column(name, JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))


def _jobj(name: str) -> sa.Column:
    return sa.Column(name, JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))


def _flag(name: str, default: bool) -> sa.Column:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=TRUE if default else FALSE)


def _count(name: str, type_: type[sa.types.TypeEngine] = sa.Integer) -> sa.Column:
    return sa.Column(name, type_, nullable=False, server_default=ZERO)


def _fk(name: str, target: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _search_columns(table: str) -> tuple[SchemaItem, ...]:
    """The generated tsvector ``search_document`` with its GIN index, and the application's
    plain text ``search_vector`` (nothing reads it; musicdb.models never writes it)."""
    return (
        sa.Column(
            "search_document",
            TSVECTOR,
            sa.Computed(search_vector_expression(table), persisted=True),
        ),
        sa.Column("search_vector", sa.Text),
        sa.Index(f"ix_{table}_search_document", "search_document", postgresql_using="gin"),
    )


def _gin(name: str, column: str, path_ops: bool = False) -> sa.Index:
    kwargs: dict[str, Any] = {"postgresql_ops": {column: "jsonb_path_ops"}} if path_ops else {}
    return sa.Index(name, column, postgresql_using="gin", **kwargs)


users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("email", sa.String(120), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    _flag("is_active", True),
    _flag("is_admin", False),
    _now("created_at"),
    _ts("last_login"),
    sa.Column("default_language", sa.String(10), nullable=False, server_default=sa.text("'en'")),
    sa.Column("default_categories", sa.Text),
    sa.Column("default_engines", sa.Text),
)

artists = sa.Table(
    "artists",
    metadata,
    _id(),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("sort_name", sa.String(255)),
    sa.Column("musicbrainz_id", sa.String(36), unique=True),
    sa.Column("spotify_id", sa.String(255)),
    sa.Column("bio", sa.Text),
    sa.Column("country", sa.String(2)),
    sa.Column("formed_year", sa.Integer),
    sa.Column("disbanded_year", sa.Integer),
    sa.Column("image_url", sa.String(500)),
    sa.Column("thumbnail_url", sa.String(500)),
    sa.Column("banner_url", sa.String(500)),
    _jlist("genres"),
    _jlist("aliases"),
    _jlist("members"),
    _jobj("social_links"),
    sa.Column("popularity", FLOAT8, nullable=False, server_default=ZERO),
    _count("follower_count"),
    sa.Column("monthly_listeners", sa.Integer),
    _flag("is_verified", False),
    sa.Column("verification_source", sa.String(50)),
    _jobj("extra_metadata"),
    _now("created_at"),
    _now("updated_at"),
    _ts("last_synced"),
    *_search_columns("artists"),
    _gin("ix_artists_genres", "genres", path_ops=True),
    _gin("ix_artists_aliases", "aliases", path_ops=True),
    _gin("ix_artists_social_links", "social_links"),
)

albums = sa.Table(
    "albums",
    metadata,
    _id(),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("upc", sa.String(12)),
    sa.Column("catalog_number", sa.String(100)),
    sa.Column("musicbrainz_id", sa.String(36), unique=True),
    sa.Column("album_type", sa.String(20), nullable=False, server_default=sa.text("'album'")),
    sa.Column("release_date", sa.Date),
    sa.Column("release_precision", sa.String(10)),
    sa.Column("cover_url", sa.String(500)),
    sa.Column("cover_url_small", sa.String(500)),
    sa.Column("cover_url_large", sa.String(500)),
    sa.Column("label", sa.String(255)),
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
    _fk("artist_id", "artists.id", "SET NULL", nullable=True),
    _now("created_at"),
    _now("updated_at"),
    _ts("last_synced"),
    *_search_columns("albums"),
    sa.CheckConstraint("total_tracks >= 0", name="total_tracks_non_negative"),
    sa.Index("ix_albums_artist_id", "artist_id"),
    _gin("ix_albums_genres", "genres", path_ops=True),
    _gin("ix_albums_credits", "credits"),
)
# Written the way PostgreSQL prints them back, so that comparing this metadata with a
# migrated database finds no difference.
_ENERGY = "((audio_features ->> 'energy'::text))::double precision"
_DANCEABILITY = "((audio_features ->> 'danceability'::text))::double precision"

tracks = sa.Table(
    "tracks",
    metadata,
    _id(),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("duration_ms", sa.Integer),
    sa.Column("isrc", sa.String(12)),
    sa.Column("audio_fingerprint", sa.String(255)),
    sa.Column("fingerprint_algorithm", sa.String(50)),
    _jobj("audio_features"),
    _fk("artist_id", "artists.id", "SET NULL", nullable=True),
    _fk("album_id", "albums.id", "SET NULL", nullable=True),
    _flag("explicit", False),
    sa.Column("popularity", FLOAT8, nullable=False, server_default=ZERO),
    sa.Column("preview_url", sa.String(500)),
    sa.Column("lyrics", sa.Text),
    _jobj("extra_metadata"),
    _now("created_at"),
    _now("updated_at"),
    _ts("last_analyzed"),
    *_search_columns("tracks"),
    sa.CheckConstraint("duration_ms >= 0", name="duration_ms_non_negative"),
    sa.Index("ix_tracks_album_id", "album_id"),
    sa.Index("ix_tracks_artist_id_popularity", "artist_id", sa.text("popularity DESC")),
    _gin("ix_tracks_audio_features", "audio_features"),
    sa.Index(
        "ix_tracks_high_energy",
        sa.text(_ENERGY),
        postgresql_where=sa.text(f"{_ENERGY} > 0.8"),
    ),
    sa.Index(
        "ix_tracks_danceable",
        sa.text(_DANCEABILITY),
        postgresql_where=sa.text(f"{_DANCEABILITY} > 0.7"),
    ),
)


def _source_table(
    parent: str,
    parent_table: str,
    *,
    primary: bool,
    availability: bool,
    quality: bool,
    shared_ids: bool = False,
    extra: tuple = (),
) -> sa.Table:
    """``shared_ids``: the compatible head's track_sources, whose ``source_id`` may be NULL or
    held by several parents (a plain index serves the lookup instead of the unique one)."""
    columns: list[SchemaItem] = [
        _id(),
        _fk(f"{parent}_id", f"{parent_table}.id", "CASCADE"),
        sa.Column("source_type", sa.String(50), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=shared_ids),
        sa.Column("source_uri", sa.String(500)),
        _jobj("source_extra_metadata"),
    ]
    if primary:
        columns.append(_flag("is_primary", False))
    if availability:
        columns.append(_flag("is_available", True))
        columns.append(sa.Column("geo_restrictions", JSONB))
    if quality:
        columns.append(sa.Column("audio_quality", sa.String(20)))
    columns += [
        _ts("last_synced"),
        sa.Column("sync_status", sa.String(20), nullable=False, server_default=sa.text("'active'")),
        _now("created_at"),
        _now("updated_at"),
        sa.UniqueConstraint(f"{parent}_id", "source_type", "source_id"),
        sa.Index(f"ix_{parent}_sources_source_type_source_id", "source_type", "source_id")
        if shared_ids
        else sa.UniqueConstraint("source_type", "source_id"),
        *extra,
    ]
    return sa.Table(f"{parent}_sources", metadata, *columns)


artist_sources = _source_table("artist", "artists", primary=True, availability=False, quality=False)
album_sources = _source_table("album", "albums", primary=True, availability=True, quality=False)
track_sources = _source_table(
    "track",
    "tracks",
    primary=False,
    availability=True,
    quality=True,
    shared_ids=True,
    extra=(sa.Index("ix_track_sources_source_type_is_available", "source_type", "is_available"),),
)

playlists = sa.Table(
    "playlists",
    metadata,
    _id(),
    sa.Column(
        "uuid",
        UUID(as_uuid=True),
        nullable=False,
        unique=True,
        server_default=sa.text("gen_random_uuid()"),
    ),
    sa.Column("name", sa.String(255), nullable=False),
    _fk("owner_id", "users.id", "CASCADE"),
    _flag("is_public", False),
    _flag("is_collaborative", False),
    _fk("parent_id", "playlists.id", "SET NULL", nullable=True),
    _flag("folder_type", False),
    sa.Column("description", sa.Text),
    sa.Column("cover_url", sa.String(500)),
    _jlist("tags"),
    _flag("is_dynamic", False),
    sa.Column("dynamic_rules", JSONB),
    sa.Column(
        "collaboration_mode", sa.String(20), nullable=False, server_default=sa.text("'open'")
    ),
    sa.Column("max_tracks_per_user", sa.Integer),
    _flag("voting_enabled", False),
    sa.Column("share_token", sa.String(32), unique=True),
    sa.Column("password_hash", sa.String(255)),
    _ts("expires_at"),
    _count("play_count"),
    _count("like_count"),
    _count("share_count"),
    _count("total_duration_ms", sa.BigInteger),
    _jobj("extra_metadata"),
    sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
    _fk("last_modified_by", "users.id", "SET NULL", nullable=True),
    _now("created_at"),
    _now("updated_at"),
    _ts("last_played_at"),
    *_search_columns("playlists"),
    sa.CheckConstraint("NOT (folder_type AND is_dynamic)", name=conv("ck_folder_not_dynamic")),
    sa.CheckConstraint("total_duration_ms >= 0", name="total_duration_ms_non_negative"),
    sa.Index("ix_playlists_owner_id", "owner_id"),
    sa.Index("ix_playlists_parent_id", "parent_id"),
    sa.Index("ix_playlists_last_modified_by", "last_modified_by"),
    _gin("ix_playlists_tags", "tags", path_ops=True),
    _gin("ix_playlists_dynamic_rules", "dynamic_rules"),
    sa.Index(
        "ix_playlists_public_collaborative",
        "is_public",
        "is_collaborative",
        postgresql_where=sa.text("is_public AND is_collaborative"),
    ),
)

playlist_tracks = sa.Table(
    "playlist_tracks",
    metadata,
    _id(),
    _fk("playlist_id", "playlists.id", "CASCADE"),
    _fk("track_id", "tracks.id", "CASCADE"),
    sa.Column("position", sa.Integer, nullable=False),
    _fk("added_by", "users.id", "SET NULL", nullable=True),
    _now("added_at"),
    _count("vote_count"),
    _flag("is_locked", False),
    sa.Column("custom_note", sa.String(500)),
    sa.Column("start_time_ms", sa.Integer),
    sa.Column("end_time_ms", sa.Integer),
    sa.UniqueConstraint("playlist_id", "position", deferrable=True, initially="IMMEDIATE"),
    sa.Index("ix_playlist_tracks_track_id", "track_id"),
    sa.Index("ix_playlist_tracks_added_by", "added_by"),
)

playlist_collaborators = sa.Table(
    "playlist_collaborators",
    metadata,
    _id(),
    _fk("playlist_id", "playlists.id", "CASCADE"),
    _fk("user_id", "users.id", "CASCADE"),
    _flag("can_add_tracks", True),
    _flag("can_remove_tracks", True),
    _flag("can_reorder_tracks", True),
    _flag("can_invite_others", False),
    _flag("can_change_details", False),
    sa.Column("role", sa.String(20), nullable=False, server_default=sa.text("'editor'")),
    _fk("invited_by", "users.id", "SET NULL", nullable=True),
    sa.Column(
        "invitation_status", sa.String(20), nullable=False, server_default=sa.text("'pending'")
    ),
    _count("tracks_added"),
    _count("tracks_removed"),
    _ts("last_active"),
    _now("invited_at"),
    _ts("joined_at"),
    sa.UniqueConstraint("playlist_id", "user_id"),
    sa.Index("ix_playlist_collaborators_user_id", "user_id"),
    sa.Index("ix_playlist_collaborators_invited_by", "invited_by"),
)

playlist_activities = sa.Table(
    "playlist_activities",
    metadata,
    _id(big=True),
    _fk("playlist_id", "playlists.id", "CASCADE"),
    _fk("user_id", "users.id", "SET NULL", nullable=True),
    sa.Column("activity_type", sa.String(50), nullable=False),
    _jobj("activity_data"),
    sa.Column("playlist_version", sa.Integer, nullable=False),
    _now("created_at"),
    sa.Index("ix_playlist_activities_user_id", "user_id"),
    sa.Index(
        "ix_playlist_activities_playlist_id_created_at", "playlist_id", sa.text("created_at DESC")
    ),
    sa.Index("ix_playlist_activities_created_at", sa.text("created_at DESC")),
)

playlist_track_votes = sa.Table(
    "playlist_track_votes",
    metadata,
    _id(),
    _fk("playlist_track_id", "playlist_tracks.id", "CASCADE"),
    _fk("user_id", "users.id", "CASCADE"),
    sa.Column("vote_type", sa.SmallInteger, nullable=False),
    _now("voted_at"),
    sa.CheckConstraint("vote_type IN (-1, 1)", name="vote_type"),
    sa.UniqueConstraint("playlist_track_id", "user_id"),
    sa.Index("ix_playlist_track_votes_user_id", "user_id"),
)

playlist_follows = sa.Table(
    "playlist_follows",
    metadata,
    _id(),
    _fk("user_id", "users.id", "CASCADE"),
    _fk("playlist_id", "playlists.id", "CASCADE"),
    _now("followed_at"),
    _flag("notifications_enabled", True),
    sa.UniqueConstraint("user_id", "playlist_id"),
    sa.Index("ix_playlist_follows_playlist_id", "playlist_id"),
)

user_music_profiles = sa.Table(
    "user_music_profiles",
    metadata,
    _id(),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    _jlist("favorite_genres"),
    _jlist("disliked_genres"),
    _jlist("favorite_decades"),
    sa.Column(
        "preferred_audio_quality", sa.String(20), nullable=False, server_default=sa.text("'high'")
    ),
    _flag("explicit_content_allowed", True),
    sa.Column(
        "discovery_mode", sa.String(20), nullable=False, server_default=sa.text("'balanced'")
    ),
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
)

user_library = sa.Table(
    "user_library",
    metadata,
    _id(),
    _fk("user_id", "users.id", "CASCADE"),
    _fk("track_id", "tracks.id", "CASCADE"),
    _now("added_at"),
    _jlist("tags"),
    sa.Column("rating", sa.Integer),
    _count("play_count"),
    _count("skip_count"),
    _ts("last_played_at"),
    _count("total_play_time_ms", sa.BigInteger),
    sa.Column("notes", sa.Text),
    _flag("is_favorite", False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    sa.UniqueConstraint("user_id", "track_id"),
    sa.Index("ix_user_library_track_id", "track_id"),
    sa.Index("ix_user_library_user_id_added_at", "user_id", sa.text("added_at DESC")),
    sa.Index("ix_user_library_added_at", sa.text("added_at DESC")),
    sa.Index(
        "ix_user_library_user_id_added_at_favorite",
        "user_id",
        sa.text("added_at DESC"),
        postgresql_where=sa.text("is_favorite"),
    ),
)

# Range-partitioned by month of created_at (musicdb.partitions): the primary key holds the key.
user_interactions = sa.Table(
    "user_interactions",
    metadata,
    _id(big=True),
    _fk("user_id", "users.id", "CASCADE"),
    _fk("track_id", "tracks.id", "CASCADE"),
    sa.Column("interaction_type", sa.String(50), nullable=False),
    sa.Column("context_type", sa.String(50)),
    sa.Column("context_id", sa.String(255)),
    sa.Column("play_duration_ms", sa.Integer),
    sa.Column("track_duration_ms", sa.Integer),
    sa.Column("completion_percentage", FLOAT8),
    sa.Column("skip_position_ms", sa.Integer),
    sa.Column("skip_reason", sa.String(50)),
    sa.Column("device_type", sa.String(50)),
    sa.Column("session_id", UUID(as_uuid=True)),
    _jobj("extra_metadata"),
    sa.Column("created_at", TIMESTAMP, primary_key=True, server_default=UTC_NOW),
    sa.CheckConstraint("play_duration_ms >= 0", name="play_duration_ms_non_negative"),
    sa.Index("ix_user_interactions_user_id_created_at", "user_id", sa.text("created_at DESC")),
    sa.Index("ix_user_interactions_track_id_interaction_type", "track_id", "interaction_type"),
    sa.Index("ix_user_interactions_created_at", sa.text("created_at DESC")),
    postgresql_partition_by="RANGE (created_at)",
)

discovery_sessions = sa.Table(
    "discovery_sessions",
    metadata,
    _id(),
    sa.Column(
        "uuid",
        UUID(as_uuid=True),
        nullable=False,
        unique=True,
        server_default=sa.text("gen_random_uuid()"),
    ),
    _fk("user_id", "users.id", "CASCADE"),
    sa.Column("session_type", sa.String(50), nullable=False),
    sa.Column("session_name", sa.String(255)),
    sa.Column("seed_type", sa.String(50)),
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
    sa.Column("algorithm_version", sa.String(50)),
    _flag("is_active", True),
    _count("current_position"),
    _now("started_at"),
    _ts("ended_at"),
    _now("last_interaction_at", nullable=True),
    sa.Index("ix_discovery_sessions_user_id_session_type", "user_id", "session_type"),
    sa.Index("ix_discovery_sessions_started_at", sa.text("started_at DESC")),
    sa.Index(
        "ix_discovery_sessions_user_id_active", "user_id", postgresql_where=sa.text("is_active")
    ),
)

discovery_session_tracks = sa.Table(
    "discovery_session_tracks",
    metadata,
    _id(big=True),
    _fk("session_id", "discovery_sessions.id", "CASCADE"),
    _fk("track_id", "tracks.id", "CASCADE"),
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
    sa.UniqueConstraint("session_id", "position"),
    sa.Index("ix_discovery_session_tracks_track_id", "track_id"),
)

user_artist_follows = sa.Table(
    "user_artist_follows",
    metadata,
    _id(),
    _fk("user_id", "users.id", "CASCADE"),
    _fk("artist_id", "artists.id", "CASCADE"),
    _now("followed_at"),
    sa.Column("follow_source", sa.String(50)),
    _flag("notifications_enabled", True),
    sa.UniqueConstraint("user_id", "artist_id"),
    sa.Index("ix_user_artist_follows_artist_id", "artist_id"),
)

user_album_collections = sa.Table(
    "user_album_collections",
    metadata,
    _id(),
    _fk("user_id", "users.id", "CASCADE"),
    _fk("album_id", "albums.id", "CASCADE"),
    _now("added_at"),
    _jlist("tags"),
    _count("play_count"),
    sa.UniqueConstraint("user_id", "album_id"),
    sa.Index("ix_user_album_collections_album_id", "album_id"),
)

#: The 20 tables of the platform, in creation (dependency) order.
PLATFORM_TABLES = (
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

# musicdb's own record of maintenance runs (refresh-view, vacuum-table); not a platform table.
maintenance_log = sa.Table(
    "maintenance_log",
    metadata,
    _id(big=True),
    sa.Column("operation", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    # musicdb's own table keeps timestamptz (no application writes it)
    sa.Column("started_at", TIMESTAMPTZ, nullable=False, server_default=NOW),
    sa.Column("finished_at", TIMESTAMPTZ),
    sa.Column("duration_ms", FLOAT8),
    sa.Column("rows", sa.BigInteger),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    _jobj("details"),
    sa.CheckConstraint("outcome IN ('ok', 'failed', 'skipped', 'timeout')", name="outcome"),
    sa.Index(
        "ix_maintenance_log_target_operation_started_at",
        "target",
        "operation",
        sa.text("started_at DESC"),
    ),
)
