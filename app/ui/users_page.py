"""Users of the desk (committee director only): the list, add a user, change a role, deactivate, reset a
password, unlock an account locked by wrong passwords. Every change is one service call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeskError, ValidationError
from app.i18n import N_, _, format_datetime
from app.models.users import ROLE_LABELS, Role
from app.paths import log_file
from app.services import users
from app.services.users import UserRow
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR, FieldError, FieldErrors, required_note, show_error

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS = (N_("User name"), N_("Full name"), N_("Role"), N_("Status"), N_("Last login"))
INACTIVE_COLOR = "#6b7280"


def status_text(row: UserRow) -> str:
    if not row.active:
        return _("Inactive")
    if row.locked:
        return _("Locked")
    return _("Active")


class UsersModel(QAbstractTableModel):
    """The users as a table; the row's `UserRow` is under Qt.UserRole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[UserRow] = []

    def set_rows(self, rows: list[UserRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[UserRow]:
        return list(self._rows)

    def row_at(self, row: int) -> UserRow:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return _(COLUMNS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        user = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return user.username
            if column == 1:
                return user.display_name
            if column == 2:
                return _(ROLE_LABELS[user.role])
            if column == 3:
                return status_text(user)
            if column == 4:
                return format_datetime(user.last_login) if user.last_login else _("Never")
        elif role == Qt.ItemDataRole.ForegroundRole:
            if not user.active:
                return QBrush(QColor(INACTIVE_COLOR))
            if column == 3 and user.locked:
                return QBrush(QColor(ERROR_COLOR))
        elif role == Qt.ItemDataRole.UserRole:
            return user
        elif role == Qt.ItemDataRole.UserRole + 1:  # sort key
            if column == 4:
                return user.last_login.isoformat() if user.last_login else ""
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))


# -- dialogs ------------------------------------------------------------------------------------------


class FormDialog(QDialog):
    """A small form with error lines under its fields and Save / Cancel; `save()` returns True when done."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.general_error = FieldError()
        self.note = QLabel(required_note())
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._save_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def save(self) -> bool:
        raise NotImplementedError

    def _save_clicked(self) -> None:
        self.errors.clear()
        self.general_error.clear_message()
        if self.save():
            self.accept()

    def show_validation(self, exc: DeskError) -> None:
        if not (isinstance(exc, ValidationError) and self.errors.show(exc)):
            self.general_error.show_message(exc.message)

    def passwords_match(self, first: QLineEdit, second: QLineEdit, field: str) -> bool:
        if first.text() != second.text():
            self.errors.set(field, _("The two passwords differ."))
            second.setFocus()
            return False
        return True


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(200)
    return edit


def _role_combo(current: Role | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("role")
    for role in Role:
        combo.addItem(_(ROLE_LABELS[role]), role.value)
    combo.setCurrentIndex(combo.findData((current or Role.MEDIATOR).value))
    return combo


class AddUserDialog(FormDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, _("Add a user"))
        self.ctx = ctx
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(40)
        self.display_name = QLineEdit()
        self.display_name.setObjectName("display_name")
        self.display_name.setMaxLength(50)
        self.role = _role_combo()
        self.password = _password_edit("password")
        self.password2 = _password_edit("password2")
        self.errors.add_row(self.form, "username", _("User name"), self.username, required=True)
        self.errors.add_row(self.form, "display_name", _("Full name"), self.display_name, required=True)
        self.errors.add_row(self.form, "role", _("Role"), self.role, required=True)
        self.errors.add_row(self.form, "password", _("Password"), self.password, required=True)
        self.errors.add_row(self.form, "password2", _("Repeat the password"), self.password2, required=True)
        self.created: str | None = None

    def save(self) -> bool:
        if not self.passwords_match(self.password, self.password2, "password2"):
            return False
        try:
            with self.ctx.store.write() as session:
                user = users.create_user(session, self.ctx.actor, self.username.text(), self.display_name.text(),
                                         str(self.role.currentData()), self.password.text())
                self.created = user.username
        except DeskError as exc:
            self.show_validation(exc)
            return False
        return True


class ChangeRoleDialog(FormDialog):
    def __init__(self, ctx: UiContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(parent, _("Change the role of {name}").format(name=user.display_name))
        self.ctx = ctx
        self.user = user
        self.role = _role_combo(user.role)
        who = QLabel(f"{user.display_name} ({user.username})")
        self.form.addRow(_("User"), who)
        self.errors.add_row(self.form, "role", _("Role"), self.role, required=True)

    def save(self) -> bool:
        try:
            with self.ctx.store.write() as session:
                users.update_user(session, self.ctx.actor, self.user.username, role=str(self.role.currentData()))
        except DeskError as exc:
            self.show_validation(exc)
            return False
        return True


class ResetPasswordDialog(FormDialog):
    def __init__(self, ctx: UiContext, user: UserRow, parent: QWidget | None = None) -> None:
        super().__init__(parent, _("Reset the password of {name}").format(name=user.display_name))
        self.ctx = ctx
        self.user = user
        self.password = _password_edit("password")
        self.password2 = _password_edit("password2")
        self.form.addRow(_("User"), QLabel(f"{user.display_name} ({user.username})"))
        self.errors.add_row(self.form, "password", _("New password"), self.password, required=True)
        self.errors.add_row(self.form, "password2", _("Repeat the password"), self.password2, required=True)

    def save(self) -> bool:
        if not self.passwords_match(self.password, self.password2, "password2"):
            return False
        try:
            with self.ctx.store.write() as session:
                users.change_password(session, self.ctx.actor, self.user.username, self.password.text())
        except DeskError as exc:
            self.show_validation(exc)
            return False
        return True


def confirm(parent: QWidget | None, text: str, yes: str) -> bool:
    """Ask before an action that is hard to take back; the button says what happens."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Mediation Desk"))
    box.setText(text)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes_button


