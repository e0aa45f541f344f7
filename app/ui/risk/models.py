"""Table models of the risk section: households of a round (`HouseholdRisk` rows, columns chosen per view)
and the per-group counts of the board. Levels are chips with their word (`chips(index)`, drawn by
`ChipDelegate`); numbers are right-aligned; a visit overdue is red and says so in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.i18n import N_, _, format_number
from app.models.risk import RiskLevel
from app.services.risk import GroupProgress, HouseholdRisk
from app.ui.cases.common import HINT_COLOR
from app.ui.messages import ERROR_COLOR
from app.ui.risk.common import LEVELS, due_text, level_chip, level_text, short_stage

_Index = QModelIndex | QPersistentModelIndex

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

HOUSEHOLD_COLUMNS: dict[str, str] = {
    "number": N_("Household no."),
    "head": N_("Head of household"),
    "group": N_("Villager group"),
    "level": N_("Risk level"),
    "suggested": N_("Suggested"),
    "stage": N_("Assessed up to"),
    "factors": N_("Risk factors"),
    "reason": N_("Reason"),
    "cadre": N_("Responsible cadre"),
    "due": N_("Next visit"),
}


class HouseholdRiskModel(QAbstractTableModel):
    """Rows of `risk.households_in_round` (or of the overdue / proposal reads) in the given columns."""

    def __init__(self, columns: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        assert all(c in HOUSEHOLD_COLUMNS for c in columns), columns
        self.columns = list(columns)
        self._rows: list[HouseholdRisk] = []

    def set_rows(self, rows: Sequence[HouseholdRisk]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[HouseholdRisk]:
        return list(self._rows)

    def row_data(self, row: int) -> HouseholdRisk | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, household_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.household_id == household_id), -1)

    def column(self, key: str) -> int:
        return self.columns.index(key)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's names)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def text(self, row: HouseholdRisk, key: str) -> str:
        if key == "number":
            return row.number
        if key == "head":
            return row.head_name
        if key == "group":
            return row.group_name
        if key == "level":
            return level_text(row.level)
        if key == "suggested":
            return level_text(row.suggested_level) if row.suggested_level else ""
        if key == "stage":
            return short_stage(row.stage)
        if key == "factors":
            return _("、").join(row.factors)
        if key == "reason":
            return row.reason
        if key == "cadre":
            return row.cadre
        if key == "due":
            return due_text(row.next_visit_due)[0]
        return ""

    def chips(self, index: _Index) -> list[tuple[str, str]]:
        """The level cells are chips with their word."""
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return []
        key = self.columns[index.column()]
        row = self._rows[index.row()]
        if key == "level":
            return [level_chip(row.level)]
        if key == "suggested" and row.suggested_level:
            return [level_chip(row.suggested_level)]
        return []

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key in ("factors", "reason", "due"):
            return self.text(row, key) or None
        if role == Qt.ItemDataRole.ForegroundRole and key == "due" and due_text(row.next_visit_due)[1]:
            return QColor(ERROR_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(HOUSEHOLD_COLUMNS[self.columns[section]])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return LEFT
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def retranslate(self) -> None:
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))


# ---------------------------------------------------------------- the board's counts

GROUP, HOUSEHOLDS, HIGH, MEDIUM, LOW, NOT_ASSESSED, AT_GROUP, AT_VILLAGE, AT_TOWN = range(9)
PROGRESS_HEADERS = (N_("Villager group"), N_("Households"), N_("High"), N_("Medium"), N_("Low"), N_("Not assessed"),
                    N_("Group level"), N_("Village level"), N_("Town level"))
PROGRESS_TIPS = {AT_GROUP: N_("Rated by the villager group, waiting for the village committee"),
                 AT_VILLAGE: N_("Confirmed by the village committee, waiting for the town work team"),
                 AT_TOWN: N_("Reviewed by the town work team: done")}
LEVEL_OF_COLUMN = {HIGH: RiskLevel.HIGH, MEDIUM: RiskLevel.MEDIUM, LOW: RiskLevel.LOW}
STAGE_OF_COLUMN = {NOT_ASSESSED: 0, AT_GROUP: 1, AT_VILLAGE: 2, AT_TOWN: 3}


class GroupProgressModel(QAbstractTableModel):
    """One row per villager group, and a last row for the whole village: households, how many at each level
    (chips with the word and the count), how many at each stage of the round."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[GroupProgress] = []
        self._total: GroupProgress | None = None

    def set_groups(self, groups: Sequence[GroupProgress]) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        if self._groups:
            by_stage = {s: sum(g.by_stage.get(s, 0) for g in self._groups) for s in (0, 1, 2, 3)}
            by_level = {lv.value: sum(g.by_level.get(lv.value, 0) for g in self._groups) for lv in LEVELS}
            self._total = GroupProgress(None, _("Whole village"), sum(g.households for g in self._groups), by_stage, by_level)
        else:
            self._total = None
        self.endResetModel()

    def groups(self) -> list[GroupProgress]:
        return list(self._groups)

    def _row(self, row: int) -> GroupProgress | None:
        if 0 <= row < len(self._groups):
            return self._groups[row]
        if row == len(self._groups) and self._total is not None:
            return self._total
        return None

    def is_total(self, row: int) -> bool:
        return self._total is not None and row == len(self._groups)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._groups) + (1 if self._total is not None else 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PROGRESS_HEADERS)

    def count(self, row: int, column: int) -> int:
        g = self._row(row)
        if g is None:
            return 0
        if column == HOUSEHOLDS:
            return g.households
        if column in LEVEL_OF_COLUMN:
            return g.by_level.get(LEVEL_OF_COLUMN[column].value, 0)
        if column in STAGE_OF_COLUMN:
            return g.by_stage.get(STAGE_OF_COLUMN[column], 0)
        return 0

    def chips(self, index: _Index) -> list[tuple[str, str]]:
        if not index.isValid() or index.column() not in LEVEL_OF_COLUMN:
            return []
        n = self.count(index.row(), index.column())
        if n <= 0:
            return []
        text, color = level_chip(LEVEL_OF_COLUMN[index.column()])
        return [(_("{level} {n}").format(level=text, n=format_number(n)), color)]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        g = self._row(index.row()) if index.isValid() else None
        if g is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == GROUP:
                return g.group_name or _("(no group)")
            n = self.count(index.row(), column)
            if column in LEVEL_OF_COLUMN and n > 0:
                return self.chips(index)[0][0]
            return format_number(n)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if column == GROUP or column in LEVEL_OF_COLUMN else RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column != GROUP and self.count(index.row(), column) == 0:
            return QColor(HINT_COLOR)
        if role == Qt.ItemDataRole.FontRole and self.is_total(index.row()):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(PROGRESS_HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(PROGRESS_HEADERS[section])
            if role == Qt.ItemDataRole.ToolTipRole and section in PROGRESS_TIPS:
                return _(PROGRESS_TIPS[section])
            if role == Qt.ItemDataRole.TextAlignmentRole:  # the level columns hold chips, drawn at the left
                return LEFT if section == GROUP or section in LEVEL_OF_COLUMN else RIGHT
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(PROGRESS_HEADERS) - 1)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(PROGRESS_HEADERS) - 1))


