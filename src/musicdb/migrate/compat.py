"""The platform application's compatible schema (expand) and the strict one (contract).

The deployed application declares ``search_vector`` as text, writes naive UTC timestamps, and
stores track sources without an id or with an id another track already has
(docs/migration-guide.md). The *compatible head* accepts all of that while keeping musicdb's
promises; the *contracted* schema is the strict target of docs/schema.md. :func:`relax` turns the
strict shape into the compatible one and :func:`restrict` the reverse: the expand revision runs
``relax`` (its downgrade ``restrict``), the contract revision runs ``restrict`` (its downgrade
``relax``), so the two are one piece of code and cannot disagree.

What ``relax`` does, per part (none of it rewrites a table; the btree indexes on the timestamp
columns are rebuilt, their operator class changes):

- full text: the generated tsvector column is renamed ``search_document`` (its GIN index
  ``ix_<table>_search_document``), and ``search_vector`` is added back as a plain nullable
  ``text`` column the application may write (a catalog-only change);
- ``track_sources``: ``source_id`` nullable, the cross-parent UNIQUE (source_type, source_id)
  replaced by a plain btree on the same columns (Q10 keeps its plan), the per-parent UNIQUE
  kept (NULL source ids are not deduplicated, as the application's own models declare);
- timestamps: the 44 timestamp columns of the 20 tables become ``timestamp without time zone``
  holding UTC, under ``SET LOCAL TimeZone = 'UTC'`` so that PostgreSQL (12 and newer) changes
  the type without rewriting the table; their server defaults and the ``updated_at`` trigger
  function use ``timezone('utc', now())``, so a value means UTC whatever the session's
  TimeZone. ``mv_track_popularity`` reads ``user_interactions.created_at``: it is dropped and
  rebuilt with its indexes and grants in the same transaction.

The lists here are frozen: a later revision that changes the schema does not change them.
"""

from __future__ import annotations

from typing import Any

from musicdb.adopt.conversion import FUNCTION_SQL, VIEW, VIEW_INDEXES, VIEW_SQL

#: table -> ((timestamp column, has a creation-time server default), ...): the 44 columns.
APP_TIMESTAMPS: dict[str, tuple[tuple[str, bool], ...]] = {
    "users": (("created_at", True), ("last_login", False)),
    "artists": (("created_at", True), ("updated_at", True), ("last_synced", False)),
    "albums": (("created_at", True), ("updated_at", True), ("last_synced", False)),
    "tracks": (("created_at", True), ("updated_at", True), ("last_analyzed", False)),
    "artist_sources": (("last_synced", False), ("created_at", True), ("updated_at", True)),
    "album_sources": (("last_synced", False), ("created_at", True), ("updated_at", True)),
    "track_sources": (("last_synced", False), ("created_at", True), ("updated_at", True)),
    "playlists": (("expires_at", False), ("created_at", True), ("updated_at", True),
                  ("last_played_at", False)),
    "playlist_tracks": (("added_at", True),),
    "playlist_collaborators": (("last_active", False), ("invited_at", True),
                               ("joined_at", False)),
    "playlist_activities": (("created_at", True),),
    "playlist_track_votes": (("voted_at", True),),
    "playlist_follows": (("followed_at", True),),
    "user_music_profiles": (("last_taste_update", False), ("created_at", True),
                            ("updated_at", True)),
    "user_library": (("added_at", True), ("last_played_at", False)),
    "user_interactions": (("created_at", True),),
    "discovery_sessions": (("started_at", True), ("ended_at", False),
                           ("last_interaction_at", True)),
    "discovery_session_tracks": (("presented_at", True), ("interacted_at", False)),
    "user_artist_follows": (("followed_at", True),),
    "user_album_collections": (("added_at", True),),
}

#: The tables with full-text search.
SEARCH_TABLES = ("tracks", "artists", "albums", "playlists")

#: The generated tsvector's name at the compatible head (``search_vector`` once contracted).
SEARCH_DOCUMENT = "search_document"

#: The server default of the compatible head's timestamps (as PostgreSQL prints it back).
UTC_NOW = "timezone('utc'::text, now())"

UTC_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = timezone('utc', now());
    RETURN NEW;
END;
$$
"""

#: Quarantine reasons (legacy adoption) of track_sources rows the compatible head accepts again.
RESTORED_REASONS = ("null_source_id", "null_source_id_duplicate", "null_source_id_superseded",
                    "source_key_conflict")

# The quarantined rows come back with their id; a column the row leaves NULL that is NOT NULL
# now takes its server default (the rows step quarantined them before any default was filled),
# recorded in musicdb_adopt.changed_values as the column steps record theirs.
RESTORE_SQL = """
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
WHERE coalesce(jsonb_typeof(back.row_data -> f.key), 'null') = 'null'
"""

SOURCE_UNIQUE = "uq_track_sources_source_type_source_id"
SOURCE_INDEX = "ix_track_sources_source_type_source_id"


def _partition_keys(op: Any) -> set[tuple[str, str]]:
    """(table, column) of the partition keys of the live database's partitioned tables."""
    from musicdb.adopt import live_connection

    conn = live_connection(op)
    if conn is None:
        return set()
    rows = conn.execute(
        "SELECT c.relname, a.attname FROM pg_catalog.pg_partitioned_table AS p "
        "JOIN pg_catalog.pg_class AS c ON c.oid = p.partrelid "
        "JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = ANY(p.partattrs) "
        "WHERE c.relnamespace = 'public'::regnamespace"
    ).fetchall()
    return {(t, c) for t, c in rows}


