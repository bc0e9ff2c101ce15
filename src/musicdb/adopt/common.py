"""What the conversion steps share: the book-keeping schema, the constants of the target, the
plan of a step (:class:`StepPlan`) and the reading of the live catalog.

Part of the migration history, like :mod:`musicdb.adopt.conversion`."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb.adopt.target import COLUMNS

if TYPE_CHECKING:
    import psycopg
    from psycopg.sql import SQL, Composed


ADOPT_SCHEMA = "musicdb_adopt"
TABLES: tuple[str, ...] = tuple(COLUMNS)
VIEW = "mv_track_popularity"

#: Tables at least this large (estimated rows) get their new indexes built CONCURRENTLY.
CONCURRENT_MIN_ROWS = int(os.environ.get("MUSICDB_CONCURRENT_INDEX_MIN_ROWS", "100000"))

# Column groups of the three column steps (one transaction each). The listening group holds the
# tables the materialized view reads, so the view is rebuilt in the same transaction.
COLUMN_GROUPS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "users",
        "playlists",
        "playlist_tracks",
        "playlist_collaborators",
        "playlist_activities",
        "playlist_track_votes",
        "playlist_follows",
        "user_music_profiles",
        "user_library",
        "user_artist_follows",
        "user_album_collections",
        "discovery_sessions",
        "discovery_session_tracks",
    ),
    "catalogue": ("artists", "albums", "artist_sources", "album_sources", "track_sources"),
    "listening": ("tracks", "user_interactions"),
}

UPDATED_AT_TABLES = tuple(t for t, cols in COLUMNS.items() if "updated_at" in cols)

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$
"""
FUNCTION_BODY = "BEGIN NEW.updated_at = now(); RETURN NEW; END;"

VIEW_SQL = """
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
WITH DATA
"""
VIEW_INDEXES = (
    "CREATE UNIQUE INDEX uq_mv_track_popularity_track_id ON mv_track_popularity (track_id)",
    "CREATE INDEX ix_mv_track_popularity_total_plays ON mv_track_popularity (total_plays DESC)",
    "CREATE INDEX ix_mv_track_popularity_unique_listeners "
    "ON mv_track_popularity (unique_listeners DESC)",
)

