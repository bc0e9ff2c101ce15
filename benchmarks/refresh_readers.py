"""Readers of mv_track_popularity during a refresh: CONCURRENTLY against a plain (blocking) one.

Usage: python benchmarks/refresh_readers.py [--runs N] [--interactions N] [--bindir DIR]

Starts a throwaway local cluster (musicdb.local, on /dev/shm when present, fsync off like the
tests), migrates a database to head, loads users, tracks and N user_interactions with
generate_series, and makes ``mv_track_popularity_plain``: the same query without a unique index,
so it can only be refreshed plainly. For each run and each view, ``refresh.refresh_view`` (the
code of ``musicdb refresh-view``) runs in a thread while another session SELECTs from the view in
a loop; it prints the refresh time and the readers' latency (median and worst) of the SELECTs that
were sent while the refresh ran.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from musicdb import migrate
from musicdb.config import DatabaseTarget, url_with_database
from musicdb.local import LocalCluster


def load(url: str, interactions: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # consistent rows: no FK triggers
        conn.execute("INSERT INTO users (username, email, password_hash) SELECT 'u' || g,"
                     " 'u' || g || '@example.org', 'x' FROM generate_series(1, 5000) g")
        conn.execute("INSERT INTO tracks (title) SELECT 'track ' || g"
                     " FROM generate_series(1, 20000) g")
        conn.execute(
            "INSERT INTO user_interactions (user_id, track_id, interaction_type,"
            " play_duration_ms, created_at)"
            " SELECT 1 + g %% 5000, 1 + (g * 7) %% 20000,"
            " (ARRAY['play', 'play', 'play', 'skip', 'like'])[1 + g %% 5], g %% 240000,"
            " now() - g * interval '1 second' FROM generate_series(1, %s) g",
            (interactions,),
        )
        conn.execute("RESET session_replication_role")
        definition = conn.execute(
            "SELECT pg_get_viewdef('mv_track_popularity'::regclass)"
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(sql.SQL("CREATE MATERIALIZED VIEW mv_track_popularity_plain AS {}").format(
            sql.SQL(definition.rstrip().rstrip(";"))))  # our own view's definition
        conn.execute("VACUUM ANALYZE")
        conn.execute("REFRESH MATERIALIZED VIEW mv_track_popularity")


def measure(url: str, view: str) -> dict[str, Any]:
    target = DatabaseTarget(url, "benchmark")
    out: dict[str, Any] = {}
    with psycopg.connect(url, autocommit=True) as conn:  # a real difference to merge
        conn.execute("UPDATE user_interactions SET interaction_type = 'play' WHERE id % 10 = 3")

    def refresh() -> None:
        out["result"] = refresh.refresh_view(target, view, allow_blocking=True)

    latencies: list[float] = []
    query = sql.SQL("SELECT count(*), max(total_plays) FROM {}").format(sql.Identifier(view))
    with psycopg.connect(url, autocommit=True) as reader:
        reader.execute(query)
        thread = threading.Thread(target=refresh)
        thread.start()
        while thread.is_alive():
            started = time.perf_counter()
            reader.execute(query).fetchone()
            latencies.append(time.perf_counter() - started)
        thread.join()
    result = out["result"]
    assert result.outcome == "ok", result.message
    return {"mode": result.mode, "refresh_ms": result.duration_ms, "selects": len(latencies),
            "median_ms": statistics.median(latencies) * 1000 if latencies else None,
            "worst_ms": max(latencies) * 1000 if latencies else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--bindir", type=Path, default=None, help="PostgreSQL binaries to use")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", bindir=args.bindir, durable=False, database="postgres")
    admin = cluster.start()
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench_refresh")
        url = url_with_database(admin, "bench_refresh")
        migrate.upgrade(DatabaseTarget(url, "benchmark"), "head")
        load(url, args.interactions)
        print(f"PostgreSQL {cluster.version()}, {args.interactions} interactions, 20000 tracks, "
              f"{args.runs} runs")
        for view in ("mv_track_popularity", "mv_track_popularity_plain"):
            runs = [measure(url, view) for _ in range(args.runs)]
            print(f"{view:26} mode {runs[0]['mode']:12} "
                  f"refresh median {statistics.median(r['refresh_ms'] for r in runs):6.0f} ms  "
                  f"SELECTs during refresh {sum(r['selects'] for r in runs) / len(runs):6.0f}/run  "
                  f"reader median {statistics.median(r['median_ms'] for r in runs):7.2f} ms  "
                  f"reader worst {max(r['worst_ms'] for r in runs):7.1f} ms")
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
