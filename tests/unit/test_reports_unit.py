"""Server-free tests of the reports layer: SQL variant picking, typed results -> render.Report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from musicdb import render
from musicdb.ops import health
from musicdb.reports import REGISTRY, pick_sql_file
from musicdb.reports._common import StatsSince
from musicdb.reports._sql import choose_variant, parse_variants
from musicdb.reports.activity import ConnectionRow, ConnectionStats, LockInfo, LockRow
from musicdb.reports.indexes import IndexRow, IndexVerdicts, MissingIndexes, MissingIndexRow
from musicdb.reports.queries import QueryRow, QueryStats
from musicdb.reports.tables import TableRow, TableStats, bloat_estimate

NOW = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


# -- SQL variants ----------------------------------------------------------------------------------
def test_variants_are_grouped_by_base_and_odd_names_ignored() -> None:
    found = parse_variants(["q.sql", "q.pg10.sql", "q.pg9.sql", "s.pss1.11.sql", "README.md",
                            "Q.sql", "q.pgx.sql", "q.pg16.sql.orig"])
    assert found == {
        "q": [(None, (), "q.sql"), ("pg", (10,), "q.pg10.sql"), ("pg", (9,), "q.pg9.sql")],
        "s": [("pss", (1, 11), "s.pss1.11.sql")],
    }


def test_a_missing_extension_never_picks_its_variants() -> None:
    variants = parse_variants(["q.sql", "q.pss1.9.sql"])["q"]
    assert choose_variant(variants, server_version_num=180000, pss_version=None) == "q.sql"
    assert choose_variant(variants, server_version_num=180000, pss_version=(1, 9)) == "q.pss1.9.sql"
    assert choose_variant([("pg", (17,), "n.pg17.sql")], server_version_num=160000) is None


def test_every_registered_query_has_a_file_for_every_supported_major() -> None:
    for spec in REGISTRY.values():
        for base in spec.sql:
            for major in (14, 15, 16, 17, 18):
                name = pick_sql_file(base, server_version_num=major * 10000)
                assert name.startswith(base + ".") and name.endswith(".sql")
    with pytest.raises(KeyError, match="no SQL file"):
        pick_sql_file("no_such_query", server_version_num=180000)


# -- typed rows -> render.Report -------------------------------------------------------------------
def _index(name: str, **kw) -> IndexRow:
    row = IndexRow("s", "t", name, [], "", True, 1, 2, 3, 8192, None, None, None)
    return dataclasses.replace(row, **kw)


def test_index_verdicts_report_rows_meta_and_notes() -> None:
    rows = [
        _index("t_a", verdicts=["invalid"], valid=False),
        _index("t_b", verdicts=["unused", "duplicate", "redundant"], scans=0,
               duplicate_of="t_c", prefix_of="t_d"),
    ]
    since = StatsSince(NOW - dt.timedelta(hours=2), NOW - dt.timedelta(days=3),
                       NOW - dt.timedelta(hours=2), 7200.0)
    report = IndexVerdicts(rows=rows, since=since, server_version="18.1").to_report()
    assert report.name == "analyze-indexes"
    assert [list(r) for r in report.rows] == [[c.key for c in IndexVerdicts.COLUMNS]] * 2
    assert report.rows[0]["detail"] == "invalid: a failed concurrent build; drop it or REINDEX it"
    assert report.rows[1]["detail"] == "duplicate of t_c; left prefix of t_d"
    assert report.meta["counts"] == {"unused": 1, "duplicate": 1, "redundant": 1, "invalid": 1}
    assert report.meta["size_source"] == "pg_class.relpages"
    assert report.meta["stats_age_seconds"] == 7200.0
    assert any("only 2h 0m old" in n for n in report.notes)
    assert report.notes[-1].startswith("sizes from pg_class.relpages")
    exact = IndexVerdicts(rows=[], since=since, exact_sizes=True).to_report()
    assert exact.meta["size_source"] == "pg_relation_size"
    assert not any(n.startswith("sizes from") for n in exact.notes)


def test_terminal_tables_show_fewer_columns_than_json() -> None:
    shown = {name: [c.key for c in spec.columns if c.table] for name, spec in REGISTRY.items()}
    assert "role" not in shown["analyze-indexes"] and "last_scan" not in shown["analyze-indexes"]
    assert "dead_threshold" not in shown["table-stats"]
    assert "idx_scans" not in shown["missing-indexes"]
    report = IndexVerdicts(rows=[_index("t_a")], since=StatsSince(None, None, None, None))
    table = render.rich_table(report.to_report())
    assert [c.header for c in table.columns] == [
        c.title for c in IndexVerdicts.COLUMNS if c.table
    ]
    doc = report.to_report().as_dict()
    assert [c["name"] for c in doc["columns"]] == [c.key for c in IndexVerdicts.COLUMNS]


def _table(name: str, basis: str = "estimate") -> TableRow:
    bloat, ratio = (None, None) if basis.startswith("unknown") else (0, 0.0)
    return TableRow(1, "s", name, 100, 20, 3, 10, 5, 60, 0.1, bloat, ratio, basis,
                    None, None, None, None, 100.0)


def test_table_stats_report_totals_notes_and_meta() -> None:
    result = TableStats(rows=[_table("a"), _table("b", "unknown: never analyzed"),
                              _table("c", "unknown: never analyzed")],
                        tables=10, limit=3,
                        notes=["--exact needs the pgstattuple extension: x"])
    report = result.to_report()
    assert report.rows[0]["total_bytes"] == 123
    assert "oid" not in report.rows[0] and "fillfactor" not in report.rows[0]
    assert report.notes == [
        "showing the 3 largest of 10 tables (--limit 0: all)",
        "bloat unknown for 2 table(s): never analyzed (run ANALYZE)",
        "--exact needs the pgstattuple extension: x",
        "sizes from pg_class.relpages (as of the last VACUUM/ANALYZE)",
    ]
    assert report.meta == {"tables": 10, "shown": 3, "size_source": "pg_class.relpages"}
    result.exact_measured = 1
    assert result.to_report().meta["exact_measured"] == 1


def test_bloat_estimate_is_unknown_without_fresh_statistics() -> None:
    table = {"relpages": 100, "reltuples": 1000.0, "can_select": True, "mod_since_analyze": 0,
             "analyze_threshold": 50, "bs": 8192, "fillfactor": 100}
    widths = {"ncols": 2, "ncols_with_stats": 2, "max_null_frac": 0, "data_width": 16}
    basis, bloat = bloat_estimate(table, widths)
    # a row: 24-byte header + 16 bytes of data + a 4-byte line pointer = 44 bytes, so
    # floor(8168 / 44) = 185 rows per page and ceil(1000 / 185) = 6 pages expected of 100
    assert (basis, bloat) == ("estimate", 94 * 8192)
    assert bloat_estimate({**table, "reltuples": -1}, widths) == ("unknown: never analyzed", None)
    assert bloat_estimate({**table, "mod_since_analyze": 51}, widths)[0] == (
        "unknown: stale statistics"
    )
    hidden = {**widths, "ncols_with_stats": 1}
    assert bloat_estimate({**table, "can_select": False}, hidden)[0].startswith(
        "unknown: no SELECT privilege"
    )
    assert bloat_estimate(table, hidden)[0] == "unknown: no statistics"


def test_missing_indexes_meta_says_what_the_what_if_search_did() -> None:
    row = MissingIndexRow("fk without index", "s", "t", ["p"], "fk references s.p", rows=5,
                          constraint="fk")
    report = MissingIndexes(rows=[row], min_rows=10).to_report()
    assert report.meta == {"min_rows": 10, "hypopg": None}
    assert report.rows[0]["seq_scans"] is None and "constraint" not in report.rows[0]
    searched = MissingIndexes(rows=[], min_rows=10, hypopg="1.4.1", what_if_statements=3)
    assert searched.to_report().meta["what_if_statements"] == 3


def test_query_stats_notes_hidden_texts_and_keeps_stats_reset_in_meta() -> None:
    row = QueryRow(1, 42, 3, 3, 1.5, 4.5, 1.0, 0.0, "app", "SELECT 1")
    result = QueryStats(rows=[row], order="total", statements=1, pss_version=(1, 11),
                        sql_file="query_stats.pss1.11.sql", hidden=2)
    report = result.to_report()
    assert report.meta == {"order": "total", "statements": 1, "pg_stat_statements": "1.11",
                           "sql_file": "query_stats.pss1.11.sql"}
    assert report.notes == ["2 statement text(s) hidden: other users' texts need "
                            "pg_read_all_stats (or pg_monitor)"]
    result.stats_reset = NOW
    assert result.to_report().meta["stats_reset"] == NOW


def test_connection_stats_meta_totals_the_states() -> None:
    result = ConnectionStats(rows=[ConnectionRow("by state", "active", 3, 0.03)],
                             max_connections=100, by_state={"active": 3, "idle": 1})
    assert result.connections == 4
    assert result.to_report().meta == {"max_connections": 100, "connections": 4, "usage": 0.04,
                                       "by_state": {"active": 3, "idle": 1}}


def test_lock_tree_is_drawn_from_the_depth() -> None:
    rows = [LockRow(10, 0, [], "u", "a", "active", None, 5.0, None, None, "UPDATE t"),
            LockRow(11, 1, [10], "u", "a", "active", 2.0, 3.0, "RowExclusiveLock", "table s.t",
                    "UPDATE t"),
            LockRow(12, 2, [11], "u", "a", "active", 1.0, 1.0, "ShareLock", "transaction 7",
                    "UPDATE t")]
    report = LockInfo(rows=rows, waiting=2, blocking=[10]).to_report()
    assert [r["tree"] for r in report.rows] == ["10", "  └─ 11", "    └─ 12"]
    assert report.meta == {"waiting": 2, "blocking": [10]}


def test_health_check_list_is_a_report_in_every_format() -> None:
    report = health.CheckList(health.Thresholds()).to_report()
    checks = [r["name"] for r in report.rows if r["kind"] == "check"]
    assert checks == list(health.CHECK_NAMES)
    values = {r["name"]: r["value"] for r in report.rows if r["kind"] == "threshold"}
    assert values["view_stale_warning"] == 8 * 24 * 3600
    assert set(values) == set(health.Thresholds.names())
    doc = json.loads(render.to_json(report.as_dict()))
    assert doc["report"] == "health_checks" and len(doc["rows"]) == len(report.rows)
