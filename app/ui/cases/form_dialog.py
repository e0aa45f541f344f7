"""The base of the small dialogs of a case (record a session, a visit, end the mediation …): labels on
the left, required fields marked, the service's refusal in red under the field it names, the save
button saying what is missing, Ctrl+S saves and Esc cancels. Saving is one service call in one write
transaction (`common.write`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import LOCAL_TZ
from app.errors import ValidationError
from app.i18n import _, language
from app.ui.cases.common import CASE_TABLES, error_label, write
from app.ui.context import UiContext
from app.ui.messages import FieldErrors, missing_line, required_note, show_missing
from app.ui.widgets import save_cancel_buttons, scroll_area


def text_box(owner: QWidget, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(owner.fontMetrics().lineSpacing() * lines + 14)
    return box


def datetime_edit(value: dt.datetime) -> QDateTimeEdit:
    local = value.astimezone(LOCAL_TZ)
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy年M月d日 HH:mm" if language() == "zh_CN" else "yyyy-MM-dd HH:mm")
    edit.setDateTime(QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)))
    return edit


def aware(edit: QDateTimeEdit) -> dt.datetime:
    """The local date and time of `edit` as an aware datetime (the desk's time zone)."""
    value = edit.dateTime()
    d, t = value.date(), value.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=LOCAL_TZ)


def set_time(edit: QDateTimeEdit, hour: int, minute: int = 0) -> None:
    value = edit.dateTime()
    value.setTime(QTime(hour, minute))
    edit.setDateTime(value)


def widget_empty(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.text().strip()
    if isinstance(widget, QPlainTextEdit):
        return not widget.toPlainText().strip()
    if isinstance(widget, QComboBox):
        return widget.currentData() in (None, "")
    return False


class FormDialog(QDialog):
    """Subclasses add rows with `row()`, and implement `perform(session)` (one service call)."""

    tables: Iterable[str] = CASE_TABLES

    def __init__(self, ctx: UiContext, title: str, save_text: str, parent: QWidget | None = None, *,
                 intro: str = "", scroll: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._required: list[tuple[str, QWidget]] = []
        self.general_error = error_label()
        self.missing_label = missing_line()
        self.buttons, self.save_button = save_cancel_buttons(self, save_text, self.save)
        self.save_button.setDefault(True)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        if intro:
            intro_label = QLabel(intro)
            intro_label.setWordWrap(True)
            body_layout.addWidget(intro_label)
        body_layout.addLayout(self.form)
        note = QLabel(required_note())
        note.setTextFormat(Qt.TextFormat.RichText)
        self.required_note = note
        body_layout.addWidget(note)
        body_layout.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing_label, 1)
        bottom.addWidget(self.buttons)
        self._body = body
        self._scroll = scroll
        layout = QVBoxLayout(self)
        if scroll:
            layout.addWidget(scroll_area(body), 1)
        else:
            layout.addWidget(body, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)

    def row(self, name: str, label: str, widget: QWidget, *, required: bool = False,
            aliases: Iterable[str] = ()) -> QWidget:
        self.errors.add_row(self.form, name, label, widget, required=required, aliases=aliases)
        if required:
            self._required.append((label, widget))
            for signal in ("textChanged", "currentIndexChanged"):
                if hasattr(widget, signal):
                    getattr(widget, signal).connect(self.update_missing)
        return widget

    def finish(self) -> None:
        """Call at the end of the subclass's __init__."""
        self.required_note.setVisible(bool(self._required))
        self.update_missing()
        if self._scroll:
            # A scroll area asks for little room: size the dialog for its whole form, within the screen.
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            room = screen.height() - 80 if screen is not None else 760
            body_layout = self._body.layout()
            if body_layout is not None:
                body_layout.invalidate()  # rows were added to the form after the size was first asked
            wanted = self._body.sizeHint().height() + self.buttons.sizeHint().height() + 60
            self.resize(max(self.minimumWidth(), self._body.sizeHint().width() + 40), min(room, wanted))

    def missing(self) -> list[str]:
        return [label for label, widget in self._required if widget_empty(widget)]

    def update_missing(self, *_args: object) -> None:
        show_missing(self.missing_label, self.save_button, self.missing())

    def show_invalid(self, exc: ValidationError) -> bool:
        if self.errors.show(exc):
            return True
        self.general_error.setText(exc.message)
        self.general_error.show()
        return True

    def perform(self, session: Session) -> Any:
        raise NotImplementedError

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.errors.clear()
        self.general_error.hide()
        if write(self, self.ctx, self.perform, on_invalid=self.show_invalid, tables=self.tables):
            self.accept()


def checkbox_row(options: dict[str, str], checked: Iterable[str] = ()) -> tuple[QWidget, dict[str, QCheckBox]]:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    boxes: dict[str, QCheckBox] = {}
    chosen = set(checked)
    for key, label in options.items():
        check = QCheckBox(_(label))
        check.setObjectName(f"option_{key}")
        check.setChecked(key in chosen)
        boxes[key] = check
        row.addWidget(check)
    row.addStretch(1)
    return box, boxes


def choice_combo(options: dict[str, str], *, placeholder: str = "", selected: str = "") -> QComboBox:
    combo = QComboBox()
    if placeholder:
        combo.addItem(placeholder, "")
    for key, label in options.items():
        combo.addItem(_(label), key)
    if selected:
        combo.setCurrentIndex(max(0, combo.findData(selected)))
    return combo


Perform = Callable[[Session], Any]
