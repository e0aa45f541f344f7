"""Roster at 50,000 households: "roster view opened and first page shown" and "filter by name", each
under 100 ms and at most 3x the raw SQL query on the same file.

(a) service: `households.count_households` + `list_households(limit=200)`, as the roster view loads it;
(b) the same with a filter: a common two-character name (LIKE path), a three-character name (FTS5
    trigram path), pinyin initials and full pinyin;
(c) the Qt view: the real `HouseholdModel` in a `QTableView`, offscreen, from `set_filter` (or from
    making the view) to the first page painted.
The baseline of each is one plain sqlite3 connection to the same file running the simplest SQL that
gives the same page and count.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import BIG, bench_dir, describe, header, paired, report

GOAL_MS = 100.0
MAX_RATIO = 3.0
PAGE = 200

PAGE_SQL = """
SELECT h.id, h.number, head.name, h.address, g.name, m.name,
       (SELECT count(*) FROM person x WHERE x.household_id = h.id AND x.retired = 0),
       head.mobile
FROM household h
LEFT JOIN person head ON head.id = h.head_person_id
LEFT JOIN grid_cell g ON g.id = h.group_id
LEFT JOIN grid_cell m ON m.id = h.micro_grid_id
WHERE {where}
ORDER BY h.number
LIMIT {limit}
"""
COUNT_SQL = "SELECT count(*) FROM household h WHERE {where}"
LIKE_IDS = "SELECT household_id FROM household_search WHERE text LIKE ? ESCAPE '\\'"
FTS_IDS = ("SELECT household_id FROM household_search WHERE rowid IN "
           "(SELECT rowid FROM household_fts WHERE household_fts MATCH ?)")


class RawRoster:
    """The baseline: one sqlite3 connection, the plainest SQL for the same page and count."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def page(self, query: str = "") -> tuple[int, list[tuple[Any, ...]]]:
        q = query.strip().lower()
        params: tuple[str, ...] = ()
        where = "h.retired = 0"
        if len(q) >= 3:
            where += f" AND h.id IN ({FTS_IDS})"
            params = ('"' + q.replace('"', '""') + '"',)
        elif q:
            where += f" AND h.id IN ({LIKE_IDS})"
            params = ("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",)
        total = self.conn.execute(COUNT_SQL.format(where=where), params).fetchone()[0]
        rows = self.conn.execute(PAGE_SQL.format(where=where, limit=PAGE), params).fetchall()
        return total, rows

    def close(self) -> None:
        self.conn.close()


