-- ==== 20261201_090100_legacy_updated_at_triggers upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT p.prosrc FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname = 'update_updated_at_column' AND p.pronargs = 0;
SELECT c.relname, t.tgname
        FROM pg_catalog.pg_trigger AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal AND c.relname = ANY(%s);
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;
DROP TRIGGER "update_albums_updated_at" ON "albums";
DROP TRIGGER "update_artists_updated_at" ON "artists";
DROP TRIGGER "update_discovery_sessions_updated_at" ON "discovery_sessions";
DROP TRIGGER "update_playlist_activities_updated_at" ON "playlist_activities";
DROP TRIGGER "update_playlists_updated_at" ON "playlists";
DROP TRIGGER "update_tracks_updated_at" ON "tracks";
DROP TRIGGER "update_user_music_profiles_updated_at" ON "user_music_profiles";
DROP TRIGGER "update_users_updated_at" ON "users";
CREATE TRIGGER "trg_album_sources_updated_at" BEFORE UPDATE ON "album_sources" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_albums_updated_at" BEFORE UPDATE ON "albums" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_artist_sources_updated_at" BEFORE UPDATE ON "artist_sources" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_artists_updated_at" BEFORE UPDATE ON "artists" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_playlists_updated_at" BEFORE UPDATE ON "playlists" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_track_sources_updated_at" BEFORE UPDATE ON "track_sources" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_tracks_updated_at" BEFORE UPDATE ON "tracks" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER "trg_user_music_profiles_updated_at" BEFORE UPDATE ON "user_music_profiles" FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- ==== 20261201_090200_legacy_resolve_rows upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
          AND a.attnum > 0 AND NOT a.attisdropped;
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT n.track_id, n.source_type,
               array_agg(n.id ORDER BY n.updated_at DESC, n.id DESC),
               (SELECT s.id FROM track_sources AS s
                WHERE s.track_id = n.track_id AND s.source_type = n.source_type
                  AND s.source_id IS NOT NULL
                ORDER BY s.updated_at DESC, s.id DESC LIMIT 1)
        FROM track_sources AS n
        WHERE n.source_id IS NULL
        GROUP BY n.track_id, n.source_type
        ORDER BY n.track_id, n.source_type;
SELECT source_type, source_id,
                       array_agg(id ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id),
                       array_agg("artist_id" ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id)
                FROM "artist_sources"
                WHERE source_id IS NOT NULL
                GROUP BY source_type, source_id
                HAVING count(*) > 1
                ORDER BY source_type, source_id;
SELECT source_type, source_id,
                       array_agg(id ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id),
                       array_agg("album_id" ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id)
                FROM "album_sources"
                WHERE source_id IS NOT NULL
                GROUP BY source_type, source_id
                HAVING count(*) > 1
                ORDER BY source_type, source_id;
SELECT source_type, source_id,
                       array_agg(id ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id),
                       array_agg("track_id" ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id)
                FROM "track_sources"
                WHERE source_id IS NOT NULL
                GROUP BY source_type, source_id
                HAVING count(*) > 1
                ORDER BY source_type, source_id;
