"""``musicdb report``: one document that says how the database is doing, built from the live
database with the library's own reports, and rendered as HTML, Markdown or JSON.

The report is data first (:class:`AnalysisReport`: sections of facts, tables and charts) and
then one of three renderings (:mod:`musicdb.observe.report_render`). Every section comes from a
function the command line already has: the health checks (:func:`musicdb.ops.health.run_checks`,
which also gives the revision and drift), the table statistics and index verdicts of one
:class:`musicdb.reports.CatalogFacts`, ``missing-indexes``, ``analyze-queries``,
``connection-stats``, ``lock-info``, the maintenance log and the results file of ``musicdb
bench``. Each finding about an index becomes the statement that fixes it, composed with
:mod:`psycopg.sql` from the names the catalog gave.

Safe on production: one connection, read-only (``default_transaction_read_only``), a
statement timeout and a short lock timeout; a section that cannot be filled (no privilege, no
extension, a standby, a timeout) says why instead of failing the report. Long lists are bounded
in HTML and Markdown (the worst N and a count of the rest); the JSON carries them whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from musicdb import db
from musicdb.errors import MusicdbError
from musicdb.render import Column, Kind, Report
from musicdb.reports.indexes import DEFAULT_WHAT_IF

if TYPE_CHECKING:
    import psycopg

    from musicdb.config import DatabaseTarget
    from musicdb.ops.health import Check, HealthResult
    from musicdb.ops.health_thresholds import Thresholds
    from musicdb.progress import Progress
    from musicdb.reports import CatalogFacts, IndexVerdicts, MissingIndexes

#: How many rows each long table shows in HTML and Markdown (the JSON has them all).
DEFAULT_LIMIT = 20
#: Every statement of the report stops after this long (the section then says so).
DEFAULT_STATEMENT_TIMEOUT_MS = 30_000
#: The report never queues behind a lock for longer than this.
LOCK_TIMEOUT_MS = 1_000
#: Where ``musicdb bench --save`` appends its runs (read when it exists).
BENCH_FILE = Path("musicdb-bench.jsonl")
#: How many refreshes of the maintenance log the views section lists.
HISTORY_LIMIT = 20
FORMATS = ("html", "markdown", "json")
#: File name endings and the format they imply.
SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
            ".json": "json"}


# -- the data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fact:
    """One key/value line of a section: a raw value and how people read it."""

    key: str
    label: str
    value: Any
    kind: Kind = "text"


@dataclass
class Table:
    """A table of a section: *report* holds every row (the JSON carries them all); HTML and
    Markdown show the columns *show* (default: the report's table columns) of the first rows."""

    report: Report
    show: tuple[str, ...] = ()
    #: columns shown as code (statements, query texts)
    code: tuple[str, ...] = ()

    def columns(self) -> list[Column]:
        if not self.show:
            return [c for c in self.report.columns if c.table]
        by_key = {c.key: c for c in self.report.columns}
        return [by_key[k] for k in self.show]


@dataclass
class Chart:
    """A chart of a section: one label per category and one or more series of values."""

    key: str
    title: str
    #: ``bar`` (horizontal bars), ``stacked`` (stacked horizontal bars) or ``line``
    kind: Literal["bar", "stacked", "line"]
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: Kind = "count"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "kind": self.kind, "unit": self.unit,
                "labels": self.labels,
                "series": [{"name": name, "values": values} for name, values in self.series]}


@dataclass
class Section:
    """One part of the report; *unavailable* says why it could not be filled (then it is empty)."""

    key: str
    title: str
    facts: list[Fact] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unavailable: str | None = None
    seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "unavailable": self.unavailable,
            "facts": {f.key: f.value for f in self.facts},
            "tables": {t.report.name: t.report.as_dict() for t in self.tables},
            "charts": [c.as_dict() for c in self.charts],
            "notes": self.notes,
            "seconds": self.seconds,
        }


@dataclass
class AnalysisReport:
    """The whole report: which database, when, and its sections in order."""

    database: str
    server_version: str | None
    #: ``primary`` or ``standby``
    role: str
    limit: int
    sections: list[Section]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    seconds: float = 0.0

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": "database-report",
            "database": self.database,
            "server_version": self.server_version,
            "role": self.role,
            "generated_at": self.generated_at.isoformat(),
            "limit": self.limit,
            "seconds": self.seconds,
            "sections": [s.as_dict() for s in self.sections],
        }


