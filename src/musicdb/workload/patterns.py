"""The named query patterns Q1-Q12 (docs/schema.md): the one definition used by ``musicdb bench``,
the index tests and the EXPLAIN checks.

Each pattern has its SQL (values are bound parameters), the index the plan must use (the one
the schema added for it), how to draw realistic parameters from the data (hot keys: the busiest
users, the most played tracks, the biggest playlists; cold keys: drawn uniformly), and its p95
latency goal at scale 1.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

PERFORMANCE_REVISION = "20250618_075149_add_performance_indexes"


@dataclass(frozen=True)
class Pattern:
    name: str
    title: str
    sql: str
    #: Indexes the plan must use (all of them); the first is the one the pattern is about.
    intended: tuple[str, ...]
    #: p95 goal at scale 1, in milliseconds.
    goal_p95_ms: float
    #: SQL returning parameter tuples for busy keys and for uniformly drawn keys; each takes
    #: one bound value, the number of rows wanted. ``None``: the pattern takes no parameter.
    hot_sql: str | None = None
    cold_sql: str | None = None
    #: A point lookup: the work it does must not grow with the data (scalability test).
    lookup: bool = False

    @property
    def index(self) -> str:
        return self.intended[0]


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "Q1",
        "track page: a track with its artist and album, by id",
        """
        SELECT t.id, t.title, t.duration_ms, t.explicit, t.audio_features,
               a.id AS artist_id, a.name AS artist_name,
               al.id AS album_id, al.title AS album_title, al.release_date
        FROM tracks AS t
        LEFT JOIN artists AS a ON a.id = t.artist_id
        LEFT JOIN albums AS al ON al.id = t.album_id
        WHERE t.id = %s
        """,
        ("pk_tracks", "pk_artists", "pk_albums"),
        10.0,
        hot_sql="SELECT id FROM tracks ORDER BY popularity DESC LIMIT %s",
        cold_sql="SELECT id FROM tracks ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q2",
        "an artist's top tracks by popularity",
        """
        SELECT id, title, popularity, duration_ms
        FROM tracks
        WHERE artist_id = %s
        ORDER BY popularity DESC
        LIMIT 10
        """,
        ("ix_tracks_artist_id_popularity",),
        10.0,
        hot_sql="SELECT artist_id FROM tracks WHERE artist_id IS NOT NULL GROUP BY artist_id "
        "ORDER BY count(*) DESC LIMIT %s",
        cold_sql="SELECT id FROM artists ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q3",
        "full-text search of tracks, ranked",
        """
        SELECT t.id, t.title, ts_rank(t.search_document, q) AS rank
        FROM tracks AS t, websearch_to_tsquery('english', %s) AS q
        WHERE t.search_document @@ q
        ORDER BY rank DESC, t.id
        LIMIT 20
        """,
        # the generated tsvector of the compatible head; for_database() renames it on a
        # contracted database, where it is search_vector again
        ("ix_tracks_search_document",),
        50.0,
        # hot: two words of a popular title; cold: one word of a random title
        hot_sql="SELECT split_part(lower(title), ' ', 1) || ' ' "
        "|| split_part(lower(title), ' ', 2) FROM tracks WHERE strpos(title, ' ') > 0 "
        "ORDER BY popularity DESC LIMIT %s",
        cold_sql="SELECT split_part(lower(title), ' ', 1) FROM tracks ORDER BY random() LIMIT %s",
    ),
    Pattern(
        "Q4",
        "a user's latest 50 interactions",
        """
        SELECT ui.id, ui.interaction_type, ui.created_at, t.id AS track_id, t.title
        FROM user_interactions AS ui
        JOIN tracks AS t ON t.id = ui.track_id
        WHERE ui.user_id = %s
        ORDER BY ui.created_at DESC
        LIMIT 50
        """,
        ("ix_user_interactions_user_id_created_at",),
        10.0,
        hot_sql="SELECT user_id FROM user_interactions GROUP BY user_id "
        "ORDER BY count(*) DESC LIMIT %s",
        cold_sql="SELECT id FROM users ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q5",
        "top 100 tracks from the popularity view",
        """
        SELECT track_id, title, artist_id, total_plays, unique_listeners
        FROM mv_track_popularity
        ORDER BY total_plays DESC
        LIMIT 100
        """,
        ("ix_mv_track_popularity_total_plays",),
        5.0,
    ),
    Pattern(
        "Q6",
        "artists whose genres contain a genre",
        """
        SELECT id, name, popularity
        FROM artists
        WHERE genres @> %s::jsonb
        ORDER BY popularity DESC
        LIMIT 50
        """,
        ("ix_artists_genres",),
        50.0,
        # hot: the commonest genres; cold: the rarest ones
        hot_sql="SELECT jsonb_build_array(g) FROM artists, jsonb_array_elements_text(genres) AS g "
        "GROUP BY g ORDER BY count(*) DESC LIMIT %s",
        cold_sql="SELECT jsonb_build_array(g) FROM artists, jsonb_array_elements_text(genres) AS g "
        "GROUP BY g ORDER BY count(*), g LIMIT %s",
    ),
    Pattern(
        "Q7",
        "a playlist's tracks in position order",
        """
        SELECT pt.position, t.id, t.title, t.duration_ms, pt.added_at
        FROM playlist_tracks AS pt
        JOIN tracks AS t ON t.id = pt.track_id
        WHERE pt.playlist_id = %s
        ORDER BY pt.position
        """,
        ("uq_playlist_tracks_playlist_id_position", "pk_tracks"),
        10.0,
        hot_sql="SELECT playlist_id FROM playlist_tracks GROUP BY playlist_id "
        "ORDER BY count(*) DESC LIMIT %s",
        cold_sql="SELECT id FROM playlists ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q8",
        "a user's favourites, newest first",
        """
        SELECT l.track_id, t.title, l.added_at, l.rating
        FROM user_library AS l
        JOIN tracks AS t ON t.id = l.track_id
        WHERE l.user_id = %s AND l.is_favorite
        ORDER BY l.added_at DESC
        LIMIT 50
        """,
        ("ix_user_library_user_id_added_at_favorite",),
        10.0,
        hot_sql="SELECT user_id FROM user_library WHERE is_favorite GROUP BY user_id "
        "ORDER BY count(*) DESC LIMIT %s",
        cold_sql="SELECT id FROM users ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q9",
        "high-energy tracks from an energy level up",
        """
        SELECT id, title, CAST((audio_features ->> 'energy') AS double precision) AS energy
        FROM tracks
        WHERE CAST((audio_features ->> 'energy') AS double precision) > 0.8
          AND CAST((audio_features ->> 'energy') AS double precision) >= %s
        ORDER BY CAST((audio_features ->> 'energy') AS double precision)
        LIMIT 50
        """,
        ("ix_tracks_high_energy",),
        50.0,
        # hot: thresholds just above 0.8 (many tracks); cold: near the top (few)
        hot_sql="SELECT 0.8 + 0.05 * random() FROM generate_series(1, %s)",
        cold_sql="SELECT 0.85 + 0.14 * random() FROM generate_series(1, %s)",
    ),
    Pattern(
        "Q10",
        "local track for an external (source_type, source_id)",
        """
        SELECT t.id, t.title, s.is_available
        FROM track_sources AS s
        JOIN tracks AS t ON t.id = s.track_id
        WHERE s.source_type = %s AND s.source_id = %s
        """,
        # a plain btree at the compatible head (the unique constraint once contracted)
        ("ix_track_sources_source_type_source_id", "pk_tracks"),
        10.0,
        hot_sql="SELECT s.source_type, s.source_id FROM track_sources AS s "
        "JOIN tracks AS t ON t.id = s.track_id ORDER BY t.popularity DESC LIMIT %s",
        cold_sql="SELECT source_type, source_id FROM track_sources ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q11",
        "a user's active discovery session",
        """
        SELECT id, uuid, session_type, started_at, current_position
        FROM discovery_sessions
        WHERE user_id = %s AND is_active
        ORDER BY started_at DESC
        LIMIT 1
        """,
        ("ix_discovery_sessions_user_id_active",),
        10.0,
        hot_sql="SELECT user_id FROM discovery_sessions WHERE is_active "
        "ORDER BY started_at DESC LIMIT %s",
        cold_sql="SELECT id FROM users ORDER BY random() LIMIT %s",
        lookup=True,
    ),
    Pattern(
        "Q12",
        "a playlist's activity feed, newest first",
        """
        SELECT id, activity_type, user_id, activity_data, created_at
        FROM playlist_activities
        WHERE playlist_id = %s
        ORDER BY created_at DESC
        LIMIT 50
        """,
        ("ix_playlist_activities_playlist_id_created_at",),
        10.0,
        hot_sql="SELECT playlist_id FROM playlist_activities GROUP BY playlist_id "
        "ORDER BY count(*) DESC LIMIT %s",
        cold_sql="SELECT id FROM playlists ORDER BY random() LIMIT %s",
        lookup=True,
    ),
)

BY_NAME = {p.name: p for p in PATTERNS}

#: The name the patterns give the generated tsvector of tracks (the compatible head's).
SEARCH_COLUMN = "search_document"

#: Names the patterns use (the compatible head's) -> their names once contracted.
CONTRACTED_NAMES = {
    SEARCH_COLUMN: "search_vector",
    "ix_track_sources_source_type_source_id": "uq_track_sources_source_type_source_id",
}


def search_column(conn: psycopg.Connection[Any], table: str = "tracks") -> str:
    """The generated tsvector column of *table*, read from the catalog: ``search_document`` at
    the compatible head, ``search_vector`` once contracted."""
    row = conn.execute(
        "SELECT a.attname FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = to_regclass(%s) "
        "AND a.attgenerated = 's' AND a.atttypid = 'tsvector'::regtype AND NOT a.attisdropped",
        (f"public.{table}",),
    ).fetchone()
    return row[0] if row else SEARCH_COLUMN


def for_database(conn: psycopg.Connection[Any], chosen: Sequence[Pattern]) -> list[Pattern]:
    """*chosen* as they must run on this database: on a contracted one (found by a catalog
    lookup of the generated tsvector), Q3 reads ``search_vector`` and Q10's index is the
    unique constraint's."""
    import dataclasses

    if search_column(conn) == SEARCH_COLUMN:
        return list(chosen)

    def rename(text: str) -> str:
        for old, new in CONTRACTED_NAMES.items():
            text = text.replace(old, new)
        return text

    return [dataclasses.replace(p, sql=rename(p.sql), intended=tuple(map(rename, p.intended)))
            for p in chosen]


