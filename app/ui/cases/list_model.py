"""The case list: pages of `cases.list_cases`, fetched as the view scrolls.

Opening or filtering reads one page and a count, never the whole register (a township keeps 100,000
cases). Each read is one short read session. The status and the badges are drawn as chips by
`ChipDelegate` (`CHIPS_ROLE`); their words are the display text too, so colour is never the only signal.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import N_, _, format_date
from app.services import cases
from app.services.cases import CaseFilter, CaseRow
from app.ui.cases.common import BADGE_COLORS, CHIPS_ROLE, OPEN_STATES, badge_list, status_color, status_label
from app.ui.context import UiContext

log = logging.getLogger("mediation_desk")

PAGE_SIZE = 200
MAX_RELOAD = PAGE_SIZE * 5

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


class CaseListModel(QAbstractTableModel):
    def __init__(self, ctx: UiContext, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.filter = CaseFilter()
        self.total = 0
        self._rows: list[CaseRow] = []
        self._fetching = False

    # -------------------------------------------------------- loading

    def _reload(self, limit: int) -> None:
        self.beginResetModel()
        try:
            with self.ctx.store.read() as session:
                self.total = cases.count_cases(session, self.ctx.actor, self.filter)
                self._rows = cases.list_cases(session, self.ctx.actor, self.filter, offset=0, limit=limit)
        except Exception:
            self.total, self._rows = 0, []
            raise
        finally:
            self.endResetModel()

    def set_filter(self, flt: CaseFilter) -> None:
        """Load the first page and the count for `flt`."""
        self.filter = flt
        self._reload(self.page_size)

    def refresh(self) -> None:
        """Reload after a change, keeping about as many rows as were loaded."""
        pages = max(1, -(-len(self._rows) // self.page_size))
        self._reload(min(pages * self.page_size, max(MAX_RELOAD, self.page_size)))

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's names)
        if parent.isValid():
            return False
        return len(self._rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching or len(self._rows) >= self.total:
            return
        self._fetching = True  # a view (or a proxy) may ask again while this page is read
        try:
            try:
                with self.ctx.store.read() as session:
                    page = cases.list_cases(session, self.ctx.actor, self.filter, offset=len(self._rows),
                                            limit=self.page_size)
            except Exception:
                log.exception("could not load more cases")
                page = []
            if not page:
                self.total = len(self._rows)  # fewer cases than counted: stop asking
                return
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    # -------------------------------------------------------- reading

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

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
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return row.id
        if role == STATUS_ROLE:
            return row.status
        if role == BADGES_ROLE:
            return [kind for _text, kind in badges_of(row)]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(COLUMNS[section][1])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

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

    def row_data(self, row: int) -> CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def case_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.id if data is not None else None

    def row_of(self, case_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.id == case_id:
                return i
        return -1

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