# -- building it --------------------------------------------------------------------------------
def build_report(
    target: DatabaseTarget,
    *,
    limit: int = DEFAULT_LIMIT,
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS,
    bench_file: Path | None = BENCH_FILE,
    drift: bool = True,
    what_if: int = DEFAULT_WHAT_IF,
    thresholds: Thresholds | None = None,
    replicas: Sequence[DatabaseTarget] = (),
    progress: Progress | None = None,
) -> AnalysisReport:
    """The report of the database behind *target*, read-only, every statement under
    *statement_timeout_ms*. *drift*: compare the schema with its migrations (builds a scratch
    database; a role without CREATEDB or a standby gets a note instead). *bench_file*: the
    results of ``musicdb bench --save``, charted when the file exists."""
    from musicdb.ops import health
    from musicdb.progress import as_progress
    from musicdb.reports import CatalogFacts
    from musicdb.reports._common import check_positive

    check_positive("--limit", limit, allow_zero=False)
    shown = as_progress(progress)
    thresholds = thresholds or health.Thresholds.from_sources()
    clock = time.perf_counter()
    with db.connect(target, application_name="musicdb report", lock_timeout_ms=LOCK_TIMEOUT_MS,
                    statement_timeout_ms=statement_timeout_ms or None) as conn:
        # Every transaction of this session is read-only: the report cannot write by mistake.
        conn.execute("SET default_transaction_read_only = on")
        facts = CatalogFacts(conn, replicas)
        shown.start("report", total=8, unit="sections")
        shown.note("health checks" + (" and schema drift" if drift else ""))
        checks = health.run_checks(target, thresholds=thresholds, facts=facts,
                                   skip=() if drift else ("drift",))
        shown.advance()
        steps: list[tuple[str, str, Callable[[Section], None]]] = [
            ("server", "Server and schema", lambda s: _server(s, conn, facts, checks)),
            ("tables", "Tables by size", lambda s: _tables(s, facts, limit)),
            ("indexes", "Index review",
             lambda s: _indexes(s, conn, facts, thresholds, what_if)),
            ("queries", "Top queries", lambda s: _queries(s, conn, limit)),
            ("activity", "Connections and locks", lambda s: _activity(s, conn)),
            ("health", "Health checks", lambda s: _health(s, checks)),
            ("views", "Materialized views", lambda s: _views(s, conn, checks)),
            ("bench", "Benchmark history", lambda s: _bench(s, bench_file)),
        ]
        sections = []
        for key, title, fill in steps:
            shown.note(title)
            sections.append(_filled(Section(key, title), fill))
            shown.advance()
        role = db.server_role(conn)
        dbname = conn.info.dbname
    return AnalysisReport(dbname, facts.server_version, role, limit, sections,
                          seconds=time.perf_counter() - clock)


def _filled(section: Section, fill: Callable[[Section], None]) -> Section:
    """*section* filled by *fill*; what keeps it from being filled becomes its ``unavailable``."""
    import psycopg

    from musicdb.reports import ReportUnavailable

    clock = time.perf_counter()
    try:
        fill(section)
    except ReportUnavailable as exc:
        _empty(section, exc.message)
    except MusicdbError as exc:
        _empty(section, exc.message)
    except psycopg.errors.InsufficientPrivilege as exc:
        _empty(section, f"not allowed for this role: {db.first_line(exc)} (grant the "
                        "privilege, or run the report as a role that has it)")
    except psycopg.errors.QueryCanceled as exc:
        _empty(section, f"stopped by the statement timeout ({db.first_line(exc)}); "
                        "--statement-timeout gives it longer")
    except psycopg.Error as exc:
        _empty(section, db.describe_error(exc) or db.first_line(exc))
    section.seconds = time.perf_counter() - clock
    return section


def _empty(section: Section, why: str) -> None:
    section.facts, section.tables, section.charts, section.unavailable = [], [], [], why


