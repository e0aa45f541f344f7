"""Database files written by earlier releases open in this one, with their data."""

import shutil
from pathlib import Path

import pytest

from app.paths import DB_FILE
from app.services import check, households, users
from app.store.engine import open_store

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("desk-*.sqlite3"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_old_database_upgrades_and_keeps_its_data(fixture: Path, tmp_path: Path) -> None:
    shutil.copy(fixture, tmp_path / DB_FILE)
    store = open_store(tmp_path)
    try:
        actor = users.login(store, "admin", "secret-123")
        with store.read() as session:
            assert households.count_households(session, actor, query="zs") == 1
            assert households.count_households(session, actor, query="𠮷䶮") == 1
        report = check.run_checks(store)
        assert report.ok, report
    finally:
        store.dispose()


def test_there_is_at_least_one_release_fixture() -> None:
    assert FIXTURES
