"""``analyze-indexes`` (usage and verdicts of every index) and ``missing-indexes`` (foreign keys
without an index, tables dominated by sequential scans, hypopg what-if indexes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from musicdb.render import Column, human_seconds
from musicdb.reports._common import (
    RELPAGES_NOTE,
    ReportResult,
    StatsSince,
    check_positive,
    check_schema,
    stats_since,
    version_label,
)
from musicdb.reports._sql import fetch, fetch_tuples

if TYPE_CHECKING:
    import psycopg

VERDICTS = ("unused", "duplicate", "redundant", "invalid")
#: Below this age "unused" verdicts are withheld by default: the counters have not seen enough
#: work (``--min-stats-age``, ``MUSICDB_MIN_STATS_AGE``); once judged, younger than this warns.
MIN_STATS_AGE_S = 7 * 24 * 3600
#: The environment variable that sets the age usage verdicts need (e.g. ``0``, ``12h``, ``7d``).
MIN_STATS_AGE_ENV = "MUSICDB_MIN_STATS_AGE"
#: Tables below this many rows are never "dominated by sequential scans" (they fit a few pages).
DEFAULT_MIN_ROWS = 10_000
#: How many of the costliest statements missing-indexes tries hypothetical indexes on.
DEFAULT_WHAT_IF = 10


# == analyze-indexes ===============================================================================
@dataclass(slots=True)
class IndexRow:
    """One index with its usage counters and verdicts."""

    schema: str
    table: str
    index: str
    #: any of :data:`VERDICTS`, in that order of finding
    verdicts: list[str]
    #: ``""``, or why it must stay: primary key, unique, exclusion, foreign key
    role: str
    valid: bool
    scans: int | None
    tuples_read: int | None
    tuples_fetched: int | None
    size_bytes: int | None
    last_scan: dt.datetime | None
    #: the valid index of the same table with the same definition (the one to keep)
    duplicate_of: str | None
    #: the index whose key columns this one's are a left prefix of
    prefix_of: str | None
    #: the servers whose counters saw it scanned (the primary and any replicas read)
    used_on: list[str] = field(default_factory=list)

    @property
    def qualified_index(self) -> str:
        return f"{self.schema}.{self.index}"

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def detail(self) -> str:
        if self.valid and not self.duplicate_of and not self.prefix_of:
            return ""
        details = []
        if not self.valid:
            details.append("invalid: a failed concurrent build; drop it or REINDEX it")
        if self.duplicate_of:
            details.append(f"duplicate of {self.duplicate_of}")
        if self.prefix_of:
            details.append(f"left prefix of {self.prefix_of}")
        return "; ".join(details)


@dataclass(kw_only=True)
class IndexVerdicts(ReportResult[IndexRow]):
    NAME = "analyze-indexes"
    TITLE = "Indexes: usage and verdicts"
    COLUMNS = (
        Column("schema", "Schema"),
        Column("table", "Table"),
        Column("index", "Index"),
        Column("verdicts", "Verdicts"),
        Column("detail", "Detail"),
        Column("role", "Role", table=False),
        Column("scans", "Scans", "count"),
        Column("tuples_read", "Tuples read", "count"),
        Column("tuples_fetched", "Tuples fetched", "count", table=False),
        Column("size_bytes", "Size", "bytes"),
        Column("last_scan", "Last scan", "timestamp", table=False),
        Column("used_on", "Used on"),
    )

    since: StatsSince
    exact_sizes: bool = False
    #: usage verdicts ("unused") are given only once the statistics are this old
    min_stats_age_s: float = 0.0

    @property
    def usage_judged(self) -> bool:
        """Whether the statistics are old enough for "unused" verdicts (else they are withheld)."""
        return usage_judged(self.since, self.min_stats_age_s)
    #: every server read, with the time its counters start (this one first)
    servers: list[ServerStats] = field(default_factory=list)

    def report_meta(self) -> dict[str, Any]:
        meta = {
            **self.since.as_dict(),
            "min_stats_age_seconds": self.min_stats_age_s,
            "unused_verdicts": "given" if self.usage_judged else "withheld",
            "unused_judged_from": judged_from(self.since, self.min_stats_age_s),
            "size_source": "pg_relation_size" if self.exact_sizes else "pg_class.relpages",
            "counts": {v: sum(v in row.verdicts for row in self.rows) for v in VERDICTS},
        }
        if len(self.servers) > 1:
            meta["servers"] = [s.as_dict() for s in self.servers]
        return meta

    def report_notes(self) -> list[str]:
        notes = list(self.notes)
        since = self.since
        when = since.stats_since
        if since.stats_reset is not None and when is not None:
            notes.append(f"index statistics collected since {when:%Y-%m-%d %H:%M %Z} (last reset)")
        elif when is not None:
            notes.append(
                "index statistics never reset: collected since the database was created "
                f"(server up since {when:%Y-%m-%d %H:%M %Z})"
            )
        age = since.stats_age_seconds
        if not self.usage_judged:
            notes.append(withheld_note(since, self.min_stats_age_s, "--min-stats-age"))
        elif age is not None and since.stats_reset is not None and age < MIN_STATS_AGE_S:
            notes.append(
                f"statistics are only {human_seconds(age)} old: 'unused' means unused in that "
                "time only"
            )
        if len(self.servers) > 1:
            notes.append(
                f"scans summed over {len(self.servers)} servers "
                f"({', '.join(s.label for s in self.servers)}); 'unused' means unused on every "
                "one since the most recent of their statistics' starts"
            )
        if not self.exact_sizes:
            notes.append(RELPAGES_NOTE)
        return notes


def index_verdicts(
    conn: psycopg.Connection[Any],
    schema: str | None = None,
    *,
    unused: bool = False,
    duplicates: bool = False,
    invalid: bool = False,
    exact_sizes: bool = False,
    min_stats_age_s: float = MIN_STATS_AGE_S,
    replicas: Sequence[psycopg.Connection[Any]] = (),
) -> IndexVerdicts:
    """Every index with its usage and verdicts: unused, duplicate, (prefix-)redundant, invalid.

    * unused: no scan since statistics were collected, never for primary-key, unique, exclusion or
      foreign-key-backing indexes (see :attr:`IndexVerdicts.since`); a partitioned index counts
      the scans of its partitions' indexes, which are not judged one by one (a month premade
      ahead has not been read yet);
    * duplicate: same definition as another valid index of the table (``duplicate_of`` names the
      one to keep);
    * redundant: its key columns are a left prefix of another index's (btree, not unique);
    * invalid: a failed ``CREATE INDEX CONCURRENTLY`` left it behind; it costs writes,
      serves nothing.

    The filters keep rows with any of the chosen verdicts (``duplicates`` covers both duplicate and
    redundant). Sizes come from ``pg_class.relpages`` (kept by VACUUM, ANALYZE and CREATE INDEX)
    unless *exact_sizes* asks ``pg_relation_size()`` for each index, which opens every index.

    "unused" needs evidence: while the statistics are younger than *min_stats_age_s* (counted from
    the later of the last reset and the server's start) it is withheld, and a note says since when
    the statistics run and from when a verdict is possible. The other verdicts never wait.

    *replicas*: connections to other servers of the same cluster (streaming standbys). Their
    scans are added to each index's, ``used_on`` names every server that scanned it, and an index
    is ``unused`` only when no server scanned it; the statistics' age is the youngest server's.
    """
    check_schema(conn, schema)
    since = stats_since(conn)
    judged = usage_judged(since, min_stats_age_s)
    columns, raw = fetch_tuples(
        conn, "index_verdicts", {"schema": schema, "exact_sizes": exact_sizes}
    )
    at = {name: i for i, name in enumerate(columns)}
    i_schema, i_table, i_index, i_role, i_valid = (
        at["schema_name"], at["table_name"], at["index_name"], at["role"], at["valid"]
    )
    i_scans, i_read, i_fetched, i_size, i_last = (
        at["scans"], at["tuples_read"], at["tuples_fetched"], at["size_bytes"], at["last_scan"]
    )
    i_dup, i_prefix = at["duplicate_of"], at["prefix_of"]
    rows = []
    for r in raw:
        verdicts: list[str] = []
        valid = r[i_valid]
        if not valid:
            verdicts.append("invalid")
        elif judged and r[i_scans] == 0 and r[i_role] == "" and not r[at["is_partition"]]:
            verdicts.append("unused")
        duplicate_of, prefix_of = r[i_dup], r[i_prefix]
        if duplicate_of:
            verdicts.append("duplicate")
        if prefix_of:
            verdicts.append("redundant")
        rows.append(IndexRow(
            r[i_schema], r[i_table], r[i_index], verdicts, r[i_role], valid, r[i_scans],
            r[i_read], r[i_fetched], r[i_size], r[i_last], duplicate_of, prefix_of,
            [server_label(conn)] if r[i_scans] else [],
        ))
    servers = [ServerStats(server_label(conn), since)]
    for replica in replicas:
        _fold_replica(rows, replica, servers)
    if len(servers) > 1:
        # The evidence window is the shortest one: counters that began later have seen less.
        since = max((s.since for s in servers),
                    key=lambda s: s.stats_since or dt.datetime.min.replace(tzinfo=dt.UTC))
        if not usage_judged(since, min_stats_age_s):  # a younger replica: no evidence yet
            for row in rows:
                if "unused" in row.verdicts:
                    row.verdicts.remove("unused")
    wanted: set[str] = set()
    if unused:
        wanted.add("unused")
    if duplicates:
        wanted |= {"duplicate", "redundant"}
    if invalid:
        wanted.add("invalid")
    if wanted:
        rows = [row for row in rows if wanted & set(row.verdicts)]
    return IndexVerdicts(
        rows=rows,
        server_version=version_label(conn),
        since=since,
        exact_sizes=exact_sizes,
        min_stats_age_s=min_stats_age_s,
        servers=servers,
    )


def usage_judged(since: StatsSince, min_age_s: float) -> bool:
    """Whether statistics of *since* are old enough (at least *min_age_s*) for usage verdicts."""
    if min_age_s <= 0:
        return True
    return since.stats_age_seconds is not None and since.stats_age_seconds >= min_age_s


def judged_from(since: StatsSince, min_age_s: float) -> dt.datetime | None:
    """When usage verdicts become possible (None: never known, the start time is unknown)."""
    if since.stats_since is None:
        return None
    return since.stats_since + dt.timedelta(seconds=max(min_age_s, 0.0))


def withheld_note(since: StatsSince, min_age_s: float, setting: str) -> str:
    """The note of withheld usage verdicts: since when the statistics run, when a verdict comes."""
    if since.stats_since is None:
        return "'unused' verdicts withheld: the statistics' start time is unknown"
    return (
        f"'unused' verdicts withheld: index statistics run since "
        f"{since.stats_since:%Y-%m-%d %H:%M %Z} ({human_seconds(since.stats_age_seconds or 0)}); "
        f"a verdict is possible from {judged_from(since, min_age_s):%Y-%m-%d %H:%M %Z} "
        f"(after {human_seconds(min_age_s)}; {setting} lowers it)"
    )


@dataclass(frozen=True)
class ServerStats:
    """One server whose index counters were read, and since when they count."""

    label: str
    since: StatsSince

    def as_dict(self) -> dict[str, Any]:
        return {"server": self.label, **self.since.as_dict()}


def server_label(conn: psycopg.Connection[Any]) -> str:
    """``host:port`` of the server behind *conn* (a socket folder for a local socket)."""
    return f"{conn.info.host}:{conn.info.port}"


def replica_scans(conn: psycopg.Connection[Any]) -> dict[tuple[str, str], int]:
    """Scans per ``(schema, index)`` on the server behind *conn* (a replica: read-only)."""
    _, rows = fetch_tuples(conn, "index_scans")
    return {(str(schema), str(name)): int(scans or 0) for schema, name, scans in rows}


def _fold_replica(rows: list[IndexRow], conn: psycopg.Connection[Any],
                  servers: list[ServerStats]) -> None:
    """Add *conn*'s scans to *rows*: an index scanned there is used, whatever the primary says."""
    label = server_label(conn)
    servers.append(ServerStats(label, stats_since(conn)))
    scans = replica_scans(conn)
    for row in rows:
        count = scans.get((row.schema, row.index), 0)
        if not count:
            continue
        row.scans = (row.scans or 0) + count
        row.used_on.append(label)
        if "unused" in row.verdicts:
            row.verdicts.remove("unused")


# == missing-indexes ===============================================================================
FK_WITHOUT_INDEX, SEQ_SCANS, WHAT_IF = "fk without index", "seq scans dominate", "what-if index"


@dataclass(slots=True)
class MissingIndexRow:
    """One finding: ``finding`` is ``fk without index``, ``seq scans dominate`` or ``what-if
    index``; the fields that do not apply to it are None."""

    finding: str
    schema: str
    table: str
    #: the columns to index (none for ``seq scans dominate``)
    columns: list[str]
    detail: str
    rows: int | None = None
    seq_scans: int | None = None
    seq_rows_read: int | None = None
    idx_scans: int | None = None
    #: the planner's cost of the statement without and with the hypothetical index
    cost_before: float | None = None
    cost_after: float | None = None
    #: fk without index: the foreign key's name
    constraint: str | None = None
    #: what-if index: the statement's pg_stat_statements id and total time
    queryid: int | None = None
    total_ms: float | None = None


@dataclass(kw_only=True)
class MissingIndexes(ReportResult[MissingIndexRow]):
    NAME = "missing-indexes"
    TITLE = "Missing indexes"
    COLUMNS = (
        Column("finding", "Finding"),
        Column("schema", "Schema"),
        Column("table", "Table"),
        Column("columns", "Columns"),
        Column("rows", "Rows", "count"),
        Column("seq_scans", "Seq scans", "count"),
        Column("seq_rows_read", "Rows read by seq scans", "count"),
        Column("idx_scans", "Index scans", "count", table=False),
        Column("cost_before", "Cost before", "number"),
        Column("cost_after", "Cost after", "number"),
        Column("detail", "Detail", wrap=True),
    )

    min_rows: int
    #: the installed hypopg version, ``"not installed"``, or None (what-if not asked)
    hypopg: str | None = None
    #: how many statements hypothetical indexes were tried on (None: none were read)
    what_if_statements: int | None = None
    notes: list[str] = field(default_factory=list)

    def report_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"min_rows": self.min_rows, "hypopg": self.hypopg}
        if self.what_if_statements is not None:
            meta["what_if_statements"] = self.what_if_statements
        return meta


