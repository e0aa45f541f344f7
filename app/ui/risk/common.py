"""Helpers shared by the views of the risk section (风险): level words and colours (the word is always
shown: colour is never the only signal), the tables the section listens to, the round of the moment,
and the household finder (户号, name, pinyin or pinyin initials)."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.errors import NotFound
from app.i18n import N_, _, format_date, ngettext
from app.models.risk import LEVEL_LABELS, STAGE_LABELS, RiskLevel, RiskRound, Stage
from app.services import households, risk
from app.services.context import Actor
from app.services.households import HouseholdRow
from app.ui.cases.common import HINT_COLOR, OK_COLOR, WARNING_COLOR, Chip, ChipDelegate, chips_of, paint_chip, report_error
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.widgets import read_only_rows

RISK_TABLES = frozenset({"risk_round", "risk_assessment", "risk_factor", "cadre_assignment", "risk_visit"})
# a change to these may change what the risk views show (names, groups, open cases, the committee)
WATCHED = RISK_TABLES | {"household", "person", "grid_cell", "dispute_case", "case_party", "committee"}

LEVEL_COLORS: dict[str, str] = {RiskLevel.LOW: OK_COLOR, RiskLevel.MEDIUM: WARNING_COLOR, RiskLevel.HIGH: ERROR_COLOR}
LEVELS = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
SHORT_STAGES = {0: N_("Not assessed"), 1: N_("Villager group"), 2: N_("Village committee"), 3: N_("Town work team")}
SEARCH_DELAY_MS = 200
MAX_HITS = 8


def level_text(level: str) -> str:
    """The level as a word ("Not assessed" for none)."""
    try:
        return _(LEVEL_LABELS[RiskLevel(level)])
    except ValueError:
        return _("Not assessed")


def level_color(level: str) -> str:
    return LEVEL_COLORS.get(level, HINT_COLOR)


def level_chip(level: str) -> tuple[str, str]:
    return level_text(level), level_color(level)


def stage_text(stage: int) -> str:
    """The long stage label ("Confirmed by the village committee"), or "Not assessed"."""
    try:
        return _(STAGE_LABELS[Stage(stage)])
    except ValueError:
        return _(SHORT_STAGES[0])


def short_stage(stage: int) -> str:
    return _(SHORT_STAGES.get(stage, SHORT_STAGES[0]))


def due_text(due: dt.date | None, on: dt.date | None = None) -> tuple[str, bool]:
    """("2026年12月19日 · 3 days overdue", True) for a visit due date; ("", False) for none."""
    if due is None:
        return "", False
    days = (due - (on or today())).days
    if days < 0:
        return _("{date} · {late}").format(date=format_date(due), late=ngettext(
            "{n} day overdue", "{n} days overdue", -days).format(n=-days)), True
    if days == 0:
        return _("{date} · due today").format(date=format_date(due)), False
    return _("{date} · in {days}").format(date=format_date(due), days=ngettext("{n} day", "{n} days", days).format(n=days)), False


def touches_risk(tables: object) -> bool:
    if isinstance(tables, Iterable) and not isinstance(tables, str | bytes):
        names = set(tables)
        return not names or bool(names & WATCHED)
    return True


def current_round(session: Session) -> RiskRound | None:
    """The open round, else the latest; None before the first round."""
    try:
        return risk.get_round(session)
    except NotFound:
        return None


def open_round_or_none(session: Session) -> RiskRound | None:
    rnd = current_round(session)
    return rnd if rnd is not None and rnd.closed_on is None else None


def list_rounds(session: Session, actor: Actor) -> list[RiskRound]:
    """Every round, newest first."""
    return risk.rounds(session, actor)


def this_quarter(on: dt.date | None = None) -> str:
    day = on or today()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def level_chip_widget(level: str) -> Chip:
    text, color = level_chip(level)
    chip = Chip(text, color)
    chip.setObjectName("levelChip")
    return chip


def set_level_chip(chip: Chip, level: str) -> None:
    text, color = level_chip(level)
    chip.set_chip(text, color)


def hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {HINT_COLOR};")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def empty_state(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("emptyState")
    label.setStyleSheet(f"color: {HINT_COLOR};")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


# ---------------------------------------------------------------- finding a household


@dataclass(frozen=True)
class HouseholdHit:
    id: str
    number: str
    head_name: str
    group_name: str
    address: str

    def describe(self) -> str:
        parts = [self.number, self.head_name or _("(no head)")]
        if self.group_name:
            parts.append(self.group_name)
        if self.address:
            parts.append(self.address)
        return " · ".join(parts)


def _hit(row: HouseholdRow) -> HouseholdHit:
    return HouseholdHit(row.id, row.number, row.head_name, row.group_name, row.address)


class HouseholdFinder(QWidget):
    """A search field (户号, a member's name, pinyin or pinyin initials) with the households found under it.
    Enter or a click picks one: `picked` is emitted with its `HouseholdHit`."""

    picked = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.hits: list[HouseholdHit] = []
        self.edit = QLineEdit()
        self.edit.setObjectName("householdSearch")
        self.edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("householdResults")
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.hide()
        self.results.itemClicked.connect(lambda _item: self.pick_current())
        self.results.itemActivated.connect(lambda _item: self.pick_current())
        self.status = hint()
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.edit.textChanged.connect(lambda _text: self._timer.start())
        self.edit.installEventFilter(self)
        self.relabel()

    def relabel(self) -> None:
        self.edit.setPlaceholderText(_("Find a household: number, a member's name, pinyin or initials — Enter picks"))

    def search_now(self) -> None:
        self._timer.stop()
        query = self.edit.text().strip()
        try:
            with self.ctx.store.read() as session:
                rows = households.list_households(session, self.ctx.actor, query=query, limit=MAX_HITS) if query else []
            self.hits = [_hit(r) for r in rows]
        except Exception as exc:
            self.hits = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.results.clear()
        for hit in self.hits:
            item = QListWidgetItem(hit.describe())
            item.setToolTip(hit.describe())
            self.results.addItem(item)
        if self.hits:
            self.results.setCurrentRow(0)
            rows_shown = min(len(self.hits), 6)
            # the hint before the list is first shown is a little short of the row drawn: never cut the last row
            row_height = max(self.results.sizeHintForRow(0), self.results.fontMetrics().lineSpacing() + 6)
            self.results.setFixedHeight(row_height * rows_shown + 2 * self.results.frameWidth() + 2)
        self.results.setVisible(bool(self.hits))
        self.status.setText(_("No household matches “{query}”.").format(query=query) if query and not self.hits else "")
        self.status.setVisible(bool(query) and not self.hits)

    def pick_current(self) -> None:
        row = self.results.currentRow()
        if not (0 <= row < len(self.hits)):
            return
        hit = self.hits[row]
        self.clear()
        self.picked.emit(hit)

    def clear(self) -> None:
        self._timer.stop()
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self.hits = []
        self.results.clear()
        self.results.hide()
        self.status.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.edit or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.edit.text().strip():
                if self._timer.isActive() or not self.hits:
                    self.search_now()
                self.pick_current()
            return True
        if self.hits:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None:
                self.results.setCurrentRow(max(0, min(len(self.hits) - 1, self.results.currentRow() + step)))
                return True
        return False


def find_household(ctx: UiContext, household_id: str) -> HouseholdHit | None:
    """The finder's description of one household (for views opened on a household from elsewhere)."""
    with ctx.store.read() as session:
        detail = households.household_detail(session, ctx.actor, household_id)
    head = next((m.name for m in detail.members if m.is_head), "")
    return HouseholdHit(detail.id, detail.number, head, detail.group_name, detail.address)


class RiskChipDelegate(ChipDelegate):
    """`ChipDelegate` whose chips stay readable on a selected row: each is drawn on a white backing."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        chips = chips_of(index)
        if not chips or not (option.state & QStyle.StateFlag.State_Selected):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = QRectF(opt.rect).adjusted(4, 0, -4, 0)
        bold = QFont(opt.font)
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        for text, color in chips:
            if rect.width() < 12:
                break
            width = min(rect.width(), metrics.horizontalAdvance(text) + 2 * metrics.height() * 0.45)
            height = min(rect.height() - 4, metrics.height() + 6)
            backing = QRectF(rect.left(), rect.center().y() - height / 2, width, height)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(backing, height / 2, height / 2)
            painter.restore()
            used = paint_chip(painter, rect, text, color, opt.font)
            rect.setLeft(rect.left() + used + 6)


def make_table(model: QAbstractItemModel, name: str, stretch: int | None = None) -> QTableView:
    """A read-only table of whole rows, levels drawn as chips, the `stretch` column taking the spare width."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setItemDelegate(RiskChipDelegate(table))
    read_only_rows(table)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table


def fit_columns(table: QTableView, stretch: int | None = None, max_width: int = 420) -> None:
    """Size the columns to their contents (at most `max_width`), the stretch column keeping the rest."""
    model = table.model()
    if model is None:
        return
    for column in range(model.columnCount()):
        if column == stretch:
            continue
        table.resizeColumnToContents(column)
        if table.columnWidth(column) > max_width:
            table.setColumnWidth(column, max_width)
    table.resizeRowsToContents()


def selected_row(table: QTableView) -> int:
    selection = table.selectionModel()
    if selection is None:
        return -1
    rows = selection.selectedRows()
    return rows[0].row() if rows else -1
