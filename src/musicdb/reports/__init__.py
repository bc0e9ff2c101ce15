"""DBA reports: one ``.sql`` file per report, a small registry, one plain function per report.

Every function takes an open psycopg connection and returns a :class:`musicdb.render.Report` with
raw values (bytes, milliseconds, counts, ratios); :func:`musicdb.render.emit` turns it into a table,
JSON or CSV. The SQL reads ``pg_catalog``, binds every value and never formats numbers.

Version variants are chosen by file name (like pg_activity's queries and check_pgactivity's
``query_ver``): ``name.sql`` is the base, ``name.pg16.sql`` is used from PostgreSQL 16 on and
``name.pss1.11.sql`` from pg_stat_statements 1.11 on; the highest variant not above the running
version wins.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from musicdb.errors import MusicdbError, NotFound, UsageError
from musicdb.render import Column, Report

if TYPE_CHECKING:
    import psycopg

#: Report queries run with these transaction-local settings: JIT compilation costs more than it
#: saves on catalog queries (its estimate is driven by catalog row counts), and the window/sort
#: steps over tens of thousands of indexes should not spill to disk.
QUERY_SETTINGS = {"jit": "off", "work_mem": "64MB"}


class ReportUnavailable(MusicdbError):
    """A report cannot run here (a missing extension or setting); the message says what to do."""


# -- SQL files and their version variants ----------------------------------------------------------
_VARIANT = re.compile(r"^(?P<base>[a-z0-9_]+)(?:\.(?P<kind>pg|pss)(?P<ver>\d+(?:\.\d+)?))?\.sql$")


def _parse_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@cache
def sql_files() -> dict[str, list[tuple[str | None, tuple[int, ...], str]]]:
    """``{base: [(kind, version, filename), ...]}`` for every file in ``reports/sql``."""
    found: dict[str, list[tuple[str | None, tuple[int, ...], str]]] = {}
    for entry in resources.files("musicdb.reports").joinpath("sql").iterdir():
        match = _VARIANT.match(entry.name)
        if not match:
            continue
        kind = match["kind"]
        version = _parse_version(match["ver"]) if match["ver"] else ()
        found.setdefault(match["base"], []).append((kind, version, entry.name))
    return found


def pick_sql_file(
    base: str, *, server_version_num: int, pss_version: tuple[int, ...] | None = None
) -> str:
    """The file name of the variant of *base* for this server (and pg_stat_statements version).

    ``pg`` variants compare with the server's major version, ``pss`` variants with the installed
    pg_stat_statements version; the highest variant not above the running version wins, else the
    base file.
    """
    variants = sql_files().get(base)
    if not variants:
        raise KeyError(f"no SQL file for report query {base!r}")
    major = (server_version_num // 10000,)
    best: tuple[tuple[int, ...], str] | None = None
    chosen = None
    for kind, version, name in variants:
        if kind is None:
            chosen = chosen or name
            continue
        running = major if kind == "pg" else pss_version
        if running is None or version > running:
            continue
        if best is None or version > best[0]:
            best = (version, name)
    if best is not None:
        return best[1]
    if chosen is None:
        raise KeyError(f"no variant of {base!r} for this server")
    return chosen


@cache
def load_sql(filename: str) -> str:
    return resources.files("musicdb.reports").joinpath("sql", filename).read_text("utf-8")


def query_text(
    conn: psycopg.Connection[Any], base: str, *, pss_version: tuple[int, ...] | None = None
) -> str:
    """The SQL of *base* for the server behind *conn*."""
    from musicdb.db import server_version_num

    name = pick_sql_file(base, server_version_num=server_version_num(conn), pss_version=pss_version)
    return load_sql(name)


def _statement(
    conn: psycopg.Connection[Any],
    base: str,
    *,
    pss_version: tuple[int, ...] | None,
    identifiers: Mapping[str, str] | None,
) -> Any:
    """The SQL of *base*; ``{name}`` placeholders become the quoted *identifiers* (catalog names
    such as an extension's schema, looked up by the caller, never user text)."""
    text = query_text(conn, base, pss_version=pss_version)
    if not identifiers:
        return text
    from psycopg import sql

    names = {key: sql.Identifier(value) for key, value in identifiers.items()}
    return sql.SQL(text).format(**names)  # type: ignore[arg-type]  # a packaged file


def fetch_tuples(
    conn: psycopg.Connection[Any],
    base: str,
    params: Mapping[str, Any] | None = None,
    *,
    pss_version: tuple[int, ...] | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run the report query *base* (its variant for this server): ``(column names, rows)``.

    Runs in its own read-only transaction with :data:`QUERY_SETTINGS` set locally, so the caller's
    session settings are untouched. Plain tuples: cheaper than dict rows for tens of thousands.
    """
    statement = _statement(conn, base, pss_version=pss_version, identifiers=identifiers)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT set_config(name, value, true) "
            "FROM unnest(%s::text[], %s::text[]) AS s(name, value)",
            (list(QUERY_SETTINGS), list(QUERY_SETTINGS.values())),
        )
        cur.execute(statement, dict(params or {}))  # a packaged file, values are bound
        columns = [c.name for c in cur.description or ()]
        return columns, list(cur.fetchall())


def fetch(
    conn: psycopg.Connection[Any],
    base: str,
    params: Mapping[str, Any] | None = None,
    *,
    pss_version: tuple[int, ...] | None = None,
    identifiers: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Like :func:`fetch_tuples`, as dict rows."""
    columns, rows = fetch_tuples(
        conn, base, params, pss_version=pss_version, identifiers=identifiers
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


# -- the registry ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportSpec:
    """A registered report: its CLI name, title, columns, SQL files and what it needs."""

    name: str
    title: str
    columns: tuple[Column, ...]
    sql: tuple[str, ...]
    function: Callable[..., Report]
    #: Extensions or settings the report needs (documentation; the function says what is missing).
    needs: tuple[str, ...] = ()
    #: Parameters to use for a smoke run (every report must work with none).
    params: Mapping[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, ReportSpec] = {}


def register(spec: ReportSpec) -> ReportSpec:
    REGISTRY[spec.name] = spec
    return spec


def run(conn: psycopg.Connection[Any], name: str, **params: Any) -> Report:
    """Run the registered report *name* with keyword *params*."""
    try:
        spec = REGISTRY[name]
    except KeyError:
        raise NotFound(f"no report named {name!r}; known: {', '.join(sorted(REGISTRY))}") from None
    return spec.function(conn, **params)


def _version_label(conn: psycopg.Connection[Any]) -> str:
    return str(conn.info.parameter_status("server_version") or conn.info.server_version)


def _report(conn: psycopg.Connection[Any], spec: ReportSpec, rows: list[dict[str, Any]]) -> Report:
    return Report(
        name=spec.name,
        title=spec.title,
        columns=spec.columns,
        rows=rows,
        server_version=_version_label(conn),
    )


def _one(conn: psycopg.Connection[Any], query: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Extension:
    """An extension installed in this database: its version and the schema holding its objects."""

    name: str
    version: tuple[int, ...]
    schema: str


def extension(conn: psycopg.Connection[Any], name: str) -> Extension | None:
    """Extension *name* as installed in this database, or None."""
    row = conn.execute(
        "SELECT e.extversion, n.nspname FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        (name,),
    ).fetchone()
    if row is None:
        return None
    version = tuple(int(p) for p in re.findall(r"\d+", str(row[0]))) or (0,)
    return Extension(name, version, str(row[1]))


def installed_extension(conn: psycopg.Connection[Any], name: str) -> tuple[int, ...] | None:
    """The installed version of extension *name* in this database, or None."""
    found = extension(conn, name)
    return found.version if found else None


def available_extension(conn: psycopg.Connection[Any], name: str) -> bool:
    """Whether the server has extension *name* available to CREATE EXTENSION."""
    return bool(_one(conn, "SELECT count(*) FROM pg_available_extensions WHERE name = %s", (name,)))


def _check_schema(conn: psycopg.Connection[Any], schema: str | None) -> None:
    if schema is not None and not _one(
        conn, "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
    ):
        raise NotFound(f"schema {schema!r} does not exist in this database")


def _check_positive(name: str, value: int | None, *, allow_zero: bool = True) -> None:
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        raise UsageError(f"{name} must be {'zero or more' if allow_zero else 'positive'}")


# -- statistics age --------------------------------------------------------------------------------
def stats_since(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """Since when the cumulative statistics of this database have been collected.

    ``stats_reset`` is NULL when the counters were never reset (they then run since the database
    was created or since the last crash: a crash, and a restart before PostgreSQL 15 without a
    clean shutdown, discard them); the server's start time bounds that from below.
    """
    row = conn.execute(
        "SELECT d.stats_reset, pg_postmaster_start_time(), now() "
        "FROM pg_stat_database d WHERE d.datname = current_database()"
    ).fetchone()
    reset, started, now = row if row else (None, None, None)
    since = reset or started
    return {
        "stats_reset": reset,
        "server_started": started,
        "stats_since": since,
        "stats_age_seconds": (now - since).total_seconds() if since and now else None,
    }


def _age_text(seconds: float) -> str:
    from musicdb.render import human_seconds

    return human_seconds(seconds)


# == analyze-indexes ===============================================================================
INDEX_COLUMNS = (
    Column("schema", "Schema"),
    Column("table", "Table"),
    Column("index", "Index"),
    Column("verdicts", "Verdicts"),
    Column("detail", "Detail"),
    Column("role", "Role"),
    Column("scans", "Scans", "count"),
    Column("tuples_read", "Tuples read", "count"),
    Column("tuples_fetched", "Tuples fetched", "count"),
    Column("size_bytes", "Size", "bytes"),
    Column("last_scan", "Last scan", "timestamp"),
)

VERDICTS = ("unused", "duplicate", "redundant", "invalid")
#: Below this age, "unused" verdicts come with a warning: the counters have not seen enough work.
MIN_STATS_AGE_S = 7 * 24 * 3600


def index_verdicts(
    conn: psycopg.Connection[Any],
    schema: str | None = None,
    *,
    unused: bool = False,
    duplicates: bool = False,
    invalid: bool = False,
    exact_sizes: bool = False,
) -> Report:
    """Every index with its usage and verdicts: unused, duplicate, (prefix-)redundant, invalid.

    * unused: no scan since statistics were collected, never for primary-key, unique, exclusion or
      foreign-key-backing indexes (see ``meta["stats_since"]``);
    * duplicate: same definition as another valid index of the table (``detail`` names the one to
      keep);
    * redundant: its key columns are a left prefix of another index's (btree, not unique);
    * invalid: a failed ``CREATE INDEX CONCURRENTLY`` left it behind; it costs writes,
      serves nothing.

    The filters keep rows with any of the chosen verdicts (``duplicates`` covers both duplicate and
    redundant). Sizes come from ``pg_class.relpages`` (kept by VACUUM, ANALYZE and CREATE INDEX)
    unless *exact_sizes* asks ``pg_relation_size()`` for each index, which opens every index.
    """
    _check_schema(conn, schema)
    spec = REGISTRY["analyze-indexes"]
    columns, raw = fetch_tuples(
        conn, "index_verdicts", {"schema": schema, "exact_sizes": exact_sizes}
    )
    at = {name: i for i, name in enumerate(columns)}
    i_schema, i_table, i_index, i_role, i_valid = (
        at["schema_name"], at["table_name"], at["index_name"], at["role"], at["valid"]
    )  # fmt: skip
    i_scans, i_read, i_fetched, i_size, i_last = (
        at["scans"], at["tuples_read"], at["tuples_fetched"], at["size_bytes"], at["last_scan"]
    )  # fmt: skip
    i_dup, i_prefix = at["duplicate_of"], at["prefix_of"]
    rows = []
    for r in raw:
        verdicts: list[str] = []
        details: list[str] = []
        if not r[i_valid]:
            verdicts.append("invalid")
            details.append("invalid: a failed concurrent build; drop it or REINDEX it")
        elif r[i_scans] == 0 and r[i_role] == "":
            verdicts.append("unused")
        duplicate_of, prefix_of = r[i_dup], r[i_prefix]
        if duplicate_of:
            verdicts.append("duplicate")
            details.append(f"duplicate of {duplicate_of}")
        if prefix_of:
            verdicts.append("redundant")
            details.append(f"left prefix of {prefix_of}")
        rows.append(
            {
                "schema": r[i_schema],
                "table": r[i_table],
                "index": r[i_index],
                "verdicts": verdicts,
                "detail": "; ".join(details),
                "role": r[i_role],
                "scans": r[i_scans],
                "tuples_read": r[i_read],
                "tuples_fetched": r[i_fetched],
                "size_bytes": r[i_size],
                "last_scan": r[i_last],
                "duplicate_of": duplicate_of,
                "prefix_of": prefix_of,
            }
        )
    wanted: set[str] = set()
    if unused:
        wanted.add("unused")
    if duplicates:
        wanted |= {"duplicate", "redundant"}
    if invalid:
        wanted.add("invalid")
    if wanted:
        rows = [row for row in rows if wanted & set(row["verdicts"])]
    report = _report(conn, spec, rows)
    since = stats_since(conn)
    report.meta = {
        **since,
        "size_source": "pg_relation_size" if exact_sizes else "pg_class.relpages",
        "counts": {v: sum(v in row["verdicts"] for row in rows) for v in VERDICTS},
    }
    when = since["stats_since"]
    if since["stats_reset"] is not None:
        report.notes.append(
            f"index statistics collected since {when:%Y-%m-%d %H:%M %Z} (last reset)"
        )
    elif when is not None:
        report.notes.append(
            "index statistics never reset: collected since the database was created "
            f"(server up since {when:%Y-%m-%d %H:%M %Z})"
        )
    age = since["stats_age_seconds"]
    if age is not None and since["stats_reset"] is not None and age < MIN_STATS_AGE_S:
        report.notes.append(
            f"statistics are only {_age_text(age)} old: 'unused' means unused in that time only"
        )
    if not exact_sizes:
        report.notes.append("sizes from pg_class.relpages (as of the last VACUUM/ANALYZE)")
    return report


register(
    ReportSpec(
        name="analyze-indexes",
        title="Indexes: usage and verdicts",
        columns=INDEX_COLUMNS,
        sql=("index_verdicts",),
        function=index_verdicts,
    )
)


# == table-stats ===================================================================================
TABLE_COLUMNS = (
    Column("schema", "Schema"),
    Column("table", "Table"),
    Column("total_bytes", "Total", "bytes"),
    Column("heap_bytes", "Heap", "bytes"),
    Column("index_bytes", "Indexes", "bytes"),
    Column("toast_bytes", "TOAST", "bytes"),
    Column("live_rows", "Live rows", "count"),
    Column("dead_rows", "Dead rows", "count"),
    Column("dead_threshold", "Autovacuum at", "count"),
    Column("dead_vs_threshold", "Dead/threshold", "ratio"),
    Column("bloat_bytes", "Bloat", "bytes"),
    Column("bloat_ratio", "Bloat %", "ratio"),
    Column("bloat_basis", "Bloat basis"),
    Column("last_vacuum", "Last vacuum", "timestamp"),
    Column("last_autovacuum", "Last autovacuum", "timestamp"),
    Column("last_analyze", "Last analyze", "timestamp"),
    Column("last_autoanalyze", "Last autoanalyze", "timestamp"),
)


def table_stats(
    conn: psycopg.Connection[Any],
    schema: str | None = None,
    *,
    limit: int | None = None,
    exact: int = 0,
    exact_sizes: bool = False,
) -> Report:
    """Per table: sizes, live/dead rows against autovacuum's threshold, bloat, last maintenance.

    Rows come largest first; *limit* keeps the first N (None: all). Bloat is a statistical estimate
    from the column statistics of the tables shown (``pg_statistic`` when the role may read it,
    else ``pg_stats``; see :func:`_bloat_estimate`): ``bloat_basis`` says ``estimate`` or why it is
    unknown (then the bytes are NULL, never a guess); *exact* measures the first N tables with
    ``pgstattuple`` instead (``bloat_basis = "pgstattuple"``), which reads each of them in full.
    """
    _check_schema(conn, schema)
    _check_positive("--limit", limit)
    _check_positive("--exact", exact)
    spec = REGISTRY["table-stats"]
    raw = fetch(
        conn, "table_stats", {"schema": schema, "exact_sizes": exact_sizes, "limit": limit or None}
    )
    widths = _table_widths(conn, raw)
    rows = []
    for r in raw:
        basis, bloat = _bloat_estimate(r, widths.get(r["oid"]))
        heap_stats = r["heap_stats_bytes"]
        rows.append(
            {
                "oid": r["oid"],
                "schema": r["schema_name"],
                "table": r["table_name"],
                "total_bytes": r["heap_bytes"] + r["index_bytes"] + r["toast_bytes"],
                "heap_bytes": r["heap_bytes"],
                "index_bytes": r["index_bytes"],
                "toast_bytes": r["toast_bytes"],
                "live_rows": r["live_rows"],
                "dead_rows": r["dead_rows"],
                "dead_threshold": r["dead_threshold"],
                "dead_vs_threshold": float(r["dead_vs_threshold"]),
                "bloat_bytes": bloat,
                "bloat_ratio": (bloat / heap_stats if heap_stats else 0.0)
                if bloat is not None
                else None,
                "bloat_basis": basis,
                "last_vacuum": r["last_vacuum"],
                "last_autovacuum": r["last_autovacuum"],
                "last_analyze": r["last_analyze"],
                "last_autoanalyze": r["last_autoanalyze"],
                "fillfactor": float(r["fillfactor"]),
            }
        )
    report = _report(conn, spec, rows)
    total = raw[0]["total_tables"] if raw else 0
    report.meta = {
        "tables": total,
        "shown": len(rows),
        "size_source": "pg_table_size" if exact_sizes else "pg_class.relpages",
    }
    if limit and total > len(rows):
        report.notes.append(f"showing the {len(rows)} largest of {total} tables (--limit 0: all)")
    unknown: dict[str, int] = {}
    for row in rows:
        if row["bloat_basis"].startswith("unknown"):
            unknown[row["bloat_basis"]] = unknown.get(row["bloat_basis"], 0) + 1
    for basis, count in sorted(unknown.items()):
        reason = basis.removeprefix("unknown: ")
        hint = {
            "never analyzed": "run ANALYZE",
            "stale statistics": "run ANALYZE",
            "no statistics": "run ANALYZE",
        }.get(reason, "grant SELECT on the tables or run as their owner")
        report.notes.append(f"bloat unknown for {count} table(s): {reason} ({hint})")
    if exact:
        _measure_exact(conn, report, rows[:exact])
    if not exact_sizes:
        report.notes.append("sizes from pg_class.relpages (as of the last VACUUM/ANALYZE)")
    return report


def _table_widths(
    conn: psycopg.Connection[Any], raw: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """``{oid: figures}`` the bloat estimate needs, for the tables of *raw* only.

    A role that may read ``pg_statistic`` (a superuser) gets them from there; any other role from
    the ``pg_stats`` view, which hides the columns it may not SELECT.
    """
    if not raw:
        return {}
    params = {
        "oids": [r["oid"] for r in raw],
        "schemas": [r["schema_name"] for r in raw],
        "tables": [r["table_name"] for r in raw],
    }
    direct = _one(conn, "SELECT has_table_privilege('pg_catalog.pg_statistic', 'SELECT')")
    base = "table_widths_statistic" if direct else "table_widths"
    return {w["oid"]: w for w in fetch(conn, base, params)}


def _bloat_estimate(r: Mapping[str, Any], w: Mapping[str, Any] | None) -> tuple[str, int | None]:
    """``(bloat_basis, bloat bytes or None)`` of one table from its pages, rows and column widths.

    Expected heap pages: rows / rows per page, a row being its header (23 bytes plus the NULL
    bitmap, MAXALIGNed), its data (the sum of average widths weighted by the non-NULL fraction,
    MAXALIGNed) and a 4-byte line pointer, pages holding (block size - 24) * fillfactor bytes.
    Unknown (None) when the statistics are missing, hidden or stale: never a guess.
    """
    ncols = int(w["ncols"]) if w else 0
    with_stats = int(w["ncols_with_stats"] or 0) if w else 0
    if r["relpages"] == 0:
        basis = "estimate"
    elif r["reltuples"] < 0:
        basis = "unknown: never analyzed"
    elif with_stats < ncols and not r["can_select"]:
        basis = "unknown: no SELECT privilege (pg_stats hides the statistics)"
    elif with_stats < ncols:
        basis = "unknown: no statistics"
    elif r["mod_since_analyze"] > r["analyze_threshold"]:
        basis = "unknown: stale statistics"
    else:
        basis = "estimate"
    if basis != "estimate":
        return basis, None
    bs = int(r["bs"])
    max_null_frac = float(w["max_null_frac"] or 0) if w else 0.0
    data_width = float(w["data_width"] or 0) if w else 0.0
    header = 23 + (math.ceil(ncols / 8) if max_null_frac > 0 else 0)
    tuple_bytes = math.ceil(header / 8) * 8 + math.ceil(data_width / 8) * 8 + 4
    per_page = max(math.floor((bs - 24) * float(r["fillfactor"]) / 100 / tuple_bytes), 1)
    expected = math.ceil(max(float(r["reltuples"]), 0.0) / per_page)
    return basis, max(int(r["relpages"]) - expected, 0) * bs


def _measure_exact(
    conn: psycopg.Connection[Any], report: Report, rows: list[dict[str, Any]]
) -> None:
    """Replace the estimated bloat of *rows* by pgstattuple's measurement."""
    import psycopg

    if installed_extension(conn, "pgstattuple") is None:
        how = (
            "CREATE EXTENSION pgstattuple"
            if available_extension(conn, "pgstattuple")
            else "install PostgreSQL's contrib package, then CREATE EXTENSION pgstattuple"
        )
        report.notes.append(f"--exact needs the pgstattuple extension: {how}")
        return
    measured = 0
    for row in rows:
        try:
            with conn.transaction():
                got = conn.execute(
                    "SELECT table_len, dead_tuple_len, free_space FROM pgstattuple(%s::oid)",
                    (row["oid"],),
                ).fetchone()
        except psycopg.errors.InsufficientPrivilege:
            report.notes.append(
                "--exact: pgstattuple needs the pg_stat_scan_tables role (or pg_monitor)"
            )
            return
        except psycopg.errors.UndefinedTable:
            continue  # dropped since the listing
        assert got is not None
        table_len, dead_len, free = got
        reserve = table_len * (100 - row["fillfactor"]) / 100
        bloat = max(int(dead_len + free - reserve), 0)
        row["bloat_bytes"] = bloat
        row["bloat_ratio"] = bloat / table_len if table_len else 0.0
        row["bloat_basis"] = "pgstattuple"
        measured += 1
    report.meta["exact_measured"] = measured


register(
    ReportSpec(
        name="table-stats",
        title="Tables: sizes, dead rows, bloat, maintenance",
        columns=TABLE_COLUMNS,
        sql=("table_stats",),
        function=table_stats,
        params={"exact": 1},
    )
)


# == missing-indexes ===============================================================================
MISSING_COLUMNS = (
    Column("finding", "Finding"),
    Column("schema", "Schema"),
    Column("table", "Table"),
    Column("columns", "Columns"),
    Column("rows", "Rows", "count"),
    Column("seq_scans", "Seq scans", "count"),
    Column("seq_rows_read", "Rows read by seq scans", "count"),
    Column("idx_scans", "Index scans", "count"),
    Column("cost_before", "Cost before", "number"),
    Column("cost_after", "Cost after", "number"),
    Column("detail", "Detail", wrap=True),
)

#: Tables below this many rows are never "dominated by sequential scans" (they fit a few pages).
DEFAULT_MIN_ROWS = 10_000


def missing_indexes(
    conn: psycopg.Connection[Any],
    schema: str | None = None,
    *,
    min_rows: int = DEFAULT_MIN_ROWS,
    what_if: int = 10,
) -> Report:
    """Foreign keys without a leading index, tables dominated by sequential scans, and (with the
    ``hypopg`` extension) what-if indexes for the costliest statements of pg_stat_statements.

    ``finding`` is ``fk without index``, ``seq scans dominate`` or ``what-if index``.
    """
    _check_schema(conn, schema)
    _check_positive("--min-rows", min_rows)
    _check_positive("--what-if", what_if)
    spec = REGISTRY["missing-indexes"]
    rows: list[dict[str, Any]] = []
    for r in fetch(conn, "fk_without_index", {"schema": schema}):
        rows.append(
            {
                "finding": "fk without index",
                "schema": r["schema_name"],
                "table": r["table_name"],
                "columns": r["columns"],
                "rows": r["table_rows"],
                "detail": f"{r['constraint_name']} references "
                f"{r['referenced_schema']}.{r['referenced_table']}",
                "constraint": r["constraint_name"],
            }
        )
    for r in fetch(conn, "seq_scan_tables", {"schema": schema, "min_rows": min_rows}):
        rows.append(
            {
                "finding": "seq scans dominate",
                "schema": r["schema_name"],
                "table": r["table_name"],
                "columns": [],
                "rows": r["table_rows"],
                "seq_scans": r["seq_scans"],
                "seq_rows_read": r["seq_rows_read"],
                "idx_scans": r["idx_scans"],
                "detail": "",
            }
        )
    report = _report(conn, spec, rows)
    report.meta = {"min_rows": min_rows, "hypopg": None}
    if what_if:
        from musicdb.reports import whatif

        whatif.add_suggestions(conn, report, limit=what_if)
    return report


register(
    ReportSpec(
        name="missing-indexes",
        title="Missing indexes",
        columns=MISSING_COLUMNS,
        sql=("fk_without_index", "seq_scan_tables"),
        function=missing_indexes,
        needs=("hypopg (optional)", "pg_stat_statements (optional)"),
    )
)


# == analyze-queries ===============================================================================
QUERY_COLUMNS = (
    Column("rank", "#", "count"),
    Column("calls", "Calls", "count"),
    Column("rows", "Rows", "count"),
    Column("mean_ms", "Mean", "ms"),
    Column("total_ms", "Total", "ms"),
    Column("share", "Share", "ratio"),
    Column("io_ms", "I/O", "ms"),
    Column("user", "User"),
    Column("query", "Query", wrap=True),
)
ORDERS = ("total", "mean", "calls")
HIDDEN_TEXT = "<insufficient privilege>"


def pg_stat_statements_extension(conn: psycopg.Connection[Any]) -> Extension:
    """pg_stat_statements as installed here (version and schema) and loaded, or
    :class:`ReportUnavailable` saying what to do.

    Its objects are called qualified with its schema (``CREATE EXTENSION ... SCHEMA ext`` puts them
    outside the search path). Whether the library is loaded is asked of the cheap
    ``pg_stat_statements_info`` view (1.9 on) rather than a read of every statement.
    """
    import psycopg
    from psycopg import sql

    found = extension(conn, "pg_stat_statements")
    if found is None:
        preload = (
            ""
            if _preloaded(conn)
            else (" (and add it to shared_preload_libraries, then restart the server)")
        )
        raise ReportUnavailable(
            "pg_stat_statements is not installed in this database: run "
            f"'CREATE EXTENSION pg_stat_statements'{preload}"
        )
    probe = (
        "SELECT stats_reset FROM {}.pg_stat_statements_info"
        if found.version >= (1, 9)
        else "SELECT 1 FROM {}.pg_stat_statements(false) LIMIT 1"
    )
    try:
        with conn.transaction():
            conn.execute(sql.SQL(probe).format(sql.Identifier(found.schema)))
    except psycopg.errors.ObjectNotInPrerequisiteState:
        raise ReportUnavailable(
            "pg_stat_statements is installed but not loaded: add it to shared_preload_libraries "
            "in postgresql.conf and restart the server"
        ) from None
    return found


def pg_stat_statements_version(conn: psycopg.Connection[Any]) -> tuple[int, ...]:
    """The installed pg_stat_statements version (see :func:`pg_stat_statements_extension`)."""
    return pg_stat_statements_extension(conn).version


def _preloaded(conn: psycopg.Connection[Any]) -> bool:
    value = _one(conn, "SELECT current_setting('shared_preload_libraries', true)")
    return value is not None and "pg_stat_statements" in str(value)


def analyze_queries(
    conn: psycopg.Connection[Any],
    *,
    order: str = "total",
    limit: int = 20,
    all_databases: bool = False,
) -> Report:
    """Top statements from pg_stat_statements by total time, mean time or calls.

    Statistics are read without texts first (``pg_stat_statements(false)``); the texts are then
    fetched for the rows shown only. Texts keep their full length (whitespace collapsed); the table
    renderer cuts them to the terminal width.
    """
    if order not in ORDERS:
        raise UsageError(f"--order must be one of {', '.join(ORDERS)} (got {order!r})")
    _check_positive("--limit", limit, allow_zero=False)
    ext = pg_stat_statements_extension(conn)
    pss, schema = ext.version, {"pss": ext.schema}
    spec = REGISTRY["analyze-queries"]
    params = {"order": order, "limit": limit, "all_databases": all_databases}
    stats = fetch(conn, "query_stats", params, pss_version=pss, identifiers=schema)
    ids = [r["queryid"] for r in stats if r["queryid"] is not None]
    texts: dict[tuple[Any, Any, Any], str] = {}
    if ids:
        for t in fetch(conn, "query_texts", {"queryids": ids}, pss_version=pss,
                       identifiers=schema):  # fmt: skip
            texts[(t["queryid"], t["userid"], t["dbid"])] = t["query"]
    rows = []
    hidden = 0
    for rank, r in enumerate(stats, 1):
        text = texts.get((r["queryid"], r["userid"], r["dbid"]))
        if text is None or text == HIDDEN_TEXT:
            hidden += 1
            text = HIDDEN_TEXT
        rows.append(
            {
                "rank": rank,
                "queryid": r["queryid"],
                "calls": r["calls"],
                "rows": r["rows"],
                "mean_ms": float(r["mean_ms"]),
                "total_ms": float(r["total_ms"]),
                "share": float(r["share"]) if r["share"] is not None else None,
                "io_ms": float(r["io_ms"]),
                "user": r["user_name"],
                "query": " ".join(text.split()),
            }
        )
    report = _report(conn, spec, rows)
    report.meta = {
        "order": order,
        "statements": stats[0]["statements"] if stats else 0,
        "pg_stat_statements": ".".join(map(str, pss)),
        "sql_file": pick_sql_file(
            "query_stats", server_version_num=conn.info.server_version, pss_version=pss
        ),
    }
    info = _pss_info(conn, ext)
    if info:
        report.meta["stats_reset"] = info
    if hidden:
        report.notes.append(
            f"{hidden} statement text(s) hidden: other users' texts need pg_read_all_stats "
            "(or pg_monitor)"
        )
    return report


def _pss_info(conn: psycopg.Connection[Any], ext: Extension) -> Any:
    """pg_stat_statements_info.stats_reset (pg_stat_statements 1.9 on), else None."""
    from psycopg import sql

    if ext.version < (1, 9):
        return None
    query = sql.SQL("SELECT stats_reset FROM {}.pg_stat_statements_info").format(
        sql.Identifier(ext.schema)
    )
    row = conn.execute(query).fetchone()
    return row[0] if row else None


register(
    ReportSpec(
        name="analyze-queries",
        title="Top statements (pg_stat_statements)",
        columns=QUERY_COLUMNS,
        sql=("query_stats", "query_texts"),
        function=analyze_queries,
        needs=("pg_stat_statements",),
    )
)


# == connection-stats ==============================================================================
CONNECTION_COLUMNS = (
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


def connection_stats(conn: psycopg.Connection[Any]) -> Report:
    """Connections by state, application and user against ``max_connections``; the longest
    running query, the oldest open transaction and idle-in-transaction sessions (this session
    excluded)."""
    spec = REGISTRY["connection-stats"]
    max_conn = int(_one(conn, "SELECT current_setting('max_connections')::int"))
    rows: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    for r in fetch(conn, "connection_groups"):
        rows.append(
            {
                "section": f"by {r['grouping']}",
                "name": r["name"],
                "connections": r["connections"],
                "share": r["connections"] / max_conn,
            }
        )
        if r["grouping"] == "state":
            totals[r["name"]] = r["connections"]
    hidden = 0
    for r in fetch(conn, "connection_sessions"):
        if r["query"] == HIDDEN_TEXT:
            hidden += 1
        rows.append(
            {
                "section": r["kind"],
                "name": r["kind"],
                "pid": r["pid"],
                "user": r["user_name"],
                "application": r["application_name"],
                "state": r["state"],
                "duration_s": float(r["seconds"]) if r["seconds"] is not None else None,
                "xact_s": float(r["xact_seconds"]) if r["xact_seconds"] is not None else None,
                "query": " ".join((r["query"] or "").split()),
            }
        )
    report = _report(conn, spec, rows)
    total = sum(totals.values())
    report.meta = {
        "max_connections": max_conn,
        "connections": total,
        "usage": total / max_conn,
        "by_state": totals,
    }
    if hidden:
        report.notes.append(
            f"{hidden} query text(s) hidden: other users' queries need pg_read_all_stats "
            "(or pg_monitor)"
        )
    return report


register(
    ReportSpec(
        name="connection-stats",
        title="Connections",
        columns=CONNECTION_COLUMNS,
        sql=("connection_groups", "connection_sessions"),
        function=connection_stats,
    )
)


# == lock-info =====================================================================================
LOCK_COLUMNS = (
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


def _lock_target(r: Mapping[str, Any]) -> str | None:
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
        return f"advisory lock ({r['classid']}, {r['objid']})"
    return f"{kind} {r['classid']}/{r['objid']}/{r['objsubid']}"


def lock_info(conn: psycopg.Connection[Any]) -> Report:
    """Who blocks whom, as a tree: blockers at the root, the sessions waiting for them beneath.

    ``pg_blocking_pids()`` is asked for waiting sessions only. Each waiting row says how long it
    has waited, the lock mode it asked for and the target (table, row, transaction id, advisory
    key, ...).
    """
    spec = REGISTRY["lock-info"]
    raw = {r["pid"]: r for r in fetch(conn, "lock_waits")}
    children: dict[int, list[int]] = {}
    for pid, r in raw.items():
        for blocker in r["blocked_by"] or []:
            children.setdefault(blocker, []).append(pid)
    roots = [pid for pid, r in raw.items() if not r["blocked_by"]]
    # Sessions in a wait cycle only (deadlock about to be detected) have no root: take the lowest.
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()

    def visit(pid: int, depth: int) -> None:
        r = raw.get(pid)
        if r is None or pid in seen:
            return
        seen.add(pid)
        rows.append(
            {
                "tree": ("  " * depth + ("└─ " if depth else "")) + str(pid),
                "pid": pid,
                "depth": depth,
                "blocked_by": list(r["blocked_by"] or []),
                "user": r["user_name"],
                "application": r["application_name"],
                "state": r["state"],
                "wait_s": float(r["wait_seconds"]) if r["locktype"] and r["wait_seconds"] else None,
                "xact_s": float(r["xact_seconds"]) if r["xact_seconds"] is not None else None,
                "mode": r["mode"],
                "target": _lock_target(r),
                "query": " ".join((r["query"] or "").split()),
            }
        )
        for child in sorted(children.get(pid, [])):
            visit(child, depth + 1)

    for pid in sorted(roots):
        visit(pid, 0)
    for pid in sorted(raw):
        visit(pid, 0)
    report = _report(conn, spec, rows)
    report.meta = {
        "waiting": sum(1 for r in raw.values() if r["blocked_by"]),
        "blocking": sorted(roots),
    }
    return report


register(
    ReportSpec(
        name="lock-info",
        title="Locks: who blocks whom",
        columns=LOCK_COLUMNS,
        sql=("lock_waits",),
        function=lock_info,
    )
)
