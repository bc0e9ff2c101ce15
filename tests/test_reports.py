"""DBA reports against a real server: every report in every format, and seeded conditions.

One database per module is seeded with the conditions the reports must find (a never-used index,
a duplicate and a prefix-redundant index, an INVALID index, an unindexed foreign key, dead rows, a
statement in pg_stat_statements); sessions that block each other or sit idle in a transaction are
held open from background threads by the tests that need them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from musicdb import locks, reports

SCHEMA = "rt"
PROBE = "SELECT count(*) FROM rt.items WHERE note = 'musicdb-probe'"


def _wait_for(predicate, what: str, attempts: int = 100) -> Any:
    """Poll *predicate* (statistics reach the shared counters asynchronously)."""
    for _ in range(attempts):
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never saw {what}")


def _plant_probe(url: str) -> None:
    """Run the probe statement 5 times on a clean slate for this database.

    pg_stat_statements keeps one shared table for the whole server; other tests fill it and, once
    it is full, the least-used entries are evicted, the probe's among them. Resetting this
    database's entries first (not the other databases') and running the probe right before the
    report reads it keeps the entry there.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database "
            "WHERE datname = current_database()"
        )
        for _ in range(5):
            conn.execute(PROBE)


def _seed(conn: psycopg.Connection[Any]) -> None:
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    conn.execute(f"CREATE SCHEMA {SCHEMA}")
    conn.execute(
        "CREATE TABLE rt.items (id int PRIMARY KEY, code text NOT NULL, kind int NOT NULL, "
        "note text, qty int NOT NULL)"
    )
    conn.execute(
        "INSERT INTO rt.items SELECT i, 'c' || i, i % 10, 'n' || i, i % 7 "
        "FROM generate_series(1, 20000) i"
    )
    conn.execute("CREATE INDEX items_never_used ON rt.items (qty)")
    conn.execute("CREATE INDEX items_kind ON rt.items (kind)")
    conn.execute("CREATE INDEX items_kind_dup ON rt.items (kind)")
    conn.execute("CREATE INDEX items_note ON rt.items (note)")
    conn.execute("CREATE INDEX items_note_kind ON rt.items (note, kind)")
    conn.execute("CREATE TABLE rt.parents (id int PRIMARY KEY)")
    conn.execute("INSERT INTO rt.parents SELECT generate_series(1, 10)")
    conn.execute(
        "CREATE TABLE rt.children (id int PRIMARY KEY, parent_id int REFERENCES rt.parents(id), "
        "other_id int REFERENCES rt.parents(id))"
    )
    conn.execute("CREATE INDEX children_other ON rt.children (other_id)")
    conn.execute("CREATE TABLE rt.churn (id int PRIMARY KEY, v int)")
    conn.execute("INSERT INTO rt.churn SELECT i, 0 FROM generate_series(1, 2000) i")
    conn.execute("ANALYZE rt.items, rt.parents, rt.children, rt.churn")
    # An INVALID index: a concurrent unique build over duplicate values fails and stays behind.
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("CREATE UNIQUE INDEX CONCURRENTLY items_kind_invalid ON rt.items (kind)")
    # Dead rows: a mass update, flushed to the shared statistics.
    conn.execute("UPDATE rt.churn SET v = v + 1")
    conn.execute("SELECT pg_stat_force_next_flush()")
    # A statement for analyze-queries, and sequential scans over a big table.
    for _ in range(5):
        conn.execute(PROBE)
    conn.execute("SELECT pg_stat_force_next_flush()")


@pytest.fixture(scope="module")
def seeded_url(pg_server, template_db) -> Iterator[str]:
    with pg_server.database(template_db) as name:
        url = pg_server.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            _seed(conn)
        with psycopg.connect(url, autocommit=True) as conn:
            _wait_for(
                lambda: conn.execute(
                    "SELECT n_dead_tup >= 2000 FROM pg_stat_user_tables WHERE relname = 'churn'"
                ).fetchone()[0],
                "dead rows in pg_stat_user_tables",
            )
        yield url


@pytest.fixture(scope="module")
def monitor_url(pg_server, seeded_url) -> Iterator[str]:
    """A non-superuser with pg_monitor, connecting through the same socket."""
    with pg_server.role("musicdb_mon", member_of="pg_monitor") as role:
        yield make_conninfo(seeded_url, user=role)


