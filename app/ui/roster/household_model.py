"""The household table: pages of `list_households`, fetched as the view scrolls.

Opening or filtering loads one page and a count, never the whole roster (a township has 50,000
households). Each load is one short read session.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from sqlmodel import Session

from app.i18n import N_
from app.services import households
from app.services.households import HouseholdRow
from app.ui.context import UiContext
from app.ui.paged_model import LEFT, PAGE_SIZE, PagedTableModel

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


class HouseholdModel(PagedTableModel[HouseholdRow]):
    columns = COLUMNS
    noun = "households"

    def __init__(self, ctx: UiContext, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(ctx, parent, page_size=page_size)
        self.query = ""
        self.cell_id: str | None = None

    # -------------------------------------------------------- loading

    def count_rows(self, session: Session) -> int:
        return households.count_households(session, self.ctx.actor, query=self.query, cell_id=self.cell_id)

    def read_page(self, session: Session, offset: int, limit: int) -> list[HouseholdRow]:
        return households.list_households(session, self.ctx.actor, query=self.query, cell_id=self.cell_id,
                                          offset=offset, limit=limit)

    def set_filter(self, query: str, cell_id: str | None) -> None:
        """Search text and grid cell (None: the whole village); loads the first page and the count."""
        self.query = query.strip()
        self.cell_id = cell_id
        self._reload(self.page_size)

    # -------------------------------------------------------- reading

    def alignment(self, column: int) -> int:
        if column == MEMBERS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return LEFT

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
            return self.alignment(column)
        if role == ID_ROLE:
            return row.id
        return None

    # -------------------------------------------------------- helpers

    def household_id(self, row: int) -> str | None:
        return self.row_id(row)
