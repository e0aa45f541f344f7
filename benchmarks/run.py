"""Run the benchmarks (`make bench`): `python -m benchmarks.run [--only roster|startup] [--rebuild]`.

Each benchmark prints median and p95 beside a raw baseline measured in the same run, the ratio, the
goal and whether it was met. Nothing is asserted: this is not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks import bench_cases, bench_points, bench_report, bench_risk, bench_roster, bench_startup, bench_sync
from benchmarks.common import BIG, SMALL, bench_dir

BENCHMARKS = ("roster", "startup", "cases", "points", "risk", "report", "sync")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPU(s)"


def print_header() -> None:
    import PySide6
    from PySide6.QtCore import qVersion

    print("Mediation Desk benchmarks")
    print(f"  date:    {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print(f"  machine: {machine()}")
    print(f"  Python:  {platform.python_version()} ({sys.executable})")
    print(f"  SQLite:  {sqlite3.sqlite_version}   PySide6: {PySide6.__version__} (Qt {qVersion()})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Mediation Desk benchmarks.")
    parser.add_argument("--only", choices=BENCHMARKS, help="run just this benchmark")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached bench villages first")
    parser.add_argument("--repeat", type=int, help="runs per figure (default: 30 for roster, 7 for start-up)")
    args = parser.parse_args(argv)
    print_header()
    if args.only in (None, "roster"):
        bench_roster.run(bench_dir(BIG, rebuild=args.rebuild), args.repeat or 30)
    if args.only in (None, "cases"):
        bench_cases.run(args.repeat or 30, rebuild=args.rebuild)
    if args.only in (None, "points"):
        bench_points.run(args.repeat or 30, rebuild=args.rebuild)
    if args.only in (None, "risk"):
        bench_risk.run(args.repeat or 20, rebuild=args.rebuild)
    if args.only in (None, "report"):
        bench_report.run(args.repeat or 10, rebuild=args.rebuild)
    if args.only in (None, "sync"):
        bench_sync.run(args.repeat or 3, rebuild=args.rebuild)
    if args.only in (None, "startup"):
        small = bench_dir(SMALL, rebuild=args.rebuild)
        bench_startup.run([small, bench_dir(BIG, rebuild=args.rebuild)], args.repeat or 7)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
