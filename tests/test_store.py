import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.errors import StoreError
from app.paths import DB_FILE
from app.services.context import Actor
from app.store.backup import backup_sqlite, integrity_ok
from app.store.engine import Store, open_store
from app.store.migrate import alembic_config, head_revision
from app.store.schema_filter import include_object


def test_pragmas_for_a_village_pc(data_dir: Path) -> None:
    store = open_store(data_dir)
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    store.dispose()


def test_migrations_produce_exactly_the_models_schema(data_dir: Path) -> None:
    store = open_store(data_dir)
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    store.dispose()
    assert diff == []


def test_fts_index_and_its_triggers_exist(data_dir: Path) -> None:
    store = open_store(data_dir)
    store.dispose()
    conn = sqlite3.connect(data_dir / DB_FILE)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"household_fts", "household_search_ai", "household_search_ad", "household_search_au"} <= names


def test_a_database_from_a_newer_version_is_refused_and_left_alone(data_dir: Path) -> None:
    open_store(data_dir).dispose()
    db = data_dir / DB_FILE
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        open_store(data_dir)
    assert db.read_bytes() == before


def test_database_is_backed_up_before_a_migration(data_dir: Path) -> None:
    store = open_store(data_dir)
    with store.engine.connect() as conn, conn.begin():
        command.downgrade(alembic_config(conn), "base")
    store.dispose()
    store = open_store(data_dir)  # upgrades again: must back up first
    store.dispose()
    backups = list((data_dir / "backups").glob("pre-migration-*.sqlite3"))
    assert len(backups) == 1
    assert integrity_ok(backups[0])[0]
    with open_store(data_dir).engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_backup_is_consistent_and_appears_only_when_complete(store, admin, village, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "copies" / "desk.sqlite3"
    backup_sqlite(store.db_path, target)
    assert target.exists() and not target.with_name(target.name + ".part").exists()
    ok, detail = integrity_ok(target)
    assert ok, detail
    count = sqlite3.connect(target).execute("SELECT count(*) FROM household").fetchone()[0]
    assert count == 2


def test_unwritable_data_directory_gives_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Cannot create the data directory"):
        open_store(blocker / "desk")


def test_the_start_up_fast_path_knows_the_newest_migration() -> None:
    from app.store.migrate import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


def test_a_full_disk_says_so_and_saves_nothing(store: Store, admin: Actor) -> None:
    """SQLite's 'database or disk is full' (here: a page limit on the connection) becomes a clear message."""
    from sqlalchemy import event

    from app.errors import StoreError
    from app.services import households

    @event.listens_for(store.engine, "connect")
    def _tiny(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA max_page_count = 1")  # below the current size: every growth fails

    store.engine.dispose()
    with pytest.raises(StoreError) as err, store.write() as session:
        for i in range(200):
            households.create_household(session, admin, households.HouseholdInput(f"9{i:03d}", "满盘测试" * 40), [])
    assert "disk is full" in err.value.message
    event.remove(store.engine, "connect", _tiny)
    store.engine.dispose()
    with store.read() as session:
        assert households.count_households(session, admin, query="满盘测试") == 0
