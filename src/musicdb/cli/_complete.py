"""Shell completion of names from a live database: materialized views and tables.

A completion never waits more than :data:`BUDGET_S` and never fails loudly: it reads only a
configured database (``--database-url`` or the environment; it never starts the local server),
asks it with a short connect and statement timeout, in a thread it stops waiting for, and offers
nothing when anything goes wrong.
"""

from __future__ import annotations

import os
import threading

import typer

BUDGET_S = 1.0
#: the catalog query: relations of these kinds the user can see, named as SQL would resolve them
_NAMES = (
    "SELECT CASE WHEN pg_catalog.pg_table_is_visible(c.oid) THEN pg_catalog.quote_ident(c.relname)"
    " ELSE pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) END"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = ANY(%s) AND n.nspname <> 'information_schema'"
    " AND n.nspname NOT LIKE 'pg\\_%%' ORDER BY 1 LIMIT 500"
)


def _names(ctx: typer.Context, kinds: list[str], incomplete: str) -> list[str]:
    from musicdb.config import resolve_target

    url = ctx.find_root().params.get("database_url")
    target = resolve_target(url, os.environ)
    if target is None:
        return []
    found: list[str] = []

    def ask() -> None:
        from musicdb import db

        with db.connect(target, connect_timeout=2, statement_timeout_ms=int(BUDGET_S * 1000),
                        application_name="musicdb completion") as conn:  # fmt: skip
            found.extend(str(row[0]) for row in conn.execute(_NAMES, (kinds,)).fetchall())

    def guarded() -> None:
        try:
            ask()
        except Exception:  # a completion offers nothing rather than fail
            pass

    worker = threading.Thread(target=guarded, daemon=True)
    worker.start()
    worker.join(BUDGET_S)
    if worker.is_alive():
        return []
    return [name for name in list(found) if name.startswith(incomplete)]


def views(ctx: typer.Context, incomplete: str) -> list[str]:
    """Materialized views, for ``refresh-view``."""
    return _names(ctx, ["m"], incomplete)


def tables(ctx: typer.Context, incomplete: str) -> list[str]:
    """Tables (plain and partitioned), for ``vacuum-table``."""
    return _names(ctx, ["r", "p"], incomplete)

