"""The idle lock: after some minutes without keyboard or mouse input, an opaque cover hides the window's
data and asks for the password of the user who is logged in. The login lock-out rules apply to it.

The cover is a child of the main window laid over its central widget; the central widget is disabled
underneath, so nothing hidden can take the keyboard focus. Open dialogs are closed when the desk locks:
they may show data too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeskError
from app.i18n import _
from app.ui.messages import FieldError

if TYPE_CHECKING:
    from app.ui.context import UiContext

DEFAULT_MINUTES = 10
_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class LockOverlay(QFrame):
    """What shows while the desk is locked: no data, only who is logged in and a password field."""

    unlock_requested = Signal(str)
    logout_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)  # opaque: nothing under it shows through
        self.setFrameShape(QFrame.Shape.NoFrame)

        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = QLabel()
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(200)
        self.password.setMinimumWidth(260)
        self.error = FieldError()
        self.error.setObjectName("lockError")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlockButton")
        self.logout_button = QPushButton()
        self.logout_button.setObjectName("lockLogoutButton")
        self.logout_button.setFlat(True)

        card = QFrame()
        card.setObjectName("lockCard")
        card.setMinimumWidth(420)
        card.setStyleSheet("#lockCard { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.who)
        inner.addWidget(self.password)
        inner.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.logout_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.password.returnPressed.connect(self._submit)
        self.unlock_button.clicked.connect(self._submit)
        self.logout_button.clicked.connect(self.logout_requested)
        self.hide()

    def retranslate(self, display_name: str, username: str) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setText(_("The desk is locked"))
        self.who.setText(_("Logged in: {name} ({username}). Enter the password to go on.").format(
            name=display_name, username=username))
        self.password.setPlaceholderText(_("Password"))
        self.unlock_button.setText(_("Unlock"))
        self.logout_button.setText(_("Log out (another user)"))

    def _submit(self) -> None:
        self.unlock_requested.emit(self.password.text())


class IdleLock(QObject):
    """Watches the application's keyboard and mouse input and locks `window` after `timeout_ms` idle.

    Without `timeout_ms` the setting `idle_lock_minutes` (default 10) decides; it is read again when a
    setting changes (`ctx.changed` with "setting")."""

    locked = Signal()
    unlocked = Signal()
    logout_requested = Signal()

    def __init__(self, window: QMainWindow, ctx: UiContext, timeout_ms: int | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._ctx = ctx
        self._fixed_timeout = timeout_ms
        self._timeout_ms = timeout_ms if timeout_ms is not None else self._read_setting_ms()
        self._last_input = time.monotonic()
        self._locked = False
        self.overlay = LockOverlay(window)
        self.overlay.unlock_requested.connect(self.try_unlock)
        self.overlay.logout_requested.connect(self.logout_requested)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._timer.start(self._timeout_ms)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self._retranslate)
        self._retranslate()

    # -- public -----------------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._locked

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    def set_timeout(self, timeout_ms: int) -> None:
        self._timeout_ms = max(1, timeout_ms)
        if not self._locked:
            self._timer.start(self._remaining_ms())

    def lock_now(self) -> None:
        if self._locked:
            return
        self._locked = True
        self._timer.stop()
        self._close_dialogs()
        central = self._window.centralWidget()
        if central is not None:
            central.setEnabled(False)
        self.overlay.error.clear_message()
        self.overlay.password.clear()
        self._place_overlay()
        self.overlay.show()
        self.overlay.raise_()
        self.overlay.password.setFocus()
        self.locked.emit()

    def try_unlock(self, password: str) -> bool:
        """Check the password of the logged-in user (a wrong one counts towards the lock-out)."""
        from app.services import users

        actor = self._ctx.actor
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            users.login(self._ctx.store, actor.username, password)
        except DeskError as exc:
            self.overlay.error.show_message(exc.message)
            self.overlay.password.clear()
            self.overlay.password.setFocus()
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._unlock()
        return True

    def stop(self) -> None:
        """Stop watching (the window is going away)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # -- internals --------------------------------------------------------------------------------

    def _unlock(self) -> None:
        self._locked = False
        self.overlay.hide()
        self.overlay.password.clear()
        self.overlay.error.clear_message()
        central = self._window.centralWidget()
        if central is not None:
            central.setEnabled(True)
        self._last_input = time.monotonic()
        self._timer.start(self._timeout_ms)
        self.unlocked.emit()

    def _remaining_ms(self) -> int:
        idle_ms = int((time.monotonic() - self._last_input) * 1000)
        return max(0, self._timeout_ms - idle_ms)

    def _check(self) -> None:
        if self._locked:
            return
        remaining = self._remaining_ms()
        if remaining <= 0:
            self.lock_now()
        else:
            self._timer.start(remaining)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        elif kind == QEvent.Type.Resize and watched is self._window and self._locked:
            self._place_overlay()
        return False

    def _place_overlay(self) -> None:
        central = self._window.centralWidget()
        self.overlay.setGeometry(central.geometry() if central is not None else self._window.rect())

    def _close_dialogs(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()

    def _read_setting_ms(self) -> int:
        from app.services import settings

        try:
            with self._ctx.store.read() as session:
                minutes = settings.get_int(session, "idle_lock_minutes")
        except (DeskError, ValueError):
            minutes = DEFAULT_MINUTES
        return minutes * 60_000

    def _on_changed(self, tables: object) -> None:
        if self._fixed_timeout is None and isinstance(tables, set | frozenset | list | tuple) and "setting" in tables:
            self.set_timeout(self._read_setting_ms())

    def _retranslate(self) -> None:
        actor = self._ctx.actor
        self.overlay.retranslate(actor.display_name, actor.username)
