"""Where the time of ``musicdb generate`` goes: Python row generation alone, per table.

Usage: python benchmarks/generate_breakdown.py [SCALE]

It runs the generator without a database (rows are produced and discarded) and prints rows/s per
table, so that a run of ``musicdb generate`` can be split into "making rows" and "the server
loading them". Needs nothing but the package.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from musicdb.workload import generate


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
    counts = generate.plan_counts(scale)
    gen = generate._Generator(counts, dict.fromkeys(generate.TABLES, 0), 42, dt.date(2026, 1, 1))
    total_rows = 0
    total_bytes = 0
    started = time.perf_counter()
    print(f"{'table':<26} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'bytes/row':>9}")
    for table in generate.TABLES:
        t0 = time.perf_counter()
        rows = size = 0
        for text, n in gen.rows(table):
            rows += n
            size += len(text)
        seconds = time.perf_counter() - t0
        total_rows += rows
        total_bytes += size
        print(f"{table:<26} {rows:>9} {seconds:>8.2f} {rows / seconds:>9.0f} "
              f"{size / max(1, rows):>9.0f}")
    seconds = time.perf_counter() - started
    print(f"{'all tables':<26} {total_rows:>9} {seconds:>8.2f} {total_rows / seconds:>9.0f} "
          f"{total_bytes / total_rows:>9.0f}")


if __name__ == "__main__":
    main()
