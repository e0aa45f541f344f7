"""The township center's villages: each enrolled village with its figures as imported here (households,
cases, open cases, escalations waiting, high-risk households) and how current its data is (last import,
held bundles and the changes missing, rejected files, revoked). Double-click a village for its records —
cases, households, risk, points — read-only (`village_detail`): the township never edits a village's records."""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.i18n import N_, _, format_number
from app.services import township
from app.services.township import VillageRow
from app.ui.cases.common import HINT_COLOR, OK_COLOR, WARNING_COLOR, bigger, relabel_all, report_error, tr
from app.ui.context import UiContext
from app.ui.messages import ERROR_COLOR
from app.ui.sync.common import Column, RowsModel, fit_rows, table_view, when_text
from app.ui.township.village_detail import VillageDetailView

VILLAGE_COLUMNS = (
    Column("name", N_("Village")), Column("households", N_("Households"), numeric=True), Column("cases", N_("Cases"), numeric=True),
    Column("open", N_("Open cases"), numeric=True), Column("waiting", N_("Escalated, waiting"), numeric=True),
    Column("high", N_("High risk"), numeric=True), Column("last_import", N_("Last import")),
    Column("gaps", N_("Held / missing")), Column("rejected", N_("Files rejected"), numeric=True), Column("state", N_("State"), chip=True),
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


class VillagesPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("VillagesPage")
        self._stale = True
        self.title = tr(QLabel(), N_("Villages"))
        self.title.setObjectName("pageTitle")
        self.hint = tr(QLabel(), N_("Each enrolled village with its figures as imported here. Double-click a village to see its "
                                     "cases, households, risk ratings and points (read-only)."))
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
        self.detail = VillageDetailView(ctx)
        self.detail.back_requested.connect(self.show_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.detail)
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
        self.detail.relabel()

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
        if self.stack.currentWidget() is self.detail and self.detail.village is not None:
            current = next((r for r in rows if r.device_id == self.detail.village.device_id), None)
            if current is not None:
                self.detail.show_village(current)

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
        self.detail.show_village(row)
        self.stack.setCurrentWidget(self.detail)
        self.detail.cases_tab.table.setFocus()

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.table.setFocus()
