"""Backups and restore: atomic, verified, pruned; a damaged, foreign or newer backup is refused with exit
code 4 and nothing changes; a restore keeps the old database aside and starts a new sync epoch."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.errors import PermissionDenied, StoreError, VerificationFailed
from app.models.committee import Setting
from app.models.users import Role
from app.paths import DB_FILE
from app.services import audit, backup, case_flow, households, settings
from app.services.context import Actor
from app.store.backup import integrity_ok
from app.store.engine import Store, open_store
from tests.conftest import make_user


def _add_household(store: Store, admin: Actor, number: str) -> None:
    with store.write() as session:
        households.create_household(session, admin, households.HouseholdInput(number, "庄墩村一组"),
                                    [households.PersonInput("王五")])


def _numbers(data_dir: Path) -> list[str]:
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        return [r[0] for r in conn.execute("SELECT number FROM household ORDER BY number")]
    finally:
        conn.close()


def _setting(data_dir: Path, key: str) -> str | None:
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _attach(store: Store, admin: Actor, data_dir: Path, tmp_path: Path, village: dict[str, str]) -> str:
    """A case with one scanned attachment; returns the attachment's sha256."""
    from tests.test_cases import register

    case = register(store, admin, village)
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(os.urandom(20_000))
    with store.write() as session:
        row = case_flow.add_attachment(session, admin, data_dir, case.id, scan, next(iter(case_flow.ATTACHMENT_KINDS)))
    return row.sha256


def test_backup_holds_the_database_and_the_attachments_and_reads_back(
        store: Store, admin: Actor, village: dict[str, str], data_dir: Path, tmp_path: Path) -> None:
    sha = _attach(store, admin, data_dir, tmp_path, village)
    usb = tmp_path / "usb"
    info = backup.create_backup(store, usb, actor=admin)
    assert info.path.parent == usb and info.path.name.endswith(".mdbackup") and info.attachments == 1
    assert [p.name for p in usb.iterdir()] == [info.path.name]  # no .part left
    with zipfile.ZipFile(info.path) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert {"desk.sqlite3", "manifest.json", f"attachments/{sha[:2]}/{sha}"} <= names
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "mediation-desk-backup" and manifest["committee"] == "庄墩村人民调解委员会"
    assert manifest["device_id"] == _setting(data_dir, "device_id")
    seen = backup.inspect_backup(info.path)
    assert seen.committee == "庄墩村人民调解委员会" and seen.attachments == 1
    with store.read() as session:  # a person's backup is audited
        _n, rows = audit.list_events(session, admin, action="backup")
        assert rows and rows[0].record_id == info.path.name


def test_only_the_director_backs_up_or_restores(store: Store, admin: Actor, tmp_path: Path) -> None:
    mediator = make_user(store, admin, "med", Role.MEDIATOR)
    with pytest.raises(PermissionDenied):
        backup.create_backup(store, tmp_path / "usb", actor=mediator)
    assert not (tmp_path / "usb").exists() or not any((tmp_path / "usb").iterdir())
    with pytest.raises(PermissionDenied):
        backup.restore_backup(store, tmp_path / "x.mdbackup", mediator)


def test_restore_brings_back_the_data_keeps_the_old_aside_and_starts_a_new_epoch(
        store: Store, admin: Actor, village: dict[str, str], data_dir: Path, tmp_path: Path) -> None:
    sha = _attach(store, admin, data_dir, tmp_path, village)
    info = backup.create_backup(store, tmp_path / "usb", actor=admin)
    _add_household(store, admin, "0099")  # made after the backup
    (case_flow.attachment_path(data_dir, sha)).unlink()  # and an attachment lost
    assert "0099" in _numbers(data_dir)

    result = backup.restore_backup(store, info.path, admin)

    assert _numbers(data_dir) == ["0001", "0002"]
    assert result.kept_aside is not None and result.kept_aside.name.startswith("desk.sqlite3.before-restore-")
    old = sqlite3.connect(result.kept_aside)
    assert "0099" in [r[0] for r in old.execute("SELECT number FROM household")]
    old.close()
    assert result.sync_epoch == 2 and _setting(data_dir, "sync_epoch") == "2"
    assert result.attachments_added == 1 and case_flow.attachment_path(data_dir, sha).is_file()
    assert not list(data_dir.glob(".restore-*")) and not list(data_dir.glob(".backup-*"))
    reopened = open_store(data_dir)
    try:
        from app.services import check

        report = check.run_checks(reopened)
        assert report.ok, report
        with reopened.read() as session:
            _n, rows = audit.list_events(session, admin, action="restore")
            assert rows and info.path.name in rows[0].summary
    finally:
        reopened.dispose()
    # A second restore of the same backup never reuses an epoch.
    again = open_store(data_dir)
    try:
        assert backup.restore_backup(again, info.path, admin).sync_epoch == 3
    finally:
        again.dispose()


