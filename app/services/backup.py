"""Backups of the desk and restoring one (see docs/decisions.md, "Backups").

A backup is one zip file, `*.mdbackup`, holding
- `desk.sqlite3`: a copy of the database made with SQLite's online backup API, checked with
  `PRAGMA integrity_check` before it goes into the zip;
- `attachments/<sha[:2]>/<sha256>`: every attached file (content-addressed, as in the data directory);
- `manifest.json`: format, when, which desk (device id, committee), schema revision, the database's
  SHA-256 and size, the audit head (what state of the desk this is), the number of attachments.

It is written under `<name>.part`, fsynced, its CRCs read back, then renamed and the folder fsynced: a
full disk, a pulled USB stick or a killed program never leaves a file under the final name.

Automatic backups (`auto-<time>.mdbackup`) go to `<data dir>/backups/`, on exit and daily, when the desk
changed since the newest one; the newest `backup_keep` are kept. A restore checks everything before it
touches the desk, keeps the current database aside (`desk.sqlite3.before-restore-<time>`), and starts a
new sync epoch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import __version__
from app.clock import utcnow
from app.errors import DeskError, StoreError, VerificationFailed
from app.i18n import _
from app.paths import DB_FILE
from app.services.context import Actor, require
from app.store.backup import (
    fsync_dir,
    fsync_file,
    integrity_ok,
    looks_like_sqlite,
    read_facts,
    remove_quietly,
    snapshot_sqlite,
)
from app.store.engine import Store

FORMAT = "mediation-desk-backup"
FORMAT_VERSION = 1
SUFFIX = ".mdbackup"
AUTO_PREFIX = "auto-"
MANUAL_PREFIX = "mediation-desk-backup-"
BACKUPS_DIR = "backups"
ATTACHMENTS_DIR = "attachments"
DB_ENTRY = "desk.sqlite3"
MANIFEST_ENTRY = "manifest.json"
STAMP = "%Y%m%d-%H%M%S"
DAILY = dt.timedelta(days=1)
EPOCH_KEY = "sync_epoch"
DEVICE_KEY = "device_id"
HEAD_KEY = "audit_head"
# Limits for reading a backup someone hands over (never trust the sizes a zip claims).
MAX_MANIFEST_BYTES = 64 * 1024
MAX_DB_BYTES = 8 * 1024 ** 3
MAX_ENTRIES = 1_000_000
ATTACHMENT_ENTRY = re.compile(r"attachments/([0-9a-f]{2})/([0-9a-f]{64})")
ATTACHMENT_FILE = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20

Progress = Callable[[int, int], None]


class BackupCancelled(DeskError):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: dt.datetime  # aware
    kind: str  # "auto" or "manual"
    committee: str
    device_id: str
    schema: str
    db_size: int
    attachments: int
    size: int  # of the backup file
    audit_head: str


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    kept_aside: Path | None  # the database that was replaced, renamed with the time
    sync_epoch: int
    attachments_added: int
    committee: str


# ---------------------------------------------------------------- messages

def _write_problem(exc: OSError, where: Path) -> StoreError:
    """The translated message for a failed write: a full disk is named as such."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return StoreError(_("The disk is full: there is not enough free space on {path} for the backup. "
                            "Free some space or choose another drive (a USB stick). Nothing was written "
                            "and the desk's data is unchanged.").format(path=where))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(_("The backup cannot be written to {path}: the folder is read-only or not "
                            "allowed. Choose another folder. Nothing was written.").format(path=where))
    return StoreError(_("The backup could not be written to {path}: {error}. Nothing was written.").format(
        path=where, error=exc.strerror or exc))


def _damaged(path: Path, detail: str) -> VerificationFailed:
    return VerificationFailed(_("The backup {name} is damaged ({detail}); it was not restored and nothing "
                                "was changed.").format(name=path.name, detail=detail))


# ---------------------------------------------------------------- naming and listing