def missing_indexes(
    conn: psycopg.Connection[Any],
    schema: str | None = None,
    *,
    min_rows: int = DEFAULT_MIN_ROWS,
    what_if: int = DEFAULT_WHAT_IF,
) -> MissingIndexes:
    """Foreign keys without a leading index, tables dominated by sequential scans, and (with the
    ``hypopg`` extension) what-if indexes for the costliest statements of pg_stat_statements."""
    check_schema(conn, schema)
    check_positive("--min-rows", min_rows)
    check_positive("--what-if", what_if)
    rows: list[MissingIndexRow] = []
    for r in fetch(conn, "fk_without_index", {"schema": schema}):
        rows.append(MissingIndexRow(
            FK_WITHOUT_INDEX, r["schema_name"], r["table_name"], r["columns"],
            f"{r['constraint_name']} references {r['referenced_schema']}.{r['referenced_table']}",
            rows=r["table_rows"], constraint=r["constraint_name"],
        ))
    for r in fetch(conn, "seq_scan_tables", {"schema": schema, "min_rows": min_rows}):
        rows.append(MissingIndexRow(
            SEQ_SCANS, r["schema_name"], r["table_name"], [], "", rows=r["table_rows"],
            seq_scans=r["seq_scans"], seq_rows_read=r["seq_rows_read"], idx_scans=r["idx_scans"],
        ))
    result = MissingIndexes(rows=rows, server_version=version_label(conn), min_rows=min_rows)
    if what_if:
        from musicdb.reports import whatif

        found = whatif.suggestions(conn, limit=what_if)
        result.hypopg = found.hypopg
        result.what_if_statements = found.statements
        result.notes.extend(found.notes)
        for s in found.indexes:
            result.rows.append(MissingIndexRow(
                WHAT_IF, s.schema, s.table, s.columns, " ".join(s.statement.split()),
                cost_before=s.cost_before, cost_after=s.cost_after, queryid=s.queryid,
                total_ms=s.total_ms,
            ))
    return result
