"""Time ``musicdb report`` on a large synthetic catalog, in each format, beside ``health-check``.

Usage::

    python benchmarks/report.py PATH/TO/bigcatalog.sql [--runs 5] [--ntables 5000]
        [--bindir /usr/lib/postgresql/15/bin]

(or set MUSICDB_BIGCATALOG_SQL instead of the path; without it the script says so and stops).
It starts a throwaway cluster on /dev/shm with the catalog loaded (``benchmarks/_cluster.py``),
then in each run times, in a fresh process each, ``musicdb report`` writing HTML, Markdown and
JSON, the HTML report without the drift check (``--no-drift``), and ``musicdb health-check
--format json`` (the report runs every health check too: the ratio report / health-check, taken
in the same run, says what the rest of the report costs). Medians and minimums of the runs; the
files' sizes; the sections' own times from one JSON report; and, when Chromium and Playwright
are installed, how long the browser takes to load the HTML file. It prints Markdown tables (see
``benchmarks/report.md``).
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
from pathlib import Path

import psycopg
from _cluster import bigcatalog_cluster, bigcatalog_ready


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PG", "MUSICDB_"))}


def _musicdb(url: str, *args: str) -> float:
    """Run ``musicdb --database-url URL ARGS`` in a fresh process; its wall time in ms."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "musicdb", "--database-url", url, "-q", *args],
                   capture_output=True, env=_env(), check=False)
    return (time.perf_counter() - start) * 1000


def _browser_load_ms(path: Path, loads: int = 3) -> float | None:
    """Median time for Chromium to load *path* (None: no Chromium or Playwright here)."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        for _ in range(loads):
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load")
            times.append((time.perf_counter() - start) * 1000)
            page.close()
        browser.close()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", default=os.environ.get("MUSICDB_BIGCATALOG_SQL"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ntables", type=int, default=5000)
    parser.add_argument("--bindir", default="/usr/lib/postgresql/15/bin")
    args = parser.parse_args()
    if not bigcatalog_ready(args.catalog, Path(args.bindir)):
        return 2
    with bigcatalog_cluster(args.catalog, args.ntables, Path(args.bindir), 55496) as url, \
            tempfile.TemporaryDirectory() as tmp:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        out = Path(tmp)
        variants = {
            "report, HTML": ("report", "-o", str(out / "report.html")),
            "report, Markdown": ("report", "-o", str(out / "report.md")),
            "report, JSON": ("report", "-o", str(out / "report.json")),
            "report, HTML, --no-drift": ("report", "-o", str(out / "nodrift.html"), "--no-drift"),
            "health-check": ("health-check", "--format", "json"),
        }
        _musicdb(url, *variants["report, JSON"])  # warm the server's caches once
        print(f"catalog of {args.ntables} tables; {os.cpu_count()} CPUs; runs {args.runs}; "
              f"load {os.getloadavg()[0]:.2f}")
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.runs):
            for name, command in variants.items():
                times[name].append(_musicdb(url, *command))
        print("\n| what | median ms | min ms | file |\n|---|---:|---:|---:|")
        for name, values in times.items():
            command = variants[name]
            size = ""
            if "-o" in command:
                size = f"{Path(command[command.index('-o') + 1]).stat().st_size / 1024:,.0f} kB"
            print(f"| {name} | {statistics.median(values):.0f} | {min(values):.0f} | {size} |")
        base = statistics.median(times["health-check"])
        print(f"\nreport HTML / health-check (medians): "
              f"{statistics.median(times['report, HTML']) / base:.2f}x; "
              f"--no-drift / health-check: "
              f"{statistics.median(times['report, HTML, --no-drift']) / base:.2f}x")
        doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
        print(f"\nsections of the last JSON report (its own total {doc['seconds'] * 1000:.0f} ms; "
              "the health checks, drift included, run before them)")
        print("\n| section | ms | rows in the JSON |\n|---|---:|---:|")
        for section in doc["sections"]:
            rows = sum(len(t["rows"]) for t in section["tables"].values())
            print(f"| {section['key']} | {(section['seconds'] or 0) * 1000:.0f} | {rows:,} |")
        inside = sum(section["seconds"] or 0 for section in doc["sections"])
        print(f"| (the health checks, drift included) | {(doc['seconds'] - inside) * 1000:.0f} | |")
        loaded = _browser_load_ms(out / "report.html")
        if loaded is None:
            print("\nbrowser load: no Chromium or Playwright here")
        else:
            print(f"\nChromium loads the HTML report in {loaded:.0f} ms (median of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
