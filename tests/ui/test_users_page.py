"""The users page: the list, adding a user, changing a role, deactivating, resetting a password, unlocking."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.errors import AuthenticationFailed
from app.models.users import Role
from app.services import users
from app.services.context import Actor
from app.store.engine import Store
from app.ui import users_page
from app.ui.users_page import AddUserDialog, ChangeRoleDialog, ResetPasswordDialog, UsersPage
from tests.conftest import ADMIN_PASSWORD, make_user
from tests.ui import make_ctx, type_text, when_dialog_opens


def _page(qtbot: QtBot, store: Store, admin: Actor) -> UsersPage:
    page = UsersPage(make_ctx(store, admin))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def _save(qtbot: QtBot, dialog: QDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def _row_of(page: UsersPage, username: str) -> users.UserRow:
    return next(r for r in page.model.rows() if r.username == username)


def _stored(store: Store, admin: Actor, username: str) -> users.UserRow:
    with store.read() as session:
        return next(r for r in users.list_users(session, admin) if r.username == username)


def test_the_table_model_is_sound(qtbot: QtBot, store: Store, admin: Actor, qtmodeltester: ModelTester) -> None:
    make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, admin)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 2
    assert [page.model.index(0, c).data() for c in range(4)] == [
        "admin", "王丽", "Committee director (admin)", "Active"]


def test_adding_a_user_writes_them_and_shows_them_selected(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, AddUserDialog)
        type_text(qtbot, dialog.username, "liming")
        type_text(qtbot, dialog.display_name, "李明")
        dialog.role.setFocus()
        qtbot.keyClicks(dialog.role, "Grid")  # a person types the first letters to pick from the list
        type_text(qtbot, dialog.password, "pass-word-1")
        type_text(qtbot, dialog.password2, "pass-word-1")
        _save(qtbot, dialog)

    when_dialog_opens(fill, AddUserDialog)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)

    row = _stored(store, admin, "liming")
    assert (row.display_name, row.role, row.active) == ("李明", Role.GRID_WORKER, True)
    assert page.selected() is not None and page.selected().username == "liming"  # type: ignore[union-attr]
    assert users.login(store, "liming", "pass-word-1").username == "liming"


def test_add_user_errors_are_shown_next_to_their_fields(qtbot: QtBot, store: Store, admin: Actor) -> None:
    page = _page(qtbot, store, admin)
    seen: dict[str, str] = {}

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, AddUserDialog)
        type_text(qtbot, dialog.username, "liming")
        type_text(qtbot, dialog.display_name, "李明")
        type_text(qtbot, dialog.password, "abc")
        type_text(qtbot, dialog.password2, "abc")
        _save(qtbot, dialog)
        seen["password"] = dialog.errors.error("password").text()
        dialog.username.clear()
        type_text(qtbot, dialog.username, "admin")
        for field in (dialog.password, dialog.password2):
            field.clear()
            type_text(qtbot, field, "long-enough")
        _save(qtbot, dialog)
        seen["username"] = dialog.errors.error("username").text()
        seen["visible"] = str(dialog.isVisible())

    when_dialog_opens(fill, AddUserDialog)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert seen == {"password": "Password must have at least 6 characters.",
                    "username": "User name “admin” is already taken.", "visible": "True"}
    assert [r.username for r in page.model.rows()] == ["admin"]


def test_change_role_and_the_last_director_is_kept(qtbot: QtBot, store: Store, admin: Actor) -> None:
    make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, admin)
    page.select_username("liming")

    def to_viewer(dialog: QDialog) -> None:
        assert isinstance(dialog, ChangeRoleDialog)
        dialog.role.setCurrentIndex(dialog.role.findData(Role.VIEWER.value))
        _save(qtbot, dialog)

    when_dialog_opens(to_viewer, ChangeRoleDialog)
    qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    assert _stored(store, admin, "liming").role == Role.VIEWER
    assert _row_of(page, "liming").role == Role.VIEWER

    page.select_username("admin")
    message: list[str] = []

    def demote_self(dialog: QDialog) -> None:
        assert isinstance(dialog, ChangeRoleDialog)
        dialog.role.setCurrentIndex(dialog.role.findData(Role.MEDIATOR.value))
        _save(qtbot, dialog)
        message.append(dialog.errors.error("role").text())

    when_dialog_opens(demote_self, ChangeRoleDialog)
    qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    assert message == ["The desk must keep at least one active committee director (admin)."]
    assert _stored(store, admin, "admin").role == Role.ADMIN


def test_deactivate_and_activate_again(qtbot: QtBot, store: Store, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, admin)
    page.select_username("admin")
    assert not page.active_button.isEnabled()  # not one's own account
    page.select_username("liming")
    assert page.active_button.text() == "Deactivate"
    asked: list[str] = []

    def confirm(parent: object, text: str, yes: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(users_page, "confirm", confirm)
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert asked and "liming" in asked[0]
    assert not _stored(store, admin, "liming").active
    assert page.model.index(1, 3).data() == "Inactive"
    with pytest.raises(AuthenticationFailed):
        users.login(store, "liming", ADMIN_PASSWORD)

    assert page.active_button.text() == "Activate"
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert _stored(store, admin, "liming").active


def test_unlock_a_locked_account(qtbot: QtBot, store: Store, admin: Actor) -> None:
    make_user(store, admin, "liming", "mediator")
    for _attempt in range(5):
        with pytest.raises(AuthenticationFailed):
            users.login(store, "liming", "wrong")
    page = _page(qtbot, store, admin)
    page.select_username("liming")
    assert page.model.index(1, 3).data() == "Locked"
    assert page.unlock_button.isEnabled()
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert not _stored(store, admin, "liming").locked
    assert users.login(store, "liming", ADMIN_PASSWORD).username == "liming"
    assert not page.unlock_button.isEnabled()


def test_reset_password(qtbot: QtBot, store: Store, admin: Actor) -> None:
    make_user(store, admin, "liming", "mediator")
    page = _page(qtbot, store, admin)
    page.select_username("liming")

    def reset(dialog: QDialog) -> None:
        assert isinstance(dialog, ResetPasswordDialog)
        type_text(qtbot, dialog.password, "new-secret-9")
        type_text(qtbot, dialog.password2, "new-secret-9")
        _save(qtbot, dialog)

    when_dialog_opens(reset, ResetPasswordDialog)
    qtbot.mouseClick(page.password_button, Qt.MouseButton.LeftButton)
    assert users.login(store, "liming", "new-secret-9").username == "liming"