def backups_dir(data_dir: Path) -> Path:
    return data_dir / BACKUPS_DIR


def _stamp(now: dt.datetime) -> str:
    return now.astimezone().strftime(STAMP)


def _free_name(directory: Path, prefix: str, now: dt.datetime) -> Path:
    base = f"{prefix}{_stamp(now)}"
    path = directory / f"{base}{SUFFIX}"
    n = 2
    while path.exists() or path.with_name(path.name + ".part").exists():
        path = directory / f"{base}-{n}{SUFFIX}"
        n += 1
    return path


def _time_from_name(path: Path) -> dt.datetime | None:
    match = re.search(r"(\d{8}-\d{6})(?:-\d+)?" + re.escape(SUFFIX) + "$", path.name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), STAMP).astimezone()
    except ValueError:
        return None


def _sequence(path: Path) -> int:
    """The `-2`, `-3`… of a second backup made within the same second (1 for the first)."""
    match = re.search(r"\d{8}-\d{6}-(\d+)" + re.escape(SUFFIX) + "$", path.name)
    return int(match.group(1)) if match else 1


def automatic_backups(data_dir: Path) -> list[tuple[Path, dt.datetime]]:
    """The automatic backups in `<data dir>/backups/`, newest first, by the time in their names."""
    folder = backups_dir(data_dir)
    found: list[tuple[Path, dt.datetime]] = []
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{AUTO_PREFIX}*{SUFFIX}"):
            when = _time_from_name(path)
            if when is not None and path.is_file():
                found.append((path, when))
    found.sort(key=lambda item: (item[1], _sequence(item[0])), reverse=True)
    return found


def latest_backup(data_dir: Path) -> tuple[Path, dt.datetime] | None:
    """The newest automatic backup and when it was made (for the home page), or None."""
    found = automatic_backups(data_dir)
    return found[0] if found else None


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """The automatic backups with what their manifests say, newest first (unreadable ones are left out)."""
    infos: list[BackupInfo] = []
    for path, _when in automatic_backups(data_dir):
        with contextlib.suppress(DeskError, OSError):
            infos.append(inspect_backup(path))
    return infos


def prune(data_dir: Path, keep: int) -> list[Path]:
    """Delete the automatic backups beyond the newest `keep`; returns what was deleted."""
    removed: list[Path] = []
    for path, _when in automatic_backups(data_dir)[max(1, keep):]:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    # A `.part` or scratch folder left by a killed backup or restore is never a backup: clear old ones away.
    with contextlib.suppress(OSError):
        cutoff = utcnow().timestamp() - 3600
        for part in backups_dir(data_dir).glob(f"*{SUFFIX}.part"):
            if part.stat().st_mtime < cutoff:
                remove_quietly(part)
        for scratch in [*data_dir.glob(".backup-*"), *data_dir.glob(".restore-*")]:
            if scratch.is_dir() and scratch.stat().st_mtime < cutoff:
                shutil.rmtree(scratch, ignore_errors=True)
    return removed


# ---------------------------------------------------------------- making a backup

def _attachments(data_dir: Path) -> list[Path]:
    root = data_dir / ATTACHMENTS_DIR
    if not root.is_dir():
        return []
    files = []
    for sub in sorted(root.iterdir()):
        if not (sub.is_dir() and re.fullmatch(r"[0-9a-f]{2}", sub.name)):
            continue
        for f in sorted(sub.iterdir()):
            if ATTACHMENT_FILE.fullmatch(f.name) and f.name.startswith(sub.name) and f.is_file():
                files.append(f)
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cancelled(progress: Progress | None) -> bool:
    return bool(getattr(progress, "cancelled", False))