def _check_fact(check: Check | None, key: str, label: str) -> Fact:
    if check is None:
        return Fact(key, label, "not checked")
    return Fact(key, label, f"{check.status}: {check.message}")


def _server(section: Section, conn: psycopg.Connection[Any], facts: CatalogFacts,
            checks: HealthResult) -> None:
    from musicdb import migrate
    from musicdb.reports._sql import one

    by_name = {c.name: c for c in checks.checks}
    at_head = by_name.get("at_head")
    # the revision as the at_head check read it (a role that may not read alembic_version gets
    # that check's reason, not a failed section)
    current = at_head.details.get("current") if at_head is not None else None
    since = facts.stats_since
    section.facts += [
        Fact("database", "Database", conn.info.dbname),
        Fact("server_version", "PostgreSQL", facts.server_version),
        Fact("role", "Role", db.server_role(conn)),
        Fact("size_bytes", "Database size",
             one(conn, "SELECT pg_database_size(current_database())"), "bytes"),
        Fact("tables", "Tables", facts.table_stats.tables, "count"),
        Fact("indexes", "Indexes", len(facts.index_verdicts.rows), "count"),
        Fact("revision", "Revision", ", ".join(current) if current else None),
        Fact("head", "Migrations' head", ", ".join(migrate.heads())),
        _check_fact(at_head, "at_head", "At head"),
        _check_fact(by_name.get("drift"), "drift", "Drift"),
        Fact("stats_since", "Statistics since", since.stats_since, "timestamp"),
        Fact("stats_age_seconds", "Statistics age", since.stats_age_seconds, "seconds"),
    ]
    drift = by_name.get("drift")
    if drift is not None and drift.details.get("differences"):
        rows = drift.details["differences"]
        section.tables.append(Table(Report(
            "drift", "Differences from the migrations",
            (Column("kind", "Kind"), Column("name", "Object"), Column("change", "Change")), rows,
        )))


#: The table columns the report shows (the JSON has every column of table-stats).
_TABLE_COLUMNS = ("schema", "table", "total_bytes", "heap_bytes", "index_bytes", "live_rows",
                  "dead_rows", "dead_vs_threshold", "bloat_bytes", "bloat_basis",
                  "last_autovacuum")


def _tables(section: Section, facts: CatalogFacts, limit: int) -> None:
    stats = facts.table_stats
    report = stats.to_report()
    section.facts += [
        Fact("tables", "Tables", stats.tables, "count"),
        Fact("total_bytes", "All tables", sum(r.total_bytes for r in stats.rows), "bytes"),
        Fact("dead_rows", "Dead rows", sum(r.dead_rows or 0 for r in stats.rows), "count"),
        Fact("bloat_bytes", "Estimated bloat",
             sum(r.bloat_bytes or 0 for r in stats.rows), "bytes"),
    ]
    section.notes += report.notes
    section.tables.append(Table(report, _TABLE_COLUMNS))
    top = stats.rows[:limit]
    if top:
        section.charts.append(Chart(
            "table_sizes", f"The {len(top)} largest tables", "stacked",
            [r.qualified for r in top],
            [("heap", [float(r.heap_bytes) for r in top]),
             ("indexes", [float(r.index_bytes) for r in top]),
             ("TOAST", [float(r.toast_bytes) for r in top])], "bytes",
        ))


#: The recommendations' columns.
RECOMMENDATION_COLUMNS = (
    Column("action", "Action"),
    Column("target", "Object"),
    Column("reason", "Why", wrap=True),
    Column("statement", "Statement", wrap=True),
    Column("scans", "Scans", "count"),
    Column("size_bytes", "Size", "bytes"),
    Column("stats_since", "Scans counted since", "timestamp"),
)
_INDEX_COLUMNS = ("schema", "table", "index", "verdicts", "detail", "role", "scans", "size_bytes",
                  "last_scan")


