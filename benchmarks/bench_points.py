"""Points at 1,000,000 entries over 5,000 households: one household's balance (goal under 5 ms), a village
ranking for a quarter (goal under 200 ms and at most 2x the raw SQL aggregate), batch entry for 500
households (next to a raw executemany of the same rows)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import sys
import time
import uuid
from pathlib import Path

from benchmarks.common import BENCH_DATA, SEED, header, paired, report

ENTRIES = 1_000_000
HOUSEHOLDS = 5_000
MARKER = "bench-points.json"

COUNTED = "(e.needs_review = 0 OR e.id IN (SELECT entry_id FROM points_review WHERE approved = 1))"
RAW_BALANCE = f"SELECT coalesce(sum(e.points), 0) FROM points_entry e WHERE e.household_id = ? AND {COUNTED}"
RAW_RANKING = f"""
SELECT h.id, h.number, t.gained, t.deducted, t.balance
FROM household h LEFT JOIN (
  SELECT e.household_id AS hid,
         sum(CASE WHEN e.occurred_on BETWEEN :start AND :end AND e.kind != 'redemption' AND e.points > 0 THEN e.points ELSE 0 END)
           AS gained,
         sum(CASE WHEN e.occurred_on BETWEEN :start AND :end AND e.kind != 'redemption' AND e.points < 0 THEN -e.points ELSE 0 END)
           AS deducted,
         sum(e.points) AS balance
  FROM points_entry e WHERE {COUNTED} AND e.occurred_on <= :end GROUP BY e.household_id
) t ON t.hid = h.id
WHERE h.retired = 0
ORDER BY coalesce(t.gained, 0) - coalesce(t.deducted, 0) DESC
"""


def points_dir(rebuild: bool = False) -> Path:
    target = BENCH_DATA / f"points-{ENTRIES}"
    if rebuild and target.exists():
        shutil.rmtree(target)
    if (target / MARKER).exists():
        return target
    from app.i18n import set_language
    from app.services import demo, demo_points
    from app.store.engine import open_store

    set_language("en")
    building = BENCH_DATA / f".building-points-{ENTRIES}"
    shutil.rmtree(building, ignore_errors=True)
    print(f"  building {ENTRIES:,} points entries over {HOUSEHOLDS:,} households in {target} ...", file=sys.stderr)
    start = time.perf_counter()
    store = open_store(building)
    try:
        demo.build_demo(store, households=HOUSEHOLDS, seed=SEED)
        demo_points.build_points(store, entries=ENTRIES, seed=SEED,
                                 progress=lambda d, t: print(f"    {d:>9,} / {t:,}", file=sys.stderr) if d % 200_000 == 0 else None)
    finally:
        store.dispose()
    (building / MARKER).write_text(json.dumps({"entries": ENTRIES, "households": HOUSEHOLDS,
                                               "build_seconds": round(time.perf_counter() - start, 1)}), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    building.rename(target)
    return target


def run(repeat: int = 30, rebuild: bool = False) -> None:
    from app.clock import today
    from app.i18n import set_language
    from app.services import points, users
    from app.services.periods import parse_period
    from app.store.engine import open_store

    set_language("en")
    data = points_dir(rebuild)
    work = BENCH_DATA / "points-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data, work)
    store = open_store(work)
    actor = users.login(store, "admin", "admin123")
    raw = sqlite3.connect(work / "desk.sqlite3")
    busiest = "SELECT household_id, count(*) c FROM points_entry GROUP BY household_id ORDER BY c DESC LIMIT 1"
    hid, count = raw.execute(busiest).fetchone()
    number = f" ({count:,} entries)"
    quarter = f"{today().year}Q{(today().month - 1) // 3 + 1}"
    p = parse_period(quarter)
    header(f"Points — {ENTRIES:,} entries over {HOUSEHOLDS:,} households")

    def ours_balance() -> None:
        with store.read() as session:
            points.balance(session, hid)

    o, r = paired(ours_balance, lambda: raw.execute(RAW_BALANCE, (hid,)).fetchone(), repeat=repeat)
    report(f"balance of the busiest household{number}", o, r, goal_ms=5)

    def ours_ranking() -> None:
        with store.read() as session:
            points.ranking(session, actor, p)

    o, r = paired(ours_ranking, lambda: raw.execute(RAW_RANKING, {"start": p.start.isoformat(), "end": p.end.isoformat()}).fetchall(),
                  repeat=max(5, repeat // 3))
    report(f"village ranking for {quarter}", o, r, goal_ms=200, max_ratio=2)

    households = [h for (h,) in raw.execute("SELECT id FROM household ORDER BY number LIMIT 500")]
    from app.services import points_catalog

    with store.write() as session:  # a rule without a cap, so that repeated runs are never refused
        current = [points_catalog.ItemInput(i.code, i.category, i.wording, i.points, i.cap, i.cap_period, i.needs_review)
                   for i in points_catalog.items(session)]
        points_catalog.edit_items(session, actor, [*current, points_catalog.ItemInput("Z01", "志愿服务", "参加村集体义务劳动", 2)])
    day = today() - dt.timedelta(days=1)

    def ours_batch() -> None:
        with store.write() as session:
            points.add_batch(session, actor, households, "Z01", day, "benchmark")
            session.rollback()

    def raw_batch() -> None:
        now = dt.datetime.now(dt.UTC).isoformat(" ")
        rows = [(str(uuid.uuid4()), "", now, now, h, "rule", None, "Z01", "参加村集体义务劳动", 2, day.isoformat(), "", "",
                 "admin", 0, None, None) for h in households]
        raw.executemany("INSERT INTO points_entry (id, origin, created_at, updated_at, household_id, kind, rule_item_id, rule_code, "
                        "reason, points, occurred_on, note, photo_sha256, recorded_by, needs_review, reverses_id, batch_id) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        raw.rollback()

    o, r = paired(ours_batch, raw_batch, repeat=max(3, repeat // 10), warmup=1)
    report("batch entry for 500 households (validation, cap check, audit per entry)", o, r)
    store.dispose()
    raw.close()
    shutil.rmtree(work, ignore_errors=True)
