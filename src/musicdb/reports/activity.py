"""``connection-stats`` (connections against max_connections, the longest-running sessions) and
``lock-info`` (who blocks whom, as a tree)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb import locks
from musicdb.render import Column
from musicdb.reports._common import ReportResult, version_label
from musicdb.reports._sql import fetch, one
from musicdb.reports.queries import HIDDEN_TEXT

if TYPE_CHECKING:
    import psycopg


def _seconds(value: Any) -> float | None:
    return float(value) if value is not None else None


# == connection-stats ==============================================================================
@dataclass(slots=True)
class ConnectionRow:
    """A count of connections (``section`` ``by state|application|user``) or one session
    (``section`` ``longest query``, ``oldest transaction``, ``idle in transaction``)."""

    section: str
    name: str
    connections: int | None = None
    #: of max_connections
    share: float | None = None
    pid: int | None = None
    user: str | None = None
    application: str | None = None
    state: str | None = None
    #: how long the query (or the idle state) has lasted, and the transaction
    duration_s: float | None = None
    xact_s: float | None = None
    query: str | None = None


@dataclass(kw_only=True)
class ConnectionStats(ReportResult[ConnectionRow]):
    NAME = "connection-stats"
    TITLE = "Connections"
    COLUMNS = (
        Column("section", "Section"),
        Column("name", "Name"),
        Column("connections", "Connections", "count"),
        Column("share", "Of max", "ratio"),
        Column("pid", "PID"),
        Column("user", "User"),
        Column("application", "Application"),
        Column("state", "State"),
        Column("duration_s", "For", "seconds"),
        Column("query", "Query", wrap=True),
    )

    max_connections: int
    #: client connections by state (this session included)
    by_state: dict[str, int] = field(default_factory=dict)
    hidden: int = 0

    @property
    def connections(self) -> int:
        return sum(self.by_state.values())

    def report_meta(self) -> dict[str, Any]:
        return {
            "max_connections": self.max_connections,
            "connections": self.connections,
            "usage": self.connections / self.max_connections,
            "by_state": self.by_state,
        }

    def report_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.hidden:
            notes.append(
                f"{self.hidden} query text(s) hidden: other users' queries need pg_read_all_stats "
                "(or pg_monitor)"
            )
        return notes


def connection_stats(conn: psycopg.Connection[Any]) -> ConnectionStats:
    """Connections by state, application and user against ``max_connections``; the longest
    running query, the oldest open transaction and idle-in-transaction sessions (this session
    excluded)."""
    max_conn = int(one(conn, "SELECT current_setting('max_connections')::int"))
    result = ConnectionStats(rows=[], server_version=version_label(conn), max_connections=max_conn)
    for r in fetch(conn, "connection_groups"):
        result.rows.append(ConnectionRow(f"by {r['grouping']}", r["name"], r["connections"],
                                         r["connections"] / max_conn))
        if r["grouping"] == "state":
            result.by_state[r["name"]] = r["connections"]
    for r in fetch(conn, "connection_sessions"):
        if r["query"] == HIDDEN_TEXT:
            result.hidden += 1
        result.rows.append(ConnectionRow(
            r["kind"], r["kind"], pid=r["pid"], user=r["user_name"],
            application=r["application_name"], state=r["state"],
            duration_s=_seconds(r["seconds"]), xact_s=_seconds(r["xact_seconds"]),
            query=" ".join((r["query"] or "").split()),
        ))
    return result


# == lock-info =====================================================================================
@dataclass(slots=True)
class LockRow:
    """One session in the wait tree: ``depth`` 0 for a root (a blocker, or a session in a wait
    cycle), deeper for the sessions waiting on the one above."""

    pid: int
    depth: int
    blocked_by: list[int]
    user: str | None
    application: str | None
    state: str | None
    #: how long it has waited for the lock (None: not waiting)
    wait_s: float | None
    xact_s: float | None
    #: the lock it waits for: its mode and what it locks (see :func:`lock_target`)
    mode: str | None
    target: str | None
    query: str

    @property
    def tree(self) -> str:
        """The pid indented under its blocker, for a table."""
        return ("  " * self.depth + ("└─ " if self.depth else "")) + str(self.pid)


@dataclass(kw_only=True)
class LockInfo(ReportResult[LockRow]):
    NAME = "lock-info"
    TITLE = "Locks: who blocks whom"
    COLUMNS = (
        Column("tree", "Session"),
        Column("pid", "PID"),
        Column("blocked_by", "Blocked by"),
        Column("user", "User"),
        Column("state", "State"),
        Column("wait_s", "Waiting", "seconds"),
        Column("mode", "Lock mode"),
        Column("target", "Lock target"),
        Column("query", "Query", wrap=True),
    )

    #: how many sessions wait, and the pids at the roots of the tree
    waiting: int = 0
    blocking: list[int] = field(default_factory=list)

    def report_meta(self) -> dict[str, Any]:
        return {"waiting": self.waiting, "blocking": self.blocking}


def lock_target(r: Mapping[str, Any]) -> str | None:
    """What a ``pg_locks`` row locks, in words (None: no lock)."""
    kind = r["locktype"]
    if kind is None:
        return None
    rel = f"{r['rel_schema']}.{r['rel_name']}" if r["rel_name"] else None
    if kind == "relation":
        return f"table {rel}" if rel else "relation (other database)"
    if kind == "tuple":
        return f"row ({r['page']},{r['tuple']}) of {rel or 'a relation'}"
    if kind in ("page", "extend"):
        return f"{kind} of {rel or 'a relation'}"
    if kind == "transactionid":
        return f"transaction {r['transactionid']}"
    if kind == "virtualxid":
        return f"virtual transaction {r['virtualxid']}"
    if kind == "advisory":
        # pg_advisory_lock(bigint) is stored as (classid = high 32 bits, objid = low, objsubid = 1);
        # the two-int4 form as (classid = key1, objid = key2, objsubid = 2).
        if r["objsubid"] == 1:
            return f"advisory lock {(int(r['classid']) << 32) | int(r['objid'])}"
        named = locks.describe(int(r["classid"]), int(r["objid"]), int(r["objsubid"]), rel)
        return named or f"advisory lock ({r['classid']}, {r['objid']})"
    return f"{kind} {r['classid']}/{r['objid']}/{r['objsubid']}"


def lock_info(conn: psycopg.Connection[Any]) -> LockInfo:
    """Who blocks whom, as a tree: blockers at the root, the sessions waiting for them beneath.

    ``pg_blocking_pids()`` is asked for waiting sessions only. Each waiting row says how long it
    has waited, the lock mode it asked for and the target (table, row, transaction id, advisory
    key, ...).
    """
    raw = {r["pid"]: r for r in fetch(conn, "lock_waits")}
    children: dict[int, list[int]] = {}
    for pid, r in raw.items():
        for blocker in r["blocked_by"] or []:
            children.setdefault(blocker, []).append(pid)
    roots = [pid for pid, r in raw.items() if not r["blocked_by"]]
    # Sessions in a wait cycle only (deadlock about to be detected) have no root: take the lowest.
    rows: list[LockRow] = []
    seen: set[int] = set()

    def visit(pid: int, depth: int) -> None:
        r = raw.get(pid)
        if r is None or pid in seen:
            return
        seen.add(pid)
        rows.append(LockRow(
            pid, depth, list(r["blocked_by"] or []), r["user_name"], r["application_name"],
            r["state"], float(r["wait_seconds"]) if r["locktype"] and r["wait_seconds"] else None,
            _seconds(r["xact_seconds"]), r["mode"], lock_target(r),
            " ".join((r["query"] or "").split()),
        ))
        for child in sorted(children.get(pid, [])):
            visit(child, depth + 1)

    for pid in sorted(roots):
        visit(pid, 0)
    for pid in sorted(raw):
        visit(pid, 0)
    return LockInfo(
        rows=rows,
        server_version=version_label(conn),
        waiting=sum(1 for r in raw.values() if r["blocked_by"]),
        blocking=sorted(roots),
    )