def _refused(store: Store, admin: Actor, data_dir: Path, path: Path) -> VerificationFailed:
    before = (data_dir / DB_FILE).read_bytes()
    with pytest.raises(VerificationFailed) as err:
        backup.restore_backup(store, path, admin)
    assert err.value.exit_code == 4
    assert (data_dir / DB_FILE).read_bytes() == before
    assert not list(data_dir.glob("desk.sqlite3.before-restore-*"))
    assert not list(data_dir.glob(".restore-*"))
    return err.value


def test_a_damaged_or_strange_file_is_refused_and_nothing_changes(
        store: Store, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    info = backup.create_backup(store, tmp_path / "usb", actor=admin)
    store.dispose()
    raw = info.path.read_bytes()
    truncated = tmp_path / "truncated.mdbackup"
    truncated.write_bytes(raw[: len(raw) // 2])
    assert "damaged" in _refused(store, admin, data_dir, truncated).message
    flipped = tmp_path / "flipped.mdbackup"
    with zipfile.ZipFile(info.path) as src, zipfile.ZipFile(flipped, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "desk.sqlite3":
                data = data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:]
            dst.writestr(item, data)
    assert "damaged" in _refused(store, admin, data_dir, flipped).message
    text = tmp_path / "notes.mdbackup"
    text.write_text("hello", encoding="utf-8")
    assert "neither" in _refused(store, admin, data_dir, text).message
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("a.txt", "x")
    assert "not a Mediation Desk backup" in _refused(store, admin, data_dir, other_zip).message
    garbage_db = tmp_path / "garbage.sqlite3"
    garbage_db.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    _refused(store, admin, data_dir, garbage_db)
    plain_db = tmp_path / "plain.sqlite3"
    conn = sqlite3.connect(plain_db)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert "not a Mediation Desk database" in _refused(store, admin, data_dir, plain_db).message


def test_a_backup_of_another_installation_or_a_newer_schema_is_refused(
        store: Store, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    other_dir = tmp_path / "other"
    other = open_store(other_dir)
    try:
        from app.services import committee
        from tests.conftest import ADMIN_PASSWORD

        with other.write() as session:
            committee.set_up(session, committee.CommitteeInput("别村人民调解委员会", "别", "", "别村", "长安镇"),
                             committee.AdminInput("admin", "李梅", ADMIN_PASSWORD))
        foreign = backup.create_backup(other, tmp_path / "usb")
    finally:
        other.dispose()
    assert "another installation" in _refused(store, admin, data_dir, foreign.path).message

    newer = tmp_path / "newer.sqlite3"
    from app.store.backup import snapshot_sqlite

    store.dispose()
    snapshot_sqlite(data_dir / DB_FILE, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    assert "newer version" in _refused(store, admin, data_dir, newer).message


def test_a_new_installation_may_restore_a_backup_of_a_lost_pc(
        store: Store, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    info = backup.create_backup(store, tmp_path / "usb", actor=admin)
    fresh = open_store(tmp_path / "new-pc")  # not set up yet: its own device id, no committee
    try:
        result = backup.restore_backup(fresh, info.path, admin)
    finally:
        fresh.dispose()
    assert result.committee == "庄墩村人民调解委员会"
    assert _setting(tmp_path / "new-pc", "device_id") == _setting(data_dir, "device_id")


def test_a_bare_database_copy_restores_too(store: Store, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    from app.store.backup import backup_sqlite

    assert store.db_path is not None
    copy = backup_sqlite(store.db_path, tmp_path / "copy.sqlite3")
    _add_household(store, admin, "0050")
    backup.restore_backup(store, copy, admin)
    assert "0050" not in _numbers(data_dir)


def test_restore_is_refused_while_another_program_has_the_database_open(
        store: Store, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    info = backup.create_backup(store, tmp_path / "usb", actor=admin)
    other = open_store(data_dir)  # a second window on the same desk
    try:
        with other.read() as session:
            session.get(Setting, "device_id")
            with pytest.raises(StoreError) as err:
                backup.restore_backup(store, info.path, admin)
        assert "in use" in err.value.message
    finally:
        other.dispose()
    assert not list(data_dir.glob("desk.sqlite3.before-restore-*"))


def test_a_full_disk_gives_a_clear_message_and_leaves_nothing(
        store: Store, admin: Actor, village: dict[str, str], data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _attach(store, admin, data_dir, tmp_path, village)
    assert store.db_path is not None
    before = store.db_path.read_bytes()
    real_write = zipfile.ZipFile.write

    def full(self: zipfile.ZipFile, filename: object, arcname: str | None = None, *args: object, **kw: object) -> None:
        if arcname and arcname.startswith("attachments/"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(self, filename, arcname, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    usb = tmp_path / "usb"
    with pytest.raises(StoreError) as err:
        backup.create_backup(store, usb, actor=admin)
    assert "disk is full" in err.value.message and str(usb) in err.value.message
    assert list(usb.iterdir()) == []
    assert store.db_path.read_bytes() == before and integrity_ok(store.db_path)[0]
    assert not list(data_dir.glob(".backup-*"))


def test_too_little_free_space_is_found_before_writing(
        store: Store, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(100, 100, 10))  # type: ignore[attr-defined]
    with pytest.raises(StoreError) as err:
        backup.create_backup(store, tmp_path / "usb", actor=admin)
    assert "disk is full" in err.value.message
    assert list((tmp_path / "usb").iterdir()) == []


def test_automatic_backups_skip_an_unchanged_desk_and_keep_the_newest(
        store: Store, admin: Actor, data_dir: Path) -> None:
    with store.write() as session:
        settings.put(session, admin, "backup_keep", "3")
    assert backup.latest_backup(data_dir) is None
    start = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    first = backup.auto_backup(store, reason="exit", now=start)
    assert first is not None and first.path.name.startswith("auto-")
    assert backup.auto_backup(store, reason="exit", now=start + dt.timedelta(minutes=5)) is None  # nothing changed
    for i in range(5):
        _add_household(store, admin, f"01{i:02d}")
        assert backup.auto_backup(store, reason="exit", now=start + dt.timedelta(hours=i + 1)) is not None
    kept = backup.automatic_backups(data_dir)
    assert len(kept) == 3
    latest = backup.latest_backup(data_dir)
    assert latest is not None and latest[0] == kept[0][0]
    assert latest[1] == (start + dt.timedelta(hours=5)).replace(tzinfo=None).replace(tzinfo=dt.UTC).astimezone()
    assert [i.path for i in backup.list_backups(data_dir)] == [p for p, _w in kept]


def test_the_daily_backup_waits_a_day(store: Store, admin: Actor, data_dir: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    assert backup.daily_backup_due(data_dir, now)
    assert backup.auto_backup(store, reason="daily", now=now) is not None
    _add_household(store, admin, "0300")
    assert not backup.daily_backup_due(data_dir, now + dt.timedelta(hours=23))
    assert backup.auto_backup(store, reason="daily", now=now + dt.timedelta(hours=23)) is None
    assert backup.auto_backup(store, reason="daily", now=now + dt.timedelta(hours=25)) is not None


def test_a_pre_migration_copy_is_verified_before_it_gets_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.store import backup as store_backup

    source = tmp_path / "src.sqlite3"
    conn = sqlite3.connect(source)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    monkeypatch.setattr(store_backup, "integrity_ok", lambda _p: (False, "page 3 is never used"))
    with pytest.raises(StoreError):
        store_backup.backup_sqlite(source, tmp_path / "out" / "copy.sqlite3")
    assert list((tmp_path / "out").iterdir()) == []


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), "--lang", "en", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_backup_to_a_stick_and_restore(store: Store, admin: Actor, data_dir: Path, tmp_path: Path) -> None:
    store.dispose()
    usb = tmp_path / "usb"
    made = _cli(data_dir, "--json", "backup", "--to", str(usb))
    assert made.returncode == 0, made.stderr
    path = Path(json.loads(made.stdout)["file"])
    assert path.parent == usb and path.is_file()
    auto = _cli(data_dir, "backup")
    assert auto.returncode == 0, auto.stderr
    listed = _cli(data_dir, "--json", "backup", "--list")
    assert len(json.loads(listed.stdout)["backups"]) == 1

    bad = tmp_path / "bad.mdbackup"
    bad.write_bytes(path.read_bytes()[:3000])
    refused = _cli(data_dir, "restore", str(bad))
    assert refused.returncode == 4 and "damaged" in refused.stderr
    done = _cli(data_dir, "--json", "restore", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sync_epoch"] == 2
    assert _cli(data_dir, "check").returncode == 0


def test_two_backups_in_the_same_second_keep_their_order(store: Store, admin: Actor, data_dir: Path) -> None:
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    first = backup.auto_backup(store, now=now)
    _add_household(store, admin, "0400")
    second = backup.auto_backup(store, now=now)
    assert first is not None and second is not None and second.path.name.endswith("-2.mdbackup")
    latest = backup.latest_backup(data_dir)
    assert latest is not None and latest[0] == second.path


def test_verify_reads_a_whole_backup(store: Store, admin: Actor, village: dict[str, str], data_dir: Path,
                                     tmp_path: Path) -> None:
    _attach(store, admin, data_dir, tmp_path, village)
    info = backup.create_backup(store, tmp_path / "usb")
    assert backup.verify_backup(info.path).attachments == 1
    damaged = tmp_path / "damaged.mdbackup"
    with zipfile.ZipFile(info.path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[:-1] + b"!" if item.filename.startswith("attachments/") else data)
    with pytest.raises(VerificationFailed):
        backup.verify_backup(damaged)
