"""Conversion step ``rows``: the rows the target schema cannot hold are quarantined (or, for
ratings, set to NULL with the old value recorded). Part of the migration history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from musicdb.adopt.common import (
    StepPlan,
    _live_columns,
    _rows,
)

if TYPE_CHECKING:
    import psycopg


# -- step: rows the target schema cannot hold ---------------------------------------------------
QUARANTINE_INSERT = (
    "INSERT INTO musicdb_adopt.quarantine (step, table_name, row_id, reason, detail, row_data) "
    "SELECT %s, %s, t.id, %s, %s::jsonb, to_jsonb(t) FROM {} AS t WHERE t.id = ANY(%s)"
)


def _quarantine(plan: StepPlan, table: str, ids: list[int], reason: str, detail: str,
                why: str) -> None:
    from psycopg.sql import SQL, Identifier

    plan.add(SQL(QUARANTINE_INSERT).format(Identifier(table)),
             (plan.step, table, reason, detail, ids), why=why)
    plan.add(SQL("DELETE FROM {} WHERE id = ANY(%s)").format(Identifier(table)), (ids,),
             why=f"{len(ids)} row(s) moved to musicdb_adopt.quarantine ({reason})")


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
                    why=f"track_sources.source_id becomes NOT NULL: {detail}")
        plan.find(reason, "track_sources", len(ids), detail, ids=ids)


SOURCE_TABLES = {"artist_sources": "artist_id", "album_sources": "album_id",
                 "track_sources": "track_id"}


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
                        why=f"UNIQUE (source_type, source_id): {detail}")
            plan.find("source_key_conflict", table, len(moved), detail, ids=moved, kept=kept)


def plan_invalid_votes(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    ids = [r[0] for r in _rows(conn, "SELECT id FROM playlist_track_votes "
                                     "WHERE vote_type NOT IN (-1, 1) ORDER BY id")]
    if ids:
        detail = "vote_type outside {-1, 1}: the vote's direction is unknown"
        _quarantine(plan, "playlist_track_votes", ids, "invalid_vote_type", "{}",
                    why=f"CHECK vote_type IN (-1, 1): {detail}")
        plan.find("invalid_vote_type", "playlist_track_votes", len(ids), detail, ids=ids)


def plan_invalid_ratings(conn: psycopg.Connection[Any], plan: StepPlan) -> None:
    ids = [r[0] for r in _rows(conn, "SELECT id FROM user_library "
                                     "WHERE rating NOT BETWEEN 1 AND 5 ORDER BY id")]
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
                     "'not rated'")
        plan.find("rating_out_of_range", "user_library", len(ids),
                  "rating outside 1..5 set to NULL (old value in changed_values)",
                  ids=ids)


def plan_rows(conn: psycopg.Connection[Any]) -> StepPlan:
    plan = StepPlan("rows", "rows the target constraints reject: quarantined or corrected")
    plan_null_source_ids(conn, plan)
    plan_source_key_conflicts(conn, plan)
    plan_invalid_votes(conn, plan)
    plan_invalid_ratings(conn, plan)
    return plan
