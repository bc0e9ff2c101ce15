"""Conversion steps ``constraints`` and ``validate``: constraints renamed or replaced by the
target's (new ones NOT VALID), then validated against every row. Part of the migration
history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicdb.adopt.common import (
    StepPlan,
    _live_constraints,
)
from musicdb.adopt.rows import plan_invalid_ratings, plan_invalid_votes
from musicdb.adopt.target import CONSTRAINTS

if TYPE_CHECKING:
    import psycopg


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
                and t["definition"].split(")")[0] == cols):
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
            why="the target's naming convention")
    for table, name, why in cp.drops:
        plan.add(SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            Identifier(table), Identifier(name)), why=why)
    for table, name, kind, definition in cp.adds:
        # NOT VALID: enforced for new rows at once, existing rows checked in the next step
        # without blocking writers (SHARE UPDATE EXCLUSIVE)
        plan.add(SQL("ALTER TABLE {} ADD CONSTRAINT {} {} NOT VALID").format(
            Identifier(table), Identifier(name), SQL(definition)),  # type: ignore[arg-type]
            why=f"{kind}: {definition}")
        if kind == "foreign key" and "ON DELETE" in definition:
            action = definition.split("ON DELETE ", 1)[1]
            plan.find("on_delete", table, 1, f"{name}: ON DELETE {action} (was NO ACTION)")
    return plan


def plan_validate(conn: psycopg.Connection[Any]) -> StepPlan:
    from psycopg.sql import SQL, Identifier

    plan = StepPlan("validate", "validate the new foreign keys and checks against every row")
    for table, name in constraint_plan(conn).unvalidated:
        plan.add(SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
            Identifier(table), Identifier(name)))
    return plan
