"""Household accounts (积分账户): every household with its points gained and deducted in a period, its
balance and accumulated points, its rank and its stars. The ranking is one service call on a worker; the
search (name, pinyin, initials, 户号) narrows the rows already loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_number, ngettext
from app.services.points import BalanceRow
from app.ui.context import UiContext
from app.ui.points.common import (
    GAIN_COLOR,
    HINT_COLOR,
    LOSS_COLOR,
    STAR_COLOR,
    ListOrEmpty,
    alive,
    error_message,
    fill_group_combo,
    period_choices,
    stars_text,
)
from app.ui.widgets import columns_to_contents, row_list, search_as_you_type
from app.ui.worker import Progress, run_task

_Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", N_("Household no.")),
    ("head_name", N_("Head of household")),
    ("group_name", N_("Villager group")),
    ("gained", N_("Gained")),
    ("deducted", N_("Deducted")),
    ("net", N_("Net")),
    ("balance", N_("Balance")),
    ("accumulated", N_("Accumulated")),
    ("rank", N_("Rank")),
    ("stars", N_("Stars")),
)
RANK_COLUMN = 8
NUMERIC = frozenset({"gained", "deducted", "net", "balance", "accumulated", "rank"})
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
FILTER_DELAY_MS = 200


@dataclass(frozen=True)
class Loaded:
    rows: list[BalanceRow]
    max_stars: int
    ids: set[str] | None  # the households the search matches; None: no search


class AccountsModel(QAbstractTableModel):
    """The ranking rows, narrowed by the search; sortable by any column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[BalanceRow] = []
        self._rows: list[BalanceRow] = []
        self._ids: set[str] | None = None
        self.max_stars = 0
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[BalanceRow], max_stars: int, ids: set[str] | None) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self.max_stars = max_stars
        self._ids = ids
        self._apply()
        self.endResetModel()

    def set_ids(self, ids: set[str] | None) -> None:
        self.beginResetModel()
        self._ids = ids
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = self._all if self._ids is None else [r for r in self._all if r.household_id in self._ids]
        if self._sort is not None:
            column, order = self._sort
            key = COLUMNS[column][0]
            rows = sorted(rows, key=lambda r: (getattr(r, key), r.number), reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = list(rows)

    @property
    def ids(self) -> set[str] | None:
        return self._ids

    @property
    def total(self) -> int:
        return len(self._all)

    # -------------------------------------------------------- Qt

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's names)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        value = getattr(row, key)
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "stars":
                return stars_text(row.stars, self.max_stars)
            if key == "deducted":
                return f"−{value}" if value else "0"
            if key in ("net",):
                return f"{value:+d}" if value else "0"
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "stars":
                return QColor(STAR_COLOR)
            if key == "gained" and value:
                return QColor(GAIN_COLOR)
            if key == "deducted" and value:
                return QColor(LOSS_COLOR)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key == "stars":
            return _("{n} of {max} stars (by accumulated points)").format(n=row.stars, max=self.max_stars)
        if role == ID_ROLE:
            return row.household_id
        if role == SORT_ROLE:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(COLUMNS[section][1])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                if COLUMNS[section][0] in NUMERIC:
                    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.beginResetModel()
        self._sort = (column, order)
        self._apply()
        self.endResetModel()

    # -------------------------------------------------------- helpers

    def row_data(self, row: int) -> BalanceRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, household_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.household_id == household_id), -1)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)


