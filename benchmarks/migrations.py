"""Time of the migrations: empty -> head, and head -> base -> head.

Usage: python benchmarks/migrations.py [--runs N] [--bindir DIR]

Starts a throwaway local cluster (musicdb.local, on /dev/shm when present, fsync off like the
tests), then for each run creates an empty database and times ``migrate.upgrade`` to head, a
downgrade to base and the upgrade back to head, through the same code path as ``musicdb migrate``
(advisory lock, one transaction per revision). Prints the median of each step.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from musicdb import migrate
from musicdb.config import DatabaseTarget, url_with_database
from musicdb.local import LocalCluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bindir", type=Path, default=None, help="PostgreSQL binaries to use")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=args.bindir, durable=False, database="postgres")
    admin = cluster.start()
    steps: dict[str, list[float]] = {"empty -> head": [], "head -> base": [], "base -> head": []}
    try:
        print(f"PostgreSQL {cluster.version()}, {args.runs} runs")
        for run in range(args.runs):
            name = f"bench_migrate_{run}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            target = DatabaseTarget(url_with_database(admin, name), "benchmark")
            for step, action in (
                ("empty -> head", lambda t=target: migrate.upgrade(t, "head")),
                ("head -> base", lambda t=target: migrate.downgrade(t, "base")),
                ("base -> head", lambda t=target: migrate.upgrade(t, "head")),
            ):
                started = time.perf_counter()
                action()
                steps[step].append(time.perf_counter() - started)
        for step, samples in steps.items():
            print(f"{step:14} median {statistics.median(samples) * 1000:7.1f} ms  "
                  f"(min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})")
        both = [a + b for a, b in zip(steps["head -> base"], steps["base -> head"], strict=True)]
        print(f"{'head->base->head':14} median {statistics.median(both) * 1000:7.1f} ms")
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
