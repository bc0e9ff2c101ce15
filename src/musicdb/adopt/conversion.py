"""The conversion of an adopted legacy platform database, step by step.

Each step of the legacy lineage (the ``legacy`` branch of the migrations) calls one planner
here. A planner reads the live catalog (and, for the data steps, the rows) and returns the
statements that converge the database onto the schema of revision
``20250618_075149_add_performance_indexes`` (frozen in :mod:`musicdb.adopt.target`). Planners are
idempotent: run on a database where the step already happened, or on a database that the main
line built, they return nothing. ``musicdb migrate adopt --dry-run`` prints the same plans.

Every statement is composed with :mod:`psycopg.sql` (identifiers come from the catalog or from the
frozen target, quoted as identifiers); values (row ids) are bound parameters.

The book-keeping lives in the schema ``musicdb_adopt`` (outside ``public``, so the drift check
leaves it alone): ``adoption`` (what adopt found), ``quarantine`` (every row moved out of a
platform table, as JSON, with the reason) and ``changed_values`` (every value changed in place,
old and new, with the reason). Nothing is deleted without first being copied there.

This module is part of the migration history: change a planner only in ways that keep every
earlier run correct.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb.adopt.target import COLUMNS, CONSTRAINTS, INDEXES

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
            concurrent_index: str | None = None) -> None:  # fmt: skip
        from psycopg.sql import SQL

        composed = SQL(sql) if isinstance(sql, str) else sql  # type: ignore[arg-type]
        self.statements.append(Statement(composed, tuple(params), why, concurrent_index))

    def find(self, kind: str, table: str, count: int, detail: str, **extra: Any) -> None:
        self.findings.append(
            {"step": self.step, "kind": kind, "table": table, "count": count,
             "detail": detail, **extra}
        )  # fmt: skip


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


# -- step: updated_at function and triggers -----------------------------------------------------
def plan_triggers(conn: psycopg.Connection[Any]) -> StepPlan:
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("triggers", "updated_at function and triggers on exactly the 8 tables")
    body = _rows(
        conn,
        "SELECT p.prosrc FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n "
        "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
        "AND p.proname = 'update_updated_at_column' AND p.pronargs = 0",
    )
    if not body or _WS.sub(" ", body[0][0]).strip() != FUNCTION_BODY:
        plan.add(FUNCTION_SQL, why="the function sets now() (legacy: CURRENT_TIMESTAMP)")
    live = _rows(
        conn,
        """
        SELECT c.relname, t.tgname
        FROM pg_catalog.pg_trigger AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal AND c.relname = ANY(%s)
        """,
        (list(TABLES),),
    )
    wanted = {(t, f"trg_{t}_updated_at") for t in UPDATED_AT_TABLES}
    for table, name in sorted(set(live) - wanted):
        why = (
            f"{table} has no updated_at column: every UPDATE failed"
            if table not in UPDATED_AT_TABLES
            else "replaced by the trigger of the target schema"
        )
        plan.add(SQL("DROP TRIGGER {} ON {}").format(Identifier(name), Identifier(table)), why=why)
        if table not in UPDATED_AT_TABLES:
            plan.find("trigger_removed", table, 1, f"trigger {name} removed: {why}")
    for table, name in sorted(wanted - set(live)):
        plan.add(
            SQL(
                "CREATE TRIGGER {} BEFORE UPDATE ON {} "
                "FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()"
            ).format(Identifier(name), Identifier(table)),
            why="keep updated_at current on every UPDATE",
        )
    return plan


# -- step: rows the target schema cannot hold ---------------------------------------------------
QUARANTINE_INSERT = (
    "INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) "
    "SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM {} AS t WHERE t.id = ANY(%s)"
)


def _quarantine(plan: StepPlan, table: str, ids: list[int], reason: str, detail: str,
                why: str) -> None:  # fmt: skip
    from psycopg.sql import SQL, Identifier

    plan.add(SQL(QUARANTINE_INSERT).format(Identifier(table)),
             (plan.step, table, reason, detail, ids), why=why)  # fmt: skip
    plan.add(SQL("DELETE FROM {} WHERE id = ANY(%s)").format(Identifier(table)), (ids,),
             why=f"{len(ids)} row(s) moved to musicdb_adopt.quarantine ({reason})")  # fmt: skip


def plan_null_source_ids(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    """track_sources rows without a source_id (the target makes it NOT NULL)."""
    import json

    if "source_id" not in _live_columns(conn).get("track_sources", {}):
        return
    rows = _rows(
        conn,
        """
        SELECT n.track_id, n.source_type,
               array_agg(n.id ORDER BY n.updated_at DESC, n.id DESC),
               (SELECT s.id FROM track_sources AS s
                WHERE s.track_id = n.track_id AND s.source_type = n.source_type
                  AND s.source_id IS NOT NULL
                ORDER BY s.updated_at DESC, s.id DESC LIMIT 1)
        FROM track_sources AS n
        WHERE n.source_id IS NULL
        GROUP BY n.track_id, n.source_type
        ORDER BY n.track_id, n.source_type
        """,
    )
    for track_id, source_type, ids, sibling in rows:
        key = {"track_id": track_id, "source_type": source_type, "group": ids}
        if sibling is not None:
            reason = "null_source_id_superseded"
            detail = f"row {sibling} of the same track and source type has a source_id; kept"
            key["kept"] = sibling
        elif len(ids) > 1:
            reason = "null_source_id_duplicate"
            detail = (
                f"{len(ids)} rows for track {track_id}/{source_type}, none with a source_id "
                f"(newest first: {', '.join(map(str, ids))})"
            )
        else:
            reason = "null_source_id"
            detail = f"track {track_id}/{source_type} has no source_id"
        _quarantine(plan, "track_sources", ids, reason, json.dumps(key),
                    why=f"track_sources.source_id becomes NOT NULL: {detail}")  # fmt: skip
        plan.find(reason, "track_sources", len(ids), detail, ids=ids)


SOURCE_TABLES = {"artist_sources": "artist_id", "album_sources": "album_id",
                 "track_sources": "track_id"}  # fmt: skip


def plan_source_key_conflicts(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    """Rows sharing (source_type, source_id) under different parents (the target forbids it).

    The row kept per external id: an active one first (NULL counts as active, the default),
    then the most recently updated, then the lowest id.
    """
    import json

    from psycopg.sql import SQL, Identifier

    for table, parent in SOURCE_TABLES.items():
        rows = _rows(
            conn,
            SQL(
                """
                SELECT source_type, source_id,
                       array_agg(id ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id),
                       array_agg({parent} ORDER BY coalesce(sync_status, 'active') = 'active' DESC,
                                 updated_at DESC, id)
                FROM {table}
                WHERE source_id IS NOT NULL
                GROUP BY source_type, source_id
                HAVING count(*) > 1
                ORDER BY source_type, source_id
                """
            )
            .format(parent=Identifier(parent), table=Identifier(table))
            .as_string(conn),
        )
        for source_type, source_id, ids, parents in rows:
            kept, moved = ids[0], ids[1:]
            detail = (
                f"({source_type}, {source_id}) maps to {parent} {parents[0]} (row {kept}, kept) "
                f"and to {', '.join(map(str, parents[1:]))} (rows {', '.join(map(str, moved))})"
            )
            _quarantine(plan, table, moved, "source_key_conflict",
                        json.dumps({"source_type": source_type, "source_id": source_id,
                                    "kept": kept}),
                        why=f"UNIQUE (source_type, source_id): {detail}")  # fmt: skip
            plan.find("source_key_conflict", table, len(moved), detail, ids=moved, kept=kept)


def plan_invalid_votes(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    ids = [r[0] for r in _rows(conn, "SELECT id FROM playlist_track_votes "
                                     "WHERE vote_type NOT IN (-1, 1) ORDER BY id")]  # fmt: skip
    if ids:
        detail = "vote_type outside {-1, 1}: the vote's direction is unknown"
        _quarantine(plan, "playlist_track_votes", ids, "invalid_vote_type", "{}",
                    why=f"CHECK vote_type IN (-1, 1): {detail}")  # fmt: skip
        plan.find("invalid_vote_type", "playlist_track_votes", len(ids), detail, ids=ids)


def plan_invalid_ratings(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    ids = [r[0] for r in _rows(conn, "SELECT id FROM user_library "
                                     "WHERE rating NOT BETWEEN 1 AND 5 ORDER BY id")]  # fmt: skip
    if ids:
        plan.add(
            "INSERT INTO musicdb_adopt.changed_values "
            "(step, table_name, row_id, column_name, old_value, new_value, reason) "
            "SELECT %s, 'user_library', id, 'rating', to_jsonb(rating), 'null'::jsonb, "
            "'rating_out_of_range' FROM user_library WHERE id = ANY(%s)",
            (plan.step, ids),
            why="keep the old ratings before clearing them",
        )
        plan.add("UPDATE user_library SET rating = NULL WHERE id = ANY(%s)", (ids,),
                 why="CHECK rating BETWEEN 1 AND 5: an out-of-range rating becomes "
                     "'not rated'")  # fmt: skip
        plan.find("rating_out_of_range", "user_library", len(ids),
                  "rating outside 1..5 set to NULL (old value in changed_values)",
                  ids=ids)  # fmt: skip


def plan_rows(conn: psycopg.Connection[Any]) -> StepPlan:
    plan = StepPlan("rows", "rows the target constraints reject: quarantined or corrected")
    plan_null_source_ids(conn, plan)
    plan_source_key_conflicts(conn, plan)
    plan_invalid_votes(conn, plan)
    plan_invalid_ratings(conn, plan)
    return plan


# -- step: indexes (drop / rename before the rewrites, create after) ---------------------------
@dataclass
class IndexPlan:
    renames: list[tuple[str, str, str]]  # (table, old, new)
    drops: list[tuple[str, str, str]]  # (table, name, why)
    creates: list[tuple[str, str]]  # (name, definition)
    invalid: list[str]


def index_plan(conn: psycopg.Connection[Any]) -> IndexPlan:
    live = _live_indexes(conn)
    targets_by_def = {_unnamed(d): name for name, (_t, d) in INDEXES.items()}
    renames: list[tuple[str, str, str]] = []
    drops: list[tuple[str, str, str]] = []
    invalid = sorted(n for n, p in live.items() if not p["valid"])
    present = {n for n, p in live.items() if p["valid"]}
    for name in sorted(live):
        info = live[name]
        if info["constraint"] or name in INDEXES or name in invalid:
            continue
        target = targets_by_def.get(_unnamed(info["definition"]))
        if target and target not in present and target not in {r[2] for r in renames}:
            renames.append((info["table"], name, target))
        else:
            drops.append((info["table"], name, _drop_reason(name, info, live)))
    renamed = {r[2] for r in renames}
    creates = [
        (name, definition)
        for name, (_t, definition) in INDEXES.items()
        if name not in present and name not in renamed
    ]
    return IndexPlan(renames, drops, creates, invalid)


def _drop_reason(name: str, info: dict[str, Any], live: dict[str, dict[str, Any]]) -> str:
    unnamed = _unnamed(info["definition"]).replace("CREATE UNIQUE INDEX", "CREATE INDEX")
    for other, o in live.items():
        same = _unnamed(o["definition"]).replace("CREATE UNIQUE INDEX", "CREATE INDEX")
        if other != name and o["table"] == info["table"] and same == unnamed:
            return f"exact duplicate of {other}"
    cols = _index_columns(info["definition"])
    if "USING gin" in info["definition"] and "to_tsvector" in info["definition"]:
        return "full-text expression over the text search_vector (replaced by a GIN index)"
    if cols:
        for other, o in live.items():
            ocols = _index_columns(o["definition"])
            if (other != name and o["table"] == info["table"] and ocols
                    and len(ocols) > len(cols) and ocols[: len(cols)] == cols
                    and "USING btree" in o["definition"] and "USING btree" in info["definition"]
                    and " WHERE " not in info["definition"]):  # fmt: skip
                return f"left prefix of {other}"
    return "not in the target schema (its query pattern is served by a target index)"


def _index_columns(definition: str) -> list[str] | None:
    m = re.search(r"USING \w+ \((.*)\)(?: WHERE .*)?$", definition)
    if not m or "(" in m.group(1):
        return None
    return [c.strip() for c in m.group(1).split(",")]


def plan_drop_indexes(conn: psycopg.Connection[Any]) -> StepPlan:
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("drop_indexes", "drop redundant legacy indexes, rename the equivalent ones")
    ip = index_plan(conn)
    for table, name, why in ip.drops:
        plan.add(SQL("DROP INDEX {}").format(Identifier(name)), why=f"{table}: {why}")
        plan.find("index_dropped", table, 1, f"{name}: {why}")
    for table, old, new in ip.renames:
        plan.add(SQL("ALTER INDEX {} RENAME TO {}").format(Identifier(old), Identifier(new)),
                 why=f"{table}: same definition as the target index")  # fmt: skip
    return plan


def plan_create_indexes(conn: psycopg.Connection[Any]) -> StepPlan:
    """Missing target indexes; CONCURRENTLY on large tables (this step runs outside a
    transaction), and the unique constraints that need a new index."""
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("create_indexes", "create the missing indexes and unique constraints",
                    transactional=False)  # fmt: skip
    rows = _estimated_rows(conn)
    ip = index_plan(conn)
    for name in ip.invalid:
        plan.add(SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(Identifier(name)),
                 why="left INVALID by an interrupted CREATE INDEX CONCURRENTLY")  # fmt: skip
    for name, definition in ip.creates:
        table = INDEXES[name][0]
        _create_index(plan, name, definition, table, rows.get(table, 0.0))
    # unique constraints whose index does not exist yet: build it, then attach it
    cplan = constraint_plan(conn)
    live_idx = _live_indexes(conn)
    for table, name, definition, replaces in cplan.unique_adds:
        cols = definition[definition.index("(") :].split(")")[0] + ")"
        deferrable = " DEFERRABLE" in definition
        index_sql = f"CREATE UNIQUE INDEX {name} ON {table} USING btree {cols}"
        if name not in live_idx or not live_idx[name]["valid"]:
            _create_index(plan, name, index_sql, table, rows.get(table, 0.0))
        attach = SQL("ALTER TABLE {} ").format(Identifier(table))
        parts = [SQL("DROP CONSTRAINT {}").format(Identifier(r)) for r in replaces]
        parts.append(
            SQL("ADD CONSTRAINT {} UNIQUE USING INDEX {}" + (
                " DEFERRABLE INITIALLY IMMEDIATE" if deferrable else "")).format(
                Identifier(name), Identifier(name))
        )  # fmt: skip
        plan.add(attach + SQL(", ").join(parts),
                 why=f"{table}: {definition}" + (f" (replaces {', '.join(replaces)})"
                                                 if replaces else ""))  # fmt: skip
    return plan


def _create_index(plan: StepPlan, name: str, definition: str, table: str, rows: float) -> None:
    from psycopg.sql import SQL

    concurrent = rows >= CONCURRENT_MIN_ROWS
    body = definition.split(" ON ", 1)[1]
    head = "CREATE UNIQUE INDEX" if definition.startswith("CREATE UNIQUE") else "CREATE INDEX"
    text = f"{head}{' CONCURRENTLY' if concurrent else ''} {name} ON {body}"
    # The definition is frozen text from adopt_target (never user input).
    plan.add(SQL(text), why=f"{table} (~{rows:.0f} rows"  # type: ignore[arg-type]
             + (", built concurrently)" if concurrent else ")"),
             concurrent_index=name if concurrent else None)  # fmt: skip


# -- step: columns ------------------------------------------------------------------------------
def _target_type(table: str, column: str) -> str:
    return COLUMNS[table][column][0]


def plan_columns(conn: psycopg.Connection[Any], group: str) -> StepPlan:
    from psycopg.sql import SQL, Identifier

    plan = StepPlan(f"columns_{group}", f"columns of {', '.join(COLUMN_GROUPS[group])}")
    live = _live_columns(conn)
    tables = COLUMN_GROUPS[group]
    todo = {t: _column_changes(t, live.get(t, {})) for t in tables}
    if not any(todo.values()):
        return plan
    if "track_sources" in tables and todo["track_sources"]:
        # writers may have added NULL source ids since the rows step: resolve them under the lock
        plan.add("LOCK TABLE track_sources IN SHARE ROW EXCLUSIVE MODE",
                 why="no new NULL source_id while the column becomes NOT NULL")  # fmt: skip
        plan_null_source_ids(conn, plan)
    view_rebuilt = group == "listening" and _view_is_legacy(conn)
    if view_rebuilt:
        plan.add(SQL("DROP MATERIALIZED VIEW IF EXISTS {}").format(Identifier(VIEW)),
                 why="the legacy view blocks the column changes; rebuilt below")  # fmt: skip
    for table in tables:
        changes = todo[table]
        if changes:
            _plan_table_columns(conn, plan, table, live[table], changes)
    if view_rebuilt:
        plan.add(VIEW_SQL, why="the view of the target: plays only count as listening")
        for stmt in VIEW_INDEXES:
            plan.add(stmt, why="UNIQUE (track_id) makes REFRESH ... CONCURRENTLY possible")
    return plan


def _view_is_legacy(conn: psycopg.Connection[Any]) -> bool:
    rows = _rows(
        conn,
        "SELECT a.attname FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = "
        "to_regclass('public.mv_track_popularity') AND a.attnum > 0 AND a.attname = 'track_id'",
    )
    exists = _rows(conn, "SELECT to_regclass('public.mv_track_popularity') IS NOT NULL")[0][0]
    return not exists or not rows


def _column_changes(table: str, live: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    changes: dict[str, list[str]] = {}
    for column, (type_, nullable, default, identity, generated) in COLUMNS[table].items():
        have = live.get(column)
        if have is None:
            changes[column] = ["add"]
            continue
        wants: list[str] = []
        if generated:
            if have["generated"] != "s":
                wants.append("generated")
        else:
            if have["type"] != type_:
                wants.append("type")
            if identity and have["identity"] != "d":
                wants.append("identity")
            if not identity and (have["default"] or None) != default:
                wants.append("default")
            if have["notnull"] == nullable:
                wants.append("nullability")
        if wants:
            changes[column] = wants
    return changes


def _plan_table_columns(conn: psycopg.Connection[Any], plan: StepPlan, table: str,
                        live: dict[str, dict[str, Any]],
                        changes: dict[str, list[str]]) -> None:  # fmt: skip
    from psycopg.sql import SQL, Identifier

    t = Identifier(table)
    # NULLs that become a default: count them (reported) and record each row (changed_values)
    fills = [
        c for c, w in changes.items()
        if "nullability" in w and not COLUMNS[table][c][1] and COLUMNS[table][c][2] is not None
        and not live[c]["notnull"]
    ]  # fmt: skip
    counts: dict[str, int] = {}
    if fills:
        row = _rows(conn, SQL("SELECT {} FROM {}").format(
            SQL(", ").join(SQL("count(*) FILTER (WHERE {} IS NULL)").format(Identifier(c))
                           for c in fills), t).as_string(conn))[0]  # fmt: skip
        counts = {c: n for c, n in zip(fills, row, strict=True) if n}
    if counts:
        values = SQL(", ").join(
            SQL("({}, {} IS NULL, to_jsonb({}))").format(
                SQL("%s"), Identifier(c), SQL(_default_value(table, c))  # type: ignore[arg-type]
            )
            for c in counts
        )
        plan.add(
            SQL(
                "INSERT INTO musicdb_adopt.changed_values "
                "(step, table_name, row_id, column_name, old_value, new_value, reason) "
                "SELECT %s, %s, t.id, v.col, NULL, v.val, 'null_filled_with_default' "
                "FROM {} AS t CROSS JOIN LATERAL (VALUES {}) AS v(col, is_null, val) "
                "WHERE v.is_null"
            ).format(t, values),
            (plan.step, table, *counts),
            why=f"record the {sum(counts.values())} NULL(s) that take the column default",
        )
        for name, n in counts.items():
            plan.find("null_filled_with_default", table, n,
                      f"{table}.{name}: {n} NULL(s) set to {COLUMNS[table][name][2]}")  # fmt: skip
    # search_vector: keep the legacy text before the column becomes generated
    if "generated" in changes.get("search_vector", []) and "search_vector" in live:
        n = _rows(conn, SQL("SELECT count(*) FROM {} WHERE search_vector IS NOT NULL")
                  .format(t).as_string(conn))[0][0]  # fmt: skip
        if n:
            plan.add(
                SQL(
                    "INSERT INTO musicdb_adopt.changed_values "
                    "(step, table_name, row_id, column_name, old_value, new_value, reason) "
                    "SELECT %s, %s, id, 'search_vector', to_jsonb(search_vector), NULL, "
                    "'search_vector_generated' FROM {} WHERE search_vector IS NOT NULL"
                ).format(t),
                (plan.step, table),
                why="keep the legacy search_vector text (the column becomes generated)",
            )
            plan.find("search_vector_generated", table, n,
                      f"{table}.search_vector: {n} legacy text value(s) kept in changed_values; "
                      "the column is now computed from the row")  # fmt: skip
    identity = "identity" in changes.get("id", [])
    sequence = None
    if identity:
        # The owned sequence's schema and name from the catalog (not by splitting its text).
        seq = _rows(conn, _SERIAL_SEQUENCE_SQL, (f"public.{table}",))
        plan.add(SQL("ALTER TABLE {} ALTER COLUMN id DROP DEFAULT").format(t),
                 why="serial -> identity: the sequence's position is carried over")  # fmt: skip
        if seq:
            sequence = f"{table}_id_seq_legacy"
            seq_ident = Identifier(*seq[0])
            plan.add(SQL("ALTER SEQUENCE {} OWNED BY NONE").format(seq_ident))
            plan.add(SQL("ALTER SEQUENCE {} RENAME TO {}").format(seq_ident, Identifier(sequence)))
    parts = []
    for column, wants in changes.items():
        type_, nullable, default, _identity, generated = COLUMNS[table][column]
        c = Identifier(column)
        if generated:
            if column in live:
                parts.append(SQL("DROP COLUMN {}").format(c))
            parts.append(SQL("ADD COLUMN {} tsvector GENERATED ALWAYS AS ({}) STORED").format(
                c, SQL(generated)))  # type: ignore[arg-type]  # fmt: skip
            continue
        fill = column in counts or (column in fills and "type" in wants)
        if "type" in wants or fill:
            expr = SQL("{}").format(c)
            if live[column]["type"] == "timestamp without time zone" and type_.startswith(
                "timestamp with time zone"
            ):
                expr = SQL("({} AT TIME ZONE 'UTC')").format(c)
            if column in fills:
                expr = SQL("coalesce({}, {})").format(expr, SQL(default))  # type: ignore[arg-type]
            parts.append(SQL("ALTER COLUMN {} TYPE {} USING {}").format(
                c, SQL(type_), expr))  # type: ignore[arg-type]  # fmt: skip
        if "default" in wants:
            parts.append(
                SQL("ALTER COLUMN {} SET DEFAULT {}").format(c, SQL(default))  # type: ignore[arg-type]
                if default is not None
                else SQL("ALTER COLUMN {} DROP DEFAULT").format(c)
            )
        if "nullability" in wants:
            parts.append(SQL("ALTER COLUMN {} {} NOT NULL").format(
                c, SQL("DROP" if nullable else "SET")))  # fmt: skip
    if parts:
        why = f"{table}: " + "; ".join(f"{c} ({', '.join(w)})" for c, w in changes.items())
        plan.add(SQL("ALTER TABLE {} ").format(t) + SQL(", ").join(parts), why=why)
    if identity:
        plan.add(SQL("ALTER TABLE {} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
                 .format(t))  # fmt: skip
        if sequence:
            plan.add(
                SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) "
                    "FROM {}").format(Identifier(sequence)),
                (f"public.{table}",),
                why="the identity continues where the serial sequence stood",
            )  # fmt: skip
            plan.add(SQL("DROP SEQUENCE {}").format(Identifier(sequence)))


def _default_value(table: str, column: str) -> str:
    """The default as a value expression (frozen text from adopt_target)."""
    default = COLUMNS[table][column][2]
    assert default is not None
    return default


# -- step: constraints --------------------------------------------------------------------------
@dataclass
class ConstraintPlan:
    renames: list[tuple[str, str, str]]  # (table, old, new)
    drops: list[tuple[str, str, str]]  # (table, name, why)
    adds: list[tuple[str, str, str, str]]  # (table, name, kind, definition) FK and CHECK
    unique_adds: list[tuple[str, str, str, list[str]]]  # (table, name, definition, replaces)
    unvalidated: list[tuple[str, str]]


def constraint_plan(conn: psycopg.Connection[Any]) -> ConstraintPlan:
    live = _live_constraints(conn)
    target = {
        key: {"table": key.split(".")[0], "name": key.split(".")[1], "kind": k, "definition": d}
        for key, (k, d) in CONSTRAINTS.items()
    }
    by_def = {(t["table"], t["kind"], t["definition"]): key for key, t in target.items()}
    renames: list[tuple[str, str, str]] = []
    drops: list[tuple[str, str, str]] = []
    replaced: dict[str, list[str]] = {}
    taken: set[str] = set()
    for key in sorted(live):
        info = live[key]
        if key in target:
            continue
        match = by_def.get((info["table"], info["kind"], info["definition"]))
        if match and match not in live and match not in taken:
            taken.add(match)
            renames.append((info["table"], info["name"], target[match]["name"]))
            continue
        why = "replaced by " + _replacement(info, target)
        if info["kind"] == "unique":
            # swapped for its replacement in one statement once the new index exists
            new = _replacement(info, target)
            replaced.setdefault(f"{info['table']}.{new}", []).append(info["name"])
            continue
        drops.append((info["table"], info["name"], why))
    adds = []
    unique_adds = []
    for key, t in target.items():
        if key in live or key in taken:
            continue
        if t["kind"] == "unique":
            unique_adds.append((t["table"], t["name"], t["definition"], replaced.get(key, [])))
        elif t["kind"] in ("foreign key", "check"):
            adds.append((t["table"], t["name"], t["kind"], t["definition"]))
    unvalidated = sorted(
        (i["table"], i["name"]) for k, i in live.items() if not i["validated"] and k in target
    )
    return ConstraintPlan(renames, drops, sorted(adds), sorted(unique_adds), unvalidated)


def _replacement(info: dict[str, Any], target: dict[str, dict[str, Any]]) -> str:
    cols = info["definition"].split(")")[0]
    for t in target.values():
        if (t["table"] == info["table"] and t["kind"] == info["kind"]
                and t["definition"].split(")")[0] == cols):  # fmt: skip
            return t["name"]
    return "nothing (not in the target schema)"


def plan_constraints(conn: psycopg.Connection[Any]) -> StepPlan:
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("constraints", "constraint names, ON DELETE actions and new checks")
    cp = constraint_plan(conn)
    if any(k == "check" for _t, _n, k, _d in cp.adds):
        # writers may have added rows the new checks reject since the rows step
        plan_invalid_votes(conn, plan)
        plan_invalid_ratings(conn, plan)
    for table, old, new in cp.renames:
        plan.add(SQL("ALTER TABLE {} RENAME CONSTRAINT {} TO {}").format(
            Identifier(table), Identifier(old), Identifier(new)),
            why="the target's naming convention")  # fmt: skip
    for table, name, why in cp.drops:
        plan.add(SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            Identifier(table), Identifier(name)), why=why)  # fmt: skip
    for table, name, kind, definition in cp.adds:
        # NOT VALID: enforced for new rows at once, existing rows checked in the next step
        # without blocking writers (SHARE UPDATE EXCLUSIVE)
        plan.add(SQL("ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID").format(
            Identifier(table), Identifier(name), SQL(definition)),  # type: ignore[arg-type]
            why=f"{kind}: {definition}")  # fmt: skip
        if kind == "foreign key" and "ON DELETE" in definition:
            action = definition.split("ON DELETE ", 1)[1]
            plan.find("on_delete", table, 1, f"{name}: ON DELETE {action} (was NO ACTION)")
    return plan


def plan_validate(conn: psycopg.Connection[Any]) -> StepPlan:
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("validate", "validate the new foreign keys and checks against every row")
    for table, name in constraint_plan(conn).unvalidated:
        plan.add(SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
            Identifier(table), Identifier(name)))  # fmt: skip
    return plan


# -- running a plan -----------------------------------------------------------------------------
PLANNERS = {
    "triggers": plan_triggers,
    "rows": plan_rows,
    "drop_indexes": plan_drop_indexes,
    "columns_accounts": lambda conn: plan_columns(conn, "accounts"),
    "columns_catalogue": lambda conn: plan_columns(conn, "catalogue"),
    "columns_listening": lambda conn: plan_columns(conn, "listening"),
    "constraints": plan_constraints,
    "validate": plan_validate,
    "create_indexes": plan_create_indexes,
}


NON_TRANSACTIONAL = frozenset({"create_indexes"})


def execute(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    """Run a plan's statements on *conn* (inside the caller's transaction when transactional).

    A plan that runs outside a transaction drops the indexes it started before re-raising, so
    a failure leaves no half-built (INVALID) index behind.
    """
    from psycopg.sql import SQL, Identifier

    started: list[str] = []
    try:
        with conn.cursor() as cur:
            for stmt in plan.statements:
                if stmt.concurrent_index:
                    started.append(stmt.concurrent_index)
                cur.execute(stmt.sql, stmt.params or None)
    except Exception:
        if not plan.transactional and not conn.closed:
            for name in started:
                try:
                    conn.execute(SQL("DROP INDEX CONCURRENTLY IF EXISTS {}")
                                 .format(Identifier(name)))  # fmt: skip
                except Exception:  # best effort: the next run drops it anyway
                    pass
        raise


def run_step(step: str) -> None:
    """Called by a legacy-lineage revision: plan *step* on the migrating connection and run it.

    Does nothing on a database that adopt did not register (a database the main line built
    passes through these revisions with nothing to convert) and in offline mode.
    """
    from alembic import op

    ctx = op.get_context()
    if ctx.as_sql:
        op.execute(f"-- legacy conversion step {step!r}: planned from the live catalog of an "
                   "adopted database (musicdb migrate adopt --dry-run shows it)")  # fmt: skip
        return
    conn: Any = op.get_bind().connection.dbapi_connection
    if not is_adopted(conn):
        return
    planner = PLANNERS[step]
    if step not in NON_TRANSACTIONAL:
        execute(conn, planner(conn))
        return
    with ctx.autocommit_block():
        execute(conn, planner(conn))


def iter_statement_texts(conn: psycopg.Connection[Any], plans: Iterable[StepPlan]) -> list[str]:
    out = []
    for plan in plans:
        for stmt in plan.statements:
            out.append(stmt.text(conn))
    return out