def _timestamps(op: Any, *, naive: bool) -> None:
    type_ = "timestamp without time zone" if naive else "timestamp with time zone"
    default = UTC_NOW if naive else "now()"
    # With the session in UTC, PostgreSQL 12+ converts between the two types without a rewrite
    # (and the instants are kept: a timestamptz read in UTC is the naive UTC value).
    op.execute("SET LOCAL TimeZone = 'UTC'")
    keys = _partition_keys(op)
    for table, columns in APP_TIMESTAMPS.items():
        parts = []
        for column, has_default in columns:
            if (table, column) in keys:
                continue  # a partition key's type cannot change: stays naive UTC (docs)
            if has_default:
                parts.append(f"ALTER COLUMN {column} DROP DEFAULT")
            parts.append(f"ALTER COLUMN {column} TYPE {type_}")
            if has_default:
                parts.append(f"ALTER COLUMN {column} SET DEFAULT {default}")
        if parts:
            op.execute(f"ALTER TABLE {table} " + ", ".join(parts))


def _view_grants(op: Any) -> list[str]:
    """GRANT statements giving back the view's privileges after it is rebuilt."""
    from musicdb.adopt import live_connection

    conn = live_connection(op)
    return [] if conn is None else view_grants(conn)


def view_grants(conn: Any) -> list[str]:
    """GRANT statements giving back the view's privileges after it is rebuilt (live *conn*)."""
    from psycopg import sql

    rows = conn.execute(
        "SELECT g.rolname, a.privilege_type, a.is_grantable FROM pg_catalog.pg_class AS c, "
        "aclexplode(c.relacl) AS a JOIN pg_catalog.pg_roles AS g ON g.oid = a.grantee "
        "WHERE c.oid = to_regclass('public.mv_track_popularity') AND a.grantee <> c.relowner"
    ).fetchall()
    out = []
    for role, privilege, grantable in rows:
        stmt = sql.SQL("GRANT {} ON {} TO {}{}").format(
            sql.SQL(privilege), sql.Identifier(VIEW), sql.Identifier(role),  # catalog values
            sql.SQL(" WITH GRANT OPTION" if grantable else ""),
        )
        out.append(stmt.as_string(conn))
    return out


def _rebuild_view_around(op: Any, change: Any) -> None:
    grants = _view_grants(op)
    op.execute(f"DROP MATERIALIZED VIEW {VIEW}")
    change()
    op.execute(VIEW_SQL)
    for stmt in (*VIEW_INDEXES, *grants):
        op.execute(stmt)


def _restore_quarantined_sources(op: Any) -> None:
    """An adopted database (legacy or built by the application's chain): the track sources that
    the conversion quarantined for a NULL or shared source id go back into track_sources, where
    the compatible head accepts them (every row the application wrote is kept)."""
    from musicdb.adopt import live_connection

    conn = live_connection(op)
    if conn is None:
        return
    if conn.execute("SELECT to_regclass('musicdb_adopt.quarantine') IS NOT NULL").fetchone()[0]:
        conn.execute(RESTORE_SQL, {"reasons": list(RESTORED_REASONS)})


def relax(op: Any) -> None:
    """The strict schema (docs/schema.md) -> the application-compatible one."""
    for table in SEARCH_TABLES:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN search_vector TO {SEARCH_DOCUMENT}")
        op.execute(f"ALTER INDEX ix_{table}_search_vector RENAME TO ix_{table}_{SEARCH_DOCUMENT}")
        op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector text")
    op.execute(f"CREATE INDEX {SOURCE_INDEX} ON track_sources (source_type, source_id)")
    op.execute(f"ALTER TABLE track_sources DROP CONSTRAINT {SOURCE_UNIQUE}, "
               "ALTER COLUMN source_id DROP NOT NULL")
    _rebuild_view_around(op, lambda: _timestamps(op, naive=True))
    op.execute(UTC_FUNCTION_SQL)
    _restore_quarantined_sources(op)


def restrict(op: Any) -> None:
    """The application-compatible schema -> the strict one (docs/schema.md); the callers check the
    rows first (``musicdb migrate contract`` lists what would be refused)."""
    op.execute(FUNCTION_SQL)
    _rebuild_view_around(op, lambda: _timestamps(op, naive=False))
    op.execute(f"ALTER TABLE track_sources ALTER COLUMN source_id SET NOT NULL, "
               f"ADD CONSTRAINT {SOURCE_UNIQUE} UNIQUE (source_type, source_id)")
    op.execute(f"DROP INDEX {SOURCE_INDEX}")
    for table in SEARCH_TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {SEARCH_DOCUMENT} TO search_vector")
        op.execute(f"ALTER INDEX ix_{table}_{SEARCH_DOCUMENT} RENAME TO ix_{table}_search_vector")
