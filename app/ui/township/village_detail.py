"""One village's records as imported at the township center, read-only (the township never edits a village's
row): its figures on top, then tabs — cases, households, risk, points — each a table with a filter box. A
case opens on the village's own case page, read-only.

Every read is a service call in `app.services.township` for the village's device id; it returns that
village's rows only and masks ID numbers. The reads run on the worker (a village may have 50,000 households):
cases and households a page at a time as the table scrolls, risk ratings and points balances whole (they are
computed per household) and then shown at once.

The case page is `app.ui.cases.case_page.CasePage` itself, given a reader's context: the same user with the
viewer's role. The page's own role checks then hide or disable every step, form and tick, the services would
refuse any write anyway (and the change log refuses edits of a foreign row), and parties' ID numbers come
masked. Printing is hidden too: a printed form would carry the township's name instead of the village's.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QStackedWidget, QTabWidget, QVBoxLayout, QWidget
from shiboken6 import isValid
from sqlmodel import Session

from app.clock import today
from app.i18n import N_, _, format_number, ngettext
from app.models.users import Role
from app.services import cases, township
from app.services.township import PointsRow, VillageRisk, VillageRow
from app.ui.cases.case_page import CasePage
from app.ui.cases.common import HINT_COLOR, bigger, relabel_all, report_error, status_color, status_label, tr
from app.ui.context import UiContext
from app.ui.risk.common import level_chip, short_stage
from app.ui.sync.common import Column, RowsModel, day_text, fit_rows, table_view, when_text
from app.ui.worker import Progress, run_task

PAGE_SIZE = 200
SIZE_PRECISION = 50  # rows measured to fit a column to its contents
FILTER_DELAY_MS = 250
READ_ONLY_NOTE = N_("Read-only: these are the village's own records as last imported here.")
_Index = QModelIndex | QPersistentModelIndex

CASE_COLUMNS = (
    Column("number", N_("Case number")), Column("received", N_("Received on")), Column("category", N_("Category")),
    Column("summary", N_("Summary")), Column("status", N_("Status"), chip=True),
)
HOUSEHOLD_COLUMNS = (
    Column("number", N_("Household no.")), Column("head", N_("Head of household")), Column("id_number", N_("Head's ID number")),
    Column("group", N_("Villager group")), Column("micro", N_("Micro-grid")), Column("members", N_("Members"), numeric=True),
)
RISK_COLUMNS = (
    Column("number", N_("Household no.")), Column("head", N_("Head of household")), Column("group", N_("Villager group")),
    Column("level", N_("Risk level"), chip=True), Column("stage", N_("Rated by")), Column("reason", N_("Reason")),
    Column("factors", N_("Risk factors")),
)
POINTS_COLUMNS = (
    Column("number", N_("Household no.")), Column("head", N_("Head of household")), Column("group", N_("Villager group")),
    Column("balance", N_("Balance"), numeric=True), Column("gained", N_("Gained this year"), numeric=True),
    Column("deducted", N_("Deducted this year"), numeric=True), Column("last", N_("Last entry this year")),
)


def case_cell(case: Any, key: str) -> Any:
    if key == "number":
        return case.number
    if key == "received":
        return day_text(case.received_on)
    if key == "category":
        return cases.category_label(case.category_code)
    if key == "summary":
        return case.summary
    if key == "status":
        return status_label(case.status), status_color(case.status)
    return ""


def household_cell(row: Any, key: str) -> Any:
    return {"number": row.number, "head": row.head_name, "id_number": row.head_id_number, "group": row.group_name,
            "micro": row.micro_grid_name, "members": format_number(row.members)}.get(key, "")


def risk_cell(row: Any, key: str) -> Any:
    if key == "level":
        return level_chip(row.level)
    if key == "stage":
        return short_stage(row.stage)
    if key == "factors":
        return _(", ").join(row.factors)
    return {"number": row.number, "head": row.head_name, "group": row.group_name, "reason": row.reason}.get(key, "")


def points_cell(row: PointsRow, key: str) -> Any:
    if key in ("balance", "gained"):
        return format_number(getattr(row, key))
    if key == "deducted":
        return format_number(-row.deducted) if row.deducted else "0"
    if key == "last":
        return day_text(row.last_entry)
    return {"number": row.number, "head": row.head_name, "group": row.group_name}.get(key, "")


def reader_context(ctx: UiContext) -> UiContext:
    """The same user, store and signals with the viewer's role: what the read-only case page is given."""
    reader = UiContext(ctx.store, replace(ctx.actor, role=Role.VIEWER), ctx.data_dir)
    ctx.changed.connect(reader.changed)
    ctx.retranslate.connect(reader.retranslate)
    return reader


