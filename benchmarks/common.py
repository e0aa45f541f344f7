"""Shared by the benchmarks: timing with median and p95, the report line (figure, raw baseline, ratio,
goal), and the cached bench data directories built once with the demo village.

The machine is noisy, so every figure is printed beside a raw baseline measured in the same run, and
the two are sampled alternately so that a slow moment hurts both alike.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "bench-data"  # gitignored
MARKER = "bench-village.json"
BIG = 50_000
SMALL = 600
SEED = 20261125


# ---------------------------------------------------------------- timing

@dataclass(frozen=True)
class Stats:
    median: float  # seconds
    p95: float
    best: float
    runs: int


def stats(samples: list[float]) -> Stats:
    ordered = sorted(samples)
    rank = max(1, math.ceil(0.95 * len(ordered)))  # nearest-rank p95
    return Stats(statistics.median(ordered), ordered[rank - 1], ordered[0], len(ordered))


def time_once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def paired(subject: Callable[[], object], baseline: Callable[[], object], *, repeat: int = 30,
           warmup: int = 3, after: Callable[[], object] | None = None) -> tuple[Stats, Stats]:
    """Time `subject` and `baseline` alternately (after a few warm-up calls of each); `after` runs,
    untimed, after each call of `subject` (to close a window, say)."""

    def ours_once() -> float:
        seconds = time_once(subject)
        if after is not None:
            after()
        return seconds

    for _i in range(warmup):
        baseline()
        ours_once()
    ours: list[float] = []
    raw: list[float] = []
    for i in range(repeat):
        # Alternate which goes first, so neither always runs on a cache the other warmed.
        if i % 2:
            raw.append(time_once(baseline))
            ours.append(ours_once())
        else:
            ours.append(ours_once())
            raw.append(time_once(baseline))
    return stats(ours), stats(raw)


# ---------------------------------------------------------------- reporting

def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def header(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def report(label: str, ours: Stats, raw: Stats, *, goal_ms: float | None = None, max_ratio: float | None = None,
           note: str = "") -> bool:
    """Print one line: our median and p95, the raw baseline's, the ratio of medians, and the goal."""
    ratio = ours.median / raw.median if raw.median > 0 else math.inf
    met = True
    goals: list[str] = []
    if goal_ms is not None:
        goals.append(f"< {goal_ms:g} ms")
        met = met and ours.median * 1000 < goal_ms
    if max_ratio is not None:
        goals.append(f"<= {max_ratio:g}x raw")
        met = met and ratio <= max_ratio
    verdict = f"goal {' and '.join(goals)}: {'MET' if met else 'NOT MET'}" if goals else ""
    print(f"  {label}")
    print(f"      ours  median {ms(ours.median)}  p95 {ms(ours.p95)}  (n={ours.runs})")
    print(f"      raw   median {ms(raw.median)}  p95 {ms(raw.p95)}  (n={raw.runs})")
    print(f"      ratio {ratio:5.2f}x   {verdict}{'   ' + note if note else ''}")
    return met


# ---------------------------------------------------------------- bench data

class _Progress:
    """Prints how far the build is, every tenth of the way."""

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth != self.shown:
            self.shown = tenth
            print(f"    {done:>7,} / {total:,} households", file=sys.stderr, flush=True)


def bench_dir(households: int = BIG, *, rebuild: bool = False) -> Path:
    """A data directory holding a demo village of `households` households, built once and reused.

    The build goes to a temporary directory renamed into place at the end, so an interrupted build is
    never mistaken for a finished one."""
    target = BENCH_DATA / f"village-{households}"
    if rebuild and target.exists():
        shutil.rmtree(target)
    if (target / MARKER).exists():
        return target
    from app.i18n import set_language
    from app.services import demo
    from app.store.engine import open_store

    set_language("en")
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    building = BENCH_DATA / f".building-{households}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    if target.exists():
        shutil.rmtree(target)
    print(f"  building the bench village of {households:,} households in {target} ...", file=sys.stderr)
    store = open_store(building)
    try:
        start = time.perf_counter()
        summary = demo.build_demo(store, households=households, seed=SEED, progress=_Progress())
        seconds = time.perf_counter() - start
    finally:
        store.dispose()
    (building / MARKER).write_text(json.dumps({
        "households": summary.households, "persons": summary.persons, "micro_grids": summary.micro_grids,
        "seed": SEED, "build_seconds": round(seconds, 2), "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    building.rename(target)
    print(f"  built in {seconds:.1f} s", file=sys.stderr)
    return target


def describe(data_dir: Path) -> str:
    try:
        info = json.loads((data_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return str(data_dir)
    return (f"{data_dir.relative_to(ROOT) if data_dir.is_relative_to(ROOT) else data_dir}: "
            f"{info['households']:,} households, {info['persons']:,} persons "
            f"(demo build took {info['build_seconds']} s on {info['built_at']})")
