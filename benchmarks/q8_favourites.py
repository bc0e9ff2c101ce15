"""Q8 (a user's favourites, newest first) key by key, against the baseline.

Usage: python benchmarks/q8_favourites.py URL [--explain]

URL is a generated database at head (e.g. ``generate --scale 1 --seed 1``); it must be idle, as
for ``bench --compare-baseline``: the baseline is a copy of it without the performance
revision's indexes (made and dropped here). For each of the 50 busy keys that ``bench`` draws
(seed 1): the user's library size and favourites, the median client-side latency of 20 runs
(after 6 untimed ones, so the statement is prepared) on the database and on the baseline, and
the ratio. With ``--explain``: EXPLAIN (ANALYZE, BUFFERS) of both sides for the busiest, the 25th
busiest and a uniformly drawn user.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from musicdb import db
from musicdb.config import DatabaseTarget
from musicdb.workload import bench
from musicdb.workload.patterns import BY_NAME, draw_params

Q8 = BY_NAME["Q8"]
SIZES = (
    "SELECT count(*), count(*) FILTER (WHERE is_favorite) FROM user_library WHERE user_id = %s"
)


def _median_ms(conn: Any, key: tuple[Any, ...], runs: int = 20) -> float:
    samples = []
    with conn.cursor() as cur:
        for _ in range(6):
            cur.execute(Q8.sql, key)
            cur.fetchall()
        for _ in range(runs):
            t0 = time.perf_counter()
            cur.execute(Q8.sql, key)
            cur.fetchall()
            samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def _explain(conn: Any, label: str, picks: dict[str, tuple[Any, ...]]) -> None:
    for name, key in picks.items():
        size, favourites = conn.execute(SIZES, key).fetchone()
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + Q8.sql, key).fetchall()
        print(f"### {label}: {name} user ({size} library rows, {favourites} favourites)")
        print("\n".join(r[0] for r in plan), end="\n\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    target = DatabaseTarget(argv[0], "argument")
    with db.connect(target, application_name="q8_favourites") as conn:
        params = draw_params(conn, Q8, count=50, seed=1)
        if not params.hot:
            print("no favourites in this database: run `musicdb generate` first", file=sys.stderr)
            return 1
        sizes = {k: conn.execute(SIZES, k).fetchone() for k in params.hot}
        mine = {k: _median_ms(conn, k) for k in params.hot}
        picks = {"busiest": params.hot[0], "25th busiest": params.hot[len(params.hot) // 2 - 1],
                 "uniformly drawn": params.cold[0]}
        if "--explain" in argv:
            _explain(conn, "indexed", picks)
    with bench.baseline_copy(target, lambda _: None) as copy, db.connect(copy) as conn:
        base = {k: _median_ms(conn, k) for k in params.hot}
        if "--explain" in argv:
            _explain(conn, "baseline", picks)
    print("| library rows | favourites | indexed ms | baseline ms | ratio |")
    print("|---:|---:|---:|---:|---:|")
    rows = sorted(((*sizes[k], mine[k], base[k]) for k in params.hot), reverse=True)
    for size, favourites, ms, base_ms in rows:
        print(f"| {size} | {favourites} | {ms:.2f} | {base_ms:.2f} | {base_ms / ms:.1f} |")
    print(f"\nkeys at 10x or more: {sum(b / m >= 10 for *_, m, b in rows)} of {len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
