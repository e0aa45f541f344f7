"""Follow-up visits (回访): the planned and the recorded ones, the dialog that records a visit and the one
that plans the next."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from app.clock import today
from app.i18n import N_, _, format_date
from app.models.cases import CaseStatus, FollowUp
from app.services import case_flow
from app.services.case_flow import FollowUpInput
from app.services.cases import CaseView
from app.ui.cases.common import (
    WARNING_COLOR,
    case_table,
    date_edit,
    hint_label,
    open_dialog,
    q_to_date,
    read_or_report,
    tr,
)
from app.ui.cases.form_dialog import FormDialog, choice_combo, text_box
from app.ui.context import UiContext

FOLLOWING = (CaseStatus.AGREED, CaseStatus.FOLLOWING_UP)


class FollowUpDialog(FormDialog):
    """Record a visit: fills the planned one (`planned`) or adds a record."""

    def __init__(self, ctx: UiContext, case_id: str, planned: FollowUp | None = None, parent: QWidget | None = None) -> None:
        intro = _("Planned for {date}: {reason}").format(date=format_date(planned.due_on), reason=planned.reason) \
            if planned is not None else ""
        super().__init__(ctx, _("Record a follow-up visit"), _("Save the record"), parent, intro=intro, scroll=True)
        self.setObjectName("FollowUpDialog")
        self.case_id = case_id
        self.planned = planned
        self.visited_on = date_edit(today(), maximum=today())
        self.visitor = QLineEdit(ctx.actor.display_name)
        self.visitor.setObjectName("visitor")
        self.visitor.setMaxLength(50)
        self.performance = choice_combo(case_flow.PERFORMANCE, placeholder=_("Choose…"))
        self.performance.setObjectName("performance")
        self.satisfaction = choice_combo(case_flow.SATISFACTION, placeholder=_("Choose…"))
        self.satisfaction.setObjectName("satisfaction")
        self.lawsuit = tr(QCheckBox(), N_("A party has gone to court"))
        self.escalation = text_box(self, 2)
        self.measures = text_box(self, 2)
        self.findings = text_box(self, 3)
        self.findings.setObjectName("findings")
        self.row("visited_on", _("Visited on"), self.visited_on, required=True)
        self.row("visitor", _("Visitor"), self.visitor, required=True)
        self.row("performance", _("Performance"), self.performance, required=True)
        self.row("satisfaction", _("Satisfaction"), self.satisfaction, required=True)
        self.row("lawsuit", _("Lawsuit"), self.lawsuit)
        self.row("escalation_signs", _("Signs of escalation"), self.escalation)
        self.row("measures", _("Measures"), self.measures)
        self.row("findings", _("Findings"), self.findings)
        self.finish()

    def perform(self, session: Session) -> Any:
        return case_flow.record_follow_up(session, self.ctx.actor, self.case_id, FollowUpInput(
            q_to_date(self.visited_on.date()), self.visitor.text(), str(self.performance.currentData()),
            str(self.satisfaction.currentData()), self.lawsuit.isChecked(), self.escalation.toPlainText(),
            self.measures.toPlainText(), self.findings.toPlainText()), self.planned.id if self.planned else None)


class PlanFollowUpDialog(FormDialog):
    def __init__(self, ctx: UiContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Plan a follow-up visit"), _("Plan"), parent)
        self.case_id = case_id
        self.due_on = date_edit(today() + dt.timedelta(days=14))
        self.reason = QLineEdit(_("Check performance of the agreement."))
        self.reason.setMaxLength(500)
        self.row("due_on", _("Due on"), self.due_on, required=True)
        self.row("reason", _("Reason"), self.reason)
        self.finish()

    def perform(self, session: Session) -> Any:
        return case_flow.plan_follow_up(session, self.ctx.actor, self.case_id, q_to_date(self.due_on.date()),
                                        self.reason.text())


class FollowUpsTab(QWidget):
    print_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
        self.rows: list[FollowUp] = []
        self.dialog: QDialog | None = None
        self.table = case_table(9, "followUps", wrap=True)
        self.table.itemActivated.connect(lambda _item: self.record())
        self.empty = hint_label()
        self.record_button = tr(QPushButton(), N_("Record a visit…"))
        self.record_button.setObjectName("recordVisit")
        self.record_button.clicked.connect(lambda: self.record())
        self.plan_button = tr(QPushButton(), N_("Plan a visit…"))
        self.plan_button.clicked.connect(self.plan)
        self.print_button = tr(QPushButton(), N_("Print the follow-up record…"))
        self.print_button.clicked.connect(lambda: self.print_requested.emit("follow_up"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.plan_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def show_case(self, view: CaseView) -> None:
        self.view = view
        self.rows = read_or_report(self, self.ctx, lambda session: case_flow.follow_ups_of(session, view.id), [])
        self.table.setHorizontalHeaderLabels([_("Due on"), _("Visited on"), _("Visitor"), _("Performance"),
                                              _("Satisfaction"), _("Lawsuit"), _("Signs of escalation"), _("Measures"),
                                              _("Findings")])
        self.table.setRowCount(len(self.rows))
        now = today()
        for i, f in enumerate(self.rows):
            if f.visited_on is None:
                due = _("Due today") if f.due_on == now else (
                    _("overdue since {date}").format(date=format_date(f.due_on)) if f.due_on < now else "")
                values = [format_date(f.due_on), _("planned") + (f" · {due}" if due else ""), "", "", "", "", "", "",
                          f.reason]
            else:
                values = [format_date(f.due_on), format_date(f.visited_on), f.visitor,
                          _(case_flow.PERFORMANCE.get(f.performance, f.performance)),
                          _(case_flow.SATISFACTION.get(f.satisfaction, f.satisfaction)), _("Yes") if f.lawsuit else _("No"),
                          f.escalation_signs, f.measures, f.findings]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if f.visited_on is None and f.due_on <= now and column == 1:
                    item.setForeground(QColor(WARNING_COLOR))
                self.table.setItem(i, column, item)
        self.table.resizeRowsToContents()
        following = view.status in FOLLOWING
        may = self.ctx.can("cases.mediate")
        for b in (self.record_button, self.plan_button):
            b.setVisible(may)
            b.setEnabled(following)
        self.print_button.setEnabled(any(f.visited_on for f in self.rows))
        if not self.rows:
            self.empty.setText(_("No follow-up visit yet. The first is planned when the agreement takes effect."))
        self.empty.setVisible(not self.rows)

    def _selected_planned(self) -> FollowUp | None:
        rows = self.table.selectionModel().selectedRows()
        if rows and 0 <= rows[0].row() < len(self.rows):
            f = self.rows[rows[0].row()]
            if f.visited_on is None:
                return f
        return next((f for f in self.rows if f.visited_on is None), None)

    def record(self) -> FollowUpDialog | None:
        if self.view is None or not self.ctx.can("cases.mediate") or self.view.status not in FOLLOWING:
            return None
        dialog = FollowUpDialog(self.ctx, self.view.id, self._selected_planned(), parent=self)
        open_dialog(self, dialog)
        return dialog

    def plan(self) -> PlanFollowUpDialog | None:
        if self.view is None or not self.ctx.can("cases.mediate") or self.view.status not in FOLLOWING:
            return None
        dialog = PlanFollowUpDialog(self.ctx, self.view.id, parent=self)
        open_dialog(self, dialog)
        return dialog
