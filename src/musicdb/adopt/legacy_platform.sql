-- Legacy (hand-built) music platform database, reproduced as a test fixture.
--
-- This is the STARTING POINT that `musicdb migrate adopt` must take over, not the target schema.
-- It deliberately keeps every defect of the production database:
--   * timestamps are `timestamp without time zone` (holding naive UTC);
--   * no server defaults (the application supplied them), apart from the serial id sequences;
--   * every foreign key is ON DELETE NO ACTION;
--   * search_vector is a plain `text` column;
--   * track_sources.source_id is nullable, so (track_id, source_type, NULL) may repeat;
--   * exact-duplicate and left-prefix-redundant indexes, and FK columns without an index;
--   * the updated_at trigger is attached to users, discovery_sessions and playlist_activities
--     (which have no updated_at column) and missing on the three *_sources tables;
--   * mv_track_popularity has no unique index and counts every interaction type as listening;
--   * column-level UNIQUE constraints carry the default `<table>_<column>_key` names.
--
-- Runs unchanged with `psql -v ON_ERROR_STOP=1 -f legacy_platform.sql` and as one script through
-- psycopg (`conn.execute(sql)` without parameters): no psql meta-commands, no transaction control.
-- Expects an empty database (or at least an empty `public` schema) and creates everything in the
-- current schema.
--
-- Index inventory: 20 primary keys + 39 model-declared indexes/unique constraints + 46 indexes of the
-- performance revision (44 on tables + 2 on the materialized view) + alembic_version_pkc = 106.
-- Count query:
--
--   SELECT count(*) FROM pg_indexes WHERE schemaname = 'public';   -- expect 106
--
-- (pg_indexes also lists indexes on materialized views, so the two MV indexes are included.)

-- ---------------------------------------------------------------------------------------------
-- Alembic bookkeeping (version_num widened by hand from varchar(32) to varchar(64))
-- ---------------------------------------------------------------------------------------------

