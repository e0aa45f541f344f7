"""Risk at 50,000 households and 8 rounds: the risk board's counts (progress per villager group) and the
overdue-visit list, next to the raw SQL on the same file. Goal: under 200 ms, at most 2x raw."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.common import BENCH_DATA, BIG, SEED, bench_dir, header, paired, report

MARKER = "bench-risk.json"

RAW_LATEST = """
SELECT a.household_id, a.stage, a.level, a.assessed_at FROM risk_assessment a
WHERE a.round_id = :r AND NOT EXISTS (SELECT 1 FROM risk_assessment n WHERE n.round_id = :r AND n.household_id = a.household_id
                                      AND n.stage > a.stage)
"""
RAW_BOARD = f"""
SELECT h.group_id, count(*), sum(coalesce(l.stage, 0) = 0), sum(l.stage = 1), sum(l.stage = 2), sum(l.stage = 3),
       sum(l.level = 'low'), sum(l.level = 'medium'), sum(l.level = 'high')
FROM household h LEFT JOIN ({RAW_LATEST}) l ON l.household_id = h.id WHERE h.retired = 0 GROUP BY h.group_id
"""
RAW_OVERDUE = f"""
SELECT l.household_id FROM ({RAW_LATEST}) l
LEFT JOIN (SELECT household_id, max(visited_on) AS last FROM risk_visit GROUP BY household_id) v ON v.household_id = l.household_id
WHERE l.level IN ('medium', 'high')
  AND date(max(coalesce(v.last, date(l.assessed_at)), date(l.assessed_at)), CASE l.level WHEN 'high' THEN '+30 days' ELSE '+90 days' END)
      < date('now')
"""


def risk_dir(rebuild: bool = False) -> Path:
    target = BENCH_DATA / f"risk-{BIG}"
    if rebuild and target.exists():
        shutil.rmtree(target)
    if (target / MARKER).exists():
        return target
    from app.i18n import set_language
    from app.services import demo_risk
    from app.store.engine import open_store

    set_language("en")
    village = bench_dir(BIG)
    building = BENCH_DATA / f".building-risk-{BIG}"
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(village, building, ignore=shutil.ignore_patterns("backups", "logs"))
    print(f"  building 8 risk rounds over {BIG:,} households in {target} ...", file=sys.stderr)
    start = time.perf_counter()
    store = open_store(building)
    try:
        summary = demo_risk.build_risk(store, seed=SEED)
    finally:
        store.dispose()
    (building / MARKER).write_text(json.dumps({"rounds": summary.rounds, "assessments": summary.assessments,
                                               "build_seconds": round(time.perf_counter() - start, 1)}), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    building.rename(target)
    return target


def run(repeat: int = 20, rebuild: bool = False) -> None:
    from app.i18n import set_language
    from app.services import risk, users
    from app.store.engine import open_store

    set_language("en")
    data = risk_dir(rebuild)
    store = open_store(data)
    actor = users.login(store, "admin", "admin123")
    raw = sqlite3.connect(f"file:{data / 'desk.sqlite3'}?mode=ro", uri=True)
    with store.read() as session:
        rnd = risk.get_round(session)
    info = json.loads((data / MARKER).read_text(encoding="utf-8"))
    header(f"Risk — {BIG:,} households, {info['rounds']} rounds, {info['assessments']:,} assessments")

    def board() -> None:
        with store.read() as session:
            risk.progress(session, actor, rnd.id)

    o, r = paired(board, lambda: raw.execute(RAW_BOARD, {"r": rnd.id}).fetchall(), repeat=repeat)
    report(f"risk board: counts by group, stage and level ({rnd.quarter})", o, r, goal_ms=200, max_ratio=2)

    def overdue() -> None:
        with store.read() as session:
            risk.overdue_visits(session, actor)

    count = len(raw.execute(RAW_OVERDUE, {"r": rnd.id}).fetchall())
    o, r = paired(overdue, lambda: raw.execute(RAW_OVERDUE, {"r": rnd.id}).fetchall(), repeat=repeat)
    report("overdue visits list", o, r, goal_ms=200, max_ratio=2, note=f"{count:,} households")
    store.dispose()
    raw.close()
