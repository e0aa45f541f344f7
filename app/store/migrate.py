"""Alembic migrations, run at start-up, configured in code (no ini file: see docs/decisions.md).

Before a migration touches an existing database, the file is copied with the online backup API to
`backups/pre-migration-<rev>-<time>.sqlite3`. A database stamped with a revision this program does
not know was written by a newer version and is refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from app.errors import StoreError
from app.i18n import _
from app.store.backup import backup_sqlite
from app.store.engine import Store

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision. Start-up compares the database with it and loads Alembic only when they differ
# (Alembic and the migration scripts cost ~0.3 s to import); a test keeps it equal to Alembic's head.
HEAD_REVISION = "0007"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def upgrade(store: Store) -> bool:
    """Bring the database to the current schema. Returns True when a migration ran."""
    with store.engine.connect() as conn:
        current = current_revision(conn)
        if current == HEAD_REVISION:
            return False
        has_tables = bool(inspect(conn).get_table_names())
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:
            raise StoreError(_(
                "This database was written by a newer version of Mediation Desk (schema {revision}). "
                "Install the newer version to open it; nothing was changed."
            ).format(revision=current)) from exc
    if has_tables and store.db_path is not None and store.db_path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_sqlite(store.db_path, store.db_path.parent / "backups" / f"pre-migration-{current or 'none'}-{stamp}.sqlite3")
    if store.is_sqlite:
        _upgrade_sqlite(store)
    else:
        from alembic import command

        with store.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    return True


def _upgrade_sqlite(store: Store) -> None:
    from alembic import command

    # Batch migrations copy and drop tables; with foreign keys on, the drop cascades or fails.
    # PRAGMA foreign_keys does nothing inside a transaction, so switch it off before BEGIN.
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection  # outside any transaction, unlike conn.exec_driver_sql
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), "head")
                problems = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                if problems:
                    raise StoreError(_("The migration left broken references: {problems}").format(problems=problems))
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