def select(names: Sequence[str] | None) -> list[Pattern]:
    """The patterns named (case-insensitive, in Q order), or all of them."""
    from musicdb.errors import UsageError

    if not names:
        return list(PATTERNS)
    wanted = {n.strip().upper() for name in names for n in name.split(",") if n.strip()}
    unknown = sorted(wanted - set(BY_NAME))
    if unknown:
        raise UsageError(
            f"unknown pattern(s) {', '.join(unknown)}; expected some of {', '.join(BY_NAME)}"
        )
    return [p for p in PATTERNS if p.name in wanted]


@dataclass
class Params:
    """Parameter tuples for one pattern: busy keys and uniformly drawn ones."""

    hot: list[tuple[Any, ...]] = field(default_factory=list)
    cold: list[tuple[Any, ...]] = field(default_factory=list)

    def cycle(self, count: int, rng: random.Random) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """*count* (kind, params) pairs, alternating hot and cold, each drawn at random."""
        if not self.hot and not self.cold:
            for _ in range(count):
                yield "none", ()
            return
        for i in range(count):
            pool, kind = (self.hot, "hot") if (i % 2 == 0 and self.hot) or not self.cold else (
                self.cold, "cold")
            yield kind, pool[rng.randrange(len(pool))]


def draw_params(conn: psycopg.Connection[Any], pattern: Pattern, *, count: int = 50,
                seed: int = 0) -> Params:
    """Draw parameters for *pattern* from the data (``setseed`` makes ``random()`` repeat)."""
    if pattern.hot_sql is None:
        return Params()
    # a seed per pattern, so that different patterns do not draw the same row positions
    salt = sum(ord(c) * 31**i for i, c in enumerate(pattern.name))
    conn.execute("SELECT setseed(%s)", (((seed * 7919 + salt) % 2000) / 1000.0 - 1.0,))
    hot = [_plain(r) for r in conn.execute(pattern.hot_sql, (count,)).fetchall()]
    cold = [_plain(r) for r in conn.execute(pattern.cold_sql or pattern.hot_sql,
                                            (count,)).fetchall()]
    hot = [r for r in hot if all(v is not None and v != "" for v in r)]
    cold = [r for r in cold if all(v is not None and v != "" for v in r)]
    return Params(hot, cold)


