"""Time of adopting a larger legacy database: inspect, dry-run plan, adopt, each conversion step.

Usage: python benchmarks/adopt.py [--scale N ...] [--bindir DIR] [--url ADMIN_URL]

Needs the legacy fixture of the test suite (``tests/legacy``, importable when this script runs from
the repository root, or from the folder named by ``MUSICDB_LEGACY_FIXTURE``); stops with a message
when it is absent. Without ``--url`` it starts a throwaway local cluster (musicdb.local, on /dev/shm
when present, fsync off like the tests). For each scale it loads the legacy database with
``load_legacy(conn, rows_scale)``, then times ``adopt.inspect`` + ``adopt.plan`` (what
``adopt --dry-run`` does), ``adopt.adopt`` and ``migrate.upgrade`` to head, step by step, and checks
that ``migrate.drift`` finds nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from musicdb import adopt, db, migrate
from musicdb.config import DatabaseTarget


def _fixture():  # type: ignore[no-untyped-def]
    folder = Path(os.environ.get("MUSICDB_LEGACY_FIXTURE", Path(__file__).parents[1] / "tests"))
    sys.path.insert(0, str(folder))
    try:
        from legacy import load_legacy
    except ImportError:
        sys.exit(f"the legacy fixture (package 'legacy') is not in {folder}: "
                 "set MUSICDB_LEGACY_FIXTURE to the folder that holds it")
    return load_legacy


def run(admin: str, scale: int, load_legacy) -> None:  # type: ignore[no-untyped-def]
    server = DatabaseTarget(admin, "bench")
    with db.scratch_database(server, prefix=f"bench_adopt_{scale}_") as target:
        _measure(target, scale, load_legacy)


def _measure(target: DatabaseTarget, scale: int, load_legacy) -> None:  # type: ignore[no-untyped-def]
    url = target.conninfo
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        load_legacy(conn, scale)
        conn.execute("ANALYZE")
        rows = conn.execute("SELECT count(*) FROM user_interactions").fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(f"scale {scale}: {rows} interactions, database {size / 2**20:.0f} MiB "
          f"(load {time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    plan = adopt.plan(target)
    print(f"  inspect + plan (--dry-run)   {time.perf_counter() - t0:6.2f} s "
          f"({sum(len(p.statements) for _r, p in plan.steps)} statements)")
    t0 = time.perf_counter()
    adopt.adopt(target)
    print(f"  adopt (stamp)                {time.perf_counter() - t0:6.2f} s")
    t0 = time.perf_counter()
    migrate.upgrade(target, "head", progress=lambda m: print("   ", m))
    print(f"  migrate up (conversion)      {time.perf_counter() - t0:6.2f} s")
    t0 = time.perf_counter()
    drift = migrate.drift(target)
    print(f"  migrate check                {time.perf_counter() - t0:6.2f} s, "
          f"{len(drift)} difference(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--bindir", type=Path, default=None, help="PostgreSQL binaries to use")
    parser.add_argument("--url", default=None, help="admin URL of an existing server")
    args = parser.parse_args()
    load_legacy = _fixture()
    if args.url:
        for scale in args.scale:
            run(args.url, scale, load_legacy)
        return
    from musicdb.local import LocalCluster

    root = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=args.bindir, durable=False, database="postgres")
    admin = cluster.start()
    try:
        print(f"PostgreSQL {cluster.version()}")
        for scale in args.scale:
            run(admin, scale, load_legacy)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
