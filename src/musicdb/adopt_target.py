"""The platform schema at revision 20250618_075149_add_performance_indexes, as data.

Generated once from the catalog of a database built by the main line (initial schema +
performance indexes) and frozen here: the legacy conversion revisions converge an adopted
database onto exactly these columns, constraints and indexes. Never edit by hand; a later
revision that changes the schema does not change this file.
"""

from __future__ import annotations

# table -> column -> (type, nullable, default, identity, generated expression)
COLUMNS: dict[str, dict[str, tuple[str, bool, str | None, str | None, str | None]]] = {
    "users": {
        "id": ("integer", False, None, "by default", None),
        "username": ("character varying(80)", False, None, None, None),
        "email": ("character varying(120)", False, None, None, None),
        "password_hash": ("character varying(255)", False, None, None, None),
        "is_active": ("boolean", False, "true", None, None),
        "is_admin": ("boolean", False, "false", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "last_login": ("timestamp with time zone", True, None, None, None),
        "default_language": ("character varying(10)", False, "'en'::character varying", None, None),
        "default_categories": ("text", True, None, None, None),
        "default_engines": ("text", True, None, None, None),
    },
    "artists": {
        "id": ("integer", False, None, "by default", None),
        "name": ("character varying(255)", False, None, None, None),
        "sort_name": ("character varying(255)", True, None, None, None),
        "musicbrainz_id": ("character varying(36)", True, None, None, None),
        "spotify_id": ("character varying(255)", True, None, None, None),
        "bio": ("text", True, None, None, None),
        "country": ("character varying(2)", True, None, None, None),
        "formed_year": ("integer", True, None, None, None),
        "disbanded_year": ("integer", True, None, None, None),
        "image_url": ("character varying(500)", True, None, None, None),
        "thumbnail_url": ("character varying(500)", True, None, None, None),
        "banner_url": ("character varying(500)", True, None, None, None),
        "genres": ("jsonb", False, "'[]'::jsonb", None, None),
        "aliases": ("jsonb", False, "'[]'::jsonb", None, None),
        "members": ("jsonb", False, "'[]'::jsonb", None, None),
        "social_links": ("jsonb", False, "'{}'::jsonb", None, None),
        "popularity": ("double precision", False, "0", None, None),
        "follower_count": ("integer", False, "0", None, None),
        "monthly_listeners": ("integer", True, None, None, None),
        "is_verified": ("boolean", False, "false", None, None),
        "verification_source": ("character varying(50)", True, None, None, None),
        "extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
        "last_synced": ("timestamp with time zone", True, None, None, None),
        "search_vector": (
            "tsvector",
            True,
            None,
            None,
            "(setweight(to_tsvector('english'::regconfig, (COALESCE(name, "
            "''::character varying))::text), 'A'::\"char\") || "
            "setweight(to_tsvector('english'::regconfig, "
            "(COALESCE(sort_name, ''::character varying))::text), "
            "'B'::\"char\"))",
        ),
    },
    "albums": {
        "id": ("integer", False, None, "by default", None),
        "title": ("character varying(255)", False, None, None, None),
        "upc": ("character varying(12)", True, None, None, None),
        "catalog_number": ("character varying(100)", True, None, None, None),
        "musicbrainz_id": ("character varying(36)", True, None, None, None),
        "album_type": ("character varying(20)", False, "'album'::character varying", None, None),
        "release_date": ("date", True, None, None, None),
        "release_precision": ("character varying(10)", True, None, None, None),
        "cover_url": ("character varying(500)", True, None, None, None),
        "cover_url_small": ("character varying(500)", True, None, None, None),
        "cover_url_large": ("character varying(500)", True, None, None, None),
        "label": ("character varying(255)", True, None, None, None),
        "total_tracks": ("integer", True, None, None, None),
        "total_discs": ("integer", False, "1", None, None),
        "genres": ("jsonb", False, "'[]'::jsonb", None, None),
        "styles": ("jsonb", False, "'[]'::jsonb", None, None),
        "moods": ("jsonb", False, "'[]'::jsonb", None, None),
        "themes": ("jsonb", False, "'[]'::jsonb", None, None),
        "credits": ("jsonb", False, "'{}'::jsonb", None, None),
        "popularity": ("double precision", False, "0", None, None),
        "rating": ("double precision", True, None, None, None),
        "rating_count": ("integer", False, "0", None, None),
        "extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "is_remaster": ("boolean", False, "false", None, None),
        "original_release_date": ("date", True, None, None, None),
        "version_notes": ("text", True, None, None, None),
        "artist_id": ("integer", True, None, None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
        "last_synced": ("timestamp with time zone", True, None, None, None),
        "search_vector": (
            "tsvector",
            True,
            None,
            None,
            "(setweight(to_tsvector('english'::regconfig, (COALESCE(title, "
            "''::character varying))::text), 'A'::\"char\") || "
            "setweight(to_tsvector('english'::regconfig, (COALESCE(label, "
            "''::character varying))::text), 'C'::\"char\"))",
        ),
    },
    "tracks": {
        "id": ("integer", False, None, "by default", None),
        "title": ("text", False, None, None, None),
        "duration_ms": ("integer", True, None, None, None),
        "isrc": ("character varying(12)", True, None, None, None),
        "audio_fingerprint": ("character varying(255)", True, None, None, None),
        "fingerprint_algorithm": ("character varying(50)", True, None, None, None),
        "audio_features": ("jsonb", False, "'{}'::jsonb", None, None),
        "artist_id": ("integer", True, None, None, None),
        "album_id": ("integer", True, None, None, None),
        "explicit": ("boolean", False, "false", None, None),
        "popularity": ("double precision", False, "0", None, None),
        "preview_url": ("character varying(500)", True, None, None, None),
        "lyrics": ("text", True, None, None, None),
        "extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
        "last_analyzed": ("timestamp with time zone", True, None, None, None),
        "search_vector": (
            "tsvector",
            True,
            None,
            None,
            "setweight(to_tsvector('english'::regconfig, COALESCE(title, "
            "''::text)), 'A'::\"char\")",
        ),
    },
    "artist_sources": {
        "id": ("integer", False, None, "by default", None),
        "artist_id": ("integer", False, None, None, None),
        "source_type": ("character varying(50)", False, None, None, None),
        "source_id": ("character varying(255)", False, None, None, None),
        "source_uri": ("character varying(500)", True, None, None, None),
        "source_extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "is_primary": ("boolean", False, "false", None, None),
        "last_synced": ("timestamp with time zone", True, None, None, None),
        "sync_status": ("character varying(20)", False, "'active'::character varying", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "album_sources": {
        "id": ("integer", False, None, "by default", None),
        "album_id": ("integer", False, None, None, None),
        "source_type": ("character varying(50)", False, None, None, None),
        "source_id": ("character varying(255)", False, None, None, None),
        "source_uri": ("character varying(500)", True, None, None, None),
        "source_extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "is_primary": ("boolean", False, "false", None, None),
        "is_available": ("boolean", False, "true", None, None),
        "geo_restrictions": ("jsonb", True, None, None, None),
        "last_synced": ("timestamp with time zone", True, None, None, None),
        "sync_status": ("character varying(20)", False, "'active'::character varying", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "track_sources": {
        "id": ("integer", False, None, "by default", None),
        "track_id": ("integer", False, None, None, None),
        "source_type": ("character varying(50)", False, None, None, None),
        "source_id": ("character varying(255)", False, None, None, None),
        "source_uri": ("character varying(500)", True, None, None, None),
        "source_extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "is_available": ("boolean", False, "true", None, None),
        "geo_restrictions": ("jsonb", True, None, None, None),
        "audio_quality": ("character varying(20)", True, None, None, None),
        "last_synced": ("timestamp with time zone", True, None, None, None),
        "sync_status": ("character varying(20)", False, "'active'::character varying", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "playlists": {
        "id": ("integer", False, None, "by default", None),
        "uuid": ("uuid", False, "gen_random_uuid()", None, None),
        "name": ("character varying(255)", False, None, None, None),
        "owner_id": ("integer", False, None, None, None),
        "is_public": ("boolean", False, "false", None, None),
        "is_collaborative": ("boolean", False, "false", None, None),
        "parent_id": ("integer", True, None, None, None),
        "folder_type": ("boolean", False, "false", None, None),
        "description": ("text", True, None, None, None),
        "cover_url": ("character varying(500)", True, None, None, None),
        "tags": ("jsonb", False, "'[]'::jsonb", None, None),
        "is_dynamic": ("boolean", False, "false", None, None),
        "dynamic_rules": ("jsonb", True, None, None, None),
        "collaboration_mode": (
            "character varying(20)",
            False,
            "'open'::character varying",
            None,
            None,
        ),
        "max_tracks_per_user": ("integer", True, None, None, None),
        "voting_enabled": ("boolean", False, "false", None, None),
        "share_token": ("character varying(32)", True, None, None, None),
        "password_hash": ("character varying(255)", True, None, None, None),
        "expires_at": ("timestamp with time zone", True, None, None, None),
        "play_count": ("integer", False, "0", None, None),
        "like_count": ("integer", False, "0", None, None),
        "share_count": ("integer", False, "0", None, None),
        "total_duration_ms": ("bigint", False, "0", None, None),
        "extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "version": ("integer", False, "1", None, None),
        "last_modified_by": ("integer", True, None, None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
        "last_played_at": ("timestamp with time zone", True, None, None, None),
        "search_vector": (
            "tsvector",
            True,
            None,
            None,
            "(setweight(to_tsvector('english'::regconfig, (COALESCE(name, "
            "''::character varying))::text), 'A'::\"char\") || "
            "setweight(to_tsvector('english'::regconfig, "
            "COALESCE(description, ''::text)), 'B'::\"char\"))",
        ),
    },
    "playlist_tracks": {
        "id": ("integer", False, None, "by default", None),
        "playlist_id": ("integer", False, None, None, None),
        "track_id": ("integer", False, None, None, None),
        "position": ("integer", False, None, None, None),
        "added_by": ("integer", True, None, None, None),
        "added_at": ("timestamp with time zone", False, "now()", None, None),
        "vote_count": ("integer", False, "0", None, None),
        "is_locked": ("boolean", False, "false", None, None),
        "custom_note": ("character varying(500)", True, None, None, None),
        "start_time_ms": ("integer", True, None, None, None),
        "end_time_ms": ("integer", True, None, None, None),
    },
    "playlist_collaborators": {
        "id": ("integer", False, None, "by default", None),
        "playlist_id": ("integer", False, None, None, None),
        "user_id": ("integer", False, None, None, None),
        "can_add_tracks": ("boolean", False, "true", None, None),
        "can_remove_tracks": ("boolean", False, "true", None, None),
        "can_reorder_tracks": ("boolean", False, "true", None, None),
        "can_invite_others": ("boolean", False, "false", None, None),
        "can_change_details": ("boolean", False, "false", None, None),
        "role": ("character varying(20)", False, "'editor'::character varying", None, None),
        "invited_by": ("integer", True, None, None, None),
        "invitation_status": (
            "character varying(20)",
            False,
            "'pending'::character varying",
            None,
            None,
        ),
        "tracks_added": ("integer", False, "0", None, None),
        "tracks_removed": ("integer", False, "0", None, None),
        "last_active": ("timestamp with time zone", True, None, None, None),
        "invited_at": ("timestamp with time zone", False, "now()", None, None),
        "joined_at": ("timestamp with time zone", True, None, None, None),
    },
    "playlist_activities": {
        "id": ("bigint", False, None, "by default", None),
        "playlist_id": ("integer", False, None, None, None),
        "user_id": ("integer", True, None, None, None),
        "activity_type": ("character varying(50)", False, None, None, None),
        "activity_data": ("jsonb", False, "'{}'::jsonb", None, None),
        "playlist_version": ("integer", False, None, None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "playlist_track_votes": {
        "id": ("integer", False, None, "by default", None),
        "playlist_track_id": ("integer", False, None, None, None),
        "user_id": ("integer", False, None, None, None),
        "vote_type": ("smallint", False, None, None, None),
        "voted_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "playlist_follows": {
        "id": ("integer", False, None, "by default", None),
        "user_id": ("integer", False, None, None, None),
        "playlist_id": ("integer", False, None, None, None),
        "followed_at": ("timestamp with time zone", False, "now()", None, None),
        "notifications_enabled": ("boolean", False, "true", None, None),
    },
    "user_music_profiles": {
        "id": ("integer", False, None, "by default", None),
        "user_id": ("integer", False, None, None, None),
        "favorite_genres": ("jsonb", False, "'[]'::jsonb", None, None),
        "disliked_genres": ("jsonb", False, "'[]'::jsonb", None, None),
        "favorite_decades": ("jsonb", False, "'[]'::jsonb", None, None),
        "preferred_audio_quality": (
            "character varying(20)",
            False,
            "'high'::character varying",
            None,
            None,
        ),
        "explicit_content_allowed": ("boolean", False, "true", None, None),
        "discovery_mode": (
            "character varying(20)",
            False,
            "'balanced'::character varying",
            None,
            None,
        ),
        "energy_preference": ("double precision", False, "0.5", None, None),
        "mood_preferences": ("jsonb", False, "'{}'::jsonb", None, None),
        "language_preferences": ("jsonb", False, "'[]'::jsonb", None, None),
        "total_listening_time_ms": ("bigint", False, "0", None, None),
        "tracks_played": ("integer", False, "0", None, None),
        "unique_tracks_played": ("integer", False, "0", None, None),
        "unique_artists_played": ("integer", False, "0", None, None),
        "average_session_duration_ms": ("bigint", False, "0", None, None),
        "discovery_ratio": ("double precision", False, "0", None, None),
        "genre_diversity_score": ("double precision", False, "0", None, None),
        "time_based_preferences": ("jsonb", False, "'{}'::jsonb", None, None),
        "device_preferences": ("jsonb", False, "'{}'::jsonb", None, None),
        "taste_vector": ("jsonb", True, None, None, None),
        "last_taste_update": ("timestamp with time zone", True, None, None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
        "updated_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "user_library": {
        "id": ("integer", False, None, "by default", None),
        "user_id": ("integer", False, None, None, None),
        "track_id": ("integer", False, None, None, None),
        "added_at": ("timestamp with time zone", False, "now()", None, None),
        "tags": ("jsonb", False, "'[]'::jsonb", None, None),
        "rating": ("integer", True, None, None, None),
        "play_count": ("integer", False, "0", None, None),
        "skip_count": ("integer", False, "0", None, None),
        "last_played_at": ("timestamp with time zone", True, None, None, None),
        "total_play_time_ms": ("bigint", False, "0", None, None),
        "notes": ("text", True, None, None, None),
        "is_favorite": ("boolean", False, "false", None, None),
    },
    "user_interactions": {
        "id": ("bigint", False, None, "by default", None),
        "user_id": ("integer", False, None, None, None),
        "track_id": ("integer", False, None, None, None),
        "interaction_type": ("character varying(50)", False, None, None, None),
        "context_type": ("character varying(50)", True, None, None, None),
        "context_id": ("character varying(255)", True, None, None, None),
        "play_duration_ms": ("integer", True, None, None, None),
        "track_duration_ms": ("integer", True, None, None, None),
        "completion_percentage": ("double precision", True, None, None, None),
        "skip_position_ms": ("integer", True, None, None, None),
        "skip_reason": ("character varying(50)", True, None, None, None),
        "device_type": ("character varying(50)", True, None, None, None),
        "session_id": ("uuid", True, None, None, None),
        "extra_metadata": ("jsonb", False, "'{}'::jsonb", None, None),
        "created_at": ("timestamp with time zone", False, "now()", None, None),
    },
    "discovery_sessions": {
        "id": ("integer", False, None, "by default", None),
        "uuid": ("uuid", False, "gen_random_uuid()", None, None),
        "user_id": ("integer", False, None, None, None),
        "session_type": ("character varying(50)", False, None, None, None),
        "session_name": ("character varying(255)", True, None, None, None),
        "seed_type": ("character varying(50)", True, None, None, None),
        "seed_data": ("jsonb", True, None, None, None),
        "discovery_params": ("jsonb", False, "'{}'::jsonb", None, None),
        "tracks_presented": ("integer", False, "0", None, None),
        "tracks_played": ("integer", False, "0", None, None),
        "tracks_skipped": ("integer", False, "0", None, None),
        "tracks_liked": ("integer", False, "0", None, None),
        "tracks_added_to_library": ("integer", False, "0", None, None),
        "total_play_time_ms": ("bigint", False, "0", None, None),
        "average_play_percentage": ("double precision", False, "0", None, None),
        "discovery_score": ("double precision", True, None, None, None),
        "user_satisfaction": ("double precision", True, None, None, None),
        "algorithm_version": ("character varying(50)", True, None, None, None),
        "is_active": ("boolean", False, "true", None, None),
        "current_position": ("integer", False, "0", None, None),
        "started_at": ("timestamp with time zone", False, "now()", None, None),
        "ended_at": ("timestamp with time zone", True, None, None, None),
        "last_interaction_at": ("timestamp with time zone", True, "now()", None, None),
    },
    "discovery_session_tracks": {
        "id": ("bigint", False, None, "by default", None),
        "session_id": ("integer", False, None, None, None),
        "track_id": ("integer", False, None, None, None),
        "position": ("integer", False, None, None, None),
        "recommendation_score": ("double precision", True, None, None, None),
        "recommendation_reasons": ("jsonb", False, "'[]'::jsonb", None, None),
        "was_played": ("boolean", False, "false", None, None),
        "was_skipped": ("boolean", False, "false", None, None),
        "was_liked": ("boolean", False, "false", None, None),
        "was_added_to_library": ("boolean", False, "false", None, None),
        "play_duration_ms": ("integer", True, None, None, None),
        "skip_time_ms": ("integer", True, None, None, None),
        "presented_at": ("timestamp with time zone", False, "now()", None, None),
        "interacted_at": ("timestamp with time zone", True, None, None, None),
    },
    "user_artist_follows": {
        "id": ("integer", False, None, "by default", None),
        "user_id": ("integer", False, None, None, None),
        "artist_id": ("integer", False, None, None, None),
        "followed_at": ("timestamp with time zone", False, "now()", None, None),
        "follow_source": ("character varying(50)", True, None, None, None),
        "notifications_enabled": ("boolean", False, "true", None, None),
    },
    "user_album_collections": {
        "id": ("integer", False, None, "by default", None),
        "user_id": ("integer", False, None, None, None),
        "album_id": ("integer", False, None, None, None),
        "added_at": ("timestamp with time zone", False, "now()", None, None),
        "tags": ("jsonb", False, "'[]'::jsonb", None, None),
        "play_count": ("integer", False, "0", None, None),
    },
}

# "table.constraint" -> (kind, definition as pg_get_constraintdef prints it)
CONSTRAINTS: dict[str, tuple[str, str]] = {
    "album_sources.fk_album_sources_album_id_albums": (
        "foreign key",
        "FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE CASCADE",
    ),
    "album_sources.pk_album_sources": ("primary key", "PRIMARY KEY (id)"),
    "album_sources.uq_album_sources_album_id_source_type_source_id": (
        "unique",
        "UNIQUE (album_id, source_type, source_id)",
    ),
    "album_sources.uq_album_sources_source_type_source_id": (
        "unique",
        "UNIQUE (source_type, source_id)",
    ),
    "albums.ck_albums_total_tracks_non_negative": ("check", "CHECK ((total_tracks >= 0))"),
    "albums.fk_albums_artist_id_artists": (
        "foreign key",
        "FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE SET NULL",
    ),
    "albums.pk_albums": ("primary key", "PRIMARY KEY (id)"),
    "albums.uq_albums_musicbrainz_id": ("unique", "UNIQUE (musicbrainz_id)"),
    "artist_sources.fk_artist_sources_artist_id_artists": (
        "foreign key",
        "FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE CASCADE",
    ),
    "artist_sources.pk_artist_sources": ("primary key", "PRIMARY KEY (id)"),
    "artist_sources.uq_artist_sources_artist_id_source_type_source_id": (
        "unique",
        "UNIQUE (artist_id, source_type, source_id)",
    ),
    "artist_sources.uq_artist_sources_source_type_source_id": (
        "unique",
        "UNIQUE (source_type, source_id)",
    ),
    "artists.pk_artists": ("primary key", "PRIMARY KEY (id)"),
    "artists.uq_artists_musicbrainz_id": ("unique", "UNIQUE (musicbrainz_id)"),
    "discovery_session_tracks.fk_discovery_session_tracks_session_id_discovery_sessions": (
        "foreign key",
        "FOREIGN KEY (session_id) REFERENCES discovery_sessions(id) ON DELETE CASCADE",
    ),
    "discovery_session_tracks.fk_discovery_session_tracks_track_id_tracks": (
        "foreign key",
        "FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE",
    ),
    "discovery_session_tracks.pk_discovery_session_tracks": ("primary key", "PRIMARY KEY (id)"),
    "discovery_session_tracks.uq_discovery_session_tracks_session_id_position": (
        "unique",
        'UNIQUE (session_id, "position")',
    ),
    "discovery_sessions.fk_discovery_sessions_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "discovery_sessions.pk_discovery_sessions": ("primary key", "PRIMARY KEY (id)"),
    "discovery_sessions.uq_discovery_sessions_uuid": ("unique", "UNIQUE (uuid)"),
    "playlist_activities.fk_playlist_activities_playlist_id_playlists": (
        "foreign key",
        "FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE",
    ),
    "playlist_activities.fk_playlist_activities_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL",
    ),
    "playlist_activities.pk_playlist_activities": ("primary key", "PRIMARY KEY (id)"),
    "playlist_collaborators.fk_playlist_collaborators_invited_by_users": (
        "foreign key",
        "FOREIGN KEY (invited_by) REFERENCES users(id) ON DELETE SET NULL",
    ),
    "playlist_collaborators.fk_playlist_collaborators_playlist_id_playlists": (
        "foreign key",
        "FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE",
    ),
    "playlist_collaborators.fk_playlist_collaborators_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "playlist_collaborators.pk_playlist_collaborators": ("primary key", "PRIMARY KEY (id)"),
    "playlist_collaborators.uq_playlist_collaborators_playlist_id_user_id": (
        "unique",
        "UNIQUE (playlist_id, user_id)",
    ),
    "playlist_follows.fk_playlist_follows_playlist_id_playlists": (
        "foreign key",
        "FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE",
    ),
    "playlist_follows.fk_playlist_follows_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "playlist_follows.pk_playlist_follows": ("primary key", "PRIMARY KEY (id)"),
    "playlist_follows.uq_playlist_follows_user_id_playlist_id": (
        "unique",
        "UNIQUE (user_id, playlist_id)",
    ),
    "playlist_track_votes.ck_playlist_track_votes_vote_type": (
        "check",
        "CHECK ((vote_type = ANY (ARRAY['-1'::integer, 1])))",
    ),
    "playlist_track_votes.fk_playlist_track_votes_playlist_track_id_playlist_tracks": (
        "foreign key",
        "FOREIGN KEY (playlist_track_id) REFERENCES playlist_tracks(id) ON DELETE CASCADE",
    ),
    "playlist_track_votes.fk_playlist_track_votes_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "playlist_track_votes.pk_playlist_track_votes": ("primary key", "PRIMARY KEY (id)"),
    "playlist_track_votes.uq_playlist_track_votes_playlist_track_id_user_id": (
        "unique",
        "UNIQUE (playlist_track_id, user_id)",
    ),
    "playlist_tracks.fk_playlist_tracks_added_by_users": (
        "foreign key",
        "FOREIGN KEY (added_by) REFERENCES users(id) ON DELETE SET NULL",
    ),
    "playlist_tracks.fk_playlist_tracks_playlist_id_playlists": (
        "foreign key",
        "FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE",
    ),
    "playlist_tracks.fk_playlist_tracks_track_id_tracks": (
        "foreign key",
        "FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE",
    ),
    "playlist_tracks.pk_playlist_tracks": ("primary key", "PRIMARY KEY (id)"),
    "playlist_tracks.uq_playlist_tracks_playlist_id_position": (
        "unique",
        'UNIQUE (playlist_id, "position") DEFERRABLE',
    ),
    "playlists.ck_folder_not_dynamic": ("check", "CHECK ((NOT (folder_type AND is_dynamic)))"),
    "playlists.ck_playlists_total_duration_ms_non_negative": (
        "check",
        "CHECK ((total_duration_ms >= 0))",
    ),
    "playlists.fk_playlists_last_modified_by_users": (
        "foreign key",
        "FOREIGN KEY (last_modified_by) REFERENCES users(id) ON DELETE SET NULL",
    ),
    "playlists.fk_playlists_owner_id_users": (
        "foreign key",
        "FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "playlists.fk_playlists_parent_id_playlists": (
        "foreign key",
        "FOREIGN KEY (parent_id) REFERENCES playlists(id) ON DELETE SET NULL",
    ),
    "playlists.pk_playlists": ("primary key", "PRIMARY KEY (id)"),
    "playlists.uq_playlists_share_token": ("unique", "UNIQUE (share_token)"),
    "playlists.uq_playlists_uuid": ("unique", "UNIQUE (uuid)"),
    "track_sources.fk_track_sources_track_id_tracks": (
        "foreign key",
        "FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE",
    ),
    "track_sources.pk_track_sources": ("primary key", "PRIMARY KEY (id)"),
    "track_sources.uq_track_sources_source_type_source_id": (
        "unique",
        "UNIQUE (source_type, source_id)",
    ),
    "track_sources.uq_track_sources_track_id_source_type_source_id": (
        "unique",
        "UNIQUE (track_id, source_type, source_id)",
    ),
    "tracks.ck_tracks_duration_ms_non_negative": ("check", "CHECK ((duration_ms >= 0))"),
    "tracks.fk_tracks_album_id_albums": (
        "foreign key",
        "FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE SET NULL",
    ),
    "tracks.fk_tracks_artist_id_artists": (
        "foreign key",
        "FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE SET NULL",
    ),
    "tracks.pk_tracks": ("primary key", "PRIMARY KEY (id)"),
    "user_album_collections.fk_user_album_collections_album_id_albums": (
        "foreign key",
        "FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE CASCADE",
    ),
    "user_album_collections.fk_user_album_collections_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "user_album_collections.pk_user_album_collections": ("primary key", "PRIMARY KEY (id)"),
    "user_album_collections.uq_user_album_collections_user_id_album_id": (
        "unique",
        "UNIQUE (user_id, album_id)",
    ),
    "user_artist_follows.fk_user_artist_follows_artist_id_artists": (
        "foreign key",
        "FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE CASCADE",
    ),
    "user_artist_follows.fk_user_artist_follows_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "user_artist_follows.pk_user_artist_follows": ("primary key", "PRIMARY KEY (id)"),
    "user_artist_follows.uq_user_artist_follows_user_id_artist_id": (
        "unique",
        "UNIQUE (user_id, artist_id)",
    ),
    "user_interactions.ck_user_interactions_play_duration_ms_non_negative": (
        "check",
        "CHECK ((play_duration_ms >= 0))",
    ),
    "user_interactions.fk_user_interactions_track_id_tracks": (
        "foreign key",
        "FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE",
    ),
    "user_interactions.fk_user_interactions_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "user_interactions.pk_user_interactions": ("primary key", "PRIMARY KEY (id)"),
    "user_library.ck_user_library_rating": ("check", "CHECK (((rating >= 1) AND (rating <= 5)))"),
    "user_library.fk_user_library_track_id_tracks": (
        "foreign key",
        "FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE",
    ),
    "user_library.fk_user_library_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "user_library.pk_user_library": ("primary key", "PRIMARY KEY (id)"),
    "user_library.uq_user_library_user_id_track_id": ("unique", "UNIQUE (user_id, track_id)"),
    "user_music_profiles.fk_user_music_profiles_user_id_users": (
        "foreign key",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    "user_music_profiles.pk_user_music_profiles": ("primary key", "PRIMARY KEY (id)"),
    "user_music_profiles.uq_user_music_profiles_user_id": ("unique", "UNIQUE (user_id)"),
    "users.pk_users": ("primary key", "PRIMARY KEY (id)"),
    "users.uq_users_email": ("unique", "UNIQUE (email)"),
    "users.uq_users_username": ("unique", "UNIQUE (username)"),
}

# index name -> (table, definition) for the indexes that back no constraint
INDEXES: dict[str, tuple[str, str]] = {
    "ix_albums_artist_id": (
        "albums",
        "CREATE INDEX ix_albums_artist_id ON albums USING btree (artist_id)",
    ),
    "ix_albums_credits": ("albums", "CREATE INDEX ix_albums_credits ON albums USING gin (credits)"),
    "ix_albums_genres": (
        "albums",
        "CREATE INDEX ix_albums_genres ON albums USING gin (genres jsonb_path_ops)",
    ),
    "ix_albums_search_vector": (
        "albums",
        "CREATE INDEX ix_albums_search_vector ON albums USING gin (search_vector)",
    ),
    "ix_artists_aliases": (
        "artists",
        "CREATE INDEX ix_artists_aliases ON artists USING gin (aliases jsonb_path_ops)",
    ),
    "ix_artists_genres": (
        "artists",
        "CREATE INDEX ix_artists_genres ON artists USING gin (genres jsonb_path_ops)",
    ),
    "ix_artists_search_vector": (
        "artists",
        "CREATE INDEX ix_artists_search_vector ON artists USING gin (search_vector)",
    ),
    "ix_artists_social_links": (
        "artists",
        "CREATE INDEX ix_artists_social_links ON artists USING gin (social_links)",
    ),
    "ix_discovery_session_tracks_track_id": (
        "discovery_session_tracks",
        "CREATE INDEX ix_discovery_session_tracks_track_id "
        "ON discovery_session_tracks USING btree (track_id)",
    ),
    "ix_discovery_sessions_started_at": (
        "discovery_sessions",
        "CREATE INDEX ix_discovery_sessions_started_at ON "
        "discovery_sessions USING btree (started_at DESC)",
    ),
    "ix_discovery_sessions_user_id_active": (
        "discovery_sessions",
        "CREATE INDEX ix_discovery_sessions_user_id_active "
        "ON discovery_sessions USING btree (user_id) WHERE "
        "is_active",
    ),
    "ix_discovery_sessions_user_id_session_type": (
        "discovery_sessions",
        "CREATE INDEX "
        "ix_discovery_sessions_user_id_session_type ON "
        "discovery_sessions USING btree (user_id, "
        "session_type)",
    ),
    "ix_playlist_activities_created_at": (
        "playlist_activities",
        "CREATE INDEX ix_playlist_activities_created_at ON "
        "playlist_activities USING btree (created_at DESC)",
    ),
    "ix_playlist_activities_playlist_id_created_at": (
        "playlist_activities",
        "CREATE INDEX "
        "ix_playlist_activities_playlist_id_created_at "
        "ON playlist_activities USING btree "
        "(playlist_id, created_at DESC)",
    ),
    "ix_playlist_activities_user_id": (
        "playlist_activities",
        "CREATE INDEX ix_playlist_activities_user_id ON playlist_activities USING btree (user_id)",
    ),
    "ix_playlist_collaborators_invited_by": (
        "playlist_collaborators",
        "CREATE INDEX ix_playlist_collaborators_invited_by "
        "ON playlist_collaborators USING btree (invited_by)",
    ),
    "ix_playlist_collaborators_user_id": (
        "playlist_collaborators",
        "CREATE INDEX ix_playlist_collaborators_user_id ON "
        "playlist_collaborators USING btree (user_id)",
    ),
    "ix_playlist_follows_playlist_id": (
        "playlist_follows",
        "CREATE INDEX ix_playlist_follows_playlist_id ON "
        "playlist_follows USING btree (playlist_id)",
    ),
    "ix_playlist_track_votes_user_id": (
        "playlist_track_votes",
        "CREATE INDEX ix_playlist_track_votes_user_id ON "
        "playlist_track_votes USING btree (user_id)",
    ),
    "ix_playlist_tracks_added_by": (
        "playlist_tracks",
        "CREATE INDEX ix_playlist_tracks_added_by ON playlist_tracks USING btree (added_by)",
    ),
    "ix_playlist_tracks_track_id": (
        "playlist_tracks",
        "CREATE INDEX ix_playlist_tracks_track_id ON playlist_tracks USING btree (track_id)",
    ),
    "ix_playlists_dynamic_rules": (
        "playlists",
        "CREATE INDEX ix_playlists_dynamic_rules ON playlists USING gin (dynamic_rules)",
    ),
    "ix_playlists_last_modified_by": (
        "playlists",
        "CREATE INDEX ix_playlists_last_modified_by ON playlists USING btree (last_modified_by)",
    ),
    "ix_playlists_owner_id": (
        "playlists",
        "CREATE INDEX ix_playlists_owner_id ON playlists USING btree (owner_id)",
    ),
    "ix_playlists_parent_id": (
        "playlists",
        "CREATE INDEX ix_playlists_parent_id ON playlists USING btree (parent_id)",
    ),
    "ix_playlists_public_collaborative": (
        "playlists",
        "CREATE INDEX ix_playlists_public_collaborative ON "
        "playlists USING btree (is_public, is_collaborative) "
        "WHERE (is_public AND is_collaborative)",
    ),
    "ix_playlists_search_vector": (
        "playlists",
        "CREATE INDEX ix_playlists_search_vector ON playlists USING gin (search_vector)",
    ),
    "ix_playlists_tags": (
        "playlists",
        "CREATE INDEX ix_playlists_tags ON playlists USING gin (tags jsonb_path_ops)",
    ),
    "ix_track_sources_source_type_is_available": (
        "track_sources",
        "CREATE INDEX "
        "ix_track_sources_source_type_is_available ON "
        "track_sources USING btree (source_type, "
        "is_available)",
    ),
    "ix_tracks_album_id": (
        "tracks",
        "CREATE INDEX ix_tracks_album_id ON tracks USING btree (album_id)",
    ),
    "ix_tracks_artist_id_popularity": (
        "tracks",
        "CREATE INDEX ix_tracks_artist_id_popularity ON tracks "
        "USING btree (artist_id, popularity DESC)",
    ),
    "ix_tracks_audio_features": (
        "tracks",
        "CREATE INDEX ix_tracks_audio_features ON tracks USING gin (audio_features)",
    ),
    "ix_tracks_danceable": (
        "tracks",
        "CREATE INDEX ix_tracks_danceable ON tracks USING btree "
        "((((audio_features ->> 'danceability'::text))::double precision)) "
        "WHERE (((audio_features ->> 'danceability'::text))::double precision "
        "> (0.7)::double precision)",
    ),
    "ix_tracks_high_energy": (
        "tracks",
        "CREATE INDEX ix_tracks_high_energy ON tracks USING btree "
        "((((audio_features ->> 'energy'::text))::double precision)) WHERE "
        "(((audio_features ->> 'energy'::text))::double precision > "
        "(0.8)::double precision)",
    ),
    "ix_tracks_search_vector": (
        "tracks",
        "CREATE INDEX ix_tracks_search_vector ON tracks USING gin (search_vector)",
    ),
    "ix_user_album_collections_album_id": (
        "user_album_collections",
        "CREATE INDEX ix_user_album_collections_album_id ON "
        "user_album_collections USING btree (album_id)",
    ),
    "ix_user_artist_follows_artist_id": (
        "user_artist_follows",
        "CREATE INDEX ix_user_artist_follows_artist_id ON "
        "user_artist_follows USING btree (artist_id)",
    ),
    "ix_user_interactions_created_at": (
        "user_interactions",
        "CREATE INDEX ix_user_interactions_created_at ON "
        "user_interactions USING btree (created_at DESC)",
    ),
    "ix_user_interactions_track_id_interaction_type": (
        "user_interactions",
        "CREATE INDEX "
        "ix_user_interactions_track_id_interaction_type "
        "ON user_interactions USING btree "
        "(track_id, interaction_type)",
    ),
    "ix_user_interactions_user_id_created_at": (
        "user_interactions",
        "CREATE INDEX "
        "ix_user_interactions_user_id_created_at ON "
        "user_interactions USING btree (user_id, "
        "created_at DESC)",
    ),
    "ix_user_library_added_at": (
        "user_library",
        "CREATE INDEX ix_user_library_added_at ON user_library USING btree (added_at DESC)",
    ),
    "ix_user_library_track_id": (
        "user_library",
        "CREATE INDEX ix_user_library_track_id ON user_library USING btree (track_id)",
    ),
    "ix_user_library_user_id_added_at": (
        "user_library",
        "CREATE INDEX ix_user_library_user_id_added_at ON "
        "user_library USING btree (user_id, added_at DESC)",
    ),
    "ix_user_library_user_id_favorite": (
        "user_library",
        "CREATE INDEX ix_user_library_user_id_favorite ON "
        "user_library USING btree (user_id) WHERE is_favorite",
    ),
}
