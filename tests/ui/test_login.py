"""The login dialog: Enter submits, the reason for a refusal under the fields, the lock-out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.models.audit import AuditEvent
from app.models.users import User
from app.services.context import Actor
from app.store.engine import Store
from app.ui.login_dialog import LoginDialog
from tests.conftest import ADMIN_PASSWORD
from tests.ui import type_text


def _dialog(qtbot: QtBot, store: Store | None) -> LoginDialog:
    dialog = LoginDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _try(qtbot: QtBot, dialog: LoginDialog, password: str) -> None:
    dialog.password.clear()
    type_text(qtbot, dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_right_password_logs_in_and_returns_the_actor(qtbot: QtBot, store: Store, admin: Actor) -> None:
    dialog = _dialog(qtbot, store)
    assert dialog.subtitle.text() == "庄墩村人民调解委员会"
    type_text(qtbot, dialog.username, "admin")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)  # Enter in the name goes on to the password
    assert dialog.focusWidget() is dialog.password
    assert dialog.isVisible()
    type_text(qtbot, dialog.password, ADMIN_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.username == "admin" and dialog.actor.display_name == "王丽"
    with store.read() as session:
        logins = session.exec(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert len(logins) == 2  # the fixture's and this one


def test_wrong_password_says_how_many_attempts_are_left(qtbot: QtBot, store: Store, admin: Actor) -> None:
    dialog = _dialog(qtbot, store)
    type_text(qtbot, dialog.username, "admin")
    _try(qtbot, dialog, "wrong-one")
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.error.text() == "Wrong user name or password. 4 more attempt(s) before the account locks."
    assert dialog.password.text() == ""  # cleared for the next try
    with store.read() as session:
        assert session.exec(select(User).where(User.username == "admin")).one().failed_logins == 1


def test_five_wrong_passwords_lock_the_account_and_the_sixth_attempt_says_locked(
        qtbot: QtBot, store: Store, admin: Actor) -> None:
    dialog = _dialog(qtbot, store)
    type_text(qtbot, dialog.username, "admin")
    for attempt in range(1, 5):
        _try(qtbot, dialog, f"wrong-{attempt}")
        assert f"{5 - attempt} more attempt(s)" in dialog.error.text()
    _try(qtbot, dialog, "wrong-5")
    assert dialog.error.text() == "Too many wrong passwords. The account is locked for 5 more minute(s)."

    _try(qtbot, dialog, ADMIN_PASSWORD)  # even the right password is refused now
    assert dialog.actor is None and dialog.isVisible()
    assert dialog.error.text().startswith("Too many wrong passwords. The account is locked for")
    with store.read() as session:
        user = session.exec(select(User).where(User.username == "admin")).one()
        assert user.locked_until is not None
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "lockout")).first() is not None


def test_unknown_user_gets_the_same_message_as_a_wrong_password(qtbot: QtBot, store: Store, admin: Actor) -> None:
    dialog = _dialog(qtbot, store)
    type_text(qtbot, dialog.username, "nobody")
    _try(qtbot, dialog, "whatever")
    assert dialog.error.text() == "Wrong user name or password."
    assert dialog.username.text() == "nobody"


def test_dialog_shown_before_the_store_is_open_waits_for_it(qtbot: QtBot, store: Store, admin: Actor) -> None:
    dialog = _dialog(qtbot, None)
    assert not dialog.login_button.isEnabled()
    assert dialog.status.text() == "Opening the desk…"
    type_text(qtbot, dialog.username, "admin")
    _try(qtbot, dialog, ADMIN_PASSWORD)
    assert dialog.isVisible() and dialog.actor is None

    dialog.set_store(store)
    assert dialog.login_button.isEnabled() and not dialog.status.isVisible()
    assert dialog.password.text() == ADMIN_PASSWORD  # what was typed is kept while waiting
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.actor is not None and dialog.result() == QDialog.DialogCode.Accepted


def test_quit_rejects(qtbot: QtBot, store: Store, admin: Actor) -> None:
    dialog = _dialog(qtbot, store)
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.actor is None
