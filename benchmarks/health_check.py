"""Time ``musicdb health-check`` on a large synthetic catalog, optionally beside another tree.

Usage::

    python benchmarks/health_check.py PATH/TO/bigcatalog.sql [--runs 7] [--ntables 5000]
        [--bindir /usr/lib/postgresql/15/bin] [--baseline-src DIR] [--skip CHECK ...]

(or set MUSICDB_BIGCATALOG_SQL instead of the path). The script starts a throwaway cluster on
/dev/shm, builds the catalog with ``psql``, then times, as medians of the runs, the whole
``python -m musicdb health-check --format json`` in a fresh process and the library call
``health.run_checks`` in a process that has run it once already (imports done, server caches
warm). With ``--baseline-src DIR`` (the ``src`` folder of another checkout, e.g. ``git worktree
add /tmp/before <rev>``), every run times that tree's command and library call too, in turn with
this one's, so the ratios compare both on the same machine at the same moment. ``--skip CHECK``
(repeatable) leaves a check out of every timed run, e.g. ``--skip drift`` to time the catalog
checks without the scratch-database build. It prints Markdown tables (see
``benchmarks/health_check.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from _cluster import bigcatalog_cluster, bigcatalog_ready

#: Run in a fresh interpreter of either tree: one warm-up call of ``health.run_checks`` (imports,
#: the server's caches), then one timed call; prints the milliseconds.
_LIBRARY_RUN = """
import sys, time
try:
    from musicdb.ops import health
except ImportError:  # a tree from before the ops package
    from musicdb import health
from musicdb.config import DatabaseTarget
target, skip = DatabaseTarget(sys.argv[1], "benchmark"), sys.argv[2:]
health.run_checks(target, skip=skip)
start = time.perf_counter()
health.run_checks(target, skip=skip)
print((time.perf_counter() - start) * 1000)
"""


def _env(src: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if src:
        env["PYTHONPATH"] = src
    return env


def _library(url: str, src: str | None, skip: list[str]) -> float:
    proc = subprocess.run([sys.executable, "-c", _LIBRARY_RUN, url, *skip], capture_output=True,
                          env=_env(src), check=False, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the library run of {src or 'this tree'} failed:\n{proc.stderr}")
    return float(proc.stdout)


def _command(url: str, src: str | None, skip: list[str]) -> tuple[float, int, dict[str, str]]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "musicdb", "--database-url", url, "health-check",
         "--format", "json", *(arg for name in skip for arg in ("--skip", name))],
        capture_output=True, env=_env(src), check=False,
    )
    elapsed = (time.perf_counter() - start) * 1000
    doc = json.loads(proc.stdout)
    states = {row["check"]: row["status"] for row in doc["rows"]}
    return elapsed, proc.returncode, states


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", default=os.environ.get("MUSICDB_BIGCATALOG_SQL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--ntables", type=int, default=5000)
    parser.add_argument("--bindir", default="/usr/lib/postgresql/15/bin")
    parser.add_argument("--baseline-src", metavar="DIR", help="src folder of another checkout")
    parser.add_argument("--skip", metavar="CHECK", action="append", default=[],
                        help="a check to leave out (repeatable)")
    args = parser.parse_args()
    if not bigcatalog_ready(args.catalog, Path(args.bindir)):
        return 2
    if args.baseline_src and not (Path(args.baseline_src) / "musicdb").is_dir():
        print(f"--baseline-src {args.baseline_src}: no musicdb package there; stopping",
              file=sys.stderr)
        return 2
    with bigcatalog_cluster(args.catalog, args.ntables, Path(args.bindir), 55498) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"server {version}; catalog of {args.ntables} tables; {os.cpu_count()} CPUs; "
              f"runs {args.runs}; load {os.getloadavg()[0]:.2f}"
              + (f"; skipping {', '.join(args.skip)}" if args.skip else ""))
        trees = {"this tree": None}
        if args.baseline_src:
            trees["baseline"] = args.baseline_src
        times: dict[str, list[float]] = {}
        for tree in trees:
            times[f"{tree}, command"] = []
            times[f"{tree}, library (warm process)"] = []
        states: dict[str, dict[str, str]] = {}
        for _ in range(args.runs):
            for tree, src in trees.items():
                elapsed, _code, states[tree] = _command(url, src, args.skip)
                times[f"{tree}, command"].append(elapsed)
                times[f"{tree}, library (warm process)"].append(_library(url, src, args.skip))
        print("\n| what | median ms | min ms |\n|---|---:|---:|")
        for key, values in times.items():
            print(f"| {key} | {statistics.median(values):.0f} | {min(values):.0f} |")
        if args.baseline_src:
            print()
            for what in ("command", "library (warm process)"):
                ratio = statistics.median(times[f"baseline, {what}"]) / statistics.median(
                    times[f"this tree, {what}"])
                print(f"baseline / this tree ({what} medians): {ratio:.2f}x")
            ours, theirs = states["this tree"], states["baseline"]
            common = ours.keys() & theirs.keys()
            same = all(ours[name] == theirs[name] for name in common)
            print(f"check states of the {len(common)} checks both trees have: "
                  + ("identical" if same else f"DIFFER {states}"))
            if ours.keys() - common:
                print("checks only this tree has: " + ", ".join(sorted(ours.keys() - common)))
        print("\n| check | state |\n|---|---|")
        for name, state in states["this tree"].items():
            print(f"| {name} | {state} |")
        return 0


if __name__ == "__main__":
    sys.exit(main())