# ---------------------------------------------------------------- a table that loads on the worker


class PagedRowsModel(RowsModel):
    """RowsModel filled a page at a time: `more_wanted(offset)` asks the owner for the next page when the view
    scrolls near the end; the owner hands it over with `append`."""

    more_wanted = Signal(int)

    def __init__(self, columns: Sequence[Column], cell: Callable[[Any, str], Any], **kwargs: Any) -> None:
        super().__init__(columns, cell, **kwargs)
        self.total = 0
        self.fetching = False

    def reset(self, total: int, rows: list[Any]) -> None:
        self.total = total
        self.fetching = False
        self.set_rows(rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's names)
        return not parent.isValid() and self.rowCount() < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.fetching or self.rowCount() >= self.total:
            return
        self.fetching = True
        self.more_wanted.emit(self.rowCount())

    def append(self, rows: list[Any]) -> None:
        self.fetching = False
        if not rows:
            self.total = self.rowCount()  # fewer than counted (an import since): stop asking
            return
        first = self.rowCount()
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()


class RecordsTab(QWidget):
    """One kind of the village's records: a filter box, a line saying what is shown, and the table. `read(session,
    query)` gives the rows (whole lists), or `page(session, query, offset, limit)` and `count(session, query)` give
    them a page at a time."""

    loaded = Signal()

    def __init__(self, ctx: UiContext, name: str, columns: Sequence[Column], cell: Callable[[Any, str], Any], *,
                 stretch: str, placeholder: str, paged: bool, tip: Callable[[Any], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(name)
        self.origin: str | None = None
        self.stale = True
        self.loading = False
        self.query = ""
        self._generation = 0
        self.filter_edit = tr(QLineEdit(), "", placeholder=placeholder)
        self.filter_edit.setObjectName(f"{name}Filter")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(420)
        self.summary = QLabel()
        self.summary.setObjectName(f"{name}Summary")
        self.summary.setStyleSheet(f"color: {HINT_COLOR};")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.empty = QLabel()
        self.empty.setObjectName(f"{name}Empty")
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.model: RowsModel = PagedRowsModel(columns, cell, tip=tip) if paged else RowsModel(columns, cell, tip=tip)
        if isinstance(self.model, PagedRowsModel):
            self.model.more_wanted.connect(self._more)
        self.table = table_view(self.model, f"{name}Table", stretch=stretch)
        # columns fit the rows in view and the first ones, not 1,000 of 50,000 (a second on the GUI thread)
        self.table.horizontalHeader().setResizeContentsPrecision(SIZE_PRECISION)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self._filter_now)
        self.filter_edit.textChanged.connect(lambda _text: self._timer.start())
        self.filter_edit.returnPressed.connect(self._filter_now)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 2)
        top.addWidget(self.summary, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    # ---- what each tab reads (set by the owner), and the last whole result read
    result: Any = None
    read: Callable[[Session, str], Any] | None = None
    page: Callable[[Session, str, int, int], list[Any]] | None = None
    count: Callable[[Session, str], int] | None = None

    def relabel(self) -> None:
        relabel_all(self)
        fit_rows(self.table)
        self.model.relabel()
        if not self.loading and self.origin is not None and not self.stale:
            self.show_summary()

    def set_village(self, origin: str, *, keep_filter: bool) -> None:
        if not keep_filter:
            self.filter_edit.blockSignals(True)
            self.filter_edit.clear()
            self.filter_edit.blockSignals(False)
            self.query = ""
            if origin != self.origin:  # nothing of the village shown before, and nothing more to fetch of it
                if isinstance(self.model, PagedRowsModel):
                    self.model.reset(0, [])
                else:
                    self.model.set_rows([])
        self.origin = origin
        self.stale = True
        self._generation += 1  # a read still running for what was shown before is dropped when it ends
        self.loading = False

    def _filter_now(self) -> None:
        self._timer.stop()
        query = self.filter_edit.text().strip()
        if query != self.query or self.stale:
            self.query = query
            self.refresh()

    def refresh(self) -> None:
        """Read the rows again on the worker (the first page and the count, for a paged tab)."""
        if self.origin is None:
            return
        self.stale = False
        self._generation += 1
        generation = self._generation
        store, query, page_fn, count_fn, read_fn = self.ctx.store, self.query, self.page, self.count, self.read

        def work(_progress: Progress) -> Any:
            with store.read() as session:
                if page_fn is not None and count_fn is not None:
                    return count_fn(session, query), page_fn(session, query, 0, PAGE_SIZE)
                assert read_fn is not None
                return read_fn(session, query)

        self.loading = True
        self.summary.setText(_("Loading…"))
        self._start(work, lambda result: self._loaded(generation, result))

    def _start(self, work: Callable[[Progress], Any], done: Callable[[Any], None]) -> None:
        generation = self._generation

        def finished(result: Any) -> None:
            if isValid(self):  # the window may have been closed meanwhile
                done(result)

        def failed(exc: BaseException, tb: str) -> None:
            if not isValid(self):
                return
            if generation == self._generation:
                self.loading = False
                if isinstance(self.model, PagedRowsModel):
                    self.model.fetching = False
                self.summary.setText("")
            report_error(self, self.ctx, exc, tb)

        run_task(work, finished, failed)

    def _loaded(self, generation: int, result: Any) -> None:
        if generation != self._generation:
            return  # a newer read was started since (the filter changed): its rows are the ones to show
        if isinstance(self.model, PagedRowsModel):
            total, rows = result
            self.model.reset(total, rows)
        else:
            self.result = result
            self.model.set_rows(self.rows_of(result))
        self.loading = False
        self.show_summary()
        self.loaded.emit()

    def _more(self, offset: int) -> None:
        generation = self._generation
        store, query, page_fn = self.ctx.store, self.query, self.page
        assert page_fn is not None

        def work(_progress: Progress) -> list[Any]:
            with store.read() as session:
                return page_fn(session, query, offset, PAGE_SIZE)

        def done(rows: list[Any]) -> None:
            if generation == self._generation and isinstance(self.model, PagedRowsModel):
                self.model.append(rows)

        self._start(work, done)

    # ---- what is shown above and instead of the table (tabs override)
    def rows_of(self, result: Any) -> list[Any]:
        return list(result)

    def total(self) -> int:
        return self.model.total if isinstance(self.model, PagedRowsModel) else self.model.rowCount()

    def count_text(self, n: int) -> str:
        return ""

    def none_text(self) -> str:
        return ""

    def show_summary(self) -> None:
        n = self.total()
        self.summary.setText(self.count_text(n))
        if n:
            self.empty.hide()
        else:
            self.empty.setText(_("Nothing matches “{query}”.").format(query=self.query) if self.query else self.none_text())
            self.empty.show()
        self.table.setVisible(bool(n))


class CasesTab(RecordsTab):
    def count_text(self, n: int) -> str:
        return ngettext("{n} case", "{n} cases", n).format(n=format_number(n))

    def none_text(self) -> str:
        return _("No case of this village has been imported yet.")


class HouseholdsTab(RecordsTab):
    def count_text(self, n: int) -> str:
        return ngettext("{n} household", "{n} households", n).format(n=format_number(n))

    def none_text(self) -> str:
        return _("No household of this village has been imported yet.")


class RiskTab(RecordsTab):
    def rows_of(self, result: Any) -> list[Any]:
        return list(result.ratings)

    def count_text(self, n: int) -> str:
        r = self.result
        if not isinstance(r, VillageRisk) or not r.quarter:
            return ""
        state = _("closed") if r.closed else _("open")
        rated = ngettext("{n} household rated", "{n} households rated", n).format(n=format_number(n))
        return _("Round {quarter} ({state}) · {rated} · {left} not rated yet · the highest risk first").format(
            quarter=r.quarter, state=state, rated=rated, left=format_number(r.not_rated))

    def none_text(self) -> str:
        r = self.result
        if not isinstance(r, VillageRisk) or not r.quarter:
            return _("This village has not opened a risk round yet.")
        return _("No household is rated yet in the round of {quarter}.").format(quarter=r.quarter)


class PointsTab(RecordsTab):
    def count_text(self, n: int) -> str:
        shown = ngettext("{n} household", "{n} households", n).format(n=format_number(n))
        return _("{households} · balance now, the highest first; gains and deductions in {year}").format(
            households=shown, year=today().year)

    def none_text(self) -> str:
        return _("No household of this village has been imported yet.")


# ---------------------------------------------------------------- the case, read-only


class ReadOnlyCasePage(CasePage):
    """The village's case page as the village sees it, every step hidden (see the module's docstring)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(reader_context(ctx), parent)
        self.setObjectName("ReadOnlyCasePage")
        self.read_only_note = tr(QLabel(), READ_ONLY_NOTE)
        self.read_only_note.setObjectName("readOnlyNote")
        self.read_only_note.setStyleSheet(f"color: {HINT_COLOR};")
        self.read_only_note.setWordWrap(True)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, self.read_only_note)
        self.print_action.setEnabled(False)
        self._lock()

    def relabel(self) -> None:
        super().relabel()
        self.back_button.setText(_("← Back to the village"))

    def refresh(self) -> None:
        super().refresh()
        self._lock()

    def _lock(self) -> None:
        """No printing here (a form printed at the township would carry its name, not the village's)."""
        for button in (self.sessions_tab.print_button, self.agreement_tab.print_button, self.follow_ups_tab.print_button,
                       self.case_file_tab.print_all):
            button.hide()
        self.case_file_tab.documents_box.hide()
        if self.ended_label.text() == _("You may read this case; your role does not record its steps."):
            self.ended_label.clear()
            self.ended_label.hide()

    def print_document(self, key: str) -> None:
        return None

    def print_agreement(self) -> None:
        return None


# ---------------------------------------------------------------- the village


class VillageDetailView(QWidget):
    """One village: its figures, the read-only note and the tabs; a case opens on the read-only case page."""

    back_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("VillageDetailView")
        self.village: VillageRow | None = None
        self.case_page: ReadOnlyCasePage | None = None
        self.back_button = tr(QPushButton(), N_("← Back to the villages"))
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.back_requested)
        self.title = QLabel()
        self.title.setObjectName("villageTitle")
        self.counts = QLabel()
        self.counts.setObjectName("villageCounts")
        self.counts.setWordWrap(True)
        self.note = tr(QLabel(), READ_ONLY_NOTE)
        self.note.setStyleSheet(f"color: {HINT_COLOR};")
        self.note.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.title)
        head.addStretch(1)

        self.cases_tab = CasesTab(ctx, "villageCases", CASE_COLUMNS, case_cell, stretch="summary", paged=True,
                                  placeholder=N_("Filter: case number, party, pinyin, account…"), tip=lambda c: c.summary)
        self.households_tab = HouseholdsTab(ctx, "villageHouseholds", HOUSEHOLD_COLUMNS, household_cell, stretch="micro",
                                            paged=True, placeholder=N_("Filter: household no., name, pinyin, mobile…"))
        self.risk_tab = RiskTab(ctx, "villageRisk", RISK_COLUMNS, risk_cell, stretch="factors", paged=False,
                                placeholder=N_("Filter: household no., name, pinyin…"))
        self.points_tab = PointsTab(ctx, "villagePoints", POINTS_COLUMNS, points_cell, stretch="last", paged=False,
                                    placeholder=N_("Filter: household no., name, pinyin…"))
        self.cases_tab.table.doubleClicked.connect(self._case_activated)
        self.cases_tab.table.activated.connect(self._case_activated)
        self._tab_list: list[tuple[RecordsTab, str]] = [
            (self.cases_tab, N_("Dispute cases")), (self.households_tab, N_("Household roster")), (self.risk_tab, N_("Risk")),
            (self.points_tab, N_("Points"))]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("villageTabs")
        self.tabs.setDocumentMode(True)
        for tab, label in self._tab_list:
            self.tabs.addTab(tab, _(label))
        self.tabs.currentChanged.connect(lambda _i: self._load_current())

        self.overview = QWidget()
        overview_layout = QVBoxLayout(self.overview)
        overview_layout.setContentsMargins(0, 0, 0, 0)
        overview_layout.addLayout(head)
        overview_layout.addWidget(self.counts)
        overview_layout.addWidget(self.note)
        overview_layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.overview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.overview, self.back_requested.emit)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find = QShortcut(QKeySequence.StandardKey.Find, self.overview, self._focus_filter)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ---- reading
    def _wire(self, origin: str) -> None:
        actor = self.ctx.actor
        self.cases_tab.page = lambda s, q, offset, limit: township.village_cases(s, actor, origin, query=q, offset=offset, limit=limit)
        self.cases_tab.count = lambda s, q: township.count_village_cases(s, actor, origin, query=q)
        self.households_tab.page = lambda s, q, offset, limit: township.village_households(
            s, actor, origin, query=q, offset=offset, limit=limit)
        self.households_tab.count = lambda s, q: township.count_village_households(s, actor, origin, query=q)
        self.risk_tab.read = lambda s, q: township.village_risk(s, actor, origin, query=q)
        self.points_tab.read = lambda s, q: township.village_points(s, actor, origin, query=q)

    def relabel(self) -> None:
        relabel_all(self.overview)
        bigger(self.title, 1.25, bold=True)
        for i, (tab, label) in enumerate(self._tab_list):
            self.tabs.setTabText(i, _(label))
            tab.relabel()
        if self.village is not None:
            self._show_counts(self.village)

    def show_village(self, village: VillageRow) -> None:
        """Show `village` (its figures as the villages table counts them); the same village again (after an
        import) keeps the tab, the filters and the case open, and reads again."""
        same = self.village is not None and self.village.device_id == village.device_id
        self.village = village
        if not same:
            self._wire(village.device_id)
            self.tabs.setCurrentIndex(0)
            self.stack.setCurrentWidget(self.overview)
        for tab, _label in self._tab_list:
            tab.set_village(village.device_id, keep_filter=same)
        self.title.setText(village.name)
        self._show_counts(village)
        self._load_current()

    def _show_counts(self, v: VillageRow) -> None:
        shown = ngettext("{n} case", "{n} cases", v.cases).format(n=format_number(v.cases))
        households = ngettext("{n} household", "{n} households", v.households).format(n=format_number(v.households))
        high = ngettext("{n} high-risk household", "{n} high-risk households", v.high_risk).format(n=format_number(v.high_risk))
        self.counts.setText(_("{cases} · {open} open · {waiting} escalated, waiting · {households} · {high} · last import {when}").format(
            cases=shown, open=format_number(v.open_cases), waiting=format_number(v.escalated_waiting),
            households=households, high=high, when=when_text(v.last_import)))

    def current_tab(self) -> RecordsTab:
        widget = self.tabs.currentWidget()
        return next((tab for tab, _label in self._tab_list if tab is widget), self.cases_tab)

    def _load_current(self) -> None:
        tab = self.current_tab()
        if tab.stale:
            tab.refresh()

    def _focus_filter(self) -> None:
        edit = self.current_tab().filter_edit
        edit.setFocus()
        edit.selectAll()

    # ---- a case
    def _case_activated(self, index: QModelIndex) -> None:
        case = self.cases_tab.model.row_data(index.row())
        if case is not None:
            self.open_case(case.id)

    def open_case(self, case_id: str) -> ReadOnlyCasePage | None:
        """The case on the read-only case page (refused unless it is this village's case)."""
        if self.village is None:
            return None
        try:
            with self.ctx.store.read() as session:
                township.village_case(session, self.ctx.actor, self.village.device_id, case_id)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return None
        if self.case_page is None:
            self.case_page = ReadOnlyCasePage(self.ctx)
            self.case_page.back_requested.connect(self.show_overview)
            self.stack.addWidget(self.case_page)
        self.case_page.load(case_id)
        self.stack.setCurrentWidget(self.case_page)
        self.case_page.tabs.setFocus()
        return self.case_page

    def show_overview(self) -> None:
        self.stack.setCurrentWidget(self.overview)
        self.cases_tab.table.setFocus()


__all__ = ["PagedRowsModel", "ReadOnlyCasePage", "RecordsTab", "VillageDetailView", "reader_context"]