def _indexes(section: Section, conn: psycopg.Connection[Any], facts: CatalogFacts,
             thresholds: Thresholds, what_if: int) -> None:
    from musicdb.reports import missing_indexes
    from musicdb.reports.indexes import VERDICTS, usage_judged

    everything = facts.index_verdicts
    minimum = thresholds.unused_index_min_stats_age.total_seconds()
    judged = usage_judged(everything.since, minimum)
    flagged = []
    for row in everything.rows:
        kept = [v for v in row.verdicts if judged or v != "unused"]
        if kept:
            flagged.append(dataclasses.replace(row, verdicts=kept))
    flagged.sort(key=lambda r: -(r.size_bytes or 0))
    verdicts = dataclasses.replace(everything, rows=flagged, min_stats_age_s=minimum)
    report = verdicts.to_report()
    report.name = "index-verdicts"
    section.facts += [Fact("indexes", "Indexes", len(everything.rows), "count")]
    section.facts += [Fact(v, f"{v.capitalize()}", sum(v in r.verdicts for r in flagged), "count")
                      for v in VERDICTS]
    section.facts += [
        Fact("stats_since", "Scans counted since", everything.since.stats_since, "timestamp"),
        Fact("unused_verdicts", "'unused' verdicts", "given" if judged else "withheld"),
    ]
    missing = missing_indexes(conn, what_if=what_if)
    recommendations = index_recommendations(conn, verdicts, missing)
    section.facts.append(Fact("recommendations", "Recommendations", len(recommendations), "count"))
    section.facts.append(Fact("reclaimable_bytes", "Space the drops free",
                              sum(r["size_bytes"] or 0 for r in recommendations
                                  if r["action"] == "drop index"), "bytes"))
    section.notes += report.notes + missing.report_notes()
    section.tables.append(Table(Report(
        "recommendations", "Recommendations", RECOMMENDATION_COLUMNS, recommendations,
    ), code=("statement",)))
    section.tables.append(Table(report, _INDEX_COLUMNS))
    missing_report = missing.to_report()
    section.tables.append(Table(missing_report))
    by_verdict = [(v, sum(r.size_bytes or 0 for r in flagged if v in r.verdicts)) for v in VERDICTS]
    if flagged:
        section.charts.append(Chart(
            "flagged_index_bytes", "Size of the indexes flagged, by verdict", "bar",
            [v for v, _ in by_verdict], [("size", [float(b) for _, b in by_verdict])], "bytes",
        ))


def index_recommendations(conn: psycopg.Connection[Any], verdicts: IndexVerdicts,
                          missing: MissingIndexes) -> list[dict[str, Any]]:
    """One recommendation per finding, each with the statement that acts on it: ``DROP INDEX
    CONCURRENTLY`` for duplicate, redundant, unused and invalid indexes (a plain ``DROP INDEX``
    for a partitioned index, which PostgreSQL cannot drop concurrently), ``CREATE INDEX
    CONCURRENTLY`` for foreign keys without an index and
    hypopg's what-if indexes. Largest drops first, then the creations.

    The statements are composed with :mod:`psycopg.sql` from catalog names (identifiers quoted
    as the server quotes them): a name that needs quotes, or holds quotes, stays one name."""
    from psycopg import sql

    from musicdb.reports.indexes import FK_WITHOUT_INDEX, WHAT_IF

    since = verdicts.since.stats_since
    out: list[dict[str, Any]] = []
    # PostgreSQL cannot drop a partitioned index CONCURRENTLY (user_interactions' indexes)
    partitioned = set(conn.execute(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace "
        "AS n ON n.oid = c.relnamespace WHERE c.relkind = 'I'").fetchall())
    for row in verdicts.rows:
        name = sql.Identifier(row.schema, row.index)
        on_partitions = (row.schema, row.index) in partitioned
        statement: Any = sql.SQL("DROP INDEX {}{}").format(
            sql.SQL("" if on_partitions else "CONCURRENTLY "), name)
        if "invalid" in row.verdicts:
            # not REINDEX: the build that failed (a unique one over duplicates) would fail again
            # and leave one more invalid index behind
            reason = ("invalid (a failed concurrent build): it slows every write and serves no "
                      "read; drop it, then build it again if it is needed")
        elif row.duplicate_of:
            reason = f"duplicate of {row.duplicate_of} (same definition), which stays"
        elif row.prefix_of:
            reason = f"its columns are a left prefix of {row.prefix_of}, which serves it"
        else:
            reason = "never scanned since the statistics began"
        if on_partitions:
            reason += ("; a partitioned index: PostgreSQL cannot drop it CONCURRENTLY, the plain "
                       "DROP locks the table for the moment it takes")
        if "invalid" not in row.verdicts and row.role in ("primary key", "unique", "exclusion"):
            reason += (f"; it enforces a {row.role}: if a constraint owns it, drop the "
                       "constraint instead (ALTER TABLE ... DROP CONSTRAINT)")
        out.append({"action": "drop index", "target": row.qualified_index, "reason": reason,
                    "statement": statement.as_string(conn), "scans": row.scans,
                    "size_bytes": row.size_bytes, "stats_since": since})
    for found in missing.rows:
        if found.finding not in (FK_WITHOUT_INDEX, WHAT_IF) or not found.columns:
            continue
        statement = sql.SQL("CREATE INDEX CONCURRENTLY ON {} ({})").format(
            sql.Identifier(found.schema, found.table),
            sql.SQL(", ").join(sql.Identifier(c) for c in found.columns),
        )
        if found.finding == FK_WITHOUT_INDEX:
            reason = (f"foreign key {found.constraint} has no index: deletes and updates of the "
                      "referenced rows scan the whole table")
        else:
            reason = (f"hypopg: cuts the planner's cost of a frequent statement from "
                      f"{found.cost_before:,.0f} to {found.cost_after:,.0f}")
        out.append({"action": "create index", "target": f"{found.schema}.{found.table}",
                    "reason": reason, "statement": statement.as_string(conn), "scans": None,
                    "size_bytes": None, "stats_since": None})
    return out