CREATE TABLE alembic_version (
    version_num varchar(64) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('20250618_075149_add_performance_indexes');

-- ---------------------------------------------------------------------------------------------
-- 1. Tables (section 1 of the legacy description); model-declared indexes follow each table
-- ---------------------------------------------------------------------------------------------

-- 1.1 users
CREATE TABLE users (
    id serial NOT NULL,
    username varchar(80) NOT NULL,
    email varchar(120) NOT NULL,
    password_hash varchar(255) NOT NULL,
    is_active boolean,
    is_admin boolean,
    created_at timestamp without time zone,
    last_login timestamp without time zone,
    default_language varchar(10),
    default_categories text,
    default_engines text,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_key UNIQUE (email)
);

-- 1.2 artists
CREATE TABLE artists (
    id serial NOT NULL,
    name varchar(255) NOT NULL,
    sort_name varchar(255),
    musicbrainz_id varchar(36),
    spotify_id varchar(255),
    bio text,
    country varchar(2),
    formed_year integer,
    disbanded_year integer,
    image_url varchar(500),
    thumbnail_url varchar(500),
    banner_url varchar(500),
    genres jsonb,
    aliases jsonb,
    members jsonb,
    social_links jsonb,
    popularity double precision,
    follower_count integer,
    monthly_listeners integer,
    is_verified boolean,
    verification_source varchar(50),
    extra_metadata jsonb,
    search_vector text,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    last_synced timestamp without time zone,
    CONSTRAINT artists_pkey PRIMARY KEY (id),
    CONSTRAINT artists_musicbrainz_id_key UNIQUE (musicbrainz_id)
);
CREATE INDEX idx_artist_country ON artists (country);
CREATE INDEX idx_artist_search ON artists (name, sort_name);
CREATE INDEX idx_artist_popularity ON artists (popularity);

-- 1.3 albums
CREATE TABLE albums (
    id serial NOT NULL,
    title varchar(255) NOT NULL,
    upc varchar(12),
    catalog_number varchar(100),
    musicbrainz_id varchar(36),
    album_type varchar(20),
    release_date date,
    release_precision varchar(10),
    cover_url varchar(500),
    cover_url_small varchar(500),
    cover_url_large varchar(500),
    label varchar(255),
    total_tracks integer,
    total_discs integer,
    genres jsonb,
    styles jsonb,
    moods jsonb,
    themes jsonb,
    credits jsonb,
    popularity double precision,
    rating double precision,
    rating_count integer,
    extra_metadata jsonb,
    is_remaster boolean,
    original_release_date date,
    version_notes text,
    search_vector text,
    artist_id integer,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    last_synced timestamp without time zone,
    CONSTRAINT albums_pkey PRIMARY KEY (id),
    CONSTRAINT albums_musicbrainz_id_key UNIQUE (musicbrainz_id),
    CONSTRAINT check_total_tracks CHECK (total_tracks >= 0),
    CONSTRAINT albums_artist_id_fkey FOREIGN KEY (artist_id) REFERENCES artists (id)
);
CREATE INDEX idx_album_search ON albums (title, artist_id);
CREATE INDEX idx_album_release ON albums (release_date);
CREATE INDEX idx_album_type ON albums (album_type);

-- 1.4 tracks
CREATE TABLE tracks (
    id serial NOT NULL,
    title text NOT NULL,
    duration_ms integer,
    isrc varchar(12),
    audio_fingerprint varchar(255),
    fingerprint_algorithm varchar(50),
    audio_features jsonb,
    artist_id integer,
    album_id integer,
    explicit boolean,
    popularity double precision,
    preview_url varchar(500),
    lyrics text,
    extra_metadata jsonb,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    last_analyzed timestamp without time zone,
    search_vector text,
    CONSTRAINT tracks_pkey PRIMARY KEY (id),
    CONSTRAINT check_duration CHECK (duration_ms >= 0),
    CONSTRAINT tracks_artist_id_fkey FOREIGN KEY (artist_id) REFERENCES artists (id),
    CONSTRAINT tracks_album_id_fkey FOREIGN KEY (album_id) REFERENCES albums (id)
);
CREATE INDEX idx_track_popularity ON tracks (popularity);
CREATE INDEX idx_track_search ON tracks (title, artist_id);
CREATE INDEX idx_track_audio ON tracks (audio_fingerprint);

-- 1.5 artist_sources
CREATE TABLE artist_sources (
    id serial NOT NULL,
    artist_id integer NOT NULL,
    source_type varchar(50) NOT NULL,
    source_id varchar(255) NOT NULL,
    source_uri varchar(500),
    source_extra_metadata jsonb,
    is_primary boolean,
    last_synced timestamp without time zone,
    sync_status varchar(20),
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    CONSTRAINT artist_sources_pkey PRIMARY KEY (id),
    CONSTRAINT uq_artist_source UNIQUE (artist_id, source_type, source_id),
    CONSTRAINT artist_sources_artist_id_fkey FOREIGN KEY (artist_id) REFERENCES artists (id)
);

-- 1.6 album_sources
CREATE TABLE album_sources (
    id serial NOT NULL,
    album_id integer NOT NULL,
    source_type varchar(50) NOT NULL,
    source_id varchar(255) NOT NULL,
    source_uri varchar(500),
    source_extra_metadata jsonb,
    is_available boolean,
    geo_restrictions jsonb,
    is_primary boolean,
    last_synced timestamp without time zone,
    sync_status varchar(20),
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    CONSTRAINT album_sources_pkey PRIMARY KEY (id),
    CONSTRAINT uq_album_source UNIQUE (album_id, source_type, source_id),
    CONSTRAINT album_sources_album_id_fkey FOREIGN KEY (album_id) REFERENCES albums (id)
);

-- 1.7 track_sources (source_id nullable: the uniqueness rule lets NULL duplicates through)
CREATE TABLE track_sources (
    id serial NOT NULL,
    track_id integer NOT NULL,
    source_type varchar(50) NOT NULL,
    source_id varchar(255),
    source_uri varchar(500),
    source_extra_metadata jsonb,
    audio_quality varchar(20),
    is_available boolean,
    geo_restrictions jsonb,
    last_synced timestamp without time zone,
    sync_status varchar(20),
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    CONSTRAINT track_sources_pkey PRIMARY KEY (id),
    CONSTRAINT uq_track_source UNIQUE (track_id, source_type, source_id),
    CONSTRAINT track_sources_track_id_fkey FOREIGN KEY (track_id) REFERENCES tracks (id)
);
CREATE INDEX idx_source_availability ON track_sources (source_type, is_available);

-- 1.8 playlists
CREATE TABLE playlists (
    id serial NOT NULL,
    uuid uuid NOT NULL,
    name varchar(255) NOT NULL,
    owner_id integer NOT NULL,
    is_public boolean,
    is_collaborative boolean,
    parent_id integer,
    folder_type boolean,
    description text,
    cover_url varchar(500),
    tags jsonb,
    is_dynamic boolean,
    dynamic_rules jsonb,
    collaboration_mode varchar(20),
    max_tracks_per_user integer,
    voting_enabled boolean,
    share_token varchar(32),
    password_hash varchar(255),
    expires_at timestamp without time zone,
    play_count integer,
    like_count integer,
    share_count integer,
    total_duration_ms bigint,
    extra_metadata jsonb,
    version integer,
    last_modified_by integer,
    search_vector text,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    last_played_at timestamp without time zone,
    CONSTRAINT playlists_pkey PRIMARY KEY (id),
    CONSTRAINT playlists_uuid_key UNIQUE (uuid),
    CONSTRAINT playlists_share_token_key UNIQUE (share_token),
    CONSTRAINT check_playlist_duration CHECK (total_duration_ms >= 0),
    CONSTRAINT ck_folder_not_dynamic CHECK (NOT (folder_type AND is_dynamic)),
    CONSTRAINT playlists_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id),
    CONSTRAINT playlists_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES playlists (id),
    CONSTRAINT playlists_last_modified_by_fkey FOREIGN KEY (last_modified_by) REFERENCES users (id)
);
CREATE INDEX idx_playlist_collaborative ON playlists (is_collaborative, is_public);
CREATE INDEX idx_playlist_owner ON playlists (owner_id, is_public);
CREATE INDEX idx_playlist_hierarchy ON playlists (parent_id);

