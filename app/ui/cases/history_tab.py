"""The history of a case: every change of its status with who and why, and — for those who may read
the audit trail — the audit events that name the case."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime
from app.services import audit, cases
from app.services.cases import CaseView
from app.ui.cases.common import (
    case_table,
    report_error,
    status_label,
    tr,
)
from app.ui.context import UiContext

MAX_AUDIT_ROWS = 500


class HistoryTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.events = case_table(4, "caseEvents", selection=QAbstractItemView.SelectionMode.ExtendedSelection)
        self.audit = case_table(4, "caseAudit", selection=QAbstractItemView.SelectionMode.ExtendedSelection)
        events_box = tr(QGroupBox(), N_("Status history"))
        QVBoxLayout(events_box).addWidget(self.events)
        self.audit_box = tr(QGroupBox(), N_("Audit trail of this case"))
        QVBoxLayout(self.audit_box).addWidget(self.audit)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(events_box)
        split.addWidget(self.audit_box)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def show_case(self, view: CaseView) -> None:
        may_audit = self.ctx.can("audit.read")
        rows: list[audit.AuditRow] = []
        try:
            with self.ctx.store.read() as session:
                events = cases.history(session, self.ctx.actor, view.id)
                if may_audit:
                    _total, rows = audit.list_events(session, self.ctx.actor, text=view.number, limit=MAX_AUDIT_ROWS)
        except Exception as exc:
            events = []
            report_error(self, self.ctx, exc, traceback.format_exc())
        self.events.setHorizontalHeaderLabels([_("When"), _("Who"), _("Status"), _("Note")])
        self.events.setRowCount(len(events))
        for i, e in enumerate(events):
            change = status_label(e.to_status) if not e.from_status else \
                f"{status_label(e.from_status)} → {status_label(e.to_status)}"
            for column, value in enumerate((format_datetime(e.at), e.by_user, change, e.note)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.events.setItem(i, column, item)
        self.audit_box.setVisible(may_audit)
        self.audit.setHorizontalHeaderLabels([_("When"), _("User"), _("What"), _("Summary")])
        self.audit.setRowCount(len(rows))
        for i, r in enumerate(rows):
            what = f"{r.action} · {r.table}"
            for column, value in enumerate((format_datetime(r.at), r.username, what, r.summary)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.audit.setItem(i, column, item)
