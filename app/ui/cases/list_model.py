"""The case list: pages of `cases.list_cases`, fetched as the view scrolls.

Opening or filtering reads one page and a count, never the whole register (a township keeps 100,000
cases). Each read is one short read session. The status and the badges are drawn as chips by
`ChipDelegate` (`CHIPS_ROLE`); their words are the display text too, so colour is never the only signal.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from sqlmodel import Session

from app.i18n import N_, _, format_date
from app.services import cases
from app.services.cases import CaseFilter, CaseRow
from app.ui.cases.common import BADGE_COLORS, CHIPS_ROLE, OPEN_STATES, badge_list, status_color, status_label
from app.ui.context import UiContext
from app.ui.paged_model import LEFT, PAGE_SIZE, PagedTableModel

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", N_("Case number")),
    ("received_on", N_("Received on")),
    ("category", N_("Category")),
    ("parties", N_("Parties")),
    ("summary", N_("Short account")),
    ("status", N_("Status")),
    ("deadline", N_("Deadline")),
)
NUMBER, RECEIVED, CATEGORY, PARTIES, SUMMARY, STATUS, DEADLINE = range(len(COLUMNS))
ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
BADGES_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def badges_of(row: CaseRow) -> list[tuple[str, str]]:
    """(word, kind) of the badges of a row: overdue, follow-up due, confirmation window closing."""
    return badge_list(row.overdue_days, row.follow_up_due, row.confirmation_closing)


class CaseListModel(PagedTableModel[CaseRow]):
    columns = COLUMNS
    noun = "cases"

    def __init__(self, ctx: UiContext, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(ctx, parent, page_size=page_size)
        self.filter = CaseFilter()

    # -------------------------------------------------------- loading

    def count_rows(self, session: Session) -> int:
        return cases.count_cases(session, self.ctx.actor, self.filter)

    def read_page(self, session: Session, offset: int, limit: int) -> list[CaseRow]:
        return cases.list_cases(session, self.ctx.actor, self.filter, offset=offset, limit=limit)

    def set_filter(self, flt: CaseFilter) -> None:
        """Load the first page and the count for `flt`."""
        self.filter = flt
        self._reload(self.page_size)

    # -------------------------------------------------------- reading

    def _display(self, row: CaseRow, column: int) -> str:
        if column == NUMBER:
            return row.number
        if column == RECEIVED:
            return format_date(row.received_on)
        if column == CATEGORY:
            return row.category
        if column == PARTIES:
            return row.parties
        if column == SUMMARY:
            return row.summary
        if column == STATUS:
            return status_label(row.status)
        badges = badges_of(row)
        if badges:
            return " · ".join(text for text, _kind in badges)
        if row.status in OPEN_STATES[:2]:
            return format_date(row.deadline)
        return ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (SUMMARY, PARTIES):
                return self._display(row, column) or None
            if column == DEADLINE and row.status in OPEN_STATES[:2]:
                return _("Deadline: {date}").format(date=format_date(row.deadline))
            return None
        if role == CHIPS_ROLE:
            return self.chips(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT
        if role == ID_ROLE:
            return row.id
        if role == STATUS_ROLE:
            return row.status
        if role == BADGES_ROLE:
            return [kind for _text, kind in badges_of(row)]
        return None

    def chips(self, index: _Index) -> list[tuple[str, str]]:
        """What the delegate draws as chips in a cell: the status, the badges."""
        row = self.row_data(index.row()) if index.isValid() else None
        if row is None:
            return []
        if index.column() == STATUS:
            return [(status_label(row.status), status_color(row.status))]
        if index.column() == DEADLINE:
            return [(text, BADGE_COLORS[kind]) for text, kind in badges_of(row)]
        return []

    # -------------------------------------------------------- helpers

    def case_id(self, row: int) -> str | None:
        return self.row_id(row)

    def retranslate(self) -> None:
        super().retranslate()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
