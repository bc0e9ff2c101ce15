"""The expand revision on data: its time, no table rewritten, Q1-Q12 plans and p95 before/after.

Usage: python benchmarks/expand.py [--scale 0.1] [--iterations 200] [--rounds 3] [--bindir DIR]

Starts a throwaway local cluster (musicdb.local, on /dev/shm when present, fsync off like the
tests), migrates an empty database to the merge revision (the strict schema, as before the
expand), generates data at --scale, copies it (the copy stays strict), times ``migrate.upgrade``
to the compatible head (the expand revision alone), checks every relation's relfilenode, then
benches Q1-Q12 (the same code as ``musicdb bench``) on the strict copy and on the expanded
database in alternating rounds, and times ``migrate contract`` and its undo. (``generate`` loads
a database at head: the data is generated there and the database taken down to the merge
revision first, which times the expand's downgrade too.) Prints one markdown
table per step; ratios are within this one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import psycopg
from _cluster import throwaway_cluster

from musicdb import migrate
from musicdb.config import DatabaseTarget, url_with_database
from musicdb.migrate import contract
from musicdb.workload import bench, generate, patterns

MERGE = "20261201_091000_merge_legacy_lineage"


def _files(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT relname, pg_relation_filenode(oid) FROM pg_class WHERE relkind IN ('r', 'i') "
            "AND relnamespace = 'public'::regnamespace").fetchall())


def _bench(target: DatabaseTarget, iterations: int) -> dict[str, tuple[float, float, str]]:
    result = bench.run(target, patterns.PATTERNS, iterations=iterations, warmup=10, seed=1)
    return {r.pattern.name: (r.timing.p50_ms, r.timing.p95_ms, ", ".join(r.indexes))
            for r in result.results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bindir", type=Path, default=None, help="PostgreSQL binaries to use")
    args = parser.parse_args()
    with throwaway_cluster(args.bindir) as (cluster, admin):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE expand_bench")
        url = url_with_database(admin, "expand_bench")
        target = DatabaseTarget(url, "bench")
        migrate.upgrade(target, "head")  # generate loads a database at head
        started = time.perf_counter()
        generate.generate(target, scale=args.scale, seed=1)
        print(f"PostgreSQL {cluster.version()}, scale {args.scale}: generated in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        migrate.downgrade(target, MERGE)  # the strict schema, as before the expand
        print(f"expand's downgrade (compatible head -> merge): "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        with psycopg.connect(url) as conn:
            counts = conn.execute("SELECT (SELECT count(*) FROM user_interactions), "
                                  "(SELECT count(*) FROM tracks), "
                                  "(SELECT count(*) FROM track_sources)").fetchone()
        print(f"rows: user_interactions {counts[0]}, tracks {counts[1]}, "
              f"track_sources {counts[2]}")
        # a copy stays at the merge revision: the two are benched in alternating rounds, so
        # that the machine's load falls on both sides alike (ratios within one run)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE expand_before TEMPLATE expand_bench")
        strict = DatabaseTarget(url_with_database(admin, "expand_before"), "bench")
        files = _files(url)
        started = time.perf_counter()
        migrate.upgrade(target, "head")
        expand_s = time.perf_counter() - started
        after_files = _files(url)
        same_tables = [t for t in files if t in after_files and files[t] == after_files[t]]
        print(f"\nexpand (merge -> compatible head): {expand_s * 1000:.0f} ms; relations with "
              f"the same file: {len(same_tables)} of {len(files)}; rebuilt: "
              f"{sorted(t for t in files if t in after_files and t not in same_tables)}")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        rounds: dict[str, list[dict[str, tuple[float, float, str]]]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            rounds["before"].append(_bench(strict, args.iterations))
            rounds["after"].append(_bench(target, args.iterations))
        print(f"\nmedians of {args.rounds} alternating rounds, {args.iterations} iterations each "
              "(ms)\n")
        print("| pattern | p50 before | p95 before | p50 after | p95 after | p95 after/before "
              "| indexes before | indexes after |")
        print("|---|---|---|---|---|---|---|---|")
        for name in rounds["before"][0]:
            b50, b95 = (statistics.median(r[name][i] for r in rounds["before"]) for i in (0, 1))
            a50, a95 = (statistics.median(r[name][i] for r in rounds["after"]) for i in (0, 1))
            print(f"| {name} | {b50:.2f} | {b95:.2f} | {a50:.2f} | {a95:.2f} | "
                  f"{a95 / b95 if b95 else 0:.2f} | {rounds['before'][0][name][2]} | "
                  f"{rounds['after'][0][name][2]} |")
        for undo in (False, True):
            started = time.perf_counter()
            contract.run(target, undo=undo, progress=lambda _m: None)
            print(f"\ncontract{' --undo' if undo else ''}: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