def _rows(result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.json()["rows"]


# -- every report, every format --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(reports.REGISTRY))
def test_every_report_in_every_format(cli, seeded_url, name) -> None:
    spec = reports.REGISTRY[name]
    doc = cli(name, "--format", "json", url=seeded_url).json()
    assert doc["report"] == name
    assert [c["name"] for c in doc["columns"]] == [c.key for c in spec.columns]
    assert doc["server_version"]
    for row in doc["rows"]:
        assert set(row) == {c.key for c in spec.columns}
    result = cli(name, "--format", "csv", url=seeded_url)
    assert result.exit_code == 0, result.stderr
    parsed = list(csv.reader(io.StringIO(result.stdout)))
    assert parsed[0] == [c.key for c in spec.columns]
    assert len(parsed) == len(doc["rows"]) + 1
    result = cli(name, url=seeded_url)
    assert result.exit_code == 0, result.stderr
    assert spec.title.split(":")[0] in result.stdout
    assert "Traceback" not in result.stderr


def test_registry_runs_as_library(seeded_url) -> None:
    with psycopg.connect(seeded_url, autocommit=True) as conn:
        for name, spec in reports.REGISTRY.items():
            report = reports.run(conn, name, **spec.params)
            assert report.name == name
            assert report.rows or name == "lock-info"


# -- version variants ------------------------------------------------------------------------------
def test_variant_used_matches_the_server(cli, seeded_url, pg_server) -> None:
    doc = cli("analyze-queries", "--format", "json", url=seeded_url).json()
    expected = "query_stats.pss1.11.sql" if pg_server.version_num >= 170000 else (
        "query_stats.pss1.8.sql")
    assert doc["meta"]["sql_file"] == expected
    indexes = cli("analyze-indexes", "--schema", SCHEMA, "--format", "json", url=seeded_url)
    last_scans = [r["last_scan"] for r in _rows(indexes) if r["index"] == "items_pkey"]
    # PostgreSQL 16 added the last scan time: nothing scanned the primary key, so it is NULL on
    # both paths, and the column exists on both.
    assert last_scans == [None]


# -- analyze-indexes -------------------------------------------------------------------------------
def test_index_verdicts(cli, seeded_url) -> None:
    # the statistics of a fresh test server are young: judge usage at once (--min-stats-age 0)
    rows = _rows(cli("analyze-indexes", "--schema", SCHEMA, "--min-stats-age", "0", "--format",
                     "json", url=seeded_url))
    by_name = {r["index"]: r for r in rows}
    assert "unused" in by_name["items_never_used"]["verdicts"]
    assert by_name["items_pkey"]["verdicts"] == []
    assert by_name["items_pkey"]["role"] == "primary key"
    assert by_name["children_other"]["role"] == "foreign key"
    assert "unused" not in by_name["children_other"]["verdicts"]
    assert "duplicate" in by_name["items_kind_dup"]["verdicts"]
    assert "duplicate of items_kind" in by_name["items_kind_dup"]["detail"]
    assert "duplicate" not in by_name["items_kind"]["verdicts"]
    assert "redundant" in by_name["items_note"]["verdicts"]
    assert "items_note_kind" in by_name["items_note"]["detail"]
    assert by_name["items_kind_invalid"]["verdicts"] == ["invalid"]
    assert by_name["items_kind_invalid"]["size_bytes"] >= 0
    assert all(r["schema"] == SCHEMA for r in rows)


def test_index_filters_and_stats_since(cli, seeded_url) -> None:
    result = cli("analyze-indexes", "--schema", SCHEMA, "--invalid", "--format", "json",
                 url=seeded_url)
    doc = result.json()
    assert [r["index"] for r in doc["rows"]] == ["items_kind_invalid"]
    assert doc["meta"]["stats_since"]
    dups = _rows(cli("analyze-indexes", "--schema", SCHEMA, "--duplicates", "--format", "json",
                     url=seeded_url))
    assert {r["index"] for r in dups} == {"items_kind_dup", "items_note"}
    unused = _rows(cli("analyze-indexes", "--schema", SCHEMA, "--unused", "--min-stats-age", "0",
                       "--format", "json", url=seeded_url))
    names = {r["index"] for r in unused}
    assert "items_never_used" in names
    assert not names & {"items_pkey", "parents_pkey", "children_other", "items_kind_invalid"}


def test_index_verdicts_compare_whole_definitions(cli, seeded_url) -> None:
    """Duplicates need the same columns, INCLUDE list, sort options, expressions and predicate;
    only plain non-unique btree indexes can be a left prefix of another."""
    statements = [
        "CREATE SCHEMA rv",
        "CREATE TABLE rv.t (id int PRIMARY KEY, a int, b int, c text)",
        "CREATE INDEX t_a ON rv.t (a)",
        "CREATE INDEX t_a_again ON rv.t (a)",
        "CREATE INDEX t_a_incl ON rv.t (a) INCLUDE (b)",
        "CREATE INDEX t_a_desc ON rv.t (a DESC)",
        "CREATE INDEX t_a_part ON rv.t (a) WHERE b > 0",
        "CREATE INDEX t_a_b ON rv.t (a, b)",
        "CREATE INDEX t_lower ON rv.t (lower(c))",
        "CREATE INDEX t_lower_again ON rv.t ((lower( c )))",
        "CREATE UNIQUE INDEX t_b_uniq ON rv.t (b)",
        "CREATE INDEX t_b_c ON rv.t (b, c)",
    ]
    with psycopg.connect(seeded_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
    try:
        rows = _rows(cli("analyze-indexes", "--schema", "rv", "--format", "json",
                         url=seeded_url))
    finally:
        with psycopg.connect(seeded_url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA rv CASCADE")
    found = {r["index"]: (sorted(set(r["verdicts"]) - {"unused"}), r["detail"]) for r in rows}
    assert found == {
        "t_pkey": ([], ""),
        "t_a": (["redundant"], "left prefix of t_a_b"),
        "t_a_again": (["duplicate", "redundant"], "duplicate of t_a; left prefix of t_a_b"),
        "t_a_incl": ([], ""),
        "t_a_desc": ([], ""),
        "t_a_part": ([], ""),
        "t_a_b": ([], ""),
        "t_lower": ([], ""),
        "t_lower_again": (["duplicate"], "duplicate of t_lower"),
        "t_b_uniq": ([], ""),
        "t_b_c": ([], ""),
    }


def test_unknown_schema_is_a_one_line_error(cli, seeded_url) -> None:
    result = cli("analyze-indexes", "--schema", "nope", url=seeded_url)
    assert result.exit_code == 1
    assert result.stderr.strip() == "musicdb: error: schema 'nope' does not exist in this database"


# -- missing-indexes -------------------------------------------------------------------------------
def test_missing_indexes(cli, seeded_url, pg_server) -> None:
    with pg_server.connect() as admin:
        hypopg = admin.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'"
        ).fetchone()[0]
    if hypopg:
        with psycopg.connect(seeded_url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
            for i in range(5):
                conn.execute("SELECT * FROM rt.items WHERE code = %s", (f"c{i}",))
    result = cli("missing-indexes", "--schema", SCHEMA, "--min-rows", "1000", "--format", "json",
                 url=seeded_url)
    doc = result.json()
    fks = [r for r in doc["rows"] if r["finding"] == "fk without index"]
    assert [(r["table"], r["columns"]) for r in fks] == [("children", ["parent_id"])]
    seq = {r["table"] for r in doc["rows"] if r["finding"] == "seq scans dominate"}
    assert seq == {"items", "churn"}  # both read in full by a seq scan (the mass update)
    whatif = [r for r in doc["rows"] if r["finding"] == "what-if index"]
    if hypopg:
        assert ("items", ["code"]) in [(r["table"], r["columns"]) for r in whatif]
        best = next(r for r in whatif if r["columns"] == ["code"])
        assert best["cost_after"] < best["cost_before"] / 2
        assert "rt.items" in best["detail"]
    else:
        assert whatif == []
        assert any("hypopg is not installed" in n for n in doc["notes"])
        table = cli("missing-indexes", "--schema", SCHEMA, url=seeded_url)
        notes = [line for line in table.stderr.splitlines() if "hypopg" in line]
        assert len(notes) == 1


# -- analyze-queries -------------------------------------------------------------------------------
def test_statement_shows_up_in_analyze_queries(cli, seeded_url) -> None:
    _plant_probe(seeded_url)
    rows = _rows(cli("analyze-queries", "--order", "calls", "--limit", "50", "--format", "json",
                     url=seeded_url))
    probe = [r for r in rows if "rt.items WHERE note =" in r["query"]]
    assert probe, [r["query"] for r in rows]
    assert probe[0]["calls"] >= 5
    assert probe[0]["total_ms"] >= probe[0]["mean_ms"] > 0
    assert 0 < probe[0]["share"] <= 1
    calls = [r["calls"] for r in rows]
    assert calls == sorted(calls, reverse=True)
    mean = _rows(cli("analyze-queries", "--order", "mean", "--format", "json", url=seeded_url))
    assert [r["mean_ms"] for r in mean] == sorted((r["mean_ms"] for r in mean), reverse=True)


def test_analyze_queries_without_the_extension(cli, db_url) -> None:
    result = cli("analyze-queries", url=db_url)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "CREATE EXTENSION pg_stat_statements" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_extensions_in_another_schema(cli, pg_server) -> None:
    """pg_stat_statements (and hypopg) installed with SCHEMA ext, outside the search path."""
    with pg_server.database() as name:
        url = pg_server.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA ext")
            conn.execute("CREATE EXTENSION pg_stat_statements SCHEMA ext")
            hypopg = conn.execute(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'"
            ).fetchone()[0]
            if hypopg:
                conn.execute("CREATE EXTENSION hypopg SCHEMA ext")
            with pytest.raises(psycopg.errors.UndefinedFunction):  # what an unqualified call meets
                conn.execute("SELECT count(*) FROM pg_stat_statements(false)")
            conn.execute("CREATE TABLE marked (id int, code text)")
            conn.execute("INSERT INTO marked SELECT i, 'c' || i FROM generate_series(1, 20000) i")
            conn.execute("ANALYZE marked")
            for i in range(3):
                conn.execute("SELECT * FROM marked WHERE code = %s", (f"c{i}",))
        doc = cli("analyze-queries", "--order", "calls", "--format", "json", url=url).json()
        marked = [r for r in doc["rows"] if "FROM marked WHERE code" in r["query"]]
        assert marked and marked[0]["calls"] >= 3, doc["rows"]
        assert doc["meta"]["stats_reset"] is not None  # ext.pg_stat_statements_info was read
        result = cli("missing-indexes", "--format", "json", url=url)
        assert result.exit_code == 0, result.stderr
        whatif = [r for r in result.json()["rows"] if r["finding"] == "what-if index"]
        if hypopg:
            assert ("marked", ["code"]) in [(r["table"], r["columns"]) for r in whatif]
        else:
            assert whatif == []


def test_analyze_queries_bad_order_is_a_usage_error(cli, seeded_url) -> None:
    result = cli("analyze-queries", "--order", "nonsense", url=seeded_url)
    assert result.exit_code == 2
    assert "--order must be one of" in result.stderr


# -- table-stats -----------------------------------------------------------------------------------
def test_table_stats_dead_rows_and_bloat(cli, seeded_url) -> None:
    rows = _rows(cli("table-stats", "--schema", SCHEMA, "--exact", "1", "--format", "json",
                     url=seeded_url))
    by_name = {r["table"]: r for r in rows}
    churn = by_name["churn"]
    assert churn["dead_rows"] >= 2000
    assert churn["dead_threshold"] == 50 + round(0.2 * 2000)
    assert churn["dead_vs_threshold"] == pytest.approx(churn["dead_rows"] / 450)
    # every row changed since ANALYZE: the estimate would be wrong, so it is unknown
    assert churn["bloat_basis"] == "unknown: stale statistics"
    assert churn["bloat_bytes"] is None
    items = rows[0]
    assert items["table"] == "items"  # the largest first
    assert items["bloat_basis"] == "pgstattuple"  # measured: --exact 1 takes the largest
    assert 0 <= items["bloat_bytes"] < items["heap_bytes"]
    parents = by_name["parents"]
    assert parents["bloat_basis"] == "estimate"
    assert parents["bloat_bytes"] is not None and parents["bloat_bytes"] >= 0
    for row in rows:
        assert row["total_bytes"] == row["heap_bytes"] + row["index_bytes"] + row["toast_bytes"]
    assert by_name["items"]["index_bytes"] > 0
    assert by_name["items"]["last_analyze"]


def test_bloat_inputs_agree_between_pg_statistic_and_pg_stats(seeded_url) -> None:
    """A role that may read pg_statistic gets the bloat figures from there, others from pg_stats;
    for a role that sees everything both give the same figures."""
    with psycopg.connect(seeded_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE rt.parents ADD COLUMN gone int")
        conn.execute("ALTER TABLE rt.parents DROP COLUMN gone")  # a dropped column is not counted
        tables = conn.execute(
            "SELECT c.oid, n.nspname::text, c.relname::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            (SCHEMA,),
        ).fetchall()
        params = {"oids": [t[0] for t in tables], "schemas": [t[1] for t in tables],
                  "tables": [t[2] for t in tables]}
        direct = {r["oid"]: r for r in reports.fetch(conn, "table_widths_statistic", params)}
        view = {r["oid"]: r for r in reports.fetch(conn, "table_widths", params)}
    assert direct == view
    by_name = {t[2]: direct[t[0]] for t in tables}
    assert by_name["items"]["ncols"] == by_name["items"]["ncols_with_stats"] == 5
    assert by_name["parents"]["ncols"] == 1
    assert by_name["items"]["data_width"] > 0


# -- connection-stats and lock-info ----------------------------------------------------------------
@contextlib.contextmanager
def _blocked_session(url: str, statement: str, blocker_sql: list[str]) -> Iterator[tuple[int, int]]:
    """A transaction holding a lock (idle in transaction), and a session waiting for it."""
    holder = psycopg.connect(url, application_name="rt-holder")
    waiter = psycopg.connect(url, autocommit=True, application_name="rt-waiter")
    thread = None
    try:
        for sql_text in blocker_sql:
            holder.execute(sql_text)
        waiter_pid = waiter.info.backend_pid
        errors: list[BaseException] = []

        def wait() -> None:
            try:
                waiter.execute(statement)
            except BaseException as exc:  # reported by the test
                errors.append(exc)

        thread = threading.Thread(target=wait, daemon=True)
        thread.start()
        with psycopg.connect(url, autocommit=True) as probe:
            _wait_for(
                lambda: probe.execute(
                    "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                    (waiter_pid,),
                ).fetchone()[0],
                "the waiting session",
            )
        yield holder.info.backend_pid, waiter_pid
    finally:
        holder.rollback()
        holder.close()
        if thread is not None:
            thread.join(timeout=30)
        waiter.close()


def test_lock_tree_and_idle_in_transaction(cli, seeded_url) -> None:
    with _blocked_session(
        seeded_url,
        "UPDATE rt.parents SET id = id WHERE id = 1",
        ["UPDATE rt.parents SET id = id WHERE id = 1"],
    ) as (holder, waiter):
        doc = cli("lock-info", "--format", "json", url=seeded_url).json()
        rows = doc["rows"]
        assert [r["tree"] for r in rows][:2] == [str(holder), f"  └─ {waiter}"]
        waiting = rows[1]
        assert waiting["blocked_by"] == [holder]
        assert waiting["mode"] == "ShareLock"
        assert waiting["target"].startswith("transaction ")
        assert waiting["wait_s"] >= 0
        assert "UPDATE rt.parents" in waiting["query"]
        assert rows[0]["state"] == "idle in transaction"
        connections = cli("connection-stats", "--format", "json", url=seeded_url).json()
        idle = [r for r in connections["rows"] if r["section"] == "idle in transaction"]
        assert [r["pid"] for r in idle] == [holder]
        assert idle[0]["duration_s"] >= 0
        oldest = [r for r in connections["rows"] if r["section"] == "oldest transaction"]
        assert oldest[0]["pid"] == holder
        longest = [r for r in connections["rows"] if r["section"] == "longest query"]
        assert longest[0]["pid"] == waiter
        apps = {r["name"]: r["connections"] for r in connections["rows"]
                if r["section"] == "by application"}
        assert apps["rt-holder"] == 1 and apps["rt-waiter"] == 1
        assert "musicdb-report" in apps  # counted, but never reported as a session
        assert all(r["application"] != "musicdb-report" for r in connections["rows"]
                   if r["pid"] is not None)
        assert connections["meta"]["max_connections"] > 0


def test_lock_tree_shows_advisory_and_table_targets(cli, seeded_url) -> None:
    with _blocked_session(
        seeded_url, "SELECT pg_advisory_lock(424242)", ["SELECT pg_advisory_lock(424242)"]
    ) as (holder, waiter):
        rows = _rows(cli("lock-info", "--format", "json", url=seeded_url))
        waiting = next(r for r in rows if r["pid"] == waiter)
        assert waiting["target"] == "advisory lock 424242"
        assert waiting["mode"] == "ExclusiveLock"
        assert waiting["blocked_by"] == [holder]
    with _blocked_session(
        seeded_url,
        "SELECT count(*) FROM rt.parents",
        [
            "LOCK TABLE rt.parents IN EXCLUSIVE MODE",
            "LOCK TABLE rt.parents IN ACCESS EXCLUSIVE MODE",
        ],
    ) as (holder, waiter):
        rows = _rows(cli("lock-info", "--format", "json", url=seeded_url))
        waiting = next(r for r in rows if r["pid"] == waiter)
        assert waiting["target"] == "table rt.parents"
        assert waiting["mode"] == "AccessShareLock"


def test_lock_info_with_nothing_blocked(cli, seeded_url) -> None:
    result = cli("lock-info", url=seeded_url)
    assert result.exit_code == 0
    assert "nothing to show" in result.stdout


# -- a non-superuser with pg_monitor ---------------------------------------------------------------
def test_reports_as_pg_monitor(cli, monitor_url, seeded_url) -> None:
    with psycopg.connect(monitor_url, autocommit=True) as conn:
        assert not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                                ).fetchone()[0]
    for name in reports.REGISTRY:
        result = cli(name, "--format", "json", url=monitor_url)
        assert result.exit_code == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr
    doc = cli("table-stats", "--schema", SCHEMA, "--format", "json", url=monitor_url).json()
    churn = next(r for r in doc["rows"] if r["table"] == "parents")
    assert churn["bloat_bytes"] is None
    assert churn["bloat_basis"].startswith("unknown: no SELECT privilege")
    assert any("no SELECT privilege" in note for note in doc["notes"])
    _plant_probe(seeded_url)  # as the superuser: the monitor must see another user's statement
    queries = cli("analyze-queries", "--limit", "100", "--format", "json", url=monitor_url).json()
    assert any("rt.items WHERE note =" in r["query"] for r in queries["rows"])  # pg_read_all_stats
    indexes = _rows(cli("analyze-indexes", "--schema", SCHEMA, "--format", "json",
                        url=monitor_url))
    assert {r["index"] for r in indexes if "duplicate" in r["verdicts"]} == {"items_kind_dup"}


# -- table output at a fixed width -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "must_show"),
    [
        (("analyze-indexes", "--schema", SCHEMA, "--duplicates"), ["items_kind_dup", "duplicate"]),
        (("table-stats", "--schema", SCHEMA), ["churn", "Dead rows"]),
        (("missing-indexes", "--schema", SCHEMA, "--what-if", "0"), ["parent_id", "fk without"]),
    ],
)
def test_table_output_fits_a_fixed_width(cli, seeded_url, monkeypatch, args, must_show) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    result = cli(*args, url=seeded_url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 160
    assert lines[0].strip().startswith(reports.REGISTRY[args[0]].title)
    for text in must_show:
        assert any(text in line for line in lines), (text, result.stdout)


def test_lock_info_names_musicdb_locks(cli, seeded_url) -> None:
    ns, key = locks.MIGRATION.keys
    take = f"SELECT pg_advisory_lock({ns}, {key})"
    with _blocked_session(seeded_url, take, [take]) as (holder, waiter):
        rows = _rows(cli("lock-info", "--format", "json", url=seeded_url))
        waiting = next(r for r in rows if r["pid"] == waiter)
        assert waiting["target"] == "musicdb migration lock"
        assert waiting["blocked_by"] == [holder]
    with psycopg.connect(seeded_url) as conn:
        oid = conn.execute("SELECT 'public.mv_track_popularity'::regclass::oid").fetchone()[0]
    ns, key = locks.refresh_view(oid).keys
    take = f"SELECT pg_advisory_lock({ns}, {key})"
    with _blocked_session(seeded_url, take, [take]) as (holder, waiter):
        rows = _rows(cli("lock-info", "--format", "json", url=seeded_url))
        waiting = next(r for r in rows if r["pid"] == waiter)
        assert waiting["target"] == "musicdb refresh-view public.mv_track_popularity lock"