class AccountsView(QWidget):
    """The accounts table with its search, villager group and period; double-click (or Enter) opens the
    household's ledger."""

    open_household = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsAccounts")
        self._load_generation = 0
        self._filter_generation = 0
        self.loading = False
        self.error = ""

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("accountsFilter")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("accountsGroup")
        self.group_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("accountsPeriod")
        self.period_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group_label = QLabel()
        self.group_label.setBuddy(self.group_combo)
        self.period_label = QLabel()
        self.period_label.setBuddy(self.period_combo)
        self.count_label = QLabel()
        self.count_label.setObjectName("accountsCount")
        self.count_label.setStyleSheet(f"color: {HINT_COLOR};")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.group_label)
        top.addWidget(self.group_combo)
        top.addWidget(self.period_label)
        top.addWidget(self.period_combo)
        top.addWidget(self.count_label)

        self.model = AccountsModel(self)
        self.table = QTableView()
        self.table.setObjectName("accountsTable")
        self.table.setModel(self.model)
        row_list(self.table)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(RANK_COLUMN, Qt.SortOrder.AscendingOrder)  # the ranking's own order
        self.table.doubleClicked.connect(self._open_index)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, lambda: self._open_index(self.table.currentIndex()),
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.model.modelReset.connect(self._resize_columns)

        self.stack = ListOrEmpty(self.table)
        self.empty_label = self.stack.empty

        self.hint = QLabel()
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        self.hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.hint)

        self._filter_timer = search_as_you_type(self.filter_edit, self.apply_filter, FILTER_DELAY_MS)
        self.relabel()
        fill_group_combo(self.ctx, self.group_combo)
        self.group_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.period_combo.currentIndexChanged.connect(lambda _i: self.reload())

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        self.filter_edit.setPlaceholderText(_("Search name, pinyin, initials or household no."))
        self.filter_edit.setToolTip(_("{what} (Ctrl+F)").format(what=self.filter_edit.placeholderText()))
        self.group_label.setText(_("Group"))
        self.period_label.setText(_("Period"))
        self.hint.setText(_("Gained, deducted and rank are for the period chosen; balance and accumulated points are at "
                            "its end. Stars go by accumulated points. Double-click a household to see its ledger."))
        self._fill_periods()
        self.model.retranslate()
        self._update_state()

    def _fill_periods(self) -> None:
        """This month, quarter and year and the ones before (the same choice kept, for a new day or language)."""
        current = max(self.period_combo.currentIndex(), 0)
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for choice in period_choices():
            self.period_combo.addItem(choice.label, choice.text)
        self.period_combo.setCurrentIndex(current)
        self.period_combo.blockSignals(False)

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        self._fill_periods()
        fill_group_combo(self.ctx, self.group_combo)
        self.reload()

    def reload(self) -> None:
        """The ranking for the period and group chosen (and the search's matches) on a worker."""
        self._filter_timer.stop()
        self._load_generation += 1
        self._filter_generation += 1
        generation, filter_generation = self._load_generation, self._filter_generation
        ctx, period, group = self.ctx, self.period_combo.currentData(), self.group_combo.currentData()
        query = self.filter_edit.text().strip()
        self.loading = True
        self._update_state()

        def work(_progress: Progress) -> Loaded:
            from app.services import points

            with ctx.store.read() as session:
                rows = points.ranking(session, ctx.actor, period, scope_id=group)
                max_stars = len(points.star_thresholds(session))
                ids = _matching(session, ctx, query)
            return Loaded(rows, max_stars, ids)

        def done(result: Any) -> None:
            if not alive(self) or generation != self._load_generation:
                return
            self.loading = False
            self.error = ""
            keep = self.current_household_id()
            # a search typed while the ranking was being added up has (or will have) its own result
            ids = result.ids if filter_generation == self._filter_generation else self.model.ids
            self.model.set_rows(result.rows, result.max_stars, ids)
            if keep:
                self.select_household(keep)
            self._update_state()

        def failed(exc: BaseException, tb: str) -> None:
            if not alive(self) or generation != self._load_generation:
                return
            self.loading = False
            self.error = error_message(self.ctx, exc, tb)
            self.model.set_rows([], 0, None)
            self._update_state()

        run_task(work, done, failed)

    def apply_filter(self) -> None:
        """Narrow the loaded rows to the households the search matches (read on a worker too)."""
        self._filter_timer.stop()
        self._filter_generation += 1
        generation = self._filter_generation
        ctx, query = self.ctx, self.filter_edit.text().strip()
        if not query:
            self.model.set_ids(None)
            self._update_state()
            return

        def work(_progress: Progress) -> set[str] | None:
            with ctx.store.read() as session:
                return _matching(session, ctx, query)

        def done(ids: Any) -> None:
            if alive(self) and generation == self._filter_generation:
                self.model.set_ids(ids)
                self._update_state()

        def failed(exc: BaseException, tb: str) -> None:
            if alive(self) and generation == self._filter_generation:
                self.error = error_message(self.ctx, exc, tb)
                self._update_state()

        run_task(work, done, failed)

    def _update_state(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if self.loading and not total:
            self.count_label.setText(_("Loading…"))
        elif shown == total:
            self.count_label.setText(ngettext("{n} household", "{n} households", total).format(n=format_number(total)))
        else:
            self.count_label.setText(_("{shown} of {total} households").format(shown=format_number(shown),
                                                                               total=format_number(total)))
        if shown:
            self.stack.show_list()
            return
        if self.error:
            text = self.error
        elif self.loading:
            text = _("Adding up the points…")
        elif total and self.filter_edit.text().strip():
            text = _("No household matches “{query}”.").format(query=self.filter_edit.text().strip())
        elif self.group_combo.currentData() is not None:
            text = _("No households in this villager group yet.")
        else:
            text = _("No households yet. Add them (or import the roster) in Grid and households; every household "
                     "then has a points account here.")
        self.stack.show_empty(text)

    def _resize_columns(self) -> None:
        """Columns as wide as their contents (Qt measures at most the first 1,000 rows), within limits."""
        columns_to_contents(self.table, narrowest=48, widest=240)

    # -------------------------------------------------------- choosing

    def current_household_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select_household(self, household_id: str) -> None:
        row = self.model.row_of(household_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _open_index(self, index: QModelIndex) -> None:
        household_id = index.data(ID_ROLE) if index.isValid() else None
        if household_id:
            self.open_household.emit(household_id)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()


def _matching(session: Any, ctx: UiContext, query: str) -> set[str] | None:
    """The ids of the households the roster's search matches (name, pinyin, initials, 户号, phone)."""
    from app.services import households

    if not query:
        return None
    return {row.id for row in households.list_households(session, ctx.actor, query=query, limit=1_000_000)}
