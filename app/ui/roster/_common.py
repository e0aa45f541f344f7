"""Small helpers private to the roster section: message boxes that never block the event loop, error
reporting that never shows a traceback, and form rows with a red error under each field.

(A shared `app.ui.messages` is being written elsewhere; these stay private so the roster does not
depend on it.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeskError, ValidationError
from app.i18n import _
from app.paths import log_file
from app.ui.messages import ask as ask  # shared, re-exported here
from app.ui.messages import inform as inform
from app.ui.messages import missing_text as missing_text
from app.ui.messages import warn as warn

log = logging.getLogger("mediation_desk")

ERROR_COLOUR = "#b42318"  # the same red as app.ui.messages
HINT_COLOUR = "#5f6368"
ROSTER_TABLES = frozenset({"household", "person", "grid_cell"})


# ---------------------------------------------------------------- messages




def report_error(parent: QWidget, data_dir: Path | None, exc: BaseException, tb: str = "") -> QMessageBox:
    """A known error as it is; anything else logged with its traceback and shown as plain words."""
    if isinstance(exc, DeskError):
        return warn(parent, _("Cannot do this"), exc.message)
    log.error("unexpected error in the roster section\n%s", tb or repr(exc), exc_info=None if tb else exc)
    where = str(log_file(data_dir)) if data_dir is not None else _("the log file")
    return warn(parent, _("Something went wrong"),
                _("Something went wrong. The details are saved in {path}.").format(path=where))


# ---------------------------------------------------------------- layout


def emphasise(label: QWidget, scale: float = 1.0, bold: bool = True) -> None:
    """A bigger and/or bold font, from the application's font now (call again after the font size changes)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)


def grow_to_fit(widget: QWidget) -> None:
    """Make a dialog tall enough for a line that just appeared in it (a wrapped error under a field):
    Qt does not grow a window for word-wrapped labels by itself, and the fields would overlap."""
    window = widget.window()
    layout = window.layout()
    if not isinstance(window, QDialog) or layout is None:
        return
    layout.activate()
    need = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() else -1
    need = max(need, layout.totalSizeHint().height())
    if need > window.height():
        window.resize(window.width(), need)


# ---------------------------------------------------------------- forms


def required_label(text: str) -> str:
    """A field label with a red asterisk (rich text)."""
    return f'{text} <span style="color:{ERROR_COLOUR}">*</span>'


def widget_text(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    return ""


class _FocusOutFilter(QObject):
    def __init__(self, parent: QObject, callback: Callable[[], object]) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            reason = event.reason()  # type: ignore[attr-defined]
            if reason not in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
                self._callback()
        return False


class FormField:
    def __init__(self, key: str, label: str, widget: QWidget, error: QLabel, label_widget: QLabel, required: bool,
                 check: Callable[[], object] | None) -> None:
        self.key = key
        self.label = label
        self.widget = widget
        self.error = error
        self.label_widget = label_widget
        self.required = required
        self.check = check


class Form(QObject):
    """Rows of label / field, with the error in red under its field the moment focus leaves it.

    `check` callables raise ValidationError (the services' own per-field checks); the message is shown
    as it is. `changed` is emitted whenever any field's content changes (to update "Missing: …").
    """

    changed = Signal()

    def __init__(self, layout: QFormLayout, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.layout = layout
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.fields: dict[str, FormField] = {}

    def add(self, key: str, label: str, widget: QWidget, *, required: bool = False,
            check: Callable[[], object] | None = None) -> FormField:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel()
        error.setObjectName(f"error_{key}")
        error.setStyleSheet(f"color: {ERROR_COLOUR};")
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.hide()
        column.addWidget(error)
        label_widget = QLabel(required_label(label) if required else label)
        label_widget.setBuddy(widget)
        self.layout.addRow(label_widget, box)
        field = FormField(key, label, widget, error, label_widget, required, check)
        self.fields[key] = field
        focus_target: QWidget = widget
        if isinstance(widget, QComboBox) and widget.isEditable():
            focus_target = widget.lineEdit() or widget
        if check is not None or required:
            focus_target.installEventFilter(_FocusOutFilter(self, lambda: self.validate(key)))
        self._watch(field)
        return field

    def _watch(self, field: FormField) -> None:
        def on_change(*_args: object) -> None:
            if not field.error.isHidden():
                self.validate(field.key)
            self.changed.emit()

        w = field.widget
        if isinstance(w, QLineEdit):
            w.textChanged.connect(on_change)
        elif isinstance(w, QComboBox):
            w.currentTextChanged.connect(on_change)
        elif isinstance(w, QPlainTextEdit):
            w.textChanged.connect(on_change)
        elif isinstance(w, QCheckBox):
            w.toggled.connect(on_change)

    # -------------------------------------------------------- errors

    def set_error(self, key: str, message: str) -> bool:
        field = self.fields.get(key)
        if field is None:
            return False
        field.error.setText(message)
        if field.error.isHidden():
            field.error.show()
            grow_to_fit(field.widget)
        return True

    def clear_error(self, key: str) -> None:
        field = self.fields.get(key)
        if field is not None:
            field.error.clear()
            field.error.hide()

    def clear_errors(self) -> None:
        for key in self.fields:
            self.clear_error(key)

    def error_text(self, key: str) -> str:
        field = self.fields.get(key)
        return field.error.text() if field is not None and not field.error.isHidden() else ""

    def validate(self, key: str) -> bool:
        field = self.fields[key]
        if field.required and not widget_text(field.widget).strip():
            self.set_error(key, _("{field} is required.").format(field=field.label))
            return False
        if field.check is not None:
            try:
                field.check()
            except ValidationError as exc:
                self.set_error(key, exc.message)
                return False
        self.clear_error(key)
        return True

    def validate_all(self) -> bool:
        ok = True
        for key in self.fields:
            ok = self.validate(key) and ok
        return ok

    def first_error_widget(self) -> QWidget | None:
        for field in self.fields.values():
            if not field.error.isHidden():
                return field.widget
        return None

    def missing(self) -> list[str]:
        """Labels of required fields that are still empty."""
        return [f.label for f in self.fields.values() if f.required and not widget_text(f.widget).strip()]