_QUERY_COLUMNS = ("rank", "calls", "mean_ms", "total_ms", "share", "rows", "query")


def _queries(section: Section, conn: psycopg.Connection[Any], limit: int) -> None:
    from musicdb.reports import analyze_queries

    stats = analyze_queries(conn, limit=max(limit, 50))
    report = stats.to_report()
    section.facts += [
        Fact("statements", "Statements tracked", stats.statements, "count"),
        Fact("stats_reset", "Counted since", stats.stats_reset, "timestamp"),
        Fact("total_ms", "Time of the statements listed", sum(r.total_ms for r in stats.rows),
             "ms"),
    ]
    section.notes += report.notes
    section.tables.append(Table(report, _QUERY_COLUMNS, code=("query",)))
    top = stats.rows[:limit]
    if top:
        section.charts.append(Chart(
            "query_time", "Total time of the top statements", "bar",
            [f"#{r.rank}" for r in top], [("total time", [r.total_ms for r in top])], "ms",
        ))


def _activity(section: Section, conn: psycopg.Connection[Any]) -> None:
    from musicdb.reports import connection_stats, lock_info

    connections = connection_stats(conn)
    locks = lock_info(conn)
    section.facts += [
        Fact("connections", "Connections", connections.connections, "count"),
        Fact("max_connections", "max_connections", connections.max_connections, "count"),
        Fact("usage", "Of max_connections",
             connections.connections / connections.max_connections, "ratio"),
        Fact("waiting", "Sessions waiting for a lock", locks.waiting, "count"),
        Fact("blocking", "Sessions blocking others", len(locks.blocking), "count"),
    ]
    conn_report, lock_report = connections.to_report(), locks.to_report()
    section.notes += conn_report.notes + lock_report.notes
    section.tables += [Table(conn_report, code=("query",)), Table(lock_report, code=("query",))]
    if connections.by_state:
        states = sorted(connections.by_state.items(), key=lambda kv: -kv[1])
        section.charts.append(Chart(
            "connections_by_state", "Connections by state", "bar", [s for s, _ in states],
            [("connections", [float(n) for _, n in states])], "count",
        ))


def _health(section: Section, checks: HealthResult) -> None:
    report = checks.to_report()
    # each check's details are what the other sections list (the drift's differences, the
    # indexes, the views): the JSON carries them there once, not twice
    report.columns = [c for c in report.columns if c.key != "details"]
    counts = checks.counts()
    section.facts += [Fact("status", "Overall", checks.status)]
    section.facts += [Fact(status, status.capitalize(), n, "count") for status, n in counts.items()]
    section.facts.append(Fact("summary", "Summary", checks.summary()))
    section.tables.append(Table(report, ("check", "status", "message")))