SELECT id FROM playlist_track_votes WHERE vote_type NOT IN (-1, 1) ORDER BY id;
SELECT id FROM user_library WHERE rating NOT BETWEEN 1 AND 5 ORDER BY id;
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_duplicate", "{\"track_id\": 1, \"source_type\": \"spotify\", \"group\": [504, 503]}", [504, 503]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[504, 503]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_duplicate", "{\"track_id\": 4, \"source_type\": \"youtube\", \"group\": [507, 506, 505]}", [507, 506, 505]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[507, 506, 505]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_duplicate", "{\"track_id\": 10, \"source_type\": \"soundcloud\", \"group\": [509, 508]}", [509, 508]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[509, 508]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_duplicate", "{\"track_id\": 16, \"source_type\": \"deezer\", \"group\": [513, 512, 511, 510]}", [513, 512, 511, 510]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[513, 512, 511, 510]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_duplicate", "{\"track_id\": 21, \"source_type\": \"bandcamp\", \"group\": [515, 514]}", [515, 514]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[515, 514]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_duplicate", "{\"track_id\": 27, \"source_type\": \"spotify\", \"group\": [518, 517, 516]}", [518, 517, 516]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[518, 517, 516]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id", "{\"track_id\": 32, \"source_type\": \"youtube\", \"group\": [519]}", [519]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[519]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id", "{\"track_id\": 33, \"source_type\": \"youtube\", \"group\": [520]}", [520]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[520]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id", "{\"track_id\": 35, \"source_type\": \"youtube\", \"group\": [521]}", [521]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[521]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id", "{\"track_id\": 44, \"source_type\": \"youtube\", \"group\": [522]}", [522]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[522]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_superseded", "{\"track_id\": 51, \"source_type\": \"spotify\", \"group\": [524], \"kept\": 523}", [524]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[524]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "null_source_id_superseded", "{\"track_id\": 53, \"source_type\": \"spotify\", \"group\": [526], \"kept\": 525}", [526]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[526]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "artist_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "artist_sources", "source_key_conflict", "{\"source_type\": \"spotify\", \"source_id\": \"sp0000666af5d06b\", \"kept\": 6}", [301]]
DELETE FROM "artist_sources" WHERE id = ANY(%s);
-- params: [[301]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "artist_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "artist_sources", "source_key_conflict", "{\"source_type\": \"youtube\", \"source_id\": \"yo000059dd671af9\", \"kept\": 7}", [302]]
DELETE FROM "artist_sources" WHERE id = ANY(%s);
-- params: [[302]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "album_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "album_sources", "source_key_conflict", "{\"source_type\": \"bandcamp\", \"source_id\": \"ba0001244c6d8d09\", \"kept\": 7}", [302]]
DELETE FROM "album_sources" WHERE id = ANY(%s);
-- params: [[302]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "album_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "album_sources", "source_key_conflict", "{\"source_type\": \"deezer\", \"source_id\": \"de00024049e90b87\", \"kept\": 6}", [301]]
DELETE FROM "album_sources" WHERE id = ANY(%s);
-- params: [[301]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "source_key_conflict", "{\"source_type\": \"deezer\", \"source_id\": \"de000015e2d74f40\", \"kept\": 6}", [501]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[501]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "track_sources" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "track_sources", "source_key_conflict", "{\"source_type\": \"soundcloud\", \"source_id\": \"so0001753b670bad\", \"kept\": 7}", [502]]
DELETE FROM "track_sources" WHERE id = ANY(%s);
-- params: [[502]]
INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM "playlist_track_votes" AS t WHERE t.id = ANY(%s);
-- params: ["rows", "playlist_track_votes", "invalid_vote_type", "{}", [11, 12, 13]]
DELETE FROM "playlist_track_votes" WHERE id = ANY(%s);
-- params: [[11, 12, 13]]
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, 'user_library', id, 'rating', to_jsonb(rating), 'null'::jsonb, 'rating_out_of_range' FROM user_library WHERE id = ANY(%s);
-- params: ["rows", [13, 14, 15]]
UPDATE user_library SET rating = NULL WHERE id = ANY(%s);
-- params: [[13, 14, 15]]

-- ==== 20261201_090300_legacy_drop_redundant_indexes upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT i.relname, c.relname, pg_catalog.pg_get_indexdef(x.indexrelid),
               EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS k WHERE k.conindid = x.indexrelid
                       AND k.contype IN ('p', 'u', 'x')),
               x.indisvalid
        FROM pg_catalog.pg_index AS x
        JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
        JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s);
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
DROP INDEX "idx_album_release";
DROP INDEX "idx_album_search";
DROP INDEX "idx_album_sources_album_id";
DROP INDEX "idx_album_sources_unique";
DROP INDEX "idx_album_type";
DROP INDEX "idx_albums_genres";
DROP INDEX "idx_albums_search";
DROP INDEX "idx_artist_country";
DROP INDEX "idx_artist_popularity";
DROP INDEX "idx_artist_search";
DROP INDEX "idx_artist_sources_artist_id";
DROP INDEX "idx_artist_sources_unique";
DROP INDEX "idx_artists_aliases";
DROP INDEX "idx_artists_genres";
DROP INDEX "idx_artists_search";
DROP INDEX "idx_discovery_session_tracks_session_id";
DROP INDEX "idx_discovery_session_type";
DROP INDEX "idx_discovery_session_user";
DROP INDEX "idx_discovery_sessions_user_id";
DROP INDEX "idx_playlist_activities_playlist_id";
DROP INDEX "idx_playlist_activity_time";
DROP INDEX "idx_playlist_collaborative";
DROP INDEX "idx_playlist_collaborators_playlist_id";
DROP INDEX "idx_playlist_owner";
DROP INDEX "idx_playlist_track";
DROP INDEX "idx_playlist_tracks_playlist_id";
DROP INDEX "idx_playlist_tracks_position";
DROP INDEX "idx_playlists_public_collab";
DROP INDEX "idx_playlists_search";
DROP INDEX "idx_playlists_tags";
DROP INDEX "idx_track_audio";
DROP INDEX "idx_track_popularity";
DROP INDEX "idx_track_search";
DROP INDEX "idx_track_sources_track_id";
DROP INDEX "idx_track_sources_unique";
DROP INDEX "idx_tracks_artist_album";
DROP INDEX "idx_tracks_artist_id";
DROP INDEX "idx_tracks_search";
DROP INDEX "idx_user_interaction_analytics";
DROP INDEX "idx_user_interaction_session";
DROP INDEX "idx_user_interactions_composite";
DROP INDEX "idx_user_interactions_track_id";
DROP INDEX "idx_user_interactions_user_id";
DROP INDEX "idx_user_library_composite";
DROP INDEX "idx_user_library_favorites";
DROP INDEX "idx_user_library_user_id";
ALTER INDEX "idx_albums_credits" RENAME TO "ix_albums_credits";
ALTER INDEX "idx_artists_social_links" RENAME TO "ix_artists_social_links";
ALTER INDEX "idx_discovery_session_tracks_track_id" RENAME TO "ix_discovery_session_tracks_track_id";
ALTER INDEX "idx_discovery_sessions_started" RENAME TO "ix_discovery_sessions_started_at";
ALTER INDEX "idx_discovery_sessions_user_type" RENAME TO "ix_discovery_sessions_user_id_session_type";
ALTER INDEX "idx_playlist_activities_created" RENAME TO "ix_playlist_activities_created_at";
ALTER INDEX "idx_playlist_activities_user_id" RENAME TO "ix_playlist_activities_user_id";
ALTER INDEX "idx_playlist_collaborators_user_id" RENAME TO "ix_playlist_collaborators_user_id";
ALTER INDEX "idx_playlist_hierarchy" RENAME TO "ix_playlists_parent_id";
ALTER INDEX "idx_playlist_tracks_track_id" RENAME TO "ix_playlist_tracks_track_id";
ALTER INDEX "idx_playlists_dynamic_rules" RENAME TO "ix_playlists_dynamic_rules";
ALTER INDEX "idx_source_availability" RENAME TO "ix_track_sources_source_type_is_available";
ALTER INDEX "idx_tracks_album_id" RENAME TO "ix_tracks_album_id";
ALTER INDEX "idx_tracks_audio_features" RENAME TO "ix_tracks_audio_features";
ALTER INDEX "idx_user_interactions_created" RENAME TO "ix_user_interactions_created_at";
ALTER INDEX "idx_user_interactions_track_type" RENAME TO "ix_user_interactions_track_id_interaction_type";
ALTER INDEX "idx_user_library_added" RENAME TO "ix_user_library_added_at";
ALTER INDEX "idx_user_library_track_id" RENAME TO "ix_user_library_track_id";

-- ==== 20261201_090400_legacy_columns_accounts upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
          AND a.attnum > 0 AND NOT a.attisdropped;
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT count(*) FILTER (WHERE "is_active" IS NULL), count(*) FILTER (WHERE "is_admin" IS NULL), count(*) FILTER (WHERE "created_at" IS NULL), count(*) FILTER (WHERE "default_language" IS NULL) FROM "users";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.users"]
SELECT count(*) FILTER (WHERE "is_public" IS NULL), count(*) FILTER (WHERE "is_collaborative" IS NULL), count(*) FILTER (WHERE "folder_type" IS NULL), count(*) FILTER (WHERE "tags" IS NULL), count(*) FILTER (WHERE "is_dynamic" IS NULL), count(*) FILTER (WHERE "collaboration_mode" IS NULL), count(*) FILTER (WHERE "voting_enabled" IS NULL), count(*) FILTER (WHERE "play_count" IS NULL), count(*) FILTER (WHERE "like_count" IS NULL), count(*) FILTER (WHERE "share_count" IS NULL), count(*) FILTER (WHERE "total_duration_ms" IS NULL), count(*) FILTER (WHERE "extra_metadata" IS NULL), count(*) FILTER (WHERE "version" IS NULL) FROM "playlists";
SELECT count(*) FROM "playlists" WHERE search_vector IS NOT NULL;
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.playlists"]
SELECT count(*) FILTER (WHERE "vote_count" IS NULL), count(*) FILTER (WHERE "is_locked" IS NULL) FROM "playlist_tracks";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.playlist_tracks"]
SELECT count(*) FILTER (WHERE "can_add_tracks" IS NULL), count(*) FILTER (WHERE "can_remove_tracks" IS NULL), count(*) FILTER (WHERE "can_reorder_tracks" IS NULL), count(*) FILTER (WHERE "can_invite_others" IS NULL), count(*) FILTER (WHERE "can_change_details" IS NULL), count(*) FILTER (WHERE "role" IS NULL), count(*) FILTER (WHERE "invitation_status" IS NULL), count(*) FILTER (WHERE "tracks_added" IS NULL), count(*) FILTER (WHERE "tracks_removed" IS NULL) FROM "playlist_collaborators";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.playlist_collaborators"]
SELECT count(*) FILTER (WHERE "activity_data" IS NULL) FROM "playlist_activities";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.playlist_activities"]
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.playlist_track_votes"]
SELECT count(*) FILTER (WHERE "notifications_enabled" IS NULL) FROM "playlist_follows";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.playlist_follows"]
SELECT count(*) FILTER (WHERE "favorite_genres" IS NULL), count(*) FILTER (WHERE "disliked_genres" IS NULL), count(*) FILTER (WHERE "favorite_decades" IS NULL), count(*) FILTER (WHERE "preferred_audio_quality" IS NULL), count(*) FILTER (WHERE "explicit_content_allowed" IS NULL), count(*) FILTER (WHERE "discovery_mode" IS NULL), count(*) FILTER (WHERE "energy_preference" IS NULL), count(*) FILTER (WHERE "mood_preferences" IS NULL), count(*) FILTER (WHERE "language_preferences" IS NULL), count(*) FILTER (WHERE "total_listening_time_ms" IS NULL), count(*) FILTER (WHERE "tracks_played" IS NULL), count(*) FILTER (WHERE "unique_tracks_played" IS NULL), count(*) FILTER (WHERE "unique_artists_played" IS NULL), count(*) FILTER (WHERE "average_session_duration_ms" IS NULL), count(*) FILTER (WHERE "discovery_ratio" IS NULL), count(*) FILTER (WHERE "genre_diversity_score" IS NULL), count(*) FILTER (WHERE "time_based_preferences" IS NULL), count(*) FILTER (WHERE "device_preferences" IS NULL) FROM "user_music_profiles";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.user_music_profiles"]
SELECT count(*) FILTER (WHERE "tags" IS NULL), count(*) FILTER (WHERE "play_count" IS NULL), count(*) FILTER (WHERE "skip_count" IS NULL), count(*) FILTER (WHERE "total_play_time_ms" IS NULL), count(*) FILTER (WHERE "is_favorite" IS NULL) FROM "user_library";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.user_library"]
SELECT count(*) FILTER (WHERE "notifications_enabled" IS NULL) FROM "user_artist_follows";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.user_artist_follows"]
SELECT count(*) FILTER (WHERE "tags" IS NULL), count(*) FILTER (WHERE "play_count" IS NULL) FROM "user_album_collections";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.user_album_collections"]
SELECT count(*) FILTER (WHERE "discovery_params" IS NULL), count(*) FILTER (WHERE "tracks_presented" IS NULL), count(*) FILTER (WHERE "tracks_played" IS NULL), count(*) FILTER (WHERE "tracks_skipped" IS NULL), count(*) FILTER (WHERE "tracks_liked" IS NULL), count(*) FILTER (WHERE "tracks_added_to_library" IS NULL), count(*) FILTER (WHERE "total_play_time_ms" IS NULL), count(*) FILTER (WHERE "average_play_percentage" IS NULL), count(*) FILTER (WHERE "is_active" IS NULL), count(*) FILTER (WHERE "current_position" IS NULL) FROM "discovery_sessions";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.discovery_sessions"]
SELECT count(*) FILTER (WHERE "recommendation_reasons" IS NULL), count(*) FILTER (WHERE "was_played" IS NULL), count(*) FILTER (WHERE "was_skipped" IS NULL), count(*) FILTER (WHERE "was_liked" IS NULL), count(*) FILTER (WHERE "was_added_to_library" IS NULL) FROM "discovery_session_tracks";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.discovery_session_tracks"]
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "users" AS t CROSS JOIN LATERAL (VALUES (%s, "is_active" IS NULL, to_jsonb(true)), (%s, "is_admin" IS NULL, to_jsonb(false)), (%s, "created_at" IS NULL, to_jsonb(now())), (%s, "default_language" IS NULL, to_jsonb('en'::character varying))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "users", "is_active", "is_admin", "created_at", "default_language"]
ALTER TABLE "users" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."users_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."users_id_seq" RENAME TO "users_id_seq_legacy";
ALTER TABLE "users" ALTER COLUMN "is_active" TYPE boolean USING coalesce("is_active", true), ALTER COLUMN "is_active" SET DEFAULT true, ALTER COLUMN "is_active" SET NOT NULL, ALTER COLUMN "is_admin" TYPE boolean USING coalesce("is_admin", false), ALTER COLUMN "is_admin" SET DEFAULT false, ALTER COLUMN "is_admin" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING coalesce(("created_at" AT TIME ZONE 'UTC'), now()), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "created_at" SET NOT NULL, ALTER COLUMN "last_login" TYPE timestamp with time zone USING ("last_login" AT TIME ZONE 'UTC'), ALTER COLUMN "default_language" TYPE character varying(10) USING coalesce("default_language", 'en'::character varying), ALTER COLUMN "default_language" SET DEFAULT 'en'::character varying, ALTER COLUMN "default_language" SET NOT NULL;
ALTER TABLE "users" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "users_id_seq_legacy";
-- params: ["public.users"]
DROP SEQUENCE "users_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "playlists" AS t CROSS JOIN LATERAL (VALUES (%s, "is_public" IS NULL, to_jsonb(false)), (%s, "is_collaborative" IS NULL, to_jsonb(false)), (%s, "folder_type" IS NULL, to_jsonb(false)), (%s, "tags" IS NULL, to_jsonb('[]'::jsonb)), (%s, "is_dynamic" IS NULL, to_jsonb(false)), (%s, "collaboration_mode" IS NULL, to_jsonb('open'::character varying)), (%s, "voting_enabled" IS NULL, to_jsonb(false)), (%s, "play_count" IS NULL, to_jsonb(0)), (%s, "like_count" IS NULL, to_jsonb(0)), (%s, "share_count" IS NULL, to_jsonb(0)), (%s, "total_duration_ms" IS NULL, to_jsonb(0)), (%s, "extra_metadata" IS NULL, to_jsonb('{}'::jsonb)), (%s, "version" IS NULL, to_jsonb(1))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "playlists", "is_public", "is_collaborative", "folder_type", "tags", "is_dynamic", "collaboration_mode", "voting_enabled", "play_count", "like_count", "share_count", "total_duration_ms", "extra_metadata", "version"]
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, id, 'search_vector', to_jsonb(search_vector), NULL, 'search_vector_generated' FROM "playlists" WHERE search_vector IS NOT NULL;
-- params: ["columns_accounts", "playlists"]
ALTER TABLE "playlists" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."playlists_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."playlists_id_seq" RENAME TO "playlists_id_seq_legacy";
ALTER TABLE "playlists" ALTER COLUMN "uuid" SET DEFAULT gen_random_uuid(), ALTER COLUMN "is_public" TYPE boolean USING coalesce("is_public", false), ALTER COLUMN "is_public" SET DEFAULT false, ALTER COLUMN "is_public" SET NOT NULL, ALTER COLUMN "is_collaborative" TYPE boolean USING coalesce("is_collaborative", false), ALTER COLUMN "is_collaborative" SET DEFAULT false, ALTER COLUMN "is_collaborative" SET NOT NULL, ALTER COLUMN "folder_type" TYPE boolean USING coalesce("folder_type", false), ALTER COLUMN "folder_type" SET DEFAULT false, ALTER COLUMN "folder_type" SET NOT NULL, ALTER COLUMN "tags" TYPE jsonb USING coalesce("tags", '[]'::jsonb), ALTER COLUMN "tags" SET DEFAULT '[]'::jsonb, ALTER COLUMN "tags" SET NOT NULL, ALTER COLUMN "is_dynamic" TYPE boolean USING coalesce("is_dynamic", false), ALTER COLUMN "is_dynamic" SET DEFAULT false, ALTER COLUMN "is_dynamic" SET NOT NULL, ALTER COLUMN "collaboration_mode" TYPE character varying(20) USING coalesce("collaboration_mode", 'open'::character varying), ALTER COLUMN "collaboration_mode" SET DEFAULT 'open'::character varying, ALTER COLUMN "collaboration_mode" SET NOT NULL, ALTER COLUMN "voting_enabled" TYPE boolean USING coalesce("voting_enabled", false), ALTER COLUMN "voting_enabled" SET DEFAULT false, ALTER COLUMN "voting_enabled" SET NOT NULL, ALTER COLUMN "expires_at" TYPE timestamp with time zone USING ("expires_at" AT TIME ZONE 'UTC'), ALTER COLUMN "play_count" TYPE integer USING coalesce("play_count", 0), ALTER COLUMN "play_count" SET DEFAULT 0, ALTER COLUMN "play_count" SET NOT NULL, ALTER COLUMN "like_count" TYPE integer USING coalesce("like_count", 0), ALTER COLUMN "like_count" SET DEFAULT 0, ALTER COLUMN "like_count" SET NOT NULL, ALTER COLUMN "share_count" TYPE integer USING coalesce("share_count", 0), ALTER COLUMN "share_count" SET DEFAULT 0, ALTER COLUMN "share_count" SET NOT NULL, ALTER COLUMN "total_duration_ms" TYPE bigint USING coalesce("total_duration_ms", 0), ALTER COLUMN "total_duration_ms" SET DEFAULT 0, ALTER COLUMN "total_duration_ms" SET NOT NULL, ALTER COLUMN "extra_metadata" TYPE jsonb USING coalesce("extra_metadata", '{}'::jsonb), ALTER COLUMN "extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "extra_metadata" SET NOT NULL, ALTER COLUMN "version" TYPE integer USING coalesce("version", 1), ALTER COLUMN "version" SET DEFAULT 1, ALTER COLUMN "version" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now(), ALTER COLUMN "last_played_at" TYPE timestamp with time zone USING ("last_played_at" AT TIME ZONE 'UTC'), DROP COLUMN "search_vector", ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS ((setweight(to_tsvector('english'::regconfig, (COALESCE(name, ''::character varying))::text), 'A'::"char") || setweight(to_tsvector('english'::regconfig, COALESCE(description, ''::text)), 'B'::"char"))) STORED;
ALTER TABLE "playlists" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "playlists_id_seq_legacy";
-- params: ["public.playlists"]
DROP SEQUENCE "playlists_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "playlist_tracks" AS t CROSS JOIN LATERAL (VALUES (%s, "vote_count" IS NULL, to_jsonb(0)), (%s, "is_locked" IS NULL, to_jsonb(false))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "playlist_tracks", "vote_count", "is_locked"]
ALTER TABLE "playlist_tracks" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."playlist_tracks_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."playlist_tracks_id_seq" RENAME TO "playlist_tracks_id_seq_legacy";
ALTER TABLE "playlist_tracks" ALTER COLUMN "added_by" DROP NOT NULL, ALTER COLUMN "added_at" TYPE timestamp with time zone USING ("added_at" AT TIME ZONE 'UTC'), ALTER COLUMN "added_at" SET DEFAULT now(), ALTER COLUMN "vote_count" TYPE integer USING coalesce("vote_count", 0), ALTER COLUMN "vote_count" SET DEFAULT 0, ALTER COLUMN "vote_count" SET NOT NULL, ALTER COLUMN "is_locked" TYPE boolean USING coalesce("is_locked", false), ALTER COLUMN "is_locked" SET DEFAULT false, ALTER COLUMN "is_locked" SET NOT NULL;
ALTER TABLE "playlist_tracks" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "playlist_tracks_id_seq_legacy";
-- params: ["public.playlist_tracks"]
DROP SEQUENCE "playlist_tracks_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "playlist_collaborators" AS t CROSS JOIN LATERAL (VALUES (%s, "can_add_tracks" IS NULL, to_jsonb(true)), (%s, "can_remove_tracks" IS NULL, to_jsonb(true)), (%s, "can_reorder_tracks" IS NULL, to_jsonb(true)), (%s, "can_invite_others" IS NULL, to_jsonb(false)), (%s, "can_change_details" IS NULL, to_jsonb(false)), (%s, "role" IS NULL, to_jsonb('editor'::character varying)), (%s, "invitation_status" IS NULL, to_jsonb('pending'::character varying)), (%s, "tracks_added" IS NULL, to_jsonb(0)), (%s, "tracks_removed" IS NULL, to_jsonb(0))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "playlist_collaborators", "can_add_tracks", "can_remove_tracks", "can_reorder_tracks", "can_invite_others", "can_change_details", "role", "invitation_status", "tracks_added", "tracks_removed"]
ALTER TABLE "playlist_collaborators" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."playlist_collaborators_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."playlist_collaborators_id_seq" RENAME TO "playlist_collaborators_id_seq_legacy";
ALTER TABLE "playlist_collaborators" ALTER COLUMN "can_add_tracks" TYPE boolean USING coalesce("can_add_tracks", true), ALTER COLUMN "can_add_tracks" SET DEFAULT true, ALTER COLUMN "can_add_tracks" SET NOT NULL, ALTER COLUMN "can_remove_tracks" TYPE boolean USING coalesce("can_remove_tracks", true), ALTER COLUMN "can_remove_tracks" SET DEFAULT true, ALTER COLUMN "can_remove_tracks" SET NOT NULL, ALTER COLUMN "can_reorder_tracks" TYPE boolean USING coalesce("can_reorder_tracks", true), ALTER COLUMN "can_reorder_tracks" SET DEFAULT true, ALTER COLUMN "can_reorder_tracks" SET NOT NULL, ALTER COLUMN "can_invite_others" TYPE boolean USING coalesce("can_invite_others", false), ALTER COLUMN "can_invite_others" SET DEFAULT false, ALTER COLUMN "can_invite_others" SET NOT NULL, ALTER COLUMN "can_change_details" TYPE boolean USING coalesce("can_change_details", false), ALTER COLUMN "can_change_details" SET DEFAULT false, ALTER COLUMN "can_change_details" SET NOT NULL, ALTER COLUMN "role" TYPE character varying(20) USING coalesce("role", 'editor'::character varying), ALTER COLUMN "role" SET DEFAULT 'editor'::character varying, ALTER COLUMN "role" SET NOT NULL, ALTER COLUMN "invitation_status" TYPE character varying(20) USING coalesce("invitation_status", 'pending'::character varying), ALTER COLUMN "invitation_status" SET DEFAULT 'pending'::character varying, ALTER COLUMN "invitation_status" SET NOT NULL, ALTER COLUMN "tracks_added" TYPE integer USING coalesce("tracks_added", 0), ALTER COLUMN "tracks_added" SET DEFAULT 0, ALTER COLUMN "tracks_added" SET NOT NULL, ALTER COLUMN "tracks_removed" TYPE integer USING coalesce("tracks_removed", 0), ALTER COLUMN "tracks_removed" SET DEFAULT 0, ALTER COLUMN "tracks_removed" SET NOT NULL, ALTER COLUMN "last_active" TYPE timestamp with time zone USING ("last_active" AT TIME ZONE 'UTC'), ALTER COLUMN "invited_at" TYPE timestamp with time zone USING ("invited_at" AT TIME ZONE 'UTC'), ALTER COLUMN "invited_at" SET DEFAULT now(), ALTER COLUMN "joined_at" TYPE timestamp with time zone USING ("joined_at" AT TIME ZONE 'UTC');
ALTER TABLE "playlist_collaborators" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "playlist_collaborators_id_seq_legacy";
-- params: ["public.playlist_collaborators"]
DROP SEQUENCE "playlist_collaborators_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "playlist_activities" AS t CROSS JOIN LATERAL (VALUES (%s, "activity_data" IS NULL, to_jsonb('{}'::jsonb))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "playlist_activities", "activity_data"]
ALTER TABLE "playlist_activities" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."playlist_activities_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."playlist_activities_id_seq" RENAME TO "playlist_activities_id_seq_legacy";
ALTER TABLE "playlist_activities" ALTER COLUMN "id" TYPE bigint USING "id", ALTER COLUMN "user_id" DROP NOT NULL, ALTER COLUMN "activity_data" TYPE jsonb USING coalesce("activity_data", '{}'::jsonb), ALTER COLUMN "activity_data" SET DEFAULT '{}'::jsonb, ALTER COLUMN "activity_data" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now();
ALTER TABLE "playlist_activities" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "playlist_activities_id_seq_legacy";
-- params: ["public.playlist_activities"]
DROP SEQUENCE "playlist_activities_id_seq_legacy";
ALTER TABLE "playlist_track_votes" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."playlist_track_votes_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."playlist_track_votes_id_seq" RENAME TO "playlist_track_votes_id_seq_legacy";
ALTER TABLE "playlist_track_votes" ALTER COLUMN "vote_type" TYPE smallint USING "vote_type", ALTER COLUMN "voted_at" TYPE timestamp with time zone USING ("voted_at" AT TIME ZONE 'UTC'), ALTER COLUMN "voted_at" SET DEFAULT now();
ALTER TABLE "playlist_track_votes" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "playlist_track_votes_id_seq_legacy";
-- params: ["public.playlist_track_votes"]
DROP SEQUENCE "playlist_track_votes_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "playlist_follows" AS t CROSS JOIN LATERAL (VALUES (%s, "notifications_enabled" IS NULL, to_jsonb(true))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "playlist_follows", "notifications_enabled"]
ALTER TABLE "playlist_follows" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."playlist_follows_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."playlist_follows_id_seq" RENAME TO "playlist_follows_id_seq_legacy";
ALTER TABLE "playlist_follows" ALTER COLUMN "followed_at" TYPE timestamp with time zone USING ("followed_at" AT TIME ZONE 'UTC'), ALTER COLUMN "followed_at" SET DEFAULT now(), ALTER COLUMN "notifications_enabled" TYPE boolean USING coalesce("notifications_enabled", true), ALTER COLUMN "notifications_enabled" SET DEFAULT true, ALTER COLUMN "notifications_enabled" SET NOT NULL;
ALTER TABLE "playlist_follows" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "playlist_follows_id_seq_legacy";
-- params: ["public.playlist_follows"]
DROP SEQUENCE "playlist_follows_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "user_music_profiles" AS t CROSS JOIN LATERAL (VALUES (%s, "favorite_genres" IS NULL, to_jsonb('[]'::jsonb)), (%s, "disliked_genres" IS NULL, to_jsonb('[]'::jsonb)), (%s, "favorite_decades" IS NULL, to_jsonb('[]'::jsonb)), (%s, "preferred_audio_quality" IS NULL, to_jsonb('high'::character varying)), (%s, "explicit_content_allowed" IS NULL, to_jsonb(true)), (%s, "discovery_mode" IS NULL, to_jsonb('balanced'::character varying)), (%s, "energy_preference" IS NULL, to_jsonb(0.5)), (%s, "mood_preferences" IS NULL, to_jsonb('{}'::jsonb)), (%s, "language_preferences" IS NULL, to_jsonb('[]'::jsonb)), (%s, "total_listening_time_ms" IS NULL, to_jsonb(0)), (%s, "tracks_played" IS NULL, to_jsonb(0)), (%s, "unique_tracks_played" IS NULL, to_jsonb(0)), (%s, "unique_artists_played" IS NULL, to_jsonb(0)), (%s, "average_session_duration_ms" IS NULL, to_jsonb(0)), (%s, "discovery_ratio" IS NULL, to_jsonb(0)), (%s, "genre_diversity_score" IS NULL, to_jsonb(0)), (%s, "time_based_preferences" IS NULL, to_jsonb('{}'::jsonb)), (%s, "device_preferences" IS NULL, to_jsonb('{}'::jsonb))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "user_music_profiles", "favorite_genres", "disliked_genres", "favorite_decades", "preferred_audio_quality", "explicit_content_allowed", "discovery_mode", "energy_preference", "mood_preferences", "language_preferences", "total_listening_time_ms", "tracks_played", "unique_tracks_played", "unique_artists_played", "average_session_duration_ms", "discovery_ratio", "genre_diversity_score", "time_based_preferences", "device_preferences"]
ALTER TABLE "user_music_profiles" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."user_music_profiles_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."user_music_profiles_id_seq" RENAME TO "user_music_profiles_id_seq_legacy";
ALTER TABLE "user_music_profiles" ALTER COLUMN "favorite_genres" TYPE jsonb USING coalesce("favorite_genres", '[]'::jsonb), ALTER COLUMN "favorite_genres" SET DEFAULT '[]'::jsonb, ALTER COLUMN "favorite_genres" SET NOT NULL, ALTER COLUMN "disliked_genres" TYPE jsonb USING coalesce("disliked_genres", '[]'::jsonb), ALTER COLUMN "disliked_genres" SET DEFAULT '[]'::jsonb, ALTER COLUMN "disliked_genres" SET NOT NULL, ALTER COLUMN "favorite_decades" TYPE jsonb USING coalesce("favorite_decades", '[]'::jsonb), ALTER COLUMN "favorite_decades" SET DEFAULT '[]'::jsonb, ALTER COLUMN "favorite_decades" SET NOT NULL, ALTER COLUMN "preferred_audio_quality" TYPE character varying(20) USING coalesce("preferred_audio_quality", 'high'::character varying), ALTER COLUMN "preferred_audio_quality" SET DEFAULT 'high'::character varying, ALTER COLUMN "preferred_audio_quality" SET NOT NULL, ALTER COLUMN "explicit_content_allowed" TYPE boolean USING coalesce("explicit_content_allowed", true), ALTER COLUMN "explicit_content_allowed" SET DEFAULT true, ALTER COLUMN "explicit_content_allowed" SET NOT NULL, ALTER COLUMN "discovery_mode" TYPE character varying(20) USING coalesce("discovery_mode", 'balanced'::character varying), ALTER COLUMN "discovery_mode" SET DEFAULT 'balanced'::character varying, ALTER COLUMN "discovery_mode" SET NOT NULL, ALTER COLUMN "energy_preference" TYPE double precision USING coalesce("energy_preference", 0.5), ALTER COLUMN "energy_preference" SET DEFAULT 0.5, ALTER COLUMN "energy_preference" SET NOT NULL, ALTER COLUMN "mood_preferences" TYPE jsonb USING coalesce("mood_preferences", '{}'::jsonb), ALTER COLUMN "mood_preferences" SET DEFAULT '{}'::jsonb, ALTER COLUMN "mood_preferences" SET NOT NULL, ALTER COLUMN "language_preferences" TYPE jsonb USING coalesce("language_preferences", '[]'::jsonb), ALTER COLUMN "language_preferences" SET DEFAULT '[]'::jsonb, ALTER COLUMN "language_preferences" SET NOT NULL, ALTER COLUMN "total_listening_time_ms" TYPE bigint USING coalesce("total_listening_time_ms", 0), ALTER COLUMN "total_listening_time_ms" SET DEFAULT 0, ALTER COLUMN "total_listening_time_ms" SET NOT NULL, ALTER COLUMN "tracks_played" TYPE integer USING coalesce("tracks_played", 0), ALTER COLUMN "tracks_played" SET DEFAULT 0, ALTER COLUMN "tracks_played" SET NOT NULL, ALTER COLUMN "unique_tracks_played" TYPE integer USING coalesce("unique_tracks_played", 0), ALTER COLUMN "unique_tracks_played" SET DEFAULT 0, ALTER COLUMN "unique_tracks_played" SET NOT NULL, ALTER COLUMN "unique_artists_played" TYPE integer USING coalesce("unique_artists_played", 0), ALTER COLUMN "unique_artists_played" SET DEFAULT 0, ALTER COLUMN "unique_artists_played" SET NOT NULL, ALTER COLUMN "average_session_duration_ms" TYPE bigint USING coalesce("average_session_duration_ms", 0), ALTER COLUMN "average_session_duration_ms" SET DEFAULT 0, ALTER COLUMN "average_session_duration_ms" SET NOT NULL, ALTER COLUMN "discovery_ratio" TYPE double precision USING coalesce("discovery_ratio", 0), ALTER COLUMN "discovery_ratio" SET DEFAULT 0, ALTER COLUMN "discovery_ratio" SET NOT NULL, ALTER COLUMN "genre_diversity_score" TYPE double precision USING coalesce("genre_diversity_score", 0), ALTER COLUMN "genre_diversity_score" SET DEFAULT 0, ALTER COLUMN "genre_diversity_score" SET NOT NULL, ALTER COLUMN "time_based_preferences" TYPE jsonb USING coalesce("time_based_preferences", '{}'::jsonb), ALTER COLUMN "time_based_preferences" SET DEFAULT '{}'::jsonb, ALTER COLUMN "time_based_preferences" SET NOT NULL, ALTER COLUMN "device_preferences" TYPE jsonb USING coalesce("device_preferences", '{}'::jsonb), ALTER COLUMN "device_preferences" SET DEFAULT '{}'::jsonb, ALTER COLUMN "device_preferences" SET NOT NULL, ALTER COLUMN "last_taste_update" TYPE timestamp with time zone USING ("last_taste_update" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now();
ALTER TABLE "user_music_profiles" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "user_music_profiles_id_seq_legacy";
-- params: ["public.user_music_profiles"]
DROP SEQUENCE "user_music_profiles_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "user_library" AS t CROSS JOIN LATERAL (VALUES (%s, "tags" IS NULL, to_jsonb('[]'::jsonb)), (%s, "play_count" IS NULL, to_jsonb(0)), (%s, "skip_count" IS NULL, to_jsonb(0)), (%s, "total_play_time_ms" IS NULL, to_jsonb(0)), (%s, "is_favorite" IS NULL, to_jsonb(false))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "user_library", "tags", "play_count", "skip_count", "total_play_time_ms", "is_favorite"]
ALTER TABLE "user_library" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."user_library_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."user_library_id_seq" RENAME TO "user_library_id_seq_legacy";
ALTER TABLE "user_library" ALTER COLUMN "added_at" TYPE timestamp with time zone USING ("added_at" AT TIME ZONE 'UTC'), ALTER COLUMN "added_at" SET DEFAULT now(), ALTER COLUMN "tags" TYPE jsonb USING coalesce("tags", '[]'::jsonb), ALTER COLUMN "tags" SET DEFAULT '[]'::jsonb, ALTER COLUMN "tags" SET NOT NULL, ALTER COLUMN "play_count" TYPE integer USING coalesce("play_count", 0), ALTER COLUMN "play_count" SET DEFAULT 0, ALTER COLUMN "play_count" SET NOT NULL, ALTER COLUMN "skip_count" TYPE integer USING coalesce("skip_count", 0), ALTER COLUMN "skip_count" SET DEFAULT 0, ALTER COLUMN "skip_count" SET NOT NULL, ALTER COLUMN "last_played_at" TYPE timestamp with time zone USING ("last_played_at" AT TIME ZONE 'UTC'), ALTER COLUMN "total_play_time_ms" TYPE bigint USING coalesce("total_play_time_ms", 0), ALTER COLUMN "total_play_time_ms" SET DEFAULT 0, ALTER COLUMN "total_play_time_ms" SET NOT NULL, ALTER COLUMN "is_favorite" TYPE boolean USING coalesce("is_favorite", false), ALTER COLUMN "is_favorite" SET DEFAULT false, ALTER COLUMN "is_favorite" SET NOT NULL;
ALTER TABLE "user_library" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "user_library_id_seq_legacy";
-- params: ["public.user_library"]
DROP SEQUENCE "user_library_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "user_artist_follows" AS t CROSS JOIN LATERAL (VALUES (%s, "notifications_enabled" IS NULL, to_jsonb(true))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "user_artist_follows", "notifications_enabled"]
ALTER TABLE "user_artist_follows" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."user_artist_follows_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."user_artist_follows_id_seq" RENAME TO "user_artist_follows_id_seq_legacy";
ALTER TABLE "user_artist_follows" ALTER COLUMN "followed_at" TYPE timestamp with time zone USING ("followed_at" AT TIME ZONE 'UTC'), ALTER COLUMN "followed_at" SET DEFAULT now(), ALTER COLUMN "notifications_enabled" TYPE boolean USING coalesce("notifications_enabled", true), ALTER COLUMN "notifications_enabled" SET DEFAULT true, ALTER COLUMN "notifications_enabled" SET NOT NULL;
ALTER TABLE "user_artist_follows" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "user_artist_follows_id_seq_legacy";
-- params: ["public.user_artist_follows"]
DROP SEQUENCE "user_artist_follows_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "user_album_collections" AS t CROSS JOIN LATERAL (VALUES (%s, "tags" IS NULL, to_jsonb('[]'::jsonb)), (%s, "play_count" IS NULL, to_jsonb(0))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "user_album_collections", "tags", "play_count"]
ALTER TABLE "user_album_collections" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."user_album_collections_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."user_album_collections_id_seq" RENAME TO "user_album_collections_id_seq_legacy";
ALTER TABLE "user_album_collections" ALTER COLUMN "added_at" TYPE timestamp with time zone USING ("added_at" AT TIME ZONE 'UTC'), ALTER COLUMN "added_at" SET DEFAULT now(), ALTER COLUMN "tags" TYPE jsonb USING coalesce("tags", '[]'::jsonb), ALTER COLUMN "tags" SET DEFAULT '[]'::jsonb, ALTER COLUMN "tags" SET NOT NULL, ALTER COLUMN "play_count" TYPE integer USING coalesce("play_count", 0), ALTER COLUMN "play_count" SET DEFAULT 0, ALTER COLUMN "play_count" SET NOT NULL;
ALTER TABLE "user_album_collections" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "user_album_collections_id_seq_legacy";
-- params: ["public.user_album_collections"]
DROP SEQUENCE "user_album_collections_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "discovery_sessions" AS t CROSS JOIN LATERAL (VALUES (%s, "discovery_params" IS NULL, to_jsonb('{}'::jsonb)), (%s, "tracks_presented" IS NULL, to_jsonb(0)), (%s, "tracks_played" IS NULL, to_jsonb(0)), (%s, "tracks_skipped" IS NULL, to_jsonb(0)), (%s, "tracks_liked" IS NULL, to_jsonb(0)), (%s, "tracks_added_to_library" IS NULL, to_jsonb(0)), (%s, "total_play_time_ms" IS NULL, to_jsonb(0)), (%s, "average_play_percentage" IS NULL, to_jsonb(0)), (%s, "is_active" IS NULL, to_jsonb(true)), (%s, "current_position" IS NULL, to_jsonb(0))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "discovery_sessions", "discovery_params", "tracks_presented", "tracks_played", "tracks_skipped", "tracks_liked", "tracks_added_to_library", "total_play_time_ms", "average_play_percentage", "is_active", "current_position"]
ALTER TABLE "discovery_sessions" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."discovery_sessions_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."discovery_sessions_id_seq" RENAME TO "discovery_sessions_id_seq_legacy";
ALTER TABLE "discovery_sessions" ALTER COLUMN "uuid" SET DEFAULT gen_random_uuid(), ALTER COLUMN "discovery_params" TYPE jsonb USING coalesce("discovery_params", '{}'::jsonb), ALTER COLUMN "discovery_params" SET DEFAULT '{}'::jsonb, ALTER COLUMN "discovery_params" SET NOT NULL, ALTER COLUMN "tracks_presented" TYPE integer USING coalesce("tracks_presented", 0), ALTER COLUMN "tracks_presented" SET DEFAULT 0, ALTER COLUMN "tracks_presented" SET NOT NULL, ALTER COLUMN "tracks_played" TYPE integer USING coalesce("tracks_played", 0), ALTER COLUMN "tracks_played" SET DEFAULT 0, ALTER COLUMN "tracks_played" SET NOT NULL, ALTER COLUMN "tracks_skipped" TYPE integer USING coalesce("tracks_skipped", 0), ALTER COLUMN "tracks_skipped" SET DEFAULT 0, ALTER COLUMN "tracks_skipped" SET NOT NULL, ALTER COLUMN "tracks_liked" TYPE integer USING coalesce("tracks_liked", 0), ALTER COLUMN "tracks_liked" SET DEFAULT 0, ALTER COLUMN "tracks_liked" SET NOT NULL, ALTER COLUMN "tracks_added_to_library" TYPE integer USING coalesce("tracks_added_to_library", 0), ALTER COLUMN "tracks_added_to_library" SET DEFAULT 0, ALTER COLUMN "tracks_added_to_library" SET NOT NULL, ALTER COLUMN "total_play_time_ms" TYPE bigint USING coalesce("total_play_time_ms", 0), ALTER COLUMN "total_play_time_ms" SET DEFAULT 0, ALTER COLUMN "total_play_time_ms" SET NOT NULL, ALTER COLUMN "average_play_percentage" TYPE double precision USING coalesce("average_play_percentage", 0), ALTER COLUMN "average_play_percentage" SET DEFAULT 0, ALTER COLUMN "average_play_percentage" SET NOT NULL, ALTER COLUMN "is_active" TYPE boolean USING coalesce("is_active", true), ALTER COLUMN "is_active" SET DEFAULT true, ALTER COLUMN "is_active" SET NOT NULL, ALTER COLUMN "current_position" TYPE integer USING coalesce("current_position", 0), ALTER COLUMN "current_position" SET DEFAULT 0, ALTER COLUMN "current_position" SET NOT NULL, ALTER COLUMN "started_at" TYPE timestamp with time zone USING ("started_at" AT TIME ZONE 'UTC'), ALTER COLUMN "started_at" SET DEFAULT now(), ALTER COLUMN "ended_at" TYPE timestamp with time zone USING ("ended_at" AT TIME ZONE 'UTC'), ALTER COLUMN "last_interaction_at" TYPE timestamp with time zone USING ("last_interaction_at" AT TIME ZONE 'UTC'), ALTER COLUMN "last_interaction_at" SET DEFAULT now();
ALTER TABLE "discovery_sessions" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "discovery_sessions_id_seq_legacy";
-- params: ["public.discovery_sessions"]
DROP SEQUENCE "discovery_sessions_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "discovery_session_tracks" AS t CROSS JOIN LATERAL (VALUES (%s, "recommendation_reasons" IS NULL, to_jsonb('[]'::jsonb)), (%s, "was_played" IS NULL, to_jsonb(false)), (%s, "was_skipped" IS NULL, to_jsonb(false)), (%s, "was_liked" IS NULL, to_jsonb(false)), (%s, "was_added_to_library" IS NULL, to_jsonb(false))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_accounts", "discovery_session_tracks", "recommendation_reasons", "was_played", "was_skipped", "was_liked", "was_added_to_library"]
ALTER TABLE "discovery_session_tracks" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."discovery_session_tracks_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."discovery_session_tracks_id_seq" RENAME TO "discovery_session_tracks_id_seq_legacy";
ALTER TABLE "discovery_session_tracks" ALTER COLUMN "id" TYPE bigint USING "id", ALTER COLUMN "recommendation_reasons" TYPE jsonb USING coalesce("recommendation_reasons", '[]'::jsonb), ALTER COLUMN "recommendation_reasons" SET DEFAULT '[]'::jsonb, ALTER COLUMN "recommendation_reasons" SET NOT NULL, ALTER COLUMN "was_played" TYPE boolean USING coalesce("was_played", false), ALTER COLUMN "was_played" SET DEFAULT false, ALTER COLUMN "was_played" SET NOT NULL, ALTER COLUMN "was_skipped" TYPE boolean USING coalesce("was_skipped", false), ALTER COLUMN "was_skipped" SET DEFAULT false, ALTER COLUMN "was_skipped" SET NOT NULL, ALTER COLUMN "was_liked" TYPE boolean USING coalesce("was_liked", false), ALTER COLUMN "was_liked" SET DEFAULT false, ALTER COLUMN "was_liked" SET NOT NULL, ALTER COLUMN "was_added_to_library" TYPE boolean USING coalesce("was_added_to_library", false), ALTER COLUMN "was_added_to_library" SET DEFAULT false, ALTER COLUMN "was_added_to_library" SET NOT NULL, ALTER COLUMN "presented_at" TYPE timestamp with time zone USING ("presented_at" AT TIME ZONE 'UTC'), ALTER COLUMN "presented_at" SET DEFAULT now(), ALTER COLUMN "interacted_at" TYPE timestamp with time zone USING ("interacted_at" AT TIME ZONE 'UTC');
ALTER TABLE "discovery_session_tracks" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "discovery_session_tracks_id_seq_legacy";
-- params: ["public.discovery_session_tracks"]
DROP SEQUENCE "discovery_session_tracks_id_seq_legacy";

-- ==== 20261201_090500_legacy_columns_catalogue upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
          AND a.attnum > 0 AND NOT a.attisdropped;
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
          AND a.attnum > 0 AND NOT a.attisdropped;
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT n.track_id, n.source_type,
               array_agg(n.id ORDER BY n.updated_at DESC, n.id DESC),
               (SELECT s.id FROM track_sources AS s
                WHERE s.track_id = n.track_id AND s.source_type = n.source_type
                  AND s.source_id IS NOT NULL
                ORDER BY s.updated_at DESC, s.id DESC LIMIT 1)
        FROM track_sources AS n
        WHERE n.source_id IS NULL
        GROUP BY n.track_id, n.source_type
        ORDER BY n.track_id, n.source_type;
SELECT count(*) FILTER (WHERE "genres" IS NULL), count(*) FILTER (WHERE "aliases" IS NULL), count(*) FILTER (WHERE "members" IS NULL), count(*) FILTER (WHERE "social_links" IS NULL), count(*) FILTER (WHERE "popularity" IS NULL), count(*) FILTER (WHERE "follower_count" IS NULL), count(*) FILTER (WHERE "is_verified" IS NULL), count(*) FILTER (WHERE "extra_metadata" IS NULL) FROM "artists";
SELECT count(*) FROM "artists" WHERE search_vector IS NOT NULL;
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.artists"]
SELECT count(*) FILTER (WHERE "album_type" IS NULL), count(*) FILTER (WHERE "total_discs" IS NULL), count(*) FILTER (WHERE "genres" IS NULL), count(*) FILTER (WHERE "styles" IS NULL), count(*) FILTER (WHERE "moods" IS NULL), count(*) FILTER (WHERE "themes" IS NULL), count(*) FILTER (WHERE "credits" IS NULL), count(*) FILTER (WHERE "popularity" IS NULL), count(*) FILTER (WHERE "rating_count" IS NULL), count(*) FILTER (WHERE "extra_metadata" IS NULL), count(*) FILTER (WHERE "is_remaster" IS NULL) FROM "albums";
SELECT count(*) FROM "albums" WHERE search_vector IS NOT NULL;
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.albums"]
SELECT count(*) FILTER (WHERE "source_extra_metadata" IS NULL), count(*) FILTER (WHERE "is_primary" IS NULL), count(*) FILTER (WHERE "sync_status" IS NULL) FROM "artist_sources";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.artist_sources"]
SELECT count(*) FILTER (WHERE "source_extra_metadata" IS NULL), count(*) FILTER (WHERE "is_primary" IS NULL), count(*) FILTER (WHERE "is_available" IS NULL), count(*) FILTER (WHERE "sync_status" IS NULL) FROM "album_sources";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.album_sources"]
SELECT count(*) FILTER (WHERE "source_extra_metadata" IS NULL), count(*) FILTER (WHERE "is_available" IS NULL), count(*) FILTER (WHERE "sync_status" IS NULL) FROM "track_sources";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.track_sources"]
LOCK TABLE track_sources IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "artists" AS t CROSS JOIN LATERAL (VALUES (%s, "genres" IS NULL, to_jsonb('[]'::jsonb)), (%s, "aliases" IS NULL, to_jsonb('[]'::jsonb)), (%s, "members" IS NULL, to_jsonb('[]'::jsonb)), (%s, "social_links" IS NULL, to_jsonb('{}'::jsonb)), (%s, "popularity" IS NULL, to_jsonb(0)), (%s, "follower_count" IS NULL, to_jsonb(0)), (%s, "is_verified" IS NULL, to_jsonb(false)), (%s, "extra_metadata" IS NULL, to_jsonb('{}'::jsonb))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_catalogue", "artists", "genres", "aliases", "members", "social_links", "popularity", "follower_count", "is_verified", "extra_metadata"]
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, id, 'search_vector', to_jsonb(search_vector), NULL, 'search_vector_generated' FROM "artists" WHERE search_vector IS NOT NULL;
-- params: ["columns_catalogue", "artists"]
ALTER TABLE "artists" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."artists_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."artists_id_seq" RENAME TO "artists_id_seq_legacy";
ALTER TABLE "artists" ALTER COLUMN "genres" TYPE jsonb USING coalesce("genres", '[]'::jsonb), ALTER COLUMN "genres" SET DEFAULT '[]'::jsonb, ALTER COLUMN "genres" SET NOT NULL, ALTER COLUMN "aliases" TYPE jsonb USING coalesce("aliases", '[]'::jsonb), ALTER COLUMN "aliases" SET DEFAULT '[]'::jsonb, ALTER COLUMN "aliases" SET NOT NULL, ALTER COLUMN "members" TYPE jsonb USING coalesce("members", '[]'::jsonb), ALTER COLUMN "members" SET DEFAULT '[]'::jsonb, ALTER COLUMN "members" SET NOT NULL, ALTER COLUMN "social_links" TYPE jsonb USING coalesce("social_links", '{}'::jsonb), ALTER COLUMN "social_links" SET DEFAULT '{}'::jsonb, ALTER COLUMN "social_links" SET NOT NULL, ALTER COLUMN "popularity" TYPE double precision USING coalesce("popularity", 0), ALTER COLUMN "popularity" SET DEFAULT 0, ALTER COLUMN "popularity" SET NOT NULL, ALTER COLUMN "follower_count" TYPE integer USING coalesce("follower_count", 0), ALTER COLUMN "follower_count" SET DEFAULT 0, ALTER COLUMN "follower_count" SET NOT NULL, ALTER COLUMN "is_verified" TYPE boolean USING coalesce("is_verified", false), ALTER COLUMN "is_verified" SET DEFAULT false, ALTER COLUMN "is_verified" SET NOT NULL, ALTER COLUMN "extra_metadata" TYPE jsonb USING coalesce("extra_metadata", '{}'::jsonb), ALTER COLUMN "extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "extra_metadata" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now(), ALTER COLUMN "last_synced" TYPE timestamp with time zone USING ("last_synced" AT TIME ZONE 'UTC'), DROP COLUMN "search_vector", ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS ((setweight(to_tsvector('english'::regconfig, (COALESCE(name, ''::character varying))::text), 'A'::"char") || setweight(to_tsvector('english'::regconfig, (COALESCE(sort_name, ''::character varying))::text), 'B'::"char"))) STORED;
ALTER TABLE "artists" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "artists_id_seq_legacy";
-- params: ["public.artists"]
DROP SEQUENCE "artists_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "albums" AS t CROSS JOIN LATERAL (VALUES (%s, "album_type" IS NULL, to_jsonb('album'::character varying)), (%s, "total_discs" IS NULL, to_jsonb(1)), (%s, "genres" IS NULL, to_jsonb('[]'::jsonb)), (%s, "styles" IS NULL, to_jsonb('[]'::jsonb)), (%s, "moods" IS NULL, to_jsonb('[]'::jsonb)), (%s, "themes" IS NULL, to_jsonb('[]'::jsonb)), (%s, "credits" IS NULL, to_jsonb('{}'::jsonb)), (%s, "popularity" IS NULL, to_jsonb(0)), (%s, "rating_count" IS NULL, to_jsonb(0)), (%s, "extra_metadata" IS NULL, to_jsonb('{}'::jsonb)), (%s, "is_remaster" IS NULL, to_jsonb(false))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_catalogue", "albums", "album_type", "total_discs", "genres", "styles", "moods", "themes", "credits", "popularity", "rating_count", "extra_metadata", "is_remaster"]
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, id, 'search_vector', to_jsonb(search_vector), NULL, 'search_vector_generated' FROM "albums" WHERE search_vector IS NOT NULL;
-- params: ["columns_catalogue", "albums"]
ALTER TABLE "albums" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."albums_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."albums_id_seq" RENAME TO "albums_id_seq_legacy";
ALTER TABLE "albums" ALTER COLUMN "album_type" TYPE character varying(20) USING coalesce("album_type", 'album'::character varying), ALTER COLUMN "album_type" SET DEFAULT 'album'::character varying, ALTER COLUMN "album_type" SET NOT NULL, ALTER COLUMN "total_discs" TYPE integer USING coalesce("total_discs", 1), ALTER COLUMN "total_discs" SET DEFAULT 1, ALTER COLUMN "total_discs" SET NOT NULL, ALTER COLUMN "genres" TYPE jsonb USING coalesce("genres", '[]'::jsonb), ALTER COLUMN "genres" SET DEFAULT '[]'::jsonb, ALTER COLUMN "genres" SET NOT NULL, ALTER COLUMN "styles" TYPE jsonb USING coalesce("styles", '[]'::jsonb), ALTER COLUMN "styles" SET DEFAULT '[]'::jsonb, ALTER COLUMN "styles" SET NOT NULL, ALTER COLUMN "moods" TYPE jsonb USING coalesce("moods", '[]'::jsonb), ALTER COLUMN "moods" SET DEFAULT '[]'::jsonb, ALTER COLUMN "moods" SET NOT NULL, ALTER COLUMN "themes" TYPE jsonb USING coalesce("themes", '[]'::jsonb), ALTER COLUMN "themes" SET DEFAULT '[]'::jsonb, ALTER COLUMN "themes" SET NOT NULL, ALTER COLUMN "credits" TYPE jsonb USING coalesce("credits", '{}'::jsonb), ALTER COLUMN "credits" SET DEFAULT '{}'::jsonb, ALTER COLUMN "credits" SET NOT NULL, ALTER COLUMN "popularity" TYPE double precision USING coalesce("popularity", 0), ALTER COLUMN "popularity" SET DEFAULT 0, ALTER COLUMN "popularity" SET NOT NULL, ALTER COLUMN "rating_count" TYPE integer USING coalesce("rating_count", 0), ALTER COLUMN "rating_count" SET DEFAULT 0, ALTER COLUMN "rating_count" SET NOT NULL, ALTER COLUMN "extra_metadata" TYPE jsonb USING coalesce("extra_metadata", '{}'::jsonb), ALTER COLUMN "extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "extra_metadata" SET NOT NULL, ALTER COLUMN "is_remaster" TYPE boolean USING coalesce("is_remaster", false), ALTER COLUMN "is_remaster" SET DEFAULT false, ALTER COLUMN "is_remaster" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now(), ALTER COLUMN "last_synced" TYPE timestamp with time zone USING ("last_synced" AT TIME ZONE 'UTC'), DROP COLUMN "search_vector", ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS ((setweight(to_tsvector('english'::regconfig, (COALESCE(title, ''::character varying))::text), 'A'::"char") || setweight(to_tsvector('english'::regconfig, (COALESCE(label, ''::character varying))::text), 'C'::"char"))) STORED;
ALTER TABLE "albums" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "albums_id_seq_legacy";
-- params: ["public.albums"]
DROP SEQUENCE "albums_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "artist_sources" AS t CROSS JOIN LATERAL (VALUES (%s, "source_extra_metadata" IS NULL, to_jsonb('{}'::jsonb)), (%s, "is_primary" IS NULL, to_jsonb(false)), (%s, "sync_status" IS NULL, to_jsonb('active'::character varying))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_catalogue", "artist_sources", "source_extra_metadata", "is_primary", "sync_status"]
ALTER TABLE "artist_sources" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."artist_sources_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."artist_sources_id_seq" RENAME TO "artist_sources_id_seq_legacy";
ALTER TABLE "artist_sources" ALTER COLUMN "source_extra_metadata" TYPE jsonb USING coalesce("source_extra_metadata", '{}'::jsonb), ALTER COLUMN "source_extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "source_extra_metadata" SET NOT NULL, ALTER COLUMN "is_primary" TYPE boolean USING coalesce("is_primary", false), ALTER COLUMN "is_primary" SET DEFAULT false, ALTER COLUMN "is_primary" SET NOT NULL, ALTER COLUMN "last_synced" TYPE timestamp with time zone USING ("last_synced" AT TIME ZONE 'UTC'), ALTER COLUMN "sync_status" TYPE character varying(20) USING coalesce("sync_status", 'active'::character varying), ALTER COLUMN "sync_status" SET DEFAULT 'active'::character varying, ALTER COLUMN "sync_status" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now();
ALTER TABLE "artist_sources" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "artist_sources_id_seq_legacy";
-- params: ["public.artist_sources"]
DROP SEQUENCE "artist_sources_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "album_sources" AS t CROSS JOIN LATERAL (VALUES (%s, "source_extra_metadata" IS NULL, to_jsonb('{}'::jsonb)), (%s, "is_primary" IS NULL, to_jsonb(false)), (%s, "is_available" IS NULL, to_jsonb(true)), (%s, "sync_status" IS NULL, to_jsonb('active'::character varying))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_catalogue", "album_sources", "source_extra_metadata", "is_primary", "is_available", "sync_status"]
ALTER TABLE "album_sources" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."album_sources_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."album_sources_id_seq" RENAME TO "album_sources_id_seq_legacy";
ALTER TABLE "album_sources" ALTER COLUMN "source_extra_metadata" TYPE jsonb USING coalesce("source_extra_metadata", '{}'::jsonb), ALTER COLUMN "source_extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "source_extra_metadata" SET NOT NULL, ALTER COLUMN "is_primary" TYPE boolean USING coalesce("is_primary", false), ALTER COLUMN "is_primary" SET DEFAULT false, ALTER COLUMN "is_primary" SET NOT NULL, ALTER COLUMN "is_available" TYPE boolean USING coalesce("is_available", true), ALTER COLUMN "is_available" SET DEFAULT true, ALTER COLUMN "is_available" SET NOT NULL, ALTER COLUMN "last_synced" TYPE timestamp with time zone USING ("last_synced" AT TIME ZONE 'UTC'), ALTER COLUMN "sync_status" TYPE character varying(20) USING coalesce("sync_status", 'active'::character varying), ALTER COLUMN "sync_status" SET DEFAULT 'active'::character varying, ALTER COLUMN "sync_status" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now();
ALTER TABLE "album_sources" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "album_sources_id_seq_legacy";
-- params: ["public.album_sources"]
DROP SEQUENCE "album_sources_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "track_sources" AS t CROSS JOIN LATERAL (VALUES (%s, "source_extra_metadata" IS NULL, to_jsonb('{}'::jsonb)), (%s, "is_available" IS NULL, to_jsonb(true)), (%s, "sync_status" IS NULL, to_jsonb('active'::character varying))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_catalogue", "track_sources", "source_extra_metadata", "is_available", "sync_status"]
ALTER TABLE "track_sources" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."track_sources_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."track_sources_id_seq" RENAME TO "track_sources_id_seq_legacy";
ALTER TABLE "track_sources" ALTER COLUMN "source_id" SET NOT NULL, ALTER COLUMN "source_extra_metadata" TYPE jsonb USING coalesce("source_extra_metadata", '{}'::jsonb), ALTER COLUMN "source_extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "source_extra_metadata" SET NOT NULL, ALTER COLUMN "is_available" TYPE boolean USING coalesce("is_available", true), ALTER COLUMN "is_available" SET DEFAULT true, ALTER COLUMN "is_available" SET NOT NULL, ALTER COLUMN "last_synced" TYPE timestamp with time zone USING ("last_synced" AT TIME ZONE 'UTC'), ALTER COLUMN "sync_status" TYPE character varying(20) USING coalesce("sync_status", 'active'::character varying), ALTER COLUMN "sync_status" SET DEFAULT 'active'::character varying, ALTER COLUMN "sync_status" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now();
ALTER TABLE "track_sources" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "track_sources_id_seq_legacy";
-- params: ["public.track_sources"]
DROP SEQUENCE "track_sources_id_seq_legacy";

-- ==== 20261201_090600_legacy_columns_listening upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
          AND a.attnum > 0 AND NOT a.attisdropped;
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT a.attname FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = to_regclass('public.mv_track_popularity') AND a.attnum > 0 AND a.attname = 'track_id';
SELECT to_regclass('public.mv_track_popularity') IS NOT NULL;
SELECT count(*) FILTER (WHERE "audio_features" IS NULL), count(*) FILTER (WHERE "explicit" IS NULL), count(*) FILTER (WHERE "popularity" IS NULL), count(*) FILTER (WHERE "extra_metadata" IS NULL) FROM "tracks";
SELECT count(*) FROM "tracks" WHERE search_vector IS NOT NULL;
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.tracks"]
SELECT count(*) FILTER (WHERE "extra_metadata" IS NULL) FROM "user_interactions";
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass;
-- params: ["public.user_interactions"]
DROP MATERIALIZED VIEW IF EXISTS "mv_track_popularity";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "tracks" AS t CROSS JOIN LATERAL (VALUES (%s, "audio_features" IS NULL, to_jsonb('{}'::jsonb)), (%s, "explicit" IS NULL, to_jsonb(false)), (%s, "popularity" IS NULL, to_jsonb(0)), (%s, "extra_metadata" IS NULL, to_jsonb('{}'::jsonb))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_listening", "tracks", "audio_features", "explicit", "popularity", "extra_metadata"]
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, id, 'search_vector', to_jsonb(search_vector), NULL, 'search_vector_generated' FROM "tracks" WHERE search_vector IS NOT NULL;
-- params: ["columns_listening", "tracks"]
ALTER TABLE "tracks" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."tracks_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."tracks_id_seq" RENAME TO "tracks_id_seq_legacy";
ALTER TABLE "tracks" ALTER COLUMN "audio_features" TYPE jsonb USING coalesce("audio_features", '{}'::jsonb), ALTER COLUMN "audio_features" SET DEFAULT '{}'::jsonb, ALTER COLUMN "audio_features" SET NOT NULL, ALTER COLUMN "explicit" TYPE boolean USING coalesce("explicit", false), ALTER COLUMN "explicit" SET DEFAULT false, ALTER COLUMN "explicit" SET NOT NULL, ALTER COLUMN "popularity" TYPE double precision USING coalesce("popularity", 0), ALTER COLUMN "popularity" SET DEFAULT 0, ALTER COLUMN "popularity" SET NOT NULL, ALTER COLUMN "extra_metadata" TYPE jsonb USING coalesce("extra_metadata", '{}'::jsonb), ALTER COLUMN "extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "extra_metadata" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now(), ALTER COLUMN "updated_at" TYPE timestamp with time zone USING ("updated_at" AT TIME ZONE 'UTC'), ALTER COLUMN "updated_at" SET DEFAULT now(), ALTER COLUMN "last_analyzed" TYPE timestamp with time zone USING ("last_analyzed" AT TIME ZONE 'UTC'), DROP COLUMN "search_vector", ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, COALESCE(title, ''::text)), 'A'::"char")) STORED;
ALTER TABLE "tracks" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "tracks_id_seq_legacy";
-- params: ["public.tracks"]
DROP SEQUENCE "tracks_id_seq_legacy";
INSERT INTO musicdb_adopt.changed_values (step, table_name, row_id, column_name, old_value, new_value, reason) SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' FROM "user_interactions" AS t CROSS JOIN LATERAL (VALUES (%s, "extra_metadata" IS NULL, to_jsonb('{}'::jsonb))) AS v(col, is_null, val) WHERE v.is_null;
-- params: ["columns_listening", "user_interactions", "extra_metadata"]
ALTER TABLE "user_interactions" ALTER COLUMN id DROP DEFAULT;
ALTER SEQUENCE "public"."user_interactions_id_seq" OWNED BY NONE;
ALTER SEQUENCE "public"."user_interactions_id_seq" RENAME TO "user_interactions_id_seq_legacy";
ALTER TABLE "user_interactions" ALTER COLUMN "id" TYPE bigint USING "id", ALTER COLUMN "extra_metadata" TYPE jsonb USING coalesce("extra_metadata", '{}'::jsonb), ALTER COLUMN "extra_metadata" SET DEFAULT '{}'::jsonb, ALTER COLUMN "extra_metadata" SET NOT NULL, ALTER COLUMN "created_at" TYPE timestamp with time zone USING ("created_at" AT TIME ZONE 'UTC'), ALTER COLUMN "created_at" SET DEFAULT now();
ALTER TABLE "user_interactions" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) FROM "user_interactions_id_seq_legacy";
-- params: ["public.user_interactions"]
DROP SEQUENCE "user_interactions_id_seq_legacy";
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

-- ==== 20261201_090700_legacy_constraints upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid),
               k.convalidated
        FROM pg_catalog.pg_constraint AS k
        JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s) AND k.contype IN ('p', 'u', 'f', 'c');
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT id FROM playlist_track_votes WHERE vote_type NOT IN (-1, 1) ORDER BY id;
SELECT id FROM user_library WHERE rating NOT BETWEEN 1 AND 5 ORDER BY id;
ALTER TABLE "album_sources" RENAME CONSTRAINT "album_sources_pkey" TO "pk_album_sources";
ALTER TABLE "album_sources" RENAME CONSTRAINT "uq_album_source" TO "uq_album_sources_album_id_source_type_source_id";
ALTER TABLE "albums" RENAME CONSTRAINT "albums_musicbrainz_id_key" TO "uq_albums_musicbrainz_id";
ALTER TABLE "albums" RENAME CONSTRAINT "albums_pkey" TO "pk_albums";
ALTER TABLE "albums" RENAME CONSTRAINT "check_total_tracks" TO "ck_albums_total_tracks_non_negative";
ALTER TABLE "artist_sources" RENAME CONSTRAINT "artist_sources_pkey" TO "pk_artist_sources";
ALTER TABLE "artist_sources" RENAME CONSTRAINT "uq_artist_source" TO "uq_artist_sources_artist_id_source_type_source_id";
ALTER TABLE "artists" RENAME CONSTRAINT "artists_musicbrainz_id_key" TO "uq_artists_musicbrainz_id";
ALTER TABLE "artists" RENAME CONSTRAINT "artists_pkey" TO "pk_artists";
ALTER TABLE "discovery_session_tracks" RENAME CONSTRAINT "discovery_session_tracks_pkey" TO "pk_discovery_session_tracks";
ALTER TABLE "discovery_session_tracks" RENAME CONSTRAINT "uq_session_track_position" TO "uq_discovery_session_tracks_session_id_position";
ALTER TABLE "discovery_sessions" RENAME CONSTRAINT "discovery_sessions_pkey" TO "pk_discovery_sessions";
ALTER TABLE "discovery_sessions" RENAME CONSTRAINT "discovery_sessions_uuid_key" TO "uq_discovery_sessions_uuid";
ALTER TABLE "playlist_activities" RENAME CONSTRAINT "playlist_activities_pkey" TO "pk_playlist_activities";
ALTER TABLE "playlist_collaborators" RENAME CONSTRAINT "playlist_collaborators_pkey" TO "pk_playlist_collaborators";
ALTER TABLE "playlist_collaborators" RENAME CONSTRAINT "uq_playlist_collaborator" TO "uq_playlist_collaborators_playlist_id_user_id";
ALTER TABLE "playlist_follows" RENAME CONSTRAINT "playlist_follows_pkey" TO "pk_playlist_follows";
ALTER TABLE "playlist_follows" RENAME CONSTRAINT "uq_user_playlist_follow" TO "uq_playlist_follows_user_id_playlist_id";
ALTER TABLE "playlist_track_votes" RENAME CONSTRAINT "playlist_track_votes_pkey" TO "pk_playlist_track_votes";
ALTER TABLE "playlist_track_votes" RENAME CONSTRAINT "uq_playlist_track_vote" TO "uq_playlist_track_votes_playlist_track_id_user_id";
ALTER TABLE "playlist_tracks" RENAME CONSTRAINT "playlist_tracks_pkey" TO "pk_playlist_tracks";
ALTER TABLE "playlists" RENAME CONSTRAINT "check_playlist_duration" TO "ck_playlists_total_duration_ms_non_negative";
ALTER TABLE "playlists" RENAME CONSTRAINT "playlists_pkey" TO "pk_playlists";
ALTER TABLE "playlists" RENAME CONSTRAINT "playlists_share_token_key" TO "uq_playlists_share_token";
ALTER TABLE "playlists" RENAME CONSTRAINT "playlists_uuid_key" TO "uq_playlists_uuid";
ALTER TABLE "track_sources" RENAME CONSTRAINT "track_sources_pkey" TO "pk_track_sources";
ALTER TABLE "track_sources" RENAME CONSTRAINT "uq_track_source" TO "uq_track_sources_track_id_source_type_source_id";
ALTER TABLE "tracks" RENAME CONSTRAINT "check_duration" TO "ck_tracks_duration_ms_non_negative";
ALTER TABLE "tracks" RENAME CONSTRAINT "tracks_pkey" TO "pk_tracks";
ALTER TABLE "user_album_collections" RENAME CONSTRAINT "uq_user_album_collection" TO "uq_user_album_collections_user_id_album_id";
ALTER TABLE "user_album_collections" RENAME CONSTRAINT "user_album_collections_pkey" TO "pk_user_album_collections";
ALTER TABLE "user_artist_follows" RENAME CONSTRAINT "uq_user_artist_follow" TO "uq_user_artist_follows_user_id_artist_id";
ALTER TABLE "user_artist_follows" RENAME CONSTRAINT "user_artist_follows_pkey" TO "pk_user_artist_follows";
ALTER TABLE "user_interactions" RENAME CONSTRAINT "check_play_duration" TO "ck_user_interactions_play_duration_ms_non_negative";
ALTER TABLE "user_interactions" RENAME CONSTRAINT "user_interactions_pkey" TO "pk_user_interactions";
ALTER TABLE "user_library" RENAME CONSTRAINT "uq_user_library_track" TO "uq_user_library_user_id_track_id";
ALTER TABLE "user_library" RENAME CONSTRAINT "user_library_pkey" TO "pk_user_library";
ALTER TABLE "user_music_profiles" RENAME CONSTRAINT "user_music_profiles_pkey" TO "pk_user_music_profiles";
ALTER TABLE "user_music_profiles" RENAME CONSTRAINT "user_music_profiles_user_id_key" TO "uq_user_music_profiles_user_id";
ALTER TABLE "users" RENAME CONSTRAINT "users_email_key" TO "uq_users_email";
ALTER TABLE "users" RENAME CONSTRAINT "users_pkey" TO "pk_users";
ALTER TABLE "users" RENAME CONSTRAINT "users_username_key" TO "uq_users_username";
ALTER TABLE "album_sources" DROP CONSTRAINT "album_sources_album_id_fkey";
ALTER TABLE "albums" DROP CONSTRAINT "albums_artist_id_fkey";
ALTER TABLE "artist_sources" DROP CONSTRAINT "artist_sources_artist_id_fkey";
ALTER TABLE "discovery_session_tracks" DROP CONSTRAINT "discovery_session_tracks_session_id_fkey";
ALTER TABLE "discovery_session_tracks" DROP CONSTRAINT "discovery_session_tracks_track_id_fkey";
ALTER TABLE "discovery_sessions" DROP CONSTRAINT "discovery_sessions_user_id_fkey";
ALTER TABLE "playlist_activities" DROP CONSTRAINT "playlist_activities_playlist_id_fkey";
ALTER TABLE "playlist_activities" DROP CONSTRAINT "playlist_activities_user_id_fkey";
ALTER TABLE "playlist_collaborators" DROP CONSTRAINT "playlist_collaborators_invited_by_fkey";
ALTER TABLE "playlist_collaborators" DROP CONSTRAINT "playlist_collaborators_playlist_id_fkey";
ALTER TABLE "playlist_collaborators" DROP CONSTRAINT "playlist_collaborators_user_id_fkey";
ALTER TABLE "playlist_follows" DROP CONSTRAINT "playlist_follows_playlist_id_fkey";
ALTER TABLE "playlist_follows" DROP CONSTRAINT "playlist_follows_user_id_fkey";
ALTER TABLE "playlist_track_votes" DROP CONSTRAINT "playlist_track_votes_playlist_track_id_fkey";
ALTER TABLE "playlist_track_votes" DROP CONSTRAINT "playlist_track_votes_user_id_fkey";
ALTER TABLE "playlist_tracks" DROP CONSTRAINT "playlist_tracks_added_by_fkey";
ALTER TABLE "playlist_tracks" DROP CONSTRAINT "playlist_tracks_playlist_id_fkey";
ALTER TABLE "playlist_tracks" DROP CONSTRAINT "playlist_tracks_track_id_fkey";
ALTER TABLE "playlists" DROP CONSTRAINT "playlists_last_modified_by_fkey";
ALTER TABLE "playlists" DROP CONSTRAINT "playlists_owner_id_fkey";
ALTER TABLE "playlists" DROP CONSTRAINT "playlists_parent_id_fkey";
ALTER TABLE "track_sources" DROP CONSTRAINT "track_sources_track_id_fkey";
ALTER TABLE "tracks" DROP CONSTRAINT "tracks_album_id_fkey";
ALTER TABLE "tracks" DROP CONSTRAINT "tracks_artist_id_fkey";
ALTER TABLE "user_album_collections" DROP CONSTRAINT "user_album_collections_album_id_fkey";
ALTER TABLE "user_album_collections" DROP CONSTRAINT "user_album_collections_user_id_fkey";
ALTER TABLE "user_artist_follows" DROP CONSTRAINT "user_artist_follows_artist_id_fkey";
ALTER TABLE "user_artist_follows" DROP CONSTRAINT "user_artist_follows_user_id_fkey";
ALTER TABLE "user_interactions" DROP CONSTRAINT "user_interactions_track_id_fkey";
ALTER TABLE "user_interactions" DROP CONSTRAINT "user_interactions_user_id_fkey";
ALTER TABLE "user_library" DROP CONSTRAINT "user_library_track_id_fkey";
ALTER TABLE "user_library" DROP CONSTRAINT "user_library_user_id_fkey";
ALTER TABLE "user_music_profiles" DROP CONSTRAINT "user_music_profiles_user_id_fkey";
ALTER TABLE "album_sources" ADD CONSTRAINT "fk_album_sources_album_id_albums" FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "albums" ADD CONSTRAINT "fk_albums_artist_id_artists" FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "artist_sources" ADD CONSTRAINT "fk_artist_sources_artist_id_artists" FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "discovery_session_tracks" ADD CONSTRAINT "fk_discovery_session_tracks_session_id_discovery_sessions" FOREIGN KEY (session_id) REFERENCES discovery_sessions(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "discovery_session_tracks" ADD CONSTRAINT "fk_discovery_session_tracks_track_id_tracks" FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "discovery_sessions" ADD CONSTRAINT "fk_discovery_sessions_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_activities" ADD CONSTRAINT "fk_playlist_activities_playlist_id_playlists" FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_activities" ADD CONSTRAINT "fk_playlist_activities_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "playlist_collaborators" ADD CONSTRAINT "fk_playlist_collaborators_invited_by_users" FOREIGN KEY (invited_by) REFERENCES users(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "playlist_collaborators" ADD CONSTRAINT "fk_playlist_collaborators_playlist_id_playlists" FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_collaborators" ADD CONSTRAINT "fk_playlist_collaborators_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_follows" ADD CONSTRAINT "fk_playlist_follows_playlist_id_playlists" FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_follows" ADD CONSTRAINT "fk_playlist_follows_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_track_votes" ADD CONSTRAINT "ck_playlist_track_votes_vote_type" CHECK ((vote_type = ANY (ARRAY['-1'::integer, 1]))) NOT VALID;
ALTER TABLE "playlist_track_votes" ADD CONSTRAINT "fk_playlist_track_votes_playlist_track_id_playlist_tracks" FOREIGN KEY (playlist_track_id) REFERENCES playlist_tracks(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_track_votes" ADD CONSTRAINT "fk_playlist_track_votes_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_tracks" ADD CONSTRAINT "fk_playlist_tracks_added_by_users" FOREIGN KEY (added_by) REFERENCES users(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "playlist_tracks" ADD CONSTRAINT "fk_playlist_tracks_playlist_id_playlists" FOREIGN KEY (playlist_id) REFERENCES playlists(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlist_tracks" ADD CONSTRAINT "fk_playlist_tracks_track_id_tracks" FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlists" ADD CONSTRAINT "fk_playlists_last_modified_by_users" FOREIGN KEY (last_modified_by) REFERENCES users(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "playlists" ADD CONSTRAINT "fk_playlists_owner_id_users" FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "playlists" ADD CONSTRAINT "fk_playlists_parent_id_playlists" FOREIGN KEY (parent_id) REFERENCES playlists(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "track_sources" ADD CONSTRAINT "fk_track_sources_track_id_tracks" FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "tracks" ADD CONSTRAINT "fk_tracks_album_id_albums" FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "tracks" ADD CONSTRAINT "fk_tracks_artist_id_artists" FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE SET NULL NOT VALID;
ALTER TABLE "user_album_collections" ADD CONSTRAINT "fk_user_album_collections_album_id_albums" FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_album_collections" ADD CONSTRAINT "fk_user_album_collections_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_artist_follows" ADD CONSTRAINT "fk_user_artist_follows_artist_id_artists" FOREIGN KEY (artist_id) REFERENCES artists(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_artist_follows" ADD CONSTRAINT "fk_user_artist_follows_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_interactions" ADD CONSTRAINT "fk_user_interactions_track_id_tracks" FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_interactions" ADD CONSTRAINT "fk_user_interactions_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_library" ADD CONSTRAINT "ck_user_library_rating" CHECK (((rating >= 1) AND (rating <= 5))) NOT VALID;
ALTER TABLE "user_library" ADD CONSTRAINT "fk_user_library_track_id_tracks" FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_library" ADD CONSTRAINT "fk_user_library_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE "user_music_profiles" ADD CONSTRAINT "fk_user_music_profiles_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;

-- ==== 20261201_090800_legacy_validate_constraints upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
SELECT c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid),
               k.convalidated
        FROM pg_catalog.pg_constraint AS k
        JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s) AND k.contype IN ('p', 'u', 'f', 'c');
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
ALTER TABLE "album_sources" VALIDATE CONSTRAINT "fk_album_sources_album_id_albums";
ALTER TABLE "albums" VALIDATE CONSTRAINT "fk_albums_artist_id_artists";
ALTER TABLE "artist_sources" VALIDATE CONSTRAINT "fk_artist_sources_artist_id_artists";
ALTER TABLE "discovery_session_tracks" VALIDATE CONSTRAINT "fk_discovery_session_tracks_session_id_discovery_sessions";
ALTER TABLE "discovery_session_tracks" VALIDATE CONSTRAINT "fk_discovery_session_tracks_track_id_tracks";
ALTER TABLE "discovery_sessions" VALIDATE CONSTRAINT "fk_discovery_sessions_user_id_users";
ALTER TABLE "playlist_activities" VALIDATE CONSTRAINT "fk_playlist_activities_playlist_id_playlists";
ALTER TABLE "playlist_activities" VALIDATE CONSTRAINT "fk_playlist_activities_user_id_users";
ALTER TABLE "playlist_collaborators" VALIDATE CONSTRAINT "fk_playlist_collaborators_invited_by_users";
ALTER TABLE "playlist_collaborators" VALIDATE CONSTRAINT "fk_playlist_collaborators_playlist_id_playlists";
ALTER TABLE "playlist_collaborators" VALIDATE CONSTRAINT "fk_playlist_collaborators_user_id_users";
ALTER TABLE "playlist_follows" VALIDATE CONSTRAINT "fk_playlist_follows_playlist_id_playlists";
ALTER TABLE "playlist_follows" VALIDATE CONSTRAINT "fk_playlist_follows_user_id_users";
ALTER TABLE "playlist_track_votes" VALIDATE CONSTRAINT "ck_playlist_track_votes_vote_type";
ALTER TABLE "playlist_track_votes" VALIDATE CONSTRAINT "fk_playlist_track_votes_playlist_track_id_playlist_tracks";
ALTER TABLE "playlist_track_votes" VALIDATE CONSTRAINT "fk_playlist_track_votes_user_id_users";
ALTER TABLE "playlist_tracks" VALIDATE CONSTRAINT "fk_playlist_tracks_added_by_users";
ALTER TABLE "playlist_tracks" VALIDATE CONSTRAINT "fk_playlist_tracks_playlist_id_playlists";
ALTER TABLE "playlist_tracks" VALIDATE CONSTRAINT "fk_playlist_tracks_track_id_tracks";
ALTER TABLE "playlists" VALIDATE CONSTRAINT "fk_playlists_last_modified_by_users";
ALTER TABLE "playlists" VALIDATE CONSTRAINT "fk_playlists_owner_id_users";
ALTER TABLE "playlists" VALIDATE CONSTRAINT "fk_playlists_parent_id_playlists";
ALTER TABLE "track_sources" VALIDATE CONSTRAINT "fk_track_sources_track_id_tracks";
ALTER TABLE "tracks" VALIDATE CONSTRAINT "fk_tracks_album_id_albums";
ALTER TABLE "tracks" VALIDATE CONSTRAINT "fk_tracks_artist_id_artists";
ALTER TABLE "user_album_collections" VALIDATE CONSTRAINT "fk_user_album_collections_album_id_albums";
ALTER TABLE "user_album_collections" VALIDATE CONSTRAINT "fk_user_album_collections_user_id_users";
ALTER TABLE "user_artist_follows" VALIDATE CONSTRAINT "fk_user_artist_follows_artist_id_artists";
ALTER TABLE "user_artist_follows" VALIDATE CONSTRAINT "fk_user_artist_follows_user_id_users";
ALTER TABLE "user_interactions" VALIDATE CONSTRAINT "fk_user_interactions_track_id_tracks";
ALTER TABLE "user_interactions" VALIDATE CONSTRAINT "fk_user_interactions_user_id_users";
ALTER TABLE "user_library" VALIDATE CONSTRAINT "ck_user_library_rating";
ALTER TABLE "user_library" VALIDATE CONSTRAINT "fk_user_library_track_id_tracks";
ALTER TABLE "user_library" VALIDATE CONSTRAINT "fk_user_library_user_id_users";
ALTER TABLE "user_music_profiles" VALIDATE CONSTRAINT "fk_user_music_profiles_user_id_users";

-- ==== 20261201_090900_legacy_create_indexes upgrade
SELECT to_regclass(%s) IS NOT NULL;
-- params: ["musicdb_adopt.adoption"]
show transaction isolation level;
SELECT c.relname, greatest(c.reltuples, 0)::float8
            FROM pg_catalog.pg_class AS c
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s);
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT i.relname, c.relname, pg_catalog.pg_get_indexdef(x.indexrelid),
               EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS k WHERE k.conindid = x.indexrelid
                       AND k.contype IN ('p', 'u', 'x')),
               x.indisvalid
        FROM pg_catalog.pg_index AS x
        JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
        JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s);
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid),
               k.convalidated
        FROM pg_catalog.pg_constraint AS k
        JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s) AND k.contype IN ('p', 'u', 'f', 'c');
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
SELECT i.relname, c.relname, pg_catalog.pg_get_indexdef(x.indexrelid),
               EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS k WHERE k.conindid = x.indexrelid
                       AND k.contype IN ('p', 'u', 'x')),
               x.indisvalid
        FROM pg_catalog.pg_index AS x
        JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
        JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s);
-- params: [["users", "artists", "albums", "tracks", "artist_sources", "album_sources", "track_sources", "playlists", "playlist_tracks", "playlist_collaborators", "playlist_activities", "playlist_track_votes", "playlist_follows", "user_music_profiles", "user_library", "user_interactions", "discovery_sessions", "discovery_session_tracks", "user_artist_follows", "user_album_collections"]]
CREATE INDEX ix_albums_artist_id ON albums USING btree (artist_id);
CREATE INDEX ix_albums_genres ON albums USING gin (genres jsonb_path_ops);
CREATE INDEX ix_albums_search_vector ON albums USING gin (search_vector);
CREATE INDEX ix_artists_aliases ON artists USING gin (aliases jsonb_path_ops);
CREATE INDEX ix_artists_genres ON artists USING gin (genres jsonb_path_ops);
CREATE INDEX ix_artists_search_vector ON artists USING gin (search_vector);
CREATE INDEX ix_discovery_sessions_user_id_active ON discovery_sessions USING btree (user_id) WHERE is_active;
CREATE INDEX ix_playlist_activities_playlist_id_created_at ON playlist_activities USING btree (playlist_id, created_at DESC);
CREATE INDEX ix_playlist_collaborators_invited_by ON playlist_collaborators USING btree (invited_by);
CREATE INDEX ix_playlist_follows_playlist_id ON playlist_follows USING btree (playlist_id);
CREATE INDEX ix_playlist_track_votes_user_id ON playlist_track_votes USING btree (user_id);
CREATE INDEX ix_playlist_tracks_added_by ON playlist_tracks USING btree (added_by);
CREATE INDEX ix_playlists_last_modified_by ON playlists USING btree (last_modified_by);
CREATE INDEX ix_playlists_owner_id ON playlists USING btree (owner_id);
CREATE INDEX ix_playlists_public_collaborative ON playlists USING btree (is_public, is_collaborative) WHERE (is_public AND is_collaborative);
CREATE INDEX ix_playlists_search_vector ON playlists USING gin (search_vector);
CREATE INDEX ix_playlists_tags ON playlists USING gin (tags jsonb_path_ops);
CREATE INDEX ix_tracks_artist_id_popularity ON tracks USING btree (artist_id, popularity DESC);
CREATE INDEX ix_tracks_danceable ON tracks USING btree ((((audio_features ->> 'danceability'::text))::double precision)) WHERE (((audio_features ->> 'danceability'::text))::double precision > (0.7)::double precision);
CREATE INDEX ix_tracks_high_energy ON tracks USING btree ((((audio_features ->> 'energy'::text))::double precision)) WHERE (((audio_features ->> 'energy'::text))::double precision > (0.8)::double precision);
CREATE INDEX ix_tracks_search_vector ON tracks USING gin (search_vector);
CREATE INDEX ix_user_album_collections_album_id ON user_album_collections USING btree (album_id);
CREATE INDEX ix_user_artist_follows_artist_id ON user_artist_follows USING btree (artist_id);
CREATE INDEX ix_user_interactions_user_id_created_at ON user_interactions USING btree (user_id, created_at DESC);
CREATE INDEX ix_user_library_user_id_added_at ON user_library USING btree (user_id, added_at DESC);
CREATE INDEX ix_user_library_user_id_added_at_favorite ON user_library USING btree (user_id, added_at DESC) WHERE is_favorite;
CREATE UNIQUE INDEX uq_album_sources_source_type_source_id ON album_sources USING btree (source_type, source_id);
ALTER TABLE "album_sources" ADD CONSTRAINT "uq_album_sources_source_type_source_id" UNIQUE USING INDEX "uq_album_sources_source_type_source_id";
CREATE UNIQUE INDEX uq_artist_sources_source_type_source_id ON artist_sources USING btree (source_type, source_id);
ALTER TABLE "artist_sources" ADD CONSTRAINT "uq_artist_sources_source_type_source_id" UNIQUE USING INDEX "uq_artist_sources_source_type_source_id";
CREATE UNIQUE INDEX uq_playlist_tracks_playlist_id_position ON playlist_tracks USING btree (playlist_id, "position");
ALTER TABLE "playlist_tracks" DROP CONSTRAINT "uq_playlist_position", ADD CONSTRAINT "uq_playlist_tracks_playlist_id_position" UNIQUE USING INDEX "uq_playlist_tracks_playlist_id_position" DEFERRABLE INITIALLY IMMEDIATE;
CREATE UNIQUE INDEX uq_track_sources_source_type_source_id ON track_sources USING btree (source_type, source_id);
ALTER TABLE "track_sources" ADD CONSTRAINT "uq_track_sources_source_type_source_id" UNIQUE USING INDEX "uq_track_sources_source_type_source_id";

-- ==== 20261128_090000_maintenance_log upgrade
CREATE TABLE maintenance_log (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY, 
	operation VARCHAR(32) NOT NULL, 
	target TEXT NOT NULL, 
	started_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
	finished_at TIMESTAMP WITH TIME ZONE, 
	duration_ms DOUBLE PRECISION, 
	rows BIGINT, 
	outcome VARCHAR(16) NOT NULL, 
	error TEXT, 
	details JSONB DEFAULT '{}'::jsonb NOT NULL, 
	CONSTRAINT pk_maintenance_log PRIMARY KEY (id), 
	CONSTRAINT ck_maintenance_log_outcome CHECK (outcome IN ('ok', 'failed', 'skipped', 'timeout'))
);
CREATE INDEX ix_maintenance_log_target_operation_started_at ON maintenance_log (target, operation, started_at DESC);

-- ==== 20261204_090000_platform_app_compatible upgrade
ALTER TABLE tracks RENAME COLUMN search_vector TO search_document;
ALTER INDEX ix_tracks_search_vector RENAME TO ix_tracks_search_document;
ALTER TABLE tracks ADD COLUMN search_vector text;
ALTER TABLE artists RENAME COLUMN search_vector TO search_document;
ALTER INDEX ix_artists_search_vector RENAME TO ix_artists_search_document;
ALTER TABLE artists ADD COLUMN search_vector text;
ALTER TABLE albums RENAME COLUMN search_vector TO search_document;
ALTER INDEX ix_albums_search_vector RENAME TO ix_albums_search_document;
ALTER TABLE albums ADD COLUMN search_vector text;
ALTER TABLE playlists RENAME COLUMN search_vector TO search_document;
ALTER INDEX ix_playlists_search_vector RENAME TO ix_playlists_search_document;
ALTER TABLE playlists ADD COLUMN search_vector text;
CREATE INDEX ix_track_sources_source_type_source_id ON track_sources (source_type, source_id);
ALTER TABLE track_sources DROP CONSTRAINT uq_track_sources_source_type_source_id, ALTER COLUMN source_id DROP NOT NULL;
SELECT g.rolname, a.privilege_type, a.is_grantable FROM pg_catalog.pg_class AS c, aclexplode(c.relacl) AS a JOIN pg_catalog.pg_roles AS g ON g.oid = a.grantee WHERE c.oid = to_regclass('public.mv_track_popularity') AND a.grantee <> c.relowner;
DROP MATERIALIZED VIEW mv_track_popularity;
SET LOCAL TimeZone = 'UTC';
SELECT c.relname, a.attname FROM pg_catalog.pg_partitioned_table AS p JOIN pg_catalog.pg_class AS c ON c.oid = p.partrelid JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = ANY(p.partattrs) WHERE c.relnamespace = 'public'::regnamespace;
ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN last_login TYPE timestamp without time zone;
ALTER TABLE artists ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN last_synced TYPE timestamp without time zone;
ALTER TABLE albums ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN last_synced TYPE timestamp without time zone;
ALTER TABLE tracks ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN last_analyzed TYPE timestamp without time zone;
ALTER TABLE artist_sources ALTER COLUMN last_synced TYPE timestamp without time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE album_sources ALTER COLUMN last_synced TYPE timestamp without time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE track_sources ALTER COLUMN last_synced TYPE timestamp without time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE playlists ALTER COLUMN expires_at TYPE timestamp without time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN last_played_at TYPE timestamp without time zone;
ALTER TABLE playlist_tracks ALTER COLUMN added_at DROP DEFAULT, ALTER COLUMN added_at TYPE timestamp without time zone, ALTER COLUMN added_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE playlist_collaborators ALTER COLUMN last_active TYPE timestamp without time zone, ALTER COLUMN invited_at DROP DEFAULT, ALTER COLUMN invited_at TYPE timestamp without time zone, ALTER COLUMN invited_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN joined_at TYPE timestamp without time zone;
ALTER TABLE playlist_activities ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE playlist_track_votes ALTER COLUMN voted_at DROP DEFAULT, ALTER COLUMN voted_at TYPE timestamp without time zone, ALTER COLUMN voted_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE playlist_follows ALTER COLUMN followed_at DROP DEFAULT, ALTER COLUMN followed_at TYPE timestamp without time zone, ALTER COLUMN followed_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE user_music_profiles ALTER COLUMN last_taste_update TYPE timestamp without time zone, ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN updated_at DROP DEFAULT, ALTER COLUMN updated_at TYPE timestamp without time zone, ALTER COLUMN updated_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE user_library ALTER COLUMN added_at DROP DEFAULT, ALTER COLUMN added_at TYPE timestamp without time zone, ALTER COLUMN added_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN last_played_at TYPE timestamp without time zone;
ALTER TABLE user_interactions ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN created_at TYPE timestamp without time zone, ALTER COLUMN created_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE discovery_sessions ALTER COLUMN started_at DROP DEFAULT, ALTER COLUMN started_at TYPE timestamp without time zone, ALTER COLUMN started_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN ended_at TYPE timestamp without time zone, ALTER COLUMN last_interaction_at DROP DEFAULT, ALTER COLUMN last_interaction_at TYPE timestamp without time zone, ALTER COLUMN last_interaction_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE discovery_session_tracks ALTER COLUMN presented_at DROP DEFAULT, ALTER COLUMN presented_at TYPE timestamp without time zone, ALTER COLUMN presented_at SET DEFAULT timezone('utc'::text, now()), ALTER COLUMN interacted_at TYPE timestamp without time zone;
ALTER TABLE user_artist_follows ALTER COLUMN followed_at DROP DEFAULT, ALTER COLUMN followed_at TYPE timestamp without time zone, ALTER COLUMN followed_at SET DEFAULT timezone('utc'::text, now());
ALTER TABLE user_album_collections ALTER COLUMN added_at DROP DEFAULT, ALTER COLUMN added_at TYPE timestamp without time zone, ALTER COLUMN added_at SET DEFAULT timezone('utc'::text, now());
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
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = timezone('utc', now());
    RETURN NEW;
END;
$$;
SELECT to_regclass('musicdb_adopt.quarantine') IS NOT NULL;
WITH defaults AS (
    SELECT jsonb_build_object('source_extra_metadata', '{}'::jsonb, 'is_available', true,
                              'sync_status', 'active', 'created_at', timezone('utc', now()),
                              'updated_at', timezone('utc', now())) AS d
), back AS (
    DELETE FROM musicdb_adopt.quarantine AS q
    WHERE q.table_name = 'track_sources' AND q.reason = ANY(%(reasons)s)
      AND EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = (q.row_data ->> 'track_id')::int)
    RETURNING q.row_data
), restored AS (
    INSERT INTO track_sources
    SELECT r.* FROM back, defaults,
         jsonb_populate_record(NULL::track_sources, defaults.d || jsonb_strip_nulls(back.row_data))
         AS r
    RETURNING id  -- a data-modifying CTE runs to completion even when nothing reads it
)
INSERT INTO musicdb_adopt.changed_values
    (step, table_name, row_id, column_name, old_value, new_value, reason)
