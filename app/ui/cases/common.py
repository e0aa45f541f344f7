"""Helpers shared by the pages of the cases section: status colours and chips, the deadline countdown, the
tables of the case page's tabs, non-blocking message boxes, reading with the error reported, and the one way a
page writes (one service call in one write transaction, errors under their field, then `ctx.changed`)."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.errors import DeskError, ValidationError
from app.i18n import _, ngettext
from app.models.cases import STATUS_LABELS, CaseStatus
from app.paths import log_file
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR, error_text
from app.ui.messages import ask as ask  # shared, re-exported here
from app.ui.messages import error_label as error_label
from app.ui.messages import inform as inform
from app.ui.messages import warn as warn
from app.ui.widgets import HINT_COLOR as HINT_COLOR  # shared, re-exported here
from app.ui.widgets import bigger as bigger
from app.ui.widgets import date_edit as date_edit
from app.ui.widgets import date_to_q as date_to_q
from app.ui.widgets import hint_label as hint_label
from app.ui.widgets import q_to_date as q_to_date

log = logging.getLogger("mediation_desk")
W = TypeVar("W", bound=QWidget)
R = TypeVar("R")

CASE_TABLES = frozenset({"dispute_case"})
WARNING_COLOR = "#b45309"
OK_COLOR = "#2f855a"

STATUS_COLORS: dict[str, str] = {
    CaseStatus.ACCEPTED: "#5f6b7a",  # grey
    CaseStatus.MEDIATING: "#2b6cb0",  # blue
    CaseStatus.AGREED: "#2f855a",  # green
    CaseStatus.FOLLOWING_UP: "#0f766e",  # teal
    CaseStatus.CLOSED: "#374151",  # dark grey
    CaseStatus.FAILED: "#b42318",  # red
    CaseStatus.TRANSFERRED: "#6b46c1",  # purple
    CaseStatus.WITHDRAWN: "#6b7280",  # grey
}
OPEN_STATES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.AGREED, CaseStatus.FOLLOWING_UP)
MEDIATING_STATES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING)

# badge kinds and their colours (the word is always shown: colour is never the only signal)
BADGE_COLORS = {"overdue": ERROR_COLOR, "follow_up": WARNING_COLOR, "confirmation": "#9a3412", "deadline": HINT_COLOR}


def status_label(status: str) -> str:
    try:
        return _(STATUS_LABELS[CaseStatus(status)])
    except ValueError:
        return status


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, HINT_COLOR)


def days_left_text(deadline: dt.date, on: dt.date | None = None) -> tuple[str, str]:
    """("还剩 5 天", kind) / ("已超期 2 天", "overdue") / ("今天到期", "due") for a deadline."""
    days = (deadline - (on or today())).days
    if days > 0:
        return ngettext("{n} day left", "{n} days left", days).format(n=days), "left"
    if days == 0:
        return _("Due today"), "due"
    return ngettext("{n} day overdue", "{n} days overdue", -days).format(n=-days), "overdue"


def badge_list(overdue_days: int, follow_up_due: bool, confirmation_closing: bool) -> list[tuple[str, str]]:
    badges: list[tuple[str, str]] = []
    if overdue_days > 0:
        badges.append((ngettext("{n} day overdue", "{n} days overdue", overdue_days).format(n=overdue_days), "overdue"))
    if follow_up_due:
        badges.append((_("Follow-up due"), "follow_up"))
    if confirmation_closing:
        badges.append((_("Confirmation window closing"), "confirmation"))
    return badges


def category_choices(session: Session) -> list[tuple[str, str]]:
    """(code, label) of the active dispute categories; the shipped list while none is stored yet (the
    service stores it with the first case)."""
    from app.services import cases

    stored = [(c.code, cases.category_label(c.code, c.name)) for c in cases.categories(session)]
    return stored or [(code, cases.category_label(code)) for code, _zh, _en in cases.DEFAULT_CATEGORIES]












def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            child = item.layout()
            assert child is not None
            clear_layout(child)


# ---------------------------------------------------------------- labels that follow the language

MSGID = "msgid"
TIP_MSGID = "tipMsgid"
PLACEHOLDER_MSGID = "placeholderMsgid"


def tr(widget: W, msgid: str, *, tip: str = "", placeholder: str = "") -> W:
    """Give a persistent widget its words by msgid (mark the literal with N_()); `relabel_all` puts
    them in the language chosen now."""
    for name, value in ((MSGID, msgid), (TIP_MSGID, tip), (PLACEHOLDER_MSGID, placeholder)):
        if value:
            widget.setProperty(name, value)
    _relabel(widget)
    return widget


def _property(widget: QWidget, name: str) -> str:
    # Only read properties that exist: PySide6 6.12 on Python 3.11 loses a reference to None each time
    # it hands Python an invalid QVariant (a missing property, an unset role), until None is freed.
    if name.encode() not in {bytes(n.data()) for n in widget.dynamicPropertyNames()}:
        return ""
    value = widget.property(name)
    return value if isinstance(value, str) else ""


def _relabel(widget: QWidget) -> None:
    msgid = _property(widget, MSGID)
    if msgid:
        if isinstance(widget, QGroupBox):
            widget.setTitle(_(msgid))
        elif isinstance(widget, QLabel | QAbstractButton):
            widget.setText(_(msgid))
    tip = _property(widget, TIP_MSGID)
    if tip:
        widget.setToolTip(_(tip))
    placeholder = _property(widget, PLACEHOLDER_MSGID)
    if placeholder and isinstance(widget, QLineEdit):
        widget.setPlaceholderText(_(placeholder))


def relabel_all(root: QWidget) -> None:
    """Re-label every widget under `root` that was given its words with `tr`."""
    for widget in (root, *root.findChildren(QWidget)):
        _relabel(widget)


# ---------------------------------------------------------------- chips


class Chip(QLabel):
    """A status or badge: the word on a tinted background in its colour, with a border."""

    def __init__(self, text: str = "", color: str = HINT_COLOR, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.set_chip(text, color)

    def set_chip(self, text: str, color: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        self.setProperty("chipColor", color)
        tint = QColor(color)
        tint.setAlpha(30)
        self.setStyleSheet(
            f"QLabel {{ color: {color}; background: rgba({tint.red()},{tint.green()},{tint.blue()},{tint.alpha()});"
            f" border: 1px solid {color}; border-radius: 10px; padding: 1px 10px; font-weight: bold; }}")


def paint_chip(painter: QPainter, rect: QRectF, text: str, color: str, font: QFont) -> float:
    """Draw one chip at the left of `rect`; returns its width."""
    bold = QFont(font)
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    pad = metrics.height() * 0.45
    width = metrics.horizontalAdvance(text) + 2 * pad
    if width > rect.width():  # too narrow: the word is shortened with "…", never cut in the middle
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(max(0.0, rect.width() - 2 * pad)))
        width = rect.width()
    height = min(rect.height() - 4, metrics.height() + 6)
    chip = QRectF(rect.left(), rect.center().y() - height / 2, width, height)
    base = QColor(color)
    tint = QColor(base)
    tint.setAlpha(30)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(base)
    painter.setBrush(tint)
    painter.drawRoundedRect(chip.adjusted(0.5, 0.5, -0.5, -0.5), height / 2, height / 2)
    painter.setFont(bold)
    painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()
    return chip.width()


def chip_width(text: str, font: QFont) -> int:
    bold = QFont(font)
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    return int(metrics.horizontalAdvance(text) + metrics.height() * 0.9) + 2


CHIPS_ROLE = Qt.ItemDataRole.UserRole + 20  # list of (text, colour) a cell draws as chips


def chips_of(index: Any) -> list[tuple[str, str]]:
    """The chips of a cell: from the model's own `chips(index)` when it has one (no trip through QVariant),
    else from `CHIPS_ROLE` — which such a model must set on every cell (see `_property` for why)."""
    getter = getattr(index.model(), "chips", None)
    value = getter(index) if callable(getter) else index.data(CHIPS_ROLE)
    return list(value) if value else []


class ChipDelegate(QStyledItemDelegate):
    """Draws the cells whose model gives chips (status, badges) as chips; others as usual."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        chips = chips_of(index)
        if not chips:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(style.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = QRectF(opt.rect).adjusted(4, 0, -4, 0)
        for text, color in chips:
            if rect.width() < 12:
                break
            self.paint_under_chip(painter, rect, text, opt)
            used = paint_chip(painter, rect, text, color, opt.font)
            rect.setLeft(rect.left() + used + 6)

    def paint_under_chip(self, painter: QPainter, rect: QRectF, text: str, option: QStyleOptionViewItem) -> None:
        """On a selected row, a white backing under the chip of `text`, so its colour stays readable on the
        selection's blue."""
        if not (option.state & QStyle.StateFlag.State_Selected):
            return
        bold = QFont(option.font)
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        width = min(rect.width(), metrics.horizontalAdvance(text) + 2 * metrics.height() * 0.45)
        height = min(rect.height() - 4, metrics.height() + 6)
        backing = QRectF(rect.left(), rect.center().y() - height / 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(backing, height / 2, height / 2)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        base = super().sizeHint(option, index)
        chips = chips_of(index)
        if not chips:
            return base
        font = option.font
        width = sum(chip_width(text, font) + 6 for text, _color in chips) + 8
        height = QFontMetrics(font).height() + 12
        return QSize(max(base.width(), width), max(base.height(), height))


# ---------------------------------------------------------------- messages (never blocking)




def report_error(parent: QWidget, ctx: UiContext, exc: BaseException, tb: str = "") -> QMessageBox:
    """A known error as it is; anything else logged with its traceback and shown as plain words."""
    if not isinstance(exc, DeskError):
        log.error("unexpected error in the cases section\n%s", tb or "".join(traceback.format_exception(exc)))
    return warn(parent, _("Cannot do this") if isinstance(exc, DeskError) else _("Something went wrong"),
                error_text(exc, log_file(ctx.data_dir)))


def read_or_report(parent: QWidget, ctx: UiContext, read: Callable[[Session], R], fallback: R) -> R:
    """What `read(session)` returns, in one short read session; if it fails, the error is reported
    (`report_error`) and `fallback` is returned instead."""
    try:
        with ctx.store.read() as session:
            return read(session)
    except Exception as exc:
        report_error(parent, ctx, exc, traceback.format_exc())
        return fallback


# ---------------------------------------------------------------- writing


def write(parent: QWidget, ctx: UiContext, call: Callable[[Session], Any], *,
          on_invalid: Callable[[ValidationError], bool] | None = None,
          tables: Iterable[str] = CASE_TABLES) -> bool:
    """Run one service call in one write transaction. A ValidationError goes to `on_invalid` (which
    shows it under its field and returns True) or to a message box; nothing is written then. After a
    write the other pages are told what changed."""
    try:
        with ctx.store.write() as session:
            call(session)
    except ValidationError as exc:
        if on_invalid is None or not on_invalid(exc):
            warn(parent, _("Cannot do this"), exc.message)
        return False
    except Exception as exc:
        report_error(parent, ctx, exc, traceback.format_exc())
        return False
    ctx.changed.emit(set(tables))
    return True


def touches_cases(tables: object) -> bool:
    if isinstance(tables, Iterable) and not isinstance(tables, str | bytes):
        names = set(tables)
        return not names or bool(names & {"dispute_case", "case_party", "person", "household", "committee"})
    return True


def case_table(columns: int, name: str, *, stretch: int = -1, wrap: bool = False,
               selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection
               ) -> QTableWidget:
    """A read-only table on a tab of the case page, without row numbers: whole rows are chosen (one at a time
    unless `selection` says otherwise); every column is as wide as its contents but the `stretch` one (the last
    unless told), which takes the rest; the text of a cell does not wrap unless `wrap`."""
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(wrap)
    header = table.horizontalHeader()
    stretch %= columns
    for column in range(columns):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    return table


class _EnterFilter(QObject):
    def __init__(self, parent: QObject, callback: Callable[[], object]) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._callback()
            return True
        return False


def on_enter(field: QWidget, callback: Callable[[], object]) -> None:
    """Enter in `field` runs `callback` and goes no further (not to the dialog's Save button)."""
    field.installEventFilter(_EnterFilter(field, callback))


def open_dialog(owner: Any, dialog: QDialog, on_accept: Callable[[], None] | None = None) -> QDialog:
    """Open `dialog` window-modal without blocking; the owner keeps it as `owner.dialog` (tests find it)."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_accept is not None:
        dialog.accepted.connect(on_accept)
    owner.dialog = dialog
    dialog.open()
    return dialog