# -- the page -----------------------------------------------------------------------------------------


class UsersPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersPage")
        self.ctx = ctx
        self.log_path = log_file(ctx.data_dir)

        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.add_button = QPushButton()
        self.add_button.setObjectName("addUser")
        self.role_button = QPushButton()
        self.role_button.setObjectName("changeRole")
        self.active_button = QPushButton()
        self.active_button.setObjectName("toggleActive")
        self.password_button = QPushButton()
        self.password_button.setObjectName("resetPassword")
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlockUser")
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.heading)
        toolbar.addStretch(1)
        for button in (self.add_button, self.role_button, self.active_button, self.password_button, self.unlock_button):
            toolbar.addWidget(button)

        self.model = UsersModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole + 1)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setObjectName("usersTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.change_role())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_buttons())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(toolbar)
        layout.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.change_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_user, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        ctx.retranslate.connect(self.retranslate)
        self.retranslate()
        self.refresh()

    # -- data -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        keep = self.selected()
        try:
            with self.ctx.store.read() as session:
                rows = users.list_users(session, self.ctx.actor)
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return
        self.model.set_rows(rows)
        if keep is not None:
            self.select_username(keep.username)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        source = self.proxy.mapToSource(indexes[0])
        return self.model.row_at(source.row())

    def select_username(self, username: str) -> None:
        for row, user in enumerate(self.model.rows()):
            if user.username == username:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                self.table.selectionModel().select(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.setCurrentIndex(index)
                return

    def _update_buttons(self) -> None:
        user = self.selected()
        has = user is not None
        self.role_button.setEnabled(has)
        self.active_button.setEnabled(user is not None and user.id != self.ctx.actor.user_id)
        self.password_button.setEnabled(has)
        self.unlock_button.setEnabled(bool(user and user.locked))
        self.active_button.setText(_("Activate") if user is not None and not user.active else _("Deactivate"))

    def retranslate(self) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setText(_("Users"))
        self.add_button.setText(_("Add user…"))
        self.add_button.setToolTip(_("Add a user (Ctrl+N)"))
        self.role_button.setText(_("Change role…"))
        self.password_button.setText(_("Reset password…"))
        self.unlock_button.setText(_("Unlock"))
        self.unlock_button.setToolTip(_("Unlock an account locked by wrong passwords"))
        self.model.retranslate()
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------------------

    def _after_change(self, select: str | None = None) -> None:
        self.refresh()
        if select:
            self.select_username(select)
        self.ctx.changed.emit({"desk_user"})

    def add_user(self) -> None:
        dialog = AddUserDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._after_change(dialog.created)

    def change_role(self) -> None:
        user = self.selected()
        if user is not None and ChangeRoleDialog(self.ctx, user, self).exec() == QDialog.DialogCode.Accepted:
            self._after_change(user.username)

    def reset_password(self) -> None:
        user = self.selected()
        if user is not None and ResetPasswordDialog(self.ctx, user, self).exec() == QDialog.DialogCode.Accepted:
            self._after_change(user.username)

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        if user.active:
            question = _("Deactivate {name} ({username})? They can no longer log in; their records stay.").format(
                name=user.display_name, username=user.username)
            if not confirm(self, question, _("Deactivate")):
                return
        self._call(lambda session: users.update_user(session, self.ctx.actor, user.username, active=not user.active),
                   user.username)

    def unlock(self) -> None:
        user = self.selected()
        if user is not None:
            self._call(lambda session: users.unlock(session, self.ctx.actor, user.username), user.username)

    def _call(self, action: Callable[[Any], object], username: str) -> None:
        try:
            with self.ctx.store.write() as session:
                action(session)
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return
        self._after_change(username)
