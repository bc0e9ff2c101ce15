"""The server's share of ``musicdb generate``: the same load with the rows generated beforehand.

Usage: python benchmarks/generate_ceiling.py DATABASE_URL [SCALE]

DATABASE_URL names an empty database at head (``musicdb migrate up``); its tables are loaded and
the transaction is rolled back at the end, so it stays empty. All rows are generated into memory
first (seed 1, until 2026-01-01), then timed: COPY per table (FREEZE into the truncated tables,
as generate does), the index rebuilds and foreign-key validation, ANALYZE and the view refresh,
with the server backend's CPU seconds next to the wall time. Without Python in the loop this is
the fastest a load of this schema can go on the machine: the ceiling for ``generate``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

import psycopg
from psycopg import sql

from musicdb.workload import generate


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    url = sys.argv[1]
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    counts = generate.plan_counts(scale)
    gen = generate._Generator(counts, dict.fromkeys(generate.TABLES, 0), 1, dt.date(2026, 1, 1))
    t0 = time.perf_counter()
    data = {t: [(text.encode(), n) for text, n in gen.rows(t)] for t in generate.TABLES}
    rows = sum(n for chunks in data.values() for _, n in chunks)
    print(f"python: {rows:,} rows generated in {time.perf_counter() - t0:.2f} s (not timed below)")

    conn = psycopg.connect(url)
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    local = os.path.exists(f"/proc/{pid}/stat")  # server on this machine: read its CPU time

    def cpu() -> float:
        if not local:
            return float("nan")
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    phases: dict[str, list[float]] = {}

    def timed(name: str, t_start: float, c_start: float) -> None:
        wall, busy = phases.setdefault(name, [0.0, 0.0])
        phases[name] = [wall + time.perf_counter() - t_start, busy + cpu() - c_start]

    start = time.perf_counter()
    names = sql.SQL(", ").join(map(sql.Identifier, generate.TABLES))
    conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
    conn.execute(sql.SQL("TRUNCATE {}").format(names))
    deferred = generate._defer_checks(conn)
    with conn.cursor() as cur:
        for table in generate.TABLES:
            t, c = time.perf_counter(), cpu()
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FREEZE)").format(
                sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, generate._Generator.columns(table))),
            )
            with cur.copy(copy_sql) as copy:
                for text, _n in data[table]:
                    copy.write(text)
            timed("COPY", t, c)
            t, c = time.perf_counter(), cpu()
            generate._restore_checks(conn, deferred, table)
            timed("indexes + foreign keys", t, c)
            t, c = time.perf_counter(), cpu()
            cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
            timed("ANALYZE", t, c)
    t, c = time.perf_counter(), cpu()
    conn.execute("REFRESH MATERIALIZED VIEW mv_track_popularity")
    timed("view refresh", t, c)
    total = time.perf_counter() - start
    conn.rollback()
    conn.close()
    print(f"{'phase':<24} {'seconds':>8} {'server CPU s':>12}")
    for name, (wall, busy) in phases.items():
        print(f"{name:<24} {wall:>8.2f} {busy:>12.2f}")
    print(f"{'all (server only)':<24} {total:>8.2f}   {rows / total:,.0f} rows/s")


if __name__ == "__main__":
    main()
