"""The idle lock covers the window's data after a quiet spell and opens only with the user's password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.models.users import User
from app.services import settings
from app.services.context import Actor
from app.store.engine import Store
from app.ui.idle_lock import IdleLock
from app.ui.main_window import MainWindow
from tests.conftest import ADMIN_PASSWORD
from tests.ui import make_ctx, type_text


@pytest.fixture
def window(qtbot: QtBot, store: Store, admin: Actor) -> Iterator[MainWindow]:
    win = MainWindow(make_ctx(store, admin), idle_timeout_ms=300)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.idle_lock.stop()


def _unlock_with(qtbot: QtBot, win: MainWindow, password: str) -> None:
    field = win.idle_lock.overlay.password
    field.clear()
    type_text(qtbot, field, password)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_idle_window_locks_hides_the_data_and_opens_with_the_right_password(qtbot: QtBot, window: MainWindow) -> None:
    lock = window.idle_lock
    window.select_section("users")
    page = window.page("users")
    assert page is not None and page.isVisible() and not lock.is_locked
    table = page.table  # type: ignore[attr-defined]
    centre = table.mapTo(window, table.rect().center())
    assert window.childAt(centre) is not None and table.isAncestorOf(window.childAt(centre))

    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)
    overlay = lock.overlay
    central = window.centralWidget()
    assert central is not None
    assert overlay.isVisible() and overlay.autoFillBackground()  # opaque
    assert overlay.geometry().contains(central.geometry())
    on_top = window.childAt(centre)  # what a person sees where the users' table was
    assert on_top is not None and (on_top is overlay or overlay.isAncestorOf(on_top))
    assert not central.isEnabled()  # nothing underneath can take the keyboard
    assert "王丽" in overlay.who.text() and "admin" in overlay.who.text()

    _unlock_with(qtbot, window, "not-the-password")
    assert lock.is_locked
    assert overlay.error.text() == "Wrong user name or password. 4 more attempt(s) before the account locks."

    _unlock_with(qtbot, window, ADMIN_PASSWORD)
    assert not lock.is_locked and not overlay.isVisible() and central.isEnabled()
    assert overlay.password.text() == ""


def test_lock_now_with_ctrl_l_and_from_the_user_menu(qtbot: QtBot, store: Store, admin: Actor) -> None:
    win = MainWindow(make_ctx(store, admin))  # ten minutes: only the shortcut locks here
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.idle_lock.timeout_ms == 10 * 60_000
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert win.idle_lock.is_locked
    _unlock_with(qtbot, win, ADMIN_PASSWORD)
    assert not win.idle_lock.is_locked
    win.lock_action.trigger()
    assert win.idle_lock.is_locked
    win.idle_lock.stop()


def test_the_lock_out_rules_apply_to_the_lock(qtbot: QtBot, store: Store, admin: Actor, window: MainWindow) -> None:
    window.lock_now()
    for attempt in range(5):
        _unlock_with(qtbot, window, f"wrong-{attempt}")
    assert window.idle_lock.overlay.error.text() == \
        "Too many wrong passwords. The account is locked for 5 more minute(s)."
    _unlock_with(qtbot, window, ADMIN_PASSWORD)
    assert window.idle_lock.is_locked  # locked out: even the right password waits five minutes
    with store.read() as session:
        assert session.exec(select(User).where(User.username == "admin")).one().locked_until is not None


def test_open_dialogs_are_closed_when_the_desk_locks(qtbot: QtBot, window: MainWindow) -> None:
    dialog = QDialog(window)
    dialog.show()
    window.lock_now()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_log_out_from_the_lock(qtbot: QtBot, window: MainWindow) -> None:
    window.lock_now()
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        qtbot.mouseClick(window.idle_lock.overlay.logout_button, Qt.MouseButton.LeftButton)


def test_idle_minutes_come_from_the_setting_and_follow_its_changes(qtbot: QtBot, store: Store, admin: Actor) -> None:
    with store.write() as session:
        settings.put(session, admin, "idle_lock_minutes", "3")
    ctx = make_ctx(store, admin)
    host = QMainWindow()
    qtbot.addWidget(host)
    lock = IdleLock(host, ctx)
    assert lock.timeout_ms == 3 * 60_000
    with store.write() as session:
        settings.put(session, admin, "idle_lock_minutes", "20")
    ctx.changed.emit({"setting"})
    assert lock.timeout_ms == 20 * 60_000
    lock.stop()
