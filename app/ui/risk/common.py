"""Helpers shared by the views of the risk section (风险): level words and colours (the word is always
shown: colour is never the only signal), the tables the section listens to, the round of the moment,
and the household finder (户号, name, pinyin or pinyin initials)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableView,
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
from app.ui.cases.common import HINT_COLOR, OK_COLOR, WARNING_COLOR, Chip, ChipDelegate, report_error
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.widgets import FindAsYouType, row_list

RISK_TABLES = frozenset({"risk_round", "risk_assessment", "risk_factor", "cadre_assignment", "risk_visit"})
# a change to these may change what the risk views show (names, groups, open cases, the committee)
WATCHED = RISK_TABLES | {"household", "person", "grid_cell", "dispute_case", "case_party", "committee"}

LEVEL_COLORS: dict[str, str] = {RiskLevel.LOW: OK_COLOR, RiskLevel.MEDIUM: WARNING_COLOR, RiskLevel.HIGH: ERROR_COLOR}
LEVELS = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
SHORT_STAGES = {0: N_("Not assessed"), 1: N_("Villager group"), 2: N_("Village committee"), 3: N_("Town work team")}
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


class HouseholdFinder(FindAsYouType):
    """A search field (户号, a member's name, pinyin or pinyin initials) with the households found under it.
    Enter or a click picks one: `picked` is emitted with its `HouseholdHit`."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__("householdSearch", "householdResults", parent)
        self.ctx = ctx
        self.results.itemClicked.connect(lambda _item: self.pick_current())
        self.relabel()

    def relabel(self) -> None:
        self.edit.setPlaceholderText(_("Find a household: number, a member's name, pinyin or initials — Enter picks"))

    def hits_for(self, query: str) -> list[HouseholdHit]:
        with self.ctx.store.read() as session:
            return [_hit(r) for r in households.list_households(session, self.ctx.actor, query=query, limit=MAX_HITS)]

    def nothing_found(self, query: str) -> str:
        return _("No household matches “{query}”.").format(query=query)

    def report(self, exc: BaseException, tb: str) -> None:
        report_error(self, self.ctx, exc, tb)


def find_household(ctx: UiContext, household_id: str) -> HouseholdHit | None:
    """The finder's description of one household (for views opened on a household from elsewhere)."""
    with ctx.store.read() as session:
        detail = households.household_detail(session, ctx.actor, household_id)
    head = next((m.name for m in detail.members if m.is_head), "")
    return HouseholdHit(detail.id, detail.number, head, detail.group_name, detail.address)


def make_table(model: QAbstractItemModel, name: str, stretch: int | None = None) -> QTableView:
    """A read-only table of whole rows, levels drawn as chips, the `stretch` column taking the spare width."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setItemDelegate(ChipDelegate(table))
    row_list(table, stretch_last=stretch is None)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
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
