"""The home page (工作台): what is due today — sessions planned for today, follow-up visits due,
judicial-confirmation windows about to close, overdue cases — as counters and as a list whose items
open their case (`open_case_requested`).

Composed of service reads (no SQL here): `cases.list_cases` with the "today" filters (overdue, follow-up
due, confirmation window closing, session planned on the day) and `cases.planned_sessions` for the times.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import LOCAL_TZ, today
from app.i18n import N_, _, format_date, ngettext
from app.services import cases
from app.services.cases import CaseFilter, CaseRow
from app.services.context import Actor
from app.store.engine import Store
from app.ui.cases.common import CHIPS_ROLE, HINT_COLOR, WARNING_COLOR, ChipDelegate, bigger, report_error, touches_cases
from app.ui.context import UiContext
from app.ui.messages import ACCENT_COLOR, ERROR_COLOR

# Upper bounds of the reads (far above what a village has open at once).
MAX_OPEN = 2000

KINDS: dict[str, tuple[str, str]] = {
    "session": (N_("Sessions today"), ACCENT_COLOR),
    "follow_up": (N_("Follow-ups due"), "#0f766e"),
    "confirmation": (N_("Confirmation windows closing"), WARNING_COLOR),
    "overdue": (N_("Overdue cases"), ERROR_COLOR),
}
ITEM_WORDS = {"session": N_("Session"), "follow_up": N_("Follow-up due"),
              "confirmation": N_("Confirmation window closing"), "overdue": N_("Overdue")}
ORDER = ("session", "overdue", "confirmation", "follow_up")


@dataclass(frozen=True)
class TodayItem:
    kind: str
    case_id: str
    number: str
    category: str
    parties: str
    summary: str
    when: str  # "09:30" for a session; a short note otherwise
    at: dt.datetime | None = None


@dataclass
class Today:
    on: dt.date
    items: list[TodayItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _item(kind: str, row: CaseRow, when: str, at: dt.datetime | None = None) -> TodayItem:
    return TodayItem(kind, row.id, row.number, row.category, row.parties, row.summary, when, at)


def gather_today(store: Store, actor: Actor, on: dt.date | None = None) -> Today:
    """Everything due today, from a few reads of the case services."""
    on = on or today()
    result = Today(on)
    with store.read() as session:
        overdue_total = cases.count_cases(session, actor, CaseFilter(overdue_only=True))
        overdue = cases.list_cases(session, actor, CaseFilter(overdue_only=True), limit=MAX_OPEN)
        due = cases.list_cases(session, actor, CaseFilter(follow_up_due_only=True), limit=MAX_OPEN)
        closing = cases.list_cases(session, actor, CaseFilter(confirmation_closing_only=True), limit=MAX_OPEN)
        rows = {r.id: r for r in cases.list_cases(session, actor, CaseFilter(session_planned_on=on), limit=MAX_OPEN)}
        planned = [(rows[case_id], held_at.astimezone(LOCAL_TZ)) for case_id, held_at, _place in cases.planned_sessions(session, actor, on)
                   if case_id in rows]
    for row, at in planned:
        result.items.append(_item("session", row, at.strftime("%H:%M"), at))
    for row in overdue:
        result.items.append(_item("overdue", row, ngettext("{n} day overdue", "{n} days overdue", row.overdue_days).format(
            n=row.overdue_days)))
    for row in closing:
        result.items.append(_item("confirmation", row, _("The 30 days end within a week")))
    for row in due:
        result.items.append(_item("follow_up", row, _("Visit due")))
    result.counts = {"session": len(planned), "follow_up": len(due), "confirmation": len(closing), "overdue": overdue_total}
    return result


class Card(QPushButton):
    """A counter: the number, big, over its words. Pressing it shows only its items below."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"card_{kind}")
        self.setCheckable(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.number = QLabel("0")
        self.number.setObjectName("cardNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.words = QLabel()
        self.words.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.words.setWordWrap(True)
        for label in (self.number, self.words):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        column.setSpacing(2)
        column.addWidget(self.number)
        column.addWidget(self.words)
        self.count = 0

    def relabel(self) -> None:
        label, _color = KINDS[self.kind]
        self.words.setText(_(label))
        bigger(self.number, 2.0, bold=True)
        bigger(self.words, 1.0, bold=False)
        self.setMinimumHeight(self.number.sizeHint().height() + self.words.sizeHint().height() + 26)
        self.setAccessibleName(f"{_(label)}: {self.count}")

    def set_count(self, count: int) -> None:
        self.count = count
        self.number.setText(str(count))
        label, color = KINDS[self.kind]
        self.setAccessibleName(f"{_(label)}: {count}")
        shown = color if count else HINT_COLOR
        self.number.setStyleSheet(f"color: {shown};")
        self.setStyleSheet(
            "QPushButton { background: white; border: 1px solid #d5dae1; border-left: 5px solid " + shown + ";"
            " border-radius: 3px; text-align: left; }"
            " QPushButton:checked { background: #eef4fb; border: 2px solid " + ACCENT_COLOR + ";"
            " border-left: 5px solid " + shown + "; }"
            " QPushButton:focus { border: 2px solid " + ACCENT_COLOR + "; border-left: 5px solid " + shown + "; }")


class HomePage(QWidget):
    open_case_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("HomePage")
        self.today: Today | None = None
        self.shown: list[TodayItem] = []
        self._stale = False
        self.title = QLabel()
        self.title.setObjectName("homeTitle")
        self.date_label = QLabel()
        self.date_label.setStyleSheet(f"color: {HINT_COLOR};")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.date_label)
        head.addStretch(1)
        head.addWidget(self.refresh_button)
        self.cards: dict[str, Card] = {}
        cards_row = QHBoxLayout()
        cards_row.setSpacing(12)
        for kind in KINDS:
            card = Card(kind)
            card.toggled.connect(lambda on, kind=kind: self._card_toggled(kind, on))
            self.cards[kind] = card
            cards_row.addWidget(card)
        self.filter_label = QLabel()
        self.filter_label.setStyleSheet(f"color: {HINT_COLOR};")
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #d5dae1;")

        self.table = QTableWidget(0, 7)
        self.table.setObjectName("todayItems")
        self.table.verticalHeader().hide()
        self.table.setItemDelegate(ChipDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 3, 4, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(lambda item: self.open_row(item.row()))
        self.empty = QLabel()
        self.empty.setObjectName("homeEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(cards_row)
        layout.addWidget(line)
        layout.addWidget(self.filter_label)
        layout.addWidget(self.list_stack, 1)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        bigger(self.title, 1.3, bold=True)
        self.title.setText(_("Today"))
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setToolTip(_("F5"))
        for card in self.cards.values():
            card.relabel()
        bigger(self.empty, 1.2, bold=False)
        self.refresh()

    def _on_changed(self, tables: object) -> None:
        if not touches_cases(tables):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # counted again when the page is shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        try:
            self.today = gather_today(self.ctx.store, self.ctx.actor)
        except Exception as exc:
            self.today = Today(today())
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.date_label.setText(format_date(self.today.on))
        for kind, card in self.cards.items():
            card.set_count(self.today.counts.get(kind, 0))
        self._show_items()

    def _chosen_kind(self) -> str | None:
        return next((kind for kind, card in self.cards.items() if card.isChecked()), None)

    def _card_toggled(self, kind: str, on: bool) -> None:
        if on:
            for other, card in self.cards.items():
                if other != kind and card.isChecked():
                    card.blockSignals(True)
                    card.setChecked(False)
                    card.blockSignals(False)
        self._show_items()

    def _show_items(self) -> None:
        items = self.today.items if self.today is not None else []
        kind = self._chosen_kind()
        items = sorted((i for i in items if kind is None or i.kind == kind), key=lambda i: ORDER.index(i.kind))
        self.shown = items
        self.filter_label.setText(_("Showing only: {what}. Press the card again to show everything.").format(
            what=_(KINDS[kind][0])) if kind else "")
        self.filter_label.setVisible(kind is not None)
        self.table.setHorizontalHeaderLabels([_("When"), _("What"), _("Case number"), _("Category"), _("Parties"),
                                              _("Short account"), ""])
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            color = KINDS[item.kind][1]
            what = QTableWidgetItem(_(ITEM_WORDS[item.kind]))
            what.setData(CHIPS_ROLE, [(_(ITEM_WORDS[item.kind]), color)])
            when = QTableWidgetItem(item.when)
            if item.kind == "overdue":
                when.setForeground(QColor(ERROR_COLOR))
            cells = [when, what, QTableWidgetItem(item.number), QTableWidgetItem(item.category),
                     QTableWidgetItem(item.parties), QTableWidgetItem(item.summary)]
            cells.append(QTableWidgetItem())  # under the Open button
            for column, cell in enumerate(cells):
                cell.setData(Qt.ItemDataRole.UserRole, item.case_id)
                if column != 1:
                    cell.setData(CHIPS_ROLE, [])  # every cell says it has no chips (see cases.common.chips_of)
                self.table.setItem(row, column, cell)
            button = QPushButton(_("Open"))
            button.setObjectName(f"open_{row}")
            button.clicked.connect(lambda _c=False, case_id=item.case_id: self.open_case_requested.emit(case_id))
            self.table.setCellWidget(row, 6, button)
        self.table.resizeRowsToContents()
        if items:
            self.list_stack.setCurrentIndex(0)
        else:
            self.empty.setText(_("Nothing of this kind today.") if kind else
                               _("Nothing is due today: no session planned, no visit due, no deadline passed."))
            self.list_stack.setCurrentIndex(1)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            self.open_case_requested.emit(self.shown[row].case_id)