def _plain(row: Sequence[Any]) -> tuple[Any, ...]:
    # jsonb values come back as Python objects: send them back as JSON text (cast in the SQL)
    return tuple(json.dumps(v) if isinstance(v, list | dict) else v for v in row)


# --- plans ---------------------------------------------------------------------------------------
@dataclass
class PlanFacts:
    """What a plan touches: index names, relations read by a sequential scan, buffers."""

    indexes: list[str]
    seq_scans: list[str]
    node_types: list[str]
    shared_hit: int = 0
    shared_read: int = 0
    plan: dict[str, Any] = field(default_factory=dict)
    #: every relation a scan node reads (partitions by their own names), in plan order
    relations: list[str] = field(default_factory=list)

    @property
    def buffers(self) -> int:
        return self.shared_hit + self.shared_read


def plan_facts(plan_json: Any) -> PlanFacts:
    """Walk an ``EXPLAIN (FORMAT JSON)`` document."""
    doc = plan_json[0] if isinstance(plan_json, list) else plan_json
    root = doc["Plan"]
    indexes: list[str] = []
    seqs: list[str] = []
    nodes: list[str] = []
    relations: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        nodes.append(node["Node Type"])
        if "Relation Name" in node and node["Relation Name"] not in relations:
            relations.append(node["Relation Name"])
        name = node.get("Index Name")
        if name and name not in indexes:
            indexes.append(name)
        if node["Node Type"] == "Seq Scan":
            seqs.append(node.get("Relation Name", "?"))
        for child in node.get("Plans", ()):
            walk(child)

    walk(root)
    return PlanFacts(
        indexes,
        seqs,
        nodes,
        int(root.get("Shared Hit Blocks", 0)),
        int(root.get("Shared Read Blocks", 0)),
        doc,
        relations,
    )


def explain(conn: psycopg.Connection[Any], pattern: Pattern, params: Sequence[Any] = (), *,
            analyze: bool = False) -> PlanFacts:
    """EXPLAIN (FORMAT JSON) of *pattern* with *params*; with ``analyze``, BUFFERS too."""
    options = "ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON" if analyze else "FORMAT JSON"
    row = conn.execute(f"EXPLAIN ({options}) {pattern.sql}", tuple(params)).fetchone()
    assert row is not None
    facts = plan_facts(row[0])
    # a partition's index (or table) also counts as its parent's: user_interactions is
    # partitioned, and its patterns name the parent's index
    for found in (facts.indexes, facts.seq_scans):
        parents = conn.execute(
            "SELECT DISTINCT p.relname FROM pg_catalog.pg_inherits AS i "
            "JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid "
            "JOIN pg_catalog.pg_class AS p ON p.oid = i.inhparent "
            "WHERE c.relname = ANY(%s) ORDER BY 1", (list(found),)).fetchall()
        found.extend(name for (name,) in parents if name not in found)
    return facts
