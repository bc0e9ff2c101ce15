"""The legacy (hand-built) platform database as a reusable fixture.

The script packaged as ``musicdb/adopt/legacy_platform.sql`` (``musicdb.adopt.legacy_schema_sql()``)
recreates the production database that ``musicdb migrate adopt`` must take
over: 20 tables plus ``alembic_version`` (varchar(64), stamped
``20250618_075149_add_performance_indexes``), serial ids, ``timestamp without time zone`` columns
holding naive UTC, no server defaults, ON DELETE NO ACTION foreign keys, a plain ``text``
search_vector, a nullable ``track_sources.source_id``, the legacy constraint names
(``<table>_<column>_key``, ``uq_*``, ``check_*``), exactly 106 indexes (``pg_indexes`` in
``public``, counting the two materialized-view indexes and ``alembic_version_pkc``), the
``update_updated_at_column()`` trigger function on the wrong 8 tables (UPDATE on users,
discovery_sessions and playlist_activities fails with
``record "new" has no field "updated_at"``) and ``mv_track_popularity`` without a unique index
(``REFRESH ... CONCURRENTLY`` fails).

``load_legacy(conn, rows_scale)`` runs that script and then COPYs deterministic data into all 20
tables (a few hundred rows each at ``rows_scale=1``, ~2000 interactions; every base count is
multiplied by ``rows_scale``; the planted awkward cases below do not scale). The same seed and scale
always produce byte-identical data. ``legacy_fixture_facts(rows_scale)`` returns the same facts
without touching a database.

Planted cases (all listed, with ids, in the returned facts):

* ``track_source_duplicate_groups``: 6 groups of track_sources rows with NULL source_id for the same
  (track_id, source_type), sizes 2, 3, 2, 4, 2, 3 (16 rows); the rows differ in updated_at,
  is_available (incl. NULL), source_uri (incl. NULL), sync_status and audio_quality. One group
  (``updated_at_tie``) has two rows with identical updated_at, so a merge policy needs a tie-break.
* ``track_source_null_singletons``: 4 rows with NULL source_id and no duplicate.
* ``track_source_null_with_sibling``: 2 (track_id, source_type) keys holding one NULL-source_id
  row and one row with a real source_id.
* ``source_key_conflicts``: per source table 2 pairs of rows sharing (source_type, source_id) under
  different parents (allowed by the legacy per-parent uniqueness, forbidden by the target's
  UNIQUE (source_type, source_id)).
* ``null_default_columns``: for every column that the target makes NOT NULL with a default but the
  legacy database leaves nullable, the number of NULLs planted (always > 0), e.g. users.is_active,
  users.created_at, tracks.popularity, artists.genres, playlists.version ...
* ``timestamp_probes``: naive-UTC values at midnight / year / leap-day boundaries and at the EU and
  US daylight-saving changes (e.g. 2025-03-30 01:30, 2025-03-30 02:30, 2025-10-26 02:30, 2025-03-09
  02:30, 2025-11-02 01:30), each with the (table, id, column) that holds it. Converting with a
  non-UTC session time zone moves them.
* ``invalid_vote_types`` (vote_type not in {-1, 1}) and ``invalid_ratings`` (user_library.rating
  outside 1..5): values that the legacy schema accepted and the target CHECKs reject.
* ``default_categories_kinds``: users.default_categories is TEXT holding JSON arrays, a JSON object,
  an empty string, a non-JSON string and NULLs.
* ``search_vector_non_null``: rows whose text search_vector holds something (words, a literal
  tsvector rendering such as ``'love':1 'song':2``, or an empty string).
* ``mv``: the materialized view is refreshed after loading; counts of tracks without interactions,
  tracks whose legacy "unique_listeners" (all types) differs from play-only listeners, and tracks
  whose legacy "last_played_at" (all types) differs from the latest play.
* ``sequence_last_values``: the id sequences; users and tracks have id gaps, and the users, tracks
  and track_sources sequences are ahead of max(id) (rows deleted at the tail).

``load_legacy`` runs inside ``conn.transaction()``: with an autocommit connection, or one with no
transaction open, everything is committed on return.

Readings chosen where the legacy description leaves room: tracks.title is ``text`` (the column
table and the view's ``title text`` say so; the "appears to be varchar(255)" remark is not
followed); users follows the live definition (is_active/is_admin/created_at/default_language
nullable, no ``ix_users_*``), not the later ``add_users_table`` migration; primary keys and FKs
carry PostgreSQL's default names (``<table>_pkey``, ``<table>_<column>_fkey``); the view is
refreshed once after loading so that its legacy semantics are visible in the data.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "LEGACY_INDEX_COUNT",
    "LEGACY_REVISION",
    "LEGACY_TABLES",
    "TIMESTAMP_PROBES",
    "legacy_fixture_facts",
    "legacy_index_names",
    "legacy_schema_sql",
    "load_legacy",
]

LEGACY_REVISION = "20250618_075149_add_performance_indexes"
LEGACY_INDEX_COUNT = 106
INDEX_COUNT_QUERY = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"

# In foreign-key order (parents first).
LEGACY_TABLES: tuple[str, ...] = (
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
    "discovery_sessions",
    "user_interactions",
    "discovery_session_tracks",
    "user_artist_follows",
    "user_album_collections",
)

# Columns that are nullable in the legacy database but NOT NULL with a default in the target.
_NULL_DEFAULT_SPEC: dict[str, str] = {
    "users": "is_active is_admin default_language created_at",
    "artists": (
        "popularity follower_count is_verified genres aliases members social_links extra_metadata"
    ),
    "albums": (
        "album_type total_discs popularity rating_count is_remaster genres styles "
        "moods themes credits extra_metadata"
    ),
    "tracks": "explicit popularity audio_features extra_metadata",
    "artist_sources": "source_extra_metadata is_primary sync_status",
    "album_sources": "source_extra_metadata is_available is_primary sync_status",
    "track_sources": "source_extra_metadata is_available sync_status",
    "playlists": (
        "is_public is_collaborative folder_type tags is_dynamic collaboration_mode "
        "voting_enabled play_count like_count share_count total_duration_ms extra_metadata "
        "version"
    ),
    "playlist_tracks": "vote_count is_locked",
    "playlist_collaborators": (
        "can_add_tracks can_remove_tracks can_reorder_tracks "
        "can_invite_others can_change_details role invitation_status tracks_added "
        "tracks_removed"
    ),
    "playlist_activities": "activity_data",
    "playlist_follows": "notifications_enabled",
    "user_music_profiles": (
        "favorite_genres disliked_genres favorite_decades "
        "preferred_audio_quality explicit_content_allowed discovery_mode energy_preference "
        "mood_preferences language_preferences total_listening_time_ms tracks_played "
        "unique_tracks_played unique_artists_played average_session_duration_ms "
        "discovery_ratio genre_diversity_score time_based_preferences device_preferences"
    ),
    "user_library": "tags play_count skip_count total_play_time_ms is_favorite",
    "user_interactions": "extra_metadata",
    "discovery_sessions": (
        "discovery_params tracks_presented tracks_played tracks_skipped "
        "tracks_liked tracks_added_to_library total_play_time_ms average_play_percentage "
        "is_active current_position"
    ),
    "discovery_session_tracks": (
        "recommendation_reasons was_played was_skipped was_liked was_added_to_library"
    ),
    "user_artist_follows": "notifications_enabled",
    "user_album_collections": "tags play_count",
}
NULL_DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(spec.split()) for table, spec in _NULL_DEFAULT_SPEC.items()
}

# Naive UTC values around day, year and daylight-saving boundaries.
TIMESTAMP_PROBES: tuple[tuple[str, datetime], ...] = (
    ("year_end_last_microsecond", datetime(2024, 12, 31, 23, 59, 59, 999999)),
    ("new_year_midnight", datetime(2025, 1, 1, 0, 0, 0)),
    ("leap_day_before_midnight", datetime(2024, 2, 29, 23, 30, 0)),
    ("before_midnight", datetime(2025, 6, 17, 23, 59, 59, 500000)),
    ("eu_spring_forward_instant", datetime(2025, 3, 30, 1, 0, 0)),
    ("eu_spring_forward_0130", datetime(2025, 3, 30, 1, 30, 0)),
    ("eu_local_gap_0230", datetime(2025, 3, 30, 2, 30, 0)),
    ("eu_fall_back_0030", datetime(2025, 10, 26, 0, 30, 0)),
    ("eu_fall_back_0130", datetime(2025, 10, 26, 1, 30, 0)),
    ("eu_local_repeat_0230", datetime(2025, 10, 26, 2, 30, 0)),
    ("us_local_gap_0230", datetime(2025, 3, 9, 2, 30, 0)),
    ("us_local_repeat_0130", datetime(2025, 11, 2, 1, 30, 0)),
    ("eu_spring_2024_0130", datetime(2024, 3, 31, 1, 30, 0)),
)

_PROBE_TARGETS: tuple[tuple[str, str], ...] = (
    ("users", "created_at"),
    ("users", "last_login"),
    ("tracks", "created_at"),
    ("tracks", "updated_at"),
    ("track_sources", "updated_at"),
    ("user_interactions", "created_at"),
    ("playlists", "expires_at"),
    ("playlist_activities", "created_at"),
    ("discovery_sessions", "started_at"),
    ("user_library", "added_at"),
)

_SEED = 20250618
_NULL_START = 20  # rows before this index never get planted NULLs (they carry the probes)
_NULL_EVERY = 23

_BASE_COUNTS = {
    "users": 200,
    "artists": 250,
    "albums": 300,
    "tracks": 500,
    "artist_sources": 300,
    "album_sources": 300,
    "track_sources": 500,
    "playlists": 200,
    "playlist_tracks": 600,
    "playlist_collaborators": 200,
    "playlist_activities": 400,
    "playlist_track_votes": 300,
    "playlist_follows": 250,
    "user_music_profiles": 160,
    "user_library": 500,
    "discovery_sessions": 200,
    "user_interactions": 2000,
    "discovery_session_tracks": 600,
    "user_artist_follows": 300,
    "user_album_collections": 300,
}

_WORDS = (
    "love",
    "night",
    "fire",
    "river",
    "dream",
    "light",
    "shadow",
    "heart",
    "summer",
    "winter",
    "city",
    "ocean",
    "storm",
    "gold",
    "silver",
    "echo",
    "wild",
    "blue",
    "midnight",
    "rain",
    "electric",
    "desert",
    "velvet",
    "neon",
    "ghost",
    "paper",
    "glass",
    "thunder",
    "honey",
    "stone",
)
_GENRES = (
    "rock",
    "pop",
    "jazz",
    "electronic",
    "hip-hop",
    "classical",
    "folk",
    "metal",
    "soul",
    "blues",
    "reggae",
    "punk",
    "ambient",
    "techno",
    "indie",
)
_SOURCE_TYPES = ("spotify", "youtube", "soundcloud", "deezer", "bandcamp")
_COUNTRIES = ("GB", "US", "DE", "FR", "SE", "JP", "BR", "NO", "IS", "CA")
_LANGUAGES = ("en", "de", "fr", "es", "ja", "pt-BR", "sv")
_INTERACTIONS = (
    ("play", 55),
    ("skip", 15),
    ("like", 10),
    ("dislike", 4),
    ("share", 4),
    ("add_to_playlist", 8),
    ("remove_from_playlist", 4),
)
_START = datetime(2023, 1, 1)
_SPAN_SECONDS = int((datetime(2025, 6, 18) - _START).total_seconds())


class _Json:
    """Marks a value that is stored as jsonb (serialised deterministically)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def legacy_schema_sql() -> str:
    """The DDL script that builds the empty legacy database (the one packaged with musicdb)."""
    from musicdb.adopt import legacy_schema_sql as packaged

    return packaged()


