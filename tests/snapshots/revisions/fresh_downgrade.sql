-- ==== 20261204_090000_platform_app_compatible downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["public.musicdb_contract_version"]
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;
SELECT g.rolname, a.privilege_type, a.is_grantable FROM pg_catalog.pg_class AS c, aclexplode(c.relacl) AS a JOIN pg_catalog.pg_roles AS g ON g.oid = a.grantee WHERE c.oid = to_regclass('public.mv_track_popularity') AND a.grantee <> c.relowner;
DROP MATERIALIZED VIEW mv_track_popularity;
SET LOCAL TimeZone = 'UTC';
ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN last_login TYPE timestamp with time zone;
ALTER TABLE artists ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN last_synced TYPE timestamp with time zone;
ALTER TABLE albums ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN last_synced TYPE timestamp with time zone;
ALTER TABLE tracks ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN last_analyzed TYPE timestamp with time zone;
ALTER TABLE artist_sources ALTER COLUMN last_synced TYPE timestamp with time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE album_sources ALTER COLUMN last_synced TYPE timestamp with time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE track_sources ALTER COLUMN last_synced TYPE timestamp with time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE playlists ALTER COLUMN expires_at TYPE timestamp with time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN last_played_at TYPE timestamp with time zone;
ALTER TABLE playlist_tracks ALTER COLUMN added_at DROP DEFAULT, ALTER COLUMN added_at TYPE timestamp with time zone, ALTER COLUMN added_at SET DEFAULT now();
ALTER TABLE playlist_collaborators ALTER COLUMN last_active TYPE timestamp with time zone, ALTER COLUMN invited_at DROP DEFAULT, ALTER COLUMN invited_at TYPE timestamp with time zone, ALTER COLUMN invited_at SET DEFAULT now(), ALTER COLUMN joined_at TYPE timestamp with time zone;
ALTER TABLE playlist_activities ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE playlist_track_votes ALTER COLUMN voted_at DROP DEFAULT, ALTER COLUMN voted_at TYPE timestamp with time zone, ALTER COLUMN voted_at SET DEFAULT now();
ALTER TABLE playlist_follows ALTER COLUMN followed_at DROP DEFAULT, ALTER COLUMN followed_at TYPE timestamp with time zone, ALTER COLUMN followed_at SET DEFAULT now();
ALTER TABLE user_music_profiles ALTER COLUMN last_taste_update TYPE timestamp with time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now(), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp with time zone, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE user_library ALTER COLUMN added_at DROP DEFAULT, ALTER COLUMN added_at TYPE timestamp with time zone, ALTER COLUMN added_at SET DEFAULT now(), ALTER COLUMN last_played_at TYPE timestamp with time zone;
ALTER TABLE user_interactions ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp with time zone, ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE discovery_sessions ALTER COLUMN started_at DROP DEFAULT, ALTER COLUMN started_at TYPE timestamp with time zone, ALTER COLUMN started_at SET DEFAULT now(), ALTER COLUMN ended_at TYPE timestamp with time zone, ALTER COLUMN last_interaction_at DROP DEFAULT, ALTER COLUMN last_interaction_at TYPE timestamp with time zone, ALTER COLUMN last_interaction_at SET DEFAULT now();
ALTER TABLE discovery_session_tracks ALTER COLUMN presented_at DROP DEFAULT, ALTER COLUMN presented_at TYPE timestamp with time zone, ALTER COLUMN presented_at SET DEFAULT now(), ALTER COLUMN interacted_at TYPE timestamp with time zone;
ALTER TABLE user_artist_follows ALTER COLUMN followed_at DROP DEFAULT, ALTER COLUMN followed_at TYPE timestamp with time zone, ALTER COLUMN followed_at SET DEFAULT now();
ALTER TABLE user_album_collections ALTER COLUMN added_at DROP DEFAULT, ALTER COLUMN added_at TYPE timestamp with time zone, ALTER COLUMN added_at SET DEFAULT now();
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
WITH DATA;
CREATE UNIQUE INDEX uq_mv_track_popularity_track_id ON mv_track_popularity (track_id);
CREATE INDEX ix_mv_track_popularity_total_plays ON mv_track_popularity (total_plays DESC);
CREATE INDEX ix_mv_track_popularity_unique_listeners ON mv_track_popularity (unique_listeners DESC);
ALTER TABLE track_sources ALTER COLUMN source_id SET NOT NULL, ADD CONSTRAINT uq_track_sources_source_type_source_id UNIQUE (source_type, source_id);
DROP INDEX ix_track_sources_source_type_source_id;
ALTER TABLE tracks DROP COLUMN search_vector;
ALTER TABLE tracks RENAME COLUMN search_document TO search_vector;
ALTER INDEX ix_tracks_search_document RENAME TO ix_tracks_search_vector;
ALTER TABLE artists DROP COLUMN search_vector;
ALTER TABLE artists RENAME COLUMN search_document TO search_vector;
ALTER INDEX ix_artists_search_document RENAME TO ix_artists_search_vector;
ALTER TABLE albums DROP COLUMN search_vector;
ALTER TABLE albums RENAME COLUMN search_document TO search_vector;
ALTER INDEX ix_albums_search_document RENAME TO ix_albums_search_vector;
ALTER TABLE playlists DROP COLUMN search_vector;
ALTER TABLE playlists RENAME COLUMN search_document TO search_vector;
ALTER INDEX ix_playlists_search_document RENAME TO ix_playlists_search_vector;