SELECT 'restore_sources', 'track_sources', (back.row_data ->> 'id')::bigint, f.key, NULL,
       f.value, 'null_filled_with_default'
FROM back, defaults, jsonb_each(defaults.d) AS f
WHERE coalesce(jsonb_typeof(back.row_data -> f.key), 'null') = 'null';
-- params: {"reasons": ["null_source_id", "null_source_id_duplicate", "null_source_id_superseded", "source_key_conflict"]}

-- ==== 20261204_100000_partition_user_interactions upgrade
SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = to_regclass(%s);
-- params: ["user_interactions"]
show transaction isolation level;
SET lock_timeout = '10s';
SELECT (now() AT TIME ZONE 'UTC')::date;
ALTER TABLE "user_interactions" DROP CONSTRAINT IF EXISTS "user_interactions_legacy_bound";
ALTER TABLE "user_interactions" ADD CONSTRAINT "user_interactions_legacy_bound" CHECK ("created_at" IS NOT NULL AND "created_at" < '<month+1>'::timestamp) NOT VALID;
ALTER TABLE "user_interactions" VALIDATE CONSTRAINT "user_interactions_legacy_bound";
DROP INDEX IF EXISTS "user_interactions_legacy_pkey_new";
CREATE UNIQUE INDEX CONCURRENTLY "user_interactions_legacy_pkey_new" ON "user_interactions" (id, "created_at");
SELECT i.relname, pg_catalog.pg_get_indexdef(i.oid), x.indisprimary
FROM pg_catalog.pg_index AS x
JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
WHERE x.indrelid = to_regclass(%(table)s)
ORDER BY i.relname;
-- params: {"table": "user_interactions"}
SELECT pg_get_serial_sequence(%s, 'id');
-- params: ["user_interactions"]
SELECT last_value, is_called FROM public.user_interactions_id_seq;
ALTER TABLE "user_interactions" RENAME TO "user_interactions_legacy";
ALTER INDEX "ix_user_interactions_created_at" RENAME TO "ix_user_interactions_legacy_created_at";
ALTER INDEX "ix_user_interactions_track_id_interaction_type" RENAME TO "ix_user_interactions_legacy_track_id_interaction_type";
ALTER INDEX "ix_user_interactions_user_id_created_at" RENAME TO "ix_user_interactions_legacy_user_id_created_at";
ALTER TABLE "user_interactions_legacy" DROP CONSTRAINT "pk_user_interactions", ALTER COLUMN "created_at" SET NOT NULL, ADD CONSTRAINT "user_interactions_legacy_pkey" PRIMARY KEY USING INDEX "user_interactions_legacy_pkey_new", ALTER COLUMN id DROP IDENTITY;
CREATE TABLE "user_interactions" (LIKE "user_interactions_legacy" INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CONSTRAINT "pk_user_interactions" PRIMARY KEY (id, "created_at")) PARTITION BY RANGE ("created_at");
ALTER TABLE "user_interactions" DROP CONSTRAINT "user_interactions_legacy_bound", ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 2001);
SELECT conname, pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname;
-- params: ["user_interactions_legacy"]
ALTER TABLE "user_interactions" ADD CONSTRAINT "fk_user_interactions_track_id_tracks" FOREIGN KEY (track_id) REFERENCES tracks(id) ON DELETE CASCADE;
ALTER TABLE "user_interactions" ADD CONSTRAINT "fk_user_interactions_user_id_users" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX ix_user_interactions_created_at ON public.user_interactions USING btree (created_at DESC);
CREATE INDEX ix_user_interactions_track_id_interaction_type ON public.user_interactions USING btree (track_id, interaction_type);
CREATE INDEX ix_user_interactions_user_id_created_at ON public.user_interactions USING btree (user_id, created_at DESC);
ALTER TABLE "user_interactions" ATTACH PARTITION "user_interactions_legacy" FOR VALUES FROM (MINVALUE) TO ('<month+1>');
ALTER TABLE "user_interactions_legacy" DROP CONSTRAINT "user_interactions_legacy_bound";
CREATE TABLE IF NOT EXISTS "user_interactions_p<month+1>" PARTITION OF "user_interactions" FOR VALUES FROM ('<month+1>') TO ('<month+2>');
CREATE TABLE IF NOT EXISTS "user_interactions_p<month+2>" PARTITION OF "user_interactions" FOR VALUES FROM ('<month+2>') TO ('<month+3>');
CREATE TABLE IF NOT EXISTS "user_interactions_p<month+3>" PARTITION OF "user_interactions" FOR VALUES FROM ('<month+3>') TO ('<month+4>');
CREATE TABLE IF NOT EXISTS "user_interactions_p<month+4>" PARTITION OF "user_interactions" FOR VALUES FROM ('<month+4>') TO ('<month+5>');
CREATE TABLE "user_interactions_default" PARTITION OF "user_interactions" DEFAULT;
DROP MATERIALIZED VIEW IF EXISTS "mv_track_popularity_new";
CREATE MATERIALIZED VIEW mv_track_popularity_new AS
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
CREATE UNIQUE INDEX uq_mv_track_popularity_new_track_id ON mv_track_popularity_new (track_id);
CREATE INDEX ix_mv_track_popularity_new_total_plays ON mv_track_popularity_new (total_plays DESC);
CREATE INDEX ix_mv_track_popularity_new_unique_listeners ON mv_track_popularity_new (unique_listeners DESC);
SELECT g.rolname, a.privilege_type, a.is_grantable FROM pg_catalog.pg_class AS c, aclexplode(c.relacl) AS a JOIN pg_catalog.pg_roles AS g ON g.oid = a.grantee WHERE c.oid = to_regclass('public.mv_track_popularity') AND a.grantee <> c.relowner;
DROP MATERIALIZED VIEW "mv_track_popularity";
ALTER MATERIALIZED VIEW "mv_track_popularity_new" RENAME TO "mv_track_popularity";
ALTER INDEX "uq_mv_track_popularity_new_track_id" RENAME TO "uq_mv_track_popularity_track_id";
ALTER INDEX "ix_mv_track_popularity_new_total_plays" RENAME TO "ix_mv_track_popularity_total_plays";
ALTER INDEX "ix_mv_track_popularity_new_unique_listeners" RENAME TO "ix_mv_track_popularity_unique_listeners";
RESET lock_timeout;
