"""How the command line helps: ``--help`` panels and examples, and shell completion of names.

The panels are Typer's ``rich_help_panel``; the command line renders help without rich (it is
faster to start), so :class:`PanelGroup` groups the command list by panel itself.

Completion of names from a live database (materialized views, tables) never waits more than
:data:`BUDGET_S` and never fails loudly: it reads only a configured database (``--database-url``
or the environment; it never starts the local server), asks it with a short connect and statement
timeout, in a thread it stops waiting for, and offers nothing when anything goes wrong.
"""

from __future__ import annotations

import os
import threading

import typer
from typer import _click
from typer.core import TyperGroup

SCHEMA = "Schema"
REPORTS = "Reports"
MAINTENANCE = "Maintenance"
MONITORING = "Monitoring"
DATA = "Data"
LOCAL = "Local server"
#: The order of the panels in ``musicdb --help``; a panel not named here comes before LOCAL.
ORDER = (SCHEMA, REPORTS, MAINTENANCE, MONITORING, DATA)


def examples(*lines: str) -> str:
    """An epilog of example command lines, printed as written (``\\b`` stops re-wrapping)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


class PanelGroup(TyperGroup):
    """A group whose ``--help`` lists its commands under their panels, in registration order."""

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        panels: dict[str, list[tuple[str, str]]] = {}
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if not shown:
            return
        width = max(len(name) for name, _ in shown)  # one column width for every panel
        limit = formatter.width - 6 - width
        for name, cmd in shown:
            panel = getattr(cmd, "rich_help_panel", None) or "Commands"
            panels.setdefault(panel, []).append((name.ljust(width), cmd.get_short_help_str(limit)))
        rank = {panel: place for place, panel in enumerate(ORDER)}
        for panel in sorted(panels, key=lambda p: (p == LOCAL, rank.get(p, len(ORDER)))):
            with formatter.section(panel):
                formatter.write_dl(panels[panel])


# -- completion of names ------------------------------------------------------------------------
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
                        application_name="musicdb completion") as conn:
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


def complete_views(ctx: typer.Context, incomplete: str) -> list[str]:
    """Materialized views, for ``refresh-view``."""
    return _names(ctx, ["m"], incomplete)


def complete_tables(ctx: typer.Context, incomplete: str) -> list[str]:
    """Tables (plain and partitioned), for ``vacuum-table``."""
    return _names(ctx, ["r", "p"], incomplete)