def _common_names(db: Path) -> tuple[str, str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        three = conn.execute("SELECT name FROM person WHERE length(name) = 3 GROUP BY name "
                             "ORDER BY count(*) DESC, name LIMIT 1").fetchone()[0]
        two = conn.execute("SELECT name FROM person WHERE length(name) = 2 GROUP BY name "
                           "ORDER BY name = '王伟' DESC, count(*) DESC, name LIMIT 1").fetchone()[0]
    return two, three


def run(data_dir: Path, repeat: int = 30) -> None:
    from sqlmodel import select

    from app.i18n import set_language
    from app.models.users import Role, User
    from app.services import households
    from app.services.users import actor_of
    from app.store.engine import open_store

    set_language("en")
    store = open_store(data_dir)
    assert store.db_path is not None
    raw = RawRoster(store.db_path)
    with store.read() as session:
        admin = session.exec(select(User).where(User.role == Role.ADMIN).order_by(User.created_at)).first()
    assert admin is not None
    actor = actor_of(admin)
    two, three = _common_names(store.db_path)

    def service(query: str = "") -> tuple[int, list[households.HouseholdRow]]:
        with store.read() as session:
            total = households.count_households(session, actor, query=query)
            rows = households.list_households(session, actor, query=query, limit=PAGE)
        return total, rows

    def same(query: str) -> str:
        total, rows = service(query)
        raw_total, raw_rows = raw.page(query)
        ok = total == raw_total and [r.number for r in rows] == [r[1] for r in raw_rows]
        return f"{total:,} households; same page as raw: {'yes' if ok else 'NO'}"

    header(f"Roster — {describe(data_dir)}")
    print(f"  goal: each under {GOAL_MS:g} ms and at most {MAX_RATIO:g}x the raw SQL on the same file")
    print("\n  (a) service: count + first page of 200, no filter")
    ours, base = paired(lambda: service(""), lambda: raw.page(""), repeat=repeat)
    report("households.count_households + list_households", ours, base, goal_ms=GOAL_MS, max_ratio=MAX_RATIO,
           note=same(""))

    print("\n  (b) service: filter, count + first page")
    for label, query in ((f"two-character name {two} (LIKE)", two), (f"three-character name {three} (FTS5)", three),
                         ("pinyin initials zs (LIKE)", "zs"), ("full pinyin wangwei (FTS5)", "wangwei")):
        ours, base = paired(lambda q=query: service(q), lambda q=query: raw.page(q), repeat=repeat)
        report(label, ours, base, goal_ms=GOAL_MS, max_ratio=MAX_RATIO, note=same(query))

    _qt_view(store, actor, data_dir, raw, repeat, (("no filter", ""), (two, two), (three, three), ("zs", "zs")))
    raw.close()
    store.dispose()


def _qt_view(store: Any, actor: Any, data_dir: Path, raw: RawRoster, repeat: int,
             filters: tuple[tuple[str, str], ...]) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QTableView

    from app.ui.qt_setup import apply_font_size, make_app

    try:
        from app.ui.context import UiContext
        from app.ui.roster.household_model import HouseholdModel
    except ImportError as exc:
        print(f"\n  (c) Qt view: skipped, the household model cannot be imported ({exc})")
        return

    app = make_app()
    apply_font_size(app, "normal")
    ctx = UiContext(store, actor, data_dir)

    class PaintCounter(QObject):
        painted = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                PaintCounter.painted += 1
            return False

    counter = PaintCounter()
    views: list[QTableView] = []

    def open_view() -> None:
        model = HouseholdModel(ctx)
        view = QTableView()
        view.setModel(model)
        view.resize(1100, 700)
        view.viewport().installEventFilter(counter)
        view.show()
        model.set_filter("", None)
        app.processEvents()
        views.append(view)

    def close_views() -> None:
        while views:
            view = views.pop()
            view.close()
            view.deleteLater()
        app.processEvents()

    print("\n  (c) Qt view: HouseholdModel in a QTableView, offscreen, until the first page is painted")
    PaintCounter.painted = 0
    ours, base = paired(open_view, lambda: raw.page(""), repeat=repeat, after=close_views)
    report("open the roster view (model + view + first page + paint)", ours, base, goal_ms=GOAL_MS,
           max_ratio=MAX_RATIO, note=f"paint events: {PaintCounter.painted}")

    model = HouseholdModel(ctx)
    view = QTableView()
    view.setModel(model)
    view.resize(1100, 700)
    view.viewport().installEventFilter(counter)
    view.show()
    model.set_filter("", None)
    app.processEvents()
    for label, query in filters:
        def filtered(q: str = query) -> None:
            model.set_filter(q, None)
            app.processEvents()

        PaintCounter.painted = 0
        fn: Callable[[], object] = filtered
        ours, base = paired(fn, lambda q=query: raw.page(q), repeat=repeat)
        shown = model.rowCount()
        report(f"set_filter({label}) until painted", ours, base, goal_ms=GOAL_MS, max_ratio=MAX_RATIO,
               note=f"{model.total:,} households, {shown} rows loaded, paint events: {PaintCounter.painted}")
    view.close()
    view.deleteLater()
    app.processEvents()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--households", type=int, default=BIG)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    run(bench_dir(args.households), args.repeat)


if __name__ == "__main__":
    main()