@contextlib.contextmanager
def _scratch(data_dir: Path, label: str) -> Iterator[Path]:
    """A private folder in the data directory (same disk as the desk) removed afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{label}-", dir=data_dir))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _desk_paths(store: Store) -> tuple[Path, Path]:
    db_path, data_dir = store.db_path, store.data_dir
    if db_path is None or data_dir is None or not store.is_sqlite:
        raise StoreError(_("Backups are made of a desk's own SQLite database; this desk uses a database server "
                           "(back it up with the server's own tools)."))
    return db_path, data_dir


def create_backup(store: Store, target_dir: Path, *, actor: Actor | None = None, kind: str = "manual",
                  progress: Progress | None = None, now: dt.datetime | None = None) -> BackupInfo:
    """Write a backup of the desk into `target_dir` (a USB stick, or `<data dir>/backups`).

    `actor` None is the program itself (automatic backups); a person needs `backup.run`, and their backup
    is audited. Raises StoreError with a clear message for a full disk or an unwritable folder; nothing is
    then left under the final name and the desk is untouched."""
    if actor is not None:
        require(actor, "backup.run")
    db_path, data_dir = _desk_paths(store)
    now = now or utcnow()
    target_dir = Path(target_dir)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_problem(exc, target_dir) from exc
    final = _free_name(target_dir, AUTO_PREFIX if kind == "auto" else MANUAL_PREFIX, now)
    part = final.with_name(final.name + ".part")
    try:
        with _scratch(data_dir, "backup") as scratch:
            info = _write_backup(db_path, data_dir, scratch, part, final, kind, now, progress)
        os.replace(part, final)
        fsync_dir(target_dir)
    except OSError as exc:
        remove_quietly(part)
        raise _write_problem(exc, target_dir) from exc
    except BaseException:
        remove_quietly(part)
        raise
    info = BackupInfo(final, info.created_at, info.kind, info.committee, info.device_id, info.schema, info.db_size,
                      info.attachments, final.stat().st_size, info.audit_head)
    if actor is not None:
        from app.services import audit

        with store.write() as session:
            audit.record(session, actor, "backup", table="", record_id=final.name,
                         summary=f"backup → {final}", changes={"attachments": [None, info.attachments]})
    return info


def _write_backup(db_path: Path, data_dir: Path, scratch: Path, part: Path, final: Path, kind: str,
                  now: dt.datetime, progress: Progress | None) -> BackupInfo:
    copy = snapshot_sqlite(db_path, scratch / DB_ENTRY)
    ok, result = integrity_ok(copy)
    if not ok:
        raise StoreError(_("The desk's database failed its integrity check ({result}); no backup was written. "
                           "Run “mediation-desk check” and keep the earlier backups.").format(result=result))
    facts = read_facts(copy)
    files = _attachments(data_dir)
    db_size = copy.stat().st_size
    needed = db_size + sum(f.stat().st_size for f in files) + 1024 * 1024
    free = shutil.disk_usage(part.parent).free
    if free < needed:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(part.parent))
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "created_at": now.isoformat(), "app_version": __version__,
        "committee": facts.get("committee") or "", "device_id": facts.get(DEVICE_KEY) or "",
        "schema": facts.get("revision") or "", "sync_epoch": facts.get(EPOCH_KEY) or "",
        "audit_head": facts.get(HEAD_KEY) or "",
        "db_sha256": _sha256(copy), "db_size": db_size, "attachments": len(files),
    }
    total = len(files) + 1
    with open(part, "wb") as fh:
        with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
            zf.write(copy, DB_ENTRY, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
            if progress is not None:
                progress(1, total)
            for i, f in enumerate(files, start=2):
                if _cancelled(progress):
                    raise BackupCancelled(_("The backup was cancelled; nothing was written."))
                # Scans and photos are compressed already: stored as they are.
                zf.write(f, f"{ATTACHMENTS_DIR}/{f.parent.name}/{f.name}", compress_type=zipfile.ZIP_STORED)
                if progress is not None:
                    progress(i, total)
            zf.writestr(MANIFEST_ENTRY, json.dumps(manifest, ensure_ascii=False, indent=1),
                        compress_type=zipfile.ZIP_DEFLATED)
        fh.flush()
        os.fsync(fh.fileno())
    # Read it back before it gets its name: every CRC, and the database's hash.
    with zipfile.ZipFile(part) as zf:
        bad = zf.testzip()
        if bad is not None:
            raise StoreError(_("The backup written to {path} does not read back correctly ({entry}); the drive "
                               "may be failing. Nothing was kept under the backup's name.").format(
                path=final.parent, entry=bad))
    return BackupInfo(final, now, kind, str(manifest["committee"]), str(manifest["device_id"]),
                      str(manifest["schema"]), db_size, len(files), 0, str(manifest["audit_head"]))


def _audit_head(store: Store) -> str:
    from app.models.committee import Setting

    with store.read() as session:
        row = session.get(Setting, HEAD_KEY)
        return row.value if row is not None else ""


def daily_backup_due(data_dir: Path, now: dt.datetime | None = None) -> bool:
    latest = latest_backup(data_dir)
    return latest is None or (now or utcnow()) - latest[1] >= DAILY


def auto_backup(store: Store, *, reason: str = "exit", now: dt.datetime | None = None,
                progress: Progress | None = None) -> BackupInfo | None:
    """An automatic backup into `<data dir>/backups/` when the desk changed since the newest one (and, for
    `reason="daily"`, when that one is a day old); then only the newest `backup_keep` are kept.

    Returns None when no backup was needed."""
    from app.services import committee, settings

    _db_path, data_dir = _desk_paths(store)
    with store.read() as session:
        if not committee.is_set_up(session):
            return None
        keep = settings.get_int(session, "backup_keep")
    if reason == "daily" and not daily_backup_due(data_dir, now):
        return None
    latest = latest_backup(data_dir)
    if latest is not None:
        head = _audit_head(store)
        with contextlib.suppress(DeskError, OSError):
            if head and inspect_backup(latest[0]).audit_head == head:
                return None  # nothing was written since: the newest backup holds this state
    info = create_backup(store, backups_dir(data_dir), kind="auto", progress=progress, now=now)
    prune(data_dir, keep)
    return info


# ---------------------------------------------------------------- reading a backup

def _read_manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        entry = zf.getinfo(MANIFEST_ENTRY)
    except KeyError:
        raise VerificationFailed(_("{name} is not a Mediation Desk backup (it has no manifest); nothing was "
                                   "changed.").format(name=path.name)) from None
    if entry.file_size > MAX_MANIFEST_BYTES:
        raise _damaged(path, "manifest too large")
    try:
        with zf.open(entry) as fh:
            manifest = json.loads(fh.read(MAX_MANIFEST_BYTES + 1).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as exc:
        raise _damaged(path, f"manifest: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise VerificationFailed(_("{name} is not a Mediation Desk backup; nothing was changed.").format(name=path.name))
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise VerificationFailed(_("{name} was made by a newer version of Mediation Desk; install it to restore "
                                   "this backup. Nothing was changed.").format(name=path.name))
    return manifest


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged(path, str(exc)) from exc
    if len(zf.infolist()) > MAX_ENTRIES:
        zf.close()
        raise _damaged(path, "too many entries")
    return zf


def inspect_backup(path: Path) -> BackupInfo:
    """What a backup file says about itself (from its manifest; the full checks run on restore)."""
    path = Path(path)
    if not path.is_file():
        raise VerificationFailed(_("There is no file {path}.").format(path=path))
    if looks_like_sqlite(path):
        facts = _sqlite_facts(path)
        stat = path.stat()
        return BackupInfo(path, dt.datetime.fromtimestamp(stat.st_mtime).astimezone(), "database",
                          facts.get("committee") or "", facts.get(DEVICE_KEY) or "", facts.get("revision") or "",
                          stat.st_size, 0, stat.st_size, facts.get(HEAD_KEY) or "")
    if not zipfile.is_zipfile(path):
        raise VerificationFailed(_("{name} is not a Mediation Desk backup; nothing was changed.").format(name=path.name))
    with _open_zip(path) as zf:
        m = _read_manifest(zf, path)
    try:
        created = dt.datetime.fromisoformat(str(m.get("created_at")))
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
    except ValueError:
        created = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return BackupInfo(path, created, str(m.get("kind", "")), str(m.get("committee", "")), str(m.get("device_id", "")),
                      str(m.get("schema", "")), int(m.get("db_size") or 0), int(m.get("attachments") or 0),
                      path.stat().st_size, str(m.get("audit_head", "")))


def verify_backup(path: Path) -> BackupInfo:
    """Read a backup through, as a restore would, without touching any desk: every CRC, the database's
    checksum and `integrity_check`, the attachments' checksums. Raises VerificationFailed."""
    path = Path(path)
    info = inspect_backup(path)
    with tempfile.TemporaryDirectory(prefix="mdbackup-verify-") as tmp:
        folder = Path(tmp)
        try:
            if info.kind == "database":
                snapshot_sqlite(path, folder / DB_FILE)
            else:
                with _open_zip(path) as zf:
                    _extract_db(zf, path, _read_manifest(zf, path), folder / DB_FILE)
                    files = folder / "files"
                    files.mkdir()
                    _extract_attachments(zf, path, files, set())
        except sqlite3.Error as exc:
            raise _damaged(path, str(exc)) from exc
        ok, result = integrity_ok(folder / DB_FILE)
        if not ok:
            raise _damaged(path, result[:200])
    return info


