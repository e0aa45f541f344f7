"""The audit trail (committee director only): who did what and when, with each field's before and after.
Filters by user, action, record type, text and dates; newest first, a page of 200 at a time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.clock import LOCAL_TZ
from app.errors import DeskError
from app.i18n import N_, _, format_datetime, format_number
from app.paths import log_file
from app.services import audit
from app.services.audit import AuditRow
from app.ui.context import UiContext
from app.ui.messages import show_error
from app.ui.widgets import read_only_rows, search_as_you_type

ModelIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200
COLUMNS = (N_("No."), N_("Time"), N_("User"), N_("Action"), N_("Record type"), N_("Record"), N_("Changes"))
ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "login": N_("Logged in"),
    "lockout": N_("Locked by wrong passwords"),
    "unlock": N_("Unlocked"),
    "password": N_("Password set"),
    "setting": N_("Setting changed"),
    "setup": N_("Desk set up"),
}
TABLE_LABELS = {
    "desk_user": N_("User"),
    "committee": N_("Committee"),
    "setting": N_("Setting"),
    "grid_cell": N_("Grid cell"),
    "household": N_("Household"),
    "person": N_("Person"),
}
# The first day the date filters offer; shown as "any date".
NO_DATE = QDate(2000, 1, 1)


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def table_label(table: str) -> str:
    return _(TABLE_LABELS[table]) if table in TABLE_LABELS else table


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_lines(changes: dict[str, list[Any]]) -> list[str]:
    """One line per changed field: `field: before → after`."""
    lines = []
    for field, pair in changes.items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        lines.append(f"{field}: {_value(before)} → {_value(after)}")
    return lines


class AuditModel(QAbstractTableModel):
    """One page of audit events; the `AuditRow` is under Qt.UserRole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[AuditRow]:
        return list(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(COLUMNS[section])
            if role == Qt.ItemDataRole.TextAlignmentRole and section == 0:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        event = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                format_number(event.seq),
                format_datetime(event.at),
                event.username,
                action_label(event.action),
                table_label(event.table),
                event.summary,
                "; ".join(change_lines(event.changes)),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 6 and event.changes:
            return "\n".join(change_lines(event.changes))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return event
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))


class AuditPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.ctx = ctx
        self.log_path = log_file(ctx.data_dir)
        self.offset = 0
        self.total = 0
        self._stale = False

        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")

        self.user_filter = QComboBox()
        self.user_filter.setObjectName("userFilter")
        self.action_filter = QComboBox()
        self.action_filter.setObjectName("actionFilter")
        self.table_filter = QComboBox()
        self.table_filter.setObjectName("tableFilter")
        self.text_filter = QLineEdit()
        self.text_filter.setObjectName("textFilter")
        self.text_filter.setClearButtonEnabled(True)
        self.since_filter = self._date_edit("sinceFilter")
        self.until_filter = self._date_edit("untilFilter")
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearFilters")

        self.user_label, self.action_label, self.table_label = QLabel(), QLabel(), QLabel()
        self.text_label, self.since_label, self.until_label = QLabel(), QLabel(), QLabel()
        for label, buddy in ((self.user_label, self.user_filter), (self.action_label, self.action_filter),
                             (self.table_label, self.table_filter), (self.text_label, self.text_filter),
                             (self.since_label, self.since_filter), (self.until_label, self.until_filter)):
            label.setBuddy(buddy)
        for combo in (self.user_filter, self.action_filter, self.table_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.text_filter.setMinimumWidth(220)
        first_row = QHBoxLayout()
        field: QWidget
        for label, field in ((self.user_label, self.user_filter), (self.action_label, self.action_filter),
                             (self.table_label, self.table_filter)):
            first_row.addWidget(label)
            first_row.addWidget(field)
            first_row.addSpacing(12)
        first_row.addStretch(1)
        second_row = QHBoxLayout()
        second_row.addWidget(self.text_label)
        second_row.addWidget(self.text_filter, 1)
        second_row.addSpacing(12)
        for label, field in ((self.since_label, self.since_filter), (self.until_label, self.until_filter)):
            second_row.addWidget(label)
            second_row.addWidget(field)
            second_row.addSpacing(12)
        second_row.addWidget(self.clear_button)
        filters = QVBoxLayout()
        filters.setSpacing(8)
        filters.addLayout(first_row)
        filters.addLayout(second_row)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        read_only_rows(self.table)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)  # record and changes share the rest
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_args: self._show_details())

        self.details = QPlainTextEdit()
        self.details.setObjectName("auditDetails")
        self.details.setReadOnly(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        self.empty = QLabel()
        self.empty.setObjectName("auditEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.page_label = QLabel()
        self.page_label.setObjectName("auditPageLabel")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.newer_button = QPushButton()
        self.newer_button.setObjectName("newerPage")
        self.older_button = QPushButton()
        self.older_button.setObjectName("olderPage")
        pager = QHBoxLayout()
        pager.addWidget(self.empty)
        pager.addStretch(1)
        pager.addWidget(self.page_label)
        pager.addWidget(self.newer_button)
        pager.addWidget(self.older_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(pager)

        self._text_timer = search_as_you_type(self.text_filter, self.apply_filters, 300)
        for combo in (self.user_filter, self.action_filter, self.table_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.since_filter.dateChanged.connect(lambda _d: self.apply_filters())
        self.until_filter.dateChanged.connect(lambda _d: self.apply_filters())
        self.clear_button.clicked.connect(self.clear_filters)
        self.newer_button.clicked.connect(self.newer_page)
        self.older_button.clicked.connect(self.older_page)

        ctx.retranslate.connect(self.retranslate)
        ctx.changed.connect(self._on_changed)
        self._loading = False
        self._ready = False
        self.retranslate()
        self._ready = True
        self.refresh()

    @staticmethod
    def _date_edit(name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setDate(NO_DATE)
        edit.setMaximumDate(QDate(2100, 12, 31))
        return edit

    # -- filters ----------------------------------------------------------------------------------

    def _fill_combo(self, combo: QComboBox, everything: str, values: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for value, label in values:
            combo.addItem(label, value)
        index = combo.findData(current if current is not None else "")
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _load_facets(self) -> None:
        with self.ctx.store.read() as session:
            facets = audit.event_facets(session, self.ctx.actor)
        self._fill_combo(self.user_filter, _("All users"), [(u, u) for u in facets.usernames])
        actions = sorted({*facets.actions}, key=action_label)
        self._fill_combo(self.action_filter, _("All actions"), [(a, action_label(a)) for a in actions])
        tables = sorted({*facets.tables}, key=table_label)
        self._fill_combo(self.table_filter, _("All record types"), [(t, table_label(t)) for t in tables])

    @staticmethod
    def _day_start(date: QDate) -> dt.datetime | None:
        if date <= NO_DATE:
            return None
        return dt.datetime(date.year(), date.month(), date.day(), tzinfo=LOCAL_TZ)

    def filters(self) -> dict[str, Any]:
        since = self._day_start(self.since_filter.date())
        until = self._day_start(self.until_filter.date())
        return {
            "username": self.user_filter.currentData() or None,
            "action": self.action_filter.currentData() or None,
            "table": self.table_filter.currentData() or None,
            "text": self.text_filter.text().strip() or None,
            "since": since,
            "until": until + dt.timedelta(days=1) if until is not None else None,  # the whole last day
        }

    def apply_filters(self) -> None:
        if self._loading:
            return
        self._text_timer.stop()
        self.offset = 0
        self.load()

    def clear_filters(self) -> None:
        self._loading = True
        for combo in (self.user_filter, self.action_filter, self.table_filter):
            combo.setCurrentIndex(0)
        self.text_filter.clear()
        self.since_filter.setDate(NO_DATE)
        self.until_filter.setDate(NO_DATE)
        self._loading = False
        self.apply_filters()

    # -- data -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the filter lists and the current page again."""
        self._stale = False
        try:
            self._load_facets()
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return
        self.load()

    def load(self) -> None:
        try:
            with self.ctx.store.read() as session:
                total, rows = audit.list_events(session, self.ctx.actor, offset=self.offset, limit=PAGE_SIZE,
                                                **self.filters())
        except DeskError as exc:
            show_error(self, exc, self.log_path)
            return
        self.total = total
        self.model.set_rows(rows)
        self._update_pager()
        if rows:
            self.table.selectRow(0)
        self._show_details()

    def newer_page(self) -> None:
        if self.offset > 0:
            self.offset = max(0, self.offset - PAGE_SIZE)
            self.load()

    def older_page(self) -> None:
        if self.offset + PAGE_SIZE < self.total:
            self.offset += PAGE_SIZE
            self.load()

    def _update_pager(self) -> None:
        shown = self.model.rowCount()
        if shown:
            self.page_label.setText(_("{first}–{last} of {total}").format(
                first=format_number(self.offset + 1), last=format_number(self.offset + shown),
                total=format_number(self.total)))
        else:
            self.page_label.setText("")
        self.empty.setVisible(shown == 0)
        self.newer_button.setEnabled(self.offset > 0)
        self.older_button.setEnabled(self.offset + PAGE_SIZE < self.total)

    def _show_details(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.details.setPlainText("")
            return
        event: AuditRow = self.model.data(index, Qt.ItemDataRole.UserRole)
        head = f"{format_datetime(event.at)}  {event.username}  {action_label(event.action)}  " \
               f"{table_label(event.table)}  {event.summary}"
        lines = change_lines(event.changes)
        self.details.setPlainText("\n".join([head, *lines]) if lines else head)

    def _on_changed(self, _tables: object) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def retranslate(self) -> None:
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setText(_("Audit trail"))
        self.user_label.setText(_("User"))
        self.action_label.setText(_("Action"))
        self.table_label.setText(_("Record type"))
        self.text_label.setText(_("Text"))
        self.text_filter.setPlaceholderText(_("Words in the record or the changes"))
        self.since_label.setText(_("From"))
        self.until_label.setText(_("To"))
        date_format = "yyyy年M月d日" if i18n.language() == "zh_CN" else "MMM d, yyyy"
        for edit in (self.since_filter, self.until_filter):
            edit.setDisplayFormat(date_format)
            edit.setSpecialValueText(_("any date"))
        self.clear_button.setText(_("Clear filters"))
        self.newer_button.setText(_("◀ Newer"))
        self.older_button.setText(_("Older ▶"))
        self.empty.setText(_("No events match these filters."))
        self.model.retranslate()
        if self._ready:
            self._load_facets()  # the "all …" entries and the action and record type names
        self._update_pager()
