"""Conversion steps ``drop_indexes`` and ``create_indexes``: redundant legacy indexes dropped
(or renamed to the target's name) before the rewrites, the target's indexes built after them.
Part of the migration history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicdb.adopt.common import (
    CONCURRENT_MIN_ROWS,
    StepPlan,
    _estimated_rows,
    _live_indexes,
    _unnamed,
)
from musicdb.adopt.constraints import constraint_plan
from musicdb.adopt.target import INDEXES

if TYPE_CHECKING:
    import psycopg


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
                    and " WHERE " not in info["definition"]):
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
                 why=f"{table}: same definition as the target index")
    return plan


def plan_create_indexes(conn: psycopg.Connection[Any]) -> StepPlan:
    """Missing target indexes; CONCURRENTLY on large tables (this step runs outside a
    transaction), and the unique constraints that need a new index."""
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("create_indexes", "create the missing indexes and unique constraints",
                    transactional=False)
    rows = _estimated_rows(conn)
    ip = index_plan(conn)
    for name in ip.invalid:
        plan.add(SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(Identifier(name)),
                 why="left INVALID by an interrupted CREATE INDEX CONCURRENTLY")
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
        )
        plan.add(attach + SQL(", ").join(parts),
                 why=f"{table}: {definition}" + (f" (replaces {', '.join(replaces)})"
                                                 if replaces else ""))
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
             concurrent_index=name if concurrent else None)
