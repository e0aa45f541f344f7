"""Copies of the live database made with SQLite's online backup API (never a file copy), written atomically.

A copy is first written under a temporary name (`<name>.part`), switched out of WAL mode so it is one
self-contained file, fsynced, checked with `PRAGMA integrity_check`, and only then renamed to its final
name (and the folder fsynced): a pulled plug or a full disk never leaves a half copy under the final name.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from app.errors import StoreError
from app.i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"


def fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def snapshot_sqlite(source: Path, target: Path) -> Path:
    """Write a consistent copy of the database at `source` to `target` (no rename, no check), fsynced.

    The copy is in rollback-journal mode, so it is the one file `target` and nothing beside it."""
    remove_quietly(target)
    if not source.is_file():
        raise FileNotFoundError(source)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    fsync_file(target)
    return target


def backup_sqlite(source: Path, target: Path) -> Path:
    """Copy the database at `source` to `target` consistently; `target` appears only when complete and
    verified. Raises StoreError (and leaves nothing under `target`) when the copy fails its check."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    try:
        snapshot_sqlite(source, tmp)
        ok, result = integrity_ok(tmp)
        if not ok:
            raise StoreError(_("The copy of the database failed its integrity check ({result}); "
                               "nothing was written.").format(result=result))
        os.replace(tmp, target)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_dir(target.parent)
    return target


def ro_uri(path: Path) -> str:
    """A read-only SQLite URI for `path` (any characters in the path: it is percent-encoded)."""
    return Path(path).resolve().as_uri() + "?mode=ro"


def integrity_ok(path: Path) -> tuple[bool, str]:
    try:
        conn = sqlite3.connect(ro_uri(path), uri=True)
    except sqlite3.Error as exc:
        return False, str(exc)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return False, str(exc)
    finally:
        conn.close()
    result = "; ".join(str(r[0]) for r in rows)
    return result == "ok", result


def looks_like_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def read_facts(path: Path) -> dict[str, str | None]:
    """What a backup check needs from a database file, read-only: the schema revision and a few settings
    (`device_id`, `sync_epoch`, `audit_head`) and the committee's name. Missing ones are None.

    Raises sqlite3.DatabaseError for a file that is not a readable database."""
    conn = sqlite3.connect(ro_uri(path), uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        facts: dict[str, str | None] = {"revision": None, "device_id": None, "sync_epoch": None,
                                        "audit_head": None, "committee": None}
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            facts["revision"] = str(row[0]) if row else None
        if "setting" in tables:
            for key in ("device_id", "sync_epoch", "audit_head"):
                row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
                facts[key] = str(row[0]) if row else None
        if "committee" in tables:
            row = conn.execute("SELECT name FROM committee LIMIT 1").fetchone()
            facts["committee"] = str(row[0]) if row else None
        return facts
    finally:
        conn.close()