def _sqlite_facts(path: Path) -> dict[str, str | None]:
    try:
        return read_facts(path)
    except sqlite3.Error as exc:
        raise _damaged(path, str(exc)) from exc


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from app.store.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


# ---------------------------------------------------------------- restoring

def _extract_db(zf: zipfile.ZipFile, path: Path, manifest: dict[str, Any], target: Path) -> None:
    try:
        entry = zf.getinfo(DB_ENTRY)
    except KeyError:
        raise _damaged(path, "no database inside") from None
    if entry.file_size > MAX_DB_BYTES:
        raise _damaged(path, "database too large")
    if shutil.disk_usage(target.parent).free < entry.file_size + 1024 * 1024:
        raise StoreError(_("The disk is full: there is not enough free space in the data directory to restore "
                           "{name}. Nothing was changed.").format(name=path.name))
    digest = hashlib.sha256()
    written = 0
    try:
        with zf.open(entry) as src, open(target, "wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                written += len(chunk)
                if written > entry.file_size:
                    raise _damaged(path, "database larger than it says")
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise _damaged(path, str(exc)) from exc
    if manifest.get("db_sha256") and digest.hexdigest() != manifest["db_sha256"]:
        raise _damaged(path, "the database does not match its checksum")


def _extract_attachments(zf: zipfile.ZipFile, path: Path, folder: Path, have: set[str]) -> list[Path]:
    """Every attachment the backup holds that the desk lacks, checked against its SHA-256 name.

    Entry names are matched against `attachments/<hex2>/<hex64>`; no other name is ever used as a path."""
    staged: list[Path] = []
    wanted = [e for e in zf.infolist() if (m := ATTACHMENT_ENTRY.fullmatch(e.filename)) and m.group(2) not in have]
    if shutil.disk_usage(folder).free < sum(e.file_size for e in wanted) + 1024 * 1024:
        raise StoreError(_("The disk is full: there is not enough free space in the data directory to restore "
                           "{name}. Nothing was changed.").format(name=path.name))
    for entry in wanted:
        match = ATTACHMENT_ENTRY.fullmatch(entry.filename)
        if match is None or entry.is_dir():
            continue
        sub, sha = match.groups()
        if not sha.startswith(sub):
            raise _damaged(path, f"misfiled attachment {sha[:12]}")
        if sha in have:
            continue
        target = folder / sha
        digest = hashlib.sha256()
        try:
            with zf.open(entry) as src, open(target, "wb") as dst:
                written = 0
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    written += len(chunk)
                    if written > entry.file_size:
                        raise _damaged(path, f"attachment {sha[:12]} larger than it says")
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise _damaged(path, str(exc)) from exc
        if digest.hexdigest() != sha:
            raise _damaged(path, f"attachment {sha[:12]} does not match its checksum")
        have.add(sha)
        staged.append(target)
    return staged


def _live_identity(store: Store) -> tuple[str | None, int, bool]:
    """The live desk's device id, sync epoch and whether it is set up (a committee exists)."""
    from app.models.committee import Setting
    from app.services import committee

    try:
        with store.read() as session:
            device = session.get(Setting, DEVICE_KEY)
            epoch = session.get(Setting, EPOCH_KEY)
            set_up = committee.is_set_up(session)
    except Exception:  # a broken live database must not stop the restore that mends it
        return None, 1, False
    try:
        epoch_value = int(epoch.value) if epoch is not None else 1
    except ValueError:
        epoch_value = 1
    return (device.value if device is not None else None), epoch_value, set_up


def _prepare(staged_dir: Path, actor: Actor, source: Path, epoch: int) -> str:
    """Bring the staged copy to this program's schema, start the new sync epoch and audit the restore, then
    fold its write-ahead log into the file. Returns the committee's name."""
    from app.models.committee import Setting
    from app.services import audit, committee
    from app.store.engine import open_store

    staged = open_store(staged_dir)
    try:
        with staged.write() as session:
            row = session.get(Setting, EPOCH_KEY)
            before = row.value if row is not None else None
            if row is None:
                session.add(Setting(key=EPOCH_KEY, value=str(epoch)))
            else:
                row.value, row.updated_at = str(epoch), utcnow()
            # The person restoring may not exist in the backup: named, without a user id.
            who = Actor(user_id=None, username=actor.username, display_name=actor.display_name, role=actor.role)
            audit.record(session, who, "restore", table="setting", record_id=EPOCH_KEY,
                         summary=f"restored from {source.name}", changes={EPOCH_KEY: [before, str(epoch)]})
            current = committee.current(session)
            name = current.name if current is not None else ""
    finally:
        staged.dispose()
    conn = sqlite3.connect(staged_dir / DB_FILE)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    fsync_file(staged_dir / DB_FILE)
    return name


def _lock_live(db_path: Path) -> sqlite3.Connection | None:
    """Fold the live database's log into its file and hold it exclusively, or say it is in use."""
    if not db_path.exists():
        return None
    conn = sqlite3.connect(db_path, timeout=2, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise sqlite3.OperationalError("database is locked")
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError as exc:
        conn.close()
        raise StoreError(_("The desk's database is in use (another window of Mediation Desk is open?). Close "
                           "it and try again; nothing was changed.")) from exc
    return conn


def restore_backup(store: Store, source: Path, actor: Actor) -> RestoreResult:
    """Replace the desk's data with the backup `source` (a `.mdbackup`, or a bare `.sqlite3` copy such as
    a pre-migration backup).

    Refused with VerificationFailed, before anything changes, when the file is damaged, not a backup, of
    another installation (this desk is set up with another device id) or of a newer schema. The current
    database is kept aside as `desk.sqlite3.before-restore-<time>`; the restored one starts a new sync
    epoch. `store` is disposed: the caller must open the desk again (the GUI restarts)."""
    require(actor, "backup.restore")
    db_path, data_dir = _desk_paths(store)
    source = Path(source)
    if not source.is_file():
        raise VerificationFailed(_("There is no file {path}.").format(path=source))
    live_device, live_epoch, live_set_up = _live_identity(store)
    attachments_dir = data_dir / ATTACHMENTS_DIR
    have = {f.name for f in _attachments(data_dir)}
    with _scratch(data_dir, "restore") as scratch:
        staged_db = scratch / DB_FILE
        staged_files: list[Path] = []
        files_dir = scratch / "files"
        files_dir.mkdir()
        try:
            if looks_like_sqlite(source):
                try:
                    snapshot_sqlite(source, staged_db)
                except sqlite3.Error as exc:
                    raise _damaged(source, str(exc)) from exc
                facts = _verify_staged(source, staged_db, live_device, live_set_up)
            elif zipfile.is_zipfile(source):
                with _open_zip(source) as zf:
                    manifest = _read_manifest(zf, source)
                    _extract_db(zf, source, manifest, staged_db)
                    facts = _verify_staged(source, staged_db, live_device, live_set_up)
                    staged_files = _extract_attachments(zf, source, files_dir, have)
            elif _starts_with(source, b"PK"):
                raise _damaged(source, "the zip is incomplete")
            else:
                raise VerificationFailed(_("{name} is neither a Mediation Desk backup nor a database; nothing "
                                           "was changed.").format(name=source.name))
        except OSError as exc:
            raise _write_problem(exc, data_dir) from exc
        try:
            backup_epoch = int(facts.get(EPOCH_KEY) or 1)
        except ValueError:
            backup_epoch = 1
        epoch = max(backup_epoch, live_epoch) + 1  # never an epoch either copy has used
        committee_name = _prepare(scratch, actor, source, epoch)

        # Everything is checked: now the desk changes. The store lets go of the file first.
        store.dispose()
        stamp = _stamp(utcnow())
        aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        n = 2
        while aside.exists():
            aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}-{n}")
            n += 1
        lock = _lock_live(db_path)
        try:
            if lock is not None:
                _keep_aside(db_path, aside)
                if os.name != "posix":  # Windows cannot rename onto an open file
                    lock.close()
            for f in staged_files:
                target = attachments_dir / f.name[:2] / f.name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, target)
            # One atomic rename: at every moment desk.sqlite3 is the old database or the new one.
            os.replace(staged_db, db_path)
            fsync_dir(data_dir)
        finally:
            if lock is not None:
                lock.close()
        for suffix in ("-wal", "-shm"):  # a log of the old file must never be applied to the new one
            remove_quietly(db_path.with_name(db_path.name + suffix))
    return RestoreResult(source, aside if lock is not None else None, epoch, len(staged_files), committee_name)


