"""The login dialog: user name and password, Enter submits, the reason for a refusal under the fields.

It may be shown before the database is open (`store=None`): the start-up then feels immediate, and
the Log in button wakes up when `set_store()` hands it the opened store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeskError
from app.i18n import _
from app.ui.messages import FieldError

if TYPE_CHECKING:
    from app.services.context import Actor
    from app.store.engine import Store


class LoginDialog(QDialog):
    def __init__(self, store: Store | None, parent: QWidget | None = None, *, committee_name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.store: Store | None = None
        self.actor: Actor | None = None
        self._committee_name = committee_name

        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = QLabel()
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle.setWordWrap(True)

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setMaxLength(40)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(200)
        self.username_label = QLabel()
        self.username_label.setBuddy(self.username)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow(self.username_label, self.username)
        form.addRow(self.password_label, self.password)

        self.error = FieldError()
        self.error.setObjectName("loginError")
        self.status = QLabel()
        self.status.setObjectName("loginStatus")
        self.status.setStyleSheet("color: palette(placeholder-text);")

        self.buttons = QDialogButtonBox()
        self.login_button = QPushButton()
        self.login_button.setObjectName("loginButton")
        self.quit_button = QPushButton()
        self.buttons.addButton(self.login_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self.reject)
        # Enter in the user name field goes on to the password, or submits when that is filled.
        self.username.returnPressed.connect(self._username_enter)
        self.password.returnPressed.connect(self.submit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 20)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

        self.set_store(store)
        self.retranslate()
        self.username.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The fields handle Enter themselves (returnPressed); the dialog must not press a button as well.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    # -- state ------------------------------------------------------------------------------------

    def set_store(self, store: Store | None, committee_name: str | None = None) -> None:
        """Hand the opened store to the dialog (start-up opens it while the dialog is already showing)."""
        self.store = store
        if committee_name is not None:
            self._committee_name = committee_name
        elif store is not None and not self._committee_name:
            self._committee_name = _committee_name(store)
        self.login_button.setEnabled(store is not None)
        self.retranslate()

    def retranslate(self) -> None:
        """Label everything in the current language (and the current base font size)."""
        title_font = QFont(QApplication.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.setWindowTitle(_("Mediation Desk — log in"))
        self.title.setText(_("Mediation Desk"))
        self.subtitle.setText(self._committee_name)
        self.subtitle.setVisible(bool(self._committee_name))
        self.username_label.setText(_("User name"))
        self.password_label.setText(_("Password"))
        self.login_button.setText(_("Log in"))
        self.quit_button.setText(_("Quit"))
        self.status.setText("" if self.store is not None else _("Opening the desk…"))
        self.status.setVisible(self.store is None)

    # -- actions ----------------------------------------------------------------------------------

    def _username_enter(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def submit(self) -> None:
        """Check the user name and password with the service; accept with `self.actor` set, or say why not."""
        if self.store is None:
            return
        from app.services import users

        self.error.clear_message()
        username = self.username.text().strip()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            actor = users.login(self.store, username, self.password.text())
        except DeskError as exc:  # wrong password, locked account, or the database is busy
            self._refused(exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.actor = actor
        self.accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.show_message(exc.message)
        self.password.clear()
        if self.username.text().strip():
            self.password.setFocus()
        else:
            self.username.setFocus()


def _committee_name(store: Store) -> str:
    from app.services import committee

    with store.read() as session:
        current = committee.current(session)
        return current.name if current is not None else ""
