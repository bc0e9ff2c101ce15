"""Conversion steps ``columns_*``: every column onto its target type, default, nullability and
identity, one rewrite per table, the view rebuilt with its tables. Part of the migration
history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from musicdb.adopt.common import (
    _SERIAL_SEQUENCE_SQL,
    COLUMN_GROUPS,
    VIEW,
    VIEW_INDEXES,
    VIEW_SQL,
    StepPlan,
    _live_columns,
    _rows,
)
from musicdb.adopt.rows import plan_null_source_ids
from musicdb.adopt.target import COLUMNS

if TYPE_CHECKING:
    import psycopg


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
                 why="no new NULL source_id while the column becomes NOT NULL")
        plan_null_source_ids(conn, plan)
    view_rebuilt = group == "listening" and _view_is_legacy(conn)
    if view_rebuilt:
        plan.add(SQL("DROP MATERIALIZED VIEW IF EXISTS {}").format(Identifier(VIEW)),
                 why="the legacy view blocks the column changes; rebuilt below")
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
                        changes: dict[str, list[str]]) -> None:
    from psycopg.sql import SQL, Identifier

    t = Identifier(table)
    # NULLs that become a default: count them (reported) and record each row (changed_values)
    fills = [
        c for c, w in changes.items()
        if "nullability" in w and not COLUMNS[table][c][1] and COLUMNS[table][c][2] is not None
        and not live[c]["notnull"]
    ]
    counts: dict[str, int] = {}
    if fills:
        row = _rows(conn, SQL("SELECT {} FROM {}").format(
            SQL(", ").join(SQL("count(*) FILTER (WHERE {} IS NULL)").format(Identifier(c))
                           for c in fills), t).as_string(conn))[0]
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
                      f"{table}.{name}: {n} NULL(s) set to {COLUMNS[table][name][2]}")
    # search_vector: keep the legacy text before the column becomes generated
    if "generated" in changes.get("search_vector", []) and "search_vector" in live:
        n = _rows(conn, SQL("SELECT count(*) FROM {} WHERE search_vector IS NOT NULL")
                  .format(t).as_string(conn))[0][0]
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
                      "the column is now computed from the row")
    identity = "identity" in changes.get("id", [])
    sequence = None
    if identity:
        # The owned sequence's schema and name from the catalog (not by splitting its text).
        seq = _rows(conn, _SERIAL_SEQUENCE_SQL, (f"public.{table}",))
        plan.add(SQL("ALTER TABLE {} ALTER COLUMN id DROP DEFAULT").format(t),
                 why="serial -> identity: the sequence's position is carried over")
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
                c, SQL(generated)))  # type: ignore[arg-type]
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
                c, SQL(type_), expr))  # type: ignore[arg-type]
        if "default" in wants:
            parts.append(
                SQL("ALTER COLUMN {} SET DEFAULT {}").format(c, SQL(default))  # type: ignore[arg-type]
                if default is not None
                else SQL("ALTER COLUMN {} DROP DEFAULT").format(c)
            )
        if "nullability" in wants:
            parts.append(SQL("ALTER COLUMN {} {} NOT NULL").format(
                c, SQL("DROP" if nullable else "SET")))
    if parts:
        why = f"{table}: " + "; ".join(f"{c} ({', '.join(w)})" for c, w in changes.items())
        plan.add(SQL("ALTER TABLE {} ").format(t) + SQL(", ").join(parts), why=why)
    if identity:
        plan.add(SQL("ALTER TABLE {} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
                 .format(t))
        if sequence:
            plan.add(
                SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), last_value, is_called) "
                    "FROM {}").format(Identifier(sequence)),
                (f"public.{table}",),
                why="the identity continues where the serial sequence stood",
            )
            plan.add(SQL("DROP SEQUENCE {}").format(Identifier(sequence)))


def _default_value(table: str, column: str) -> str:
    """The default as a value expression (frozen text from adopt_target)."""
    default = COLUMNS[table][column][2]
    assert default is not None
    return default
