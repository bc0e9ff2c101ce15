"""Every constraint rejects bad rows, and deletes cascade or set null as the schema declares
(docs/schema.md), on generated data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors

from musicdb.config import DatabaseTarget
from musicdb.workload import generate


@pytest.fixture(scope="module")
def data_template(pg_server: Any, template_db: str) -> Iterator[str]:
    with pg_server.database(template_db, prefix="musicdb_integrity_") as name:
        generate.generate(DatabaseTarget(pg_server.url(name), "t"), scale=0.003, seed=17,
                          until=dt.date(2026, 1, 1))
        yield name


@pytest.fixture
def conn(pg_server: Any, data_template: str) -> Iterator[psycopg.Connection[Any]]:
    with pg_server.database(data_template) as name, pg_server.connect(name) as c:
        yield c


def _one(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    return conn.execute(query, params).fetchone()[0]


BAD_ROWS = [
    ("negative track duration", errors.CheckViolation,
     "UPDATE tracks SET duration_ms = -1 WHERE id = (SELECT min(id) FROM tracks)"),
    ("negative play duration", errors.CheckViolation,
     "UPDATE user_interactions SET play_duration_ms = -5 "
     "WHERE id = (SELECT min(id) FROM user_interactions)"),
    ("negative playlist duration", errors.CheckViolation,
     "UPDATE playlists SET total_duration_ms = -1 WHERE id = (SELECT min(id) FROM playlists)"),
    ("negative album track count", errors.CheckViolation,
     "UPDATE albums SET total_tracks = -1 WHERE id = (SELECT min(id) FROM albums)"),
    # the compatible head: a track holds an external id once (across tracks: the contract's rule)
    ("duplicate external id", errors.UniqueViolation,
     "INSERT INTO track_sources (track_id, source_type, source_id) "
     "SELECT track_id, source_type, source_id FROM track_sources LIMIT 1"),
    ("duplicate external id on artists", errors.UniqueViolation,
     "INSERT INTO artist_sources (artist_id, source_type, source_id) "
     "SELECT (SELECT max(id) FROM artists), source_type, source_id FROM artist_sources LIMIT 1"),
    ("missing external id", errors.NotNullViolation,
     "INSERT INTO album_sources (album_id, source_type, source_id) "
     "VALUES ((SELECT min(id) FROM albums), 'spotify', NULL)"),
    ("folder and dynamic at once", errors.CheckViolation,
     "UPDATE playlists SET folder_type = true, is_dynamic = true "
     "WHERE id = (SELECT min(id) FROM playlists)"),
    ("vote not in -1/1", errors.CheckViolation,
     "UPDATE playlist_track_votes SET vote_type = 2 "
     "WHERE id = (SELECT min(id) FROM playlist_track_votes)"),
    ("rating out of range", errors.CheckViolation,
     "UPDATE user_library SET rating = 6 WHERE id = (SELECT min(id) FROM user_library)"),
    ("duplicate position in a playlist", errors.UniqueViolation,
     "INSERT INTO playlist_tracks (playlist_id, track_id, position) "
     "SELECT playlist_id, track_id, position FROM playlist_tracks LIMIT 1"),
    ("duplicate library entry", errors.UniqueViolation,
     "INSERT INTO user_library (user_id, track_id) SELECT user_id, track_id FROM user_library "
     "LIMIT 1"),
    ("second music profile", errors.UniqueViolation,
     "INSERT INTO user_music_profiles (user_id) SELECT min(user_id) FROM user_music_profiles"),
    ("orphan interaction", errors.ForeignKeyViolation,
     "INSERT INTO user_interactions (user_id, track_id, interaction_type) "
     "VALUES ((SELECT max(id) + 1 FROM users), (SELECT min(id) FROM tracks), 'play')"),
    ("orphan playlist entry", errors.ForeignKeyViolation,
     "INSERT INTO playlist_tracks (playlist_id, track_id, position) "
     "VALUES ((SELECT min(id) FROM playlists), (SELECT max(id) + 1 FROM tracks), 100000)"),
    ("orphan vote", errors.ForeignKeyViolation,
     "INSERT INTO playlist_track_votes (playlist_track_id, user_id, vote_type) "
     "VALUES ((SELECT max(id) + 1 FROM playlist_tracks), (SELECT min(id) FROM users), 1)"),
]


@pytest.mark.parametrize(("what", "error", "statement"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_constraints_reject_bad_rows(conn, what, error, statement) -> None:
    with pytest.raises(error):
        conn.execute(statement)


def test_deleting_a_user_cascades_and_sets_null(conn) -> None:
    # a user who added tracks to someone else's playlist, and owns playlists and history
    user = _one(conn, "SELECT pt.added_by FROM playlist_tracks AS pt "
                      "JOIN playlists AS p ON p.id = pt.playlist_id "
                      "WHERE pt.added_by <> p.owner_id LIMIT 1")
    assert user is not None
    owned = [r[0] for r in conn.execute("SELECT id FROM playlists WHERE owner_id = %s",
                                        (user,)).fetchall()]
    conn.execute("DELETE FROM users WHERE id = %s", (user,))
    for table in ("user_interactions", "user_library", "discovery_sessions", "playlist_follows",
                  "user_music_profiles", "user_artist_follows", "user_album_collections",
                  "playlist_collaborators", "playlist_track_votes"):
        assert _one(conn, f"SELECT count(*) FROM {table} WHERE user_id = %s", (user,)) == 0, table
    assert _one(conn, "SELECT count(*) FROM playlists WHERE owner_id = %s", (user,)) == 0
    assert _one(conn, "SELECT count(*) FROM playlist_tracks WHERE playlist_id = ANY(%s)",
                (owned,)) == 0
    # rows that merely mention the user survive with the reference cleared
    assert _one(conn, "SELECT count(*) FROM playlist_tracks WHERE added_by = %s", (user,)) == 0
    assert _one(conn, "SELECT count(*) FROM playlist_tracks WHERE added_by IS NULL") > 0


def test_deleting_an_artist_sets_null_on_its_catalogue(conn) -> None:
    artist = _one(conn, "SELECT artist_id FROM tracks GROUP BY artist_id ORDER BY count(*) DESC "
                        "LIMIT 1")
    tracks = _one(conn, "SELECT count(*) FROM tracks WHERE artist_id = %s", (artist,))
    conn.execute("DELETE FROM artists WHERE id = %s", (artist,))
    assert _one(conn, "SELECT count(*) FROM tracks WHERE artist_id = %s", (artist,)) == 0
    assert _one(conn, "SELECT count(*) FROM tracks WHERE artist_id IS NULL") >= tracks > 0
    assert _one(conn, "SELECT count(*) FROM artist_sources WHERE artist_id = %s", (artist,)) == 0
    assert _one(conn, "SELECT count(*) FROM user_artist_follows WHERE artist_id = %s",
                (artist,)) == 0


def test_deleting_a_track_or_a_playlist_cascades(conn) -> None:
    track = _one(conn, "SELECT track_id FROM playlist_tracks GROUP BY track_id "
                       "ORDER BY count(*) DESC LIMIT 1")
    conn.execute("DELETE FROM tracks WHERE id = %s", (track,))
    for table in ("playlist_tracks", "user_interactions", "user_library", "track_sources",
                  "discovery_session_tracks"):
        assert _one(conn, f"SELECT count(*) FROM {table} WHERE track_id = %s", (track,)) == 0
    playlist = _one(conn, "SELECT pt.playlist_id FROM playlist_track_votes AS v "
                          "JOIN playlist_tracks AS pt ON pt.id = v.playlist_track_id "
                          "LIMIT 1")
    conn.execute("DELETE FROM playlists WHERE id = %s", (playlist,))
    for table in ("playlist_tracks", "playlist_activities", "playlist_follows",
                  "playlist_collaborators"):
        assert _one(conn, f"SELECT count(*) FROM {table} WHERE playlist_id = %s", (playlist,)) == 0
    orphans = ("SELECT count(*) FROM playlist_track_votes AS v WHERE NOT EXISTS "
               "(SELECT 1 FROM playlist_tracks AS pt WHERE pt.id = v.playlist_track_id)")
    assert _one(conn, orphans) == 0


def test_generated_rows_satisfy_every_constraint(conn, pg_server, template_db) -> None:
    # the load dropped and re-created the foreign keys; they are all back, and validated (a
    # partition's copy of its parent's foreign key counts once, as the parent's: the months differ)
    fks = ("SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
           "AND connamespace = 'public'::regnamespace AND convalidated AND conparentid = 0")
    with pg_server.connect(template_db) as template:
        expected = _one(template, fks)
    assert expected >= 33 and _one(conn, fks) == expected
    assert _one(conn, "SELECT count(*) FROM pg_constraint WHERE NOT convalidated "
                      "AND connamespace = 'public'::regnamespace") == 0
