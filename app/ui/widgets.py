"""Small widget helpers shared by the sections: date edits in the user's format, hint labels, bigger fonts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDateEdit, QLabel, QWidget

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
