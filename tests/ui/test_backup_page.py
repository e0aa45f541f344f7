"""The backups in the Settings page, driven as the director does: back up to a folder (a USB stick), see the
automatic backups, restore one after a clear question, and be told the program closes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.paths import DB_FILE
from app.services import backup, households
from app.services.context import Actor
from app.store.engine import Store
from app.ui.settings_page import SettingsPage
from tests.conftest import make_user
from tests.ui import make_ctx


def _page(qtbot: QtBot, store: Store, actor: Actor) -> SettingsPage:
    page = SettingsPage(make_ctx(store, actor))
    qtbot.addWidget(page)
    page.resize(900, 1400)
    page.show()
    qtbot.waitExposed(page)
    return page


def _message_box(text: str) -> QMessageBox:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
             and text in w.text()]
    assert boxes, f"no message box saying {text!r}"
    return boxes[-1]


def _click(box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if isinstance(b, QPushButton) and b.text() == label)
    button.click()


def test_back_up_to_a_usb_stick_from_the_settings_page(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(qtbot, store, admin)
    assert page.backup_box.isVisible() and page.backup_list.rowCount() == 0
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(page, "choose_backup_folder", lambda: str(usb))
    qtbot.mouseClick(page.backup_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.backup_now.isEnabled(), timeout=20_000)
    made = list(usb.glob("*.mdbackup"))
    assert len(made) == 1
    assert "Backed up to" in page.backup_status.text() and made[0].name in page.backup_status.text()
    backup.auto_backup(store, reason="exit")
    page.refresh_backups()
    assert page.backup_list.rowCount() == 1 and page.backup_list.item(0, 2).text().startswith("auto-")
    page.grab().save("/tmp/backup_page.png")


def test_a_full_stick_is_named_in_a_message(
        qtbot: QtBot, store: Store, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os
    import zipfile

    page = _page(qtbot, store, admin)
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(page, "choose_backup_folder", lambda: str(usb))

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    qtbot.mouseClick(page.backup_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.backup_now.isEnabled(), timeout=20_000)
    box = _message_box("disk is full")
    assert str(usb) in box.text()
    box.accept()
    assert list(usb.iterdir()) == []
    assert page.backup_status.text() == "The backup failed."


def test_restore_the_chosen_automatic_backup_after_a_clear_question(
        qtbot: QtBot, store: Store, admin: Actor, village: dict[str, str], data_dir: Path) -> None:
    first = backup.auto_backup(store, reason="exit")
    assert first is not None
    with store.write() as session:
        households.create_household(session, admin, households.HouseholdInput("0077", "庄墩村"),
                                    [households.PersonInput("王五")])
    page = _page(qtbot, store, admin)
    quits: list[bool] = []
    page.quit_after_restore = lambda: quits.append(True)
    assert page.backup_list.rowCount() == 1 and not page.restore_chosen.isEnabled()
    page.backup_list.selectRow(0)
    assert page.restore_chosen.isEnabled()
    qtbot.mouseClick(page.restore_chosen, Qt.MouseButton.LeftButton)

    question = _message_box("Replace all the data of this desk")
    assert "庄墩村人民调解委员会" in question.text() and "the program closes" in question.text()
    assert question.defaultButton().text() == "Cancel"  # Enter does not restore by accident
    _click(question, "Restore and close")
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() and "will now close" in w.text()
                                for w in QApplication.topLevelWidgets()), timeout=20_000)
    done = _message_box("will now close")
    assert "kept as" in done.text()
    done.accept()
    qtbot.waitUntil(lambda: quits == [True])
    assert not page.isEnabled()
    conn = sqlite3.connect(data_dir / DB_FILE)
    numbers = [r[0] for r in conn.execute("SELECT number FROM household")]
    epoch = conn.execute("SELECT value FROM setting WHERE key='sync_epoch'").fetchone()[0]
    conn.close()
    assert "0077" not in numbers and epoch == "2"


def test_a_refused_file_says_why_and_nothing_happens(
        qtbot: QtBot, store: Store, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(qtbot, store, admin)
    bad = tmp_path / "bad.mdbackup"
    bad.write_text("not a backup", encoding="utf-8")
    monkeypatch.setattr(page, "choose_backup_file", lambda: str(bad))
    qtbot.mouseClick(page.restore_file, Qt.MouseButton.LeftButton)
    box = _message_box("not a Mediation Desk backup")
    box.accept()
    assert page.isEnabled()


def test_only_the_director_sees_the_backups(qtbot: QtBot, store: Store, admin: Actor) -> None:
    mediator = make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, mediator)
    assert not page.backup_box.isVisible()


def test_the_program_backs_up_daily_on_a_worker_and_on_exit(
        qtbot: QtBot, qapp: QApplication, store: Store, admin: Actor, village: dict[str, str], data_dir: Path) -> None:
    from app.ui.launch import Launcher

    launcher = Launcher(qapp, data_dir, data_dir / "logs" / "desk.log", None)
    launcher.store, launcher.quit_after_show = store, False
    launcher.exit_backup()  # nobody logged in: no backup
    assert backup.latest_backup(data_dir) is None
    launcher.main_opened = True
    launcher._daily_backup()
    qtbot.waitUntil(lambda: backup.latest_backup(data_dir) is not None, timeout=20_000)
    with store.write() as session:
        households.create_household(session, admin, households.HouseholdInput("0088", "庄墩村"),
                                    [households.PersonInput("王五")])
    launcher.exit_backup()
    assert len(backup.automatic_backups(data_dir)) == 2
