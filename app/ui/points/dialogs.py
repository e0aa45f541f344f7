"""Small dialogs of the points section: a reason to give (reversal, rejection, a decision on an objection), the
base of the form dialogs (fields with their errors under them, Save and Cancel), and a villager's objection to
an entry on a public notice."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _
from app.ui.context import UiContext
from app.ui.messages import FieldErrors
from app.ui.points.common import NOTICE_TABLES, InlineMessage, error_message, hint_label, write
from app.ui.widgets import save_cancel_buttons


class _SavingDialog(QDialog):
    """A dialog with an error line under each field (`errors`) and one for the rest (`general`), accepted once
    its service call succeeds (`attempt`)."""

    ctx: UiContext
    errors: FieldErrors
    general: InlineMessage

    def attempt(self, act: Callable[[], object]) -> bool:
        """Run `act` (the service call): the dialog is accepted if it succeeds; else its error is shown under its
        field, or under the form, and the dialog stays open."""
        self.errors.clear()
        self.general.clear_message()
        try:
            act()
        except ValidationError as exc:
            if not self.errors.show(exc):
                self.general.error(exc.message)
            return False
        except Exception as exc:
            self.general.error(error_message(self.ctx, exc, traceback.format_exc()))
            return False
        self.accept()
        return True


class ReasonDialog(_SavingDialog):
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
        self.buttons, self.save_button = save_cancel_buttons(self, save_text, self.save)
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
        return self.attempt(lambda: self._save(self.text()))


class FormDialog(_SavingDialog):
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
        self.buttons, self.save_button = save_cancel_buttons(self, _("Save"), self.save, ctrl_s=False)
        self.top = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.top)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def run(self, call: Callable[[Any], object], tables: frozenset[str]) -> bool:
        return self.attempt(lambda: write(self.ctx, call, tables))

    def save(self) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class NoticeChoice:
    """A notice open for objections, as the objection dialog offers it."""

    id: str
    label: str  # 2026-10 · 二组 · objections until …


class ObjectionDialog(FormDialog):
    """A villager objects to an entry on a posted notice (`raise_objection`): who objects, what they say, and the
    notice (the first one open by default). The objection is decided later, under Public notice."""

    def __init__(self, ctx: UiContext, entry_id: str, entry_text: str, notices: Sequence[NoticeChoice],
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Record an objection"), parent)
        self.setObjectName("ObjectionDialog")
        self.entry_id = entry_id
        self.objection_id: str | None = None
        self.entry_label = QLabel(entry_text)
        self.entry_label.setObjectName("objectionEntry")
        self.entry_label.setTextFormat(Qt.TextFormat.PlainText)
        self.entry_label.setWordWrap(True)
        self.top.addWidget(hint_label(_("A villager may object to an entry while a notice listing it is posted. "
                                        "If the objection is upheld, the entry is reversed.")))
        self.raised_by = QLineEdit()
        self.raised_by.setObjectName("raisedBy")
        self.raised_by.setMaxLength(50)
        self.raised_by.setPlaceholderText(_("The villager's name"))
        self.content = QPlainTextEdit()
        self.content.setObjectName("objectionContent")
        self.content.setTabChangesFocus(True)
        self.content.setPlaceholderText(_("What the villager says, in their words"))
        self.content.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 14)
        self.content.setMinimumWidth(self.fontMetrics().averageCharWidth() * 50)
        self.notice = QComboBox()
        self.notice.setObjectName("objectionNotice")
        self.notice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for choice in notices:
            self.notice.addItem(choice.label, choice.id)
        self.notice.setCurrentIndex(0 if notices else -1)
        entry_caption = QLabel(_("Entry"))
        self.form.addRow(entry_caption, self.entry_label)
        self.errors.add_row(self.form, "raised_by", _("Raised by"), self.raised_by, required=True)
        self.errors.add_row(self.form, "content", _("Objection"), self.content, required=True)
        # the service's complaints about the notice (closed, or not listing the entry) belong to its field
        self.errors.add_row(self.form, "notice", _("Notice"), self.notice, required=True, aliases=("raised_on", "entry"))
        self.save_button.setText(_("Record objection"))
        self.save_button.setDefault(True)
        self.raised_by.setFocus()

    def notice_id(self) -> str | None:
        data = self.notice.currentData()
        return str(data) if data else None

    def save(self) -> bool:
        from app.services import points_notice

        notice_id, raised_by, content = self.notice_id(), self.raised_by.text(), self.content.toPlainText()
        if notice_id is None:
            self.errors.clear()
            self.errors.set("notice", _("No notice listing this entry is open for objections."))
            return False

        def raise_(session: Any) -> None:
            self.objection_id = points_notice.raise_objection(session, self.ctx.actor, notice_id, self.entry_id,
                                                              raised_by, content).id

        return self.run(raise_, NOTICE_TABLES)
