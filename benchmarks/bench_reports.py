"""Time every DBA report on a large synthetic catalog and check it finds the planted answers.

Usage::

    python benchmarks/bench_reports.py PATH/TO/bigcatalog.sql [--runs 7] [--ntables 5000]
        [--bindir /usr/lib/postgresql/15/bin]

(or set MUSICDB_BIGCATALOG_SQL instead of the path). ``bigcatalog.sql`` builds N tables with
planted answers: 4 indexes per table plus 2 INVALID ones, N/100 exact duplicates... see its header.
The script starts a throwaway cluster on /dev/shm (``LocalCluster(durable=False)``, with
pg_stat_statements preloaded), builds the catalog with ``psql``, then for each report measures

* SQL: the report's library function on a warm connection (its queries and the Python around
  them), median of the runs;
* command: the whole ``python -m musicdb REPORT --format json`` in a fresh process, median;

and checks the planted answers. It prints a Markdown table (see ``benchmarks/reports.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from musicdb import reports
from musicdb.local import LocalCluster

COMMANDS = {
    "analyze-indexes": [],
    "missing-indexes": [],
    "analyze-queries": [],
    "table-stats": ["--limit", "0"],
    "connection-stats": [],
    "lock-info": [],
}
LIBRARY = {
    "analyze-indexes": reports.index_verdicts,
    "missing-indexes": reports.missing_indexes,
    "analyze-queries": reports.analyze_queries,
    "table-stats": reports.table_stats,
    "connection-stats": reports.connection_stats,
    "lock-info": reports.lock_info,
}


def _median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _expected(ntables: int) -> dict[str, int]:
    nfk = max(4, ntables // 50)
    ndup = max(1, ntables // 200)
    secondary = 3 * ntables
    fk_indexed = nfk // 2
    return {
        "duplicate": ndup,
        "redundant": ndup,
        "invalid": 2,
        "fk_without_index": nfk - fk_indexed,
        # every secondary index is unscanned; those backing an FK are never "unused"
        "unused": secondary - fk_indexed,
    }


def check_answers(url: str, ntables: int) -> dict[str, tuple[int, int]]:
    """{answer: (found, expected)} for the planted answers."""
    found: dict[str, int] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        idx = reports.index_verdicts(conn)
        for verdict in ("duplicate", "redundant", "invalid", "unused"):
            found[verdict] = sum(verdict in r["verdicts"] for r in idx.rows)
        dup_names = {r["index"] for r in idx.rows if "duplicate" in r["verdicts"]}
        assert all(n.endswith(("_a_idx", "_a_dup_idx")) for n in dup_names), dup_names
        red_names = {r["index"] for r in idx.rows if "redundant" in r["verdicts"]}
        assert all(n.endswith("_a_idx") for n in red_names), red_names
        inv = {r["index"] for r in idx.rows if "invalid" in r["verdicts"]}
        assert all(n.endswith("_a_invalid_uidx") for n in inv), inv
        missing = reports.missing_indexes(conn)
        found["fk_without_index"] = sum(r["finding"] == "fk without index" for r in missing.rows)
        assert all(r["columns"] == ["parent_id"] for r in missing.rows
                   if r["finding"] == "fk without index")  # fmt: skip
    expected = _expected(ntables)
    return {key: (found[key], expected[key]) for key in expected}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalog", nargs="?", default=os.environ.get("MUSICDB_BIGCATALOG_SQL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--ntables", type=int, default=5000)
    parser.add_argument("--bindir", default="/usr/lib/postgresql/15/bin")
    args = parser.parse_args()
    if not args.catalog or not Path(args.catalog).is_file():
        print("needs the path of bigcatalog.sql (argument or MUSICDB_BIGCATALOG_SQL); stopping",
              file=sys.stderr)  # fmt: skip
        return 2
    psql = shutil.which("psql") or str(Path(args.bindir) / "psql")
    if not Path(psql).exists():
        print("needs psql on PATH or in --bindir; stopping", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="musicdb-bench-", dir="/dev/shm"
                                 if os.path.isdir("/dev/shm") else None))  # fmt: skip
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=Path(args.bindir), durable=False,
                           database="bigcatalog", port=55499)  # fmt: skip
    try:
        cluster.start()
        url = cluster.url("bigcatalog")
        start = time.perf_counter()
        subprocess.run([psql, url, "-X", "-q", "-v", f"ntables={args.ntables}", "-f",
                        args.catalog], check=True, capture_output=True)  # fmt: skip
        build_s = time.perf_counter() - start
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"server {version}; catalog of {args.ntables} tables built in {build_s:.1f} s; "
              f"load average before timing {os.getloadavg()[0]:.2f}; runs {args.runs}")  # fmt: skip
        answers = check_answers(url, args.ntables)
        print("\n| planted answer | found | expected |\n|---|---:|---:|")
        for key, (got, want) in answers.items():
            print(f"| {key} | {got} | {want} |")
        print("\n| report | SQL + library, warm (median ms) | whole command (median ms) |")
        print("|---|---:|---:|")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        with psycopg.connect(url, autocommit=True) as conn:
            for name, func in LIBRARY.items():
                func(conn)  # warm the backend's catalog caches once
                lib_ms = _median_ms(lambda f=func: f(conn), args.runs)
                argv = [sys.executable, "-m", "musicdb", "--database-url", url, name,
                        "--format", "json", *COMMANDS[name]]  # fmt: skip
                cmd_ms = _median_ms(lambda a=argv: subprocess.run(
                    a, check=True, capture_output=True, env=env), args.runs)  # fmt: skip
                print(f"| {name} | {lib_ms:.0f} | {cmd_ms:.0f} |")
        doc = json.loads(subprocess.run(
            [sys.executable, "-m", "musicdb", "--database-url", url, "analyze-indexes",
             "--format", "json"], check=True, capture_output=True, env=env).stdout)  # fmt: skip
        print(f"\nanalyze-indexes rows: {len(doc['rows'])}; counts {doc['meta']['counts']}")
        ok = all(got == want for got, want in answers.values())
        print("planted answers: " + ("all found exactly" if ok else "MISMATCH"))
        return 0 if ok else 1
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