-- 1.9 playlist_tracks
CREATE TABLE playlist_tracks (
    id serial NOT NULL,
    playlist_id integer NOT NULL,
    track_id integer NOT NULL,
    position integer NOT NULL,
    added_by integer NOT NULL,
    added_at timestamp without time zone NOT NULL,
    vote_count integer,
    is_locked boolean,
    custom_note varchar(500),
    start_time_ms integer,
    end_time_ms integer,
    CONSTRAINT playlist_tracks_pkey PRIMARY KEY (id),
    CONSTRAINT uq_playlist_position UNIQUE (playlist_id, position),
    CONSTRAINT playlist_tracks_playlist_id_fkey FOREIGN KEY (playlist_id) REFERENCES playlists (id),
    CONSTRAINT playlist_tracks_track_id_fkey FOREIGN KEY (track_id) REFERENCES tracks (id),
    CONSTRAINT playlist_tracks_added_by_fkey FOREIGN KEY (added_by) REFERENCES users (id)
);
CREATE INDEX idx_playlist_track ON playlist_tracks (playlist_id, track_id);

-- 1.10 playlist_collaborators
CREATE TABLE playlist_collaborators (
    id serial NOT NULL,
    playlist_id integer NOT NULL,
    user_id integer NOT NULL,
    can_add_tracks boolean,
    can_remove_tracks boolean,
    can_reorder_tracks boolean,
    can_invite_others boolean,
    can_change_details boolean,
    role varchar(20),
    invited_by integer,
    invitation_status varchar(20),
    tracks_added integer,
    tracks_removed integer,
    last_active timestamp without time zone,
    invited_at timestamp without time zone NOT NULL,
    joined_at timestamp without time zone,
    CONSTRAINT playlist_collaborators_pkey PRIMARY KEY (id),
    CONSTRAINT uq_playlist_collaborator UNIQUE (playlist_id, user_id),
    CONSTRAINT playlist_collaborators_playlist_id_fkey
        FOREIGN KEY (playlist_id) REFERENCES playlists (id),
    CONSTRAINT playlist_collaborators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT playlist_collaborators_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES users (id)
);