BOOKKEEPING_SQL = (
    f"CREATE SCHEMA IF NOT EXISTS {ADOPT_SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {ADOPT_SCHEMA}.adoption (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        adopted_at timestamptz NOT NULL DEFAULT now(),
        adopted_by text NOT NULL DEFAULT current_user,
        previous_stamp text[] NOT NULL,
        layout text NOT NULL,
        details jsonb NOT NULL DEFAULT '{{}}'
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ADOPT_SCHEMA}.quarantine (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        step text NOT NULL,
        table_name text NOT NULL,
        row_id bigint NOT NULL,
        reason text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{{}}',
        row_data jsonb NOT NULL,
        moved_at timestamptz NOT NULL DEFAULT now()
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ADOPT_SCHEMA}.changed_values (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        step text NOT NULL,
        table_name text NOT NULL,
        row_id bigint NOT NULL,
        column_name text NOT NULL,
        old_value jsonb,
        new_value jsonb,
        reason text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
    )""",
)


@dataclass
class Statement:
    """One statement of a plan, with its bound parameters and why it is there."""

    sql: SQL | Composed
    params: tuple[Any, ...] = ()
    why: str = ""
    #: Built outside a transaction (CREATE INDEX CONCURRENTLY); the name is cleaned up on failure.
    concurrent_index: str | None = None

    def text(self, conn: psycopg.Connection[Any]) -> str:
        return self.sql.as_string(conn)


@dataclass
class StepPlan:
    """What one step of the conversion will do, and what it found on the way."""

    step: str
    title: str
    statements: list[Statement] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    transactional: bool = True

    def add(self, sql: SQL | Composed | str, params: Sequence[Any] = (), why: str = "",
            concurrent_index: str | None = None) -> None:
        from psycopg.sql import SQL

        composed = SQL(sql) if isinstance(sql, str) else sql  # type: ignore[arg-type]
        self.statements.append(Statement(composed, tuple(params), why, concurrent_index))

    def find(self, kind: str, table: str, count: int, detail: str, **extra: Any) -> None:
        self.findings.append(
            {"step": self.step, "kind": kind, "table": table, "count": count,
             "detail": detail, **extra}
        )


# -- catalog reading ---------------------------------------------------------------------------
def _rows(conn: psycopg.Connection[Any], query: str, params: Sequence[Any] = ()) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall()


_SERIAL_SEQUENCE_SQL = """
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.pg_get_serial_sequence(%s, 'id')::regclass
"""


def is_adopted(conn: psycopg.Connection[Any]) -> bool:
    """Whether ``musicdb migrate adopt`` registered this database (the legacy steps' gate)."""
    row = _rows(conn, "SELECT to_regclass(%s) IS NOT NULL", (f"{ADOPT_SCHEMA}.adoption",))
    return bool(row and row[0][0])


def _live_columns(conn: psycopg.Connection[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table, column, type_, notnull, default, identity, generated in _rows(
        conn,
        """
        SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
               a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text, a.attgenerated::text
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
          AND a.attnum > 0 AND NOT a.attisdropped
        """,
        (list(TABLES),),
    ):
        out.setdefault(table, {})[column] = {
            "type": type_,
            "notnull": notnull,
            "default": default,
            "identity": identity or "",
            "generated": generated or "",
        }
    return out


def _live_indexes(conn: psycopg.Connection[Any]) -> dict[str, dict[str, Any]]:
    """Indexes on the platform tables: name -> table, definition, backs a constraint, valid."""
    out: dict[str, dict[str, Any]] = {}
    for name, table, definition, constraint, valid in _rows(
        conn,
        """
        SELECT i.relname, c.relname, pg_catalog.pg_get_indexdef(x.indexrelid),
               EXISTS (SELECT 1 FROM pg_catalog.pg_constraint AS k WHERE k.conindid = x.indexrelid
                       AND k.contype IN ('p', 'u', 'x')),
               x.indisvalid
        FROM pg_catalog.pg_index AS x
        JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
        JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s)
        """,
        (list(TABLES),),
    ):
        out[name] = {
            "table": table,
            "definition": _normalise(definition),
            "constraint": constraint,
            "valid": valid,
        }
    return out


def _live_constraints(conn: psycopg.Connection[Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for table, name, contype, definition, validated in _rows(
        conn,
        """
        SELECT c.relname, k.conname, k.contype::text, pg_catalog.pg_get_constraintdef(k.oid),
               k.convalidated
        FROM pg_catalog.pg_constraint AS k
        JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(%s) AND k.contype IN ('p', 'u', 'f', 'c')
        """,
        (list(TABLES),),
    ):
        kind = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check"}[contype]
        out[f"{table}.{name}"] = {
            "table": table,
            "name": name,
            "kind": kind,
            "definition": _normalise(definition).replace(" NOT VALID", ""),
            "validated": validated,
        }
    return out


_WS = re.compile(r"\s+")
_INDEX_NAME = re.compile(r"^CREATE (UNIQUE )?INDEX (\S+) ON ")


def _normalise(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    return re.sub(r'(?<![\w."])public\.(?=["\w])', "", text)


def _unnamed(definition: str) -> str:
    return _INDEX_NAME.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX ? ON ", definition)


def _estimated_rows(conn: psycopg.Connection[Any]) -> dict[str, float]:
    return dict(
        _rows(
            conn,
            """
            SELECT c.relname, greatest(c.reltuples, 0)::float8
            FROM pg_catalog.pg_class AS c
            JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s)
            """,
            (list(TABLES),),
        )
    )
