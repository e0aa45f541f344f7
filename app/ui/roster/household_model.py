"""The household table: pages of `list_households`, fetched as the view scrolls.

Opening or filtering loads one page and a count, never the whole roster (a township has 50,000
households). Each load is one short read session.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.i18n import N_, _
from app.services import households
from app.services.households import HouseholdRow
from app.ui.context import UiContext

log = logging.getLogger("mediation_desk")

PAGE_SIZE = 200
# When the data change, this many rows at most are reloaded (the rest come back as the view scrolls).
MAX_RELOAD = PAGE_SIZE * 5

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", N_("Household no.")),
    ("head_name", N_("Head of household")),
    ("group_name", N_("Villager group")),
    ("micro_grid_name", N_("Micro-grid")),
    ("members", N_("Members")),
    ("head_mobile", N_("Mobile number")),
    ("address", N_("Address")),
)
MEMBERS_COLUMN = 4
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class HouseholdModel(QAbstractTableModel):
    def __init__(self, ctx: UiContext, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.query = ""
        self.cell_id: str | None = None
        self.total = 0
        self._rows: list[HouseholdRow] = []
        self._fetching = False

    # -------------------------------------------------------- loading

    def _load(self, offset: int, limit: int) -> list[HouseholdRow]:
        with self.ctx.store.read() as session:
            return households.list_households(session, self.ctx.actor, query=self.query, cell_id=self.cell_id,
                                              offset=offset, limit=limit)

    def _reload(self, limit: int) -> None:
        self.beginResetModel()
        try:
            with self.ctx.store.read() as session:
                self.total = households.count_households(session, self.ctx.actor, query=self.query,
                                                         cell_id=self.cell_id)
                self._rows = households.list_households(session, self.ctx.actor, query=self.query,
                                                        cell_id=self.cell_id, offset=0, limit=limit)
        except Exception:
            self.total, self._rows = 0, []
            raise
        finally:
            self.endResetModel()

    def set_filter(self, query: str, cell_id: str | None) -> None:
        """Search text and grid cell (None: the whole village); loads the first page and the count."""
        self.query = query.strip()
        self.cell_id = cell_id
        self._reload(self.page_size)

    def refresh(self) -> None:
        """Reload after a change, keeping about as many rows as were loaded."""
        loaded = len(self._rows)
        pages = max(1, -(-loaded // self.page_size))
        self._reload(min(pages * self.page_size, max(MAX_RELOAD, self.page_size)))

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's names)
        if parent.isValid():
            return False
        return len(self._rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching or len(self._rows) >= self.total:
            return
        self._fetching = True
        try:
            try:
                page = self._load(len(self._rows), self.page_size)
            except Exception:
                log.exception("could not load more households")
                page = []
            if not page:
                # The roster shrank since the count: stop asking for more.
                self.total = len(self._rows)
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

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(row, COLUMNS[column][0])
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[column][0] == "address":
            return row.address or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == MEMBERS_COLUMN:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(COLUMNS[section][1])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                if section == MEMBERS_COLUMN:
                    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -------------------------------------------------------- helpers

    def row_data(self, row: int) -> HouseholdRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def household_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.id if data is not None else None

    def row_of(self, household_id: str) -> int:
        """The row of a loaded household, or -1."""
        for i, row in enumerate(self._rows):
            if row.id == household_id:
                return i
        return -1

    def retranslate(self) -> None:
        if COLUMNS:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
