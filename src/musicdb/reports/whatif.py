"""What-if indexes with ``hypopg`` for the costliest statements (the approach of Dexter).

For each of the statements with the most total time in pg_stat_statements (SELECTs of this
database only), the planner's estimated cost is taken, then for every sequential scan with a filter
in its plan a hypothetical index on the filtered columns is created with ``hypopg_create_index()``
and the statement is planned again. An index that at least halves the cost is suggested.

Safety: the statement texts come from the server's own pg_stat_statements, never from the user.
They are only planned (``EXPLAIN`` without ``ANALYZE``), one statement per call (the extended
protocol refuses several), inside a read-only transaction with a statement timeout that is rolled
back; hypothetical indexes live in this backend's memory only and are reset afterwards. Statements
with parameters are planned generically: ``EXPLAIN (GENERIC_PLAN)`` from PostgreSQL 16 on, before
that ``PREPARE`` plus ``EXPLAIN EXECUTE`` under ``plan_cache_mode = force_generic_plan``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb.reports._common import ReportUnavailable, create_extension_hint, extension
from musicdb.reports._sql import fetch
from musicdb.reports.queries import pg_stat_statements_extension

if TYPE_CHECKING:
    import psycopg

#: A hypothetical index must cut the estimated cost at least this much to be suggested.
MIN_GAIN = 0.5
STATEMENT_TIMEOUT_MS = 5_000
_SELECT = re.compile(r"^\s*(?:/\*.*?\*/\s*)*select\b", re.IGNORECASE | re.DOTALL)
_PARAM = re.compile(r"\$(\d+)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


@dataclass(frozen=True)
class WhatIfIndex:
    """A hypothetical index that at least halves the planner's cost of a statement."""

    schema: str
    table: str
    columns: list[str]
    cost_before: float
    cost_after: float
    #: the statement's text as pg_stat_statements keeps it, its id and total time
    statement: str
    queryid: int | None
    total_ms: float


@dataclass
class WhatIf:
    """What the what-if search found, and what kept it from running."""

    #: the installed hypopg version, or ``"not installed"``
    hypopg: str
    indexes: list[WhatIfIndex] = field(default_factory=list)
    #: how many statements were tried (None: pg_stat_statements had none to read)
    statements: int | None = None
    notes: list[str] = field(default_factory=list)


def suggestions(conn: psycopg.Connection[Any], *, limit: int) -> WhatIf:
    """What-if indexes for the *limit* costliest SELECTs (or a note saying why there are none)."""
    hypopg = extension(conn, "hypopg")
    if hypopg is None:
        how = create_extension_hint(
            conn, "hypopg",
            missing="install hypopg on the server (e.g. the postgresql-NN-hypopg package)",
        )
        return WhatIf("not installed",
                      notes=[f"what-if indexes skipped: hypopg is not installed ({how})"])
    found = WhatIf(".".join(map(str, hypopg.version)))
    try:
        pss = pg_stat_statements_extension(conn)
    except ReportUnavailable as exc:
        found.notes.append(f"what-if indexes skipped: {exc.message}")
        return found
    identifiers = {"pss": pss.schema}
    stats = fetch(
        conn,
        "query_stats",
        {"order": "total", "limit": limit * 5, "all_databases": False},
        pss_version=pss.version,
        identifiers=identifiers,
    )
    ids = [r["queryid"] for r in stats if r["queryid"] is not None]
    if not ids:
        return found
    texts = fetch(
        conn, "query_texts", {"queryids": ids}, pss_version=pss.version, identifiers=identifiers
    )
    by_key = {(t["queryid"], t["userid"]): t["query"] for t in texts}
    tried = 0
    for r in stats:
        text = by_key.get((r["queryid"], r["userid"]))
        if not text or not _SELECT.match(text):
            continue
        tried += 1
        if tried > limit:
            break
        best = _best_index(conn, text, hypopg.schema)
        if best is not None:
            table_schema, table, columns, before, after = best
            found.indexes.append(WhatIfIndex(table_schema, table, columns, before, after, text,
                                             r["queryid"], float(r["total_ms"])))
    found.statements = tried
    return found


def _explain_cost(conn: psycopg.Connection[Any], text: str) -> tuple[float, dict[str, Any]]:
    """The planner's total cost of *text* and its plan (generic when it has parameters)."""
    from psycopg import sql

    from musicdb.db import server_version_num

    nparams = max((int(n) for n in _PARAM.findall(text)), default=0)
    statement = sql.SQL(text)  # type: ignore[arg-type]  # from pg_stat_statements, planned only
    if nparams and server_version_num(conn) < 160000:
        conn.execute(sql.SQL("PREPARE musicdb_whatif AS ") + statement)
        try:
            conn.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
            args = sql.SQL(", ").join([sql.SQL("NULL")] * nparams)
            query = sql.SQL("EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE musicdb_whatif ({})").format(
                args
            )
            row = conn.execute(query).fetchone()
        finally:
            conn.execute("DEALLOCATE musicdb_whatif")
    else:
        option = sql.SQL(", GENERIC_PLAN") if nparams else sql.SQL("")
        query = sql.SQL("EXPLAIN (FORMAT JSON, VERBOSE{}) ").format(option) + statement
        row = conn.execute(query).fetchone()
    assert row is not None
    doc = row[0] if not isinstance(row[0], str) else json.loads(row[0])
    plan = doc[0]["Plan"]
    return float(plan["Total Cost"]), plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _candidates(
    conn: psycopg.Connection[Any], plan: dict[str, Any]
) -> list[tuple[str, str, list[str]]]:
    """``(schema, table, columns)`` for each filtered sequential scan of the plan."""
    found = []
    for node in _nodes(plan):
        if node.get("Node Type") != "Seq Scan" or "Filter" not in node:
            continue
        schema, table = node.get("Schema"), node.get("Relation Name")
        if not schema or not table:
            continue
        names = [
            r[0]
            for r in conn.execute(
                "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
                (schema, table),
            )
        ]
        used: list[str] = []
        for word in _WORD.findall(node["Filter"]):
            if word in names and word not in used:
                used.append(word)
        for column in used:
            found.append((schema, table, [column]))
        if len(used) > 1:
            found.append((schema, table, used))
    return found


def _best_index(
    conn: psycopg.Connection[Any], text: str, hypopg_schema: str
) -> tuple[str, str, list[str], float, float] | None:
    import psycopg
    from psycopg import sql

    best = None
    # hypopg's functions, qualified with the schema it was installed in
    create = sql.SQL("SELECT {}.hypopg_create_index(%s)").format(sql.Identifier(hypopg_schema))
    reset = sql.SQL("SELECT {}.hypopg_reset()").format(sql.Identifier(hypopg_schema))
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("SET TRANSACTION READ ONLY")
            conn.execute(
                "SELECT set_config('statement_timeout', %s, true)", (f"{STATEMENT_TIMEOUT_MS}ms",)
            )
            before, plan = _explain_cost(conn, text)
            for schema, table, columns in _candidates(conn, plan):
                ddl = sql.SQL("CREATE INDEX ON {}.{} ({})").format(
                    sql.Identifier(schema),
                    sql.Identifier(table),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                )
                conn.execute(create, (ddl.as_string(conn),))
                after, _ = _explain_cost(conn, text)
                conn.execute(reset)
                if after <= before * (1 - MIN_GAIN) and (best is None or after < best[4]):
                    best = (schema, table, columns, before, after)
    except psycopg.Error:
        return None  # a statement that cannot be planned here (temp tables, dropped objects, ...)
    return best
