"""Time every DBA report on a large synthetic catalog and check it finds the planted answers.

Usage::

    python benchmarks/bench_reports.py PATH/TO/bigcatalog.sql [--runs 7] [--ntables 5000]
        [--bindir /usr/lib/postgresql/15/bin] [--references DIR] [--table-format]

(or set MUSICDB_BIGCATALOG_SQL instead of the path). ``bigcatalog.sql`` builds N tables with
planted answers: 4 indexes per table plus 2 INVALID ones, N/100 exact duplicates... see its header.
The script starts a throwaway cluster on /dev/shm (``LocalCluster(durable=False)``, with
pg_stat_statements preloaded), builds the catalog with ``psql``, checks the planted answers, then
measures, as medians of the runs:

* library: each report's function on a warm connection (its queries and the Python that shapes
  the rows), and the main statements of the reports alone;
* references (``--references DIR``): other tools' queries for the same information, one per file
  named ``REPORT__LABEL.sql`` (e.g. ``analyze-indexes__some-tool-unused.sql``), run as they are
  on the same connection with the same transaction-local settings as the reports (JIT off);
  they are not part of this repository. Every run times every report and every reference once,
  in turn, so load that comes and goes weighs on all of them alike; the ratio is musicdb's median
  over the fastest reference's median for that report;
* commands: the whole ``python -m musicdb REPORT --format json`` in a fresh process, next to
  ``python -m musicdb --version`` (interpreter, imports and argument parsing, no database).
  ``--table-format`` also times ``analyze-indexes`` in table format once (slow on big catalogs).

It prints Markdown tables (see ``benchmarks/reports.md``).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
#: Each report's function and its ``to_report()`` (the rows the renderer gets).
LIBRARY: dict[str, Callable[[Any], Any]] = {
    "analyze-indexes": lambda conn: reports.index_verdicts(conn).to_report(),
    "missing-indexes": lambda conn: reports.missing_indexes(conn).to_report(),
    "analyze-queries": lambda conn: reports.analyze_queries(conn).to_report(),
    "table-stats": lambda conn: reports.table_stats(conn, limit=None).to_report(),
    "connection-stats": lambda conn: reports.connection_stats(conn).to_report(),
    "lock-info": lambda conn: reports.lock_info(conn).to_report(),
}
#: The reports' main statements on their own: (label, report, SQL base, parameters).
STATEMENTS = [
    ("index_verdicts", "analyze-indexes", "index_verdicts", {"schema": None, "exact_sizes": False}),
    ("table_stats (sizes, counters; all tables)", "table-stats", "table_stats",
     {"schema": None, "exact_sizes": False, "limit": None}),
    ("fk_without_index", "missing-indexes", "fk_without_index", {"schema": None}),
    ("seq_scan_tables", "missing-indexes", "seq_scan_tables", {"schema": None, "min_rows": 10_000}),
]


def _ms(func: Callable[[], Any]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


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
            found[verdict] = sum(verdict in r.verdicts for r in idx.rows)
        dup_names = {r.index for r in idx.rows if "duplicate" in r.verdicts}
        assert all(n.endswith(("_a_idx", "_a_dup_idx")) for n in dup_names), dup_names
        red_names = {r.index for r in idx.rows if "redundant" in r.verdicts}
        assert all(n.endswith("_a_idx") for n in red_names), red_names
        inv = {r.index for r in idx.rows if "invalid" in r.verdicts}
        assert all(n.endswith("_a_invalid_uidx") for n in inv), inv
        missing = reports.missing_indexes(conn)
        found["fk_without_index"] = sum(r.finding == "fk without index" for r in missing.rows)
        assert all(r.columns == ["parent_id"] for r in missing.rows
                   if r.finding == "fk without index")
    expected = _expected(ntables)
    return {key: (found[key], expected[key]) for key in expected}


def _references(folder: str | None) -> dict[str, list[tuple[str, str]]]:
    """``{report: [(label, sql), ...]}`` from ``REPORT__LABEL.sql`` files."""
    found: dict[str, list[tuple[str, str]]] = {}
    if not folder:
        return found
    for path in sorted(Path(folder).glob("*__*.sql")):
        report, _, label = path.stem.partition("__")
        found.setdefault(report, []).append((label, path.read_text("utf-8")))
    return found


def _run_statement(conn: psycopg.Connection[Any], text: str) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)")
        conn.execute(text).fetchall()  # a reference query from a local file, run as it is


def _monitor_url(url: str) -> str:
    """A login role with pg_monitor only (not a superuser): table-stats reads pg_stats for it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS musicdb_bench_monitor")
        conn.execute("CREATE ROLE musicdb_bench_monitor LOGIN IN ROLE pg_monitor")
    return psycopg.conninfo.make_conninfo(url, user="musicdb_bench_monitor")


