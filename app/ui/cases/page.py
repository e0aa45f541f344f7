"""The cases section of the window (矛盾纠纷): the case list with its search and filters, and — within the
section — the page of one case, reached by double-click or Enter and left with Back or Esc."""

from __future__ import annotations

import calendar
import datetime as dt
import traceback

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.clock import today
from app.i18n import N_, _, format_number, ngettext
from app.models.cases import STATUS_LABELS
from app.services.cases import CaseFilter
from app.ui.cases.case_page import CasePage
from app.ui.cases.common import (
    OPEN_STATES,
    ChipDelegate,
    bigger,
    category_choices,
    date_edit,
    q_to_date,
    read_or_report,
    report_error,
    touches_cases,
)
from app.ui.cases.list_model import DEADLINE, ID_ROLE, PARTIES, STATUS, SUMMARY, CaseListModel
from app.ui.cases.new_case_dialog import NewCaseDialog
from app.ui.context import UiContext
from app.ui.widgets import empty_page, row_list, search_as_you_type, search_bar, select_row

SEARCH_DELAY_MS = 200
PERIODS = (("all", N_("All time")), ("month", N_("This month")), ("quarter", N_("This quarter")),
           ("year", N_("This year")), ("custom", N_("From … to …")))


def period_range(key: str, on: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if key == "month":
        return on.replace(day=1), on.replace(day=calendar.monthrange(on.year, on.month)[1])
    if key == "quarter":
        first = 3 * ((on.month - 1) // 3) + 1
        return dt.date(on.year, first, 1), dt.date(on.year, first + 2, calendar.monthrange(on.year, first + 2)[1])
    if key == "year":
        return dt.date(on.year, 1, 1), dt.date(on.year, 12, 31)
    return None, None


class CasesPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("CasesPage")
        self.dialog: QDialog | None = None
        self._list_stale = False

        # ---- toolbar
        bar = search_bar(self, search_name="caseSearch", count_name="caseCount", on_find=self.focus_search)
        self.toolbar, self.search, self.find_action, self.count_label = bar.toolbar, bar.search, bar.find_action, bar.count_label
        self.new_action = QAction(self)
        self.new_action.setObjectName("newCase")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_case)
        self.toolbar.addAction(self.new_action)
        self.new_action.setVisible(ctx.can("cases.register"))

        # ---- filters
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.category_filter = QComboBox()
        self.category_filter.setObjectName("categoryFilter")
        self.period_filter = QComboBox()
        self.period_filter.setObjectName("periodFilter")
        self.period_from = date_edit(today().replace(day=1))
        self.period_to = date_edit(today())
        self.period_dash = QLabel("–")
        self.overdue_only = QCheckBox()
        self.overdue_only.setObjectName("overdueOnly")
        self.mine_only = QCheckBox()
        self.mine_only.setObjectName("mineOnly")
        self.mine_only.setVisible(ctx.actor.user_id is not None)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear_filters)
        self.status_caption = QLabel()
        self.category_caption = QLabel()
        self.period_caption = QLabel()
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for w in (self.status_caption, self.status_filter, self.category_caption, self.category_filter,
                  self.period_caption, self.period_filter, self.period_from, self.period_dash, self.period_to,
                  self.overdue_only, self.mine_only):
            filters.addWidget(w)
        filters.addStretch(1)
        filters.addWidget(self.clear_button)

        # ---- list and its empty state
        self.model = CaseListModel(ctx, self)
        self.table = QTableView()
        self.table.setObjectName("cases")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ChipDelegate(self.table))
        row_list(self.table, stretch_last=False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)  # the account gives way first
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.activated.connect(self._activated)  # Enter, and double-click
        self.model.modelReset.connect(self._fit_columns)
        self.empty_new = QPushButton()
        self.empty_new.setObjectName("emptyNew")
        self.empty_new.clicked.connect(self.new_case)
        self.empty_clear = QPushButton()
        self.empty_clear.clicked.connect(self.clear_filters)
        empty, self.empty_label = empty_page(self.empty_new, self.empty_clear)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(empty)

        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(bar.layout)
        list_layout.addLayout(filters)
        list_layout.addWidget(self.table_stack, 1)

        # ---- one case
        self.case_page = CasePage(ctx)
        self.case_page.back_requested.connect(self.show_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.case_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self._search_timer = search_as_you_type(self.search, self.apply_filter, SEARCH_DELAY_MS)
        for combo in (self.status_filter, self.category_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.period_filter.currentIndexChanged.connect(self._period_changed)
        for edit in (self.period_from, self.period_to):
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        for box in (self.overdue_only, self.mine_only):
            box.toggled.connect(lambda _on: self.apply_filter())

        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self._building = True
        self.relabel()
        self._building = False
        self._show_period_dates()
        self.apply_filter()

    # -------------------------------------------------------- labels

    def relabel(self) -> None:
        building = self._building
        self._building = True
        try:
            self.new_action.setText(_("New case"))
            self.new_action.setToolTip(_("Register a dispute case (Ctrl+N)"))
            self.search.setPlaceholderText(_("Search names, pinyin initials, ID number, phone, case number or account"))
            self.search.setToolTip(_("Ctrl+F"))
            metrics = self.search.fontMetrics()
            self.search.setMinimumWidth(min(metrics.horizontalAdvance(self.search.placeholderText()) + 48, 560))
            self.status_caption.setText(_("Status"))
            self.category_caption.setText(_("Category"))
            self.period_caption.setText(_("Received"))
            self.overdue_only.setText(_("Overdue only"))
            self.mine_only.setText(_("My cases"))
            self.clear_button.setText(_("Clear filters"))
            self._fill_combo(self.status_filter, [("", _("All")), ("open", _("Open"))] +
                             [(s.value, _(label)) for s, label in STATUS_LABELS.items()])
            categories: list[tuple[str, str]] = read_or_report(self, self.ctx, category_choices, [])
            self._fill_combo(self.category_filter, [("", _("All")), *categories])
            self._fill_combo(self.period_filter, [(key, _(label)) for key, label in PERIODS])
            bigger(self.empty_label, 1.2, bold=False)
            self.empty_new.setText(_("Register a case"))
            self.empty_clear.setText(_("Clear the search and filters"))
            self.model.retranslate()
        finally:
            self._building = building
        if not building:
            self._update_state()

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        keep = combo.currentData() if combo.count() else None
        combo.blockSignals(True)
        combo.clear()
        for key, label in items:
            combo.addItem(label, key)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
        combo.blockSignals(False)

    # -------------------------------------------------------- filtering

    def current_filter(self) -> CaseFilter:
        status = self.status_filter.currentData() or ""
        statuses: tuple[str, ...] = tuple(s.value for s in OPEN_STATES) if status == "open" else (
            (status,) if status else ())
        period = self.period_filter.currentData() or "all"
        start: dt.date | None
        end: dt.date | None
        if period == "custom":
            start, end = q_to_date(self.period_from.date()), q_to_date(self.period_to.date())
            if end < start:
                start, end = end, start
        else:
            start, end = period_range(period, today())
        return CaseFilter(
            query=self.search.text().strip(), statuses=statuses, category_code=self.category_filter.currentData() or None,
            received_from=start, received_to=end, overdue_only=self.overdue_only.isChecked(),
            mediator_user_id=self.ctx.actor.user_id if self.mine_only.isChecked() else None)

    def is_filtered(self) -> bool:
        flt = self.model.filter
        return bool(flt.query or flt.statuses or flt.category_code or flt.received_from or flt.received_to
                    or flt.overdue_only or flt.mediator_user_id)

    def _period_changed(self) -> None:
        self._show_period_dates()
        self.apply_filter()

    def _show_period_dates(self) -> None:
        custom = self.period_filter.currentData() == "custom"
        for w in (self.period_from, self.period_dash, self.period_to):
            w.setVisible(custom)

    def apply_filter(self) -> None:
        """Load the first page for the search text and filters chosen now."""
        if self._building:
            return
        self._search_timer.stop()
        keep = self.current_case_id()
        try:
            self.model.set_filter(self.current_filter())
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
        if keep is not None:
            self.select_case(keep)
        self._update_state()

    def clear_filters(self) -> None:
        self._building = True
        try:
            self.search.clear()
            for combo in (self.status_filter, self.category_filter, self.period_filter):
                combo.setCurrentIndex(0)
            self.overdue_only.setChecked(False)
            self.mine_only.setChecked(False)
        finally:
            self._building = False
        self._show_period_dates()
        self.apply_filter()

    def focus_search(self) -> None:
        self.show_list()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -------------------------------------------------------- loading

    def refresh(self) -> None:
        """Read everything again (F5, or after a change elsewhere), keeping what is chosen."""
        self._reload_list()
        if self.stack.currentWidget() is self.case_page:
            self.case_page.refresh()

    def _on_changed(self, tables: object) -> None:
        if not touches_cases(tables):
            return
        if not self.table_stack.isVisible():
            self._list_stale = True  # the case page or another section is showing: read again when the list is
            return
        self._reload_list()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._list_stale and self.stack.currentIndex() == 0:
            self._reload_list()

    def _reload_list(self) -> None:
        """Read the list again (as far as it was loaded), keeping the chosen case."""
        self._list_stale = False
        keep = self.current_case_id()
        try:
            self.model.refresh()
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
        if keep is not None:
            self.select_case(keep)
        self._update_state()

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        widest = {PARTIES: 240, STATUS: 220, DEADLINE: 300}
        for column in range(self.model.columnCount()):
            if column != SUMMARY:
                header.resizeSection(column, min(max(header.sectionSize(column), 60), widest.get(column, 280)))

    def _update_state(self) -> None:
        total = self.model.total
        self.count_label.setText(ngettext("{n} case", "{n} cases", total).format(n=format_number(total)))
        can_register = self.ctx.can("cases.register")
        if total:
            self.table_stack.setCurrentIndex(0)
            return
        if self.model.filter.query:
            text = _("No case matches “{query}”.").format(query=self.model.filter.query)
        elif self.is_filtered():
            text = _("No case matches these filters.")
        elif can_register:
            text = _("No dispute cases yet. Press Ctrl+N to register the first.")
        else:
            text = _("No dispute cases yet. The mediators register them.")
        self.empty_label.setText(text)
        self.empty_new.setVisible(can_register and not self.is_filtered())
        self.empty_clear.setVisible(self.is_filtered())
        self.table_stack.setCurrentIndex(1)

    # -------------------------------------------------------- choosing and opening

    def current_case_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.case_id(index.row()) if index.isValid() else None

    def select_case(self, case_id: str) -> None:
        row = self.model.row_of(case_id)
        if row >= 0:
            select_row(self.table, row)

    def _activated(self, index: QModelIndex) -> None:
        case_id = index.data(ID_ROLE) if index.isValid() else None
        if case_id:
            self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        """Show the page of one case (from the list, the home page or the global search)."""
        self.case_page.load(case_id)
        if self.case_page.view is None or self.case_page.view.id != case_id:
            return
        self.stack.setCurrentWidget(self.case_page)
        self.case_page.tabs.setFocus()
        self.select_case(case_id)

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        if self._list_stale:
            self._reload_list()
        keep = self.case_page.case_id
        if keep is not None:
            self.select_case(keep)
        self.table.setFocus()

    def new_case(self) -> NewCaseDialog | None:
        if not self.ctx.can("cases.register"):
            return None
        try:
            dialog = NewCaseDialog(self.ctx, parent=self)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._registered(dialog.case_id))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _registered(self, case_id: str | None) -> None:
        if case_id is None:
            return
        self.apply_filter()
        self.open_case(case_id)

