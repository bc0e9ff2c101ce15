"""user_interactions partitioned by month: conversion locks, retire against DELETE + VACUUM, Q4,
planning time with 36 partitions, the load rate of COPY into the parent.

Usage: python benchmarks/partitioning.py [--scale 1] [--iterations 300] [--rounds 3] [--bindir DIR]
       [--baseline-src DIR]

Starts a throwaway local cluster (musicdb.local, on /dev/shm when present, fsync off like the
tests), migrates a database to head and generates data at --scale (``generate`` makes a
partition for every month of the events). A copy is taken down to the compatible head (the
unpartitioned table, every row kept), and a copy of that is converted again by the revision's
own code with each step timed (the lock each step holds is printed beside it). Then, in the same
run: Q4 p50/p95 on the plain and the partitioned table in alternating rounds; planning time of
Q4 with 36 monthly partitions against the plain table; the oldest month removed by ``partitions
retire`` against ``DELETE ... WHERE created_at < ...`` + ``VACUUM`` on the plain copy (time, and
the table's size after); COPY of the same rows into the plain table and into the partitioned
parent (the rows routed), alternating. With ``--baseline-src DIR`` (the ``src`` folder of a
checkout before the partitioning, e.g. ``git worktree add /tmp/before <commit>``), ``musicdb
generate`` of this tree and of the baseline, alternating, each into a fresh database its own
``migrate up`` built. Prints markdown tables; ratios are within this one run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from _cluster import throwaway_cluster

from musicdb import migrate
from musicdb.config import DatabaseTarget, url_with_database
from musicdb.partitions import add_months, catalog, conversion, month_start, upkeep
from musicdb.partitions.archive import retire
from musicdb.workload import bench, generate, patterns

COMPATIBLE = "20261204_090000_platform_app_compatible"


class _Ctx:
    """What :func:`conversion.partition` needs of an Alembic context: an autocommit block (the
    connection given is in autocommit already)."""

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        yield


def _clone(admin: str, source: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')  # names of this script
    return url_with_database(admin, name)


def _q4(target: DatabaseTarget, iterations: int) -> tuple[float, float]:
    result = bench.run(target, [patterns.BY_NAME["Q4"]], iterations=iterations, warmup=20, seed=1)
    timing = result.results[0].timing
    return timing.p50_ms, timing.p95_ms


def _planning_ms(url: str, query: str, params: tuple[Any, ...], runs: int = 200) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        times = []
        for _ in range(runs):
            doc = conn.execute(f"EXPLAIN (SUMMARY, FORMAT JSON) {query}", params).fetchone()[0]
            times.append(doc[0]["Planning Time"])
    return statistics.median(times)


def _generate(admin: str, name: str, src: str | None, scale: float, until: str) -> dict[str, Any]:
    """``musicdb generate`` of the tree at *src* (None: this one) into a fresh database: its
    JSON document."""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # names of this script
    url = url_with_database(admin, name)
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    base = [sys.executable, "-m", "musicdb", "--database-url", url]
    subprocess.run([*base, "migrate", "up"], env=env, check=True, capture_output=True)
    proc = subprocess.run([*base, "generate", "--scale", str(scale), "--seed", "1", "--until",
                           until, "--format", "json"], env=env, check=True,
                          capture_output=True, text=True)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')
    return json.loads(proc.stdout)


def _size(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class "
                            "AS c WHERE c.relname LIKE 'user_interactions%' AND c.relkind IN "
                            "('r', 'p')").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bindir", type=Path, default=None, help="PostgreSQL binaries to use")
    parser.add_argument("--baseline-src", metavar="DIR", help="src folder of another checkout")
    args = parser.parse_args()
    if args.baseline_src and not (Path(args.baseline_src) / "musicdb").is_dir():
        print(f"--baseline-src {args.baseline_src}: no musicdb package there; stopping",
              file=sys.stderr)
        sys.exit(2)
    with throwaway_cluster(args.bindir) as (cluster, admin):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE part")
        part_url = url_with_database(admin, "part")
        part = DatabaseTarget(part_url, "bench")
        migrate.upgrade(part, "head")
        started = time.perf_counter()
        with psycopg.connect(part_url) as conn:  # whole months of events, the last one just ended
            current = catalog.server_month(conn)
        loaded = generate.generate(part, scale=args.scale, seed=1, until=current)
        print(f"PostgreSQL {cluster.version()}, scale {args.scale}: generated in "
              f"{time.perf_counter() - started:.1f} s")
        events = next(t for t in loaded.tables if t.table == "user_interactions")
        print(f"user_interactions: {events.rows} rows COPYed into the parent in "
              f"{events.seconds:.1f} s ({events.rows / events.seconds:,.0f} rows/s)\n")

        plain_url = _clone(admin, "part", "plain")
        plain = DatabaseTarget(plain_url, "bench")
        started = time.perf_counter()
        migrate.downgrade(plain, COMPATIBLE)
        print(f"downgrade to the plain table (every row kept): "
              f"{time.perf_counter() - started:.1f} s\n")
        for url in (part_url, plain_url):
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")

        # -- the conversion's locks --------------------------------------------------------
        conv_url = _clone(admin, "plain", "conv")
        timings: conversion.Timings = []
        with psycopg.connect(conv_url, autocommit=True) as conn:
            conversion.partition(conn, _Ctx(), timings)
        print("| conversion step | lock held | ms |\n|---|---|---:|")
        for step, lock, ms in timings:
            print(f"| {step} | {lock} | {ms:,.1f} |")
        blocking = [ms for _, lock, ms in timings if lock.startswith("ACCESS EXCLUSIVE")]
        print(f"\nlongest ACCESS EXCLUSIVE lock: {max(blocking):,.1f} ms\n")

        # -- Q4 before / after -------------------------------------------------------------
        runs: dict[str, list[tuple[float, float]]] = {"plain": [], "partitioned": []}
        for _ in range(args.rounds):
            runs["plain"].append(_q4(plain, args.iterations))
            runs["partitioned"].append(_q4(part, args.iterations))
        print("| Q4 | p50 ms (median of rounds) | p95 ms (median of rounds) |\n|---|---:|---:|")
        for name, values in runs.items():
            print(f"| {name} | {statistics.median(v[0] for v in values):.3f} | "
                  f"{statistics.median(v[1] for v in values):.3f} |")

        # -- retire the oldest month vs DELETE + VACUUM -----------------------------------
        with psycopg.connect(part_url) as conn:
            oldest = conn.execute("SELECT min(created_at) FROM user_interactions").fetchone()[0]
        cutoff = add_months(month_start(oldest), 1)
        older_than = (current.year - cutoff.year) * 12 + current.month - cutoff.month
        with psycopg.connect(plain_url) as conn:
            doomed = conn.execute("SELECT count(*) FROM user_interactions WHERE created_at < %s",
                                  (cutoff,)).fetchone()[0]
        size_plain, size_part = _size(plain_url), _size(part_url)
        started = time.perf_counter()
        with psycopg.connect(plain_url, autocommit=True) as conn:
            conn.execute("DELETE FROM user_interactions WHERE created_at < %s", (cutoff,))
            conn.execute("VACUUM user_interactions")
        deleting = time.perf_counter() - started
        started = time.perf_counter()
        done = retire(part, older_than)
        retiring = time.perf_counter() - started
        assert not done.failed and len(done.months) >= 1, done.summary()
        print(f"\nremoving the events before {cutoff} ({doomed:,} rows; "
              f"{', '.join(m.partition for m in done.months)}):\n")
        print("| how | seconds | user_interactions bytes before | after |\n|---|---:|---:|---:|")
        print(f"| DELETE + VACUUM (plain) | {deleting:.3f} | {size_plain:,} | "
              f"{_size(plain_url):,} |")
        print(f"| partitions retire | {retiring:.3f} | {size_part:,} | {_size(part_url):,} |")
        print(f"\nDELETE + VACUUM / retire: **{deleting / retiring:,.0f}x**")
        # the next month, statements only (open connections, no catalog reads, no job lock)
        upper = add_months(cutoff, 1)
        with psycopg.connect(plain_url, autocommit=True) as conn:
            started = time.perf_counter()
            conn.execute("DELETE FROM user_interactions WHERE created_at < %s", (upper,))
            conn.execute("VACUUM user_interactions")
            deleting = time.perf_counter() - started
        with psycopg.connect(part_url, autocommit=True) as conn:
            started = time.perf_counter()
            conn.execute(f"ALTER TABLE user_interactions DETACH PARTITION "
                         f"user_interactions_p{cutoff:%Y%m}")  # a name of this script
            conn.execute(f"DROP TABLE user_interactions_p{cutoff:%Y%m}")
            retiring = time.perf_counter() - started
        print(f"\nthe next month ({cutoff:%Y-%m}), the statements alone: DELETE + VACUUM "
              f"{deleting * 1000:,.1f} ms, DETACH + DROP {retiring * 1000:,.1f} ms: "
              f"**{deleting / retiring:,.0f}x**")

        # -- planning time with 36 partitions ----------------------------------------------
        with psycopg.connect(part_url, autocommit=True) as conn:
            upkeep.create_months(conn, add_months(current, -35), current)
            months = sum(1 for p in catalog.partitions(conn) if not p.is_default)
            user = conn.execute(patterns.BY_NAME["Q4"].hot_sql, (1,)).fetchone()[0]
        q4 = patterns.BY_NAME["Q4"].sql
        window = q4.replace("ORDER BY", "AND ui.created_at >= %s AND ui.created_at < %s ORDER BY")
        last = catalog.as_datetime(add_months(current, -1))
        bounds = (last, catalog.as_datetime(current))
        print(f"\n| planning time (median of 200) | plain ms | {months} partitions ms |"
              "\n|---|---:|---:|")
        print(f"| Q4 | {_planning_ms(plain_url, q4, (user,)):.3f} | "
              f"{_planning_ms(part_url, q4, (user,)):.3f} |")
        print(f"| Q4 over one month | {_planning_ms(plain_url, window, (user, *bounds)):.3f} | "
              f"{_planning_ms(part_url, window, (user, *bounds)):.3f} |")

        # -- COPY into the plain table and into the partitioned parent ---------------------
        buf = io.BytesIO()
        with psycopg.connect(part_url) as conn, conn.cursor() as cur, cur.copy(
                "COPY (SELECT * FROM user_interactions) TO STDOUT") as copy:
            for data in copy:
                buf.write(data)
        rows = buf.getvalue().count(b"\n")
        rates: dict[str, list[float]] = {"plain": [], "partitioned": []}
        for _ in range(args.rounds):
            for name, url in (("plain", plain_url), ("partitioned", part_url)):
                with psycopg.connect(url) as conn, conn.cursor() as cur:
                    cur.execute("TRUNCATE user_interactions")
                    started = time.perf_counter()
                    with cur.copy("COPY user_interactions FROM STDIN") as copy:
                        copy.write(buf.getvalue())
                    rates[name].append(rows / (time.perf_counter() - started))
                    conn.rollback()
        print(f"\n| COPY of {rows:,} events (indexes in place) | rows/s (median of rounds) |"
              "\n|---|---:|")
        for name, values in rates.items():
            print(f"| into the {name} table | {statistics.median(values):,.0f} |")

        # -- generate, this tree and the baseline side by side -----------------------------
        if not args.baseline_src:
            return
        trees = {"this tree": None, "baseline": args.baseline_src}
        found: dict[str, list[tuple[float, float]]] = {tree: [] for tree in trees}
        for round_ in range(args.rounds):
            for tree, src in trees.items():
                doc = _generate(admin, f"gen_{round_}_{len(found[tree])}_{src is None}", src,
                                args.scale, current.isoformat())
                events = next(r for r in doc["rows"] if r["table"] == "user_interactions")
                found[tree].append((events["rows_per_s"], doc["meta"]["load_rows_per_s"]))
        print("\n| generate (median of rounds) | user_interactions rows/s | all tables, "
              "loading rows/s |\n|---|---:|---:|")
        for tree, values in found.items():
            print(f"| {tree} | {statistics.median(v[0] for v in values):,.0f} | "
                  f"{statistics.median(v[1] for v in values):,.0f} |")


if __name__ == "__main__":
    main()
