-- ==== 20261204_091000_contract_strict upgrade
SELECT to_regclass('public.alembic_version') IS NOT NULL;
SELECT version_num FROM public.alembic_version ORDER BY 1;
LOCK TABLE track_sources IN SHARE ROW EXCLUSIVE MODE;
SELECT count(*) FROM track_sources WHERE source_id IS NULL;
SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM track_sources WHERE source_id IS NOT NULL GROUP BY source_type, source_id HAVING count(*) > 1) AS d;
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
SELECT c.relname, a.attname FROM pg_catalog.pg_partitioned_table AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.partrelid JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = ANY(p.partattrs) WHERE c.relnamespace = 'public'::regnamespace;
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
