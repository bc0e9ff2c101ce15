"""Time one ``musicdb metrics`` scrape on a large synthetic catalog against the queries
postgres_exporter's default collectors run for the same information, in the same run.

Usage::

    python benchmarks/metrics.py PATH/TO/bigcatalog.sql [--runs 15] [--ntables 5000]
        [--bindir /usr/lib/postgresql/15/bin]

(or set MUSICDB_BIGCATALOG_SQL instead of the path). The script starts a throwaway cluster on
/dev/shm, builds the catalog with ``psql``, then, in one warm process (one scrape first: imports
done, server caches warm), times in turn for each run:

- the reference queries on an open connection (what postgres_exporter's default collectors ask
  for the same figures: table statistics and sizes, activity by state, locks, database sizes and
  statistics, settings; see ``REFERENCE``), plus the pg_stat_statements query of its
  ``stat_statements`` collector;
- one scrape's SQL: the time spent inside psycopg's ``execute`` during ``Exporter.scrape()``;
- the whole scrape: ``generate_text()``, connection, SQL, Python and formatting, drift excluded
  (it runs at most once an hour, in the background when serving).

It prints Markdown tables (see ``benchmarks/metrics.md``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from _cluster import bigcatalog_cluster, bigcatalog_ready

#: The SQL postgres_exporter's default collectors run for the figures musicdb exports, written
#: from their documented metrics (pg_stat_user_tables with sizes, pg_stat_activity by state,
#: pg_locks by mode, pg_database sizes, pg_stat_database, pg_settings) and its stat_statements
#: collector (off by default there; on here since musicdb exports statements).
REFERENCE = {
    "stat_user_tables": """
        SELECT current_database(), schemaname, relname, seq_scan, seq_tup_read, idx_scan,
               idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup,
               n_dead_tup, n_mod_since_analyze, last_vacuum, last_autovacuum, last_analyze,
               last_autoanalyze, vacuum_count, autovacuum_count, analyze_count,
               autoanalyze_count, pg_indexes_size(relid), pg_table_size(relid)
        FROM pg_stat_user_tables""",
    "stat_activity": """
        SELECT d.datname, s.state, count(a.*),
               coalesce(max(extract(epoch FROM now() - a.xact_start)), 0)
        FROM pg_database AS d
        CROSS JOIN (VALUES ('active'), ('idle'), ('idle in transaction'),
                           ('idle in transaction (aborted)'), ('fastpath function call'),
                           ('disabled')) AS s(state)
        LEFT JOIN pg_stat_activity AS a ON a.datname = d.datname AND a.state = s.state
        GROUP BY d.datname, s.state""",
    "locks": """
        SELECT d.datname, m.mode, count(l.*)
        FROM pg_database AS d
        CROSS JOIN (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'),
                           ('shareupdateexclusivelock'), ('sharelock'),
                           ('sharerowexclusivelock'), ('exclusivelock'),
                           ('accessexclusivelock'), ('sireadlock')) AS m(mode)
        LEFT JOIN pg_locks AS l ON l.database = d.oid AND lower(l.mode) = m.mode
        GROUP BY d.datname, m.mode""",
    "database": "SELECT datname, pg_database_size(datname) FROM pg_database",
    "stat_database": "SELECT * FROM pg_stat_database",
    "settings": "SELECT name, setting, unit, vartype FROM pg_settings",
    "stat_statements": """
        SELECT s.queryid, s.calls, s.total_exec_time, s.rows
        FROM pg_stat_statements AS s JOIN pg_database AS d ON d.oid = s.dbid
        WHERE d.datname = current_database()
        ORDER BY s.total_exec_time DESC LIMIT 100""",
}


def _reference(conn: psycopg.Connection[Any]) -> float:
    start = time.perf_counter()
    for query in REFERENCE.values():
        conn.execute(query).fetchall()
    return (time.perf_counter() - start) * 1000


class _SqlClock:
    """Adds up the time spent in psycopg's ``Cursor.execute`` (which fetches the results)."""

    def __init__(self) -> None:
        self.ms = 0.0
        self._real = psycopg.Cursor.execute
        clock = self

        def timed(cur: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return clock._real(cur, *args, **kwargs)
            finally:
                clock.ms += (time.perf_counter() - start) * 1000

        psycopg.Cursor.execute = timed  # type: ignore[method-assign]

    def close(self) -> None:
        psycopg.Cursor.execute = self._real  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", default=os.environ.get("MUSICDB_BIGCATALOG_SQL"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ntables", type=int, default=5000)
    parser.add_argument("--bindir", default="/usr/lib/postgresql/15/bin")
    args = parser.parse_args()
    if not bigcatalog_ready(args.catalog, Path(args.bindir)):
        return 2
    from musicdb.config import DatabaseTarget
    from musicdb.observe import metrics

    with bigcatalog_cluster(args.catalog, args.ntables, Path(args.bindir), 55497) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("ANALYZE")
            version = conn.execute("SHOW server_version").fetchone()[0]
        target = DatabaseTarget(url, "benchmark")
        every_time = metrics.MetricsOptions(drift_interval_s=0, catalog_interval_s=0)
        exporter = metrics.Exporter(target, every_time)
        # as `metrics serve` runs: the catalog-wide facts kept for --catalog-interval (60 s)
        serving = metrics.Exporter(target, metrics.MetricsOptions(drift_interval_s=0))
        metrics.generate_text(serving)  # reads the catalog-wide facts once
        text = metrics.generate_text(exporter)  # warm-up
        series = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
        print(f"server {version}; catalog of {args.ntables} tables; {os.cpu_count()} CPUs; "
              f"runs {args.runs}; load {os.getloadavg()[0]:.2f}; {series} series per scrape")
        kept = "musicdb whole scrape, catalog facts kept"
        times: dict[str, list[float]] = {"postgres_exporter reference queries (SQL)": [],
                                         "musicdb scrape (SQL)": [],
                                         "musicdb whole scrape": [], kept: []}
        with psycopg.connect(url, autocommit=True) as conn:
            _reference(conn)  # warm-up
            for _ in range(args.runs):
                times["postgres_exporter reference queries (SQL)"].append(_reference(conn))
                clock = _SqlClock()
                start = time.perf_counter()
                metrics.generate_text(exporter)
                times["musicdb whole scrape"].append((time.perf_counter() - start) * 1000)
                clock.close()
                times["musicdb scrape (SQL)"].append(clock.ms)
                start = time.perf_counter()
                metrics.generate_text(serving)
                times[kept].append((time.perf_counter() - start) * 1000)
        print("\n| what | median ms | min ms |\n|---|---:|---:|")
        for key, values in times.items():
            print(f"| {key} | {statistics.median(values):.0f} | {min(values):.0f} |")
        ref = statistics.median(times["postgres_exporter reference queries (SQL)"])
        sql = statistics.median(times["musicdb scrape (SQL)"])
        print(f"\nmusicdb SQL / reference SQL (medians): {sql / ref:.2f}x")
        return 0


if __name__ == "__main__":
    sys.exit(main())