def legacy_index_names() -> set[str]:
    """Names of the 106 indexes of the legacy database (PKs, unique constraints, indexes, MV)."""
    text = re.sub(r"--[^\n]*", "", legacy_schema_sql())
    names = set(re.findall(r"CONSTRAINT\s+(\w+)\s+(?:PRIMARY\s+KEY|UNIQUE)\b", text))
    names |= set(re.findall(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", text))
    if len(names) != LEGACY_INDEX_COUNT:  # pragma: no cover - guards edits of the SQL file
        raise AssertionError(f"expected {LEGACY_INDEX_COUNT} legacy index names, got {len(names)}")
    return names


# ---------------------------------------------------------------------------------------------
# deterministic data generation
# ---------------------------------------------------------------------------------------------


class _Gen:
    def __init__(self, rows_scale: int) -> None:
        if rows_scale < 1:
            raise ValueError("rows_scale must be >= 1")
        self.scale = rows_scale
        self.rng = random.Random(_SEED)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.seq_extra: dict[str, int] = {"users": 3, "tracks": 7, "track_sources": 2}
        self.facts: dict[str, Any] = {}

    # -- small helpers ------------------------------------------------------------------------

    def n(self, table: str) -> int:
        return _BASE_COUNTS[table] * self.scale

    def ts(self, after: datetime | None = None) -> datetime:
        rng = self.rng
        if after is None:
            return _START + timedelta(
                seconds=rng.randrange(_SPAN_SECONDS), microseconds=rng.randrange(1_000_000)
            )
        return after + timedelta(
            seconds=rng.randrange(1, 90 * 86400), microseconds=rng.randrange(1_000_000)
        )

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(lo, hi)))

    def title(self) -> str:
        return self.words(1, 4).title()

    def sample(self, seq: tuple[str, ...] | list[Any], lo: int, hi: int) -> list[Any]:
        return self.rng.sample(list(seq), self.rng.randint(lo, hi))

    def maybe(self, value: Any, p_none: float) -> Any:
        return None if self.rng.random() < p_none else value

    def hexstr(self, length: int) -> str:
        return f"{self.rng.getrandbits(4 * length):0{length}x}"

    def search_text(self, *parts: str) -> str | None:
        r = self.rng.random()
        if r < 0.15:
            return None
        if r < 0.18:
            return ""
        if r < 0.22:
            # what a to_tsvector() result looks like once cast to text by an old sync job
            toks = sorted({w.lower() for p in parts for w in p.split()})
            return " ".join(f"'{w}':{i + 1}" for i, w in enumerate(toks))
        return " ".join(p.lower() for p in parts if p)

    @staticmethod
    def ids(count: int, skip_every: int = 0) -> list[int]:
        out: list[int] = []
        i = 0
        while len(out) < count:
            i += 1
            if skip_every and i % skip_every == 0:
                continue
            out.append(i)
        return out

    def pairs(self, count: int, a: list[int], b: list[int]) -> list[tuple[int, int]]:
        seen: set[tuple[int, int]] = set()
        out: list[tuple[int, int]] = []
        while len(out) < count:
            p = (self.rng.choice(a), self.rng.choice(b))
            if p not in seen:
                seen.add(p)
                out.append(p)
        return out

    def plant_nulls(self, table: str) -> None:
        rows = self.rows[table]
        for j, col in enumerate(NULL_DEFAULT_COLUMNS.get(table, ())):
            for i in range(_NULL_START + (j * 7) % _NULL_EVERY, len(rows), _NULL_EVERY):
                rows[i][col] = None

    # -- tables -------------------------------------------------------------------------------

    def users(self) -> None:
        rng = self.rng
        rows = []
        special_categories = ("", "music,news", '{"music": true, "news": false}', "[]")
        for k, i in enumerate(self.ids(self.n("users"), skip_every=41)):
            created = self.ts()
            if k in range(30, 30 + len(special_categories)):
                categories: str | None = special_categories[k - 30]
            elif rng.random() < 0.15:
                categories = None
            else:
                categories = json.dumps(self.sample(("general", "music", "news", "videos"), 1, 3))
            rows.append(
                {
                    "id": i,
                    "username": f"user{i:05d}_{rng.choice(_WORDS)}",
                    "email": f"user{i:05d}@example.{rng.choice(('com', 'org', 'net'))}",
                    "password_hash": "pbkdf2:sha256:600000$"
                    + self.hexstr(16)
                    + "$"
                    + self.hexstr(64),
                    "is_active": rng.random() > 0.1,
                    "is_admin": i % 50 == 1,
                    "created_at": created,
                    "last_login": self.maybe(self.ts(created), 0.2),
                    "default_language": rng.choice(_LANGUAGES),
                    "default_categories": categories,
                    "default_engines": self.maybe(
                        json.dumps(self.sample(("google", "bing", "duckduckgo", "brave"), 1, 2)),
                        0.3,
                    ),
                }
            )
        self.rows["users"] = rows
        self.plant_nulls("users")

    def artists(self) -> None:
        rng = self.rng
        rows = []
        for i in range(1, self.n("artists") + 1):
            name = "The " + self.title()
            genres = self.sample(_GENRES, 0, 3)
            created = self.ts()
            rows.append(
                {
                    "id": i,
                    "name": name,
                    "sort_name": self.maybe(name[4:] + ", The", 0.3),
                    "musicbrainz_id": self.maybe(str(self.uuid4()), 0.2),
                    "spotify_id": self.maybe(self.hexstr(22), 0.3),
                    "bio": self.maybe(self.words(8, 30).capitalize() + ".", 0.4),
                    "country": self.maybe(rng.choice(_COUNTRIES), 0.1),
                    "formed_year": self.maybe(rng.randint(1960, 2022), 0.3),
                    "disbanded_year": self.maybe(rng.randint(2000, 2024), 0.85),
                    "image_url": self.maybe(f"https://img.example.com/a/{i}.jpg", 0.3),
                    "thumbnail_url": self.maybe(f"https://img.example.com/a/{i}_t.jpg", 0.3),
                    "banner_url": self.maybe(f"https://img.example.com/a/{i}_b.jpg", 0.6),
                    "genres": _Json(genres),
                    "aliases": _Json(self.sample(_WORDS, 0, 2)),
                    "members": _Json([self.title() for _ in range(rng.randint(0, 4))]),
                    "social_links": _Json(
                        {s: f"https://{s}.example.com/{i}" for s in self.sample(("x", "ig"), 0, 2)}
                    ),
                    "popularity": round(rng.random(), 4),
                    "follower_count": rng.randint(0, 2_000_000),
                    "monthly_listeners": self.maybe(rng.randint(0, 5_000_000), 0.3),
                    "is_verified": rng.random() < 0.3,
                    "verification_source": self.maybe(rng.choice(("spotify", "manual")), 0.7),
                    "extra_metadata": _Json({"imported": rng.random() < 0.5}),
                    "search_vector": self.search_text(name, " ".join(genres)),
                    "created_at": created,
                    "updated_at": self.ts(created),
                    "last_synced": self.maybe(self.ts(created), 0.4),
                }
            )
        self.rows["artists"] = rows
        self.plant_nulls("artists")

    def albums(self) -> None:
        rng = self.rng
        artist_ids = [r["id"] for r in self.rows["artists"]]
        rows = []
        for i in range(1, self.n("albums") + 1):
            title = self.title()
            released = date(2023, 1, 1) - timedelta(days=rng.randrange(20000))
            created = self.ts()
            label = self.maybe(self.words(1, 2).title() + " Records", 0.3)
            rows.append(
                {
                    "id": i,
                    "title": title,
                    "upc": self.maybe(f"{rng.randrange(10**12):012d}", 0.3),
                    "catalog_number": self.maybe(f"CAT-{rng.randrange(100000):05d}", 0.5),
                    "musicbrainz_id": self.maybe(str(self.uuid4()), 0.2),
                    "album_type": rng.choice(("album", "album", "single", "compilation", "ep")),
                    "release_date": self.maybe(released, 0.1),
                    "release_precision": self.maybe(rng.choice(("year", "month", "day")), 0.2),
                    "cover_url": self.maybe(f"https://img.example.com/c/{i}.jpg", 0.2),
                    "cover_url_small": self.maybe(f"https://img.example.com/c/{i}_s.jpg", 0.4),
                    "cover_url_large": self.maybe(f"https://img.example.com/c/{i}_l.jpg", 0.4),
                    "label": label,
                    "total_tracks": self.maybe(rng.randint(0, 24), 0.1),
                    "total_discs": rng.choice((1, 1, 1, 2)),
                    "genres": _Json(self.sample(_GENRES, 0, 3)),
                    "styles": _Json(self.sample(_WORDS, 0, 2)),
                    "moods": _Json(self.sample(("happy", "sad", "calm", "angry"), 0, 2)),
                    "themes": _Json(self.sample(_WORDS, 0, 2)),
                    "credits": _Json({"producer": [self.title()], "engineer": [self.title()]}),
                    "popularity": round(rng.random(), 4),
                    "rating": self.maybe(round(rng.uniform(1, 5), 2), 0.4),
                    "rating_count": rng.randint(0, 5000),
                    "extra_metadata": _Json({}),
                    "is_remaster": rng.random() < 0.1,
                    "original_release_date": self.maybe(released - timedelta(days=3650), 0.9),
                    "version_notes": self.maybe("Remastered " + str(released.year), 0.9),
                    "search_vector": self.search_text(title, label or ""),
                    "artist_id": self.maybe(rng.choice(artist_ids), 0.1),
                    "created_at": created,
                    "updated_at": self.ts(created),
                    "last_synced": self.maybe(self.ts(created), 0.4),
                }
            )
        self.rows["albums"] = rows
        self.plant_nulls("albums")

    def tracks(self) -> None:
        rng = self.rng
        artist_ids = [r["id"] for r in self.rows["artists"]]
        album_ids = [r["id"] for r in self.rows["albums"]]
        rows = []
        for i in self.ids(self.n("tracks"), skip_every=97):
            title = self.title()
            created = self.ts()
            features = {
                "bpm": round(rng.uniform(60, 180), 1),
                "key": rng.randint(0, 11),
                "key_confidence": round(rng.random(), 3),
                "time_signature": rng.choice((3, 4, 4, 4, 5)),
                "loudness": round(rng.uniform(-30, 0), 2),
                "energy": round(rng.random(), 3),
                "danceability": round(rng.random(), 3),
                "valence": round(rng.random(), 3),
                "acousticness": round(rng.random(), 3),
                "instrumentalness": round(rng.random(), 3),
            }
            rows.append(
                {
                    "id": i,
                    "title": title,
                    "duration_ms": self.maybe(rng.randint(30_000, 600_000), 0.05),
                    "isrc": self.maybe(f"USABC{rng.randrange(10**7):07d}", 0.2),
                    "audio_fingerprint": self.maybe(self.hexstr(40), 0.3),
                    "fingerprint_algorithm": self.maybe("chromaprint", 0.3),
                    "audio_features": _Json(features if rng.random() < 0.8 else {}),
                    "artist_id": self.maybe(rng.choice(artist_ids), 0.05),
                    "album_id": self.maybe(rng.choice(album_ids), 0.1),
                    "explicit": rng.random() < 0.15,
                    "popularity": round(rng.random(), 4),
                    "preview_url": self.maybe(f"https://cdn.example.com/p/{i}.mp3", 0.4),
                    "lyrics": self.maybe(self.words(10, 40), 0.7),
                    "extra_metadata": _Json({"source": rng.choice(_SOURCE_TYPES)}),
                    "created_at": created,
                    "updated_at": self.ts(created),
                    "last_analyzed": self.maybe(self.ts(created), 0.5),
                    "search_vector": self.search_text(title, self.words(0, 3)),
                }
            )
        self.rows["tracks"] = rows
        self.plant_nulls("tracks")

    def _source_rows(self, table: str, parent: str, parent_ids: list[int]) -> None:
        rng = self.rng
        rows = []
        keys: set[tuple[int, str]] = set()
        while len(rows) < self.n(table):
            pid, stype = rng.choice(parent_ids), rng.choice(_SOURCE_TYPES)
            if (pid, stype) in keys:
                continue
            keys.add((pid, stype))
            created = self.ts()
            row: dict[str, Any] = {
                "id": len(rows) + 1,
                parent: pid,
                "source_type": stype,
                "source_id": f"{stype[:2]}{pid:06d}{self.hexstr(8)}",
                "source_uri": self.maybe(f"{stype}:{parent[:-3]}:{pid}", 0.3),
                "source_extra_metadata": _Json({"market": rng.choice(_COUNTRIES)}),
                "last_synced": self.maybe(self.ts(created), 0.3),
                "sync_status": rng.choice(("active", "active", "active", "failed", "removed")),
                "created_at": created,
                "updated_at": self.ts(created),
            }
            if table != "track_sources":
                row["is_primary"] = rng.random() < 0.3
            if table != "artist_sources":
                row["is_available"] = rng.random() > 0.1
                row["geo_restrictions"] = self.maybe(
                    _Json({"blocked": self.sample(_COUNTRIES, 1, 3)}), 0.8
                )
            if table == "track_sources":
                row["audio_quality"] = self.maybe(rng.choice(("high", "medium", "low")), 0.2)
            rows.append(row)
        self.rows[table] = rows
        self.plant_nulls(table)
        # Two cross-parent conflicts on (source_type, source_id): legal here, illegal in the target.
        conflicts = []
        for victim in (rows[5], rows[6]):
            other = victim[parent]
            while other == victim[parent]:
                other = rng.choice(parent_ids)
            copy = dict(victim)
            copy.update(id=len(rows) + 1, **{parent: other})
            rows.append(copy)
            conflicts.append(
                {
                    "source_type": victim["source_type"],
                    "source_id": victim["source_id"],
                    "ids": [victim["id"], copy["id"]],
                    "parent_ids": [victim[parent], other],
                }
            )
        self.facts.setdefault("source_key_conflicts", {})[table] = conflicts

    def sources(self) -> None:
        self._source_rows("artist_sources", "artist_id", [r["id"] for r in self.rows["artists"]])
        self._source_rows("album_sources", "album_id", [r["id"] for r in self.rows["albums"]])
        track_ids = [r["id"] for r in self.rows["tracks"]]
        self._source_rows("track_sources", "track_id", track_ids)
        rows = self.rows["track_sources"]
        used = {(r["track_id"], r["source_type"]) for r in rows}
        free = [t for t in track_ids if all((t, s) not in used for s in _SOURCE_TYPES)]
        base = datetime(2025, 5, 1, 12, 0, 0)

        def add(track_id: int, stype: str, **kw: Any) -> dict[str, Any]:
            row = {
                "id": len(rows) + 1,
                "track_id": track_id,
                "source_type": stype,
                "source_id": None,
                "source_uri": None,
                "source_extra_metadata": _Json({}),
                "audio_quality": None,
                "is_available": True,
                "geo_restrictions": None,
                "last_synced": None,
                "sync_status": "active",
                "created_at": base,
                "updated_at": base,
            }
            row.update(kw)
            rows.append(row)
            return row

        # Duplicate groups: NULL source_id, same (track_id, source_type), differing columns.
        sizes = (2, 3, 2, 4, 2, 3)
        groups = []
        for g, size in enumerate(sizes):
            track_id, stype = free[g], _SOURCE_TYPES[g % len(_SOURCE_TYPES)]
            members = []
            for m in range(size):
                updated = base + timedelta(days=g, hours=m * 5, minutes=g * 7)
                if g == 2 and m == 1:
                    updated = members[0]["updated_at"]  # exact tie with the first row
                members.append(
                    add(
                        track_id,
                        stype,
                        source_uri=None if m == 1 else f"{stype}:track:legacy-{g}-{m}",
                        audio_quality=("high", "low", None, "medium")[m % 4],
                        is_available=(True, False, None, True)[(m + g) % 4],
                        sync_status=("active", "failed", "removed", None)[(m * 3 + g) % 4],
                        source_extra_metadata=_Json({"import_batch": g * 10 + m}),
                        created_at=base - timedelta(days=30 - m),
                        updated_at=updated,
                        last_synced=updated if m % 2 == 0 else None,
                    )
                )
            newest = max(members, key=lambda r: (r["updated_at"], r["id"]))
            groups.append(
                {
                    "track_id": track_id,
                    "source_type": stype,
                    "ids": [r["id"] for r in members],
                    "updated_at_tie": len({r["updated_at"] for r in members}) < len(members),
                    "newest_id": newest["id"],  # max(updated_at), ties broken by the higher id
                    "rows": [
                        {
                            "id": r["id"],
                            "updated_at": r["updated_at"].isoformat(),
                            "is_available": r["is_available"],
                            "source_uri": r["source_uri"],
                            "sync_status": r["sync_status"],
                            "audio_quality": r["audio_quality"],
                        }
                        for r in members
                    ],
                }
            )
        singletons = [
            add(free[len(sizes) + k], "youtube", updated_at=base + timedelta(hours=k))["id"]
            for k in range(4)
        ]
        siblings = []
        for k in range(2):
            track_id = free[len(sizes) + 4 + k]
            real = add(track_id, "spotify", source_id=f"sp-sibling-{k}", updated_at=base)
            null = add(track_id, "spotify", updated_at=base + timedelta(days=1))
            siblings.append(
                {
                    "track_id": track_id,
                    "source_type": "spotify",
                    "null_ids": [null["id"]],
                    "non_null_id": real["id"],
                }
            )
        self.facts["track_source_duplicate_groups"] = groups
        self.facts["track_source_null_singletons"] = singletons
        self.facts["track_source_null_with_sibling"] = siblings

    def playlists(self) -> None:
        rng = self.rng
        user_ids = [r["id"] for r in self.rows["users"]]
        n = self.n("playlists")
        n_folders = max(8, n // 20)
        rows = []
        for i in range(1, n + 1):
            folder = i <= n_folders
            dynamic = not folder and rng.random() < 0.1
            if i == 2:
                parent = 1  # a folder inside a folder
            elif not folder and rng.random() < 0.25:
                parent = rng.randint(1, n_folders)
            else:
                parent = None
            name = ("Folder " if folder else "") + self.title()
            description = self.maybe(self.words(3, 15).capitalize(), 0.4)
            created = self.ts()
            collaborative = rng.random() < 0.25
            rows.append(
                {
                    "id": i,
                    "uuid": self.uuid4(),
                    "name": name,
                    "owner_id": rng.choice(user_ids),
                    "is_public": rng.random() < 0.5,
                    "is_collaborative": collaborative,
                    "parent_id": parent,
                    "folder_type": folder,
                    "description": description,
                    "cover_url": self.maybe(f"https://img.example.com/p/{i}.jpg", 0.5),
                    "tags": _Json(self.sample(_GENRES, 0, 3)),
                    "is_dynamic": dynamic,
                    "dynamic_rules": _Json({"genre": rng.choice(_GENRES), "limit": 50})
                    if dynamic
                    else None,
                    "collaboration_mode": rng.choice(("open", "approval_required", "invite_only")),
                    "max_tracks_per_user": self.maybe(rng.randint(5, 50), 0.8),
                    "voting_enabled": collaborative and rng.random() < 0.5,
                    "share_token": self.maybe(self.hexstr(32), 0.6),
                    "password_hash": None,
                    "expires_at": self.maybe(self.ts(created), 0.9),
                    "play_count": rng.randint(0, 10000),
                    "like_count": rng.randint(0, 1000),
                    "share_count": rng.randint(0, 100),
                    "total_duration_ms": rng.randint(0, 36_000_000),
                    "extra_metadata": _Json({}),
                    "version": rng.randint(1, 40),
                    "last_modified_by": self.maybe(rng.choice(user_ids), 0.3),
                    "search_vector": self.search_text(name, description or ""),
                    "created_at": created,
                    "updated_at": self.ts(created),
                    "last_played_at": self.maybe(self.ts(created), 0.4),
                }
            )
        self.rows["playlists"] = rows
        self.plant_nulls("playlists")
        # NULL in one half of ck_folder_not_dynamic passes the legacy CHECK; keep one of each.
        rows[_NULL_START + 1]["folder_type"], rows[_NULL_START + 1]["is_dynamic"] = None, True
        rows[_NULL_START + 1]["dynamic_rules"] = _Json({"genre": "jazz", "limit": 25})
        rows[3]["folder_type"], rows[3]["is_dynamic"] = True, None
        self.facts["playlist_folders"] = sum(1 for r in rows if r["folder_type"])
        self.facts["playlists_with_parent"] = sum(1 for r in rows if r["parent_id"] is not None)

    def playlist_children(self) -> None:
        rng = self.rng
        user_ids = [r["id"] for r in self.rows["users"]]
        track_ids = [r["id"] for r in self.rows["tracks"]]
        lists = [r["id"] for r in self.rows["playlists"] if not r["folder_type"]]
        next_pos: dict[int, int] = defaultdict(int)
        rows = []
        for i in range(1, self.n("playlist_tracks") + 1):
            pl = rng.choice(lists)
            pos = next_pos[pl] + (1 if rng.random() < 0.1 else 0)  # occasional gaps
            next_pos[pl] = pos + 1
            start = self.maybe(rng.randint(0, 30_000), 0.9)
            rows.append(
                {
                    "id": i,
                    "playlist_id": pl,
                    "track_id": rng.choice(track_ids),
                    "position": pos,
                    "added_by": rng.choice(user_ids),
                    "added_at": self.ts(),
                    "vote_count": rng.randint(-3, 10),
                    "is_locked": rng.random() < 0.05,
                    "custom_note": self.maybe(self.words(2, 8), 0.8),
                    "start_time_ms": start,
                    "end_time_ms": None if start is None else start + rng.randint(10_000, 200_000),
                }
            )
        self.rows["playlist_tracks"] = rows
        self.plant_nulls("playlist_tracks")

        all_lists = [r["id"] for r in self.rows["playlists"]]
        rows = []
        for i, (pl, user) in enumerate(
            self.pairs(self.n("playlist_collaborators"), all_lists, user_ids), 1
        ):
            invited = self.ts()
            status = rng.choice(("pending", "accepted", "accepted", "declined"))
            rows.append(
                {
                    "id": i,
                    "playlist_id": pl,
                    "user_id": user,
                    "can_add_tracks": rng.random() > 0.1,
                    "can_remove_tracks": rng.random() > 0.3,
                    "can_reorder_tracks": rng.random() > 0.3,
                    "can_invite_others": rng.random() < 0.2,
                    "can_change_details": rng.random() < 0.2,
                    "role": rng.choice(("owner", "admin", "editor", "editor", "viewer")),
                    "invited_by": self.maybe(rng.choice(user_ids), 0.3),
                    "invitation_status": status,
                    "tracks_added": rng.randint(0, 50),
                    "tracks_removed": rng.randint(0, 10),
                    "last_active": self.maybe(self.ts(invited), 0.5),
                    "invited_at": invited,
                    "joined_at": self.ts(invited) if status == "accepted" else None,
                }
            )
        self.rows["playlist_collaborators"] = rows
        self.plant_nulls("playlist_collaborators")

        rows = []
        for i in range(1, self.n("playlist_activities") + 1):
            kind = rng.choice(("track_added", "track_removed", "track_moved", "renamed"))
            data = {"track_id": rng.choice(track_ids)}
            if kind == "track_moved":
                data.update(old_position=rng.randint(0, 20), new_position=rng.randint(0, 20))
            rows.append(
                {
                    "id": i,
                    "playlist_id": rng.choice(all_lists),
                    "user_id": rng.choice(user_ids),
                    "activity_type": kind,
                    "activity_data": _Json(data),
                    "playlist_version": rng.randint(1, 40),
                    "created_at": self.ts(),
                }
            )
        self.rows["playlist_activities"] = rows
        self.plant_nulls("playlist_activities")

        pt_ids = [r["id"] for r in self.rows["playlist_tracks"]]
        rows = [
            {
                "id": i,
                "playlist_track_id": pt,
                "user_id": user,
                "vote_type": rng.choice((1, 1, -1)),
                "voted_at": self.ts(),
            }
            for i, (pt, user) in enumerate(
                self.pairs(self.n("playlist_track_votes"), pt_ids, user_ids), 1
            )
        ]
        invalid_votes = []
        for row, value in zip(rows[10:13], (0, 2, -5), strict=True):
            row["vote_type"] = value
            invalid_votes.append(row["id"])
        self.rows["playlist_track_votes"] = rows
        self.facts["invalid_vote_types"] = invalid_votes

        rows = [
            {
                "id": i,
                "user_id": user,
                "playlist_id": pl,
                "followed_at": self.ts(),
                "notifications_enabled": rng.random() > 0.2,
            }
            for i, (user, pl) in enumerate(
                self.pairs(self.n("playlist_follows"), user_ids, all_lists), 1
            )
        ]
        self.rows["playlist_follows"] = rows
        self.plant_nulls("playlist_follows")

    def user_tables(self) -> None:
        rng = self.rng
        user_ids = [r["id"] for r in self.rows["users"]]
        track_ids = [r["id"] for r in self.rows["tracks"]]
        rows = []
        for i, user in enumerate(
            sorted(rng.sample(user_ids, min(self.n("user_music_profiles"), len(user_ids)))), 1
        ):
            created = self.ts()
            rows.append(
                {
                    "id": i,
                    "user_id": user,
                    "favorite_genres": _Json(self.sample(_GENRES, 0, 4)),
                    "disliked_genres": _Json(self.sample(_GENRES, 0, 2)),
                    "favorite_decades": _Json(
                        self.sample(("1970s", "1980s", "1990s", "2000s"), 0, 2)
                    ),
                    "preferred_audio_quality": rng.choice(("low", "medium", "high", "lossless")),
                    "explicit_content_allowed": rng.random() > 0.1,
                    "discovery_mode": rng.choice(("conservative", "balanced", "adventurous")),
                    "energy_preference": round(rng.random(), 3),
                    "mood_preferences": _Json({"happy": round(rng.random(), 2)}),
                    "language_preferences": _Json(self.sample(_LANGUAGES, 0, 2)),
                    "total_listening_time_ms": rng.randint(0, 10**10),
                    "tracks_played": rng.randint(0, 10000),
                    "unique_tracks_played": rng.randint(0, 5000),
                    "unique_artists_played": rng.randint(0, 1000),
                    "average_session_duration_ms": rng.randint(0, 10**7),
                    "discovery_ratio": round(rng.random(), 3),
                    "genre_diversity_score": round(rng.random(), 3),
                    "time_based_preferences": _Json({"morning": rng.choice(_GENRES)}),
                    "device_preferences": _Json({"mobile": round(rng.random(), 2)}),
                    "taste_vector": self.maybe(
                        _Json([round(rng.random(), 3) for _ in range(8)]), 0.5
                    ),
                    "last_taste_update": self.maybe(self.ts(created), 0.5),
                    "created_at": created,
                    "updated_at": self.ts(created),
                }
            )
        self.rows["user_music_profiles"] = rows
        self.plant_nulls("user_music_profiles")

        rows = []
        for i, (user, track) in enumerate(
            self.pairs(self.n("user_library"), user_ids, track_ids), 1
        ):
            plays = rng.randint(0, 200)
            rows.append(
                {
                    "id": i,
                    "user_id": user,
                    "track_id": track,
                    "added_at": self.ts(),
                    "tags": _Json(self.sample(("gym", "chill", "party", "focus"), 0, 2)),
                    "rating": self.maybe(rng.randint(1, 5), 0.6),
                    "play_count": plays,
                    "skip_count": rng.randint(0, 20),
                    "last_played_at": self.ts() if plays else None,
                    "total_play_time_ms": plays * rng.randint(60_000, 300_000),
                    "notes": self.maybe(self.words(2, 10), 0.9),
                    "is_favorite": rng.random() < 0.2,
                }
            )
        invalid_ratings = []
        for row, value in zip(rows[12:15], (0, 6, 11), strict=True):
            row["rating"] = value
            invalid_ratings.append(row["id"])
        self.rows["user_library"] = rows
        self.plant_nulls("user_library")
        self.facts["invalid_ratings"] = invalid_ratings

        rows = []
        for i in range(1, self.n("discovery_sessions") + 1):
            started = self.ts()
            active = rng.random() < 0.2
            presented = rng.randint(0, 50)
            rows.append(
                {
                    "id": i,
                    "uuid": self.uuid4(),
                    "user_id": rng.choice(user_ids),
                    "session_type": rng.choice(("radio", "daily_mix", "explore", "similar_artist")),
                    "session_name": self.maybe(self.title(), 0.5),
                    "seed_type": self.maybe(rng.choice(("track", "artist", "genre")), 0.3),
                    "seed_data": self.maybe(_Json({"id": rng.choice(track_ids)}), 0.3),
                    "discovery_params": _Json({"novelty": round(rng.random(), 2)}),
                    "tracks_presented": presented,
                    "tracks_played": rng.randint(0, presented),
                    "tracks_skipped": rng.randint(0, presented),
                    "tracks_liked": rng.randint(0, presented),
                    "tracks_added_to_library": rng.randint(0, presented),
                    "total_play_time_ms": rng.randint(0, 10**7),
                    "average_play_percentage": round(rng.uniform(0, 100), 2),
                    "discovery_score": self.maybe(round(rng.random(), 3), 0.4),
                    "user_satisfaction": self.maybe(round(rng.random(), 3), 0.6),
                    "algorithm_version": self.maybe(rng.choice(("v1", "v2", "v2.1")), 0.2),
                    "is_active": active,
                    "current_position": rng.randint(0, presented),
                    "started_at": started,
                    "ended_at": None if active else self.ts(started),
                    "last_interaction_at": self.maybe(self.ts(started), 0.2),
                }
            )
        self.rows["discovery_sessions"] = rows
        self.plant_nulls("discovery_sessions")

    def interactions(self) -> None:
        rng = self.rng
        user_ids = [r["id"] for r in self.rows["users"]]
        track_ids = [r["id"] for r in self.rows["tracks"]]
        session_uuids = [r["uuid"] for r in self.rows["discovery_sessions"]]
        kinds = [k for k, _ in _INTERACTIONS]
        weights = [w for _, w in _INTERACTIONS]
        silent = set(track_ids[-max(20, len(track_ids) // 10) :])  # never interacted with
        no_play = set(track_ids[100:110])  # only skips/likes: legacy counts them as "listeners"
        hot = [t for t in track_ids if t not in silent]
        rows = []
        for i in range(1, self.n("user_interactions") + 1):
            track = rng.choice(hot)
            kind = rng.choices(kinds, weights)[0]
            if track in no_play and kind == "play":
                kind = "skip"
            duration = rng.randint(60_000, 400_000)
            played = rng.randint(0, duration) if kind == "play" else None
            r = rng.random()
            session = rng.choice(session_uuids) if r < 0.3 else self.uuid4() if r < 0.4 else None
            rows.append(
                {
                    "id": i,
                    "user_id": rng.choice(user_ids),
                    "track_id": track,
                    "interaction_type": kind,
                    "context_type": self.maybe(rng.choice(("playlist", "album", "radio")), 0.3),
                    "context_id": self.maybe(str(rng.randint(1, 500)), 0.3),
                    "play_duration_ms": played,
                    "track_duration_ms": duration,
                    "completion_percentage": (
                        None if played is None else round(100 * played / duration, 2)
                    ),
                    "skip_position_ms": rng.randint(0, duration) if kind == "skip" else None,
                    "skip_reason": rng.choice(("manual", "auto", None)) if kind == "skip" else None,
                    "device_type": self.maybe(rng.choice(("mobile", "desktop", "web", "tv")), 0.1),
                    "session_id": session,
                    "extra_metadata": _Json({"client": rng.choice(("ios", "android", "web"))}),
                    "created_at": self.ts(),
                }
            )
        self.rows["user_interactions"] = rows
        self.plant_nulls("user_interactions")

        sessions = [r["id"] for r in self.rows["discovery_sessions"]]
        next_pos: dict[int, int] = defaultdict(int)
        rows = []
        for i in range(1, self.n("discovery_session_tracks") + 1):
            sid = rng.choice(sessions)
            pos = next_pos[sid]
            next_pos[sid] = pos + 1
            presented = self.ts()
            played = rng.random() < 0.6
            rows.append(
                {
                    "id": i,
                    "session_id": sid,
                    "track_id": rng.choice(track_ids),
                    "position": pos,
                    "recommendation_score": self.maybe(round(rng.random(), 4), 0.1),
                    "recommendation_reasons": _Json(
                        self.sample(("similar_artist", "genre_match", "popular", "new"), 0, 2)
                    ),
                    "was_played": played,
                    "play_duration_ms": rng.randint(0, 300_000) if played else None,
                    "was_skipped": rng.random() < 0.3,
                    "skip_time_ms": self.maybe(rng.randint(0, 60_000), 0.7),
                    "was_liked": rng.random() < 0.1,
                    "was_added_to_library": rng.random() < 0.05,
                    "presented_at": presented,
                    "interacted_at": self.ts(presented) if played else None,
                }
            )
        self.rows["discovery_session_tracks"] = rows
        self.plant_nulls("discovery_session_tracks")

    def follows(self) -> None:
        rng = self.rng
        user_ids = [r["id"] for r in self.rows["users"]]
        artist_ids = [r["id"] for r in self.rows["artists"]]
        album_ids = [r["id"] for r in self.rows["albums"]]
        self.rows["user_artist_follows"] = [
            {
                "id": i,
                "user_id": user,
                "artist_id": artist,
                "followed_at": self.ts(),
                "follow_source": self.maybe(rng.choice(("search", "recommendation")), 0.3),
                "notifications_enabled": rng.random() > 0.2,
            }
            for i, (user, artist) in enumerate(
                self.pairs(self.n("user_artist_follows"), user_ids, artist_ids), 1
            )
        ]
        self.plant_nulls("user_artist_follows")
        self.rows["user_album_collections"] = [
            {
                "id": i,
                "user_id": user,
                "album_id": album,
                "added_at": self.ts(),
                "tags": _Json(self.sample(("vinyl", "favourite", "to-listen"), 0, 2)),
                "play_count": rng.randint(0, 300),
            }
            for i, (user, album) in enumerate(
                self.pairs(self.n("user_album_collections"), user_ids, album_ids), 1
            )
        ]
        self.plant_nulls("user_album_collections")

    # -- facts --------------------------------------------------------------------------------

    def plant_probes(self) -> None:
        probes = []
        for table, column in _PROBE_TARGETS:
            rows = self.rows[table]
            for k, (label, value) in enumerate(TIMESTAMP_PROBES):
                rows[k][column] = value
                probes.append(
                    {
                        "label": label,
                        "table": table,
                        "id": rows[k]["id"],
                        "column": column,
                        "value": value.isoformat(sep=" "),
                    }
                )
        # keep updated_at >= created_at on the probed tracks
        for row in self.rows["tracks"][: len(TIMESTAMP_PROBES)]:
            row["updated_at"] = row["created_at"]
        self.facts["timestamp_probes"] = probes

    def finish_facts(self) -> dict[str, Any]:
        rows = self.rows
        facts = self.facts
        facts["revision"] = LEGACY_REVISION
        facts["index_count"] = LEGACY_INDEX_COUNT
        facts["rows_scale"] = self.scale
        facts["counts"] = {t: len(rows[t]) for t in LEGACY_TABLES}
        facts["sequence_last_values"] = {
            t: max(r["id"] for r in rows[t]) + self.seq_extra.get(t, 0) for t in LEGACY_TABLES
        }
        facts["null_default_columns"] = {
            t: {c: sum(1 for r in rows[t] if r[c] is None) for c in cols}
            for t, cols in NULL_DEFAULT_COLUMNS.items()
        }
        facts["track_source_null_source_id_rows"] = sum(
            1 for r in rows["track_sources"] if r["source_id"] is None
        )
        kinds: dict[str, int] = defaultdict(int)
        for r in rows["users"]:
            kinds[_text_kind(r["default_categories"])] += 1
        facts["default_categories_kinds"] = dict(sorted(kinds.items()))
        facts["search_vector_non_null"] = {
            t: sum(1 for r in rows[t] if r["search_vector"] is not None)
            for t in ("artists", "albums", "tracks", "playlists")
        }
        listeners_all: dict[int, set[int]] = defaultdict(set)
        listeners_play: dict[int, set[int]] = defaultdict(set)
        last_all: dict[int, datetime] = {}
        last_play: dict[int, datetime] = {}
        for r in rows["user_interactions"]:
            t, ts = r["track_id"], r["created_at"]
            listeners_all[t].add(r["user_id"])
            last_all[t] = max(last_all.get(t, ts), ts)
            if r["interaction_type"] == "play":
                listeners_play[t].add(r["user_id"])
                last_play[t] = max(last_play.get(t, ts), ts)
        track_ids = [r["id"] for r in rows["tracks"]]
        facts["mv"] = {
            "rows": len(track_ids),
            "tracks_without_interactions": sum(1 for t in track_ids if t not in listeners_all),
            "listener_mismatch_tracks": sum(
                1 for t in track_ids if len(listeners_all[t]) != len(listeners_play[t])
            ),
            "last_played_mismatch_tracks": sum(
                1 for t in track_ids if last_all.get(t) != last_play.get(t)
            ),
            "tracks_with_interactions_but_no_play": sum(
                1 for t in track_ids if listeners_all[t] and not listeners_play[t]
            ),
        }
        return facts


def _text_kind(value: str | None) -> str:
    if value is None:
        return "null"
    if value == "":
        return "empty_string"
    try:
        parsed = json.loads(value)
    except ValueError:
        return "not_json"
    return "json_array" if isinstance(parsed, list) else "json_object"


def _generate(rows_scale: int) -> _Gen:
    gen = _Gen(rows_scale)
    gen.users()
    gen.artists()
    gen.albums()
    gen.tracks()
    gen.sources()
    gen.playlists()
    gen.playlist_children()
    gen.user_tables()
    gen.interactions()
    gen.follows()
    gen.plant_probes()
    gen.finish_facts()
    return gen


def legacy_fixture_facts(rows_scale: int = 1) -> dict[str, Any]:
    """What ``load_legacy(conn, rows_scale)`` plants, computed without a database."""
    return _generate(rows_scale).facts


def _copy_value(value: Any) -> Any:
    if isinstance(value, _Json):
        return json.dumps(value.value, sort_keys=True)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def load_legacy(conn: psycopg.Connection, rows_scale: int = 1) -> dict[str, Any]:
    """Build the legacy schema and its data in ``conn``'s (empty) database; return the facts.

    Runs ``legacy_schema_sql()`` as one script, COPYs every table in foreign-key order, sets each id
    sequence (see ``sequence_last_values``) and refreshes ``mv_track_popularity`` (blocking). The
    result is the same for the same ``rows_scale``.
    """
    gen = _generate(rows_scale)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(legacy_schema_sql())
        for table in LEGACY_TABLES:
            rows = gen.rows[table]
            columns = list(rows[0])
            stmt = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cur.copy(stmt) as copy:
                for row in rows:
                    copy.write_row([_copy_value(row[c]) for c in columns])
            cur.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                (table, gen.facts["sequence_last_values"][table]),
            )
        cur.execute("REFRESH MATERIALIZED VIEW mv_track_popularity")
    return gen.facts
