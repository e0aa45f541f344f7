"""Small dialogs of the points section: a reason to give (reversal, rejection, a decision on an objection), and
the base of the form dialogs (fields with their errors under them, Save and Cancel)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _
from app.ui.context import UiContext
from app.ui.messages import FieldErrors
from app.ui.points.common import InlineMessage, error_message, write


class ReasonDialog(QDialog):
    """Asks for a reason and hands it to `save`, which runs the service call; its ValidationError is shown
    under the field (or under the form when it is about something else). Accepted once `save` succeeds."""

    FIELD_NAMES = ("reason", "note")

    def __init__(self, ctx: UiContext, title: str, explanation: str, field_label: str, save_text: str,
                 save: Callable[[str], object], parent: QWidget | None = None, *, required: bool = True,
                 initial: str = "") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ReasonDialog")
        self.setWindowTitle(title)
        self._save = save
        self.required = required
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlainText(initial)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.reason.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        form = QFormLayout()
        self.errors = FieldErrors()
        self.errors.add_row(form, "reason", field_label, self.reason, required=required, aliases=("note",))
        self.general = InlineMessage()
        self.general.setObjectName("generalError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(button is self.save_button)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.save_button.setDefault(True)
        self.reason.setFocus()

    def text(self) -> str:
        return self.reason.toPlainText()

    def save(self) -> bool:
        self.errors.clear()
        self.general.clear_message()
        try:
            self._save(self.text())
        except ValidationError as exc:
            if not self.errors.show(exc):
                self.general.error(exc.message)
            return False
        except Exception as exc:
            self.general.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        self.accept()
        return True


class FormDialog(QDialog):
    """A form dialog: rows with the error under each field, a line for other errors, Save and Cancel."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.errors = FieldErrors()
        self.general = InlineMessage()
        self.general.setObjectName("generalError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(button is self.save_button)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.top = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.top)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def run(self, call: Callable[[Any], object], tables: frozenset[str]) -> bool:
        self.errors.clear()
        self.general.clear_message()
        try:
            write(self.ctx, call, tables)
        except ValidationError as exc:
            if not self.errors.show(exc):
                self.general.error(exc.message)
            return False
        except Exception as exc:
            self.general.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        self.accept()
        return True

    def save(self) -> bool:
        raise NotImplementedError
