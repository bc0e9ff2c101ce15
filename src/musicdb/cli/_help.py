"""How ``--help`` reads: commands grouped in panels, and examples at the end of every command.

The panels are Typer's ``rich_help_panel``; the command line renders help without rich (it is
faster to start), so :class:`PanelGroup` groups the command list by panel itself.
"""

from __future__ import annotations

from typer import _click
from typer.core import TyperGroup

SCHEMA = "Schema"
REPORTS = "Reports"
MAINTENANCE = "Maintenance"
DATA = "Data"
LOCAL = "Local server"
#: The order of the panels in ``musicdb --help``; a panel not named here comes before LOCAL.
ORDER = (SCHEMA, REPORTS, MAINTENANCE, DATA)


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
