"""Start-up time of `musicdb --version` and `--help` against a bare interpreter.

Usage: python benchmarks/startup.py [--runs N] [--baseline-src DIR]

Each command runs N times, interleaved so that drift on a shared machine hits all of them alike;
the median wall time of each is printed, with the ratio to ``python -c pass``. With
``--baseline-src DIR`` (the ``src`` folder of another checkout, e.g. ``git worktree add /tmp/base
main``) the same commands of that tree run in the same loop, so the two trees compare side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "musicdb --version": [sys.executable, "-m", "musicdb", "--version"],
    "musicdb --help": [sys.executable, "-m", "musicdb", "--help"],
}


def _env(src: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (src, env.get("PYTHONPATH"))))
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--baseline-src", metavar="DIR", help="src folder of another checkout")
    args = parser.parse_args()
    if args.baseline_src and not (Path(args.baseline_src) / "musicdb").is_dir():
        print(f"--baseline-src {args.baseline_src}: no musicdb package there; stopping",
              file=sys.stderr)
        return 2
    # with a baseline, both trees are imported the same way: from their src folder on PYTHONPATH
    here = str(Path(__file__).resolve().parents[1] / "src") if args.baseline_src else None
    runs: dict[str, tuple[list[str], dict[str, str]]] = {}
    for name, argv in COMMANDS.items():
        runs[name] = (argv, _env(here))
        if args.baseline_src and name != "python -c pass":
            runs[f"{name} (baseline)"] = (argv, _env(args.baseline_src))
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, (argv, env) in runs.items():
            started = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["python -c pass"])
    print(f"{'command':32} {'median':>9} {'ratio':>7}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:32} {median * 1000:7.1f} ms {median / base:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
