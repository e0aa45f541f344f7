"""The SQLite (or PostgreSQL) engine with the pragmas a village PC needs, and the two kinds of session.

`Store.read()` sessions begin a deferred transaction; `Store.write()` sessions begin with
`BEGIN IMMEDIATE`, so two windows saving at once queue on the write lock instead of reading the
same "last number" or "last audit hash" and failing at commit.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from app.errors import StoreError
from app.i18n import _
from app.paths import DB_FILE

BUSY_TIMEOUT_MS = 10_000


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path))


def _set_sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # The driver's own transaction handling is switched off; we emit BEGIN ourselves (see _begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=FULL")  # village PCs lose power: a committed row must survive
    cur.close()


def _begin(conn: Any) -> None:
    options = conn.get_execution_options()
    if options.get("sqlite_unchecked_references"):  # only outside a transaction does SQLite take this pragma
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


def _checked_again(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    """Every connection goes back to the pool with its references checked, whatever its last user did."""
    if dbapi_conn is not None:  # None when the connection was invalidated
        dbapi_conn.execute("PRAGMA foreign_keys=ON")


def make_engine(url: str | URL) -> Engine:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, poolclass=QueuePool, pool_size=4, max_overflow=4)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin)
        event.listen(engine, "checkin", _checked_again)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """One open database: hands out read and write sessions. Pass it in; there is no global one."""

    def __init__(self, engine: Engine, data_dir: Path | None = None) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine

    @property
    def db_path(self) -> Path | None:
        return Path(self.engine.url.database) if self.is_sqlite and self.engine.url.database else None

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextlib.contextmanager
    def write(self, *, references_checked_by_caller: bool = False) -> Iterator[Session]:
        """A session whose transaction commits when the block ends, or rolls back on any error.

        `references_checked_by_caller`: on SQLite, foreign keys are not enforced row by row in this
        transaction; the caller checks the references of what it wrote as a set (the sync importer, where
        the per-row checks of 100,000 rows cost more than the insertion itself)."""
        bind = self._write_engine
        if references_checked_by_caller and self.is_sqlite:
            bind = bind.execution_options(sqlite_unchecked_references=True)
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                if "disk is full" in str(exc.orig) or "No space left" in str(exc.orig):
                    raise StoreError(_("The disk is full: nothing was saved. Free some space (empty the recycle bin, "
                                       "move old backups to a USB stick) and try again.")) from exc
                raise
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(data_dir: Path, *, migrate: bool = True, db_url: str | None = None) -> Store:
    """Open (creating if needed) the desk's database in `data_dir`, migrated to the current schema."""
    from app.store.migrate import upgrade

    try:  # also with a database URL: the keys and attachments live in the data directory
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(_("Cannot create the data directory {path}: {error}").format(
            path=data_dir, error=exc.strerror or exc)) from exc
    if db_url is None:
        url: str | URL = sqlite_url(data_dir / DB_FILE)
    else:
        url = db_url
    engine = make_engine(url)
    store = Store(engine, data_dir)
    if migrate:
        upgrade(store)
        # The change log's session hooks live with sync (they register on import); the rows this desk made
        # before the log existed are logged once, before any service writes.
        from app.sync.changelog import ensure_baseline

        with store.write() as session:
            ensure_baseline(session)
    return store