# ---------------------------------------------------------------- small read-only tables


class TextTableModel(QAbstractTableModel):
    """Rows of texts under translated headers; a cell may be drawn as chips (the level of a quarter)."""

    def __init__(self, headers: Sequence[str], parent: Any = None, *, right: Sequence[int] = ()) -> None:
        super().__init__(parent)
        self.headers = list(headers)  # msgids
        self.right = set(right)
        self._rows: list[list[str]] = []
        self._chips: dict[tuple[int, int], list[tuple[str, str]]] = {}

    def set_rows(self, rows: Sequence[Sequence[str]], chips: dict[tuple[int, int], list[tuple[str, str]]] | None = None) -> None:
        self.beginResetModel()
        self._rows = [list(r) + [""] * (len(self.headers) - len(r)) for r in rows]
        self._chips = dict(chips or {})
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def chips(self, index: _Index) -> list[tuple[str, str]]:
        return self._chips.get((index.row(), index.column()), []) if index.isValid() else []

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (0 <= index.column() < len(self.headers)):
            return None
        text = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if index.column() in self.right else LEFT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers) and role == Qt.ItemDataRole.DisplayRole:
            return _(self.headers[section])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column] if 0 <= row < len(self._rows) and 0 <= column < len(self.headers) else ""

    def retranslate(self) -> None:
        if self.headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.headers) - 1)