def time_library(url: str, runs: int, refs: dict[str, list[tuple[str, str]]]) -> dict[str, float]:
    """Medians (ms) of every report, statement and reference, timed in turn in each run."""
    jobs: dict[str, tuple[str, Callable[[psycopg.Connection[Any]], Any]]] = {}
    for name, func in LIBRARY.items():
        jobs[f"library {name}"] = ("owner", func)
    jobs["library table-stats (pg_monitor role)"] = ("monitor", LIBRARY["table-stats"])
    for label, _report, base, params in STATEMENTS:
        jobs[f"statement {label}"] = (
            "owner", lambda c, b=base, p=params: reports.fetch_tuples(c, b, p)
        )
    for report, items in refs.items():
        for label, text in items:
            jobs[f"reference {report} {label}"] = ("owner", lambda c, t=text: _run_statement(c, t))
    times: dict[str, list[float]] = {key: [] for key in jobs}
    with psycopg.connect(url, autocommit=True) as owner, \
            psycopg.connect(_monitor_url(url), autocommit=True) as monitor:
        conns = {"owner": owner, "monitor": monitor}
        for who, job in jobs.values():
            job(conns[who])  # warm the backend's caches once
        for _ in range(runs):
            for key, (who, job) in jobs.items():
                times[key].append(_ms(lambda j=job, c=conns[who]: j(c)))
    return {key: statistics.median(values) for key, values in times.items()}


def time_commands(url: str, runs: int, table_format: bool) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    argvs = {"--version (no database)": [sys.executable, "-m", "musicdb", "--version"]}
    for name, extra in COMMANDS.items():
        argvs[name] = [sys.executable, "-m", "musicdb", "--database-url", url, name,
                       "--format", "json", *extra]
    argvs["analyze-indexes --format csv"] = [
        sys.executable, "-m", "musicdb", "--database-url", url, "analyze-indexes", "--format", "csv"
    ]
    times: dict[str, list[float]] = {key: [] for key in argvs}
    for _ in range(runs):
        for key, argv in argvs.items():
            times[key].append(_ms(lambda a=argv: subprocess.run(
                a, check=True, capture_output=True, env=env)))
    result = {key: statistics.median(values) for key, values in times.items()}
    if table_format:
        argv = [sys.executable, "-m", "musicdb", "--database-url", url, "analyze-indexes"]
        result["analyze-indexes (table format, 1 run)"] = _ms(
            lambda: subprocess.run(argv, check=True, capture_output=True, env=env)
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalog", nargs="?", default=os.environ.get("MUSICDB_BIGCATALOG_SQL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--ntables", type=int, default=5000)
    parser.add_argument("--bindir", default="/usr/lib/postgresql/15/bin")
    parser.add_argument(
        "--references",
        metavar="DIR",
        help="folder of REPORT__LABEL.sql files: other tools' queries to compare",
    )
    parser.add_argument(
        "--table-format",
        action="store_true",
        help="also time analyze-indexes in table format (once)",
    )
    args = parser.parse_args()
    if not args.catalog or not Path(args.catalog).is_file():
        print("needs the path of bigcatalog.sql (argument or MUSICDB_BIGCATALOG_SQL); stopping",
              file=sys.stderr)
        return 2
    if args.references and not Path(args.references).is_dir():
        print(f"--references {args.references}: not a folder; stopping", file=sys.stderr)
        return 2
    psql = shutil.which("psql") or str(Path(args.bindir) / "psql")
    if not Path(psql).exists():
        print("needs psql on PATH or in --bindir; stopping", file=sys.stderr)
        return 2
    refs = _references(args.references)
    root = Path(tempfile.mkdtemp(prefix="musicdb-bench-", dir="/dev/shm"
                                 if os.path.isdir("/dev/shm") else None))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=Path(args.bindir), durable=False,
                           database="bigcatalog", port=55499)
    try:
        cluster.start()
        url = cluster.url("bigcatalog")
        start = time.perf_counter()
        subprocess.run([psql, url, "-X", "-q", "-v", f"ntables={args.ntables}", "-f",
                        args.catalog], check=True, capture_output=True)
        build_s = time.perf_counter() - start
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"server {version}; catalog of {args.ntables} tables built in {build_s:.1f} s; "
              f"{os.cpu_count()} CPUs; runs {args.runs}")
        answers = check_answers(url, args.ntables)
        print("\n| planted answer | found | expected |\n|---|---:|---:|")
        for key, (got, want) in answers.items():
            print(f"| {key} | {got} | {want} |")
        load = os.getloadavg()[0]
        lib = time_library(url, args.runs, refs)
        cmd = time_commands(url, args.runs, args.table_format)
        print(f"\nload average (1 min): {load:.2f} before the timings, "
              f"{os.getloadavg()[0]:.2f} after")
        print("\n| report | library, warm (median ms) | whole command, json (median ms) |")
        print("|---|---:|---:|")
        for name in LIBRARY:
            print(f"| {name} | {lib[f'library {name}']:.0f} | {cmd[name]:.0f} |")
        print(f"| table-stats as a pg_monitor role (pg_stats) | "
              f"{lib['library table-stats (pg_monitor role)']:.0f} | |")
        print("\n| statement alone | median ms |\n|---|---:|")
        for label, *_ in STATEMENTS:
            print(f"| {label} | {lib[f'statement {label}']:.1f} |")
        if refs:
            print("\n| report | reference query | median ms | musicdb library / reference |")
            print("|---|---|---:|---:|")
            for report, items in refs.items():
                ours = lib.get(f"library {report}")
                for label, _ in items:
                    theirs = lib[f"reference {report} {label}"]
                    ratio = f"{ours / theirs:.2f}" if ours is not None else "-"
                    print(f"| {report} | {label} | {theirs:.1f} | {ratio} |")
        print("\n| command | median ms |\n|---|---:|")
        for key in cmd:
            if key not in COMMANDS:
                print(f"| {key} | {cmd[key]:.0f} |")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        doc = json.loads(subprocess.run(
            [sys.executable, "-m", "musicdb", "--database-url", url, "analyze-indexes",
             "--format", "json"], check=True, capture_output=True, env=env).stdout)
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
