"""The period report at 100,000 cases and 1,000,000 points entries: a quarter's `statistics.period_report`
(every figure of the report, the trend included) next to the raw SQL that counts the same figures on the
same file. Goal: under 1 s, at most 2x raw.

The data: the cached 100,000-case desk (`bench-data/cases-100000`, built by `bench_cases`) copied with
SQLite's backup API, then 1,000,000 points entries (`demo_points`) and 8 risk rounds (`demo_risk`) added
to the copy; kept under `bench-data/report-100000`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DATA, SEED, header, paired, report

ENTRIES = 1_000_000
MARKER = "bench-report.json"
GOAL_MS = 1000.0
MAX_RATIO = 2.0

EVENT_BOUNDS = "datetime(:start, '-8 hours') AND e.at < datetime(:end_next, '-8 hours')"  # local midnight, UTC+8

LATEST = ("SELECT x.household_id, x.level FROM risk_assessment x WHERE x.round_id = {r} AND NOT EXISTS (SELECT 1 FROM "
          "risk_assessment y WHERE y.round_id = {r} AND y.household_id = x.household_id AND y.stage > x.stage)")

# The plainest SQL for the same figures: one statement per figure group, no ORM.
RAW = {
    "accepted": "SELECT count(*) FROM dispute_case WHERE received_on BETWEEN :start AND :end",
    "resolved": "SELECT count(DISTINCT case_id) FROM agreement WHERE effective_on BETWEEN :start AND :end",
    # the failure, transfer and withdrawal events of the period and of the trend, read once and counted below
    "events": "SELECT e.case_id, e.to_status, e.at, c.category_code, c.source FROM case_event e JOIN dispute_case c "
              "ON c.id = e.case_id WHERE e.to_status IN ('failed', 'transferred', 'withdrawn') "
              "AND e.at >= datetime(:trend_start, '-8 hours') AND e.at < datetime(:end_next, '-8 hours')",
    "follow_ups": "SELECT count(*), sum(performance = 'fully') FROM follow_up WHERE visited_on BETWEEN :start AND :end",
    "median": "SELECT c.received_on, a.effective_on FROM agreement a JOIN dispute_case c ON c.id = a.case_id "
              "WHERE a.effective_on BETWEEN :start AND :end",
    "accepted_by": "SELECT category_code, source, count(*) FROM dispute_case WHERE received_on BETWEEN :start AND :end "
                   "GROUP BY category_code, source",
    "resolved_by": "SELECT c.category_code, c.source, count(DISTINCT a.case_id) FROM agreement a JOIN dispute_case c "
                   "ON c.id = a.case_id WHERE a.effective_on BETWEEN :start AND :end GROUP BY c.category_code, c.source",
    "mediators": "SELECT m.name, m.role, count(DISTINCT m.case_id) FROM case_mediator m JOIN dispute_case c ON c.id = m.case_id "
                 "WHERE c.received_on BETWEEN :start AND :end GROUP BY m.name, m.role",
    "mediators_resolved": "SELECT m.name, m.role, count(DISTINCT m.case_id) FROM case_mediator m JOIN agreement a "
                          "ON a.case_id = m.case_id WHERE a.effective_on BETWEEN :start AND :end GROUP BY m.name, m.role",
    "points": "SELECT sum(CASE WHEN kind != 'redemption' AND points > 0 THEN points ELSE 0 END), "
              "sum(CASE WHEN kind != 'redemption' AND points < 0 THEN -points ELSE 0 END), "
              "sum(CASE WHEN kind = 'redemption' THEN -points ELSE 0 END) FROM points_entry e "
              "WHERE occurred_on BETWEEN :start AND :end "
              "AND (needs_review = 0 OR id IN (SELECT entry_id FROM points_review WHERE approved = 1))",
    "trend_cases": "SELECT strftime('%Y-%m', received_on), count(*) FROM dispute_case "
                   "WHERE received_on BETWEEN :trend_start AND :end GROUP BY 1",
    "trend_resolved": "SELECT strftime('%Y-%m', effective_on), count(DISTINCT case_id) FROM agreement "
                      "WHERE effective_on BETWEEN :trend_start AND :end GROUP BY 1",
    "risk": "SELECT a.level, count(*) FROM risk_assessment a WHERE a.round_id = :round AND NOT EXISTS (SELECT 1 FROM "
            "risk_assessment n WHERE n.round_id = :round AND n.household_id = a.household_id AND n.stage > a.stage) GROUP BY a.level",
    "risk_changes": f"SELECT b.level, a.level, count(*) FROM ({LATEST.format(r=':round')}) a JOIN ({LATEST.format(r=':previous')}) b "
                    f"ON b.household_id = a.household_id WHERE a.level != b.level GROUP BY 1, 2",
}


def report_dir(rebuild: bool = False) -> Path:
    """The 100,000-case desk with 1,000,000 points entries and 8 risk rounds added, built once."""
    target = BENCH_DATA / "report-100000"
    if rebuild and target.exists():
        shutil.rmtree(target)
    if (target / MARKER).exists():
        return target
    from app.i18n import set_language
    from app.services import demo_points, demo_risk
    from app.store.engine import open_store
    from benchmarks.bench_cases import cases_dir

    set_language("en")
    source = cases_dir(rebuild)
    building = BENCH_DATA / ".building-report-100000"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    print(f"  copying {source.name} and adding {ENTRIES:,} points entries and 8 risk rounds in {target} ...", file=sys.stderr)
    start = time.perf_counter()
    src = sqlite3.connect(f"file:{source / 'desk.sqlite3'}?mode=ro", uri=True)
    dst = sqlite3.connect(building / "desk.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    store = open_store(building)
    try:
        demo_points.build_points(store, entries=ENTRIES, seed=SEED,
                                 progress=lambda d, t: print(f"    {d:>9,} / {t:,}", file=sys.stderr) if d % 200_000 == 0 else None)
        demo_risk.build_risk(store, seed=SEED)
    finally:
        store.dispose()
    (building / MARKER).write_text(json.dumps({"cases": 100_000, "entries": ENTRIES,
                                               "build_seconds": round(time.perf_counter() - start, 1)}), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    building.rename(target)
    return target


def raw_report(conn: sqlite3.Connection, start: dt.date, end: dt.date, round_id: str | None,
               trend_start: dt.date) -> dict[str, Any]:
    """The same figures in plain SQL; the trend from `trend_start` (the report's trend covers more than the period)."""
    params = {"start": start.isoformat(), "end": end.isoformat(), "end_next": (end + dt.timedelta(days=1)).isoformat(),
              "round": round_id, "trend_start": trend_start.isoformat(), "previous": None}
    if round_id is not None:
        previous = conn.execute("SELECT p.id FROM risk_round p, risk_round r WHERE r.id = ? AND p.quarter < r.quarter "
                                "ORDER BY p.quarter DESC LIMIT 1", (round_id,)).fetchone()
        params["previous"] = previous[0] if previous else None
    result: dict[str, Any] = {}
    for key, sql in RAW.items():
        if key.startswith("risk") and round_id is None:
            continue
        result[key] = conn.execute(sql, params).fetchall()
    # events: distinct cases per status in the period (all, by category, by source) and per month of the trend
    lo, hi = f"{start.isoformat()} 00:00", f"{params['end_next']} 00:00"
    counted: dict[tuple[str, str, str], set[str]] = {}
    for case_id, status, at, category, source in result["events"]:
        local = (dt.datetime.fromisoformat(at) + dt.timedelta(hours=8)).isoformat(" ")
        keys = [("month", local[:7], status)]
        if lo <= local < hi:
            keys += [("all", "", status), ("category", category, status), ("source", source, status)]
        for key in keys:
            counted.setdefault(key, set()).add(case_id)
    result["events"] = {key: len(ids) for key, ids in counted.items()}
    return result


def run(repeat: int = 10, rebuild: bool = False) -> None:
    from app.clock import today
    from app.i18n import set_language
    from app.services import statistics, users
    from app.services.periods import parse_period
    from app.store.engine import open_store

    set_language("en")
    data = report_dir(rebuild)
    store = open_store(data)
    actor = users.login(store, "admin", "admin123")
    raw = sqlite3.connect(f"file:{data / 'desk.sqlite3'}?mode=ro", uri=True)
    day = today() - dt.timedelta(days=92)  # the last whole quarter
    quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    p = parse_period(quarter)
    round_row = raw.execute("SELECT id FROM risk_round WHERE quarter = ?", (quarter,)).fetchone()
    round_id = round_row[0] if round_row else None
    cases = raw.execute("SELECT count(*) FROM dispute_case").fetchone()[0]
    entries = raw.execute("SELECT count(*) FROM points_entry").fetchone()[0]
    header(f"Period report — {cases:,} cases, {entries:,} points entries")

    def ours() -> statistics.PeriodReport:
        with store.read() as session:
            return statistics.period_report(session, actor, p)

    mine = ours()
    trend_start = mine.trend[0].start
    theirs = raw_report(raw, p.start, p.end, round_id, trend_start)
    (accepted,), = theirs["accepted"]
    (resolved,), = theirs["resolved"]
    events = theirs["events"]
    same = ((mine.accepted, mine.resolved, mine.failed, mine.transferred, mine.withdrawn)
            == (accepted, resolved, *(events.get(("all", "", s), 0) for s in ("failed", "transferred", "withdrawn")))
            and mine.points.gained == (theirs["points"][0][0] or 0)
            and sum(t.failed for t in mine.trend) == sum(n for (kind, _m, st), n in events.items() if kind == "month" and st == "failed"))
    o, r = paired(ours, lambda: raw_report(raw, p.start, p.end, round_id, trend_start), repeat=repeat, warmup=2)
    report(f"report for {quarter} ({mine.accepted:,} accepted, {mine.resolved:,} resolved; trend of {len(mine.trend)} quarters)",
           o, r, goal_ms=GOAL_MS, max_ratio=MAX_RATIO, note=f"same figures as raw: {'yes' if same else 'NO'}")
    year = parse_period(str(day.year))
    latest = raw.execute("SELECT id FROM risk_round WHERE quarter LIKE ? ORDER BY quarter DESC", (f"{day.year}Q%",)).fetchone()
    year_round = latest[0] if latest else None

    def ours_year() -> statistics.PeriodReport:
        with store.read() as session:
            return statistics.period_report(session, actor, year)

    o, r = paired(ours_year, lambda: raw_report(raw, year.start, year.end, year_round, year.start), repeat=max(3, repeat // 2),
                  warmup=1)
    report(f"report for the year {day.year} (for reference)", o, r)
    store.dispose()
    raw.close()


if __name__ == "__main__":
    run()
