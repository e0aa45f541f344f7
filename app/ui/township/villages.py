"""The township center's villages: each enrolled village with its figures as imported here (households,
cases, open cases, escalations waiting, high-risk households) and how current its data is (last import,
held bundles and the changes missing, rejected files, revoked). Double-click a village for its cases,
read-only: the township never edits a village's records."""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from app.i18n import N_, _, format_number, ngettext
from app.models.cases import OPEN_STATUSES
from app.services import cases, township
from app.services.township import VillageRow
from app.ui.cases.common import HINT_COLOR, OK_COLOR, WARNING_COLOR, bigger, relabel_all, report_error, status_color, status_label, tr
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.sync.common import Column, RowsModel, day_text, fit_rows, table_view, when_text

VILLAGE_COLUMNS = (
    Column("name", N_("Village")), Column("households", N_("Households"), numeric=True), Column("cases", N_("Cases"), numeric=True),
    Column("open", N_("Open cases"), numeric=True), Column("waiting", N_("Escalated, waiting"), numeric=True),
    Column("high", N_("High risk"), numeric=True), Column("last_import", N_("Last import")),
    Column("gaps", N_("Held / missing")), Column("rejected", N_("Files rejected"), numeric=True), Column("state", N_("State"), chip=True),
)
CASE_COLUMNS = (
    Column("number", N_("Case number")), Column("received", N_("Received on")), Column("category", N_("Category")),
    Column("summary", N_("Summary")), Column("status", N_("Status"), chip=True),
)


def village_cell(v: VillageRow, key: str) -> Any:
    if key == "name":
        return v.name
    if key in ("households", "cases", "open", "waiting", "high", "rejected"):
        value = {"households": v.households, "cases": v.cases, "open": v.open_cases, "waiting": v.escalated_waiting,
                 "high": v.high_risk, "rejected": v.rejected}[key]
        return format_number(value)
    if key == "last_import":
        return when_text(v.last_import)
    if key == "gaps":
        return _("{n} held, {missing} missing").format(n=v.held, missing=v.missing) if v.held else ""
    if key == "state":
        if v.revoked:
            return _("Revoked"), ERROR_COLOR
        if v.last_import is None:
            return _("Nothing received yet"), WARNING_COLOR
        if v.held or v.rejected:
            return _("Needs attention"), WARNING_COLOR
        return _("Receiving"), OK_COLOR
    return ""


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


class VillageCasesView(QWidget):
    """One village's cases as imported here, newest first; read-only."""

    back_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.village: VillageRow | None = None
        self.back_button = tr(QPushButton(), N_("← Back to the villages"))
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.back_requested)
        self.title = QLabel()
        self.title.setObjectName("villageTitle")
        self.counts = QLabel()
        self.counts.setObjectName("villageCounts")
        self.counts.setWordWrap(True)
        self.note = tr(QLabel(), N_("Read-only: these are the village's own records as last imported here."))
        self.note.setStyleSheet(f"color: {HINT_COLOR};")
        self.note.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.title)
        head.addStretch(1)
        self.model = RowsModel(CASE_COLUMNS, case_cell, tip=lambda c: c.summary)
        self.table = table_view(self.model, "villageCases", stretch="summary")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.counts)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def relabel(self) -> None:
        relabel_all(self)
        bigger(self.title, 1.25, bold=True)
        fit_rows(self.table)
        self.model.relabel()
        if self.village is not None:
            self.refresh()

    def show_village(self, village: VillageRow) -> None:
        self.village = village
        self.refresh()

    def refresh(self) -> None:
        if self.village is None:
            return
        try:
            with self.ctx.store.read() as session:
                rows = township.village_cases(session, self.ctx.actor, self.village.device_id)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.model.set_rows(rows)
        v = self.village
        self.title.setText(v.name)
        open_cases = sum(1 for c in rows if c.status in OPEN_STATUSES)
        shown = ngettext("{n} case", "{n} cases", v.cases).format(n=format_number(v.cases))
        self.counts.setText(_("{cases} · {open} open · {waiting} escalated, waiting · {households} households · "
                              "{high} high-risk households · last import {when}").format(
            cases=shown, open=format_number(open_cases), waiting=format_number(v.escalated_waiting),
            households=format_number(v.households), high=format_number(v.high_risk), when=when_text(v.last_import)))


class VillagesPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("VillagesPage")
        self._stale = True
        self.title = tr(QLabel(), N_("Villages"))
        self.title.setObjectName("pageTitle")
        self.hint = tr(QLabel(), N_("Each enrolled village with its figures as imported here. Double-click a village to see its "
                                     "cases (read-only)."))
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        self.hint.setWordWrap(True)
        self.empty = tr(QLabel(), N_("No village is enrolled yet. In the Sync section, on the “Identity and enrollment” tab, "
                                      "enroll each village from its identity file after comparing its fingerprint over the phone."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {HINT_COLOR};")
        self.model = RowsModel(VILLAGE_COLUMNS, village_cell, colour=lambda v: HINT_COLOR if v.revoked else None)
        self.table = table_view(self.model, "villagesTable", stretch="state")
        self.table.doubleClicked.connect(self._activated)
        self.table.activated.connect(self._activated)
        self.list_page = QWidget()
        list_layout = QVBoxLayout(self.list_page)
        list_layout.addWidget(self.title)
        list_layout.addWidget(self.hint)
        list_layout.addWidget(self.empty)
        list_layout.addWidget(self.table, 1)
        self.cases_view = VillageCasesView(ctx)
        self.cases_view.back_requested.connect(self.show_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.cases_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        ctx.changed.connect(self._on_changed)
        ctx.retranslate.connect(self.relabel)
        self.relabel()

    def relabel(self) -> None:
        relabel_all(self.list_page)
        bigger(self.title, 1.25, bold=True)
        fit_rows(self.table)
        self.model.relabel()
        self.cases_view.relabel()

    def refresh(self) -> None:
        self._stale = False
        try:
            with self.ctx.store.read() as session:
                rows = township.villages(session, self.ctx.actor, self.ctx.data_dir)
        except Exception as exc:
            report_error(self, self.ctx, exc, traceback.format_exc())
            return
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if self.stack.currentWidget() is self.cases_view and self.cases_view.village is not None:
            current = next((r for r in rows if r.device_id == self.cases_view.village.device_id), None)
            if current is not None:
                self.cases_view.show_village(current)

    def _on_changed(self, _tables: object) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_data(index.row())
        if row is not None:
            self.open_village(row.device_id)

    def open_village(self, device_id: str) -> None:
        row = next((r for r in self.model.rows() if r.device_id == device_id), None)
        if row is None:
            return
        self.cases_view.show_village(row)
        self.stack.setCurrentWidget(self.cases_view)
        self.cases_view.table.setFocus()

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.table.setFocus()
