"""``replication-status``: the standbys and replication slots a primary feeds, or, on a standby,
its upstream and how far behind it replays.

On a primary the rows are every standby of ``pg_stat_replication`` (``kind`` ``standby``: lag in
bytes behind the primary's current WAL position for what was sent, written, flushed and replayed,
and the write/flush/replay lag in seconds the server measures) and every replication slot (``kind``
``slot``: active or not, the WAL it keeps from being recycled, ``wal_status``). On a standby the one
row (``kind`` ``upstream``) is its WAL receiver: the server it streams from, its receive and replay
positions, the replay lag in bytes (received but not replayed) and in seconds (since the last
replayed transaction's commit, 0 when everything received is replayed), and that commit's time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicdb import db
from musicdb.render import Column
from musicdb.reports._common import ReportResult, version_label
from musicdb.reports._sql import fetch

if TYPE_CHECKING:
    import psycopg


@dataclass(slots=True)
class ReplicationRow:
    """A standby (on a primary), a replication slot, or this standby's upstream."""

    kind: str
    #: the standby's application_name, the slot's name, or the upstream's host:port
    name: str
    client: str | None = None
    #: streaming/catchup/... (standby), active/inactive (slot), the WAL receiver's status
    state: str | None = None
    sync_state: str | None = None
    sent_lag_bytes: int | None = None
    write_lag_bytes: int | None = None
    flush_lag_bytes: int | None = None
    replay_lag_bytes: int | None = None
    write_lag_s: float | None = None
    flush_lag_s: float | None = None
    replay_lag_s: float | None = None
    active: bool | None = None
    retained_bytes: int | None = None
    wal_status: str | None = None
    receive_lsn: str | None = None
    replay_lsn: str | None = None
    last_replay_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        # pg_wal_lsn_diff() and extract() give numerics: whole bytes, float seconds
        for name in ("sent_lag_bytes", "write_lag_bytes", "flush_lag_bytes", "replay_lag_bytes",
                     "retained_bytes"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, int(value))
        for name in ("write_lag_s", "flush_lag_s", "replay_lag_s"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, float(value))


@dataclass(kw_only=True)
class ReplicationStatus(ReportResult[ReplicationRow]):
    NAME = "replication-status"
    TITLE = "Replication"
    COLUMNS = (
        Column("kind", "Kind"),
        Column("name", "Name"),
        Column("client", "Client"),
        Column("state", "State"),
        Column("sync_state", "Sync"),
        Column("sent_lag_bytes", "Sent lag", "bytes"),
        Column("write_lag_bytes", "Write lag", "bytes"),
        Column("flush_lag_bytes", "Flush lag", "bytes"),
        Column("replay_lag_bytes", "Replay lag", "bytes"),
        Column("write_lag_s", "Write lag s", "seconds"),
        Column("flush_lag_s", "Flush lag s", "seconds"),
        Column("replay_lag_s", "Replay lag s", "seconds"),
        Column("active", "Active"),
        Column("retained_bytes", "WAL retained", "bytes"),
        Column("wal_status", "WAL status"),
        Column("receive_lsn", "Received"),
        Column("replay_lsn", "Replayed"),
        Column("last_replay_at", "Last replayed commit", "timestamp"),
    )

    #: ``primary`` or ``standby``
    role: str
    #: a standby whose replay is paused (pg_wal_replay_pause())
    replay_paused: bool | None = None

    def standbys(self) -> list[ReplicationRow]:
        return [r for r in self.rows if r.kind == "standby"]

    def slots(self) -> list[ReplicationRow]:
        return [r for r in self.rows if r.kind == "slot"]

    def upstream(self) -> ReplicationRow | None:
        return next((r for r in self.rows if r.kind == "upstream"), None)

    def report_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.role == "primary" and not self.rows:
            notes.append("no standby connected and no replication slot")
        if self.replay_paused:
            notes.append("replay is paused on this standby (pg_wal_replay_resume() resumes it)")
        return notes

    def report_meta(self) -> dict[str, Any]:
        return {"role": self.role, "replay_paused": self.replay_paused}


def _primary_rows(conn: psycopg.Connection[Any]) -> list[ReplicationRow]:
    return [ReplicationRow("standby", **r) for r in fetch(conn, "replication_standbys")]


def _slot_rows(conn: psycopg.Connection[Any]) -> list[ReplicationRow]:
    return [
        ReplicationRow("slot", state="active" if r["active"] else "inactive", **r)
        for r in fetch(conn, "replication_slots")
    ]


def _standby_rows(conn: psycopg.Connection[Any]) -> tuple[list[ReplicationRow], bool]:
    r = fetch(conn, "replication_upstream")[0]
    host, port = r.pop("sender_host"), r.pop("sender_port")
    status, slot, paused = r.pop("status"), r.pop("slot_name"), r.pop("paused")
    name = f"{host}:{port}" if host is not None else "(no WAL receiver)"
    return [ReplicationRow("upstream", name, client=slot, state=status or "not streaming",
                           **r)], bool(paused)


def replication_status(conn: psycopg.Connection[Any]) -> ReplicationStatus:
    """The replication seen from this server (see the module's description)."""
    if db.in_recovery(conn):
        rows, paused = _standby_rows(conn)
        return ReplicationStatus(rows=rows, role="standby", replay_paused=paused,
                                 server_version=version_label(conn))
    return ReplicationStatus(rows=_primary_rows(conn) + _slot_rows(conn), role="primary",
                             server_version=version_label(conn))
