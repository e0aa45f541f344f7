"""Cases at 100,000: the case list's first page and a search (median and p95), next to the raw SQL on the
same file (goal: under 100 ms, at most 3x raw); the agreement PDF next to a one-paragraph reportlab
document with the same font (goal: under 150 ms); a 20-session case file (goal: under 1 s).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DATA, SEED, header, paired, report

CASES = 100_000
HOUSEHOLDS = 5_000
MARKER = "bench-cases.json"
GOAL_MS = 100.0
MAX_RATIO = 3.0


def cases_dir(rebuild: bool = False) -> Path:
    target = BENCH_DATA / f"cases-{CASES}"
    if rebuild and target.exists():
        shutil.rmtree(target)
    if (target / MARKER).exists():
        return target
    from app.i18n import set_language
    from app.services import demo, demo_cases
    from app.store.engine import open_store

    set_language("en")
    building = BENCH_DATA / f".building-cases-{CASES}"
    shutil.rmtree(building, ignore_errors=True)
    print(f"  building {CASES:,} cases over {HOUSEHOLDS:,} households in {target} ...", file=sys.stderr)
    store = open_store(building)
    start = time.perf_counter()
    try:
        demo.build_demo(store, households=HOUSEHOLDS, seed=SEED)
        demo_cases.build_cases(store, cases=CASES, seed=SEED, years=10,
                               progress=lambda d, t: print(f"    {d:>7,} / {t:,} cases", file=sys.stderr) if d % 20000 == 0 else None)
    finally:
        store.dispose()
    (building / MARKER).write_text(json.dumps({"cases": CASES, "households": HOUSEHOLDS,
                                               "build_seconds": round(time.perf_counter() - start, 1)}), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    building.rename(target)
    return target


class RawCases:
    """The baseline: one sqlite3 connection and the plainest SQL that gives the same page and count."""

    PAGE = ("SELECT c.id, c.number, c.received_on, c.category_code, c.summary, c.status, c.deadline FROM dispute_case c "
            "{where} ORDER BY c.number_year DESC, c.number_seq DESC LIMIT 200")
    PARTIES = "SELECT case_id, name FROM case_party WHERE case_id IN ({marks}) ORDER BY position"

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def page(self, query: str = "") -> tuple[int, list[Any]]:
        q = query.strip().lower()
        where, params = "", ()
        if len(q) >= 3:
            where = ("WHERE c.id IN (SELECT case_id FROM case_search WHERE rowid IN "
                     "(SELECT rowid FROM case_fts WHERE case_fts MATCH ?))")
            params = ('"' + q + '"',)  # type: ignore[assignment]
        elif q:
            where = "WHERE c.id IN (SELECT case_id FROM case_search WHERE text LIKE ?)"
            params = ("%" + q + "%",)  # type: ignore[assignment]
        count = self.conn.execute(f"SELECT count(*) FROM dispute_case c {where}", params).fetchone()[0]
        rows = self.conn.execute(self.PAGE.format(where=where), params).fetchall()
        ids = [r[0] for r in rows]
        if ids:
            self.conn.execute(self.PARTIES.format(marks=",".join("?" * len(ids))), ids).fetchall()
        return count, rows


def bench_list(data: Path, repeat: int) -> None:
    from app.i18n import set_language
    from app.services import cases, users
    from app.services.cases import CaseFilter
    from app.store.engine import open_store

    set_language("en")
    store = open_store(data)
    actor = users.login(store, "admin", "admin123")
    raw = RawCases(data / "desk.sqlite3")
    with store.read() as session:
        sample = cases.list_cases(session, actor, limit=1)[0]
        two = sample.parties.split(" / ")[0][:2]
    header(f"Cases — {data.name}: {CASES:,} cases")
    print(f"  goal: under {GOAL_MS:g} ms and at most {MAX_RATIO:g}x the raw SQL on the same file")

    def ours(query: str) -> Any:
        def run() -> None:
            with store.read() as session:
                cases.count_cases(session, actor, CaseFilter(query=query))
                cases.list_cases(session, actor, CaseFilter(query=query))
        return run

    for label, query in [("first page, no filter", ""), (f"two-character name {two} (LIKE)", two),
                         ("three-character account text 宅基地 (FTS5)", "宅基地"), ("pinyin initials of a name (LIKE)", "wl"),
                         ("account words 借款 (LIKE)", "借款")]:
        o, r = paired(ours(query), lambda q=query: raw.page(q), repeat=repeat)  # type: ignore[misc]
        count = raw.page(query)[0]
        report(label, o, r, goal_ms=GOAL_MS, max_ratio=MAX_RATIO, note=f"{count:,} cases")
    store.dispose()


def bench_documents(data: Path, repeat: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from app.clock import utcnow
    from app.documents import DOCUMENTS
    from app.documents.case_data import collect
    from app.documents.fonts import MAIN_FONT, fonts
    from app.i18n import set_language
    from app.services import case_flow, cases, users
    from app.services.cases import CaseFilter
    from app.store.engine import open_store

    set_language("en")
    work = BENCH_DATA / "cases-docs"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data, work, ignore=shutil.ignore_patterns("backups"))
    store = open_store(work)
    actor = users.login(store, "admin", "admin123")
    with store.read() as session:
        agreed = cases.list_cases(session, actor, CaseFilter(statuses=("closed",)), limit=1)[0]
        agreement_data = collect(session, actor, agreed.id)
    with store.write() as session:
        target = cases.list_cases(session, actor, CaseFilter(statuses=("mediating",)), limit=1, offset=10)[0]
        for i in range(20):
            case_flow.record_session(session, actor, target.id, case_flow.SessionInput(
                held_at=utcnow() - dt.timedelta(minutes=20 - i), place="村人民调解室", attendees="双方当事人",
                applicant_statement="申请人陈述：" + "围墙越界，要求拆除。" * 20, respondent_statement="被申请人陈述：" + "不同意。" * 20,
                facts_checked="经实地丈量，越界约一米。", outcome="继续协商", recorder="李文书"))
    with store.read() as session:
        file_data = collect(session, actor, target.id)
    store.dispose()
    fonts()  # loaded once, before timing: the goal is for a render with the font already loaded
    style = ParagraphStyle("p", fontName=MAIN_FONT, fontSize=12, wordWrap="CJK")

    def one_paragraph() -> None:
        buf = io.BytesIO()
        SimpleDocTemplate(buf, pagesize=A4).build([Paragraph("人民调解协议书：双方自愿达成如下协议。", style)])

    _title, render_agreement, _applicable = DOCUMENTS["agreement"]
    _t2, render_case_file, _a2 = DOCUMENTS["case_file"]
    header("Documents (font already loaded)")
    o, r = paired(lambda: render_agreement(agreement_data, io.BytesIO()), one_paragraph, repeat=repeat)
    report(f"agreement PDF of {agreed.number}", o, r, goal_ms=150)
    o, r = paired(lambda: render_case_file(file_data, io.BytesIO()), one_paragraph, repeat=max(5, repeat // 4))
    report(f"case file with 20 sessions ({target.number})", o, r, goal_ms=1000)
    shutil.rmtree(work, ignore_errors=True)


def run(repeat: int = 30, rebuild: bool = False) -> None:
    data = cases_dir(rebuild)
    bench_list(data, repeat)
    bench_documents(data, repeat)
