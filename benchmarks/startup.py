"""Start-up time of `musicdb --version` and `--help` against a bare interpreter.

Usage: python benchmarks/startup.py [--runs N]

Each command runs N times, interleaved so that drift on a shared machine hits all three alike;
the median wall time of each is printed, with the ratio to ``python -c pass``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "musicdb --version": [sys.executable, "-m", "musicdb", "--version"],
    "musicdb --help": [sys.executable, "-m", "musicdb", "--help"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["python -c pass"])
    print(f"{'command':20} {'median':>9} {'ratio':>7}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:20} {median * 1000:7.1f} ms {median / base:6.1f}x")


if __name__ == "__main__":
    main()