def _starts_with(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(magic)) == magic


def _keep_aside(db_path: Path, aside: Path) -> None:
    """A second name for the old database (a hard link, or a copy where links are not possible)."""
    try:
        os.link(db_path, aside)
    except OSError:
        shutil.copyfile(db_path, aside)  # the file is ours alone (locked, not in WAL mode): a copy is safe
        fsync_file(aside)


def _verify_staged(source: Path, staged_db: Path, live_device: str | None, live_set_up: bool) -> dict[str, str | None]:
    if not looks_like_sqlite(staged_db):
        raise _damaged(source, "the database inside is not a database")
    ok, result = integrity_ok(staged_db)
    if not ok:
        raise _damaged(source, result[:200])
    facts = _sqlite_facts(staged_db)
    _check_identity(source, facts, live_device, live_set_up)
    return facts


def _check_identity(source: Path, facts: dict[str, str | None], live_device: str | None, live_set_up: bool) -> None:
    revision = facts.get("revision")
    if revision is None:
        raise VerificationFailed(_("{name} is not a Mediation Desk database; nothing was changed.").format(
            name=source.name))
    if revision not in _known_revisions():
        raise VerificationFailed(_("{name} was written by a newer version of Mediation Desk (schema {revision}); "
                                   "install the newer version to restore it. Nothing was changed.").format(
            name=source.name, revision=revision))
    device = facts.get(DEVICE_KEY)
    if live_set_up and live_device and device != live_device:
        raise VerificationFailed(_("{name} is a backup of another installation (device {other}, this desk is "
                                   "{ours}). Restoring it here would make two desks one; nothing was changed.")
                                 .format(name=source.name, other=(device or "?")[:13], ours=live_device[:13]))
