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


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def fetch(conn: psycopg.Connection[Any], query: Any) -> list[tuple[Any, ...]]:
    return conn.execute(query).fetchall()


def _primary_rows(conn: psycopg.Connection[Any]) -> list[ReplicationRow]:
    rows = [
        ReplicationRow("standby", str(name), client, state, sync, _int(sent), _int(write),
                       _int(flush), _int(replay), _float(write_s), _float(flush_s),
                       _float(replay_s))  # fmt: skip
        for name, client, state, sync, sent, write, flush, replay, write_s, flush_s, replay_s
        in fetch(conn, """
            SELECT application_name, coalesce(host(client_addr), 'local socket'), state,
                   sync_state,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn),
                   pg_wal_lsn_diff(pg_current_wal_lsn(), write_lsn),
                   pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn),
                   pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),
                   extract(epoch FROM write_lag), extract(epoch FROM flush_lag),
                   extract(epoch FROM replay_lag)
            FROM pg_stat_replication ORDER BY application_name, pid""")
    ]  # fmt: skip
    return rows + _slot_rows(conn, "pg_current_wal_lsn()")


def _slot_rows(conn: psycopg.Connection[Any], position: str) -> list[ReplicationRow]:
    from psycopg import sql

    query = sql.SQL("""
        SELECT slot_name, slot_type || coalesce(' ' || database, ''), active, wal_status,
               pg_wal_lsn_diff({}, restart_lsn)
        FROM pg_replication_slots ORDER BY slot_name""").format(sql.SQL(position))
    return [
        ReplicationRow("slot", str(name), client=str(kind),
                       state="active" if active else "inactive", active=bool(active),
                       retained_bytes=_int(retained), wal_status=wal_status)  # fmt: skip
        for name, kind, active, wal_status, retained in fetch(conn, query)
    ]


def _standby_rows(conn: psycopg.Connection[Any]) -> tuple[list[ReplicationRow], bool]:
    row = fetch(conn, """
        SELECT r.status, r.sender_host, r.sender_port, r.slot_name,
               pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,
               pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()),
               CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
               pg_last_xact_replay_timestamp(), pg_is_wal_replay_paused()
        FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true""")[0]  # fmt: skip
    status, host, port, slot, received, replayed, lag_bytes, lag_s, last, paused = row
    name = f"{host}:{port}" if host is not None else "(no WAL receiver)"
    upstream = ReplicationRow(
        "upstream", name, client=slot, state=status or "not streaming",
        replay_lag_bytes=_int(lag_bytes), replay_lag_s=_float(lag_s), receive_lsn=received,
        replay_lsn=replayed, last_replay_at=last,
    )  # fmt: skip
    return [upstream], bool(paused)


def replication_status(conn: psycopg.Connection[Any]) -> ReplicationStatus:
    """The replication seen from this server (see the module's description)."""
    if db.in_recovery(conn):
        rows, paused = _standby_rows(conn)
        return ReplicationStatus(rows=rows, role="standby", replay_paused=paused,
                                 server_version=version_label(conn))  # fmt: skip
    return ReplicationStatus(rows=_primary_rows(conn), role="primary",
                             server_version=version_label(conn))  # fmt: skip
