"""Small helpers every dialog uses: the error box, the red error line under a field or a form, the required
mark, and the line beside Save that names the required fields still empty.

Errors the user can act on (`app.errors.DeskError`) are shown with their own translated message.
Anything else is a bug: it is logged with its traceback and the user sees a plain sentence that says
where the details were saved. Never a traceback on screen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.errors import DeskError, ValidationError
from app.i18n import _
from app.ui.widgets import HINT_COLOR

log = logging.getLogger("mediation_desk")

ERROR_COLOR = "#b42318"
ACCENT_COLOR = "#2b6cb0"


def error_text(exc: BaseException, log_path: Path | str | None) -> str:
    """What the user reads for `exc`: its own message, or the plain "something went wrong"."""
    if isinstance(exc, DeskError):
        return exc.message
    return _("Something went wrong. The details are saved in {path}.").format(path=log_path or "")


def show_error(parent: QWidget | None, exc: BaseException, log_path: Path | str | None,
               traceback_text: str | None = None) -> None:
    """Tell the user about `exc` in a message box; a bug is logged with its traceback first."""
    if not isinstance(exc, DeskError):
        if traceback_text:
            log.error("unexpected error: %s\n%s", exc, traceback_text)
        else:
            log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    box = QMessageBox(parent)
    box.setWindowTitle(_("Mediation Desk"))
    box.setIcon(QMessageBox.Icon.Warning if isinstance(exc, DeskError) else QMessageBox.Icon.Critical)
    box.setText(error_text(exc, log_path))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


class FieldError(QLabel):
    """The red line under a field that says what is wrong with it; takes no space when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setStyleSheet(f"color: {ERROR_COLOR};")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.clear()
        self.hide()


def error_label() -> QLabel:
    """The red line under a form for an error that is about no one field; hidden until it has something to say."""
    label = QLabel()
    label.setObjectName("generalError")
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def missing_line() -> QLabel:
    """The grey line beside a form's Save button that names the required fields still empty."""
    label = QLabel()
    label.setObjectName("missing")
    label.setStyleSheet(f"color: {HINT_COLOR};")
    label.setWordWrap(True)
    return label


def missing_text(labels: list[str]) -> str:
    """“Missing: Name, Address” for the required fields still empty (their labels); empty when none is."""
    if not labels:
        return ""
    return _("Missing: {fields}").format(fields=_(", ").join(labels))


def show_missing(line: QLabel, save_button: QPushButton, labels: list[str]) -> None:
    """Name the required fields still empty (`labels`) on a form's `missing_line`; Save waits until there are
    none, its tooltip saying why."""
    text = missing_text(labels)
    line.setText(text)
    save_button.setEnabled(not text)
    save_button.setToolTip(text)


def with_error(field: QWidget) -> tuple[QWidget, FieldError]:
    """Wrap `field` so that its error line sits right under it (for a QFormLayout row)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    error = FieldError(box)
    layout.addWidget(error)
    return box, error


def field_label(text: str, required: bool = False) -> str:
    """A form label; a required field gets a red asterisk (rich text)."""
    if not required:
        return text
    return f'{text} <span style="color:{ERROR_COLOR}">*</span>'


def required_note() -> str:
    return f'<span style="color:{ERROR_COLOR}">*</span> ' + _("Required")


class FieldErrors:
    """The error lines of one form, keyed by the service's field names (`ValidationError.field`)."""

    def __init__(self) -> None:
        self._errors: dict[str, FieldError] = {}
        self._fields: dict[str, QWidget] = {}

    def add_row(self, form: QFormLayout, name: str, label: str, field: QWidget, *, required: bool = False,
                aliases: Iterable[str] = ()) -> QLabel:
        """Add `label: field` to `form`, with an error line under the field; returns the label widget.

        A required text field says so the moment the focus leaves it empty (the service still decides
        on saving)."""
        box, error = with_error(field)
        label_widget = QLabel(field_label(label, required))
        label_widget.setTextFormat(Qt.TextFormat.RichText)
        label_widget.setBuddy(field)
        form.addRow(label_widget, box)
        for key in (name, *aliases):
            self._errors[key] = error
            self._fields[key] = field
        if required and isinstance(field, QLineEdit):
            _RequiredWatcher(field, label_widget, error)
        return label_widget

    def error(self, name: str) -> FieldError:
        return self._errors[name]

    def clear(self) -> None:
        for error in self._errors.values():
            error.clear_message()

    def set(self, name: str, message: str) -> bool:
        error = self._errors.get(name)
        if error is None:
            return False
        error.show_message(message)
        return True

    def show(self, exc: ValidationError, focus: bool = True) -> bool:
        """Put the message under the field it names; False when this form has no such field."""
        self.clear()
        if not self.set(exc.field, exc.message):
            return False
        if focus:
            self._fields[exc.field].setFocus()
        return True


class _RequiredWatcher(QObject):
    """Says "… is required." under a text field the moment the focus leaves it empty."""

    def __init__(self, field: QLineEdit, label: QLabel, error: FieldError) -> None:
        super().__init__(field)
        self._field, self._label, self._error = field, label, error
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched is self._field:
            required = _("{field} is required.").format(field=_plain(self._label.text()))
            if not self._field.text().strip():
                self._error.show_message(required)
            elif self._error.text() == required:
                self._error.clear_message()
        return False


def _plain(label_html: str) -> str:
    """The words of a form label without its required mark."""
    return re.sub(r"<[^>]*>", "", label_html).replace("*", "").strip()


# -- message boxes that never block (the idle lock can close them; tests need no modal loop) --------

def _box(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def inform(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Information, title, text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def warn(parent: QWidget, title: str, text: str) -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Warning, title, text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def ask(parent: QWidget, title: str, text: str, on_yes: Callable[[], object], *, yes_text: str = "",
        no_text: str = "", default_yes: bool = False) -> QMessageBox:
    """A yes/no question that does not block: `on_yes` runs when the user answers yes. No is the default
    (Enter) unless `default_yes`; Esc always answers no."""
    box = _box(parent, QMessageBox.Icon.Question, title, text)
    yes = box.addButton(yes_text or _("Yes"), QMessageBox.ButtonRole.YesRole)
    no = box.addButton(no_text or _("No"), QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(yes if default_yes else no)
    box.setEscapeButton(no)

    def answered(button: object) -> None:
        if button is yes:
            on_yes()

    box.buttonClicked.connect(answered)
    box.open()
    return box