-- 1.11 playlist_activities (no updated_at column, yet a trigger is attached below)
CREATE TABLE playlist_activities (
    id serial NOT NULL,
    playlist_id integer NOT NULL,
    user_id integer NOT NULL,
    activity_type varchar(50) NOT NULL,
    activity_data jsonb,
    playlist_version integer NOT NULL,
    created_at timestamp without time zone NOT NULL,
    CONSTRAINT playlist_activities_pkey PRIMARY KEY (id),
    CONSTRAINT playlist_activities_playlist_id_fkey
        FOREIGN KEY (playlist_id) REFERENCES playlists (id),
    CONSTRAINT playlist_activities_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX idx_playlist_activity_time ON playlist_activities (playlist_id, created_at);

-- 1.12 playlist_track_votes (vote_type has no CHECK)
CREATE TABLE playlist_track_votes (
    id serial NOT NULL,
    playlist_track_id integer NOT NULL,
    user_id integer NOT NULL,
    vote_type integer NOT NULL,
    voted_at timestamp without time zone NOT NULL,
    CONSTRAINT playlist_track_votes_pkey PRIMARY KEY (id),
    CONSTRAINT uq_playlist_track_vote UNIQUE (playlist_track_id, user_id),
    CONSTRAINT playlist_track_votes_playlist_track_id_fkey
        FOREIGN KEY (playlist_track_id) REFERENCES playlist_tracks (id),
    CONSTRAINT playlist_track_votes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);

-- 1.13 playlist_follows
CREATE TABLE playlist_follows (
    id serial NOT NULL,
    user_id integer NOT NULL,
    playlist_id integer NOT NULL,
    followed_at timestamp without time zone NOT NULL,
    notifications_enabled boolean,
    CONSTRAINT playlist_follows_pkey PRIMARY KEY (id),
    CONSTRAINT uq_user_playlist_follow UNIQUE (user_id, playlist_id),
    CONSTRAINT playlist_follows_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT playlist_follows_playlist_id_fkey FOREIGN KEY (playlist_id) REFERENCES playlists (id)
);

-- 1.14 user_music_profiles
CREATE TABLE user_music_profiles (
    id serial NOT NULL,
    user_id integer NOT NULL,
    favorite_genres jsonb,
    disliked_genres jsonb,
    favorite_decades jsonb,
    preferred_audio_quality varchar(20),
    explicit_content_allowed boolean,
    discovery_mode varchar(20),
    energy_preference double precision,
    mood_preferences jsonb,
    language_preferences jsonb,
    total_listening_time_ms bigint,
    tracks_played integer,
    unique_tracks_played integer,
    unique_artists_played integer,
    average_session_duration_ms bigint,
    discovery_ratio double precision,
    genre_diversity_score double precision,
    time_based_preferences jsonb,
    device_preferences jsonb,
    taste_vector jsonb,
    last_taste_update timestamp without time zone,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    CONSTRAINT user_music_profiles_pkey PRIMARY KEY (id),
    CONSTRAINT user_music_profiles_user_id_key UNIQUE (user_id),
    CONSTRAINT user_music_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);

-- 1.15 user_library (rating has no CHECK)
CREATE TABLE user_library (
    id serial NOT NULL,
    user_id integer NOT NULL,
    track_id integer NOT NULL,
    added_at timestamp without time zone NOT NULL,
    tags jsonb,
    rating integer,
    play_count integer,
    skip_count integer,
    last_played_at timestamp without time zone,
    total_play_time_ms bigint,
    notes text,
    is_favorite boolean,
    CONSTRAINT user_library_pkey PRIMARY KEY (id),
    CONSTRAINT uq_user_library_track UNIQUE (user_id, track_id),
    CONSTRAINT user_library_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT user_library_track_id_fkey FOREIGN KEY (track_id) REFERENCES tracks (id)
);
CREATE INDEX idx_user_library_favorites ON user_library (user_id, is_favorite);

-- 1.16 user_interactions
CREATE TABLE user_interactions (
    id serial NOT NULL,
    user_id integer NOT NULL,
    track_id integer NOT NULL,
    interaction_type varchar(50) NOT NULL,
    context_type varchar(50),
    context_id varchar(255),
    play_duration_ms integer,
    track_duration_ms integer,
    completion_percentage double precision,
    skip_position_ms integer,
    skip_reason varchar(50),
    device_type varchar(50),
    session_id uuid,
    extra_metadata jsonb,
    created_at timestamp without time zone NOT NULL,
    CONSTRAINT user_interactions_pkey PRIMARY KEY (id),
    CONSTRAINT check_play_duration CHECK (play_duration_ms >= 0),
    CONSTRAINT user_interactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT user_interactions_track_id_fkey FOREIGN KEY (track_id) REFERENCES tracks (id)
);
CREATE INDEX idx_user_interaction_analytics
    ON user_interactions (user_id, interaction_type, created_at);
CREATE INDEX idx_user_interaction_session ON user_interactions (session_id, created_at);

-- 1.17 discovery_sessions (no updated_at column, yet a trigger is attached below)
CREATE TABLE discovery_sessions (
    id serial NOT NULL,
    uuid uuid NOT NULL,
    user_id integer NOT NULL,
    session_type varchar(50) NOT NULL,
    session_name varchar(255),
    seed_type varchar(50),
    seed_data jsonb,
    discovery_params jsonb,
    tracks_presented integer,
    tracks_played integer,
    tracks_skipped integer,
    tracks_liked integer,
    tracks_added_to_library integer,
    total_play_time_ms bigint,
    average_play_percentage double precision,
    discovery_score double precision,
    user_satisfaction double precision,
    algorithm_version varchar(50),
    is_active boolean,
    current_position integer,
    started_at timestamp without time zone NOT NULL,
    ended_at timestamp without time zone,
    last_interaction_at timestamp without time zone,
    CONSTRAINT discovery_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT discovery_sessions_uuid_key UNIQUE (uuid),
    CONSTRAINT discovery_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX idx_discovery_session_user ON discovery_sessions (user_id, is_active);
CREATE INDEX idx_discovery_session_type ON discovery_sessions (session_type, started_at);

-- 1.18 discovery_session_tracks
CREATE TABLE discovery_session_tracks (
    id serial NOT NULL,
    session_id integer NOT NULL,
    track_id integer NOT NULL,
    position integer NOT NULL,
    recommendation_score double precision,
    recommendation_reasons jsonb,
    was_played boolean,
    play_duration_ms integer,
    was_skipped boolean,
    skip_time_ms integer,
    was_liked boolean,
    was_added_to_library boolean,
    presented_at timestamp without time zone NOT NULL,
    interacted_at timestamp without time zone,
    CONSTRAINT discovery_session_tracks_pkey PRIMARY KEY (id),
    CONSTRAINT uq_session_track_position UNIQUE (session_id, position),
    CONSTRAINT discovery_session_tracks_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES discovery_sessions (id),
    CONSTRAINT discovery_session_tracks_track_id_fkey FOREIGN KEY (track_id) REFERENCES tracks (id)
);

-- 1.19 user_artist_follows
CREATE TABLE user_artist_follows (
    id serial NOT NULL,
    user_id integer NOT NULL,
    artist_id integer NOT NULL,
    followed_at timestamp without time zone NOT NULL,
    follow_source varchar(50),
    notifications_enabled boolean,
    CONSTRAINT user_artist_follows_pkey PRIMARY KEY (id),
    CONSTRAINT uq_user_artist_follow UNIQUE (user_id, artist_id),
    CONSTRAINT user_artist_follows_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT user_artist_follows_artist_id_fkey FOREIGN KEY (artist_id) REFERENCES artists (id)
);

-- 1.20 user_album_collections
CREATE TABLE user_album_collections (
    id serial NOT NULL,
    user_id integer NOT NULL,
    album_id integer NOT NULL,
    added_at timestamp without time zone NOT NULL,
    tags jsonb,
    play_count integer,
    CONSTRAINT user_album_collections_pkey PRIMARY KEY (id),
    CONSTRAINT uq_user_album_collection UNIQUE (user_id, album_id),
    CONSTRAINT user_album_collections_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT user_album_collections_album_id_fkey FOREIGN KEY (album_id) REFERENCES albums (id)
);

-- ---------------------------------------------------------------------------------------------
-- 2.1 Indexes of revision 20250618_075149_add_performance_indexes (44 on tables)
-- ---------------------------------------------------------------------------------------------

-- A. "Foreign-key" indexes (18)
CREATE INDEX idx_tracks_artist_id ON tracks (artist_id);
CREATE INDEX idx_tracks_album_id ON tracks (album_id);
CREATE INDEX idx_playlist_tracks_playlist_id ON playlist_tracks (playlist_id);
CREATE INDEX idx_playlist_tracks_track_id ON playlist_tracks (track_id);
CREATE INDEX idx_user_interactions_user_id ON user_interactions (user_id);
CREATE INDEX idx_user_interactions_track_id ON user_interactions (track_id);
CREATE INDEX idx_user_library_user_id ON user_library (user_id);
CREATE INDEX idx_user_library_track_id ON user_library (track_id);
CREATE INDEX idx_discovery_sessions_user_id ON discovery_sessions (user_id);
CREATE INDEX idx_discovery_session_tracks_session_id ON discovery_session_tracks (session_id);
CREATE INDEX idx_discovery_session_tracks_track_id ON discovery_session_tracks (track_id);
CREATE INDEX idx_playlist_collaborators_playlist_id ON playlist_collaborators (playlist_id);
CREATE INDEX idx_playlist_collaborators_user_id ON playlist_collaborators (user_id);
CREATE INDEX idx_playlist_activities_playlist_id ON playlist_activities (playlist_id);
CREATE INDEX idx_playlist_activities_user_id ON playlist_activities (user_id);
CREATE INDEX idx_track_sources_track_id ON track_sources (track_id);
CREATE INDEX idx_artist_sources_artist_id ON artist_sources (artist_id);
CREATE INDEX idx_album_sources_album_id ON album_sources (album_id);

-- B. Composite (5)
CREATE INDEX idx_tracks_artist_album ON tracks (artist_id, album_id);
CREATE INDEX idx_user_interactions_composite
    ON user_interactions (user_id, track_id, interaction_type);
CREATE INDEX idx_playlist_tracks_position ON playlist_tracks (playlist_id, position);
CREATE INDEX idx_user_library_composite ON user_library (user_id, added_at);
CREATE INDEX idx_discovery_sessions_user_type ON discovery_sessions (user_id, session_type);

-- C. Time-based, DESC (4)
CREATE INDEX idx_user_interactions_created ON user_interactions (created_at DESC);
CREATE INDEX idx_discovery_sessions_started ON discovery_sessions (started_at DESC);
CREATE INDEX idx_playlist_activities_created ON playlist_activities (created_at DESC);
CREATE INDEX idx_user_library_added ON user_library (added_at DESC);

-- D. JSONB GIN (8)
CREATE INDEX idx_tracks_audio_features ON tracks USING gin (audio_features);
CREATE INDEX idx_artists_genres ON artists USING gin (genres);
CREATE INDEX idx_artists_aliases ON artists USING gin (aliases);
CREATE INDEX idx_artists_social_links ON artists USING gin (social_links);
CREATE INDEX idx_albums_genres ON albums USING gin (genres);
CREATE INDEX idx_albums_credits ON albums USING gin (credits);
CREATE INDEX idx_playlists_tags ON playlists USING gin (tags);
CREATE INDEX idx_playlists_dynamic_rules ON playlists USING gin (dynamic_rules);

-- E. Partial (1); the two planned expression indexes on audio_features were never created
CREATE INDEX idx_playlists_public_collab ON playlists (is_collaborative, is_public)
    WHERE is_public = true AND is_collaborative = true;

-- F. Full-text expression indexes over the text search_vector column (4)
CREATE INDEX idx_tracks_search ON tracks USING gin (
    to_tsvector('english', coalesce(title, '') || ' ' || coalesce(search_vector, ''))
);
CREATE INDEX idx_artists_search ON artists USING gin (
    to_tsvector('english', coalesce(name, '') || ' ' || coalesce(search_vector, ''))
);
CREATE INDEX idx_albums_search ON albums USING gin (
    to_tsvector('english', coalesce(title, '') || ' ' || coalesce(search_vector, ''))
);
CREATE INDEX idx_playlists_search ON playlists USING gin (
    to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))
);