-- ==== 20261128_090000_maintenance_log downgrade
DROP INDEX ix_maintenance_log_target_operation_started_at;
DROP TABLE maintenance_log;

-- ==== 20261201_090900_legacy_create_indexes downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090800_legacy_validate_constraints downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090700_legacy_constraints downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090600_legacy_columns_listening downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090500_legacy_columns_catalogue downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090400_legacy_columns_accounts downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090300_legacy_drop_redundant_indexes downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090200_legacy_resolve_rows downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20261201_090100_legacy_updated_at_triggers downgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]

-- ==== 20250618_075149_add_performance_indexes downgrade
DROP MATERIALIZED VIEW mv_track_popularity;
DROP TRIGGER trg_tracks_updated_at ON tracks;
DROP TRIGGER trg_artists_updated_at ON artists;
DROP TRIGGER trg_albums_updated_at ON albums;
DROP TRIGGER trg_playlists_updated_at ON playlists;
DROP TRIGGER trg_user_music_profiles_updated_at ON user_music_profiles;
DROP TRIGGER trg_track_sources_updated_at ON track_sources;
DROP TRIGGER trg_artist_sources_updated_at ON artist_sources;
DROP TRIGGER trg_album_sources_updated_at ON album_sources;
DROP FUNCTION update_updated_at_column();
DROP INDEX ix_tracks_search_vector;
ALTER TABLE tracks DROP COLUMN search_vector;
DROP INDEX ix_artists_search_vector;
ALTER TABLE artists DROP COLUMN search_vector;
DROP INDEX ix_albums_search_vector;
ALTER TABLE albums DROP COLUMN search_vector;
DROP INDEX ix_playlists_search_vector;
ALTER TABLE playlists DROP COLUMN search_vector;
DROP INDEX ix_playlists_public_collaborative;
DROP INDEX ix_tracks_high_energy;
DROP INDEX ix_tracks_danceable;
DROP INDEX ix_discovery_sessions_user_id_active;
DROP INDEX ix_user_library_user_id_added_at_favorite;
DROP INDEX ix_tracks_audio_features;
DROP INDEX ix_artists_genres;
DROP INDEX ix_artists_aliases;
DROP INDEX ix_artists_social_links;
DROP INDEX ix_albums_genres;
DROP INDEX ix_albums_credits;
DROP INDEX ix_playlists_tags;
DROP INDEX ix_playlists_dynamic_rules;
DROP INDEX ix_tracks_artist_id_popularity;
DROP INDEX ix_user_interactions_user_id_created_at;
DROP INDEX ix_user_interactions_track_id_interaction_type;
DROP INDEX ix_playlist_activities_playlist_id_created_at;
DROP INDEX ix_user_library_user_id_added_at;
DROP INDEX ix_discovery_sessions_user_id_session_type;
DROP INDEX ix_track_sources_source_type_is_available;
DROP INDEX ix_user_interactions_created_at;
DROP INDEX ix_discovery_sessions_started_at;
DROP INDEX ix_playlist_activities_created_at;
DROP INDEX ix_user_library_added_at;
ALTER TABLE tracks DROP CONSTRAINT ck_tracks_duration_ms_non_negative;
ALTER TABLE user_interactions DROP CONSTRAINT ck_user_interactions_play_duration_ms_non_negative;
ALTER TABLE playlists DROP CONSTRAINT ck_playlists_total_duration_ms_non_negative;
ALTER TABLE albums DROP CONSTRAINT ck_albums_total_tracks_non_negative;

-- ==== 20250618_075008_initial_schema downgrade
DROP INDEX ix_albums_artist_id;
DROP INDEX ix_tracks_album_id;
DROP INDEX ix_playlists_owner_id;
DROP INDEX ix_playlists_parent_id;
DROP INDEX ix_playlists_last_modified_by;
DROP INDEX ix_playlist_tracks_track_id;
DROP INDEX ix_playlist_tracks_added_by;
DROP INDEX ix_playlist_collaborators_user_id;
DROP INDEX ix_playlist_collaborators_invited_by;
DROP INDEX ix_playlist_activities_user_id;
DROP INDEX ix_playlist_track_votes_user_id;
DROP INDEX ix_playlist_follows_playlist_id;
DROP INDEX ix_user_library_track_id;
DROP INDEX ix_discovery_session_tracks_track_id;
DROP INDEX ix_user_artist_follows_artist_id;
DROP INDEX ix_user_album_collections_album_id;
DROP TABLE user_album_collections;
DROP TABLE user_artist_follows;
DROP TABLE discovery_session_tracks;
DROP TABLE discovery_sessions;
DROP TABLE user_interactions;
DROP TABLE user_library;
DROP TABLE user_music_profiles;
DROP TABLE playlist_follows;
DROP TABLE playlist_track_votes;
DROP TABLE playlist_activities;
DROP TABLE playlist_collaborators;
DROP TABLE playlist_tracks;
DROP TABLE playlists;
DROP TABLE track_sources;
DROP TABLE album_sources;
DROP TABLE artist_sources;
DROP TABLE tracks;
DROP TABLE albums;
DROP TABLE artists;
DROP TABLE users;
ALTER TABLE alembic_version ALTER COLUMN version_num TYPE VARCHAR(32);
