"""Writes tests/fixtures/desk-<version>.sqlite3: a small database as made by a release, kept so that
every later release's migrations are tested against it. Run once per release: never overwrite one."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from app import __version__
from app.i18n import set_language
from app.paths import DB_FILE
from app.services import committee, grid, households, users
from app.store.engine import open_store

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / f"desk-{__version__}.sqlite3"


def main() -> int:
    if OUT.exists():
        print(f"{OUT} exists; fixtures of a release are never rewritten")
        return 1
    set_language("en")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        with store.write() as session:
            committee.set_up(session, committee.CommitteeInput("庄墩村人民调解委员会", "甘", "", "庄墩村", "长安镇"),
                             committee.AdminInput("admin", "王丽", "secret-123"))
        actor = users.login(store, "admin", "secret-123")
        with store.write() as session:
            g = grid.add_cell(session, actor, grid.village_root(session).id, "一组")
            m = grid.add_cell(session, actor, g.id, "一组第1微网格")
            households.create_household(session, actor, households.HouseholdInput("0001", "庄墩村一组1号", micro_grid_id=m.id),
                                        [households.PersonInput("张三", id_number="11010519491231002X", mobile="13800138000"),
                                         households.PersonInput("𠮷䶮", sex="male")])
        store.dispose()
        conn = sqlite3.connect(Path(tmp) / DB_FILE)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM INTO ?", (str(OUT),))
        conn.close()
    print(OUT, OUT.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