-- G. Unique (3), each an exact duplicate of a uq_*_source constraint
CREATE UNIQUE INDEX IF NOT EXISTS idx_track_sources_unique
    ON track_sources (track_id, source_type, source_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_artist_sources_unique
    ON artist_sources (artist_id, source_type, source_id);
CREATE UNIQUE INDEX IF NOT EXISTS idx_album_sources_unique
    ON album_sources (album_id, source_type, source_id);

-- H. Other (1)
CREATE INDEX idx_user_interactions_track_type ON user_interactions (track_id, interaction_type);

-- ---------------------------------------------------------------------------------------------
-- 3. Materialized view (every interaction type counts as "listening"; no unique index, so
--    REFRESH MATERIALIZED VIEW CONCURRENTLY always fails)
-- ---------------------------------------------------------------------------------------------

CREATE MATERIALIZED VIEW IF NOT EXISTS mv_track_popularity AS
SELECT
    t.id,
    t.title,
    t.artist_id,
    count(DISTINCT ui.user_id) AS unique_listeners,
    count(ui.id) FILTER (WHERE ui.interaction_type = 'play') AS total_plays,
    count(ui.id) FILTER (WHERE ui.interaction_type = 'like') AS total_likes,
    count(ui.id) FILTER (WHERE ui.interaction_type = 'skip') AS total_skips,
    avg(ui.play_duration_ms) FILTER (WHERE ui.interaction_type = 'play') AS avg_play_duration,
    max(ui.created_at) AS last_played_at
FROM tracks t
LEFT JOIN user_interactions ui ON ui.track_id = t.id
GROUP BY t.id, t.title, t.artist_id;

-- I. Materialized view indexes (2), both non-unique
CREATE INDEX idx_mv_track_popularity_listeners ON mv_track_popularity (unique_listeners DESC);
CREATE INDEX idx_mv_track_popularity_plays ON mv_track_popularity (total_plays DESC);

-- ---------------------------------------------------------------------------------------------
-- 4. Function and triggers (attached to the wrong set of tables)
-- ---------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS trigger AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER update_tracks_updated_at BEFORE UPDATE ON tracks
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_artists_updated_at BEFORE UPDATE ON artists
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_albums_updated_at BEFORE UPDATE ON albums
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_playlists_updated_at BEFORE UPDATE ON playlists
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_user_music_profiles_updated_at BEFORE UPDATE ON user_music_profiles
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_discovery_sessions_updated_at BEFORE UPDATE ON discovery_sessions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER update_playlist_activities_updated_at BEFORE UPDATE ON playlist_activities
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
