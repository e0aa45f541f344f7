"""Helpers shared by the GUI tests: a UiContext, a tiny stand-in Chinese catalog, driving modal dialogs."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.services.context import Actor
from app.store.engine import Store
from app.ui.context import UiContext

# The real catalog is filled by the translators; these few words let a test see a language switch.
CHINESE = {
    "Grid and households": "网格与住户",
    "Users": "用户",
    "Audit trail": "操作记录",
    "Settings": "设置",
    "Mediation Desk": "调解工作台",
    "Log out": "退出登录",
    "Lock now": "立即锁定",
}


class FakeChinese(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return CHINESE.get(message, message)


def use_fake_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `set_language("zh_CN")` load the stand-in catalog above, then switch to it."""
    monkeypatch.setattr(i18n.gettext, "translation", lambda *args, **kwargs: FakeChinese())
    i18n.set_language("zh_CN")


def make_ctx(store: Store, actor: Actor) -> UiContext:
    assert store.data_dir is not None
    return UiContext(store, actor, store.data_dir)


def when_dialog_opens(act: Callable[[QDialog], None], kind: type[QDialog] = QDialog) -> None:
    """Run `act` on the modal dialog that is about to open (its exec() blocks the test otherwise).

    If `act` fails the dialog is rejected, so the test fails instead of hanging."""

    tries = [0]

    def find() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            tries[0] += 1
            if tries[0] > 500:
                raise AssertionError(f"no {kind.__name__} opened")
            QTimer.singleShot(10, find)
            return
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, find)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type as a person does: ASCII key by key, Chinese as an input method commits it (QTest cannot
    synthesise key events for characters outside ASCII)."""
    widget.setFocus()
    for chunk in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if chunk.isascii():
            qtbot.keyClicks(widget, chunk)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(chunk)
            QApplication.sendEvent(widget, event)


def shown(qtbot: QtBot, page: QWidget) -> QWidget:
    """A page on screen at a laptop's size, as a person sees it."""
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


def click(qtbot: QtBot, button: QWidget) -> None:
    """Click a button a person can see and use."""
    assert button.isVisible() and button.isEnabled(), button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer(qtbot: QtBot, text: str) -> None:
    """Wait for a message box and press its button labelled `text`."""
    boxes: list[QMessageBox] = []

    def showing() -> bool:
        boxes[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(boxes)

    qtbot.waitUntil(showing)
    button = next(b for b in boxes[-1].findChildren(QPushButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