_HISTORY = (
    Column("started_at", "Started", "timestamp"),
    Column("target", "View"),
    Column("outcome", "Outcome"),
    Column("duration_ms", "Took", "ms"),
    Column("rows", "Rows", "count"),
    Column("error", "Error", wrap=True),
)


def _views(section: Section, conn: psycopg.Connection[Any], checks: HealthResult) -> None:
    from musicdb.ops import maintenance

    check = next((c for c in checks.checks if c.name == "view_staleness"), None)
    if check is None:
        section.notes.append("the view_staleness check was not run")
    else:
        section.facts.append(Fact("staleness", "Staleness", f"{check.status}: {check.message}"))
        rows = check.details.get("views", [])
        section.tables.append(Table(Report("view-staleness", "Staleness", (
            Column("view", "View"), Column("populated", "Populated", "bool"),
            Column("last_refresh", "Last refresh", "timestamp"),
            Column("age_s", "Age", "seconds"), Column("status", "Status"),
            Column("message", "Message", wrap=True),
        ), rows)))
    history = maintenance.log_history(conn, maintenance.OP_REFRESH, limit=HISTORY_LIMIT)
    if not maintenance.log_available(conn):
        section.notes.append("no maintenance_log table (musicdb migrate up): refreshes are not "
                             "recorded")
    section.tables.append(Table(Report("refresh-history", "Recent refreshes", _HISTORY, history)))


def _bench(section: Section, path: Path | None) -> None:
    runs = load_bench_runs(path) if path is not None else []
    if path is None or not path.exists():
        section.unavailable = (f"no {path.name if path else BENCH_FILE.name} here: "
                               "'musicdb bench --save' records the runs charted here")
        return
    if not runs:
        section.unavailable = f"{path.name} holds no run"
        return
    patterns = sorted({name for run in runs for name in run["patterns"]}, key=_natural)
    labels = [_run_label(run, i) for i, run in enumerate(runs, 1)]
    section.facts += [Fact("runs", "Saved runs", len(runs), "count"),
                      Fact("file", "Results file", path.name)]
    section.charts.append(Chart(
        "bench_p95", "p95 of each query pattern over the saved runs", "line", labels,
        [(name, [_p95(run, name) for run in runs]) for name in patterns], "ms",
    ))
    last = runs[-1]["patterns"]
    rows = [{"pattern": name, "p95_ms": _p95(runs[-1], name),
             "first_p95_ms": next((_p95(r, name) for r in runs if _p95(r, name) is not None), None),
             "calls": last.get(name, {}).get("calls")} for name in patterns]
    section.tables.append(Table(Report("bench-latest", "The latest run", (
        Column("pattern", "Pattern"), Column("p95_ms", "p95", "ms"),
        Column("first_p95_ms", "p95 of the first run", "ms"), Column("calls", "Calls", "count"),
    ), rows)))


def _natural(name: str) -> list[Any]:
    """Sort key putting Q2 before Q10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", name)]


def _p95(run: dict[str, Any], name: str) -> float | None:
    value = run["patterns"].get(name, {}).get("p95_ms")
    return float(value) if isinstance(value, int | float) else None


def _run_label(run: dict[str, Any], number: int) -> str:
    saved = str(run.get("saved_at") or "")
    return saved[:19].replace("T", " ") if saved else f"run {number}"


def load_bench_runs(path: Path) -> list[dict[str, Any]]:
    """The runs of a ``musicdb bench --save`` results file (JSON lines), oldest first; lines that
    are not runs are skipped. Empty when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        from musicdb.errors import UsageError

        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    runs = []
    for line in text.splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("patterns"), dict):
            runs.append(doc)
    return runs


def format_for(path: str, fmt: str | None) -> str:
    """The format to write *path* in: *fmt* when given, else the one its suffix implies."""
    from musicdb.errors import UsageError

    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"cannot tell the format of {path!r} from its name: end it with .html, "
                         ".md or .json, or give --format html|markdown|json")
    return SUFFIXES[suffix]
