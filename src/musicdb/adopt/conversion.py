"""The conversion of an adopted legacy platform database, step by step.

Each step of the legacy lineage (the ``legacy`` branch of the migrations) calls :func:`run_step`
here, which runs one planner (:data:`PLANNERS`: the triggers here, the others in
:mod:`~musicdb.adopt.rows`, :mod:`~musicdb.adopt.indexes`, :mod:`~musicdb.adopt.columns` and
:mod:`~musicdb.adopt.constraints`, on what :mod:`~musicdb.adopt.common` shares). A planner
reads the live catalog (and, for the data steps, the rows) and returns the statements that
converge the database onto the schema of revision ``20250618_075149_add_performance_indexes``
(frozen in :mod:`musicdb.adopt.target`). Planners are idempotent: run on a database where the
step already happened, or on a database that the main line built, they return nothing.
``musicdb migrate adopt --dry-run`` prints the same plans.

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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from musicdb.adopt.columns import plan_columns
from musicdb.adopt.common import (
    _WS,
    ADOPT_SCHEMA,
    BOOKKEEPING_SQL,
    COLUMN_GROUPS,
    FUNCTION_BODY,
    FUNCTION_SQL,
    TABLES,
    UPDATED_AT_TABLES,
    VIEW,
    VIEW_INDEXES,
    VIEW_SQL,
    Statement,
    StepPlan,
    _rows,
    is_adopted,
)
from musicdb.adopt.constraints import constraint_plan, plan_constraints, plan_validate
from musicdb.adopt.indexes import plan_create_indexes, plan_drop_indexes
from musicdb.adopt.rows import plan_rows

#: What the revisions, ``migrate adopt`` and :mod:`musicdb.migrate.compat` use from here.
__all__ = [
    "ADOPT_SCHEMA", "BOOKKEEPING_SQL", "COLUMN_GROUPS", "FUNCTION_SQL", "NON_TRANSACTIONAL",
    "PLANNERS", "TABLES", "VIEW", "VIEW_INDEXES", "VIEW_SQL", "Statement", "StepPlan",
    "constraint_plan", "execute", "is_adopted", "iter_statement_texts", "plan_triggers",
    "run_step",
]

if TYPE_CHECKING:
    import psycopg


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
                                 .format(Identifier(name)))
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
                   "adopted database (musicdb migrate adopt --dry-run shows it)")
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
