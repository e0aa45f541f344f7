"""Small widget helpers shared by the sections: date edits in the user's format, hint labels, bigger fonts,
read-only row tables, and tabs that reload only the view shown."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDateEdit, QLabel, QTableView, QTabWidget, QWidget

from app.clock import today
from app.i18n import language

HINT_COLOR = "#5f6368"


def date_to_q(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def q_to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(value: dt.date | None = None, *, maximum: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy年M月d日" if language() == "zh_CN" else "yyyy-MM-dd")
    edit.setMinimumDate(QDate(2000, 1, 1))
    if maximum is not None:
        edit.setMaximumDate(date_to_q(maximum))
    edit.setDate(date_to_q(value or today()))
    return edit


def bigger(widget: QWidget, scale: float = 1.0, bold: bool = True) -> None:
    """A bigger and/or bold font from the application's font now (call again after the font size changes)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    widget.setFont(font)


def hint_label(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {HINT_COLOR};")
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def read_only_rows(view: QTableView) -> None:
    """A table the user reads and picks one whole row in: no editing, alternating rows, no wrapping."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)


class StaleTabs:
    """For a section page of tabs (`self.tabs`, `self.views` key → view with `refresh()`): a change marks every
    view stale, and a view is reloaded only when it is shown."""

    tabs: QTabWidget
    views: dict[str, QWidget]
    _stale: set[str]

    def refresh(self) -> None:
        """Reload the view shown now (F5), and the others when they are next shown."""
        self._stale = set(self.views)
        self._load_current()

    def current_key(self) -> str:
        widget = self.tabs.currentWidget()
        return next((k for k, v in self.views.items() if v is widget), next(iter(self.views)))

    def _load_current(self) -> None:
        key = self.current_key()
        if key in self._stale:
            self._stale.discard(key)
            self.views[key].refresh()  # type: ignore[attr-defined]

