"""A read-only table model that reads its rows a page at a time as the view scrolls, never the whole table.

Opening or filtering reads one page and the count; each read is one short read session. The case list and
the household table are such models: they say how to count and read their rows, and what a cell shows."""

from __future__ import annotations

import logging
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from sqlmodel import Session

from app.i18n import _
from app.ui.context import UiContext

log = logging.getLogger("mediation_desk")

PAGE_SIZE = 200
# When the data change, this many rows at most are reloaded (the rest come back as the view scrolls).
MAX_RELOAD = PAGE_SIZE * 5
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

_Index = QModelIndex | QPersistentModelIndex


class _Row(Protocol):
    @property
    def id(self) -> str: ...


RowT = TypeVar("RowT", bound=_Row)


class PagedTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows read a page at a time (`fetchMore`) under `columns` ((key, N_ heading) pairs). Subclasses hold
    their filter, say how many rows it matches (`count_rows`) and read a page of them (`read_page`), and
    answer `data()`; `set_filter`-like methods call `_reload(self.page_size)`."""

    columns: tuple[tuple[str, str], ...] = ()
    noun = "rows"  # what the log says could not be loaded

    def __init__(self, ctx: UiContext, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.total = 0
        self._rows: list[RowT] = []
        self._fetching = False

    # -------------------------------------------------------- to override

    def count_rows(self, session: Session) -> int:
        """How many rows the filter matches."""
        raise NotImplementedError

    def read_page(self, session: Session, offset: int, limit: int) -> list[RowT]:
        """The rows from `offset`, at most `limit` of them."""
        raise NotImplementedError

    def alignment(self, column: int) -> int:
        """How the cells and the heading of `column` are aligned."""
        return LEFT

    # -------------------------------------------------------- loading

    def _reload(self, limit: int) -> None:
        self.beginResetModel()
        try:
            with self.ctx.store.read() as session:
                self.total = self.count_rows(session)
                self._rows = self.read_page(session, 0, limit)
        except Exception:
            self.total, self._rows = 0, []
            raise
        finally:
            self.endResetModel()

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
                    page = self.read_page(session, len(self._rows), self.page_size)
            except Exception:
                log.exception("could not load more %s", self.noun)
                page = []
            if not page:
                self.total = len(self._rows)  # fewer rows than counted: stop asking
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
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(self.columns[section][1])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self.alignment(section)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -------------------------------------------------------- helpers

    def row_data(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.id if data is not None else None

    def row_of(self, row_id: str) -> int:
        """The row of a loaded row by its id, or -1."""
        for i, row in enumerate(self._rows):
            if row.id == row_id:
                return i
        return -1

    def retranslate(self) -> None:
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
